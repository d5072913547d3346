#include <gtest/gtest.h>

#include "protocol/api_key.h"
#include "protocol/error_code.h"

namespace sluice::protocol {
namespace {

TEST(ErrorCode, NumbersAreKafkas) {
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::unknown_server_error), -1);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::none), 0);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::unknown_topic_or_partition), 3);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::not_enough_replicas), 19);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::not_enough_replicas_after_append), 20);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::unsupported_version), 35);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::invalid_record), 87);
  EXPECT_EQ(static_cast<int16_t>(ErrorCode::producer_fenced), 90);
}

TEST(ErrorCode, NamesAreKafkasUpperCaseNames) {
  EXPECT_EQ(error_code_name(ErrorCode::not_leader_or_follower), "NOT_LEADER_OR_FOLLOWER");
  EXPECT_EQ(error_code_name(ErrorCode::none), "NONE");
  EXPECT_EQ(error_code_name(static_cast<ErrorCode>(99)), "UNKNOWN");
}

TEST(ErrorCode, RetriableMatchesTheJavaClient) {
  EXPECT_TRUE(is_retriable(ErrorCode::not_leader_or_follower));
  EXPECT_TRUE(is_retriable(ErrorCode::not_enough_replicas));
  EXPECT_FALSE(is_retriable(ErrorCode::offset_out_of_range));
  EXPECT_FALSE(is_retriable(ErrorCode::invalid_record));
}

TEST(ApiKey, NumbersAndNamesAreKafkas) {
  EXPECT_EQ(static_cast<int16_t>(ApiKey::api_versions), 18);
  EXPECT_EQ(static_cast<int16_t>(ApiKey::describe_cluster), 60);
  EXPECT_EQ(api_key_name(ApiKey::incremental_alter_configs), "IncrementalAlterConfigs");
  EXPECT_EQ(api_key_from_int(3), ApiKey::metadata);
  EXPECT_EQ(api_key_from_int(-1), std::nullopt);
  EXPECT_EQ(api_key_from_int(62), std::nullopt);
}

}  // namespace
}  // namespace sluice::protocol
