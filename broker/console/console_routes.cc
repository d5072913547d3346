#include "broker/console/console_routes.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>

#include "broker/console/console_assets.h"
#include "broker/metadata_cache.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/replica_manager.h"
#include "client/admin.h"
#include "client/async_util.h"
#include "client/consumer.h"
#include "client/kafka_client.h"
#include "coordination/zookeeper_client.h"

namespace sluice::broker::console {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr size_t kThroughputSamples = 300;  // five minutes at one a second
constexpr size_t kValueCap = 1024;          // bytes of a record value or key shown
constexpr auto kClientTimeout = std::chrono::seconds(5);
constexpr auto kRecordsWait = std::chrono::seconds(3);

std::string error_text(const std::error_code& ec) { return ec.message(); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding ('+' is a space); nullopt for a broken escape.
std::optional<std::string> url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = hex_digit(s[i + 1]);
      const int lo = hex_digit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// A non-negative decimal below 2^31; nullopt otherwise.
std::optional<int32_t> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(v);
}

bool valid_topic_name(const std::string& t) {
  if (t.empty() || t.size() > 249 || t == "." || t == "..") return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

json ids_json(const std::vector<BrokerId>& ids) {
  json out = json::array();
  for (BrokerId id : ids) out.push_back(id.value());
  return out;
}

struct ThroughputSample {
  int64_t time_ms = 0;
  double bytes_in = 0, bytes_out = 0, messages_in = 0;
};

// What the routes and the sampler share.
struct ConsoleState {
  http::BrokerRouteServices services;
  ConsoleOptions options;

  std::mutex mutex;
  std::deque<ThroughputSample> samples;
  std::map<BrokerId, BrokerEndpoint> known_brokers;  // every broker seen alive, last endpoint
  std::shared_ptr<client::KafkaClient> client;
  bool bootstrapped = false;
  bool closed = false;

  // The shared client, bootstrapped; an error text when it cannot be had.
  asio::awaitable<std::pair<std::shared_ptr<client::KafkaClient>, std::string>> get_client() {
    std::shared_ptr<client::KafkaClient> c;
    bool need_bootstrap = false;
    {
      std::lock_guard lock(mutex);
      if (closed) co_return std::make_pair(nullptr, std::string("broker shutting down"));
      if (!client) {
        client::ClientConfig config;
        config.bootstrap_servers = options.bootstrap();
        config.connection.client_id = "sluice-console";
        config.connection.connect_timeout = std::chrono::seconds(2);
        config.connection.request_timeout = kClientTimeout;
        config.metadata_attempts = 3;
        client = std::make_shared<client::KafkaClient>(options.executor, config);
      }
      c = client;
      need_bootstrap = !bootstrapped;
    }
    if (need_bootstrap) {
      Status st = co_await c->bootstrap();
      if (!st) co_return std::make_pair(nullptr, "client bootstrap: " + error_text(st.error()));
      std::lock_guard lock(mutex);
      bootstrapped = true;
    }
    co_return std::make_pair(c, std::string());
  }

  void close_client() {
    std::shared_ptr<client::KafkaClient> c;
    {
      std::lock_guard lock(mutex);
      closed = true;
      c = std::move(client);
    }
    if (c) asio::post(c->executor(), [c] { c->close(); });
  }

  // Sums this broker's per-topic counters (topics with a replica here).
  ThroughputSample totals() const {
    std::set<std::string> topics;
    for (const PartitionHealth& h : services.replica_manager->partition_health()) topics.insert(h.tp.topic);
    ThroughputSample s;
    for (const std::string& t : topics) {
      const metrics::BrokerTopicMetrics& m = metrics::topic_metrics(t);
      s.bytes_in += static_cast<double>(m.bytes_in.value());
      s.bytes_out += static_cast<double>(m.bytes_out.value());
      s.messages_in += static_cast<double>(m.messages_in.value());
    }
    return s;
  }
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Every second: one throughput sample (rates since the last tick). Ends, closing the client,
// once the broker stops.
asio::awaitable<void> sample_throughput(std::shared_ptr<ConsoleState> state) {
  ThroughputSample last = state->totals();
  auto last_time = Clock::now();
  for (;;) {
    co_await client::sleep_for(std::chrono::seconds(1));
    if (state->options.stopping()) break;
    const ThroughputSample now = state->totals();
    const auto t = Clock::now();
    const double secs = std::max(0.001, std::chrono::duration<double>(t - last_time).count());
    ThroughputSample rate;
    rate.time_ms = now_ms();
    rate.bytes_in = std::max(0.0, now.bytes_in - last.bytes_in) / secs;
    rate.bytes_out = std::max(0.0, now.bytes_out - last.bytes_out) / secs;
    rate.messages_in = std::max(0.0, now.messages_in - last.messages_in) / secs;
    last = now;
    last_time = t;
    std::lock_guard lock(state->mutex);
    state->samples.push_back(rate);
    while (state->samples.size() > kThroughputSamples) state->samples.pop_front();
  }
  state->close_client();
}

using http::HttpRequest;
using http::HttpResponse;

HttpResponse bad_request(const std::string& reason) { return HttpResponse::json(400, json{{"error", reason}}); }

// The high watermark of each partition: this broker's own for those it leads, else ListOffsets
// (latest) through the client. An error text when the remote part failed.
asio::awaitable<std::pair<std::map<TopicPartition, Offset>, std::string>> high_watermarks(
    ConsoleState& state, const std::vector<TopicPartition>& wanted) {
  std::map<TopicPartition, Offset> out;
  std::map<TopicPartition, Offset> local;
  for (const PartitionHealth& h : state.services.replica_manager->partition_health()) {
    if (h.leader) local[h.tp] = h.high_watermark;
  }
  std::vector<TopicPartition> remote;
  for (const TopicPartition& tp : wanted) {
    auto it = local.find(tp);
    if (it != local.end()) {
      out[tp] = it->second;
    } else {
      remote.push_back(tp);
    }
  }
  std::string error;
  if (!remote.empty()) {
    auto [c, why] = co_await state.get_client();
    if (!c) {
      error = why;
    } else {
      client::Admin admin(*c, kClientTimeout);
      auto offsets = co_await admin.list_offsets(remote, client::kLatestOffsetSpec);
      if (offsets) {
        for (const auto& [tp, o] : offsets.value()) out[tp] = o;
      } else {
        error = "ListOffsets: " + error_text(offsets.error());
      }
    }
  }
  co_return std::make_pair(std::move(out), std::move(error));
}

json cluster_json(ConsoleState& state) {
  const auto snapshot = state.services.metadata_cache->snapshot();
  std::map<BrokerId, BrokerEndpoint> known;
  {
    std::lock_guard lock(state.mutex);
    for (const BrokerEndpoint& b : snapshot->brokers) state.known_brokers[b.id] = b;
    known = state.known_brokers;
  }
  std::set<BrokerId> live;
  for (const BrokerEndpoint& b : snapshot->brokers) live.insert(b.id);
  std::set<BrokerId> all(live);
  for (const auto& [id, b] : known) all.insert(id);
  for (const auto& [name, topic] : snapshot->topics) {
    for (const auto& [pid, p] : topic.partitions) all.insert(p.replicas.begin(), p.replicas.end());
  }
  json brokers = json::array();
  for (BrokerId id : all) {
    json b;
    b["id"] = id.value();
    auto it = known.find(id);
    if (it != known.end()) {
      b["host"] = it->second.host;
      b["port"] = it->second.port;
      if (it->second.rack) b["rack"] = *it->second.rack;
    } else {
      b["host"] = nullptr;
      b["port"] = nullptr;
    }
    b["alive"] = live.count(id) > 0;
    b["controller"] = id == snapshot->controller_id;
    brokers.push_back(std::move(b));
  }
  json out;
  out["serving_broker"] = state.services.broker_id.value();
  out["cluster_id"] = snapshot->cluster_id ? json(*snapshot->cluster_id) : json(nullptr);
  out["controller"] = snapshot->controller_id.value();
  out["zookeeper"] =
      state.services.zk != nullptr ? std::string(coordination::to_string(state.services.zk->state())) : "unknown";
  out["brokers"] = std::move(brokers);
  return out;
}

asio::awaitable<json> topics_json(ConsoleState& state) {
  const auto snapshot = state.services.metadata_cache->snapshot();
  std::map<TopicPartition, int64_t> sizes;
  for (const PartitionHealth& h : state.services.replica_manager->partition_health()) sizes[h.tp] = h.size_bytes;
  std::vector<TopicPartition> all;
  for (const auto& [name, topic] : snapshot->topics) {
    for (const auto& [pid, p] : topic.partitions) {
      // No leader: nobody to ask.
      if (p.leader >= BrokerId(0)) all.push_back(TopicPartition{name, pid});
    }
  }
  auto [hws, hw_error] = co_await high_watermarks(state, all);
  json topics = json::array();
  for (const auto& [name, topic] : snapshot->topics) {
    json t;
    t["name"] = name;
    t["internal"] = topic.is_internal;
    json parts = json::array();
    for (const auto& [pid, p] : topic.partitions) {
      const TopicPartition tp{name, pid};
      json j;
      j["partition"] = pid.value();
      j["leader"] = p.leader.value();
      j["leader_epoch"] = p.leader_epoch.value();
      j["replicas"] = ids_json(p.replicas);
      j["isr"] = ids_json(p.isr);
      j["offline_replicas"] = ids_json(p.offline_replicas);
      auto hw = hws.find(tp);
      j["high_watermark"] = hw != hws.end() && hw->second >= Offset(0) ? json(hw->second.value()) : json(nullptr);
      auto size = sizes.find(tp);
      j["size_bytes"] = size != sizes.end() ? json(size->second) : json(nullptr);
      parts.push_back(std::move(j));
    }
    t["partitions"] = std::move(parts);
    topics.push_back(std::move(t));
  }
  json out;
  out["topics"] = std::move(topics);
  if (!hw_error.empty()) out["error"] = hw_error;
  co_return out;
}

asio::awaitable<json> groups_json(ConsoleState& state) {
  json out;
  out["groups"] = json::array();
  auto [c, why] = co_await state.get_client();
  if (!c) {
    out["error"] = why;
    co_return out;
  }
  client::Admin admin(*c, kClientTimeout);
  auto listed = co_await admin.list_groups();
  if (!listed) {
    out["error"] = "ListGroups: " + error_text(listed.error());
    co_return out;
  }
  json errors = json::array();
  for (const auto& [broker, ec] : listed.value().errors) {
    errors.push_back("ListGroups on broker " + std::to_string(broker.value()) + ": " + error_text(ec));
  }
  std::vector<std::string> ids;
  for (const client::GroupListing& g : listed.value().groups) ids.push_back(g.group_id);
  std::map<std::string, client::GroupDescription> described;
  if (!ids.empty()) {
    auto d = co_await admin.describe_groups(ids);
    if (d) {
      for (auto& g : d.value()) described[g.group_id] = std::move(g);
    } else {
      errors.push_back("DescribeGroups: " + error_text(d.error()));
    }
  }
  std::map<std::string, std::map<TopicPartition, Offset>> committed;
  std::vector<TopicPartition> tps;
  for (const std::string& id : ids) {
    auto offsets = co_await admin.list_group_offsets(id);
    if (!offsets) {
      errors.push_back("OffsetFetch " + id + ": " + error_text(offsets.error()));
      continue;
    }
    for (const auto& [tp, o] : offsets.value()) tps.push_back(tp);
    committed[id] = std::move(offsets.value());
  }
  std::sort(tps.begin(), tps.end());
  tps.erase(std::unique(tps.begin(), tps.end()), tps.end());
  auto [hws, hw_error] = co_await high_watermarks(state, tps);
  if (!hw_error.empty()) errors.push_back(hw_error);
  for (const client::GroupListing& g : listed.value().groups) {
    json j;
    j["group_id"] = g.group_id;
    j["protocol_type"] = g.protocol_type;
    j["coordinator"] = g.coordinator.value();
    j["state"] = g.state;
    json members = json::array();
    auto d = described.find(g.group_id);
    if (d != described.end()) {
      if (d->second.error) j["error"] = error_text(d->second.error.error);
      if (!d->second.state.empty()) j["state"] = d->second.state;
      j["protocol"] = d->second.protocol;
      for (const auto& m : d->second.members) {
        json mj;
        mj["member_id"] = m.member_id;
        mj["client_id"] = m.client_id;
        mj["client_host"] = m.client_host;
        json assigned = json::array();
        if (m.assignment) {
          for (const TopicPartition& tp : m.assignment->list()) {
            assigned.push_back(json{{"topic", tp.topic}, {"partition", tp.partition.value()}});
          }
        }
        mj["assignment"] = std::move(assigned);
        members.push_back(std::move(mj));
      }
    }
    j["members"] = std::move(members);
    json offsets = json::array();
    int64_t total_lag = 0;
    auto c_it = committed.find(g.group_id);
    if (c_it != committed.end()) {
      for (const auto& [tp, o] : c_it->second) {
        json oj;
        oj["topic"] = tp.topic;
        oj["partition"] = tp.partition.value();
        oj["committed"] = o.value();
        auto hw = hws.find(tp);
        if (hw != hws.end() && hw->second >= Offset(0) && o >= Offset(0)) {
          const int64_t lag = std::max<int64_t>(0, hw->second.value() - o.value());
          oj["high_watermark"] = hw->second.value();
          oj["lag"] = lag;
          total_lag += lag;
        } else {
          oj["high_watermark"] = nullptr;
          oj["lag"] = nullptr;
        }
        offsets.push_back(std::move(oj));
      }
    }
    j["offsets"] = std::move(offsets);
    j["lag"] = total_lag;
    out["groups"].push_back(std::move(j));
  }
  if (!errors.empty()) out["errors"] = std::move(errors);
  co_return out;
}

json record_json(const client::ConsumerRecord& r) {
  json j;
  j["offset"] = r.offset.value();
  j["timestamp"] = r.timestamp.value();
  bool truncated = false;
  if (r.key) {
    j["key"] = escape_bytes(r.key->data(), r.key->size(), kValueCap, truncated);
  } else {
    j["key"] = nullptr;
  }
  if (r.value) {
    bool cut = false;
    j["value"] = escape_bytes(r.value->data(), r.value->size(), kValueCap, cut);
    j["value_size"] = r.value->size();
    truncated = truncated || cut;
  } else {
    j["value"] = nullptr;
    j["value_size"] = 0;
  }
  j["headers"] = r.headers.size();
  j["truncated"] = truncated;
  return j;
}

asio::awaitable<HttpResponse> records_response(std::shared_ptr<ConsoleState> state, RecordsQuery q) {
  const auto snapshot = state->services.metadata_cache->snapshot();
  auto topic = snapshot->topics.find(q.topic);
  if (topic == snapshot->topics.end()) co_return HttpResponse::json(404, json{{"error", "unknown topic " + q.topic}});
  if (topic->second.partitions.count(PartitionId(q.partition)) == 0) {
    co_return HttpResponse::json(404, json{{"error", "topic " + q.topic + " has no partition " +
                                                         std::to_string(q.partition)}});
  }
  const TopicPartition tp{q.topic, PartitionId(q.partition)};
  json out;
  out["topic"] = q.topic;
  out["partition"] = q.partition;
  out["records"] = json::array();
  auto [c, why] = co_await state->get_client();
  if (!c) {
    out["error"] = why;
    co_return HttpResponse::json(200, out);
  }
  client::Admin admin(*c, kClientTimeout);
  std::vector<TopicPartition> one{tp};
  auto latest = co_await admin.list_offsets(one, client::kLatestOffsetSpec);
  auto earliest = co_await admin.list_offsets(one, client::kEarliestOffsetSpec);
  if (!latest || !earliest || latest.value().count(tp) == 0 || earliest.value().count(tp) == 0) {
    out["error"] = "ListOffsets: " + error_text(!latest ? latest.error() : !earliest ? earliest.error()
                                                                                      : std::error_code());
    co_return HttpResponse::json(200, out);
  }
  const int64_t end = latest.value().at(tp).value();
  const int64_t start = std::max(earliest.value().at(tp).value(), end - q.limit);
  out["log_start_offset"] = earliest.value().at(tp).value();
  out["high_watermark"] = end;
  if (start >= end) co_return HttpResponse::json(200, out);
  client::ConsumerConfig config;
  config.fetch_max_wait = std::chrono::milliseconds(200);
  config.max_partition_fetch_bytes = 1024 * 1024;
  config.fetch_max_bytes = 4 * 1024 * 1024;
  client::Consumer consumer(*c, config);
  std::vector<client::Assignment> assignment{client::Assignment{tp, client::StartOffset::at(Offset(start))}};
  Status assigned = co_await consumer.assign(std::move(assignment));
  if (!assigned) {
    out["error"] = "assign: " + error_text(assigned.error());
    co_return HttpResponse::json(200, out);
  }
  std::map<int64_t, json> got;
  const auto deadline = Clock::now() + kRecordsWait;
  int64_t next = start;
  while (next < end && Clock::now() < deadline) {
    auto polled = co_await consumer.poll(std::chrono::milliseconds(500));
    if (!polled) {
      out["error"] = "fetch: " + error_text(polled.error());
      break;
    }
    for (const client::ConsumerRecord& r : polled.value()) {
      const int64_t o = r.offset.value();
      if (o < start || o >= end) continue;
      got[o] = record_json(r);
      next = std::max(next, o + 1);
    }
  }
  if (next < end && !out.contains("error")) out["error"] = "timed out before reading every record";
  for (auto& [o, r] : got) out["records"].push_back(std::move(r));
  co_return HttpResponse::json(200, out);
}

HttpResponse asset(std::string_view content_type, std::string_view body) {
  HttpResponse r;
  r.content_type = std::string(content_type);
  r.body = std::string(body);
  return r;
}

}  // namespace

std::string bootstrap_of(const std::vector<tcp::endpoint>& endpoints) {
  if (endpoints.empty()) return "";
  const tcp::endpoint& e = endpoints.front();
  const std::string port = std::to_string(e.port());
  if (e.address().is_v6()) {
    return (e.address().is_unspecified() ? std::string("[::1]") : "[" + e.address().to_string() + "]") + ":" + port;
  }
  return (e.address().is_unspecified() ? std::string("127.0.0.1") : e.address().to_string()) + ":" + port;
}

ParsedRecordsQuery parse_records_query(const std::string& query) {
  ParsedRecordsQuery out;
  std::map<std::string, std::string> params;
  size_t pos = 0;
  while (pos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string::npos) amp = query.size();
    const std::string_view part(query.data() + pos, amp - pos);
    pos = amp + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    auto key = url_decode(part.substr(0, eq));
    auto value = url_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1));
    if (!key || !value) {
      out.error = "malformed percent-escape in the query";
      return out;
    }
    if (*key != "topic" && *key != "partition" && *key != "limit") {
      out.error = "unknown parameter '" + key->substr(0, 40) + "' (topic, partition, limit)";
      return out;
    }
    if (!params.emplace(*key, *value).second) {
      out.error = "parameter '" + *key + "' given twice";
      return out;
    }
  }
  auto topic = params.find("topic");
  if (topic == params.end() || topic->second.empty()) {
    out.error = "missing parameter 'topic'";
    return out;
  }
  if (!valid_topic_name(topic->second)) {
    out.error = "invalid topic name (1-249 characters of a-z A-Z 0-9 . _ -)";
    return out;
  }
  out.query.topic = topic->second;
  auto partition = params.find("partition");
  if (partition == params.end()) {
    out.error = "missing parameter 'partition'";
    return out;
  }
  auto p = parse_int(partition->second);
  if (!p) {
    out.error = "'partition' must be a non-negative integer";
    return out;
  }
  out.query.partition = *p;
  auto limit = params.find("limit");
  if (limit != params.end()) {
    auto l = parse_int(limit->second);
    if (!l || *l < 1 || *l > kMaxRecordsLimit) {
      out.error = "'limit' must be an integer from 1 to " + std::to_string(kMaxRecordsLimit);
      return out;
    }
    out.query.limit = *l;
  }
  return out;
}

std::string escape_bytes(const void* data, size_t size, size_t cap, bool& truncated) {
  const auto* p = static_cast<const unsigned char*>(data);
  truncated = size > cap;
  const size_t n = std::min(size, cap);
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if (c == '\\') {
      out.append("\\\\");
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out.append(buf);
    }
  }
  return out;
}

void add_console_routes(http::HttpRouter& router, const http::BrokerRouteServices& services, ConsoleOptions options) {
  auto state = std::make_shared<ConsoleState>();
  state->services = services;
  state->options = std::move(options);

  router.add("/", [](HttpRequest) -> asio::awaitable<HttpResponse> {
    co_return asset("text/html; charset=utf-8", assets::index_html());
  });
  router.add("/console/app.js", [](HttpRequest) -> asio::awaitable<HttpResponse> {
    co_return asset("application/javascript; charset=utf-8", assets::app_js());
  });
  router.add("/console/app.css", [](HttpRequest) -> asio::awaitable<HttpResponse> {
    co_return asset("text/css; charset=utf-8", assets::app_css());
  });
  // The JSON endpoints take no parameters but /api/records: anything else is a mistake.
  auto no_query = [](const HttpRequest& r) { return r.query.empty(); };
  router.add("/api/cluster", [state, no_query](HttpRequest r) -> asio::awaitable<HttpResponse> {
    if (!no_query(r)) co_return bad_request("/api/cluster takes no parameters");
    co_return HttpResponse::json(200, cluster_json(*state));
  });
  router.add("/api/topics", [state, no_query](HttpRequest r) -> asio::awaitable<HttpResponse> {
    if (!no_query(r)) co_return bad_request("/api/topics takes no parameters");
    json body = co_await topics_json(*state);
    co_return HttpResponse::json(200, body);
  });
  router.add("/api/groups", [state, no_query](HttpRequest r) -> asio::awaitable<HttpResponse> {
    if (!no_query(r)) co_return bad_request("/api/groups takes no parameters");
    json body = co_await groups_json(*state);
    co_return HttpResponse::json(200, body);
  });
  router.add("/api/throughput", [state, no_query](HttpRequest r) -> asio::awaitable<HttpResponse> {
    if (!no_query(r)) co_return bad_request("/api/throughput takes no parameters");
    json samples = json::array();
    {
      std::lock_guard lock(state->mutex);
      for (const ThroughputSample& s : state->samples) {
        samples.push_back(json{{"t", s.time_ms},
                               {"bytes_in", s.bytes_in},
                               {"bytes_out", s.bytes_out},
                               {"messages_in", s.messages_in}});
      }
    }
    json body;
    body["broker"] = state->services.broker_id.value();
    body["interval_ms"] = 1000;
    body["samples"] = std::move(samples);
    co_return HttpResponse::json(200, body);
  });
  router.add("/api/records", [state](HttpRequest r) -> asio::awaitable<HttpResponse> {
    ParsedRecordsQuery parsed = parse_records_query(r.query);
    if (!parsed.error.empty()) co_return bad_request(parsed.error);
    HttpResponse response = co_await records_response(state, std::move(parsed.query));
    co_return response;
  });
  asio::co_spawn(state->options.executor, sample_throughput(state), asio::detached);
}

}  // namespace sluice::broker::console
