// FileSlice: a byte range of a segment's .log file, what a read returns so the broker can send it
// with sendfile(2) without copying. The shared SegmentFile keeps the descriptor open, so a slice
// stays readable even if retention or truncation removes the segment meanwhile.
#pragma once

#include <cstdint>
#include <memory>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::storage {

// An open file descriptor, closed when the last owner lets go.
class SegmentFile {
 public:
  explicit SegmentFile(int fd) : fd_(fd) {}
  ~SegmentFile();
  SegmentFile(const SegmentFile&) = delete;
  SegmentFile& operator=(const SegmentFile&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

struct FileSlice {
  std::shared_ptr<const SegmentFile> file;  // null for an empty slice
  FilePosition position{0};
  int64_t length = 0;
  // Offset of the first record the caller asked for; the slice may start at a batch with
  // lower offsets (whole batches only), which consumers skip.
  Offset first_offset{0};
  Offset segment_base{-1};  // the base offset of the segment `file` belongs to; -1 for no file

  [[nodiscard]] bool empty() const { return length == 0; }
  // Copies the bytes (pread) for callers that cannot use sendfile: tools, tests, TLS.
  [[nodiscard]] Result<Bytes> read_all() const;
};

}  // namespace sluice::storage
