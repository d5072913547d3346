// Fetch v4-12 with incremental fetch sessions from v7 (KIP-227, broker/fetch_session_cache.h).
// The response is encoded by hand around the generated PartitionData::encode so each records
// field can be a FileSlice: a partition is encoded with empty records, whose length prefix (and,
// v12, the empty tagged-field section after it) is cut off and rewritten for the slice.
#include "broker/handlers/fetch.h"

#include <chrono>

#include "protocol/assert.h"
#include "protocol/messages/fetch_request.h"
#include "protocol/messages/fetch_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;

constexpr int16_t kFlexibleFrom = 12;

std::vector<FetchRequestPartition> partitions_of(const FetchRequest& request) {
  std::vector<FetchRequestPartition> partitions;
  for (const auto& topic : request.topics) {
    for (const auto& p : topic.partitions) {
      partitions.push_back({.input = {.tp = {topic.topic, p.partition},
                                      .fetch_offset = p.fetch_offset,
                                      .max_bytes = p.partition_max_bytes,
                                      .current_leader_epoch = p.current_leader_epoch},
                            .log_start_offset = p.log_start_offset});
    }
  }
  return partitions;
}

std::vector<TopicPartition> forgotten_of(const FetchRequest& request) {
  std::vector<TopicPartition> out;
  for (const auto& topic : request.forgotten_topics_data) {
    for (const PartitionId p : topic.partitions) out.push_back({topic.topic, p});
  }
  return out;
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

FetchResponse::PartitionData partition_data(const FetchPartitionOutput& out, int8_t isolation_level) {
  const PartitionReadResult& r = out.result;
  FetchResponse::PartitionData p{.partition_index = out.tp.partition, .error_code = static_cast<int16_t>(r.error)};
  p.high_watermark = r.error == ErrorCode::none ? r.high_watermark : Offset(-1);
  p.last_stable_offset = p.high_watermark;
  p.log_start_offset = r.error == ErrorCode::none ? r.log_start_offset : Offset(-1);
  // As Kafka: read_committed gets an empty list, read_uncommitted none at all.
  if (isolation_level == 1) p.aborted_transactions.emplace();
  p.records = protocol::RecordsView{};
  return p;
}

// Appends one partition: its fields, then the records' length and the slice itself.
void append_partition(ResponseBuffer& out, Bytes& head, const FetchPartitionOutput& result, int16_t version,
                      int8_t isolation_level) {
  protocol::Writer w(head);
  partition_data(result, isolation_level).encode(w, version);
  const bool flexible = version >= kFlexibleFrom;
  const size_t tail = flexible ? 2 : 4;  // uvarint(1) + uvarint(0 tags), or int32(0)
  SLUICE_ASSERT(head.size() >= tail, "partition encoding shorter than its records field");
  head.resize(head.size() - tail);
  const storage::FileSlice& slice = result.result.records;
  if (flexible) {
    w.write_uvarint(static_cast<uint64_t>(slice.length) + 1);
  } else {
    w.write_int32(static_cast<int32_t>(slice.length));
  }
  out.append(std::exchange(head, {}));
  out.append(slice);
  if (flexible) w.write_uvarint(0);
}

ResponseBuffer encode_response(const RequestContext& ctx, const std::vector<FetchPartitionOutput>& outputs,
                               int8_t isolation_level, ErrorCode error, int32_t session_id) {
  const int16_t version = ctx.api_version();
  const bool flexible = version >= kFlexibleFrom;
  ResponseBuffer out;
  Bytes head;
  protocol::Writer w(head);
  protocol::begin_response_frame(w, protocol::ApiKey::fetch, version, ctx.correlation_id());
  w.write_int32(0);  // throttle_time_ms
  if (version >= 7) {
    w.write_int16(static_cast<int16_t>(error));
    w.write_int32(session_id);
  }
  // Topics are consecutive runs of outputs with the same name, as the request listed them.
  std::vector<std::pair<size_t, size_t>> runs;
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (i == 0 || outputs[i].tp.topic != outputs[i - 1].tp.topic) runs.emplace_back(i, 0);
    ++runs.back().second;
  }
  w.write_array_count(runs.size(), flexible);
  for (const auto& [first, count] : runs) {
    w.write_string(outputs[first].tp.topic, flexible);
    w.write_array_count(count, flexible);
    for (size_t i = first; i < first + count; ++i) append_partition(out, head, outputs[i], version, isolation_level);
    if (flexible) w.write_uvarint(0);
  }
  if (flexible) w.write_uvarint(0);
  out.append(std::move(head));
  out.finish_frame();
  return out;
}

asio::awaitable<Response> handle_fetch(RequestContext ctx, BrokerServices services) {
  protocol::Reader reader = ctx.body();
  auto request = FetchRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed Fetch request: " + request.error().message());
  const FetchRequest& r = request.value();
  FetchParams params{.replica_id = r.replica_id,
                     .max_wait_ms = r.max_wait_ms,
                     .min_bytes = r.min_bytes,
                     .max_bytes = ctx.api_version() >= 3 ? r.max_bytes : INT32_MAX};
  const bool from_follower = r.replica_id >= BrokerId(0);
  // Before v7 there are no sessions; without a cache every fetch is sessionless.
  const bool sessions = ctx.api_version() >= 7 && services.fetch_sessions != nullptr;
  FetchContext context =
      sessions ? services.fetch_sessions->new_context(r.session_id, r.session_epoch, partitions_of(r), forgotten_of(r),
                                                      from_follower, now_ms())
               : FetchContext{.kind = FetchContext::Kind::sessionless, .inputs = {}};
  if (!sessions) {
    for (FetchRequestPartition& p : partitions_of(r)) context.inputs.push_back(std::move(p.input));
  }
  if (context.kind == FetchContext::Kind::error) {
    co_return Response::send(encode_response(ctx, {}, r.isolation_level, context.error, kInvalidSessionId));
  }
  std::vector<FetchPartitionOutput> outputs = co_await services.replica_manager->fetch_messages(params, context.inputs);
  int32_t session_id = kInvalidSessionId;
  ErrorCode error = ErrorCode::none;
  if (context.kind == FetchContext::Kind::full) {
    session_id = services.fetch_sessions->create_session(context, outputs, from_follower, now_ms());
  } else if (context.kind == FetchContext::Kind::incremental) {
    error = services.fetch_sessions->select_incremental(context, outputs);
    session_id = error == ErrorCode::none ? context.session_id : kInvalidSessionId;
  }
  co_return Response::send(encode_response(ctx, outputs, r.isolation_level, error, session_id));
}

}  // namespace

Handler fetch_handler(const BrokerServices& services) {
  return Handler{.key = protocol::ApiKey::fetch,
                 .min_version = 4,
                 .max_version = 12,
                 .fn = [services](RequestContext ctx) { return handle_fetch(std::move(ctx), services); }};
}

}  // namespace sluice::broker
