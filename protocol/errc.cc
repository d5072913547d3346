#include "protocol/errc.h"

#include <string>

namespace sluice::protocol {
namespace {

class ProtocolCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "sluice.protocol"; }

  [[nodiscard]] std::string message(int value) const override {
    // No default: -Wswitch-enum flags a new Errc without a message. Values that are not an Errc
    // (an error_code built by hand) fall through to the last line.
    switch (static_cast<Errc>(value)) {
      case Errc::truncated: return "input ended inside a field or a declared length";
      case Errc::malformed: return "malformed length, count or varint";
      case Errc::unsupported_magic: return "unsupported message format (only magic 2 batches)";
      case Errc::crc_mismatch: return "record batch CRC-32C mismatch";
      case Errc::invalid_record: return "record batch header and records disagree";
      case Errc::unsupported_compression: return "unsupported compression codec";
      case Errc::decompression_failed: return "compressed records could not be decompressed";
      case Errc::too_large: return "size over the allowed limit";
      case Errc::unknown_api_key: return "unknown API key";
      case Errc::unsupported_version: return "unsupported API version";
    }
    return "unknown protocol error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& protocol_category() {
  static const ProtocolCategory category;
  return category;
}

}  // namespace sluice::protocol
