#include "coordination/errc.h"

#include <string>

namespace sluice::coordination {
namespace {

class CoordinationCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "sluice.coordination"; }
  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::no_node: return "znode does not exist";
      case Errc::node_exists: return "znode already exists";
      case Errc::bad_version: return "znode version does not match";
      case Errc::not_empty: return "znode has children";
      case Errc::no_children_for_ephemerals: return "ephemeral znodes cannot have children";
      case Errc::no_auth: return "not authorized by the znode's ACL";
      case Errc::connection_loss: return "connection to ZooKeeper lost";
      case Errc::session_expired: return "ZooKeeper session expired";
      case Errc::operation_timeout: return "ZooKeeper operation timed out";
      case Errc::invalid_state: return "ZooKeeper handle in an invalid state";
      case Errc::bad_arguments: return "invalid arguments to a ZooKeeper operation";
      case Errc::marshalling_error: return "ZooKeeper client could not marshal the request";
      case Errc::closing: return "ZooKeeper handle closing";
      case Errc::runtime_inconsistency: return "multi op rolled back";
      case Errc::corrupt_data: return "znode data does not parse";
      case Errc::controller_moved: return "controller moved: /controller_epoch changed";
      case Errc::other: return "other ZooKeeper error";
      case Errc::topic_exists: return "topic already exists";
      case Errc::invalid_topic: return "invalid topic";
      case Errc::invalid_partitions: return "invalid number of partitions";
      case Errc::invalid_replication_factor: return "invalid replication factor";
      case Errc::invalid_replica_assignment: return "invalid replica assignment";
      case Errc::invalid_config: return "invalid topic config";
      case Errc::invalid_request: return "invalid topic administration request";
      case Errc::reassignment_in_progress: return "partition reassignment in progress";
      case Errc::topic_not_found: return "topic does not exist";
      case Errc::topic_marked_for_deletion: return "topic is already marked for deletion";
    }
    return "unknown coordination error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& coordination_category() {
  static const CoordinationCategory category;
  return category;
}

}  // namespace sluice::coordination
