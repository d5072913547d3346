// A minimal HTTP/1.1 client for tests of the broker's HTTP server (/metrics, /health, console).
#pragma once

#include <cstdint>
#include <string>

namespace sluice::testing {

// Sends `request` (raw bytes) to 127.0.0.1:`port`, shuts the write side, and reads until the
// server closes; 10 s socket timeouts bound every step. Empty when nothing could be read.
std::string http_exchange(uint16_t port, const std::string& request);

struct HttpReply {
  int status = 0;            // 0: no parsable HTTP/1.1 answer
  std::string headers;       // the status line and headers as sent, without the blank line
  std::string content_type;  // the Content-Type header's value
  std::string body;
};

HttpReply parse_http_reply(const std::string& raw);

// GET `path` with Connection: close.
HttpReply http_get(uint16_t port, const std::string& path);

}  // namespace sluice::testing
