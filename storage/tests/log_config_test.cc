#include <gtest/gtest.h>

#include "storage/errc.h"
#include "storage/log_config.h"

namespace sluice::storage {
namespace {

TEST(LogConfig, DefaultsAreKafkas) {
  LogConfig c;
  EXPECT_EQ(c.segment_bytes, 1073741824);
  EXPECT_EQ(c.retention_ms, 604800000);
  EXPECT_EQ(c.segment_index_bytes, 10485760);
  EXPECT_EQ(c.max_message_bytes, 1048588);
}

TEST(LogConfig, OverridesApplyKafkaTopicConfigNames) {
  auto c = LogConfig::with_overrides(LogConfig{}, {{"retention.ms", "86400000"},
                                                   {"segment.bytes", "1048576"},
                                                   {"retention.bytes", "-1"},
                                                   {"preallocate", "true"},
                                                   {"cleanup.policy", "delete"},
                                                   {"compression.type", "zstd"},
                                                   {"message.timestamp.type", "LogAppendTime"},
                                                   {"min.insync.replicas", "2"}})
               .value();
  EXPECT_EQ(c.retention_ms, 86400000);
  EXPECT_EQ(c.segment_bytes, 1048576);
  EXPECT_TRUE(c.preallocate);
  EXPECT_EQ(c.compression, TopicCompression::zstd);
  EXPECT_EQ(c.timestamp_type, protocol::TimestampType::log_append_time);
  EXPECT_EQ(c.min_insync_replicas, 2);
}

struct BadOverride {
  std::string key, value, reason_part;
};

void PrintTo(const BadOverride& o, std::ostream* os) { *os << o.key << "=" << o.value; }

class LogConfigRejects : public ::testing::TestWithParam<BadOverride> {};

TEST_P(LogConfigRejects, WithAOneLineReasonNamingTheKey) {
  std::string error;
  auto c = LogConfig::with_overrides(LogConfig{}, {{GetParam().key, GetParam().value}}, &error);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error(), Errc::invalid_config);
  EXPECT_EQ(error.rfind(GetParam().key + ": ", 0), 0u) << error;
  EXPECT_NE(error.find(GetParam().reason_part), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    LogConfig, LogConfigRejects,
    ::testing::Values(BadOverride{"cleanup.policy", "compact", "compaction is not supported"},
                      BadOverride{"cleanup.policy", "compact,delete", "compaction is not supported"},
                      BadOverride{"segment.bytes", "13", "at least 14"},
                      BadOverride{"segment.bytes", "abc", "not"},
                      BadOverride{"segment.index.bytes", "3", "at least 4"},
                      BadOverride{"retention.ms", "-2", "-1"},
                      BadOverride{"min.insync.replicas", "0", "at least 1"},
                      BadOverride{"preallocate", "yes", "true or false"},
                      BadOverride{"compression.type", "brotli", "producer"},
                      BadOverride{"message.timestamp.type", "Now", "CreateTime"},
                      BadOverride{"no.such.config", "1", "unknown"}));

}  // namespace
}  // namespace sluice::storage
