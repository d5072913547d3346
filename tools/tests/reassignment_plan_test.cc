// The reassignment plan JSON (--plan FILE) and the `topic reassign` command line.
#include <gtest/gtest.h>

#include "tools/options.h"
#include "tools/reassignment_plan.h"

namespace sluice::tools {
namespace {

ReassignmentPlan plan_ok(const std::string& json) {
  auto parsed = parse_reassignment_plan(json);
  EXPECT_TRUE(std::holds_alternative<ReassignmentPlan>(parsed))
      << (std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "");
  return std::holds_alternative<ReassignmentPlan>(parsed) ? std::get<ReassignmentPlan>(parsed) : ReassignmentPlan{};
}

std::string plan_error(const std::string& json) {
  auto parsed = parse_reassignment_plan(json);
  EXPECT_TRUE(std::holds_alternative<std::string>(parsed)) << json;
  return std::holds_alternative<std::string>(parsed) ? std::get<std::string>(parsed) : "";
}

TEST(ReassignmentPlan, ParsesKafkasFormatIgnoringLogDirs) {
  const auto plan = plan_ok(R"({"version":1,"partitions":[
      {"topic":"orders","partition":0,"replicas":[3,1,2],"log_dirs":["any","any","any"]},
      {"topic":"orders","partition":1,"replicas":[1]}]})");
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan.at({"orders", 0}), (std::vector<int32_t>{3, 1, 2}));
  EXPECT_EQ(plan.at({"orders", 1}), (std::vector<int32_t>{1}));
  // No version field is accepted (as Kafka's tool does); an empty list is an empty plan.
  EXPECT_TRUE(plan_ok(R"({"partitions":[]})").empty());
}

TEST(ReassignmentPlan, RoundTripsThroughTheFormatter) {
  ReassignmentPlan plan;
  plan[{"a", 2}] = {4, 5};
  plan[{"b", 0}] = {1};
  EXPECT_EQ(format_reassignment_plan(plan),
            R"({"version":1,"partitions":[{"topic":"a","partition":2,"replicas":[4,5]},)"
            R"({"topic":"b","partition":0,"replicas":[1]}]})");
  EXPECT_EQ(plan_ok(format_reassignment_plan(plan)), plan);
}

TEST(ReassignmentPlan, RejectsMalformedPlansWithAReason) {
  EXPECT_EQ(plan_error("not json"), "the plan is not JSON");
  EXPECT_EQ(plan_error("[1,2]"), "the plan is not a JSON object");
  EXPECT_EQ(plan_error(R"({"version":2,"partitions":[]})"), "unsupported plan version (expected 1)");
  EXPECT_EQ(plan_error(R"({"version":1})"), "the plan has no \"partitions\" array");
  EXPECT_EQ(plan_error(R"({"partitions":[1]})"), "a \"partitions\" entry is not an object");
  EXPECT_EQ(plan_error(R"({"partitions":[{"partition":0,"replicas":[1]}]})"), "an entry has no \"topic\" string");
  EXPECT_EQ(plan_error(R"({"partitions":[{"topic":"t","partition":-1,"replicas":[1]}]})"),
            "an entry of topic 't' has no valid \"partition\"");
  EXPECT_EQ(plan_error(R"({"partitions":[{"topic":"t","partition":0,"replicas":[]}]})"),
            "t-0: \"replicas\" must be a non-empty array");
  EXPECT_EQ(plan_error(R"({"partitions":[{"topic":"t","partition":0,"replicas":["1"]}]})"),
            "t-0: replicas must be broker ids");
  EXPECT_EQ(plan_error(R"({"partitions":[{"topic":"t","partition":0,"replicas":[-3]}]})"),
            "t-0: replicas must be broker ids");
  EXPECT_EQ(plan_error(R"({"partitions":[{"topic":"t","partition":0,"replicas":[1]},)"
                       R"({"topic":"t","partition":0,"replicas":[2]}]})"),
            "t-0 is listed twice");
}

TEST(ReassignOptions, GroupsFoldIntoTargets) {
  ParseOutcome out = parse_command_line({"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "3,1",
                                         "--partition", "2", "--replicas", "2", "--wait"});
  ASSERT_TRUE(out.options) << out.text;
  EXPECT_EQ(out.options->command, Command::topic_reassign);
  EXPECT_TRUE(out.options->reassign.wait);
  const auto& targets = out.options->reassign.targets;
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets.at({"t", 0}), (std::vector<int32_t>{3, 1}));
  EXPECT_EQ(targets.at({"t", 2}), (std::vector<int32_t>{2}));

  ParseOutcome two = parse_command_line({"topic", "reassign", "--topic", "a", "--partition", "0", "--replicas", "1",
                                         "--topic", "b", "--partition", "0", "--replicas", "2"});
  ASSERT_TRUE(two.options) << two.text;
  EXPECT_EQ(two.options->reassign.targets.at({"b", 0}), (std::vector<int32_t>{2}));

  ParseOutcome cancel = parse_command_line({"topic", "reassign", "--topic", "a", "--partition", "1", "--cancel"});
  ASSERT_TRUE(cancel.options) << cancel.text;
  EXPECT_TRUE(cancel.options->reassign.cancel);
  EXPECT_TRUE(cancel.options->reassign.targets.at({"a", 1}).empty());

  ParseOutcome plan = parse_command_line({"topic", "reassign", "--plan", "p.json"});
  ASSERT_TRUE(plan.options) << plan.text;
  EXPECT_EQ(plan.options->reassign.plan_file, "p.json");
  ASSERT_TRUE(parse_command_line({"topic", "reassign", "--list"}).options);
}

TEST(ReassignOptions, BadCombinationsAreUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"topic", "reassign"},
           {"topic", "reassign", "--list", "--topic", "t"},
           {"topic", "reassign", "--plan", "p.json", "--topic", "t", "--partition", "0", "--replicas", "1"},
           {"topic", "reassign", "--topic", "t", "--partition", "0"},
           {"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1,,2"},
           {"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "x"},
           {"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1", "--cancel"},
           {"topic", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1", "--partition", "0", "--replicas", "2"},
           {"topic", "reassign", "--topic", "a", "--topic", "b", "--partition", "0", "--replicas", "1"},
       }) {
    ParseOutcome out = parse_command_line(args);
    EXPECT_FALSE(out.options) << ::testing::PrintToString(args);
    EXPECT_EQ(out.exit_code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_EQ(out.text.rfind("sluice: ", 0), 0u) << out.text;
  }
}

TEST(ReassignOptions, BrokerLists) {
  EXPECT_EQ(parse_broker_list("3,1,2"), (std::vector<int32_t>{3, 1, 2}));
  EXPECT_EQ(parse_broker_list("0"), (std::vector<int32_t>{0}));
  for (const char* bad : {"", ",", "1,", ",1", "1,,2", "-1", "a", "1 2", "9999999999"}) {
    EXPECT_FALSE(parse_broker_list(bad)) << bad;
  }
}

}  // namespace
}  // namespace sluice::tools
