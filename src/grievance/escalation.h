// Deadlines, escalation and overdue counts.
//
//   ASSIGN_OR_RETURN(grievance::EscalationRun run, grievance::EscalateOverdue(db, clock));
//   run.escalated;    // moved up one level this run
//   ASSIGN_OR_RETURN(auto counts, grievance::OverdueCounts(db, clock));
//
// A grievance that is open or under appeal when its deadline passes is escalated to the next
// level (block → district → state), which gets its own deadline (Policy::escalated_deadline_days
// from the moment of escalation) and its own interim-reply date; the citizen is told. Each
// breach escalates exactly once: every escalation is a row keyed by (grievance, round, level
// escalated from), unique in the database, written in the same transaction as the move, and the
// move itself only applies to a grievance still at that level, round and state and still past
// its deadline. So runs may repeat, overlap on several servers, or stop half way and restart:
// none escalates a breach twice, and the next run picks up what a stopped one left.
// A grievance at state level past its deadline is not moved further; it is counted overdue.
// One step per grievance per run: a grievance whose new deadline is already past (the job did
// not run for weeks) moves up again on the next run.
//
// Thread-safety: as the Database. Each grievance is moved in its own short transaction, so
// EscalateOverdue must be called with no transaction open (FAILED_PRECONDITION).
#ifndef SPODE_GRIEVANCE_ESCALATION_H_
#define SPODE_GRIEVANCE_ESCALATION_H_

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time_source.h"
#include "grievance/types.h"
#include "storage/database.h"

namespace spode::grievance {

struct EscalationRun {
  int64_t examined = 0;   // past their deadline when the run looked
  int64_t escalated = 0;  // moved up one level by this run
  int64_t at_top = 0;     // past their deadline at state level (nothing above)
  int64_t skipped = 0;    // changed or escalated by someone else meanwhile
};
Result<EscalationRun> EscalateOverdue(storage::Database& db, const TimeSource& clock,
                                      const Policy& policy = {});

// Per holder (level, area and bank), the grievances and cases open or under appeal, how many
// are past their deadline, and how many are past their interim-reply date without one.
struct OverdueCount {
  Level level = Level::kBlock;
  std::string area_code;
  std::string bank_code;  // empty: the officer alone
  int64_t open = 0;
  int64_t overdue = 0;
  int64_t interim_missing = 0;
};
// Ordered by level, area, bank. Only holders with something open.
Result<std::vector<OverdueCount>> OverdueCounts(storage::Database& db, const TimeSource& clock);

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_ESCALATION_H_
