#include "tools/options.h"

#include <algorithm>
#include <sstream>

#include <CLI/CLI.hpp>

namespace sluice::tools {
namespace {

// Raw strings that need checks CLI11 cannot express, gathered while parsing.
struct Raw {
  std::vector<std::string> configs, sets, headers;
  std::string acks = "all";
  std::string compression = "none";
  std::string format = "value";
  std::string election_type = "preferred";
  int32_t partition = -1;
  int64_t count = 0;
  int64_t timeout_ms = 0;
  std::string file;
  std::string key_separator;
  bool from_beginning = false;
  bool from_end = false;
  std::string group;
  std::vector<std::string> reset_topics;
  bool to_earliest = false;
  bool to_latest = false;
  std::optional<int64_t> to_offset;
  std::string to_datetime;
  std::optional<int64_t> shift_by;
};

// A "usage" failure found after CLI11 accepted the line.
struct UsageError {
  std::string message;
};

void add_producer_options(CLI::App& cmd, Raw& raw, ProducerOptions& p) {
  cmd.add_option("--acks", raw.acks, "0, 1 or all (-1)")
      ->check(CLI::IsMember({"0", "1", "all", "-1"}))
      ->capture_default_str();
  cmd.add_option("--compression", raw.compression, "none, gzip, snappy, lz4 or zstd")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  cmd.add_option("--linger-ms", p.linger_ms, "wait this long for a batch to fill")
      ->check(CLI::Range(int64_t{0}, int64_t{600'000}))
      ->capture_default_str();
  cmd.add_option("--batch-size", p.batch_size, "batch size in bytes")
      ->check(CLI::Range(int64_t{1}, int64_t{64} * 1024 * 1024))
      ->capture_default_str();
}

void add_topic_commands(CLI::App& app, CliOptions& o, Raw& raw) {
  auto* topic = app.add_subcommand("topic", "create, list, describe, delete and configure topics");
  topic->require_subcommand(1);
  auto* create = topic->add_subcommand("create", "create topics");
  create->add_option("topics", o.topic.names, "topic names")->required();
  create->add_option("-p,--partitions", o.topic.partitions, "partitions (-1: the broker's default)")
      ->check(CLI::Range(-1, 1'000'000))
      ->capture_default_str();
  create->add_option("-r,--replication-factor", o.topic.replication_factor,
                     "replicas per partition (-1: the broker's default)")
      ->check(CLI::Range(int16_t{-1}, int16_t{32767}))
      ->capture_default_str();
  create->add_option("-c,--config", raw.configs, "topic config key=value (repeatable)");
  topic->add_subcommand("list", "list topics, one per line");
  auto* describe = topic->add_subcommand("describe", "partitions, leaders, replicas, ISR and config overrides");
  describe->add_option("topics", o.topic.names, "topic names")->required();
  describe->add_flag("--under-replicated", o.topic.under_replicated, "only partitions with fewer in-sync replicas than replicas");
  describe->add_flag("--unavailable", o.topic.unavailable, "only partitions without a leader");
  auto* remove = topic->add_subcommand("delete", "delete topics");
  remove->add_option("topics", o.topic.names, "topic names")->required();
  auto* alter = topic->add_subcommand("alter-config", "set or delete topic config overrides");
  alter->add_option("topics", o.topic.names, "topic names")->required();
  alter->add_option("-s,--set", raw.sets, "set key=value (repeatable)");
  alter->add_option("-d,--delete", o.topic.remove, "remove the override of key (repeatable)");
  auto* grow = topic->add_subcommand("add-partitions", "grow topics to a new partition count");
  grow->add_option("topics", o.topic.names, "topic names")->required();
  grow->add_option("-n,--count", o.topic.total_partitions, "the new total number of partitions")
      ->required()
      ->check(CLI::Range(1, 1'000'000));
  auto* reassign = topic->add_subcommand("reassign", "move partitions to other brokers, list or cancel moves");
  auto& r = o.reassign;
  reassign->add_option("-t,--topic", r.topics, "the topic (once for all groups, or once per group)");
  reassign->add_option("-p,--partition", r.partitions, "a partition (repeatable, one per group)");
  reassign->add_option("-r,--replicas", r.replicas, "its target replicas, e.g. 3,1,2 (repeatable, one per group)");
  reassign->add_option("--plan", r.plan_file, "a reassignment plan in Kafka's JSON format");
  reassign->add_flag("--list", r.list, "list the reassignments in progress");
  reassign->add_flag("--cancel", r.cancel, "cancel the reassignment of the given partitions (or the plan's)");
  reassign->add_flag("--wait", r.wait, "wait until the reassignments finish, printing progress");
  reassign->add_option("--wait-timeout-ms", r.wait_timeout_ms, "give up waiting after this long")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

// topic reassign: the groups checked and folded into targets.
void finish_reassign(ReassignOptions& r) {
  const bool groups = !r.topics.empty() || !r.partitions.empty() || !r.replicas.empty();
  if (r.list && (groups || r.plan_file || r.cancel)) throw UsageError{"topic reassign: --list takes no other option"};
  if (r.list) return;
  if (groups == r.plan_file.has_value()) {
    throw UsageError{"topic reassign: give either --topic/--partition/--replicas, --plan FILE, or --list"};
  }
  if (r.plan_file) return;
  if (r.partitions.empty()) throw UsageError{"topic reassign: give --partition"};
  if (r.topics.size() != 1 && r.topics.size() != r.partitions.size()) {
    throw UsageError{"topic reassign: give one --topic, or one per --partition"};
  }
  if (r.cancel && !r.replicas.empty()) throw UsageError{"topic reassign: --cancel takes no --replicas"};
  if (!r.cancel && r.replicas.size() != r.partitions.size()) {
    throw UsageError{"topic reassign: give one --replicas per --partition"};
  }
  for (size_t i = 0; i < r.partitions.size(); ++i) {
    if (r.partitions[i] < 0) throw UsageError{"topic reassign: --partition must not be negative"};
    const std::string& topic = r.topics.size() == 1 ? r.topics[0] : r.topics[i];
    std::vector<int32_t> replicas;
    if (!r.cancel) {
      auto parsed = parse_broker_list(r.replicas[i]);
      if (!parsed) throw UsageError{"topic reassign: --replicas: expected broker ids like 3,1,2, got '" + r.replicas[i] + "'"};
      replicas = std::move(*parsed);
    }
    if (!r.targets.emplace(std::pair{topic, r.partitions[i]}, std::move(replicas)).second) {
      throw UsageError{"topic reassign: partition " + topic + "-" + std::to_string(r.partitions[i]) + " given twice"};
    }
  }
}

void add_produce_command(CLI::App& app, CliOptions& o, Raw& raw) {
  auto* produce = app.add_subcommand("produce", "produce the lines of stdin (or --file) as records");
  produce->add_option("topic", o.produce.topic, "topic")->required();
  produce->add_option("-f,--file", raw.file, "read lines from this file instead of stdin");
  produce->add_option("-k,--key-separator", raw.key_separator,
                      "split each line at the first SEP into key and value");
  produce->add_option("-H,--header", raw.headers, "header key=value on every record (repeatable)");
  produce->add_option("-p,--partition", raw.partition, "produce to this partition only")
      ->check(CLI::NonNegativeNumber);
  produce->add_option("--max-line-bytes", o.produce.max_line_bytes, "refuse longer lines")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30))
      ->capture_default_str();
  add_producer_options(*produce, raw, o.produce.producer);
}

void add_consume_command(CLI::App& app, CliOptions& o, Raw& raw) {
  auto* consume = app.add_subcommand("consume", "print a topic's records");
  consume->add_option("topic", o.consume.topic, "topic")->required();
  auto* beginning = consume->add_flag("--from-beginning", raw.from_beginning, "start at each partition's first offset");
  auto* end = consume->add_flag("--from-end", raw.from_end, "start at each partition's end (the default)");
  auto* offset = consume->add_option("-o,--offset", o.consume.start_value, "start at this offset")
                     ->check(CLI::NonNegativeNumber);
  auto* timestamp = consume->add_option("--timestamp", o.consume.start_value,
                                        "start at the first record at or after this time (ms)")
                        ->check(CLI::NonNegativeNumber);
  beginning->excludes(end)->excludes(offset)->excludes(timestamp);
  end->excludes(offset)->excludes(timestamp);
  offset->excludes(timestamp);
  consume->add_option("-n,--count", raw.count, "exit after this many records")->check(CLI::PositiveNumber);
  consume->add_option("-p,--partition", raw.partition, "this partition only")->check(CLI::NonNegativeNumber);
  consume->add_option("--format", raw.format, "value, kv or json")
      ->check(CLI::IsMember({"value", "kv", "json"}))
      ->capture_default_str();
  consume->add_option("-k,--key-separator", o.consume.key_separator, "between key and value (kv format)");
  consume->add_option("--timeout-ms", raw.timeout_ms, "exit after this long without a record")
      ->check(CLI::PositiveNumber);
  auto* group = consume->add_option("-g,--group", raw.group,
                                    "join this consumer group and commit offsets; by default each batch is committed "
                                    "after it is printed (at-least-once)");
  consume->add_flag("--at-most-once", o.consume.at_most_once,
                    "with --group: commit each batch before printing it (a crash loses it instead of repeating it)")
      ->needs(group);
  consume->add_option("--session-timeout-ms", o.consume.session_timeout_ms, "with --group: the group session timeout")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str()
      ->needs(group);
  group->excludes(offset)->excludes(timestamp);
}

void add_group_commands(CLI::App& app, CliOptions& o, Raw& raw) {
  auto* group = app.add_subcommand("group", "list, describe, reset and delete consumer groups");
  group->require_subcommand(1);
  group->add_subcommand("list", "list the groups of every broker");
  auto* describe = group->add_subcommand("describe", "members, assignments, committed offsets and lag");
  describe->add_option("group", o.group.groups, "group id")->required()->expected(1);
  auto* reset = group->add_subcommand(
      "reset-offsets", "move a group's committed offsets (the group must have no members); a dry run unless --execute");
  reset->add_option("group", o.group.groups, "group id")->required()->expected(1);
  reset->add_option("-t,--topic", raw.reset_topics, "TOPIC or TOPIC:P,P,... (repeatable)")->required();
  auto* earliest = reset->add_flag("--to-earliest", raw.to_earliest, "to each partition's log start");
  auto* latest = reset->add_flag("--to-latest", raw.to_latest, "to each partition's log end");
  auto* offset = reset->add_option("--to-offset", raw.to_offset, "to this offset (clamped to the log)");
  auto* datetime = reset->add_option("--to-datetime", raw.to_datetime,
                                     "to the first record at or after this ISO 8601 time, e.g. 2024-05-01T12:00:00Z");
  auto* shift = reset->add_option("--shift-by", raw.shift_by, "move each committed offset by N (may be negative)");
  std::vector<CLI::Option*> all = {earliest, latest, offset, datetime, shift};
  for (auto* a : all) {
    for (auto* b : all) {
      if (a != b) a->excludes(b);
    }
  }
  reset->add_flag("--execute", o.group.execute, "apply the plan (default: print it only)");
  auto* remove = group->add_subcommand("delete", "delete groups (their committed offsets) that have no members");
  remove->add_option("groups", o.group.groups, "group ids")->required();
}

void finish_group(CliOptions& o, const Raw& raw) {
  if (o.command != Command::group_reset_offsets) return;
  GroupOptions& g = o.group;
  for (const auto& t : raw.reset_topics) {
    auto parsed = parse_topic_partitions(t);
    if (!parsed) throw UsageError{"group reset-offsets: --topic: expected TOPIC or TOPIC:P,P,..., got '" + t + "'"};
    auto& parts = g.topics[parsed->first];
    parts.insert(parts.end(), parsed->second.begin(), parsed->second.end());
  }
  const int chosen = int{raw.to_earliest} + int{raw.to_latest} + int{raw.to_offset.has_value()} +
                     int{!raw.to_datetime.empty()} + int{raw.shift_by.has_value()};
  if (chosen != 1) {
    throw UsageError{"group reset-offsets: give one of --to-earliest, --to-latest, --to-offset, --to-datetime, --shift-by"};
  }
  if (raw.to_earliest) g.to = ResetTo::earliest;
  if (raw.to_latest) g.to = ResetTo::latest;
  if (raw.to_offset) {
    if (*raw.to_offset < 0) throw UsageError{"group reset-offsets: --to-offset must not be negative"};
    g.to = ResetTo::offset;
    g.value = *raw.to_offset;
  }
  if (!raw.to_datetime.empty()) {
    auto ms = parse_iso8601_ms(raw.to_datetime);
    if (!ms) throw UsageError{"group reset-offsets: --to-datetime: expected ISO 8601 like 2024-05-01T12:00:00Z, got '" + raw.to_datetime + "'"};
    g.to = ResetTo::datetime;
    g.value = *ms;
  }
  if (raw.shift_by) {
    g.to = ResetTo::shift_by;
    g.value = *raw.shift_by;
  }
}

void add_perf_commands(CLI::App& app, CliOptions& o, Raw& raw) {
  auto* perf = app.add_subcommand("perf", "measure produce or consume throughput");
  perf->require_subcommand(1);
  auto* produce = perf->add_subcommand("produce", "produce --records records and report throughput and latency");
  auto* consume = perf->add_subcommand("consume", "consume --records records from the start and report throughput");
  for (auto* cmd : {produce, consume}) {
    cmd->add_option("topic", o.perf.topic, "topic")->required();
    cmd->add_option("-n,--records", o.perf.records, "how many records")->required()->check(CLI::PositiveNumber);
    cmd->add_flag("--json", o.perf.json, "print the summary as one JSON object");
  }
  produce->add_option("-s,--record-size", o.perf.record_size, "value size in bytes")
      ->check(CLI::Range(int64_t{0}, int64_t{64} * 1024 * 1024))
      ->capture_default_str();
  produce->add_option("-t,--throughput", o.perf.throughput, "records/s limit (-1: none)")
      ->check(CLI::Range(int64_t{-1}, int64_t{1'000'000'000}))
      ->capture_default_str();
  add_producer_options(*produce, raw, o.perf.producer);
  consume->add_option("--timeout-ms", o.perf.timeout_ms, "give up after this long without a record")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
}

void add_log_commands(CLI::App& app, CliOptions& o) {
  auto* log = app.add_subcommand("log", "inspect and check partition logs offline (no broker needed)");
  log->require_subcommand(1);
  auto* dump = log->add_subcommand("dump", "print the batches of a segment (.log), or the entries of an index");
  dump->add_option("path", o.log.path, "a .log, .index or .timeindex file, or a partition directory")->required();
  dump->add_flag("--print-data", o.log.print_data, "print every record: offset, timestamp, key, value, headers");
  dump->add_flag("--offsets-decoder", o.log.offsets_decoder, "decode __consumer_offsets keys and values (Kafka's format)");
  dump->add_flag("--verify-index", o.log.verify_index, "check each segment's index entries against its batches");
  auto* verify = log->add_subcommand("verify", "check CRCs, offsets and indexes of every segment; exit 1 on a problem");
  verify->add_option("path", o.log.path, "a partition directory or a log.dirs root")->required();
  verify->add_flag("--allow-gaps", o.log.allow_gaps, "do not report offset gaps (compacted topics have them)");
}

void add_dev_commands(CLI::App& app, CliOptions& o) {
  auto* dev = app.add_subcommand("dev", "a local dev cluster: ZooKeeper and brokers as background processes");
  dev->require_subcommand(1);
  dev->fallthrough();
  DevOptions& d = o.dev;
  dev->add_option("--dir", d.dir, "the cluster's directory (default: $SLUICE_DEV_DIR, else .sluice-dev)");
  dev->add_option("--timeout-ms", d.timeout_ms, "bound on each wait")
      ->check(CLI::Range(int64_t{1'000}, int64_t{3'600'000}))
      ->capture_default_str();
  auto* up = dev->add_subcommand("up", "start ZooKeeper and the brokers (or report the cluster already running)");
  up->add_option("-n,--brokers", d.brokers, "number of brokers")->check(CLI::Range(1, 64))->capture_default_str();
  up->add_option("--zookeepers", d.zookeepers, "ZooKeeper nodes: 1 or 3")
      ->check(CLI::IsMember({1, 3}))
      ->capture_default_str();
  up->add_option("--zookeeper-port", d.zookeeper_port,
                 "first ZooKeeper client port (a 3-node ensemble uses 9 ports from here)")
      ->check(CLI::Range(1, 65000))
      ->capture_default_str();
  up->add_option("--broker-port", d.broker_port, "broker I listens on this port + I")
      ->check(CLI::Range(1, 65000))
      ->capture_default_str();
  up->add_option("--http-port", d.http_port, "broker I serves /metrics and the web console on this port + I")
      ->check(CLI::Range(1, 65000))
      ->capture_default_str();
  up->add_option("--chroot", d.chroot, "a ZooKeeper chroot for the cluster, e.g. /sluice");
  up->add_option("--broker-binary", d.broker_binary, "sluice-broker to run (default: next to sluice)");
  dev->add_subcommand("status", "each process, the controller and the registered brokers");
  for (const char* name : {"stop-broker", "kill-broker", "start-broker"}) {
    const std::string what = std::string(name) == "stop-broker"   ? "stop a broker (SIGTERM) and wait for it"
                             : std::string(name) == "kill-broker" ? "kill a broker (SIGKILL)"
                                                                  : "start a stopped broker and wait until it is registered";
    dev->add_subcommand(name, what)
        ->add_option("broker", d.broker_id, "broker id")
        ->required()
        ->check(CLI::NonNegativeNumber);
  }
  auto* down = dev->add_subcommand("down", "stop the brokers, then ZooKeeper; data is kept unless --purge");
  down->add_flag("--purge", d.purge, "also delete the cluster's directory");
}

void finish_dev(CliOptions& o) {
  DevOptions& d = o.dev;
  if (!d.chroot.empty() && (d.chroot.front() != '/' || d.chroot.size() < 2 || d.chroot.back() == '/' ||
                            d.chroot.find("//") != std::string::npos)) {
    throw UsageError{"dev up: --chroot: expected a path like /sluice, got '" + d.chroot + "'"};
  }
  if (d.zookeeper_port + 9 > 65535 || d.broker_port + d.brokers > 65535 ||
      d.http_port + d.brokers > 65535) throw UsageError{"dev up: ports out of range"};
}

std::map<std::string, std::string> key_values(const std::vector<std::string>& items, const char* option) {
  std::map<std::string, std::string> out;
  for (const auto& item : items) {
    auto kv = split_key_value(item);
    if (!kv) throw UsageError{std::string(option) + ": expected key=value, got '" + item + "'"};
    out[kv->first] = kv->second;
  }
  return out;
}

// Folds the raw strings into `o` once CLI11 has accepted the command line.
void finish(CliOptions& o, const Raw& raw, const CLI::App& app) {
  o.topic.configs = key_values(raw.configs, "--config");
  o.topic.set = key_values(raw.sets, "--set");
  for (const auto& h : raw.headers) {
    auto kv = split_key_value(h);
    if (!kv) throw UsageError{"--header: expected key=value, got '" + h + "'"};
    o.produce.headers.push_back(*kv);
  }
  for (auto* p : {&o.produce.producer, &o.perf.producer}) {
    p->acks = *parse_acks(raw.acks);
    p->compression = *parse_compression(raw.compression);
  }
  if (raw.partition >= 0) o.produce.partition = o.consume.partition = raw.partition;
  if (!raw.file.empty()) o.produce.file = raw.file;
  if (app.get_subcommand("produce")->count("--key-separator") > 0) {
    if (raw.key_separator.empty()) throw UsageError{"--key-separator: must not be empty"};
    o.produce.key_separator = raw.key_separator;
  }
  if (raw.count > 0) o.consume.count = raw.count;
  if (raw.timeout_ms > 0) o.consume.timeout_ms = raw.timeout_ms;
  if (app.get_subcommand("consume")->count("--group") > 0) {
    if (raw.group.empty()) throw UsageError{"consume: --group must not be empty"};
    if (raw.partition >= 0) throw UsageError{"consume: --partition and --group exclude each other (the group assigns partitions)"};
    o.consume.group = raw.group;
  }
  finish_group(o, raw);
  o.consume.format = raw.format == "json" ? OutputFormat::json
                     : raw.format == "kv" ? OutputFormat::kv
                                          : OutputFormat::value;
  const CLI::App* consume = app.get_subcommand("consume");
  if (raw.from_beginning) o.consume.start = StartFrom::beginning;
  if (consume->count("--offset") > 0) o.consume.start = StartFrom::offset;
  if (consume->count("--timestamp") > 0) o.consume.start = StartFrom::timestamp;
  if (o.command == Command::cluster_elect_leaders) {
    o.elect.unclean = raw.election_type == "unclean";
    if (o.elect.all == !o.elect.topic.empty()) throw UsageError{"cluster elect-leaders: give either --all or --topic"};
    if (o.elect.all && !o.elect.partitions.empty()) throw UsageError{"cluster elect-leaders: --partition needs --topic"};
    for (int32_t p : o.elect.partitions) {
      if (p < 0) throw UsageError{"cluster elect-leaders: --partition must not be negative"};
    }
  }
  if (o.command == Command::topic_reassign) finish_reassign(o.reassign);
  if (o.command == Command::dev_up) finish_dev(o);
  if (o.command == Command::topic_alter_config && o.topic.set.empty() && o.topic.remove.empty()) {
    throw UsageError{"topic alter-config: give at least one --set or --delete"};
  }
}

Command chosen(const CLI::App& app) {
  const auto in = [&](const char* parent, const char* child) {
    const CLI::App* p = app.get_subcommand(parent);
    return p->parsed() && p->get_subcommand(child)->parsed();
  };
  static const std::vector<std::tuple<const char*, const char*, Command>> table = {
      {"topic", "create", Command::topic_create},     {"topic", "list", Command::topic_list},
      {"topic", "describe", Command::topic_describe}, {"topic", "delete", Command::topic_delete},
      {"topic", "alter-config", Command::topic_alter_config},
      {"topic", "add-partitions", Command::topic_add_partitions},
      {"topic", "reassign", Command::topic_reassign},
      {"cluster", "info", Command::cluster_info},     {"cluster", "elect-leaders", Command::cluster_elect_leaders},     {"perf", "produce", Command::perf_produce},
      {"perf", "consume", Command::perf_consume},
      {"group", "list", Command::group_list},         {"group", "describe", Command::group_describe},
      {"group", "reset-offsets", Command::group_reset_offsets},
      {"group", "delete", Command::group_delete},
      {"log", "dump", Command::log_dump},             {"log", "verify", Command::log_verify},
      {"cluster", "health", Command::cluster_health},
      {"dev", "up", Command::dev_up},                 {"dev", "status", Command::dev_status},
      {"dev", "stop-broker", Command::dev_stop_broker}, {"dev", "kill-broker", Command::dev_kill_broker},
      {"dev", "start-broker", Command::dev_start_broker}, {"dev", "down", Command::dev_down},
  };
  for (const auto& [parent, child, command] : table) {
    if (in(parent, child)) return command;
  }
  if (app.get_subcommand("produce")->parsed()) return Command::produce;
  if (app.get_subcommand("consume")->parsed()) return Command::consume;
  return Command::none;
}

}  // namespace

ParseOutcome parse_command_line(const std::vector<std::string>& args, std::optional<std::string> env_bootstrap) {
  CliOptions o;
  Raw raw;
  if (env_bootstrap && !env_bootstrap->empty()) o.global.bootstrap = *env_bootstrap;
  CLI::App app("sluice: a command-line client for Kafka-compatible brokers", "sluice");
  app.fallthrough();
  app.require_subcommand(1);
  app.add_option("-b,--bootstrap", o.global.bootstrap, "host:port[,host:port...] (env SLUICE_BOOTSTRAP)")
      ->capture_default_str();
  app.add_option("--request-timeout-ms", o.global.request_timeout_ms, "per request")
      ->check(CLI::Range(int64_t{1}, int64_t{3'600'000}))
      ->capture_default_str();
  add_topic_commands(app, o, raw);
  add_produce_command(app, o, raw);
  add_consume_command(app, o, raw);
  auto* cluster = app.add_subcommand("cluster", "cluster commands")->require_subcommand(1);
  cluster->add_subcommand("info", "brokers, controller and cluster id");
  auto* elect = cluster->add_subcommand("elect-leaders", "preferred or unclean leader election on the controller");
  elect->add_option("--type", raw.election_type, "preferred or unclean")
      ->check(CLI::IsMember({"preferred", "unclean"}))
      ->capture_default_str();
  elect->add_flag("--all", o.elect.all, "every partition that needs an election");
  elect->add_option("--topic", o.elect.topic, "the topic");
  elect->add_option("--partition", o.elect.partitions, "a partition of --topic (repeatable; default: all)");
  cluster->add_subcommand("health", "offline, under-replicated and under-min-ISR partitions; exit 0 healthy, 1 not");
  add_perf_commands(app, o, raw);
  add_group_commands(app, o, raw);
  add_log_commands(app, o);
  add_dev_commands(app, o);

  ParseOutcome out;
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 parses a reversed vector
    app.parse(reversed);
    o.command = chosen(app);
    finish(o, raw, app);
  } catch (const CLI::ParseError& e) {
    std::ostringstream text, errors;
    if (e.get_exit_code() == 0) {  // --help
      app.exit(e, text, errors);
      out.text = text.str();
      return out;
    }
    out.exit_code = kExitUsage;
    out.text = std::string("sluice: ") + e.what() + "\nRun 'sluice --help' for usage.";
    return out;
  } catch (const UsageError& e) {
    out.exit_code = kExitUsage;
    out.text = "sluice: " + e.message;
    return out;
  }
  out.options = std::move(o);
  return out;
}

std::optional<int64_t> parse_iso8601_ms(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm|-hh:mm]
  auto digits = [&](size_t pos, size_t n) -> std::optional<int> {
    if (pos + n > text.size()) return std::nullopt;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto at = [&](size_t pos, char c) { return pos < text.size() && text[pos] == c; };
  auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !at(4, '-') || !at(7, '-') ||
      !(at(10, 'T') || at(10, ' ')) || !at(13, ':') || !at(16, ':')) {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (at(pos, '.')) {
    ++pos;
    int64_t scale = 100;
    size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int64_t offset_minutes = 0;
  if (at(pos, 'Z')) {
    ++pos;
  } else if (at(pos, '+') || at(pos, '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || !at(pos + 3, ':') || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
    pos += 6;
  }
  if (pos != text.size()) return std::nullopt;
  // Days from civil (Howard Hinnant's algorithm).
  const int y = *year - (*month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int mp = (*month + 9) % 12;
  const int doy = (153 * mp + 2) / 5 + *day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  const int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::optional<std::pair<std::string, std::vector<int32_t>>> parse_topic_partitions(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos) {
    if (text.empty()) return std::nullopt;
    return std::pair{text, std::vector<int32_t>{}};
  }
  auto partitions = parse_broker_list(text.substr(colon + 1));  // non-negative ints, comma-separated
  if (colon == 0 || !partitions) return std::nullopt;
  return std::pair{text.substr(0, colon), std::move(*partitions)};
}

std::optional<std::pair<std::string, std::string>> split_key_value(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) return std::nullopt;
  return std::pair{text.substr(0, eq), text.substr(eq + 1)};
}

std::optional<int16_t> parse_acks(const std::string& text) {
  if (text == "0") return 0;
  if (text == "1") return 1;
  if (text == "all" || text == "-1") return -1;
  return std::nullopt;
}

std::optional<protocol::CompressionType> parse_compression(const std::string& text) {
  using protocol::CompressionType;
  static const std::vector<std::pair<const char*, CompressionType>> names = {
      {"none", CompressionType::none}, {"gzip", CompressionType::gzip}, {"snappy", CompressionType::snappy},
      {"lz4", CompressionType::lz4},   {"zstd", CompressionType::zstd}};
  for (const auto& [name, type] : names) {
    if (text == name) return type;
  }
  return std::nullopt;
}

std::optional<std::vector<int32_t>> parse_broker_list(const std::string& text) {
  std::vector<int32_t> out;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty() || item.size() > 9 || !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    out.push_back(std::stoi(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace sluice::tools
