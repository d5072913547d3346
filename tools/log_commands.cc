// sluice log dump|verify (offline, on a partition's segment files, like kafka-dump-log) and
// sluice cluster health (from Metadata and DescribeConfigs). docs/cli.md describes the output.
//
// The files are read with storage/ (read_batch_header, verify_batch_crc, OffsetIndex, TimeIndex)
// and protocol/ (decode_records): every size that comes from a file is checked against the file's
// length before it is used, and a batch is only read whole (to print its records) up to
// kMaxDecodedBatch, so a corrupt or truncated file gives a problem line, never a crash or a huge
// allocation.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "client/admin.h"
#include "protocol/record_batch.h"
#include "storage/batch_reader.h"
#include "storage/errc.h"
#include "storage/file_util.h"
#include "storage/offset_index.h"
#include "storage/time_index.h"
#include "tools/commands.h"
#include "tools/format.h"
#include "tools/progress.h"

namespace sluice::tools {
namespace {

namespace fs = std::filesystem;
using protocol::RecordBatchHeader;

constexpr size_t kMaxDecodedBatch = size_t{64} << 20;

// Printable ASCII as is, a backslash doubled, every other byte as \xNN.
std::string escape(ByteView bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size());
  for (std::byte b : bytes) {
    const auto c = static_cast<unsigned char>(b);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}
std::string show(const std::optional<Bytes>& bytes) { return bytes ? escape(*bytes) : "null"; }

const char* codec_name(protocol::CompressionType c) {
  switch (c) {
    case protocol::CompressionType::none: return "none";
    case protocol::CompressionType::gzip: return "gzip";
    case protocol::CompressionType::snappy: return "snappy";
    case protocol::CompressionType::lz4: return "lz4";
    case protocol::CompressionType::zstd: return "zstd";
  }
  return "unknown";
}

const char* timestamp_type_name(const RecordBatchHeader& h) {
  return h.timestamp_type() == protocol::TimestampType::log_append_time ? "LogAppendTime" : "CreateTime";
}

// "00000000000000000042.log" -> 42; nullopt for any other name.
std::optional<Offset> segment_base(const fs::path& file) {
  const std::string stem = file.stem().string();
  if (stem.size() != 20 || !std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return Offset(std::stoll(stem));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

struct BatchInfo {
  FilePosition position{0};
  RecordBatchHeader header;
  bool crc_ok = false;
};

// One pass over a .log: each batch's header and CRC, and the problems that stopped the pass.
struct SegmentScan {
  std::vector<BatchInfo> batches;
  std::vector<std::string> problems;
  int64_t size = 0;
  bool opened = false;
};

// Why no batch could be read at `position` (read_batch_header said corrupt_batch).
std::string header_problem(int fd, int64_t position, int64_t size) {
  std::array<std::byte, protocol::kRecordBatchHeaderSize> buf{};
  const ssize_t n = ::pread(fd, buf.data(), buf.size(), position);
  if (n != static_cast<ssize_t>(buf.size())) return "position " + std::to_string(position) + ": cannot read a batch header";
  auto header = RecordBatchHeader::parse(buf, SIZE_MAX);
  if (header && static_cast<int64_t>(header.value().size_in_bytes()) > size - position) {
    return "position " + std::to_string(position) + ": batch at offset " +
           std::to_string(header.value().base_offset.value()) + " declares " +
           std::to_string(header.value().size_in_bytes()) + " bytes but only " + std::to_string(size - position) +
           " remain (truncated)";
  }
  return "position " + std::to_string(position) + ": no valid batch header (" +
         (header ? std::string("bad length") : header.error().message()) + ")";
}

// Walks the .log at `path`, calling on_batch(fd, info) for each batch whose header is readable.
// Stops at the first unreadable header or torn tail (a problem); a CRC mismatch is reported by
// info.crc_ok and the walk goes on after the batch (its length lies outside the CRC).
template <typename OnBatch>
SegmentScan scan_segment(const fs::path& path, ProgressLine* progress, int64_t done_before, int64_t total,
                         OnBatch&& on_batch) {
  SegmentScan scan;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0) {
    scan.problems.push_back(std::string("cannot open: ") + std::strerror(errno));
    return scan;
  }
  scan.opened = true;
  scan.size = st.st_size;
  int64_t position = 0;
  while (position < scan.size) {
    auto header = storage::read_batch_header(fd.get(), FilePosition(position), scan.size, path);
    if (!header) {
      scan.problems.push_back(header.error() == storage::Errc::corrupt_batch
                                  ? header_problem(fd.get(), position, scan.size)
                                  : "position " + std::to_string(position) + ": " + header.error().message());
      break;
    }
    if (!header.value()) {
      scan.problems.push_back("position " + std::to_string(position) + ": " + std::to_string(scan.size - position) +
                              " trailing bytes, fewer than a batch header (truncated)");
      break;
    }
    BatchInfo info;
    info.position = FilePosition(position);
    info.header = *header.value();
    info.crc_ok = static_cast<bool>(storage::verify_batch_crc(fd.get(), info.position, info.header, path));
    on_batch(fd.get(), info);
    scan.batches.push_back(info);
    position += static_cast<int64_t>(info.header.size_in_bytes());
    if (progress != nullptr) progress->update(byte_progress(path.filename().string(), done_before + position, total));
  }
  return scan;
}

// --- __consumer_offsets records in Kafka's format (--offsets-decoder) ---

class BigEndianReader {
 public:
  explicit BigEndianReader(ByteView in) : in_(in) {}
  template <typename T>
  std::optional<T> read() {
    if (in_.size() - at_ < sizeof(T)) return std::nullopt;
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | static_cast<uint8_t>(in_[at_ + i]);
    at_ += sizeof(T);
    return static_cast<T>(v);
  }
  std::optional<std::string> string() {
    auto len = read<int16_t>();
    if (!len || *len < 0 || in_.size() - at_ < static_cast<size_t>(*len)) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(in_.data() + at_), static_cast<size_t>(*len));
    at_ += static_cast<size_t>(*len);
    return s;
  }

 private:
  ByteView in_;
  size_t at_ = 0;
};

// "offset_commit::group=G,partition=T-P" / "group_metadata::group=G"; nullopt if not Kafka's key.
std::optional<std::string> decode_offsets_key(const std::optional<Bytes>& key, int16_t& version) {
  if (!key) return std::nullopt;
  BigEndianReader r(*key);
  auto v = r.read<int16_t>();
  if (!v) return std::nullopt;
  version = *v;
  if (*v == 0 || *v == 1) {
    auto group = r.string(), topic = r.string();
    auto partition = r.read<int32_t>();
    if (!group || !topic || !partition) return std::nullopt;
    return "offset_commit::group=" + *group + ",partition=" + *topic + "-" + std::to_string(*partition);
  }
  if (*v == 2) {
    auto group = r.string();
    if (!group) return std::nullopt;
    return "group_metadata::group=" + *group;
  }
  return std::nullopt;
}

std::optional<std::string> decode_offsets_value(const std::optional<Bytes>& value, int16_t key_version) {
  if (!value) return std::string("null");
  BigEndianReader r(*value);
  auto v = r.read<int16_t>();
  if (!v) return std::nullopt;
  if (key_version == 2) return "group metadata (value version " + std::to_string(*v) + ", not decoded)";
  if (*v < 0 || *v > 3) return std::nullopt;
  auto offset = r.read<int64_t>();
  std::optional<int32_t> epoch = -1;
  if (*v == 3) epoch = r.read<int32_t>();
  auto metadata = r.string();
  auto commit = r.read<int64_t>();
  if (!offset || !epoch || !metadata || !commit) return std::nullopt;
  return "offset=" + std::to_string(*offset) + ",leaderEpoch=" + std::to_string(*epoch) + ",metadata=" +
         escape(ByteView(reinterpret_cast<const std::byte*>(metadata->data()), metadata->size())) +
         ",commitTimestamp=" + std::to_string(*commit);
}

// --- log dump ---

void print_records(int fd, const BatchInfo& b, const fs::path& path, bool offsets_decoder) {
  const size_t size = b.header.size_in_bytes();
  if (size > kMaxDecodedBatch) {
    std::printf("| records not printed: the batch is over %zu MiB\n", kMaxDecodedBatch >> 20);
    return;
  }
  Bytes bytes(size);
  auto n = storage::pread_full(fd, bytes, b.position.value(), path);
  if (!n || n.value() != size) {
    std::printf("| records not printed: cannot read the batch\n");
    return;
  }
  auto decoded = protocol::decode_records(bytes);
  if (!decoded) {
    std::printf("| records not printed: %s\n", decoded.error().message().c_str());
    return;
  }
  const auto& h = decoded.value().header;
  for (const protocol::Record& r : decoded.value().records) {
    const int64_t sequence = h.base_sequence >= 0 ? int64_t{h.base_sequence} + r.offset_delta : -1;
    std::string keys, headers;
    for (const auto& hd : r.headers) {
      if (!keys.empty()) keys += ",";
      if (!headers.empty()) headers += ",";
      const auto key = escape(ByteView(reinterpret_cast<const std::byte*>(hd.key.data()), hd.key.size()));
      keys += key;
      headers += key + "=" + show(hd.value);
    }
    std::string key = show(r.key), value = show(r.value);
    if (offsets_decoder) {
      int16_t version = -1;
      if (auto k = decode_offsets_key(r.key, version)) {
        key = *k;
        if (auto v = decode_offsets_value(r.value, version)) value = *v;
      }
    }
    std::printf("| offset: %lld %s: %lld keySize: %d valueSize: %d sequence: %lld headerKeys: [%s] headers: [%s] "
                "key: %s payload: %s\n",
                static_cast<long long>(decoded.value().offset_of(r).value()), timestamp_type_name(h),
                static_cast<long long>(decoded.value().timestamp_of(r).value()),
                r.key ? static_cast<int>(r.key->size()) : -1, r.value ? static_cast<int>(r.value->size()) : -1,
                static_cast<long long>(sequence), keys.c_str(), headers.c_str(), key.c_str(), value.c_str());
  }
}

void print_batch(const BatchInfo& b) {
  const RecordBatchHeader& h = b.header;
  const int64_t last_sequence = h.base_sequence >= 0 ? int64_t{h.base_sequence} + h.last_offset_delta : -1;
  std::printf("baseOffset: %lld lastOffset: %lld count: %d baseSequence: %d lastSequence: %lld producerId: %lld "
              "producerEpoch: %d partitionLeaderEpoch: %d isTransactional: %s isControl: %s position: %lld "
              "%s: %lld size: %zu magic: %d compresscodec: %s crc: %u isvalid: %s\n",
              static_cast<long long>(h.base_offset.value()), static_cast<long long>(h.last_offset().value()),
              h.record_count, h.base_sequence, static_cast<long long>(last_sequence),
              static_cast<long long>(h.producer_id.value()), h.producer_epoch, h.partition_leader_epoch.value(),
              h.is_transactional() ? "true" : "false", h.is_control() ? "true" : "false",
              static_cast<long long>(b.position.value()), timestamp_type_name(h),
              static_cast<long long>(h.max_timestamp.value()), h.size_in_bytes(), h.magic, codec_name(h.compression()),
              h.crc, b.crc_ok ? "true" : "false");
}

// The entries of an index up to the first all-zero one (a preallocated, unused tail).
template <typename Index, typename Entry>
std::vector<Entry> index_entries(const Index& index, bool (*is_unused)(const Index&, const Entry&)) {
  std::vector<Entry> out;
  for (int64_t slot = 0; slot < index.entries(); ++slot) {
    Entry e = index.entry(slot);
    if (is_unused(index, e)) break;
    out.push_back(e);
  }
  return out;
}
bool offset_entry_unused(const storage::OffsetIndex& i, const storage::OffsetPosition& e) {
  return e.offset == i.base_offset() && e.position.value() == 0;
}
bool time_entry_unused(const storage::TimeIndex& i, const storage::TimestampOffset& e) {
  return e.timestamp.value() == 0 && e.offset == i.base_offset();
}

Result<std::unique_ptr<storage::OffsetIndex>> open_offset_index(const fs::path& path, Offset base) {
  return storage::OffsetIndex::open(path, base, 0);
}
Result<std::unique_ptr<storage::TimeIndex>> open_time_index(const fs::path& path, Offset base) {
  return storage::TimeIndex::open(path, base, 0);
}

// The problems of a segment's .index and .timeindex against its batches (none if absent).
std::vector<std::string> check_indexes(const fs::path& log, Offset base, const SegmentScan& scan) {
  std::vector<std::string> problems;
  std::map<int64_t, size_t> at_position;  // batch start -> its slot in scan.batches
  for (size_t i = 0; i < scan.batches.size(); ++i) at_position[scan.batches[i].position.value()] = i;
  const fs::path offset_path = fs::path(log).replace_extension(".index");
  std::error_code ec;
  if (fs::exists(offset_path, ec)) {
    auto index = open_offset_index(offset_path, base);
    if (!index) {
      problems.push_back(offset_path.filename().string() + ": cannot open: " + index.error().message());
    } else {
      const auto entries = index_entries(*index.value(), &offset_entry_unused);
      for (size_t slot = 0; slot < entries.size(); ++slot) {
        const auto& e = entries[slot];
        const std::string where = offset_path.filename().string() + ": entry " + std::to_string(slot) + " (offset " +
                                  std::to_string(e.offset.value()) + ", position " +
                                  std::to_string(e.position.value()) + "): ";
        if (slot > 0 && (e.offset <= entries[slot - 1].offset || e.position <= entries[slot - 1].position)) {
          problems.push_back(where + "not above the previous entry");
          continue;
        }
        auto batch = at_position.find(e.position.value());
        if (batch == at_position.end()) {
          problems.push_back(where + "no batch starts at that position");
          continue;
        }
        // The entry names the last offset of the batches appended at that position together.
        bool found = false;
        for (size_t i = batch->second; i < scan.batches.size() && !found; ++i) {
          found = scan.batches[i].header.last_offset() == e.offset;
        }
        if (!found) problems.push_back(where + "not the last offset of a batch at or after that position");
      }
    }
  }
  const fs::path time_path = fs::path(log).replace_extension(".timeindex");
  if (fs::exists(time_path, ec)) {
    auto index = open_time_index(time_path, base);
    if (!index) {
      problems.push_back(time_path.filename().string() + ": cannot open: " + index.error().message());
    } else {
      const auto entries = index_entries(*index.value(), &time_entry_unused);
      const Offset last = scan.batches.empty() ? base : scan.batches.back().header.last_offset();
      TimestampMs max_ts = kNoTimestamp;
      for (const auto& b : scan.batches) max_ts = std::max(max_ts, b.header.max_timestamp);
      for (size_t slot = 0; slot < entries.size(); ++slot) {
        const auto& e = entries[slot];
        const std::string where = time_path.filename().string() + ": entry " + std::to_string(slot) + " (timestamp " +
                                  std::to_string(e.timestamp.value()) + ", offset " +
                                  std::to_string(e.offset.value()) + "): ";
        if (slot > 0 && (e.timestamp <= entries[slot - 1].timestamp || e.offset < entries[slot - 1].offset)) {
          problems.push_back(where + "not monotonic (timestamps must increase, offsets not decrease)");
        } else if (e.offset < base || e.offset > last) {
          problems.push_back(where + "offset outside the segment [" + std::to_string(base.value()) + ", " +
                             std::to_string(last.value()) + "]");
        } else if (e.timestamp > max_ts) {
          problems.push_back(where + "timestamp above every batch's (" + std::to_string(max_ts.value()) + ")");
        }
      }
    }
  }
  return problems;
}

int dump_offset_index(const fs::path& path, Offset base) {
  auto index = open_offset_index(path, base);
  if (!index) {
    std::fprintf(stderr, "sluice: log dump: %s: %s\n", path.c_str(), index.error().message().c_str());
    return kExitError;
  }
  for (const auto& e : index_entries(*index.value(), &offset_entry_unused)) {
    std::printf("offset: %lld position: %lld\n", static_cast<long long>(e.offset.value()),
                static_cast<long long>(e.position.value()));
  }
  return kExitOk;
}

int dump_time_index(const fs::path& path, Offset base) {
  auto index = open_time_index(path, base);
  if (!index) {
    std::fprintf(stderr, "sluice: log dump: %s: %s\n", path.c_str(), index.error().message().c_str());
    return kExitError;
  }
  for (const auto& e : index_entries(*index.value(), &time_entry_unused)) {
    std::printf("timestamp: %lld offset: %lld\n", static_cast<long long>(e.timestamp.value()),
                static_cast<long long>(e.offset.value()));
  }
  return kExitOk;
}

// The segment files of a partition directory, by base offset.
std::vector<std::pair<Offset, fs::path>> segments_of(const fs::path& dir) {
  std::vector<std::pair<Offset, fs::path>> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".log") continue;
    if (auto base = segment_base(entry.path())) out.emplace_back(*base, entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

int64_t total_size(const std::vector<std::pair<Offset, fs::path>>& segments) {
  int64_t total = 0;
  std::error_code ec;
  for (const auto& s : segments) {
    const auto n = fs::file_size(s.second, ec);
    if (!ec) total += static_cast<int64_t>(n);
  }
  return total;
}

int dump_segment(const fs::path& path, Offset base, const LogOptions& o, ProgressLine& progress, int64_t done,
                 int64_t total) {
  std::printf("Dumping %s\n", path.c_str());
  std::printf("Log starting offset: %lld\n", static_cast<long long>(base.value()));
  std::fflush(stdout);
  SegmentScan scan = scan_segment(path, &progress, done, total, [&](int fd, const BatchInfo& b) {
    print_batch(b);
    if (o.print_data) print_records(fd, b, path, o.offsets_decoder);
  });
  int code = kExitOk;
  std::vector<std::string> problems = scan.problems;
  if (o.verify_index && scan.opened) {
    auto more = check_indexes(path, base, scan);
    problems.insert(problems.end(), more.begin(), more.end());
    if (more.empty()) std::printf("Index check: no problems\n");
  }
  for (const auto& p : problems) std::printf("Problem: %s\n", p.c_str());
  if (!problems.empty()) code = kExitError;
  return code;
}

int run_log_dump(const LogOptions& o) {
  const fs::path path(o.path);
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    std::fprintf(stderr, "sluice: log dump: %s: no such file or directory\n", o.path.c_str());
    return kExitError;
  }
  ProgressLine progress(/*stdout_streams=*/true);
  if (fs::is_directory(status)) {
    const auto segments = segments_of(path);
    if (segments.empty()) {
      std::fprintf(stderr, "sluice: log dump: %s: no segment (.log) files\n", o.path.c_str());
      return kExitError;
    }
    const int64_t total = total_size(segments);
    int64_t done = 0;
    int code = kExitOk;
    for (const auto& [base, file] : segments) {
      code = std::max(code, dump_segment(file, base, o, progress, done, total));
      done += static_cast<int64_t>(fs::file_size(file, ec));
    }
    return code;
  }
  auto base = segment_base(path);
  if (!base) {
    std::fprintf(stderr, "sluice: log dump: %s: not a segment file (expected NNNNNNNNNNNNNNNNNNNN.log, .index or .timeindex)\n",
                 o.path.c_str());
    return kExitError;
  }
  const std::string ext = path.extension().string();
  if (ext == ".index") return dump_offset_index(path, *base);
  if (ext == ".timeindex") return dump_time_index(path, *base);
  if (ext == ".log") return dump_segment(path, *base, o, progress, 0, static_cast<int64_t>(fs::file_size(path, ec)));
  std::fprintf(stderr, "sluice: log dump: %s: unsupported file type '%s'\n", o.path.c_str(), ext.c_str());
  return kExitError;
}

// --- log verify ---

struct VerifyTotals {
  size_t partitions = 0, segments = 0, batches = 0, problems = 0;
};

void verify_partition(const fs::path& dir, const LogOptions& o, VerifyTotals& totals, ProgressLine& progress,
                      int64_t& done, int64_t total) {
  const auto segments = segments_of(dir);
  ++totals.partitions;
  const auto report = [&](const fs::path& file, const std::string& problem) {
    progress.finish();
    std::printf("%s: %s\n", file.c_str(), problem.c_str());
    ++totals.problems;
  };
  // Index files whose .log is missing.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto ext = entry.path().extension();
    if ((ext == ".index" || ext == ".timeindex") && segment_base(entry.path()) &&
        !fs::exists(fs::path(entry.path()).replace_extension(".log"), ec)) {
      report(entry.path(), "index without a segment (.log)");
    }
  }
  std::optional<Offset> previous_last;
  for (const auto& [base, file] : segments) {
    ++totals.segments;
    SegmentScan scan = scan_segment(file, &progress, done, total, [](int, const BatchInfo&) {});
    done += scan.size;
    totals.batches += scan.batches.size();
    for (const auto& b : scan.batches) {
      const auto& h = b.header;
      const std::string at = "position " + std::to_string(b.position.value()) + " (offsets " +
                             std::to_string(h.base_offset.value()) + "-" + std::to_string(h.last_offset().value()) +
                             "): ";
      if (!b.crc_ok) report(file, at + "CRC mismatch (stored " + std::to_string(h.crc) + ")");
      if (h.base_offset < base) {
        report(file, at + "below the segment's base offset " + std::to_string(base.value()));
      }
      if (previous_last && h.base_offset <= *previous_last) {
        report(file, at + "offsets do not increase (previous batch ended at " +
                         std::to_string(previous_last->value()) + ")");
      } else if (previous_last && h.base_offset != *previous_last + 1 && !o.allow_gaps) {
        report(file, at + "gap after offset " + std::to_string(previous_last->value()) +
                         " (use --allow-gaps for compacted topics)");
      }
      previous_last = h.last_offset();
    }
    for (const auto& p : scan.problems) report(file, p);
    if (scan.opened) {
      for (const auto& p : check_indexes(file, base, scan)) report(file, p);
    }
  }
}

int run_log_verify(const LogOptions& o) {
  const fs::path root(o.path);
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    std::fprintf(stderr, "sluice: log verify: %s: not a directory (give a partition directory or a log.dirs root)\n",
                 o.path.c_str());
    return kExitError;
  }
  std::vector<fs::path> partitions;
  if (!segments_of(root).empty()) {
    partitions.push_back(root);
  } else {
    for (const auto& entry : fs::directory_iterator(root, ec)) {
      if (entry.is_directory(ec) && !segments_of(entry.path()).empty()) partitions.push_back(entry.path());
    }
    std::sort(partitions.begin(), partitions.end());
  }
  if (partitions.empty()) {
    std::fprintf(stderr, "sluice: log verify: %s: no segment (.log) files found\n", o.path.c_str());
    return kExitError;
  }
  int64_t total = 0;
  for (const auto& p : partitions) total += total_size(segments_of(p));
  ProgressLine progress;
  VerifyTotals totals;
  int64_t done = 0;
  for (const auto& p : partitions) verify_partition(p, o, totals, progress, done, total);
  progress.finish();
  std::printf("Checked %zu partition(s), %zu segment(s), %zu batch(es): %zu problem(s)\n", totals.partitions,
              totals.segments, totals.batches, totals.problems);
  return totals.problems == 0 ? kExitOk : kExitError;
}

std::string join(const std::vector<BrokerId>& ids) {
  std::string out;
  for (const auto& id : ids) {
    if (!out.empty()) out += ",";
    out += std::to_string(id.value());
  }
  return out;
}

}  // namespace

int run_log_command(const CliOptions& o) {
  return o.command == Command::log_dump ? run_log_dump(o.log) : run_log_verify(o.log);
}

int run_cluster_health(const CliOptions& o, ClientRunner& runner) {
  client::Admin admin(runner.client(), std::chrono::milliseconds(o.global.request_timeout_ms));
  auto cluster = runner.run(admin.describe_cluster());
  if (!cluster) {
    std::fprintf(stderr, "%s\n", error_line("cluster health", cluster.error()).c_str());
    return kExitUnreachable;
  }
  auto names = runner.run(admin.list_topics());
  if (!names) {
    std::fprintf(stderr, "%s\n", error_line("cluster health", names.error()).c_str());
    return kExitUnreachable;
  }
  auto topics = runner.run(admin.describe_topics(names.value()));
  if (!topics) {
    std::fprintf(stderr, "%s\n", error_line("cluster health", topics.error()).c_str());
    return kExitUnreachable;
  }
  struct Bad {
    std::string topic;
    const client::PartitionInfo* p;
    std::string why;
  };
  std::vector<Bad> bad;
  size_t partitions = 0, offline = 0, under_replicated = 0, under_min_isr = 0;
  for (const auto& topic : topics.value()) {
    if (topic.error != protocol::ErrorCode::none) continue;  // deleted meanwhile
    std::optional<size_t> min_isr;
    for (const auto& p : topic.partitions) {
      ++partitions;
      std::string why;
      if (is_unavailable(p)) {
        ++offline;
        why = "Offline";
      }
      if (is_under_replicated(p)) {
        ++under_replicated;
        why += why.empty() ? "UnderReplicated" : ",UnderReplicated";
        if (!min_isr) {  // only topics with a short ISR need their min.insync.replicas
          min_isr = 1;
          auto configs = runner.run(admin.describe_configs({client::ConfigResourceType::topic, topic.name}));
          if (configs && !configs.value().error.error) {
            for (const auto& e : configs.value().entries) {
              if (e.name == "min.insync.replicas" && e.value) min_isr = std::strtoull(e.value->c_str(), nullptr, 10);
            }
          }
        }
        if (p.isr.size() < *min_isr) {
          ++under_min_isr;
          why += ",UnderMinIsr(" + std::to_string(*min_isr) + ")";
        }
      }
      if (!why.empty()) bad.push_back({topic.name, &p, why});
    }
  }
  std::printf("Brokers: %zu\tController: %d\n", cluster.value().brokers.size(), cluster.value().controller.value());
  std::printf("Topics: %zu\tPartitions: %zu\n", topics.value().size(), partitions);
  std::printf("Offline partitions: %zu\n", offline);
  std::printf("Under-replicated partitions: %zu\n", under_replicated);
  std::printf("Under-min-ISR partitions: %zu\n", under_min_isr);
  for (const auto& b : bad) {
    std::printf("\tTopic: %s\tPartition: %d\tLeader: %d\tReplicas: %s\tIsr: %s\t%s\n", b.topic.c_str(),
                b.p->id.value(), b.p->leader.value(), join(b.p->replicas).c_str(), join(b.p->isr).c_str(),
                b.why.c_str());
  }
  const bool healthy = bad.empty() && cluster.value().controller.value() >= 0;
  if (cluster.value().controller.value() < 0) std::printf("No active controller\n");
  std::printf("Status: %s\n", healthy ? "healthy" : "unhealthy");
  return healthy ? kExitOk : kExitError;
}

}  // namespace sluice::tools
