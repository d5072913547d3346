#include "protocol/record_batch_builder.h"

#include <algorithm>
#include <limits>

#include "protocol/assert.h"
#include "protocol/compression.h"
#include "protocol/errc.h"

namespace sluice::protocol {
namespace {


std::optional<Bytes> copy(std::optional<ByteView> v) {
  if (!v) return std::nullopt;
  return Bytes(v->begin(), v->end());
}

int16_t attributes_of(const BatchSettings& s) {
  int16_t a = static_cast<int16_t>(s.compression);
  if (s.timestamp_type == TimestampType::log_append_time) a |= kLogAppendTimeFlag;
  if (s.transactional) a |= kTransactionalFlag;
  if (s.control) a |= kControlFlag;
  return a;
}

}  // namespace

RecordBatchBuilder& RecordBatchBuilder::append(TimestampMs ts, std::optional<ByteView> key,
                                               std::optional<ByteView> value,
                                               std::vector<RecordHeader> headers) {
  if (records_.empty() && settings_.base_timestamp == kNoTimestamp) settings_.base_timestamp = ts;
  Record r;
  r.offset_delta = records_.empty() ? 0 : records_.back().offset_delta + 1;
  const bool overflow =
      __builtin_sub_overflow(ts.value(), settings_.base_timestamp.value(), &r.timestamp_delta);
  SLUICE_ASSERT(!overflow, "timestamp {} too far from base {}", ts.value(),
                settings_.base_timestamp.value());
  r.key = copy(key);
  r.value = copy(value);
  r.headers = std::move(headers);
  return append(std::move(r));
}

RecordBatchBuilder& RecordBatchBuilder::append(Record r) {
  SLUICE_ASSERT(r.offset_delta >= 0, "negative offset delta {}", r.offset_delta);
  SLUICE_ASSERT(records_.empty() || r.offset_delta > records_.back().offset_delta,
                "offset delta {} after {}", r.offset_delta, records_.back().offset_delta);
  records_.push_back(std::move(r));
  return *this;
}

RecordBatchHeader RecordBatchBuilder::make_header(size_t payload_size) const {
  RecordBatchHeader h;
  h.base_offset = settings_.base_offset;
  h.batch_length = static_cast<int32_t>(kRecordBatchHeaderSize - kLogOverhead + payload_size);
  h.partition_leader_epoch = settings_.partition_leader_epoch;
  h.attributes = attributes_of(settings_);
  h.last_offset_delta = records_.back().offset_delta;
  h.base_timestamp = settings_.base_timestamp;
  const auto latest = std::max_element(
      records_.begin(), records_.end(),
      [](const Record& a, const Record& b) { return a.timestamp_delta < b.timestamp_delta; });
  h.max_timestamp = settings_.timestamp_type == TimestampType::log_append_time
                        ? settings_.log_append_time
                        : settings_.base_timestamp + latest->timestamp_delta;
  h.producer_id = settings_.producer_id;
  h.producer_epoch = settings_.producer_epoch;
  h.base_sequence = settings_.base_sequence;
  h.record_count = static_cast<int32_t>(records_.size());
  return h;
}

Result<Bytes> RecordBatchBuilder::build() const {
  SLUICE_ASSERT(!records_.empty(), "a record batch needs at least one record");
  Bytes plain;
  for (const Record& r : records_) encode_record(plain, r);
  SLUICE_TRY(Bytes payload, compress(settings_.compression, plain));
  constexpr size_t kMaxPayload = std::numeric_limits<int32_t>::max() -
                                 (kRecordBatchHeaderSize - kLogOverhead);
  if (payload.size() > kMaxPayload) return Errc::too_large;
  Bytes batch(kRecordBatchHeaderSize + payload.size());
  make_header(payload.size()).write(batch);
  std::copy(payload.begin(), payload.end(), batch.begin() + kRecordBatchHeaderSize);
  update_crc(batch);
  return batch;
}

}  // namespace sluice::protocol
