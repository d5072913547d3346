// CRC-32C two ways. The portable path is slicing-by-8: eight 256-entry tables let one step fold
// eight input bytes with eight lookups instead of eight dependent shift/lookup rounds. The
// hardware path uses SSE4.2's crc32 instruction (same polynomial), 8 bytes per instruction, in
// three interleaved streams for long inputs.
// Which one crc32c() uses is decided once, on first use.
#include "protocol/crc32c.h"

#include <array>
#include <bit>
#include <cstring>

#include "protocol/assert.h"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sluice::protocol {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // reflected Castagnoli
using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) != 0 ? (c >> 1) ^ kPolynomial : c >> 1;
    t[0][i] = c;
  }
  // t[k][i]: the CRC of byte i followed by k zero bytes.
  for (size_t k = 1; k < 8; ++k) {
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = make_tables();

uint64_t load_le64(const std::byte* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (std::endian::native == std::endian::big) v = detail::byte_swap(v);
  return v;
}

uint32_t fold_byte(uint32_t crc, std::byte b) {
  return (crc >> 8) ^ kTables[0][(crc ^ std::to_integer<uint32_t>(b)) & 0xFF];
}

// The crc32 instruction has a latency of three cycles but a throughput of one, so one stream
// of data leaves two thirds of the unit idle. Long inputs are therefore cut into three equal
// runs whose CRCs are computed interleaved, then joined: by linearity, the CRC register after
// A||B equals shift(register after A, |B|) ^ (register after B started from 0), where shift
// appends |B| zero bytes. A shift by a fixed length is a linear map on 32 bits, kept as four
// 256-entry tables (one per register byte).
class ZeroShift {
 public:
  explicit ZeroShift(size_t zero_bytes) {
    std::array<uint32_t, 32> column{};  // the map applied to each single-bit register
    for (size_t bit = 0; bit < 32; ++bit) {
      uint32_t r = uint32_t{1} << bit;
      for (size_t i = 0; i < zero_bytes; ++i) r = (r >> 8) ^ kTables[0][r & 0xFF];
      column[bit] = r;
    }
    for (size_t k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) {
        uint32_t v = 0;
        for (size_t bit = 0; bit < 8; ++bit) {
          if ((b >> bit) & 1) v ^= column[8 * k + bit];
        }
        table_[k][b] = v;
      }
    }
  }
  [[nodiscard]] uint32_t apply(uint32_t r) const {
    return table_[0][r & 0xFF] ^ table_[1][(r >> 8) & 0xFF] ^ table_[2][(r >> 16) & 0xFF] ^ table_[3][r >> 24];
  }

 private:
  std::array<std::array<uint32_t, 256>, 4> table_{};
};

#if defined(__x86_64__)
constexpr size_t kLongRun = 8192;  // bytes per stream: 24 KiB per three-way step
constexpr size_t kShortRun = 256;  // for the tail of large inputs and medium-sized ones

uint64_t load_u64(const std::byte* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);  // the instruction takes a little-endian word, as x86 is
  return word;
}

// Folds 3 * run bytes at p into register r, three streams at a time. REQUIRES: run % 8 == 0.
__attribute__((target("sse4.2"))) uint64_t three_way(uint64_t r, const std::byte* p, size_t run,
                                                     const ZeroShift& shift) {
  uint64_t c0 = r, c1 = 0, c2 = 0;
  for (size_t i = 0; i < run; i += 8) {
    c0 = _mm_crc32_u64(c0, load_u64(p + i));
    c1 = _mm_crc32_u64(c1, load_u64(p + run + i));
    c2 = _mm_crc32_u64(c2, load_u64(p + 2 * run + i));
  }
  uint32_t joined = shift.apply(static_cast<uint32_t>(c0)) ^ static_cast<uint32_t>(c1);
  return shift.apply(joined) ^ static_cast<uint32_t>(c2);
}

__attribute__((target("sse4.2"))) uint32_t hardware_update(ByteView data, uint32_t crc) {
  static const ZeroShift long_shift(kLongRun), short_shift(kShortRun);
  const std::byte* p = data.data();
  size_t n = data.size();
  uint64_t c = ~crc;
  for (; n >= 3 * kLongRun; p += 3 * kLongRun, n -= 3 * kLongRun) c = three_way(c, p, kLongRun, long_shift);
  for (; n >= 3 * kShortRun; p += 3 * kShortRun, n -= 3 * kShortRun) c = three_way(c, p, kShortRun, short_shift);
  for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, load_u64(p));
  auto c32 = static_cast<uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, std::to_integer<uint8_t>(*p));
  return ~c32;
}
#endif

using CrcFunction = uint32_t (*)(ByteView, uint32_t);

CrcFunction choose_implementation() {
  return crc32c_hardware_available() ? &crc32c_hardware : &crc32c_portable;
}

}  // namespace

uint32_t crc32c_portable(ByteView data, uint32_t crc) {
  const std::byte* p = data.data();
  size_t n = data.size();
  uint32_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const uint64_t w = load_le64(p) ^ c;
    c = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
        kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^
        kTables[2][(w >> 40) & 0xFF] ^ kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
  }
  for (; n > 0; ++p, --n) c = fold_byte(c, *p);
  return ~c;
}

bool crc32c_hardware_available() {
#if defined(__x86_64__)
  // __builtin_cpu_init first: this may run from another static initializer, before the
  // runtime would otherwise have filled in the CPU model.
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return available;
#else
  return false;
#endif
}

uint32_t crc32c_hardware(ByteView data, uint32_t crc) {
  SLUICE_ASSERT(crc32c_hardware_available(), "crc32c_hardware called on a CPU without SSE4.2");
#if defined(__x86_64__)
  return hardware_update(data, crc);
#else
  return crc32c_portable(data, crc);
#endif
}

uint32_t crc32c(ByteView data, uint32_t crc) {
  static const CrcFunction implementation = choose_implementation();
  return implementation(data, crc);
}

}  // namespace sluice::protocol
