#include "programs/eligibility.h"

#include <mutex>

#include "programs/proposals.h"
#include "programs/simulate.h"
#include "programs/store.h"

namespace spode::programs {

using nlohmann::json;

constexpr char kNotLoaded[] = "eligibility is not loaded yet; try again shortly";

Status Eligibility::Refresh(storage::Database& db, const TimeSource& clock,
                            const std::atomic<bool>* stop) {
  std::unique_ptr<registry::Snapshot> fresh;
  {
    std::shared_lock lock(mu_);
    if (!snapshot_) {
      lock.unlock();
      ASSIGN_OR_RETURN(fresh, registry::Snapshot::Build(db, {.stop = stop, .loaded = &loading_}));
    }
  }
  ASSIGN_OR_RETURN(auto schemes, SchemeStore(db, clock).Load("active"));
  std::unique_lock lock(mu_);
  if (fresh) snapshot_ = std::move(fresh);
  RETURN_IF_ERROR(snapshot_->Refresh(db).status());
  // Compact when stale rows pile up (a tenth of the snapshot).
  if (snapshot_->households() > 0 &&
      (snapshot_->households() - snapshot_->live_households()) * 10 > snapshot_->households()) {
    RETURN_IF_ERROR(snapshot_->Rebuild(db));
  }
  schemes_ = std::move(schemes);
  return OkStatus();
}

std::optional<size_t> Eligibility::RowFor(const CompiledScheme& s, int64_t member_idx,
                                          int64_t household_idx) const {
  int64_t hrow = snapshot_->RowOf(household_idx);
  if (hrow < 0) return std::nullopt;
  if (s.scheme.unit == rules::Unit::kHousehold) return static_cast<size_t>(hrow);
  for (size_t m = snapshot_->member_begin(static_cast<size_t>(hrow));
       m < snapshot_->member_end(static_cast<size_t>(hrow)); ++m) {
    if (snapshot_->member_idx(m) == member_idx) return m;
  }
  return std::nullopt;
}

json Eligibility::ExplainOne(const CompiledScheme& s, size_t row, std::string_view language,
                             Date date) const {
  Decision d = Decide(s, *snapshot_, row, date);
  json out = DecisionJson(d, language);
  out["name"] = s.scheme.name.In(language);
  out["unit"] = rules::UnitName(s.scheme.unit);
  out["benefit"] = BenefitName(s.scheme.benefit);
  out["frequency"] = FrequencyName(s.scheme.frequency);
  // What would change the answer, where time alone would: the first date within ten years on
  // which each unmet clause would be met with the same data (monthly steps, then the day).
  for (size_t i = 0; i < d.clauses.size(); ++i) {
    if (d.clauses[i].met) continue;
    auto met_on = [&](Date when) {
      return rules::Evaluate(s.clauses[i], *snapshot_, s.scheme.unit, row, when).is_true();
    };
    std::optional<Date> month_found;
    Date prev = date;
    for (int m = 1; m <= 120; ++m) {
      Date when = date.AddMonths(m);
      if (met_on(when)) {
        month_found = when;
        break;
      }
      prev = when;
    }
    if (!month_found) continue;
    Date first = *month_found;
    for (Date day = prev.AddDays(1); day < *month_found; day = day.AddDays(1)) {
      if (met_on(day)) {
        first = day;
        break;
      }
    }
    out["clauses"][i]["met_from"] = first.ToString();
  }
  return out;
}

Result<json> Eligibility::ExplainMember(int64_t member_idx, int64_t household_idx,
                                        std::string_view language, Date date) const {
  std::shared_lock lock(mu_);
  if (!snapshot_) return UnavailableError(kNotLoaded);
  if (snapshot_->RowOf(household_idx) < 0) {
    return NotFoundError("the household is not enrolled (or not yet in the eligibility snapshot)");
  }
  json out = json::array();
  for (const CompiledScheme& s : schemes_) {
    auto row = RowFor(s, member_idx, household_idx);
    if (!row) continue;
    out.push_back(ExplainOne(s, *row, language, date));
  }
  return out;
}

Result<json> Eligibility::ExplainScheme(std::string_view scheme_id, int64_t member_idx,
                                        int64_t household_idx, std::string_view language,
                                        Date date) const {
  std::shared_lock lock(mu_);
  if (!snapshot_) return UnavailableError(kNotLoaded);
  for (const CompiledScheme& s : schemes_) {
    if (s.scheme.id != scheme_id) continue;
    auto row = RowFor(s, member_idx, household_idx);
    if (!row) return NotFoundError("the member is not in the eligibility snapshot");
    return ExplainOne(s, *row, language, date);
  }
  return NotFoundError("no active scheme " + std::string(scheme_id));
}

Result<json> Eligibility::Simulate(const CompiledScheme& scheme, const CompiledScheme* against,
                                  bool against_active, Date date) const {
  std::shared_lock lock(mu_);
  if (!snapshot_) return UnavailableError(kNotLoaded);
  const CompiledScheme* base = against;
  if (base == nullptr && against_active) {
    for (const CompiledScheme& s : schemes_) {
      if (s.scheme.id == scheme.scheme.id) base = &s;
    }
  }
  SimulationOptions options;
  options.date = date;
  return programs::Simulate(scheme, base, *snapshot_, options);
}

Result<json> Eligibility::RunJob(storage::Database& db, const TimeSource& clock,
                                 std::string_view scheme_id) const {
  std::shared_lock lock(mu_);
  if (!snapshot_) return UnavailableError(kNotLoaded);
  ASSIGN_OR_RETURN(EligibilityRunReport report, RunEligibility(db, *snapshot_, clock, scheme_id));
  return ReportJson(report);
}

bool Eligibility::ready() const {
  std::shared_lock lock(mu_);
  return snapshot_ != nullptr;
}

size_t Eligibility::snapshot_bytes() const {
  std::shared_lock lock(mu_);
  return snapshot_ ? snapshot_->memory_bytes() : 0;
}

size_t Eligibility::snapshot_households() const {
  std::shared_lock lock(mu_);
  return snapshot_ ? snapshot_->live_households() : 0;
}

Status Eligibility::WithSnapshot(
    const std::function<Status(const registry::Snapshot&)>& fn) const {
  std::shared_lock lock(mu_);
  if (!snapshot_) return UnavailableError(kNotLoaded);
  return fn(*snapshot_);
}

}  // namespace spode::programs
