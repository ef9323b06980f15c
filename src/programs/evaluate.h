// Evaluating a scheme over every row of a frame: who is eligible and for how much. The work is
// done by the columnar engine (rules/columnar.h), falling back to the reference evaluator row by
// row for anything it cannot compile; both give the same answers (a differential test holds
// them to it).
#ifndef SPODE_PROGRAMS_EVALUATE_H_
#define SPODE_PROGRAMS_EVALUATE_H_

#include <cstdint>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "programs/scheme.h"
#include "rules/frame.h"

namespace spode::programs {

struct SchemeResults {
  rules::Unit unit = rules::Unit::kPerson;
  // Per row of the unit (member rows, or household rows): 1 when every clause is met and the
  // household row is live.
  std::vector<uint8_t> eligible;
  // Per row: the amount in paise when eligible (0 otherwise, or when the amount failed).
  std::vector<int64_t> amount;
  int64_t eligible_count = 0;
  int64_t total_paise = 0;
  int64_t amount_failures = 0;  // eligible rows whose amount did not evaluate
};

Result<SchemeResults> EvaluateScheme(const CompiledScheme& scheme, const rules::Frame& frame,
                                     Date date, int threads = 0);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_EVALUATE_H_
