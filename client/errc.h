// client::Errc: expected failures of the client that are not a broker's answer (a lost
// connection, a timeout, a broker too old for a request). A broker's per-partition or per-topic
// ErrorCode travels as broker_error(code), in the "sluice.kafka" category, so a caller can tell
// the two apart and ask whether to retry.
#pragma once

#include <optional>
#include <system_error>

#include "protocol/error_code.h"

namespace sluice::client {

enum class Errc {
  connection_failed = 1,   // resolving or connecting to the broker failed
  connection_closed,       // the connection broke (or was closed) with the request in flight
  timed_out,               // no response within the request timeout
  frame_too_large,         // a response frame larger than the configured limit
  malformed_response,      // a response that does not parse, or a correlation id out of order
  no_common_version,       // the broker supports no version of the API that we support
  invalid_config,          // a bad bootstrap list or configuration value
  no_leader,               // the partition has no known leader after retries
  delivery_timeout,        // a record was not acknowledged within delivery.timeout.ms
  shut_down,               // the producer, consumer or client was closed
};

const std::error_category& client_category();
inline std::error_code make_error_code(Errc e) { return {static_cast<int>(e), client_category()}; }

// A broker's ErrorCode as a std::error_code (category "sluice.kafka", value = the wire number).
std::error_code broker_error(protocol::ErrorCode code);
// The broker ErrorCode inside `ec`, if it holds one.
std::optional<protocol::ErrorCode> as_broker_error(std::error_code ec);
// Whether retrying may help: a retriable broker error (Kafka's RetriableException list), or a
// lost connection / timeout / missing leader.
bool is_retriable(std::error_code ec);

}  // namespace sluice::client

template <>
struct std::is_error_code_enum<sluice::client::Errc> : std::true_type {};
