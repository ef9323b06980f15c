// `spode serve`: the HTTP server over the registry.
#ifndef SPODE_APP_SERVE_H_
#define SPODE_APP_SERVE_H_

#include "common/config.h"

namespace spode::app {

// Serves until SIGTERM/SIGINT; returns the process exit code. `demo` prints the demo's
// welcome text once listening.
int Serve(const Config& config, bool demo);

}  // namespace spode::app

#endif  // SPODE_APP_SERVE_H_
