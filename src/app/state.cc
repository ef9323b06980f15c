#include "app/state.h"

#include <spdlog/spdlog.h>

#include "access/schema.h"
#include "notify/schema.h"
#include "grievance/schema.h"
#include "payments/schema.h"
#include "programs/store.h"
#include "registry/schema.h"

namespace spode::app {

std::vector<storage::Migration> AllMigrations() {
  std::vector<storage::Migration> all;
  for (auto& m : notify::Migrations()) all.push_back(std::move(m));
  for (auto& m : access::Migrations()) all.push_back(std::move(m));
  for (auto& m : registry::Migrations()) all.push_back(std::move(m));
  for (auto& m : programs::Migrations()) all.push_back(std::move(m));
  for (auto& m : payments::Migrations()) all.push_back(std::move(m));
  for (auto& m : grievance::Migrations()) all.push_back(std::move(m));
  return all;
}

std::string BankFilesDir(const Config& config) {
  if (storage::IsPostgresUrl(config.database.url)) return "bank-files";
  std::string path = config.database.url;
  if (path.starts_with("sqlite:")) path = path.substr(7);
  return path + ".bank-files";
}

Result<State> OpenState(const Config& config) {
  State state;
  storage::OpenOptions options;
  options.busy_timeout_ms = config.database.busy_timeout_ms;
  ASSIGN_OR_RETURN(state.db, storage::Open(config.database.url, options));
  ASSIGN_OR_RETURN(int ran, storage::ApplyMigrations(*state.db, AllMigrations()));
  if (ran > 0) spdlog::info("applied {} migrations to {}", ran, state.db->Describe());
  std::string key_file = KeyFileFor(config);
  ASSIGN_OR_RETURN(auto any, state.db->QueryOne("SELECT 1 FROM vault LIMIT 1"));
  bool create_key = !any.has_value();
  auto key = create_key ? crypto::MasterKey::LoadOrCreate(key_file)
                        : crypto::MasterKey::Load(key_file);
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kNotFound) {
      return NotFoundError(key.status().message() +
                           ", but the database's vault holds sealed data: give the key file "
                           "that was created with it (--key-file)");
    }
    return key.status();
  }
  state.key = std::make_unique<crypto::MasterKey>(std::move(*key));
  return state;
}

}  // namespace spode::app
