// protocol::Errc: why bytes from outside could not be decoded or encoded. Expected failures,
// returned as std::error_code in Result<T>; the broker maps them to Kafka ErrorCodes.
#pragma once

#include <system_error>

namespace sluice::protocol {

enum class Errc {
  truncated = 1,             // input ended inside a field or a declared length
  malformed,                 // a length, count or varint that can't be right
  unsupported_magic,         // a magic 0/1 message set, or an unknown magic: v2 batches only
  crc_mismatch,              // the batch's CRC-32C does not match its bytes
  invalid_record,            // a batch whose header and records disagree
  unsupported_compression,   // compression attribute 5..7
  decompression_failed,      // a codec rejected the compressed bytes
  too_large,                 // a declared or decompressed size is over the allowed limit
  unknown_api_key,           // a request header names an API this broker does not know
  unsupported_version,       // a request version outside the API's supported range
};

const std::error_category& protocol_category();
inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), protocol_category()}; }

}  // namespace sluice::protocol

template <>
struct std::is_error_code_enum<sluice::protocol::Errc> : std::true_type {};
