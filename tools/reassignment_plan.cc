#include "tools/reassignment_plan.h"

#include <nlohmann/json.hpp>

namespace sluice::tools {

std::variant<ReassignmentPlan, std::string> parse_reassignment_plan(std::string_view json) {
  using Json = nlohmann::json;
  const Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::string("the plan is not JSON");
  if (!j.is_object()) return std::string("the plan is not a JSON object");
  if (auto v = j.find("version"); v != j.end() && !(v->is_number_integer() && v->get<int64_t>() == 1)) {
    return std::string("unsupported plan version (expected 1)");
  }
  const auto partitions = j.find("partitions");
  if (partitions == j.end() || !partitions->is_array()) return std::string("the plan has no \"partitions\" array");
  ReassignmentPlan plan;
  for (const Json& p : *partitions) {
    if (!p.is_object()) return std::string("a \"partitions\" entry is not an object");
    const auto topic = p.find("topic");
    const auto partition = p.find("partition");
    const auto replicas = p.find("replicas");
    if (topic == p.end() || !topic->is_string() || topic->get<std::string>().empty()) {
      return std::string("an entry has no \"topic\" string");
    }
    const std::string name = topic->get<std::string>();
    if (partition == p.end() || !partition->is_number_integer() || partition->get<int64_t>() < 0 ||
        partition->get<int64_t>() > INT32_MAX) {
      return "an entry of topic '" + name + "' has no valid \"partition\"";
    }
    const auto id = static_cast<int32_t>(partition->get<int64_t>());
    const std::string where = name + "-" + std::to_string(id);
    if (replicas == p.end() || !replicas->is_array() || replicas->empty()) {
      return where + ": \"replicas\" must be a non-empty array";
    }
    std::vector<int32_t> ids;
    for (const Json& r : *replicas) {
      if (!r.is_number_integer() || r.get<int64_t>() < 0 || r.get<int64_t>() > INT32_MAX) {
        return where + ": replicas must be broker ids";
      }
      ids.push_back(static_cast<int32_t>(r.get<int64_t>()));
    }
    if (!plan.emplace(std::pair{name, id}, std::move(ids)).second) return where + " is listed twice";
  }
  return plan;
}

std::string format_reassignment_plan(const ReassignmentPlan& plan) {
  nlohmann::ordered_json partitions = nlohmann::ordered_json::array();
  for (const auto& [tp, replicas] : plan) {
    partitions.push_back(nlohmann::ordered_json{{"topic", tp.first}, {"partition", tp.second}, {"replicas", replicas}});
  }
  return nlohmann::ordered_json{{"version", 1}, {"partitions", std::move(partitions)}}.dump();
}

}  // namespace sluice::tools
