// sluice-broker CONFIG [--override key=value]...: one Kafka-compatible broker.
// Exit status: 0 after a clean shutdown (SIGINT/SIGTERM), 1 with a one-line reason on stderr when
// the configuration is refused or the broker cannot start.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/kafka_server.h"
#include "protocol/logging.h"

namespace {

using sluice::broker::ConfigResult;

constexpr const char* kUsage =
    "usage: sluice-broker CONFIG [--override key=value]...\n"
    "  CONFIG                  a server.properties file (Kafka's property names)\n"
    "  --override key=value    sets a property, winning over the file; repeatable\n"
    "  --help                  prints this text\n";

struct Args {
  std::string config;
  std::vector<std::string> overrides;
  bool help = false;
};

std::optional<Args> parse_args(const std::vector<std::string_view>& argv) {
  Args args;
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "--help" || argv[i] == "-h") {
      args.help = true;
    } else if (argv[i] == "--override" && i + 1 < argv.size()) {
      args.overrides.emplace_back(argv[++i]);
    } else if (argv[i].starts_with("--override=")) {
      args.overrides.emplace_back(argv[i].substr(11));
    } else if (argv[i].starts_with("-") || !args.config.empty()) {
      return std::nullopt;
    } else {
      args.config = argv[i];
    }
  }
  if (args.config.empty() && !args.help) return std::nullopt;
  return args;
}

int fail(const std::string& reason) {
  std::fprintf(stderr, "sluice-broker: %s\n", reason.c_str());
  return 1;
}

int run(const Args& args) {
  auto config = sluice::broker::KafkaConfig::load(args.config, args.overrides);
  if (!config) return fail(config.error().message);
  if (!sluice::init_logging(config.value().log_level)) return fail("log.level: invalid");
  auto server = sluice::broker::KafkaServer::start(std::move(config).value());
  if (!server) return fail(server.error().message);
  auto done = server.value()->run();
  if (!done) return fail(done.error().message);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> raw(argv + 1, argv + argc);
  const auto args = parse_args(raw);
  if (!args) {
    std::fputs(kUsage, stderr);
    return 1;
  }
  if (args->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  try {
    return run(*args);
  } catch (const std::exception& e) {
    return fail(std::string("startup failed: ") + e.what());
  }
}
