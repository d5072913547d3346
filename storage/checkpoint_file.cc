#include "storage/checkpoint_file.h"

#include <charconv>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "storage/errc.h"
#include "storage/file_util.h"

namespace sluice::storage {
namespace {

std::error_code corrupt(const std::filesystem::path& path, const std::string& why) {
  spdlog::error("storage: corrupt checkpoint {}: {}", path.string(), why);
  return Errc::corrupt_checkpoint;
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool valid_topic(const std::string& s) {
  if (s.empty() || s.size() > 249) return false;
  for (char c : s) {
    const bool ok_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                         c == '_' || c == '-';
    if (!ok_char) return false;
  }
  return true;
}

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    size_t space = line.find(' ', start);
    fields.push_back(line.substr(start, space - start));
    if (space == std::string::npos) return fields;
    start = space + 1;
  }
}

}  // namespace

Result<std::vector<std::vector<std::string>>> read_checkpoint_entries(const std::filesystem::path& path,
                                                                      size_t fields) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::vector<std::string>> entries;
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return entries;
    return io_failure("open", path, errno);
  }
  std::stringstream content;
  content << in.rdbuf();
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(content, line)) lines.push_back(line);
  if (lines.size() < 2) return corrupt(path, "fewer than 2 header lines");
  if (lines[0] != "0") return corrupt(path, "unsupported version '" + lines[0] + "'");
  int64_t count = 0;
  if (!parse_int(lines[1], count) || count < 0) return corrupt(path, "bad entry count '" + lines[1] + "'");
  if (static_cast<int64_t>(lines.size()) - 2 != count) {
    return corrupt(path, "expected " + lines[1] + " entries, found " + std::to_string(lines.size() - 2));
  }
  for (size_t i = 2; i < lines.size(); ++i) {
    auto parts = split_fields(lines[i]);
    if (parts.size() != fields) return corrupt(path, "malformed entry '" + lines[i] + "'");
    entries.push_back(std::move(parts));
  }
  return entries;
}

Status write_checkpoint_entries(const std::filesystem::path& path, const std::vector<std::string>& lines) {
  std::string content = "0\n" + std::to_string(lines.size()) + "\n";
  for (const auto& l : lines) content += l + "\n";
  return write_file_atomically(path, content);
}

Result<OffsetCheckpoint> read_offset_checkpoint(const std::filesystem::path& path) {
  SLUICE_TRY(auto entries, read_checkpoint_entries(path, 3));
  OffsetCheckpoint out;
  for (const auto& e : entries) {
    int64_t partition = 0;
    int64_t offset = 0;
    if (!valid_topic(e[0]) || !parse_int(e[1], partition) || partition < 0 || partition > INT32_MAX ||
        !parse_int(e[2], offset) || offset < 0) {
      return corrupt(path, "malformed entry '" + e[0] + " " + e[1] + " " + e[2] + "'");
    }
    TopicPartition tp{e[0], PartitionId(static_cast<int32_t>(partition))};
    if (!out.emplace(tp, Offset(offset)).second) return corrupt(path, "duplicate entry for " + tp.to_string());
  }
  return out;
}

Status write_offset_checkpoint(const std::filesystem::path& path, const OffsetCheckpoint& offsets) {
  std::vector<std::string> lines;
  lines.reserve(offsets.size());
  for (const auto& [tp, offset] : offsets) {
    lines.push_back(tp.topic + " " + std::to_string(tp.partition.value()) + " " + std::to_string(offset.value()));
  }
  return write_checkpoint_entries(path, lines);
}

Result<std::vector<EpochEntry>> read_leader_epoch_checkpoint(const std::filesystem::path& path) {
  SLUICE_TRY(auto entries, read_checkpoint_entries(path, 2));
  std::vector<EpochEntry> out;
  for (const auto& e : entries) {
    int64_t epoch = 0;
    int64_t start = 0;
    if (!parse_int(e[0], epoch) || epoch < 0 || epoch > INT32_MAX || !parse_int(e[1], start) || start < 0) {
      return corrupt(path, "malformed entry '" + e[0] + " " + e[1] + "'");
    }
    EpochEntry entry{LeaderEpoch(static_cast<int32_t>(epoch)), Offset(start)};
    if (!out.empty() && (entry.epoch <= out.back().epoch || entry.start_offset < out.back().start_offset)) {
      return corrupt(path, "entries not increasing at '" + e[0] + " " + e[1] + "'");
    }
    out.push_back(entry);
  }
  return out;
}

Status write_leader_epoch_checkpoint(const std::filesystem::path& path, const std::vector<EpochEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const auto& e : entries) {
    lines.push_back(std::to_string(e.epoch.value()) + " " + std::to_string(e.start_offset.value()));
  }
  return write_checkpoint_entries(path, lines);
}

}  // namespace sluice::storage
