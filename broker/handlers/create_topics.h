// CreateTopics (key 19), v0-4, as Kafka's ZK-mode controller answers it: NOT_CONTROLLER unless
// this broker is the controller; per-topic validation (name, counts, replication factor against
// the live brokers, explicit assignments, configs) with error messages (v1+); validate_only
// (v1+); otherwise the topic is written through AdminZkClient and the answer waits, up to
// timeout_ms, until the MetadataCache shows every partition with a leader (REQUEST_TIMED_OUT
// for a topic that does not get there). -1 partitions / replication factor (v4+) take the
// broker's num.partitions / default.replication.factor.
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler create_topics_handler(const AdminServices& services);

}  // namespace sluice::broker
