// `spode backup` (backup.cc): a copy of an SQLite state that can be restored, taken while spode
// goes on serving it.
//
// What a state on SQLite is, beside `state.db`: its access log (`state.db-access-log`, the
// record of who saw whose data) and its bank files (`state.db.bank-files/`, which `spode ledger
// check` reads back against the ledger). A backup copies all three into a folder under the same
// names, so that restoring is putting them back. The vault key (`state.db.key`) is not copied:
// it is kept apart from the data it opens (docs/operations.md).
#ifndef SPODE_APP_BACKUP_H_
#define SPODE_APP_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "app/commands.h"
#include "common/result.h"
#include "common/time_source.h"

namespace spode::app {

struct BackupPart {
  std::string what;    // "registry", "access log" or "bank files"
  std::string source;  // the file or folder copied
  std::string copy;    // where its copy is
  int64_t bytes = 0;
  int64_t files = 1;
  double seconds = 0;
};

struct Backup {
  std::vector<BackupPart> parts;  // the registry's, the access log's, then the bank files
  std::string key_file;           // the vault key the copy needs, not copied
};

// Copies the SQLite state at `config.database.url` (its bank files at BankFilesDir, its key
// at KeyFileFor) into `out_dir` (created when missing). Records the backup
// in the access log first, so that the log's copy holds it. The registry, then the log, are
// each copied as of one moment (SQLite's VACUUM INTO: writers go on meanwhile), checked (PRAGMA
// integrity_check) and synced under a temporary name, and only then given their names, so a
// copy under its name is whole; then the bank files (those under a temporary name, still being
// written, are left out). `progress` hears of each part before it is copied.
// INVALID_ARGUMENT for a PostgreSQL URL (pg_dump backs those up) or an in-memory database;
// NOT_FOUND when there is no database file; ALREADY_EXISTS when `out_dir` already holds a
// copy of any of them (a backup never replaces one); DATA_LOSS when a copy fails its check.
Result<Backup> BackUp(const Config& config, const std::string& out_dir, const TimeSource& clock,
                      const std::function<void(std::string_view)>& progress = {});

// `spode backup --db DB --out DIR`.
void AddBackup(CLI::App& app, GlobalOptions& global);

}  // namespace spode::app

#endif  // SPODE_APP_BACKUP_H_
