// The committed-offset APIs, served by the OffsetManager (docs/groups.md; Kafka's semantics as in
// docs/groups.md):
//   OffsetCommit (8)  v0-8: INVALID_GROUP_ID (escaped id longer than 255 bytes) and
//                     NOT_COORDINATOR for every partition; v1+ GroupMembership::authorize_commit
//                     first (its error for every partition, nothing stored); per partition
//                     UNKNOWN_TOPIC_OR_PARTITION (not in the MetadataCache) and
//                     OFFSET_METADATA_TOO_LARGE; the rest in one ZooKeeper multi
//                     (COORDINATOR_NOT_AVAILABLE for them all when it fails).
//   OffsetFetch (9)   v0-7: v0 absent -> -1 with error 3 (Kafka's ZooKeeper v0); v1+ absent ->
//                     -1, "", 0; v2+ null topics = every committed partition, group-level errors
//                     top level (per partition in v0-1); require_stable accepted (no transactions).
//   DeleteGroups (42) v0-2: per group INVALID_GROUP_ID, NOT_COORDINATOR, GROUP_ID_NOT_FOUND,
//                     NON_EMPTY_GROUP or none once the group's ZooKeeper tree is gone.
#pragma once

#include "broker/group/offset_manager.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler offset_commit_handler(group::OffsetManager* offsets, group::GroupMembership* membership);
Handler offset_fetch_handler(group::OffsetManager* offsets);
Handler delete_groups_handler(group::OffsetManager* offsets);

}  // namespace sluice::broker
