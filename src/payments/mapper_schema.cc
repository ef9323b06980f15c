#include "payments/mapper_schema.h"

namespace spode::payments {

std::vector<storage::Migration> MapperMigrations() { return {}; }

}  // namespace spode::payments
