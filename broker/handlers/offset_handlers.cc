#include "broker/handlers/offset_handlers.h"

#include <chrono>
#include <map>
#include <utility>

#include "protocol/error_code.h"
#include "protocol/messages/delete_groups_request.h"
#include "protocol/messages/delete_groups_response.h"
#include "protocol/messages/offset_commit_request.h"
#include "protocol/messages/offset_commit_response.h"
#include "protocol/messages/offset_fetch_request.h"
#include "protocol/messages/offset_fetch_response.h"

namespace sluice::broker {
namespace {

using coordination::CommittedOffset;
using coordination::GroupOffsetMap;
using protocol::ErrorCode;
using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;
using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

int16_t code(ErrorCode e) { return static_cast<int16_t>(e); }

TimestampMs now_ms() {
  return TimestampMs(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

bool partition_exists(const MetadataCache::Snapshot& snapshot, const TopicPartition& tp) {
  const auto topic = snapshot.topics.find(tp.topic);
  return topic != snapshot.topics.end() && topic->second.partitions.contains(tp.partition);
}

// The response for `request` with `error` for every partition (then `errors` is ignored), else
// each partition's entry of `errors`.
OffsetCommitResponse commit_response(const OffsetCommitRequest& request, std::optional<ErrorCode> all,
                                     const std::map<TopicPartition, ErrorCode>& errors) {
  OffsetCommitResponse response;
  for (const auto& topic : request.topics) {
    OffsetCommitResponse::OffsetCommitResponseTopic out;
    out.name = topic.name;
    for (const auto& partition : topic.partitions) {
      OffsetCommitResponse::OffsetCommitResponsePartition p;
      p.partition_index = partition.partition_index;
      const auto it = errors.find(TopicPartition{topic.name, partition.partition_index});
      p.error_code = code(all ? *all : (it != errors.end() ? it->second : ErrorCode::none));
      out.partitions.push_back(p);
    }
    response.topics.push_back(std::move(out));
  }
  return response;
}

asio::awaitable<Response> handle_offset_commit(RequestContext ctx, group::OffsetManager* offsets,
                                               group::GroupMembership* membership) {
  protocol::Reader reader = ctx.body();
  auto decoded = OffsetCommitRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed OffsetCommit request: " + decoded.error().message());
  const OffsetCommitRequest& request = decoded.value();
  if (!group::OffsetManager::valid_group_id(request.group_id)) {
    co_return respond(ctx, commit_response(request, ErrorCode::invalid_group_id, {}));
  }
  if (!offsets->coordinates(request.group_id)) {
    co_return respond(ctx, commit_response(request, ErrorCode::not_coordinator, {}));
  }
  if (ctx.api_version() >= 1) {
    group::CommitAuthor author;
    author.generation_id = request.generation_id;
    author.member_id = request.member_id;
    author.group_instance_id = request.group_instance_id;
    const ErrorCode authorized = co_await membership->authorize_commit(request.group_id, std::move(author));
    if (authorized != ErrorCode::none) co_return respond(ctx, commit_response(request, authorized, {}));
  }
  const auto snapshot = offsets->metadata().snapshot();
  const TimestampMs now = now_ms();
  std::map<TopicPartition, ErrorCode> errors;
  GroupOffsetMap to_store;
  for (const auto& topic : request.topics) {
    for (const auto& partition : topic.partitions) {
      TopicPartition tp{topic.name, partition.partition_index};
      const std::string metadata = partition.committed_metadata.value_or("");
      if (!partition_exists(*snapshot, tp)) {
        errors[tp] = ErrorCode::unknown_topic_or_partition;
      } else if (metadata.size() > static_cast<size_t>(offsets->config().offset_metadata_max_bytes)) {
        errors[tp] = ErrorCode::offset_metadata_too_large;
      } else {
        CommittedOffset committed;
        committed.offset = partition.committed_offset;
        committed.leader_epoch = partition.committed_leader_epoch;
        committed.metadata = metadata;
        committed.commit_timestamp =
            ctx.api_version() == 1 && partition.commit_timestamp >= 0 ? TimestampMs(partition.commit_timestamp) : now;
        to_store[tp] = std::move(committed);
      }
    }
  }
  if (!to_store.empty()) {
    std::vector<TopicPartition> stored;
    for (const auto& [tp, unused] : to_store) stored.push_back(tp);
    const Status written = co_await offsets->commit(request.group_id, std::move(to_store));
    if (!written) {
      for (const TopicPartition& tp : stored) errors[tp] = ErrorCode::coordinator_not_available;
    }
  }
  co_return respond(ctx, commit_response(request, std::nullopt, errors));
}

OffsetFetchResponse::OffsetFetchResponsePartition fetched(PartitionId partition, Offset offset, LeaderEpoch epoch,
                                                          std::string metadata, ErrorCode error) {
  OffsetFetchResponse::OffsetFetchResponsePartition p;
  p.partition_index = partition;
  p.committed_offset = offset;
  p.committed_leader_epoch = epoch;
  p.metadata = std::move(metadata);
  p.error_code = code(error);
  return p;
}

// A group-level error: top level in v2+ (no partitions), per requested partition in v0-1.
OffsetFetchResponse fetch_error(const OffsetFetchRequest& request, int16_t version, ErrorCode error) {
  OffsetFetchResponse response;
  if (version >= 2) {
    response.error_code = code(error);
    return response;
  }
  for (const auto& topic : request.topics.value_or(std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{})) {
    OffsetFetchResponse::OffsetFetchResponseTopic out;
    out.name = topic.name;
    for (const PartitionId p : topic.partition_indexes) {
      out.partitions.push_back(fetched(p, Offset(-1), kNoLeaderEpoch, "", error));
    }
    response.topics.push_back(std::move(out));
  }
  return response;
}

asio::awaitable<Response> handle_offset_fetch(RequestContext ctx, group::OffsetManager* offsets) {
  protocol::Reader reader = ctx.body();
  auto decoded = OffsetFetchRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed OffsetFetch request: " + decoded.error().message());
  const OffsetFetchRequest& request = decoded.value();
  const int16_t version = ctx.api_version();
  if (!group::OffsetManager::valid_group_id(request.group_id)) {
    co_return respond(ctx, fetch_error(request, version, ErrorCode::invalid_group_id));
  }
  if (!offsets->coordinates(request.group_id)) {
    co_return respond(ctx, fetch_error(request, version, ErrorCode::not_coordinator));
  }
  auto committed = co_await offsets->fetch(request.group_id);
  if (!committed) co_return respond(ctx, fetch_error(request, version, ErrorCode::coordinator_not_available));
  const GroupOffsetMap& all = committed.value();
  OffsetFetchResponse response;
  if (!request.topics) {  // v2+: every committed partition
    for (const auto& [tp, c] : all) {
      if (response.topics.empty() || response.topics.back().name != tp.topic) {
        response.topics.emplace_back();
        response.topics.back().name = tp.topic;
      }
      response.topics.back().partitions.push_back(fetched(tp.partition, c.offset, c.leader_epoch, c.metadata, ErrorCode::none));
    }
    co_return respond(ctx, response);
  }
  const auto snapshot = offsets->metadata().snapshot();
  for (const auto& topic : *request.topics) {
    OffsetFetchResponse::OffsetFetchResponseTopic out;
    out.name = topic.name;
    for (const PartitionId p : topic.partition_indexes) {
      const TopicPartition tp{topic.name, p};
      const auto it = all.find(tp);
      if (version == 0 && (it == all.end() || !partition_exists(*snapshot, tp))) {
        out.partitions.push_back(fetched(p, Offset(-1), kNoLeaderEpoch, "", ErrorCode::unknown_topic_or_partition));
      } else if (it == all.end()) {
        out.partitions.push_back(fetched(p, Offset(-1), kNoLeaderEpoch, "", ErrorCode::none));
      } else {
        const CommittedOffset& c = it->second;
        out.partitions.push_back(fetched(p, c.offset, c.leader_epoch, c.metadata, ErrorCode::none));
      }
    }
    response.topics.push_back(std::move(out));
  }
  co_return respond(ctx, response);
}

asio::awaitable<Response> handle_delete_groups(RequestContext ctx, group::OffsetManager* offsets) {
  protocol::Reader reader = ctx.body();
  auto decoded = protocol::DeleteGroupsRequest::decode(reader, ctx.api_version());
  if (!decoded) co_return Response::close("malformed DeleteGroups request: " + decoded.error().message());
  protocol::DeleteGroupsResponse response;
  for (const std::string& group_id : decoded.value().groups_names) {
    protocol::DeleteGroupsResponse::DeletableGroupResult result;
    result.group_id = group_id;
    ErrorCode error = ErrorCode::none;
    if (!group::OffsetManager::valid_group_id(group_id)) {
      error = ErrorCode::invalid_group_id;
    } else if (!offsets->coordinates(group_id)) {
      error = ErrorCode::not_coordinator;
    } else {
      error = co_await offsets->delete_group(group_id);
    }
    result.error_code = code(error);
    response.results.push_back(std::move(result));
  }
  co_return respond(ctx, response);
}

}  // namespace

Handler offset_commit_handler(group::OffsetManager* offsets, group::GroupMembership* membership) {
  return Handler{.key = protocol::ApiKey::offset_commit,
                 .min_version = 0,
                 .max_version = 8,
                 .fn = [offsets, membership](RequestContext ctx) {
                   return handle_offset_commit(std::move(ctx), offsets, membership);
                 }};
}

Handler offset_fetch_handler(group::OffsetManager* offsets) {
  return Handler{.key = protocol::ApiKey::offset_fetch,
                 .min_version = 0,
                 .max_version = 7,
                 .fn = [offsets](RequestContext ctx) { return handle_offset_fetch(std::move(ctx), offsets); }};
}

Handler delete_groups_handler(group::OffsetManager* offsets) {
  return Handler{.key = protocol::ApiKey::delete_groups,
                 .min_version = 0,
                 .max_version = 2,
                 .fn = [offsets](RequestContext ctx) { return handle_delete_groups(std::move(ctx), offsets); }};
}

}  // namespace sluice::broker
