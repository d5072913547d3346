// ControlledShutdown (key 7), v0-3: a broker about to stop asks the controller to move its
// leaderships away first (docs/replication.md). Served by the active controller only;
// any other broker answers NOT_CONTROLLER.
#pragma once

#include "broker/handlers/handler.h"

namespace sluice::coordination {
class KafkaController;
}

namespace sluice::broker {

// REQUIRES: `controller` outlives the registry.
Handler controlled_shutdown_handler(coordination::KafkaController* controller);

}  // namespace sluice::broker
