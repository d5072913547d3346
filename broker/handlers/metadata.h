// Metadata (key 3), v0-9: brokers, controller, cluster id and topics from the MetadataCache.
// All topics: an empty list at v0, a null list at v1+. An unknown topic answers
// UNKNOWN_TOPIC_OR_PARTITION, or LEADER_NOT_AVAILABLE once a TopicCreator was asked to create it
// (auto.create.topics.enable, and the request's allow_auto_topic_creation at v4+).
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler metadata_handler(const BrokerServices& services);

}  // namespace sluice::broker
