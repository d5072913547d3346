#include "client/assignors.h"

#include <algorithm>
#include <set>

#include "protocol/wire/reader.h"
#include "protocol/wire/writer.h"

namespace sluice::client {
namespace {

using protocol::Reader;
using protocol::Writer;

void write_topic_partitions(Writer& w, const TopicPartitions& tps) {
  w.write_array_count(tps.size(), false);
  for (const auto& [topic, partitions] : tps) {
    w.write_string(topic, false);
    w.write_array_count(partitions.size(), false);
    for (PartitionId p : partitions) w.write_int32(p.value());
  }
}

Result<TopicPartitions> read_topic_partitions(Reader& r) {
  TopicPartitions out;
  // A topic entry is at least a 2-byte string length and a 4-byte count.
  SLUICE_TRY(auto topics, r.read_array_count(false, 6));
  if (topics < 0) return protocol::Errc::malformed;
  for (int32_t i = 0; i < topics; ++i) {
    SLUICE_TRY(auto topic, r.read_string(false));
    SLUICE_TRY(auto count, r.read_array_count(false, 4));
    if (count < 0) return protocol::Errc::malformed;
    auto& partitions = out[topic];
    partitions.reserve(partitions.size() + static_cast<size_t>(count));
    for (int32_t j = 0; j < count; ++j) {
      SLUICE_TRY(auto p, r.read_int32());
      partitions.emplace_back(p);
    }
  }
  return out;
}

// Sorted member ids subscribed to each topic.
std::map<std::string, std::vector<std::string>> members_per_topic(const std::vector<MemberSubscription>& members) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& m : members) {
    for (const auto& t : std::set<std::string>(m.topics.begin(), m.topics.end())) out[t].push_back(m.member_id);
  }
  for (auto& [topic, ids] : out) std::sort(ids.begin(), ids.end());
  return out;
}

GroupAssignment empty_for(const std::vector<MemberSubscription>& members) {
  GroupAssignment out;
  for (const auto& m : members) out[m.member_id];
  return out;
}

}  // namespace

std::vector<TopicPartition> MemberAssignment::list() const {
  std::vector<TopicPartition> out;
  for (const auto& [topic, parts] : partitions) {
    for (PartitionId p : parts) out.push_back({topic, p});
  }
  return out;
}

Bytes encode_subscription(const Subscription& s, int16_t version) {
  Bytes out;
  Writer w(out);
  w.write_int16(version);
  w.write_array_count(s.topics.size(), false);
  for (const auto& t : s.topics) w.write_string(t, false);
  w.write_nullable_bytes(s.user_data, false);
  if (version >= 1) write_topic_partitions(w, s.owned_partitions);
  return out;
}

Result<Subscription> decode_subscription(ByteView bytes) {
  Reader r(bytes);
  Subscription s;
  SLUICE_TRY(auto version, r.read_int16());
  if (version < 0) return protocol::Errc::malformed;
  SLUICE_TRY(auto count, r.read_array_count(false, 2));
  if (count < 0) return protocol::Errc::malformed;
  for (int32_t i = 0; i < count; ++i) {
    SLUICE_TRY(auto topic, r.read_string(false));
    s.topics.push_back(std::move(topic));
  }
  SLUICE_TRY(s.user_data, r.read_nullable_bytes(false));
  if (version >= 1) {
    SLUICE_TRY(s.owned_partitions, read_topic_partitions(r));
  }
  return s;
}

Bytes encode_assignment(const MemberAssignment& a, int16_t version) {
  Bytes out;
  Writer w(out);
  w.write_int16(version);
  write_topic_partitions(w, a.partitions);
  w.write_nullable_bytes(a.user_data, false);
  return out;
}

Result<MemberAssignment> decode_assignment(ByteView bytes) {
  MemberAssignment a;
  if (bytes.empty()) return a;
  Reader r(bytes);
  SLUICE_TRY(auto version, r.read_int16());
  if (version < 0) return protocol::Errc::malformed;
  SLUICE_TRY(a.partitions, read_topic_partitions(r));
  // Some writers omit user_data entirely; treat a missing one as null.
  if (!r.empty()) {
    SLUICE_TRY(a.user_data, r.read_nullable_bytes(false));
  }
  return a;
}

GroupAssignment range_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                             const std::vector<MemberSubscription>& members) {
  GroupAssignment out = empty_for(members);
  for (const auto& [topic, ids] : members_per_topic(members)) {
    auto count = partitions_per_topic.find(topic);
    if (count == partitions_per_topic.end() || count->second <= 0) continue;
    const auto n = static_cast<int64_t>(count->second);
    const auto c = static_cast<int64_t>(ids.size());
    const int64_t per = n / c;
    const int64_t extra = n % c;
    for (int64_t i = 0; i < c; ++i) {
      const int64_t start = per * i + std::min(i, extra);
      const int64_t length = per + (i < extra ? 1 : 0);
      if (length == 0) continue;
      auto& assigned = out[ids[static_cast<size_t>(i)]][topic];
      for (int64_t p = start; p < start + length; ++p) assigned.emplace_back(static_cast<int32_t>(p));
    }
  }
  return out;
}

GroupAssignment round_robin_assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                   const std::vector<MemberSubscription>& members) {
  GroupAssignment out = empty_for(members);
  if (members.empty()) return out;
  std::vector<const MemberSubscription*> sorted;
  for (const auto& m : members) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->member_id < b->member_id; });
  std::vector<std::set<std::string>> subscribed;
  for (auto* m : sorted) subscribed.emplace_back(m->topics.begin(), m->topics.end());
  const auto topics = members_per_topic(members);  // sorted by topic name
  size_t next = 0;
  for (const auto& [topic, ids] : topics) {
    auto count = partitions_per_topic.find(topic);
    if (count == partitions_per_topic.end()) continue;
    for (int32_t p = 0; p < count->second; ++p) {
      // Someone subscribes to `topic` (it is in `topics`), so this ends within one lap.
      while (subscribed[next].count(topic) == 0) next = (next + 1) % sorted.size();
      out[sorted[next]->member_id][topic].emplace_back(p);
      next = (next + 1) % sorted.size();
    }
  }
  return out;
}

std::optional<GroupAssignment> assign_by_name(std::string_view assignor,
                                              const std::map<std::string, int32_t>& partitions_per_topic,
                                              const std::vector<MemberSubscription>& members) {
  if (assignor == kRangeAssignor) return range_assign(partitions_per_topic, members);
  if (assignor == kRoundRobinAssignor) return round_robin_assign(partitions_per_topic, members);
  return std::nullopt;
}

}  // namespace sluice::client
