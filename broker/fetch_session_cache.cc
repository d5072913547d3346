#include "broker/fetch_session_cache.h"

#include <limits>

#include <spdlog/spdlog.h>

namespace sluice::broker {

using protocol::ErrorCode;

int32_t next_fetch_epoch(int32_t epoch) {
  if (epoch < 0) return kFinalEpoch;  // a sessionless fetch stays sessionless
  if (epoch == std::numeric_limits<int32_t>::max()) return 1;
  return epoch + 1;
}

namespace {

// Kafka's CachedPartition.maybeUpdateResponseData: whether the partition goes in an incremental
// response, updating what the session remembers of it.
bool must_respond(CachedPartition& cached, const PartitionReadResult& r) {
  bool respond = r.records.length > 0;
  if (cached.high_watermark != r.high_watermark) {
    respond = true;
    cached.high_watermark = r.high_watermark;
  }
  if (cached.local_log_start_offset != r.log_start_offset) {
    respond = true;
    cached.local_log_start_offset = r.log_start_offset;
  }
  if (r.error != ErrorCode::none) {
    cached.high_watermark = Offset(-1);  // sent again once the error is gone
    respond = true;
  }
  return respond;
}

}  // namespace

FetchSessionCache::FetchSessionCache(int32_t max_sessions, int64_t eviction_ms)
    : max_sessions_(max_sessions), eviction_ms_(eviction_ms) {}

FetchContext FetchSessionCache::new_context(int32_t session_id, int32_t session_epoch,
                                            std::vector<FetchRequestPartition> partitions,
                                            const std::vector<TopicPartition>& forgotten, bool /*from_follower*/,
                                            int64_t now_ms) {
  FetchContext context;
  std::lock_guard lock(mutex_);
  if (session_epoch == kInitialEpoch || session_epoch == kFinalEpoch) {
    // Any session a full request names is closed.
    if (session_id != kInvalidSessionId) remove_locked(session_id);
    context.kind = session_epoch == kFinalEpoch ? FetchContext::Kind::sessionless : FetchContext::Kind::full;
    for (FetchRequestPartition& p : partitions) context.inputs.push_back(std::move(p.input));
    return context;
  }
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) {
    context.kind = FetchContext::Kind::error;
    context.error = ErrorCode::fetch_session_id_not_found;
    return context;
  }
  Session& session = *it->second;
  if (session.epoch != session_epoch) {
    context.kind = FetchContext::Kind::error;
    context.error = ErrorCode::invalid_fetch_session_epoch;
    return context;
  }
  for (FetchRequestPartition& p : partitions) {
    auto found = session.index.find(p.input.tp);
    if (found == session.index.end()) {
      session.partitions.push_back(CachedPartition{.request = p.input, .fetcher_log_start_offset = p.log_start_offset});
      session.index.emplace(p.input.tp, std::prev(session.partitions.end()));
    } else {
      found->second->request = p.input;
      found->second->fetcher_log_start_offset = p.log_start_offset;
    }
  }
  for (const TopicPartition& tp : forgotten) {
    auto found = session.index.find(tp);
    if (found == session.index.end()) continue;
    session.partitions.erase(found->second);
    session.index.erase(found);
  }
  if (session.partitions.empty()) {
    remove_locked(session.id);
    context.kind = FetchContext::Kind::sessionless;
    for (FetchRequestPartition& p : partitions) context.inputs.push_back(std::move(p.input));
    return context;
  }
  touch_locked(session, now_ms);
  session.epoch = next_fetch_epoch(session.epoch);
  context.kind = FetchContext::Kind::incremental;
  context.session_id = session.id;
  context.session_epoch = session.epoch;
  context.inputs.reserve(session.partitions.size());
  for (const CachedPartition& p : session.partitions) context.inputs.push_back(p.request);
  return context;
}

int32_t FetchSessionCache::create_session(const FetchContext& context, const std::vector<FetchPartitionOutput>& outputs,
                                          bool from_follower, int64_t now_ms) {
  if (context.kind != FetchContext::Kind::full || max_sessions_ <= 0) return kInvalidSessionId;
  std::lock_guard lock(mutex_);
  const bool room = static_cast<int32_t>(sessions_.size()) < max_sessions_ ||
                    try_evict_locked(from_follower, EvictableKey{from_follower, outputs.size(), 0}, now_ms);
  if (!room) return kInvalidSessionId;
  auto session = std::make_unique<Session>();
  session->id = new_session_id_locked();
  session->privileged = from_follower;
  session->creation_ms = now_ms;
  session->last_used_ms = now_ms;
  session->epoch = next_fetch_epoch(kInitialEpoch);
  for (size_t i = 0; i < outputs.size() && i < context.inputs.size(); ++i) {
    const PartitionReadResult& r = outputs[i].result;
    if (session->index.contains(context.inputs[i].tp)) continue;  // a partition listed twice
    session->partitions.push_back(CachedPartition{.request = context.inputs[i],
                                                  .fetcher_log_start_offset = Offset(-1),
                                                  .high_watermark = r.high_watermark,
                                                  .local_log_start_offset = r.log_start_offset});
    session->index.emplace(context.inputs[i].tp, std::prev(session->partitions.end()));
  }
  Session& created = *session;
  const int32_t id = created.id;
  created.cached_size = 0;
  sessions_.emplace(id, std::move(session));
  last_used_.emplace(LastUsedKey{now_ms, id}, id);
  touch_locked(created, now_ms);
  return id;
}

ErrorCode FetchSessionCache::select_incremental(const FetchContext& context, std::vector<FetchPartitionOutput>& outputs) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(context.session_id);
  if (it == sessions_.end() || it->second->epoch != context.session_epoch) {
    // Closed, evicted or moved on by another request of the same session meanwhile.
    outputs.clear();
    return ErrorCode::invalid_fetch_session_epoch;
  }
  Session& session = *it->second;
  std::vector<FetchPartitionOutput> selected;
  for (FetchPartitionOutput& out : outputs) {
    auto found = session.index.find(out.tp);
    if (found == session.index.end()) continue;  // forgotten by a later request
    if (!must_respond(*found->second, out.result)) continue;
    session.partitions.splice(session.partitions.end(), session.partitions, found->second);
    selected.push_back(std::move(out));
  }
  outputs = std::move(selected);
  return ErrorCode::none;
}

size_t FetchSessionCache::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

size_t FetchSessionCache::total_partitions() const {
  std::lock_guard lock(mutex_);
  return total_partitions_;
}

uint64_t FetchSessionCache::evictions() const {
  std::lock_guard lock(mutex_);
  return evictions_;
}

bool FetchSessionCache::try_evict_locked(bool privileged, const EvictableKey& key, int64_t now_ms) {
  if (last_used_.empty()) return false;
  const auto& [stalest_key, stalest_id] = *last_used_.begin();
  if (now_ms - stalest_key.first > eviction_ms_) {
    remove_locked(stalest_id);
    ++evictions_;
    return true;
  }
  const auto& candidates = privileged ? evictable_by_privileged_ : evictable_by_all_;
  if (candidates.empty()) return false;
  const auto& [candidate_key, candidate_id] = *candidates.begin();
  if (key < candidate_key) return false;
  spdlog::debug("fetch session {} evicted for a new {} session of {} partitions", candidate_id,
                privileged ? "follower" : "consumer", std::get<1>(key));
  remove_locked(candidate_id);
  ++evictions_;
  return true;
}

void FetchSessionCache::remove_locked(int32_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  const Session& session = *it->second;
  const EvictableKey key{session.privileged, session.cached_size, session.id};
  last_used_.erase(LastUsedKey{session.last_used_ms, session.id});
  evictable_by_all_.erase(key);
  evictable_by_privileged_.erase(key);
  total_partitions_ -= session.cached_size;
  sessions_.erase(it);
}

// Kafka's FetchSessionCache.touch: the session's place in the last-used order and in the
// evictable sets. A consumer session is evictable by followers at once; any session becomes
// evictable by all once it is older than the eviction time.
void FetchSessionCache::touch_locked(Session& session, int64_t now_ms) {
  last_used_.erase(LastUsedKey{session.last_used_ms, session.id});
  session.last_used_ms = now_ms;
  last_used_.emplace(LastUsedKey{now_ms, session.id}, session.id);
  const EvictableKey old_key{session.privileged, session.cached_size, session.id};
  evictable_by_all_.erase(old_key);
  evictable_by_privileged_.erase(old_key);
  total_partitions_ -= session.cached_size;
  session.cached_size = session.partitions.size();
  total_partitions_ += session.cached_size;
  const EvictableKey key{session.privileged, session.cached_size, session.id};
  const bool old = now_ms - session.creation_ms > eviction_ms_;
  if (!session.privileged || old) evictable_by_privileged_.emplace(key, session.id);
  if (old) evictable_by_all_.emplace(key, session.id);
}

int32_t FetchSessionCache::new_session_id_locked() {
  std::uniform_int_distribution<int32_t> ids(1, std::numeric_limits<int32_t>::max() - 1);
  int32_t id = 0;
  do {
    id = ids(rng_);
  } while (sessions_.contains(id));
  return id;
}

}  // namespace sluice::broker
