// AlterPartitionReassignments (key 45) and ListPartitionReassignments (key 46), v0 (KIP-455):
// start, replace or cancel partition reassignments and list those in flight. Served by the
// active controller; any other broker answers NOT_CONTROLLER, as Kafka does.
#pragma once

#include "broker/handlers/handler.h"

namespace sluice::coordination {
class KafkaController;
}

namespace sluice::broker {

// REQUIRES: `controller` outlives the registry.
Handler alter_partition_reassignments_handler(coordination::KafkaController* controller);
Handler list_partition_reassignments_handler(coordination::KafkaController* controller);

}  // namespace sluice::broker
