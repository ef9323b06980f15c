// The parser of the rules language: tokens to an untyped syntax tree with source positions.
//
//   ASSIGN_OR_RETURN(ParsedExpr parsed, Parse("age_years(person.dob) >= 60"));
//   DebugString(*parsed.root);   // "(>= (age_years person.dob) 60)"
//
// The grammar is CEL's (docs/rules.md, "Grammar"), by precedence from loosest:
//   expr     = or ["?" or ":" expr]
//   or       = and {"||" and}            and      = relation {"&&" relation}
//   relation = addition {("<"|"<="|">"|">="|"=="|"!="|"in") addition}
//   addition = product {("+"|"-") product}   product = unary {("*"|"/"|"%") unary}
//   unary    = member | ("!"|"-") unary
//   member   = primary {"." IDENT ["(" [args] ")"]}
//   primary  = IDENT ["(" [args] ")"] | "(" expr ")" | "[" [args] [","] "]" | literal
// Chains of `&&` (and of `||`) are built as balanced trees, as CEL does, so that a long list
// of conditions does not make a deep tree. A minus directly before a numeric literal is folded
// into the literal (so -9223372036854775808 is an int). Maps, indexing (`x[i]`) and leading-dot
// names are not part of the subset and are reported as such.
//
// The parser knows no names: `person`, `household`, functions and macros are the type checker's
// business (checker.h).
//
// Errors: INVALID_ARGUMENT "line:column: unexpected 'X'; expected ..." (and the lexer's);
// RESOURCE_EXHAUSTED when nesting or the tree's height exceeds kMaxNestingDepth, or a list
// literal has more than kMaxListElements elements.
//
// Thread-safety: pure functions; a ParsedExpr is immutable once built.
#ifndef SPODE_RULES_PARSER_H_
#define SPODE_RULES_PARSER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rules/source.h"
#include "rules/value.h"

namespace spode::rules {

enum class ExprKind {
  kLiteral,      // literal (null, bool, int, double, string)
  kIdent,        // name
  kSelect,       // args[0].name
  kCall,         // name(args...) or, with has_receiver, args[0].name(args[1...])
  kList,         // [args...]
  kUnary,        // unary_op args[0]
  kBinary,       // args[0] binary_op args[1]
  kConditional,  // args[0] ? args[1] : args[2]
};

enum class UnaryOp { kNot, kNegate };
enum class BinaryOp { kOr, kAnd, kEq, kNe, kLt, kLe, kGt, kGe, kIn, kAdd, kSub, kMul, kDiv, kMod };

std::string_view UnaryOpToken(UnaryOp op);    // "!", "-"
std::string_view BinaryOpToken(BinaryOp op);  // "&&", "==", "in", "+", ...

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  // The token that names the node: the literal, the identifier, the field or function name,
  // the operator, the '[' of a list or the '?' of a conditional.
  SourcePos pos;
  Value literal;              // kLiteral
  std::string literal_text;   // kLiteral: as written, with a folded minus ("-1500.50")
  std::string name;           // kIdent, kSelect (the field), kCall (the function)
  bool has_receiver = false;  // kCall: a method call, receiver in args[0]
  UnaryOp unary_op = UnaryOp::kNot;
  BinaryOp binary_op = BinaryOp::kAnd;
  std::vector<std::unique_ptr<Expr>> args;  // operands, by kind (see ExprKind)
  int height = 1;                           // 1 for a leaf
};

struct ParsedExpr {
  std::string source;
  std::unique_ptr<Expr> root;
};

Result<ParsedExpr> Parse(std::string_view source);

// An S-expression for tests and debugging: (&& (< person.age 5) (household.members.exists m
// m.school_enrolled)). A global call is (name args...), a method call (receiver.name args...).
std::string DebugString(const Expr& expr);

}  // namespace spode::rules

#endif  // SPODE_RULES_PARSER_H_
