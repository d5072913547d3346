// Produce (key 0), v3-9: magic-2 batches only (record-batch.md §5), so v0-2 are not advertised.
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler produce_handler(const BrokerServices& services);

}  // namespace sluice::broker
