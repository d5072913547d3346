// StrongId: a number that carries its meaning in its type, so an Offset can't be passed where a
// BrokerId or a byte position is expected. Arithmetic is limited to what the meaning allows.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>
#include <ostream>

namespace sluice {

template <typename T, typename Tag>
class StrongId {
 public:
  using value_type = T;

  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : value_(v) {}

  [[nodiscard]] constexpr T value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;

  static constexpr StrongId min() { return StrongId(std::numeric_limits<T>::min()); }
  static constexpr StrongId max() { return StrongId(std::numeric_limits<T>::max()); }

  friend std::ostream& operator<<(std::ostream& os, StrongId id) { return os << id.value_; }

 private:
  T value_{};
};

// Ids that are offsets also move by counts: offset + n is an offset, offset - offset a count.
template <typename T, typename Tag>
class StrongOffset : public StrongId<T, Tag> {
 public:
  using StrongId<T, Tag>::StrongId;
  constexpr StrongOffset(StrongId<T, Tag> id) : StrongId<T, Tag>(id) {}  // NOLINT

  constexpr StrongOffset operator+(T n) const { return StrongOffset(this->value() + n); }
  constexpr StrongOffset operator-(T n) const { return StrongOffset(this->value() - n); }
  constexpr T operator-(StrongOffset o) const { return this->value() - o.value(); }
  constexpr StrongOffset& operator+=(T n) { return *this = *this + n; }
  constexpr auto operator<=>(const StrongOffset&) const = default;
};

}  // namespace sluice

template <typename T, typename Tag>
struct std::hash<sluice::StrongId<T, Tag>> {
  size_t operator()(sluice::StrongId<T, Tag> id) const noexcept { return std::hash<T>{}(id.value()); }
};
template <typename T, typename Tag>
struct std::hash<sluice::StrongOffset<T, Tag>> {
  size_t operator()(sluice::StrongOffset<T, Tag> id) const noexcept { return std::hash<T>{}(id.value()); }
};
