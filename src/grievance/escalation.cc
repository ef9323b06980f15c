#include "grievance/escalation.h"

#include <algorithm>
#include <tuple>

#include "grievance/internal/history.h"
#include "grievance/internal/store.h"

namespace spode::grievance {
namespace {

enum class Step { kEscalated, kSkipped };

// Moves one grievance up a level, if it is still where the scan saw it.
Result<Step> EscalateOne(storage::Database& db, const TimeSource& clock, const Policy& policy,
                         int64_t grievance_id, Timestamp now) {
  Step step = Step::kSkipped;
  Status s = internal::InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(Grievance g, internal::Load(db, grievance_id));
    if (!g.Overdue(now) || g.assignee.level == Level::kState) return OkStatus();
    Assignee to;
    to.level = NextLevel(g.assignee.level);
    to.area_code = AreaAt(to.level, g.village_code);
    to.bank_code = g.assignee.bank_code;  // a bank that must answer still must, now watched higher
    Timestamp deadline = internal::PlusDays(now, policy.escalated_deadline_days);
    // The move, only from the state the scan saw (another run may have moved it).
    ASSIGN_OR_RETURN(
        int64_t moved,
        db.Execute("UPDATE grievances SET level = ?, area_code = ?, assigned_at_us = ?, "
                   "deadline_at_us = ?, interim_due_at_us = ?, interim_reply_at_us = NULL, "
                   "escalations = escalations + 1 WHERE grievance_id = ? AND round = ? AND level "
                   "= ? AND status IN ('open', 'appealed') AND deadline_at_us = ? AND "
                   "deadline_at_us < ?",
                   {std::string(LevelName(to.level)), to.area_code, now.micros, deadline.micros,
                    internal::InterimDue(now, deadline, policy.interim_percent).micros,
                    grievance_id, int64_t{g.round}, std::string(LevelName(g.assignee.level)),
                    g.deadline.micros, now.micros}));
    if (moved == 0) return OkStatus();
    // The breach, once: a second row for (grievance, round, level) is refused by the database.
    ASSIGN_OR_RETURN(
        int64_t recorded,
        db.Execute("INSERT INTO grievance_escalations (grievance_id, round, from_level, "
                   "from_area, to_level, to_area, breached_deadline_us, escalated_at_us, "
                   "new_deadline_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (grievance_id, "
                   "round, from_level) DO NOTHING",
                   {grievance_id, int64_t{g.round}, std::string(LevelName(g.assignee.level)),
                    g.assignee.area_code, std::string(LevelName(to.level)), to.area_code,
                    g.deadline.micros, now.micros, deadline.micros}));
    if (recorded == 0) {
      // Already escalated from this level in this round (the row says so): undo the move.
      return AbortedError("already escalated");
    }
    RETURN_IF_ERROR(
        internal::AddAssignment(db, grievance_id, to, "escalated", "", "system", now, deadline));
    internal::Text text = internal::EscalatedText(internal::PeopleDate(g.deadline, clock), to,
                                                  internal::PeopleDate(deadline, clock));
    RETURN_IF_ERROR(internal::AddEvent(db, grievance_id, now, "escalated", "system", text));
    RETURN_IF_ERROR(internal::TellUpdate(db, clock, policy, g, text).status());
    step = Step::kEscalated;
    return OkStatus();
  });
  if (s.code() == StatusCode::kAborted || s.code() == StatusCode::kAlreadyExists) {
    return Step::kSkipped;  // another run got there first
  }
  if (!s.ok()) return s;
  return step;
}

}  // namespace

Result<EscalationRun> EscalateOverdue(storage::Database& db, const TimeSource& clock,
                                      const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  if (db.InTransaction()) {
    return FailedPreconditionError(
        "EscalateOverdue commits one transaction per grievance; call "
        "it with none open");
  }
  const Timestamp now = clock.Now();
  EscalationRun run;
  int64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, db.Query("SELECT grievance_id, level FROM grievances WHERE status "
                                         "IN ('open', 'appealed') AND deadline_at_us < ? AND "
                                         "grievance_id > ? ORDER BY grievance_id LIMIT 500",
                                         {now.micros, after}));
    if (rows.empty()) break;
    for (const storage::Row& r : rows) {
      after = r.Int(0);
      ++run.examined;
      if (r.Text(1) == "state") {
        ++run.at_top;
        continue;
      }
      ASSIGN_OR_RETURN(Step step, EscalateOne(db, clock, policy, after, now));
      if (step == Step::kEscalated) {
        ++run.escalated;
      } else {
        ++run.skipped;
      }
    }
  }
  return run;
}

Result<std::vector<OverdueCount>> OverdueCounts(storage::Database& db, const TimeSource& clock) {
  const int64_t now = clock.Now().micros;
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT level, area_code, COALESCE(assigned_bank, ''), COUNT(*), "
               "SUM(CASE WHEN deadline_at_us < ? THEN 1 ELSE 0 END), "
               "SUM(CASE WHEN interim_due_at_us < ? AND interim_reply_at_us IS NULL THEN 1 ELSE 0 "
               "END) FROM grievances WHERE status IN ('open', 'appealed') GROUP BY level, "
               "area_code, COALESCE(assigned_bank, '')",
               {now, now}));
  std::vector<OverdueCount> out;
  for (const storage::Row& r : rows) {
    OverdueCount c;
    ASSIGN_OR_RETURN(c.level, ParseLevel(r.Text(0)));
    c.area_code = r.Text(1);
    c.bank_code = r.Text(2);
    c.open = r.Int(3);
    c.overdue = r.Int(4);
    c.interim_missing = r.Int(5);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const OverdueCount& a, const OverdueCount& b) {
    return std::tie(a.level, a.area_code, a.bank_code) <
           std::tie(b.level, b.area_code, b.bank_code);
  });
  return out;
}

}  // namespace spode::grievance
