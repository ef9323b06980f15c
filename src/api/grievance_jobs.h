// The grievance module's scheduled jobs, and the resolution actions of re-entry cases carried
// out by the layers that own them: `spode serve` runs RunGrievanceJobs every few minutes, and
// `spode grievance escalate | open-cases | run-actions` runs its parts by hand.
//
//   ASSIGN_OR_RETURN(api::GrievanceJobs run, api::RunGrievanceJobs(db, clock, {
//       .eligibility = &eligibility}));
//   spdlog::info("grievance jobs: {}", api::GrievanceJobsJson(run).dump());
//
// It lives here, above both grievance/ and payments/ (siblings on floor 7, which may not use
// each other), because an upheld re-entry case's action is a payment retried or an enrolment
// restored: grievance/ records the action (reentry_cases.h), payments/ and programs/ do it, and
// this file joins the two.
//
// What RunResolutionActions does with each pending action (docs/grievance.md, "Re-entry cases"):
//   retry_payment "instruction:<id>"    automatic. A rejected, returned or invalid instruction is
//       sent again with the same id (payments::RequeueInstruction: attempt + 1, to the account
//       on record; it is that cycle's payment, so the export that follows pays the arrears
//       once). A held one is released (payments::ConfirmDestination) when the account on record
//       is still the one it was held for; when the account changed again it is left to an
//       officer (marked failed, the citizen told an officer follows up). While the payee still
//       has no valid account the action waits (pending) and is tried again next run.
//   reinstate_enrolment "enrolment:<id>", reevaluate_eligibility "member:<idx>"/"household:<idx>"
//       with a scheme: automatic when the eligibility snapshot is given. Already enrolled again
//       → done; otherwise programs::Apply on the citizen's behalf, recorded as the upholding
//       officer's (channel officer): eligible → enrolled again without a new application
//       (done); not eligible today → failed, for an officer. Arrears for cycles missed while
//       out are not computed here: the result says so, and an officer follows up. Without a
//       scheme (a failed verification or rejected change), or without the snapshot (the CLI
//       loads it only when needed), the action is failed for an officer, or waits.
//   release_hold "household:<idx>"      an officer's decision (duplicate.decide): the action
//       waits while the household's duplicate hold is pending, and is done once decided.
//
// Exactly once. Doing an action and marking it done are two commits (the payments and programs
// calls open their own transactions), so each action first checks whether its work is already
// done: a retry whose instruction has moved past the failed attempt (the case's re-entry event
// names it, "instruction:<id>/attempt:2") or out of the held state is only marked done; an
// enrolment already current is only marked done. A run stopped between the two commits is
// completed by the next run without doing the work twice. Run one RunResolutionActions at a
// time per database (spode serve runs one; do not run `spode grievance run-actions` beside it
// on PostgreSQL).
//
// Thread-safety: as the Database. Call with no transaction open.
#ifndef SPODE_API_GRIEVANCE_JOBS_H_
#define SPODE_API_GRIEVANCE_JOBS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time_source.h"
#include "grievance/escalation.h"
#include "grievance/reentry_cases.h"
#include "grievance/types.h"
#include "programs/eligibility.h"
#include "storage/database.h"

namespace spode::api {

struct ActionOptions {
  // Recorded as who requeued or released a payment when not an upholding officer: "system" for
  // the scheduled job, "user:<name>" when a person runs it (--as).
  std::string actor = "system";
  // For reinstatement and re-evaluation (may be null: those actions then wait).
  const programs::Eligibility* eligibility = nullptr;
  int limit = 1000;  // pending actions looked at per run, oldest first (1..10000)
};

struct ActionRun {
  int64_t examined = 0;
  int64_t done = 0;     // carried out now and marked done
  int64_t already = 0;  // found carried out (by an earlier, interrupted run or a person): marked
  int64_t failed = 0;   // marked failed: an officer follows up (the citizen is told)
  int64_t waiting = 0;  // left pending: waiting for a fix or an officer's decision
  int64_t skipped = 0;  // marked by another runner meanwhile
  // One line per action, for people: "RC-2026-0000007-3 retry_payment: sent again (attempt 2)".
  std::vector<std::string> lines;
};

// Carries out pending resolution actions (the table above). Errors of one action are reported
// in its line and leave it pending; the run goes on. Returns an error only when the pending
// actions cannot be read.
Result<ActionRun> RunResolutionActions(storage::Database& db, const TimeSource& clock,
                                       const ActionOptions& options = {},
                                       const grievance::Policy& policy = {});

// One pass of every scheduled grievance job, in order: open cases for new re-entry events,
// escalate overdue grievances, carry out resolution actions, close settled grievances. Each
// runs even when an earlier one failed; `error` holds the first failure (OK when none).
struct GrievanceJobs {
  grievance::CaseRun cases;
  grievance::EscalationRun escalation;
  ActionRun actions;
  int64_t closed = 0;
  Status error;
};
GrievanceJobs RunGrievanceJobs(storage::Database& db, const TimeSource& clock,
                               const ActionOptions& options = {},
                               const grievance::Policy& policy = {});

nlohmann::json CaseRunJson(const grievance::CaseRun& r);
nlohmann::json EscalationRunJson(const grievance::EscalationRun& r);
nlohmann::json ActionRunJson(const ActionRun& r);
nlohmann::json GrievanceJobsJson(const GrievanceJobs& r);

}  // namespace spode::api

#endif  // SPODE_API_GRIEVANCE_JOBS_H_
