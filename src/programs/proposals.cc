#include "programs/proposals.h"

#include <chrono>
#include <unordered_set>

#include "programs/decide.h"
#include "programs/evaluate.h"
#include "programs/store.h"

namespace spode::programs {

Result<EligibilityRunReport> RunEligibility(storage::Database& db, const registry::Snapshot& snap,
                                            const TimeSource& clock, std::string_view scheme_id,
                                            std::function<void(std::string_view)> progress) {
  EligibilityRunReport report;
  report.date = clock.Today();
  SchemeStore store(db, clock);
  std::vector<CompiledScheme> schemes;
  if (scheme_id.empty()) {
    ASSIGN_OR_RETURN(schemes, store.Load("active"));
  } else {
    ASSIGN_OR_RETURN(CompiledScheme one, store.Get(scheme_id));
    ASSIGN_OR_RETURN(auto status, db.QueryOne("SELECT status FROM schemes WHERE scheme_id = ?",
                                              {std::string(scheme_id)}));
    if (status->Text(0) != "active") {
      return FailedPreconditionError("scheme " + std::string(scheme_id) + " is " +
                                     status->Text(0) + ", not active");
    }
    schemes.push_back(std::move(one));
  }
  for (const CompiledScheme& s : schemes) {
    auto start = std::chrono::steady_clock::now();
    if (progress) progress(s.scheme.id);
    EligibilityRunReport::PerScheme per{s.scheme.id, s.scheme.version, 0, 0, 0};
    ASSIGN_OR_RETURN(SchemeResults results, EvaluateScheme(s, snap, report.date));
    per.eligible = results.eligible_count;
    const bool person = s.scheme.unit == rules::Unit::kPerson;
    const std::string unit(rules::UnitName(s.scheme.unit));
    // Who already has a proposal for this scheme.
    std::unordered_set<int64_t> known;
    {
      ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT beneficiary_idx FROM eligibility_proposals "
                                             "WHERE scheme_id = ? AND unit = ?"));
      stmt->BindText(1, s.scheme.id);
      stmt->BindText(2, unit);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        known.insert(stmt->ColumnInt(0));
      }
    }
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    storage::RowBuffer rows(9);
    int64_t now = clock.Now().micros;
    std::string date = report.date.ToString();
    for (size_t row = 0; row < results.eligible.size(); ++row) {
      if (!results.eligible[row]) continue;
      int64_t beneficiary = person ? snap.member_idx(row) : snap.household_idx(row);
      if (known.count(beneficiary)) continue;
      int64_t household =
          person ? snap.household_idx(snap.member_household()[row]) : snap.household_idx(row);
      Decision d = Decide(s, snap, row, report.date);
      rows.Text(s.scheme.id).Int(s.scheme.version).Text(unit).Int(beneficiary).Int(household)
          .Text(date).Int(results.amount[row]).Text(DecisionJson(d, "en").dump()).Int(now);
      ++per.new_proposals;
      if (rows.rows() >= 10000) {
        static const std::vector<std::string> kCols = {
            "scheme_id", "scheme_version", "unit", "beneficiary_idx", "household_idx",
            "evaluation_date", "amount_paise", "explanation", "created_at_us"};
        RETURN_IF_ERROR(db.BulkInsert("eligibility_proposals", kCols, rows));
        rows.Clear();
      }
    }
    static const std::vector<std::string> kCols = {
        "scheme_id", "scheme_version", "unit", "beneficiary_idx", "household_idx",
        "evaluation_date", "amount_paise", "explanation", "created_at_us"};
    RETURN_IF_ERROR(db.BulkInsert("eligibility_proposals", kCols, rows));
    RETURN_IF_ERROR(tx.Commit());
    per.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report.schemes.push_back(per);
  }
  return report;
}

nlohmann::json ReportJson(const EligibilityRunReport& r) {
  nlohmann::json schemes = nlohmann::json::array();
  for (const auto& s : r.schemes) {
    schemes.push_back({{"scheme", s.scheme_id},
                       {"version", s.version},
                       {"eligible", s.eligible},
                       {"new_proposals", s.new_proposals},
                       {"seconds", s.seconds}});
  }
  return {{"evaluation_date", r.date.ToString()}, {"schemes", schemes}};
}

}  // namespace spode::programs
