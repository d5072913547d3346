// PartitionStateMachine: every leader/ISR decision the controller makes, in one place (Kafka's
// PartitionStateMachine and PartitionLeaderElectionAlgorithms). The decisions are pure functions
// (unit-tested); the class writes them to the partition state znodes, fenced by the controller
// epoch's zkVersion and conditional on each znode's version, and records them in the context.
// Owner: the KafkaController's strand.
// Issue 4 grows it: ISR shrink on broker failure for followers, preferred and controlled-shutdown
// elections, unclean election per topic config.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "client/asio.h"
#include "coordination/controller_context.h"
#include "coordination/kafka_zk_client.h"

namespace sluice::coordination {

// A new partition: leader = first live replica in assignment order, ISR = the live replicas,
// leader epoch 0. nullopt when no replica is live (the partition stays new).
std::optional<LeaderAndIsr> new_partition_leader(const std::vector<BrokerId>& replicas,
                                                 const std::function<bool(BrokerId)>& is_live);

// A partition whose leader is not live (Kafka's offline election, clean only): the first replica
// in assignment order that is live and in the ISR leads; the ISR drops dead members unless none
// is live, when the leader becomes -1 and the ISR is kept (the last member stays listed). The
// leader epoch goes up by one. nullopt when nothing changes (the leader is live).
std::optional<LeaderAndIsr> offline_partition_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                     const std::function<bool(BrokerId)>& is_live);

class PartitionStateMachine {
 public:
  PartitionStateMachine(KafkaZkClient& zk, ControllerContext& context) : zk_(zk), context_(context) {}

  // Creates the state znode of each partition in `partitions` that has none (in the context) and
  // a live replica. Returns the partitions it created. controller_moved aborts the whole call.
  asio::awaitable<Result<std::vector<TopicPartition>>> elect_new(std::vector<TopicPartition> partitions);
  // Re-elects each partition in `partitions` whose leader is not live. Returns those changed. A
  // bad_version (another writer) re-reads that partition's state and skips it.
  asio::awaitable<Result<std::vector<TopicPartition>>> elect_offline(std::vector<TopicPartition> partitions);

 private:
  [[nodiscard]] bool is_live(BrokerId id) const { return context_.is_live(id); }

  KafkaZkClient& zk_;
  ControllerContext& context_;
};

}  // namespace sluice::coordination
