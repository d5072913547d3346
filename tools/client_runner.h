// ClientRunner: a KafkaClient with its io_context running on a thread of its own, so a command's
// main thread may block (reading stdin, writing stdout, sleeping for --throughput) while the
// client keeps sending and fetching. run() carries an awaitable over to the client's strand and
// waits for it.
// Owner: the command's main thread. The destructor closes the client on its strand and joins.
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "client/kafka_client.h"
#include "tools/options.h"

namespace sluice::tools {

class ClientRunner {
 public:
  explicit ClientRunner(const GlobalOptions& options);
  ~ClientRunner();
  ClientRunner(const ClientRunner&) = delete;
  ClientRunner& operator=(const ClientRunner&) = delete;

  // Bootstraps the client: an error means no broker of --bootstrap answered.
  Status connect();

  client::KafkaClient& client() { return *client_; }

  // Runs `task` on the client's strand and waits for its result.
  template <typename T>
  T run(asio::awaitable<T> task) {
    auto future = asio::co_spawn(client_->executor(), client::detail::wrap_optional(std::move(task)),
                                         asio::use_future);
    return std::move(*future.get());
  }
  void run(asio::awaitable<void> task) {
    asio::co_spawn(client_->executor(), std::move(task), asio::use_future).get();
  }

 private:
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<client::KafkaClient> client_;
  std::thread thread_;
};

}  // namespace sluice::tools
