// DescribeConfigs (key 32), v0-2, as Kafka's ZK mode answers it.
// Topic resources: every topic-level config the broker serves (or the requested keys), the
// override from /config/topics/<t> (source DYNAMIC_TOPIC_CONFIG) or the broker's value
// (STATIC_BROKER_CONFIG when server.properties set it, DEFAULT_CONFIG otherwise), never
// read-only or sensitive, with synonyms (override, broker key, default) when asked (v1+).
// An illegal name is INVALID_TOPIC_EXCEPTION, a topic the MetadataCache does not know
// UNKNOWN_TOPIC_OR_PARTITION. Broker resources: this broker's id lists its static settings
// (read-only); the empty name lists the cluster-wide dynamic defaults, of which Sluice has none;
// another id is INVALID_REQUEST. Broker-logger and unknown resource types: INVALID_REQUEST.
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler describe_configs_handler(const AdminServices& services);

}  // namespace sluice::broker
