// Deciding a scheme for one person or household, clause by clause, with what each clause read:
// the explanation a citizen sees ("why / why not"), and the scheme's inline tests.
//
//   programs::Decision d = programs::Decide(compiled, frame, row, today);
//   for (const ClauseResult& c : d.clauses) ... c.met, c.explain.In("hi"), c.reads ...
#ifndef SPODE_PROGRAMS_DECIDE_H_
#define SPODE_PROGRAMS_DECIDE_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "programs/scheme.h"
#include "rules/evaluator.h"

namespace spode::programs {

struct ClauseResult {
  std::string id;
  bool met = false;
  LocalizedText explain;
  std::vector<rules::AttributeRead> reads;  // the values the clause read
  std::string problem;  // when not met because a value is missing or an error occurred
};

struct Decision {
  std::string scheme_id;
  int scheme_version = 0;
  Date evaluation_date;
  bool eligible = false;
  std::vector<ClauseResult> clauses;
  std::optional<int64_t> amount_paise;  // when eligible and the amount evaluates
  std::string amount_problem;
};

// `row` is a member row for person schemes, a household row for household schemes.
Decision Decide(const CompiledScheme& scheme, const rules::Frame& frame, size_t row, Date date);

// The decision as JSON in a language ("en" or "hi"): clauses with their explanation, whether met
// and the values read (dates as dates, money in rupees where the attribute is money).
nlohmann::json DecisionJson(const Decision& d, std::string_view language);

struct TestOutcome {
  std::string name;
  int line = 0;
  bool passed = false;
  std::string failure;  // what differed
};

// Runs the scheme's inline tests; `today` is the date for tests that do not give one.
Result<std::vector<TestOutcome>> RunTests(const CompiledScheme& scheme, Date today);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_DECIDE_H_
