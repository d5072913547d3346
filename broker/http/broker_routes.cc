#include "broker/http/broker_routes.h"

#include <map>

#include "broker/fetch_session_cache.h"
#include "broker/group/offset_manager.h"
#include "broker/metadata_cache.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/replica_manager.h"
#include "coordination/kafka_controller.h"
#include "coordination/zookeeper_client.h"

namespace sluice::broker::http {
namespace {

using metrics::Sample;
using metrics::Type;

Sample unlabelled(double value) { return Sample{{}, value}; }

Sample partition_sample(const TopicPartition& tp, double value) {
  return Sample{{{"topic", tp.topic}, {"partition", std::to_string(tp.partition.value())}}, value};
}

// kafka_consumergroup_lag (kafka_exporter's name): for the groups this broker coordinates, the
// high watermark minus the committed offset of each partition with a replica here (the leader's
// high watermark when this broker leads it). Computed per scrape; ZooKeeper reads.
asio::awaitable<std::string> render_group_lag(BrokerRouteServices services) {
  std::vector<Sample> lag;
  std::vector<Sample> committed;
  if (services.offset_manager != nullptr && services.replica_manager != nullptr) {
    std::map<TopicPartition, Offset> high_watermarks;
    for (const PartitionHealth& h : services.replica_manager->partition_health()) high_watermarks[h.tp] = h.high_watermark;
    auto groups = co_await services.offset_manager->groups_with_offsets();
    if (groups) {
      for (const std::string& group : groups.value()) {
        auto offsets = co_await services.offset_manager->fetch(group);
        if (!offsets) continue;
        for (const auto& [tp, offset] : offsets.value()) {
          metrics::Labels labels{{"consumergroup", group},
                                 {"topic", tp.topic},
                                 {"partition", std::to_string(tp.partition.value())}};
          committed.push_back(Sample{labels, static_cast<double>(offset.offset.value())});
          auto hw = high_watermarks.find(tp);
          if (hw == high_watermarks.end() || offset.offset < Offset(0)) continue;
          const int64_t behind = std::max<int64_t>(0, hw->second.value() - offset.offset.value());
          lag.push_back(Sample{std::move(labels), static_cast<double>(behind)});
        }
      }
    }
  }
  std::string out;
  metrics::append_family(out, "kafka_consumergroup_current_offset",
                         "Committed offset per group and partition, for groups this broker coordinates", Type::gauge,
                         committed);
  metrics::append_family(out, "kafka_consumergroup_lag",
                         "High watermark minus committed offset, for groups this broker coordinates and "
                         "partitions with a replica here",
                         Type::gauge, lag);
  co_return out;
}

nlohmann::json health_body(const BrokerRouteServices& services, const std::string& problem) {
  nlohmann::json body;
  body["status"] = problem.empty() ? "ok" : "unavailable";
  body["broker_id"] = services.broker_id.value();
  if (services.zk != nullptr) body["zookeeper"] = std::string(coordination::to_string(services.zk->state()));
  if (services.controller != nullptr) {
    body["controller_id"] = services.controller->controller_id().value();
    body["active_controller"] = services.controller->is_active();
  }
  if (!problem.empty()) body["reason"] = problem;
  return body;
}

}  // namespace

void add_broker_routes(HttpRouter& router, const BrokerRouteServices& services) {
  router.add("/metrics", [services](HttpRequest) -> asio::awaitable<HttpResponse> {
    HttpResponse response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = metrics::default_registry().render();
    response.body += co_await render_group_lag(services);
    co_return response;
  });
  // For load balancers and compose: up while registered with a connected ZooKeeper session.
  router.add("/health", [services](HttpRequest) -> asio::awaitable<HttpResponse> {
    const std::string problem = services.health_problem ? services.health_problem() : std::string();
    co_return HttpResponse::json(problem.empty() ? 200 : 503, health_body(services, problem));
  });
  // Healthy, and a controller is known: this broker has (or is) a controller that sent it the
  // cluster's metadata, so clients bootstrapping here see every broker and partition.
  router.add("/ready", [services](HttpRequest) -> asio::awaitable<HttpResponse> {
    std::string problem = services.health_problem ? services.health_problem() : std::string();
    if (problem.empty() && services.controller != nullptr && services.controller->controller_id() < BrokerId(0)) {
      problem = "no controller known yet";
    }
    co_return HttpResponse::json(problem.empty() ? 200 : 503, health_body(services, problem));
  });
}

std::vector<metrics::CallbackHandle> register_broker_metrics(const BrokerRouteServices& s) {
  metrics::Registry& r = metrics::default_registry();
  std::vector<metrics::CallbackHandle> handles;
  ReplicaManager* rm = s.replica_manager;
  handles.push_back(r.add_callback(
      "kafka_server_replicamanager_underreplicatedpartitions",
      "Partitions this broker leads whose ISR is smaller than their replica set (UnderReplicatedPartitions)",
      Type::gauge, [rm] {
        size_t n = 0;
        for (const PartitionHealth& h : rm->partition_health()) n += h.leader && h.isr_size < h.replica_count;
        return std::vector<Sample>{unlabelled(static_cast<double>(n))};
      }));
  handles.push_back(r.add_callback(
      "kafka_server_replicamanager_underminisrpartitioncount",
      "Partitions this broker leads whose ISR is smaller than min.insync.replicas (UnderMinIsrPartitionCount)",
      Type::gauge, [rm] {
        size_t n = 0;
        for (const PartitionHealth& h : rm->partition_health()) {
          n += h.leader && h.isr_size < static_cast<size_t>(h.min_insync_replicas);
        }
        return std::vector<Sample>{unlabelled(static_cast<double>(n))};
      }));
  handles.push_back(r.add_callback("kafka_server_replicamanager_leadercount",
                                   "Partitions this broker leads (LeaderCount)", Type::gauge, [rm] {
                                     size_t n = 0;
                                     for (const PartitionHealth& h : rm->partition_health()) n += h.leader;
                                     return std::vector<Sample>{unlabelled(static_cast<double>(n))};
                                   }));
  if (const FetchSessionCache* fs = s.fetch_sessions) {
    handles.push_back(r.add_callback("kafka_server_fetchsessioncache_numincrementalfetchsessions",
                                     "Incremental fetch sessions held (NumIncrementalFetchSessions)", Type::gauge,
                                     [fs] { return std::vector<Sample>{unlabelled(static_cast<double>(fs->size()))}; }));
    handles.push_back(r.add_callback(
        "kafka_server_fetchsessioncache_numincrementalfetchpartitionscached",
        "Partitions cached in incremental fetch sessions (NumIncrementalFetchPartitionsCached)", Type::gauge,
        [fs] { return std::vector<Sample>{unlabelled(static_cast<double>(fs->total_partitions()))}; }));
    handles.push_back(r.add_callback(
        "kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total",
        "Incremental fetch sessions evicted (IncrementalFetchSessionEvictionsPerSec)", Type::counter,
        [fs] { return std::vector<Sample>{unlabelled(static_cast<double>(fs->evictions()))}; }));
  }
  handles.push_back(r.add_callback("kafka_server_replicamanager_partitioncount",
                                   "Partitions with a replica on this broker (PartitionCount)", Type::gauge, [rm] {
                                     return std::vector<Sample>{
                                         unlabelled(static_cast<double>(rm->partition_health().size()))};
                                   }));
  handles.push_back(r.add_callback("kafka_log_log_size", "Bytes of a partition's log on this broker (Log Size)",
                                   Type::gauge, [rm] {
                                     std::vector<Sample> out;
                                     for (const PartitionHealth& h : rm->partition_health()) {
                                       out.push_back(partition_sample(h.tp, static_cast<double>(h.size_bytes)));
                                     }
                                     return out;
                                   }));
  handles.push_back(r.add_callback(
      "kafka_server_delayedoperationpurgatory_purgatorysize",
      "Delayed operations waiting in a purgatory (PurgatorySize)", Type::gauge, [rm] {
        return std::vector<Sample>{
            Sample{{{"delayedOperation", "Produce"}}, static_cast<double>(rm->produce_purgatory().watched())},
            Sample{{{"delayedOperation", "Fetch"}}, static_cast<double>(rm->fetch_purgatory().watched())}};
      }));
  const coordination::KafkaController* controller = s.controller;
  const MetadataCache* cache = s.metadata_cache;
  handles.push_back(r.add_callback("kafka_controller_kafkacontroller_activecontrollercount",
                                   "1 on the broker that is the active controller, else 0 (ActiveControllerCount)",
                                   Type::gauge, [controller] {
                                     return std::vector<Sample>{unlabelled(controller->is_active() ? 1 : 0)};
                                   }));
  handles.push_back(r.add_callback(
      "kafka_controller_kafkacontroller_offlinepartitionscount",
      "On the active controller: partitions without a leader, per the metadata it sent (OfflinePartitionsCount)",
      Type::gauge, [controller, cache] {
        size_t n = 0;
        if (controller->is_active()) {
          const auto snapshot = cache->snapshot();
          for (const auto& [name, topic] : snapshot->topics) {
            for (const auto& [id, p] : topic.partitions) n += p.leader < BrokerId(0);
          }
        }
        return std::vector<Sample>{unlabelled(static_cast<double>(n))};
      }));
  handles.push_back(r.add_callback("kafka_controller_controllerstats_leaderelections_total",
                                   "Leaders this broker elected as controller (LeaderElectionRateAndTimeMs count)",
                                   Type::counter, [controller] {
                                     return std::vector<Sample>{
                                         unlabelled(static_cast<double>(controller->leader_elections()))};
                                   }));
  handles.push_back(r.add_callback("kafka_controller_controllerstats_uncleanleaderelections_total",
                                   "Unclean leader elections this broker made as controller "
                                   "(UncleanLeaderElectionsPerSec)",
                                   Type::counter, [controller] {
                                     return std::vector<Sample>{
                                         unlabelled(static_cast<double>(controller->unclean_leader_elections()))};
                                   }));
  const coordination::ZooKeeperClient* zk = s.zk;
  handles.push_back(r.add_callback(
      "kafka_server_sessionexpirelistener_sessionstate",
      "The ZooKeeper session's state: 1 for the current one (SessionState)", Type::gauge, [zk] {
        const coordination::SessionState current = zk->state();
        std::vector<Sample> out;
        for (auto state : {coordination::SessionState::connected, coordination::SessionState::disconnected,
                           coordination::SessionState::expired, coordination::SessionState::auth_failed}) {
          out.push_back(Sample{{{"state", std::string(coordination::to_string(state))}}, state == current ? 1.0 : 0.0});
        }
        return out;
      }));
  return handles;
}

}  // namespace sluice::broker::http
