// Produce: validation and append per partition (ReplicaManager::append_records); one partition's
// error never fails another's. acks=0 gets no response at all, even on errors (Kafka closes the
// connection only for errors the producer could not otherwise learn of; we keep it open). An
// acks value other than -1, 0, 1 answers INVALID_REQUIRED_ACKS for every partition.
#include "broker/handlers/produce.h"

#include <map>
#include <memory>

#include "protocol/messages/produce_request.h"
#include "protocol/messages/produce_response.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using protocol::ProduceRequest;
using protocol::ProduceResponse;

// Each partition's records stay where they were read: a writable view into the request frame,
// which the views share (the append rewrites offsets in place).
std::vector<ProducePartitionInput> inputs_of(const ProduceRequest& request, const std::shared_ptr<FrameBytes>& frame) {
  std::vector<ProducePartitionInput> inputs;
  for (const auto& topic : request.topic_data) {
    for (const auto& p : topic.partition_data) {
      storage::ProducedBytes records;
      if (p.records && !p.records->bytes.empty()) {
        const auto at = static_cast<size_t>(p.records->bytes.data() - frame->data());
        records = storage::ProducedBytes(MutableByteView(*frame).subspan(at, p.records->bytes.size()), frame);
      }
      inputs.push_back({.tp = {topic.name, p.index}, .records = std::move(records)});
    }
  }
  return inputs;
}

ProduceResponse::PartitionProduceResponse partition_response(const ProducePartitionOutput& out) {
  const PartitionAppendResult& r = out.result;
  ProduceResponse::PartitionProduceResponse p{.index = out.tp.partition, .error_code = static_cast<int16_t>(r.error)};
  if (r.error == ErrorCode::none) {
    p.base_offset = r.info.first_offset;
    p.log_append_time_ms = r.info.log_append_time;
    p.log_start_offset = r.log_start_offset;
  } else {
    p.base_offset = Offset(-1);
  }
  return p;
}

// Topics in request order, partitions in request order within each.
ProduceResponse response_of(const std::vector<ProducePartitionOutput>& outputs) {
  ProduceResponse response;
  std::map<std::string, size_t> index;
  for (const ProducePartitionOutput& out : outputs) {
    auto [it, added] = index.emplace(out.tp.topic, response.responses.size());
    if (added) response.responses.push_back({.name = out.tp.topic, .partition_responses = {}});
    response.responses[it->second].partition_responses.push_back(partition_response(out));
  }
  return response;
}

std::vector<ProducePartitionOutput> all_failed(std::vector<ProducePartitionInput> inputs, ErrorCode error) {
  std::vector<ProducePartitionOutput> outputs;
  for (auto& input : inputs) outputs.push_back({.tp = std::move(input.tp), .result = append_error(error)});
  return outputs;
}

asio::awaitable<Response> handle_produce(RequestContext ctx, BrokerServices services) {
  auto frame = std::make_shared<FrameBytes>(std::move(ctx.frame));
  protocol::Reader reader(ByteView(*frame).subspan(ctx.body_offset));
  auto request = ProduceRequest::decode(reader, ctx.api_version());
  if (!request) co_return Response::close("malformed Produce request: " + request.error().message());
  const int16_t acks = request.value().acks;
  std::vector<ProducePartitionInput> inputs = inputs_of(request.value(), frame);
  std::vector<ProducePartitionOutput> outputs;
  if (acks != 0 && acks != 1 && acks != -1) {
    outputs = all_failed(std::move(inputs), ErrorCode::invalid_required_acks);
  } else {
    const auto timeout = std::chrono::milliseconds(std::max(request.value().timeout_ms, 0));
    outputs = co_await services.replica_manager->append_records(acks, timeout, ctx.api_version(), std::move(inputs),
                                                                ctx.appended);
  }
  if (acks == 0) co_return Response::none();
  co_return respond(ctx, response_of(outputs));
}

}  // namespace

Handler produce_handler(const BrokerServices& services) {
  return Handler{.key = protocol::ApiKey::produce,
                 .min_version = 0,
                 .max_version = 9,
                 .fn = [services](RequestContext ctx) { return handle_produce(std::move(ctx), services); }};
}

}  // namespace sluice::broker
