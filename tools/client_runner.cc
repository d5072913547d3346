#include "tools/client_runner.h"

#include <chrono>

namespace sluice::tools {

ClientRunner::ClientRunner(const GlobalOptions& options) {
  client::ClientConfig config;
  config.bootstrap_servers = options.bootstrap;
  config.connection.client_id = "sluice-cli";
  config.connection.request_timeout = std::chrono::milliseconds(options.request_timeout_ms);
  config.connection.connect_timeout = std::chrono::milliseconds(std::min<int64_t>(options.request_timeout_ms, 10'000));
  work_.emplace(io_.get_executor());
  client_ = std::make_unique<client::KafkaClient>(io_.get_executor(), std::move(config));
  thread_ = std::thread([this] { io_.run(); });
}

ClientRunner::~ClientRunner() {
  asio::co_spawn(
      client_->executor(), [](client::KafkaClient* c) -> asio::awaitable<void> {
        c->close();
        co_return;
      }(client_.get()),
      asio::use_future)
      .get();
  work_.reset();
  io_.stop();
  thread_.join();
  client_.reset();  // the io_context has stopped: safe off the strand
}

Status ClientRunner::connect() { return run(client_->bootstrap()); }

}  // namespace sluice::tools
