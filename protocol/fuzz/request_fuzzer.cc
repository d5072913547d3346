// libFuzzer target: any bytes as a request frame (size prefix stripped). Parses the header and, if
// the API and version are known, decodes the body. Decoding must fail cleanly or succeed; crashes,
// sanitizer reports, and allocations beyond the input's size are bugs.
#include <cstddef>
#include <cstdint>

#include "protocol/messages/api_table.h"
#include "protocol/request_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  const sluice::ByteView frame(reinterpret_cast<const std::byte*>(data), size);
  auto parsed = parse_request_frame(frame);
  if (!parsed) return 0;
  RequestFrame& request = parsed.value();
  (void)decode_any_request(request.api_key, request.header.request_api_version, request.body);
  return 0;
}
