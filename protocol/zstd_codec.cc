// zstd frames through libzstd. We write one frame with its content size, at zstd's default
// level 3, as librdkafka does. We read any sequence of frames with the streaming decoder into a
// bounded buffer: a frame's declared content size only serves to refuse early, never to size a
// buffer. libzstd itself refuses frames whose window is over 2^27 bytes
// (ZSTD_WINDOWLOG_LIMIT_DEFAULT), which bounds its own allocation.
#include <memory>

#include <zstd.h>

#include "protocol/assert.h"
#include "protocol/codecs.h"
#include "protocol/errc.h"

namespace sluice::protocol::detail {
namespace {

struct FreeDctx {
  void operator()(ZSTD_DCtx* ctx) const { ZSTD_freeDCtx(ctx); }
};

enum class Step { more, done, failed };

// One ZSTD_decompressStream call. Done when every frame is complete and the input is used up.
Step decompress_step(ZSTD_DCtx* ctx, ZSTD_inBuffer& in, BoundedOutput& out) {
  MutableByteView space = out.space();
  if (space.empty()) return Step::more;  // over the limit; the caller sees over_limit()
  ZSTD_outBuffer ob{space.data(), space.size(), 0};
  const size_t remaining = ZSTD_decompressStream(ctx, &ob, &in);
  if (ZSTD_isError(remaining)) return Step::failed;
  out.commit(ob.pos);
  if (in.pos < in.size) return Step::more;
  if (remaining == 0) return Step::done;
  // Input used up mid-frame: with output space left over, the decoder has flushed all it can.
  return ob.pos < ob.size ? Step::failed : Step::more;
}

}  // namespace

Result<Bytes> zstd_compress(ByteView input) {
  Bytes out(ZSTD_compressBound(input.size()));
  const size_t written =
      ZSTD_compress(out.data(), out.size(), input.data(), input.size(), ZSTD_CLEVEL_DEFAULT);
  SLUICE_ASSERT(!ZSTD_isError(written), "ZSTD_compress: {}", ZSTD_getErrorName(written));
  out.resize(written);
  return out;
}

Result<Bytes> zstd_decompress(ByteView input, size_t max_output) {
  const unsigned long long claimed = ZSTD_getFrameContentSize(input.data(), input.size());
  if (claimed == ZSTD_CONTENTSIZE_ERROR) return Errc::decompression_failed;
  if (claimed != ZSTD_CONTENTSIZE_UNKNOWN && claimed > max_output) return Errc::too_large;
  const std::unique_ptr<ZSTD_DCtx, FreeDctx> ctx(ZSTD_createDCtx());
  if (!ctx) return Errc::decompression_failed;
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  BoundedOutput out(max_output, input.size());
  for (;;) {
    const Step step = decompress_step(ctx.get(), in, out);
    if (out.over_limit()) return Errc::too_large;
    if (step == Step::done) return std::move(out).finish();
    if (step == Step::failed) return Errc::decompression_failed;
  }
}

}  // namespace sluice::protocol::detail
