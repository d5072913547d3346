#include "broker/delayed_operation_purgatory.h"

#include <algorithm>

namespace sluice::broker {

bool DelayedOperationPurgatory::try_complete_else_watch(const std::shared_ptr<DelayedOperation>& op,
                                                        const std::vector<TopicPartition>& keys) {
  if (op->try_complete()) return true;
  {
    std::lock_guard lock(mutex_);
    for (const TopicPartition& key : keys) {
      auto& list = watchers_[key];
      std::erase_if(list, [](const auto& o) { return o->is_completed(); });
      list.push_back(op);
    }
  }
  // An append between the first check and the watch would have found nothing to wake.
  if (op->try_complete()) return true;
  op->start_timer();
  return false;
}

int DelayedOperationPurgatory::check_and_complete(const TopicPartition& key) {
  std::vector<std::shared_ptr<DelayedOperation>> ops = take_watchers(key);
  int completed = 0;
  std::vector<std::shared_ptr<DelayedOperation>> still_waiting;
  for (auto& op : ops) {
    if (op->is_completed()) continue;
    if (op->try_complete()) {
      ++completed;
    } else {
      still_waiting.push_back(std::move(op));
    }
  }
  rewatch(key, std::move(still_waiting));
  return completed;
}

size_t DelayedOperationPurgatory::watched() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [key, list] : watchers_) n += list.size();
  return n;
}

std::vector<std::shared_ptr<DelayedOperation>> DelayedOperationPurgatory::take_watchers(const TopicPartition& key) {
  std::lock_guard lock(mutex_);
  auto it = watchers_.find(key);
  if (it == watchers_.end()) return {};
  auto ops = std::move(it->second);
  watchers_.erase(it);
  return ops;
}

void DelayedOperationPurgatory::rewatch(const TopicPartition& key, std::vector<std::shared_ptr<DelayedOperation>> ops) {
  if (ops.empty()) return;
  std::lock_guard lock(mutex_);
  auto& list = watchers_[key];
  list.insert(list.end(), std::make_move_iterator(ops.begin()), std::make_move_iterator(ops.end()));
}

}  // namespace sluice::broker
