#include "coordination/zookeeper_client.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "coordination/in_flight_limit.h"
#include "coordination/zk_bridge.h"
#include "coordination/zk_session.h"
#include "protocol/assert.h"

namespace sluice::coordination {

using namespace asio::experimental::awaitable_operators;

ZooKeeperClient::ZooKeeperClient(asio::any_io_executor executor, ZooKeeperConfig config)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      listener_(std::make_shared<ListenerSlot>()),
      in_flight_(std::make_unique<InFlightLimit>(executor_, config_.max_in_flight_requests)) {
  SLUICE_ASSERT(config_.max_in_flight_requests > 0, "max_in_flight_requests must be positive");
}

ZooKeeperClient::~ZooKeeperClient() { close_in_background(take_session()); }

std::unique_ptr<ZkSession> ZooKeeperClient::take_session() {
  const std::unique_lock lock(session_mutex_);
  return std::move(session_);
}

Status ZooKeeperClient::open_session_if_none() {
  const std::unique_lock lock(session_mutex_);
  if (session_) return ok();
  session_ = ZkSession::open(config_, listener_);
  if (!session_) {
    spdlog::error("zookeeper: cannot open a handle for '{}': {}", config_.connect, std::strerror(errno));
    return Errc::bad_arguments;
  }
  return ok();
}

namespace {

// connect()'s verdict on a session state; nullopt: keep waiting.
std::optional<Status> connect_verdict(SessionState state) {
  switch (state) {
    case SessionState::connected: return ok();
    case SessionState::expired: return Status(Errc::session_expired);
    case SessionState::auth_failed: return Status(Errc::invalid_state);
    case SessionState::disconnected: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

asio::awaitable<Status> ZooKeeperClient::connect() {
  SLUICE_CO_TRY(open_session_if_none());
  const auto executor = co_await asio::this_coro::executor;
  auto waiter = std::make_shared<StateChannel>(executor, 8);
  if (with_session([&](ZkSession& s) { s.context->add_state_waiter(waiter); return ZOK; }) != ZOK) {
    co_return Errc::invalid_state;  // closed concurrently
  }
  asio::steady_timer deadline(executor, config_.connection_timeout);
  std::optional<Status> verdict;
  while (!verdict) {
    auto r = co_await (waiter->async_receive(asio::as_tuple(asio::use_awaitable)) ||
                       deadline.async_wait(asio::as_tuple(asio::use_awaitable)));
    if (r.index() == 1) verdict = Status(Errc::operation_timeout);
    else verdict = connect_verdict(std::get<1>(std::get<0>(r)));
  }
  with_session([&](ZkSession& s) { s.context->remove_state_waiter(waiter); return ZOK; });
  if (!*verdict) spdlog::warn("zookeeper: connect to '{}': {}", config_.connect, verdict->error().message());
  co_return *verdict;
}

asio::awaitable<Status> ZooKeeperClient::reconnect() {
  co_await close_and_wait(take_session());
  co_return co_await connect();
}

asio::awaitable<void> ZooKeeperClient::close() { co_await close_and_wait(take_session()); }

SessionState ZooKeeperClient::state() const {
  const std::shared_lock lock(session_mutex_);
  return session_ ? session_->context->state() : SessionState::disconnected;
}

std::optional<SessionCredentials> ZooKeeperClient::session_credentials() const {
  const std::shared_lock lock(session_mutex_);
  return session_ ? session_->context->credentials() : std::nullopt;
}

int64_t ZooKeeperClient::session_id() const {
  const auto credentials = session_credentials();
  return credentials && state() == SessionState::connected ? credentials->id : 0;
}

void ZooKeeperClient::set_session_listener(SessionListener listener) { listener_->set(std::move(listener)); }

asio::awaitable<Result<std::string>> ZooKeeperClient::create(std::string path, Bytes data, CreateMode mode) {
  SLUICE_CO_TRY(check_path(path));
  SLUICE_CO_TRY(const ZooBuffer buffer, zoo_buffer(data));
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<std::string>([&](PendingOp<std::string>* op) {
    return with_session([&](ZkSession& s) {
      return zoo_acreate(s.handle.get(), path.c_str(), buffer.data, buffer.length, &ZOO_OPEN_ACL_UNSAFE,
                         zoo_create_mode(mode), &on_create, op);
    });
  });
}

asio::awaitable<Result<NodeData>> ZooKeeperClient::get_data(std::string path) {
  SLUICE_CO_TRY(check_path(path));
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<NodeData>([&](PendingOp<NodeData>* op) {
    return with_session([&](ZkSession& s) { return zoo_aget(s.handle.get(), path.c_str(), 0, &on_get_data, op); });
  });
}

asio::awaitable<Result<NodeData>> ZooKeeperClient::get_data(std::string path, Watcher watcher) {
  SLUICE_CO_TRY(check_path(path));
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<NodeData>([&](PendingOp<NodeData>* op) {
    return with_session([&](ZkSession& s) {
      op->watch = {s.context.get(), s.context->add_watch(std::move(watcher))};
      return zoo_awget(s.handle.get(), path.c_str(), &on_watch_event, op->watch.watcher_ctx(), &on_get_data, op);
    });
  });
}

asio::awaitable<Result<ZNodeStat>> ZooKeeperClient::set_data(std::string path, Bytes data, ZkVersion expected) {
  SLUICE_CO_TRY(check_path(path));
  SLUICE_CO_TRY(const ZooBuffer buffer, zoo_buffer(data));
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<ZNodeStat>([&](PendingOp<ZNodeStat>* op) {
    return with_session([&](ZkSession& s) {
      return zoo_aset(s.handle.get(), path.c_str(), buffer.data, buffer.length, expected.value(), &on_set_data, op);
    });
  });
}

asio::awaitable<Status> ZooKeeperClient::remove(std::string path, ZkVersion expected) {
  SLUICE_CO_TRY(check_path(path));
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<void>([&](PendingOp<void>* op) {
    return with_session([&](ZkSession& s) {
      return zoo_adelete(s.handle.get(), path.c_str(), expected.value(), &on_remove, op);
    });
  });
}

asio::awaitable<Result<std::optional<ZNodeStat>>> ZooKeeperClient::exists(std::string path) {
  SLUICE_CO_TRY(check_path(path));
  using T = std::optional<ZNodeStat>;
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<T>([&](PendingOp<T>* op) {
    return with_session([&](ZkSession& s) { return zoo_aexists(s.handle.get(), path.c_str(), 0, &on_exists, op); });
  });
}

asio::awaitable<Result<std::optional<ZNodeStat>>> ZooKeeperClient::exists(std::string path, Watcher watcher) {
  SLUICE_CO_TRY(check_path(path));
  using T = std::optional<ZNodeStat>;
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<T>([&](PendingOp<T>* op) {
    return with_session([&](ZkSession& s) {
      op->watch = {s.context.get(), s.context->add_watch(std::move(watcher))};
      return zoo_awexists(s.handle.get(), path.c_str(), &on_watch_event, op->watch.watcher_ctx(), &on_exists, op);
    });
  });
}

asio::awaitable<Result<std::vector<std::string>>> ZooKeeperClient::get_children(std::string path) {
  SLUICE_CO_TRY(check_path(path));
  using T = std::vector<std::string>;
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<T>([&](PendingOp<T>* op) {
    return with_session([&](ZkSession& s) {
      return zoo_aget_children2(s.handle.get(), path.c_str(), 0, &on_get_children, op);
    });
  });
}

asio::awaitable<Result<std::vector<std::string>>> ZooKeeperClient::get_children(std::string path, Watcher watcher) {
  SLUICE_CO_TRY(check_path(path));
  using T = std::vector<std::string>;
  const auto permit = co_await in_flight_->acquire();
  co_return co_await async_zk<T>([&](PendingOp<T>* op) {
    return with_session([&](ZkSession& s) {
      op->watch = {s.context.get(), s.context->add_watch(std::move(watcher))};
      return zoo_awget_children2(s.handle.get(), path.c_str(), &on_watch_event, op->watch.watcher_ctx(),
                                 &on_get_children, op);
    });
  });
}

}  // namespace sluice::coordination
