// `spode serve`: the HTTP server over the registry.
#ifndef SPODE_APP_SERVE_H_
#define SPODE_APP_SERVE_H_

#include <string>

#include "common/config.h"

namespace spode::app {

// Serves until SIGTERM/SIGINT; returns the process exit code.
struct ServeOptions {
  bool demo = false;        // print the demo's welcome text and accounts
  bool dev_outbox = false;  // serve GET /dev/outbox (one-time codes!): demo and tests only
  // How often the proactive eligibility job runs (0: never; the first run is one interval
  // after start).
  int eligibility_every_minutes = 360;
  // The built web front end served at `/` ("": web/dist beside the binary, in its parent
  // directory (build/spode in the source tree) or in the working directory).
  std::string web_root = "";
};
int Serve(const Config& config, const ServeOptions& options);

}  // namespace spode::app

#endif  // SPODE_APP_SERVE_H_
