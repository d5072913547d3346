// Partitioner: picks the partition of a record the way the Java producer's default does, so
// keyed records land where Java, librdkafka ("murmur2_random") and kafkajs' Java-compatible
// partitioner put them:
//   explicit partition       -> that partition
//   key (even empty)         -> toPositive(murmur2(key)) % numPartitions
//   no key                   -> the topic's sticky partition (KIP-480), chosen at random and
//                               changed only when a batch for it is sent (on_new_batch()).
// Owner: the Producer's strand; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>

#include "protocol/bytes.h"
#include "protocol/types.h"

namespace sluice::client {

// Kafka's murmur2 (Utils.murmur2): 32-bit MurmurHash2 with seed 0x9747b28c, as a signed int.
int32_t murmur2(ByteView data);
// Utils.toPositive: clears the sign bit (not abs(), which breaks on INT32_MIN).
inline int32_t to_positive(int32_t n) { return n & 0x7fffffff; }
// The Java default partitioner's choice for a keyed record. REQUIRES: num_partitions > 0.
inline PartitionId partition_for_key(ByteView key, int32_t num_partitions) {
  return PartitionId(to_positive(murmur2(key)) % num_partitions);
}

class Partitioner {
 public:
  explicit Partitioner(uint64_t seed = std::random_device{}()) : rng_(seed) {}

  // REQUIRES: num_partitions > 0.
  PartitionId partition(const std::string& topic, const std::optional<Bytes>& key, int32_t num_partitions);
  // A batch of the topic's sticky partition was closed: stick to another one from now on.
  void on_new_batch(const std::string& topic, PartitionId closed, int32_t num_partitions);

 private:
  PartitionId random_other(std::optional<PartitionId> avoid, int32_t num_partitions);

  std::mt19937_64 rng_;
  std::map<std::string, PartitionId> sticky_;
};

}  // namespace sluice::client
