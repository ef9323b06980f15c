// What the subcommands share: opening spode's state for a command (config, database, vault key,
// clock), printing JSON, and the staff account named by --as, checked by the access gate.
#ifndef SPODE_APP_COMMAND_SUPPORT_H_
#define SPODE_APP_COMMAND_SUPPORT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "access/gate.h"
#include "access/principal.h"
#include "app/commands.h"
#include "app/state.h"
#include "common/time_source.h"

namespace spode::app {

struct Opened {
  Config config;
  State state;
  std::unique_ptr<SystemTimeSource> clock;
};

// The config (global options), with a command's --db and --key-file when given.
Result<Config> ConfigForCommand(const GlobalOptions& g, const std::string& db,
                                const std::string& key_file = "");

// The config (global options), with --db and --key-file when given, the migrated database and
// the vault key.
Result<Opened> OpenForCommand(const GlobalOptions& g, const std::string& db,
                              const std::string& key_file = "");

void PrintJsonDocument(const nlohmann::json& j);

// The staff account a command's --as names (any role), and a gate that decides its actions and
// records them, allowed or denied, in the same access log as the server's (on SQLite, the side
// file beside the registry), so the citizen and the auditors see them at once.
struct StaffGate {
  access::Principal principal;
  std::unique_ptr<access::AccessLog> log;
  std::unique_ptr<access::Gate> gate;
};
Result<StaffGate> GateFor(Opened& o, const std::string& username);

// GateFor, and the gate's decision on `action` over `r` for `purpose` (request id "cli"),
// recorded either way: the same rule as the API's for that action (role, duty, area). The
// account and its gate when allowed; PERMISSION_DENIED with the rule's reason otherwise, and
// NOT_FOUND for an unknown account.
Result<StaffGate> AuthorizedAs(Opened& o, const std::string& username, access::Action action,
                               const access::Resource& r, std::string_view purpose);

// Records a read of personal data made at the command line, as the server records its gate's
// decisions: in the same access log (on SQLite, the side file beside the registry), so that the
// citizen's own view of who looked at their data and the auditors' counts include it. The actor
// is this machine's user ("cli:<login>", role "system"), the purpose "command_line", and `what`
// the reason. Written and flushed before anything is shown: an error means show nothing.
Status RecordCommandLineRead(const Config& config, const TimeSource& clock, access::Action action,
                             const access::Resource& r, std::string_view what);

}  // namespace spode::app

#endif  // SPODE_APP_COMMAND_SUPPORT_H_
