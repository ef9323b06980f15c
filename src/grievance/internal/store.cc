#include "grievance/internal/store.h"

#include <cstdio>

#include "grievance/ticket.h"
#include "notify/outbox.h"

namespace spode::grievance::internal {

const std::string kSelect =
    "SELECT g.grievance_id, g.kind, g.filed_year, g.channel, g.category, g.member_idx, "
    "g.household_idx, m.member_id, g.village_code, g.description, g.language, g.filed_by, "
    "g.filed_at_us, g.operator_user_id, g.centre, g.fee_paise, g.consent_id, g.officer_mode, "
    "g.client_id, g.sender_phone, g.instruction_id, g.scheme_id, g.change_request_id, "
    "g.reentry_event_id, g.closing_action, g.action_kind, g.action_target, g.level, "
    "g.area_code, g.assigned_bank, g.assigned_at_us, g.round, g.deadline_at_us, "
    "g.interim_due_at_us, g.interim_reply_at_us, g.escalations, g.status, g.outcome, "
    "g.resolution_reason, g.resolution_cr_id, g.resolved_by, g.resolved_at_us, g.rating, "
    "g.open_appeal_id, g.appeal_count, g.closed_at_us "
    "FROM grievances g LEFT JOIN members m ON m.member_idx = g.member_idx ";

namespace {
std::optional<int64_t> Opt(const storage::Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<int64_t>(r.Int(i));
}
std::optional<Timestamp> OptTime(const storage::Row& r, size_t i) {
  return r.IsNull(i) ? std::nullopt : std::optional<Timestamp>(Timestamp{r.Int(i)});
}
}  // namespace

Result<Grievance> ReadGrievance(const storage::Row& r) {
  Grievance g;
  g.grievance_id = r.Int(0);
  ASSIGN_OR_RETURN(g.kind, ParseKind(r.Text(1)));
  int year = static_cast<int>(r.Int(2));
  g.ticket = FormatTicket(g.kind, year, g.grievance_id);
  ASSIGN_OR_RETURN(g.channel, ParseChannel(r.Text(3)));
  ASSIGN_OR_RETURN(g.category, ParseCategory(r.Text(4)));
  g.member_idx = Opt(r, 5);
  g.household_idx = r.Int(6);
  g.member_id = r.Text(7);
  g.village_code = r.Text(8);
  g.description = r.Text(9);
  ASSIGN_OR_RETURN(g.language, notify::ParseLanguage(r.Text(10)));
  g.filed_by = r.Text(11);
  g.filed_at = Timestamp{r.Int(12)};
  g.operator_user_id = Opt(r, 13);
  g.centre = r.Text(14);
  g.fee_paise = Opt(r, 15);
  g.consent_id = Opt(r, 16);
  if (!r.IsNull(17)) {
    ASSIGN_OR_RETURN(OfficerMode mode, ParseOfficerMode(r.Text(17)));
    g.officer_mode = mode;
  }
  g.client_id = r.Text(18);
  g.sender_phone = r.Text(19);
  g.instruction_id = r.Text(20);
  g.scheme_id = r.Text(21);
  g.change_request_id = Opt(r, 22);
  g.reentry_event_id = Opt(r, 23);
  g.closing_action = r.Text(24);
  g.action_kind = r.Text(25);
  g.action_target = r.Text(26);
  ASSIGN_OR_RETURN(g.assignee.level, ParseLevel(r.Text(27)));
  g.assignee.area_code = r.Text(28);
  g.assignee.bank_code = r.Text(29);
  g.assigned_at = Timestamp{r.Int(30)};
  g.round = static_cast<int>(r.Int(31));
  g.deadline = Timestamp{r.Int(32)};
  g.interim_due = Timestamp{r.Int(33)};
  g.interim_reply_at = OptTime(r, 34);
  g.escalations = static_cast<int>(r.Int(35));
  ASSIGN_OR_RETURN(g.status, ParseStatus(r.Text(36)));
  if (!r.IsNull(37)) {
    ASSIGN_OR_RETURN(Outcome o, ParseOutcome(r.Text(37)));
    g.outcome = o;
  }
  g.resolution_reason = r.Text(38);
  g.resolution_change_request_id = Opt(r, 39);
  g.resolved_by = r.Text(40);
  g.resolved_at = OptTime(r, 41);
  if (!r.IsNull(42)) g.rating = static_cast<int>(r.Int(42));
  g.open_appeal_id = Opt(r, 43);
  g.appeals = static_cast<int>(r.Int(44));
  g.closed_at = OptTime(r, 45);
  return g;
}

Result<Grievance> Load(storage::Database& db, int64_t grievance_id) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne(kSelect + "WHERE g.grievance_id = ?", {grievance_id}));
  if (!row) return NotFoundError("no grievance " + std::to_string(grievance_id));
  return ReadGrievance(*row);
}

Status AddEvent(storage::Database& db, int64_t grievance_id, Timestamp at, std::string_view kind,
                std::string_view actor, const Text& text) {
  return db
      .Execute(
          "INSERT INTO grievance_events (grievance_id, at_us, kind, actor, text_en, "
          "text_hi) VALUES (?, ?, ?, ?, ?, ?)",
          {grievance_id, at.micros, std::string(kind), std::string(actor), text.en, text.hi})
      .status();
}

Status AddAssignment(storage::Database& db, int64_t grievance_id, const Assignee& to,
                     std::string_view cause, std::string_view note, std::string_view actor,
                     Timestamp at, Timestamp deadline) {
  return db
      .Execute(
          "INSERT INTO grievance_assignments (grievance_id, level, area_code, bank_code, "
          "cause, note, actor, at_us, deadline_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {grievance_id, std::string(LevelName(to.level)), to.area_code, OptionalText(to.bank_code),
           std::string(cause), std::string(note), std::string(actor), at.micros, deadline.micros})
      .status();
}

Result<std::optional<int64_t>> Tell(storage::Database& db, const TimeSource& clock,
                                    const Policy& policy, const Grievance& g,
                                    std::string_view template_name, notify::Params params) {
  if (!g.member_idx) return std::optional<int64_t>();
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT member_id, phone FROM members WHERE "
                                         "member_idx = ?",
                                         {*g.member_idx}));
  if (!row || row->IsNull(1) || row->Text(1).empty()) return std::optional<int64_t>();
  notify::Outbox outbox(db, clock, policy.Messages());
  ASSIGN_OR_RETURN(int64_t id, outbox.Enqueue({.channel = notify::Channel::kSms,
                                               .recipient = row->Text(1),
                                               .member_id = row->Text(0),
                                               .template_name = std::string(template_name),
                                               .language = g.language,
                                               .params = std::move(params)}));
  return std::optional<int64_t>(id);
}

Result<std::optional<int64_t>> TellUpdate(storage::Database& db, const TimeSource& clock,
                                          const Policy& policy, const Grievance& g,
                                          const Text& text) {
  return Tell(db, clock, policy, g, "grievance_update",
              {{"ticket", g.ticket}, {"update", text.In(g.language)}});
}

std::string PeopleDate(Timestamp t, const TimeSource& clock) {
  Date d = t.LocalDate(clock.utc_offset_minutes());
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d-%02d-%04d", d.day(), d.month(), d.year());
  return buf;
}

Timestamp PlusDays(Timestamp t, int days) {
  return Timestamp{t.micros + int64_t{days} * 86'400'000'000};
}

Timestamp InterimDue(Timestamp from, Timestamp deadline, int percent) {
  return Timestamp{from.micros + (deadline.micros - from.micros) / 100 * percent};
}

Status InOwnTransaction(storage::Database& db, const std::function<Status()>& body) {
  if (db.InTransaction()) {
    return FailedPreconditionError(
        "grievance: this step commits its own transaction; call it with none open");
  }
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  RETURN_IF_ERROR(body());
  return tx.Commit();
}

storage::Value OptionalInt(const std::optional<int64_t>& v) {
  return v ? storage::Value(*v) : storage::Value(storage::Null{});
}

storage::Value OptionalText(std::string_view v) {
  return v.empty() ? storage::Value(storage::Null{}) : storage::Value(std::string(v));
}

}  // namespace spode::grievance::internal
