// Cycles: one payment period of one scheme. Creating a cycle freezes who is paid and how much:
// every current enrolment still eligible under the scheme's active rules gets an entitlement,
// with the rule version that computed it; later registry edits do not change a frozen cycle.
// A cycle is then approved tier by tier (the scheme's `approvals`, e.g. district then state),
// never by the officer who prepared it, and never beyond the scheme's remaining budget.
//
//   ASSIGN_OR_RETURN(CycleSummary c, programs::CreateCycle(db, clock, store, snapshot,
//                                                         "old_age_pension", "2026-11",
//                                                         "user:district.officer"));
//   ASSIGN_OR_RETURN(ApprovalResult a, programs::ApproveCycleTier(
//       db, clock, c.cycle_id, {.actor = "user:district.head", .level = "district"}));
//
// Money is not moved here: payments::ApproveCycle wraps ApproveCycleTier in a transaction with
// the ledger posting of the final approval (payments/ floor 7; this module is floor 6).
//
// The database enforces the rules that protect money: one cycle per (scheme, period); one
// entitlement per (cycle, beneficiary), positive; an approval row only for the next tier
// (tier n names tier n-1), never by the cycle's maker (a check on a column tied to the cycle by
// a foreign key), and one tier per officer.
//
// Thread-safety: as the Database (one per connection). CreateCycle reads the snapshot; the
// caller keeps it from changing meanwhile.
#ifndef SPODE_PROGRAMS_CYCLES_H_
#define SPODE_PROGRAMS_CYCLES_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/money.h"
#include "common/result.h"
#include "common/time_source.h"
#include "programs/store.h"
#include "registry/snapshot.h"
#include "storage/database.h"

namespace spode::programs {

struct CycleSummary {
  int64_t cycle_id = 0;
  std::string scheme_id;
  std::string period;  // "2026-11", "2026-Q3", "2026"
  int scheme_version = 0;
  // preparing → prepared → approved; or cancelled
  std::string status;
  int64_t beneficiaries = 0;
  Money total;
  std::vector<std::string> tiers;     // the approval tiers, frozen at creation
  int approvals_done = 0;
  std::string created_by;
  Timestamp created_at;
  // Filled by CreateCycle only: enrolments left out because they are no longer eligible (their
  // exit is the enrolment workflow's business) or whose amount did not evaluate.
  int64_t not_eligible = 0;
  int64_t amount_failures = 0;
  bool created = false;  // false: the cycle already existed and is returned as it is
};

nlohmann::json CycleJson(const CycleSummary& c);

// The cycle for (scheme, period), creating it if there is none. The scheme must be active;
// the period must have the scheme's frequency (a month "2026-11", a quarter "2026-Q3", a year
// "2026") and must have begun. Eligibility and amounts are evaluated as on the period's first
// day. Runs in its own transaction: a crash leaves no half-made cycle.
// INVALID_ARGUMENT: a bad period. FAILED_PRECONDITION: the scheme is not active.
Result<CycleSummary> CreateCycle(storage::Database& db, const TimeSource& clock,
                                 SchemeStore& store, const registry::Snapshot& snapshot,
                                 std::string_view scheme_id, std::string_view period,
                                 std::string_view actor);

// "42" or "old_age_pension/2026-11" → the cycle. NOT_FOUND when there is none.
Result<CycleSummary> FindCycle(storage::Database& db, std::string_view ref);
Result<std::vector<CycleSummary>> ListCycles(storage::Database& db, std::string_view scheme_id);

struct Approver {
  std::string actor;  // "user:state.officer"
  std::string level;  // the officer's level: "block", "district" or "state"
};

struct ApprovalResult {
  CycleSummary cycle;      // after this approval
  int tier = 0;            // 1-based
  bool final = false;      // this approval completed the cycle's tiers
  Money remaining_budget;  // the scheme's budget for the financial year left before this cycle
  bool repeated = false;   // this officer had already approved this tier: nothing changed
};

// What an approver sees before approving: the cycle, its total, the budget of the financial
// year (April-March) the period falls in, what earlier approved cycles used, what would remain.
Result<nlohmann::json> ApprovalPreview(storage::Database& db, SchemeStore& store,
                                       int64_t cycle_id);

// Records the next tier's approval. Runs in the caller's transaction when one is open (so that
// payments can post the ledger with it), else in its own. The same officer approving the same
// tier again (a retry) is answered with repeated = true and changes nothing.
// FAILED_PRECONDITION: the cycle is not
// awaiting approval, the approver's level is not the next tier's, the approver prepared the
// cycle or approved an earlier tier, or the total exceeds the remaining budget.
Result<ApprovalResult> ApproveCycleTier(storage::Database& db, const TimeSource& clock,
                                        SchemeStore& store, int64_t cycle_id,
                                        const Approver& approver);

// Cancels a cycle not yet approved. FAILED_PRECONDITION otherwise.
Status CancelCycle(storage::Database& db, const TimeSource& clock, int64_t cycle_id,
                   std::string_view actor, std::string_view reason);

// The financial year (April to March) containing `d`: {first day, last day}, e.g. "2026-27".
std::string FinancialYear(Date d);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_CYCLES_H_
