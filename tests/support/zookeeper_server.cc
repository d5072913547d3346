#include "tests/support/zookeeper_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// A port the kernel just handed out; free unless something grabs it before the JVM binds it.
uint16_t pick_free_port() {
  const Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof(addr);
  if (fd.get() < 0 || ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error(std::string("cannot pick a free port: ") + std::strerror(errno));
  }
  return ntohs(addr.sin_port);
}

// Sends a four-letter word and returns the answer; empty if the server did not answer.
std::string four_letter_word(uint16_t port, const char* word) {
  const Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  const sockaddr_in addr = loopback(port);
  timeval timeout{.tv_sec = 1, .tv_usec = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) return {};
  if (::send(fd.get(), word, 4, MSG_NOSIGNAL) != 4) return {};
  std::string answer;
  char buf[512];
  for (ssize_t n; (n = ::recv(fd.get(), buf, sizeof(buf), 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  return answer;
}

std::string java_binary() {
  if (const char* home = std::getenv("JAVA_HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/bin/java";
  }
  return "java";
}

std::string zookeeper_classpath() {
  if (const char* cp = std::getenv("SLUICE_ZOOKEEPER_CLASSPATH"); cp != nullptr && *cp != '\0') return cp;
  const std::filesystem::path jar = "/usr/share/java/zookeeper.jar";
  if (!std::filesystem::exists(jar)) {
    throw std::runtime_error("ZooKeeper jar not found at " + jar.string() +
                             ": run scripts/install-deps.sh (Debian package `zookeeper`) "
                             "or set SLUICE_ZOOKEEPER_CLASSPATH");
  }
  return jar.string();
}

void write_config(const std::filesystem::path& dir, uint16_t port) {
  std::ofstream cfg(dir / "zoo.cfg");
  // Short ticks make session expiry testable in seconds; sessions may ask 200 ms .. 60 s.
  cfg << "tickTime=100\n"
      << "minSessionTimeout=200\n"
      << "maxSessionTimeout=60000\n"
      << "dataDir=" << (dir / "data").string() << "\n"
      << "clientPort=" << port << "\n"
      << "clientPortAddress=127.0.0.1\n"
      << "maxClientCnxns=0\n"
      << "admin.enableServer=false\n"
      << "4lw.commands.whitelist=srvr,ruok\n"
      << "snapCount=100000\n"
      << "preAllocSize=1024\n";
  if (!cfg) throw std::runtime_error("cannot write " + (dir / "zoo.cfg").string());
}

}  // namespace

ZooKeeperServer::ZooKeeperServer() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-zk-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  std::filesystem::create_directories(dir_ / "data");
  port_ = pick_free_port();
  write_config(dir_, port_);
  start();
}

ZooKeeperServer::~ZooKeeperServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string ZooKeeperServer::connect_string(const std::string& chroot) const {
  return "127.0.0.1:" + std::to_string(port_) + chroot;
}

void ZooKeeperServer::start() {
  if (pid_ > 0) return;
  spawn();
  wait_until_serving(30s);
}

void ZooKeeperServer::spawn() {
  const std::string java = java_binary();
  const std::string classpath = zookeeper_classpath();
  const std::string cfg = (dir_ / "zoo.cfg").string();
  const std::string out = (dir_ / "zookeeper.log").string();
  // A small, quick JVM: C1 only, serial GC, 64 MiB heap; no JMX agent, no admin server.
  std::vector<std::string> args = {java, "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                   "-Xshare:auto", "-Djava.net.preferIPv4Stack=true", "-Dzookeeper.jmx.log4j.disable=true",
                                   "-cp", classpath, "org.apache.zookeeper.server.ZooKeeperServerMain", cfg};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const int rc = ::posix_spawnp(&pid_, java.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot run " + java + ": " + std::strerror(rc) + " (install a Java runtime)");
  }
}

void ZooKeeperServer::wait_until_serving(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    // "srvr" answers "Zookeeper version: ..." only once the server serves requests.
    if (four_letter_word(port_, "srvr").starts_with("Zookeeper version")) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("ZooKeeper exited during startup:\n" + log());
    }
    std::this_thread::sleep_for(20ms);
  }
  stop();
  throw std::runtime_error("ZooKeeper did not start serving within the timeout:\n" + log());
}

void ZooKeeperServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGCONT);  // a paused JVM cannot handle SIGTERM
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  pid_ = -1;
}

void ZooKeeperServer::pause() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void ZooKeeperServer::resume() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

std::string ZooKeeperServer::log() const {
  std::ifstream in(dir_ / "zookeeper.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace sluice::testing
