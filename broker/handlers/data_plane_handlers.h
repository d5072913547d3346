// The data-plane APIs (Produce, Fetch, ListOffsets, Metadata), which need the broker's services;
// added to the registry make_handler_registry() builds once those services exist.
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

// REQUIRES: the services outlive the registry.
void add_data_plane_handlers(HandlerRegistry& registry, const BrokerServices& services);

}  // namespace sluice::broker
