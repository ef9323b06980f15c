// The cycle tables (programs/cycles.h), as migrations "programs/00NN_..."; included in
// programs::Migrations() after the enrolments.
#ifndef SPODE_PROGRAMS_CYCLE_SCHEMA_H_
#define SPODE_PROGRAMS_CYCLE_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::programs {

std::vector<storage::Migration> CycleMigrations();

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_CYCLE_SCHEMA_H_
