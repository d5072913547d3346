// The membership half of the group APIs (Kafka 2.8 ranges, all that the schemas allow):
// JoinGroup (11) v0-7, Heartbeat (12) v0-4, LeaveGroup (13) v0-4, SyncGroup (14) v0-5,
// DescribeGroups (15) v0-5, ListGroups (16) v0-4. Each decodes, asks the GroupCoordinator and
// encodes; the group rules live in broker/group/group_coordinator.h. A malformed body closes the
// connection, as for every API.
#pragma once

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

// REQUIRES: `coordinator` outlives the registry's connections.
void add_group_handlers(HandlerRegistry& registry, group::GroupCoordinator& coordinator);

}  // namespace sluice::broker
