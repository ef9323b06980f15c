// Re-entry events: every time the system excludes someone (an exit from a scheme, a payment
// rejected, returned or held, a failed check before payment), it records an event here so that
// the exclusion can be followed up: the grievance module turns each event into a re-entry case
// with an owner, a deadline and the action that closes it (issue 6).
//
//   ASSIGN_OR_RETURN(bool created, programs::RecordReentryEvent(db, {
//       .kind = programs::ReentryKind::kPaymentReturned,
//       .scheme_id = "old_age_pension", .member_idx = 12, .household_idx = 4,
//       .reason_code = "R03", .detail = {{"reason_en", "..."}, {"who_acts", "citizen"}},
//       .source = "instruction:202611-70000000012-3fa9c2d1/attempt:1"}, clock.Now()));
//
// `source` names what caused the event and is unique: recording the same source again changes
// nothing and returns false, so a re-run of a step never opens a second case. The event is
// written on the caller's Database, inside the caller's transaction when one is open, so it
// commits with the change that caused it.
//
// Thread-safety: as the Database (one per connection).
#ifndef SPODE_PROGRAMS_REENTRY_H_
#define SPODE_PROGRAMS_REENTRY_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace spode::programs {

enum class ReentryKind {
  kExit,                // an enrolment ended (ineligible, death, voluntary)
  kPaymentRejected,     // the bank refused a credit (money not moved)
  kPaymentReturned,     // a credit came back after it was made
  kPaymentHeld,         // held before sending: the destination account changed (drift)
  kValidationFailed,    // failed pre-payment validation (account, IFSC, mapper, name)
  kVerificationFailed,  // a verification of the person or record failed
  kChangeRejected,      // a change request was rejected
  kDuplicateHold,       // a household held as a possible duplicate
};
std::string_view ReentryKindName(ReentryKind kind);  // "exit", "payment_rejected", ...
std::optional<ReentryKind> ParseReentryKind(std::string_view name);

struct ReentryEvent {
  ReentryKind kind = ReentryKind::kExit;
  std::string scheme_id;               // empty when no scheme is concerned
  std::optional<int64_t> member_idx;   // who is excluded (the payee, or the member)
  std::optional<int64_t> household_idx;
  std::string reason_code;             // "R03", "ineligible", "death", "ifsc_format", ...
  nlohmann::json detail = nlohmann::json::object();  // reason in words, who acts, next step
  std::string source;                  // unique: "instruction:<id>/attempt:<n>", "enrolment:<id>"
};

struct StoredReentryEvent {
  int64_t event_id = 0;
  ReentryEvent event;
  Timestamp created_at;
  std::optional<int64_t> case_id;  // set when a re-entry case was opened for it
};

// Records `e` unless its source is already recorded (then returns false). INVALID_ARGUMENT for
// an empty source or reason code.
Result<bool> RecordReentryEvent(storage::Database& db, const ReentryEvent& e, Timestamp now);

// Records each of `events` whose source is not recorded yet, as RecordReentryEvent does each,
// in their order, and returns how many were new. On PostgreSQL they go in through COPY and one
// INSERT ... SELECT: a round trip an event made a bank's status file of 30,000 returns take
// minutes to import. INVALID_ARGUMENT, before anything is written, for an empty source or
// reason code.
Result<int64_t> RecordReentryEvents(storage::Database& db, std::span<const ReentryEvent> events,
                                    Timestamp now);

// RecordReentryEvents in two steps, for a caller that makes the rows on another thread while it
// writes something else: ReentryEventRows checks each event (INVALID_ARGUMENT as above) and
// serialises it, without the database; RecordReentryEventRows writes rows so made (any others:
// INVALID_ARGUMENT) and returns how many were new.
inline constexpr int kReentryEventColumns = 8;
Result<storage::RowBuffer> ReentryEventRows(std::span<const ReentryEvent> events);
// ReentryEventRows one event at a time: checks `e` (INVALID_ARGUMENT as above, and then appends
// nothing) and appends its row to `rows` (of kReentryEventColumns columns), so that a caller
// making many events can drop each event's objects as soon as its row is made.
Status AppendReentryEventRow(storage::RowBuffer& rows, const ReentryEvent& e);
Result<int64_t> RecordReentryEventRows(storage::Database& db, const storage::RowBuffer& rows,
                                       Timestamp now);

struct ReentryFilter {
  std::optional<int64_t> member_idx = {};
  std::optional<int64_t> household_idx = {};
  std::string scheme_id = {};
  bool only_unclaimed = false;  // no case opened yet
  int limit = 100;
};
// Newest first.
Result<std::vector<StoredReentryEvent>> ListReentryEvents(storage::Database& db,
                                                          const ReentryFilter& filter);
// Marks the event as picked up by a case. FAILED_PRECONDITION when another case has it.
Status ClaimReentryEvent(storage::Database& db, int64_t event_id, int64_t case_id);

std::vector<storage::Migration> ReentryMigrations();

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_REENTRY_H_
