#include "storage/file_slice.h"

#include <unistd.h>

#include "storage/file_util.h"

namespace sluice::storage {

SegmentFile::~SegmentFile() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Bytes> FileSlice::read_all() const {
  Bytes out(static_cast<size_t>(length));
  if (length == 0) return out;
  // A concurrent truncation may have shortened the file: return what is still there, which at
  // worst ends in a partial batch (as Kafka fetches may).
  SLUICE_TRY(size_t n, pread_full(file->fd(), out, position.value(), "<fd " + std::to_string(file->fd()) + ">"));
  out.resize(n);
  return out;
}

}  // namespace sluice::storage
