// Internal to protocol/: one compress/decompress pair per codec (gzip_codec.cc, snappy_codec.cc,
// lz4_codec.cc, zstd_codec.cc), dispatched by compression.cc, with the contract of
// protocol/compression.h. Not for use outside protocol/.
#pragma once

#include <cstddef>

#include "protocol/bytes.h"
#include "protocol/result.h"

namespace sluice::protocol::detail {

Result<Bytes> gzip_compress(ByteView input);
Result<Bytes> gzip_decompress(ByteView input, size_t max_output);
Result<Bytes> snappy_compress(ByteView input);
Result<Bytes> snappy_decompress(ByteView input, size_t max_output);
Result<Bytes> lz4_compress(ByteView input);
Result<Bytes> lz4_decompress(ByteView input, size_t max_output);
Result<Bytes> zstd_compress(ByteView input);
Result<Bytes> zstd_decompress(ByteView input, size_t max_output);

// BoundedOutput: the output buffer of a streaming decompressor. It starts at a guess from the
// compressed size and grows by doubling, never beyond limit + 1 bytes: the one extra byte is how a caller learns the stream had
// more to give than allowed (over_limit()), without trusting any size the stream claims.
// Invariant: used() <= buffer size <= limit + 1.
class BoundedOutput {
 public:
  BoundedOutput(size_t limit, size_t compressed_size);
  // Free space to write into, growing the buffer when full. Empty once limit + 1 bytes are used.
  MutableByteView space();
  void commit(size_t n);
  [[nodiscard]] size_t used() const { return used_; }
  [[nodiscard]] bool over_limit() const { return used_ > limit_; }
  // The bytes written. REQUIRES: !over_limit().
  Bytes finish() &&;

 private:
  Bytes buffer_;
  size_t limit_;
  size_t used_ = 0;
};

}  // namespace sluice::protocol::detail
