// The type checker: a parsed rule, checked against the attribute Schema for a unit (person or
// household), becomes a CheckedExpr: a typed tree with every name resolved.
//
//   ASSIGN_OR_RETURN(CheckedExpr clause,
//                    ParseAndCheck("age_years(person.dob) >= 60", schema, Unit::kPerson,
//                                  Type::Bool()));
//   clause.type();       // bool
//   clause.DebugString();  // "(>= (age_years person.dob) 60)"
//
// Errors (INVALID_ARGUMENT, "line:column: message", see source.h) name the offending token and
// what was expected, e.g.
//   1:11: unknown attribute 'incom' of household; did you mean 'income_annual'?
//   1:20: '&&' needs bool operands, got int
//   1:26: 'widow' is not a value of person.marital_status; expected one of never_married,
//         married, widowed, divorced, separated (did you mean 'widowed'?)
//
// ---------------------------------------------------------------------------------------------
// The typed tree, for those who walk it (the evaluator here; the columnar compiler later)
//
// A CheckedExpr owns a flat vector of Nodes in post-order: every node's children come before it
// and the root is last, so one forward pass computes every node from already computed children.
// Each Node has
//   kind      what it computes (NodeKind below), with its operator in `op`, `function` or
//             `macro`;
//   type      its static type (TypeKind: null, bool, int, double, string, date, list, members);
//             money is an int of paise, an enum attribute is a string;
//   varies    what its value depends on: nothing (a constant), the household, the person, or the
//             member bound by the enclosing macro; a household-varying subtree of a person rule
//             can be computed once per household and broadcast to its members. Inside a
//             predicate, kMember nodes may also read the person: the macro node is kPerson then
//             (it varies per person), else kHousehold;
//   children  NodeIds, by kind (below);
//   constant  kConstant: the value (literals, and the folded forms rupees(<literal>),
//             date("<literal>") and negative literals);
//   attribute kAttribute, kHas: an index into attributes(), the distinct attributes the rule
//             reads (entity, name, kind, enum values, copied from the Schema), with `scope`
//             saying which row to read: the person's member row, the household's row (in a person
//             rule: the person's household), or the member bound by the enclosing macro.
//
//   kind          children                 notes
//   kConstant     -                        `constant`
//   kAttribute    -                        `attribute`, `scope`; a missing value is an error
//   kHas          -                        `attribute`, `scope`; bool: is the value present
//   kList         elements                 list literal; elements are scalars of one type
//   kMembers      -                        household.members: the household's member rows
//   kNot          [x]                      bool
//   kNegate       [x]                      int or double
//   kAnd, kOr     [l, r]                   CEL's commutative, error-absorbing logic
//   kConditional  [cond, then, else]
//   kArithmetic   [l, r]                   `op`: + - * / %; both int, both double, or (+)
//                                          both string
//   kCompare      [l, r]                   `op`: == != < <= > >=; int and double may mix
//   kIn           [x, list]                membership in a list
//   kCall         args                     `function`; for methods the receiver is args[0]
//   kMacro        [range, predicate]       `macro`: exists, all, exists_one, filter over the
//                                          members in `range` (a members-typed node: kMembers
//                                          or a filter); `predicate` is evaluated once per
//                                          member with `variable` bound to it (attributes with
//                                          scope kMember); filter's type is members
//
// Macros do not nest (a macro's predicate contains no macro), so a predicate reads at most one
// member at a time; it may also read the person and the household. Members-typed nodes appear
// only as a macro's range or as the argument of size().
//
// What each node means, errors and short-circuits included, is what the reference evaluator
// (evaluator.h) computes; a compiled form must give the same value for every row, and the same
// rows must be errors (the differential test holds it to that). docs/rules.md states it for
// people.
// ---------------------------------------------------------------------------------------------
//
// Thread-safety: a CheckedExpr is immutable after Check returns; share it between threads.
#ifndef SPODE_RULES_CHECKER_H_
#define SPODE_RULES_CHECKER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rules/frame.h"
#include "rules/parser.h"
#include "rules/source.h"
#include "rules/value.h"

namespace spode::rules {

// What a rule is evaluated for: a person (a member row; `person` and `household`, the person's
// household, are available) or a household (a household row; only `household`).
enum class Unit { kPerson, kHousehold };
std::string_view UnitName(Unit unit);  // "person", "household"

enum class TypeKind { kNull, kBool, kInt, kDouble, kString, kDate, kList, kMembers };

struct Type {
  TypeKind kind = TypeKind::kNull;
  TypeKind element = TypeKind::kNull;  // kList: the elements' type; kNull for the empty list

  static Type Null() { return {TypeKind::kNull}; }
  static Type Bool() { return {TypeKind::kBool}; }
  static Type Int() { return {TypeKind::kInt}; }
  static Type Double() { return {TypeKind::kDouble}; }
  static Type String() { return {TypeKind::kString}; }
  static Type Date() { return {TypeKind::kDate}; }
  static Type ListOf(TypeKind element) { return {TypeKind::kList, element}; }
  static Type Members() { return {TypeKind::kMembers}; }

  std::string ToString() const;  // "int", "list(string)", "list" (empty), "members"
  friend bool operator==(const Type&, const Type&) = default;
};

enum class NodeKind {
  kConstant,
  kAttribute,
  kHas,
  kList,
  kMembers,
  kNot,
  kNegate,
  kAnd,
  kOr,
  kConditional,
  kArithmetic,
  kCompare,
  kIn,
  kCall,
  kMacro,
};

enum class Op { kNone, kAdd, kSub, kMul, kDiv, kMod, kEq, kNe, kLt, kLe, kGt, kGe };

enum class Function {
  kNone,
  kSize,        // size(list|string|members) -> int; a string's size counts code points
  kAgeYears,    // age_years(date) -> int: completed years to the evaluation date
  kYearsSince,  // years_since(date) -> int: the same, negative for a later date
  kStartsWith,  // string.startsWith(string) -> bool
  kEndsWith,    // string.endsWith(string) -> bool
  kContains,    // string.contains(string) -> bool
  kToInt,       // int(int|double|string) -> int
  kToDouble,    // double(int|double|string) -> double
  kToString,    // string(int|double|string|bool|date) -> string
  kRupees,      // rupees(int|double) -> int paise (a literal argument is folded)
};

enum class Macro { kNone, kExists, kAll, kExistsOne, kFilter };

// Which row an attribute is read from.
enum class Scope {
  kPerson,     // the person's member row (person rules)
  kHousehold,  // the household row (in a person rule: the person's household)
  kMember,     // the member bound by the enclosing macro
};

// What a node's value depends on, from least to most.
enum class Varies { kConstant, kHousehold, kPerson, kMember };

using NodeId = int32_t;

struct Node {
  NodeKind kind = NodeKind::kConstant;
  Type type;
  Varies varies = Varies::kConstant;
  SourcePos pos;                        // the token the node comes from
  std::vector<NodeId> children;         // by kind, see the table above
  Op op = Op::kNone;                    // kArithmetic, kCompare
  Function function = Function::kNone;  // kCall
  Macro macro = Macro::kNone;           // kMacro
  Value constant;                       // kConstant
  int attribute = -1;                   // kAttribute, kHas: index into CheckedExpr::attributes()
  Scope scope = Scope::kHousehold;      // kAttribute, kHas
  std::string variable;                 // kMacro: the bound variable's name
};

// A checked rule. Check() returns one with at least one node; a default-constructed one is
// empty (no nodes, root() == -1, type null) and evaluates to a kBadInput error.
class CheckedExpr {
 public:
  Unit unit() const { return unit_; }
  const Type& type() const {
    static const Type kNone;
    return nodes_.empty() ? kNone : nodes_.back().type;
  }
  NodeId root() const { return static_cast<NodeId>(nodes_.size()) - 1; }
  const Node& node(NodeId id) const { return nodes_[static_cast<size_t>(id)]; }
  // Post-order: children before parents; the root last.
  std::span<const Node> nodes() const { return nodes_; }
  // The distinct attributes the rule reads, in order of first use.
  std::span<const AttributeSchema> attributes() const { return attributes_; }
  const std::string& source() const { return source_; }

  // An S-expression of the typed tree: (&& (>= (age_years person.dob) 60) (! person.x)).
  std::string DebugString() const;

 private:
  friend class Checker;
  Unit unit_ = Unit::kPerson;
  std::vector<Node> nodes_;
  std::vector<AttributeSchema> attributes_;
  std::string source_;
};

// Checks `parsed` against `schema` for `unit`. With `want`, the rule's type must be `want`
// (bool for an eligibility clause, int for an amount in paise).
Result<CheckedExpr> Check(const ParsedExpr& parsed, const Schema& schema, Unit unit,
                          std::optional<Type> want = std::nullopt);

// Parse and Check.
Result<CheckedExpr> ParseAndCheck(std::string_view source, const Schema& schema, Unit unit,
                                  std::optional<Type> want = std::nullopt);

}  // namespace spode::rules

#endif  // SPODE_RULES_CHECKER_H_
