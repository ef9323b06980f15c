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

}  // namespace spode::access

#endif  // SPODE_ACCESS_SCHEMA_H_
