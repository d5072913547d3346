// hosted_broker: the real KafkaServer (same handlers, storage, socket server as sluice-broker)
// leading one topic's partitions without ZooKeeper, for benchmarks until sluice-broker can host
// topics through ZooKeeper. It makes itself leader through ReplicaManager::become_leader_or_follower,
// as broker/tests/kafka_server_fixture.h does, prints "listening PORT" and serves until
// SIGTERM/SIGINT.
//
//   hosted_broker --log-dir DIR [--topic T] [--partitions N] [--override key=value]...
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "broker/kafka_server.h"

namespace {

using namespace sluice;
using namespace sluice::broker;

int usage() {
  std::fprintf(stderr, "usage: hosted_broker --log-dir DIR [--topic T] [--partitions N] [--override key=value]...\n");
  return 2;
}

bool host(KafkaServer& server, const std::string& topic, int partitions) {
  MetadataUpdate update;
  for (int p = 0; p < partitions; ++p) {
    PartitionState state;
    state.tp.topic = topic;
    state.tp.partition = PartitionId(p);
    state.leader = BrokerId(0);
    state.replicas = {BrokerId(0)};
    state.isr = {BrokerId(0)};
    asio::io_context local;
    auto done = asio::co_spawn(local, server.replica_manager().become_leader_or_follower(state), asio::use_future);
    local.run();
    if (done.get() != protocol::ErrorCode::none) {
      std::fprintf(stderr, "hosted_broker: could not lead %s-%d\n", topic.c_str(), p);
      return false;
    }
    PartitionMetadata metadata;
    metadata.partition = PartitionId(p);
    metadata.leader = BrokerId(0);
    metadata.leader_epoch = LeaderEpoch(0);
    metadata.replicas = {BrokerId(0)};
    metadata.isr = {BrokerId(0)};
    update.partition_states.emplace_back(topic, std::move(metadata));
  }
  server.metadata_cache().update_metadata(update);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string log_dir;
  std::string topic = "bench";
  int partitions = 1;
  std::vector<std::string> overrides;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    if (arg == "--log-dir") {
      log_dir = argv[++i];
    } else if (arg == "--topic") {
      topic = argv[++i];
    } else if (arg == "--partitions") {
      partitions = std::atoi(argv[++i]);
    } else if (arg == "--override") {
      overrides.emplace_back(argv[++i]);
    } else {
      return usage();
    }
  }
  if (log_dir.empty() || partitions <= 0) return usage();

  const std::string props = log_dir + "/server.properties";
  std::ofstream(props).flush();
  std::vector<std::string> settings = {"broker.id=0", "listeners=PLAINTEXT://127.0.0.1:0",
                                       "zookeeper.connect=127.0.0.1:2181", "log.dirs=" + log_dir + "/logs"};
  settings.insert(settings.end(), overrides.begin(), overrides.end());
  auto loaded = KafkaConfig::load(props, settings);
  if (!loaded) {
    std::fprintf(stderr, "hosted_broker: %s\n", loaded.error().message.c_str());
    return 1;
  }
  auto started = KafkaServer::start(std::move(loaded).value());
  if (!started) {
    std::fprintf(stderr, "hosted_broker: %s\n", started.error().message.c_str());
    return 1;
  }
  std::unique_ptr<KafkaServer> server = std::move(started).value();

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started below

  std::thread runner([&] { (void)server->run(); });
  const bool hosted = host(*server, topic, partitions);
  if (hosted) {
    std::printf("listening %u\n", static_cast<unsigned>(server->local_endpoints().at(0).port()));
    std::fflush(stdout);
    int sig = 0;
    sigwait(&signals, &sig);
  }
  server->shutdown();
  runner.join();
  return hosted ? 0 : 1;
}
