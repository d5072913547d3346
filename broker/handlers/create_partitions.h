// CreatePartitions (key 37), v0-1, as Kafka's ZK mode: NOT_CONTROLLER unless this broker is the
// controller; INVALID_REQUEST for a topic named twice; AdminZkClient::add_partitions validates
// (unknown topic, topic being deleted, count not an increase, assignments) and, unless
// validate_only, rewrites /brokers/topics/<t>; then the answer waits, up to timeout_ms, until
// every partition shows a leader in the MetadataCache (REQUEST_TIMED_OUT otherwise).
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler create_partitions_handler(const AdminServices& services);

}  // namespace sluice::broker
