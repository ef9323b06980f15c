#include "rules/checker.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace spode::rules {

std::string_view UnitName(Unit unit) { return unit == Unit::kPerson ? "person" : "household"; }

namespace {

std::string_view KindName(TypeKind k) {
  switch (k) {
    case TypeKind::kNull:
      return "null";
    case TypeKind::kBool:
      return "bool";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kString:
      return "string";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kList:
      return "list";
    case TypeKind::kMembers:
      return "members";
  }
  return "?";
}

}  // namespace

std::string Type::ToString() const {
  if (kind == TypeKind::kList && element != TypeKind::kNull) {
    return "list(" + std::string(KindName(element)) + ")";
  }
  return std::string(KindName(kind));
}

namespace {

// Levenshtein distance, for "did you mean" suggestions. Long names are not compared.
size_t EditDistance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return std::numeric_limits<size_t>::max();
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The candidate a person most likely meant by `name`: one differing only in case, else the
// closest by edit distance (within a third of the name's length, and not every character),
// else one that `name` begins. Empty when none is close.
std::string Suggest(std::string_view name, const std::vector<std::string>& candidates) {
  for (const std::string& c : candidates) {
    if (EqualIgnoringCase(name, c)) return c;
  }
  std::string best;
  size_t best_distance = std::min(std::max<size_t>(1, name.size() / 3) + 1, name.size());
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  if (!best.empty() || name.size() < 3) return best;
  for (const std::string& c : candidates) {
    if (c.starts_with(name)) return c;
  }
  return best;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string>& candidates) {
  std::string s = Suggest(name, candidates);
  return s.empty() ? "" : "; did you mean " + Quoted(s) + "?";
}

Type AttributeType(AttrKind kind) {
  switch (kind) {
    case AttrKind::kBool:
      return Type::Bool();
    case AttrKind::kInt:
    case AttrKind::kMoney:
      return Type::Int();
    case AttrKind::kDate:
      return Type::Date();
    case AttrKind::kEnum:
    case AttrKind::kString:
      return Type::String();
  }
  return Type::Null();
}

bool IsNumber(const Type& t) { return t.kind == TypeKind::kInt || t.kind == TypeKind::kDouble; }
bool IsScalar(const Type& t) {
  return t.kind != TypeKind::kList && t.kind != TypeKind::kMembers && t.kind != TypeKind::kNull;
}

std::string_view OpToken(Op op) {
  switch (op) {
    case Op::kNone:
      return "?";
    case Op::kAdd:
      return "+";
    case Op::kSub:
      return "-";
    case Op::kMul:
      return "*";
    case Op::kDiv:
      return "/";
    case Op::kMod:
      return "%";
    case Op::kEq:
      return "==";
    case Op::kNe:
      return "!=";
    case Op::kLt:
      return "<";
    case Op::kLe:
      return "<=";
    case Op::kGt:
      return ">";
    case Op::kGe:
      return ">=";
  }
  return "?";
}

Op OpOf(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return Op::kAdd;
    case BinaryOp::kSub:
      return Op::kSub;
    case BinaryOp::kMul:
      return Op::kMul;
    case BinaryOp::kDiv:
      return Op::kDiv;
    case BinaryOp::kMod:
      return Op::kMod;
    case BinaryOp::kEq:
      return Op::kEq;
    case BinaryOp::kNe:
      return Op::kNe;
    case BinaryOp::kLt:
      return Op::kLt;
    case BinaryOp::kLe:
      return Op::kLe;
    case BinaryOp::kGt:
      return Op::kGt;
    case BinaryOp::kGe:
      return Op::kGe;
    default:
      return Op::kNone;
  }
}

std::string_view FunctionName(Function f) {
  switch (f) {
    case Function::kNone:
      return "?";
    case Function::kSize:
      return "size";
    case Function::kAgeYears:
      return "age_years";
    case Function::kYearsSince:
      return "years_since";
    case Function::kStartsWith:
      return "startsWith";
    case Function::kEndsWith:
      return "endsWith";
    case Function::kContains:
      return "contains";
    case Function::kToInt:
      return "int";
    case Function::kToDouble:
      return "double";
    case Function::kToString:
      return "string";
    case Function::kRupees:
      return "rupees";
  }
  return "?";
}

std::string_view MacroName(Macro m) {
  switch (m) {
    case Macro::kNone:
      return "?";
    case Macro::kExists:
      return "exists";
    case Macro::kAll:
      return "all";
    case Macro::kExistsOne:
      return "exists_one";
    case Macro::kFilter:
      return "filter";
  }
  return "?";
}

const std::vector<std::string>& GlobalFunctionNames() {
  static const std::vector<std::string> kNames = {
      "has", "size", "age_years", "years_since", "int", "double", "string", "rupees", "date"};
  return kNames;
}

const std::vector<std::string>& MethodNames() {
  static const std::vector<std::string> kNames = {"exists", "all",        "exists_one", "filter",
                                                  "size",   "startsWith", "endsWith",   "contains"};
  return kNames;
}

Macro MacroOf(std::string_view name) {
  if (name == "exists") return Macro::kExists;
  if (name == "all") return Macro::kAll;
  if (name == "exists_one") return Macro::kExistsOne;
  if (name == "filter") return Macro::kFilter;
  return Macro::kNone;
}

std::string JoinValues(const std::vector<std::string>& values) {
  std::string s;
  for (const std::string& v : values) s += (s.empty() ? "" : ", ") + v;
  return s;
}

constexpr std::string_view kMembersUse =
    "household.members is a list of members: use it as household.members.exists(m, ...), "
    ".all(m, ...), .exists_one(m, ...), .filter(m, ...).size() or size(household.members)";

// Exact paise of a rupee literal written with at most two decimals ("1500.50", "-0.5").
Result<int64_t> LiteralRupeesToPaise(const Expr& arg) {
  std::string_view text = arg.literal_text;
  auto out_of_range = [&] {
    return RuleError(arg.pos, "rupees(" + std::string(text) + ") does not fit in an int of paise");
  };
  if (arg.literal.kind() == Value::Kind::kInt) {
    int64_t paise;
    if (__builtin_mul_overflow(arg.literal.int_value(), int64_t{100}, &paise))
      return out_of_range();
    return paise;
  }
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  if (text.find_first_of("eE") != std::string_view::npos) {
    double paise = std::round(arg.literal.double_value() * 100.0);
    if (std::fabs(paise - arg.literal.double_value() * 100.0) > 1e-6) {
      return RuleError(arg.pos, "rupees() takes at most two decimal places (paise), got " +
                                    Quoted(arg.literal_text));
    }
    if (!(paise > -9.2e18 && paise < 9.2e18)) return out_of_range();
    return static_cast<int64_t>(paise);
  }
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (fraction.size() > 2) {
    return RuleError(arg.pos, "rupees() takes at most two decimal places (paise), got " +
                                  Quoted(arg.literal_text));
  }
  int64_t paise = 0;
  for (char c : whole) {
    if (__builtin_mul_overflow(paise, int64_t{10}, &paise) ||
        __builtin_add_overflow(paise, int64_t{c - '0'}, &paise)) {
      return out_of_range();
    }
  }
  int64_t cents = 0;
  for (size_t i = 0; i < 2; ++i) cents = cents * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  if (__builtin_mul_overflow(paise, int64_t{100}, &paise) ||
      __builtin_add_overflow(paise, cents, &paise)) {
    return out_of_range();
  }
  return negative ? -paise : paise;
}

}  // namespace

// Walks the parse tree once, appending checked nodes in post-order.
class Checker {
 public:
  Checker(const Schema& schema, Unit unit) : schema_(schema) { out_.unit_ = unit; }

  Result<CheckedExpr> Run(const ParsedExpr& parsed, std::optional<Type> want) {
    if (parsed.root == nullptr) return InvalidArgumentError("1:1: empty rule");
    ASSIGN_OR_RETURN(NodeId root, VisitValue(*parsed.root));
    const Type& type = N(root).type;
    if (want.has_value() && type != *want) {
      std::string what = want->kind == TypeKind::kBool  ? "a bool (a condition)"
                         : want->kind == TypeKind::kInt ? "an int (an amount in paise)"
                                                        : want->ToString();
      return RuleError(SourcePos{}, "the rule is " + Article(type) + "; expected " + what);
    }
    out_.source_ = parsed.source;
    return std::move(out_);
  }

 private:
  static std::string Article(const Type& t) {
    std::string s = t.ToString();
    bool vowel = s[0] == 'a' || s[0] == 'i' || s[0] == 'o' || s[0] == 'e' || s[0] == 'u';
    return (vowel ? "an " : "a ") + s;
  }

  const Node& N(NodeId id) const { return out_.nodes_[static_cast<size_t>(id)]; }

  NodeId Add(Node n) {
    if (n.kind != NodeKind::kAttribute && n.kind != NodeKind::kHas &&
        n.kind != NodeKind::kMembers && n.kind != NodeKind::kMacro) {
      Varies v = Varies::kConstant;
      for (NodeId c : n.children) v = std::max(v, N(c).varies);
      n.varies = v;
    }
    out_.nodes_.push_back(std::move(n));
    labels_.emplace_back();
    return static_cast<NodeId>(out_.nodes_.size()) - 1;
  }

  NodeId AddConstant(Value v, Type t, SourcePos pos) {
    Node n;
    n.kind = NodeKind::kConstant;
    n.constant = std::move(v);
    n.type = t;
    n.pos = pos;
    return Add(std::move(n));
  }

  // Visits an expression whose value is used as a value (not a members list).
  Result<NodeId> VisitValue(const Expr& e) {
    ASSIGN_OR_RETURN(NodeId id, Visit(e));
    if (N(id).type.kind == TypeKind::kMembers) return RuleError(e.pos, kMembersUse);
    return id;
  }

  Result<NodeId> Visit(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kLiteral:
        return Literal(e);
      case ExprKind::kIdent:
        return BareName(e);
      case ExprKind::kSelect:
        return Select(e);
      case ExprKind::kCall:
        return e.has_receiver ? Method(e) : Global(e);
      case ExprKind::kList:
        return List(e);
      case ExprKind::kUnary:
        return Unary(e);
      case ExprKind::kBinary:
        return Binary(e);
      case ExprKind::kConditional:
        return Conditional(e);
    }
    return RuleError(e.pos, "unknown expression");
  }

  Result<NodeId> Literal(const Expr& e) {
    Type t;
    switch (e.literal.kind()) {
      case Value::Kind::kBool:
        t = Type::Bool();
        break;
      case Value::Kind::kInt:
        t = Type::Int();
        break;
      case Value::Kind::kDouble:
        t = Type::Double();
        break;
      case Value::Kind::kString:
        t = Type::String();
        break;
      default:
        t = Type::Null();
        break;
    }
    return AddConstant(e.literal, t, e.pos);
  }

  std::vector<std::string> NamesInScope() const {
    std::vector<std::string> names = {"household"};
    if (out_.unit_ == Unit::kPerson) names.push_back("person");
    if (!variable_.empty()) names.push_back(variable_);
    return names;
  }

  std::string ExampleAttribute(Entity entity) const {
    for (const AttributeSchema& a : schema_.attributes) {
      if (a.entity == entity) return a.name;
    }
    return "x";
  }

  // A bare name used as a value: person, household and macro variables need an attribute.
  Status BareName(const Expr& e) {
    const std::string& name = e.name;
    if (name == "person") {
      if (out_.unit_ == Unit::kHousehold) return PersonUnavailable(e.pos);
      return RuleError(e.pos,
                       "'person' is a member of the household; name one of its attributes, "
                       "e.g. person." +
                           ExampleAttribute(Entity::kMember));
    }
    if (name == "household") {
      return RuleError(e.pos, "'household' needs an attribute, e.g. household." +
                                  ExampleAttribute(Entity::kHousehold));
    }
    if (!variable_.empty() && name == variable_) {
      return RuleError(e.pos, Quoted(name) +
                                  " is a member of the household; name one of its "
                                  "attributes, e.g. " +
                                  name + "." + ExampleAttribute(Entity::kMember));
    }
    return RuleError(e.pos, "unknown name " + Quoted(name) + "; expected " +
                                (out_.unit_ == Unit::kPerson ? "person, household" : "household") +
                                (variable_.empty() ? "" : " or " + variable_) +
                                DidYouMean(name, NamesInScope()));
  }

  Status PersonUnavailable(SourcePos pos) const {
    return RuleError(pos,
                     "'person' is not available in a household rule; look at the members "
                     "with household.members.exists(m, ...)");
  }

  // `owner.field` where owner is person, household or the macro variable; kHas for has().
  Result<NodeId> Attribute(const Expr& select, NodeKind kind) {
    const Expr& owner = *select.args[0];
    if (owner.kind != ExprKind::kIdent) {
      ASSIGN_OR_RETURN(NodeId id, Visit(owner));
      return RuleError(select.pos, "unexpected field " + Quoted(select.name) + ": " +
                                       Article(N(id).type) +
                                       " has no fields (fields belong to person, household or a "
                                       "macro variable)");
    }
    Entity entity;
    Scope scope;
    std::string owner_text;
    if (owner.name == "person") {
      if (out_.unit_ == Unit::kHousehold) return PersonUnavailable(owner.pos);
      entity = Entity::kMember;
      scope = Scope::kPerson;
      owner_text = "person";
    } else if (owner.name == "household") {
      entity = Entity::kHousehold;
      scope = Scope::kHousehold;
      owner_text = "household";
    } else if (!variable_.empty() && owner.name == variable_) {
      entity = Entity::kMember;
      scope = Scope::kMember;
      owner_text = variable_ + " (a member)";
    } else {
      return BareName(owner);
    }
    if (entity == Entity::kHousehold && select.name == "members") {
      if (kind == NodeKind::kHas) {
        return RuleError(select.pos,
                         "household.members is always present; has() takes an "
                         "attribute, e.g. has(person.dob)");
      }
      Node n;
      n.kind = NodeKind::kMembers;
      n.type = Type::Members();
      n.varies = Varies::kHousehold;
      n.pos = select.pos;
      return Add(std::move(n));
    }
    const AttributeSchema* a = schema_.Find(entity, select.name);
    if (a == nullptr) {
      std::vector<std::string> names;
      for (const AttributeSchema& s : schema_.attributes) {
        if (s.entity == entity) names.push_back(s.name);
      }
      if (entity == Entity::kHousehold) names.push_back("members");
      std::string hint;
      Entity other = entity == Entity::kMember ? Entity::kHousehold : Entity::kMember;
      if (schema_.Find(other, select.name) != nullptr) {
        hint =
            other == Entity::kHousehold
                ? "; " + Quoted(select.name) + " belongs to the household: household." + select.name
                : "; " + Quoted(select.name) + " belongs to each member: " +
                      (out_.unit_ == Unit::kPerson ? "person." + select.name + ", or " : "") +
                      "m." + select.name + " inside household.members.exists(m, ...)";
      } else {
        hint = DidYouMean(select.name, names);
      }
      return RuleError(select.pos,
                       "unknown attribute " + Quoted(select.name) + " of " + owner_text + hint);
    }
    Node n;
    n.kind = kind;
    n.type = kind == NodeKind::kHas ? Type::Bool() : AttributeType(a->kind);
    n.scope = scope;
    n.varies = scope == Scope::kPerson      ? Varies::kPerson
               : scope == Scope::kHousehold ? Varies::kHousehold
                                            : Varies::kMember;
    n.pos = select.pos;
    n.attribute = Slot(*a);
    if (scope == Scope::kPerson && !variable_.empty()) predicate_reads_person_ = true;
    NodeId id = Add(std::move(n));
    labels_[static_cast<size_t>(id)] =
        (scope == Scope::kMember ? variable_ : owner.name) + "." + select.name;
    return id;
  }

  int Slot(const AttributeSchema& a) {
    for (size_t i = 0; i < out_.attributes_.size(); ++i) {
      if (out_.attributes_[i].entity == a.entity && out_.attributes_[i].name == a.name) {
        return static_cast<int>(i);
      }
    }
    out_.attributes_.push_back(a);
    return static_cast<int>(out_.attributes_.size()) - 1;
  }

  Result<NodeId> Select(const Expr& e) { return Attribute(e, NodeKind::kAttribute); }

  Status Arity(const Expr& e, size_t want) const {
    size_t got = e.args.size() - (e.has_receiver ? 1 : 0);
    if (got == want) return OkStatus();
    return RuleError(e.pos, Quoted(e.name) + " takes " + std::to_string(want) + " argument" +
                                (want == 1 ? "" : "s") + ", got " + std::to_string(got));
  }

  Result<NodeId> Call(Function f, const Expr& e, std::vector<NodeId> args, Type type) {
    Node n;
    n.kind = NodeKind::kCall;
    n.function = f;
    n.type = type;
    n.pos = e.pos;
    n.children = std::move(args);
    return Add(std::move(n));
  }

  Result<NodeId> Global(const Expr& e) {
    const std::string& name = e.name;
    if (name == "has") {
      RETURN_IF_ERROR(Arity(e, 1));
      const Expr& arg = *e.args[0];
      if (arg.kind != ExprKind::kSelect) {
        return RuleError(arg.pos, "has() takes an attribute, e.g. has(person.dob)");
      }
      return Attribute(arg, NodeKind::kHas);
    }
    if (name == "size") {
      RETURN_IF_ERROR(Arity(e, 1));
      ASSIGN_OR_RETURN(NodeId arg, Visit(*e.args[0]));
      return Size(e, arg);
    }
    if (name == "age_years" || name == "years_since") {
      RETURN_IF_ERROR(Arity(e, 1));
      ASSIGN_OR_RETURN(NodeId arg, VisitValue(*e.args[0]));
      if (N(arg).type.kind != TypeKind::kDate) {
        return RuleError(e.pos, name + "() needs a date, got " + N(arg).type.ToString());
      }
      return Call(name == "age_years" ? Function::kAgeYears : Function::kYearsSince, e, {arg},
                  Type::Int());
    }
    if (name == "int" || name == "double" || name == "string") {
      RETURN_IF_ERROR(Arity(e, 1));
      ASSIGN_OR_RETURN(NodeId arg, VisitValue(*e.args[0]));
      TypeKind from = N(arg).type.kind;
      bool ok = from == TypeKind::kInt || from == TypeKind::kDouble || from == TypeKind::kString;
      if (name == "string") ok = ok || from == TypeKind::kBool || from == TypeKind::kDate;
      if (!ok) {
        return RuleError(e.pos, name + "() converts " +
                                    (name == "string" ? "an int, a double, a bool or a date"
                                                      : "an int, a double or a string") +
                                    ", got " + N(arg).type.ToString());
      }
      if (name == "int") return Call(Function::kToInt, e, {arg}, Type::Int());
      if (name == "double") return Call(Function::kToDouble, e, {arg}, Type::Double());
      return Call(Function::kToString, e, {arg}, Type::String());
    }
    if (name == "rupees") {
      RETURN_IF_ERROR(Arity(e, 1));
      const Expr& arg = *e.args[0];
      if (arg.kind == ExprKind::kLiteral &&
          (arg.literal.kind() == Value::Kind::kInt || arg.literal.kind() == Value::Kind::kDouble)) {
        ASSIGN_OR_RETURN(int64_t paise, LiteralRupeesToPaise(arg));
        return AddConstant(Value::Int(paise), Type::Int(), e.pos);
      }
      ASSIGN_OR_RETURN(NodeId a, VisitValue(arg));
      if (!IsNumber(N(a).type)) {
        return RuleError(
            e.pos, "rupees() needs an int or a double of rupees, got " + N(a).type.ToString());
      }
      return Call(Function::kRupees, e, {a}, Type::Int());
    }
    if (name == "date") {
      RETURN_IF_ERROR(Arity(e, 1));
      const Expr& arg = *e.args[0];
      if (arg.kind != ExprKind::kLiteral || arg.literal.kind() != Value::Kind::kString) {
        return RuleError(arg.pos, "date() takes a string literal \"YYYY-MM-DD\"");
      }
      Result<Date> d = Date::Parse(arg.literal.string_value());
      if (!d.ok()) return RuleError(arg.pos, d.status().message());
      return AddConstant(Value::FromDate(*d), Type::Date(), e.pos);
    }
    if (MacroOf(name) != Macro::kNone) {
      return RuleError(e.pos, Quoted(name) + " is a macro over members: write household.members." +
                                  name + "(m, <condition>)");
    }
    if (name == "startsWith" || name == "endsWith" || name == "contains") {
      return RuleError(e.pos,
                       Quoted(name) + " is a method of a string: write s." + name + "(\"x\")");
    }
    return RuleError(e.pos, "unknown function " + Quoted(name) + "; expected one of " +
                                JoinValues(GlobalFunctionNames()) +
                                DidYouMean(name, GlobalFunctionNames()));
  }

  Result<NodeId> Size(const Expr& e, NodeId arg) {
    TypeKind k = N(arg).type.kind;
    if (k != TypeKind::kList && k != TypeKind::kString && k != TypeKind::kMembers) {
      return RuleError(e.pos, "size() needs a list, a string or household.members, got " +
                                  N(arg).type.ToString());
    }
    return Call(Function::kSize, e, {arg}, Type::Int());
  }

  Result<NodeId> Method(const Expr& e) {
    const std::string& name = e.name;
    Macro macro = MacroOf(name);
    if (macro != Macro::kNone) return MacroCall(e, macro);
    if (name == "size") {
      RETURN_IF_ERROR(Arity(e, 0));
      ASSIGN_OR_RETURN(NodeId receiver, Visit(*e.args[0]));
      return Size(e, receiver);
    }
    if (name == "startsWith" || name == "endsWith" || name == "contains") {
      RETURN_IF_ERROR(Arity(e, 1));
      ASSIGN_OR_RETURN(NodeId receiver, VisitValue(*e.args[0]));
      ASSIGN_OR_RETURN(NodeId arg, VisitValue(*e.args[1]));
      if (N(receiver).type.kind != TypeKind::kString || N(arg).type.kind != TypeKind::kString) {
        return RuleError(e.pos, Quoted(name) + " needs a string and a string argument, got " +
                                    N(receiver).type.ToString() + "." + name + "(" +
                                    N(arg).type.ToString() + ")");
      }
      Function f = name == "startsWith" ? Function::kStartsWith
                   : name == "endsWith" ? Function::kEndsWith
                                        : Function::kContains;
      return Call(f, e, {receiver, arg}, Type::Bool());
    }
    for (const std::string& g : GlobalFunctionNames()) {
      if (name == g) {
        return RuleError(e.pos,
                         Quoted(name) + " is a function, not a method: write " + name + "(x)");
      }
    }
    return RuleError(e.pos, "unknown method " + Quoted(name) + "; expected one of " +
                                JoinValues(MethodNames()) + DidYouMean(name, MethodNames()));
  }

  Result<NodeId> MacroCall(const Expr& e, Macro macro) {
    const std::string& name = e.name;
    if (!variable_.empty()) {
      return RuleError(e.pos, "macros over members cannot be nested: " + Quoted(name) +
                                  " inside the condition of a macro over " + variable_);
    }
    ASSIGN_OR_RETURN(NodeId range, Visit(*e.args[0]));
    if (N(range).type.kind != TypeKind::kMembers) {
      return RuleError(
          e.pos, Quoted(name) + " applies to household.members, got " + N(range).type.ToString());
    }
    std::string usage = "household.members." + name + "(m, <condition>)";
    if (e.args.size() != 3) {
      return RuleError(e.pos, Quoted(name) + " takes a variable and a condition: " + usage);
    }
    const Expr& var = *e.args[1];
    if (var.kind != ExprKind::kIdent) {
      return RuleError(
          var.pos, "the first argument of " + Quoted(name) + " must be a variable name: " + usage);
    }
    if (var.name == "person" || var.name == "household") {
      return RuleError(var.pos, Quoted(var.name) + " cannot name the variable of " + Quoted(name) +
                                    "; use another name, e.g. m");
    }
    variable_ = var.name;
    predicate_reads_person_ = false;
    Result<NodeId> predicate = VisitValue(*e.args[2]);
    variable_.clear();
    if (!predicate.ok()) return predicate.status();
    const Node& p = N(*predicate);
    if (p.type.kind != TypeKind::kBool) {
      return RuleError(e.args[2]->pos, "the condition of " + Quoted(name) +
                                           " must be a bool, got " + p.type.ToString());
    }
    Node n;
    n.kind = NodeKind::kMacro;
    n.macro = macro;
    n.type = macro == Macro::kFilter ? Type::Members() : Type::Bool();
    n.pos = e.pos;
    n.variable = var.name;
    // A predicate varies by member (and maybe the person); the macro by household, or by
    // person when its predicate reads the person.
    n.varies = std::max({Varies::kHousehold, N(range).varies,
                         predicate_reads_person_ ? Varies::kPerson : Varies::kHousehold});
    n.children = {range, *predicate};
    return Add(std::move(n));
  }

  Result<NodeId> List(const Expr& e) {
    Node n;
    n.kind = NodeKind::kList;
    n.pos = e.pos;
    TypeKind element = TypeKind::kNull;
    for (size_t i = 0; i < e.args.size(); ++i) {
      ASSIGN_OR_RETURN(NodeId id, VisitValue(*e.args[i]));
      const Type& t = N(id).type;
      if (!IsScalar(t)) {
        return RuleError(e.args[i]->pos,
                         "a list element must be an int, a double, a string, a "
                         "bool or a date, got " +
                             t.ToString());
      }
      if (i == 0) {
        element = t.kind;
      } else if (t.kind != element) {
        return RuleError(e.args[i]->pos, "the elements of a list must have one type: element " +
                                             std::to_string(i + 1) + " is " + Article(t) +
                                             ", element 1 is " + Article(Type{element}));
      }
      n.children.push_back(id);
    }
    n.type = Type::ListOf(element);
    return Add(std::move(n));
  }

  Result<NodeId> Unary(const Expr& e) {
    ASSIGN_OR_RETURN(NodeId x, VisitValue(*e.args[0]));
    const Type& t = N(x).type;
    Node n;
    n.pos = e.pos;
    n.children = {x};
    if (e.unary_op == UnaryOp::kNot) {
      if (t.kind != TypeKind::kBool)
        return RuleError(e.pos, "'!' needs a bool, got " + t.ToString());
      n.kind = NodeKind::kNot;
      n.type = Type::Bool();
    } else {
      if (!IsNumber(t))
        return RuleError(e.pos, "'-' needs an int or a double, got " + t.ToString());
      n.kind = NodeKind::kNegate;
      n.type = t;
    }
    return Add(std::move(n));
  }

  // The enum attribute a node reads directly, or nullptr.
  const AttributeSchema* EnumAttribute(NodeId id) const {
    const Node& n = N(id);
    if (n.kind != NodeKind::kAttribute) return nullptr;
    const AttributeSchema& a = out_.attributes_[static_cast<size_t>(n.attribute)];
    return a.kind == AttrKind::kEnum ? &a : nullptr;
  }

  // A string literal compared with an enum attribute must be one of its values.
  Status CheckEnumLiteral(NodeId attribute, NodeId literal) const {
    const AttributeSchema* a = EnumAttribute(attribute);
    const Node& l = N(literal);
    if (a == nullptr || l.kind != NodeKind::kConstant || l.type.kind != TypeKind::kString) {
      return OkStatus();
    }
    const std::string& v = l.constant.string_value();
    for (const std::string& allowed : a->enum_values) {
      if (v == allowed) return OkStatus();
    }
    std::string suggestion = Suggest(v, a->enum_values);
    return RuleError(l.pos,
                     Quoted(v) + " is not a value of " + labels_[static_cast<size_t>(attribute)] +
                         "; expected one of " + JoinValues(a->enum_values) +
                         (suggestion.empty() ? "" : " (did you mean " + Quoted(suggestion) + "?)"));
  }

  Result<NodeId> Binary(const Expr& e) {
    ASSIGN_OR_RETURN(NodeId l, VisitValue(*e.args[0]));
    ASSIGN_OR_RETURN(NodeId r, VisitValue(*e.args[1]));
    const Type lt = N(l).type;
    const Type rt = N(r).type;
    const std::string token(BinaryOpToken(e.binary_op));
    Node n;
    n.pos = e.pos;
    n.children = {l, r};
    switch (e.binary_op) {
      case BinaryOp::kAnd:
      case BinaryOp::kOr: {
        if (lt.kind != TypeKind::kBool || rt.kind != TypeKind::kBool) {
          return RuleError(e.pos, Quoted(token) + " needs bool operands, got " +
                                      (lt.kind != TypeKind::kBool ? lt : rt).ToString());
        }
        n.kind = e.binary_op == BinaryOp::kAnd ? NodeKind::kAnd : NodeKind::kOr;
        n.type = Type::Bool();
        break;
      }
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul:
      case BinaryOp::kDiv:
      case BinaryOp::kMod: {
        bool ok = lt == rt && (lt.kind == TypeKind::kInt ||
                               (lt.kind == TypeKind::kDouble && e.binary_op != BinaryOp::kMod) ||
                               (lt.kind == TypeKind::kString && e.binary_op == BinaryOp::kAdd));
        if (!ok) {
          std::string want = e.binary_op == BinaryOp::kAdd ? "two ints, two doubles or two strings"
                             : e.binary_op == BinaryOp::kMod ? "two ints"
                                                             : "two ints or two doubles";
          std::string hint = IsNumber(lt) && IsNumber(rt) && lt != rt
                                 ? "; convert one with double() or int()"
                                 : "";
          return RuleError(e.pos, Quoted(token) + " needs " + want + ", got " + lt.ToString() +
                                      " and " + rt.ToString() + hint);
        }
        n.kind = NodeKind::kArithmetic;
        n.op = OpOf(e.binary_op);
        n.type = lt;
        break;
      }
      case BinaryOp::kEq:
      case BinaryOp::kNe: {
        bool ok = (IsNumber(lt) && IsNumber(rt)) ||
                  (lt == rt && lt.kind != TypeKind::kList && lt.kind != TypeKind::kMembers);
        if (!ok) {
          if (lt.kind == TypeKind::kNull || rt.kind == TypeKind::kNull) {
            return RuleError(e.pos, Quoted(token) + " compares " + lt.ToString() + " with " +
                                        rt.ToString() +
                                        "; an attribute is never null: test for a "
                                        "missing value with has(), e.g. has(person.dob)");
          }
          if (lt.kind == TypeKind::kList || rt.kind == TypeKind::kList) {
            return RuleError(e.pos,
                             Quoted(token) + " does not compare lists; test membership with 'in'");
          }
          std::string hint = (lt.kind == TypeKind::kDate && rt.kind == TypeKind::kString) ||
                                     (lt.kind == TypeKind::kString && rt.kind == TypeKind::kDate)
                                 ? "; write a date as date(\"YYYY-MM-DD\")"
                                 : "";
          return RuleError(e.pos, Quoted(token) + " compares values of one type, got " +
                                      lt.ToString() + " and " + rt.ToString() + hint);
        }
        RETURN_IF_ERROR(CheckEnumLiteral(l, r));
        RETURN_IF_ERROR(CheckEnumLiteral(r, l));
        n.kind = NodeKind::kCompare;
        n.op = OpOf(e.binary_op);
        n.type = Type::Bool();
        break;
      }
      case BinaryOp::kLt:
      case BinaryOp::kLe:
      case BinaryOp::kGt:
      case BinaryOp::kGe: {
        bool ok = (IsNumber(lt) && IsNumber(rt)) ||
                  (lt == rt && (lt.kind == TypeKind::kString || lt.kind == TypeKind::kDate));
        if (!ok) {
          std::string hint = (lt.kind == TypeKind::kDate && rt.kind == TypeKind::kString) ||
                                     (lt.kind == TypeKind::kString && rt.kind == TypeKind::kDate)
                                 ? "; write a date as date(\"YYYY-MM-DD\")"
                                 : "";
          return RuleError(e.pos, Quoted(token) + " compares numbers, strings or dates, got " +
                                      lt.ToString() + " and " + rt.ToString() + hint);
        }
        for (NodeId side : {l, r}) {
          if (EnumAttribute(side) != nullptr) {
            return RuleError(
                e.pos, Quoted(token) + " does not apply to " + labels_[static_cast<size_t>(side)] +
                           ": the values of an enum have no order; compare with == or 'in'");
          }
        }
        n.kind = NodeKind::kCompare;
        n.op = OpOf(e.binary_op);
        n.type = Type::Bool();
        break;
      }
      case BinaryOp::kIn: {
        if (rt.kind != TypeKind::kList) {
          return RuleError(e.pos, "'in' needs a list on its right, got " + rt.ToString());
        }
        if (!IsScalar(lt)) {
          return RuleError(
              e.pos,
              "'in' looks for an int, a double, a string, a bool or a date, got " + lt.ToString());
        }
        if (rt.element != TypeKind::kNull && rt.element != lt.kind) {
          return RuleError(e.pos, "'in' looks for " + Article(lt) + " in " + Article(rt) +
                                      "; the types must match");
        }
        const Node& list = N(r);
        if (list.kind == NodeKind::kList) {
          for (NodeId c : list.children) RETURN_IF_ERROR(CheckEnumLiteral(l, c));
        }
        n.kind = NodeKind::kIn;
        n.type = Type::Bool();
        break;
      }
    }
    return Add(std::move(n));
  }

  Result<NodeId> Conditional(const Expr& e) {
    ASSIGN_OR_RETURN(NodeId c, VisitValue(*e.args[0]));
    ASSIGN_OR_RETURN(NodeId a, VisitValue(*e.args[1]));
    ASSIGN_OR_RETURN(NodeId b, VisitValue(*e.args[2]));
    if (N(c).type.kind != TypeKind::kBool) {
      return RuleError(e.pos,
                       "the condition before '?' must be a bool, got " + N(c).type.ToString());
    }
    Type at = N(a).type;
    Type bt = N(b).type;
    Type t = at;
    if (at != bt) {
      bool lists = at.kind == TypeKind::kList && bt.kind == TypeKind::kList &&
                   (at.element == TypeKind::kNull || bt.element == TypeKind::kNull);
      if (!lists) {
        return RuleError(e.pos, "the branches of '?' must have one type, got " + at.ToString() +
                                    " and " + bt.ToString());
      }
      t = at.element == TypeKind::kNull ? bt : at;
    }
    Node n;
    n.kind = NodeKind::kConditional;
    n.type = t;
    n.pos = e.pos;
    n.children = {c, a, b};
    return Add(std::move(n));
  }

  const Schema& schema_;
  CheckedExpr out_;
  std::vector<std::string> labels_;      // per node: "person.dob" for attribute nodes
  std::string variable_;                 // the macro variable in scope, or empty
  bool predicate_reads_person_ = false;  // the macro predicate being checked reads `person`
};

Result<CheckedExpr> Check(const ParsedExpr& parsed, const Schema& schema, Unit unit,
                          std::optional<Type> want) {
  return Checker(schema, unit).Run(parsed, want);
}

Result<CheckedExpr> ParseAndCheck(std::string_view source, const Schema& schema, Unit unit,
                                  std::optional<Type> want) {
  ASSIGN_OR_RETURN(ParsedExpr parsed, Parse(source));
  return Check(parsed, schema, unit, want);
}

namespace {

std::string NodeString(const CheckedExpr& e, NodeId id, const std::string& variable) {
  const Node& n = e.node(id);
  auto child = [&](size_t i, const std::string& var) { return NodeString(e, n.children[i], var); };
  auto all = [&]() {
    std::string s;
    for (size_t i = 0; i < n.children.size(); ++i) s.append(" ").append(child(i, variable));
    return s;
  };
  auto attribute = [&]() {
    const AttributeSchema& a = e.attributes()[static_cast<size_t>(n.attribute)];
    std::string owner = n.scope == Scope::kPerson      ? "person"
                        : n.scope == Scope::kHousehold ? "household"
                                                       : variable;
    return owner + "." + a.name;
  };
  switch (n.kind) {
    case NodeKind::kConstant:
      return n.constant.DebugString();
    case NodeKind::kAttribute:
      return attribute();
    case NodeKind::kHas:
      return "(has " + attribute() + ")";
    case NodeKind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < n.children.size(); ++i) s += (i ? ", " : "") + child(i, variable);
      return s + "]";
    }
    case NodeKind::kMembers:
      return "household.members";
    case NodeKind::kNot:
      return "(!" + all() + ")";
    case NodeKind::kNegate:
      return "(-" + all() + ")";
    case NodeKind::kAnd:
      return "(&&" + all() + ")";
    case NodeKind::kOr:
      return "(||" + all() + ")";
    case NodeKind::kConditional:
      return "(?" + all() + ")";
    case NodeKind::kArithmetic:
    case NodeKind::kCompare:
      return "(" + std::string(OpToken(n.op)) + all() + ")";
    case NodeKind::kIn:
      return "(in" + all() + ")";
    case NodeKind::kCall:
      return "(" + std::string(FunctionName(n.function)) + all() + ")";
    case NodeKind::kMacro:
      return "(" + std::string(MacroName(n.macro)) + " " + n.variable + " " + child(0, variable) +
             " " + child(1, n.variable) + ")";
  }
  return "?";
}

}  // namespace

std::string CheckedExpr::DebugString() const {
  if (nodes_.empty()) return "";
  return NodeString(*this, root(), "");
}

}  // namespace spode::rules
