// The subcommands of `spode`. Each registers itself on the CLI11 app and runs when selected.
#ifndef SPODE_APP_COMMANDS_H_
#define SPODE_APP_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "common/config.h"

namespace spode::app {

inline constexpr const char* kVersion = "0.1.0";

struct GlobalOptions {
  std::string config_file;
  std::string log_level;
  // Set by the selected command's callback; run after parsing.
  std::function<int(const GlobalOptions&)> run;
};

struct Command {
  std::function<void(CLI::App&, GlobalOptions&)> add;
};

std::vector<Command> Commands();
int RunSelected(const GlobalOptions& global);

// Loads the config file (or defaults), applies --log-level, starts logging.
Result<Config> LoadConfig(const GlobalOptions& global);

// Prints a failure as one line on stderr (and as JSON on stdout with --json); returns exit 1.
int Fail(const Status& status, bool json);

}  // namespace spode::app

#endif  // SPODE_APP_COMMANDS_H_
