// TopicCreator: how Metadata asks for a missing topic to be auto-created (auto.create.topics.enable).
// The coordination layer implements it (a znode under /brokers/topics); until then it is unset
// and Metadata answers UNKNOWN_TOPIC_OR_PARTITION for unknown topics.
#pragma once

#include <string>
#include <vector>

namespace sluice::broker {

class TopicCreator {
 public:
  virtual ~TopicCreator() = default;
  // Starts creating `topics` with the broker's defaults; returns at once (Metadata answers
  // LEADER_NOT_AVAILABLE meanwhile). Thread-safe.
  virtual void create_topics(std::vector<std::string> topics) = 0;
};

}  // namespace sluice::broker
