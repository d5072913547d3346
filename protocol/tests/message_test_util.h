// Checks shared by the generated message tests (generated_messages_test.cc, built from the schemas)
// and the hand-written fixtures.
#pragma once

#include <array>
#include <cstdint>

#include <gtest/gtest.h>

#include "protocol/bytes.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/uuid.h"
#include "protocol/wire/writer.h"

namespace sluice::protocol::test {

inline Uuid sample_uuid(int seed) {
  Uuid id;
  for (size_t i = 0; i < id.bytes.size(); ++i) id.bytes[i] = static_cast<std::byte>(seed * 17 + i);
  return id;
}

inline Bytes sample_bytes(int seed) {
  return {std::byte{0x00}, std::byte{0xff}, static_cast<std::byte>(seed)};
}

// Stands in for a record batch: the message layer never looks inside `records`.
inline ByteView sample_records() {
  static const std::array<std::byte, 5> kRecords{std::byte{1}, std::byte{2}, std::byte{3},
                                                 std::byte{4}, std::byte{5}};
  return kRecords;
}

template <typename T>
Bytes encode_message(const T& message, int16_t version) {
  Bytes out;
  Writer w(out);
  message.encode(w, version);
  return out;
}

// Encode, decode, compare, and re-encode to the same bytes; the decoder must use every byte.
template <typename T>
void expect_round_trip(const T& message, int16_t version) {
  const Bytes encoded = encode_message(message, version);
  Reader r(encoded);
  auto decoded = T::decode(r, version);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
  EXPECT_TRUE(r.empty()) << r.remaining() << " bytes left over";
  EXPECT_TRUE(decoded.value() == message);
  EXPECT_EQ(encode_message(decoded.value(), version), encoded);
}

// Every strict prefix of the encoding must fail to decode, without crashing or over-reading
// (ASan checks the latter: each prefix is copied into a buffer of exactly its size).
template <typename T>
void expect_every_truncation_fails(const T& message, int16_t version) {
  const Bytes encoded = encode_message(message, version);
  for (size_t n = 0; n < encoded.size(); ++n) {
    const Bytes prefix(encoded.begin(), encoded.begin() + static_cast<std::ptrdiff_t>(n));
    Reader r(prefix);
    EXPECT_FALSE(T::decode(r, version).has_value()) << "prefix of " << n << " bytes decoded";
  }
}

}  // namespace sluice::protocol::test
