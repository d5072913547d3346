// FetchSessionHandler against KIP-227's client rules: full first, then only what moved, the
// forgotten partitions, and back to full after any session error or failed request.
#include <gtest/gtest.h>

#include "client/fetch_session_handler.h"
#include "protocol/error_code.h"

namespace sluice::client {
namespace {

FetchTarget target(int32_t partition, int64_t offset) {
  return {.tp = {"t", PartitionId(partition)},
          .fetch_offset = Offset(offset),
          .log_start_offset = Offset(-1),
          .max_bytes = 1 << 20,
          .current_leader_epoch = LeaderEpoch(-1)};
}

// The partitions a request names, as "partition@offset".
std::vector<std::string> sent(const protocol::FetchRequest& r) {
  std::vector<std::string> out;
  for (const auto& topic : r.topics) {
    for (const auto& p : topic.partitions) {
      out.push_back(std::to_string(p.partition.value()) + "@" + std::to_string(p.fetch_offset.value()));
    }
  }
  return out;
}

std::vector<int32_t> forgotten(const protocol::FetchRequest& r) {
  std::vector<int32_t> out;
  for (const auto& topic : r.forgotten_topics_data) {
    for (const PartitionId p : topic.partitions) out.push_back(p.value());
  }
  return out;
}

protocol::FetchResponse granted(int32_t session_id, protocol::ErrorCode error = protocol::ErrorCode::none) {
  protocol::FetchResponse r;
  r.session_id = session_id;
  r.error_code = static_cast<int16_t>(error);
  return r;
}

TEST(FetchSessionHandler, FirstRequestIsFullAndAsksForASession) {
  FetchSessionHandler h;
  protocol::FetchRequest r;
  h.build({target(0, 5), target(1, 7)}, r);
  EXPECT_EQ(r.session_id, 0);
  EXPECT_EQ(r.session_epoch, 0);
  EXPECT_EQ(sent(r), (std::vector<std::string>{"0@5", "1@7"}));
}

TEST(FetchSessionHandler, InSessionOnlyMovedNewAndForgottenPartitionsAreSent) {
  FetchSessionHandler h;
  protocol::FetchRequest r;
  h.build({target(0, 5), target(1, 7), target(2, 9)}, r);
  ASSERT_TRUE(h.handle_response(granted(42)));
  h.build({target(0, 6), target(1, 7), target(3, 0)}, r);
  EXPECT_EQ(r.session_id, 42);
  EXPECT_EQ(r.session_epoch, 1);
  EXPECT_EQ(sent(r), (std::vector<std::string>{"0@6", "3@0"}));
  EXPECT_EQ(forgotten(r), (std::vector<int32_t>{2}));
  ASSERT_TRUE(h.handle_response(granted(42)));
  h.build({target(0, 6), target(1, 7), target(3, 0)}, r);
  EXPECT_EQ(r.session_epoch, 2);
  EXPECT_TRUE(sent(r).empty());
  EXPECT_TRUE(forgotten(r).empty());
}

TEST(FetchSessionHandler, AnEvictedSessionStartsAgainWithAFullRequest) {
  FetchSessionHandler h;
  protocol::FetchRequest r;
  h.build({target(0, 5)}, r);
  ASSERT_TRUE(h.handle_response(granted(42)));
  h.build({target(0, 6)}, r);
  EXPECT_FALSE(h.handle_response(granted(0, protocol::ErrorCode::fetch_session_id_not_found)));
  h.build({target(0, 6)}, r);
  EXPECT_EQ(r.session_id, 0);
  EXPECT_EQ(r.session_epoch, 0);
  EXPECT_EQ(sent(r), (std::vector<std::string>{"0@6"}));
}

TEST(FetchSessionHandler, AnEpochErrorOrAFailedRequestClosesTheSessionWithAFullRequest) {
  FetchSessionHandler h;
  protocol::FetchRequest r;
  h.build({target(0, 5)}, r);
  ASSERT_TRUE(h.handle_response(granted(42)));
  h.build({target(0, 6)}, r);
  EXPECT_FALSE(h.handle_response(granted(0, protocol::ErrorCode::invalid_fetch_session_epoch)));
  h.build({target(0, 6)}, r);
  EXPECT_EQ(r.session_id, 42);  // named, so the broker closes it and grants a new one
  EXPECT_EQ(r.session_epoch, 0);
  ASSERT_TRUE(h.handle_response(granted(43)));
  h.build({target(0, 7)}, r);
  EXPECT_EQ(r.session_id, 43);
  EXPECT_EQ(r.session_epoch, 1);
  h.handle_error();
  h.build({target(0, 7)}, r);
  EXPECT_EQ(r.session_id, 43);
  EXPECT_EQ(r.session_epoch, 0);
  EXPECT_EQ(sent(r), (std::vector<std::string>{"0@7"}));
}

TEST(FetchSessionHandler, NoSessionGrantedKeepsRequestsFull) {
  FetchSessionHandler h;
  protocol::FetchRequest r;
  h.build({target(0, 5)}, r);
  ASSERT_TRUE(h.handle_response(granted(0)));
  h.build({target(0, 5)}, r);
  EXPECT_EQ(r.session_epoch, 0);
  EXPECT_EQ(sent(r), (std::vector<std::string>{"0@5"}));
}

}  // namespace
}  // namespace sluice::client
