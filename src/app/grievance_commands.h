// `spode grievance ...` (grievance_commands.cc): grievances and re-entry cases on the command
// line, and the grievance jobs that `spode serve` runs on a timer.
#ifndef SPODE_APP_GRIEVANCE_COMMANDS_H_
#define SPODE_APP_GRIEVANCE_COMMANDS_H_

#include <vector>

#include "app/commands.h"

namespace spode::app {

// `spode grievance list | show | counts | escalate | open-cases | run-actions`, and the
// `--grievance-every SECONDS` option of `spode serve` (registered after `serve`, on it).
std::vector<Command> GrievanceCommands();

// Seconds between two runs of the grievance jobs in `spode serve` (0: never): set by
// `spode serve --grievance-every` while the command line is parsed, read by Serve. One value per
// process, written before the server starts and only read after.
int& ServeGrievanceEverySeconds();
inline constexpr int kDefaultGrievanceEverySeconds = 300;

}  // namespace spode::app

#endif  // SPODE_APP_GRIEVANCE_COMMANDS_H_
