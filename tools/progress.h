// ProgressLine: one self-overwriting status line on stderr for long-running CLI work (log dump and
// verify of big logs, perf produce/consume, topic reassign --wait). It draws only when stderr is a
// terminal, at most every 200 ms, and erases itself on finish() or destruction, so pipes, files
// and tests see exactly the output they would without it.
// Owner: the command's main thread; not thread-safe.
#pragma once

#include <chrono>
#include <string>

namespace sluice::tools {

class ProgressLine {
 public:
  // Enabled iff stderr is a TTY. `stdout_streams`: the command prints a stream of lines on stdout,
  // so draw only when stdout is not the same terminal (e.g. `sluice log dump X > out.txt`).
  explicit ProgressLine(bool stdout_streams = false);
  ~ProgressLine() { finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  [[nodiscard]] bool enabled() const { return enabled_; }
  // Shows `text` (cut to 200 characters) unless the line was drawn less than 200 ms ago.
  void update(const std::string& text);
  // Erases the line (call before printing a line of output); later update() calls draw it again.
  void finish();

 private:
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// "37% 1.2 MiB of 3.3 MiB" style helper: `done` of `total` bytes.
std::string byte_progress(const std::string& what, int64_t done, int64_t total);

}  // namespace sluice::tools
