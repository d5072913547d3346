// LineReader: the lines of a stream (stdin or a --file), one at a time, so input of any size
// is streamed rather than read whole. A line longer than the limit is an error, not an
// allocation: the input decides the count of lines, never the size of one.
// A final line without '\n' is still a line; "\r\n" is kept as data (bytes are not text here).
// Owner: one thread.
#pragma once

#include <cstdio>
#include <string>

namespace sluice::tools {

class LineReader {
 public:
  enum class Status { line, end, too_long, io_error };

  // Does not take ownership of `file`.
  LineReader(std::FILE* file, size_t max_line_bytes) : file_(file), max_(max_line_bytes) {}

  // Reads the next line into `line` (without its '\n').
  Status next(std::string& line);
  // 1-based number of the last line read.
  [[nodiscard]] size_t line_number() const { return line_number_; }

 private:
  std::FILE* file_;
  size_t max_;
  size_t line_number_ = 0;
};

}  // namespace sluice::tools
