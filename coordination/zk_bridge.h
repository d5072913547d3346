// The bridge from the C client's completion callbacks to Asio coroutines (STYLE.md §5, after
// ASIO:src/examples/cpp20/operations/c_callback_wrapper.cpp). Internal to coordination/.
//
// A PendingOp (the awaiting coroutine's handler and a work guard on its executor) is the `data`
// pointer of a zoo_a* call. Its callback runs on the ZooKeeper thread, where the C client's
// buffers die on return: it copies the result, posts the handler with it to the coroutine's
// executor, and does nothing more. A zoo_a* that returns an error never calls back: async_zk
// completes the op itself then.
#pragma once

#include <zookeeper/zookeeper.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <string_view>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <utility>
#include <variant>

#include "client/asio.h"
#include "coordination/errc.h"
#include "coordination/zk_session.h"
#include "coordination/zookeeper_client.h"

namespace sluice::coordination {

// Maps a ZOO_ERRORS code (not ZOK) to our Errc.
Errc errc_from_zoo(int rc);
inline std::error_code zoo_error(int rc) { return make_error_code(errc_from_zoo(rc)); }

ZNodeStat to_stat(const Stat& stat);
int zoo_create_mode(CreateMode mode);

// Paths must be absolute. (With a chroot the C client would accept "a" as "<chroot>a".)
inline Status check_path(std::string_view path) {
  return path.starts_with('/') ? ok() : Status(Errc::bad_arguments);
}

// The C client's (value, length) for our bytes: empty means a null payload, as Kafka writes.
struct ZooBuffer {
  const char* data = nullptr;
  int length = -1;
};
// Fails with bad_arguments past INT_MAX bytes (ZooKeeper's own limit is far lower, ~1 MiB).
Result<ZooBuffer> zoo_buffer(const Bytes& bytes);

// A watch an operation tries to arm: registered in the session before the zoo_aw* call, dropped
// again if the server's answer means the C client did not arm it.
struct WatchArm {
  SessionContext* context = nullptr;
  uint64_t id = 0;

  [[nodiscard]] void* watcher_ctx() const { return reinterpret_cast<void*>(static_cast<uintptr_t>(id)); }
  void drop() const {
    if (context != nullptr) context->drop_watch(id);
  }
};

// set_request_latency_observer's function; null: none.
extern std::atomic<RequestLatencyObserver> request_latency_observer;

template <typename T, typename Payload = std::monostate>
struct PendingOp {
  using Handler = asio::any_completion_handler<void(Result<T>)>;

  PendingOp(Handler h, const asio::any_io_executor& executor)
      : handler(std::move(h)), work(asio::prefer(executor, asio::execution::outstanding_work.tracked)) {}

  // Resumes the awaiting coroutine with `result` on its executor. Any thread; once.
  void complete(Result<T> result) {
    // Boxed: moving an Outcome result through the handler's closure trips GCC 12's
    // -Wmaybe-uninitialized on its union storage.
    if (RequestLatencyObserver observe = request_latency_observer.load(std::memory_order_relaxed)) {
      observe(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    }
    auto boxed = std::make_unique<Result<T>>(std::move(result));
    asio::post(work, [h = std::move(handler), r = std::move(boxed)]() mutable { std::move(h)(std::move(*r)); });
  }

  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  Handler handler;
  asio::any_io_executor work;  // keeps the coroutine's io_context running until we post
  Payload payload{};           // buffers the C client fills in at completion (multi)
  WatchArm watch;
};

// Takes ownership of the op behind a callback's `data` pointer.
template <typename Op>
std::unique_ptr<Op> adopt_op(const void* data) {
  return std::unique_ptr<Op>(static_cast<Op*>(const_cast<void*>(data)));
}

// Starts an operation: submit(Op*) calls a zoo_a* with the op as `data` and returns its code.
// Payload is moved into the op before submit runs, so the C client may point into it.
template <typename T, typename Payload = std::monostate, typename Submit>
asio::awaitable<Result<T>> async_zk(Submit submit, Payload payload = {}) {
  using Op = PendingOp<T, Payload>;
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<T>)>(
      [](auto handler, Submit s, Payload p) {
        const asio::any_io_executor executor = asio::get_associated_executor(handler);
        auto op = std::make_unique<Op>(std::move(handler), executor);
        op->payload = std::move(p);
        const int rc = s(op.get());
        if (rc != ZOK) {  // no callback will come
          op->watch.drop();
          op->complete(zoo_error(rc));
          return;
        }
        static_cast<void>(op.release());  // the callback owns it now
      },
      asio::use_awaitable, std::move(submit), std::move(payload));
}

template <typename F>
int ZooKeeperClient::with_session(F&& f) {
  std::shared_lock lock(session_mutex_);
  if (!session_) return ZINVALIDSTATE;
  const int rc = std::forward<F>(f)(*session_);
  if (rc == ZINVALIDSTATE && session_->context->state() == SessionState::expired) return ZSESSIONEXPIRED;
  return rc;
}

// Completion callbacks, one per result shape. `data` is the matching PendingOp.
void on_create(int rc, const char* path, const void* data);
void on_get_data(int rc, const char* value, int length, const Stat* stat, const void* data);
void on_set_data(int rc, const Stat* stat, const void* data);
void on_remove(int rc, const void* data);
void on_exists(int rc, const Stat* stat, const void* data);
void on_get_children(int rc, const String_vector* children, const Stat* stat, const void* data);

}  // namespace sluice::coordination
