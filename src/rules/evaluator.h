// The reference evaluator: evaluates a checked rule for one row of a Frame, walking the typed
// tree. It is deliberately simple (one node at a time, values boxed in Value) and is the oracle
// the columnar engine is tested against; production evaluation over a whole registry uses the
// compiled kernels instead.
//
//   ASSIGN_OR_RETURN(CheckedExpr clause, ParseAndCheck(text, frame.schema(), Unit::kPerson,
//                                                     Type::Bool()));
//   Trace trace;
//   Value v = Evaluate(clause, frame, Unit::kPerson, member_row, eval_date, &trace);
//   bool met = v.is_true();     // false and errors are "not met"
//   // v.error().Message() says why an error ("person.dob is missing"); trace.reads() lists the
//   // attribute values the rule read, for the explanation.
//
// Evaluation is total: it never fails, throws or aborts, whatever the rule and the frame hold.
// Missing values, division by zero, overflow and failed conversions are error values with the
// semantics of docs/rules.md ("Total evaluation"). A call inconsistent with the rule (a person
// rule evaluated for a household, a row out of range) or a frame inconsistent with its schema
// (a column of another kind, short spans) yields an error of kind kBadInput.
//
// `unit` is what the row is: a member row (Unit::kPerson) or a household row
// (Unit::kHousehold). A household rule may be evaluated for a person (it then reads the person's
// household); a person rule cannot be evaluated for a household.
//
// `eval_date` is the date age_years() and years_since() count to, so that a decision can be
// replayed as of any day.
//
// Thread-safety: Evaluate only reads its arguments; concurrent calls are safe when each has
// its own Trace.
#ifndef SPODE_RULES_EVALUATOR_H_
#define SPODE_RULES_EVALUATOR_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "rules/checker.h"
#include "rules/frame.h"
#include "rules/value.h"

namespace spode::rules {

// One attribute value a rule read, for explanations ("the values it read").
struct AttributeRead {
  Entity entity = Entity::kHousehold;
  std::string name;   // the attribute, e.g. "dob"
  size_t row = 0;     // the member row (Entity::kMember) or household row
  std::string label;  // as the rule names it: "person.dob", "household.income_annual", "m.dob"
  Value value;        // the value read; an error of kind kMissing when absent

  friend bool operator==(const AttributeRead&, const AttributeRead&) = default;
};

// The attribute values read while evaluating, each (entity, name, row) once, in the order
// first read. Short-circuited parts of a rule are not evaluated, so not read.
class Trace {
 public:
  void Record(AttributeRead read);
  const std::vector<AttributeRead>& reads() const { return reads_; }
  void Clear() { reads_.clear(); }

 private:
  std::vector<AttributeRead> reads_;
};

Value Evaluate(const CheckedExpr& expr, const Frame& frame, Unit unit, size_t row, Date eval_date,
               Trace* trace = nullptr);

}  // namespace spode::rules

#endif  // SPODE_RULES_EVALUATOR_H_
