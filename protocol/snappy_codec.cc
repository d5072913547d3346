// Snappy in the two framings Kafka clients use (record-batch.md §6):
//   raw:    one snappy block (uvarint uncompressed length, then snappy elements); librdkafka
//           and the kafkajs-snappy plugin write it.
//   Xerial: snappy-java's stream: the 16-byte header 82 'SNAPPY' 00, int32 BE version,
//           int32 BE min-compatible version, then repeated (int32 BE length, raw block).
// We write Xerial with version 1 / compat 1 and 32 KiB blocks, as the Java client and Kafka
// broker do: every client reads it (librdkafka and kafkajs-snappy detect it by its first 8
// bytes; kafka-python treats input as framed only with exactly that 16-byte header and reads
// raw snappy otherwise), while the raw form reaches Java consumers only through snappy-java's
// raw fallback, not confirmed for the snappy-java that Kafka 2.8 bundles. Reading accepts both; input is framed when it starts with the 8 magic bytes.
#include <algorithm>
#include <array>
#include <cstring>

#include <snappy.h>

#include "protocol/codecs.h"
#include "protocol/errc.h"

namespace sluice::protocol::detail {
namespace {

constexpr std::array<unsigned char, 8> kXerialMagic = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;
constexpr int32_t kXerialVersion = 1;
constexpr int32_t kXerialMinCompatibleVersion = 1;
constexpr size_t kXerialBlockSize = 32 * 1024;  // snappy-java's and kafka-python's default

const char* chars(ByteView v) { return reinterpret_cast<const char*>(v.data()); }

bool is_xerial(ByteView input) {
  return input.size() >= kXerialMagic.size() &&
         std::memcmp(input.data(), kXerialMagic.data(), kXerialMagic.size()) == 0;
}

// Appends the uncompressed content of one raw block to `out`, keeping out.size() <= max_output.
Status append_raw_block(ByteView block, size_t max_output, Bytes& out) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(chars(block), block.size(), &length)) {
    return Errc::decompression_failed;
  }
  // The claimed length is checked before it sizes any buffer.
  if (length > max_output - out.size()) return Errc::too_large;
  const size_t at = out.size();
  out.resize(at + length);
  if (!snappy::RawUncompress(chars(block), block.size(), reinterpret_cast<char*>(out.data() + at))) {
    return Errc::decompression_failed;
  }
  return ok();
}

Result<Bytes> decompress_xerial(ByteView input, size_t max_output) {
  if (input.size() < kXerialHeaderSize) return Errc::decompression_failed;
  // The version fields are not checked: snappy-java's own reader only refuses compat > 1, and
  // no writer has produced another value.
  ByteView rest = input.subspan(kXerialHeaderSize);
  Bytes out;
  while (!rest.empty()) {
    if (rest.size() < sizeof(uint32_t)) return Errc::decompression_failed;
    const auto length = load_be<uint32_t>(rest.data());
    rest = rest.subspan(sizeof(uint32_t));
    if (length > rest.size()) return Errc::decompression_failed;
    SLUICE_TRY(append_raw_block(rest.first(length), max_output, out));
    rest = rest.subspan(length);
  }
  return out;
}

}  // namespace

Result<Bytes> snappy_compress(ByteView input) {
  Bytes out(kXerialHeaderSize);
  std::memcpy(out.data(), kXerialMagic.data(), kXerialMagic.size());
  store_be<int32_t>(out.data() + 8, kXerialVersion);
  store_be<int32_t>(out.data() + 12, kXerialMinCompatibleVersion);
  for (size_t at = 0; at < input.size(); at += kXerialBlockSize) {
    const ByteView block = input.subspan(at, std::min(kXerialBlockSize, input.size() - at));
    const size_t length_at = out.size();
    out.resize(length_at + sizeof(uint32_t) + snappy::MaxCompressedLength(block.size()));
    size_t written = 0;
    snappy::RawCompress(chars(block), block.size(),
                        reinterpret_cast<char*>(out.data() + length_at + sizeof(uint32_t)), &written);
    store_be<uint32_t>(out.data() + length_at, static_cast<uint32_t>(written));
    out.resize(length_at + sizeof(uint32_t) + written);
  }
  return out;
}

Result<Bytes> snappy_decompress(ByteView input, size_t max_output) {
  if (is_xerial(input)) return decompress_xerial(input, max_output);
  Bytes out;
  SLUICE_TRY(append_raw_block(input, max_output, out));
  return out;
}

}  // namespace sluice::protocol::detail
