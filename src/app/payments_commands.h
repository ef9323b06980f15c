// The programme and payment subcommands (payments_commands.cc).
#ifndef SPODE_APP_PAYMENTS_COMMANDS_H_
#define SPODE_APP_PAYMENTS_COMMANDS_H_

#include <vector>

#include "app/commands.h"

namespace spode::app {

std::vector<Command> PaymentCommands();

}  // namespace spode::app

#endif  // SPODE_APP_PAYMENTS_COMMANDS_H_
