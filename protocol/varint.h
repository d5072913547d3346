// Variable-length integers of the Kafka protocol (wire-protocol.md §4):
//   uvarint: 7 bits per byte, least significant group first, 0x80 = another byte follows.
//   varint / varlong: zigzag ((n << 1) ^ (n >> 31|63)) then uvarint, so small negatives are short.
// A 32-bit value takes at most 5 bytes, a 64-bit one at most 10. Decoders are bounded: they never
// read past the input, and a longer encoding, or a last byte carrying bits the type can't hold,
// is Errc::malformed (a producer never writes one; accepting it would let two encodings of one
// number disagree in length). Input that ends inside a varint is Errc::truncated.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/bytes.h"
#include "protocol/errc.h"
#include "protocol/result.h"

namespace sluice::protocol {

inline constexpr size_t kMaxVarintBytes = 5;
inline constexpr size_t kMaxVarlongBytes = 10;

constexpr uint32_t zigzag_encode(int32_t n) {
  return (static_cast<uint32_t>(n) << 1) ^ static_cast<uint32_t>(n >> 31);
}
constexpr uint64_t zigzag_encode(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}
constexpr int32_t zigzag_decode(uint32_t u) {
  return static_cast<int32_t>((u >> 1) ^ (0U - (u & 1U)));
}
constexpr int64_t zigzag_decode(uint64_t u) {
  return static_cast<int64_t>((u >> 1) ^ (0ULL - (u & 1ULL)));
}

// Bytes the encoding of `u` takes.
constexpr size_t uvarint_size(uint64_t u) {
  size_t n = 1;
  for (; u >= 0x80; u >>= 7) ++n;
  return n;
}
constexpr size_t varint_size(int32_t n) { return uvarint_size(zigzag_encode(n)); }
constexpr size_t varlong_size(int64_t n) { return uvarint_size(zigzag_encode(n)); }

// Appends the encoding to `out`.
inline void write_uvarint(Bytes& out, uint64_t u) {
  for (; u >= 0x80; u >>= 7) out.push_back(static_cast<std::byte>((u & 0x7F) | 0x80));
  out.push_back(static_cast<std::byte>(u));
}
inline void write_varint(Bytes& out, int32_t n) { write_uvarint(out, zigzag_encode(n)); }
inline void write_varlong(Bytes& out, int64_t n) { write_uvarint(out, zigzag_encode(n)); }

namespace detail {
// Decodes an unsigned varint of at most `bits` significant bits from the front of `in`.
inline Result<uint64_t> read_uvarint_bits(ByteView& in, unsigned bits) {
  const size_t max_bytes = (bits + 6) / 7;
  uint64_t value = 0;
  for (size_t i = 0; i < max_bytes; ++i) {
    if (i >= in.size()) return Errc::truncated;
    const auto b = std::to_integer<uint64_t>(in[i]);
    const unsigned shift = static_cast<unsigned>(7 * i);
    // The last allowed byte may only carry the bits that still fit the type.
    if (i + 1 == max_bytes && (b >> (bits - shift)) != 0) return Errc::malformed;
    value |= (b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      in = in.subspan(i + 1);
      return value;
    }
  }
  return Errc::malformed;  // unreachable for a well-formed last byte; kept for totality
}
}  // namespace detail

// Each reader decodes from the front of `in` and, on success only, advances `in` past it.
inline Result<uint32_t> read_uvarint(ByteView& in) {
  SLUICE_TRY(auto u, detail::read_uvarint_bits(in, 32));
  return static_cast<uint32_t>(u);
}
inline Result<uint64_t> read_uvarlong(ByteView& in) { return detail::read_uvarint_bits(in, 64); }
inline Result<int32_t> read_varint(ByteView& in) {
  SLUICE_TRY(auto u, read_uvarint(in));
  return zigzag_decode(u);
}
inline Result<int64_t> read_varlong(ByteView& in) {
  SLUICE_TRY(auto u, read_uvarlong(in));
  return zigzag_decode(u);
}

}  // namespace sluice::protocol
