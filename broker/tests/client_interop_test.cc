// Interop with the stock client libraries, default settings, against an in-process KafkaServer
// leading the test's partition: confluent-kafka and kafka-python (under /usr/bin/python3) and
// kafkajs 2.2.4 (installed by `npm ci` from tests/interop/js's lockfile into a temp dir). The
// scripts live in tests/interop/; each exits non-zero with the first difference it finds.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "broker/tests/interop_support.h"
#include "tests/support/child_process.h"

namespace sluice::broker {
namespace {

using namespace std::chrono_literals;
using sluice::testing::run_program;
using testing::KafkaServerFixture;

const std::filesystem::path kScripts = std::filesystem::path(SLUICE_SOURCE_DIR) / "tests" / "interop";

std::string python_script(const char* name) { return (kScripts / name).string(); }

class ConfluentKafkaCodecs : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfluentKafkaCodecs, KeysAndHeadersComeBackByteExactInOrder) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("py"), protocol::ErrorCode::none);
  auto run = run_program({"/usr/bin/python3", python_script("confluent_roundtrip.py"), broker.bootstrap(), "py",
                          GetParam()},
                         "", 90s);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "OK 50\n") << run.err;
  EXPECT_EQ(broker.log_end("py"), Offset(50));
  // A batch stored uncompressed under a codec is a failure: librdkafka fell back to none.
  EXPECT_TRUE(testing::librdkafka_compresses(broker.port(), GetParam()))
      << "what we advertise makes librdkafka 2.0.2 send " << GetParam() << " uncompressed (interop_support.h)";
  const auto codecs = testing::stored_codecs(broker, "py");
  EXPECT_FALSE(codecs.empty());
  for (int codec : codecs) EXPECT_EQ(codec, testing::codec_number(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Codecs, ConfluentKafkaCodecs, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

// kafka-python 2.0.2's guess (docs/formats/wire-protocol.md): the first row whose API
// advertises the version wins.
std::string kafka_python_guess(const testing::AdvertisedApis& apis) {
  struct Row {
    int16_t key;
    int16_t version;
    const char* guess;
  };
  constexpr Row kRows[] = {{29, 2, "2.5.0"}, {0, 8, "2.4.0"}, {1, 11, "2.3.0"}, {2, 5, "2.2.0"},
                           {1, 10, "2.1.0"}, {1, 8, "2.0.0"}, {1, 7, "1.1.0"},  {3, 5, "1.0.0"},
                           {3, 4, "0.11.0"}, {9, 2, "0.10.2"}, {3, 2, "0.10.1"}};
  for (const Row& row : kRows) {
    if (testing::advertises(apis, row.key, row.version)) return row.guess;
  }
  return "0.10.0";
}

class KafkaPythonCodecs : public ::testing::TestWithParam<std::string> {};

// Also the kafka-python quirk: it guesses the broker's version from the advertised ranges; the
// guess must be the one the table gives for what we advertise, and high enough for record
// batches with headers (0.11) and zstd (2.1).
TEST_P(KafkaPythonCodecs, KeysAndHeadersComeBackByteExactInOrderUnderTheGuessedVersion) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("py"), protocol::ErrorCode::none);
  const std::string guess = kafka_python_guess(testing::advertised(broker.port()));
  EXPECT_GE(std::stod(guess), 2.1) << "kafka-python would guess " << guess;
  auto run = run_program({"/usr/bin/python3", python_script("kafka_python_roundtrip.py"), broker.bootstrap(), "py",
                          GetParam()},
                         "", 90s);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "OK 50 api_version=" + guess + "\n") << run.err;
  EXPECT_EQ(broker.log_end("py"), Offset(50));
  for (int codec : testing::stored_codecs(broker, "py")) EXPECT_EQ(codec, testing::codec_number(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Codecs, KafkaPythonCodecs, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

// kafkajs from npm, installed once per test process into a temp dir from the committed lockfile.
class KafkajsInterop : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new sluice::testing::TempDir("sluice-kafkajs");
    for (const char* file : {"package.json", "package-lock.json", "roundtrip.js"}) {
      std::filesystem::copy_file(kScripts / "js" / file, dir_->path() / file);
    }
    auto installed = run_program({"npm", "ci", "--no-audit", "--no-fund", "--prefer-offline", "--prefix",
                                  dir_->path().string()},
                                 "", 180s);
    npm_error_ = installed.exit_code == 0 ? "" : "npm ci failed: " + installed.err + installed.out;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static inline sluice::testing::TempDir* dir_ = nullptr;
  static inline std::string npm_error_;
};

// The kafkajs quirk: Fetch goes on the second pooled connection, which never sends ApiVersions
// (the versions come from the first); the script counts both and the broker must serve it.
TEST_P(KafkajsInterop, KeysAndHeadersComeBackByteExactInOrderThroughAConnectionWithoutApiVersions) {
  ASSERT_EQ(npm_error_, "");
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("js"), protocol::ErrorCode::none);
  auto run = run_program({"node", (dir_->path() / "roundtrip.js").string(), broker.bootstrap(), "js", GetParam()},
                         "", 90s);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "OK 50 fetch_connections=1 with_api_versions=0\n") << run.err;
  EXPECT_EQ(broker.log_end("js"), Offset(50));
  const auto codecs = testing::stored_codecs(broker, "js");
  EXPECT_EQ(codecs.size(), 2u) << "the script sends two batches";
  for (int codec : codecs) EXPECT_EQ(codec, testing::codec_number(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Codecs, KafkajsInterop, ::testing::Values("none", "gzip"));

}  // namespace
}  // namespace sluice::broker
