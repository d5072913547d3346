// Reading v2 batch headers and checking batch CRCs straight from a .log file by position.
#pragma once

#include <filesystem>
#include <optional>

#include "protocol/record_batch_header.h"
#include "protocol/result.h"
#include "protocol/types.h"

namespace sluice::storage {

// The header of the batch at `position` of a file of `file_size` bytes. nullopt when fewer than
// a header's bytes remain (the end, or a torn tail). Errc::corrupt_batch when the header does not
// parse or the batch it declares runs past the end of the file.
Result<std::optional<protocol::RecordBatchHeader>> read_batch_header(int fd, FilePosition position,
                                                                     int64_t file_size,
                                                                     const std::filesystem::path& path);

// Checks the CRC-32C of the batch at `position` described by `header`, reading it in bounded
// chunks so a huge declared length costs no huge buffer. Errc::corrupt_batch on mismatch.
Status verify_batch_crc(int fd, FilePosition position, const protocol::RecordBatchHeader& header,
                        const std::filesystem::path& path);

}  // namespace sluice::storage
