// ListOffsets (key 2), v0-6: earliest (-2), latest (-1: the high watermark for consumers) and by
// timestamp. v0 answers the old format: a list of offsets (at most one here).
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler list_offsets_handler(const BrokerServices& services);

}  // namespace sluice::broker
