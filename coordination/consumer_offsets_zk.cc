#include "coordination/consumer_offsets_zk.h"

#include "coordination/zk_tree.h"

#include <charconv>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace sluice::coordination {
namespace {

constexpr std::string_view kConsumers = "/consumers";
// A commit retries when another writer created or removed one of its znodes in between.
constexpr int kCommitAttempts = 3;

Bytes to_bytes(std::string_view s) {
  const ByteView v = as_bytes(s);
  return Bytes(v.begin(), v.end());
}

// Whether `s` is UTF-8 whose every code point ZooKeeper accepts in a path (PathUtils.validatePath
// rejects U+0000-U+001F, U+007F-U+009F, U+D800-U+F8FF and U+FFF0-U+FFFF; a code point above
// U+FFFF is a surrogate pair in Java, so it is rejected too). Malformed UTF-8 is rejected: the
// server would see U+FFFD.
bool zookeeper_accepts(std::string_view s) {
  for (size_t at = 0; at < s.size();) {
    const auto lead = static_cast<unsigned char>(s[at]);
    char32_t cp = 0;
    size_t length = 0;
    if (lead < 0x80) {
      cp = lead;
      length = 1;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      cp = lead & 0x1F;
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      cp = lead & 0x0F;
      length = 3;
    } else {
      return false;  // 4-byte forms (above U+FFFF) and invalid leads
    }
    if (at + length > s.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      const auto c = static_cast<unsigned char>(s[at + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (length == 3 && cp < 0x800) return false;  // overlong
    if (cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xD800 && cp <= 0xF8FF) || cp >= 0xFFF0) return false;
    at += length;
  }
  return true;
}

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '~' || c == '-';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<int32_t> parse_partition(std::string_view s) {
  int32_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<int64_t> parse_offset(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

std::string offsets_dir(std::string_view group_id) { return ConsumerOffsetsZk::group_path(group_id) + "/offsets"; }
std::string meta_dir(std::string_view group_id) { return ConsumerOffsetsZk::group_path(group_id) + "/offsets_meta"; }

}  // namespace

std::string ConsumerOffsetsZk::escape_group_id(std::string_view group_id) {
  const bool plain = !group_id.empty() && group_id != "." && group_id != ".." &&
                     group_id.find('/') == std::string_view::npos && group_id.front() != kEscapePrefix &&
                     zookeeper_accepts(group_id);
  if (plain) return std::string(group_id);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out(1, kEscapePrefix);
  for (const char ch : group_id) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::optional<std::string> ConsumerOffsetsZk::unescape_group_id(std::string_view node_name) {
  if (node_name.empty() || node_name.front() != kEscapePrefix) return std::string(node_name);
  std::string out;
  for (size_t at = 1; at < node_name.size(); ++at) {
    const char c = node_name[at];
    if (c != '%') {
      if (!unreserved(static_cast<unsigned char>(c))) return std::nullopt;
      out.push_back(c);
      continue;
    }
    if (at + 2 >= node_name.size()) return std::nullopt;
    const int hi = hex_value(node_name[at + 1]);
    const int lo = hex_value(node_name[at + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    at += 2;
  }
  // Only the canonical form: a name that escapes back differently is not ours.
  if (escape_group_id(out) != node_name) return std::nullopt;
  return out;
}

bool ConsumerOffsetsZk::group_id_fits(std::string_view group_id) {
  return escape_group_id(group_id).size() <= kMaxGroupNodeBytes;
}

std::string ConsumerOffsetsZk::group_path(std::string_view group_id) {
  return std::string(kConsumers) + "/" + escape_group_id(group_id);
}

std::string ConsumerOffsetsZk::offset_path(std::string_view group_id, const TopicPartition& tp) {
  return offsets_dir(group_id) + "/" + tp.topic + "/" + std::to_string(tp.partition.value());
}

std::string ConsumerOffsetsZk::meta_path(std::string_view group_id, const TopicPartition& tp) {
  return meta_dir(group_id) + "/" + tp.topic + "/" + std::to_string(tp.partition.value());
}

std::string ConsumerOffsetsZk::encode_meta(const CommittedOffset& offset) {
  nlohmann::json j;
  j["version"] = 1;
  j["leader_epoch"] = offset.leader_epoch.value();
  j["metadata"] = offset.metadata;
  j["commit_timestamp"] = offset.commit_timestamp.value();
  // Metadata is any wire string: bytes that are not UTF-8 are replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<CommittedOffset> ConsumerOffsetsZk::decode_meta(std::string_view json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  CommittedOffset out;
  const auto epoch = j.find("leader_epoch");
  const auto metadata = j.find("metadata");
  const auto timestamp = j.find("commit_timestamp");
  if (epoch != j.end() && epoch->is_number_integer()) out.leader_epoch = LeaderEpoch(epoch->get<int32_t>());
  if (metadata != j.end() && metadata->is_string()) out.metadata = metadata->get<std::string>();
  if (timestamp != j.end() && timestamp->is_number_integer()) out.commit_timestamp = TimestampMs(timestamp->get<int64_t>());
  return out;
}

asio::awaitable<Result<std::vector<std::string>>> ConsumerOffsetsZk::children_or_empty(std::string path) {
  auto children = co_await zk_.get_children(std::move(path));
  if (!children && children.error() == Errc::no_node) co_return std::vector<std::string>{};
  co_return children;
}

asio::awaitable<Status> ConsumerOffsetsZk::commit(std::string group_id, GroupOffsetMap offsets) {
  if (offsets.empty()) co_return ok();
  std::set<std::string> topics;
  for (const auto& [tp, unused] : offsets) topics.insert(tp.topic);
  std::error_code last;
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    std::set<std::string> existing_values;  // "<topic>/<partition>"
    std::set<std::string> existing_meta;
    for (const std::string& topic : topics) {
      for (const auto& [dir, existing] : {std::pair{offsets_dir(group_id) + "/" + topic, &existing_values},
                                          std::pair{meta_dir(group_id) + "/" + topic, &existing_meta}}) {
        auto children = co_await zk_.get_children(dir);
        if (!children && children.error() == Errc::no_node) {
          SLUICE_CO_TRY(co_await ensure_path(zk_, dir));
          continue;
        }
        if (!children) co_return children.error();
        for (const std::string& child : children.value()) existing->insert(topic + "/" + child);
      }
    }
    std::vector<ZkOp> ops;
    ops.reserve(offsets.size() * 2);
    for (const auto& [tp, committed] : offsets) {
      const std::string key = tp.topic + "/" + std::to_string(tp.partition.value());
      Bytes value = to_bytes(std::to_string(committed.offset.value()));
      Bytes meta = to_bytes(encode_meta(committed));
      ops.push_back(existing_values.contains(key)
                        ? ZkOp::set_data(offset_path(group_id, tp), std::move(value), kMatchAnyVersion)
                        : ZkOp::create(offset_path(group_id, tp), std::move(value), CreateMode::persistent));
      ops.push_back(existing_meta.contains(key)
                        ? ZkOp::set_data(meta_path(group_id, tp), std::move(meta), kMatchAnyVersion)
                        : ZkOp::create(meta_path(group_id, tp), std::move(meta), CreateMode::persistent));
    }
    auto result = co_await zk_.multi(std::move(ops));
    if (!result) co_return result.error();
    if (result.value().committed()) co_return ok();
    last = result.value().error;
    // Another writer created or deleted one of these znodes meanwhile: look again.
    if (last != Errc::node_exists && last != Errc::no_node) co_return last;
  }
  co_return last;
}

asio::awaitable<Result<GroupOffsetMap>> ConsumerOffsetsZk::read_group(std::string group_id) {
  GroupOffsetMap out;
  auto topics = co_await children_or_empty(offsets_dir(group_id));
  if (!topics) co_return topics.error();
  for (const std::string& topic : topics.value()) {
    auto partitions = co_await children_or_empty(offsets_dir(group_id) + "/" + topic);
    if (!partitions) co_return partitions.error();
    for (const std::string& name : partitions.value()) {
      const std::optional<int32_t> partition = parse_partition(name);
      if (!partition) continue;
      const TopicPartition tp{topic, PartitionId(*partition)};
      auto value = co_await zk_.get_data(offset_path(group_id, tp));
      if (!value && value.error() == Errc::no_node) continue;
      if (!value) co_return value.error();
      const std::optional<int64_t> offset = parse_offset(as_chars(value.value().data));
      if (!offset) {
        spdlog::warn("ignoring {}: not a decimal offset", offset_path(group_id, tp));
        continue;
      }
      CommittedOffset committed;
      auto meta = co_await zk_.get_data(meta_path(group_id, tp));
      if (meta) {
        if (auto decoded = decode_meta(as_chars(meta.value().data))) committed = std::move(*decoded);
      } else if (meta.error() != Errc::no_node) {
        co_return meta.error();
      }
      committed.offset = Offset(*offset);
      out[tp] = std::move(committed);
    }
  }
  co_return out;
}

asio::awaitable<Result<std::vector<std::string>>> ConsumerOffsetsZk::list_groups() {
  std::vector<std::string> out;
  auto names = co_await children_or_empty(std::string(kConsumers));
  if (!names) co_return names.error();
  for (const std::string& name : names.value()) {
    const std::optional<std::string> group_id = unescape_group_id(name);
    if (!group_id) continue;
    auto topics = co_await children_or_empty(offsets_dir(*group_id));
    if (!topics) co_return topics.error();
    for (const std::string& topic : topics.value()) {
      auto partitions = co_await children_or_empty(offsets_dir(*group_id) + "/" + topic);
      if (!partitions) co_return partitions.error();
      if (!partitions.value().empty()) {
        out.push_back(*group_id);
        break;
      }
    }
  }
  co_return out;
}

asio::awaitable<Status> ConsumerOffsetsZk::delete_group(std::string group_id) {
  co_return co_await remove_recursive(zk_, group_path(group_id));
}

asio::awaitable<Status> ConsumerOffsetsZk::delete_partitions(std::string group_id, std::vector<TopicPartition> partitions) {
  std::error_code last;
  for (int attempt = 0; attempt < kCommitAttempts; ++attempt) {
    std::vector<ZkOp> ops;
    for (const TopicPartition& tp : partitions) {
      for (const std::string& path : {offset_path(group_id, tp), meta_path(group_id, tp)}) {
        auto stat = co_await zk_.exists(path);
        if (!stat) co_return stat.error();
        if (stat.value()) ops.push_back(ZkOp::remove(path, kMatchAnyVersion));
      }
    }
    if (ops.empty()) co_return ok();
    auto result = co_await zk_.multi(std::move(ops));
    if (!result) co_return result.error();
    if (result.value().committed()) co_return ok();
    last = result.value().error;
    if (last != Errc::no_node) co_return last;
  }
  co_return last;
}

asio::awaitable<Status> ConsumerOffsetsZk::delete_topic(std::string topic) {
  auto names = co_await children_or_empty(std::string(kConsumers));
  if (!names) co_return names.error();
  for (const std::string& name : names.value()) {
    const std::string group = std::string(kConsumers) + "/" + name;
    SLUICE_CO_TRY(co_await remove_recursive(zk_, group + "/offsets/" + topic));
    SLUICE_CO_TRY(co_await remove_recursive(zk_, group + "/offsets_meta/" + topic));
  }
  co_return ok();
}

}  // namespace sluice::coordination
