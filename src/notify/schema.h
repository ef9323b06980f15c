// The notify module's tables, as numbered migrations (storage/migrations.h).
#ifndef SPODE_NOTIFY_SCHEMA_H_
#define SPODE_NOTIFY_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::notify {

// "notify/0001_outbox": the outbox table (README.md describes it).
std::vector<storage::Migration> Migrations();

}  // namespace spode::notify

#endif  // SPODE_NOTIFY_SCHEMA_H_
