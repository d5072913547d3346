#include "tools/line_reader.h"

namespace sluice::tools {

LineReader::Status LineReader::next(std::string& line) {
  line.clear();
  bool any = false;
  for (;;) {
    const int c = std::getc(file_);
    if (c == EOF) {
      if (std::ferror(file_)) return Status::io_error;
      if (!any) return Status::end;
      ++line_number_;
      return Status::line;
    }
    any = true;
    if (c == '\n') {
      ++line_number_;
      return Status::line;
    }
    if (line.size() >= max_) {
      ++line_number_;
      return Status::too_long;
    }
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace sluice::tools
