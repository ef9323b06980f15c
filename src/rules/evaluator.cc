#include "rules/evaluator.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace spode::rules {

void Trace::Record(AttributeRead read) {
  for (const AttributeRead& r : reads_) {
    if (r.entity == read.entity && r.row == read.row && r.name == read.name) return;
  }
  reads_.push_back(std::move(read));
}

namespace {

constexpr double kTwoTo63 = 9223372036854775808.0;

Value BadInput(std::string what) { return Value::Error(ErrorKind::kBadInput, std::move(what)); }

// -1, 0 or 1 as i <=> d, exactly (no rounding of i to a double).
int CompareIntDouble(int64_t i, double d) {
  if (d >= kTwoTo63) return -1;
  if (d < -kTwoTo63) return 1;
  double t = std::trunc(d);
  auto ti = static_cast<int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  double fraction = d - t;
  return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
}

template <typename T>
int Three(const T& a, const T& b) {
  return a < b ? -1 : b < a ? 1 : 0;
}

// Compares two non-error values of types the checker allows together.
int Compare(const Value& l, const Value& r) {
  using K = Value::Kind;
  if (l.kind() == K::kInt && r.kind() == K::kDouble)
    return CompareIntDouble(l.int_value(), r.double_value());
  if (l.kind() == K::kDouble && r.kind() == K::kInt)
    return -CompareIntDouble(r.int_value(), l.double_value());
  if (l.kind() != r.kind()) return l.kind() < r.kind() ? -1 : 1;  // not reached for checked rules
  switch (l.kind()) {
    case K::kBool:
      return Three(l.bool_value(), r.bool_value());
    case K::kInt:
      return Three(l.int_value(), r.int_value());
    case K::kDouble:
      return Three(l.double_value(), r.double_value());
    case K::kString:
      return Three(l.string_value(), r.string_value());
    case K::kDate:
      return Three(l.date_value(), r.date_value());
    default:
      return 0;
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string DoubleToString(double d) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, ec == std::errc() ? end : buf);
}

std::string_view KindWord(AttrKind k) {
  switch (k) {
    case AttrKind::kBool:
      return "bool";
    case AttrKind::kInt:
      return "int";
    case AttrKind::kMoney:
      return "money";
    case AttrKind::kDate:
      return "date";
    case AttrKind::kEnum:
      return "enum";
    case AttrKind::kString:
      return "string";
  }
  return "?";
}

class Evaluator {
 public:
  Evaluator(const CheckedExpr& expr, const Frame& frame, Date eval_date, Trace* trace)
      : expr_(expr), frame_(frame), eval_date_(eval_date), trace_(trace) {}

  Value Run(Unit unit, size_t row) {
    if (expr_.nodes().empty()) return BadInput("an empty rule");
    if (unit == Unit::kHousehold && expr_.unit() == Unit::kPerson) {
      return BadInput("a person rule cannot be evaluated for a household");
    }
    if (frame_.member_offsets().size() != frame_.households() + 1) {
      return BadInput("the frame's member offsets do not match its households");
    }
    if (unit == Unit::kPerson) {
      if (row >= frame_.members() || row >= frame_.member_household().size()) {
        return BadInput("member row " + std::to_string(row) + " is out of range");
      }
      person_ = row;
      household_ = frame_.member_household()[row];
      if (household_ >= frame_.households()) {
        return BadInput("member row " + std::to_string(row) + " has no household");
      }
    } else {
      if (row >= frame_.households()) {
        return BadInput("household row " + std::to_string(row) + " is out of range");
      }
      household_ = row;
    }
    return Eval(expr_.root());
  }

 private:
  const Node& N(NodeId id) const { return expr_.node(id); }

  Value Eval(NodeId id) {
    const Node& n = N(id);
    switch (n.kind) {
      case NodeKind::kConstant:
        return n.constant;
      case NodeKind::kAttribute:
        return Read(n);
      case NodeKind::kHas: {
        Value v = Read(n);
        if (v.is_error() && v.error().kind == ErrorKind::kMissing) return Value::Bool(false);
        return v.is_error() ? v : Value::Bool(true);
      }
      case NodeKind::kList: {
        std::vector<Value> elements;
        elements.reserve(n.children.size());
        for (NodeId c : n.children) {
          Value v = Eval(c);
          if (v.is_error()) return v;
          elements.push_back(std::move(v));
        }
        return Value::List(std::move(elements));
      }
      case NodeKind::kMembers:
        return BadInput("household.members is not a value");
      case NodeKind::kNot: {
        Value v = Eval(n.children[0]);
        return v.is_error() ? v : Value::Bool(!v.bool_value());
      }
      case NodeKind::kNegate:
        return Negate(n);
      case NodeKind::kAnd:
      case NodeKind::kOr:
        return Logic(n);
      case NodeKind::kConditional: {
        Value c = Eval(n.children[0]);
        if (c.is_error()) return c;
        return Eval(n.children[c.bool_value() ? 1 : 2]);
      }
      case NodeKind::kArithmetic:
        return Arithmetic(n);
      case NodeKind::kCompare: {
        Value l = Eval(n.children[0]);
        if (l.is_error()) return l;
        Value r = Eval(n.children[1]);
        if (r.is_error()) return r;
        int c = Compare(l, r);
        switch (n.op) {
          case Op::kEq:
            return Value::Bool(c == 0);
          case Op::kNe:
            return Value::Bool(c != 0);
          case Op::kLt:
            return Value::Bool(c < 0);
          case Op::kLe:
            return Value::Bool(c <= 0);
          case Op::kGt:
            return Value::Bool(c > 0);
          case Op::kGe:
            return Value::Bool(c >= 0);
          default:
            return BadInput("unknown comparison");
        }
      }
      case NodeKind::kIn: {
        Value x = Eval(n.children[0]);
        if (x.is_error()) return x;
        Value list = Eval(n.children[1]);
        if (list.is_error()) return list;
        for (const Value& v : list.list()) {
          if (v.kind() == x.kind() && Compare(x, v) == 0) return Value::Bool(true);
        }
        return Value::Bool(false);
      }
      case NodeKind::kCall:
        return Call(n);
      case NodeKind::kMacro:
        return MacroValue(n);
    }
    return BadInput("unknown node");
  }

  std::string Label(const Node& n, const AttributeSchema& a) const {
    switch (n.scope) {
      case Scope::kPerson:
        return "person." + a.name;
      case Scope::kHousehold:
        return "household." + a.name;
      case Scope::kMember:
        return variable_ + "." + a.name;
    }
    return a.name;
  }

  Value Read(const Node& n) {
    if (n.attribute < 0 || static_cast<size_t>(n.attribute) >= expr_.attributes().size()) {
      return BadInput("an attribute reference out of range");
    }
    const AttributeSchema& a = expr_.attributes()[static_cast<size_t>(n.attribute)];
    size_t row = n.scope == Scope::kPerson      ? person_
                 : n.scope == Scope::kHousehold ? household_
                                                : member_;
    std::string label = Label(n, a);
    Value v = ReadColumn(a, row, label, n.pos);
    if (trace_ != nullptr) trace_->Record({a.entity, a.name, row, label, v});
    return v;
  }

  Value ReadColumn(const AttributeSchema& a, size_t row, const std::string& label, SourcePos pos) {
    const Column* c = frame_.column(a.entity, a.name);
    auto missing = [&] {
      EvalError e;
      e.kind = ErrorKind::kMissing;
      e.detail = label;
      e.pos = pos;
      e.entity = a.entity;
      e.attribute = a.name;
      e.row = row;
      return Value::Error(std::move(e));
    };
    auto bad = [&](std::string_view what) {
      return BadInput("the frame's column " + label + " " + std::string(what));
    };
    if (c == nullptr) return missing();
    if (c->kind != a.kind) {
      return bad("is " + std::string(KindWord(c->kind)) + "; the rule expects " +
                 std::string(KindWord(a.kind)));
    }
    if (!c->valid.empty()) {
      if (row >= c->valid.size()) return bad("is too short");
      if (c->valid[row] == 0) return missing();
    }
    switch (a.kind) {
      case AttrKind::kBool:
        if (row >= c->bools.size()) return bad("is too short");
        return Value::Bool(c->bools[row] != 0);
      case AttrKind::kInt:
      case AttrKind::kMoney:
        if (row >= c->ints.size()) return bad("is too short");
        return Value::Int(c->ints[row]);
      case AttrKind::kDate:
        if (row >= c->dates.size()) return bad("is too short");
        return Value::FromDate(Date::FromDays(c->dates[row]));
      case AttrKind::kEnum: {
        if (row >= c->codes.size()) return bad("is too short");
        const std::vector<std::string>& dictionary =
            c->dictionary != nullptr ? *c->dictionary : a.enum_values;
        if (c->codes[row] >= dictionary.size()) return bad("has a code outside its dictionary");
        return Value::String(dictionary[c->codes[row]]);
      }
      case AttrKind::kString: {
        if (row + 1 >= c->offsets.size()) return bad("is too short");
        uint32_t begin = c->offsets[row], end = c->offsets[row + 1];
        if (begin > end || end > c->bytes.size()) return bad("has offsets outside its bytes");
        return Value::String(std::string(c->bytes.substr(begin, end - begin)));
      }
    }
    return bad("has an unknown kind");
  }

  Value Negate(const Node& n) {
    Value v = Eval(n.children[0]);
    if (v.is_error()) return v;
    if (v.kind() == Value::Kind::kDouble) return Value::Double(-v.double_value());
    if (v.int_value() == std::numeric_limits<int64_t>::min()) {
      return Value::Error(ErrorKind::kOverflow, "'-'", n.pos);
    }
    return Value::Int(-v.int_value());
  }

  // CEL's && and ||: commutative; an error is absorbed when the other side decides the result.
  Value Logic(const Node& n) {
    const bool decisive = n.kind == NodeKind::kOr;  // true decides ||, false decides &&
    Value l = Eval(n.children[0]);
    if (!l.is_error() && l.bool_value() == decisive) return l;
    Value r = Eval(n.children[1]);
    if (!r.is_error() && r.bool_value() == decisive) return r;
    if (l.is_error()) return l;
    if (r.is_error()) return r;
    return Value::Bool(!decisive);
  }

  Value Arithmetic(const Node& n) {
    Value l = Eval(n.children[0]);
    if (l.is_error()) return l;
    Value r = Eval(n.children[1]);
    if (r.is_error()) return r;
    const std::string token = n.op == Op::kAdd   ? "'+'"
                              : n.op == Op::kSub ? "'-'"
                              : n.op == Op::kMul ? "'*'"
                              : n.op == Op::kDiv ? "'/'"
                                                 : "'%'";
    auto overflow = [&] { return Value::Error(ErrorKind::kOverflow, token, n.pos); };
    auto by_zero = [&] { return Value::Error(ErrorKind::kDivisionByZero, token, n.pos); };
    if (l.kind() == Value::Kind::kString) {
      if (r.kind() != Value::Kind::kString) return BadInput("'+' of a string and a non-string");
      return Value::String(l.string_value() + r.string_value());
    }
    if (l.kind() == Value::Kind::kInt && r.kind() == Value::Kind::kInt) {
      int64_t a = l.int_value(), b = r.int_value(), out = 0;
      switch (n.op) {
        case Op::kAdd:
          if (__builtin_add_overflow(a, b, &out)) return overflow();
          return Value::Int(out);
        case Op::kSub:
          if (__builtin_sub_overflow(a, b, &out)) return overflow();
          return Value::Int(out);
        case Op::kMul:
          if (__builtin_mul_overflow(a, b, &out)) return overflow();
          return Value::Int(out);
        case Op::kDiv:
        case Op::kMod:
          if (b == 0) return by_zero();
          if (a == std::numeric_limits<int64_t>::min() && b == -1) return overflow();
          return Value::Int(n.op == Op::kDiv ? a / b : a % b);
        default:
          return BadInput("unknown arithmetic");
      }
    }
    if (l.kind() == Value::Kind::kDouble && r.kind() == Value::Kind::kDouble) {
      double a = l.double_value(), b = r.double_value(), out = 0;
      switch (n.op) {
        case Op::kAdd:
          out = a + b;
          break;
        case Op::kSub:
          out = a - b;
          break;
        case Op::kMul:
          out = a * b;
          break;
        case Op::kDiv:
          if (b == 0) return by_zero();
          out = a / b;
          break;
        default:
          return BadInput("unknown arithmetic");
      }
      if (!std::isfinite(out)) return overflow();
      return Value::Double(out);
    }
    return BadInput("arithmetic on mismatched values");
  }

  // Validated member rows of the household being evaluated.
  std::optional<Value> HouseholdMembers(std::vector<size_t>* rows) const {
    auto offsets = frame_.member_offsets();
    size_t begin = offsets[household_], end = offsets[household_ + 1];
    if (begin > end || end > frame_.members())
      return BadInput("the frame's member offsets are out of range");
    rows->clear();
    for (size_t r = begin; r < end; ++r) rows->push_back(r);
    return std::nullopt;
  }

  // The member rows a members-typed node stands for, or the error that replaces them.
  std::optional<Value> Members(NodeId id, std::vector<size_t>* rows) {
    const Node& n = N(id);
    if (n.kind == NodeKind::kMembers) return HouseholdMembers(rows);
    if (n.kind != NodeKind::kMacro || n.macro != Macro::kFilter)
      return BadInput("not a members list");
    std::vector<size_t> all;
    if (auto e = Members(n.children[0], &all)) return e;
    rows->clear();
    std::optional<Value> first_error;
    for (size_t row : all) {
      Value v = Predicate(n, row);
      if (v.is_error()) {
        if (!first_error) first_error = std::move(v);
      } else if (v.bool_value()) {
        rows->push_back(row);
      }
    }
    return first_error;
  }

  // The macro's predicate for one member row.
  Value Predicate(const Node& macro, size_t row) {
    size_t saved_member = member_;
    std::string saved_variable = std::move(variable_);
    member_ = row;
    variable_ = macro.variable;
    Value v = Eval(macro.children[1]);
    member_ = saved_member;
    variable_ = std::move(saved_variable);
    return v;
  }

  Value MacroValue(const Node& n) {
    std::vector<size_t> rows;
    if (auto e = Members(n.children[0], &rows)) return *e;
    std::optional<Value> first_error;
    int64_t count = 0;
    for (size_t row : rows) {
      Value v = Predicate(n, row);
      if (v.is_error()) {
        if (!first_error) first_error = std::move(v);
        continue;
      }
      bool b = v.bool_value();
      if (n.macro == Macro::kExists && b) return Value::Bool(true);
      if (n.macro == Macro::kAll && !b) return Value::Bool(false);
      count += b;
    }
    if (first_error) return *first_error;
    switch (n.macro) {
      case Macro::kExists:
        return Value::Bool(false);
      case Macro::kAll:
        return Value::Bool(true);
      case Macro::kExistsOne:
        return Value::Bool(count == 1);
      default:
        return BadInput("a members list is not a value");
    }
  }

  Value Call(const Node& n) {
    if (n.function == Function::kSize && N(n.children[0]).type.kind == TypeKind::kMembers) {
      std::vector<size_t> rows;
      if (auto e = Members(n.children[0], &rows)) return *e;
      return Value::Int(static_cast<int64_t>(rows.size()));
    }
    std::vector<Value> args;
    for (NodeId c : n.children) {
      Value v = Eval(c);
      if (v.is_error()) return v;
      args.push_back(std::move(v));
    }
    auto invalid = [&](std::string what) {
      return Value::Error(ErrorKind::kInvalidArgument, std::move(what), n.pos);
    };
    auto overflow = [&](std::string what) {
      return Value::Error(ErrorKind::kOverflow, std::move(what), n.pos);
    };
    const Value& a = args[0];
    using K = Value::Kind;
    switch (n.function) {
      case Function::kSize:
        if (a.kind() == K::kString)
          return Value::Int(static_cast<int64_t>(CodePoints(a.string_value())));
        return Value::Int(static_cast<int64_t>(a.list().size()));
      case Function::kAgeYears:
      case Function::kYearsSince: {
        const char* name = n.function == Function::kAgeYears ? "age_years" : "years_since";
        Date d = a.date_value();
        if (!DateInRange(d) || !DateInRange(eval_date_)) {
          return invalid(std::string(name) + "(): a date outside 1800-01-01..9999-12-31");
        }
        if (n.function == Function::kAgeYears && d > eval_date_) {
          return invalid("age_years(): " + d.ToString() + " is after the evaluation date " +
                         eval_date_.ToString());
        }
        return Value::Int(d.YearsUntil(eval_date_));
      }
      case Function::kStartsWith:
        return Value::Bool(a.string_value().starts_with(args[1].string_value()));
      case Function::kEndsWith:
        return Value::Bool(a.string_value().ends_with(args[1].string_value()));
      case Function::kContains:
        return Value::Bool(a.string_value().find(args[1].string_value()) != std::string::npos);
      case Function::kToInt:
        switch (a.kind()) {
          case K::kInt:
            return a;
          case K::kDouble: {
            double t = std::trunc(a.double_value());  // toward zero, as CEL
            if (!(t >= -kTwoTo63 && t < kTwoTo63)) {
              return overflow("int(" + DoubleToString(a.double_value()) + ")");
            }
            return Value::Int(static_cast<int64_t>(t));
          }
          case K::kString: {
            std::string_view s = a.string_value();
            if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
            int64_t out = 0;
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
            if (ec == std::errc::result_out_of_range)
              return overflow("int(\"" + a.string_value() + "\")");
            if (ec != std::errc() || end != s.data() + s.size()) {
              return invalid("int(" + a.DebugString() + "): not an integer");
            }
            return Value::Int(out);
          }
          default:
            return BadInput("int() of an unexpected value");
        }
      case Function::kToDouble:
        switch (a.kind()) {
          case K::kInt:
            return Value::Double(static_cast<double>(a.int_value()));
          case K::kDouble:
            return a;
          case K::kString: {
            std::string_view s = a.string_value();
            if (s.size() > 1 && s[0] == '+' && s[1] != '-') s.remove_prefix(1);
            double out = 0;
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
            if (ec == std::errc::result_out_of_range)
              return overflow("double(" + a.DebugString() + ")");
            if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(out)) {
              return invalid("double(" + a.DebugString() + "): not a finite number");
            }
            return Value::Double(out);
          }
          default:
            return BadInput("double() of an unexpected value");
        }
      case Function::kToString:
        switch (a.kind()) {
          case K::kInt:
            return Value::String(std::to_string(a.int_value()));
          case K::kDouble:
            return Value::String(DoubleToString(a.double_value()));
          case K::kString:
            return a;
          case K::kBool:
            return Value::String(a.bool_value() ? "true" : "false");
          case K::kDate:
            if (!DateInRange(a.date_value()))
              return invalid("string(): a date outside 1800-01-01..9999-12-31");
            return Value::String(a.date_value().ToString());
          default:
            return BadInput("string() of an unexpected value");
        }
      case Function::kRupees:
        if (a.kind() == K::kInt) {
          int64_t paise = 0;
          if (__builtin_mul_overflow(a.int_value(), int64_t{100}, &paise)) {
            return overflow("rupees(" + a.DebugString() + ")");
          }
          return Value::Int(paise);
        } else {
          double paise = std::round(a.double_value() * 100.0);
          if (!(paise >= -kTwoTo63 && paise < kTwoTo63))
            return overflow("rupees(" + a.DebugString() + ")");
          return Value::Int(static_cast<int64_t>(paise));
        }
      case Function::kNone:
        break;
    }
    return BadInput("unknown function");
  }

  const CheckedExpr& expr_;
  const Frame& frame_;
  const Date eval_date_;
  Trace* trace_;
  size_t household_ = 0;
  size_t person_ = 0;
  size_t member_ = 0;
  std::string variable_;  // the macro variable bound to member_, while in a predicate
};

}  // namespace

Value Evaluate(const CheckedExpr& expr, const Frame& frame, Unit unit, size_t row, Date eval_date,
               Trace* trace) {
  return Evaluator(expr, frame, eval_date, trace).Run(unit, row);
}

}  // namespace spode::rules
