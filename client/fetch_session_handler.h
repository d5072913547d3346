// FetchSessionHandler: the fetcher's half of incremental fetch sessions (KIP-227; Kafka's
// clients/src/main/java/org/apache/kafka/clients/FetchSessionHandler.java), one per broker
// connection. The first request is a full one (session 0, epoch 0) asking for a session; once
// the broker grants one, each request names the session and its next epoch and carries only the
// partitions that are new or whose fetch position, log start offset, byte limit or leader epoch
// changed, plus the partitions to forget. A session error (FETCH_SESSION_ID_NOT_FOUND after an
// eviction, INVALID_FETCH_SESSION_EPOCH) or a failed request makes the next request a full one.
//
// Owner: one fetcher (its strand); not thread-safe. Pure: no I/O.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "protocol/messages/fetch_request.h"
#include "protocol/messages/fetch_response.h"
#include "protocol/types.h"

namespace sluice::client {

// One partition a fetcher wants, as it would appear in a full request.
struct FetchTarget {
  TopicPartition tp;
  Offset fetch_offset{0};
  Offset log_start_offset{-1};
  int32_t max_bytes = 0;
  LeaderEpoch current_leader_epoch{-1};

  bool operator==(const FetchTarget&) const = default;
};

class FetchSessionHandler {
 public:
  // Fills the session fields, topics and forgotten topics of `request` for fetching `wanted`
  // (every partition the fetcher wants now, in order) and remembers what it sent.
  void build(const std::vector<FetchTarget>& wanted, protocol::FetchRequest& request);
  // The response to the last build(): returns false on a session error (the response carries
  // no partitions; the next request is full).
  bool handle_response(const protocol::FetchResponse& response);
  // The last request failed (no response): the next one is full and closes the old session.
  void handle_error();

  [[nodiscard]] int32_t session_id() const { return session_id_; }
  [[nodiscard]] int32_t next_epoch() const { return epoch_; }
  // Whether the next request is a full one.
  [[nodiscard]] bool next_is_full() const { return epoch_ == 0 || epoch_ == -1; }

 private:
  int32_t session_id_ = 0;
  int32_t epoch_ = 0;  // the epoch the next request carries
  std::map<TopicPartition, FetchTarget> session_;  // what the broker holds once the last request landed
};

}  // namespace sluice::client
