// IncrementalAlterConfigs (key 44), v0-1: edits a topic's override set key by key: SET (0),
// DELETE (1), and for list-typed configs (cleanup.policy) APPEND (2) and SUBTRACT (3), starting
// from the current override or the broker default. A key named twice, an unknown operation, a
// null SET value or APPEND/SUBTRACT on a non-list config is INVALID_REQUEST; the result is then
// validated and written as AlterConfigs does (alter_configs.h), broker resources included.
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler incremental_alter_configs_handler(const AdminServices& services);

}  // namespace sluice::broker
