// ElectLeaders (key 43), v0-2: preferred or unclean leader election on request (KIP-460),
// served by the active controller; any other broker answers NOT_CONTROLLER.
#pragma once

#include "broker/handlers/handler.h"

namespace sluice::coordination {
class KafkaController;
}

namespace sluice::broker {

// REQUIRES: `controller` outlives the registry.
Handler elect_leaders_handler(coordination::KafkaController* controller);

}  // namespace sluice::broker
