// The grievance desk: reading grievances and moving them through their life.
//
//   ASSIGN_OR_RETURN(grievance::Grievance g, grievance::GetByTicket(db, "GR-2026-0000123-4"));
//   if (!grievance::CanAnswer(g, principal).ok()) ...                  // access_rules.h
//   RETURN_IF_ERROR(grievance::Resolve(db, clock, g.grievance_id,
//       {.outcome = grievance::Outcome::kUpheld, .reason = "Arrears credited on 3 Dec",
//        .actor = principal.Actor()}).status());
//   RETURN_IF_ERROR(grievance::Rate(db, clock, g.grievance_id, 2, citizen.Actor()));
//   RETURN_IF_ERROR(grievance::Appeal(db, clock, g.grievance_id, "Only half was paid",
//                                     citizen.Actor()).status());
//
// The life of a grievance (docs/grievance.md):
//   open              --Resolve-->                                 resolved
//   open, appealed    --EscalateOverdue (escalation.h)-->          the same, one level up
//   resolved          --Rate 3-5 on an upheld answer, Close,
//                       CloseSettled-->                            closed
//   resolved          --Appeal (rejected or rated 1-2; once)-->    appealed (cannot be closed)
//   appealed          --Resolve (the appellate decision)-->        resolved
//   resolved, closed  --Reopen (within the window)-->              open
//
// Each change commits its own transaction (FAILED_PRECONDITION when the caller has one open),
// writes a plain-language history entry in English and Hindi, and tells the citizen through
// the outbox (grievance_update) when they have a phone. A change is checked against the state
// it read: if another request changed the grievance meanwhile, ABORTED (read again, retry).
// The functions record `actor`; whether the actor may do it is the caller's question
// (access_rules.h).
//
// Errors common to all: NOT_FOUND for an unknown grievance; INVALID_ARGUMENT for malformed
// text; FAILED_PRECONDITION for a step the grievance's state does not allow (the message says
// why); otherwise the Database's and the Outbox's errors, with nothing changed.
//
// Thread-safety: as the Database (one per connection, one thread at a time).
#ifndef SPODE_GRIEVANCE_DESK_H_
#define SPODE_GRIEVANCE_DESK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time_source.h"
#include "grievance/types.h"
#include "storage/database.h"

namespace spode::grievance {

// --- Reading ------------------------------------------------------------------------------

Result<Grievance> Get(storage::Database& db, int64_t grievance_id);
// INVALID_ARGUMENT for a malformed ticket or a wrong check digit; NOT_FOUND when no grievance
// has it (the year and the prefix must match too).
Result<Grievance> GetByTicket(storage::Database& db, std::string_view ticket);

struct ListFilter {
  std::optional<int64_t> household_idx = {};
  std::string area_prefix = {};     // the household's village code starts with this
  std::string bank_code = {};       // assigned to this bank
  std::optional<Level> level = {};  // held at this level ...
  std::string area_code = {};       // ... and area
  std::optional<GrievanceStatus> status = {};
  std::optional<Kind> kind = {};
  std::optional<Channel> channel = {};
  std::string filed_by = {};                 // filed by this actor
  std::optional<Timestamp> overdue_at = {};  // open or appealed, past their deadline then
  int64_t after_id = 0;                      // paging: grievance ids above this
  int limit = 100;                           // 1..1000
};
// Oldest first (by grievance id). INVALID_ARGUMENT for a limit out of range or a non-digit
// area prefix or code.
Result<std::vector<Grievance>> List(storage::Database& db, const ListFilter& filter);

struct HistoryEntry {
  int64_t event_id = 0;
  Timestamp at;
  std::string kind;  // filed, assigned, escalated, reassigned, interim_reply, resolved, rated,
                     // appealed, appeal_decided, reopened, closed, action, action_done
  std::string actor;
  std::string text_en;
  std::string text_hi;
  const std::string& Text(notify::Language l) const {
    return l == notify::Language::kHi ? text_hi : text_en;
  }
};
// Oldest first.
Result<std::vector<HistoryEntry>> History(storage::Database& db, int64_t grievance_id);

// --- Answering ----------------------------------------------------------------------------

// An interim reply to an open or appealed grievance: what is being done, while the final
// answer is pending. Does not move the deadline.
Status RecordInterimReply(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                          std::string_view reply, std::string_view actor,
                          const Policy& policy = {});

// Moves an open or appealed grievance to another holder, recorded with the reason; the
// deadline does not move. `to` must be at the current level or above (never back below an
// escalation), its area the household's area at that level, its bank code empty or four
// capital letters. FAILED_PRECONDITION when it is already there.
Status Reassign(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                const Assignee& to, std::string_view reason, std::string_view actor,
                const Policy& policy = {});

struct Resolution {
  Outcome outcome = Outcome::kUpheld;
  std::string reason = {};  // required: what was done, or why the grievance is not accepted
  // Required for an upheld data_correction grievance: the change request it produced (of the
  // same household).
  std::optional<int64_t> change_request_id = {};
  std::string actor = {};
};
struct Resolved {
  bool appeal_decided = false;  // it was the appellate officer's decision
  // A re-entry case upheld: the resolution action recorded (reentry_cases.h); empty otherwise,
  // or when the action had been recorded before.
  std::optional<int64_t> action_id = {};
};
// Answers an open grievance, or decides its appeal. A re-entry case upheld records its
// resolution action, once (reentry_cases.h).
Result<Resolved> Resolve(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                         const Resolution& resolution, const Policy& policy = {});

// --- The citizen's answer -----------------------------------------------------------------

// The citizen's rating (1..5) of a resolved grievance, once per answer. A rating of 3 or more
// on an upheld answer closes the grievance (the citizen is satisfied). Returns the status
// after. INVALID_ARGUMENT for a rating out of range.
Result<GrievanceStatus> Rate(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                             int rating, std::string_view actor, const Policy& policy = {});

// Appeals a resolved grievance that was rejected or rated 1 or 2, within the appeal window,
// once per grievance. The appellate officer is the grievance officer one level above the one
// who answered (the state's for an answer at state level), with their own deadline. Returns
// the appeal id.
Result<int64_t> Appeal(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                       std::string_view reason, std::string_view actor, const Policy& policy = {});

// Reopens a resolved or closed grievance within the reopen window after its answer: it goes
// back to the holder who answered, with a new deadline.
Status Reopen(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
              std::string_view reason, std::string_view actor, const Policy& policy = {});

// Closes a resolved grievance. FAILED_PRECONDITION for one that is open, under appeal (the
// appellate officer must decide first; the database refuses it too) or already closed.
Status Close(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
             std::string_view note, std::string_view actor);

// Closes every resolved grievance whose appeal and reopen windows have both passed. Returns
// how many.
Result<int64_t> CloseSettled(storage::Database& db, const TimeSource& clock,
                             const Policy& policy = {});

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_DESK_H_
