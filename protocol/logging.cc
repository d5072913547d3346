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
  return ok();
}

}  // namespace sluice
