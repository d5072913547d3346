// storage_bench: how fast a partition Log appends and reads back, next to plain sequential
// write() of the same bytes to the same directory (the ceiling for an append-only log).
//
//   build/bin/storage_bench [--dir D] [--total-mib N] [--record-bytes N] [--rounds N]
//
// For each batch size (16 KiB and 1 MiB of 100-byte records) it runs rounds of "plain write"
// and "Log::append_as_leader" on fresh files (alternating which goes first; the append/plain
// ratio is taken per round, then the median), then reads the log back through
// Log::read slices (pread into a reused buffer, as a non-zero-copy reader would) and through
// sendfile(2) to /dev/null (the broker's zero-copy path). Reports medians over the rounds.
// Neither side fsyncs inside the timed loop: Kafka's default (and ours) leaves durability to
// replication and recovery; both start from an empty file in the same directory.
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "protocol/batch_iterator.h"
#include "protocol/logging.h"
#include "protocol/record_batch_builder.h"
#include "storage/log.h"
#include "storage/validated_batches.h"

namespace fs = std::filesystem;
using namespace sluice;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  fs::path dir = fs::temp_directory_path() / "sluice-storage-bench";
  int64_t total_bytes = 256LL << 20;
  size_t record_bytes = 100;
  int rounds = 9;
};

struct Rate {
  double mb_per_s = 0;
  double records_per_s = 0;
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "storage_bench: %s\n", why.c_str());
  std::exit(1);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--dir") o.dir = value();
    else if (a == "--total-mib") o.total_bytes = std::stoll(value()) << 20;
    else if (a == "--record-bytes") o.record_bytes = std::stoul(value());
    else if (a == "--rounds") o.rounds = std::stoi(value());
    else die("unknown option " + a + " (see the comment at the top of bench/storage_bench.cc)");
  }
  if (o.rounds < 1 || o.total_bytes <= 0 || o.record_bytes == 0) die("sizes and rounds must be positive");
  return o;
}

// One uncompressed batch of as many `record_bytes`-value records as fit in `batch_bytes`.
std::pair<Bytes, int> make_batch(size_t batch_bytes, size_t record_bytes) {
  protocol::RecordBatchBuilder builder({});
  Bytes value(record_bytes, std::byte{'x'});
  const size_t per_record = record_bytes + 8;  // value + record framing (varints, attributes)
  const size_t count = std::max<size_t>(1, (batch_bytes - protocol::kRecordBatchHeaderSize) / per_record);
  for (size_t i = 0; i < count; ++i) builder.append(TimestampMs(1700000000000), std::nullopt, ByteView(value));
  auto built = builder.build();
  if (!built) die("building the batch failed: " + built.error().message());
  return {std::move(built.value()), static_cast<int>(count)};
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Rate rate(double seconds, int64_t bytes, int64_t records) {
  return {static_cast<double>(bytes) / seconds / 1e6, static_cast<double>(records) / seconds};
}

Rate plain_write(const fs::path& file, const Bytes& batch, int64_t batches, int records) {
  int fd = ::open(file.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) die("open " + file.string() + ": " + std::strerror(errno));
  auto start = Clock::now();
  for (int64_t i = 0; i < batches; ++i) {
    if (::write(fd, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size())) die("write failed");
  }
  double s = seconds_since(start);
  ::close(fd);
  fs::remove(file);
  return rate(s, batches * static_cast<int64_t>(batch.size()), batches * records);
}

// Kafka's defaults, but max.message.bytes raised to admit the 1 MiB batch with its header.
std::unique_ptr<storage::Log> open_log(const fs::path& dir, size_t batch_size) {
  storage::LogConfig config;
  config.max_message_bytes = std::max<int64_t>(config.max_message_bytes, static_cast<int64_t>(batch_size));
  auto log = storage::Log::open(dir, config, {}, storage::SystemClock::instance());
  if (!log) die("opening the log in " + dir.string() + ": " + log.error().message());
  return std::move(log.value());
}

Rate log_append(storage::Log& log, Bytes batch, int64_t batches, int records) {
  // The first append of a new leader epoch writes leader-epoch-checkpoint with an fsync (as
  // Kafka does, once per leadership change); keep that one-time cost out of the rate.
  if (!log.validate_and_append_as_leader(batch, LeaderEpoch(0))) die("append failed");
  auto start = Clock::now();
  for (int64_t i = 0; i < batches; ++i) {
    protocol::set_base_offset(batch, Offset(0));  // as a producer sends it
    // The broker's path: one validation (CRC), then the append of the proven batch.
    // The batch is validated where it lies, as the broker validates a request frame's records.
    auto validated = storage::ValidatedBatches::for_leader({MutableByteView(batch), nullptr}, log.config());
    if (!validated) die("validation failed: " + validated.error().message());
    auto info = log.append_as_leader(validated.value(), LeaderEpoch(0));
    if (!info) die("append failed: " + info.error().message());
  }
  return rate(seconds_since(start), batches * static_cast<int64_t>(batch.size()), batches * records);
}

// Reads the whole log in fetch-sized slices; `send` consumes each slice and returns its bytes.
template <typename Send>
Rate read_back(const storage::Log& log, int records_per_batch, Send&& send) {
  int64_t bytes = 0, batches = 0;
  Offset next(0);
  auto start = Clock::now();
  while (next < log.log_end_offset()) {
    auto slice = log.read(next, 1 << 20, std::nullopt, true);
    if (!slice) die("read failed: " + slice.error().message());
    auto [slice_bytes, slice_batches, last] = send(slice.value());
    bytes += slice_bytes;
    batches += slice_batches;
    next = last + 1;
  }
  return rate(seconds_since(start), bytes, batches * records_per_batch);
}

struct SliceRead {
  int64_t bytes;
  int64_t batches;
  Offset last;
};

// pread into a reused buffer, then walk the batch headers (what a consumer does).
SliceRead read_with_pread(const storage::FileSlice& s, Bytes& buffer) {
  buffer.resize(static_cast<size_t>(s.length));
  if (::pread(s.file->fd(), buffer.data(), buffer.size(), s.position.value()) != s.length) die("pread failed");
  SliceRead r{s.length, 0, Offset(-1)};
  auto scan = protocol::for_each_batch(buffer, buffer.size(), [&](const protocol::BatchView& b) {
    r.last = b.header.last_offset();
    ++r.batches;
    return ok();
  });
  if (scan.batch_count == 0) die("a slice held no whole batch");
  return r;
}

// sendfile to /dev/null: the kernel path the broker uses, without a socket's own costs.
SliceRead read_with_sendfile(const storage::FileSlice& s, int null_fd, int64_t batch_size, Offset first,
                             int records_per_batch) {
  off_t pos = s.position.value();
  if (::sendfile(null_fd, s.file->fd(), &pos, static_cast<size_t>(s.length)) != s.length) die("sendfile failed");
  int64_t batches = s.length / batch_size;  // every batch in this run has the same size
  return {s.length, batches, first + batches * records_per_batch - 1};
}

template <typename T>
T median(std::vector<T> v, auto key) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  return v[v.size() / 2];
}

void run(const Options& o, size_t batch_bytes) {
  auto [batch, records] = make_batch(batch_bytes, o.record_bytes);
  const int64_t batches = std::max<int64_t>(1, o.total_bytes / static_cast<int64_t>(batch.size()));
  std::vector<Rate> plain, append, pread_rates, sendfile_rates;
  std::vector<double> ratios;  // append / plain of the same round: less noisy than two medians
  Bytes buffer;
  int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  for (int round = 0; round < o.rounds; ++round) {
    fs::remove_all(o.dir);
    fs::create_directories(o.dir);
    auto log = open_log(o.dir / "bench-0", batch.size());
    // Alternate which goes first, so page-cache writeback of earlier rounds hits both alike.
    if (round % 2 == 0) plain.push_back(plain_write(o.dir / "plain.bin", batch, batches, records));
    append.push_back(log_append(*log, batch, batches, records));
    if (round % 2 == 1) plain.push_back(plain_write(o.dir / "plain.bin", batch, batches, records));
    ratios.push_back(append.back().mb_per_s / plain.back().mb_per_s);
    pread_rates.push_back(read_back(*log, records, [&](const storage::FileSlice& s) {
      return read_with_pread(s, buffer);
    }));
    sendfile_rates.push_back(read_back(*log, records, [&](const storage::FileSlice& s) {
      return read_with_sendfile(s, null_fd, static_cast<int64_t>(batch.size()), s.first_offset, records);
    }));
    if (auto closed = log->close(); !closed) die("close failed: " + closed.error().message());
  }
  ::close(null_fd);
  fs::remove_all(o.dir);

  auto by_rate = [](const Rate& r) { return r.mb_per_s; };
  auto line = [&](const char* what, Rate r) {
    std::printf("  %-28s %9.0f MB/s %12.0f records/s\n", what, r.mb_per_s, r.records_per_s);
  };
  std::printf("batch %zu bytes (%d records of %zu bytes), %lld MiB per round, medians of %d rounds\n",
              batch.size(), records, o.record_bytes, static_cast<long long>(o.total_bytes >> 20), o.rounds);
  line("plain write()", median(plain, by_rate));
  line("Log::append_as_leader", median(append, by_rate));
  std::printf("  %-28s %9.1f %%\n", "append / plain write", 100.0 * median(ratios, [](double r) { return r; }));
  line("read back (pread)", median(pread_rates, by_rate));
  line("read back (sendfile)", median(sendfile_rates, by_rate));
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  (void)init_logging("warn");
  for (size_t batch_bytes : {size_t{16} << 10, size_t{1} << 20}) run(o, batch_bytes);
  return 0;
}
