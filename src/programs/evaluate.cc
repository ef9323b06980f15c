#include "programs/evaluate.h"

#include <algorithm>
#include <thread>

#include "rules/columnar.h"
#include "rules/evaluator.h"

namespace spode::programs {

namespace {

// Row by row with the reference evaluator: the fallback, and the oracle.
Result<SchemeResults> EvaluateByRows(const CompiledScheme& scheme, const rules::Frame& frame,
                                     Date date, int threads) {
  SchemeResults r;
  r.unit = scheme.scheme.unit;
  const bool person = r.unit == rules::Unit::kPerson;
  const size_t rows = person ? frame.members() : frame.households();
  r.eligible.assign(rows, 0);
  r.amount.assign(rows, 0);
  std::span<const uint8_t> live = frame.household_live();
  std::span<const uint32_t> household_of = frame.member_household();
  auto run = [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; ++row) {
      size_t h = person ? household_of[row] : row;
      if (!live.empty() && live[h] == 0) continue;
      bool ok = true;
      for (const rules::CheckedExpr& c : scheme.clauses) {
        if (!rules::Evaluate(c, frame, r.unit, row, date).is_true()) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      r.eligible[row] = 1;
      rules::Value a = rules::Evaluate(scheme.amount, frame, r.unit, row, date);
      r.amount[row] =
          a.kind() == rules::Value::Kind::kInt && a.int_value() >= 0 ? a.int_value() : -1;
    }
  };
  int n = threads > 0 ? threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> workers;
  size_t chunk = (rows + static_cast<size_t>(n) - 1) / static_cast<size_t>(n);
  for (int t = 0; t < n; ++t) {
    size_t b = static_cast<size_t>(t) * chunk, e = std::min(rows, b + chunk);
    if (b >= e) break;
    workers.emplace_back(run, b, e);
  }
  for (auto& w : workers) w.join();
  for (size_t row = 0; row < rows; ++row) {
    if (!r.eligible[row]) continue;
    ++r.eligible_count;
    if (r.amount[row] < 0) {
      ++r.amount_failures;
      r.amount[row] = 0;
    }
    r.total_paise += r.amount[row];
  }
  return r;
}

}  // namespace

Result<SchemeResults> EvaluateScheme(const CompiledScheme& scheme, const rules::Frame& frame,
                                     Date date, int threads) {
  std::vector<const rules::CheckedExpr*> clauses;
  for (const rules::CheckedExpr& c : scheme.clauses) clauses.push_back(&c);
  auto program = rules::CompileColumnarScheme(clauses, &scheme.amount);
  if (!program.ok() || program->uses_reference()) {
    return EvaluateByRows(scheme, frame, date, threads);
  }
  rules::ColumnarSchemeResult out;
  RETURN_IF_ERROR(rules::EvaluateColumnarScheme(*program, frame, date, &out, threads));
  SchemeResults r;
  r.unit = scheme.scheme.unit;
  const size_t rows = out.rows;
  r.eligible.assign(rows, 0);
  r.amount.assign(rows, 0);
  for (size_t i = 0; i < out.eligible_rows.size(); ++i) {
    size_t row = out.eligible_rows[i];
    r.eligible[row] = 1;
    if (out.amount_ok[i]) r.amount[row] = out.amounts[i];
  }
  r.eligible_count = static_cast<int64_t>(out.eligible_count());
  r.total_paise = out.amount_total;
  r.amount_failures = static_cast<int64_t>(out.amount_errors);
  return r;
}

}  // namespace spode::programs
