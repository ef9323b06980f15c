#include "programs/cycles.h"

#include <algorithm>

#include "common/flat_hash.h"
#include "programs/evaluate.h"

namespace spode::programs {

using nlohmann::json;

namespace {

constexpr std::string_view kCycleColumns =
    "cycle_id, scheme_id, period, scheme_version, status, beneficiaries, total_paise, tiers, "
    "approvals_done, created_by, created_at_us";

CycleSummary ReadCycle(const storage::Row& r) {
  CycleSummary c;
  c.cycle_id = r.Int(0);
  c.scheme_id = r.Text(1);
  c.period = r.Text(2);
  c.scheme_version = static_cast<int>(r.Int(3));
  c.status = r.Text(4);
  c.beneficiaries = r.Int(5);
  c.total = Money::FromPaise(r.Int(6));
  json tiers = json::parse(r.Text(7), nullptr, false);
  if (tiers.is_array()) {
    for (const auto& t : tiers) c.tiers.push_back(t.get<std::string>());
  }
  c.approvals_done = static_cast<int>(r.Int(8));
  c.created_by = r.Text(9);
  c.created_at = Timestamp{r.Int(10)};
  return c;
}

Result<CycleSummary> LoadCycle(storage::Database& db, int64_t cycle_id) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT " + std::string(kCycleColumns) +
                                             " FROM cycles WHERE cycle_id = ?",
                                         {cycle_id}));
  if (!row) return NotFoundError("no cycle " + std::to_string(cycle_id));
  return ReadCycle(*row);
}

Period::Kind KindFor(Frequency f) {
  switch (f) {
    case Frequency::kMonthly: return Period::Kind::kMonth;
    case Frequency::kQuarterly: return Period::Kind::kQuarter;
    case Frequency::kYearly:
    case Frequency::kOneTime: return Period::Kind::kYear;
  }
  return Period::Kind::kMonth;
}

std::string_view KindWord(Period::Kind k) {
  switch (k) {
    case Period::Kind::kMonth: return "a month (YYYY-MM)";
    case Period::Kind::kQuarter: return "a quarter (YYYY-Qn)";
    case Period::Kind::kYear: return "a year (YYYY)";
  }
  return "";
}

Status RecordEvent(storage::Database& db, int64_t cycle_id, std::string_view event,
                   std::string_view actor, std::string_view detail, Timestamp at) {
  return db.Execute("INSERT INTO cycle_events (cycle_id, event, actor, detail, at_us) VALUES "
                    "(?, ?, ?, ?, ?)",
                    {cycle_id, std::string(event), std::string(actor), std::string(detail),
                     at.micros})
      .status();
}

// Budget use in the financial year of `period`: the totals of approved cycles of the scheme
// whose periods begin in that year.
Result<Money> ApprovedInYear(storage::Database& db, std::string_view scheme_id,
                             const std::string& fy, int64_t except_cycle) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT cycle_id, period, total_paise FROM cycles WHERE "
                                       "scheme_id = ? AND status = 'approved' AND cycle_id <> ?",
                                       {std::string(scheme_id), except_cycle}));
  Money used;
  for (const auto& r : rows) {
    auto p = Period::Parse(r.Text(1));
    if (!p.ok() || FinancialYear(p->first_day()) != fy) continue;
    used += Money::FromPaise(r.Int(2));
  }
  return used;
}

}  // namespace

std::string FinancialYear(Date d) {
  int start = d.month() >= 4 ? d.year() : d.year() - 1;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", start, (start + 1) % 100);
  return buf;
}

json CycleJson(const CycleSummary& c) {
  json j = {{"cycle_id", c.cycle_id},
            {"scheme_id", c.scheme_id},
            {"period", c.period},
            {"scheme_version", c.scheme_version},
            {"status", c.status},
            {"beneficiaries", c.beneficiaries},
            {"total_paise", c.total.paise()},
            {"total", c.total.ToString()},
            {"tiers", c.tiers},
            {"approvals_done", c.approvals_done},
            {"created_by", c.created_by},
            {"created_at", c.created_at.ToString()}};
  if (c.status == "prepared" && c.approvals_done < static_cast<int>(c.tiers.size())) {
    j["next_tier"] = c.tiers[static_cast<size_t>(c.approvals_done)];
  }
  return j;
}

Result<CycleSummary> CreateCycle(storage::Database& db, const TimeSource& clock,
                                 SchemeStore& store, const registry::Snapshot& snapshot,
                                 std::string_view scheme_id, std::string_view period_text,
                                 std::string_view actor) {
  ASSIGN_OR_RETURN(auto status_row, db.QueryOne("SELECT status FROM schemes WHERE scheme_id = ?",
                                                {std::string(scheme_id)}));
  if (!status_row) return NotFoundError("no scheme " + std::string(scheme_id));
  if (status_row->Text(0) != "active") {
    return FailedPreconditionError("scheme " + std::string(scheme_id) + " is " +
                                   status_row->Text(0) + "; only an active scheme is paid");
  }
  ASSIGN_OR_RETURN(CompiledScheme scheme, store.Get(scheme_id));
  auto period = Period::Parse(period_text);
  if (!period.ok()) {
    return InvalidArgumentError("period '" + std::string(period_text) + "': " +
                                period.status().message());
  }
  Period::Kind want = KindFor(scheme.scheme.frequency);
  if (period->kind() != want) {
    return InvalidArgumentError("period '" + std::string(period_text) + "': scheme " +
                                std::string(scheme_id) + " is paid " +
                                std::string(FrequencyName(scheme.scheme.frequency)) +
                                ", so its period is " + std::string(KindWord(want)));
  }
  Timestamp now = clock.Now();
  Date today = now.LocalDate(kIndiaUtcOffsetMinutes);
  if (period->first_day() > today) {
    return InvalidArgumentError("period " + period->ToString() + " has not begun (it begins on " +
                                period->first_day().ToString() + ")");
  }
  std::string period_key = period->ToString();

  if (auto existing = FindCycle(db, std::string(scheme_id) + "/" + period_key); existing.ok()) {
    return *existing;  // created = false
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }

  // Evaluate before the transaction: a write lock is held only while writing.
  Date as_of = period->first_day();
  ASSIGN_OR_RETURN(SchemeResults results, EvaluateScheme(scheme, snapshot, as_of));
  bool person = scheme.scheme.unit == rules::Unit::kPerson;
  FlatHashMap64 row_of;  // member_idx → snapshot row (person-unit schemes)
  if (person) {
    row_of.Reserve(snapshot.members());
    for (size_t r = 0; r < snapshot.members(); ++r) {
      row_of.Insert(static_cast<uint64_t>(snapshot.member_idx(r)), static_cast<int64_t>(r));
    }
  }

  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  // One creator at a time per scheme, and a creator that raced us (or a killed run whose
  // commit landed late) has its cycle returned rather than duplicated.
  RETURN_IF_ERROR(storage::LockForTransaction(db, "cycles:" + std::string(scheme_id)));
  if (auto raced = FindCycle(db, std::string(scheme_id) + "/" + period_key); raced.ok()) {
    RETURN_IF_ERROR(tx.Commit());
    return *raced;
  }
  json tiers = scheme.scheme.approvals;
  ASSIGN_OR_RETURN(auto id_row,
                   db.QueryOne("INSERT INTO cycles (scheme_id, period, scheme_version, status, "
                               "tiers, created_by, created_at_us) VALUES (?, ?, ?, 'preparing', "
                               "?, ?, ?) RETURNING cycle_id",
                               {std::string(scheme_id), period_key,
                                int64_t{scheme.scheme.version}, tiers.dump(),
                                std::string(actor), now.micros}));
  int64_t cycle_id = id_row->Int(0);

  // The enrolments are stepped, not read into rows, and their entitlements inserted a chunk at
  // a time through one buffer: a million enrolments would otherwise take some 300 MB of rows
  // and cells. `status <> 'exited'` (the same rows as 'enrolled' or 'exit_proposed', by the
  // table's CHECK) lets the query walk the partial index of current enrolments, already in
  // beneficiary order, instead of sorting them.
  ASSIGN_OR_RETURN(storage::Statement * enrolled,
                   db.Cached("SELECT enrolment_id, beneficiary_idx, household_idx, "
                             "payee_member_idx FROM enrolments WHERE scheme_id = ? AND unit = ? "
                             "AND status <> 'exited' ORDER BY beneficiary_idx"));
  enrolled->BindText(1, scheme_id);
  enrolled->BindText(2, person ? "person" : "household");
  static const std::string kCols[] = {"cycle_id",         "beneficiary_idx", "household_idx",
                                      "payee_member_idx", "enrolment_id",    "amount_paise"};
  constexpr size_t kChunkRows = 65'536;
  storage::RowBuffer rows(6);
  CycleSummary out;
  int64_t total = 0;
  auto entitle = [&]() -> Status {
    for (;;) {
      ASSIGN_OR_RETURN(bool more, enrolled->Step());
      if (!more) break;
      int64_t beneficiary = enrolled->ColumnInt(1);
      int64_t row = -1;
      if (person) {
        if (const int64_t* r = row_of.Find(static_cast<uint64_t>(beneficiary))) row = *r;
      } else {
        row = snapshot.RowOf(beneficiary);
      }
      size_t r = static_cast<size_t>(row);
      if (row < 0 || r >= results.eligible.size() || !results.eligible[r]) {
        ++out.not_eligible;
        continue;
      }
      int64_t amount = results.amount[r];
      if (amount <= 0) {
        ++out.amount_failures;
        continue;
      }
      rows.Int(cycle_id)
          .Int(beneficiary)
          .Int(enrolled->ColumnInt(2))
          .Int(enrolled->ColumnInt(3))
          .Int(enrolled->ColumnInt(0))
          .Int(amount);
      total += amount;
      ++out.beneficiaries;
      if (rows.rows() == kChunkRows) {
        RETURN_IF_ERROR(db.BulkInsert("cycle_entitlements", kCols, rows));
        rows.Clear();
      }
    }
    return db.BulkInsert("cycle_entitlements", kCols, rows);
  };
  Status entitled = entitle();
  enrolled->Reset();
  RETURN_IF_ERROR(entitled);
  RETURN_IF_ERROR(storage::RefreshStatistics(db, "cycle_entitlements"));
  RETURN_IF_ERROR(db.Execute("UPDATE cycles SET status = 'prepared', beneficiaries = ?, "
                             "total_paise = ? WHERE cycle_id = ?",
                             {out.beneficiaries, total, cycle_id})
                      .status());
  json detail = {{"beneficiaries", out.beneficiaries},
                 {"total_paise", total},
                 {"not_eligible", out.not_eligible},
                 {"amount_failures", out.amount_failures},
                 {"evaluated_as_of", as_of.ToString()}};
  RETURN_IF_ERROR(RecordEvent(db, cycle_id, "created", actor, detail.dump(), now));
  RETURN_IF_ERROR(tx.Commit());

  ASSIGN_OR_RETURN(CycleSummary stored, LoadCycle(db, cycle_id));
  stored.not_eligible = out.not_eligible;
  stored.amount_failures = out.amount_failures;
  stored.created = true;
  return stored;
}

Result<CycleSummary> FindCycle(storage::Database& db, std::string_view ref) {
  if (size_t slash = ref.find('/'); slash != std::string_view::npos) {
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT " + std::string(kCycleColumns) +
                                               " FROM cycles WHERE scheme_id = ? AND period = ?",
                                           {std::string(ref.substr(0, slash)),
                                            std::string(ref.substr(slash + 1))}));
    if (!row) return NotFoundError("no cycle " + std::string(ref));
    return ReadCycle(*row);
  }
  int64_t id = 0;
  for (char c : ref) {
    if (c < '0' || c > '9' || id > (int64_t{1} << 50)) {
      return InvalidArgumentError("cycle '" + std::string(ref) +
                                  "': give its number or scheme/period (old_age_pension/2026-11)");
    }
    id = id * 10 + (c - '0');
  }
  if (ref.empty()) return InvalidArgumentError("cycle: empty");
  return LoadCycle(db, id);
}

Result<std::vector<CycleSummary>> ListCycles(storage::Database& db, std::string_view scheme_id) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT " + std::string(kCycleColumns) +
                                           " FROM cycles WHERE ? = '' OR scheme_id = ? ORDER BY "
                                           "scheme_id, period",
                                       {std::string(scheme_id), std::string(scheme_id)}));
  std::vector<CycleSummary> out;
  for (const auto& r : rows) out.push_back(ReadCycle(r));
  return out;
}

Result<json> ApprovalPreview(storage::Database& db, SchemeStore& store, int64_t cycle_id) {
  ASSIGN_OR_RETURN(CycleSummary c, LoadCycle(db, cycle_id));
  ASSIGN_OR_RETURN(CompiledScheme scheme, store.Get(c.scheme_id, c.scheme_version));
  ASSIGN_OR_RETURN(Period p, Period::Parse(c.period));
  std::string fy = FinancialYear(p.first_day());
  ASSIGN_OR_RETURN(Money used, ApprovedInYear(db, c.scheme_id, fy, cycle_id));
  Money budget = Money::FromPaise(scheme.scheme.budget_paise);
  Money remaining = budget - used;
  return json{{"cycle", CycleJson(c)},
              {"financial_year", fy},
              {"budget_paise", budget.paise()},
              {"approved_before_paise", used.paise()},
              {"remaining_paise", remaining.paise()},
              {"remaining_after_paise", (remaining - c.total).paise()},
              {"within_budget", c.total <= remaining}};
}

Result<ApprovalResult> ApproveCycleTier(storage::Database& db, const TimeSource& clock,
                                        SchemeStore& store, int64_t cycle_id,
                                        const Approver& approver) {
  std::optional<storage::Transaction> own;
  if (!db.InTransaction()) {
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    own.emplace(std::move(tx));
  }
  RETURN_IF_ERROR(storage::LockForTransaction(db, "cycle:" + std::to_string(cycle_id)));
  ASSIGN_OR_RETURN(CycleSummary c, LoadCycle(db, cycle_id));
  std::string name = c.scheme_id + "/" + c.period;
  // A repeated request (a retry after a crash or a lost answer) is answered, not refused.
  ASSIGN_OR_RETURN(auto mine, db.QueryOne("SELECT tier, level FROM cycle_approvals WHERE "
                                          "cycle_id = ? AND approved_by = ?",
                                          {cycle_id, approver.actor}));
  if (mine && mine->Text(1) == approver.level) {
    if (own) RETURN_IF_ERROR(own->Commit());
    ApprovalResult same;
    same.cycle = c;
    same.tier = static_cast<int>(mine->Int(0));
    same.final = c.status == "approved" && same.tier == static_cast<int>(c.tiers.size());
    same.repeated = true;
    return same;
  }
  if (c.status != "prepared") {
    return FailedPreconditionError("cycle " + name + " is " + c.status +
                                   ", not awaiting approval");
  }
  size_t tier_index = static_cast<size_t>(c.approvals_done);
  if (tier_index >= c.tiers.size()) {
    return FailedPreconditionError("cycle " + name + " has all its approvals");
  }
  const std::string& level = c.tiers[tier_index];
  if (approver.level != level) {
    return FailedPreconditionError("cycle " + name + " awaits approval at " + level +
                                   " level (tier " + std::to_string(tier_index + 1) + " of " +
                                   std::to_string(c.tiers.size()) + "); " + approver.actor +
                                   " is a " + (approver.level.empty() ? "non-officer" : approver.level +
                                   "-level officer"));
  }
  if (approver.actor == c.created_by) {
    return FailedPreconditionError("maker-checker: " + approver.actor + " prepared cycle " +
                                   name + " and cannot approve it");
  }
  ASSIGN_OR_RETURN(auto earlier, db.QueryOne("SELECT tier FROM cycle_approvals WHERE cycle_id = "
                                             "? AND approved_by = ?",
                                             {cycle_id, approver.actor}));
  if (earlier) {
    return FailedPreconditionError(approver.actor + " already approved tier " +
                                   std::to_string(earlier->Int(0)) + " of cycle " + name +
                                   "; another officer approves the next");
  }
  ASSIGN_OR_RETURN(json preview, ApprovalPreview(db, store, cycle_id));
  Money remaining = Money::FromPaise(preview["remaining_paise"].get<int64_t>());
  if (c.total > remaining) {
    return FailedPreconditionError("cycle " + name + " needs Rs " + c.total.ToString() +
                                   " but the scheme has Rs " + remaining.ToString() +
                                   " of its " + preview["financial_year"].get<std::string>() +
                                   " budget left");
  }
  int tier = c.approvals_done + 1;
  Timestamp now = clock.Now();
  RETURN_IF_ERROR(db.Execute("INSERT INTO cycle_approvals (cycle_id, tier, prev_tier, level, "
                             "approved_by, maker, total_paise, approved_at_us) VALUES (?, ?, ?, "
                             "?, ?, ?, ?, ?)",
                             {cycle_id, int64_t{tier},
                              tier == 1 ? storage::Value(storage::Null{})
                                        : storage::Value(int64_t{tier - 1}),
                              level, approver.actor, c.created_by, c.total.paise(), now.micros})
                      .status());
  bool final = static_cast<size_t>(tier) == c.tiers.size();
  RETURN_IF_ERROR(db.Execute("UPDATE cycles SET approvals_done = ?, status = ? WHERE cycle_id = ? "
                             "AND approvals_done = ?",
                             {int64_t{tier}, std::string(final ? "approved" : "prepared"),
                              cycle_id, int64_t{tier - 1}})
                      .status());
  RETURN_IF_ERROR(RecordEvent(db, cycle_id, final ? "approved" : "tier_approved", approver.actor,
                              json{{"tier", tier}, {"level", level}}.dump(), now));
  if (own) RETURN_IF_ERROR(own->Commit());
  ApprovalResult result;
  ASSIGN_OR_RETURN(result.cycle, LoadCycle(db, cycle_id));
  result.tier = tier;
  result.final = final;
  result.remaining_budget = remaining;
  return result;
}

Status CancelCycle(storage::Database& db, const TimeSource& clock, int64_t cycle_id,
                   std::string_view actor, std::string_view reason) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(CycleSummary c, LoadCycle(db, cycle_id));
  if (c.status != "prepared" && c.status != "preparing") {
    return FailedPreconditionError("cycle " + c.scheme_id + "/" + c.period + " is " + c.status +
                                   " and cannot be cancelled");
  }
  if (reason.empty()) return InvalidArgumentError("a cancellation needs a reason");
  RETURN_IF_ERROR(db.Execute("UPDATE cycles SET status = 'cancelled' WHERE cycle_id = ?",
                             {cycle_id})
                      .status());
  RETURN_IF_ERROR(RecordEvent(db, cycle_id, "cancelled", actor, std::string(reason), clock.Now()));
  return tx.Commit();
}

}  // namespace spode::programs
