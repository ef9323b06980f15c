// Value: what a rule expression evaluates to, one row at a time, in the reference evaluator
// (evaluator.h); also the constants of a checked expression (checker.h).
//
//   Value v = Evaluate(expr, frame, Unit::kPerson, row, today);
//   if (v.is_true()) ...                          // eligible
//   else if (v.is_error()) v.error().Message();   // "person.dob is missing"
//
// A value is null, a bool, an int (64-bit; money is an int of paise), a double (always finite),
// a string (UTF-8), a date, a list, or an error. Errors are values, as in CEL: a missing
// attribute, a division by zero, an overflow or a failed conversion yields an error value that
// flows through the expression and is absorbed by `&&`, `||`, `?:` and the exists/all macros
// where the answer does not depend on it (docs/rules.md, "Total evaluation").
//
// Thread-safety: a value type; lists and errors are immutable and shared between copies.
#ifndef SPODE_RULES_VALUE_H_
#define SPODE_RULES_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "common/date.h"
#include "rules/frame.h"
#include "rules/source.h"

namespace spode::rules {

// The dates spode::Date supports (1800-01-01 .. 9999-12-31) as days since 1970-01-01. Date
// functions give an kInvalidArgument error for a date outside them.
inline constexpr int32_t kMinDateDays = -62091;
inline constexpr int32_t kMaxDateDays = 2932896;
inline bool DateInRange(Date d) { return d.days() >= kMinDateDays && d.days() <= kMaxDateDays; }

enum class ErrorKind {
  kMissing,          // an attribute has no value for this row (or the frame lacks its column)
  kDivisionByZero,   // x / 0, x % 0 (int and double)
  kOverflow,         // an int result outside int64, a double result that is not finite,
                     // a conversion to int out of range
  kInvalidArgument,  // a failed conversion (int("abc")), a date out of range, an age of a date
                     // after the evaluation date
  kBadInput,         // the frame or the call is inconsistent with the checked expression
                     // (a row out of range, a column of another kind); a caller's bug
};

std::string_view ErrorKindName(ErrorKind kind);  // "missing", "division_by_zero", ...

struct EvalError {
  ErrorKind kind = ErrorKind::kBadInput;
  std::string detail;  // kMissing: the attribute as written ("person.dob", "m.dob");
                       // otherwise what failed ("int(\"abc\"): not an integer")
  SourcePos pos;       // the node of the rule that produced it
  // kMissing only: the attribute and the row it was read for (a member or household row).
  Entity entity = Entity::kHousehold;
  std::string attribute;
  size_t row = 0;

  // For people: "person.dob is missing", "division by zero", "integer overflow in '*'".
  std::string Message() const;
};

class Value {
 public:
  enum class Kind { kNull, kBool, kInt, kDouble, kString, kDate, kList, kError };

  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b) { return Value(Data(b)); }
  static Value Int(int64_t i) { return Value(Data(i)); }
  static Value Double(double d) { return Value(Data(d)); }
  static Value String(std::string s) { return Value(Data(std::move(s))); }
  static Value FromDate(Date d) { return Value(Data(d)); }
  static Value List(std::vector<Value> elements);
  static Value Error(EvalError error);
  static Value Error(ErrorKind kind, std::string detail, SourcePos pos = {});

  Kind kind() const { return static_cast<Kind>(data_.index()); }
  bool is_error() const { return kind() == Kind::kError; }
  // True only for the bool true: a clause is met exactly when its value is_true().
  bool is_true() const { return kind() == Kind::kBool && std::get<bool>(data_); }

  // Accessors of the held alternative; calling one for another kind is a bug (it returns a
  // zero value in release builds and aborts in debug builds).
  bool bool_value() const;
  int64_t int_value() const;
  double double_value() const;
  const std::string& string_value() const;
  Date date_value() const;
  const std::vector<Value>& list() const;
  const EvalError& error() const;

  // CEL-like text: null, true, 42, 1.5, "text", date("2020-01-31"), [1, 2],
  // error(missing: person.dob).
  std::string DebugString() const;

  // Structural equality for tests: same kind and value; errors by kind and detail.
  friend bool operator==(const Value& a, const Value& b);

 private:
  using Data =
      std::variant<std::monostate, bool, int64_t, double, std::string, Date,
                   std::shared_ptr<const std::vector<Value>>, std::shared_ptr<const EvalError>>;
  explicit Value(Data d) : data_(std::move(d)) {}
  Data data_;
};

std::ostream& operator<<(std::ostream& os, const Value& v);

}  // namespace spode::rules

#endif  // SPODE_RULES_VALUE_H_
