// The enrolment tables, as migrations "programs/00NN_..." (storage/migrations.h); included in
// programs::Migrations() after the scheme and proposal tables. docs/data-model.md explains them.
#ifndef SPODE_PROGRAMS_ENROLMENT_SCHEMA_H_
#define SPODE_PROGRAMS_ENROLMENT_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::programs {

std::vector<storage::Migration> EnrolmentMigrations();

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_ENROLMENT_SCHEMA_H_
