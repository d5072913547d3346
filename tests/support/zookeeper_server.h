// ZooKeeperServer: a real, private ZooKeeper for integration tests (STYLE.md §9, after
// AK:core/src/test/scala/unit/kafka/zk/EmbeddedZookeeper.scala, but out of process).
//
// Runs org.apache.zookeeper.server.ZooKeeperServerMain from Debian's `zookeeper` package in a
// child JVM, standalone, on 127.0.0.1 and a free port, with its config, data and log in a fresh
// temp dir. It never touches /etc/zookeeper or a system ZooKeeper service.
// Jars: $SLUICE_ZOOKEEPER_CLASSPATH, else /usr/share/java/zookeeper.jar (its manifest lists the
// dependency jars). Java: $JAVA_HOME/bin/java, else `java` on PATH.
// The destructor stops the JVM (SIGTERM, then SIGKILL) and removes the temp dir.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::testing {

class ZooKeeperServer {
 public:
  // Starts the server and waits until it serves requests. Throws std::runtime_error on failure
  // (no Java, no jar, no answer within 30 s), with the server's log in the message.
  ZooKeeperServer();
  ~ZooKeeperServer();
  ZooKeeperServer(const ZooKeeperServer&) = delete;
  ZooKeeperServer& operator=(const ZooKeeperServer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  // "127.0.0.1:<port>", plus `chroot` (e.g. "/t1") if given.
  [[nodiscard]] std::string connect_string(const std::string& chroot = "") const;

  // Stops the JVM; the data dir stays, so start() brings back every znode and live session.
  void stop();
  // Starts the JVM again on the same port and data dir and waits until it serves.
  void start();
  // SIGSTOP / SIGCONT: the server stops answering without closing its sockets.
  void pause();
  void resume();

  // The server's own output, for failure messages.
  [[nodiscard]] std::string log() const;

 private:
  void spawn();
  void wait_until_serving(std::chrono::seconds timeout);

  std::filesystem::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace sluice::testing
