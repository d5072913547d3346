// FindCoordinator (key 10), v0-3, as Kafka 2.8 advertises. Min version 0 matters: librdkafka
// enables its BrokerGroupCoord and LZ4 features only when the range includes v0
// (docs/formats/wire-protocol.md). Answers the group coordinator for a group id; the rule
// (docs/groups.md) reads only the MetadataCache's live brokers, so every broker with the same
// cluster state names the same coordinator.
//
//   key_type | live brokers | answer
//   0 group  | none         | COORDINATOR_NOT_AVAILABLE (15), node -1, host "", port -1
//   0 group  | n >= 1       | broker #(abs(java_string_hash(key)) % n) of the live brokers by id
//   1 txn    | any          | COORDINATOR_NOT_AVAILABLE: there is no transaction coordinator (what
//            |              | Kafka answers while it cannot host __transaction_state)
//   other    | any          | INVALID_REQUEST (42), as Kafka's "unknown coordinator type"
// An empty group id is answered like any other (Kafka 2.8 hashes it too: "" -> 0); whether a
// group may use it is the group coordinator's question (INVALID_GROUP_ID on JoinGroup).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"
#include "broker/metadata_cache.h"

namespace sluice::broker {

// Java's String.hashCode of `utf8` decoded as Kafka decodes a wire string (UTF-8 to UTF-16,
// malformed sequences as U+FFFD): s[0]*31^(n-1) + ... + s[n-1] over UTF-16 code units, wrapping.
int32_t java_string_hash(std::string_view utf8);

// Kafka's Utils.abs: |n|, with INT32_MIN mapped to 0.
int32_t kafka_abs(int32_t n);

// The coordinator of `group_id` among `live_brokers` (any order); nullopt when there are none.
std::optional<BrokerEndpoint> group_coordinator(std::string_view group_id, std::vector<BrokerEndpoint> live_brokers);

Handler find_coordinator_handler(const BrokerServices& services);

}  // namespace sluice::broker
