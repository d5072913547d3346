#include "broker/handlers/handler_list.h"

#include "broker/handlers/api_versions.h"
#include "broker/handlers/control_plane_handlers.h"
#include "broker/handlers/data_plane_handlers.h"
#include "broker/handlers/fetch.h"
#include "broker/handlers/find_coordinator.h"
#include "broker/handlers/list_offsets.h"
#include "broker/handlers/metadata.h"
#include "broker/handlers/offset_for_leader_epoch.h"
#include "broker/handlers/produce.h"

namespace sluice::broker {

// kafka-python infers the broker's version from these ranges (docs/formats/wire-protocol.md): it
// needs Metadata v4 advertised to reach 0.11 (magic-2 batches) and Fetch v10 to reach 2.1 (zstd,
// Produce v7); Fetch up to 12 makes it infer 2.3. librdkafka needs Produce 3 and Fetch 4 for
// magic 2, Produce 7 and Fetch 10 for zstd.
HandlerRegistry make_handler_registry() {
  HandlerRegistry registry;
  registry.add(api_versions_handler());
  return registry;
}

void add_data_plane_handlers(HandlerRegistry& registry, const BrokerServices& services) {
  registry.add(produce_handler(services));
  registry.add(fetch_handler(services));
  registry.add(list_offsets_handler(services));
  registry.add(metadata_handler(services));
  registry.add(find_coordinator_handler(services));
  registry.add(offset_for_leader_epoch_handler(services));
}

}  // namespace sluice::broker

namespace sluice::broker {

void add_control_plane_handlers(HandlerRegistry& registry, const ControlPlaneServices& services) {
  registry.add(leader_and_isr_handler(services));
  registry.add(stop_replica_handler(services));
  registry.add(update_metadata_handler(services));
}

}  // namespace sluice::broker
