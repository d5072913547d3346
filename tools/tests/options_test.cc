#include <gtest/gtest.h>

#include "tools/options.h"

namespace sluice::tools {
namespace {

CliOptions parse_ok(const std::vector<std::string>& args, std::optional<std::string> env = std::nullopt) {
  ParseOutcome out = parse_command_line(args, std::move(env));
  EXPECT_TRUE(out.options.has_value()) << out.text;
  return out.options.value_or(CliOptions{});
}

int usage_code(const std::vector<std::string>& args) {
  ParseOutcome out = parse_command_line(args);
  EXPECT_FALSE(out.options.has_value());
  EXPECT_NE(out.text.find("sluice: "), std::string::npos) << out.text;
  EXPECT_EQ(out.text.find('\n'), out.text.find("\nRun")) << "one error line: " << out.text;
  return out.exit_code;
}

TEST(Options, BootstrapDefaultsEnvAndFlag) {
  EXPECT_EQ(parse_ok({"cluster", "info"}).global.bootstrap, "localhost:9092");
  EXPECT_EQ(parse_ok({"cluster", "info"}, "env:1").global.bootstrap, "env:1");
  EXPECT_EQ(parse_ok({"-b", "flag:2", "cluster", "info"}, "env:1").global.bootstrap, "flag:2");
  // Global options also work after the subcommand.
  EXPECT_EQ(parse_ok({"topic", "list", "--bootstrap", "late:3"}).global.bootstrap, "late:3");
}

TEST(Options, TopicCreate) {
  CliOptions o = parse_ok({"topic", "create", "a", "b", "-p", "3", "-r", "1", "--config", "retention.ms=1000",
                           "--config", "cleanup.policy=delete"});
  EXPECT_EQ(o.command, Command::topic_create);
  EXPECT_EQ(o.topic.names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(o.topic.partitions, 3);
  EXPECT_EQ(o.topic.replication_factor, 1);
  EXPECT_EQ(o.topic.configs.at("retention.ms"), "1000");
  EXPECT_EQ(o.topic.configs.at("cleanup.policy"), "delete");
  CliOptions defaults = parse_ok({"topic", "create", "a"});
  EXPECT_EQ(defaults.topic.partitions, -1);
  EXPECT_EQ(defaults.topic.replication_factor, -1);
}

TEST(Options, AlterConfigNeedsAChange) {
  CliOptions o = parse_ok({"topic", "alter-config", "t", "--set", "retention.ms=5", "--delete", "segment.bytes"});
  EXPECT_EQ(o.command, Command::topic_alter_config);
  EXPECT_EQ(o.topic.set.at("retention.ms"), "5");
  EXPECT_EQ(o.topic.remove, std::vector<std::string>{"segment.bytes"});
  EXPECT_EQ(usage_code({"topic", "alter-config", "t"}), kExitUsage);
  EXPECT_EQ(usage_code({"topic", "alter-config", "t", "--set", "novalue"}), kExitUsage);
}

TEST(Options, ElectLeadersAndDescribeFilters) {
  CliOptions o = parse_ok({"cluster", "elect-leaders", "--topic", "t", "--partition", "0", "--partition", "2"});
  EXPECT_EQ(o.command, Command::cluster_elect_leaders);
  EXPECT_FALSE(o.elect.unclean);
  EXPECT_EQ(o.elect.topic, "t");
  EXPECT_EQ(o.elect.partitions, (std::vector<int32_t>{0, 2}));
  CliOptions all = parse_ok({"cluster", "elect-leaders", "--all", "--type", "unclean"});
  EXPECT_TRUE(all.elect.all);
  EXPECT_TRUE(all.elect.unclean);
  EXPECT_EQ(usage_code({"cluster", "elect-leaders"}), kExitUsage);
  EXPECT_EQ(usage_code({"cluster", "elect-leaders", "--all", "--topic", "t"}), kExitUsage);
  EXPECT_EQ(usage_code({"cluster", "elect-leaders", "--all", "--partition", "1"}), kExitUsage);
  EXPECT_EQ(usage_code({"cluster", "elect-leaders", "--topic", "t", "--partition", "-1"}), kExitUsage);
  EXPECT_EQ(usage_code({"cluster", "elect-leaders", "--all", "--type", "dirty"}), kExitUsage);
  EXPECT_TRUE(parse_ok({"topic", "describe", "t", "--under-replicated"}).topic.under_replicated);
  EXPECT_TRUE(parse_ok({"topic", "describe", "t", "--unavailable"}).topic.unavailable);
}

TEST(Options, Produce) {
  CliOptions o = parse_ok({"produce", "t", "-k", ":", "-H", "a=1", "-H", "b=x=y", "--compression", "zstd",
                           "--acks", "1", "-p", "2", "--linger-ms", "0", "--batch-size", "1000"});
  EXPECT_EQ(o.command, Command::produce);
  EXPECT_EQ(o.produce.topic, "t");
  EXPECT_EQ(o.produce.key_separator, ":");
  ASSERT_EQ(o.produce.headers.size(), 2u);
  EXPECT_EQ(o.produce.headers[1], (std::pair<std::string, std::string>{"b", "x=y"}));
  EXPECT_EQ(o.produce.producer.compression, protocol::CompressionType::zstd);
  EXPECT_EQ(o.produce.producer.acks, 1);
  EXPECT_EQ(o.produce.partition, 2);
  EXPECT_EQ(o.produce.producer.linger_ms, 0);
  EXPECT_EQ(o.produce.producer.batch_size, 1000);
  EXPECT_FALSE(o.produce.file);
  CliOptions all = parse_ok({"produce", "t", "--acks", "all", "--file", "/x"});
  EXPECT_EQ(all.produce.producer.acks, -1);
  EXPECT_EQ(all.produce.file, "/x");
  EXPECT_FALSE(all.produce.key_separator);
  EXPECT_EQ(usage_code({"produce", "t", "--compression", "brotli"}), kExitUsage);
  EXPECT_EQ(usage_code({"produce", "t", "--acks", "2"}), kExitUsage);
  EXPECT_EQ(usage_code({"produce", "t", "-p", "-1"}), kExitUsage);
  EXPECT_EQ(usage_code({"produce", "t", "-H", "=v"}), kExitUsage);
  EXPECT_EQ(usage_code({"produce"}), kExitUsage);
}

TEST(Options, ConsumeStartPositionsExcludeEachOther) {
  EXPECT_EQ(parse_ok({"consume", "t"}).consume.start, StartFrom::end);
  EXPECT_EQ(parse_ok({"consume", "t", "--from-beginning"}).consume.start, StartFrom::beginning);
  CliOptions at = parse_ok({"consume", "t", "--offset", "7", "-n", "3", "-p", "1", "--format", "json",
                            "--timeout-ms", "250"});
  EXPECT_EQ(at.consume.start, StartFrom::offset);
  EXPECT_EQ(at.consume.start_value, 7);
  EXPECT_EQ(at.consume.count, 3);
  EXPECT_EQ(at.consume.partition, 1);
  EXPECT_EQ(at.consume.format, OutputFormat::json);
  EXPECT_EQ(at.consume.timeout_ms, 250);
  CliOptions ts = parse_ok({"consume", "t", "--timestamp", "1700000000000", "--format", "kv"});
  EXPECT_EQ(ts.consume.start, StartFrom::timestamp);
  EXPECT_EQ(ts.consume.start_value, 1700000000000);
  EXPECT_EQ(ts.consume.format, OutputFormat::kv);
  EXPECT_FALSE(ts.consume.count);
  EXPECT_EQ(usage_code({"consume", "t", "--from-beginning", "--from-end"}), kExitUsage);
  EXPECT_EQ(usage_code({"consume", "t", "--offset", "1", "--timestamp", "2"}), kExitUsage);
  EXPECT_EQ(usage_code({"consume", "t", "--format", "xml"}), kExitUsage);
  EXPECT_EQ(usage_code({"consume", "t", "--count", "0"}), kExitUsage);
}

TEST(Options, Perf) {
  CliOptions p = parse_ok({"perf", "produce", "t", "--records", "100", "--record-size", "10", "--throughput", "-1",
                           "--compression", "lz4", "--json"});
  EXPECT_EQ(p.command, Command::perf_produce);
  EXPECT_EQ(p.perf.records, 100);
  EXPECT_EQ(p.perf.record_size, 10);
  EXPECT_EQ(p.perf.throughput, -1);
  EXPECT_EQ(p.perf.producer.compression, protocol::CompressionType::lz4);
  EXPECT_TRUE(p.perf.json);
  EXPECT_EQ(parse_ok({"perf", "consume", "t", "-n", "5"}).command, Command::perf_consume);
  EXPECT_EQ(usage_code({"perf", "produce", "t"}), kExitUsage);  // --records is required
}

TEST(Options, UsageErrorsAndHelp) {
  EXPECT_EQ(usage_code({}), kExitUsage);
  EXPECT_EQ(usage_code({"topic"}), kExitUsage);
  EXPECT_EQ(usage_code({"nonsense"}), kExitUsage);
  EXPECT_EQ(usage_code({"topic", "create", "x", "--partitions", "many"}), kExitUsage);
  ParseOutcome help = parse_command_line({"consume", "--help"});
  EXPECT_FALSE(help.options);
  EXPECT_EQ(help.exit_code, kExitOk);
  EXPECT_NE(help.text.find("--from-beginning"), std::string::npos);
}

TEST(Options, Helpers) {
  EXPECT_EQ(split_key_value("a=b=c"), (std::pair<std::string, std::string>{"a", "b=c"}));
  EXPECT_EQ(split_key_value("a="), (std::pair<std::string, std::string>{"a", ""}));
  EXPECT_FALSE(split_key_value("=b"));
  EXPECT_FALSE(split_key_value("ab"));
  EXPECT_EQ(parse_acks("-1"), -1);
  EXPECT_FALSE(parse_acks("everything"));
  EXPECT_EQ(parse_compression("snappy"), protocol::CompressionType::snappy);
  EXPECT_FALSE(parse_compression("SNAPPY"));
}

TEST(Options, GroupConsume) {
  ParseOutcome p = parse_command_line({"consume", "t", "--group", "g", "--at-most-once", "--session-timeout-ms", "6000"});
  ASSERT_TRUE(p.options) << p.text;
  EXPECT_EQ(p.options->consume.group, "g");
  EXPECT_TRUE(p.options->consume.at_most_once);
  EXPECT_EQ(p.options->consume.session_timeout_ms, 6000);
  ParseOutcome plain = parse_command_line({"consume", "t", "-g", "g"});
  ASSERT_TRUE(plain.options);
  EXPECT_FALSE(plain.options->consume.at_most_once);  // at-least-once by default
  EXPECT_EQ(usage_code({"consume", "t", "--at-most-once"}), kExitUsage);  // needs --group
  EXPECT_EQ(usage_code({"consume", "t", "--group", "g", "--offset", "3"}), kExitUsage);
  EXPECT_EQ(usage_code({"consume", "t", "--group", "g", "--partition", "1"}), kExitUsage);
  EXPECT_EQ(usage_code({"consume", "t", "--group", ""}), kExitUsage);
}

TEST(Options, GroupCommands) {
  ParseOutcome list = parse_command_line({"group", "list"});
  ASSERT_TRUE(list.options);
  EXPECT_EQ(list.options->command, Command::group_list);
  ParseOutcome del = parse_command_line({"group", "delete", "a", "b"});
  ASSERT_TRUE(del.options);
  EXPECT_EQ(del.options->group.groups, (std::vector<std::string>{"a", "b"}));
  ParseOutcome reset = parse_command_line(
      {"group", "reset-offsets", "g", "--topic", "t:0,2", "--topic", "u", "--shift-by", "-5", "--execute"});
  ASSERT_TRUE(reset.options) << reset.text;
  const GroupOptions& g = reset.options->group;
  EXPECT_EQ(reset.options->command, Command::group_reset_offsets);
  EXPECT_EQ(g.to, ResetTo::shift_by);
  EXPECT_EQ(g.value, -5);
  EXPECT_TRUE(g.execute);
  EXPECT_EQ(g.topics.at("t"), (std::vector<int32_t>{0, 2}));
  EXPECT_TRUE(g.topics.at("u").empty());
  ParseOutcome at = parse_command_line({"group", "reset-offsets", "g", "-t", "t", "--to-datetime", "1970-01-01T00:00:01.5Z"});
  ASSERT_TRUE(at.options) << at.text;
  EXPECT_EQ(at.options->group.value, 1500);
  EXPECT_FALSE(at.options->group.execute);  // a dry run by default
  EXPECT_EQ(usage_code({"group", "reset-offsets", "g", "-t", "t"}), kExitUsage);  // no --to-*
  EXPECT_EQ(usage_code({"group", "reset-offsets", "g", "-t", "t", "--to-earliest", "--to-latest"}), kExitUsage);
  EXPECT_EQ(usage_code({"group", "reset-offsets", "g", "-t", "t:x", "--to-latest"}), kExitUsage);
  EXPECT_EQ(usage_code({"group", "reset-offsets", "g", "-t", "t", "--to-offset", "-1"}), kExitUsage);
  EXPECT_EQ(usage_code({"group", "reset-offsets", "g", "--to-latest"}), kExitUsage);  // no --topic
  EXPECT_EQ(usage_code({"group", "describe"}), kExitUsage);
}

TEST(Options, Iso8601AndTopicPartitions) {
  EXPECT_EQ(parse_iso8601_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601_ms("2024-05-01T12:00:00Z"), 1714564800000);
  EXPECT_EQ(parse_iso8601_ms("2024-05-01T12:00:00"), 1714564800000);  // no zone: UTC
  EXPECT_EQ(parse_iso8601_ms("2024-05-01T14:30:00.250+02:30"), 1714564800250);
  EXPECT_EQ(parse_iso8601_ms("2000-02-29T00:00:00-01:00"), 951786000000);
  EXPECT_FALSE(parse_iso8601_ms("2024-05-01"));
  EXPECT_FALSE(parse_iso8601_ms("2024-05-01T12:00:00Q"));
  EXPECT_FALSE(parse_iso8601_ms("2024-13-01T12:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ms("yesterday"));
  EXPECT_EQ(parse_topic_partitions("t"), (std::pair<std::string, std::vector<int32_t>>{"t", {}}));
  EXPECT_EQ(parse_topic_partitions("t:3,1"), (std::pair<std::string, std::vector<int32_t>>{"t", {3, 1}}));
  EXPECT_FALSE(parse_topic_partitions(":1"));
  EXPECT_FALSE(parse_topic_partitions("t:"));
  EXPECT_FALSE(parse_topic_partitions(""));
}

}  // namespace
}  // namespace sluice::tools
