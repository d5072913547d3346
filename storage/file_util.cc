#include "storage/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "storage/errc.h"

namespace sluice::storage {

std::error_code io_failure(std::string_view op, const std::filesystem::path& path, int err) {
  spdlog::error("storage: {} {}: {}", op, path.string(), std::strerror(err));
  return Errc::io_error;
}

std::string segment_file_name(Offset base_offset, std::string_view suffix) {
  char digits[32];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(base_offset.value()));
  return std::string(digits) + std::string(suffix);
}

std::filesystem::path segment_file_path(const std::filesystem::path& dir, Offset base_offset,
                                        std::string_view suffix) {
  return dir / segment_file_name(base_offset, suffix);
}

Result<int> open_file(const std::filesystem::path& path, int flags, int mode) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0) return io_failure("open", path, errno);
  return fd;
}

Result<size_t> pread_full(int fd, MutableByteView out, int64_t position,
                          const std::filesystem::path& path_for_errors) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(position) +
                                                                       static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_failure("read", path_for_errors, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

Status pwrite_full(int fd, ByteView data, int64_t position, const std::filesystem::path& path_for_errors) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(position) + static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_failure("write", path_for_errors, errno);
    }
    done += static_cast<size_t>(n);
  }
  return ok();
}

Status fsync_dir(const std::filesystem::path& dir) {
  SLUICE_TRY(int fd, open_file(dir, O_RDONLY | O_DIRECTORY));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return io_failure("fsync", dir, err);
  return ok();
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  auto tmp = path;
  tmp += ".tmp";
  SLUICE_TRY(int fd, open_file(tmp, O_WRONLY | O_CREAT | O_TRUNC));
  auto written = pwrite_full(fd, as_bytes(content), 0, tmp);
  if (written && ::fsync(fd) != 0) written = io_failure("fsync", tmp, errno);
  ::close(fd);
  if (!written) return written;
  SLUICE_TRY(rename_file(tmp, path, false));
  return fsync_dir(path.parent_path());
}

Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to, bool missing_ok) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (missing_ok && errno == ENOENT) return ok();
    return io_failure("rename to " + to.string(), from, errno);
  }
  return ok();
}

Status remove_file(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_failure("unlink", path, errno);
  return ok();
}

}  // namespace sluice::storage
