// Enrolment: how a person or household comes to be in a scheme, and how they leave it.
//
// Two ways in (issue 5 §1):
//  - Proactive. The eligibility job (proposals.h) records proposals; SendNotices tells each
//    payee by SMS (enrolment_notice, in their language) and opens an objection period;
//    Object withdraws a proposal during it; EnrolDue enrols, in one set-based statement, every
//    noticed proposal whose period has ended without objection.
//  - Application. Apply decides the scheme's rules now, for one member or household, and
//    records the application with its decision and explanation: eligible → enrolled at once, or
//    pending an officer's decision when the scheme wants review (DecideApplication, never by
//    the submitter); ineligible → rejected with the reasons.
// And out, always as a proposal first: ProposeExits finds current enrolments that are no
// longer eligible, or whose member has died, proposes their exit with a reason and tells the
// citizen (exit_proposed); an officer may CancelExit; ApplyDueExits makes the rest effective
// when their notice period ends (exit_notice) and records a re-entry event for each
// (reentry.h). ExitVoluntarily ends an enrolment at once, at the citizen's request.
//
//   ASSIGN_OR_RETURN(NoticeReport n, programs::SendNotices(db, clock, "old_age_pension"));
//   RETURN_IF_ERROR(programs::Object(db, clock, proposal_id, "citizen:48301759261", "not mine"));
//   ASSIGN_OR_RETURN(EnrolDueReport e, programs::EnrolDue(db, clock, "old_age_pension"));
//
//   ASSIGN_OR_RETURN(Application a, programs::Apply(db, eligibility, clock, {
//       .scheme_id = "widow_pension", .member_idx = 1207, .channel = "operator",
//       .actor = "user:csc.op7", .officer_review = scheme.officer_review}));
//   if (a.status == "pending") ... later:
//   ASSIGN_OR_RETURN(a, programs::DecideApplication(db, clock, a.application_id,
//                                                   "user:bdo1", /*approve=*/true, "checked"));
//
//   ASSIGN_OR_RETURN(ExitRunReport x,
//                    programs::ProposeExits(db, snapshot, clock, "old_age_pension"));
//   ASSIGN_OR_RETURN(int64_t exited, programs::ApplyDueExits(db, clock, "old_age_pension"));
//
// Who did it: every call takes an actor ("user:state.officer", "citizen:<member_id>",
// "system" for jobs) and stores it with the change (noticed_by, enrolled_by, submitted_by,
// decided_by, proposed_by, withdrawn_by).
//
// Errors: INVALID_ARGUMENT for a bad argument (empty actor or reason, unknown channel, a day
// count out of 0..90); NOT_FOUND for an unknown scheme, proposal, application, enrolment or
// exit; FAILED_PRECONDITION for the wrong state (objecting after the period or to a proposal
// that was not noticed, deciding an application that is not pending, cancelling an exit that
// took effect, a household with no head as payee, an inactive scheme for Apply);
// ALREADY_EXISTS when the beneficiary is already enrolled or has a pending application;
// PERMISSION_DENIED when an officer decides their own application. Database errors as
// storage/database.h.
//
// The database holds the invariants: at most one current (not exited) enrolment per scheme and
// beneficiary (a unique index), one notice per proposal, one open exit proposal per
// enrolment, and an application decided by someone other than its submitter (a CHECK).
//
// Idempotent: SendNotices, EnrolDue, ProposeExits and ApplyDueExits pick up only what is due
// and change nothing when run again.
//
// Thread-safety: free functions over the Database they are given (one per connection, one
// thread at a time). Each call that writes opens its own transaction (call it with none open)
// and commits before returning; SendNotices commits in batches, each batch complete. Apply reads
// the Eligibility (which is safe from many threads).
#ifndef SPODE_PROGRAMS_ENROLMENT_H_
#define SPODE_PROGRAMS_ENROLMENT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "common/time_source.h"
#include "programs/eligibility.h"
#include "registry/snapshot.h"
#include "storage/database.h"

namespace spode::programs {

// Days between a notice and the day it takes effect, unless the caller gives another
// (0..90): the objection period of a proactive enrolment and the notice period of an exit.
inline constexpr int kDefaultObjectionDays = 15;
inline constexpr int kDefaultExitNoticeDays = 15;

// The language of messages to a household: "hi" when its state's official language is Hindi
// (state codes 02, 05, 06, 07, 08, 09, 10, 20, 22, 23: Himachal Pradesh, Uttarakhand,
// Haryana, Delhi, Rajasthan, Uttar Pradesh, Bihar, Jharkhand, Chhattisgarh, Madhya Pradesh),
// otherwise "en". The registry keeps no per-member language yet.
std::string_view NoticeLanguage(std::string_view state_code);

// ---- Proactive enrolment ----

struct NoticeReport {
  int64_t noticed = 0;           // proposals moved to 'noticed'
  int64_t messages = 0;          // of them, with an SMS in the outbox
  int64_t without_phone = 0;     // noticed with channel 'none' (no phone, or no payee found)
  int64_t already_enrolled = 0;  // withdrawn: enrolled meanwhile by another path
  Timestamp objection_until;     // the objection period ends here (start of a day in India)
};

// Notices every 'proposed' proposal of the scheme: records the notice (enrolment_notices),
// enqueues one enrolment_notice to the payee's phone (person schemes: the member; household
// schemes: the head) in NoticeLanguage, and moves the proposal to 'noticed'. The objection
// period runs to the end of the day `objection_days` days from today (India time); enrolment is
// from the day after. A payee without a phone is still noticed, with channel 'none': the notice
// is visible to them and to operators, and the enrolment is in their favour. Commits every
// 2,000 proposals.
Result<NoticeReport> SendNotices(storage::Database& db, const TimeSource& clock,
                                 std::string_view scheme_id,
                                 int objection_days = kDefaultObjectionDays,
                                 std::string_view actor = "system");

// An objection to a noticed proposal, by the citizen or an operator or officer for them
// (`by`): the proposal is withdrawn and the objection kept (proposal_withdrawals).
// FAILED_PRECONDITION when the proposal is not 'noticed' or its objection period has ended.
Status Object(storage::Database& db, const TimeSource& clock, int64_t proposal_id,
              std::string_view by, std::string_view reason);

struct EnrolDueReport {
  int64_t enrolled = 0;
  int64_t withdrawn = 0;          // already enrolled by another path, or no longer active
  int64_t waiting_for_payee = 0;  // household schemes: no active head recorded; left noticed
};

// Enrols every noticed, unobjected proposal of the scheme whose objection period has ended:
// one INSERT ... SELECT into enrolments (path 'proactive', source_id = proposal_id,
// enrolled_by = actor), then the proposals are marked 'enrolled', in one transaction.
Result<EnrolDueReport> EnrolDue(storage::Database& db, const TimeSource& clock,
                                std::string_view scheme_id, std::string_view actor = "system");

// ---- Applications ----

// Every field has a default, so designated initializers may name only what they set.
struct ApplicationInput {
  std::string scheme_id = {};
  std::optional<int64_t> member_idx = {};     // person schemes: required
  std::optional<int64_t> household_idx = {};  // household schemes: this, or a member_idx of it
  std::string channel = {};                   // "self", "operator" or "officer"
  std::string actor = {};                     // who submits: "citizen:<member_id>", "user:..."
  // The scheme's `officer_review` setting, passed by the CLI and API: eligible applications
  // wait for an officer's decision.
  bool officer_review = false;
  std::string language = {};  // of the explanation: "en" or "hi"; empty: NoticeLanguage
};

struct Application {
  int64_t application_id = 0;
  std::string scheme_id;
  int scheme_version = 0;
  std::string unit;  // "person" or "household"
  int64_t beneficiary_idx = 0;
  int64_t household_idx = 0;
  std::string channel;
  std::string submitted_by;
  Timestamp submitted_at;
  bool eligible = false;       // the rules' decision when submitted
  nlohmann::json explanation;  // Eligibility::ExplainScheme's answer, in `language`
  std::string language;
  std::string status;      // "pending", "enrolled" or "rejected"
  std::string decided_by;  // "system" when the rules decided alone; empty while pending
  std::optional<Timestamp> decided_at;
  std::string decision_note;
  std::optional<int64_t> enrolment_id;
};

// Decides and records an application (enrolment_applications). NOT_FOUND: no such scheme or
// member, or the member or household is not active (not in the snapshot). FAILED_PRECONDITION:
// the scheme is not active, or (enrolling at once) a household without a head. ALREADY_EXISTS:
// a current enrolment or a pending application for the same scheme and beneficiary.
// UNAVAILABLE while the Eligibility is not loaded.
Result<Application> Apply(storage::Database& db, const Eligibility& eligibility,
                          const TimeSource& clock, const ApplicationInput& input);

// An officer's decision on a pending application: approve enrols (path 'application',
// enrolled_by = officer); reject needs a note. PERMISSION_DENIED when the officer submitted the
// application. FAILED_PRECONDITION when it is not pending, or approving someone enrolled
// meanwhile or no longer active.
Result<Application> DecideApplication(storage::Database& db, const TimeSource& clock,
                                      int64_t application_id, std::string_view officer,
                                      bool approve, std::string_view note);

Result<Application> GetApplication(storage::Database& db, int64_t application_id);
// Oldest first; `status` empty for every status; `scheme_id` empty for every scheme.
Result<std::vector<Application>> ListApplications(storage::Database& db, std::string_view scheme_id,
                                                  std::string_view status = "pending",
                                                  int limit = 100);

// ---- Enrolments ----

struct Enrolment {
  int64_t enrolment_id = 0;
  std::string scheme_id;
  std::string unit;
  int64_t beneficiary_idx = 0;
  int64_t household_idx = 0;
  int64_t payee_member_idx = 0;
  std::string path;                  // "proactive", "application", "reinstated"
  std::optional<int64_t> source_id;  // the proposal or application
  std::string status;                // "enrolled", "exit_proposed", "exited"
  Timestamp enrolled_at;
  std::string enrolled_by;
  std::optional<Timestamp> exited_at;
  std::string exit_reason;  // "ineligible", "death", "voluntary"
};

struct EnrolmentFilter {
  std::string scheme_id = {};  // empty: every scheme
  std::optional<int64_t> household_idx = {};
  std::optional<int64_t> member_idx = {};  // as beneficiary or as payee
  std::string status = {};                 // empty: every status
  int64_t after_id = 0;                    // paging: enrolment_id greater than this
  int limit = 100;                         // 1..10000
};

Result<Enrolment> GetEnrolment(storage::Database& db, int64_t enrolment_id);
// In enrolment_id order. INVALID_ARGUMENT for a limit out of range or an unknown status.
Result<std::vector<Enrolment>> ListEnrolments(storage::Database& db, const EnrolmentFilter& filter);

// Counts for officers, per scheme.
struct EnrolmentCounts {
  std::string scheme_id;
  int64_t enrolled = 0, exit_proposed = 0, exited = 0;  // enrolments by status
  int64_t proposed = 0, noticed = 0, withdrawn = 0;     // proposals waiting or withdrawn
  int64_t applications_pending = 0;
};
// Every scheme with anything to count, by scheme_id; or only `scheme_id`.
Result<std::vector<EnrolmentCounts>> CountEnrolments(storage::Database& db,
                                                     std::string_view scheme_id = {});

// ---- Exits ----

struct ExitProposal {
  int64_t exit_id = 0;
  int64_t enrolment_id = 0;
  std::string scheme_id;
  int64_t beneficiary_idx = 0;
  int64_t household_idx = 0;
  std::string reason_code;  // "ineligible", "death", "voluntary"
  LocalizedText reason;     // in words, for the citizen
  nlohmann::json detail;    // the decision (clauses not met) for "ineligible"
  std::string status;       // "proposed", "cancelled", "effective"
  Timestamp proposed_at;
  std::string proposed_by;
  Timestamp effective_after;  // the exit takes effect from here (start of a day in India)
  std::string decided_by;     // who cancelled it or made it effective
  std::optional<Timestamp> decided_at;
  std::string note;
};

struct ExitRunReport {
  int64_t checked = 0;   // current enrolments looked at
  int64_t proposed = 0;  // new exit proposals (of which deaths:)
  int64_t deaths = 0;
  int64_t suppressed = 0;  // not proposed again: an officer cancelled the same exit recently
  int64_t withdrawn = 0;   // open exit proposals cancelled because eligible again
};

// Evaluates the scheme (latest version) over `snapshot` as of today and proposes an exit for
// every 'enrolled' enrolment that is not eligible (reason "ineligible", with the clauses not
// met) or whose member is recorded deceased (person schemes; reason "death"). Each becomes
// 'exit_proposed', with an exit_proposals row effective from the day after `notice_days` days,
// and the payee is sent exit_proposed in their language. An exit an officer cancelled less than
// 90 days ago for the same reason is not proposed again; an open 'ineligible' proposal whose
// beneficiary is eligible again is cancelled (decided_by = actor). The snapshot must be
// current: the caller refreshes it.
Result<ExitRunReport> ProposeExits(storage::Database& db, const registry::Snapshot& snapshot,
                                   const TimeSource& clock, std::string_view scheme_id,
                                   int notice_days = kDefaultExitNoticeDays,
                                   std::string_view actor = "system");

// Makes effective every proposed exit of the scheme whose notice period has ended: the
// enrolment becomes 'exited' (exited_at_us, exit_reason = the reason code), a re-entry event is
// recorded (source "enrolment:<id>/exit", kind exit) and the payee is sent exit_notice.
// Returns how many exits took effect. The notice period was fixed when the exit was proposed
// (effective_after), and is what the citizen was told.
Result<int64_t> ApplyDueExits(storage::Database& db, const TimeSource& clock,
                              std::string_view scheme_id, std::string_view actor = "system");

// An officer cancels a proposed exit: the enrolment is 'enrolled' again. FAILED_PRECONDITION
// when the exit is not 'proposed' (cancelled, or already effective). A note is required.
Status CancelExit(storage::Database& db, const TimeSource& clock, int64_t exit_id,
                  std::string_view officer, std::string_view note);

// Ends an enrolment at once at the beneficiary's request (`actor` is the citizen or the
// operator or officer acting for them): an 'effective' exit with reason "voluntary" (any open
// exit proposal is cancelled), the re-entry event, and exit_notice. Returns the exit_id.
// FAILED_PRECONDITION when the enrolment has already ended.
Result<int64_t> ExitVoluntarily(storage::Database& db, const TimeSource& clock,
                                int64_t enrolment_id, std::string_view actor,
                                std::string_view reason);

struct ExitFilter {
  std::string scheme_id = {};       // empty: every scheme
  std::string status = "proposed";  // empty: every status
  std::optional<int64_t> enrolment_id = {};
  int limit = 100;  // 1..10000
};
// The officers' list of exits, earliest effective first.
Result<std::vector<ExitProposal>> ListExitProposals(storage::Database& db,
                                                    const ExitFilter& filter);

// ---- JSON for the API and CLI ----
nlohmann::json EnrolmentJson(const Enrolment& e);
nlohmann::json ApplicationJson(const Application& a);
nlohmann::json ExitProposalJson(const ExitProposal& x, std::string_view language = "en");
nlohmann::json CountsJson(const std::vector<EnrolmentCounts>& counts);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_ENROLMENT_H_
