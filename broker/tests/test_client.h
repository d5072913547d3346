// Test helpers over real sockets: a blocking client whose every read and write times out (so a
// broken server fails the test instead of hanging it), request encoding, and a temp dir.
#pragma once

#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "protocol/bytes.h"
#include "tests/support/net.h"
#include "tests/support/temp_dir.h"
#include "protocol/messages/request_header.h"
#include "protocol/request_frame.h"

namespace sluice::broker::testing {

inline constexpr std::chrono::seconds kIoTimeout{10};

class TestClient {
 public:
  // Connects to 127.0.0.1:port; connected() is false if that failed.
  explicit TestClient(uint16_t port, int receive_buffer_bytes = -1);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  bool send(ByteView bytes);
  // Closes our sending side (the server reads end-of-file).
  void shutdown_write();
  // The next response frame without its size prefix; nullopt on EOF, error or timeout.
  std::optional<Bytes> read_frame();
  // Reads exactly n bytes; nullopt on EOF, error or timeout.
  std::optional<Bytes> read_exact(size_t n);
  // True when the server closes the connection (EOF or reset) within the timeout; any bytes it
  // sends first are discarded.
  bool closed_by_peer();

 private:
  int fd_ = -1;
};

// A request frame (size prefix included) with the header version the API and version imply.
template <typename T>
Bytes encode_request(protocol::ApiKey key, int16_t version, int32_t correlation_id, const T& body,
                     int16_t body_version) {
  Bytes out;
  protocol::Writer w(out);
  w.write_int32(0);
  const protocol::RequestHeader header{.request_api_key = static_cast<int16_t>(key),
                                       .request_api_version = version,
                                       .correlation_id = correlation_id,
                                       .client_id = std::string("sluice-test")};
  header.encode(w, protocol::request_header_version(*protocol::find_api(key), version));
  body.encode(w, body_version);
  store_be<int32_t>(out.data(), static_cast<int32_t>(out.size() - 4));
  return out;
}

// A frame of raw bytes behind a size prefix.
Bytes frame_of(ByteView payload);

using sluice::testing::TempDir;

using sluice::testing::free_port;

}  // namespace sluice::broker::testing
