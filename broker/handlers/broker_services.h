// What the data-plane handlers reach: the ReplicaManager, the MetadataCache, the fetch sessions
// and, once the controller supplies one, the TopicCreator. Owned by the KafkaServer; outlives every connection.
#pragma once

#include "broker/fetch_session_cache.h"
#include "broker/metadata_cache.h"
#include "broker/replica_manager.h"
#include "broker/topic_creator.h"

namespace sluice::broker {

struct BrokerServices {
  ReplicaManager* replica_manager = nullptr;
  MetadataCache* metadata_cache = nullptr;
  TopicCreator* topic_creator = nullptr;  // unset: unknown topics are not auto-created
  FetchSessionCache* fetch_sessions = nullptr;  // unset: every fetch is sessionless
  bool auto_create_topics_enable = true;
};

}  // namespace sluice::broker
