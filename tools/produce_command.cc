// sluice produce TOPIC: each line of stdin (or --file) becomes one record. Input is streamed:
// at most kMaxBufferedBytes of records wait for delivery at once, so a file of any size runs in
// bounded memory.
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "tools/commands.h"
#include "tools/format.h"
#include "tools/line_reader.h"

namespace sluice::tools {
namespace {

constexpr uint64_t kMaxBufferedBytes = 32 * 1024 * 1024;

Bytes to_bytes(std::string_view s) {
  Bytes out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
}

// Delivery bookkeeping shared by the main thread (producing) and the client's strand (reports).
struct Deliveries {
  std::mutex mutex;
  std::condition_variable changed;
  uint64_t buffered_bytes = 0;
  uint64_t delivered = 0;
  uint64_t failed = 0;
  std::error_code first_error;

  void add(uint64_t bytes) {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return buffered_bytes < kMaxBufferedBytes; });
    buffered_bytes += bytes;
  }
  void done(uint64_t bytes, std::error_code error) {
    std::lock_guard lock(mutex);
    buffered_bytes -= bytes;
    if (error) {
      ++failed;
      if (!first_error) first_error = error;
    } else {
      ++delivered;
    }
    changed.notify_all();
  }
};

client::ProducerRecord to_record(const ProduceOptions& p, const std::string& line) {
  client::ProducerRecord r;
  r.topic = p.topic;
  r.partition = p.partition ? std::optional(PartitionId(*p.partition)) : std::nullopt;
  const size_t at = p.key_separator ? line.find(*p.key_separator) : std::string::npos;
  if (at == std::string::npos) {
    r.value = to_bytes(line);
  } else {
    r.key = to_bytes(std::string_view(line).substr(0, at));
    r.value = to_bytes(std::string_view(line).substr(at + p.key_separator->size()));
  }
  for (const auto& [k, v] : p.headers) r.headers.push_back({k, to_bytes(v)});
  return r;
}

struct InputFile {
  std::FILE* file = nullptr;
  bool owned = false;
  ~InputFile() {
    if (owned && file != nullptr) std::fclose(file);
  }
};

// Reads and sends every line; returns false (after saying why) on an input error.
bool send_lines(const ProduceOptions& p, std::FILE* in, ProducerHandle& producer, Deliveries& deliveries) {
  LineReader reader(in, static_cast<size_t>(p.max_line_bytes));
  std::string line;
  for (;;) {
    const auto status = reader.next(line);
    if (status == LineReader::Status::end) return true;
    if (status == LineReader::Status::io_error) {
      std::fprintf(stderr, "sluice: produce: reading input: %s\n", std::strerror(errno));
      return false;
    }
    if (status == LineReader::Status::too_long) {
      std::fprintf(stderr, "sluice: produce: line %zu is longer than --max-line-bytes (%lld)\n",
                   reader.line_number(), static_cast<long long>(p.max_line_bytes));
      return false;
    }
    const uint64_t bytes = line.size() + 64;
    deliveries.add(bytes);
    producer->produce(to_record(p, line), [&deliveries, bytes](const client::DeliveryReport& report) {
      deliveries.done(bytes, report.error);
    });
  }
}

}  // namespace

int run_produce(const CliOptions& o, ClientRunner& runner) {
  const ProduceOptions& p = o.produce;
  InputFile input{stdin, false};
  if (p.file) {
    input.file = std::fopen(p.file->c_str(), "rb");
    input.owned = true;
    if (input.file == nullptr) {
      std::fprintf(stderr, "sluice: produce: cannot open '%s': %s\n", p.file->c_str(), std::strerror(errno));
      return kExitError;
    }
  }
  Deliveries deliveries;
  bool input_ok = false;
  {
    ProducerHandle producer(runner, p.producer);
    input_ok = send_lines(p, input.file, producer, deliveries);
    producer.close();  // flushes: every record has its report afterwards
  }
  std::lock_guard lock(deliveries.mutex);
  if (deliveries.failed > 0) {
    std::fprintf(stderr, "%s\n",
                 error_line("produce: " + std::to_string(deliveries.failed) + " of " +
                                std::to_string(deliveries.failed + deliveries.delivered) + " records failed",
                            deliveries.first_error)
                     .c_str());
    return deliveries.delivered > 0 ? kExitPartial : kExitError;
  }
  std::fprintf(stderr, "sluice: produced %llu records to '%s'\n",
               static_cast<unsigned long long>(deliveries.delivered), p.topic.c_str());
  return input_ok ? kExitOk : kExitError;
}

}  // namespace sluice::tools
