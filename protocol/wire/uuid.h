// Uuid: Kafka's 16-byte UUID (topic ids), kept as its wire bytes: the most significant 64 bits
// then the least significant 64 bits, both big-endian (wire-protocol.md §4).
#pragma once

#include <array>
#include <compare>
#include <cstddef>

namespace sluice::protocol {

struct Uuid {
  std::array<std::byte, 16> bytes{};

  auto operator<=>(const Uuid&) const = default;
  // The all-zero UUID is Kafka's "no topic id".
  [[nodiscard]] bool is_zero() const { return *this == Uuid{}; }
};

}  // namespace sluice::protocol
