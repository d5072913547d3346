// ChildProcess: a program run by a test, its stdout and stderr captured in files, killed
// (SIGKILL) by the destructor if still running. Every wait is bounded.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {

class ChildProcess {
 public:
  // Runs argv[0] (a path, or a name looked up on PATH) with `args`; output goes to
  // <output_prefix>.out and <output_prefix>.err. `env` entries are added to (or replace in) the
  // test's environment. Throws std::runtime_error if the program cannot be started.
  ChildProcess(std::vector<std::string> argv, std::filesystem::path output_prefix,
               const std::map<std::string, std::string>& env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The exit status (128 + signal for a signal), or nullopt if still running after `timeout`.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();
  void signal(int sig);
  [[nodiscard]] pid_t pid() const { return pid_; }
  [[nodiscard]] std::string stdout_text() const;
  [[nodiscard]] std::string stderr_text() const;
  // Both outputs, labelled: for failure messages.
  [[nodiscard]] std::string output() const;

 private:
  std::filesystem::path out_, err_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a program to completion (bounded by `timeout`, then SIGKILL) and returns its exit status
// and output. `input` is written to its stdin.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult run_program(std::vector<std::string> argv, const std::string& input = "",
                      std::chrono::milliseconds timeout = std::chrono::seconds(60),
                      const std::map<std::string, std::string>& env = {});

}  // namespace sluice::testing
