#include "broker/handlers/admin_handlers.h"

#include "broker/handlers/alter_configs.h"
#include "broker/handlers/create_partitions.h"
#include "broker/handlers/create_topics.h"
#include "broker/handlers/delete_records.h"
#include "broker/handlers/delete_topics.h"
#include "broker/handlers/describe_cluster.h"
#include "broker/handlers/describe_configs.h"
#include "broker/handlers/incremental_alter_configs.h"

namespace sluice::broker {

// Versions: what librdkafka 2.0.2, kafka-python 2.0.2 and kafkajs 2.2.4 send by default
// (docs/formats/wire-protocol.md), all non-flexible but DescribeCluster, and IncrementalAlterConfigs
// v1. None of these keys takes part in kafka-python's broker-version inference.
void add_admin_handlers(HandlerRegistry& registry, const AdminServices& services) {
  registry.add(create_topics_handler(services));
  registry.add(delete_topics_handler(services));
  registry.add(delete_records_handler(services));
  registry.add(describe_configs_handler(services));
  registry.add(alter_configs_handler(services));
  registry.add(create_partitions_handler(services));
  registry.add(incremental_alter_configs_handler(services));
  registry.add(describe_cluster_handler(services));
}

}  // namespace sluice::broker
