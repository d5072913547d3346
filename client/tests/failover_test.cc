#include <thread>

#include "client/tests/client_fixture.h"

namespace sluice::client::testing {
namespace {

std::vector<ProducerRecord> values(const std::string& topic, int from, int count) {
  std::vector<ProducerRecord> out;
  for (int i = from; i < from + count; ++i) {
    out.push_back(ProducerRecord{.topic = topic, .value = bytes(numbered("v", i)), .partition = PartitionId(0)});
  }
  return out;
}

BrokerId leader_of(KafkaClient& client, const std::string& topic) {
  return client.metadata().topic(topic)->partitions.at(0).leader;
}

TEST_F(ClientTest, LeaderChangeIsFollowedByMetadataRefresh) {
  cluster_.create_topic("moving", 1);
  Producer producer(*client_, ProducerConfig{.linger = std::chrono::milliseconds(1)});
  for (const auto& r : run(produce_all(&producer, values("moving", 0, 5)))) ASSERT_FALSE(r.error);
  const int old_leader = leader_of(*client_, "moving").value();
  const int new_leader = old_leader % 3 + 1;
  cluster_.set_leader("moving", 0, new_leader);
  for (const auto& r : run(produce_all(&producer, values("moving", 5, 5)))) {
    ASSERT_FALSE(r.error) << r.error.message();
  }
  run(producer.close());
  EXPECT_EQ(leader_of(*client_, "moving"), BrokerId(new_leader));
  auto consumed = consume_from({{TopicPartition{"moving", PartitionId(0)}, StartOffset::earliest()}}, 10);
  ASSERT_EQ(consumed.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(text(*consumed[static_cast<size_t>(i)].value), numbered("v", i));
}

TEST_F(ClientTest, ConsumerFollowsTheLeaderWhenItMoves) {
  cluster_.create_topic("follow", 1);
  Producer producer(*client_, ProducerConfig{});
  run(produce_all(&producer, values("follow", 0, 3)));
  const TopicPartition tp{"follow", PartitionId(0)};
  Consumer consumer(*client_, ConsumerConfig{});
  ASSERT_TRUE(run(consumer.assign({{tp, StartOffset::earliest()}})));
  auto first = run(consume(&consumer, 3, std::chrono::seconds(5)));
  ASSERT_TRUE(first);
  ASSERT_EQ(first.value().size(), 3u);
  cluster_.set_leader("follow", 0, leader_of(*client_, "follow").value() % 3 + 1);
  run(produce_all(&producer, values("follow", 3, 3)));
  run(producer.close());
  auto second = run(consume(&consumer, 3, std::chrono::seconds(10)));
  ASSERT_TRUE(second) << second.error().message();
  ASSERT_EQ(second.value().size(), 3u);
  EXPECT_EQ(second.value()[0].offset, Offset(3));
}

TEST_F(ClientTest, BrokerDownGivesRetriesThenSuccessWhenItIsBack) {
  cluster_.create_topic("outage", 1);
  Producer producer(*client_, ProducerConfig{.linger = std::chrono::milliseconds(1),
                                             .retry_backoff = std::chrono::milliseconds(50),
                                             .delivery_timeout = std::chrono::seconds(15),
                                             .request_timeout = std::chrono::seconds(2)});
  for (const auto& r : run(produce_all(&producer, values("outage", 0, 2)))) ASSERT_FALSE(r.error);
  const int leader = leader_of(*client_, "outage").value();
  cluster_.set_down(leader);
  auto pending = asio::co_spawn(client_->executor(), produce_all(&producer, values("outage", 2, 3)), asio::use_future);
  EXPECT_EQ(pending.wait_for(std::chrono::milliseconds(700)), std::future_status::timeout);
  cluster_.set_up(leader);
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(15)), std::future_status::ready);
  for (const auto& r : pending.get()) EXPECT_FALSE(r.error) << r.error.message();
  run(producer.close());
  EXPECT_EQ(consume_from({{TopicPartition{"outage", PartitionId(0)}, StartOffset::earliest()}}, 5).size(), 5u);
}

TEST_F(ClientTest, DeliveryTimeoutFailsRecordsThatCannotBeSent) {
  cluster_.create_topic("stuck", 1);
  Producer producer(*client_, ProducerConfig{.linger = std::chrono::milliseconds(1),
                                             .retry_backoff = std::chrono::milliseconds(50),
                                             .delivery_timeout = std::chrono::milliseconds(800),
                                             .request_timeout = std::chrono::milliseconds(300)});
  for (const auto& r : run(produce_all(&producer, values("stuck", 0, 1)))) ASSERT_FALSE(r.error);
  const int leader = leader_of(*client_, "stuck").value();
  cluster_.set_down(leader);
  auto reports = run(produce_all(&producer, values("stuck", 1, 2)));
  ASSERT_EQ(reports.size(), 2u);
  for (const auto& r : reports) EXPECT_TRUE(is_retriable(r.error) || r.error == Errc::delivery_timeout) << r.error.message();
  cluster_.set_up(leader);
  run(producer.close());
}

}  // namespace
}  // namespace sluice::client::testing
