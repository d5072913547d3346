#include "coordination/zk_log.h"

#include <zookeeper/zookeeper.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>
#include <string_view>

namespace sluice::coordination {
namespace {

// A C client line looks like "<date>:<pid>(0x<tid>):ZOO_WARN@<function>@<line>: <text>". We keep
// the level and "<function>@<line>: <text>"; our own pattern adds the time and thread.
void log_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty()) return;
  spdlog::level::level_enum level = spdlog::level::info;
  const size_t tag = line.find(":ZOO_");
  if (tag != std::string_view::npos) {
    const std::string_view rest = line.substr(tag + 5);
    if (rest.starts_with("ERROR")) level = spdlog::level::err;
    else if (rest.starts_with("WARN")) level = spdlog::level::warn;
    else if (rest.starts_with("INFO")) level = spdlog::level::debug;  // connection chatter
    else level = spdlog::level::trace;
    const size_t at = rest.find('@');
    if (at != std::string_view::npos) line = rest.substr(at + 1);
  }
  spdlog::log(level, "zookeeper: {}", line);
}

// The stream for messages the C client logs without a handle: a FILE whose writes go to spdlog.
ssize_t write_to_spdlog(void* /*cookie*/, const char* buffer, size_t size) {
  log_line(std::string_view(buffer, size));
  return static_cast<ssize_t>(size);
}

FILE* open_spdlog_stream() {
  cookie_io_functions_t functions{};
  functions.write = &write_to_spdlog;
  FILE* stream = fopencookie(nullptr, "w", functions);
  if (stream != nullptr) setvbuf(stream, nullptr, _IOLBF, 0);
  return stream;
}

}  // namespace

void install_zookeeper_logging() {
  static std::once_flag once;
  std::call_once(once, [] {
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    // Never closed: the C client may log through it until the process exits.
    if (FILE* stream = open_spdlog_stream(); stream != nullptr) {
      zoo_set_log_stream(stream);
    } else {
      zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);  // stays on stderr, errors only
    }
  });
}

void log_zookeeper_message(const char* message) {
  if (message != nullptr) log_line(message);
}

}  // namespace sluice::coordination
