// spode: the command-line entry point. Every batch job is a subcommand; `spode --help` lists
// them and `spode COMMAND --help` explains one, with an example.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "app/commands.h"
#include "common/log.h"

int main(int argc, char** argv) {
  using namespace spode::app;
  CLI::App app{
      "spode: a citizen-centric social protection platform (registry, eligibility, payments, "
      "grievances).\nRun `spode COMMAND --help` for a command's options and an example."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("spode ") + kVersion);
  GlobalOptions global;
  app.add_option("--config", global.config_file, "TOML settings file (see docs/operations.md)");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  for (const Command& c : Commands()) c.add(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return RunSelected(global);
}
