#include "client/fetch_session_handler.h"

#include <limits>

#include "protocol/error_code.h"

namespace sluice::client {
namespace {

protocol::FetchRequest::FetchPartition partition_of(const FetchTarget& t) {
  protocol::FetchRequest::FetchPartition p;
  p.partition = t.tp.partition;
  p.current_leader_epoch = t.current_leader_epoch;
  p.fetch_offset = t.fetch_offset;
  p.log_start_offset = t.log_start_offset;
  p.partition_max_bytes = t.max_bytes;
  return p;
}

void add(protocol::FetchRequest& request, const FetchTarget& t) {
  if (request.topics.empty() || request.topics.back().topic != t.tp.topic) {
    request.topics.push_back({.topic = t.tp.topic, .partitions = {}});
  }
  request.topics.back().partitions.push_back(partition_of(t));
}

void forget(protocol::FetchRequest& request, const TopicPartition& tp) {
  auto& forgotten = request.forgotten_topics_data;
  if (forgotten.empty() || forgotten.back().topic != tp.topic) forgotten.push_back({.topic = tp.topic, .partitions = {}});
  forgotten.back().partitions.push_back(tp.partition);
}

int32_t following_epoch(int32_t epoch) { return epoch == std::numeric_limits<int32_t>::max() ? 1 : epoch + 1; }

}  // namespace

void FetchSessionHandler::build(const std::vector<FetchTarget>& wanted, protocol::FetchRequest& request) {
  request.session_id = session_id_;
  request.session_epoch = epoch_;
  request.topics.clear();
  request.forgotten_topics_data.clear();
  std::map<TopicPartition, FetchTarget> next;
  for (const FetchTarget& t : wanted) next.emplace(t.tp, t);
  if (next_is_full()) {
    for (const FetchTarget& t : wanted) add(request, t);
  } else {
    for (const FetchTarget& t : wanted) {
      auto it = session_.find(t.tp);
      if (it == session_.end() || !(it->second == t)) add(request, t);
    }
    for (const auto& [tp, t] : session_) {
      if (!next.contains(tp)) forget(request, tp);
    }
  }
  session_ = std::move(next);
}

bool FetchSessionHandler::handle_response(const protocol::FetchResponse& response) {
  using protocol::ErrorCode;
  const auto error = static_cast<ErrorCode>(response.error_code);
  if (error != ErrorCode::none) {
    // Not found: the session is gone, start afresh. Otherwise close it and start a new one.
    if (error != ErrorCode::fetch_session_id_not_found) {
      epoch_ = 0;
    } else {
      session_id_ = 0;
      epoch_ = 0;
    }
    session_.clear();
    return false;
  }
  if (response.session_id == 0) {
    // No session (none granted, or the broker closed it): keep asking with full requests.
    session_id_ = 0;
    epoch_ = 0;
    return true;
  }
  epoch_ = next_is_full() || response.session_id != session_id_ ? 1 : following_epoch(epoch_);
  session_id_ = response.session_id;
  return true;
}

void FetchSessionHandler::handle_error() {
  epoch_ = 0;  // full, naming the old session so the broker closes it
  session_.clear();
}

}  // namespace sluice::client
