// sluice consume TOPIC: prints records as they arrive, until --count records, --timeout-ms
// without one, or SIGINT/SIGTERM.
#include <cstdio>

#include "client/consumer.h"
#include "tools/commands.h"
#include "tools/format.h"

namespace sluice::tools {
namespace {

client::StartOffset start_of(const ConsumeOptions& c) {
  switch (c.start) {
    case StartFrom::beginning: return client::StartOffset::earliest();
    case StartFrom::end: return client::StartOffset::latest();
    case StartFrom::offset: return client::StartOffset::at(Offset(c.start_value));
    case StartFrom::timestamp: return client::StartOffset::at_time(TimestampMs(c.start_value));
  }
  return client::StartOffset::latest();
}

}  // namespace

// The topic's partitions (or just --partition) with the start position; nullopt after saying why.
std::optional<std::vector<client::Assignment>> assignment_for(ClientRunner& runner, const std::string& topic,
                                                              std::optional<int32_t> partition,
                                                              client::StartOffset start, const char* what) {
  auto info = runner.run(runner.client().topic(topic));
  if (!info) {
    std::fprintf(stderr, "%s\n", topic_error_line(what, topic, {info.error(), ""}).c_str());
    return std::nullopt;
  }
  std::vector<client::Assignment> out;
  for (const auto& p : info.value().partitions) {
    if (!partition || p.id.value() == *partition) out.push_back({{topic, p.id}, start});
  }
  if (out.empty()) {
    std::fprintf(stderr, "sluice: %s: topic '%s' has no partition %d\n", what, topic.c_str(), partition.value_or(-1));
    return std::nullopt;
  }
  return out;
}

int run_consume(const CliOptions& o, ClientRunner& runner) {
  const ConsumeOptions& c = o.consume;
  if (c.group) return run_group_consume(o, runner);
  auto assignment = assignment_for(runner, c.topic, c.partition, start_of(c), "consume");
  if (!assignment) return kExitError;
  client::Consumer consumer(runner.client(), client::ConsumerConfig{});
  if (auto st = runner.run(consumer.assign(std::move(*assignment))); !st) {
    std::fprintf(stderr, "%s\n", topic_error_line("consume", c.topic, {st.error(), ""}).c_str());
    return kExitError;
  }
  install_stop_handlers();
  const auto idle_limit = c.timeout_ms ? std::optional(std::chrono::milliseconds(*c.timeout_ms)) : std::nullopt;
  auto last_record = client::Clock::now();
  int64_t printed = 0;
  while (!stop_requested() && (!c.count || printed < *c.count)) {
    auto wait = std::chrono::milliseconds(500);
    if (idle_limit) {
      const auto left = *idle_limit - std::chrono::duration_cast<std::chrono::milliseconds>(client::Clock::now() - last_record);
      if (left <= std::chrono::milliseconds(0)) break;
      wait = std::min(wait, left);
    }
    auto records = runner.run(consumer.poll(wait));
    if (!records) {
      std::fprintf(stderr, "%s\n", error_line("consume", records.error()).c_str());
      return kExitError;
    }
    if (!records.value().empty()) last_record = client::Clock::now();
    for (const auto& r : records.value()) {
      if (c.count && printed >= *c.count) break;
      const std::string line = format_record(r, c.format, c.key_separator) + "\n";
      std::fwrite(line.data(), 1, line.size(), stdout);
      ++printed;
    }
    std::fflush(stdout);
  }
  return kExitOk;
}

}  // namespace sluice::tools
