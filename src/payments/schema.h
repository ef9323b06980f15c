// The payments module's tables, as migrations "payments/NNNN_name" (storage/migrations.h).
//
//   std::vector<storage::Migration> all = ...;           // lower floors first
//   for (auto& m : payments::Migrations()) all.push_back(std::move(m));
//   ASSIGN_OR_RETURN(int ran, storage::ApplyMigrations(db, all));
//
// The tables reference no other module's tables, so they may run after any of them. README.md
// ("The ledger's tables") explains the columns and why the chain of running totals makes an
// unbalanced journal entry impossible to commit.
#ifndef SPODE_PAYMENTS_SCHEMA_H_
#define SPODE_PAYMENTS_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::payments {

std::vector<storage::Migration> Migrations();

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_SCHEMA_H_
