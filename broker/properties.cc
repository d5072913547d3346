#include "broker/properties.h"

#include <fstream>
#include <sstream>
#include <vector>

namespace sluice::broker {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

size_t skip_blanks(std::string_view s, size_t i) {
  while (i < s.size() && is_blank(s[i])) ++i;
  return i;
}

// A line whose last run of backslashes is odd long continues on the next line.
bool continues(std::string_view line) {
  size_t backslashes = 0;
  for (size_t i = line.size(); i > 0 && line[i - 1] == '\\'; --i) ++backslashes;
  return backslashes % 2 == 1;
}

// Splits the text into logical lines: continuations joined, comment and blank lines dropped.
std::vector<std::string> logical_lines(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  bool joining = false;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string_view view = line;
    view.remove_prefix(skip_blanks(view, 0));
    if (!joining && (view.empty() || view.front() == '#' || view.front() == '!')) continue;
    joining = continues(view);
    if (joining) view.remove_suffix(1);
    current.append(view);
    if (!joining) out.push_back(std::exchange(current, {}));
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

ConfigResult<char32_t> read_unicode(std::string_view s, size_t& i) {
  if (i + 4 > s.size()) return config_error("malformed \\uxxxx escape in '" + std::string(s) + "'");
  char32_t code = 0;
  for (size_t k = 0; k < 4; ++k) {
    const char c = s[i + k];
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return config_error("malformed \\uxxxx escape in '" + std::string(s) + "'");
    code = code * 16 + static_cast<char32_t>(digit);
  }
  i += 4;
  return code;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Reads one escape sequence after the backslash at s[i - 1], appending what it stands for.
ConfigResult<void> read_escape(std::string_view s, size_t& i, std::string& out) {
  if (i >= s.size()) return outcome::success();  // a trailing lone backslash stands for nothing
  const char c = s[i++];
  switch (c) {
    case 't': out += '\t'; break;
    case 'n': out += '\n'; break;
    case 'r': out += '\r'; break;
    case 'f': out += '\f'; break;
    case 'u': {
      BOOST_OUTCOME_TRY(auto code, read_unicode(s, i));
      append_utf8(out, code);
      break;
    }
    default: out += c; break;
  }
  return outcome::success();
}

// Unescapes s[i..) up to the end, or (for a key) up to an unescaped separator.
ConfigResult<std::string> read_token(std::string_view s, size_t& i, bool is_key) {
  std::string out;
  while (i < s.size()) {
    const char c = s[i];
    if (is_key && (c == '=' || c == ':' || is_blank(c))) break;
    ++i;
    if (c != '\\') {
      out += c;
      continue;
    }
    BOOST_OUTCOME_TRY(read_escape(s, i, out));
  }
  return out;
}

}  // namespace

ConfigResult<Properties> parse_properties(std::string_view text) {
  Properties props;
  for (const std::string& line : logical_lines(text)) {
    size_t i = 0;
    BOOST_OUTCOME_TRY(auto key, read_token(line, i, true));
    i = skip_blanks(line, i);
    if (i < line.size() && (line[i] == '=' || line[i] == ':')) i = skip_blanks(line, i + 1);
    BOOST_OUTCOME_TRY(auto value, read_token(line, i, false));
    props[std::move(key)] = std::move(value);
  }
  return props;
}

ConfigResult<Properties> load_properties(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return config_error("cannot read config file " + file.string());
  std::stringstream content;
  content << in.rdbuf();
  return parse_properties(content.str());
}

}  // namespace sluice::broker
