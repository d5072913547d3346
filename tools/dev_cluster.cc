#include "tools/dev_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace sluice::tools::dev {
namespace {

// A socket closed on scope exit.
struct Socket {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ~Socket() {
    if (fd >= 0) ::close(fd);
  }
  Socket() = default;
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

bool connect_to(const Socket& s, uint16_t port) {
  const sockaddr_in addr = loopback(port);
  return s.fd >= 0 && ::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Failure write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return "cannot write " + file.string() + ": " + std::strerror(errno);
  return std::nullopt;
}

bool parse_int(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  size_t i = text[0] == '-' ? 1 : 0;
  if (i == text.size()) return false;
  int64_t v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  out = text[0] == '-' ? -v : v;
  return true;
}

// Folds one "key=value" of the state file into `s`; false for an unknown key or bad number.
bool apply_state_line(DevState& s, const std::string& key, const std::string& value) {
  if (key == "chroot") return s.chroot = value, true;
  if (key == "broker_binary") return s.broker_binary = value, true;
  if (key == "java") return s.java = value, true;
  if (key == "zookeeper_classpath") return s.zookeeper_classpath = value, true;
  int64_t n = 0;
  if (!parse_int(value, n) || n < 0 || n > 0x7fffffff) return false;
  const auto v = static_cast<int32_t>(n);
  if (key == "brokers") return s.brokers = v, true;
  if (key == "zookeepers") return s.zookeepers = v, true;
  if (key == "zookeeper_port") return s.zookeeper_port = v, true;
  if (key == "broker_port") return s.broker_port = v, true;
  if (key == "http_port") return s.http_port = v, true;
  const size_t dot = key.find('.'), last = key.rfind('.');
  int64_t id = 0;
  if (dot == std::string::npos || key.substr(last) != ".pid" || !parse_int(key.substr(dot + 1, last - dot - 1), id)) {
    return false;
  }
  const std::string kind = key.substr(0, dot);
  if (kind == "zookeeper") return s.zookeeper_pids[static_cast<int32_t>(id)] = v, true;
  if (kind == "broker") return s.broker_pids[static_cast<int32_t>(id)] = v, true;
  return false;
}

}  // namespace

std::filesystem::path DevState::zookeeper_dir(int32_t node) const { return dir / ("zookeeper" + std::to_string(node)); }
std::filesystem::path DevState::broker_dir(int32_t id) const { return dir / ("broker" + std::to_string(id)); }
uint16_t DevState::zookeeper_client_port(int32_t node) const {
  return static_cast<uint16_t>(zookeeper_port + node - 1);
}
uint16_t DevState::broker_port_of(int32_t id) const { return static_cast<uint16_t>(broker_port + id); }
uint16_t DevState::http_port_of(int32_t id) const { return static_cast<uint16_t>(http_port + id); }

std::vector<std::pair<uint16_t, std::string>> DevState::ports() const {
  std::vector<std::pair<uint16_t, std::string>> out;
  for (int32_t n = 1; n <= zookeepers; ++n) {
    const std::string name = "ZooKeeper " + std::to_string(n);
    out.emplace_back(zookeeper_client_port(n), name);
    if (zookeepers > 1) {
      out.emplace_back(static_cast<uint16_t>(zookeeper_port + zookeepers + n - 1), name + " quorum");
      out.emplace_back(static_cast<uint16_t>(zookeeper_port + 2 * zookeepers + n - 1), name + " election");
    }
  }
  for (int32_t id = 0; id < brokers; ++id) out.emplace_back(broker_port_of(id), "broker " + std::to_string(id));
  for (int32_t id = 0; id < brokers; ++id) out.emplace_back(http_port_of(id), "broker " + std::to_string(id) + " http");
  return out;
}

std::string DevState::zookeeper_connect() const {
  std::string out;
  for (int32_t n = 1; n <= zookeepers; ++n) {
    if (!out.empty()) out += ',';
    out += "127.0.0.1:";
    out += std::to_string(zookeeper_client_port(n));
  }
  return out + chroot;
}

std::string DevState::bootstrap() const {
  std::string out;
  for (int32_t id = 0; id < brokers; ++id) {
    if (!out.empty()) out += ',';
    out += "127.0.0.1:";
    out += std::to_string(broker_port_of(id));
  }
  return out;
}

bool DevState::zookeeper_running(int32_t node) const {
  auto it = zookeeper_pids.find(node);
  return it != zookeeper_pids.end() && process_running(it->second, zookeeper_config(node).string());
}

bool DevState::broker_running(int32_t id) const {
  auto it = broker_pids.find(id);
  return it != broker_pids.end() && process_running(it->second, broker_config(id).string());
}

std::optional<DevState> load_state(const std::filesystem::path& dir, std::string& error) {
  DevState s;
  s.dir = dir;
  std::error_code ec;
  if (!std::filesystem::exists(s.state_file(), ec)) {
    error = "no dev cluster in " + dir.string() + " (start one with 'sluice dev up')";
    return std::nullopt;
  }
  std::istringstream lines(read_file(s.state_file()));
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos || !apply_state_line(s, line.substr(0, eq), line.substr(eq + 1))) {
      error = s.state_file().string() + ": bad line '" + line + "'";
      return std::nullopt;
    }
  }
  if (s.brokers < 1 || (s.zookeepers != 1 && s.zookeepers != 3) || s.broker_binary.empty()) {
    error = s.state_file().string() + ": incomplete cluster state";
    return std::nullopt;
  }
  return s;
}

Failure save_state(const DevState& s) {
  std::ostringstream out;
  out << "# sluice dev cluster state: written by 'sluice dev', read by each of its subcommands\n"
      << "brokers=" << s.brokers << "\nzookeepers=" << s.zookeepers << "\nzookeeper_port=" << s.zookeeper_port
      << "\nbroker_port=" << s.broker_port << "\nhttp_port=" << s.http_port << "\nchroot=" << s.chroot << "\nbroker_binary=" << s.broker_binary
      << "\njava=" << s.java << "\nzookeeper_classpath=" << s.zookeeper_classpath << "\n";
  for (const auto& [node, pid] : s.zookeeper_pids) out << "zookeeper." << node << ".pid=" << pid << "\n";
  for (const auto& [id, pid] : s.broker_pids) out << "broker." << id << ".pid=" << pid << "\n";
  const std::filesystem::path tmp = s.state_file().string() + ".tmp";
  if (auto failed = write_file(tmp, out.str())) return failed;
  std::error_code ec;
  std::filesystem::rename(tmp, s.state_file(), ec);
  if (ec) return "cannot write " + s.state_file().string() + ": " + ec.message();
  return std::nullopt;
}

Failure write_zookeeper_config(const DevState& s, int32_t node) {
  const std::filesystem::path data = s.zookeeper_dir(node) / "data";
  std::error_code ec;
  std::filesystem::create_directories(data, ec);
  if (ec) return "cannot create " + data.string() + ": " + ec.message();
  // Short ticks so a killed broker's session (6 s, see write_broker_config) ends quickly.
  std::ostringstream cfg;
  cfg << "tickTime=1000\ninitLimit=10\nsyncLimit=5\n"
      << "dataDir=" << data.string() << "\nclientPort=" << s.zookeeper_client_port(node)
      << "\nclientPortAddress=127.0.0.1\nadmin.enableServer=false\n4lw.commands.whitelist=ruok,srvr,stat\n";
  for (int32_t n = 1; s.zookeepers > 1 && n <= s.zookeepers; ++n) {
    cfg << "server." << n << "=127.0.0.1:" << s.zookeeper_port + s.zookeepers + n - 1 << ":"
        << s.zookeeper_port + 2 * s.zookeepers + n - 1 << "\n";
  }
  if (auto failed = write_file(s.zookeeper_config(node), cfg.str())) return failed;
  return write_file(data / "myid", std::to_string(node) + "\n");
}

Failure write_broker_config(const DevState& s, int32_t id) {
  std::error_code ec;
  std::filesystem::create_directories(s.broker_dir(id) / "logs", ec);
  if (ec) return "cannot create " + s.broker_dir(id).string() + ": " + ec.message();
  const int32_t rf = std::min(s.brokers, 3);
  std::ostringstream p;
  p << "# written by 'sluice dev up'; rewritten on each start\n"
    << "broker.id=" << id << "\nlisteners=PLAINTEXT://127.0.0.1:" << s.broker_port_of(id)
    << "\nadvertised.listeners=PLAINTEXT://127.0.0.1:" << s.broker_port_of(id)
    << "\nhttp.listener=127.0.0.1:" << s.http_port_of(id)
    << "\nlog.dirs=" << (s.broker_dir(id) / "logs").string() << "\nzookeeper.connect=" << s.zookeeper_connect()
    << "\n# A killed broker leaves the cluster once its session expires: 6 s instead of 18 s.\n"
    << "zookeeper.session.timeout.ms=6000\nnum.partitions=3\ndefault.replication.factor=" << rf
    << "\n# The last broker of a stopping cluster has no one to hand its leaders to: retry briefly.\n"
    << "controlled.shutdown.retry.backoff.ms=1000\n";
  return write_file(s.broker_config(id), p.str());
}

std::optional<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& log,
                                    std::string& error) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  // No inherited descriptor (a caller's pipe) may outlive us in a long-running server.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    error = "cannot run " + argv[0] + ": " + std::strerror(rc);
    return std::nullopt;
  }
  return pid;
}

bool process_running(pid_t pid, const std::string& marker) {
  if (pid <= 0) return false;
  int status = 0;
  ::waitpid(pid, &status, WNOHANG);  // reaps it if it is our child and has exited
  const std::string proc = "/proc/" + std::to_string(pid);
  // A process in the middle of exec shows an empty command line for a moment: look again.
  for (int attempt = 0; attempt < 50; ++attempt) {
    const std::string stat = read_file(proc + "/stat");
    const size_t paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] == 'Z') return false;
    std::string cmdline = read_file(proc + "/cmdline");
    if (cmdline.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    for (char& c : cmdline) c = c == '\0' ? ' ' : c;
    return cmdline.find(marker) != std::string::npos;
  }
  return false;
}

bool wait_gone(pid_t pid, const std::string& marker, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (process_running(pid, marker)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

bool port_free(uint16_t port) {
  Socket s;
  const int one = 1;
  ::setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));  // as the servers do: TIME_WAIT is no obstacle
  const sockaddr_in addr = loopback(port);
  return s.fd >= 0 && ::bind(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
}

bool port_accepts(uint16_t port) {
  Socket s;
  return connect_to(s, port);
}

std::string four_letter_word(uint16_t port, const std::string& command) {
  Socket s;
  timeval two_seconds{};
  two_seconds.tv_sec = 2;
  ::setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &two_seconds, sizeof(two_seconds));
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &two_seconds, sizeof(two_seconds));
  if (!connect_to(s, port) || ::send(s.fd, command.data(), command.size(), MSG_NOSIGNAL) < 0) return "";
  std::string answer;
  char buf[1024];
  for (ssize_t n; (n = ::recv(s.fd, buf, sizeof(buf), 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  return answer;
}

std::string find_executable(const std::string& path) {
  if (path.empty()) return "";
  if (path.find('/') != std::string::npos) return ::access(path.c_str(), X_OK) == 0 ? path : "";
  const char* env = std::getenv("PATH");
  std::istringstream dirs(env != nullptr ? env : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + path;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string log_tail(const std::filesystem::path& file, size_t lines) {
  std::istringstream in(read_file(file));
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& line : last) out += "  | " + line + "\n";
  return out;
}

}  // namespace sluice::tools::dev
