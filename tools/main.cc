// build/bin/sluice: the command-line tool (docs/cli.md).
#include <string>
#include <vector>

#include "tools/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return sluice::tools::run_cli(args);
}
