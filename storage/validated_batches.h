// ValidatedBatches: record batches that passed the one validation every append needs, carried to
// the Log as proof. The Log appends nothing else and checks nothing again (it asserts), so each
// batch's CRC is computed once on its way in.
//
// What is checked, per batch, before anything is written (an append is all or nothing):
//   check                                                  | Errc
//   the header parses (magic 2, sane length, known codec)  | corrupt_batch
//   the whole batch is present                             | corrupt_batch
//   size <= max.message.bytes                              | batch_too_large
//   CRC-32C over [21, end)                                 | corrupt_batch
//   lastOffsetDelta >= 0                                   | corrupt_batch
//   leader: recordCount == lastOffsetDelta + 1 > 0         | invalid_record
//   follower: base offsets increase, batches do not overlap | invalid_offset
//   the whole set <= segment.bytes                         | record_list_too_large
// What depends on the log's state (a follower set must start at the log end) is the append's.
// The records inside a batch are the producer path's to check (broker/produce_validation.h).
//
// Owner: whoever holds it; moved into one append. Not thread-safe (a value).
#pragma once

#include <memory>

#include "protocol/bytes.h"
#include "protocol/record_batch_header.h"
#include "protocol/result.h"
#include "protocol/types.h"
#include "storage/log_config.h"

namespace sluice::storage {

// The offsets, timestamps and counts of a validated batch set. For a leader set the offsets are
// those the producer sent (relative); the append assigns the real ones.
struct BatchSetSummary {
  Offset first_offset{-1};
  Offset last_offset{-1};
  TimestampMs max_timestamp = kNoTimestamp;
  Offset offset_of_max_timestamp{-1};
  int32_t batch_count = 0;
  int64_t record_count = 0;
  int64_t bytes = 0;
};

// A producer's batches as they arrived: a writable view into bytes that `owner` keeps alive (the
// request frame they were read into, so a produce reaches the log without a copy), or bytes of
// their own (a rebuilt batch, a test's).
struct ProducedBytes {
  ProducedBytes() = default;
  ProducedBytes(MutableByteView view, std::shared_ptr<void> keeper) : bytes(view), owner(std::move(keeper)) {}
  // Takes `own` over as its own buffer.
  ProducedBytes(Bytes own);  // NOLINT(google-explicit-constructor): an owned buffer is a ProducedBytes

  MutableByteView bytes;
  std::shared_ptr<void> owner;
};

class ValidatedBatches {
 public:
  // A producer's batches, for Log::append_as_leader, which rewrites offsets in place.
  static Result<ValidatedBatches> for_leader(ProducedBytes batches, const LogConfig& config);
  // Batches a leader wrote, for Log::append_as_follower; `owner` keeps `batches` alive (a fetch
  // response), so nothing is copied.
  static Result<ValidatedBatches> for_follower(ByteView batches, std::shared_ptr<const void> owner,
                                               const LogConfig& config);

  [[nodiscard]] ByteView bytes() const { return view_; }
  [[nodiscard]] bool empty() const { return view_.empty(); }
  [[nodiscard]] const BatchSetSummary& summary() const { return summary_; }
  // The first batch's header. REQUIRES: !empty().
  [[nodiscard]] const protocol::RecordBatchHeader& first_header() const { return first_; }
  [[nodiscard]] bool for_leader() const { return leader_; }

  // For the leader append's in-place rewrite (offsets, epoch, LogAppendTime).
  // REQUIRES: for_leader().
  [[nodiscard]] MutableByteView mutable_bytes();

 private:
  ValidatedBatches() = default;

  std::shared_ptr<const void> owner_;  // keeps the bytes alive
  MutableByteView leader_view_;        // a leader set's bytes, writable
  ByteView view_;
  BatchSetSummary summary_;
  protocol::RecordBatchHeader first_;
  bool leader_ = false;
};

}  // namespace sluice::storage
