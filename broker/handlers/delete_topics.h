// DeleteTopics (key 20), v0-3, as Kafka's ZK mode: NOT_CONTROLLER unless this broker is the
// controller; TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3) when delete.topic.enable is
// false; UNKNOWN_TOPIC_OR_PARTITION for a topic the MetadataCache does not know; otherwise the
// topic is marked through AdminZkClient (/admin/delete_topics/<t>; already marked counts as
// success) and the answer waits, up to timeout_ms, until the topic is gone from the
// MetadataCache (REQUEST_TIMED_OUT for a topic still there).
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler delete_topics_handler(const AdminServices& services);

}  // namespace sluice::broker
