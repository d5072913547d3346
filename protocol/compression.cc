#include "protocol/compression.h"

#include <algorithm>
#include <limits>

#include "protocol/assert.h"
#include "protocol/codecs.h"
#include "protocol/errc.h"

namespace sluice::protocol {

namespace detail {

namespace {
constexpr size_t kMinInitialOutput = 64 * 1024;
constexpr size_t kExpectedRatio = 4;  // a first guess; the buffer doubles when it is wrong
}  // namespace

BoundedOutput::BoundedOutput(size_t limit, size_t compressed_size) : limit_(limit) {
  const size_t cap = limit == std::numeric_limits<size_t>::max() ? limit : limit + 1;
  const size_t guess = compressed_size > cap / kExpectedRatio ? cap : compressed_size * kExpectedRatio;
  buffer_.resize(std::min(cap, std::max(guess, kMinInitialOutput)));
}

MutableByteView BoundedOutput::space() {
  const size_t cap = limit_ == std::numeric_limits<size_t>::max() ? limit_ : limit_ + 1;
  if (used_ == buffer_.size() && buffer_.size() < cap) {
    const size_t grown = buffer_.size() > cap / 2 ? cap : buffer_.size() * 2;
    buffer_.resize(std::max<size_t>(grown, 1));
  }
  return MutableByteView(buffer_).subspan(used_);
}

void BoundedOutput::commit(size_t n) {
  SLUICE_ASSERT(n <= buffer_.size() - used_, "commit of {} bytes with {} free", n,
                buffer_.size() - used_);
  used_ += n;
}

Bytes BoundedOutput::finish() && {
  SLUICE_ASSERT(!over_limit(), "finish() of an output over its limit");
  buffer_.resize(used_);
  return std::move(buffer_);
}

}  // namespace detail

Result<Bytes> compress(CompressionType codec, ByteView input) {
  switch (codec) {
    case CompressionType::none: return Bytes(input.begin(), input.end());
    case CompressionType::gzip: return detail::gzip_compress(input);
    case CompressionType::snappy: return detail::snappy_compress(input);
    case CompressionType::lz4: return detail::lz4_compress(input);
    case CompressionType::zstd: return detail::zstd_compress(input);
  }
  return Errc::unsupported_compression;  // a value cast from attributes 5..7
}

Result<Bytes> decompress(CompressionType codec, ByteView input, size_t max_output) {
  switch (codec) {
    case CompressionType::none:
      if (input.size() > max_output) return Errc::too_large;
      return Bytes(input.begin(), input.end());
    case CompressionType::gzip: return detail::gzip_decompress(input, max_output);
    case CompressionType::snappy: return detail::snappy_decompress(input, max_output);
    case CompressionType::lz4: return detail::lz4_decompress(input, max_output);
    case CompressionType::zstd: return detail::zstd_decompress(input, max_output);
  }
  return Errc::unsupported_compression;
}

}  // namespace sluice::protocol
