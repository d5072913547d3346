// ReplicaManager::delete_records: DeleteRecords on the partition's leader.
#include <spdlog/spdlog.h>

#include "broker/error_mapping.h"
#include "broker/replica_manager.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;

DeleteRecordsResult delete_records_error(ErrorCode e) {
  DeleteRecordsResult r;
  r.error = e;
  return r;
}

// On the partition's strand: leadership cannot change underneath. The Log call only moves an
// in-memory offset and trims the leader-epoch cache; segments go at the next retention pass.
asio::awaitable<DeleteRecordsResult> delete_on_strand(std::shared_ptr<Partition> partition, Offset offset) {
  if (!partition->is_leader()) co_return delete_records_error(ErrorCode::not_leader_or_follower);
  storage::Log& log = *partition->log();
  const Offset target = offset == Offset(-1) ? log.high_watermark() : offset;
  if (target < Offset(0) || target > log.high_watermark()) co_return delete_records_error(ErrorCode::offset_out_of_range);
  Status deleted = log.delete_records_before(target);
  if (!deleted) co_return delete_records_error(to_error_code(deleted.error()));
  DeleteRecordsResult r;
  r.low_watermark = log.log_start_offset();
  co_return r;
}

}  // namespace

asio::awaitable<DeleteRecordsResult> ReplicaManager::delete_records(TopicPartition tp, Offset offset) {
  std::shared_ptr<Partition> partition = get_partition(tp);
  if (!partition) co_return delete_records_error(ErrorCode::unknown_topic_or_partition);
  DeleteRecordsResult r =
      co_await asio::co_spawn(partition->strand(), delete_on_strand(partition, offset), asio::use_awaitable);
  if (r.error == ErrorCode::none) {
    spdlog::info("{}: records before {} deleted", tp.to_string(), r.low_watermark.value());
  }
  co_return r;
}

}  // namespace sluice::broker
