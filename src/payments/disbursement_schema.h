// The disbursement tables, as migrations "payments/00NN_..."; included in payments::Migrations().
#ifndef SPODE_PAYMENTS_DISBURSEMENT_SCHEMA_H_
#define SPODE_PAYMENTS_DISBURSEMENT_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::payments {

std::vector<storage::Migration> DisbursementMigrations();

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_DISBURSEMENT_SCHEMA_H_
