// The SQLite backend: the embedded default. One file, WAL journal, synchronous=FULL (a commit
// is on disk before it returns), foreign keys on, a busy timeout for concurrent writers.
#ifndef SPODE_STORAGE_SQLITE_SQLITE_DATABASE_H_
#define SPODE_STORAGE_SQLITE_SQLITE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "storage/database.h"

namespace spode::storage {

// Opens (creating when options.create) the SQLite database at `path`.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options);

// How many checkpoints the background checkpointer of the file at `path` has run in this
// process, while a connection to it is open (0 when none is). A connection to a file in WAL
// mode leaves its log's checkpoints to that thread (OpenOptions::checkpoint_pages).
int64_t BackgroundCheckpointsOf(const std::string& path);

// Waits until the background checkpointer of the file at `path` (if any) has run every
// checkpoint asked of it so far: for a caller that wants the log copied back before it goes on
// (a benchmark between its timed steps, a test).
void WaitForBackgroundCheckpoints(const std::string& path);

}  // namespace spode::storage

#endif  // SPODE_STORAGE_SQLITE_SQLITE_DATABASE_H_
