// Small builders shared by the protocol tests.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "protocol/bytes.h"
#include "protocol/record.h"
#include "protocol/record_batch_builder.h"

namespace sluice::protocol::test {

inline Bytes bytes_of(std::string_view s) {
  const ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

inline std::optional<Bytes> maybe(std::string_view s) { return bytes_of(s); }

// Deterministic bytes that no codec can shrink.
inline Bytes random_bytes(size_t n, uint32_t seed = 7) {
  std::mt19937 gen(seed);
  Bytes out(n);
  for (auto& b : out) b = static_cast<std::byte>(gen() & 0xFF);
  return out;
}

// Text-like bytes that every codec shrinks a lot.
inline Bytes repetitive_bytes(size_t n) {
  constexpr std::string_view kPattern = "sluice-record-payload-";
  Bytes out(n);
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(kPattern[i % kPattern.size()]);
  return out;
}

// Five records shaped like the client fixtures: keys k0..k4, values value-0..value-3 and "".
inline Bytes five_record_batch(CompressionType codec) {
  RecordBatchBuilder builder({.compression = codec, .base_timestamp = TimestampMs(1'700'000'000'000)});
  for (int i = 0; i < 5; ++i) {
    // Built char by char: g++ 12 warns falsely (-Wrestrict) on "literal" + std::string.
    const char digit = static_cast<char>('0' + i);
    const std::string key{'k', digit};
    const std::string value = i < 4 ? std::string("value-").append(1, digit) : std::string();
    builder.append(TimestampMs(1'700'000'000'000 + i), as_bytes(key), as_bytes(value),
                   {{"source", maybe("sluice")}});
  }
  return builder.build().value();
}

}  // namespace sluice::protocol::test
