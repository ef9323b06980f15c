#include "payments/disbursement_schema.h"

namespace spode::payments {

std::vector<storage::Migration> DisbursementMigrations() { return {}; }

}  // namespace spode::payments
