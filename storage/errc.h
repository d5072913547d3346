// storage::Errc: expected failures of the storage layer, returned as std::error_code in
// Result<T>. The broker maps each to a Kafka ErrorCode in one switch.
#pragma once

#include <system_error>

namespace sluice::storage {

enum class Errc {
  offset_out_of_range = 1,  // read/truncate/delete-records outside [log start, log end]
  io_error,                 // the OS failed a file operation (errno is logged where it happens)
  corrupt_batch,            // a batch failed validation (CRC, framing) on append
  batch_too_large,          // a batch over max.message.bytes
  record_list_too_large,    // an append larger than a whole segment (segment.bytes)
  invalid_offset,           // follower append whose offsets are not monotonic and >= log end
  invalid_config,           // a topic/log setting with a bad name or value
  log_dir_locked,           // another process holds the log dir's .lock
  log_dir_offline,          // the log dir failed earlier and serves nothing more
  log_exists,               // create() of a partition that is already there
  log_not_found,            // a partition this log manager does not hold
  corrupt_checkpoint,       // a checkpoint file that does not parse
  invalid_record,           // a producer's batch whose record count disagrees with its last offset delta
};

const std::error_category& storage_category();
inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), storage_category()}; }

}  // namespace sluice::storage

template <>
struct std::is_error_code_enum<sluice::storage::Errc> : std::true_type {};
