// sluice cluster elect-leaders: preferred or unclean leader election through ElectLeaders.
#include <cstdio>

#include "client/admin.h"
#include "tools/commands.h"
#include "tools/format.h"

namespace sluice::tools {
namespace {

void print_err(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

}  // namespace

int run_cluster_elect_leaders(const CliOptions& o, ClientRunner& runner) {
  client::Admin admin(runner.client(), std::chrono::milliseconds(o.global.request_timeout_ms));
  std::optional<std::vector<TopicPartition>> partitions;
  if (!o.elect.all) {
    partitions.emplace();
    std::vector<int32_t> ids = o.elect.partitions;
    if (ids.empty()) {
      // Every partition of the topic, from metadata.
      std::vector<std::string> names = {o.elect.topic};
      auto topics = runner.run(admin.describe_topics(names));
      if (!topics) {
        print_err(error_line("cluster elect-leaders", topics.error()));
        return kExitError;
      }
      for (const auto& topic : topics.value()) {
        if (topic.error != protocol::ErrorCode::none) {
          print_err(topic_error_line("cluster elect-leaders", topic.name, {client::broker_error(topic.error), ""}));
          return kExitError;
        }
        for (const auto& p : topic.partitions) ids.push_back(p.id.value());
      }
    }
    for (int32_t p : ids) partitions->push_back({o.elect.topic, PartitionId(p)});
  }
  const auto type = o.elect.unclean ? client::ElectionType::unclean : client::ElectionType::preferred;
  auto result = runner.run(admin.elect_leaders(type, std::move(partitions)));
  if (!result) {
    print_err(error_line("cluster elect-leaders", result.error()));
    return kExitError;
  }
  int code = kExitOk;
  size_t elected = 0;
  for (const auto& [tp, error] : result.value()) {
    if (!error) {
      std::printf("Elected a new leader for %s\n", tp.to_string().c_str());
      ++elected;
      continue;
    }
    const bool not_needed = error.error == client::broker_error(protocol::ErrorCode::election_not_needed);
    if (not_needed) {
      std::printf("No election needed for %s\n", tp.to_string().c_str());
      continue;
    }
    print_err(error_line("cluster elect-leaders: " + tp.to_string(), error.error));
    code = kExitError;
  }
  if (elected == 0 && code == kExitOk && result.value().empty()) std::printf("No partition needed an election\n");
  return code;
}

}  // namespace sluice::tools
