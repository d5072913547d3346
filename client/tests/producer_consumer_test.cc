#include <librdkafka/rdkafka.h>

#include <map>
#include <tuple>

#include "client/partitioner.h"
#include "client/tests/client_fixture.h"

namespace sluice::client::testing {
namespace {

using protocol::CompressionType;

ProducerRecord keyed(const std::string& topic, int i) {
  ProducerRecord r;
  r.topic = topic;
  r.key = bytes(numbered("key-", i));
  r.value = bytes(std::string(static_cast<size_t>(50 + i), static_cast<char>('a' + i % 26)));
  r.headers.push_back({.key = "h", .value = bytes(std::to_string(i))});
  r.timestamp = TimestampMs(1'600'000'000'000 + i);
  return r;
}

class RoundTrip : public ClientTest, public ::testing::WithParamInterface<std::tuple<CompressionType, int16_t>> {};

TEST_P(RoundTrip, KeyedRecordsComeBackByteExactOnTheirMurmur2Partitions) {
  const auto [codec, acks] = GetParam();
  const std::string topic = numbered("rt-", static_cast<int>(codec)) + numbered("-", acks);
  cluster_.create_topic(topic, 3);
  Producer producer(*client_, ProducerConfig{.acks = acks, .compression = codec, .linger = std::chrono::milliseconds(20)});
  std::vector<ProducerRecord> records;
  for (int i = 0; i < 60; ++i) records.push_back(keyed(topic, i));
  auto reports = run(produce_all(&producer, records));
  run(producer.close());
  ASSERT_EQ(reports.size(), records.size());
  for (const auto& report : reports) ASSERT_FALSE(report.error) << report.error.message();

  std::vector<Assignment> all;
  for (int p = 0; p < 3; ++p) all.push_back({TopicPartition{topic, PartitionId(p)}, StartOffset::earliest()});
  auto consumed = consume_from(all, records.size());
  ASSERT_EQ(consumed.size(), records.size());
  std::map<int32_t, int64_t> next_offset;
  std::map<std::string, const ProducerRecord*> by_key;
  for (const auto& r : records) by_key[text(*r.key)] = &r;
  for (const auto& c : consumed) {
    const ProducerRecord& sent = *by_key.at(text(*c.key));
    EXPECT_EQ(c.partition, partition_for_key(*sent.key, 3));
    EXPECT_EQ(c.offset.value(), next_offset[c.partition.value()]++);  // in order, no gaps
    EXPECT_EQ(c.value, sent.value);
    EXPECT_EQ(c.headers, sent.headers);
    EXPECT_EQ(c.timestamp, *sent.timestamp);
  }
}

INSTANTIATE_TEST_SUITE_P(CodecsAndAcks, RoundTrip,
                         ::testing::Combine(::testing::Values(CompressionType::none, CompressionType::gzip,
                                                              CompressionType::snappy, CompressionType::lz4,
                                                              CompressionType::zstd),
                                            ::testing::Values(int16_t{1}, int16_t{-1})));

TEST_F(ClientTest, ExplicitPartitionAndAwaitedReport) {
  cluster_.create_topic("explicit", 4);
  Producer producer(*client_, ProducerConfig{.linger = std::chrono::milliseconds(1)});
  ProducerRecord r = keyed("explicit", 1);
  r.partition = PartitionId(2);
  r.value = std::nullopt;  // a tombstone comes back null, not empty
  const DeliveryReport report = run(producer.produce(r));
  run(producer.close());
  ASSERT_FALSE(report.error) << report.error.message();
  EXPECT_EQ(report.partition, PartitionId(2));
  EXPECT_EQ(report.offset, Offset(0));
  auto consumed = consume_from({{TopicPartition{"explicit", PartitionId(2)}, StartOffset::earliest()}}, 1);
  ASSERT_EQ(consumed.size(), 1u);
  EXPECT_FALSE(consumed[0].value.has_value());
  EXPECT_EQ(consumed[0].key, r.key);
}

TEST_F(ClientTest, AcksZeroDeliversWithoutOffsets) {
  cluster_.create_topic("acks0", 1);
  Producer producer(*client_, ProducerConfig{.acks = 0});
  std::vector<ProducerRecord> records;
  for (int i = 0; i < 5; ++i) records.push_back(keyed("acks0", i));
  auto reports = run(produce_all(&producer, records));
  run(producer.close());
  ASSERT_EQ(reports.size(), 5u);
  for (const auto& r : reports) {
    EXPECT_FALSE(r.error);
    EXPECT_EQ(r.offset, Offset(-1));
  }
  EXPECT_EQ(consume_from({{TopicPartition{"acks0", PartitionId(0)}, StartOffset::earliest()}}, 5).size(), 5u);
}

TEST_F(ClientTest, KeylessRecordsStickToOnePartitionPerBatch) {
  cluster_.create_topic("sticky", 6);
  Producer producer(*client_, ProducerConfig{.linger = std::chrono::milliseconds(50)});
  std::vector<ProducerRecord> records;
  for (int i = 0; i < 10; ++i) records.push_back(ProducerRecord{.topic = "sticky", .value = bytes("v")});
  auto reports = run(produce_all(&producer, records));
  run(producer.close());
  ASSERT_EQ(reports.size(), 10u);
  for (const auto& r : reports) EXPECT_EQ(r.partition, reports[0].partition);
}

TEST_F(ClientTest, StartPositionsResolveWithListOffsets) {
  cluster_.create_topic("positions", 1);
  Producer producer(*client_, ProducerConfig{});
  std::vector<ProducerRecord> records;
  for (int i = 0; i < 8; ++i) records.push_back(keyed("positions", i));
  run(produce_all(&producer, records));
  run(producer.close());
  const TopicPartition tp{"positions", PartitionId(0)};
  Consumer consumer(*client_, ConsumerConfig{});
  ASSERT_TRUE(run(consumer.assign({{tp, StartOffset::latest()}})));
  EXPECT_EQ(consumer.position(tp), Offset(8));
  ASSERT_TRUE(run(consumer.assign({{tp, StartOffset::earliest()}})));
  EXPECT_EQ(consumer.position(tp), Offset(0));
  // No record at or after a time far ahead: the log end (KIP-79's -1 answer).
  ASSERT_TRUE(run(consumer.assign({{tp, StartOffset::at_time(TimestampMs(4'000'000'000'000))}})));
  EXPECT_EQ(consumer.position(tp), Offset(8));
  auto from_five = consume_from({{tp, StartOffset::at(Offset(5))}}, 3);
  ASSERT_EQ(from_five.size(), 3u);
  EXPECT_EQ(from_five[0].offset, Offset(5));
  EXPECT_EQ(from_five[0].timestamp, TimestampMs(1'600'000'000'005));
}

TEST_F(ClientTest, OffsetOutOfRangeResetsPerPolicy) {
  cluster_.create_topic("oor", 1);
  Producer producer(*client_, ProducerConfig{});
  std::vector<ProducerRecord> records;
  for (int i = 0; i < 4; ++i) records.push_back(keyed("oor", i));
  run(produce_all(&producer, records));
  run(producer.close());
  const TopicPartition tp{"oor", PartitionId(0)};
  auto earliest = consume_from({{tp, StartOffset::at(Offset(1000))}}, 4,
                               ConsumerConfig{.auto_offset_reset = OffsetReset::earliest});
  EXPECT_EQ(earliest.size(), 4u);

  Consumer strict(*client_, ConsumerConfig{.auto_offset_reset = OffsetReset::none});
  ASSERT_TRUE(run(strict.assign({{tp, StartOffset::at(Offset(1000))}})));
  auto polled = run(strict.poll(std::chrono::milliseconds(500)));
  ASSERT_FALSE(polled);
  EXPECT_EQ(as_broker_error(polled.error()), protocol::ErrorCode::offset_out_of_range);
}

TEST_F(ClientTest, UnknownTopicIsACleanError) {
  cluster_.set_topic_error("no-such-topic", RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  Producer producer(*client_, ProducerConfig{});
  ProducerRecord r = keyed("no-such-topic", 0);
  const DeliveryReport report = run(producer.produce(r));
  run(producer.close());
  EXPECT_EQ(as_broker_error(report.error), protocol::ErrorCode::unknown_topic_or_partition) << report.error.message();

  Consumer consumer(*client_, ConsumerConfig{});
  const Status st = run(consumer.assign({{TopicPartition{"no-such-topic", PartitionId(0)}, StartOffset::earliest()}}));
  ASSERT_FALSE(st);
  EXPECT_EQ(as_broker_error(st.error()), protocol::ErrorCode::unknown_topic_or_partition) << st.error().message();
}

TEST(Murmur2Interop, MatchesLibrdkafkaMurmur2Partitioner) {
  for (int i = 0; i < 500; ++i) {
    const std::string key = numbered("k", i * 7919);
    const int32_t theirs = rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), 17, nullptr, nullptr);
    EXPECT_EQ(partition_for_key(as_bytes(key), 17), PartitionId(theirs)) << key;
  }
}

}  // namespace
}  // namespace sluice::client::testing
