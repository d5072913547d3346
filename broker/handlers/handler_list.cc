#include "broker/handlers/handler_list.h"

#include "broker/handlers/api_versions.h"

namespace sluice::broker {

// kafka-python infers the broker's version from these ranges (client-compatibility.md §3): it
// needs Metadata v4 advertised to reach 0.11 (magic-2 batches) and Fetch v10 to reach 2.1 (zstd,
// Produce v7). Until Metadata and Fetch are served it infers 0.10.0.
HandlerRegistry make_handler_registry() {
  HandlerRegistry registry;
  registry.add(api_versions_handler());
  return registry;
}

}  // namespace sluice::broker
