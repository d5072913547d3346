// sluice topic create|list|describe|delete|alter-config|add-partitions|reassign.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "client/admin.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/progress.h"
#include "tools/reassignment_plan.h"

namespace sluice::tools {
namespace {

void print_err(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }

// Reports each topic's outcome: "<verb> topic 'x'" on stdout, or its error line.
int report(const char* what, const char* verb, const Result<client::TopicErrors>& result,
           const std::vector<std::string>& names) {
  if (!result) {
    print_err(error_line(what, result.error()));
    return kExitError;
  }
  int code = kExitOk;
  for (const auto& name : names) {
    auto it = result.value().find(name);
    if (it == result.value().end()) {
      print_err(std::string("sluice: ") + what + ": no answer for topic '" + name + "'");
      code = kExitError;
    } else if (it->second) {
      print_err(topic_error_line(what, name, it->second));
      code = kExitError;
    } else {
      std::printf("%s topic '%s'\n", verb, name.c_str());
    }
  }
  return code;
}

int create(const TopicOptions& t, client::Admin& admin, ClientRunner& runner) {
  std::vector<client::NewTopic> topics;
  for (const auto& name : t.names) {
    client::NewTopic n;
    n.name = name;
    n.num_partitions = t.partitions;
    n.replication_factor = t.replication_factor;
    n.configs = t.configs;
    topics.push_back(std::move(n));
  }
  return report("topic create", "created", runner.run(admin.create_topics(std::move(topics))), t.names);
}

int list(client::Admin& admin, ClientRunner& runner) {
  auto names = runner.run(admin.list_topics());
  if (!names) {
    print_err(error_line("topic list", names.error()));
    return kExitError;
  }
  for (const auto& name : names.value()) std::printf("%s\n", name.c_str());
  return kExitOk;
}

int describe(const TopicOptions& t, client::Admin& admin, ClientRunner& runner) {
  auto topics = runner.run(admin.describe_topics(t.names));
  if (!topics) {
    print_err(error_line("topic describe", topics.error()));
    return kExitError;
  }
  int code = kExitOk;
  for (const auto& topic : topics.value()) {
    if (topic.error != protocol::ErrorCode::none) {
      print_err(topic_error_line("topic describe", topic.name, {client::broker_error(topic.error), ""}));
      code = kExitError;
      continue;
    }
    client::ConfigResource resource{client::ConfigResourceType::topic, topic.name};
    auto configs = runner.run(admin.describe_configs(resource));
    std::vector<client::ConfigEntry> overrides;
    if (!configs || configs.value().error) {
      const client::ApiError e = configs ? configs.value().error : client::ApiError{configs.error(), ""};
      print_err(topic_error_line("topic describe: configs", topic.name, e));
      code = kExitError;
    } else {
      for (const auto& entry : configs.value().entries) {
        if (entry.is_override()) overrides.push_back(entry);
      }
    }
    const PartitionFilter filter = t.unavailable        ? PartitionFilter::unavailable
                                   : t.under_replicated ? PartitionFilter::under_replicated
                                                        : PartitionFilter::all;
    std::fputs(format_topic(topic, overrides, filter).c_str(), stdout);
  }
  return code;
}

int alter_config(const TopicOptions& t, client::Admin& admin, ClientRunner& runner) {
  std::vector<client::ConfigChange> changes;
  for (const auto& [name, value] : t.set) changes.push_back({name, client::ConfigChange::Op::set, value});
  for (const auto& name : t.remove) changes.push_back({name, client::ConfigChange::Op::remove, ""});
  int code = kExitOk;
  for (const auto& name : t.names) {
    client::ConfigResource resource{client::ConfigResourceType::topic, name};
    auto result = runner.run(admin.incremental_alter_configs(resource, changes));
    if (!result) {
      print_err(error_line("topic alter-config", result.error()));
      code = kExitError;
    } else if (result.value()) {
      print_err(topic_error_line("topic alter-config", name, result.value()));
      code = kExitError;
    } else {
      std::printf("altered topic '%s'\n", name.c_str());
    }
  }
  return code;
}

int add_partitions(const TopicOptions& t, client::Admin& admin, ClientRunner& runner) {
  std::map<std::string, int32_t> counts;
  for (const auto& name : t.names) counts[name] = t.total_partitions;
  return report("topic add-partitions", "grew", runner.run(admin.create_partitions(std::move(counts))), t.names);
}

std::string ids_text(const std::vector<BrokerId>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.append(std::to_string(ids[i].value()));
  }
  out.push_back(']');
  return out;
}

std::string progress_line(const TopicPartition& tp, const client::PartitionReassignment& r) {
  return tp.to_string() + ": replicas " + ids_text(r.replicas) + " adding " + ids_text(r.adding) + " removing " +
         ids_text(r.removing);
}

int list_reassignments(client::Admin& admin, ClientRunner& runner) {
  auto listed = runner.run(admin.list_partition_reassignments(std::nullopt));
  if (!listed) {
    print_err(error_line("topic reassign --list", listed.error()));
    return kExitError;
  }
  if (listed.value().empty()) std::printf("No partition reassignment in progress\n");
  for (const auto& [tp, r] : listed.value()) std::printf("%s\n", progress_line(tp, r).c_str());
  return kExitOk;
}

// The partitions and targets asked for: the command-line groups, or the plan file.
std::optional<ReassignmentPlan> requested(const ReassignOptions& r) {
  if (!r.plan_file) return r.targets;
  std::ifstream in(*r.plan_file);
  if (!in) {
    print_err("sluice: topic reassign: cannot read --plan file '" + *r.plan_file + "'");
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_reassignment_plan(text.str());
  if (auto* error = std::get_if<std::string>(&parsed)) {
    print_err("sluice: topic reassign: --plan " + *r.plan_file + ": " + *error);
    return std::nullopt;
  }
  return std::get<ReassignmentPlan>(std::move(parsed));
}

// Polls ListPartitionReassignments until none of `waiting` is in flight, printing each change.
int wait_for(std::vector<TopicPartition> waiting, const ReassignOptions& r, client::Admin& admin, ClientRunner& runner) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(r.wait_timeout_ms);
  std::map<TopicPartition, std::string> shown;
  std::set<TopicPartition> left(waiting.begin(), waiting.end());
  ProgressLine progress;  // on a terminal only: what is left, between the printed changes
  const auto started = std::chrono::steady_clock::now();
  while (!left.empty()) {
    auto listed = runner.run(admin.list_partition_reassignments(waiting));
    progress.finish();
    if (!listed) {
      print_err(error_line("topic reassign --wait", listed.error()));
      return kExitError;
    }
    for (auto it = left.begin(); it != left.end();) {
      auto in_flight = listed.value().find(*it);
      if (in_flight == listed.value().end()) {
        std::printf("Reassignment of %s complete\n", it->to_string().c_str());
        it = left.erase(it);
        continue;
      }
      std::string line = progress_line(*it, in_flight->second);
      if (shown[*it] != line) std::printf("%s\n", line.c_str());
      shown[*it] = std::move(line);
      ++it;
    }
    std::fflush(stdout);
    if (left.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      print_err("sluice: topic reassign --wait: " + std::to_string(left.size()) + " reassignments still in progress after " +
                std::to_string(r.wait_timeout_ms) + " ms");
      return kExitError;
    }
    progress.update("waiting for " + std::to_string(left.size()) + " reassignment(s), " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::steady_clock::now() - started).count()) + " s");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return kExitOk;
}

int reassign(const ReassignOptions& r, client::Admin& admin, ClientRunner& runner) {
  if (r.list) return list_reassignments(admin, runner);
  auto plan = requested(r);
  if (!plan) return kExitError;
  std::map<TopicPartition, std::optional<std::vector<BrokerId>>> targets;
  for (const auto& [tp, replicas] : *plan) {
    std::optional<std::vector<BrokerId>> ids;
    if (!r.cancel) {
      ids.emplace();
      for (int32_t id : replicas) ids->push_back(BrokerId(id));
    }
    targets[TopicPartition{tp.first, PartitionId(tp.second)}] = std::move(ids);
  }
  auto result = runner.run(admin.alter_partition_reassignments(targets));
  if (!result) {
    print_err(error_line("topic reassign", result.error()));
    return kExitError;
  }
  int code = kExitOk;
  std::vector<TopicPartition> accepted;
  for (const auto& [tp, ids] : targets) {
    auto it = result.value().find(tp);
    if (it == result.value().end()) {
      print_err("sluice: topic reassign: no answer for " + tp.to_string());
      code = kExitError;
    } else if (it->second) {
      print_err(error_line("topic reassign: " + tp.to_string(), it->second.error));
      code = kExitError;
    } else if (ids) {
      std::printf("Reassignment of %s to %s started\n", tp.to_string().c_str(), ids_text(*ids).c_str());
      accepted.push_back(tp);
    } else {
      std::printf("Reassignment of %s cancelled\n", tp.to_string().c_str());
      accepted.push_back(tp);
    }
  }
  std::fflush(stdout);
  if (!r.wait || accepted.empty()) return code;
  const int waited = wait_for(std::move(accepted), r, admin, runner);
  return code != kExitOk ? code : waited;
}

}  // namespace

int run_topic_command(const CliOptions& o, ClientRunner& runner) {
  client::Admin admin(runner.client(), std::chrono::milliseconds(o.global.request_timeout_ms));
  const TopicOptions& t = o.topic;
  if (o.command == Command::topic_create) return create(t, admin, runner);
  if (o.command == Command::topic_list) return list(admin, runner);
  if (o.command == Command::topic_describe) return describe(t, admin, runner);
  if (o.command == Command::topic_delete) {
    return report("topic delete", "deleted", runner.run(admin.delete_topics(t.names)), t.names);
  }
  if (o.command == Command::topic_alter_config) return alter_config(t, admin, runner);
  if (o.command == Command::topic_add_partitions) return add_partitions(t, admin, runner);
  if (o.command == Command::topic_reassign) return reassign(o.reassign, admin, runner);
  return kExitUsage;
}

int run_cluster_info(const CliOptions& o, ClientRunner& runner) {
  client::Admin admin(runner.client(), std::chrono::milliseconds(o.global.request_timeout_ms));
  auto cluster = runner.run(admin.describe_cluster());
  if (!cluster) {
    print_err(error_line("cluster info", cluster.error()));
    return kExitError;
  }
  std::fputs(format_cluster(cluster.value()).c_str(), stdout);
  return kExitOk;
}

}  // namespace sluice::tools
