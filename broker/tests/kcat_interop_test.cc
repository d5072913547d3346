// Interop: kcat (librdkafka) and confluent_kafka produce to and consume from an in-process
// KafkaServer whose ReplicaManager was told become_leader for the test's partition; records come
// back byte-exact and in order under every codec. Each child runs under `timeout`.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "broker/tests/kafka_server_fixture.h"

namespace sluice::broker {
namespace {

using testing::KafkaServerFixture;

std::string run(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

TEST(KcatInterop, ProducedRecordsComeBackInOrder) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  const std::string b = broker.bootstrap();
  run("printf 'one\\ntwo\\nthree\\n' | timeout 20 kcat -b " + b + " -P -t t -p 0 2>&1");
  EXPECT_EQ(run("timeout 20 kcat -b " + b + " -C -t t -p 0 -o beginning -e 2>/dev/null"), "one\ntwo\nthree\n");
}

class KcatCodecs : public ::testing::TestWithParam<std::string> {};

TEST_P(KcatCodecs, KeyedRecordsComeBackByteExactInOrder) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("t"), protocol::ErrorCode::none);
  const std::string b = broker.bootstrap();
  std::string input;
  for (int i = 0; i < 200; ++i) input.append("k").append(std::to_string(i)).append(":value aaaaaaaaaa\n");
  const auto file = std::filesystem::temp_directory_path() / ("kcat-input-" + GetParam() + ".txt");
  if (std::FILE* f = std::fopen(file.c_str(), "w")) {
    std::fputs(input.c_str(), f);
    std::fclose(f);
  }
  run("timeout 20 kcat -b " + b + " -P -t t -p 0 -K: -X compression.codec=" + GetParam() + " -l " + file.string() +
      " 2>&1");
  std::filesystem::remove(file);
  EXPECT_EQ(run("timeout 20 kcat -b " + b + " -C -t t -p 0 -o beginning -e -f '%k:%s\\n' 2>/dev/null"), input);
}

INSTANTIATE_TEST_SUITE_P(Codecs, KcatCodecs, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

TEST(ConfluentKafkaInterop, KeysAndHeadersComeBackByteExactInOrder) {
  KafkaServerFixture broker;
  ASSERT_TRUE(broker.started());
  ASSERT_EQ(broker.host("py"), protocol::ErrorCode::none);
  const std::string script = std::string(SLUICE_BROKER_TESTS_DIR) + "/interop/confluent_roundtrip.py";
  for (const char* codec : {"none", "gzip", "zstd"}) {
    EXPECT_EQ(run("timeout 60 /usr/bin/python3 " + script + " " + broker.bootstrap() + " py " + codec + " 2>&1"),
              "OK 50\n")
        << codec;
  }
}

}  // namespace
}  // namespace sluice::broker
