#include "tools/format.h"

#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "client/errc.h"
#include "protocol/error_code.h"

namespace sluice::tools {
namespace {

std::string text_of(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

nlohmann::json nullable(const std::optional<Bytes>& b) {
  return b ? nlohmann::json(text_of(*b)) : nlohmann::json(nullptr);
}

std::string join_ids(const std::vector<BrokerId>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id.value());
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double rate(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0.0; }
double megabytes(uint64_t bytes) { return static_cast<double>(bytes) / (1024.0 * 1024.0); }

}  // namespace

std::string format_record(const client::ConsumerRecord& r, OutputFormat format, const std::string& key_separator) {
  switch (format) {
    case OutputFormat::value:
      return r.value ? text_of(*r.value) : std::string();
    case OutputFormat::kv:
      return (r.key ? text_of(*r.key) : std::string()) + key_separator + (r.value ? text_of(*r.value) : std::string());
    case OutputFormat::json: {
      nlohmann::json headers = nlohmann::json::array();
      for (const auto& h : r.headers) headers.push_back({{"key", h.key}, {"value", nullable(h.value)}});
      nlohmann::json j = {{"topic", r.topic},           {"partition", r.partition.value()},
                          {"offset", r.offset.value()}, {"timestamp", r.timestamp.value()},
                          {"key", nullable(r.key)},     {"value", nullable(r.value)},
                          {"headers", headers}};
      return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  return {};
}

std::string error_line(std::string_view what, std::error_code error) {
  return "sluice: " + std::string(what) + ": " + error.message();
}

std::string topic_error_line(std::string_view what, const std::string& topic, const client::ApiError& error) {
  std::string cause = error.message;
  if (cause.empty()) {
    const auto code = client::as_broker_error(error.error);
    if (code == protocol::ErrorCode::topic_already_exists) {
      cause = "topic '" + topic + "' already exists";
    } else if (code == protocol::ErrorCode::unknown_topic_or_partition) {
      cause = "topic '" + topic + "' does not exist";
    } else {
      cause = "topic '" + topic + "'";
    }
  }
  return "sluice: " + std::string(what) + ": " + error.error.message() + ": " + cause;
}

bool is_under_replicated(const client::PartitionInfo& p) { return p.isr.size() < p.replicas.size(); }
bool is_unavailable(const client::PartitionInfo& p) {
  return p.leader.value() < 0 || p.error == protocol::ErrorCode::leader_not_available;
}

std::string format_topic(const client::TopicInfo& topic, const std::vector<client::ConfigEntry>& overrides,
                         PartitionFilter filter) {
  const size_t rf = topic.partitions.empty() ? 0 : topic.partitions.front().replicas.size();
  std::string out = "Topic: " + topic.name + "\tPartitions: " + std::to_string(topic.partitions.size()) +
                    "\tReplicationFactor: " + std::to_string(rf) + "\n";
  for (const auto& p : topic.partitions) {
    if (filter == PartitionFilter::under_replicated && !is_under_replicated(p)) continue;
    if (filter == PartitionFilter::unavailable && !is_unavailable(p)) continue;
    out += "\tPartition: " + std::to_string(p.id.value()) + "\tLeader: " + std::to_string(p.leader.value()) +
           "\tReplicas: " + join_ids(p.replicas) + "\tIsr: " + join_ids(p.isr);
    if (!p.offline_replicas.empty()) out += "\tOffline: " + join_ids(p.offline_replicas);
    if (p.error != protocol::ErrorCode::none) out += "\tError: " + std::string(protocol::error_code_name(p.error));
    if (is_unavailable(p)) out += "\tUnavailable";
    if (is_under_replicated(p)) out += "\tUnderReplicated";
    out += "\n";
  }
  out += "Configs:";
  if (overrides.empty()) out += " (none)";
  out += "\n";
  for (const auto& c : overrides) {
    out += "\t" + c.name + "=" + (c.is_sensitive ? std::string("(sensitive)") : c.value.value_or("")) + "\n";
  }
  return out;
}

std::string format_cluster(const client::ClusterDescription& cluster) {
  std::string out = "Cluster id: " + cluster.cluster_id.value_or("(none)") + "\n";
  out += "Controller: " + (cluster.controller.value() < 0 ? std::string("(none)")
                                                          : std::to_string(cluster.controller.value())) + "\n";
  out += "Brokers:\n";
  for (const auto& b : cluster.brokers) {
    // Appended piece by piece: GCC 12 reports a false -Wrestrict for "literal" + std::string here.
    out += '\t';
    out += std::to_string(b.id.value());
    out += '\t';
    out += b.host;
    out += ':';
    out += std::to_string(b.port);
    if (b.rack) out.append("\track=").append(*b.rack);
    if (b.id == cluster.controller) out += "\t(controller)";
    out += "\n";
  }
  return out;
}

std::string format_progress(uint64_t records, uint64_t bytes, double seconds) {
  return std::to_string(records) + " records, " + fixed(rate(static_cast<double>(records), seconds), 1) +
         " records/s, " + fixed(rate(megabytes(bytes), seconds), 2) + " MB/s";
}

std::string format_perf_produce(const PerfProduceSummary& s, bool json) {
  const LatencyHistogram empty;
  const LatencyHistogram& h = s.latency != nullptr ? *s.latency : empty;
  const auto ms = [](uint64_t us) { return static_cast<double>(us) / 1000.0; };
  if (json) {
    nlohmann::json j = {{"records", s.records},
                        {"failed", s.failed},
                        {"bytes", s.bytes},
                        {"seconds", s.seconds},
                        {"records_per_sec", rate(static_cast<double>(s.records), s.seconds)},
                        {"mb_per_sec", rate(megabytes(s.bytes), s.seconds)},
                        {"latency_ms",
                         {{"avg", h.mean() / 1000.0},
                          {"p50", ms(h.percentile(50))},
                          {"p95", ms(h.percentile(95))},
                          {"p99", ms(h.percentile(99))},
                          {"p99.9", ms(h.percentile(99.9))},
                          {"max", ms(h.max())}}}};
    return j.dump();
  }
  std::string out = format_progress(s.records, s.bytes, s.seconds) + " in " + fixed(s.seconds, 2) + " s";
  if (s.failed > 0) out += ", " + std::to_string(s.failed) + " failed";
  out += "; latency ms avg " + fixed(h.mean() / 1000.0, 2) + ", p50 " + fixed(ms(h.percentile(50)), 2) + ", p95 " +
         fixed(ms(h.percentile(95)), 2) + ", p99 " + fixed(ms(h.percentile(99)), 2) + ", p99.9 " +
         fixed(ms(h.percentile(99.9)), 2) + ", max " + fixed(ms(h.max()), 2);
  return out;
}

std::string format_perf_consume(const PerfConsumeSummary& s, bool json) {
  if (json) {
    nlohmann::json j = {{"records", s.records},
                        {"bytes", s.bytes},
                        {"seconds", s.seconds},
                        {"records_per_sec", rate(static_cast<double>(s.records), s.seconds)},
                        {"mb_per_sec", rate(megabytes(s.bytes), s.seconds)}};
    return j.dump();
  }
  return format_progress(s.records, s.bytes, s.seconds) + " in " + fixed(s.seconds, 2) + " s";
}

std::string format_group(const client::GroupDescription& group, const std::map<TopicPartition, Offset>& committed,
                         const std::map<TopicPartition, Offset>& log_ends) {
  std::string out = "Group: " + group.group_id + "\tState: " + group.state + "\tProtocol: " +
                    (group.protocol_type.empty() ? "-" : group.protocol_type) + "/" +
                    (group.protocol.empty() ? "-" : group.protocol) +
                    "\tCoordinator: " + std::to_string(group.coordinator.value()) + "\n";
  out += "Members: " + std::to_string(group.members.size()) + "\n";
  std::map<TopicPartition, std::string> owner;
  if (!group.members.empty()) out += "\tMEMBER\tCLIENT-ID\tHOST\tASSIGNMENT\n";
  for (const auto& m : group.members) {
    std::string assigned;
    if (m.assignment) {
      for (const auto& tp : m.assignment->list()) {
        if (!assigned.empty()) assigned += ",";
        assigned += tp.to_string();
        owner[tp] = m.member_id;
      }
    } else {
      assigned = "(undecodable)";
    }
    out += "\t" + m.member_id + "\t" + m.client_id + "\t" + m.client_host + "\t" +
           (assigned.empty() ? "-" : assigned) + "\n";
  }
  std::set<TopicPartition> partitions;
  for (const auto& [tp, o] : committed) partitions.insert(tp);
  for (const auto& [tp, m] : owner) partitions.insert(tp);
  out += "TOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tOWNER\n";
  for (const auto& tp : partitions) {
    auto c = committed.find(tp);
    auto e = log_ends.find(tp);
    std::string lag = "-";
    if (c != committed.end() && e != log_ends.end()) lag = std::to_string(std::max<int64_t>(0, e->second.value() - c->second.value()));
    auto o = owner.find(tp);
    out += tp.topic + "\t" + std::to_string(tp.partition.value()) + "\t" +
           (c == committed.end() ? "-" : std::to_string(c->second.value())) + "\t" +
           (e == log_ends.end() ? "-" : std::to_string(e->second.value())) + "\t" + lag + "\t" +
           (o == owner.end() ? "-" : o->second) + "\n";
  }
  return out;
}

std::string format_reset_plan(const std::vector<ResetPlanRow>& rows) {
  std::string out = "TOPIC\tPARTITION\tCURRENT\tNEW\n";
  for (const auto& r : rows) {
    out += r.tp.topic + "\t" + std::to_string(r.tp.partition.value()) + "\t" +
           (r.current ? std::to_string(r.current->value()) : "-") + "\t" + std::to_string(r.next.value()) + "\n";
  }
  return out;
}

}  // namespace sluice::tools
