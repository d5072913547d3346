// Interop smoke test: kcat (librdkafka) produces to and consumes from an in-process KafkaServer
// whose ReplicaManager was told become_leader for "t"-0; the records come back in order.
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "broker/kafka_server.h"
#include "broker/tests/test_client.h"

namespace sluice::broker {
namespace {

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
  testing::TempDir dir;
  std::vector<std::string> overrides = {"broker.id=0", "listeners=PLAINTEXT://127.0.0.1:0",
                                        "zookeeper.connect=127.0.0.1:2181", "log.dirs=" + dir.path().string()};
  const auto props_file = dir.path() / "server.properties";
  { std::FILE* f = std::fopen(props_file.c_str(), "w"); std::fclose(f); }
  auto loaded = KafkaConfig::load(props_file, overrides);
  ASSERT_TRUE(loaded) << loaded.error().message;
  auto server = KafkaServer::start(std::move(loaded).value());
  ASSERT_TRUE(server) << server.error().message;
  KafkaServer& s = *server.value();
  std::thread runner([&s] { (void)s.run(); });

  asio::io_context local;
  PartitionState state;
  state.tp.topic = "t";
  state.tp.partition = PartitionId(0);
  state.leader = BrokerId(0);
  state.replicas = {BrokerId(0)};
  state.isr = {BrokerId(0)};
  auto became = asio::co_spawn(local, s.replica_manager().become_leader(state), asio::use_future);
  local.run();
  EXPECT_EQ(became.get(), protocol::ErrorCode::none);
  MetadataUpdate update;
  update.partition_states.push_back({"t", PartitionMetadata{.partition = PartitionId(0), .leader = BrokerId(0),
                                                            .leader_epoch = LeaderEpoch(0), .replicas = {BrokerId(0)},
                                                            .isr = {BrokerId(0)}, .offline_replicas = {}}});
  s.metadata_cache().update_metadata(update);

  const std::string broker = "127.0.0.1:" + std::to_string(s.local_endpoints().at(0).port());
  run("printf 'one\\ntwo\\nthree\\n' | timeout 20 kcat -b " + broker + " -P -t t -p 0 2>&1");
  const std::string consumed = run("timeout 20 kcat -b " + broker + " -C -t t -p 0 -o beginning -e 2>/dev/null");
  EXPECT_EQ(consumed, "one\ntwo\nthree\n");

  s.shutdown();
  runner.join();
}

}  // namespace
}  // namespace sluice::broker
