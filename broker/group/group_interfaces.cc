#include "broker/group/group_interfaces.h"

#include "broker/handlers/find_coordinator.h"

namespace sluice::broker::group {

std::string_view state_name(GroupState state) {
  switch (state) {
    case GroupState::empty: return "Empty";
    case GroupState::preparing_rebalance: return "PreparingRebalance";
    case GroupState::completing_rebalance: return "CompletingRebalance";
    case GroupState::stable: return "Stable";
    case GroupState::dead: return "Dead";
  }
  return "Dead";
}

bool coordinates(const MetadataCache::Snapshot& snapshot, BrokerId self, std::string_view group_id) {
  const std::optional<BrokerEndpoint> coordinator = group_coordinator(group_id, snapshot.brokers);
  return coordinator && coordinator->id == self;
}

}  // namespace sluice::broker::group
