// What the sluice commands print: records in each --format, topic descriptions, the cluster,
// perf summaries, and the one-line errors ("sluice: topic create: TOPIC_ALREADY_EXISTS: topic
// 'x' already exists"). Pure functions of their inputs, so the unit tests pin the output.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "client/admin.h"
#include "client/consumer.h"
#include "tools/latency_histogram.h"
#include "tools/options.h"

namespace sluice::tools {

// One record, without a trailing newline. value: the value; kv: key SEP value; json: an object
// with topic, partition, offset, timestamp, key, value and headers (null key/value as null;
// bytes that are not UTF-8 replaced by U+FFFD).
std::string format_record(const client::ConsumerRecord& record, OutputFormat format,
                          const std::string& key_separator);

// "sluice: <what>: <cause>". A broker error names its code, then the broker's message or else
// what it means for `topic` ("topic 'x' already exists").
std::string error_line(std::string_view what, std::error_code error);
std::string topic_error_line(std::string_view what, const std::string& topic, const client::ApiError& error);

// Which partitions `topic describe` lists: all, or only those with fewer in-sync replicas than
// replicas (--under-replicated), or only those without a leader (--unavailable).
enum class PartitionFilter { all, under_replicated, unavailable };
[[nodiscard]] bool is_under_replicated(const client::PartitionInfo& p);
[[nodiscard]] bool is_unavailable(const client::PartitionInfo& p);

// The describe output: a header line, one line per partition (marked UnderReplicated or
// Unavailable where so), then the config overrides.
std::string format_topic(const client::TopicInfo& topic, const std::vector<client::ConfigEntry>& overrides,
                         PartitionFilter filter = PartitionFilter::all);
std::string format_cluster(const client::ClusterDescription& cluster);

// group describe: a header line (group, state, protocol type/assignor, coordinator), the members
// (member id, client id, host, assigned partitions), then one line per partition that has a
// committed offset or an owner: topic, partition, committed offset, log end offset, lag
// (log end - committed; "-" without a commit) and owner (member id or "-"). Tab-separated.
std::string format_group(const client::GroupDescription& group, const std::map<TopicPartition, Offset>& committed,
                         const std::map<TopicPartition, Offset>& log_ends);

// group reset-offsets: one line per partition: topic, partition, current ("-": none), new.
struct ResetPlanRow {
  TopicPartition tp;
  std::optional<Offset> current;
  Offset next;
};
std::string format_reset_plan(const std::vector<ResetPlanRow>& rows);

struct PerfProduceSummary {
  uint64_t records = 0;  // acknowledged (or, with acks=0, sent)
  uint64_t failed = 0;
  uint64_t bytes = 0;    // value bytes of the acknowledged records
  double seconds = 0;
  const LatencyHistogram* latency = nullptr;  // microseconds
};
struct PerfConsumeSummary {
  uint64_t records = 0;
  uint64_t bytes = 0;  // key + value bytes
  double seconds = 0;
};

std::string format_perf_produce(const PerfProduceSummary& s, bool json);
std::string format_perf_consume(const PerfConsumeSummary& s, bool json);
// The live line: "<records> records, <rate> records/s, <MB/s> MB/s[, ...]".
std::string format_progress(uint64_t records, uint64_t bytes, double seconds);

}  // namespace sluice::tools
