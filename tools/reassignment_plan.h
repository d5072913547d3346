// Kafka's partition reassignment plan JSON, as kafka-reassign-partitions.sh reads and prints it:
// {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[3,1,2],"log_dirs":["any",..]}]}
// ("log_dirs" and other fields are accepted and ignored).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::tools {

// partition -> target replicas, in order.
using ReassignmentPlan = std::map<std::pair<std::string, int32_t>, std::vector<int32_t>>;

// The plan, or a one-line reason it is not one (not JSON, a missing or mistyped field, a partition
// listed twice, a negative partition or broker id, an empty replica list).
std::variant<ReassignmentPlan, std::string> parse_reassignment_plan(std::string_view json);

// The plan in the same format (for --list output and round trips).
std::string format_reassignment_plan(const ReassignmentPlan& plan);

}  // namespace sluice::tools
