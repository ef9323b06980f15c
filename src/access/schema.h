// The access module's tables, as migrations.
#ifndef SPODE_ACCESS_SCHEMA_H_
#define SPODE_ACCESS_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::access {

std::vector<storage::Migration> Migrations();

}  // namespace spode::access

#endif  // SPODE_ACCESS_SCHEMA_H_
