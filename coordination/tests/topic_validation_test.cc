// Kafka's topic administration checks: names, collisions, counts, explicit assignments, configs.
#include "coordination/topic_validation.h"

#include <gtest/gtest.h>

namespace sluice::coordination {
namespace {

std::error_code code_of(const AdminCheck& check) { return check ? check->code : std::error_code{}; }

TEST(TopicValidation, AcceptsKafkasLegalNames) {
  for (const char* name : {"orders", "a", "A.b_c-9", "__consumer_offsets", "...", ".a", "a.."}) {
    EXPECT_FALSE(validate_topic_name(name)) << name;
  }
  EXPECT_FALSE(validate_topic_name(std::string(249, 'x')));
}

TEST(TopicValidation, RejectsIllegalNamesWithReasons) {
  EXPECT_EQ(validate_topic_name("")->message, "Topic name is illegal, it can't be empty");
  EXPECT_EQ(validate_topic_name(".")->message, "Topic name cannot be \".\" or \"..\"");
  EXPECT_EQ(code_of(validate_topic_name("..")), Errc::invalid_topic);
  const auto long_name = validate_topic_name(std::string(250, 'x'));
  ASSERT_TRUE(long_name);
  EXPECT_EQ(long_name->code, Errc::invalid_topic);
  EXPECT_NE(long_name->message.find("longer than 249 characters"), std::string::npos);
  for (const char* name : {"a b", "a/b", "caf\xc3\xa9", "a:b", "a*", "tab\t"}) {
    const auto bad = validate_topic_name(name);
    ASSERT_TRUE(bad) << name;
    EXPECT_EQ(bad->code, Errc::invalid_topic);
    EXPECT_NE(bad->message.find("contains a character other than ASCII alphanumerics"), std::string::npos);
  }
}

TEST(TopicValidation, DotAndUnderscoreCollide) {
  const std::vector<std::string> existing = {"a_b", "a-b", "other", "x.y"};
  EXPECT_TRUE(has_collision_chars("a.b"));
  EXPECT_FALSE(has_collision_chars("a-b"));
  const auto bad = validate_no_collision("a.b", existing);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->code, Errc::invalid_topic);
  EXPECT_EQ(bad->message, "Topic 'a.b' collides with existing topics: a_b");
  EXPECT_EQ(validate_no_collision("x_y", existing)->message, "Topic 'x_y' collides with existing topics: x.y");
  EXPECT_FALSE(validate_no_collision("a-b", existing));  // '-' does not collide
  EXPECT_FALSE(validate_no_collision("x.y", existing));  // itself is not a collision
  EXPECT_FALSE(validate_no_collision("c.d", existing));
}

TEST(TopicValidation, PartitionsAndReplicationFactorMustBePositiveAndFit) {
  EXPECT_FALSE(validate_partition_count(1));
  EXPECT_EQ(code_of(validate_partition_count(0)), Errc::invalid_partitions);
  EXPECT_EQ(code_of(validate_partition_count(-3)), Errc::invalid_partitions);
  EXPECT_FALSE(validate_replication_factor(3, 3));
  EXPECT_EQ(code_of(validate_replication_factor(0, 3)), Errc::invalid_replication_factor);
  const auto too_many = validate_replication_factor(4, 3);
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->code, Errc::invalid_replication_factor);
  EXPECT_EQ(too_many->message, "Replication factor: 4 larger than available brokers: 3.");
}

PartitionReplicas assignment(std::initializer_list<std::pair<int32_t, std::vector<int32_t>>> rows) {
  PartitionReplicas out;
  for (const auto& [p, ids] : rows) {
    for (int32_t id : ids) out[PartitionId(p)].emplace_back(id);
  }
  return out;
}

TEST(TopicValidation, ExplicitAssignmentsMustBeConsecutiveDistinctAndEven) {
  EXPECT_FALSE(validate_replica_assignment(assignment({{0, {1, 2}}, {1, {2, 3}}}), PartitionId(0), std::nullopt,
                                           nullptr));
  const auto invalid = Errc::invalid_replica_assignment;
  EXPECT_EQ(code_of(validate_replica_assignment(assignment({{1, {1}}}), PartitionId(0), std::nullopt, nullptr)),
            invalid);
  EXPECT_EQ(code_of(validate_replica_assignment(assignment({{0, {1, 1}}}), PartitionId(0), std::nullopt, nullptr)),
            invalid);
  EXPECT_EQ(code_of(validate_replica_assignment(assignment({{0, {1, 2}}, {1, {3}}}), PartitionId(0), std::nullopt,
                                                nullptr)),
            invalid);
  EXPECT_EQ(code_of(validate_replica_assignment(assignment({{3, {1}}}), PartitionId(3), 2, nullptr)), invalid);
  EXPECT_EQ(code_of(validate_replica_assignment({}, PartitionId(0), std::nullopt, nullptr)), invalid);
}

TEST(TopicValidation, ExplicitAssignmentsNameUnknownBrokers) {
  const std::set<BrokerId> live = {BrokerId(1), BrokerId(2)};
  EXPECT_FALSE(validate_replica_assignment(assignment({{2, {2, 1}}}), PartitionId(2), 2, &live));
  const auto bad = validate_replica_assignment(assignment({{2, {2, 7}}}), PartitionId(2), 2, &live);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->message, "Unknown broker(s) in replica assignment: [7] for partition 2.");
}

TEST(TopicValidation, ConfigNamesAreKafkasAndValuesGoToTheCallersValidator) {
  EXPECT_FALSE(validate_topic_config({{"retention.ms", "1000"}, {"cleanup.policy", "compact"}}, nullptr));
  const auto unknown = validate_topic_config({{"retention.msec", "1"}}, nullptr);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->code, Errc::invalid_config);
  EXPECT_EQ(unknown->message, "Unknown topic config name: retention.msec");
  const ConfigValidator positive = [](const TopicConfig& c) -> std::optional<std::string> {
    if (c.contains("retention.ms") && c.at("retention.ms").starts_with("-2")) return "retention.ms too small";
    return std::nullopt;
  };
  EXPECT_FALSE(validate_topic_config({{"retention.ms", "5"}}, positive));
  EXPECT_EQ(validate_topic_config({{"retention.ms", "-20"}}, positive)->message, "retention.ms too small");
  EXPECT_TRUE(std::is_sorted(topic_config_names().begin(), topic_config_names().end()));
}

}  // namespace
}  // namespace sluice::coordination
