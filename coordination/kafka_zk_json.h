// Kafka's znode JSON: encoders write exactly the fields and types Kafka 2.8 writes (numbers
// vs. strings matter: "timestamp" and /cluster/id's "version" are strings); decoders accept what
// older Kafka versions wrote and fail with Errc::corrupt_data on anything else.
#pragma once

#include <string>

#include "coordination/kafka_zk_data.h"
#include "protocol/bytes.h"
#include "protocol/result.h"

namespace sluice::coordination::kafka_json {

// {"version":"1","id":"<id>"}
Bytes encode_cluster_id(const std::string& id);
Result<std::string> decode_cluster_id(ByteView json);

// Version 5: {"features":{},"listener_security_protocol_map":{..},"endpoints":[..],"jmx_port":-1,
// "port":9092,"host":"h","version":5,"timestamp":"<ms>"[,"rack":"r"]}. host/port repeat the first
// PLAINTEXT endpoint for old clients; null and -1 without one.
Bytes encode_broker(const BrokerInfo& broker);
// `id` comes from the path and `czxid` from the Stat; the JSON holds neither.
Result<BrokerInfo> decode_broker(BrokerId id, int64_t czxid, ByteView json);

// Version 3: {"version":3,"partitions":{"0":[1,2]},"adding_replicas":{},"removing_replicas":{}
// [,"topic_id":".."]}
Bytes encode_topic_assignment(const TopicAssignment& assignment);
Result<TopicAssignment> decode_topic_assignment(ByteView json);

// {"controller_epoch":7,"leader":2,"version":1,"leader_epoch":14,"isr":[2,3,1]}; zk_version
// is not in the JSON: decode takes it from the Stat.
Bytes encode_partition_state(const LeaderIsrAndControllerEpoch& state);
Result<LeaderIsrAndControllerEpoch> decode_partition_state(ByteView json, ZkVersion zk_version);

// {"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2]}]}: /admin/reassign_partitions
// (and Kafka's reassignment plan files: other fields such as "log_dirs" are ignored). A partition
// listed twice, or a replica list that is not integers, is corrupt_data.
Bytes encode_partition_reassignments(const PartitionReassignments& reassignments);
Result<PartitionReassignments> decode_partition_reassignments(ByteView json);

// {"version":1,"config":{"k":"v",..}}
Bytes encode_topic_config(const TopicConfig& config);
Result<TopicConfig> decode_topic_config(ByteView json);

// {"version":2,"entity_path":"topics/orders"}: a /config/changes/config_change_<seq> child.
Bytes encode_config_change_notification(const std::string& entity_path);

// "<listener>://<host>:<port>", IPv6 hosts in brackets, as Kafka's EndPoint.connectionString.
std::string endpoint_string(const EndPoint& endpoint);

}  // namespace sluice::coordination::kafka_json
