// Java .properties parsing (java.util.Properties#load), the format of Kafka's server.properties:
// `#` or `!` opens a comment line; a key ends at the first unescaped `=`, `:` or whitespace, and
// one `=`/`:` with the whitespace around it separates it from the value; a line ending in an odd
// number of backslashes continues on the next, whose leading whitespace is dropped; escapes are
// \t \n \r \f \uXXXX, and a backslash before any other character stands for that character.
// A key given twice keeps its last value, as Properties does.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "broker/config_result.h"

namespace sluice::broker {

using Properties = std::map<std::string, std::string>;

// Fails only on a malformed \u escape (Properties throws IllegalArgumentException there).
ConfigResult<Properties> parse_properties(std::string_view text);
ConfigResult<Properties> load_properties(const std::filesystem::path& file);

}  // namespace sluice::broker
