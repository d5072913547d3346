// The group -> coordinator rule of docs/groups.md. The hash values were printed by OpenJDK 17's
// new String(bytes, UTF_8).hashCode(), so the rule agrees with Kafka's own partitionFor hash.
#include "broker/handlers/find_coordinator.h"

#include <climits>
#include <string>

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

BrokerEndpoint broker(int32_t id) {
  BrokerEndpoint b;
  b.id = BrokerId(id);
  b.host = "host-" + std::to_string(id);
  b.port = 9000 + id;
  return b;
}

TEST(JavaStringHash, MatchesJavaOnAsciiIds) {
  EXPECT_EQ(java_string_hash(""), 0);
  EXPECT_EQ(java_string_hash("a"), 97);
  EXPECT_EQ(java_string_hash("interop"), 1958063037);
  EXPECT_EQ(java_string_hash("consumer-group-1"), 147483020);
  EXPECT_EQ(java_string_hash("polygenelubricants"), INT32_MIN);
}

TEST(JavaStringHash, HashesUtf16CodeUnitsIncludingSurrogatePairs) {
  EXPECT_EQ(java_string_hash("gr\xc3\xbcppe"), -1233264812);  // "grüppe"
  EXPECT_EQ(java_string_hash("g\xf0\x9f\x98\x80"), 1871882);   // "g" + U+1F600, a surrogate pair
}

TEST(JavaStringHash, ReplacesMalformedUtf8AsJavasDecoderDoes) {
  EXPECT_EQ(java_string_hash("\xff"), 65533);                    // one U+FFFD
  EXPECT_EQ(java_string_hash("a\xe2\x82" "b"), 2124838);         // truncated 3-byte: one U+FFFD
  EXPECT_EQ(java_string_hash("\xc0\xaf"), 2097056);              // overlong: two
  EXPECT_EQ(java_string_hash("\xe0\x80" "A"), 65008801);         // overlong 3-byte: two, then 'A'
  EXPECT_EQ(java_string_hash("\xf4\x90\x80\x80"), 2017367872);   // above U+10FFFF: four
  EXPECT_EQ(java_string_hash("\xf0\x9f\x98"), 65533);            // truncated at the end: one
  EXPECT_EQ(java_string_hash("\xf0\x9f\x98" "A"), 2031588);      // truncated mid-string: one, 'A'
  EXPECT_EQ(java_string_hash("\xed\xa0\x80"), 65533);            // an encoded surrogate: one
  EXPECT_EQ(java_string_hash("\xed\xa0" "A"), 2031588);          // its broken prefix: one, 'A'
}

TEST(KafkaAbs, MapsIntMinToZero) {
  EXPECT_EQ(kafka_abs(-5), 5);
  EXPECT_EQ(kafka_abs(7), 7);
  EXPECT_EQ(kafka_abs(INT32_MIN), 0);
}

TEST(GroupCoordinator, NoLiveBrokerMeansNoCoordinator) { EXPECT_FALSE(group_coordinator("g", {})); }

TEST(GroupCoordinator, PicksAbsHashModuloLiveBrokersSortedById) {
  // Listed out of order: the rule sorts by id, so every broker gets the same answer.
  const std::vector<BrokerEndpoint> live = {broker(7), broker(2), broker(5)};
  // abs(hash) % 3: "interop" 0 -> id 2, "a" 1 -> id 5, "consumer-group-1" 2 -> id 7.
  EXPECT_EQ(group_coordinator("interop", live)->id, BrokerId(2));
  EXPECT_EQ(group_coordinator("a", live)->id, BrokerId(5));
  EXPECT_EQ(group_coordinator("consumer-group-1", live)->id, BrokerId(7));
  EXPECT_EQ(group_coordinator("consumer-group-1", live)->host, "host-7");
  EXPECT_EQ(group_coordinator("consumer-group-1", live)->port, 9007);
  EXPECT_EQ(group_coordinator("polygenelubricants", live)->id, BrokerId(2));  // INT32_MIN -> 0
  EXPECT_EQ(group_coordinator("", live)->id, BrokerId(2));
}

TEST(GroupCoordinator, MovesOnlyByTheRuleWhenABrokerDies) {
  // "consumer-group-1" (abs hash 147483020): % 3 = 2 -> id 7; id 7 dies, % 2 = 0 -> id 2.
  EXPECT_EQ(group_coordinator("consumer-group-1", {broker(2), broker(5), broker(7)})->id, BrokerId(7));
  EXPECT_EQ(group_coordinator("consumer-group-1", {broker(5), broker(2)})->id, BrokerId(2));
}

}  // namespace
}  // namespace sluice::broker
