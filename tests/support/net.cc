#include "tests/support/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <string>

namespace sluice::testing {
namespace {

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Whether 127.0.0.1:`port` can be bound now (0: any); the bound port, or 0.
uint16_t try_bind(uint16_t port, int* error) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(port);
  socklen_t len = sizeof(addr);
  const bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  *error = errno;
  if (fd >= 0) ::close(fd);
  return ok ? ntohs(addr.sin_port) : 0;
}

// The low end of the kernel's ephemeral port range (the ports it gives outgoing connections).
uint16_t ephemeral_low() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (!(in >> low) || low < 2048 || low > 65535) return 32768;
  return static_cast<uint16_t>(low);
}

}  // namespace

// Below the ephemeral range: a port the kernel hands out for binding to 0 is also one it may give
// an outgoing connection (another test's client) before the spawned server binds it, which made
// brokers fail with "Address already in use". Ports from [low/2, low) are never used that way; the
// pick is random (parallel test processes pick differently) and never repeats within a process.
uint16_t free_port() {
  static std::mutex mutex;
  static std::set<uint16_t> handed_out;
  static std::mt19937 random(static_cast<uint32_t>(::getpid()) ^ static_cast<uint32_t>(std::random_device{}()));
  const std::lock_guard lock(mutex);
  const uint16_t high = ephemeral_low();
  std::uniform_int_distribution<int> pick(high / 2, high - 1);
  int error = 0;
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<uint16_t>(pick(random));
    if (handed_out.contains(port)) continue;
    if (try_bind(port, &error) == port) {
      handed_out.insert(port);
      return port;
    }
  }
  const uint16_t any = try_bind(0, &error);  // the range is crowded: the kernel's choice
  if (any == 0) throw std::runtime_error(std::string("cannot pick a free port: ") + std::strerror(error));
  return any;
}

bool port_accepts(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const sockaddr_in addr = loopback(port);
  const bool ok = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace sluice::testing
