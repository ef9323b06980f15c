#include "grievance/reentry_cases.h"

#include <algorithm>

#include "grievance/intake.h"
#include "grievance/internal/history.h"
#include "grievance/internal/store.h"
#include "grievance/internal/util.h"
#include "grievance/ticket.h"

namespace spode::grievance {
namespace {

using internal::OptionalInt;
using internal::OptionalText;

// What a payment or enrolment event is about: the detail's instruction_id or enrolment_id when
// given, else the event's source up to its first '/' ("instruction:<id>/attempt:2" →
// "instruction:<id>", "enrolment:17/exit" → "enrolment:17").
std::string CauseTarget(const programs::ReentryEvent& e, std::string_view prefix,
                        const char* detail_key) {
  if (e.detail.is_object()) {
    auto it = e.detail.find(detail_key);
    if (it != e.detail.end() && it->is_string() && !it->get<std::string>().empty()) {
      return std::string(prefix) + it->get<std::string>();
    }
    if (it != e.detail.end() && it->is_number_integer()) {
      return std::string(prefix) + std::to_string(it->get<int64_t>());
    }
  }
  std::string_view source = e.source;
  return std::string(source.substr(0, source.find('/')));
}

std::string PersonTarget(const programs::ReentryEvent& e) {
  if (e.member_idx) return "member:" + std::to_string(*e.member_idx);
  if (e.household_idx) return "household:" + std::to_string(*e.household_idx);
  return "source:" + e.source;
}

std::string DetailText(const nlohmann::json& detail, const char* key) {
  if (!detail.is_object()) return "";
  auto it = detail.find(key);
  return it != detail.end() && it->is_string() ? it->get<std::string>() : "";
}

enum class Opened { kOpened, kSkipped, kUnroutable };

Result<Opened> OpenOne(storage::Database& db, const TimeSource& clock, const Policy& policy,
                       const programs::StoredReentryEvent& se, Timestamp now) {
  Opened result = Opened::kSkipped;
  Status s = internal::InOwnTransaction(db, [&]() -> Status {
    const programs::ReentryEvent& e = se.event;
    std::optional<storage::Row> place;
    if (e.household_idx) {
      ASSIGN_OR_RETURN(place, db.QueryOne("SELECT household_idx, village_code FROM households "
                                          "WHERE household_idx = ?",
                                          {*e.household_idx}));
    } else if (e.member_idx) {
      ASSIGN_OR_RETURN(place, db.QueryOne("SELECT h.household_idx, h.village_code FROM members m "
                                          "JOIN households h ON h.household_idx = m.household_idx "
                                          "WHERE m.member_idx = ?",
                                          {*e.member_idx}));
    }
    if (!place || place->Text(1).size() < 6) {
      result = Opened::kUnroutable;
      return OkStatus();
    }
    const int64_t household_idx = place->Int(0);
    const std::string village_code = place->Text(1);
    CasePlan plan = PlanFor(se);
    Assignee to = Route(plan.category, village_code, internal::FailureFromDetail(e.detail));
    Timestamp deadline = internal::PlusDays(now, policy.reentry_deadline_days);
    std::string reason_en = DetailText(e.detail, "reason_en");
    std::string reason_hi = DetailText(e.detail, "reason_hi");
    if (reason_en.empty()) {
      reason_en = std::string(programs::ReentryKindName(e.kind)) + " (" + e.reason_code + ")";
    }
    if (reason_hi.empty()) reason_hi = reason_en;
    std::string description = internal::Phrase(reason_en);
    if (description.empty()) description = e.reason_code;
    ASSIGN_OR_RETURN(
        auto row,
        db.QueryOne(
            "INSERT INTO grievances (kind, filed_year, channel, category, member_idx, "
            "household_idx, village_code, description, language, filed_by, filed_at_us, "
            "instruction_id, scheme_id, reentry_event_id, closing_action, action_kind, "
            "action_target, level, area_code, assigned_bank, assigned_at_us, deadline_at_us, "
            "interim_due_at_us) VALUES ('reentry', ?, 'system', ?, ?, ?, ?, ?, 'hi', 'system', ?, "
            "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reentry_event_id) WHERE kind = "
            "'reentry' DO NOTHING RETURNING grievance_id",
            {int64_t{clock.Today().year()}, std::string(CategoryName(plan.category)),
             OptionalInt(e.member_idx), household_idx, village_code, description, now.micros,
             OptionalText(plan.action_kind == "retry_payment" &&
                                  plan.action_target.starts_with("instruction:")
                              ? plan.action_target.substr(12)
                              : ""),
             OptionalText(e.scheme_id), se.event_id, plan.closing_action, plan.action_kind,
             plan.action_target, std::string(LevelName(to.level)), to.area_code,
             OptionalText(to.bank_code), now.micros, deadline.micros,
             internal::InterimDue(now, deadline, policy.interim_percent).micros}));
    if (!row) return OkStatus();  // another run opened it
    const int64_t case_id = row->Int(0);
    Status claimed = programs::ClaimReentryEvent(db, se.event_id, case_id);
    if (claimed.code() == StatusCode::kFailedPrecondition) return AbortedError("claimed");
    RETURN_IF_ERROR(claimed);
    ASSIGN_OR_RETURN(Grievance g, internal::Load(db, case_id));
    std::string due = internal::PeopleDate(deadline, clock);
    internal::Text opened = internal::CaseOpenedText(reason_en, reason_hi, plan.closing_action);
    internal::Text assigned = internal::AssignedText(to, due);
    RETURN_IF_ERROR(internal::AddEvent(db, case_id, now, "filed", "system", opened));
    RETURN_IF_ERROR(internal::AddEvent(db, case_id, now, "assigned", "system", assigned));
    RETURN_IF_ERROR(internal::AddAssignment(db, case_id, to, "filed", "", "system", now, deadline));
    RETURN_IF_ERROR(
        internal::TellUpdate(db, clock, policy, g,
                             {opened.en + " " + assigned.en, opened.hi + " " + assigned.hi})
            .status());
    result = Opened::kOpened;
    return OkStatus();
  });
  if (s.code() == StatusCode::kAborted || s.code() == StatusCode::kAlreadyExists) {
    return Opened::kSkipped;
  }
  if (!s.ok()) return s;
  return result;
}

// Unclaimed events, oldest first, after `after_id`. (programs::ListReentryEvents lists newest
// first without a cursor, and its optional filters are bound as untyped NULLs, which
// PostgreSQL cannot prepare; this reads the same table the same way, oldest first, by cursor.)
Result<std::vector<programs::StoredReentryEvent>> UnclaimedEvents(storage::Database& db,
                                                                  int64_t after_id, int limit) {
  ASSIGN_OR_RETURN(auto rows,
                   db.Query("SELECT event_id, kind, scheme_id, member_idx, household_idx, "
                            "reason_code, detail, source, created_at_us FROM reentry_events "
                            "WHERE case_id IS NULL AND event_id > ? ORDER BY event_id LIMIT ?",
                            {after_id, int64_t{limit}}));
  std::vector<programs::StoredReentryEvent> out;
  out.reserve(rows.size());
  for (const storage::Row& r : rows) {
    programs::StoredReentryEvent s;
    s.event_id = r.Int(0);
    auto kind = programs::ParseReentryKind(r.Text(1));
    if (!kind)
      return DataLossError("reentry_events " + std::to_string(s.event_id) + ": kind " + r.Text(1));
    s.event.kind = *kind;
    s.event.scheme_id = r.Text(2);
    if (!r.IsNull(3)) s.event.member_idx = r.Int(3);
    if (!r.IsNull(4)) s.event.household_idx = r.Int(4);
    s.event.reason_code = r.Text(5);
    s.event.detail = nlohmann::json::parse(r.Text(6), nullptr, false);
    if (s.event.detail.is_discarded()) s.event.detail = nlohmann::json::object();
    s.event.source = r.Text(7);
    s.created_at = Timestamp{r.Int(8)};
    out.push_back(std::move(s));
  }
  return out;
}

constexpr std::string_view kActionColumns =
    "SELECT a.action_id, a.grievance_id, g.kind, g.filed_year, a.kind, a.target, a.scheme_id, "
    "a.member_idx, a.household_idx, a.status, a.created_at_us, a.done_at_us, a.result FROM "
    "grievance_actions a JOIN grievances g ON g.grievance_id = a.grievance_id ";

Result<std::vector<ResolutionAction>> ReadActions(const std::vector<storage::Row>& rows) {
  std::vector<ResolutionAction> out;
  for (const storage::Row& r : rows) {
    ResolutionAction a;
    a.action_id = r.Int(0);
    a.grievance_id = r.Int(1);
    ASSIGN_OR_RETURN(Kind kind, ParseKind(r.Text(2)));
    a.ticket = FormatTicket(kind, static_cast<int>(r.Int(3)), a.grievance_id);
    a.kind = r.Text(4);
    a.target = r.Text(5);
    a.scheme_id = r.Text(6);
    if (!r.IsNull(7)) a.member_idx = r.Int(7);
    a.household_idx = r.Int(8);
    a.status = r.Text(9);
    a.created_at = Timestamp{r.Int(10)};
    if (!r.IsNull(11)) a.done_at = Timestamp{r.Int(11)};
    a.result = r.Text(12);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

CasePlan PlanFor(const programs::StoredReentryEvent& se) {
  const programs::ReentryEvent& e = se.event;
  CasePlan p;
  switch (e.kind) {
    case programs::ReentryKind::kPaymentReturned:
    case programs::ReentryKind::kPaymentRejected:
    case programs::ReentryKind::kPaymentHeld:
    case programs::ReentryKind::kValidationFailed:
      p.category = e.kind == programs::ReentryKind::kPaymentReturned
                       ? Category::kPaymentReturned
                       : Category::kPaymentNotReceived;
      p.closing_action = "account_update_then_retry";
      p.action_kind = "retry_payment";
      p.action_target = CauseTarget(e, "instruction:", "instruction_id");
      break;
    case programs::ReentryKind::kExit:
      p.category = Category::kEligibilityDecision;
      p.closing_action = "reverify_then_reinstate";
      p.action_kind = "reinstate_enrolment";
      p.action_target = CauseTarget(e, "enrolment:", "enrolment_id");
      break;
    case programs::ReentryKind::kVerificationFailed:
    case programs::ReentryKind::kChangeRejected:
      p.category = Category::kDataCorrection;
      p.closing_action = "correct_record_then_reevaluate";
      p.action_kind = "reevaluate_eligibility";
      p.action_target = PersonTarget(e);
      break;
    case programs::ReentryKind::kDuplicateHold:
      p.category = Category::kEnrolment;
      p.closing_action = "decide_duplicate_then_release";
      p.action_kind = "release_hold";
      p.action_target =
          e.household_idx ? "household:" + std::to_string(*e.household_idx) : PersonTarget(e);
      break;
  }
  return p;
}

Result<CaseRun> OpenCasesFromEvents(storage::Database& db, const TimeSource& clock,
                                    const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  if (db.InTransaction()) {
    return FailedPreconditionError(
        "OpenCasesFromEvents commits one transaction per case; call "
        "it with none open");
  }
  const Timestamp now = clock.Now();
  CaseRun run;
  constexpr int kBatch = 1000;
  int64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto events, UnclaimedEvents(db, after, kBatch));
    if (events.empty()) break;
    for (const programs::StoredReentryEvent& e : events) {
      after = e.event_id;
      ASSIGN_OR_RETURN(Opened o, OpenOne(db, clock, policy, e, now));
      switch (o) {
        case Opened::kOpened:
          ++run.opened;
          break;
        case Opened::kSkipped:
          ++run.skipped;
          break;
        case Opened::kUnroutable:
          ++run.unroutable;
          break;
      }
    }
  }
  return run;
}

Result<std::vector<ResolutionAction>> PendingActions(storage::Database& db, int limit) {
  if (limit < 1 || limit > 10000) return InvalidArgumentError("limit: 1..10000");
  ASSIGN_OR_RETURN(auto rows, db.Query(std::string(kActionColumns) +
                                           "WHERE a.status = 'pending' ORDER BY a.action_id "
                                           "LIMIT ?",
                                       {int64_t{limit}}));
  return ReadActions(rows);
}

Result<std::vector<ResolutionAction>> ActionsFor(storage::Database& db, int64_t grievance_id) {
  ASSIGN_OR_RETURN(auto rows, db.Query(std::string(kActionColumns) +
                                           "WHERE a.grievance_id = ? ORDER BY a.action_id",
                                       {grievance_id}));
  return ReadActions(rows);
}

Status MarkActionDone(storage::Database& db, const TimeSource& clock, int64_t action_id,
                      bool succeeded, std::string_view result, const Policy& policy) {
  if (!result.empty()) RETURN_IF_ERROR(internal::CheckText(result, "result", 500));
  const Timestamp now = clock.Now();
  auto body = [&]() -> Status {
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT grievance_id, kind, status FROM "
                                           "grievance_actions WHERE action_id = ?",
                                           {action_id}));
    if (!row) return NotFoundError("no resolution action " + std::to_string(action_id));
    if (row->Text(2) != "pending") {
      return FailedPreconditionError("resolution action " + std::to_string(action_id) +
                                     " is already " + row->Text(2));
    }
    ASSIGN_OR_RETURN(int64_t n,
                     db.Execute("UPDATE grievance_actions SET status = ?, done_at_us = ?, result "
                                "= ? WHERE action_id = ? AND status = 'pending'",
                                {std::string(succeeded ? "done" : "failed"), now.micros,
                                 std::string(result), action_id}));
    if (n != 1) {
      return FailedPreconditionError("resolution action " + std::to_string(action_id) +
                                     " was marked by someone else meanwhile");
    }
    const int64_t grievance_id = row->Int(0);
    internal::Text text = internal::ActionDoneText(row->Text(1), succeeded, result);
    RETURN_IF_ERROR(internal::AddEvent(db, grievance_id, now, "action_done", "system", text));
    ASSIGN_OR_RETURN(Grievance g, internal::Load(db, grievance_id));
    return internal::TellUpdate(db, clock, policy, g, text).status();
  };
  if (db.InTransaction()) return body();
  return internal::InOwnTransaction(db, body);
}

}  // namespace spode::grievance
