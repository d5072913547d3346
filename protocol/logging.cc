#include "protocol/logging.h"

#include <spdlog/spdlog.h>

namespace sluice {

Status init_logging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  // from_str answers "off" for anything it does not know; only "off" itself may mean off.
  if (parsed == spdlog::level::off && level != "off") {
    return std::make_error_code(std::errc::invalid_argument);
  }
  spdlog::set_level(parsed);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%^%l%$] [%n] %v");
  // Every line reaches the file at once: a broker killed with SIGKILL, or crashing, keeps the
  // lines that tell why. Broker logging is a few lines a second, so the cost does not show.
  spdlog::flush_on(spdlog::level::trace);
  return ok();
}

}  // namespace sluice
