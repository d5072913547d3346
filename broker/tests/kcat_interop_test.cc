// Interop: kcat (librdkafka 2.0.2) produces to and consumes from an in-process KafkaServer whose
// ReplicaManager was told become_leader for the test's partition; records come back byte-exact
// and in order under every codec. Each child runs bounded by run_program's timeout.
#include <string>

#include <gtest/gtest.h>

#include "broker/tests/interop_support.h"
#include "tests/support/child_process.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using sluice::testing::run_program;
using testing::KafkaServerFixture;

TEST(KcatInterop, ProducedRecordsComeBackInOrder) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  const std::string b = broker.bootstrap();
  auto produced = run_program({"kcat", "-b", b, "-P", "-t", "t", "-p", "0"}, "one\ntwo\nthree\n", 30s);
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto consumed = run_program({"kcat", "-b", b, "-C", "-t", "t", "-p", "0", "-o", "beginning", "-e"}, "", 30s);
  EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
  EXPECT_EQ(consumed.out, "one\ntwo\nthree\n");
}

class KcatCodecs : public ::testing::TestWithParam<std::string> {};

TEST_P(KcatCodecs, KeyedRecordsComeBackByteExactInOrder) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  const std::string b = broker.bootstrap();
  std::string input;
  for (int i = 0; i < 200; ++i) {
    // Repeated text, so that every codec shrinks the batch (else librdkafka sends it uncompressed).
    input.append("k").append(std::to_string(i)).append(":value value value value ");
    for (int c = 0; c < i % 37; ++c) input.push_back(static_cast<char>('!' + (i * 7 + c) % 90));
    input.push_back('\n');
  }
  auto produced = run_program({"kcat", "-b", b, "-P", "-t", "t", "-p", "0", "-K:", "-X", "compression.codec=" + GetParam()}, input, 30s);
  ASSERT_EQ(produced.exit_code, 0) << produced.err;
  auto consumed =
      run_program({"kcat", "-b", b, "-C", "-t", "t", "-p", "0", "-o", "beginning", "-e", "-f", "%k:%s\\n"}, "", 30s);
  EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
  EXPECT_EQ(consumed.out, input);
  // A batch stored uncompressed under a codec is a failure: librdkafka fell back to none.
  EXPECT_TRUE(testing::librdkafka_compresses(broker.port(), GetParam()))
      << "what we advertise makes librdkafka 2.0.2 send " << GetParam() << " uncompressed (interop_support.h)";
  const auto codecs = testing::stored_codecs(broker, "t");
  EXPECT_FALSE(codecs.empty());
  for (int codec : codecs) EXPECT_EQ(codec, testing::codec_number(GetParam())) << produced.err;
}

INSTANTIATE_TEST_SUITE_P(Codecs, KcatCodecs, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

// librdkafka 2.0.2 sends ApiVersions v3 and misreads non-empty tagged fields in the answer. If it
// could not parse ours it would log the request as failed, fall back to the 0.10.0 feature set
// and then drop ZSTD. Its own debug log says which version it used and which features it found.
TEST(KcatInterop, LibrdkafkaReadsTheApiVersionsV3AnswerAndEnablesEveryFeature) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  auto listed = run_program({"kcat", "-b", broker.bootstrap(), "-L", "-t", "t", "-d", "protocol,feature"}, "", 30s);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("topic \"t\" with 1 partitions"), std::string::npos) << listed.out;
  const std::string& log = listed.err;
  EXPECT_NE(log.find("ApiVersionRequest (v3"), std::string::npos) << log;
  EXPECT_NE(log.find("ApiVersionResponse (v3"), std::string::npos) << log;
  EXPECT_EQ(log.find("ApiVersionRequest failed"), std::string::npos) << log;
  EXPECT_EQ(log.find("fallback"), std::string::npos) << log;
  // Its per-feature verdicts (the codec features are checked per codec in KcatCodecs).
  for (const std::string feature : {"MsgVer2", "ApiVersion", "ZSTD"}) {
    const std::string prefix = "Feature " + feature + ": ";
    EXPECT_NE(log.find(prefix), std::string::npos) << log;
    for (auto at = log.find(prefix); at != std::string::npos; at = log.find(prefix, at + 1)) {
      const std::string line = log.substr(at, log.find('\n', at) - at);
      EXPECT_EQ(line.find("NOT supported"), std::string::npos) << line;
    }
  }
}

}  // namespace
}  // namespace sluice::broker
