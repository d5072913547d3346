// The sluice command line, parsed (with CLI11) into plain option structs: one per command, all
// in CliOptions, with `command` saying which one runs. Parsing does every check that needs no
// broker (k=v syntax, acks and codec names, exclusive start positions), so a usage error exits
// 2 before any connection is made. docs/cli.md describes each option.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/record_batch_header.h"

namespace sluice::tools {

// Exit codes (docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;        // the operation failed (a broker error, bad data)
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // no broker of --bootstrap answered
inline constexpr int kExitPartial = 4;      // produce: some records were not delivered

enum class Command {
  none,
  topic_create,
  topic_list,
  topic_describe,
  topic_delete,
  topic_alter_config,
  topic_add_partitions,
  topic_reassign,
  produce,
  consume,
  cluster_info,
  cluster_elect_leaders,
  perf_produce,
  perf_consume,
  group_list,
  group_describe,
  group_reset_offsets,
  group_delete,
  log_dump,
  log_verify,
  cluster_health,
  dev_up,
  dev_status,
  dev_stop_broker,
  dev_kill_broker,
  dev_start_broker,
  dev_down,
};

struct GlobalOptions {
  std::string bootstrap = "localhost:9092";
  int64_t request_timeout_ms = 30'000;
};

struct TopicOptions {
  std::vector<std::string> names;
  int32_t partitions = -1;           // create: -1 = the broker's num.partitions
  int16_t replication_factor = -1;   // create: -1 = the broker's default.replication.factor
  std::map<std::string, std::string> configs;  // create --config
  std::map<std::string, std::string> set;      // alter-config --set
  std::vector<std::string> remove;             // alter-config --delete
  int32_t total_partitions = 0;                // add-partitions --count
  bool under_replicated = false;               // describe --under-replicated
  bool unavailable = false;                    // describe --unavailable
};

struct ProducerOptions {
  int16_t acks = -1;
  protocol::CompressionType compression = protocol::CompressionType::none;
  int64_t linger_ms = 5;
  int64_t batch_size = 16384;
};

struct ProduceOptions {
  std::string topic;
  std::optional<std::string> file;           // unset: stdin
  std::optional<std::string> key_separator;  // unset: lines are values only
  std::vector<std::pair<std::string, std::string>> headers;  // in command-line order
  std::optional<int32_t> partition;
  int64_t max_line_bytes = 1024 * 1024;
  ProducerOptions producer;
};

enum class StartFrom { beginning, end, offset, timestamp };
enum class OutputFormat { value, kv, json };

struct ConsumeOptions {
  std::string topic;
  StartFrom start = StartFrom::end;
  int64_t start_value = 0;  // the offset or timestamp
  std::optional<int64_t> count;
  std::optional<int32_t> partition;  // unset: every partition
  OutputFormat format = OutputFormat::value;
  std::string key_separator = "\t";  // kv format
  std::optional<int64_t> timeout_ms;  // exit after this long without a record
  // --group: join this consumer group (its assignment replaces --partition; --from-beginning
  // then only applies to partitions without a committed offset) and commit.
  std::optional<std::string> group;
  // --at-most-once: commit a batch before printing it (default: after, i.e. at-least-once).
  bool at_most_once = false;
  int64_t session_timeout_ms = 45'000;
};

// sluice group reset-offsets: where to move the committed offsets.
enum class ResetTo { earliest, latest, offset, datetime, shift_by };

struct GroupOptions {
  std::vector<std::string> groups;  // describe and reset-offsets: exactly one; delete: one or more
  // reset-offsets: topic -> partitions (empty: every partition of the topic).
  std::map<std::string, std::vector<int32_t>> topics;
  ResetTo to = ResetTo::earliest;
  int64_t value = 0;  // the offset, the shift, or the time in ms since the epoch
  bool execute = false;
};

struct PerfOptions {
  std::string topic;
  int64_t records = 0;
  int64_t record_size = 100;
  int64_t throughput = -1;  // records/s; -1: unlimited
  bool json = false;
  int64_t timeout_ms = 10'000;  // perf consume: give up after this long without a record
  ProducerOptions producer;
};

// cluster elect-leaders: --type preferred|unclean, and --all or --topic with optional --partition.
struct ElectOptions {
  bool unclean = false;
  bool all = false;
  std::string topic;
  std::vector<int32_t> partitions;  // empty with --topic: every partition of it
};

// topic reassign: targets from --topic/--partition/--replicas groups or --plan FILE; --list,
// --cancel and --wait.
struct ReassignOptions {
  std::vector<std::string> topics;      // one for every group, or a single one for all
  std::vector<int32_t> partitions;
  std::vector<std::string> replicas;    // "3,1,2" per group
  std::optional<std::string> plan_file;
  bool list = false;
  bool cancel = false;
  bool wait = false;
  int64_t wait_timeout_ms = 600'000;
  // Folded from the groups by the parser: partition -> target replicas (empty when cancelling).
  std::map<std::pair<std::string, int32_t>, std::vector<int32_t>> targets;
};

// log dump|verify: offline, on segment files; no broker is contacted.
struct LogOptions {
  std::string path;              // dump: a .log/.index/.timeindex file or a partition dir;
                                 // verify: a partition dir or a log.dirs root
  bool print_data = false;       // dump: every record's offset, timestamp, key, value, headers
  bool offsets_decoder = false;  // dump: decode Kafka __consumer_offsets keys and values
  bool verify_index = false;     // dump: check the index entries against the .log
  bool allow_gaps = false;       // verify: offset gaps (compacted topics) are not problems
};

// sluice dev: a local cluster of ZooKeeper and sluice-broker processes (tools/dev_cluster.h).
// up takes every field; the other subcommands read the cluster's state file in `dir`.
struct DevOptions {
  std::string dir;             // empty: $SLUICE_DEV_DIR, else .sluice-dev
  int32_t brokers = 3;
  int32_t zookeepers = 1;      // 1 or 3
  int32_t zookeeper_port = 2181;  // ZooKeeper client ports from here; an ensemble's peer ports follow
  int32_t broker_port = 9092;     // broker I listens on broker_port + I
  int32_t http_port = 9644;       // broker I serves HTTP (metrics, console) on http_port + I
  std::string chroot;          // empty: none; else "/path"
  std::string broker_binary;   // empty: sluice-broker next to the sluice binary
  int32_t broker_id = -1;      // stop-broker, kill-broker, start-broker
  bool purge = false;          // down
  int64_t timeout_ms = 60'000;  // bound on each wait
};

struct CliOptions {
  Command command = Command::none;
  GlobalOptions global;
  TopicOptions topic;
  ElectOptions elect;
  ReassignOptions reassign;
  ProduceOptions produce;
  ConsumeOptions consume;
  PerfOptions perf;
  GroupOptions group;
  LogOptions log;
  DevOptions dev;
};

// Either options to run, or an exit code with text to print (help on stdout for exit 0, an
// error on stderr otherwise).
struct ParseOutcome {
  std::optional<CliOptions> options;
  int exit_code = kExitOk;
  std::string text;
};

// `args` excludes the program name. `env_bootstrap` is SLUICE_BOOTSTRAP if set; --bootstrap wins.
ParseOutcome parse_command_line(const std::vector<std::string>& args,
                                std::optional<std::string> env_bootstrap = std::nullopt);

// ISO 8601 date-time -> ms since the epoch: "2024-05-01T12:00:00", optional ".SSS" and a zone
// "Z" or "+hh:mm"/"-hh:mm" (none: UTC). nullopt if it is not one.
std::optional<int64_t> parse_iso8601_ms(const std::string& text);
// "T" or "T:0,2,5" -> {T, {}} or {T, {0, 2, 5}}. nullopt for an empty topic or bad partitions.
std::optional<std::pair<std::string, std::vector<int32_t>>> parse_topic_partitions(const std::string& text);

// "k=v" -> {k, v}; the first '=' splits, the key must be non-empty. nullopt otherwise.
std::optional<std::pair<std::string, std::string>> split_key_value(const std::string& text);
// "0", "1", "all" or "-1" -> acks.
std::optional<int16_t> parse_acks(const std::string& text);
std::optional<protocol::CompressionType> parse_compression(const std::string& text);
// "3,1,2" -> {3, 1, 2}: non-negative broker ids. nullopt for anything else (empty, junk, "1,,2").
std::optional<std::vector<int32_t>> parse_broker_list(const std::string& text);

}  // namespace sluice::tools
