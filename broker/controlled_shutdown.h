// The broker's side of a controlled shutdown (Kafka's KafkaServer.controlledShutdown): before it
// resigns and closes its ZooKeeper session, a stopping broker asks the controller (found through
// /controller and its /brokers/ids registration) to move its leaderships away, retrying
// controlled.shutdown.max.retries times with controlled.shutdown.retry.backoff.ms between tries
// while the controller is unknown, unreachable, or answers with an error or partitions remaining.
// Owner: KafkaServer's shutdown path; runs on the executor it is awaited on.
#pragma once

#include <chrono>

#include "broker/asio_net.h"
#include "coordination/kafka_zk_client.h"

namespace sluice::broker {

struct ControlledShutdownOptions {
  BrokerId broker_id{-1};
  int32_t max_retries = 3;                            // controlled.shutdown.max.retries
  std::chrono::milliseconds retry_backoff{5000};      // controlled.shutdown.retry.backoff.ms
  std::chrono::milliseconds request_timeout{30000};   // controller.socket.timeout.ms
};

// True when the controller confirmed that this broker leads nothing any more; false once the
// tries are used up (the broker then shuts down anyway, as Kafka does).
asio::awaitable<bool> controlled_shutdown(coordination::KafkaZkClient& zk, ControlledShutdownOptions options);

}  // namespace sluice::broker
