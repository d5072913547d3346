// sluice topic create|list|describe|delete|alter-config|add-partitions.
#include <cstdio>

#include "client/admin.h"
#include "tools/commands.h"
#include "tools/format.h"

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
