#include "coordination/kafka_zk_json.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <string_view>

#include "coordination/errc.h"

namespace sluice::coordination::kafka_json {
namespace {

using Json = nlohmann::json;
// Encoders keep Kafka's field order, so the znodes read the same in zkCli.sh.
using OrderedJson = nlohmann::ordered_json;

Bytes to_bytes(const OrderedJson& j) {
  // Invalid UTF-8 (say, in a config value) becomes U+FFFD instead of an exception.
  const std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  const ByteView view = as_bytes(text);
  return Bytes(view.begin(), view.end());
}

// Parses `bytes` as a JSON object and runs `decode` on it. nlohmann reports type mismatches
// (a string where a number belongs, a missing key) by throwing; this is where they become
// corrupt_data.
template <typename T, typename F>
Result<T> decoding(const char* what, ByteView bytes, F&& decode) {
  const Json j = Json::parse(as_chars(bytes), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    spdlog::warn("znode data for {} is not a JSON object", what);
    return Errc::corrupt_data;
  }
  try {
    return std::forward<F>(decode)(j);
  } catch (const Json::exception& e) {
    spdlog::warn("znode data for {} does not parse: {}", what, e.what());
    return Errc::corrupt_data;
  }
}

std::vector<int32_t> ids_of(const std::vector<BrokerId>& ids) {
  std::vector<int32_t> out;
  out.reserve(ids.size());
  for (const BrokerId id : ids) out.push_back(id.value());
  return out;
}

std::vector<BrokerId> broker_ids(const Json& array) {
  std::vector<BrokerId> out;
  for (const Json& id : array) out.emplace_back(id.get<int32_t>());
  return out;
}

std::optional<int64_t> parse_int(std::string_view s) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<EndPoint> parse_endpoint(std::string_view s, const std::map<std::string, std::string>& protocols) {
  const size_t scheme = s.find("://");
  if (scheme == std::string_view::npos) return std::nullopt;
  const std::string_view address = s.substr(scheme + 3);
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto port = parse_int(address.substr(colon + 1));
  if (!port) return std::nullopt;
  std::string_view host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  EndPoint ep{std::string(s.substr(0, scheme)), std::string(host), static_cast<int32_t>(*port), ""};
  const auto it = protocols.find(ep.listener);
  ep.security_protocol = it != protocols.end() ? it->second : ep.listener;  // versions 2-3: names are protocols
  return ep;
}

}  // namespace

std::string endpoint_string(const EndPoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + endpoint.host + "]" : endpoint.host;
  return endpoint.listener + "://" + host + ":" + std::to_string(endpoint.port);
}

Bytes encode_cluster_id(const std::string& id) { return to_bytes(OrderedJson{{"version", "1"}, {"id", id}}); }

Result<std::string> decode_cluster_id(ByteView json) {
  return decoding<std::string>("/cluster/id", json, [](const Json& j) { return j.at("id").get<std::string>(); });
}

Bytes encode_broker(const BrokerInfo& broker) {
  OrderedJson protocols = OrderedJson::object();
  OrderedJson endpoints = OrderedJson::array();
  const EndPoint* plaintext = nullptr;
  for (const EndPoint& ep : broker.endpoints) {
    protocols[ep.listener] = ep.security_protocol;
    endpoints.push_back(endpoint_string(ep));
    if (plaintext == nullptr && ep.security_protocol == "PLAINTEXT") plaintext = &ep;
  }
  OrderedJson j = {{"features", OrderedJson::object()},
                   {"listener_security_protocol_map", protocols},
                   {"endpoints", endpoints},
                   {"jmx_port", broker.jmx_port},
                   {"port", plaintext != nullptr ? plaintext->port : -1},
                   {"host", plaintext != nullptr ? OrderedJson(plaintext->host) : OrderedJson(nullptr)},
                   {"version", 5},
                   {"timestamp", std::to_string(broker.timestamp.value())}};
  if (broker.rack) j["rack"] = *broker.rack;
  return to_bytes(j);
}

namespace {

// nullopt: an endpoint that does not parse.
std::optional<std::vector<EndPoint>> broker_endpoints(const Json& j) {
  std::map<std::string, std::string> protocols;
  if (const auto it = j.find("listener_security_protocol_map"); it != j.end() && it->is_object()) {
    for (const auto& [listener, protocol] : it->items()) protocols[listener] = protocol.get<std::string>();
  }
  std::vector<EndPoint> out;
  if (const auto it = j.find("endpoints"); it != j.end() && !it->is_null()) {
    for (const Json& e : *it) {
      auto ep = parse_endpoint(e.get<std::string>(), protocols);
      if (!ep) return std::nullopt;
      out.push_back(std::move(*ep));
    }
  } else if (!j.at("host").is_null()) {  // version 1: host and port only
    out.push_back({"PLAINTEXT", j.at("host").get<std::string>(), j.at("port").get<int32_t>(), "PLAINTEXT"});
  }
  return out;
}

}  // namespace

Result<BrokerInfo> decode_broker(BrokerId id, int64_t czxid, ByteView json) {
  return decoding<BrokerInfo>("a broker", json, [&](const Json& j) -> Result<BrokerInfo> {
    BrokerInfo b;
    b.id = id;
    b.epoch = czxid;
    auto endpoints = broker_endpoints(j);
    if (!endpoints) return Errc::corrupt_data;
    b.endpoints = std::move(*endpoints);
    if (const auto it = j.find("rack"); it != j.end() && !it->is_null()) b.rack = it->get<std::string>();
    b.jmx_port = j.value("jmx_port", -1);
    if (const auto it = j.find("timestamp"); it != j.end()) {
      const auto ms = it->is_string() ? parse_int(it->get<std::string>()) : std::optional(it->get<int64_t>());
      if (!ms) return Errc::corrupt_data;
      b.timestamp = TimestampMs(*ms);
    }
    return b;
  });
}

Bytes encode_topic_assignment(const TopicAssignment& assignment) {
  OrderedJson partitions = OrderedJson::object();
  OrderedJson adding = OrderedJson::object();
  OrderedJson removing = OrderedJson::object();
  for (const auto& [p, a] : assignment.partitions) {
    const std::string key = std::to_string(p.value());
    partitions[key] = ids_of(a.replicas);
    if (!a.adding.empty()) adding[key] = ids_of(a.adding);
    if (!a.removing.empty()) removing[key] = ids_of(a.removing);
  }
  OrderedJson j = {{"version", 3}};
  if (assignment.topic_id) j["topic_id"] = *assignment.topic_id;
  j["partitions"] = partitions;
  j["adding_replicas"] = adding;
  j["removing_replicas"] = removing;
  return to_bytes(j);
}

Result<TopicAssignment> decode_topic_assignment(ByteView json) {
  return decoding<TopicAssignment>("a topic", json, [](const Json& j) -> Result<TopicAssignment> {
    TopicAssignment t;
    for (const auto& [key, replicas] : j.at("partitions").items()) {
      const auto p = parse_int(key);
      if (!p || *p < 0 || *p > INT32_MAX) return Errc::corrupt_data;
      t.partitions[PartitionId(static_cast<int32_t>(*p))].replicas = broker_ids(replicas);
    }
    // Absent before version 2; partitions with nothing in flight are left out.
    for (const auto* field : {"adding_replicas", "removing_replicas"}) {
      const auto it = j.find(field);
      if (it == j.end() || it->is_null()) continue;
      for (const auto& [key, ids] : it->items()) {
        const auto p = parse_int(key);
        if (!p) return Errc::corrupt_data;
        auto& a = t.partitions[PartitionId(static_cast<int32_t>(*p))];
        (std::string_view(field) == "adding_replicas" ? a.adding : a.removing) = broker_ids(ids);
      }
    }
    if (const auto it = j.find("topic_id"); it != j.end() && !it->is_null()) t.topic_id = it->get<std::string>();
    return t;
  });
}

Bytes encode_partition_state(const LeaderIsrAndControllerEpoch& state) {
  const LeaderAndIsr& l = state.leader_and_isr;
  return to_bytes(OrderedJson{{"controller_epoch", state.controller_epoch.value()},
                              {"leader", l.leader.value()},
                              {"version", 1},
                              {"leader_epoch", l.leader_epoch.value()},
                              {"isr", ids_of(l.isr)}});
}

Result<LeaderIsrAndControllerEpoch> decode_partition_state(ByteView json, ZkVersion zk_version) {
  return decoding<LeaderIsrAndControllerEpoch>("a partition state", json, [&](const Json& j) {
    LeaderIsrAndControllerEpoch s;
    s.controller_epoch = ControllerEpoch(j.at("controller_epoch").get<int32_t>());
    s.leader_and_isr.leader = BrokerId(j.at("leader").get<int32_t>());
    s.leader_and_isr.leader_epoch = LeaderEpoch(j.at("leader_epoch").get<int32_t>());
    s.leader_and_isr.isr = broker_ids(j.at("isr"));
    s.leader_and_isr.zk_version = zk_version;
    return Result<LeaderIsrAndControllerEpoch>(std::move(s));
  });
}

Bytes encode_topic_config(const TopicConfig& config) {
  OrderedJson values = OrderedJson::object();
  for (const auto& [k, v] : config) values[k] = v;
  return to_bytes(OrderedJson{{"version", 1}, {"config", values}});
}

Result<TopicConfig> decode_topic_config(ByteView json) {
  return decoding<TopicConfig>("a topic config", json, [](const Json& j) {
    TopicConfig config;
    if (const auto it = j.find("config"); it != j.end() && !it->is_null()) {
      for (const auto& [k, v] : it->items()) config[k] = v.get<std::string>();
    }
    return Result<TopicConfig>(std::move(config));
  });
}

Bytes encode_config_change_notification(const std::string& entity_path) {
  return to_bytes(OrderedJson{{"version", 2}, {"entity_path", entity_path}});
}

}  // namespace sluice::coordination::kafka_json

namespace sluice::coordination::kafka_json {

Bytes encode_partition_reassignments(const PartitionReassignments& reassignments) {
  OrderedJson partitions = OrderedJson::array();
  for (const auto& [tp, replicas] : reassignments) {
    partitions.push_back(
        OrderedJson{{"topic", tp.topic}, {"partition", tp.partition.value()}, {"replicas", ids_of(replicas)}});
  }
  return to_bytes(OrderedJson{{"version", 1}, {"partitions", std::move(partitions)}});
}

Result<PartitionReassignments> decode_partition_reassignments(ByteView json) {
  return decoding<PartitionReassignments>(
      "/admin/reassign_partitions", json, [](const Json& j) -> Result<PartitionReassignments> {
        PartitionReassignments out;
        const Json& partitions = j.at("partitions");
        if (!partitions.is_array()) return Errc::corrupt_data;
        for (const Json& p : partitions) {
          if (!p.is_object()) return Errc::corrupt_data;
          const Json& topic = p.at("topic");
          const Json& partition = p.at("partition");
          const Json& replicas = p.at("replicas");
          if (!topic.is_string() || !partition.is_number_integer() || !replicas.is_array()) return Errc::corrupt_data;
          std::vector<BrokerId> ids;
          for (const Json& r : replicas) {
            if (!r.is_number_integer()) return Errc::corrupt_data;
            ids.push_back(BrokerId(r.get<int32_t>()));
          }
          TopicPartition tp{topic.get<std::string>(), PartitionId(partition.get<int32_t>())};
          if (!out.emplace(std::move(tp), std::move(ids)).second) return Errc::corrupt_data;
        }
        return out;
      });
}

}  // namespace sluice::coordination::kafka_json
