// Re-entry cases: the exclusion events the programs and payments layers record
// (programs/reentry.h) become cases with an owner, a deadline and the action that closes them,
// tracked by the same machinery as grievances (ticket, escalation, history, appeal).
//
//   ASSIGN_OR_RETURN(grievance::CaseRun run, grievance::OpenCasesFromEvents(db, clock));
//   ...an officer fixes the cause, then:
//   grievance::Resolve(db, clock, case_id, {.outcome = grievance::Outcome::kUpheld,
//                                           .reason = "Account updated", .actor = ...});
//   ...the payments layer, in its own transaction with the retry:
//   ASSIGN_OR_RETURN(auto actions, grievance::PendingActions(db));
//   for (const grievance::ResolutionAction& a : actions) {
//     if (a.kind != "retry_payment") continue;
//     ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db));
//     ...retry a.target with arrears...
//     RETURN_IF_ERROR(grievance::MarkActionDone(db, clock, a.action_id, true, "paid"));
//     RETURN_IF_ERROR(tx.Commit());
//   }
//
// What closes a case, by the kind of event (the case's closing_action), and the action a
// resolution in the citizen's favour records (kind → target):
//   payment_returned, payment_rejected, payment_held, validation_failed
//       account_update_then_retry       retry_payment → "instruction:<id>"
//   exit
//       reverify_then_reinstate         reinstate_enrolment → "enrolment:<id>"
//   verification_failed, change_rejected
//       correct_record_then_reevaluate  reevaluate_eligibility → "member:<idx>"/"household:<idx>"
//   duplicate_hold
//       decide_duplicate_then_release   release_hold → "household:<idx>"
// The target of a payment or exit event is the detail's instruction_id or enrolment_id, else the
// event's source up to its first '/' ("instruction:<id>/attempt:2" → "instruction:<id>"); of
// the others, the member or household. This module records actions; it never performs them.
// A payment event whose detail says the bank acts first ("who_acts": "bank") and names it
// ("bank_code", "bank" or "ifsc") is assigned to that bank too (intake.h, Route).
//
// Exactly once: a case per event (a unique index on the event; the event is claimed in the same
// transaction); an action per case (a unique key); an action is marked done once (only from
// pending). Safe to run OpenCasesFromEvents concurrently and repeatedly.
//
// Thread-safety: as the Database.
#ifndef SPODE_GRIEVANCE_REENTRY_CASES_H_
#define SPODE_GRIEVANCE_REENTRY_CASES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time_source.h"
#include "grievance/types.h"
#include "programs/reentry.h"
#include "storage/database.h"

namespace spode::grievance {

struct CaseRun {
  int64_t opened = 0;      // cases opened by this run
  int64_t skipped = 0;     // opened by another run meanwhile
  int64_t unroutable = 0;  // naming no registered member or household: left unclaimed
};
// Opens a case for every unclaimed re-entry event, oldest first. Each case commits in its own
// transaction with the claim of its event and the notice to the citizen (FAILED_PRECONDITION when a
// transaction is open).
Result<CaseRun> OpenCasesFromEvents(storage::Database& db, const TimeSource& clock,
                                    const Policy& policy = {});

// The closing action and resolution action for an event (the table above). Pure.
struct CasePlan {
  Category category = Category::kOther;
  std::string closing_action;
  std::string action_kind;
  std::string action_target;
};
CasePlan PlanFor(const programs::StoredReentryEvent& event);

struct ResolutionAction {
  int64_t action_id = 0;
  int64_t grievance_id = 0;
  std::string ticket;
  std::string kind;    // retry_payment, reinstate_enrolment, reevaluate_eligibility, release_hold
  std::string target;  // "instruction:<id>", "enrolment:<id>", "member:<idx>", "household:<idx>"
  std::string scheme_id;
  std::optional<int64_t> member_idx;
  int64_t household_idx = 0;
  std::string status;  // pending, done, failed
  Timestamp created_at;
  std::optional<Timestamp> done_at;
  std::string result;
};

// Pending actions, oldest first (at most `limit`, 1..10000).
Result<std::vector<ResolutionAction>> PendingActions(storage::Database& db, int limit = 1000);
// Every action recorded for a case.
Result<std::vector<ResolutionAction>> ActionsFor(storage::Database& db, int64_t grievance_id);

// Marks a pending action done (`succeeded`) or failed, with a short result ("paid Rs 3,000
// arrears"), records it in the case's history and tells the citizen. Runs on the caller's
// transaction when one is open (so the action and its mark commit together), else in its own.
// NOT_FOUND for an unknown action; FAILED_PRECONDITION when it is no longer pending (it was
// done already: do not do it again).
Status MarkActionDone(storage::Database& db, const TimeSource& clock, int64_t action_id,
                      bool succeeded, std::string_view result, const Policy& policy = {});

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_REENTRY_CASES_H_
