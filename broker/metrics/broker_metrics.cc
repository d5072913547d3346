#include "broker/metrics/broker_metrics.h"

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>

namespace sluice::broker::metrics {
namespace {

struct RequestSeries {
  Counter* requests;
  Histogram* total_time;
};

// Indexed by API key; Kafka 2.8's keys are below 70.
constexpr size_t kMaxApiKey = 128;
std::array<std::atomic<RequestSeries*>, kMaxApiKey> request_series{};

RequestSeries* make_request_series(std::string_view api_name) {
  Registry& r = default_registry();
  const std::string name(api_name);
  return new RequestSeries{
      &r.counter("kafka_network_requestmetrics_requests_total", "Requests served, per API (RequestsPerSec)",
                 {"request"})
           .with({name}),
      &r.histogram("kafka_network_requestmetrics_totaltimems",
                   "Time from a request's read to its response being ready, in ms (TotalTimeMs)", {"request"},
                   latency_buckets_ms())
           .with({name})};
}

}  // namespace

const std::vector<double>& latency_buckets_ms() {
  static const std::vector<double> buckets{0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
  return buckets;
}

const BrokerTopicMetrics& topic_metrics(const std::string& topic) {
  static std::mutex mutex;
  static auto* topics = new std::map<std::string, std::unique_ptr<BrokerTopicMetrics>>();
  std::lock_guard lock(mutex);
  auto& slot = (*topics)[topic];
  if (!slot) {
    Registry& r = default_registry();
    slot = std::make_unique<BrokerTopicMetrics>(BrokerTopicMetrics{
        r.counter("kafka_server_brokertopicmetrics_bytesin_total", "Produced bytes appended, per topic (BytesInPerSec)",
                  {"topic"})
            .with({topic}),
        r.counter("kafka_server_brokertopicmetrics_bytesout_total",
                  "Record bytes fetched by consumers, per topic (BytesOutPerSec)", {"topic"})
            .with({topic}),
        r.counter("kafka_server_brokertopicmetrics_messagesin_total", "Produced records appended, per topic "
                  "(MessagesInPerSec)", {"topic"})
            .with({topic})});
  }
  return *slot;
}

void record_request(int16_t api_key, std::string_view api_name, double total_ms) {
  if (api_key < 0 || static_cast<size_t>(api_key) >= kMaxApiKey) return;
  auto& slot = request_series[static_cast<size_t>(api_key)];
  RequestSeries* series = slot.load(std::memory_order_acquire);
  if (series == nullptr) {
    RequestSeries* fresh = make_request_series(api_name);
    if (slot.compare_exchange_strong(series, fresh, std::memory_order_acq_rel)) {
      series = fresh;
    } else {
      delete fresh;  // another thread won; both point at the same registry children
    }
  }
  series->requests->inc();
  series->total_time->observe(total_ms);
}

Counter& isr_shrinks() {
  static Counter& c = default_registry()
                          .counter("kafka_server_replicamanager_isrshrinks_total",
                                   "ISR shrinks this broker wrote as leader (IsrShrinksPerSec)")
                          .with();
  return c;
}

Counter& isr_expands() {
  static Counter& c = default_registry()
                          .counter("kafka_server_replicamanager_isrexpands_total",
                                   "ISR expansions this broker wrote as leader (IsrExpandsPerSec)")
                          .with();
  return c;
}

Counter& zookeeper_sync_connects() {
  static Counter& c = default_registry()
                          .counter("kafka_server_sessionexpirelistener_zookeepersyncconnects_total",
                                   "ZooKeeper (re)connections (ZooKeeperSyncConnectsPerSec)")
                          .with();
  return c;
}

Counter& zookeeper_disconnects() {
  static Counter& c = default_registry()
                          .counter("kafka_server_sessionexpirelistener_zookeeperdisconnects_total",
                                   "ZooKeeper connection losses (ZooKeeperDisconnectsPerSec)")
                          .with();
  return c;
}

Counter& zookeeper_expires() {
  static Counter& c = default_registry()
                          .counter("kafka_server_sessionexpirelistener_zookeeperexpires_total",
                                   "ZooKeeper session expiries (ZooKeeperExpiresPerSec)")
                          .with();
  return c;
}

void record_zookeeper_latency(double ms) {
  static Histogram& h = default_registry()
                            .histogram("kafka_server_zookeeperclientmetrics_zookeeperrequestlatencyms",
                                       "ZooKeeper request round trips, in ms (ZooKeeperRequestLatencyMs)", {},
                                       latency_buckets_ms())
                            .with();
  h.observe(ms);
}

}  // namespace sluice::broker::metrics
