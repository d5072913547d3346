#include "broker/tests/test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace sluice::broker::testing {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

void set_timeouts(int fd) {
  timeval tv{.tv_sec = kIoTimeout.count(), .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

TestClient::TestClient(uint16_t port, int receive_buffer_bytes) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  set_timeouts(fd_);
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  const sockaddr_in addr = loopback(port);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

TestClient::~TestClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::send(ByteView bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void TestClient::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::optional<Bytes> TestClient::read_exact(size_t n) {
  Bytes out(n);
  size_t done = 0;
  while (done < n) {
    const ssize_t got = ::recv(fd_, out.data() + done, n - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    done += static_cast<size_t>(got);
  }
  return out;
}

std::optional<Bytes> TestClient::read_frame() {
  auto prefix = read_exact(4);
  if (!prefix) return std::nullopt;
  const auto size = load_be<int32_t>(prefix->data());
  if (size < 0) return std::nullopt;
  return read_exact(static_cast<size_t>(size));
}

bool TestClient::closed_by_peer() {
  std::byte sink[4096];
  for (;;) {
    const ssize_t got = ::recv(fd_, sink, sizeof sink, 0);
    if (got > 0) continue;
    if (got < 0 && errno == EINTR) continue;
    // 0: orderly close; ECONNRESET: closed with unread data; EAGAIN: the timeout passed.
    return got == 0 || errno == ECONNRESET;
  }
}

Bytes frame_of(ByteView payload) {
  Bytes out;
  out.reserve(4 + payload.size());  // no reallocation: GCC 12 sees phantom overflows in that path
  protocol::Writer w(out);
  w.write_int32(static_cast<int32_t>(payload.size()));
  w.write_raw(payload);
  return out;
}


}  // namespace sluice::broker::testing
