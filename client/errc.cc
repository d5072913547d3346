#include "client/errc.h"

#include <string>

namespace sluice::client {
namespace {

class ClientCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "sluice.client"; }
  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::connection_failed: return "could not connect to the broker";
      case Errc::connection_closed: return "connection to the broker closed";
      case Errc::timed_out: return "request timed out";
      case Errc::frame_too_large: return "response frame over the size limit";
      case Errc::malformed_response: return "malformed response from the broker";
      case Errc::no_common_version: return "no API version supported by both client and broker";
      case Errc::invalid_config: return "invalid client configuration";
      case Errc::no_leader: return "partition leader not available";
      case Errc::delivery_timeout: return "record not delivered within delivery.timeout.ms";
      case Errc::shut_down: return "client shut down";
    }
    return "unknown client error " + std::to_string(value);
  }
};

class KafkaCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "sluice.kafka"; }
  [[nodiscard]] std::string message(int value) const override {
    return std::string(protocol::error_code_name(static_cast<protocol::ErrorCode>(value)));
  }
};

const KafkaCategory& kafka_category() {
  static const KafkaCategory category;
  return category;
}

}  // namespace

const std::error_category& client_category() {
  static const ClientCategory category;
  return category;
}

std::error_code broker_error(protocol::ErrorCode code) {
  return {static_cast<int>(code), kafka_category()};
}

std::optional<protocol::ErrorCode> as_broker_error(std::error_code ec) {
  if (ec.category() != kafka_category()) return std::nullopt;
  return static_cast<protocol::ErrorCode>(ec.value());
}

bool is_retriable(std::error_code ec) {
  if (auto code = as_broker_error(ec)) return protocol::is_retriable(*code);
  return ec == Errc::connection_failed || ec == Errc::connection_closed || ec == Errc::timed_out ||
         ec == Errc::no_leader;
}

}  // namespace sluice::client
