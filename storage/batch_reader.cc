#include "storage/batch_reader.h"

#include <array>
#include <vector>

#include <spdlog/spdlog.h>

#include "protocol/crc32c.h"
#include "storage/errc.h"
#include "storage/file_util.h"

namespace sluice::storage {

using protocol::kRecordBatchHeaderSize;

Result<std::optional<protocol::RecordBatchHeader>> read_batch_header(int fd, FilePosition position,
                                                                     int64_t file_size,
                                                                     const std::filesystem::path& path) {
  const int64_t remaining = file_size - position.value();
  if (remaining < static_cast<int64_t>(kRecordBatchHeaderSize)) return std::nullopt;
  std::array<std::byte, kRecordBatchHeaderSize> buf{};
  SLUICE_TRY(size_t n, pread_full(fd, buf, position.value(), path));
  if (n < buf.size()) return std::nullopt;
  auto header = protocol::RecordBatchHeader::parse(buf, static_cast<size_t>(remaining));
  if (!header) {
    spdlog::debug("storage: {} has no valid batch header at {}: {}", path.string(), position.value(),
                  header.error().message());
    return Errc::corrupt_batch;
  }
  if (static_cast<int64_t>(header.value().size_in_bytes()) > remaining) return Errc::corrupt_batch;
  return std::optional(header.value());
}

Status verify_batch_crc(int fd, FilePosition position, const protocol::RecordBatchHeader& header,
                        const std::filesystem::path& path) {
  constexpr size_t kChunk = 1 << 20;
  thread_local std::vector<std::byte> chunk;
  const int64_t end = position.value() + static_cast<int64_t>(header.size_in_bytes());
  int64_t at = position.value() + static_cast<int64_t>(protocol::kAttributesOffset);
  uint32_t crc = 0;
  while (at < end) {
    const size_t want = static_cast<size_t>(std::min<int64_t>(end - at, kChunk));
    chunk.resize(want);
    SLUICE_TRY(size_t n, pread_full(fd, chunk, at, path));
    if (n < want) return Errc::corrupt_batch;
    crc = protocol::crc32c(ByteView(chunk.data(), n), crc);
    at += static_cast<int64_t>(n);
  }
  if (crc != header.crc) return Errc::corrupt_batch;
  return ok();
}

}  // namespace sluice::storage
