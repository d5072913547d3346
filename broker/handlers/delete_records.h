// DeleteRecords (key 21), v0-1: per partition, ReplicaManager::delete_records on the leader
// (NOT_LEADER_OR_FOLLOWER elsewhere, UNKNOWN_TOPIC_OR_PARTITION for a partition not hosted here,
// OFFSET_OUT_OF_RANGE past the high watermark; -1 means the high watermark). The answer's
// low_watermark is the new log start offset (-1 on error).
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler delete_records_handler(const AdminServices& services);

}  // namespace sluice::broker
