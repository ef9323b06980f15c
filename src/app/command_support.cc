#include "app/command_support.h"

#include <pwd.h>
#include <unistd.h>

#include <iostream>

#include "access/identities.h"

namespace spode::app {

Result<Config> ConfigForCommand(const GlobalOptions& g, const std::string& db,
                                const std::string& key_file) {
  ASSIGN_OR_RETURN(Config config, LoadConfig(g));
  if (!db.empty()) config.database.url = db;
  if (!key_file.empty()) config.vault.key_file = key_file;
  return config;
}

Result<Opened> OpenForCommand(const GlobalOptions& g, const std::string& db,
                              const std::string& key_file) {
  Opened o;
  ASSIGN_OR_RETURN(o.config, ConfigForCommand(g, db, key_file));
  ASSIGN_OR_RETURN(o.state, OpenState(o.config));
  o.clock = std::make_unique<SystemTimeSource>(o.config.time.utc_offset_minutes);
  return o;
}

void PrintJsonDocument(const nlohmann::json& j) { std::cout << j.dump(2) << std::endl; }

Result<StaffGate> GateFor(Opened& o, const std::string& username) {
  StaffGate g;
  ASSIGN_OR_RETURN(g.principal, access::Identities(*o.state.db, *o.clock).StaffByName(username));
  ASSIGN_OR_RETURN(g.log, access::AccessLog::Open(o.config.database.url));
  g.gate = std::make_unique<access::Gate>(*g.log, *o.clock);
  return g;
}

Result<StaffGate> AuthorizedAs(Opened& o, const std::string& username, access::Action action,
                               const access::Resource& r, std::string_view purpose) {
  ASSIGN_OR_RETURN(StaffGate g, GateFor(o, username));
  RETURN_IF_ERROR(g.gate->Authorize(*o.state.db, g.principal, action, r, purpose, "cli"));
  return g;
}

Status RecordCommandLineRead(const Config& config, const TimeSource& clock, access::Action action,
                             const access::Resource& r, std::string_view what) {
  const uid_t uid = ::geteuid();
  const passwd* pw = ::getpwuid(uid);
  std::string actor = "cli:";
  actor += pw != nullptr && pw->pw_name != nullptr ? std::string(pw->pw_name)
                                                   : "uid-" + std::to_string(uid);
  ASSIGN_OR_RETURN(std::unique_ptr<access::AccessLog> log,
                   access::AccessLog::Open(config.database.url));
  log->Append({clock.Now().micros, std::move(actor), "system", std::string(access::ActionName(action)),
               r.object, r.household_idx, "command_line", "allow", std::string(what), ""});
  return log->Flush();
}

}  // namespace spode::app
