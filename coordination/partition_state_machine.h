// PartitionStateMachine: every leader/ISR decision the controller makes, in one place (Kafka's
// PartitionStateMachine, PartitionLeaderElectionAlgorithms and the OfflineReplica ISR removal).
// The decisions are pure functions (unit-tested); the class writes them to the partition state
// znodes, fenced by the controller epoch's zkVersion and conditional on each znode's version,
// in batches (one multi per batch), and records them in the context.
// Owner: the KafkaController's strand.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/asio.h"
#include "coordination/controller_context.h"
#include "coordination/kafka_zk_client.h"

namespace sluice::coordination {

using IsLive = std::function<bool(BrokerId)>;

// A new partition: leader = first live replica in assignment order, ISR = the live replicas,
// leader epoch 0. nullopt when no replica is live (the partition stays new).
std::optional<LeaderAndIsr> new_partition_leader(const std::vector<BrokerId>& replicas, const IsLive& is_live);

// A partition whose leader is not live (Kafka's OfflinePartitionLeaderElectionStrategy): the first
// replica in assignment order that is live and in the ISR leads and the ISR drops dead members.
// With none, and `unclean` allowed, the first live replica leads with an ISR of itself (data may
// be lost); otherwise the leader becomes -1 and the ISR is kept. The leader epoch goes up by one.
// nullopt when nothing changes (the leader is live, or it was already offline and still is).
std::optional<LeaderAndIsr> offline_partition_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                     const IsLive& is_live, bool unclean = false);

// Kafka's removeReplicasFromIsr: each of `gone` leaves the ISR unless it is the last member (which
// stays listed); a removed leader makes the leader -1. Epoch bumped. nullopt when none is in it.
std::optional<LeaderAndIsr> remove_replicas_from_isr(const LeaderAndIsr& current, const std::set<BrokerId>& gone);

// Kafka's ControlledShutdownPartitionLeaderElectionStrategy: the first replica in assignment order
// that is live, in the ISR and not shutting down leads; the ISR drops the shutting-down brokers.
// nullopt when the leader is not shutting down, or when nobody else can lead.
std::optional<LeaderAndIsr> controlled_shutdown_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                       const IsLive& is_live, const std::set<BrokerId>& shutting_down);

// Kafka's PreferredReplicaPartitionLeaderElectionStrategy: the first assigned replica leads if it
// is live and in the ISR. nullopt when it already leads or cannot.
std::optional<LeaderAndIsr> preferred_replica_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& replicas,
                                                     const IsLive& is_live);

// The end of a reassignment (Kafka's ReassignPartitionLeaderElectionStrategy): the ISR keeps the
// target replicas it has, in target order; the leader stays if it is one of them and live, else
// the first live one leads. The leader epoch goes up by one. nullopt when no target replica is
// live and in the ISR (the reassignment cannot finish yet).
std::optional<LeaderAndIsr> reassignment_leader(const LeaderAndIsr& current, const std::vector<BrokerId>& target,
                                                const IsLive& is_live);

// Kafka's checkAndTriggerAutoLeaderRebalance figure: for each broker that is the preferred (first)
// replica of some partition, the fraction of those partitions it does not lead.
std::map<BrokerId, double> leader_imbalance(const ControllerContext& context);
// The partitions preferred by a broker whose imbalance exceeds `percentage`/100, which it does
// not lead, whose preferred replica is live and in the ISR, and whose topic is not being deleted.
std::vector<TopicPartition> rebalance_candidates(const ControllerContext& context, int32_t percentage);

class PartitionStateMachine {
 public:
  // Partition states written per multi.
  static constexpr size_t kBatchSize = 200;
  // Whether a topic allows unclean leader election (the broker default or its override).
  using UncleanLookup = std::function<asio::awaitable<bool>(std::string topic)>;

  PartitionStateMachine(KafkaZkClient& zk, ControllerContext& context) : zk_(zk), context_(context) {}

  void set_unclean_lookup(UncleanLookup lookup) { unclean_ = std::move(lookup); }

  // Creates the state znode of each partition in `partitions` that has none (in the context) and
  // a live replica. Returns the partitions it created. controller_moved aborts the whole call.
  asio::awaitable<Result<std::vector<TopicPartition>>> elect_new(std::vector<TopicPartition> partitions);
  // Re-elects each partition in `partitions` whose leader is not live. Returns those changed. A
  // bad_version (another writer) re-reads that partition's state and skips it.
  // With `force_unclean` (ElectLeaders of type unclean) every topic allows unclean election.
  asio::awaitable<Result<std::vector<TopicPartition>>> elect_offline(std::vector<TopicPartition> partitions,
                                                                     bool force_unclean = false);
  // Drops `gone` from every ISR that lists them (a follower died or shut down). Returns those changed.
  asio::awaitable<Result<std::vector<TopicPartition>>> remove_from_isr(const std::set<BrokerId>& gone);
  // Moves leadership of each partition `broker` leads to another ISR member and drops it from the
  // ISRs. Returns the partitions it still leads (nobody else could) - the shutdown's "remaining".
  asio::awaitable<Result<std::vector<TopicPartition>>> elect_for_controlled_shutdown(
      BrokerId broker, const std::set<BrokerId>& shutting_down, std::vector<TopicPartition>* changed);
  // Writes decisions made by the caller (the reassignment steps) as the elections do. Returns
  // those written; one another writer changed meanwhile is re-read into the context and skipped.
  asio::awaitable<Result<std::vector<TopicPartition>>> update(std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions) {
    return write(std::move(decisions));
  }
  // Preferred leader election for `partitions`. Returns those whose leader changed.
  asio::awaitable<Result<std::vector<TopicPartition>>> elect_preferred(std::vector<TopicPartition> partitions);

  // Leaders this state machine wrote that differ from the one before (a live leader elected;
  // Kafka's LeaderElectionRateAndTimeMs count), and of those the unclean ones. Any thread.
  [[nodiscard]] uint64_t leader_elections() const { return leader_elections_.load(std::memory_order_relaxed); }
  [[nodiscard]] uint64_t unclean_leader_elections() const {
    return unclean_leader_elections_.load(std::memory_order_relaxed);
  }

 private:
  [[nodiscard]] bool is_live(BrokerId id) const { return context_.is_live(id) && !context_.shutting_down.contains(id); }
  // Writes the decisions (fenced, conditional, batched) and records the written ones in the
  // context. Returns the partitions written; those another writer changed are re-read and skipped.
  asio::awaitable<Result<std::vector<TopicPartition>>> write(std::vector<std::pair<TopicPartition, LeaderAndIsr>> decisions);
  asio::awaitable<Result<std::vector<TopicPartition>>> write_one(const TopicPartition& tp, const LeaderAndIsr& decision);

  // Counts the written `next` as an election when it names a new live leader over `previous`.
  void count_election(const LeaderAndIsr& previous, const LeaderAndIsr& next);

  KafkaZkClient& zk_;
  ControllerContext& context_;
  UncleanLookup unclean_;
  std::atomic<uint64_t> leader_elections_{0};
  std::atomic<uint64_t> unclean_leader_elections_{0};
};

}  // namespace sluice::coordination
