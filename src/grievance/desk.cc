#include "grievance/desk.h"

#include "grievance/internal/history.h"
#include "grievance/internal/store.h"
#include "grievance/internal/util.h"
#include "grievance/ticket.h"

namespace spode::grievance {
namespace {

using internal::AddAssignment;
using internal::AddEvent;
using internal::InOwnTransaction;
using internal::Load;
using internal::OptionalInt;
using internal::OptionalText;
using internal::PeopleDate;
using internal::PlusDays;
using internal::TellUpdate;
using internal::Text;

Status Changed(int64_t grievance_id) {
  return AbortedError("grievance " + std::to_string(grievance_id) +
                      " changed while this step ran; read it again and retry");
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Checks that `n` rows changed, else the grievance changed under us.
Status ExpectOne(Result<int64_t> n, int64_t grievance_id) {
  if (!n.ok()) return n.status();
  return *n == 1 ? OkStatus() : Changed(grievance_id);
}

bool StillAnswerable(const Grievance& g) {
  return g.status == GrievanceStatus::kOpen || g.status == GrievanceStatus::kAppealed;
}

// The action a re-entry case upheld sets in motion; recorded once per case.
Result<std::optional<int64_t>> RecordAction(storage::Database& db, const Grievance& g,
                                            Timestamp now) {
  std::string key =
      "case:" + std::to_string(g.grievance_id) + ":" + g.action_kind + ":" + g.action_target;
  ASSIGN_OR_RETURN(
      auto row,
      db.QueryOne("INSERT INTO grievance_actions (grievance_id, action_key, kind, "
                  "target, scheme_id, member_idx, household_idx, created_at_us) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (action_key) DO "
                  "NOTHING RETURNING action_id",
                  {g.grievance_id, key, g.action_kind, g.action_target, OptionalText(g.scheme_id),
                   OptionalInt(g.member_idx), g.household_idx, now.micros}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

}  // namespace

Result<Grievance> Get(storage::Database& db, int64_t grievance_id) {
  return Load(db, grievance_id);
}

Result<Grievance> GetByTicket(storage::Database& db, std::string_view ticket) {
  ASSIGN_OR_RETURN(TicketNumber t, ParseTicket(ticket));
  ASSIGN_OR_RETURN(auto row, db.QueryOne(internal::kSelect + "WHERE g.grievance_id = ? AND "
                                                             "g.filed_year = ?",
                                         {t.serial, int64_t{t.year}}));
  if (!row) return NotFoundError("no grievance has ticket number " + std::string(ticket));
  ASSIGN_OR_RETURN(Grievance g, internal::ReadGrievance(*row));
  if (t.kind && *t.kind != g.kind) {
    return NotFoundError("no grievance has ticket number " + std::string(ticket));
  }
  return g;
}

Result<std::vector<Grievance>> List(storage::Database& db, const ListFilter& f) {
  if (f.limit < 1 || f.limit > 1000) return InvalidArgumentError("limit: 1..1000");
  if (!AllDigits(f.area_prefix) || !AllDigits(f.area_code)) {
    return InvalidArgumentError("area codes are digits");
  }
  std::string sql = internal::kSelect + "WHERE g.grievance_id > ?";
  std::vector<storage::Value> params = {f.after_id};
  if (f.household_idx) {
    sql += " AND g.household_idx = ?";
    params.push_back(*f.household_idx);
  }
  if (!f.area_prefix.empty()) {
    sql += " AND g.village_code LIKE ?";
    params.push_back(f.area_prefix + "%");
  }
  if (!f.bank_code.empty()) {
    sql += " AND g.assigned_bank = ?";
    params.push_back(f.bank_code);
  }
  if (f.level) {
    sql += " AND g.level = ?";
    params.push_back(std::string(LevelName(*f.level)));
  }
  if (!f.area_code.empty()) {
    sql += " AND g.area_code = ?";
    params.push_back(f.area_code);
  }
  if (f.status) {
    sql += " AND g.status = ?";
    params.push_back(std::string(StatusName(*f.status)));
  }
  if (f.kind) {
    sql += " AND g.kind = ?";
    params.push_back(std::string(KindName(*f.kind)));
  }
  if (f.channel) {
    sql += " AND g.channel = ?";
    params.push_back(std::string(ChannelName(*f.channel)));
  }
  if (!f.filed_by.empty()) {
    sql += " AND g.filed_by = ?";
    params.push_back(f.filed_by);
  }
  if (f.overdue_at) {
    sql += " AND g.status IN ('open', 'appealed') AND g.deadline_at_us < ?";
    params.push_back(f.overdue_at->micros);
  }
  sql += " ORDER BY g.grievance_id LIMIT ?";
  params.push_back(int64_t{f.limit});
  ASSIGN_OR_RETURN(storage::Statement * st, db.Cached(sql));
  st->BindAll(params);
  std::vector<Grievance> out;
  for (;;) {
    auto more = st->Step();
    if (!more.ok()) {
      st->Reset();
      return more.status();
    }
    if (!*more) break;
    auto g = internal::ReadGrievance(st->CurrentRow());
    if (!g.ok()) {
      st->Reset();
      return g.status();
    }
    out.push_back(std::move(*g));
  }
  st->Reset();
  return out;
}

Result<std::vector<HistoryEntry>> History(storage::Database& db, int64_t grievance_id) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT event_id, at_us, kind, actor, text_en, text_hi "
                                       "FROM grievance_events WHERE grievance_id = ? ORDER BY "
                                       "event_id",
                                       {grievance_id}));
  if (rows.empty()) {  // every grievance has its filing event: is there a grievance at all?
    ASSIGN_OR_RETURN(auto exists, db.QueryOne("SELECT 1 FROM grievances WHERE grievance_id = ?",
                                              {grievance_id}));
    if (!exists) return NotFoundError("no grievance " + std::to_string(grievance_id));
  }
  std::vector<HistoryEntry> out;
  out.reserve(rows.size());
  for (const storage::Row& r : rows) {
    out.push_back({r.Int(0), Timestamp{r.Int(1)}, r.Text(2), r.Text(3), r.Text(4), r.Text(5)});
  }
  return out;
}

Status RecordInterimReply(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                          std::string_view reply, std::string_view actor, const Policy& policy) {
  RETURN_IF_ERROR(internal::CheckText(reply, "reply", 2000));
  const Timestamp now = clock.Now();
  return InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    if (!StillAnswerable(g)) {
      return FailedPreconditionError(
          "an interim reply is for a grievance still waiting for an "
          "answer; this one is " +
          std::string(StatusName(g.status)));
    }
    RETURN_IF_ERROR(ExpectOne(
        db.Execute("UPDATE grievances SET interim_reply_at_us = ? WHERE grievance_id = ? AND "
                   "round = ? AND status = ?",
                   {now.micros, grievance_id, int64_t{g.round}, std::string(StatusName(g.status))}),
        grievance_id));
    Text text = internal::InterimText(reply, PeopleDate(g.deadline, clock));
    RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "interim_reply", actor, text));
    return TellUpdate(db, clock, policy, g, text).status();
  });
}

Status Reassign(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                const Assignee& to, std::string_view reason, std::string_view actor,
                const Policy& policy) {
  RETURN_IF_ERROR(internal::CheckText(reason, "reason", 500));
  if (!to.bank_code.empty()) {
    bool ok = to.bank_code.size() == 4;
    for (char c : to.bank_code) ok = ok && c >= 'A' && c <= 'Z';
    if (!ok) return InvalidArgumentError("bank_code: four capital letters (an IFSC's first four)");
  }
  const Timestamp now = clock.Now();
  return InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    if (!StillAnswerable(g)) {
      return FailedPreconditionError(
          "only a grievance waiting for an answer can be reassigned; "
          "this one is " +
          std::string(StatusName(g.status)));
    }
    if (static_cast<int>(to.level) < static_cast<int>(g.assignee.level)) {
      return FailedPreconditionError("a grievance is not sent below the level it has reached (" +
                                     std::string(LevelName(g.assignee.level)) + ")");
    }
    if (to.area_code != AreaAt(to.level, g.village_code)) {
      return InvalidArgumentError("area_code: the " + std::string(LevelName(to.level)) +
                                  " of this household is " + AreaAt(to.level, g.village_code));
    }
    if (to == g.assignee) return FailedPreconditionError("the grievance is already there");
    RETURN_IF_ERROR(ExpectOne(
        db.Execute("UPDATE grievances SET level = ?, area_code = ?, assigned_bank = ?, "
                   "assigned_at_us = ? WHERE grievance_id = ? AND round = ? AND status = ? AND "
                   "level = ? AND area_code = ?",
                   {std::string(LevelName(to.level)), to.area_code, OptionalText(to.bank_code),
                    now.micros, grievance_id, int64_t{g.round}, std::string(StatusName(g.status)),
                    std::string(LevelName(g.assignee.level)), g.assignee.area_code}),
        grievance_id));
    RETURN_IF_ERROR(
        AddAssignment(db, grievance_id, to, "reassigned", reason, actor, now, g.deadline));
    Text text = internal::ReassignedText(to, reason, PeopleDate(g.deadline, clock));
    RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "reassigned", actor, text));
    return TellUpdate(db, clock, policy, g, text).status();
  });
}

Result<Resolved> Resolve(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                         const Resolution& r, const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  RETURN_IF_ERROR(internal::CheckText(r.reason, "reason", 2000));
  if (r.actor.empty()) return InvalidArgumentError("actor: who answered");
  const Timestamp now = clock.Now();
  Resolved resolved;
  RETURN_IF_ERROR(InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    if (!StillAnswerable(g)) {
      return FailedPreconditionError("this grievance is " + std::string(StatusName(g.status)) +
                                     "; only an open or appealed grievance can be answered");
    }
    std::optional<int64_t> cr = r.change_request_id;
    if (g.kind == Kind::kGrievance && g.category == Category::kDataCorrection &&
        r.outcome == Outcome::kUpheld && !cr) {
      return InvalidArgumentError(
          "change_request_id: an upheld data correction names the "
          "change request it produced");
    }
    if (cr) {
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT household_idx FROM change_requests WHERE "
                                             "cr_id = ?",
                                             {*cr}));
      if (!row || row->Int(0) != g.household_idx) {
        return NotFoundError("change_request_id: no such change request for this household");
      }
    }
    resolved.appeal_decided = g.status == GrievanceStatus::kAppealed;
    if (resolved.appeal_decided) {
      RETURN_IF_ERROR(ExpectOne(
          db.Execute("UPDATE grievance_appeals SET outcome = ?, decision_reason = ?, decided_by "
                     "= ?, decided_at_us = ? WHERE appeal_id = ? AND decided_at_us IS NULL",
                     {std::string(OutcomeName(r.outcome)), r.reason, r.actor, now.micros,
                      OptionalInt(g.open_appeal_id)}),
          grievance_id));
    }
    RETURN_IF_ERROR(ExpectOne(
        db.Execute("UPDATE grievances SET status = 'resolved', outcome = ?, resolution_reason = "
                   "?, resolution_cr_id = ?, resolved_by = ?, resolved_at_us = ?, rating = NULL, "
                   "rated_at_us = NULL, open_appeal_id = NULL WHERE grievance_id = ? AND round = "
                   "? AND status = ?",
                   {std::string(OutcomeName(r.outcome)), r.reason, OptionalInt(cr), r.actor,
                    now.micros, grievance_id, int64_t{g.round}, std::string(StatusName(g.status))}),
        grievance_id));
    // An appeal can follow a rejection (or a poor rating) of a first answer, never an appeal
    // decision: say so only when it is possible.
    std::string appeal_until;
    if (!resolved.appeal_decided && g.appeals == 0 && r.outcome == Outcome::kRejected) {
      appeal_until = PeopleDate(PlusDays(now, policy.appeal_window_days), clock);
    }
    Text text =
        internal::ResolvedText(r.outcome, r.reason, cr, resolved.appeal_decided, appeal_until);
    RETURN_IF_ERROR(AddEvent(db, grievance_id, now,
                             resolved.appeal_decided ? "appeal_decided" : "resolved", r.actor,
                             text));
    RETURN_IF_ERROR(TellUpdate(db, clock, policy, g, text).status());
    if (g.kind == Kind::kReentry && r.outcome == Outcome::kUpheld) {
      ASSIGN_OR_RETURN(resolved.action_id, RecordAction(db, g, now));
      if (resolved.action_id) {
        Text action = internal::ActionText(g.action_kind);
        RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "action", "system", action));
        RETURN_IF_ERROR(TellUpdate(db, clock, policy, g, action).status());
      }
    }
    return OkStatus();
  }));
  return resolved;
}

Result<GrievanceStatus> Rate(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                             int rating, std::string_view actor, const Policy& policy) {
  if (rating < 1 || rating > 5) return InvalidArgumentError("rating: 1 (poor) to 5 (very good)");
  const Timestamp now = clock.Now();
  GrievanceStatus after = GrievanceStatus::kResolved;
  RETURN_IF_ERROR(InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    if (g.status != GrievanceStatus::kResolved) {
      return FailedPreconditionError("only an answered grievance can be rated; this one is " +
                                     std::string(StatusName(g.status)));
    }
    if (g.rating) return FailedPreconditionError("this answer has already been rated");
    bool satisfied = rating >= 3 && g.outcome == Outcome::kUpheld;
    after = satisfied ? GrievanceStatus::kClosed : GrievanceStatus::kResolved;
    RETURN_IF_ERROR(ExpectOne(
        db.Execute("UPDATE grievances SET rating = ?, rated_at_us = ?, status = ?, closed_at_us = "
                   "? WHERE grievance_id = ? AND round = ? AND status = 'resolved' AND rating IS "
                   "NULL",
                   {int64_t{rating}, now.micros, std::string(StatusName(after)),
                    satisfied ? storage::Value(now.micros) : storage::Value(storage::Null{}),
                    grievance_id, int64_t{g.round}}),
        grievance_id));
    RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "rated", actor, internal::RatedText(rating)));
    if (satisfied) {
      Text closed = internal::ClosedText(true, "");
      RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "closed", "system", closed));
      return OkStatus();
    }
    if (rating <= 2 && g.appeals == 0 && g.resolved_at &&
        now < PlusDays(*g.resolved_at, policy.appeal_window_days)) {
      Text text{"You can appeal against this answer by " +
                    PeopleDate(PlusDays(*g.resolved_at, policy.appeal_window_days), clock) + ".",
                "आप इस उत्तर के विरुद्ध " +
                    PeopleDate(PlusDays(*g.resolved_at, policy.appeal_window_days), clock) +
                    " तक अपील कर सकते हैं।"};
      RETURN_IF_ERROR(TellUpdate(db, clock, policy, g, text).status());
    }
    return OkStatus();
  }));
  return after;
}

Result<int64_t> Appeal(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
                       std::string_view reason, std::string_view actor, const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  RETURN_IF_ERROR(internal::CheckText(reason, "reason", 2000));
  const Timestamp now = clock.Now();
  int64_t appeal_id = 0;
  RETURN_IF_ERROR(InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    if (g.status != GrievanceStatus::kResolved) {
      return FailedPreconditionError("only an answered grievance can be appealed; this one is " +
                                     std::string(StatusName(g.status)));
    }
    if (g.appeals > 0) {
      return FailedPreconditionError(
          "this grievance has had its appeal; the appellate "
          "officer's decision stands");
    }
    bool poor = g.rating && *g.rating <= 2;
    if (g.outcome != Outcome::kRejected && !poor) {
      return FailedPreconditionError(
          "an appeal follows an answer that rejected the grievance, "
          "or one rated 1 or 2");
    }
    if (!g.resolved_at || now >= PlusDays(*g.resolved_at, policy.appeal_window_days)) {
      return FailedPreconditionError("the time to appeal (" +
                                     std::to_string(policy.appeal_window_days) +
                                     " days after the answer) has passed");
    }
    Assignee to;
    to.level = NextLevel(g.assignee.level);
    to.area_code = AreaAt(to.level, g.village_code);
    Timestamp deadline = PlusDays(now, policy.appeal_deadline_days);
    ASSIGN_OR_RETURN(
        auto row,
        db.QueryOne(
            "INSERT INTO grievance_appeals (grievance_id, reason, appealed_outcome, "
            "appealed_rating, level, area_code, filed_by, filed_at_us, deadline_at_us) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING appeal_id",
            {grievance_id, std::string(reason),
             std::string(OutcomeName(g.outcome.value_or(Outcome::kRejected))),
             g.rating ? storage::Value(int64_t{*g.rating}) : storage::Value(storage::Null{}),
             std::string(LevelName(to.level)), to.area_code, std::string(actor), now.micros,
             deadline.micros}));
    if (!row) return InternalError("INSERT ... RETURNING gave no row");
    appeal_id = row->Int(0);
    RETURN_IF_ERROR(ExpectOne(
        db.Execute(
            "UPDATE grievances SET status = 'appealed', open_appeal_id = ?, appeal_count = "
            "appeal_count + 1, round = round + 1, level = ?, area_code = ?, assigned_bank = NULL, "
            "assigned_at_us = ?, deadline_at_us = ?, interim_due_at_us = ?, interim_reply_at_us "
            "= NULL, outcome = NULL, resolution_reason = NULL, resolution_cr_id = NULL, "
            "resolved_by = NULL, resolved_at_us = NULL, rating = NULL, rated_at_us = NULL "
            "WHERE grievance_id = ? AND round = ? AND status = 'resolved'",
            {appeal_id, std::string(LevelName(to.level)), to.area_code, now.micros, deadline.micros,
             internal::InterimDue(now, deadline, policy.interim_percent).micros, grievance_id,
             int64_t{g.round}}),
        grievance_id));
    RETURN_IF_ERROR(AddAssignment(db, grievance_id, to, "appeal", reason, actor, now, deadline));
    Text text = internal::AppealedText(reason, to, PeopleDate(deadline, clock));
    RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "appealed", actor, text));
    return TellUpdate(db, clock, policy, g, text).status();
  }));
  return appeal_id;
}

Status Reopen(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
              std::string_view reason, std::string_view actor, const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  RETURN_IF_ERROR(internal::CheckText(reason, "reason", 2000));
  const Timestamp now = clock.Now();
  return InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    if (g.status != GrievanceStatus::kResolved && g.status != GrievanceStatus::kClosed) {
      return FailedPreconditionError(
          "only an answered or closed grievance can be reopened; "
          "this one is " +
          std::string(StatusName(g.status)));
    }
    if (!g.resolved_at || now >= PlusDays(*g.resolved_at, policy.reopen_window_days)) {
      return FailedPreconditionError(
          "the time to reopen (" + std::to_string(policy.reopen_window_days) +
          " days after the answer) has passed; please file a new grievance");
    }
    int days =
        g.kind == Kind::kReentry ? policy.reentry_deadline_days : policy.DeadlineDays(g.category);
    Timestamp deadline = PlusDays(now, days);
    RETURN_IF_ERROR(ExpectOne(
        db.Execute(
            "UPDATE grievances SET status = 'open', round = round + 1, assigned_at_us = ?, "
            "deadline_at_us = ?, interim_due_at_us = ?, interim_reply_at_us = NULL, outcome = "
            "NULL, resolution_reason = NULL, resolution_cr_id = NULL, resolved_by = NULL, "
            "resolved_at_us = NULL, rating = NULL, rated_at_us = NULL, closed_at_us = NULL "
            "WHERE grievance_id = ? AND round = ? AND status = ?",
            {now.micros, deadline.micros,
             internal::InterimDue(now, deadline, policy.interim_percent).micros, grievance_id,
             int64_t{g.round}, std::string(StatusName(g.status))}),
        grievance_id));
    RETURN_IF_ERROR(
        AddAssignment(db, grievance_id, g.assignee, "reopened", reason, actor, now, deadline));
    Text text = internal::ReopenedText(reason, PeopleDate(deadline, clock));
    RETURN_IF_ERROR(AddEvent(db, grievance_id, now, "reopened", actor, text));
    return TellUpdate(db, clock, policy, g, text).status();
  });
}

Status Close(storage::Database& db, const TimeSource& clock, int64_t grievance_id,
             std::string_view note, std::string_view actor) {
  if (!note.empty()) RETURN_IF_ERROR(internal::CheckText(note, "note", 500));
  const Timestamp now = clock.Now();
  return InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, Load(db, grievance_id));
    switch (g.status) {
      case GrievanceStatus::kAppealed:
        return FailedPreconditionError(
            "the grievance is under appeal: it cannot be closed until "
            "the appellate officer decides");
      case GrievanceStatus::kOpen:
        return FailedPreconditionError("the grievance has not been answered yet");
      case GrievanceStatus::kClosed:
        return FailedPreconditionError("the grievance is already closed");
      case GrievanceStatus::kResolved:
        break;
    }
    RETURN_IF_ERROR(ExpectOne(
        db.Execute("UPDATE grievances SET status = 'closed', closed_at_us = ? WHERE grievance_id "
                   "= ? AND round = ? AND status = 'resolved'",
                   {now.micros, grievance_id, int64_t{g.round}}),
        grievance_id));
    return AddEvent(db, grievance_id, now, "closed", actor, internal::ClosedText(false, note));
  });
}

Result<int64_t> CloseSettled(storage::Database& db, const TimeSource& clock, const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  const Timestamp now = clock.Now();
  const int window = std::max(policy.appeal_window_days, policy.reopen_window_days);
  const int64_t resolved_before = PlusDays(now, -window).micros;
  int64_t closed = 0, after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, db.Query("SELECT grievance_id FROM grievances WHERE status = "
                                         "'resolved' AND resolved_at_us <= ? AND grievance_id > ? "
                                         "ORDER BY grievance_id LIMIT 500",
                                         {resolved_before, after}));
    if (rows.empty()) break;
    for (const storage::Row& r : rows) {
      after = r.Int(0);
      Status s = InOwnTransaction(db, [&]() -> Status {
        ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE grievances SET status = 'closed', "
                                               "closed_at_us = ? WHERE grievance_id = ? AND "
                                               "status = 'resolved' AND resolved_at_us <= ?",
                                               {now.micros, after, resolved_before}));
        if (n == 0) return OkStatus();  // changed meanwhile (appealed, reopened): leave it
        ++closed;
        return AddEvent(db, after, now, "closed", "system",
                        {"Closed: the time to appeal or reopen has passed.",
                         "बंद किया गया: अपील करने या फिर से खोलने का समय बीत गया है।"});
      });
      if (!s.ok()) return s;
    }
  }
  return closed;
}

}  // namespace spode::grievance
