// Sends a ResponseBuffer on a TCP socket: byte parts with one gathered async_write each run,
// file slices with sendfile(2), which moves data from the page cache to the socket without a
// copy through user space (Kafka's FileRecords.writeTo / transferTo).
// sendfile on a non-blocking socket sends what fits in the socket buffer and fails with EAGAIN
// when it is full; the writer then waits for writability and resumes from the returned offset.
// A slice whose file was truncated underneath it (sendfile returns 0 early) fails with
// std::errc::io_error: the frame size is already on the wire, so the connection must close.
// Reads of cold pages block inside sendfile, as in Kafka's network threads.
#pragma once

#include <system_error>

#include "broker/asio_net.h"
#include "broker/response.h"

namespace sluice::broker {

// REQUIRES: `socket` is in non-blocking mode (native_non_blocking) and outlives the call (the
// awaiting connection owns it); no other write is in progress on it.
asio::awaitable<std::error_code> write_response(tcp::socket& socket, ResponseBuffer buffer);

}  // namespace sluice::broker
