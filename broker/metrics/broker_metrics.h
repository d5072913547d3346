// The broker's own metrics, under the names Prometheus' JMX exporter gives Kafka's MBeans
// (docs/metrics.md): the ones updated on hot paths live here as references found once; the ones
// computed at scrape time are callbacks the KafkaServer registers (broker/metrics/
// server_metrics.h).
// Thread-safe; every reference returned lives as long as the process.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "broker/metrics/metrics.h"

namespace sluice::broker::metrics {

// kafka.server:type=BrokerTopicMetrics,name=...,topic=<topic>
struct BrokerTopicMetrics {
  Counter& bytes_in;     // BytesInPerSec: produced record bytes, as appended
  Counter& bytes_out;    // BytesOutPerSec: record bytes fetched by consumers (not followers)
  Counter& messages_in;  // MessagesInPerSec: produced records
};
// The topic's metrics, created on first use (one lock); keep the reference.
const BrokerTopicMetrics& topic_metrics(const std::string& topic);

// kafka.network:type=RequestMetrics,name=RequestsPerSec|TotalTimeMs,request=<api>: one request
// served, `total_ms` from its frame read to its response being ready. No lock after the API's
// first request.
void record_request(int16_t api_key, std::string_view api_name, double total_ms);

// kafka.server:type=ReplicaManager,name=IsrShrinksPerSec / IsrExpandsPerSec
Counter& isr_shrinks();
Counter& isr_expands();

// kafka.server:type=SessionExpireListener,name=ZooKeeper{SyncConnects,Disconnects,Expires}PerSec
Counter& zookeeper_sync_connects();
Counter& zookeeper_disconnects();
Counter& zookeeper_expires();

// kafka.server:type=ZooKeeperClientMetrics,name=ZooKeeperRequestLatencyMs
void record_zookeeper_latency(double ms);

// Latency buckets in milliseconds, for every *ms histogram.
const std::vector<double>& latency_buckets_ms();

}  // namespace sluice::broker::metrics
