// RecordAccumulator: the producer's per-partition queues of batches (AK RecordAccumulator).
// Records append to the newest batch of their partition until it reaches batch.size; a
// partition is ready to send when its oldest batch is full, has a younger batch behind it, has
// waited linger.ms, or a flush is on. Sending a batch mutes its partition until the batch
// completes or comes back for a retry (at the front, so order within a partition holds: at
// most one batch per partition in flight, as Java with max.in.flight = 1 or idempotence).
// Pure logic on an injected clock; owner: the Producer's strand.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "client/async_util.h"
#include "client/producer_types.h"
#include "protocol/bytes.h"

namespace sluice::client {

struct PendingRecord {
  TimestampMs timestamp;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<protocol::RecordHeader> headers;
  DeliveryCallback on_delivery;
};

struct ProducerBatch {
  TopicPartition tp;
  std::vector<PendingRecord> records;
  size_t estimated_bytes = 0;
  Clock::time_point created;
  Clock::time_point retry_at;  // not sent again before this
  int attempts = 0;
  std::optional<Bytes> encoded;  // the v2 batch, built on the first send, reused by retries

  // Reports every record: offsets base_offset + i, timestamps as written unless the broker
  // stamped LogAppendTime. Clears the records (each callback runs once).
  void complete(Offset base_offset, TimestampMs log_append_time, std::error_code error);
};

// Bytes a record adds to a batch, roughly (the builder computes the exact size).
size_t estimated_record_size(const PendingRecord& r);

class RecordAccumulator {
 public:
  struct Config {
    size_t batch_size = 16384;
    Clock::duration linger = std::chrono::milliseconds(5);
    Clock::duration delivery_timeout = std::chrono::seconds(120);
  };

  explicit RecordAccumulator(Config config) : config_(config) {}

  // Whether appending a record of `record_bytes` to `tp` would open a new batch.
  [[nodiscard]] bool would_start_new_batch(const TopicPartition& tp, size_t record_bytes) const;
  void append(const TopicPartition& tp, PendingRecord record, Clock::time_point now);

  // Unmuted partitions whose oldest batch may go now (see the class comment).
  [[nodiscard]] std::vector<TopicPartition> ready(Clock::time_point now, bool flushing) const;
  // When the next unmuted partition becomes ready by time alone; nullopt if none is waiting.
  [[nodiscard]] std::optional<Clock::time_point> next_ready_time() const;

  // Pops `tp`'s oldest batch and mutes `tp`. REQUIRES: tp is in ready().
  ProducerBatch take(const TopicPartition& tp);
  // The batch is done: unmute its partition.
  void release(const TopicPartition& tp) { muted_.erase(tp); }
  // The batch will be retried: back to the front of its queue, and unmute.
  void reenqueue(ProducerBatch batch);
  // Removes and returns the queued (not in-flight) batches older than delivery.timeout.ms.
  std::vector<ProducerBatch> expire(Clock::time_point now);
  // Removes and returns every queued batch (on close).
  std::vector<ProducerBatch> drain_all();

  [[nodiscard]] bool empty() const { return queued_batches_ == 0; }
  [[nodiscard]] size_t in_flight() const { return muted_.size(); }

 private:
  [[nodiscard]] bool sendable(const std::deque<ProducerBatch>& queue, Clock::time_point now, bool flushing) const;

  Config config_;
  std::map<TopicPartition, std::deque<ProducerBatch>> queues_;
  std::set<TopicPartition> muted_;
  size_t queued_batches_ = 0;
};

}  // namespace sluice::client
