// Opening spode's state: the database (migrated to the current schema) and the vault key.
#ifndef SPODE_APP_STATE_H_
#define SPODE_APP_STATE_H_

#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "crypto/vault_key.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace spode::app {

// Every module's migrations, in floor order.
std::vector<storage::Migration> AllMigrations();

struct State {
  std::unique_ptr<storage::Database> db;
  std::unique_ptr<crypto::MasterKey> key;
};

// Opens the database at config.database.url, applies pending migrations, and loads the vault
// key. The key file is created only while the vault is empty: a database whose key is missing
// is an error (NOT_FOUND), never silently given a new key that could not open its vault.
Result<State> OpenState(const Config& config);

// Where bank files are written: beside an SQLite database ("demo/spode.db.bank-files"), or
// "bank-files" in the working directory for PostgreSQL.
std::string BankFilesDir(const Config& config);

}  // namespace spode::app

#endif  // SPODE_APP_STATE_H_
