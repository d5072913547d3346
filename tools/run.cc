#include <csignal>
#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "tools/commands.h"
#include "tools/format.h"

namespace sluice::tools {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

asio::awaitable<std::unique_ptr<client::Producer>> make_producer(client::KafkaClient* client,
                                                                 client::ProducerConfig config) {
  co_return std::make_unique<client::Producer>(*client, config);
}

// Logs go to stderr (stdout carries records), at warn unless SLUICE_LOG_LEVEL says otherwise.
void init_cli_logging() {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("sluice"));
  spdlog::set_pattern("sluice: %l: %v");
  const char* level = std::getenv("SLUICE_LOG_LEVEL");
  spdlog::set_level(spdlog::level::from_str(level != nullptr ? level : "warn"));
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}
bool stop_requested() { return g_stop != 0; }

ProducerHandle::ProducerHandle(ClientRunner& runner, const ProducerOptions& options) : runner_(runner) {
  client::ProducerConfig config;
  config.acks = options.acks;
  config.compression = options.compression;
  config.linger = std::chrono::milliseconds(options.linger_ms);
  config.batch_size = static_cast<size_t>(options.batch_size);
  producer_ = runner.run(make_producer(&runner.client(), config));
}

ProducerHandle::~ProducerHandle() { close(); }

void ProducerHandle::close() {
  if (closed_) return;
  closed_ = true;
  runner_.run(producer_->close());
}

int run_cli(const std::vector<std::string>& args) {
  const char* env = std::getenv("SLUICE_BOOTSTRAP");
  ParseOutcome parsed = parse_command_line(args, env != nullptr ? std::optional<std::string>(env) : std::nullopt);
  if (!parsed.options) {
    std::FILE* to = parsed.exit_code == kExitOk ? stdout : stderr;
    std::fprintf(to, "%s\n", parsed.text.c_str());
    return parsed.exit_code;
  }
  const CliOptions& o = *parsed.options;
  init_cli_logging();
  if (o.command == Command::log_dump || o.command == Command::log_verify) return run_log_command(o);
  if (o.command >= Command::dev_up && o.command <= Command::dev_down) return run_dev_command(o);
  ClientRunner runner(o.global);
  if (auto connected = runner.connect(); !connected) {
    std::fprintf(stderr, "%s\n", error_line("cannot reach " + o.global.bootstrap, connected.error()).c_str());
    return kExitUnreachable;
  }
  switch (o.command) {
    case Command::topic_create:
    case Command::topic_list:
    case Command::topic_describe:
    case Command::topic_delete:
    case Command::topic_alter_config:
    case Command::topic_add_partitions:
    case Command::topic_reassign: return run_topic_command(o, runner);
    case Command::produce: return run_produce(o, runner);
    case Command::consume: return run_consume(o, runner);
    case Command::cluster_info: return run_cluster_info(o, runner);
    case Command::cluster_elect_leaders: return run_cluster_elect_leaders(o, runner);
    case Command::perf_produce: return run_perf_produce(o, runner);
    case Command::perf_consume: return run_perf_consume(o, runner);
    case Command::group_list:
    case Command::group_describe:
    case Command::group_reset_offsets:
    case Command::group_delete: return run_group_command(o, runner);
    case Command::cluster_health: return run_cluster_health(o, runner);
    case Command::log_dump:
    case Command::log_verify:
    case Command::dev_up:
    case Command::dev_status:
    case Command::dev_stop_broker:
    case Command::dev_kill_broker:
    case Command::dev_start_broker:
    case Command::dev_down:
    case Command::none: break;
  }
  std::fprintf(stderr, "sluice: no command given\n");
  return kExitUsage;
}

}  // namespace sluice::tools
