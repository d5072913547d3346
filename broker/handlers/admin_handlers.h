// The topic-admin and config APIs, added to the registry once the broker's ZooKeeper side and
// the controller exist: CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
// AlterConfigs, IncrementalAlterConfigs, DeleteRecords and DescribeCluster.
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

// REQUIRES: the services outlive the registry.
void add_admin_handlers(HandlerRegistry& registry, const AdminServices& services);

}  // namespace sluice::broker
