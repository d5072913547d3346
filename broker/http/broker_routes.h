// The broker's HTTP routes: GET /metrics (Prometheus text 0.0.4, docs/metrics.md), GET /health
// and GET /ready (JSON), and the scrape-time metric callbacks over the broker's state.
// The web console adds its routes to the same HttpRouter (see HttpRouter::add).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "broker/http/http_server.h"
#include "broker/metrics/metrics.h"
#include "protocol/types.h"

namespace sluice::coordination {
class KafkaController;
class ZooKeeperClient;
}  // namespace sluice::coordination

namespace sluice::broker {
class FetchSessionCache;
class MetadataCache;
class ReplicaManager;
namespace group {
class OffsetManager;
}
}  // namespace sluice::broker

namespace sluice::broker::http {

// What the routes read; every pointer outlives the HTTP server and the callback handles.
struct BrokerRouteServices {
  BrokerId broker_id{-1};
  ReplicaManager* replica_manager = nullptr;
  const MetadataCache* metadata_cache = nullptr;
  const coordination::KafkaController* controller = nullptr;
  const coordination::ZooKeeperClient* zk = nullptr;
  group::OffsetManager* offset_manager = nullptr;
  const FetchSessionCache* fetch_sessions = nullptr;
  // "" when the broker is registered in ZooKeeper with a connected session; else why not.
  std::function<std::string()> health_problem;
};

// /metrics, /health, /ready.
void add_broker_routes(HttpRouter& router, const BrokerRouteServices& services);

// The gauges and counters computed at scrape time, in metrics::default_registry() until the
// handles are destroyed.
std::vector<metrics::CallbackHandle> register_broker_metrics(const BrokerRouteServices& services);

}  // namespace sluice::broker::http
