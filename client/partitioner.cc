#include "client/partitioner.h"

namespace sluice::client {

int32_t murmur2(ByteView data) {
  // Unsigned arithmetic: the same bits as Java's wrapping int, without signed overflow.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const size_t length = data.size();
  uint32_t h = kSeed ^ static_cast<uint32_t>(length);
  const auto byte_at = [&](size_t i) { return static_cast<uint32_t>(std::to_integer<uint8_t>(data[i])); };
  const size_t whole_words = length / 4;
  for (size_t i = 0; i < whole_words; ++i) {
    const size_t at = i * 4;
    uint32_t k = byte_at(at) | (byte_at(at + 1) << 8) | (byte_at(at + 2) << 16) | (byte_at(at + 3) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const size_t tail = length & ~size_t{3};
  switch (length % 4) {
    case 3: h ^= byte_at(tail + 2) << 16; [[fallthrough]];
    case 2: h ^= byte_at(tail + 1) << 8; [[fallthrough]];
    case 1:
      h ^= byte_at(tail);
      h *= kM;
      break;
    default: break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

PartitionId Partitioner::partition(const std::string& topic, const std::optional<Bytes>& key, int32_t num_partitions) {
  if (key) return partition_for_key(*key, num_partitions);
  auto it = sticky_.find(topic);
  if (it == sticky_.end() || it->second.value() >= num_partitions) {
    it = sticky_.insert_or_assign(topic, random_other(std::nullopt, num_partitions)).first;
  }
  return it->second;
}

void Partitioner::on_new_batch(const std::string& topic, PartitionId closed, int32_t num_partitions) {
  auto it = sticky_.find(topic);
  // Only the batch of the current sticky partition moves it (KIP-480): keyed records' batches
  // on other partitions do not.
  if (it == sticky_.end() || it->second != closed) return;
  it->second = random_other(closed, num_partitions);
}

PartitionId Partitioner::random_other(std::optional<PartitionId> avoid, int32_t num_partitions) {
  if (num_partitions <= 1) return PartitionId(0);
  std::uniform_int_distribution<int32_t> pick(0, num_partitions - (avoid ? 2 : 1));
  int32_t p = pick(rng_);
  if (avoid && p >= avoid->value()) ++p;
  return PartitionId(p);
}

}  // namespace sluice::client
