#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client/errc.h"
#include "tools/format.h"

namespace sluice::tools {
namespace {

Bytes bytes(std::string_view s) {
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  return b;
}

client::ConsumerRecord record() {
  client::ConsumerRecord r;
  r.topic = "t";
  r.partition = PartitionId(2);
  r.offset = Offset(41);
  r.timestamp = TimestampMs(1700000000123);
  r.key = bytes("k");
  r.value = bytes("v \"quoted\"");
  r.headers.push_back({"h1", bytes("x")});
  r.headers.push_back({"h2", std::nullopt});
  return r;
}

TEST(Format, ValueAndKeyValue) {
  EXPECT_EQ(format_record(record(), OutputFormat::value, "\t"), "v \"quoted\"");
  EXPECT_EQ(format_record(record(), OutputFormat::kv, "\t"), "k\tv \"quoted\"");
  client::ConsumerRecord tombstone = record();
  tombstone.key.reset();
  tombstone.value.reset();
  EXPECT_EQ(format_record(tombstone, OutputFormat::kv, "="), "=");
}

TEST(Format, JsonCarriesEveryField) {
  const auto j = nlohmann::json::parse(format_record(record(), OutputFormat::json, "\t"));
  EXPECT_EQ(j["topic"], "t");
  EXPECT_EQ(j["partition"], 2);
  EXPECT_EQ(j["offset"], 41);
  EXPECT_EQ(j["timestamp"], 1700000000123);
  EXPECT_EQ(j["key"], "k");
  EXPECT_EQ(j["value"], "v \"quoted\"");
  ASSERT_EQ(j["headers"].size(), 2u);
  EXPECT_EQ(j["headers"][0]["key"], "h1");
  EXPECT_EQ(j["headers"][0]["value"], "x");
  EXPECT_TRUE(j["headers"][1]["value"].is_null());
  client::ConsumerRecord odd = record();
  odd.key.reset();
  odd.value = bytes("\xff\xfe");  // not UTF-8: replaced, never an exception
  const auto k = nlohmann::json::parse(format_record(odd, OutputFormat::json, "\t"));
  EXPECT_TRUE(k["key"].is_null());
  EXPECT_TRUE(k["value"].is_string());
}

TEST(Format, ErrorLines) {
  const client::ApiError exists{client::broker_error(protocol::ErrorCode::topic_already_exists), ""};
  EXPECT_EQ(topic_error_line("topic create", "x", exists),
            "sluice: topic create: TOPIC_ALREADY_EXISTS: topic 'x' already exists");
  const client::ApiError explained{client::broker_error(protocol::ErrorCode::invalid_config), "bad retention.ms"};
  EXPECT_EQ(topic_error_line("topic create", "x", explained), "sluice: topic create: INVALID_CONFIG: bad retention.ms");
  EXPECT_EQ(error_line("cluster info", client::Errc::timed_out), "sluice: cluster info: request timed out");
}

TEST(Format, TopicAndCluster) {
  client::TopicInfo t;
  t.name = "orders";
  client::PartitionInfo p;
  p.id = PartitionId(0);
  p.leader = BrokerId(1);
  p.replicas = {BrokerId(1), BrokerId(2)};
  p.isr = {BrokerId(1)};
  t.partitions.push_back(p);
  client::ConfigEntry retention;
  retention.name = "retention.ms";
  retention.value = "1000";
  EXPECT_EQ(format_topic(t, {retention}),
            "Topic: orders\tPartitions: 1\tReplicationFactor: 2\n"
            "\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1\tUnderReplicated\n"
            "Configs:\n\tretention.ms=1000\n");
  client::PartitionInfo healthy;
  healthy.id = PartitionId(1);
  healthy.leader = BrokerId(2);
  healthy.replicas = {BrokerId(2), BrokerId(1)};
  healthy.isr = {BrokerId(2), BrokerId(1)};
  client::PartitionInfo offline;
  offline.id = PartitionId(2);
  offline.leader = BrokerId(-1);
  offline.replicas = {BrokerId(1), BrokerId(2)};
  offline.isr = {BrokerId(1), BrokerId(2)};
  t.partitions.push_back(healthy);
  t.partitions.push_back(offline);
  EXPECT_EQ(format_topic(t, {}),
            "Topic: orders\tPartitions: 3\tReplicationFactor: 2\n"
            "\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1\tUnderReplicated\n"
            "\tPartition: 1\tLeader: 2\tReplicas: 2,1\tIsr: 2,1\n"
            "\tPartition: 2\tLeader: -1\tReplicas: 1,2\tIsr: 1,2\tUnavailable\n"
            "Configs: (none)\n");
  EXPECT_EQ(format_topic(t, {}, PartitionFilter::under_replicated),
            "Topic: orders\tPartitions: 3\tReplicationFactor: 2\n"
            "\tPartition: 0\tLeader: 1\tReplicas: 1,2\tIsr: 1\tUnderReplicated\n"
            "Configs: (none)\n");
  EXPECT_EQ(format_topic(t, {}, PartitionFilter::unavailable),
            "Topic: orders\tPartitions: 3\tReplicationFactor: 2\n"
            "\tPartition: 2\tLeader: -1\tReplicas: 1,2\tIsr: 1,2\tUnavailable\n"
            "Configs: (none)\n");
  client::ClusterDescription c;
  c.cluster_id = "abc";
  c.controller = BrokerId(1);
  c.brokers.push_back({BrokerId(1), "h1", 9092, std::nullopt});
  c.brokers.push_back({BrokerId(2), "h2", 9093, "r2"});
  EXPECT_EQ(format_cluster(c),
            "Cluster id: abc\nController: 1\nBrokers:\n\t1\th1:9092\t(controller)\n\t2\th2:9093\track=r2\n");
}

TEST(Format, PerfSummaries) {
  LatencyHistogram h;
  for (uint64_t us = 1000; us <= 100'000; us += 1000) h.record(us);  // 1..100 ms
  PerfProduceSummary s;
  s.records = 100;
  s.bytes = 100 * 1024 * 1024 / 100 * 100;
  s.seconds = 2.0;
  s.latency = &h;
  const auto j = nlohmann::json::parse(format_perf_produce(s, true));
  EXPECT_DOUBLE_EQ(j["records_per_sec"].get<double>(), 50.0);
  EXPECT_NEAR(j["mb_per_sec"].get<double>(), 50.0, 0.01);
  EXPECT_NEAR(j["latency_ms"]["p50"].get<double>(), 50.0, 1.0);
  EXPECT_NEAR(j["latency_ms"]["p99"].get<double>(), 99.0, 1.6);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["max"].get<double>(), 100.0);
  const std::string line = format_perf_produce(s, false);
  EXPECT_NE(line.find("100 records, 50.0 records/s"), std::string::npos) << line;
  EXPECT_NE(line.find("p99.9"), std::string::npos) << line;
  PerfConsumeSummary c{.records = 10, .bytes = 0, .seconds = 0.5};
  EXPECT_EQ(nlohmann::json::parse(format_perf_consume(c, true))["records_per_sec"], 20.0);
}

TEST(Format, GroupDescriptionAndResetPlan) {
  client::GroupDescription d;
  d.group_id = "g";
  d.state = "Stable";
  d.protocol_type = "consumer";
  d.protocol = "range";
  d.coordinator = BrokerId(1);
  client::GroupMemberDescription m;
  m.member_id = "sluice-1";
  m.client_id = "sluice";
  m.client_host = "/127.0.0.1";
  m.assignment = client::MemberAssignment{};
  m.assignment->partitions["t"] = {PartitionId(0), PartitionId(1)};
  d.members.push_back(m);
  const std::map<TopicPartition, Offset> committed = {{{"t", PartitionId(0)}, Offset(5)}, {{"u", PartitionId(2)}, Offset(1)}};
  const std::map<TopicPartition, Offset> ends = {
      {{"t", PartitionId(0)}, Offset(8)}, {{"t", PartitionId(1)}, Offset(3)}, {{"u", PartitionId(2)}, Offset(1)}};
  EXPECT_EQ(format_group(d, committed, ends),
            "Group: g\tState: Stable\tProtocol: consumer/range\tCoordinator: 1\n"
            "Members: 1\n"
            "\tMEMBER\tCLIENT-ID\tHOST\tASSIGNMENT\n"
            "\tsluice-1\tsluice\t/127.0.0.1\tt-0,t-1\n"
            "TOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tOWNER\n"
            "t\t0\t5\t8\t3\tsluice-1\n"
            "t\t1\t-\t3\t-\tsluice-1\n"
            "u\t2\t1\t1\t0\t-\n");
  EXPECT_EQ(format_reset_plan({{{"t", PartitionId(0)}, Offset(5), Offset(0)}, {{"t", PartitionId(1)}, std::nullopt, Offset(3)}}),
            "TOPIC\tPARTITION\tCURRENT\tNEW\nt\t0\t5\t0\nt\t1\t-\t3\n");
}

}  // namespace
}  // namespace sluice::tools
