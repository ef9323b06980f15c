#include "programs/cycle_schema.h"

namespace spode::programs {

std::vector<storage::Migration> CycleMigrations() { return {}; }

}  // namespace spode::programs
