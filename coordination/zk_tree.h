// Whole-subtree ZooKeeper operations shared by the Kafka znode clients (KafkaZkClient,
// ConsumerOffsetsZk). Neither is atomic: another writer may act between the steps, which each
// function tolerates (a node created or removed meanwhile is not an error).
#pragma once

#include <string>

#include "coordination/zk_client.h"

namespace sluice::coordination {

// Creates the persistent znode `path` (null data) and any missing ancestors; ok when it exists.
asio::awaitable<Status> ensure_path(ZkClient& zk, std::string path);

// Deletes `path` and its descendants; ok when already absent.
asio::awaitable<Status> remove_recursive(ZkClient& zk, std::string path);

}  // namespace sluice::coordination
