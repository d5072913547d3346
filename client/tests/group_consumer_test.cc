// GroupConsumer against librdkafka's mock cluster, which implements the group coordinator
// (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch):
// two members share a topic's partitions, the records all arrive, commits are honoured by the
// next member of the group.
#include <memory>
#include <set>

#include "client/group_consumer.h"
#include "client/tests/client_fixture.h"

namespace sluice::client::testing {
namespace {

GroupConsumerConfig group_config(const std::string& group) {
  GroupConsumerConfig c;
  c.group_id = group;
  c.session_timeout = std::chrono::milliseconds(6'000);
  c.heartbeat_interval = std::chrono::milliseconds(200);
  c.rebalance_timeout = std::chrono::milliseconds(10'000);
  c.consumer.auto_offset_reset = OffsetReset::earliest;
  c.consumer.fetch_max_wait = std::chrono::milliseconds(100);
  return c;
}

struct Shared {
  std::set<std::string> values;  // distinct record values seen by either member
  size_t want = 0;
  bool stop = false;
  std::vector<std::vector<TopicPartition>> assignments{2};
};

// Subscribes, then polls and commits after each batch (at-least-once) until the members
// together saw `want` distinct records and both hold partitions, or `limit` passes.
asio::awaitable<Status> member(GroupConsumer* c, int index, std::string topic, Shared* shared,
                               std::chrono::seconds limit) {
  std::vector<std::string> topics(1, topic);
  SLUICE_CO_TRY(co_await c->subscribe(std::move(topics)));
  const auto deadline = Clock::now() + limit;
  while (!shared->stop && Clock::now() < deadline) {
    SLUICE_CO_TRY(auto batch, co_await c->poll(std::chrono::milliseconds(100)));
    for (const auto& r : batch) shared->values.insert(text(*r.value));
    Status committed = co_await c->commit();
    if (!committed) spdlog::info("member {}: commit failed: {}", index, committed.error().message());
    shared->assignments[static_cast<size_t>(index)] = c->assignment();
    if (shared->values.size() >= shared->want && !shared->assignments[0].empty() &&
        !shared->assignments[1].empty() &&
        shared->assignments[0].size() + shared->assignments[1].size() == 4) {
      shared->stop = true;
    }
  }
  co_return ok();
}

asio::awaitable<Result<std::vector<ConsumerRecord>>> join_and_consume(GroupConsumer* c, std::string topic,
                                                                      size_t want, std::chrono::milliseconds limit) {
  std::vector<std::string> topics(1, topic);
  SLUICE_CO_TRY(co_await c->subscribe(std::move(topics)));
  std::vector<ConsumerRecord> all;
  const auto deadline = Clock::now() + limit;
  while (all.size() < want && Clock::now() < deadline) {
    SLUICE_CO_TRY(auto batch, co_await c->poll(std::chrono::milliseconds(100)));
    for (auto& r : batch) all.push_back(std::move(r));
  }
  co_return all;
}

std::vector<ProducerRecord> numbered_records(const std::string& topic, int from, int to) {
  std::vector<ProducerRecord> out;
  for (int i = from; i < to; ++i) {
    ProducerRecord r;
    r.topic = topic;
    r.key = bytes(numbered("k", i));
    r.value = bytes(numbered("v", i));
    out.push_back(std::move(r));
  }
  return out;
}

TEST_F(ClientTest, GroupMembersSharePartitionsAndCommitsAreHonoured) {
  const std::string topic = "shared";
  cluster_.create_topic(topic, 4);
  {
    Producer producer(*client_, ProducerConfig{.acks = -1, .linger = std::chrono::milliseconds(5)});
    auto reports = run(produce_all(&producer, numbered_records(topic, 0, 40)));
    run(producer.close());
    for (const auto& r : reports) ASSERT_FALSE(r.error) << r.error.message();
  }

  GroupConsumer a(*client_, group_config("g1"));
  GroupConsumer b(*client_, group_config("g1"));
  Shared shared;
  shared.want = 40;
  auto fa = io_.spawn(client_->executor(), member(&a, 0, topic, &shared, std::chrono::seconds(40)));
  auto fb = io_.spawn(client_->executor(), member(&b, 1, topic, &shared, std::chrono::seconds(40)));
  ASSERT_EQ(fa.wait_for(std::chrono::seconds(50)), std::future_status::ready);
  ASSERT_EQ(fb.wait_for(std::chrono::seconds(50)), std::future_status::ready);
  auto ra = std::move(*fa.get());
  auto rb = std::move(*fb.get());
  ASSERT_TRUE(ra) << ra.error().message();
  ASSERT_TRUE(rb) << rb.error().message();
  EXPECT_EQ(shared.values.size(), 40u);
  // Disjoint and covering.
  std::set<TopicPartition> owned;
  for (const auto& assignment : shared.assignments) {
    EXPECT_FALSE(assignment.empty());
    for (const auto& tp : assignment) EXPECT_TRUE(owned.insert(tp).second) << tp.to_string();
  }
  EXPECT_EQ(owned.size(), 4u);
  EXPECT_EQ(a.generation(), b.generation());
  run(a.close());
  run(b.close());

  // A new member of the group starts at the committed offsets: only the new records arrive.
  {
    Producer producer(*client_, ProducerConfig{.acks = -1, .linger = std::chrono::milliseconds(5)});
    auto reports = run(produce_all(&producer, numbered_records(topic, 40, 44)));
    run(producer.close());
  }
  GroupConsumer c(*client_, group_config("g1"));
  auto rest = run(join_and_consume(&c, topic, 5, std::chrono::milliseconds(8'000)));
  ASSERT_TRUE(rest) << rest.error().message();
  std::set<std::string> values;
  for (const auto& r : rest.value()) values.insert(text(*r.value));
  EXPECT_EQ(values, (std::set<std::string>{"v40", "v41", "v42", "v43"}));
  EXPECT_EQ(c.assignment().size(), 4u);
  run(c.close());
}

TEST_F(ClientTest, GroupConsumerRejectsAnEmptyGroupId) {
  GroupConsumer c(*client_, group_config(""));
  std::vector<std::string> topics(1, "t");
  Status st = run(c.subscribe(topics));
  EXPECT_FALSE(st);
  run(c.close());
}

}  // namespace
}  // namespace sluice::client::testing
