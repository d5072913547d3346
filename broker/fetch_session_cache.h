// FetchSessionCache: the broker half of incremental fetch sessions (KIP-227; Kafka 2.8's
// core/src/main/scala/kafka/server/FetchSession.scala). A fetcher that holds a session sends
// only the partitions whose fetch position changed and the partitions to forget; the broker
// keeps the rest, reads every partition of the session, and answers only the partitions with
// something new (records, a moved high watermark or log start offset, an error).
//
// What a request means, by (session_id, session_epoch) (Fetch v7+; older versions are sessionless):
//   session_id | epoch | meaning
//   0          | -1    | sessionless full fetch; the response's session id is 0
//   N          | -1    | close session N, then a sessionless full fetch
//   any        | 0     | close session N if given, full fetch, try to create a session
//   N          | > 0   | incremental fetch in session N; FETCH_SESSION_ID_NOT_FOUND if there is
//              |       | none, INVALID_FETCH_SESSION_EPOCH unless epoch is the session's; a session
//              |       | left without partitions is closed (the fetch is then sessionless)
// A created session answers with its id and expects epoch 1 next; each incremental fetch moves
// the expected epoch on by one (after INT32_MAX, 1).
//
// Capacity: max.incremental.fetch.session.cache.slots sessions. A new session may evict an
// existing one when (in this order) the least recently used session is unused for longer than
// the eviction time (120 s in Kafka 2.8), or the new one is worth more: a follower's session
// evicts any consumer session, and any session evicts one created more than the eviction time
// ago with fewer partitions (ties: the lower id). A request that gets no session is served
// sessionless.
//
// Owner: the KafkaServer; the handlers share it. Thread-safe: one mutex over every session
// (each operation is O(the session's partitions)). Times come in as arguments (testable).
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "broker/replica_manager.h"
#include "protocol/error_code.h"
#include "protocol/types.h"

namespace sluice::broker {

inline constexpr int32_t kInvalidSessionId = 0;
inline constexpr int32_t kInitialEpoch = 0;
inline constexpr int32_t kFinalEpoch = -1;
inline constexpr int64_t kFetchSessionEvictionMs = 120'000;  // Kafka 2.8's MIN_INCREMENTAL_FETCH_SESSION_EVICTION_MS

// The epoch after `epoch` (Kafka's FetchMetadata.nextEpoch).
int32_t next_fetch_epoch(int32_t epoch);

// One partition as a request named it (fetch position, limits) and as the last response
// reported it (high watermark and log start offset, -1 when it must be sent next time).
struct CachedPartition {
  FetchPartitionInput request;
  Offset fetcher_log_start_offset{-1};
  Offset high_watermark{-1};
  Offset local_log_start_offset{-1};
};

// What a Fetch request is, once the session cache has read it.
struct FetchContext {
  enum class Kind { sessionless, full, incremental, error };
  Kind kind = Kind::sessionless;
  protocol::ErrorCode error = protocol::ErrorCode::none;  // Kind::error
  int32_t session_id = kInvalidSessionId;  // Kind::incremental
  int32_t session_epoch = 0;               // Kind::incremental: the session's epoch after this request
  // What to read: the request's partitions, or (incremental) every partition of the session.
  std::vector<FetchPartitionInput> inputs;
};

// One partition of a request, as the handler hands it over.
struct FetchRequestPartition {
  FetchPartitionInput input;
  Offset log_start_offset{-1};  // the fetcher's own (followers)
};

class FetchSessionCache {
 public:
  FetchSessionCache(int32_t max_sessions, int64_t eviction_ms = kFetchSessionEvictionMs);

  // Reads a request's session fields (Kafka's FetchManager.newContext).
  FetchContext new_context(int32_t session_id, int32_t session_epoch, std::vector<FetchRequestPartition> partitions,
                           const std::vector<TopicPartition>& forgotten, bool from_follower, int64_t now_ms);

  // After the reads: a full context tries to create a session from its request and outputs and
  // returns its id (0: none); an incremental one keeps in `outputs` only what must be sent and
  // updates the session, returning its id, or INVALID_FETCH_SESSION_EPOCH (and no outputs) when
  // another request of the same session got in between.
  int32_t create_session(const FetchContext& context, const std::vector<FetchPartitionOutput>& outputs,
                         bool from_follower, int64_t now_ms);
  protocol::ErrorCode select_incremental(const FetchContext& context, std::vector<FetchPartitionOutput>& outputs);

  [[nodiscard]] size_t size() const;
  [[nodiscard]] size_t total_partitions() const;
  [[nodiscard]] uint64_t evictions() const;

 private:
  struct Session {
    int32_t id = 0;
    bool privileged = false;
    int64_t creation_ms = 0;
    int64_t last_used_ms = 0;
    int32_t epoch = 0;  // the epoch the next request must carry
    size_t cached_size = 0;
    // Iteration order (Kafka's ImplicitLinkedHashCollection): a partition that is sent moves to
    // the back, so a response's byte budget goes round the partitions.
    std::list<CachedPartition> partitions;
    std::map<TopicPartition, std::list<CachedPartition>::iterator> index;
  };
  using LastUsedKey = std::pair<int64_t, int32_t>;              // (last used, id)
  using EvictableKey = std::tuple<bool, size_t, int32_t>;       // (privileged, size, id)

  bool try_evict_locked(bool privileged, const EvictableKey& key, int64_t now_ms);
  void remove_locked(int32_t id);
  void touch_locked(Session& session, int64_t now_ms);
  int32_t new_session_id_locked();

  const int32_t max_sessions_;
  const int64_t eviction_ms_;
  mutable std::mutex mutex_;
  std::map<int32_t, std::unique_ptr<Session>> sessions_;
  std::map<LastUsedKey, int32_t> last_used_;
  std::map<EvictableKey, int32_t> evictable_by_all_;
  std::map<EvictableKey, int32_t> evictable_by_privileged_;
  size_t total_partitions_ = 0;
  uint64_t evictions_ = 0;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace sluice::broker
