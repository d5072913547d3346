// Admin: topic administration over the KafkaClient (AK Admin's topic calls): create and
// delete (sent to the controller, re-found on NOT_CONTROLLER), describe and list (metadata).
// Per-topic outcomes are separate: one topic's error never fails the others.
// Owner: the KafkaClient's strand; public coroutines hop onto it.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <system_error>
#include <vector>

#include "client/kafka_client.h"

namespace sluice::client {

struct NewTopic {
  std::string name;
  int32_t num_partitions = 1;
  int16_t replication_factor = 1;
  std::map<std::string, std::string> configs;
};

// Per topic: empty on success, else the broker's error (e.g. TOPIC_ALREADY_EXISTS).
using TopicErrors = std::map<std::string, std::error_code>;

class Admin {
 public:
  // REQUIRES: `client` outlives the admin and has bootstrapped.
  explicit Admin(KafkaClient& client, std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : client_(client), timeout_(timeout) {}

  asio::awaitable<Result<TopicErrors>> create_topics(std::vector<NewTopic> topics);
  asio::awaitable<Result<TopicErrors>> delete_topics(std::vector<std::string> names);
  // Fresh metadata for `names`; a topic that does not exist comes back with its error set.
  asio::awaitable<Result<std::vector<TopicInfo>>> describe_topics(std::vector<std::string> names);
  // Every non-internal topic, sorted.
  asio::awaitable<Result<std::vector<std::string>>> list_topics();

 private:
  asio::awaitable<Result<std::shared_ptr<BrokerConnection>>> controller();
  asio::awaitable<Result<TopicErrors>> create_on_strand(std::vector<NewTopic> topics);
  asio::awaitable<Result<TopicErrors>> delete_on_strand(std::vector<std::string> names);
  asio::awaitable<Result<std::vector<TopicInfo>>> describe_on_strand(std::vector<std::string> names);
  asio::awaitable<Result<std::vector<std::string>>> list_on_strand();

  KafkaClient& client_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sluice::client
