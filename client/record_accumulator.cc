#include "client/record_accumulator.h"

#include <algorithm>

namespace sluice::client {
namespace {
// A v2 record's fixed cost: length, attributes, timestamp and offset deltas, key/value lengths,
// header count, at their usual varint sizes.
constexpr size_t kRecordOverhead = 21;
constexpr size_t kBatchHeaderSize = 61;
}  // namespace

size_t estimated_record_size(const PendingRecord& r) {
  size_t n = kRecordOverhead + (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& h : r.headers) n += h.key.size() + (h.value ? h.value->size() : 0) + 2;
  return n;
}

void ProducerBatch::complete(Offset base_offset, TimestampMs log_append_time, std::error_code error) {
  for (size_t i = 0; i < records.size(); ++i) {
    DeliveryReport report;
    report.topic = tp.topic;
    report.partition = tp.partition;
    report.error = error;
    if (!error) {
      report.offset = base_offset.value() < 0 ? base_offset : base_offset + static_cast<int64_t>(i);
      report.timestamp = log_append_time.value() >= 0 ? log_append_time : records[i].timestamp;
    }
    if (records[i].on_delivery) records[i].on_delivery(report);
  }
  records.clear();
}

bool RecordAccumulator::would_start_new_batch(const TopicPartition& tp, size_t record_bytes) const {
  auto it = queues_.find(tp);
  if (it == queues_.end() || it->second.empty()) return true;
  const ProducerBatch& last = it->second.back();
  // A batch that was sent once (encoded, back for a retry) is closed.
  if (last.encoded) return true;
  return last.estimated_bytes + record_bytes > config_.batch_size;
}

void RecordAccumulator::append(const TopicPartition& tp, PendingRecord record, Clock::time_point now) {
  const size_t bytes = estimated_record_size(record);
  const bool fresh = would_start_new_batch(tp, bytes);
  auto& queue = queues_[tp];
  if (fresh) {
    ProducerBatch batch;
    batch.tp = tp;
    batch.created = now;
    batch.estimated_bytes = kBatchHeaderSize;
    queue.push_back(std::move(batch));
    ++queued_batches_;
  }
  queue.back().estimated_bytes += bytes;
  queue.back().records.push_back(std::move(record));
}

bool RecordAccumulator::sendable(const std::deque<ProducerBatch>& queue, Clock::time_point now, bool flushing) const {
  if (queue.empty()) return false;
  const ProducerBatch& front = queue.front();
  if (front.attempts > 0) return now >= front.retry_at;
  return flushing || queue.size() > 1 || front.estimated_bytes >= config_.batch_size ||
         now >= front.created + config_.linger;
}

std::vector<TopicPartition> RecordAccumulator::ready(Clock::time_point now, bool flushing) const {
  std::vector<TopicPartition> out;
  for (const auto& [tp, queue] : queues_) {
    if (!muted_.contains(tp) && sendable(queue, now, flushing)) out.push_back(tp);
  }
  return out;
}

std::optional<Clock::time_point> RecordAccumulator::next_ready_time() const {
  std::optional<Clock::time_point> next;
  for (const auto& [tp, queue] : queues_) {
    if (queue.empty() || muted_.contains(tp)) continue;
    const ProducerBatch& front = queue.front();
    const auto at = front.attempts > 0 ? front.retry_at : front.created + config_.linger;
    if (!next || at < *next) next = at;
  }
  return next;
}

ProducerBatch RecordAccumulator::take(const TopicPartition& tp) {
  auto& queue = queues_.at(tp);
  ProducerBatch batch = std::move(queue.front());
  queue.pop_front();
  if (queue.empty()) queues_.erase(tp);
  --queued_batches_;
  muted_.insert(tp);
  return batch;
}

void RecordAccumulator::reenqueue(ProducerBatch batch) {
  muted_.erase(batch.tp);
  auto& queue = queues_[batch.tp];
  queue.push_front(std::move(batch));
  ++queued_batches_;
}

std::vector<ProducerBatch> RecordAccumulator::expire(Clock::time_point now) {
  std::vector<ProducerBatch> out;
  for (auto it = queues_.begin(); it != queues_.end();) {
    auto& queue = it->second;
    while (!queue.empty() && now >= queue.front().created + config_.delivery_timeout) {
      out.push_back(std::move(queue.front()));
      queue.pop_front();
      --queued_batches_;
    }
    it = queue.empty() ? queues_.erase(it) : std::next(it);
  }
  return out;
}

std::vector<ProducerBatch> RecordAccumulator::drain_all() {
  std::vector<ProducerBatch> out;
  for (auto& [tp, queue] : queues_) {
    for (auto& b : queue) out.push_back(std::move(b));
  }
  queues_.clear();
  queued_batches_ = 0;
  return out;
}

}  // namespace sluice::client
