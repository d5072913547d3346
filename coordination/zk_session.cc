#include "coordination/zk_session.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <thread>

#include "coordination/zk_log.h"
#include "protocol/assert.h"

namespace sluice::coordination {

void ListenerSlot::set(SessionListener listener) {
  const std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void ListenerSlot::notify(SessionState state) {
  const std::lock_guard lock(mutex_);
  if (!listener_.on_state) return;
  asio::post(listener_.executor, [f = listener_.on_state, state] { f(state); });
}

uint64_t SessionContext::add_watch(Watcher watcher) {
  SLUICE_ASSERT(watcher.on_event && watcher.executor, "a Watcher needs an executor and a callback");
  const std::lock_guard lock(mutex_);
  const uint64_t id = next_watch_id_++;
  watches_.emplace(id, std::move(watcher));
  return id;
}

void SessionContext::drop_watch(uint64_t id) {
  const std::lock_guard lock(mutex_);
  watches_.erase(id);
}

void SessionContext::fire_watch(uint64_t id, WatchEvent event) {
  const std::lock_guard lock(mutex_);
  const auto it = watches_.find(id);
  if (it == watches_.end()) return;
  Watcher watcher = std::move(it->second);
  watches_.erase(it);
  if (detached_) return;
  asio::post(watcher.executor, [f = std::move(watcher.on_event), e = std::move(event)]() mutable { f(std::move(e)); });
}

void SessionContext::on_session_state(SessionState state, std::optional<SessionCredentials> credentials) {
  const std::lock_guard lock(mutex_);
  state_.store(state);
  if (credentials) credentials_ = credentials;
  if (detached_) return;
  listener_->notify(state);
  for (const auto& waiter : state_waiters_) post_state(waiter, state);
}

void SessionContext::add_state_waiter(std::shared_ptr<StateChannel> waiter) {
  const std::lock_guard lock(mutex_);
  const SessionState now = state_.load();
  if (now != SessionState::disconnected) post_state(waiter, now);
  state_waiters_.push_back(std::move(waiter));
}

void SessionContext::remove_state_waiter(const std::shared_ptr<StateChannel>& waiter) {
  const std::lock_guard lock(mutex_);
  std::erase(state_waiters_, waiter);
}

void SessionContext::detach() {
  const std::lock_guard lock(mutex_);
  detached_ = true;
  state_waiters_.clear();
}

std::optional<SessionCredentials> SessionContext::credentials() const {
  const std::lock_guard lock(mutex_);
  return credentials_;
}

void SessionContext::post_state(const std::shared_ptr<StateChannel>& waiter, SessionState state) {
  // try_send on the channel's own executor: this thread only posts.
  asio::post(waiter->get_executor(), [waiter, state] { waiter->try_send(boost::system::error_code{}, state); });
}

void ZkClose::operator()(zhandle_t* zh) const {
  const int rc = zookeeper_close(zh);
  if (rc != ZOK) spdlog::warn("zookeeper: close: {}", zerror(rc));
}

namespace {

std::optional<SessionState> session_state_from_zoo(int state) {
  if (state == ZOO_CONNECTED_STATE || state == ZOO_READONLY_STATE) return SessionState::connected;
  if (state == ZOO_EXPIRED_SESSION_STATE) return SessionState::expired;
  if (state == ZOO_AUTH_FAILED_STATE) return SessionState::auth_failed;
  if (state == ZOO_CONNECTING_STATE || state == ZOO_ASSOCIATING_STATE || state == ZOO_NOTCONNECTED_STATE) {
    return SessionState::disconnected;
  }
  return std::nullopt;
}

SessionCredentials credentials_of(zhandle_t* zh) {
  const clientid_t* id = zoo_client_id(zh);
  SessionCredentials c{.id = id->client_id};
  std::memcpy(c.password.data(), id->passwd, c.password.size());
  return c;
}

// The default watcher: only session events reach it, since every watch we arm has its own.
void on_session_event(zhandle_t* zh, int type, int state, const char* /*path*/, void* ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  const auto mapped = session_state_from_zoo(state);
  if (!mapped) return;
  auto* context = static_cast<SessionContext*>(ctx);
  std::optional<SessionCredentials> credentials;
  if (*mapped == SessionState::connected) credentials = credentials_of(zh);
  spdlog::info("zookeeper: session 0x{:x} {}", credentials ? credentials->id : zoo_client_id(zh)->client_id,
               to_string(*mapped));
  context->on_session_state(*mapped, credentials);
}

std::optional<WatchEventType> watch_event_from_zoo(int type) {
  if (type == ZOO_CREATED_EVENT) return WatchEventType::created;
  if (type == ZOO_DELETED_EVENT) return WatchEventType::deleted;
  if (type == ZOO_CHANGED_EVENT) return WatchEventType::data_changed;
  if (type == ZOO_CHILD_EVENT) return WatchEventType::children_changed;
  return std::nullopt;
}

}  // namespace

void on_watch_event(zhandle_t* zh, int type, int state, const char* path, void* watcher_ctx) {
  auto* context = static_cast<SessionContext*>(const_cast<void*>(zoo_get_context(zh)));
  const auto id = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(watcher_ctx));
  if (type == ZOO_SESSION_EVENT) {
    // The C client shows every session event to every armed watch, which stays armed unless the
    // session is gone.
    if (state == ZOO_EXPIRED_SESSION_STATE) context->fire_watch(id, {WatchEventType::session_expired, ""});
    return;
  }
  const auto event = watch_event_from_zoo(type);
  if (!event) {
    context->drop_watch(id);  // ZOO_NOTWATCHING_EVENT: the server dropped it
    return;
  }
  context->fire_watch(id, {*event, path != nullptr ? path : ""});
}

std::unique_ptr<ZkSession> ZkSession::open(const ZooKeeperConfig& config, std::shared_ptr<ListenerSlot> listener) {
  install_zookeeper_logging();
  auto session = std::make_unique<ZkSession>();
  session->context = std::make_unique<SessionContext>(std::move(listener));
  clientid_t resume{};
  if (config.resume_session) {
    resume.client_id = config.resume_session->id;
    std::memcpy(resume.passwd, config.resume_session->password.data(), sizeof(resume.passwd));
  }
  zhandle_t* zh = zookeeper_init2(config.connect.c_str(), &on_session_event,
                                  static_cast<int>(config.session_timeout.count()),
                                  config.resume_session ? &resume : nullptr, session->context.get(),
                                  ZOO_NO_LOG_CLIENTENV, &log_zookeeper_message);
  if (zh == nullptr) return nullptr;
  session->handle.reset(zh);
  return session;
}

namespace {

// One thread for zookeeper_close, which blocks. It finishes its queue before the program exits,
// so no session outlives main().
class Closer {
 public:
  Closer() : thread_([this] { run(); }) {}
  ~Closer() {
    {
      const std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void submit(std::function<void()> job) {
    {
      const std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, queue drained
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

Closer& closer() {
  static Closer instance;
  return instance;
}

}  // namespace

void close_in_background(std::unique_ptr<ZkSession> session) {
  if (!session) return;
  session->context->detach();
  closer().submit([s = std::shared_ptr<ZkSession>(std::move(session))]() mutable { s.reset(); });
}

asio::awaitable<void> close_and_wait(std::unique_ptr<ZkSession> session) {
  if (!session) co_return;
  session->context->detach();
  auto shared = std::shared_ptr<ZkSession>(std::move(session));
  co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
      [](auto handler, std::shared_ptr<ZkSession> s) {
        const asio::any_io_executor work =
            asio::prefer(asio::get_associated_executor(handler), asio::execution::outstanding_work.tracked);
        auto done = std::make_shared<asio::any_completion_handler<void()>>(std::move(handler));
        closer().submit([s = std::move(s), work, done]() mutable {
          s.reset();
          asio::post(work, [done] { std::move(*done)(); });
        });
      },
      asio::use_awaitable, std::move(shared));
}

}  // namespace sluice::coordination
