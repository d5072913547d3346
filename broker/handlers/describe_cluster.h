// DescribeCluster (key 60), v0: the live brokers, the controller and the cluster id from the
// MetadataCache (an empty id until the broker has read /cluster/id). Authorized operations are
// not computed (Sluice has no ACLs): always INT32_MIN, "not requested".
#pragma once

#include "broker/handlers/admin_services.h"
#include "broker/handlers/handler.h"

namespace sluice::broker {

Handler describe_cluster_handler(const AdminServices& services);

}  // namespace sluice::broker
