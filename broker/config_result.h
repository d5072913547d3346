// ConfigResult<T>: a value, or the one-line reason a configuration was refused. Startup prints
// the reason and exits 1, so it names the offending key ("log.segment.bytes: must be at least 14").
#pragma once

#include <string>

#include "protocol/result.h"

namespace sluice::broker {

struct ConfigError {
  std::string message;
};

template <typename T>
using ConfigResult = outcome::std_result<T, ConfigError, outcome::policy::terminate>;

inline auto config_error(std::string message) {
  return outcome::failure(ConfigError{std::move(message)});
}

}  // namespace sluice::broker
