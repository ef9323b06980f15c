#include "programs/enrolment.h"

#include <array>
#include <cstdio>
#include <map>
#include <unordered_set>
#include <utility>

#include "notify/outbox.h"
#include "programs/decide.h"
#include "programs/evaluate.h"
#include "programs/reentry.h"
#include "programs/store.h"

namespace spode::programs {

using nlohmann::json;

namespace {

constexpr int64_t kMicrosPerDay = int64_t{86'400} * 1'000'000;
constexpr int kMaxNoticeDays = 90;
constexpr int kNoticeBatch = 2000;
// An exit an officer cancelled is not proposed again for the same reason for this long.
constexpr int kCancelledExitHoldDays = 90;

// The payee of a proposal row `p`: the member for person schemes, the household's active head
// for household schemes (NULL when there is none).
constexpr std::string_view kPayeeOfProposal =
    "CASE WHEN p.unit = 'person' THEN p.beneficiary_idx ELSE (SELECT MIN(hm.member_idx) FROM "
    "members hm WHERE hm.household_idx = p.household_idx AND hm.relationship = 'head' AND "
    "hm.status = 'active') END";
// Whether the beneficiary of proposal row `p` has a current enrolment in its scheme.
constexpr std::string_view kProposalEnrolled =
    "EXISTS (SELECT 1 FROM enrolments ce WHERE ce.scheme_id = p.scheme_id AND ce.unit = p.unit "
    "AND ce.beneficiary_idx = p.beneficiary_idx AND ce.status <> 'exited')";
// Whether the beneficiary of proposal row `p` is still active in the registry.
constexpr std::string_view kProposalActive =
    "CASE WHEN p.unit = 'person' THEN EXISTS (SELECT 1 FROM members am WHERE am.member_idx = "
    "p.beneficiary_idx AND am.status = 'active') ELSE EXISTS (SELECT 1 FROM households ah WHERE "
    "ah.household_idx = p.household_idx AND ah.status = 'active') END";

std::string S(std::string_view v) { return std::string(v); }

storage::Value OptInt(const std::optional<int64_t>& v) {
  return v ? storage::Value(*v) : storage::Value(storage::Null{});
}
storage::Value TextOrNull(std::string_view v) {
  return v.empty() ? storage::Value(storage::Null{}) : storage::Value(std::string(v));
}

Status CheckNonEmpty(std::string_view value, std::string_view what) {
  if (value.empty()) return InvalidArgumentError(S(what) + " is empty");
  return OkStatus();
}

Status CheckDays(int days, std::string_view what) {
  if (days < 0 || days > kMaxNoticeDays) {
    return InvalidArgumentError(S(what) + " must be 0.." + std::to_string(kMaxNoticeDays) +
                                " days, not " + std::to_string(days));
  }
  return OkStatus();
}

// "29-11-2026", as citizens read dates.
std::string DayMonthYear(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d-%02d-%04d", d.day(), d.month(), d.year());
  return buf;
}

notify::Language LanguageOf(std::string_view code) {
  return code == "hi" ? notify::Language::kHi : notify::Language::kEn;
}

// Enqueues `template_name` to a member's phone. Returns the message id, or nothing when there is
// no phone (or one the outbox cannot send to): the caller records the notice without a message.
Result<std::optional<int64_t>> SendSms(notify::Outbox& outbox, std::string_view phone,
                                       std::string_view member_id, std::string_view template_name,
                                       std::string_view language, notify::Params params) {
  if (phone.empty()) return std::optional<int64_t>();
  auto id = outbox.Enqueue({.channel = notify::Channel::kSms,
                            .recipient = S(phone),
                            .member_id = S(member_id),
                            .template_name = S(template_name),
                            .language = LanguageOf(language),
                            .params = std::move(params)});
  if (!id.ok()) {
    // The outbox refuses a bad recipient before writing anything; anything else is an error.
    if (id.status().code() == StatusCode::kInvalidArgument &&
        id.status().message().starts_with("recipient")) {
      return std::optional<int64_t>();
    }
    return id.status();
  }
  return std::optional<int64_t>(*id);
}

Result<std::string> SchemeStatus(storage::Database& db, std::string_view scheme_id) {
  ASSIGN_OR_RETURN(auto row,
                   db.QueryOne("SELECT status FROM schemes WHERE scheme_id = ?", {S(scheme_id)}));
  if (!row) return NotFoundError("no scheme " + S(scheme_id));
  return row->Text(0);
}

Status Withdraw(storage::Database& db, int64_t proposal_id, std::string_view scheme_id,
                std::string_view from_status, std::string_view reason_code, std::string_view reason,
                std::string_view by, int64_t now) {
  RETURN_IF_ERROR(db.Execute("INSERT INTO proposal_withdrawals (proposal_id, scheme_id, "
                             "reason_code, reason, withdrawn_by, withdrawn_at_us) VALUES "
                             "(?, ?, ?, ?, ?, ?)",
                             {proposal_id, S(scheme_id), S(reason_code), S(reason), S(by), now})
                      .status());
  ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE eligibility_proposals SET status = 'withdrawn' "
                                         "WHERE proposal_id = ? AND status = ?",
                                         {proposal_id, S(from_status)}));
  if (n != 1) return AbortedError("proposal " + std::to_string(proposal_id) + " changed meanwhile");
  return OkStatus();
}

// The active head of a household, if any.
Result<std::optional<int64_t>> HeadOf(storage::Database& db, int64_t household_idx) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT MIN(member_idx) FROM members WHERE "
                                         "household_idx = ? AND relationship = 'head' AND "
                                         "status = 'active'",
                                         {household_idx}));
  if (!row || row->IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

Result<std::optional<int64_t>> CurrentEnrolment(storage::Database& db, std::string_view scheme_id,
                                                std::string_view unit, int64_t beneficiary_idx) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT enrolment_id FROM enrolments WHERE scheme_id = ? "
                                         "AND unit = ? AND beneficiary_idx = ? AND status <> "
                                         "'exited'",
                                         {S(scheme_id), S(unit), beneficiary_idx}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

Result<bool> BeneficiaryActive(storage::Database& db, std::string_view unit,
                               int64_t beneficiary_idx) {
  ASSIGN_OR_RETURN(
      auto row,
      db.QueryOne(unit == "person" ? "SELECT status FROM members WHERE member_idx = ?"
                                   : "SELECT status FROM households WHERE household_idx = ?",
                  {beneficiary_idx}));
  return row && row->Text(0) == "active";
}

Result<int64_t> InsertEnrolment(storage::Database& db, std::string_view scheme_id,
                                std::string_view unit, int64_t beneficiary_idx,
                                int64_t household_idx, int64_t payee_member_idx,
                                std::string_view path, int64_t source_id, int64_t now,
                                std::string_view by) {
  ASSIGN_OR_RETURN(auto row,
                   db.QueryOne("INSERT INTO enrolments (scheme_id, unit, beneficiary_idx, "
                               "household_idx, payee_member_idx, path, source_id, status, "
                               "enrolled_at_us, enrolled_by) VALUES (?, ?, ?, ?, ?, ?, ?, "
                               "'enrolled', ?, ?) RETURNING enrolment_id",
                               {S(scheme_id), S(unit), beneficiary_idx, household_idx,
                                payee_member_idx, S(path), source_id, now, S(by)}));
  if (!row) return InternalError("enrolment insert returned no id");
  return row->Int(0);
}

// ---- applications ----

constexpr std::string_view kApplicationColumns =
    "application_id, scheme_id, scheme_version, unit, beneficiary_idx, household_idx, channel, "
    "submitted_by, submitted_at_us, eligible, explanation, language, status, decided_by, "
    "decided_at_us, decision_note, enrolment_id";

Application ReadApplication(const storage::Row& r) {
  Application a;
  a.application_id = r.Int(0);
  a.scheme_id = r.Text(1);
  a.scheme_version = static_cast<int>(r.Int(2));
  a.unit = r.Text(3);
  a.beneficiary_idx = r.Int(4);
  a.household_idx = r.Int(5);
  a.channel = r.Text(6);
  a.submitted_by = r.Text(7);
  a.submitted_at = Timestamp{r.Int(8)};
  a.eligible = r.Int(9) != 0;
  a.explanation = json::parse(r.Text(10), nullptr, false);
  a.language = r.Text(11);
  a.status = r.Text(12);
  a.decided_by = r.Text(13);
  if (!r.IsNull(14)) a.decided_at = Timestamp{r.Int(14)};
  a.decision_note = r.Text(15);
  if (!r.IsNull(16)) a.enrolment_id = r.Int(16);
  return a;
}

// ---- enrolments ----

constexpr std::string_view kEnrolmentColumns =
    "enrolment_id, scheme_id, unit, beneficiary_idx, household_idx, payee_member_idx, path, "
    "source_id, status, enrolled_at_us, enrolled_by, exited_at_us, exit_reason";

Enrolment ReadEnrolment(const storage::Row& r) {
  Enrolment e;
  e.enrolment_id = r.Int(0);
  e.scheme_id = r.Text(1);
  e.unit = r.Text(2);
  e.beneficiary_idx = r.Int(3);
  e.household_idx = r.Int(4);
  e.payee_member_idx = r.Int(5);
  e.path = r.Text(6);
  if (!r.IsNull(7)) e.source_id = r.Int(7);
  e.status = r.Text(8);
  e.enrolled_at = Timestamp{r.Int(9)};
  e.enrolled_by = r.Text(10);
  if (!r.IsNull(11)) e.exited_at = Timestamp{r.Int(11)};
  e.exit_reason = r.Text(12);
  return e;
}

// ---- exits ----

constexpr std::string_view kExitColumns =
    "x.exit_id, x.enrolment_id, x.scheme_id, e.beneficiary_idx, e.household_idx, x.reason_code, "
    "x.reason_en, x.reason_hi, x.detail, x.status, x.proposed_at_us, x.proposed_by, "
    "x.effective_after_us, x.decided_by, x.decided_at_us, x.note";

ExitProposal ReadExit(const storage::Row& r) {
  ExitProposal x;
  x.exit_id = r.Int(0);
  x.enrolment_id = r.Int(1);
  x.scheme_id = r.Text(2);
  x.beneficiary_idx = r.Int(3);
  x.household_idx = r.Int(4);
  x.reason_code = r.Text(5);
  x.reason = {r.Text(6), r.Text(7)};
  x.detail = json::parse(r.Text(8), nullptr, false);
  x.status = r.Text(9);
  x.proposed_at = Timestamp{r.Int(10)};
  x.proposed_by = r.Text(11);
  x.effective_after = Timestamp{r.Int(12)};
  x.decided_by = r.Text(13);
  if (!r.IsNull(14)) x.decided_at = Timestamp{r.Int(14)};
  x.note = r.Text(15);
  return x;
}

// What the citizen is told when an enrolment ends.
const LocalizedText kDeathReason = {"recorded as deceased in the registry", "रजिस्टर में मृत्यु दर्ज है"};
const LocalizedText kNotActiveReason = {"no longer recorded as active in the registry",
                                        "रजिस्टर में अब सक्रिय रूप से दर्ज नहीं है"};
const LocalizedText kVoluntaryReason = {"you asked to leave the scheme",
                                        "आपने योजना छोड़ने का अनुरोध किया"};

LocalizedText UnmetReason(const Decision& d) {
  std::string en, hi;
  int unmet = 0;
  for (const ClauseResult& c : d.clauses) {
    if (c.met) continue;
    if (unmet++ > 0) {
      en += "; ";
      hi += "; ";
    }
    en += c.explain.en;
    hi += c.explain.hi;
  }
  if (unmet == 0) return kNotActiveReason;  // eligible by clauses but the household is stale
  return {
      (unmet == 1 ? "no longer meets the condition: " : "no longer meets the conditions: ") + en,
      (unmet == 1 ? "यह शर्त अब पूरी नहीं होती: " : "ये शर्तें अब पूरी नहीं होतीं: ") + hi};
}

// The snapshot row a beneficiary is decided on, if they are in it.
std::optional<size_t> SnapshotRow(const registry::Snapshot& snap, std::string_view unit,
                                  int64_t beneficiary_idx, int64_t household_idx) {
  int64_t h = snap.RowOf(household_idx);
  if (h < 0) return std::nullopt;
  size_t hrow = static_cast<size_t>(h);
  if (unit == "household") return hrow;
  for (size_t m = snap.member_begin(hrow); m < snap.member_end(hrow); ++m) {
    if (snap.member_idx(m) == beneficiary_idx) return m;
  }
  return std::nullopt;
}

// Who to tell about an enrolment, and in which language.
struct Payee {
  std::string member_id, phone, language = "en";
};

Result<Payee> PayeeOf(storage::Database& db, int64_t payee_member_idx, int64_t household_idx) {
  Payee p;
  ASSIGN_OR_RETURN(auto m, db.QueryOne("SELECT member_id, phone FROM members WHERE member_idx = ?",
                                       {payee_member_idx}));
  if (m) {
    p.member_id = m->Text(0);
    p.phone = m->Text(1);
  }
  ASSIGN_OR_RETURN(auto h, db.QueryOne("SELECT state_code FROM households WHERE household_idx = ?",
                                       {household_idx}));
  if (h) p.language = S(NoticeLanguage(h->Text(0)));
  return p;
}

// Ends an enrolment: status, the exit row, the re-entry event and the exit_notice.
Status EndEnrolment(storage::Database& db, notify::Outbox& outbox, const Enrolment& e,
                    int64_t exit_id, std::string_view reason_code, const LocalizedText& reason,
                    std::string_view scheme_name_en, std::string_view scheme_name_hi,
                    Timestamp now) {
  ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE enrolments SET status = 'exited', exited_at_us "
                                         "= ?, exit_reason = ? WHERE enrolment_id = ? AND status "
                                         "<> 'exited'",
                                         {now.micros, S(reason_code), e.enrolment_id}));
  if (n != 1) {
    return AbortedError("enrolment " + std::to_string(e.enrolment_id) + " changed meanwhile");
  }
  json detail = {{"reason_en", reason.en},
                 {"reason_hi", reason.hi},
                 {"exit_id", exit_id},
                 {"enrolment_id", e.enrolment_id},
                 {"who_acts", reason_code == "voluntary" ? "citizen" : "officer"},
                 {"next_step", reason_code == "voluntary"
                                   ? "the citizen may apply again at any time"
                                   : "check the registry record; re-enrol if it was wrong"}};
  RETURN_IF_ERROR(
      RecordReentryEvent(db,
                         {.kind = ReentryKind::kExit,
                          .scheme_id = e.scheme_id,
                          .member_idx = e.unit == "person" ? e.beneficiary_idx : e.payee_member_idx,
                          .household_idx = e.household_idx,
                          .reason_code = S(reason_code),
                          .detail = detail,
                          .source = "enrolment:" + std::to_string(e.enrolment_id) + "/exit"},
                         now)
          .status());
  ASSIGN_OR_RETURN(Payee payee, PayeeOf(db, e.payee_member_idx, e.household_idx));
  bool hi = payee.language == "hi";
  return SendSms(outbox, payee.phone, payee.member_id, "exit_notice", payee.language,
                 {{"scheme", S(hi ? scheme_name_hi : scheme_name_en)},
                  {"reason", hi ? reason.hi : reason.en}})
      .status();
}

Result<Enrolment> GetEnrolmentIn(storage::Database& db, int64_t enrolment_id) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT " + S(kEnrolmentColumns) +
                                             " FROM enrolments WHERE enrolment_id = ?",
                                         {enrolment_id}));
  if (!row) return NotFoundError("no enrolment " + std::to_string(enrolment_id));
  return ReadEnrolment(*row);
}

}  // namespace

std::string_view NoticeLanguage(std::string_view state_code) {
  static constexpr std::array<std::string_view, 10> kHindiStates = {"02", "05", "06", "07", "08",
                                                                    "09", "10", "20", "22", "23"};
  for (std::string_view s : kHindiStates) {
    if (s == state_code) return "hi";
  }
  return "en";
}

// ---------------------------------------------------------------------------------------------
// Proactive enrolment

Result<NoticeReport> SendNotices(storage::Database& db, const TimeSource& clock,
                                 std::string_view scheme_id, int objection_days,
                                 std::string_view actor) {
  RETURN_IF_ERROR(CheckDays(objection_days, "objection period"));
  RETURN_IF_ERROR(CheckNonEmpty(actor, "actor"));
  ASSIGN_OR_RETURN(CompiledScheme scheme, SchemeStore(db, clock).Get(scheme_id));
  const Timestamp now = clock.Now();
  const Date last_day = clock.Today().AddDays(objection_days);
  const Date from = last_day.AddDays(1);
  NoticeReport report;
  report.objection_until = Timestamp::StartOfLocalDay(from, clock.utc_offset_minutes());
  const std::string select =
      "SELECT p.proposal_id, p.unit, h.state_code, pm.member_idx, pm.member_id, pm.phone, "
      "CASE WHEN " +
      S(kProposalEnrolled) + " THEN 1 ELSE 0 END, CASE WHEN " + S(kProposalActive) +
      " THEN 1 ELSE 0 END "
      "FROM eligibility_proposals p JOIN households h ON h.household_idx = p.household_idx "
      "LEFT JOIN members pm ON pm.member_idx = (" +
      S(kPayeeOfProposal) +
      ") "
      "WHERE p.scheme_id = ? AND p.status = 'proposed' AND p.proposal_id > ? "
      "ORDER BY p.proposal_id LIMIT " +
      std::to_string(kNoticeBatch);
  notify::Outbox outbox(db, clock);
  int64_t after = 0;
  while (true) {
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    ASSIGN_OR_RETURN(auto rows, db.Query(select, {S(scheme_id), after}));
    for (const storage::Row& r : rows) {
      const int64_t proposal_id = r.Int(0);
      after = proposal_id;
      if (r.Int(6) != 0 || r.Int(7) == 0) {
        bool enrolled = r.Int(6) != 0;
        RETURN_IF_ERROR(Withdraw(db, proposal_id, scheme_id, "proposed",
                                 enrolled ? "already_enrolled" : "not_active",
                                 enrolled ? "enrolled by another path before the notice"
                                          : "no longer active in the registry",
                                 actor, now.micros));
        if (enrolled) ++report.already_enrolled;
        continue;
      }
      const std::string language(NoticeLanguage(r.Text(2)));
      std::optional<int64_t> message_id;
      if (!r.IsNull(3)) {
        ASSIGN_OR_RETURN(message_id,
                         SendSms(outbox, r.Text(5), r.Text(4), "enrolment_notice", language,
                                 {{"scheme", scheme.scheme.name.In(language)},
                                  {"date", DayMonthYear(from)},
                                  {"objection_until", DayMonthYear(last_day)}}));
      }
      RETURN_IF_ERROR(
          db.Execute("INSERT INTO enrolment_notices (proposal_id, scheme_id, "
                     "payee_member_idx, channel, language, message_id, "
                     "noticed_at_us, objection_until_us, noticed_by) VALUES "
                     "(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {proposal_id, S(scheme_id),
                      r.IsNull(3) ? storage::Value(storage::Null{}) : storage::Value(r.Int(3)),
                      std::string(message_id ? "sms" : "none"), language, OptInt(message_id),
                      now.micros, report.objection_until.micros, S(actor)})
              .status());
      ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE eligibility_proposals SET status = "
                                             "'noticed' WHERE proposal_id = ? AND status = "
                                             "'proposed'",
                                             {proposal_id}));
      if (n != 1) return AbortedError("proposal " + std::to_string(proposal_id) + " changed");
      ++report.noticed;
      if (message_id) {
        ++report.messages;
      } else {
        ++report.without_phone;
      }
    }
    RETURN_IF_ERROR(tx.Commit());
    if (rows.size() < static_cast<size_t>(kNoticeBatch)) break;
  }
  return report;
}

Status Object(storage::Database& db, const TimeSource& clock, int64_t proposal_id,
              std::string_view by, std::string_view reason) {
  RETURN_IF_ERROR(CheckNonEmpty(by, "objection by"));
  RETURN_IF_ERROR(CheckNonEmpty(reason, "objection reason"));
  const Timestamp now = clock.Now();
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT p.status, p.scheme_id, n.objection_until_us "
                                         "FROM eligibility_proposals p LEFT JOIN "
                                         "enrolment_notices n ON n.proposal_id = p.proposal_id "
                                         "WHERE p.proposal_id = ?",
                                         {proposal_id}));
  if (!row) return NotFoundError("no proposal " + std::to_string(proposal_id));
  const storage::Row& r = *row;
  if (r.Text(0) != "noticed") {
    return FailedPreconditionError("proposal " + std::to_string(proposal_id) + " is " + r.Text(0) +
                                   ": only a noticed proposal can be objected to");
  }
  if (now.micros >= r.Int(2)) {
    return FailedPreconditionError(
        "the objection period of proposal " + std::to_string(proposal_id) + " ended on " +
        DayMonthYear(Timestamp{r.Int(2) - 1}.LocalDate(clock.utc_offset_minutes())));
  }
  RETURN_IF_ERROR(
      Withdraw(db, proposal_id, r.Text(1), "noticed", "objection", reason, by, now.micros));
  return tx.Commit();
}

Result<EnrolDueReport> EnrolDue(storage::Database& db, const TimeSource& clock,
                                std::string_view scheme_id, std::string_view actor) {
  RETURN_IF_ERROR(CheckNonEmpty(actor, "actor"));
  RETURN_IF_ERROR(SchemeStatus(db, scheme_id).status());
  const int64_t now = clock.Now().micros;
  EnrolDueReport report;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(auto last, db.QueryOne("SELECT COALESCE(MAX(enrolment_id), 0) FROM enrolments"));
  const int64_t before = last ? last->Int(0) : 0;
  // Everyone due at once. Someone already enrolled (by an application, during the period)
  // conflicts with the unique index on current enrolments and is skipped; their proposal is
  // withdrawn below.
  RETURN_IF_ERROR(
      db.Execute("INSERT INTO enrolments (scheme_id, unit, beneficiary_idx, household_idx, "
                 "payee_member_idx, path, source_id, status, enrolled_at_us, enrolled_by) "
                 "SELECT d.scheme_id, d.unit, d.beneficiary_idx, d.household_idx, d.payee, "
                 "'proactive', d.proposal_id, 'enrolled', ?, ? FROM (SELECT p.scheme_id, p.unit, "
                 "p.beneficiary_idx, p.household_idx, p.proposal_id, " +
                     S(kPayeeOfProposal) +
                     " AS payee FROM eligibility_proposals p JOIN enrolment_notices n ON "
                     "n.proposal_id = p.proposal_id WHERE p.scheme_id = ? AND p.status = "
                     "'noticed' AND n.objection_until_us <= ? AND " +
                     S(kProposalActive) + ") d WHERE d.payee IS NOT NULL ON CONFLICT DO NOTHING",
                 {now, S(actor), S(scheme_id), now})
          .status());
  // The rows just added: this scheme's proactive enrolments after `before` (ids ascend; a
  // concurrent run for the same scheme would insert the same beneficiaries and conflict).
  ASSIGN_OR_RETURN(report.enrolled,
                   db.Execute("UPDATE eligibility_proposals SET status = 'enrolled' WHERE "
                              "proposal_id IN (SELECT source_id FROM enrolments WHERE "
                              "enrolment_id > ? AND scheme_id = ? AND path = 'proactive') AND "
                              "status = 'noticed'",
                              {before, S(scheme_id)}));
  // What is still due could not be enrolled: enrolled by another path, no longer active, or (a
  // household) without a head to pay.
  ASSIGN_OR_RETURN(auto left,
                   db.Query("SELECT p.proposal_id, CASE WHEN " + S(kProposalEnrolled) +
                                " THEN 1 ELSE 0 END, CASE WHEN " + S(kProposalActive) +
                                " THEN 1 ELSE 0 END FROM eligibility_proposals p JOIN "
                                "enrolment_notices n ON n.proposal_id = p.proposal_id WHERE "
                                "p.scheme_id = ? AND p.status = 'noticed' AND "
                                "n.objection_until_us <= ?",
                            {S(scheme_id), now}));
  for (const storage::Row& r : left) {
    if (r.Int(1) != 0) {
      RETURN_IF_ERROR(Withdraw(db, r.Int(0), scheme_id, "noticed", "already_enrolled",
                               "enrolled by another path during the objection period", actor, now));
      ++report.withdrawn;
    } else if (r.Int(2) == 0) {
      RETURN_IF_ERROR(Withdraw(db, r.Int(0), scheme_id, "noticed", "not_active",
                               "no longer active in the registry", actor, now));
      ++report.withdrawn;
    } else {
      ++report.waiting_for_payee;
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return report;
}

// ---------------------------------------------------------------------------------------------
// Applications

Result<Application> Apply(storage::Database& db, const Eligibility& eligibility,
                          const TimeSource& clock, const ApplicationInput& in) {
  if (in.channel != "self" && in.channel != "operator" && in.channel != "officer") {
    return InvalidArgumentError("channel must be self, operator or officer, not '" + in.channel +
                                "'");
  }
  RETURN_IF_ERROR(CheckNonEmpty(in.actor, "actor"));
  RETURN_IF_ERROR(CheckNonEmpty(in.scheme_id, "scheme_id"));
  if (!in.language.empty() && in.language != "en" && in.language != "hi") {
    return InvalidArgumentError("language must be en or hi");
  }
  if (!in.member_idx && !in.household_idx) {
    return InvalidArgumentError("an application names a member or a household");
  }
  ASSIGN_OR_RETURN(std::string scheme_status, SchemeStatus(db, in.scheme_id));
  if (scheme_status != "active") {
    return FailedPreconditionError("scheme " + in.scheme_id + " is " + scheme_status +
                                   ", not active");
  }
  ASSIGN_OR_RETURN(CompiledScheme scheme, SchemeStore(db, clock).Get(in.scheme_id));
  const bool person = scheme.scheme.unit == rules::Unit::kPerson;
  const std::string unit(rules::UnitName(scheme.scheme.unit));
  if (person && !in.member_idx) {
    return InvalidArgumentError("scheme " + in.scheme_id + " is for persons: name the member");
  }
  int64_t household_idx = in.household_idx.value_or(0);
  if (in.member_idx) {
    ASSIGN_OR_RETURN(auto m, db.QueryOne("SELECT household_idx FROM members WHERE member_idx = ?",
                                         {*in.member_idx}));
    if (!m) return NotFoundError("no member " + std::to_string(*in.member_idx));
    if (in.household_idx && *in.household_idx != m->Int(0)) {
      return InvalidArgumentError("the member is not in that household");
    }
    household_idx = m->Int(0);
  }
  ASSIGN_OR_RETURN(auto h, db.QueryOne("SELECT state_code FROM households WHERE household_idx = ?",
                                       {household_idx}));
  if (!h) return NotFoundError("no household " + std::to_string(household_idx));
  const std::string language = in.language.empty() ? S(NoticeLanguage(h->Text(0))) : in.language;
  const int64_t beneficiary = person ? *in.member_idx : household_idx;
  ASSIGN_OR_RETURN(json why, eligibility.ExplainScheme(in.scheme_id, in.member_idx.value_or(-1),
                                                       household_idx, language, clock.Today()));
  const bool eligible = why.value("eligible", false);
  const int scheme_version = why.value("rule_version", scheme.scheme.version);
  const int64_t now = clock.Now().micros;

  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(auto current, CurrentEnrolment(db, in.scheme_id, unit, beneficiary));
  if (current) {
    return AlreadyExistsError("already enrolled in " + in.scheme_id + " (enrolment " +
                              std::to_string(*current) + ")");
  }
  ASSIGN_OR_RETURN(auto pending,
                   db.QueryOne("SELECT application_id FROM enrolment_applications WHERE "
                               "scheme_id = ? AND unit = ? AND beneficiary_idx = ? AND status = "
                               "'pending'",
                               {in.scheme_id, unit, beneficiary}));
  if (pending) {
    return AlreadyExistsError("an application for " + in.scheme_id + " is pending (application " +
                              std::to_string(pending->Int(0)) + ")");
  }
  std::string status = !eligible ? "rejected" : in.officer_review ? "pending" : "enrolled";
  std::optional<int64_t> payee;
  if (status == "enrolled") {
    if (person) {
      payee = beneficiary;
    } else {
      ASSIGN_OR_RETURN(payee, HeadOf(db, household_idx));
      if (!payee) {
        return FailedPreconditionError("household " + std::to_string(household_idx) +
                                       " has no active head to pay; correct the registry first");
      }
    }
  }
  // A rejection is stored decided; an enrolment first as pending, to give the enrolment its
  // source, then decided with it.
  const bool rejected = status == "rejected";
  ASSIGN_OR_RETURN(
      auto inserted,
      db.QueryOne(
          "INSERT INTO enrolment_applications (scheme_id, scheme_version, unit, "
          "beneficiary_idx, household_idx, channel, submitted_by, submitted_at_us, "
          "eligible, explanation, language, status, decided_by, decided_at_us, "
          "decision_note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
          "RETURNING application_id",
          {in.scheme_id, int64_t{scheme_version}, unit, beneficiary, household_idx, in.channel,
           in.actor, now, int64_t{eligible ? 1 : 0}, why.dump(), language,
           std::string(rejected ? "rejected" : "pending"),
           rejected ? storage::Value(std::string("system")) : storage::Value(storage::Null{}),
           rejected ? storage::Value(now) : storage::Value(storage::Null{}),
           rejected ? storage::Value(std::string("not eligible under the scheme's rules"))
                    : storage::Value(storage::Null{})}));
  if (!inserted) return InternalError("application insert returned no id");
  const int64_t application_id = inserted->Int(0);
  if (status == "enrolled") {
    ASSIGN_OR_RETURN(int64_t enrolment_id,
                     InsertEnrolment(db, in.scheme_id, unit, beneficiary, household_idx, *payee,
                                     "application", application_id, now, in.actor));
    RETURN_IF_ERROR(db.Execute("UPDATE enrolment_applications SET status = 'enrolled', "
                               "decided_by = 'system', decided_at_us = ?, decision_note = "
                               "'eligible under the scheme''s rules', enrolment_id = ? WHERE "
                               "application_id = ?",
                               {now, enrolment_id, application_id})
                        .status());
  }
  RETURN_IF_ERROR(tx.Commit());
  return GetApplication(db, application_id);
}

Result<Application> DecideApplication(storage::Database& db, const TimeSource& clock,
                                      int64_t application_id, std::string_view officer,
                                      bool approve, std::string_view note) {
  RETURN_IF_ERROR(CheckNonEmpty(officer, "officer"));
  if (!approve && note.empty()) {
    return InvalidArgumentError("a rejection needs a note saying why (the citizen is told)");
  }
  const int64_t now = clock.Now().micros;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(Application a, GetApplication(db, application_id));
  if (a.status != "pending") {
    return FailedPreconditionError("application " + std::to_string(application_id) + " is " +
                                   a.status + ", not pending");
  }
  if (a.submitted_by == officer) {
    return PermissionDeniedError("application " + std::to_string(application_id) +
                                 " was submitted by " + S(officer) +
                                 "; another officer must decide it");
  }
  std::optional<int64_t> enrolment_id;
  if (approve) {
    ASSIGN_OR_RETURN(auto current, CurrentEnrolment(db, a.scheme_id, a.unit, a.beneficiary_idx));
    if (current) {
      return FailedPreconditionError("already enrolled meanwhile (enrolment " +
                                     std::to_string(*current) + "); reject this application");
    }
    ASSIGN_OR_RETURN(bool active, BeneficiaryActive(db, a.unit, a.beneficiary_idx));
    if (!active) {
      return FailedPreconditionError("the " + a.unit + " is no longer active in the registry");
    }
    std::optional<int64_t> payee = a.beneficiary_idx;
    if (a.unit == "household") {
      ASSIGN_OR_RETURN(payee, HeadOf(db, a.household_idx));
      if (!payee) {
        return FailedPreconditionError("household " + std::to_string(a.household_idx) +
                                       " has no active head to pay; correct the registry first");
      }
    }
    ASSIGN_OR_RETURN(enrolment_id,
                     InsertEnrolment(db, a.scheme_id, a.unit, a.beneficiary_idx, a.household_idx,
                                     *payee, "application", application_id, now, officer));
  }
  ASSIGN_OR_RETURN(int64_t n,
                   db.Execute("UPDATE enrolment_applications SET status = ?, decided_by = ?, "
                              "decided_at_us = ?, decision_note = ?, enrolment_id = ? WHERE "
                              "application_id = ? AND status = 'pending'",
                              {std::string(approve ? "enrolled" : "rejected"), S(officer), now,
                               TextOrNull(note), OptInt(enrolment_id), application_id}));
  if (n != 1) return AbortedError("application " + std::to_string(application_id) + " changed");
  RETURN_IF_ERROR(tx.Commit());
  return GetApplication(db, application_id);
}

Result<Application> GetApplication(storage::Database& db, int64_t application_id) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT " + S(kApplicationColumns) +
                                             " FROM enrolment_applications WHERE "
                                             "application_id = ?",
                                         {application_id}));
  if (!row) return NotFoundError("no application " + std::to_string(application_id));
  return ReadApplication(*row);
}

Result<std::vector<Application>> ListApplications(storage::Database& db, std::string_view scheme_id,
                                                  std::string_view status, int limit) {
  if (limit < 1 || limit > 10000) return InvalidArgumentError("limit must be 1..10000");
  ASSIGN_OR_RETURN(auto rows,
                   db.Query("SELECT " + S(kApplicationColumns) +
                                " FROM enrolment_applications WHERE (? = '' OR "
                                "scheme_id = ?) AND (? = '' OR status = ?) ORDER BY "
                                "application_id LIMIT ?",
                            {S(scheme_id), S(scheme_id), S(status), S(status), int64_t{limit}}));
  std::vector<Application> out;
  out.reserve(rows.size());
  for (const storage::Row& r : rows) out.push_back(ReadApplication(r));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Enrolments

Result<Enrolment> GetEnrolment(storage::Database& db, int64_t enrolment_id) {
  return GetEnrolmentIn(db, enrolment_id);
}

Result<std::vector<Enrolment>> ListEnrolments(storage::Database& db, const EnrolmentFilter& f) {
  if (f.limit < 1 || f.limit > 10000) return InvalidArgumentError("limit must be 1..10000");
  if (!f.status.empty() && f.status != "enrolled" && f.status != "exit_proposed" &&
      f.status != "exited") {
    return InvalidArgumentError("status must be enrolled, exit_proposed or exited");
  }
  // Only the conditions asked for, so that each query uses its index.
  std::string sql = "SELECT " + S(kEnrolmentColumns) + " FROM enrolments WHERE enrolment_id > ?";
  std::vector<storage::Value> params = {f.after_id};
  if (!f.scheme_id.empty()) {
    sql += " AND scheme_id = ?";
    params.emplace_back(f.scheme_id);
  }
  if (!f.status.empty()) {
    sql += " AND status = ?";
    params.emplace_back(f.status);
  }
  if (f.household_idx) {
    sql += " AND household_idx = ?";
    params.emplace_back(*f.household_idx);
  }
  if (f.member_idx) {
    sql += " AND ((unit = 'person' AND beneficiary_idx = ?) OR payee_member_idx = ?)";
    params.emplace_back(*f.member_idx);
    params.emplace_back(*f.member_idx);
  }
  sql += " ORDER BY enrolment_id LIMIT ?";
  params.emplace_back(int64_t{f.limit});
  ASSIGN_OR_RETURN(storage::Statement * stmt, db.Cached(sql));
  stmt->BindAll(params);
  std::vector<Enrolment> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadEnrolment(stmt->CurrentRow()));
  }
  stmt->Reset();
  return out;
}

Result<std::vector<EnrolmentCounts>> CountEnrolments(storage::Database& db,
                                                     std::string_view scheme_id) {
  std::map<std::string, EnrolmentCounts> by_scheme;
  auto counts = [&](const std::string& id) -> EnrolmentCounts& {
    EnrolmentCounts& c = by_scheme[id];
    c.scheme_id = id;
    return c;
  };
  const std::string sid(scheme_id);
  ASSIGN_OR_RETURN(auto enrolments,
                   db.Query("SELECT scheme_id, status, COUNT(*) FROM enrolments WHERE (? = '' OR "
                            "scheme_id = ?) GROUP BY scheme_id, status",
                            {sid, sid}));
  for (const storage::Row& r : enrolments) {
    EnrolmentCounts& c = counts(r.Text(0));
    const std::string& s = r.Text(1);
    (s == "enrolled" ? c.enrolled : s == "exit_proposed" ? c.exit_proposed : c.exited) += r.Int(2);
  }
  ASSIGN_OR_RETURN(auto proposals,
                   db.Query("SELECT scheme_id, status, COUNT(*) FROM eligibility_proposals WHERE "
                            "(? = '' OR scheme_id = ?) AND status <> 'enrolled' GROUP BY "
                            "scheme_id, status",
                            {sid, sid}));
  for (const storage::Row& r : proposals) {
    EnrolmentCounts& c = counts(r.Text(0));
    const std::string& s = r.Text(1);
    (s == "proposed" ? c.proposed : s == "noticed" ? c.noticed : c.withdrawn) += r.Int(2);
  }
  ASSIGN_OR_RETURN(auto applications,
                   db.Query("SELECT scheme_id, COUNT(*) FROM enrolment_applications WHERE (? = '' "
                            "OR scheme_id = ?) AND status = 'pending' GROUP BY scheme_id",
                            {sid, sid}));
  for (const storage::Row& r : applications) counts(r.Text(0)).applications_pending = r.Int(1);
  std::vector<EnrolmentCounts> out;
  for (auto& [id, c] : by_scheme) out.push_back(std::move(c));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Exits

Result<ExitRunReport> ProposeExits(storage::Database& db, const registry::Snapshot& snapshot,
                                   const TimeSource& clock, std::string_view scheme_id,
                                   int notice_days, std::string_view actor) {
  RETURN_IF_ERROR(CheckDays(notice_days, "exit notice period"));
  RETURN_IF_ERROR(CheckNonEmpty(actor, "actor"));
  ASSIGN_OR_RETURN(CompiledScheme scheme, SchemeStore(db, clock).Get(scheme_id));
  const Date today = clock.Today();
  const Timestamp now = clock.Now();
  const Date ends_on = today.AddDays(notice_days + 1);
  const int64_t effective_after =
      Timestamp::StartOfLocalDay(ends_on, clock.utc_offset_minutes()).micros;
  const bool person = scheme.scheme.unit == rules::Unit::kPerson;

  ASSIGN_OR_RETURN(SchemeResults results, EvaluateScheme(scheme, snapshot, today));
  std::unordered_set<int64_t> eligible;
  eligible.reserve(static_cast<size_t>(results.eligible_count) * 2);
  for (size_t row = 0; row < results.eligible.size(); ++row) {
    if (!results.eligible[row]) continue;
    eligible.insert(person ? snapshot.member_idx(row) : snapshot.household_idx(row));
  }

  ExitRunReport report;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  // The current enrolments, streamed; only the few that change are kept.
  struct Candidate {
    Enrolment e;
    std::string beneficiary_status;
    std::optional<int64_t> open_exit;
    std::string open_reason;
  };
  std::vector<Candidate> to_exit, to_restore;
  {
    ASSIGN_OR_RETURN(
        auto stmt,
        db.Prepare("SELECT " + S(kEnrolmentColumns) +
                   ", CASE WHEN unit = 'person' THEN (SELECT m.status FROM members m WHERE "
                   "m.member_idx = enrolments.beneficiary_idx) ELSE (SELECT h.status FROM "
                   "households h WHERE h.household_idx = enrolments.household_idx) END, (SELECT "
                   "x.exit_id FROM exit_proposals x WHERE x.enrolment_id = "
                   "enrolments.enrolment_id AND x.status = 'proposed'), (SELECT x.reason_code "
                   "FROM exit_proposals x WHERE x.enrolment_id = enrolments.enrolment_id AND "
                   "x.status = 'proposed') FROM enrolments WHERE scheme_id = ? AND status IN "
                   "('enrolled', 'exit_proposed') ORDER BY enrolment_id"));
    stmt->BindText(1, scheme_id);
    while (true) {
      ASSIGN_OR_RETURN(bool more, stmt->Step());
      if (!more) break;
      ++report.checked;
      storage::Row r = stmt->CurrentRow();
      Candidate c{ReadEnrolment(r), r.Text(13), std::nullopt, r.Text(15)};
      if (!r.IsNull(14)) c.open_exit = r.Int(14);
      const bool ok = eligible.count(c.e.beneficiary_idx) > 0 && c.beneficiary_status == "active";
      if (c.e.status == "enrolled" && !ok) {
        to_exit.push_back(std::move(c));
      } else if (c.e.status == "exit_proposed" && ok && c.open_exit &&
                 c.open_reason == "ineligible") {
        to_restore.push_back(std::move(c));
      }
    }
  }
  notify::Outbox outbox(db, clock);
  for (const Candidate& c : to_exit) {
    const bool death = person && c.beneficiary_status == "deceased";
    const std::string reason_code = death ? "death" : "ineligible";
    ASSIGN_OR_RETURN(auto held,
                     db.QueryOne("SELECT 1 FROM exit_proposals WHERE enrolment_id = ? AND status "
                                 "= 'cancelled' AND reason_code = ? AND decided_at_us > ?",
                                 {c.e.enrolment_id, reason_code,
                                  now.micros - kCancelledExitHoldDays * kMicrosPerDay}));
    if (held) {
      ++report.suppressed;
      continue;
    }
    LocalizedText reason = death ? kDeathReason : kNotActiveReason;
    json detail = {{"scheme_version", scheme.scheme.version},
                   {"evaluation_date", today.ToString()},
                   {"registry_status", c.beneficiary_status}};
    if (!death) {
      auto row = SnapshotRow(snapshot, c.e.unit, c.e.beneficiary_idx, c.e.household_idx);
      if (row) {
        Decision d = Decide(scheme, snapshot, *row, today);
        reason = UnmetReason(d);
        detail["decision"] = DecisionJson(d, "en");
      }
    }
    ASSIGN_OR_RETURN(auto inserted,
                     db.QueryOne("INSERT INTO exit_proposals (enrolment_id, scheme_id, "
                                 "reason_code, reason_en, reason_hi, detail, status, "
                                 "proposed_at_us, proposed_by, effective_after_us) VALUES (?, ?, "
                                 "?, ?, ?, ?, 'proposed', ?, ?, ?) RETURNING exit_id",
                                 {c.e.enrolment_id, S(scheme_id), reason_code, reason.en, reason.hi,
                                  detail.dump(), now.micros, S(actor), effective_after}));
    if (!inserted) return InternalError("exit insert returned no id");
    const int64_t exit_id = inserted->Int(0);
    ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE enrolments SET status = 'exit_proposed' "
                                           "WHERE enrolment_id = ? AND status = 'enrolled'",
                                           {c.e.enrolment_id}));
    if (n != 1) return AbortedError("enrolment " + std::to_string(c.e.enrolment_id) + " changed");
    ASSIGN_OR_RETURN(Payee payee, PayeeOf(db, c.e.payee_member_idx, c.e.household_idx));
    const bool hi = payee.language == "hi";
    ASSIGN_OR_RETURN(auto message_id,
                     SendSms(outbox, payee.phone, payee.member_id, "exit_proposed", payee.language,
                             {{"scheme", scheme.scheme.name.In(payee.language)},
                              {"reason", hi ? reason.hi : reason.en},
                              {"date", DayMonthYear(ends_on)}}));
    if (message_id) {
      RETURN_IF_ERROR(db.Execute("UPDATE exit_proposals SET notice_message_id = ? WHERE "
                                 "exit_id = ?",
                                 {*message_id, exit_id})
                          .status());
    }
    ++report.proposed;
    if (death) ++report.deaths;
  }
  for (const Candidate& c : to_restore) {
    RETURN_IF_ERROR(db.Execute("UPDATE exit_proposals SET status = 'cancelled', decided_by = ?, "
                               "decided_at_us = ?, note = 'eligible again' WHERE exit_id = ? "
                               "AND status = 'proposed'",
                               {S(actor), now.micros, *c.open_exit})
                        .status());
    RETURN_IF_ERROR(db.Execute("UPDATE enrolments SET status = 'enrolled' WHERE enrolment_id = ? "
                               "AND status = 'exit_proposed'",
                               {c.e.enrolment_id})
                        .status());
    ++report.withdrawn;
  }
  RETURN_IF_ERROR(tx.Commit());
  return report;
}

Result<int64_t> ApplyDueExits(storage::Database& db, const TimeSource& clock,
                              std::string_view scheme_id, std::string_view actor) {
  RETURN_IF_ERROR(CheckNonEmpty(actor, "actor"));
  ASSIGN_OR_RETURN(CompiledScheme scheme, SchemeStore(db, clock).Get(scheme_id));
  const Timestamp now = clock.Now();
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(auto due, db.Query("SELECT exit_id, enrolment_id, reason_code, reason_en, "
                                      "reason_hi FROM exit_proposals WHERE scheme_id = ? AND "
                                      "status = 'proposed' AND effective_after_us <= ? ORDER BY "
                                      "exit_id",
                                      {S(scheme_id), now.micros}));
  notify::Outbox outbox(db, clock);
  int64_t exited = 0;
  for (const storage::Row& r : due) {
    ASSIGN_OR_RETURN(Enrolment e, GetEnrolmentIn(db, r.Int(1)));
    RETURN_IF_ERROR(db.Execute("UPDATE exit_proposals SET status = 'effective', decided_by = ?, "
                               "decided_at_us = ? WHERE exit_id = ?",
                               {S(actor), now.micros, r.Int(0)})
                        .status());
    RETURN_IF_ERROR(EndEnrolment(db, outbox, e, r.Int(0), r.Text(2), {r.Text(3), r.Text(4)},
                                 scheme.scheme.name.en, scheme.scheme.name.hi, now));
    ++exited;
  }
  RETURN_IF_ERROR(tx.Commit());
  return exited;
}

Status CancelExit(storage::Database& db, const TimeSource& clock, int64_t exit_id,
                  std::string_view officer, std::string_view note) {
  RETURN_IF_ERROR(CheckNonEmpty(officer, "officer"));
  RETURN_IF_ERROR(CheckNonEmpty(note, "note"));
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT status, enrolment_id FROM exit_proposals WHERE "
                                         "exit_id = ?",
                                         {exit_id}));
  if (!row) return NotFoundError("no exit " + std::to_string(exit_id));
  if (row->Text(0) != "proposed") {
    return FailedPreconditionError("exit " + std::to_string(exit_id) + " is " + row->Text(0) +
                                   "; only a proposed exit can be cancelled");
  }
  RETURN_IF_ERROR(db.Execute("UPDATE exit_proposals SET status = 'cancelled', decided_by = ?, "
                             "decided_at_us = ?, note = ? WHERE exit_id = ?",
                             {S(officer), clock.Now().micros, S(note), exit_id})
                      .status());
  ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE enrolments SET status = 'enrolled' WHERE "
                                         "enrolment_id = ? AND status = 'exit_proposed'",
                                         {row->Int(1)}));
  if (n != 1) return AbortedError("enrolment " + std::to_string(row->Int(1)) + " changed");
  return tx.Commit();
}

Result<int64_t> ExitVoluntarily(storage::Database& db, const TimeSource& clock,
                                int64_t enrolment_id, std::string_view actor,
                                std::string_view reason) {
  RETURN_IF_ERROR(CheckNonEmpty(actor, "actor"));
  RETURN_IF_ERROR(CheckNonEmpty(reason, "reason"));
  const Timestamp now = clock.Now();
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(Enrolment e, GetEnrolmentIn(db, enrolment_id));
  if (e.status == "exited") {
    return FailedPreconditionError("enrolment " + std::to_string(enrolment_id) +
                                   " has already ended");
  }
  ASSIGN_OR_RETURN(CompiledScheme scheme, SchemeStore(db, clock).Get(e.scheme_id));
  RETURN_IF_ERROR(db.Execute("UPDATE exit_proposals SET status = 'cancelled', decided_by = ?, "
                             "decided_at_us = ?, note = 'superseded by a voluntary exit' WHERE "
                             "enrolment_id = ? AND status = 'proposed'",
                             {S(actor), now.micros, enrolment_id})
                      .status());
  ASSIGN_OR_RETURN(
      auto inserted,
      db.QueryOne("INSERT INTO exit_proposals (enrolment_id, scheme_id, reason_code, reason_en, "
                  "reason_hi, detail, status, proposed_at_us, proposed_by, effective_after_us, "
                  "decided_by, decided_at_us, note) VALUES (?, ?, 'voluntary', ?, ?, ?, "
                  "'effective', ?, ?, ?, ?, ?, ?) RETURNING exit_id",
                  {enrolment_id, e.scheme_id, kVoluntaryReason.en, kVoluntaryReason.hi,
                   json{{"reason", std::string(reason)}}.dump(), now.micros, S(actor), now.micros,
                   S(actor), now.micros, S(reason)}));
  if (!inserted) return InternalError("exit insert returned no id");
  const int64_t exit_id = inserted->Int(0);
  notify::Outbox outbox(db, clock);
  RETURN_IF_ERROR(EndEnrolment(db, outbox, e, exit_id, "voluntary", kVoluntaryReason,
                               scheme.scheme.name.en, scheme.scheme.name.hi, now));
  RETURN_IF_ERROR(tx.Commit());
  return exit_id;
}

Result<std::vector<ExitProposal>> ListExitProposals(storage::Database& db, const ExitFilter& f) {
  if (f.limit < 1 || f.limit > 10000) return InvalidArgumentError("limit must be 1..10000");
  std::string sql = "SELECT " + S(kExitColumns) +
                    " FROM exit_proposals x JOIN enrolments e ON e.enrolment_id = x.enrolment_id "
                    "WHERE 1 = 1";
  std::vector<storage::Value> params;
  if (!f.scheme_id.empty()) {
    sql += " AND x.scheme_id = ?";
    params.emplace_back(f.scheme_id);
  }
  if (!f.status.empty()) {
    sql += " AND x.status = ?";
    params.emplace_back(f.status);
  }
  if (f.enrolment_id) {
    sql += " AND x.enrolment_id = ?";
    params.emplace_back(*f.enrolment_id);
  }
  sql += " ORDER BY x.effective_after_us, x.exit_id LIMIT ?";
  params.emplace_back(int64_t{f.limit});
  ASSIGN_OR_RETURN(storage::Statement * stmt, db.Cached(sql));
  stmt->BindAll(params);
  std::vector<ExitProposal> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    out.push_back(ReadExit(stmt->CurrentRow()));
  }
  stmt->Reset();
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

namespace {
json OptTime(const std::optional<Timestamp>& t) { return t ? json(t->ToString()) : json(nullptr); }
json OptId(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

json EnrolmentJson(const Enrolment& e) {
  return {{"enrolment_id", e.enrolment_id},
          {"scheme", e.scheme_id},
          {"unit", e.unit},
          {"beneficiary_idx", e.beneficiary_idx},
          {"household_idx", e.household_idx},
          {"payee_member_idx", e.payee_member_idx},
          {"path", e.path},
          {"source_id", OptId(e.source_id)},
          {"status", e.status},
          {"enrolled_at", e.enrolled_at.ToString()},
          {"enrolled_by", e.enrolled_by},
          {"exited_at", OptTime(e.exited_at)},
          {"exit_reason", e.exit_reason.empty() ? json(nullptr) : json(e.exit_reason)}};
}

json ApplicationJson(const Application& a) {
  return {{"application_id", a.application_id},
          {"scheme", a.scheme_id},
          {"scheme_version", a.scheme_version},
          {"unit", a.unit},
          {"beneficiary_idx", a.beneficiary_idx},
          {"household_idx", a.household_idx},
          {"channel", a.channel},
          {"submitted_by", a.submitted_by},
          {"submitted_at", a.submitted_at.ToString()},
          {"eligible", a.eligible},
          {"explanation", a.explanation},
          {"language", a.language},
          {"status", a.status},
          {"decided_by", a.decided_by.empty() ? json(nullptr) : json(a.decided_by)},
          {"decided_at", OptTime(a.decided_at)},
          {"decision_note", a.decision_note.empty() ? json(nullptr) : json(a.decision_note)},
          {"enrolment_id", OptId(a.enrolment_id)}};
}

json ExitProposalJson(const ExitProposal& x, std::string_view language) {
  return {{"exit_id", x.exit_id},
          {"enrolment_id", x.enrolment_id},
          {"scheme", x.scheme_id},
          {"beneficiary_idx", x.beneficiary_idx},
          {"household_idx", x.household_idx},
          {"reason_code", x.reason_code},
          {"reason", x.reason.In(language)},
          {"detail", x.detail},
          {"status", x.status},
          {"proposed_at", x.proposed_at.ToString()},
          {"proposed_by", x.proposed_by},
          {"effective_after", x.effective_after.ToString()},
          {"decided_by", x.decided_by.empty() ? json(nullptr) : json(x.decided_by)},
          {"decided_at", OptTime(x.decided_at)},
          {"note", x.note.empty() ? json(nullptr) : json(x.note)}};
}

json CountsJson(const std::vector<EnrolmentCounts>& counts) {
  json out = json::array();
  for (const EnrolmentCounts& c : counts) {
    out.push_back(
        {{"scheme", c.scheme_id},
         {"enrolments",
          {{"enrolled", c.enrolled}, {"exit_proposed", c.exit_proposed}, {"exited", c.exited}}},
         {"proposals",
          {{"proposed", c.proposed}, {"noticed", c.noticed}, {"withdrawn", c.withdrawn}}},
         {"applications_pending", c.applications_pending}});
  }
  return out;
}

}  // namespace spode::programs
