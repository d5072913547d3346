// LogConfig: the per-topic settings that shape a partition log, with Kafka's names and defaults
// (broker-level log.* settings provide the defaults; topic configs override them).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "protocol/record_batch_header.h"
#include "protocol/result.h"

namespace sluice::storage {

enum class CleanupPolicy { delete_ };  // compaction is not supported: "compact" is rejected
// "producer" keeps the producer's codec; "uncompressed" forces none.
enum class TopicCompression { producer, uncompressed, gzip, snappy, lz4, zstd };

struct LogConfig {
  int64_t segment_bytes = 1073741824;       // segment.bytes
  int64_t segment_ms = 604800000;           // segment.ms
  int64_t segment_jitter_ms = 0;            // segment.jitter.ms
  int64_t segment_index_bytes = 10485760;   // segment.index.bytes
  int64_t index_interval_bytes = 4096;      // index.interval.bytes
  int64_t retention_ms = 604800000;         // retention.ms, -1 = forever
  int64_t retention_bytes = -1;             // retention.bytes, -1 = unlimited
  int64_t flush_messages = INT64_MAX;       // flush.messages
  int64_t flush_ms = INT64_MAX;             // flush.ms
  int64_t file_delete_delay_ms = 60000;     // file.delete.delay.ms
  int64_t max_message_bytes = 1048588;      // max.message.bytes
  int32_t min_insync_replicas = 1;          // min.insync.replicas (used by the broker)
  bool preallocate = false;                 // preallocate
  bool unclean_leader_election_enable = false;  // unclean.leader.election.enable (read by the controller)
  CleanupPolicy cleanup_policy = CleanupPolicy::delete_;
  TopicCompression compression = TopicCompression::producer;              // compression.type
  protocol::TimestampType timestamp_type = protocol::TimestampType::create_time;  // message.timestamp.type

  // Applies Kafka topic-config overrides ("retention.ms" -> "86400000", ...) on top of `base`.
  // Unknown names, unparsable or out-of-range values are invalid_config; `error` (if given)
  // receives a one-line reason naming the key.
  static Result<LogConfig> with_overrides(const LogConfig& base,
                                          const std::map<std::string, std::string>& overrides,
                                          std::string* error = nullptr);
};

}  // namespace sluice::storage
