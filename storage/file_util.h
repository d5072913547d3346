// Small POSIX file helpers shared by the storage classes: each logs the path and errno cause of a
// failure and returns Errc::io_error, so callers only propagate.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "protocol/bytes.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::storage {

// Logs "<op> <path>: <strerror(err)>" at error level and returns Errc::io_error.
std::error_code io_failure(std::string_view op, const std::filesystem::path& path, int err);

// "<20-digit zero-padded base offset><suffix>", Kafka's segment file names.
std::string segment_file_name(Offset base_offset, std::string_view suffix);
std::filesystem::path segment_file_path(const std::filesystem::path& dir, Offset base_offset,
                                        std::string_view suffix);

Result<int> open_file(const std::filesystem::path& path, int flags, int mode = 0644);
// Reads up to out.size() bytes at `position`; fewer only at end of file.
Result<size_t> pread_full(int fd, MutableByteView out, int64_t position,
                          const std::filesystem::path& path_for_errors);
// Writes all of `data` at `position` (one pwrite unless the kernel returns short).
Status pwrite_full(int fd, ByteView data, int64_t position, const std::filesystem::path& path_for_errors);
Status fsync_dir(const std::filesystem::path& dir);
// Replaces `path` with `content`: writes <path>.tmp, fsyncs it, renames it over `path`, fsyncs the
// directory. A crash leaves either the old or the new file, never a mix.
Status write_file_atomically(const std::filesystem::path& path, std::string_view content);
// Renames `from` to `to`; a missing `from` is not an error when `missing_ok`.
Status rename_file(const std::filesystem::path& from, const std::filesystem::path& to, bool missing_ok);
// Removes a file; a missing file is not an error.
Status remove_file(const std::filesystem::path& path);

}  // namespace sluice::storage
