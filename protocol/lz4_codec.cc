// LZ4 as Kafka uses it since KIP-57: the standard LZ4 *frame* format (magic 04 22 4D 18), not raw
// blocks. We write what Kafka's KafkaLZ4BlockOutputStream writes: independent 64 KiB blocks, no
// block or content checksums, no content size (FLG 0x60, BD 0x40), because Kafka's reader
// refuses linked blocks and larger block sizes than BD declares. liblz4 verifies the header
// checksum byte HC, so the broken-HC frames of magic 0 message sets are refused, which is right
// for v2 batches.
#include <memory>

#include <lz4frame.h>

#include "protocol/assert.h"
#include "protocol/codecs.h"
#include "protocol/errc.h"

namespace sluice::protocol::detail {
namespace {

struct FreeDecompressionContext {
  void operator()(LZ4F_dctx* ctx) const { LZ4F_freeDecompressionContext(ctx); }
};
using DecompressionContext = std::unique_ptr<LZ4F_dctx, FreeDecompressionContext>;

LZ4F_preferences_t kafka_preferences() {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.frameInfo.frameType = LZ4F_frame;
  prefs.frameInfo.contentSize = 0;  // not stored
  prefs.compressionLevel = 0;       // liblz4's fast default, as Kafka's default level
  return prefs;
}

// Rejects a frame whose header already claims more than the limit. A frame without a stored
// size, or one that lies, is still bounded while decoding.
Status check_claimed_size(LZ4F_dctx* ctx, ByteView input, size_t max_output) {
  LZ4F_frameInfo_t info{};
  size_t consumed = input.size();
  const size_t rc = LZ4F_getFrameInfo(ctx, &info, input.data(), &consumed);
  if (LZ4F_isError(rc)) return Errc::decompression_failed;
  if (info.contentSize > max_output) return Errc::too_large;
  // getFrameInfo consumed the header; rewind so the decoding loop sees the whole input.
  LZ4F_resetDecompressionContext(ctx);
  return ok();
}

}  // namespace

Result<Bytes> lz4_compress(ByteView input) {
  const LZ4F_preferences_t prefs = kafka_preferences();
  Bytes out(LZ4F_compressFrameBound(input.size(), &prefs));
  const size_t written = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  SLUICE_ASSERT(!LZ4F_isError(written), "LZ4F_compressFrame: {}", LZ4F_getErrorName(written));
  out.resize(written);
  return out;
}

Result<Bytes> lz4_decompress(ByteView input, size_t max_output) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return Errc::decompression_failed;
  }
  const DecompressionContext ctx(raw);
  SLUICE_TRY(check_claimed_size(ctx.get(), input, max_output));
  BoundedOutput out(max_output, input.size());
  ByteView rest = input;
  size_t hint = 1;  // becomes 0 when a frame ends; more frames may follow, as readers allow
  while (!rest.empty()) {
    MutableByteView space = out.space();
    if (space.empty()) return Errc::too_large;
    size_t produced = space.size();
    size_t consumed = rest.size();
    hint = LZ4F_decompress(ctx.get(), space.data(), &produced, rest.data(), &consumed, nullptr);
    if (LZ4F_isError(hint)) return Errc::decompression_failed;
    if (consumed == 0 && produced == 0) return Errc::decompression_failed;  // no progress
    out.commit(produced);
    if (out.over_limit()) return Errc::too_large;
    rest = rest.subspan(consumed);
  }
  // Input exhausted: either a frame just ended, or buffered output remains to be drained.
  while (hint != 0) {
    MutableByteView space = out.space();
    if (space.empty()) return Errc::too_large;
    size_t produced = space.size();
    size_t consumed = 0;
    hint = LZ4F_decompress(ctx.get(), space.data(), &produced, rest.data(), &consumed, nullptr);
    if (LZ4F_isError(hint)) return Errc::decompression_failed;
    if (produced == 0 && hint != 0) return Errc::decompression_failed;  // truncated frame
    out.commit(produced);
    if (out.over_limit()) return Errc::too_large;
  }
  return std::move(out).finish();
}

}  // namespace sluice::protocol::detail
