// A scheme as a file: YAML with its eligibility as named clauses (each explained in English and
// Hindi), an amount expression, and inline test cases. The format is documented in
// docs/schemes.md; the five shipped schemes are in schemes/.
//
//   ASSIGN_OR_RETURN(Scheme s, LoadScheme("schemes/old_age_pension.yaml"));
//   ASSIGN_OR_RETURN(CompiledScheme c, Compile(s, registry::RulesSchema()));   // type-checks
//
// Errors name the file, line and column: in the YAML ("old_age_pension.yaml:12:3: eligibility[1]:
// 'explain' needs 'en' and 'hi'") or in a rule, with the rule's own position added to the
// line it sits on.
#ifndef SPODE_PROGRAMS_SCHEME_H_
#define SPODE_PROGRAMS_SCHEME_H_

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "rules/checker.h"
#include "rules/frame.h"

namespace spode::programs {

struct LocalizedText {
  std::string en, hi;
  const std::string& In(std::string_view lang) const { return lang == "hi" ? hi : en; }
};

struct Clause {
  std::string id;
  std::string rule;
  LocalizedText explain;
  int line = 0;  // where the rule is in the file
};

struct SchemeTest {
  std::string name;
  std::optional<Date> evaluation_date;  // default: the test run's date
  nlohmann::json household;             // {attributes: {...}, members: [{...}]}
  int person = 0;                       // person-unit schemes: which member
  bool expect_eligible = false;
  std::optional<int64_t> expect_amount;  // paise
  std::map<std::string, bool> expect_clauses;
  int line = 0;
};

enum class Benefit { kCash, kInKind, kService };
enum class Frequency { kMonthly, kQuarterly, kYearly, kOneTime };

struct Scheme {
  std::string id;
  int version = 1;
  LocalizedText name;
  rules::Unit unit = rules::Unit::kPerson;
  Benefit benefit = Benefit::kCash;
  Frequency frequency = Frequency::kMonthly;
  int64_t budget_paise = 0;
  std::vector<std::string> exclusions;  // scheme ids not to be held together with this one
  // Who approves a cycle, in order: officer levels ("block", "district", "state"). Default
  // {"state"}. Each tier is a different officer with the approver duty at that level, and
  // none of them is the officer who prepared the cycle.
  std::vector<std::string> approvals = {"state"};
  // What happens to a payment whose destination account changed since the beneficiary's last
  // paid cycle: "hold" (default: held until the citizen confirms) or "allow".
  std::string drift_policy = "hold";
  bool officer_review = false;  // applications need an officer's decision as well as the rules
  int objection_days = 15;      // notice before a proactive enrolment or an exit takes effect
  std::vector<Clause> eligibility;
  std::string amount;  // an expression giving paise per period
  int amount_line = 0;
  std::vector<SchemeTest> tests;
  std::string origin;  // the file it came from
};

std::string_view BenefitName(Benefit b);
std::string_view FrequencyName(Frequency f);
// Periods a year: 12, 4, 1, and 1 for one-time benefits.
int PeriodsPerYear(Frequency f);

Result<Scheme> ParseScheme(std::string_view yaml_text, std::string_view origin);
Result<Scheme> LoadScheme(const std::string& path);

// A scheme whose clauses and amount are type-checked against a schema.
struct CompiledScheme {
  Scheme scheme;
  std::vector<rules::CheckedExpr> clauses;  // in eligibility order
  rules::CheckedExpr amount;
};

Result<CompiledScheme> Compile(const Scheme& scheme, const rules::Schema& schema);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_SCHEME_H_
