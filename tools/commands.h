// The sluice commands. Each runs on the main thread against a connected ClientRunner, prints
// its output on stdout and its errors (one line each) on stderr, and returns an exit code.
#pragma once

#include <memory>

#include "client/admin.h"
#include "client/consumer.h"
#include "client/producer.h"
#include "tools/client_runner.h"
#include "tools/options.h"

namespace sluice::tools {

// Parses, connects and runs; the whole of main().
int run_cli(const std::vector<std::string>& args);

// dev up|status|stop-broker|kill-broker|start-broker|down: needs no bootstrap (tools/dev_commands.cc).
int run_dev_command(const CliOptions& o);

int run_topic_command(const CliOptions& o, ClientRunner& runner);
int run_cluster_info(const CliOptions& o, ClientRunner& runner);
int run_cluster_elect_leaders(const CliOptions& o, ClientRunner& runner);
int run_produce(const CliOptions& o, ClientRunner& runner);
int run_consume(const CliOptions& o, ClientRunner& runner);
int run_perf_produce(const CliOptions& o, ClientRunner& runner);
int run_perf_consume(const CliOptions& o, ClientRunner& runner);
// consume --group: joins the group, prints and commits (at-least-once or --at-most-once).
int run_group_consume(const CliOptions& o, ClientRunner& runner);
// group list|describe|reset-offsets|delete.
int run_group_command(const CliOptions& o, ClientRunner& runner);
int run_group_describe(const CliOptions& o, ClientRunner& runner, client::Admin& admin);
int run_group_reset_offsets(const CliOptions& o, ClientRunner& runner, client::Admin& admin);
// log dump|verify: offline, before any connection (log_commands.cc).
int run_log_command(const CliOptions& o);
// cluster health: 0 healthy, 1 offline/under-replicated/under-min-ISR partitions (log_commands.cc).
int run_cluster_health(const CliOptions& o, ClientRunner& runner);

// A Producer made on the client's strand and closed (flushed) there before it is destroyed.
class ProducerHandle {
 public:
  ProducerHandle(ClientRunner& runner, const ProducerOptions& options);
  ~ProducerHandle();
  ProducerHandle(const ProducerHandle&) = delete;
  ProducerHandle& operator=(const ProducerHandle&) = delete;

  client::Producer& operator*() { return *producer_; }
  client::Producer* operator->() { return producer_.get(); }
  // Flushes and stops; later calls do nothing.
  void close();

 private:
  ClientRunner& runner_;
  std::unique_ptr<client::Producer> producer_;
  bool closed_ = false;
};

// The topic's partitions (or just `partition`) starting at `start`; nullopt after printing why.
std::optional<std::vector<client::Assignment>> assignment_for(ClientRunner& runner, const std::string& topic,
                                                              std::optional<int32_t> partition,
                                                              client::StartOffset start, const char* what);

// Installs SIGINT/SIGTERM handlers that set stop_requested() (consume and perf loops poll it).
void install_stop_handlers();
bool stop_requested();

}  // namespace sluice::tools
