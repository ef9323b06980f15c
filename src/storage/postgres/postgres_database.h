// The PostgreSQL backend (libpq): production's system of record.
#ifndef SPODE_STORAGE_POSTGRES_POSTGRES_DATABASE_H_
#define SPODE_STORAGE_POSTGRES_POSTGRES_DATABASE_H_

#include <memory>
#include <string>

#include "storage/database.h"

namespace spode::storage {

// Connects to `url` (a libpq connection URI). UNAVAILABLE when the server cannot be reached.
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions& options);

}  // namespace spode::storage

#endif  // SPODE_STORAGE_POSTGRES_POSTGRES_DATABASE_H_
