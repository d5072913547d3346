// Consumer: reads explicitly assigned partitions (no group membership) with Fetch (v4+,
// read_uncommitted) from each partition's leader (AK KafkaConsumer + Fetcher, assign() mode).
// Each partition has a position: the offset of the next record to return. Fetches use an
// incremental fetch session per leader (KIP-227) where the broker grants one. assign() resolves
// start positions given as earliest / latest / a timestamp with ListOffsets; poll() fetches
// from every leader at once and returns the records at or after each position, in offset
// order per partition.
// OFFSET_OUT_OF_RANGE resets the position per auto_offset_reset; leader moves and unknown
// partitions refresh metadata and retry on the next round.
// Owner: the KafkaClient's strand; public coroutines hop onto it. One poll() at a time.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "client/fetch_session_handler.h"
#include "client/kafka_client.h"
#include "protocol/record.h"
#include "protocol/record_batch_header.h"

namespace sluice::client {

enum class OffsetReset { earliest, latest, none };

// Where a partition starts: an offset, the log start, the log end, or the first record whose
// timestamp is at or after a time (the log end when there is none).
struct StartOffset {
  enum class Kind { offset, earliest, latest, timestamp };
  Kind kind = Kind::latest;
  int64_t value = 0;

  static StartOffset at(Offset o) { return {Kind::offset, o.value()}; }
  static StartOffset earliest() { return {Kind::earliest, -2}; }
  static StartOffset latest() { return {Kind::latest, -1}; }
  static StartOffset at_time(TimestampMs t) { return {Kind::timestamp, t.value()}; }
};

struct Assignment {
  TopicPartition tp;
  StartOffset start;
};

struct ConsumerRecord {
  std::string topic;
  PartitionId partition;
  Offset offset;
  TimestampMs timestamp;
  protocol::TimestampType timestamp_type = protocol::TimestampType::create_time;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<protocol::RecordHeader> headers;
};

struct ConsumerConfig {
  std::chrono::milliseconds fetch_max_wait{500};
  int32_t fetch_min_bytes = 1;
  int32_t fetch_max_bytes = 50 * 1024 * 1024;
  int32_t max_partition_fetch_bytes = 1024 * 1024;
  OffsetReset auto_offset_reset = OffsetReset::latest;
};

class Consumer {
 public:
  // REQUIRES: `client` outlives the consumer and has bootstrapped.
  Consumer(KafkaClient& client, ConsumerConfig config) : client_(client), config_(config) {}

  // Replaces the assignment and resolves every start position. Errors: the broker's (e.g.
  // UNKNOWN_TOPIC_OR_PARTITION) or the client's (no leader, connection).
  asio::awaitable<Status> assign(std::vector<Assignment> assignment);
  // Fetches until some records arrive or `max_wait` passes (then an empty vector).
  asio::awaitable<Result<std::vector<ConsumerRecord>>> poll(std::chrono::milliseconds max_wait);
  // The next offset poll() returns for `tp`, once resolved. Call on the client's strand.
  [[nodiscard]] std::optional<Offset> position(const TopicPartition& tp) const;

 private:
  struct PartitionState {
    StartOffset start;               // what to resolve when position is unset
    std::optional<Offset> position;  // next offset to return
  };
  struct FetchRound;
  using LeaderGroups = std::map<BrokerId, std::vector<TopicPartition>>;

  asio::awaitable<Status> assign_on_strand(std::vector<Assignment> assignment);
  asio::awaitable<Result<std::vector<ConsumerRecord>>> poll_on_strand(std::chrono::milliseconds max_wait);
  asio::awaitable<Status> resolve_positions();
  asio::awaitable<Result<LeaderGroups>> group_by_leader(std::vector<TopicPartition> partitions);
  asio::awaitable<Result<std::map<TopicPartition, Offset>>> list_offsets(
      BrokerId leader, std::vector<std::pair<TopicPartition, int64_t>> queries);
  asio::awaitable<Status> resolve_on(BrokerId leader, std::vector<TopicPartition> partitions);
  asio::awaitable<Result<std::vector<ConsumerRecord>>> fetch_round(std::chrono::milliseconds max_wait);
  asio::awaitable<void> fetch_from(BrokerId leader, std::vector<TopicPartition> partitions,
                                   std::chrono::milliseconds max_wait, std::shared_ptr<FetchRound> round);
  // A Fetch for `partitions` in the fetch session with `leader` (KIP-227).
  protocol::FetchRequest build_fetch(BrokerId leader, const std::vector<TopicPartition>& partitions,
                                     std::chrono::milliseconds max_wait);
  Status take_partition(const TopicPartition& tp, const protocol::FetchResponse::PartitionData& data,
                        std::vector<ConsumerRecord>& out);
  void reset_after_out_of_range(const TopicPartition& tp);

  KafkaClient& client_;
  ConsumerConfig config_;
  std::map<TopicPartition, PartitionState> assignment_;
  std::map<BrokerId, FetchSessionHandler> sessions_;  // one incremental fetch session per leader
};

// Appends the records of `records` (whole v2 batches, maybe a torn one at the end) at or after
// `*position` to `out`, advancing `*position` past every whole batch. A torn trailing batch is
// ignored (the fetch byte limit cut it); a corrupt one is an error.
Status decode_fetched(const TopicPartition& tp, ByteView records, Offset* position,
                      std::vector<ConsumerRecord>& out);

}  // namespace sluice::client
