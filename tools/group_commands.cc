// sluice consume --group, and sluice group list|describe|reset-offsets|delete.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>

#include "client/admin.h"
#include "client/group_consumer.h"
#include "tools/commands.h"
#include "tools/format.h"

namespace sluice::tools {
namespace {

void print_err(const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }
void print_out(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

// The offset to commit for the records of a batch: one past each partition's last record.
std::map<TopicPartition, Offset> next_offsets(const std::vector<client::ConsumerRecord>& records) {
  std::map<TopicPartition, Offset> out;
  for (const auto& r : records) {
    Offset& o = out[TopicPartition{r.topic, r.partition}];
    o = std::max(o, Offset(r.offset.value() + 1));
  }
  return out;
}

// SLUICE_TEST_STALL_BETWEEN_COMMIT_AND_PRINT=1 (tests only): after the first step of the first
// non-empty batch (printing for at-least-once, committing for at-most-once), say so on stderr
// and stop there until killed, so a test can kill the consumer exactly between the two steps.
void maybe_stall() {
  const char* stall = std::getenv("SLUICE_TEST_STALL_BETWEEN_COMMIT_AND_PRINT");
  if (stall == nullptr || std::string(stall) != "1") return;
  std::fprintf(stderr, "sluice: consume: stalled between commit and print (test)\n");
  std::fflush(stderr);
  for (;;) ::pause();
}

std::string what_group(const char* what, const std::string& group) {
  return std::string("group ") + what + ": group '" + group + "'";
}

// Members' assignments by partition.
std::map<TopicPartition, const client::GroupMemberDescription*> owners(const client::GroupDescription& d) {
  std::map<TopicPartition, const client::GroupMemberDescription*> out;
  for (const auto& m : d.members) {
    if (!m.assignment) continue;
    for (const auto& tp : m.assignment->list()) out[tp] = &m;
  }
  return out;
}

// The group's description, or nullopt after printing why.
std::optional<client::GroupDescription> describe_one(ClientRunner& runner, client::Admin& admin,
                                                     const std::string& group, const char* what) {
  std::vector<std::string> ids(1, group);
  auto described = runner.run(admin.describe_groups(ids));
  if (!described) {
    print_err(error_line(what_group(what, group), described.error()));
    return std::nullopt;
  }
  if (described.value().size() != 1) {
    print_err("sluice: " + what_group(what, group) + ": no answer from the coordinator");
    return std::nullopt;
  }
  auto d = described.value().front();
  if (d.error) {
    print_err(error_line(what_group(what, group), d.error.error));
    return std::nullopt;
  }
  return d;
}

}  // namespace

int run_group_consume(const CliOptions& o, ClientRunner& runner) {
  const ConsumeOptions& c = o.consume;
  client::GroupConsumerConfig config;
  config.group_id = *c.group;
  config.session_timeout = std::chrono::milliseconds(c.session_timeout_ms);
  config.heartbeat_interval = std::min<std::chrono::milliseconds>(std::chrono::seconds(3), config.session_timeout / 3);
  config.consumer.auto_offset_reset =
      c.start == StartFrom::beginning ? client::OffsetReset::earliest : client::OffsetReset::latest;
  client::GroupConsumer consumer(runner.client(), config);
  std::vector<std::string> topics(1, c.topic);
  if (auto st = runner.run(consumer.subscribe(topics)); !st) {
    print_err(error_line("consume: group '" + *c.group + "'", st.error()));
    runner.run(consumer.close());
    return kExitError;
  }
  install_stop_handlers();
  const auto idle_limit = c.timeout_ms ? std::optional(std::chrono::milliseconds(*c.timeout_ms)) : std::nullopt;
  auto last_record = client::Clock::now();
  int64_t printed = 0;
  int code = kExitOk;
  while (!stop_requested() && (!c.count || printed < *c.count)) {
    auto wait = std::chrono::milliseconds(500);
    if (idle_limit) {
      const auto left =
          *idle_limit - std::chrono::duration_cast<std::chrono::milliseconds>(client::Clock::now() - last_record);
      if (left <= std::chrono::milliseconds(0)) break;
      wait = std::min(wait, left);
    }
    auto records = runner.run(consumer.poll(wait));
    if (!records) {
      print_err(error_line("consume: group '" + *c.group + "'", records.error()));
      code = kExitError;
      break;
    }
    std::vector<client::ConsumerRecord> batch = std::move(records).value();
    if (batch.empty()) continue;
    last_record = client::Clock::now();
    if (c.count && static_cast<int64_t>(batch.size()) > *c.count - printed) {
      batch.resize(static_cast<size_t>(*c.count - printed));
    }
    std::string text;
    for (const auto& r : batch) text += format_record(r, c.format, c.key_separator) + "\n";
    const auto offsets = next_offsets(batch);
    if (c.at_most_once) {
      if (auto st = runner.run(consumer.commit(offsets)); !st) {
        // Printing records whose commit failed could print them twice: drop them.
        print_err(error_line("consume: commit failed; " + std::to_string(batch.size()) +
                                 " records not printed (at-most-once)",
                             st.error()));
        continue;
      }
      maybe_stall();
      print_out(text);
    } else {
      print_out(text);
      maybe_stall();
      if (auto st = runner.run(consumer.commit(offsets)); !st) {
        print_err(error_line("consume: commit failed; these records may be delivered again (at-least-once)",
                             st.error()));
      }
    }
    printed += static_cast<int64_t>(batch.size());
  }
  runner.run(consumer.close());
  return code;
}

int run_group_command(const CliOptions& o, ClientRunner& runner) {
  client::Admin admin(runner.client(), std::chrono::milliseconds(o.global.request_timeout_ms));
  const GroupOptions& g = o.group;
  if (o.command == Command::group_describe) return run_group_describe(o, runner, admin);
  if (o.command == Command::group_reset_offsets) return run_group_reset_offsets(o, runner, admin);
  if (o.command == Command::group_list) {
    {
      auto listed = runner.run(admin.list_groups());
      if (!listed) {
        print_err(error_line("group list", listed.error()));
        return kExitError;
      }
      std::string text;
      for (const auto& l : listed.value().groups) {
        text += l.group_id + "\t" + (l.state.empty() ? "-" : l.state) + "\t" +
                (l.protocol_type.empty() ? "-" : l.protocol_type) + "\n";
      }
      print_out(text);
      for (const auto& [broker, error] : listed.value().errors) {
        print_err(error_line("group list: broker " + std::to_string(broker.value()), error));
      }
      return listed.value().errors.empty() ? kExitOk : kExitError;
    }
  }
  if (o.command == Command::group_delete) {
    {
      auto deleted = runner.run(admin.delete_groups(g.groups));
      if (!deleted) {
        print_err(error_line("group delete", deleted.error()));
        return kExitError;
      }
      int code = kExitOk;
      for (const auto& id : g.groups) {
        const auto& e = deleted.value()[id];
        if (e) {
          print_err(error_line(what_group("delete", id), e.error));
          code = kExitError;
        } else {
          print_out("deleted group '" + id + "'\n");
        }
      }
      return code;
    }
  }
  return kExitUsage;
}

int run_group_describe(const CliOptions& o, ClientRunner& runner, client::Admin& admin) {
  const std::string& group = o.group.groups.front();
  auto d = describe_one(runner, admin, group, "describe");
  if (!d) return kExitError;
  auto committed = runner.run(admin.list_group_offsets(group));
  if (!committed) {
    print_err(error_line(what_group("describe", group), committed.error()));
    return kExitError;
  }
  const auto owned = owners(*d);
  std::set<TopicPartition> partitions;
  for (const auto& [tp, o2] : committed.value()) partitions.insert(tp);
  for (const auto& [tp, m] : owned) partitions.insert(tp);
  std::map<TopicPartition, Offset> ends;
  if (!partitions.empty()) {
    auto listed = runner.run(admin.list_offsets({partitions.begin(), partitions.end()}, client::kLatestOffsetSpec));
    if (!listed) {
      print_err(error_line(what_group("describe", group), listed.error()));
      return kExitError;
    }
    ends = std::move(listed).value();
  }
  print_out(format_group(*d, committed.value(), ends));
  return kExitOk;
}

int run_group_reset_offsets(const CliOptions& o, ClientRunner& runner, client::Admin& admin) {
  const GroupOptions& g = o.group;
  const std::string& group = g.groups.front();
  auto d = describe_one(runner, admin, group, "reset-offsets");
  if (!d) return kExitError;
  if (d->state != "Empty" && d->state != "Dead") {
    print_err("sluice: " + what_group("reset-offsets", group) + " is " + d->state + " with " +
              std::to_string(d->members.size()) + " member(s); offsets can only be reset while it has none");
    return kExitError;
  }
  std::vector<TopicPartition> partitions;
  for (const auto& [topic, wanted] : g.topics) {
    auto info = runner.run(runner.client().topic(topic));
    if (!info) {
      print_err(topic_error_line("group reset-offsets", topic, {info.error(), ""}));
      return kExitError;
    }
    for (const auto& p : info.value().partitions) {
      if (wanted.empty() || std::find(wanted.begin(), wanted.end(), p.id.value()) != wanted.end()) {
        partitions.push_back({topic, p.id});
      }
    }
    for (int32_t p : wanted) {
      if (info.value().partition(PartitionId(p)) == nullptr) {
        print_err("sluice: group reset-offsets: topic '" + topic + "' has no partition " + std::to_string(p));
        return kExitError;
      }
    }
  }
  auto committed = runner.run(admin.list_group_offsets(group));
  auto starts = runner.run(admin.list_offsets(partitions, client::kEarliestOffsetSpec));
  auto ends = runner.run(admin.list_offsets(partitions, client::kLatestOffsetSpec));
  for (const auto* r : {&starts, &ends}) {
    if (!*r) {
      print_err(error_line(what_group("reset-offsets", group), r->error()));
      return kExitError;
    }
  }
  if (!committed) {
    print_err(error_line(what_group("reset-offsets", group), committed.error()));
    return kExitError;
  }
  std::map<TopicPartition, Offset> by_time;
  if (g.to == ResetTo::datetime) {
    auto found = runner.run(admin.list_offsets(partitions, g.value));
    if (!found) {
      print_err(error_line(what_group("reset-offsets", group), found.error()));
      return kExitError;
    }
    by_time = std::move(found).value();
  }
  std::vector<ResetPlanRow> plan;
  std::map<TopicPartition, Offset> targets;
  for (const auto& tp : partitions) {
    ResetPlanRow row;
    row.tp = tp;
    if (auto it = committed.value().find(tp); it != committed.value().end()) row.current = it->second;
    const int64_t start = starts.value()[tp].value();
    const int64_t end = ends.value()[tp].value();
    int64_t target = end;
    switch (g.to) {
      case ResetTo::earliest: target = start; break;
      case ResetTo::latest: target = end; break;
      case ResetTo::offset: target = g.value; break;
      case ResetTo::datetime: {
        const int64_t found = by_time[tp].value();
        target = found < 0 ? end : found;  // no record at or after the time: the log end
        break;
      }
      case ResetTo::shift_by: target = (row.current ? row.current->value() : end) + g.value; break;
    }
    row.next = Offset(std::clamp(target, start, std::max(start, end)));
    targets[tp] = row.next;
    plan.push_back(row);
  }
  print_out(format_reset_plan(plan));
  if (!g.execute) {
    print_out("dry run: nothing changed; add --execute to apply\n");
    return kExitOk;
  }
  auto applied = runner.run(admin.alter_group_offsets(group, targets));
  if (!applied) {
    print_err(error_line(what_group("reset-offsets", group), applied.error()));
    return kExitError;
  }
  int code = kExitOk;
  for (const auto& [tp, e] : applied.value()) {
    if (e) {
      print_err(error_line("group reset-offsets: " + tp.to_string(), e.error));
      code = kExitError;
    }
  }
  if (code == kExitOk) print_out("reset the offsets of group '" + group + "'\n");
  return code;
}

}  // namespace sluice::tools
