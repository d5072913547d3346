#include "tests/support/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/temp_dir.h"

extern char** environ;

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// The test's environment with `overrides` applied, as "KEY=VALUE" strings.
std::vector<std::string> environment(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> result;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    if (!overrides.contains(key)) result.push_back(entry);
  }
  for (const auto& [key, value] : overrides) result.push_back(key + "=" + value);
  return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

pid_t spawn(std::vector<std::string> argv, const std::map<std::string, std::string>& env, const char* stdin_path,
            const std::filesystem::path& out, const std::filesystem::path& err) {
  std::vector<std::string> envp = environment(env);
  std::vector<char*> argp = pointers(argv);
  std::vector<char*> envpp = pointers(envp);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdin_path, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argp[0], &actions, nullptr, argp.data(), envpp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::filesystem::path output_prefix,
                           const std::map<std::string, std::string>& env)
    : out_(output_prefix.string() + ".out"), err_(output_prefix.string() + ".err") {
  pid_ = spawn(std::move(argv), env, "/dev/null", out_, err_);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(10ms);
  }
  return exit_code_;
}

bool ChildProcess::running() { return !wait_exit(0ms).has_value(); }

void ChildProcess::signal(int sig) {
  if (!exit_code_) ::kill(pid_, sig);
}

std::string ChildProcess::stdout_text() const { return read_file(out_); }
std::string ChildProcess::stderr_text() const { return read_file(err_); }
std::string ChildProcess::output() const {
  return "--- stdout\n" + stdout_text() + "--- stderr\n" + stderr_text();
}

RunResult run_program(std::vector<std::string> argv, const std::string& input, std::chrono::milliseconds timeout,
                      const std::map<std::string, std::string>& env) {
  TempDir dir("sluice-run");
  const auto in = dir.path() / "stdin";
  std::ofstream(in, std::ios::binary) << input;
  const pid_t pid = spawn(std::move(argv), env, in.c_str(), dir.path() / "out", dir.path() / "err");
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) != pid) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_file(dir.path() / "out");
  result.err = read_file(dir.path() / "err");
  return result;
}

}  // namespace sluice::testing
