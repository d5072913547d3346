#include "broker/response_writer.h"

#include <sys/sendfile.h>

#include <algorithm>
#include <cerrno>

#include <spdlog/spdlog.h>

namespace sluice::broker {
namespace {

using asio::as_tuple;
using asio::use_awaitable;

// sendfile moves at most 0x7ffff000 bytes per call on Linux.
constexpr int64_t kMaxSendfileChunk = 1 << 30;

asio::awaitable<std::error_code> send_file_slice(tcp::socket& socket, storage::FileSlice slice) {
  off_t offset = static_cast<off_t>(slice.position.value());
  int64_t left = slice.length;
  while (left > 0) {
    const auto chunk = static_cast<size_t>(std::min(left, kMaxSendfileChunk));
    const ssize_t sent = ::sendfile(socket.native_handle(), slice.file->fd(), &offset, chunk);
    if (sent > 0) {
      left -= sent;
    } else if (sent == 0) {
      spdlog::warn("file slice ends {} bytes early: its segment was truncated", left);
      co_return std::make_error_code(std::errc::io_error);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, as_tuple(use_awaitable));
      if (ec) co_return ec;
    } else if (errno != EINTR) {
      co_return std::error_code(errno, std::system_category());
    }
  }
  co_return std::error_code();
}

asio::awaitable<std::error_code> write_bytes(tcp::socket& socket, std::vector<asio::const_buffer> buffers) {
  auto [ec, n] = co_await asio::async_write(socket, buffers, as_tuple(use_awaitable));
  co_return ec;
}

}  // namespace

asio::awaitable<std::error_code> write_response(tcp::socket& socket, ResponseBuffer buffer) {
  std::vector<asio::const_buffer> pending;
  for (const ResponseBuffer::Part& part : buffer.parts()) {
    if (const auto* bytes = std::get_if<Bytes>(&part)) {
      pending.emplace_back(bytes->data(), bytes->size());
      continue;
    }
    if (!pending.empty()) {
      // A named local: GCC 12 mis-destroys braced temporaries inside co_await expressions.
      std::vector<asio::const_buffer> head = std::exchange(pending, {});
      if (auto ec = co_await write_bytes(socket, std::move(head))) co_return ec;
    }
    if (auto ec = co_await send_file_slice(socket, std::get<storage::FileSlice>(part))) co_return ec;
  }
  if (!pending.empty()) co_return co_await write_bytes(socket, std::move(pending));
  co_return std::error_code();
}

}  // namespace sluice::broker
