// The web console (docs/console.md): one page, one script and one stylesheet compiled into the
// binary (served at /, /console/app.js, /console/app.css), and the JSON it polls, computed on
// the serving broker:
//   /api/cluster     brokers (live per this broker's metadata, plus every broker named in a
//                    replica set, shown dead), controller, ZooKeeper session state, cluster id
//   /api/topics      every topic's partitions: leader, replicas, ISR, offline replicas, high
//                    watermark (local when led here, else ListOffsets) and this broker's size
//   /api/groups      every group (ListGroups on each broker): state, members, committed offset
//                    and lag per partition
//   /api/records     ?topic=T&partition=P&limit=N (1..100): the latest N records, fetched
//   /api/throughput  bytes in/out and messages in per second on this broker, one sample a
//                    second, the last five minutes
// What this broker does not hold comes through one shared client::KafkaClient bootstrapped at
// this broker's own listener, with bounded timeouts; a failure is shown in the JSON ("error"
// fields) rather than failing the page. Bad query parameters get 400 with a reason.
// Thread-safe: handlers run on any connection strand; the shared state takes its own locks.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "broker/http/broker_routes.h"
#include "broker/http/http_server.h"

namespace sluice::broker::console {

struct ConsoleOptions {
  asio::any_io_executor executor;       // the broker's io_context
  std::function<std::string()> bootstrap;  // "host:port" of this broker's listener
  // True once the broker shuts down: the sampler closes the client and ends (so io_context
  // runs out of work).
  std::function<bool()> stopping;
};

// Adds the console's routes to `router` and starts the throughput sampler.
// REQUIRES: every pointer in `services` outlives the router and the sampler (which ends within
// a second of stopping() turning true).
void add_console_routes(http::HttpRouter& router, const http::BrokerRouteServices& services, ConsoleOptions options);

// "host:port" of the first endpoint, 127.0.0.1 (or [::1]) for a bind-all address; "" for none.
std::string bootstrap_of(const std::vector<tcp::endpoint>& endpoints);

// Query-string parsing and validation, exposed for the unit tests. nullopt / "" on success.
struct RecordsQuery {
  std::string topic;
  int32_t partition = 0;
  int limit = 20;
};
inline constexpr int kMaxRecordsLimit = 100;
// Parses "topic=T&partition=P&limit=N" (percent-decoded; limit optional, 1..100); the error
// is a one-line reason for a 400.
struct ParsedRecordsQuery {
  RecordsQuery query;
  std::string error;
};
ParsedRecordsQuery parse_records_query(const std::string& query);
// A record value or key as text: printable ASCII kept, '\\' doubled, every other byte as \xNN;
// at most `cap` input bytes (truncated set when cut).
std::string escape_bytes(const void* data, size_t size, size_t cap, bool& truncated);

}  // namespace sluice::broker::console
