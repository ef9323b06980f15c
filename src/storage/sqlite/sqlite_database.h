// The SQLite backend: the embedded default. One file, WAL journal, synchronous=FULL (a commit
// is on disk before it returns), foreign keys on, a busy timeout for concurrent writers.
#ifndef SPODE_STORAGE_SQLITE_SQLITE_DATABASE_H_
#define SPODE_STORAGE_SQLITE_SQLITE_DATABASE_H_

#include <memory>
#include <string>

#include "storage/database.h"

namespace spode::storage {

// Opens (creating when options.create) the SQLite database at `path`.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options);

}  // namespace spode::storage

#endif  // SPODE_STORAGE_SQLITE_SQLITE_DATABASE_H_
