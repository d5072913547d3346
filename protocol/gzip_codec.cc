// gzip through zlib. We write RFC 1952 gzip (windowBits 15 + 16), the only form Kafka's Java
// client reads; we read with windowBits 15 + 32, which detects gzip or zlib headers, because
// librdkafka reads both and a producer sending zlib would otherwise be refused by us alone.
#include <algorithm>
#include <climits>
#include <memory>

#include <zlib.h>

#include "protocol/assert.h"
#include "protocol/codecs.h"
#include "protocol/errc.h"

namespace sluice::protocol::detail {
namespace {

constexpr int kWindowBits = 15;
constexpr int kGzipWrapper = 16;  // added to windowBits: write a gzip header and trailer
constexpr int kAutoDetect = 32;   // added to windowBits: accept a gzip or a zlib header
constexpr int kMemLevel = 8;

Bytef* z_in(ByteView v) { return reinterpret_cast<Bytef*>(const_cast<std::byte*>(v.data())); }
Bytef* z_out(MutableByteView v) { return reinterpret_cast<Bytef*>(v.data()); }

struct InflateEnd {
  void operator()(z_stream* s) const { inflateEnd(s); }
};

enum class Step { more, done, failed };

// One inflate() call into `out`. A member that ends with input left starts the next member,
// as gzip readers (Java's GZIPInputStream among them) accept concatenated members.
Step inflate_step(z_stream& zs, BoundedOutput& out) {
  MutableByteView space = out.space();
  if (space.empty()) return Step::more;  // over the limit; the caller sees over_limit()
  zs.next_out = z_out(space);
  zs.avail_out = static_cast<uInt>(std::min<size_t>(space.size(), UINT_MAX));
  const uInt before = zs.avail_out;
  const int rc = inflate(&zs, Z_NO_FLUSH);
  out.commit(before - zs.avail_out);
  if (rc == Z_STREAM_END) {
    if (zs.avail_in == 0) return Step::done;
    return inflateReset(&zs) == Z_OK ? Step::more : Step::failed;
  }
  // Z_BUF_ERROR with free output space means the input ended inside a member.
  if (rc == Z_OK || (rc == Z_BUF_ERROR && zs.avail_out == 0)) return Step::more;
  return Step::failed;
}

}  // namespace

Result<Bytes> gzip_compress(ByteView input) {
  if (input.size() > UINT_MAX / 2) return Errc::too_large;  // zlib counts in uInt
  z_stream zs{};
  int rc = deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kWindowBits + kGzipWrapper,
                        kMemLevel, Z_DEFAULT_STRATEGY);
  SLUICE_ASSERT(rc == Z_OK, "deflateInit2 failed: {}", rc);
  Bytes out(deflateBound(&zs, static_cast<uLong>(input.size())));
  zs.next_in = z_in(input);
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = z_out(out);
  zs.avail_out = static_cast<uInt>(out.size());
  rc = deflate(&zs, Z_FINISH);  // deflateBound guarantees one call finishes
  SLUICE_ASSERT(rc == Z_STREAM_END, "deflate into deflateBound bytes returned {}", rc);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

Result<Bytes> gzip_decompress(ByteView input, size_t max_output) {
  if (input.size() > UINT_MAX) return Errc::too_large;
  z_stream zs{};
  if (inflateInit2(&zs, kWindowBits + kAutoDetect) != Z_OK) return Errc::decompression_failed;
  const std::unique_ptr<z_stream, InflateEnd> guard(&zs);
  zs.next_in = z_in(input);
  zs.avail_in = static_cast<uInt>(input.size());
  BoundedOutput out(max_output, input.size());
  for (;;) {
    const Step step = inflate_step(zs, out);
    if (out.over_limit()) return Errc::too_large;
    if (step == Step::done) return std::move(out).finish();
    if (step == Step::failed) return Errc::decompression_failed;
  }
}

}  // namespace sluice::protocol::detail
