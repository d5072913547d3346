// ApiVersions (key 18): the bootstrap request every client sends first (wire-protocol.md §6).
#pragma once

#include <string_view>

#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler api_versions_handler();

// KIP-511's rule for client_software_name/version: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
bool valid_client_software_field(std::string_view s);

}  // namespace sluice::broker
