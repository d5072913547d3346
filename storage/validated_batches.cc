#include "storage/validated_batches.h"

#include <spdlog/spdlog.h>

#include "protocol/assert.h"
#include "storage/errc.h"

namespace sluice::storage {
namespace {

using protocol::RecordBatchHeader;

constexpr size_t kMaxDeclaredBatch = static_cast<size_t>(INT32_MAX) + protocol::kLogOverhead;

// One batch at the front of `rest`, checked as the table in the header says.
Result<RecordBatchHeader> check_batch(ByteView rest, int64_t max_message_bytes, bool leader) {
  auto header = RecordBatchHeader::parse(rest, kMaxDeclaredBatch);
  if (!header) {
    spdlog::debug("storage: rejecting batch: {}", header.error().message());
    return Errc::corrupt_batch;
  }
  const RecordBatchHeader& h = header.value();
  if (h.size_in_bytes() > rest.size()) return Errc::corrupt_batch;
  if (static_cast<int64_t>(h.size_in_bytes()) > max_message_bytes) return Errc::batch_too_large;
  if (!protocol::verify_crc(rest.first(h.size_in_bytes()))) return Errc::corrupt_batch;
  if (h.last_offset_delta < 0) return Errc::corrupt_batch;
  if (leader && (h.record_count <= 0 || h.record_count != h.last_offset_delta + 1)) return Errc::invalid_record;
  return h;
}

// Every batch of a set, summed up.
Result<BatchSetSummary> check_set(ByteView batches, const LogConfig& config, bool leader,
                                  RecordBatchHeader& first) {
  BatchSetSummary s;
  for (size_t pos = 0; pos < batches.size();) {
    SLUICE_TRY(auto h, check_batch(batches.subspan(pos), config.max_message_bytes, leader));
    if (s.batch_count == 0) first = h;
    if (!leader) {
      if (s.batch_count > 0 && h.base_offset <= s.last_offset) return Errc::invalid_offset;
      if (s.batch_count == 0) s.first_offset = h.base_offset;
      s.last_offset = h.last_offset();
      if (h.max_timestamp > s.max_timestamp) {
        s.max_timestamp = h.max_timestamp;
        s.offset_of_max_timestamp = h.last_offset();
      }
    }
    s.batch_count += 1;
    s.record_count += h.record_count;
    pos += h.size_in_bytes();
  }
  s.bytes = static_cast<int64_t>(batches.size());
  if (s.bytes > config.segment_bytes) return Errc::record_list_too_large;
  if (!leader && s.batch_count > 0 && s.last_offset - s.first_offset > INT32_MAX) return Errc::invalid_offset;
  return s;
}

}  // namespace

ProducedBytes::ProducedBytes(Bytes own) {
  auto buffer = std::make_shared<Bytes>(std::move(own));
  bytes = *buffer;
  owner = std::move(buffer);
}

Result<ValidatedBatches> ValidatedBatches::for_leader(ProducedBytes batches, const LogConfig& config) {
  ValidatedBatches v;
  SLUICE_TRY(v.summary_, check_set(batches.bytes, config, true, v.first_));
  v.owner_ = std::move(batches.owner);
  v.leader_view_ = batches.bytes;
  v.view_ = batches.bytes;
  v.leader_ = true;
  return v;
}

Result<ValidatedBatches> ValidatedBatches::for_follower(ByteView batches, std::shared_ptr<const void> owner,
                                                        const LogConfig& config) {
  ValidatedBatches v;
  SLUICE_TRY(v.summary_, check_set(batches, config, false, v.first_));
  v.owner_ = std::move(owner);
  v.view_ = batches;
  return v;
}

MutableByteView ValidatedBatches::mutable_bytes() {
  SLUICE_ASSERT(leader_, "only a leader set is rewritten in place");
  return leader_view_;
}

}  // namespace sluice::storage
