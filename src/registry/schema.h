// The registry's tables, as numbered migrations (storage/migrations.h).
#ifndef SPODE_REGISTRY_SCHEMA_H_
#define SPODE_REGISTRY_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::registry {

std::vector<storage::Migration> Migrations();

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_SCHEMA_H_
