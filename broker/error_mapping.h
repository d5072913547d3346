// The broker edge of STYLE.md §3: expected failures of the layers below, as the per-partition
// Kafka ErrorCode a response carries.
#pragma once

#include <system_error>

#include "protocol/errc.h"
#include "protocol/error_code.h"
#include "storage/errc.h"

namespace sluice::broker {

// One switch, no default: a new storage::Errc fails the build until it is mapped here.
protocol::ErrorCode to_error_code(storage::Errc e);
// What a producer's batch that failed decoding answers (record-batch.md §7).
protocol::ErrorCode to_error_code(protocol::Errc e);
// Either category; anything else (an OS error from a lower layer) is KAFKA_STORAGE_ERROR.
protocol::ErrorCode to_error_code(const std::error_code& ec);

}  // namespace sluice::broker
