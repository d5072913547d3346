// The group coordinator's membership half (issue 5) over real sockets: an in-process broker on a
// real ZooKeeper driven with raw JoinGroup / SyncGroup / Heartbeat / LeaveGroup / DescribeGroups /
// ListGroups requests (Kafka 2.8's state machine, timers and error codes), NOT_COORDINATOR from
// real sluice-broker processes when a group hashes elsewhere or moves away, and two
// confluent-kafka consumers sharing a topic's partitions (tests/interop/confluent_group_share.py).
// group.initial.rebalance.delay.ms=0 and a lowered group.min.session.timeout.ms keep it fast.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "broker/tests/cluster_fixture.h"
#include "broker/tests/kafka_server_fixture.h"
#include "broker/tests/test_client.h"
#include "broker/tests/wire_calls.h"
#include "protocol/messages/describe_groups_request.h"
#include "protocol/messages/describe_groups_response.h"
#include "protocol/messages/heartbeat_request.h"
#include "protocol/messages/heartbeat_response.h"
#include "protocol/messages/join_group_request.h"
#include "protocol/messages/join_group_response.h"
#include "protocol/messages/leave_group_request.h"
#include "protocol/messages/leave_group_response.h"
#include "protocol/messages/list_groups_request.h"
#include "protocol/messages/list_groups_response.h"
#include "protocol/messages/offset_commit_request.h"
#include "protocol/messages/offset_commit_response.h"
#include "protocol/messages/response_header.h"
#include "protocol/messages/sync_group_request.h"
#include "protocol/messages/sync_group_response.h"

namespace sluice::broker {
namespace {

using protocol::DescribeGroupsRequest;
using protocol::DescribeGroupsResponse;
using protocol::HeartbeatRequest;
using protocol::HeartbeatResponse;
using protocol::JoinGroupRequest;
using protocol::JoinGroupResponse;
using protocol::LeaveGroupRequest;
using protocol::LeaveGroupResponse;
using protocol::ListGroupsRequest;
using protocol::ListGroupsResponse;
using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;
using protocol::SyncGroupRequest;
using protocol::SyncGroupResponse;
using testing::call;
using testing::KafkaServerFixture;
using testing::TestClient;
using testing::text;

constexpr int16_t kNone = 0;
constexpr int16_t kNotCoordinator = 16;
constexpr int16_t kIllegalGeneration = 22;
constexpr int16_t kInconsistentProtocol = 23;
constexpr int16_t kInvalidGroupId = 24;
constexpr int16_t kUnknownMember = 25;
constexpr int16_t kInvalidSessionTimeout = 26;
constexpr int16_t kRebalanceInProgress = 27;
constexpr int16_t kMemberIdRequired = 79;
constexpr int16_t kGroupMaxSizeReached = 81;
constexpr int16_t kFencedInstanceId = 82;

const std::vector<std::string> kFastGroups = {"group.initial.rebalance.delay.ms=0", "group.min.session.timeout.ms=500"};

// A subscription-like metadata blob per member: opaque to the broker, so any bytes do.
JoinGroupRequest join_request(const std::string& group, const std::string& member, int32_t session_ms = 10000,
                              std::vector<std::pair<std::string, std::string>> protocols = {{"range", "meta"}},
                              std::string protocol_type = "consumer") {
  JoinGroupRequest request;
  request.group_id = group;
  request.session_timeout_ms = session_ms;
  request.rebalance_timeout_ms = 10000;
  request.member_id = member;
  request.protocol_type = std::move(protocol_type);
  for (auto& [name, metadata] : protocols) request.protocols.push_back({.name = name, .metadata = text(metadata)});
  return request;
}

template <typename Request>
void send(TestClient& client, int16_t version, const Request& request, int32_t correlation = 7) {
  ASSERT_TRUE(client.send(testing::encode_request(Request::kApiKey, version, correlation, request, version)));
}

// Reads the answer to a request sent earlier with send().
template <typename Response>
Response receive(TestClient& client, int16_t version, int32_t correlation = 7) {
  auto frame = client.read_frame();
  EXPECT_TRUE(frame) << "no response";
  if (!frame) return {};
  protocol::Reader r(*frame);
  auto header = protocol::ResponseHeader::decode(
      r, protocol::response_header_version(*protocol::find_api(Response::kApiKey), version));
  EXPECT_TRUE(header && header.value().correlation_id == correlation);
  auto body = Response::decode(r, version);
  EXPECT_TRUE(body) << body.error().message();
  EXPECT_TRUE(r.empty());
  return body ? body.value() : Response{};
}

JoinGroupResponse join(TestClient& client, int16_t version, const JoinGroupRequest& request) {
  auto reply = call<JoinGroupResponse>(client, version, request);
  return reply ? *reply : JoinGroupResponse{};
}

// JoinGroup v5 the way librdkafka does it: empty id, MEMBER_ID_REQUIRED, then again with the id.
std::string member_id_required_round_trip(TestClient& client, const std::string& group, int32_t session_ms = 10000) {
  const JoinGroupResponse first = join(client, 5, join_request(group, "", session_ms));
  EXPECT_EQ(first.error_code, kMemberIdRequired);
  EXPECT_EQ(first.generation_id, -1);
  EXPECT_TRUE(first.members.empty());
  return first.member_id;
}

int16_t heartbeat(TestClient& client, const std::string& group, int32_t generation, const std::string& member,
                  int16_t version = 3, std::optional<std::string> instance = std::nullopt) {
  HeartbeatRequest request;
  request.group_id = group;
  request.generation_id = generation;
  request.member_id = member;
  request.group_instance_id = std::move(instance);
  auto reply = call<HeartbeatResponse>(client, version, request);
  return reply ? reply->error_code : int16_t{-1};
}

SyncGroupRequest sync_request(const std::string& group, int32_t generation, const std::string& member,
                              std::map<std::string, std::string> assignments = {}) {
  SyncGroupRequest request;
  request.group_id = group;
  request.generation_id = generation;
  request.member_id = member;
  for (auto& [id, bytes] : assignments) request.assignments.push_back({.member_id = id, .assignment = text(bytes)});
  return request;
}

SyncGroupResponse sync(TestClient& client, int16_t version, const SyncGroupRequest& request) {
  auto reply = call<SyncGroupResponse>(client, version, request);
  return reply ? *reply : SyncGroupResponse{};
}

DescribeGroupsResponse::DescribedGroup describe(TestClient& client, const std::string& group, int16_t version = 4) {
  DescribeGroupsRequest request;
  request.groups = {group};
  auto reply = call<DescribeGroupsResponse>(client, version, request);
  EXPECT_TRUE(reply && reply->groups.size() == 1);
  return reply && reply->groups.size() == 1 ? reply->groups[0] : DescribeGroupsResponse::DescribedGroup{};
}

ListGroupsResponse list(TestClient& client, int16_t version = 4, std::vector<std::string> states = {}) {
  ListGroupsRequest request;
  request.states_filter = std::move(states);
  auto reply = call<ListGroupsResponse>(client, version, request);
  return reply ? *reply : ListGroupsResponse{};
}

std::string as_string(const Bytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Heartbeats every 100 ms until the answer is `want` (bounded: 30 s); the last answer.
int16_t heartbeat_until(TestClient& client, const std::string& group, int32_t generation, const std::string& member,
                        int16_t want) {
  int16_t last = -1;
  testing::eventually([&] {
    last = heartbeat(client, group, generation, member);
    if (last == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return false;
  });
  return last;
}

// Two members in a Stable group at generation 2: A joined alone (generation 1, leader), then B
// joined, A rejoined after its heartbeat said REBALANCE_IN_PROGRESS, and A's assignment was
// synced. Filled by form_two_member_group.
struct TwoMembers {
  std::string a;
  std::string b;
  int32_t generation = -1;
};

TwoMembers form_two_member_group(TestClient& ca, TestClient& cb, const std::string& group, int32_t session_ms = 10000) {
  TwoMembers g;
  g.a = member_id_required_round_trip(ca, group, session_ms);
  const JoinGroupResponse a1 = join(ca, 5, join_request(group, g.a, session_ms));
  EXPECT_EQ(a1.error_code, kNone);
  EXPECT_EQ(a1.generation_id, 1);
  EXPECT_EQ(a1.leader, g.a);
  EXPECT_EQ(sync(ca, 3, sync_request(group, 1, g.a, {{g.a, "all-to-a"}})).error_code, kNone);
  EXPECT_EQ(heartbeat(ca, group, 1, g.a), kNone);

  g.b = member_id_required_round_trip(cb, group, session_ms);
  send(cb, 5, join_request(group, g.b, session_ms));  // parked until A rejoins
  EXPECT_EQ(heartbeat_until(ca, group, 1, g.a, kRebalanceInProgress), kRebalanceInProgress);
  const JoinGroupResponse a2 = join(ca, 5, join_request(group, g.a, session_ms));
  const auto b2 = receive<JoinGroupResponse>(cb, 5);
  EXPECT_EQ(a2.error_code, kNone);
  EXPECT_EQ(b2.error_code, kNone);
  EXPECT_EQ(a2.generation_id, 2);
  EXPECT_EQ(b2.generation_id, 2);
  g.generation = a2.generation_id;
  return g;
}

class GroupMembership : public ::testing::Test {
 protected:
  KafkaServerFixture broker_{kFastGroups};
};

TEST_F(GroupMembership, TwoMembersJoinTheLeaderAssignsAndEachSyncsItsBytes) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "two-members";
  TwoMembers g = form_two_member_group(ca, cb, group);
  // Member id = client_id + "-" + UUID.
  const std::regex id_format("sluice-test-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(g.a, id_format)) << g.a;
  EXPECT_TRUE(std::regex_match(g.b, id_format)) << g.b;
  EXPECT_NE(g.a, g.b);

  // CompletingRebalance (generation 2): heartbeats are answered 0 while the leader assigns.
  EXPECT_EQ(heartbeat(ca, group, g.generation, g.a), kNone);  // CompletingRebalance: 0
  EXPECT_EQ(heartbeat(cb, group, g.generation, g.b), kNone);
  send(cb, 5, sync_request(group, g.generation, g.b));  // the follower's sync waits for the leader
  const SyncGroupResponse sa =
      sync(ca, 3, sync_request(group, g.generation, g.a, {{g.a, "bytes-for-a"}, {g.b, "bytes-for-b"}}));
  const auto sb = receive<SyncGroupResponse>(cb, 5);
  EXPECT_EQ(sa.error_code, kNone);
  EXPECT_EQ(sb.error_code, kNone);
  EXPECT_EQ(as_string(sa.assignment), "bytes-for-a");
  EXPECT_EQ(as_string(sb.assignment), "bytes-for-b");
  EXPECT_EQ(sb.protocol_type, "consumer");  // v5 carries them
  EXPECT_EQ(sb.protocol_name, "range");

  // Stable: heartbeats 0, a stale generation 22, an unknown member 25; a follower rejoining with
  // the same metadata gets the current generation at once and no member list.
  EXPECT_EQ(heartbeat(ca, group, g.generation, g.a), kNone);
  EXPECT_EQ(heartbeat(cb, group, g.generation - 1, g.b), kIllegalGeneration);
  EXPECT_EQ(heartbeat(cb, group, g.generation, "sluice-test-nobody"), kUnknownMember);
  EXPECT_EQ(sync(cb, 3, sync_request(group, g.generation - 1, g.b)).error_code, kIllegalGeneration);
  const JoinGroupResponse again = join(cb, 5, join_request(group, g.b));
  EXPECT_EQ(again.error_code, kNone);
  EXPECT_EQ(again.generation_id, g.generation);
  EXPECT_EQ(again.leader, g.a);
  EXPECT_TRUE(again.members.empty());

  const auto described = describe(ca, group);
  EXPECT_EQ(described.error_code, kNone);
  EXPECT_EQ(described.group_state, "Stable");
  EXPECT_EQ(described.protocol_type, "consumer");
  EXPECT_EQ(described.protocol_data, "range");
  ASSERT_EQ(described.members.size(), 2u);
  std::map<std::string, std::string> assignments;
  for (const auto& m : described.members) {
    EXPECT_EQ(m.client_id, "sluice-test");
    EXPECT_EQ(m.client_host, "127.0.0.1");
    EXPECT_EQ(as_string(m.member_metadata), "meta");
    assignments[m.member_id] = as_string(m.member_assignment);
  }
  EXPECT_EQ(assignments[g.a], "bytes-for-a");
  EXPECT_EQ(assignments[g.b], "bytes-for-b");

  const ListGroupsResponse listed = list(ca, 4, {"Stable"});
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, group);
  EXPECT_EQ(listed.groups[0].protocol_type, "consumer");
  EXPECT_EQ(listed.groups[0].group_state, "Stable");
  EXPECT_TRUE(list(ca, 4, {"Empty"}).groups.empty());
}

// Only the leader's JoinGroup answer lists the members (with their metadata); a follower's is empty.
TEST_F(GroupMembership, OnlyTheLeaderGetsTheMemberList) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "leader-members";
  const std::string a = member_id_required_round_trip(ca, group);
  ASSERT_EQ(join(ca, 5, join_request(group, a)).error_code, kNone);
  ASSERT_EQ(sync(ca, 3, sync_request(group, 1, a, {{a, "x"}})).error_code, kNone);
  const std::string b = member_id_required_round_trip(cb, group);
  JoinGroupRequest b_join = join_request(group, b, 10000, {{"range", "meta-b"}});
  send(cb, 5, b_join);
  ASSERT_EQ(heartbeat_until(ca, group, 1, a, kRebalanceInProgress), kRebalanceInProgress);
  const JoinGroupResponse leader = join(ca, 5, join_request(group, a, 10000, {{"range", "meta-a"}}));
  const auto follower = receive<JoinGroupResponse>(cb, 5);
  EXPECT_EQ(leader.leader, a);
  EXPECT_EQ(follower.leader, a);
  EXPECT_EQ(leader.protocol_name, "range");
  EXPECT_EQ(follower.protocol_name, "range");
  EXPECT_TRUE(follower.members.empty());
  ASSERT_EQ(leader.members.size(), 2u);
  std::map<std::string, std::string> metadata;
  for (const auto& m : leader.members) metadata[m.member_id] = as_string(m.metadata);
  EXPECT_EQ(metadata[a], "meta-a");
  EXPECT_EQ(metadata[b], "meta-b");
  // CompletingRebalance: described without metadata or assignment, no protocol yet.
  const auto described = describe(ca, group);
  EXPECT_EQ(described.group_state, "CompletingRebalance");
  EXPECT_EQ(described.protocol_data, "");
  ASSERT_EQ(described.members.size(), 2u);
  EXPECT_TRUE(described.members[0].member_metadata.empty());
}

// v0-v3 have no KIP-394: an empty member id joins at once. v4 asks for the id first.
TEST_F(GroupMembership, OldJoinVersionsNeedNoMemberIdRoundTrip) {
  ASSERT_TRUE(broker_.started());
  TestClient client(broker_.port());
  for (int16_t version = 0; version <= 3; ++version) {
    SCOPED_TRACE(version);
    const std::string group = testing::tag_of("old-", version);
    const JoinGroupResponse joined = join(client, version, join_request(group, ""));
    EXPECT_EQ(joined.error_code, kNone);
    EXPECT_EQ(joined.generation_id, 1);
    EXPECT_FALSE(joined.member_id.empty());
    EXPECT_EQ(joined.leader, joined.member_id);
    ASSERT_EQ(joined.members.size(), 1u);
    EXPECT_EQ(sync(client, 0, sync_request(group, 1, joined.member_id, {{joined.member_id, "a"}})).error_code, kNone);
    EXPECT_EQ(heartbeat(client, group, 1, joined.member_id, 0), kNone);
  }
  const JoinGroupResponse v4 = join(client, 4, join_request("new-4", ""));
  EXPECT_EQ(v4.error_code, kMemberIdRequired);
  EXPECT_FALSE(v4.member_id.empty());
  // The pending id is accepted on the rejoin; an id never handed out is not.
  EXPECT_EQ(join(client, 4, join_request("new-4", v4.member_id)).error_code, kNone);
  EXPECT_EQ(join(client, 4, join_request("new-4", "sluice-test-made-up")).error_code, kUnknownMember);
}

TEST_F(GroupMembership, SessionExpiryRemovesTheSilentMemberAndRebalances) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "expiry";
  TwoMembers g = form_two_member_group(ca, cb, group, 1000);
  send(cb, 3, sync_request(group, g.generation, g.b));
  ASSERT_EQ(sync(ca, 3, sync_request(group, g.generation, g.a, {{g.a, "1"}, {g.b, "2"}})).error_code, kNone);
  ASSERT_EQ(receive<SyncGroupResponse>(cb, 3).error_code, kNone);
  // A keeps heartbeating; B falls silent and is removed after its 1 s session timeout.
  EXPECT_EQ(heartbeat_until(ca, group, g.generation, g.a, kRebalanceInProgress), kRebalanceInProgress);
  EXPECT_EQ(describe(ca, group).group_state, "PreparingRebalance");
  const JoinGroupResponse alone = join(ca, 5, join_request(group, g.a, 1000));
  EXPECT_EQ(alone.error_code, kNone);
  EXPECT_EQ(alone.generation_id, g.generation + 1);
  ASSERT_EQ(alone.members.size(), 1u);
  EXPECT_EQ(alone.members[0].member_id, g.a);
  EXPECT_EQ(heartbeat(cb, group, g.generation, g.b), kUnknownMember);
}

TEST_F(GroupMembership, LeaveRebalancesAndAnEmptyGroupIsEmpty) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "leaving";
  TwoMembers g = form_two_member_group(ca, cb, group);
  send(cb, 3, sync_request(group, g.generation, g.b));
  ASSERT_EQ(sync(ca, 3, sync_request(group, g.generation, g.a, {{g.a, "1"}, {g.b, "2"}})).error_code, kNone);
  ASSERT_EQ(receive<SyncGroupResponse>(cb, 3).error_code, kNone);

  LeaveGroupRequest leave_b;
  leave_b.group_id = group;
  leave_b.member_id = g.b;
  auto left = call<LeaveGroupResponse>(cb, 1, leave_b);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, kNone);
  left = call<LeaveGroupResponse>(cb, 1, leave_b);  // no longer a member
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, kUnknownMember);
  EXPECT_EQ(heartbeat(ca, group, g.generation, g.a), kRebalanceInProgress);
  const JoinGroupResponse alone = join(ca, 5, join_request(group, g.a));
  EXPECT_EQ(alone.generation_id, g.generation + 1);
  EXPECT_EQ(alone.members.size(), 1u);

  // v3+: per-member errors.
  LeaveGroupRequest leave_a;
  leave_a.group_id = group;
  leave_a.members.push_back({.member_id = g.a, .group_instance_id = std::nullopt});
  leave_a.members.push_back({.member_id = "sluice-test-nobody", .group_instance_id = std::nullopt});
  auto batch = call<LeaveGroupResponse>(ca, 3, leave_a);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->error_code, kNone);
  ASSERT_EQ(batch->members.size(), 2u);
  EXPECT_EQ(batch->members[0].error_code, kNone);
  EXPECT_EQ(batch->members[1].error_code, kUnknownMember);

  const auto described = describe(ca, group);
  EXPECT_EQ(described.group_state, "Empty");
  EXPECT_TRUE(described.members.empty());
  const ListGroupsResponse listed = list(ca, 4, {"Empty"});
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, group);
  EXPECT_EQ(listed.groups[0].group_state, "Empty");
  // A member of the Empty group's old generation is unknown now.
  EXPECT_EQ(heartbeat(ca, group, g.generation + 1, g.a), kUnknownMember);
}

TEST_F(GroupMembership, BadRequestsGetKafkasErrors) {
  ASSERT_TRUE(broker_.started());
  TestClient client(broker_.port());
  // Session timeout outside group.min/max.session.timeout.ms (500 .. 1800000 here).
  EXPECT_EQ(join(client, 5, join_request("g", "", 100)).error_code, kInvalidSessionTimeout);
  EXPECT_EQ(join(client, 5, join_request("g", "", 1800001)).error_code, kInvalidSessionTimeout);
  // An empty group id is invalid for Join, Sync, Heartbeat and Leave (not for Describe).
  EXPECT_EQ(join(client, 5, join_request("", "")).error_code, kInvalidGroupId);
  EXPECT_EQ(sync(client, 3, sync_request("", 1, "m")).error_code, kInvalidGroupId);
  EXPECT_EQ(heartbeat(client, "", 1, "m"), kInvalidGroupId);
  LeaveGroupRequest leave;
  leave.member_id = "m";
  auto left = call<LeaveGroupResponse>(client, 0, leave);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, kInvalidGroupId);
  // Unknown group: members are unknown; DescribeGroups says Dead with error 0.
  EXPECT_EQ(heartbeat(client, "nowhere", 1, "m"), kUnknownMember);
  EXPECT_EQ(sync(client, 3, sync_request("nowhere", 1, "m")).error_code, kUnknownMember);
  EXPECT_EQ(join(client, 5, join_request("nowhere", "m")).error_code, kUnknownMember);
  const auto dead = describe(client, "nowhere");
  EXPECT_EQ(dead.error_code, kNone);
  EXPECT_EQ(dead.group_state, "Dead");
  EXPECT_EQ(describe(client, "").group_state, "Dead");

  // INCONSISTENT_GROUP_PROTOCOL: another protocol type, or no protocol in common.
  const JoinGroupResponse first = join(client, 3, join_request("proto", ""));
  ASSERT_EQ(first.error_code, kNone);
  ASSERT_EQ(sync(client, 3, sync_request("proto", 1, first.member_id)).error_code, kNone);
  TestClient other(broker_.port());
  EXPECT_EQ(join(other, 3, join_request("proto", "", 10000, {{"range", "m"}}, "connect")).error_code,
            kInconsistentProtocol);
  EXPECT_EQ(join(other, 3, join_request("proto", "", 10000, {{"roundrobin", "m"}})).error_code, kInconsistentProtocol);
  // An empty group takes no empty protocol type or list either.
  EXPECT_EQ(join(other, 3, join_request("fresh", "", 10000, {}, "consumer")).error_code, kInconsistentProtocol);
  // SyncGroup v5 checks the protocol type and name it carries.
  SyncGroupRequest wrong_name = sync_request("proto", 1, first.member_id);
  wrong_name.protocol_type = "consumer";
  wrong_name.protocol_name = "roundrobin";
  EXPECT_EQ(sync(client, 5, wrong_name).error_code, kInconsistentProtocol);
}

// The protocol vote: among protocols every member supports, each votes for its first one.
TEST_F(GroupMembership, TheProtocolEveryMemberSupportsWinsTheVote) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "vote";
  const JoinGroupResponse a = join(ca, 3, join_request(group, "", 10000, {{"sticky", "1"}, {"roundrobin", "1"}, {"range", "1"}}));
  ASSERT_EQ(a.error_code, kNone);
  EXPECT_EQ(a.protocol_name, "sticky");  // alone: its first choice
  ASSERT_EQ(sync(ca, 3, sync_request(group, 1, a.member_id)).error_code, kNone);
  // B lacks sticky and prefers range; A's first common choice is roundrobin: one vote each,
  // so the tie goes to the first member's preference.
  send(cb, 3, join_request(group, "", 10000, {{"range", "2"}, {"roundrobin", "2"}}));
  ASSERT_EQ(heartbeat_until(ca, group, 1, a.member_id, kRebalanceInProgress), kRebalanceInProgress);
  const JoinGroupResponse a2 = join(ca, 3, join_request(group, a.member_id, 10000, {{"sticky", "1"}, {"roundrobin", "1"}, {"range", "1"}}));
  const auto b2 = receive<JoinGroupResponse>(cb, 3);
  EXPECT_EQ(a2.protocol_name, "roundrobin");
  EXPECT_EQ(b2.protocol_name, "roundrobin");
  // A third member supporting only range leaves range as the one protocol everyone supports.
  ASSERT_EQ(sync(ca, 3, sync_request(group, 2, a.member_id)).error_code, kNone);
  TestClient cc(broker_.port());
  send(cc, 3, join_request(group, "", 10000, {{"range", "3"}}));
  ASSERT_EQ(heartbeat_until(ca, group, 2, a.member_id, kRebalanceInProgress), kRebalanceInProgress);
  send(cb, 3, join_request(group, b2.member_id, 10000, {{"range", "2"}, {"roundrobin", "2"}}));
  const JoinGroupResponse a3 = join(ca, 3, join_request(group, a.member_id, 10000, {{"sticky", "1"}, {"roundrobin", "1"}, {"range", "1"}}));
  EXPECT_EQ(a3.protocol_name, "range");
  EXPECT_EQ(a3.members.size(), 3u);
  EXPECT_EQ(receive<JoinGroupResponse>(cb, 3).protocol_name, "range");
  EXPECT_EQ(receive<JoinGroupResponse>(cc, 3).protocol_name, "range");
}

// --- static membership (KIP-345) ----------------------------------------------------------------

// JoinGroup v5 of a static member: the instance id set, so no MEMBER_ID_REQUIRED round trip.
JoinGroupRequest static_join(const std::string& group, const std::string& member, const std::string& instance,
                             int32_t rebalance_ms = 10000) {
  JoinGroupRequest request = join_request(group, member);
  request.group_instance_id = instance;
  request.rebalance_timeout_ms = rebalance_ms;
  return request;
}

// The error of an OffsetCommit of partition 0 of `topic` (one partition, so one error).
int16_t commit_error(TestClient& client, int16_t version, const std::string& group, int32_t generation,
                     const std::string& member, std::optional<std::string> instance, const std::string& topic) {
  OffsetCommitRequest request;
  request.group_id = group;
  request.generation_id = generation;
  request.member_id = member;
  request.group_instance_id = std::move(instance);
  OffsetCommitRequest::OffsetCommitRequestPartition p;
  p.partition_index = PartitionId(0);
  p.committed_offset = Offset(5);
  p.committed_metadata = "";
  p.committed_leader_epoch = LeaderEpoch(-1);
  request.topics.push_back({topic, {p}});
  auto reply = call<OffsetCommitResponse>(client, version, request);
  if (!reply || reply->topics.size() != 1 || reply->topics[0].partitions.size() != 1) return -1;
  return reply->topics[0].partitions[0].error_code;
}

// A static leader "restarts" (joins again with its instance id and an empty member id) while the
// group is Stable: it gets a new member id and the current generation with no rebalance, is
// answered as a follower (the leader named is its old id), and SyncGroup gives it the assignment
// it had. Its old id is fenced on Heartbeat, SyncGroup, JoinGroup and OffsetCommit.
TEST_F(GroupMembership, StaticMemberRejoinsWithoutRebalanceAndItsOldIdIsFenced) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "static-rejoin";
  const JoinGroupResponse a1 = join(ca, 5, static_join(group, "", "inst-a"));
  ASSERT_EQ(a1.error_code, kNone);  // no MEMBER_ID_REQUIRED for a static member
  ASSERT_EQ(a1.generation_id, 1);
  const std::string a = a1.member_id;
  const std::regex id_format("inst-a-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(a, id_format)) << a;
  EXPECT_EQ(a1.leader, a);
  ASSERT_EQ(sync(ca, 3, sync_request(group, 1, a, {{a, "x"}})).error_code, kNone);

  const std::string b = member_id_required_round_trip(cb, group);
  send(cb, 5, join_request(group, b));
  ASSERT_EQ(heartbeat_until(ca, group, 1, a, kRebalanceInProgress), kRebalanceInProgress);
  const JoinGroupResponse a2 = join(ca, 5, static_join(group, a, "inst-a"));
  const auto b2 = receive<JoinGroupResponse>(cb, 5);
  ASSERT_EQ(a2.error_code, kNone);
  ASSERT_EQ(b2.error_code, kNone);
  const int32_t generation = a2.generation_id;
  ASSERT_EQ(generation, 2);
  ASSERT_EQ(a2.leader, a);
  ASSERT_EQ(a2.members.size(), 2u);
  for (const auto& m : a2.members) {
    EXPECT_EQ(m.group_instance_id, m.member_id == a ? std::optional<std::string>("inst-a") : std::nullopt);
  }
  send(cb, 3, sync_request(group, generation, b));
  ASSERT_EQ(sync(ca, 3, sync_request(group, generation, a, {{a, "bytes-a"}, {b, "bytes-b"}})).error_code, kNone);
  ASSERT_EQ(receive<SyncGroupResponse>(cb, 3).error_code, kNone);

  // The restart: a new connection, the same instance id, an empty member id.
  TestClient restarted(broker_.port());
  const JoinGroupResponse again = join(restarted, 5, static_join(group, "", "inst-a"));
  ASSERT_EQ(again.error_code, kNone);
  const std::string a_new = again.member_id;
  EXPECT_TRUE(std::regex_match(a_new, id_format)) << a_new;
  EXPECT_NE(a_new, a);
  EXPECT_EQ(again.generation_id, generation);
  EXPECT_EQ(again.protocol_name, "range");
  EXPECT_EQ(again.leader, a);  // the old id: the restarted leader does not assign again
  EXPECT_TRUE(again.members.empty());
  // No rebalance: B is undisturbed, the group Stable, and A's old assignment comes back.
  EXPECT_EQ(heartbeat(cb, group, generation, b), kNone);
  EXPECT_EQ(describe(cb, group).group_state, "Stable");
  SyncGroupRequest resync = sync_request(group, generation, a_new);
  resync.group_instance_id = "inst-a";
  const SyncGroupResponse synced = sync(restarted, 3, resync);
  EXPECT_EQ(synced.error_code, kNone);
  EXPECT_EQ(as_string(synced.assignment), "bytes-a");
  EXPECT_EQ(heartbeat(restarted, group, generation, a_new, 3, "inst-a"), kNone);

  // The old id is a zombie now.
  EXPECT_EQ(heartbeat(ca, group, generation, a, 3, "inst-a"), kFencedInstanceId);
  SyncGroupRequest old_sync = sync_request(group, generation, a);
  old_sync.group_instance_id = "inst-a";
  EXPECT_EQ(sync(ca, 3, old_sync).error_code, kFencedInstanceId);
  EXPECT_EQ(join(ca, 5, static_join(group, a, "inst-a")).error_code, kFencedInstanceId);
  EXPECT_EQ(commit_error(ca, 7, group, generation, a, "inst-a", "no-such-topic"), kFencedInstanceId);
  // Without the instance id the old id is just not a member; an unknown instance id with a
  // member id is told to rejoin from scratch.
  EXPECT_EQ(heartbeat(ca, group, generation, a, 0), kUnknownMember);
  EXPECT_EQ(join(ca, 5, static_join(group, b, "inst-other")).error_code, kUnknownMember);
  // Still no rebalance after all that.
  EXPECT_EQ(heartbeat(cb, group, generation, b), kNone);
  const auto described = describe(cb, group);
  ASSERT_EQ(described.members.size(), 2u);
  std::map<std::string, std::string> assignments;
  for (const auto& m : described.members) assignments[m.member_id] = as_string(m.member_assignment);
  EXPECT_EQ(assignments[a_new], "bytes-a");
  EXPECT_EQ(assignments[b], "bytes-b");
}

// A static member that misses a join phase stays in the group (the leader's answer lists it and
// it may sync into the new generation); LeaveGroup v3 naming only its instance removes it.
TEST_F(GroupMembership, StaticMemberSurvivesAMissedJoinAndLeavesByInstanceId) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "static-leave";
  constexpr int32_t kRebalanceMs = 1500;
  JoinGroupRequest a_join = join_request(group, member_id_required_round_trip(ca, group));
  a_join.rebalance_timeout_ms = kRebalanceMs;
  const JoinGroupResponse a1 = join(ca, 5, a_join);
  ASSERT_EQ(a1.error_code, kNone);
  const std::string a = a1.member_id;
  ASSERT_EQ(sync(ca, 3, sync_request(group, 1, a, {{a, "x"}})).error_code, kNone);
  send(cb, 5, static_join(group, "", "inst-b", kRebalanceMs));
  ASSERT_EQ(heartbeat_until(ca, group, 1, a, kRebalanceInProgress), kRebalanceInProgress);
  ASSERT_EQ(join(ca, 5, a_join).generation_id, 2);
  const auto b2 = receive<JoinGroupResponse>(cb, 5);
  ASSERT_EQ(b2.error_code, kNone);
  const std::string b = b2.member_id;
  send(cb, 3, sync_request(group, 2, b));
  ASSERT_EQ(sync(ca, 3, sync_request(group, 2, a, {{a, "1"}, {b, "2"}})).error_code, kNone);
  ASSERT_EQ(receive<SyncGroupResponse>(cb, 3).error_code, kNone);

  // The leader rejoins (a rebalance); B does not. The join phase runs out after the rebalance
  // timeout and B, being static, is still a member of generation 3.
  const JoinGroupResponse a3 = join(ca, 5, a_join);
  ASSERT_EQ(a3.error_code, kNone);
  EXPECT_EQ(a3.generation_id, 3);
  EXPECT_EQ(a3.leader, a);
  std::set<std::string> ids;
  for (const auto& m : a3.members) ids.insert(m.member_id);
  EXPECT_EQ(ids, (std::set<std::string>{a, b}));
  SyncGroupRequest b_sync = sync_request(group, 3, b);
  b_sync.group_instance_id = "inst-b";
  send(cb, 3, b_sync);
  ASSERT_EQ(sync(ca, 3, sync_request(group, 3, a, {{a, "3a"}, {b, "3b"}})).error_code, kNone);
  const auto b3 = receive<SyncGroupResponse>(cb, 3);
  EXPECT_EQ(b3.error_code, kNone);
  EXPECT_EQ(as_string(b3.assignment), "3b");

  // LeaveGroup v3: a wrong member id with the instance is fenced, the instance alone leaves, an
  // unknown instance is an unknown member.
  LeaveGroupRequest leave;
  leave.group_id = group;
  leave.members.push_back({.member_id = "sluice-test-wrong", .group_instance_id = "inst-b"});
  leave.members.push_back({.member_id = "", .group_instance_id = "inst-b"});
  leave.members.push_back({.member_id = "", .group_instance_id = "inst-nobody"});
  auto left = call<LeaveGroupResponse>(ca, 3, leave);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, kNone);
  ASSERT_EQ(left->members.size(), 3u);
  EXPECT_EQ(left->members[0].error_code, kFencedInstanceId);
  EXPECT_EQ(left->members[1].error_code, kNone);
  EXPECT_EQ(left->members[2].error_code, kUnknownMember);
  EXPECT_EQ(heartbeat(cb, group, 3, b, 3, "inst-b"), kUnknownMember);
  EXPECT_EQ(heartbeat(ca, group, 3, a), kRebalanceInProgress);
  const JoinGroupResponse alone = join(ca, 5, a_join);
  EXPECT_EQ(alone.generation_id, 4);
  ASSERT_EQ(alone.members.size(), 1u);
  EXPECT_EQ(alone.members[0].member_id, a);
}

// --- timers ---------------------------------------------------------------------------------------

// KAFKA-12890: B joins generation 2 but never sends SyncGroup. Though it keeps heartbeating
// (its session never runs out), it is removed once the rebalance timeout passes, and the group
// rebalances.
TEST_F(GroupMembership, AMemberThatNeverSyncsIsRemovedAfterTheRebalanceTimeout) {
  ASSERT_TRUE(broker_.started());
  TestClient ca(broker_.port());
  TestClient cb(broker_.port());
  const std::string group = "never-syncs";
  constexpr int32_t kRebalanceMs = 1500;
  JoinGroupRequest a_join = join_request(group, member_id_required_round_trip(ca, group));
  a_join.rebalance_timeout_ms = kRebalanceMs;
  const JoinGroupResponse a1 = join(ca, 5, a_join);
  ASSERT_EQ(a1.error_code, kNone);
  const std::string a = a1.member_id;
  ASSERT_EQ(sync(ca, 3, sync_request(group, 1, a, {{a, "x"}})).error_code, kNone);
  JoinGroupRequest b_join = join_request(group, member_id_required_round_trip(cb, group));
  b_join.rebalance_timeout_ms = kRebalanceMs;
  send(cb, 5, b_join);
  ASSERT_EQ(heartbeat_until(ca, group, 1, a, kRebalanceInProgress), kRebalanceInProgress);
  ASSERT_EQ(join(ca, 5, a_join).generation_id, 2);
  const auto b2 = receive<JoinGroupResponse>(cb, 5);
  ASSERT_EQ(b2.error_code, kNone);
  ASSERT_EQ(sync(ca, 3, sync_request(group, 2, a, {{a, "1"}, {b2.member_id, "2"}})).error_code, kNone);
  EXPECT_EQ(heartbeat(cb, group, 2, b2.member_id), kNone);  // Stable; B is still a member
  EXPECT_EQ(heartbeat_until(cb, group, 2, b2.member_id, kUnknownMember), kUnknownMember);
  EXPECT_EQ(heartbeat(ca, group, 2, a), kRebalanceInProgress);
  const JoinGroupResponse alone = join(ca, 5, a_join);
  EXPECT_EQ(alone.generation_id, 3);
  EXPECT_EQ(alone.members.size(), 1u);
}

// group.initial.rebalance.delay.ms (Kafka's default, 3000 ms here): out of Empty the join phase
// waits; a member arriving during the wait lands in the same first generation, and because one
// did, the phase is extended by another delay, so a third member arriving after the first delay
// (4.5 s, inside the extension ending at 6 s) still makes generation 1.
TEST(GroupMembershipInitialDelay, MembersJoiningDuringTheDelayShareTheFirstGeneration) {
  KafkaServerFixture broker({"group.min.session.timeout.ms=500"});
  ASSERT_TRUE(broker.started());
  TestClient ca(broker.port());
  TestClient cb(broker.port());
  TestClient cc(broker.port());
  const std::string group = "delayed";
  JoinGroupRequest request = join_request(group, "");
  request.rebalance_timeout_ms = 60000;
  const auto start = std::chrono::steady_clock::now();
  send(ca, 3, request);
  send(cb, 3, request);
  std::this_thread::sleep_until(start + std::chrono::milliseconds(4500));
  send(cc, 3, request);
  const auto a = receive<JoinGroupResponse>(ca, 3);
  const auto b = receive<JoinGroupResponse>(cb, 3);
  const auto c = receive<JoinGroupResponse>(cc, 3);
  EXPECT_EQ(a.error_code, kNone);
  EXPECT_EQ(b.error_code, kNone);
  EXPECT_EQ(c.error_code, kNone);
  EXPECT_EQ(a.generation_id, 1);
  EXPECT_EQ(b.generation_id, 1);
  EXPECT_EQ(c.generation_id, 1);
  EXPECT_EQ(a.leader, a.member_id);  // the first member added leads
  EXPECT_EQ(b.leader, a.member_id);
  EXPECT_EQ(a.members.size(), 3u);
}

// --- groups that only have offsets; empty groups leave memory -----------------------------------

// A "simple" commit (generation -1, no member) to a group never joined: DescribeGroups says
// Empty (not Dead) with no protocol type, ListGroups lists it as Empty.
TEST_F(GroupMembership, AnOffsetsOnlyGroupIsDescribedAndListedAsEmpty) {
  ASSERT_TRUE(broker_.started());
  ASSERT_EQ(broker_.host("t"), protocol::ErrorCode::none);
  TestClient client(broker_.port());
  EXPECT_EQ(describe(client, "offsets-only").group_state, "Dead");
  EXPECT_EQ(commit_error(client, 2, "offsets-only", -1, "", std::nullopt, "t"), kNone);
  const auto described = describe(client, "offsets-only");
  EXPECT_EQ(described.error_code, kNone);
  EXPECT_EQ(described.group_state, "Empty");
  EXPECT_EQ(described.protocol_type, "");
  EXPECT_TRUE(described.members.empty());
  const ListGroupsResponse listed = list(client, 4, {"Empty"});
  ASSERT_EQ(listed.groups.size(), 1u);
  EXPECT_EQ(listed.groups[0].group_id, "offsets-only");
  EXPECT_EQ(listed.groups[0].protocol_type, "");
  EXPECT_EQ(listed.groups[0].group_state, "Empty");
  EXPECT_TRUE(list(client, 4, {"Stable"}).groups.empty());
  const ListGroupsResponse v0 = list(client, 0);
  ASSERT_EQ(v0.groups.size(), 1u);
  EXPECT_EQ(v0.groups[0].group_id, "offsets-only");
}

// Every offsets.retention.check.interval.ms the coordinator drops Empty groups that have no
// committed offsets (Kafka's cleanupGroupMetadata). A group that is known in memory is listed
// with its protocol type; one known only by its offsets with protocol type "".
TEST(GroupMembershipCleanup, EmptyGroupsWithoutOffsetsLeaveMemory) {
  std::vector<std::string> settings = kFastGroups;
  settings.push_back("offsets.retention.check.interval.ms=200");
  KafkaServerFixture broker(settings);
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  TestClient client(broker.port());
  auto join_and_leave = [&](const std::string& group, bool commit) {
    const JoinGroupResponse joined = join(client, 3, join_request(group, ""));
    ASSERT_EQ(joined.error_code, kNone);
    ASSERT_EQ(sync(client, 3, sync_request(group, 1, joined.member_id)).error_code, kNone);
    if (commit) {
      ASSERT_EQ(commit_error(client, 2, group, 1, joined.member_id, std::nullopt, "t"), kNone);
    }
    LeaveGroupRequest leave;
    leave.group_id = group;
    leave.member_id = joined.member_id;
    auto left = call<LeaveGroupResponse>(client, 1, leave);
    ASSERT_TRUE(left);
    ASSERT_EQ(left->error_code, kNone);
  };
  auto listed_type = [&](const std::string& group) -> std::optional<std::string> {
    for (const auto& g : list(client).groups) {
      if (g.group_id == group) return g.protocol_type;
    }
    return std::nullopt;
  };
  join_and_leave("kept", true);
  join_and_leave("transient", false);
  EXPECT_TRUE(testing::eventually([&] { return !listed_type("transient"); }));
  EXPECT_EQ(describe(client, "transient").group_state, "Dead");
  // The pass that dropped "transient" saw "kept" Empty too, and kept it for its offsets.
  EXPECT_EQ(listed_type("kept"), std::optional<std::string>("consumer"));
  EXPECT_EQ(describe(client, "kept").protocol_type, "consumer");

  // Once its offsets expire (an expiry pass a year from now), "kept" goes as well.
  auto expire = [](group::OffsetManager* offsets, TimestampMs at) -> asio::awaitable<int64_t> {
    const Result<size_t> removed = co_await offsets->expire_offsets(at);
    co_return removed ? static_cast<int64_t>(removed.value()) : -1;
  };
  const auto year_ahead = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
  asio::io_context local;
  auto done = asio::co_spawn(
      local,
      expire(&broker.server().offset_manager(),
             TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(year_ahead.time_since_epoch()).count())),
      asio::use_future);
  local.run();
  EXPECT_EQ(done.get(), 1);
  EXPECT_TRUE(testing::eventually([&] { return !listed_type("kept"); }));
  EXPECT_EQ(describe(client, "kept").group_state, "Dead");
}

// Shutdown answers a parked JoinGroup (NOT_COORDINATOR) rather than leaving it, or its
// coroutine, behind (the ASan build checks for leaks).
TEST(GroupMembershipShutdown, ParkedJoinIsAnsweredWhenTheBrokerStops) {
  auto broker = std::make_unique<KafkaServerFixture>(kFastGroups);
  ASSERT_TRUE(broker->started());
  TestClient ca(broker->port());
  TestClient cb(broker->port());
  const JoinGroupResponse a = join(ca, 3, join_request("stopping", "", 60000));
  ASSERT_EQ(a.error_code, kNone);
  ASSERT_EQ(sync(ca, 3, sync_request("stopping", 1, a.member_id)).error_code, kNone);
  JoinGroupRequest b = join_request("stopping", "", 60000);
  b.rebalance_timeout_ms = 60000;
  send(cb, 3, b);
  ASSERT_EQ(heartbeat_until(ca, "stopping", 1, a.member_id, kRebalanceInProgress), kRebalanceInProgress);
  broker.reset();
  auto frame = cb.read_frame();
  ASSERT_TRUE(frame) << "the parked JoinGroup got no answer";
  protocol::Reader r(*frame);
  ASSERT_TRUE(protocol::ResponseHeader::decode(r, 0));
  auto body = JoinGroupResponse::decode(r, 3);
  ASSERT_TRUE(body);
  EXPECT_EQ(body.value().error_code, kNotCoordinator);
}

TEST(GroupMembershipLimits, GroupMaxSizeTurnsAwayTheExtraMember) {
  std::vector<std::string> settings = kFastGroups;
  settings.push_back("group.max.size=1");
  KafkaServerFixture broker(settings);
  ASSERT_TRUE(broker.started());
  TestClient ca(broker.port());
  TestClient cb(broker.port());
  const JoinGroupResponse a = join(ca, 3, join_request("small", ""));
  ASSERT_EQ(a.error_code, kNone);
  ASSERT_EQ(sync(ca, 3, sync_request("small", 1, a.member_id)).error_code, kNone);
  EXPECT_EQ(join(cb, 3, join_request("small", "")).error_code, kGroupMaxSizeReached);
  EXPECT_EQ(heartbeat(ca, "small", 1, a.member_id), kNone);  // the group is untouched
}

// Real sluice-broker processes: a group that hashes to another broker is refused, and a group
// whose coordinator moves (a broker joins) answers its parked and later requests NOT_COORDINATOR.
class GroupCoordinatorCluster : public testing::ClusterTest {
 protected:
  const std::map<std::string, std::string> kProps = {{"group.initial.rebalance.delay.ms", "0"},
                                                     {"group.min.session.timeout.ms", "500"}};
};

TEST_F(GroupCoordinatorCluster, NotCoordinatorWhenTheGroupHashesElsewhereOrMovesAway) {
  start_brokers(2, kProps);
  // docs/groups.md: with live brokers 0 and 1, "a" (hash 97) -> 1; "consumer-group-1" (hash
  // 147483020) -> 0, and -> 2 once broker 2 is live.
  ASSERT_TRUE(testing::eventually([&] {
    TestClient probe(broker(0).port());
    return join(probe, 3, join_request("a", "")).error_code == kNotCoordinator;
  })) << output();
  TestClient c0(broker(0).port());
  TestClient c1(broker(1).port());
  EXPECT_EQ(heartbeat(c0, "a", 1, "m"), kNotCoordinator);
  EXPECT_EQ(describe(c0, "a").error_code, kNotCoordinator);
  EXPECT_EQ(join(c1, 3, join_request("a", "")).error_code, kNone);

  const std::string group = "consumer-group-1";
  // Long timeouts: nothing but the move may end the join phase the second member waits in.
  const JoinGroupResponse a = join(c0, 3, join_request(group, "", 60000));
  ASSERT_EQ(a.error_code, kNone) << output();
  ASSERT_EQ(sync(c0, 3, sync_request(group, 1, a.member_id)).error_code, kNone);
  TestClient parked(broker(0).port());
  JoinGroupRequest second = join_request(group, "", 60000);
  second.rebalance_timeout_ms = 60000;
  send(parked, 3, second);  // waits for A to rejoin
  ASSERT_EQ(heartbeat_until(c0, group, 1, a.member_id, kRebalanceInProgress), kRebalanceInProgress);
  start_brokers(1, kProps, 2);
  EXPECT_EQ(receive<JoinGroupResponse>(parked, 3).error_code, kNotCoordinator);
  EXPECT_EQ(heartbeat(c0, group, 1, a.member_id), kNotCoordinator);
  TestClient c2(broker(2).port());
  EXPECT_TRUE(testing::eventually([&] { return join(c2, 3, join_request(group, "")).error_code == kNone; }))
      << output();
}

// Two confluent-kafka consumers (librdkafka 2.0.2: JoinGroup v5 with MEMBER_ID_REQUIRED,
// SyncGroup v3, Heartbeat v3) in one group each get a disjoint, non-empty share of the topic.
TEST_F(GroupCoordinatorCluster, TwoConfluentConsumersShareTheTopicsPartitions) {
  start_brokers(1, kProps);
  create_topic("shared", {{0}, {0}, {0}, {0}});
  const auto script = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests" / "interop" / "confluent_group_share.py";
  auto run = sluice::testing::run_program({"/usr/bin/python3", "-X", "faulthandler", script.string(), bootstrap(), "shared", "sharers", "4"},
                                          "", std::chrono::seconds(60));
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err << output();
  EXPECT_TRUE(std::regex_search(run.out, std::regex("^A [0-9,]+ B [0-9,]+"))) << run.out;
}

}  // namespace
}  // namespace sluice::broker
