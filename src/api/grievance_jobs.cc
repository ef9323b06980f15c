#include "api/grievance_jobs.h"

#include <charconv>
#include <optional>

#include "grievance/desk.h"
#include "payments/disbursement.h"
#include "payments/mapper.h"
#include "programs/enrolment.h"

namespace spode::api {
namespace {

using nlohmann::json;

// What became of one action.
enum class Outcome { kDone, kAlready, kFailed, kWaiting };

struct Verdict {
  Outcome outcome = Outcome::kWaiting;
  std::string result;  // for the history and the citizen (kDone, kAlready, kFailed), or the line
};

Verdict Done(std::string r) { return {Outcome::kDone, std::move(r)}; }
Verdict Already(std::string r) { return {Outcome::kAlready, std::move(r)}; }
Verdict Failed(std::string r) { return {Outcome::kFailed, std::move(r)}; }
Verdict Waiting(std::string r) { return {Outcome::kWaiting, std::move(r)}; }

std::optional<int64_t> ParseNumber(std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n <= 0) return std::nullopt;
  return n;
}

// "instruction:<id>" → "<id>"; empty when `target` is not of `kind`.
std::string TargetId(std::string_view target, std::string_view kind) {
  if (!target.starts_with(kind) || target.size() <= kind.size() + 1 ||
      target[kind.size()] != ':') {
    return "";
  }
  return std::string(target.substr(kind.size() + 1));
}

// The case's re-entry event source ("instruction:<id>/attempt:2", ".../invalid/1",
// ".../held"), or empty.
Result<std::string> EventSource(storage::Database& db, int64_t grievance_id) {
  ASSIGN_OR_RETURN(grievance::Grievance g, grievance::Get(db, grievance_id));
  if (!g.reentry_event_id) return std::string();
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT source FROM reentry_events WHERE event_id = ?",
                                         {*g.reentry_event_id}));
  return row ? row->Text(0) : std::string();
}

// The attempt an event's source says failed: "…/attempt:2" → 2, "…/invalid/1" → 1.
std::optional<int64_t> FailedAttempt(std::string_view source) {
  size_t slash = source.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view rest = source.substr(slash + 1);
  if (rest.starts_with("attempt:")) return ParseNumber(rest.substr(8));
  if (rest.starts_with("invalid/")) return ParseNumber(rest.substr(8));
  return std::nullopt;
}

// retry_payment: see the header.
Result<Verdict> RetryPayment(storage::Database& db, const TimeSource& clock,
                             const grievance::ResolutionAction& a, const std::string& actor) {
  const std::string id = TargetId(a.target, "instruction");
  if (id.empty()) return Failed("the case names no payment instruction");
  ASSIGN_OR_RETURN(std::optional<payments::InstructionKey> key,
                   payments::FindInstruction(db, id));
  if (!key) return Failed("payment " + id + " is not on record");
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT status, attempt, address_id, payee_member_idx "
                                         "FROM payment_instructions WHERE cycle_id = ? AND "
                                         "beneficiary_idx = ? AND scheme_id = ?",
                                         {key->cycle_id, key->beneficiary_idx, key->scheme_id}));
  if (!row) return Failed("payment " + id + " is not on record");
  const std::string status = row->Text(0);
  const int64_t attempt = row->Int(1);
  ASSIGN_OR_RETURN(std::string source, EventSource(db, a.grievance_id));
  const std::optional<int64_t> failed_attempt = FailedAttempt(source);
  const bool held_case = source.ends_with("/held");
  const std::string again = "payment " + id + " sent again (attempt " + std::to_string(attempt);
  if (status == "rejected" || status == "returned" || status == "invalid") {
    if (failed_attempt && attempt > *failed_attempt) {
      // Sent again since (and failed again: that failure has its own case).
      return Already(again + ")");
    }
    Status s = payments::RequeueInstruction(db, clock, id, actor);
    if (s.code() == StatusCode::kFailedPrecondition) {
      return Waiting("waiting for a valid bank account in the mapper: " + s.message());
    }
    RETURN_IF_ERROR(s);
    return Done("payment " + id + " sent again (attempt " + std::to_string(attempt + 1) +
                "), with the arrears of its cycle");
  }
  if (status == "held") {
    if (row->IsNull(2)) return Failed("payment " + id + " has no destination; an officer acts");
    payments::Mapper mapper(db, clock);
    ASSIGN_OR_RETURN(payments::Drift drift, mapper.ChangedSince(row->Int(3), row->Int(2)));
    if (drift.changed()) {
      return Failed("the account on record changed after payment " + id +
                    " was held; an officer releases it");
    }
    RETURN_IF_ERROR(payments::ConfirmDestination(db, clock, id, actor));
    return Done("payment " + id + " released to the account on record");
  }
  // ready, sent, accepted or paid: already on its way again, unless this is the very attempt
  // that failed (which a failed state would show), so only for a later attempt or a released
  // hold.
  if ((failed_attempt && attempt > *failed_attempt) || held_case || !failed_attempt) {
    return Already(again + ", now " + status + ")");
  }
  return Failed("payment " + id + " is " + status + "; nothing to send again");
}

// A current (not exited) enrolment in the scheme of the household (household schemes), or of
// `member_idx` (person schemes), if any.
Result<std::optional<programs::Enrolment>> CurrentEnrolment(storage::Database& db,
                                                            const std::string& scheme_id,
                                                            int64_t household_idx,
                                                            std::optional<int64_t> member_idx) {
  ASSIGN_OR_RETURN(auto all, programs::ListEnrolments(db, {.scheme_id = scheme_id,
                                                           .household_idx = household_idx,
                                                           .limit = 10000}));
  for (const programs::Enrolment& e : all) {
    if (e.status == "exited") continue;
    if (e.unit == "household" || (member_idx && e.beneficiary_idx == *member_idx)) {
      return std::optional<programs::Enrolment>(e);
    }
  }
  return std::optional<programs::Enrolment>();
}

// Enrols the member (person schemes; for household schemes, their household) or the household
// in `scheme_id` again, on the upholding officer's decision.
Result<Verdict> EnrolAgain(storage::Database& db, const TimeSource& clock,
                           const ActionOptions& options, const grievance::ResolutionAction& a,
                           const std::string& scheme_id, int64_t household_idx,
                           std::optional<int64_t> member_idx) {
  ASSIGN_OR_RETURN(auto current, CurrentEnrolment(db, scheme_id, household_idx, member_idx));
  if (current) {
    return Already("enrolled in " + scheme_id + " again (enrolment " +
                   std::to_string(current->enrolment_id) + ")");
  }
  if (options.eligibility == nullptr) {
    return Waiting("needs the eligibility snapshot (spode serve runs it)");
  }
  ASSIGN_OR_RETURN(grievance::Grievance g, grievance::Get(db, a.grievance_id));
  programs::ApplicationInput in{.scheme_id = scheme_id,
                                .channel = "officer",
                                .actor = g.resolved_by.empty() ? "system" : g.resolved_by};
  // A member_idx serves household schemes too (their household is the beneficiary).
  if (member_idx) {
    in.member_idx = member_idx;
  } else {
    in.household_idx = household_idx;
  }
  Result<programs::Application> applied = programs::Apply(db, *options.eligibility, clock, in);
  if (!applied.ok()) {
    switch (applied.status().code()) {
      case StatusCode::kAlreadyExists:
        return Already("already enrolled in " + scheme_id + " or applied");
      case StatusCode::kUnavailable:
        return Waiting("the eligibility snapshot is loading");
      case StatusCode::kNotFound:
      case StatusCode::kFailedPrecondition:
      case StatusCode::kInvalidArgument:
        return Failed("could not enrol again in " + scheme_id + ": " + applied.status().message());
      default:
        return applied.status();
    }
  }
  if (applied->status == "enrolled" && applied->enrolment_id) {
    return Done("enrolled again in " + scheme_id + " without a new application (enrolment " +
                std::to_string(*applied->enrolment_id) +
                "); arrears for the months missed are for an officer");
  }
  if (applied->status == "pending") {
    return Done("application " + std::to_string(applied->application_id) + " for " + scheme_id +
                " waits for an officer's decision");
  }
  return Failed("not eligible for " + scheme_id + " under its rules today (application " +
                std::to_string(applied->application_id) + ")");
}

Result<Verdict> Reinstate(storage::Database& db, const TimeSource& clock,
                          const ActionOptions& options, const grievance::ResolutionAction& a) {
  std::optional<int64_t> id = ParseNumber(TargetId(a.target, "enrolment"));
  if (!id) return Failed("the case names no enrolment");
  Result<programs::Enrolment> e = programs::GetEnrolment(db, *id);
  if (e.status().code() == StatusCode::kNotFound) return Failed("enrolment is not on record");
  RETURN_IF_ERROR(e.status());
  return EnrolAgain(db, clock, options, a, e->scheme_id, e->household_idx,
                    e->unit == "person" ? std::optional<int64_t>(e->beneficiary_idx)
                                        : std::nullopt);
}

Result<Verdict> Reevaluate(storage::Database& db, const TimeSource& clock,
                           const ActionOptions& options, const grievance::ResolutionAction& a) {
  if (a.scheme_id.empty()) {
    return Failed("the record is corrected; an officer re-evaluates the schemes it affects");
  }
  std::optional<int64_t> member = ParseNumber(TargetId(a.target, "member"));
  std::optional<int64_t> household = ParseNumber(TargetId(a.target, "household"));
  if (!member && !household) return Failed("the case names no member or household");
  return EnrolAgain(db, clock, options, a, a.scheme_id, household.value_or(a.household_idx),
                    member);
}

Result<Verdict> ReleaseHold(storage::Database& db, const grievance::ResolutionAction& a) {
  std::optional<int64_t> household = ParseNumber(TargetId(a.target, "household"));
  if (!household) return Failed("the case names no household");
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT COUNT(*) FROM duplicate_holds WHERE "
                                         "household_idx = ? AND status = 'pending'",
                                         {*household}));
  if (row && row->Int(0) > 0) {
    return Waiting("an officer decides the possible duplicate (duplicate.decide)");
  }
  return Already("the possible duplicate was decided");
}

Result<Verdict> Perform(storage::Database& db, const TimeSource& clock,
                        const ActionOptions& options, const grievance::ResolutionAction& a) {
  if (a.kind == "retry_payment") {
    return RetryPayment(db, clock, a, options.actor == "system" ? "system:" + a.ticket
                                                                : options.actor);
  }
  if (a.kind == "reinstate_enrolment") return Reinstate(db, clock, options, a);
  if (a.kind == "reevaluate_eligibility") return Reevaluate(db, clock, options, a);
  if (a.kind == "release_hold") return ReleaseHold(db, a);
  return Failed("unknown action " + a.kind + "; an officer acts");
}

}  // namespace

Result<ActionRun> RunResolutionActions(storage::Database& db, const TimeSource& clock,
                                       const ActionOptions& options,
                                       const grievance::Policy& policy) {
  if (db.InTransaction()) {
    return FailedPreconditionError("RunResolutionActions commits each action itself");
  }
  ASSIGN_OR_RETURN(auto pending, grievance::PendingActions(db, options.limit));
  ActionRun run;
  for (const grievance::ResolutionAction& a : pending) {
    ++run.examined;
    std::string line = a.ticket + " " + a.kind + " " + a.target + ": ";
    Result<Verdict> v = Perform(db, clock, options, a);
    if (db.InTransaction()) db.Rollback().IgnoreError();
    if (!v.ok()) {
      ++run.waiting;
      run.lines.push_back(line + "left pending after an error: " + v.status().ToString());
      continue;
    }
    if (v->outcome == Outcome::kWaiting) {
      ++run.waiting;
      run.lines.push_back(line + v->result);
      continue;
    }
    std::string result = v->result.substr(0, 500);
    Status marked = grievance::MarkActionDone(db, clock, a.action_id,
                                              v->outcome != Outcome::kFailed, result, policy);
    if (marked.code() == StatusCode::kFailedPrecondition) {
      ++run.skipped;
      run.lines.push_back(line + "marked by another runner meanwhile");
      continue;
    }
    if (!marked.ok()) {
      // The work is done (or found done); the next run finds it so and marks it.
      ++run.waiting;
      run.lines.push_back(line + result + "; not yet marked: " + marked.ToString());
      continue;
    }
    switch (v->outcome) {
      case Outcome::kDone: ++run.done; break;
      case Outcome::kAlready: ++run.already; break;
      default: ++run.failed; break;
    }
    run.lines.push_back(line + (v->outcome == Outcome::kFailed ? "for an officer: " : "") +
                        result);
  }
  return run;
}

GrievanceJobs RunGrievanceJobs(storage::Database& db, const TimeSource& clock,
                               const ActionOptions& options, const grievance::Policy& policy) {
  GrievanceJobs out;
  auto keep = [&](const Status& s) {
    if (!s.ok() && out.error.ok()) out.error = s;
  };
  Result<grievance::CaseRun> cases = grievance::OpenCasesFromEvents(db, clock, policy);
  if (cases.ok()) out.cases = *cases;
  keep(cases.status());
  Result<grievance::EscalationRun> escalation = grievance::EscalateOverdue(db, clock, policy);
  if (escalation.ok()) out.escalation = *escalation;
  keep(escalation.status());
  Result<ActionRun> actions = RunResolutionActions(db, clock, options, policy);
  if (actions.ok()) out.actions = std::move(*actions);
  keep(actions.status());
  Result<int64_t> closed = grievance::CloseSettled(db, clock, policy);
  if (closed.ok()) out.closed = *closed;
  keep(closed.status());
  return out;
}

json CaseRunJson(const grievance::CaseRun& r) {
  return {{"opened", r.opened}, {"skipped", r.skipped}, {"unroutable", r.unroutable}};
}

json EscalationRunJson(const grievance::EscalationRun& r) {
  return {{"examined", r.examined},
          {"escalated", r.escalated},
          {"at_top", r.at_top},
          {"skipped", r.skipped}};
}

json ActionRunJson(const ActionRun& r) {
  return {{"examined", r.examined}, {"done", r.done},       {"already", r.already},
          {"failed", r.failed},     {"waiting", r.waiting}, {"skipped", r.skipped},
          {"lines", r.lines}};
}

json GrievanceJobsJson(const GrievanceJobs& r) {
  json j = {{"cases", CaseRunJson(r.cases)},
            {"escalation", EscalationRunJson(r.escalation)},
            {"actions", ActionRunJson(r.actions)},
            {"closed", r.closed}};
  if (!r.error.ok()) j["error"] = r.error.ToString();
  return j;
}

}  // namespace spode::api
