// ResponseBuffer: one response frame as the connection's writer sends it: owned bytes (size
// prefix, header, encoded fields) interleaved with file slices of segment .log files, which the
// writer hands to sendfile(2) so record data goes from the page cache to the socket uncopied.
// Response: what a handler returns: a frame to send, nothing (acks=0 Produce), or "close the
// connection" (Kafka's answer to requests it cannot serve).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "protocol/bytes.h"
#include "storage/file_slice.h"

namespace sluice::broker {

class ResponseBuffer {
 public:
  using Part = std::variant<Bytes, storage::FileSlice>;

  ResponseBuffer() = default;
  explicit ResponseBuffer(Bytes frame) { append(std::move(frame)); }

  // Empty parts are dropped; adjacent byte parts are merged.
  void append(Bytes bytes);
  void append(storage::FileSlice slice);
  // Writes the frame size (everything after the 4-byte prefix) into the prefix.
  // REQUIRES: the first part is bytes that begin with a 4-byte placeholder.
  void finish_frame();

  [[nodiscard]] const std::vector<Part>& parts() const { return parts_; }
  // Total bytes on the wire.
  [[nodiscard]] size_t size() const;

 private:
  std::vector<Part> parts_;
};

class Response {
 public:
  enum class Kind { send, none, close };

  // What asio hands a co_spawn completion when the handler threw: close, never stay silent.
  Response() : Response(Kind::close, {}, "no response") {}
  static Response send(ResponseBuffer buffer) { return Response(Kind::send, std::move(buffer), {}); }
  static Response send(Bytes frame) { return send(ResponseBuffer(std::move(frame))); }
  static Response none() { return Response(Kind::none, {}, {}); }
  static Response close(std::string reason) { return Response(Kind::close, {}, std::move(reason)); }

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] const ResponseBuffer& buffer() const { return buffer_; }
  [[nodiscard]] ResponseBuffer take_buffer() { return std::move(buffer_); }
  [[nodiscard]] const std::string& reason() const { return reason_; }

 private:
  Response(Kind kind, ResponseBuffer buffer, std::string reason)
      : kind_(kind), buffer_(std::move(buffer)), reason_(std::move(reason)) {}

  Kind kind_;
  ResponseBuffer buffer_;
  std::string reason_;
};

}  // namespace sluice::broker
