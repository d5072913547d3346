// sluice perf produce|consume: throughput (and, producing, per-record latency from produce()
// to its delivery report), with a progress line on stderr every second and a summary on stdout.
#include <cstdio>
#include <mutex>
#include <thread>

#include "client/consumer.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/progress.h"

namespace sluice::tools {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Prints the progress line once a second; on a terminal, redraws one line in place instead.
class Progress {
 public:
  explicit Progress(Clock::time_point start) : next_(start + std::chrono::seconds(1)), start_(start) {}
  void maybe_print(uint64_t records, uint64_t bytes) {
    if (line_.enabled()) {
      line_.update(format_progress(records, bytes, seconds_since(start_)));
      return;
    }
    if (Clock::now() < next_) return;
    next_ += std::chrono::seconds(1);
    std::fprintf(stderr, "%s\n", format_progress(records, bytes, seconds_since(start_)).c_str());
  }
  void finish() { line_.finish(); }

 private:
  Clock::time_point next_;
  Clock::time_point start_;
  ProgressLine line_;
};

// Shared by the main thread and the producer's delivery reports (on the client's strand).
struct PerfState {
  std::mutex mutex;
  std::condition_variable changed;
  LatencyHistogram latency;
  uint64_t in_flight = 0, acked = 0, failed = 0, bytes = 0;
  std::error_code first_error;
};

constexpr uint64_t kMaxInFlightRecords = 100'000;

}  // namespace

int run_perf_produce(const CliOptions& o, ClientRunner& runner) {
  const PerfOptions& p = o.perf;
  const auto record_size = static_cast<size_t>(p.record_size);
  // Payload bytes vary a little per record so compression has something realistic to chew.
  Bytes payload(record_size);
  for (size_t i = 0; i < record_size; ++i) payload[i] = static_cast<std::byte>('a' + (i * 7) % 26);
  PerfState state;
  install_stop_handlers();
  const auto start = Clock::now();
  Progress progress(start);
  {
    ProducerHandle producer(runner, p.producer);
    for (int64_t i = 0; i < p.records && !stop_requested(); ++i) {
      if (p.throughput > 0) {  // pace to i records by i / throughput seconds
        std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1'000'000 / p.throughput));
      }
      {
        std::unique_lock lock(state.mutex);
        state.changed.wait(lock, [&] { return state.in_flight < kMaxInFlightRecords; });
        ++state.in_flight;
        progress.maybe_print(state.acked, state.bytes);
      }
      client::ProducerRecord record;
      record.topic = p.topic;
      record.value = payload;
      const auto sent = Clock::now();
      producer->produce(std::move(record), [&state, sent, record_size](const client::DeliveryReport& report) {
        const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent).count();
        std::lock_guard lock(state.mutex);
        --state.in_flight;
        if (report.error) {
          ++state.failed;
          if (!state.first_error) state.first_error = report.error;
        } else {
          ++state.acked;
          state.bytes += record_size;
          state.latency.record(static_cast<uint64_t>(micros));
        }
        state.changed.notify_all();
      });
    }
    producer.close();
  }
  progress.finish();
  std::lock_guard lock(state.mutex);
  PerfProduceSummary summary;
  summary.records = state.acked;
  summary.failed = state.failed;
  summary.bytes = state.bytes;
  summary.seconds = seconds_since(start);
  summary.latency = &state.latency;
  std::printf("%s\n", format_perf_produce(summary, p.json).c_str());
  if (state.failed > 0) {
    std::fprintf(stderr, "%s\n", error_line("perf produce: " + std::to_string(state.failed) + " records failed",
                                            state.first_error).c_str());
    return state.acked > 0 ? kExitPartial : kExitError;
  }
  return kExitOk;
}

int run_perf_consume(const CliOptions& o, ClientRunner& runner) {
  const PerfOptions& p = o.perf;
  auto assignment = assignment_for(runner, p.topic, std::nullopt, client::StartOffset::earliest(), "perf consume");
  if (!assignment) return kExitError;
  client::Consumer consumer(runner.client(), client::ConsumerConfig{});
  if (auto st = runner.run(consumer.assign(std::move(*assignment))); !st) {
    std::fprintf(stderr, "%s\n", topic_error_line("perf consume", p.topic, {st.error(), ""}).c_str());
    return kExitError;
  }
  install_stop_handlers();
  const auto start = Clock::now();
  Progress progress(start);
  const auto idle_limit = std::chrono::milliseconds(p.timeout_ms);
  auto last_record = Clock::now();
  PerfConsumeSummary summary;
  while (summary.records < static_cast<uint64_t>(p.records) && !stop_requested()) {
    if (Clock::now() - last_record >= idle_limit) {
      std::fprintf(stderr, "sluice: perf consume: no record for %lld ms; stopping at %llu records\n",
                   static_cast<long long>(p.timeout_ms), static_cast<unsigned long long>(summary.records));
      break;
    }
    auto records = runner.run(consumer.poll(std::chrono::milliseconds(200)));
    if (!records) {
      std::fprintf(stderr, "%s\n", error_line("perf consume", records.error()).c_str());
      return kExitError;
    }
    if (!records.value().empty()) last_record = Clock::now();
    for (const auto& r : records.value()) {
      if (summary.records >= static_cast<uint64_t>(p.records)) break;
      ++summary.records;
      summary.bytes += (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
    }
    progress.maybe_print(summary.records, summary.bytes);
  }
  progress.finish();
  summary.seconds = seconds_since(start);
  std::printf("%s\n", format_perf_consume(summary, p.json).c_str());
  return summary.records == static_cast<uint64_t>(p.records) ? kExitOk : kExitError;
}

}  // namespace sluice::tools
