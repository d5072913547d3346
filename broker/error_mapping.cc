#include "broker/error_mapping.h"

namespace sluice::broker {

using protocol::ErrorCode;

ErrorCode to_error_code(storage::Errc e) {
  switch (e) {  // no default: -Werror=switch flags each new Errc
    case storage::Errc::offset_out_of_range: return ErrorCode::offset_out_of_range;
    case storage::Errc::io_error: return ErrorCode::kafka_storage_error;
    case storage::Errc::corrupt_batch: return ErrorCode::corrupt_message;
    case storage::Errc::batch_too_large: return ErrorCode::message_too_large;
    case storage::Errc::record_list_too_large: return ErrorCode::record_list_too_large;
    case storage::Errc::invalid_offset: return ErrorCode::invalid_record;
    case storage::Errc::invalid_record: return ErrorCode::invalid_record;
    case storage::Errc::invalid_config: return ErrorCode::invalid_config;
    case storage::Errc::log_dir_locked: return ErrorCode::kafka_storage_error;
    case storage::Errc::log_dir_offline: return ErrorCode::kafka_storage_error;
    case storage::Errc::log_exists: return ErrorCode::topic_already_exists;
    case storage::Errc::log_not_found: return ErrorCode::unknown_topic_or_partition;
    case storage::Errc::corrupt_checkpoint: return ErrorCode::kafka_storage_error;
  }
  return ErrorCode::unknown_server_error;
}

ErrorCode to_error_code(protocol::Errc e) {
  switch (e) {  // no default, as above
    case protocol::Errc::truncated: return ErrorCode::corrupt_message;
    case protocol::Errc::malformed: return ErrorCode::corrupt_message;
    case protocol::Errc::unsupported_magic: return ErrorCode::invalid_record;
    case protocol::Errc::crc_mismatch: return ErrorCode::corrupt_message;
    case protocol::Errc::invalid_record: return ErrorCode::invalid_record;
    case protocol::Errc::unsupported_compression: return ErrorCode::unsupported_compression_type;
    case protocol::Errc::decompression_failed: return ErrorCode::corrupt_message;
    case protocol::Errc::too_large: return ErrorCode::message_too_large;
    case protocol::Errc::unknown_api_key: return ErrorCode::invalid_request;
    case protocol::Errc::unsupported_version: return ErrorCode::unsupported_version;
  }
  return ErrorCode::unknown_server_error;
}

ErrorCode to_error_code(const std::error_code& ec) {
  if (ec.category() == storage::storage_category()) return to_error_code(static_cast<storage::Errc>(ec.value()));
  if (ec.category() == protocol::protocol_category()) return to_error_code(static_cast<protocol::Errc>(ec.value()));
  return ErrorCode::kafka_storage_error;
}

}  // namespace sluice::broker
