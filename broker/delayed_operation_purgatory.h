// DelayedOperationPurgatory: delayed operations watched by partition (Kafka's purgatory). An
// operation is checked once when added and again on every check_and_complete of a partition it
// watches (an append, a high-watermark move); expiry is each operation's own timer.
// Thread-safe: a mutex guards the watch lists; try_complete runs outside it.
// Invariant: a completed operation is dropped from a watch list the next time that list is
// touched, so lists only hold operations that may still complete.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "broker/delayed_operation.h"
#include "protocol/types.h"

namespace sluice::broker {

class DelayedOperationPurgatory {
 public:
  // Completes `op` now if it can; otherwise watches it under `keys` and arms its timer.
  // Returns whether it completed here.
  bool try_complete_else_watch(const std::shared_ptr<DelayedOperation>& op, const std::vector<TopicPartition>& keys);
  // Re-checks every operation watching `key`; returns how many completed.
  int check_and_complete(const TopicPartition& key);
  // Operations currently watched (completed ones not yet purged included).
  [[nodiscard]] size_t watched() const;

 private:
  std::vector<std::shared_ptr<DelayedOperation>> take_watchers(const TopicPartition& key);
  void rewatch(const TopicPartition& key, std::vector<std::shared_ptr<DelayedOperation>> ops);

  mutable std::mutex mutex_;
  std::map<TopicPartition, std::vector<std::shared_ptr<DelayedOperation>>> watchers_;
};

}  // namespace sluice::broker
