// Producer: sends records to partition leaders in v2 batches (AK KafkaProducer + Sender).
// produce() queues a record in order; an intake coroutine resolves the topic's metadata and
// partition and appends it to the RecordAccumulator; a sender coroutine drains ready batches,
// one Produce request per leader broker carrying every ready partition it leads, at most
// max_in_flight requests per broker and one batch per partition (so retries keep order).
// Retriable failures (NOT_LEADER_OR_FOLLOWER, a lost connection...) refresh metadata and retry
// after retry_backoff until `retries` or delivery_timeout runs out.
// Owner: the KafkaClient's strand; produce() and the awaitables may be called from anywhere.
// close() flushes, then stops both coroutines; records still queued fail with Errc::shut_down.
#pragma once

#include <chrono>
#include <climits>
#include <deque>
#include <map>
#include <memory>

#include "client/kafka_client.h"
#include "client/partitioner.h"
#include "client/producer_types.h"
#include "client/record_accumulator.h"
#include "protocol/record_batch_header.h"

namespace sluice::client {

struct ProducerConfig {
  int16_t acks = -1;  // 0, 1, or -1 (all)
  protocol::CompressionType compression = protocol::CompressionType::none;
  std::chrono::milliseconds linger{5};
  size_t batch_size = 16384;
  int retries = INT_MAX;
  std::chrono::milliseconds retry_backoff{100};
  std::chrono::milliseconds delivery_timeout{120'000};
  std::chrono::milliseconds request_timeout{30'000};  // the Produce request's timeout_ms
  int max_in_flight = 5;                               // Produce requests per broker
  uint64_t partitioner_seed = std::random_device{}();
};

class Producer {
 public:
  // REQUIRES: `client` outlives the producer and has bootstrapped.
  Producer(KafkaClient& client, ProducerConfig config);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `record`; `on_delivery` runs once on the client's strand. Thread-safe.
  void produce(ProducerRecord record, DeliveryCallback on_delivery);
  // Queues `record` and waits for its report.
  asio::awaitable<DeliveryReport> produce(ProducerRecord record);
  // Sends everything queued now and waits until every record so far has its report.
  asio::awaitable<void> flush();
  // Flushes, then stops. The producer takes no records afterwards.
  asio::awaitable<void> close();

 private:
  struct Intake {
    ProducerRecord record;
    DeliveryCallback on_delivery;
  };

  asio::awaitable<DeliveryReport> produce_and_wait(ProducerRecord record);
  asio::awaitable<void> intake_loop();
  asio::awaitable<void> accept(Intake item);
  asio::awaitable<void> sender_loop();
  void send_ready(Clock::time_point now);
  asio::awaitable<void> send_produce(BrokerId leader, std::vector<ProducerBatch> batches);
  asio::awaitable<Status> send_request(BrokerId leader, std::vector<ProducerBatch>& batches);
  void handle_response(const protocol::ProduceResponse& response, std::vector<ProducerBatch>& batches);
  void fail_or_retry(ProducerBatch batch, std::error_code error);
  void request_metadata_refresh();
  asio::awaitable<void> refresh_metadata();
  asio::awaitable<void> flush_on_strand();
  asio::awaitable<void> close_on_strand();
  [[nodiscard]] bool idle() const;

  KafkaClient& client_;
  ProducerConfig config_;
  asio::any_io_executor strand_;
  Partitioner partitioner_;
  RecordAccumulator accumulator_;
  std::deque<Intake> intake_;
  size_t accepting_ = 0;  // intake items taken but not yet appended
  std::map<BrokerId, int> in_flight_requests_;
  int flushing_ = 0;
  bool refreshing_ = false;
  bool closed_ = false;
  bool stopped_ = false;
  int requests_running_ = 0;  // Produce requests and metadata refreshes under way
  int loops_running_ = 0;  // intake and sender; close() waits for both to return
  Signal wakeup_;   // sender: new batches, completions, metadata
  Signal intake_signal_;
  Signal progress_;  // flush(): a batch completed
};

}  // namespace sluice::client
