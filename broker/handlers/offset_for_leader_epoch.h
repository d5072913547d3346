// OffsetForLeaderEpoch (key 23), v0-4: the leader's end offset for a leader epoch, from its
// leader-epoch cache (KIP-101, KIP-279). Followers ask it before fetching to find where their log
// diverges from the leader's; current_leader_epoch (v2+) is fenced as for Fetch.
#pragma once

#include "broker/handlers/broker_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler offset_for_leader_epoch_handler(const BrokerServices& services);

}  // namespace sluice::broker
