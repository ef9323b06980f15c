// The grievance module's tables, as numbered migrations (storage/migrations.h). They reference
// the registry (members, households, change_requests), access (assisted_consents) and programs
// (reentry_events), so the app applies them after those modules' migrations.
#ifndef SPODE_GRIEVANCE_SCHEMA_H_
#define SPODE_GRIEVANCE_SCHEMA_H_

#include <vector>

#include "storage/migrations.h"

namespace spode::grievance {

// "grievance/0001_grievances": grievances, grievance_assignments, grievance_escalations,
// grievance_appeals, grievance_events, grievance_actions (README.md describes them).
std::vector<storage::Migration> Migrations();

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_SCHEMA_H_
