// KafkaController: the event queue, the election and becoming (or ceasing to be) the controller.
#include "coordination/kafka_controller.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "client/async_util.h"
#include "coordination/kafka_zk_json.h"
#include "protocol/error_code.h"

namespace sluice::coordination {

namespace {

int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

KafkaController::KafkaController(asio::any_io_executor executor, ZkClient& zk, KafkaZkClient& kafka_zk,
                                 KafkaControllerConfig config)
    : strand_(asio::make_strand(std::move(executor))),
      zk_(zk),
      kafka_zk_(kafka_zk),
      config_(config),
      drained_(strand_),
      rebalance_timer_(strand_) {
  partitions_.set_unclean_lookup([this](std::string topic) { return unclean_allowed(std::move(topic)); });
}

KafkaController::~KafkaController() = default;

void KafkaController::startup() {
  Event event;
  event.type = EventType::startup;
  enqueue(std::move(event));
}

void KafkaController::on_session_expired() {
  Event event;
  event.type = EventType::expire;
  enqueue(std::move(event));
}

// A queued request that will not be processed still gets its answer.
void KafkaController::fail_waiter(Event& event) {
  answer_not_controller(event.done);
  answer_not_controller(event.elect_done);
  answer_not_controller(event.alter_done);
  answer_not_controller(event.list_done);
}

void KafkaController::enqueue(Event event) {
  asio::post(strand_, [this, event = std::move(event)]() mutable {
    if (stopped_) {
      fail_waiter(event);
      return;
    }
    queue_.push_back(std::move(event));
    if (draining_) return;
    draining_ = true;
    asio::co_spawn(strand_, drain(), client::LogCompletion{"controller event loop"});
  });
}

asio::awaitable<void> KafkaController::drain() {
  while (!queue_.empty() && !stopped_) {
    Event event = std::move(queue_.front());
    queue_.pop_front();
    const Status st = co_await process(event);
    if (st) continue;
    spdlog::error("controller: event {} failed: {}", static_cast<int>(event.type), st.error().message());
    if (st.error() == Errc::controller_moved) resign();
    // A failed step leaves the context unreliable: resign and compete again, as Kafka does on
    // an unexpected error.
    if (is_active() && !stopped_) {
      resign();
      const Status deleted = co_await kafka_zk_.delete_controller_if_owned();
      if (!deleted) spdlog::warn("controller: cannot delete /controller: {}", deleted.error().message());
    }
  }
  draining_ = false;
  drained_.cancel();
}

asio::awaitable<Status> KafkaController::process(Event event) {
  switch (event.type) {
    case EventType::startup:
    case EventType::controller_change: co_return co_await on_controller_change();
    case EventType::expire:
      resign();
      co_return ok();
    case EventType::broker_change: co_return is_active() ? co_await on_broker_change() : ok();
    case EventType::topic_change: co_return is_active() ? co_await on_topic_change() : ok();
    case EventType::partition_modifications:
      co_return is_active() ? co_await on_partition_modifications(event.topic) : ok();
    case EventType::topic_deletion: co_return is_active() ? co_await on_topic_deletion() : ok();
    case EventType::topic_deletion_stop_replica_response:
      co_return is_active() ? co_await on_stop_replica_response(event.topic, event.broker, event.success) : ok();
    case EventType::isr_change: co_return is_active() ? co_await on_isr_change() : ok();
    case EventType::preferred_replica_election: co_return is_active() ? co_await on_preferred_replica_election() : ok();
    case EventType::auto_rebalance: co_return is_active() ? co_await on_auto_rebalance() : ok();
    case EventType::controlled_shutdown:
      co_return co_await on_controlled_shutdown(event.broker, event.broker_epoch, std::move(event.done));
    case EventType::elect_leaders:
      co_return co_await on_elect_leaders(std::move(event.partitions), event.election_type, std::move(event.elect_done));
    case EventType::reassign_partitions: co_return is_active() ? co_await on_reassign_partitions_znode() : ok();
    case EventType::alter_reassignments:
      co_return co_await on_alter_reassignments(std::move(event.targets), std::move(event.alter_done));
    case EventType::list_reassignments:
      on_list_reassignments(std::move(event.partitions), std::move(event.list_done));
      co_return ok();
  }
  co_return ok();
}

Watcher KafkaController::watcher(EventType type, std::string topic) {
  return Watcher{strand_, [this, type, topic = std::move(topic)](WatchEvent e) {
                   // Expiry is handled through on_session_expired; a new session re-arms.
                   if (e.type == WatchEventType::session_expired) return;
                   Event event;
                   event.type = type;
                   event.topic = topic;
                   enqueue(std::move(event));
                 }};
}

// Kafka's Reelect/ControllerChange: re-read /controller (re-arming its watch); resign if we
// were active and are no longer; compete when there is no controller.
asio::awaitable<Status> KafkaController::on_controller_change() {
  SLUICE_CO_TRY(const auto current, co_await kafka_zk_.get_controller_id(watcher(EventType::controller_change)));
  controller_id_ = current ? current->value() : -1;
  if (is_active() && current != config_.broker_id) resign();
  if (current) co_return ok();
  co_return co_await elect();
}

asio::awaitable<Status> KafkaController::elect() {
  auto won = co_await kafka_zk_.register_controller_and_increment_epoch(config_.broker_id);
  if (!won && won.error() == Errc::node_exists) {
    // Lost: the watch armed by on_controller_change reports the winner's departure.
    SLUICE_CO_TRY(const auto current, co_await kafka_zk_.get_controller_id());
    controller_id_ = current ? current->value() : -1;
    spdlog::info("controller: broker {} is controller", controller_id_.load());
    co_return ok();
  }
  if (!won) co_return won.error();
  controller_id_ = config_.broker_id.value();
  co_return co_await on_controller_failover(won.value());
}

// Kafka's onControllerFailover (docs/replication.md), single-broker subset: watches,
// context, UpdateMetadata, elections, a full LeaderAndIsr push, then pending deletions.
asio::awaitable<Status> KafkaController::on_controller_failover(ControllerEpochZkVersion epoch) {
  spdlog::info("controller: broker {} is controller at epoch {}", config_.broker_id.value(), epoch.epoch.value());
  context_ = ControllerContext{};
  context_.epoch = epoch;
  epoch_ = epoch.epoch.value();
  active_ = true;
  channels_ = std::make_unique<ControllerChannelManager>(strand_, config_.broker_id);
  SLUICE_CO_TRY(co_await zk_.get_children(zk_paths::kBrokerIds, watcher(EventType::broker_change)));
  SLUICE_CO_TRY(const auto brokers, co_await kafka_zk_.get_all_brokers());
  for (const BrokerInfo& b : brokers) {
    context_.live_brokers[b.id] = b;
    channels_->add_broker(b);
  }
  SLUICE_CO_TRY(auto topics, co_await zk_.get_children(zk_paths::kBrokerTopics, watcher(EventType::topic_change)));
  const auto started = std::chrono::steady_clock::now();
  SLUICE_CO_TRY(co_await read_topics(std::move(topics)));
  spdlog::info("controller: read {} topics and {} partition states in {} ms", context_.topics.size(),
               context_.partition_states.size(), elapsed_ms(started));
  // Kafka sends the full UpdateMetadata before electing; the partitions whose leader died with
  // the old controller wait for that push then, so the elections and their LeaderAndIsr go
  // first here and the one full UpdateMetadata follows them.
  SLUICE_CO_TRY(auto created, co_await partitions_.elect_new(context_.all_partitions()));
  SLUICE_CO_TRY(auto changed, co_await partitions_.elect_offline(context_.all_partitions()));
  // Replicas on brokers that died while there was no controller leave the ISRs.
  std::set<BrokerId> dead;
  for (const auto& [tp, state] : context_.partition_states) {
    for (BrokerId r : state.leader_and_isr.isr) {
      if (!context_.is_live(r)) dead.insert(r);
    }
  }
  if (!dead.empty()) {
    SLUICE_CO_TRY(co_await partitions_.remove_from_isr(dead));
  }
  spdlog::info("controller: elected {} new and {} offline partitions {} ms after the reads began", created.size(),
               changed.size(), elapsed_ms(started));
  send_leader_and_isr(context_.all_partitions());
  send_update_metadata();
  SLUICE_CO_TRY(co_await on_isr_change());
  // Reassignments: those asked for in /admin/reassign_partitions first, then the ones in flight in
  // the topic znodes (their replicas already got the full LeaderAndIsr above).
  SLUICE_CO_TRY(co_await on_reassign_partitions_znode());
  SLUICE_CO_TRY(co_await maybe_complete_reassignments());
  SLUICE_CO_TRY(co_await on_preferred_replica_election());
  schedule_rebalance();
  co_return co_await on_topic_deletion();
}

namespace {

// One topic's assignment, read once with its data watch armed; nullopt once the topic is gone.
asio::awaitable<Result<std::optional<TopicAssignment>>> read_assignment(ZkClient* zk, std::string topic,
                                                                       Watcher watch) {
  auto node = co_await zk->get_data(zk_paths::topic(topic), std::move(watch));
  if (!node && node.error() == Errc::no_node) co_return std::nullopt;  // deleted meanwhile
  SLUICE_CO_TRY(const NodeData data, std::move(node));
  SLUICE_CO_TRY(TopicAssignment assignment, kafka_json::decode_topic_assignment(data.data));
  co_return std::optional<TopicAssignment>(std::move(assignment));
}

}  // namespace

// Reads the topics' assignments (arming their data watches) and their partitions' states, all
// pipelined: a failover over thousands of partitions waits for ZooKeeper's throughput, not for
// one round trip per znode.
asio::awaitable<Status> KafkaController::read_topics(std::vector<std::string> topics) {
  std::vector<asio::awaitable<Result<std::optional<TopicAssignment>>>> reads;
  reads.reserve(topics.size());
  for (const std::string& topic : topics) {
    reads.push_back(read_assignment(&zk_, topic, watcher(EventType::partition_modifications, topic)));
  }
  auto assignments = co_await client::gather(std::move(reads));
  std::vector<TopicPartition> unread;
  for (size_t i = 0; i < topics.size(); ++i) {
    SLUICE_CO_TRY(auto assignment, std::move(assignments[i]));
    if (!assignment) continue;
    context_.topics[topics[i]] = std::move(*assignment);
    for (const TopicPartition& tp : context_.partitions_of(topics[i])) {
      if (!context_.partition_states.contains(tp)) unread.push_back(tp);
    }
  }
  // A partition without a state znode is new: the partition state machine creates it.
  SLUICE_CO_TRY(auto states, co_await kafka_zk_.get_partition_states(std::move(unread)));
  for (auto& [tp, state] : states) context_.partition_states[tp] = std::move(state);
  co_return ok();
}

void KafkaController::resign() {
  if (!active_) return;
  spdlog::info("controller: broker {} resigns at epoch {}", config_.broker_id.value(), context_.epoch.epoch.value());
  active_ = false;
  rebalance_timer_.cancel();
  if (channels_) channels_->shutdown();
  channels_.reset();
  context_ = ControllerContext{};
}

asio::awaitable<void> KafkaController::shutdown() {
  co_await client::on_strand(strand_, [](KafkaController* self) -> asio::awaitable<void> {
    self->stopped_ = true;
    for (Event& event : self->queue_) fail_waiter(event);
    self->queue_.clear();
    while (self->draining_) {
      self->drained_.expires_at(asio::steady_timer::time_point::max());
      co_await self->drained_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    const bool was_active = self->is_active();
    self->resign();
    if (was_active) {
      const Status deleted = co_await self->kafka_zk_.delete_controller_if_owned();
      if (!deleted) spdlog::warn("controller: cannot delete /controller: {}", deleted.error().message());
    }
  }(this));
}

}  // namespace sluice::coordination
