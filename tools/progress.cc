#include "tools/progress.h"

#include <unistd.h>

#include <cstdio>

namespace sluice::tools {

ProgressLine::ProgressLine(bool stdout_streams)
    : enabled_(::isatty(STDERR_FILENO) == 1 && !(stdout_streams && ::isatty(STDOUT_FILENO) == 1)) {}

void ProgressLine::update(const std::string& text) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (shown_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  shown_ = true;
  // \r to the line start, the text, then erase whatever a longer previous text left.
  std::fprintf(stderr, "\r%.200s\033[K", text.c_str());
  std::fflush(stderr);
}

void ProgressLine::finish() {
  if (!enabled_ || !shown_) return;
  shown_ = false;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

std::string byte_progress(const std::string& what, int64_t done, int64_t total) {
  const double mib = 1024.0 * 1024.0;
  const int percent = total > 0 ? static_cast<int>(done * 100 / total) : 100;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s: %d%% (%.1f of %.1f MiB)", what.c_str(), percent, static_cast<double>(done) / mib,
                static_cast<double>(total) / mib);
  return buf;
}

}  // namespace sluice::tools
