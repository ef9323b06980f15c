// The access module's tables, as migrations.
#ifndef SPODE_ACCESS_SCHEMA_H_
#define SPODE_ACCESS_SCHEMA_H_

#include <string>
#include <vector>

#include "storage/migrations.h"

namespace spode::access {

std::vector<storage::Migration> Migrations();

// The `access_log` table and its index, with the dialect tokens of storage/migrations.h.
std::string AccessLogSchema();

// The access log's own file beside a SQLite registry (AccessLog::Open), compact: the entries in
// `access_entries`, each repeated name (actor, role, action, purpose, reason) an integer into
// `access_names`, the decision 1 (allow) or 0 (deny), an object of digits and a request id of 16
// hex digits stored as integers. `access_log` is a view with the columns and values of the
// table above, and an INSERT into it is stored compactly too, so every reader and writer of the
// log's SQL is the same on both backends. The file takes about 73 bytes an entry instead of 158
// (bench/access_log).
std::string AccessLogSidecarSchema();

}  // namespace spode::access

#endif  // SPODE_ACCESS_SCHEMA_H_
