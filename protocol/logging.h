// The one place that configures spdlog for every Sluice program.
#pragma once

#include <string_view>

#include "protocol/result.h"

namespace sluice {

// Sets the default logger's level ("trace", "debug", "info", "warn", "error", "critical", "off")
// and pattern. Unknown level names are an error, so a typo in a config file is not silent.
Status init_logging(std::string_view level);

}  // namespace sluice
