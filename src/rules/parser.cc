#include "rules/parser.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "rules/lexer.h"

namespace spode::rules {

std::string_view UnaryOpToken(UnaryOp op) { return op == UnaryOp::kNot ? "!" : "-"; }

std::string_view BinaryOpToken(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr:
      return "||";
    case BinaryOp::kAnd:
      return "&&";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kIn:
      return "in";
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
  }
  return "?";
}

namespace {

using ExprPtr = std::unique_ptr<Expr>;

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Result<ExprPtr> ParseAll() {
    ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
    if (Cur().kind != TokenKind::kEnd) return Unexpected("an operator or the end of the rule");
    return e;
  }

 private:
  // Counts the parser's own recursion (parentheses, calls, lists, unary operators).
  class DepthGuard {
   public:
    explicit DepthGuard(int* depth) : depth_(depth) { ++*depth_; }
    ~DepthGuard() { --*depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    bool exceeded() const { return *depth_ > kMaxNestingDepth; }

   private:
    int* depth_;
  };

  const Token& Cur() const { return tokens_[i_]; }
  const Token& Ahead(size_t k) const { return tokens_[std::min(i_ + k, tokens_.size() - 1)]; }
  void Advance() {
    if (i_ + 1 < tokens_.size()) ++i_;
  }
  Status Unexpected(std::string_view expected) const {
    return RuleError(Cur().pos,
                     "unexpected " + Describe(Cur()) + "; expected " + std::string(expected));
  }
  Status TooDeep(SourcePos pos) const {
    return RuleLimitError(
        pos, "the rule nests deeper than " + std::to_string(kMaxNestingDepth) + " levels");
  }

  Result<ExprPtr> Make(ExprKind kind, SourcePos pos, std::vector<ExprPtr> args) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    int h = 0;
    for (const ExprPtr& a : args) h = std::max(h, a->height);
    e->height = h + 1;
    e->args = std::move(args);
    if (e->height > kMaxNestingDepth) return TooDeep(pos);
    return e;
  }

  Result<ExprPtr> MakeBinary(BinaryOp op, SourcePos pos, ExprPtr l, ExprPtr r) {
    std::vector<ExprPtr> args;
    args.push_back(std::move(l));
    args.push_back(std::move(r));
    ASSIGN_OR_RETURN(ExprPtr e, Make(ExprKind::kBinary, pos, std::move(args)));
    e->binary_op = op;
    return e;
  }

  Result<ExprPtr> ParseExpr() {
    DepthGuard guard(&depth_);
    if (guard.exceeded()) return TooDeep(Cur().pos);
    ASSIGN_OR_RETURN(ExprPtr cond, ParseChain(BinaryOp::kOr));
    if (Cur().kind != TokenKind::kQuestion) return cond;
    SourcePos pos = Cur().pos;
    Advance();
    ASSIGN_OR_RETURN(ExprPtr then_expr, ParseChain(BinaryOp::kOr));
    if (Cur().kind != TokenKind::kColon) return Unexpected("':' (the else branch of '?')");
    Advance();
    ASSIGN_OR_RETURN(ExprPtr else_expr, ParseExpr());
    std::vector<ExprPtr> args;
    args.push_back(std::move(cond));
    args.push_back(std::move(then_expr));
    args.push_back(std::move(else_expr));
    return Make(ExprKind::kConditional, pos, std::move(args));
  }

  // `||` chains of `&&` chains of relations, each chain balanced.
  Result<ExprPtr> ParseChain(BinaryOp op) {
    const TokenKind token = op == BinaryOp::kOr ? TokenKind::kOr : TokenKind::kAnd;
    std::vector<ExprPtr> operands;
    std::vector<SourcePos> ops;
    while (true) {
      Result<ExprPtr> next = op == BinaryOp::kOr ? ParseChain(BinaryOp::kAnd) : ParseRelation();
      if (!next.ok()) return next.status();
      operands.push_back(std::move(next).value());
      if (Cur().kind != token) break;
      ops.push_back(Cur().pos);
      Advance();
    }
    return Balance(op, &operands, ops, 0, operands.size());
  }

  Result<ExprPtr> Balance(BinaryOp op, std::vector<ExprPtr>* operands,
                          const std::vector<SourcePos>& ops, size_t lo, size_t hi) {
    if (hi - lo == 1) return std::move((*operands)[lo]);
    // cel-go's split: the middle operator, rounding right, so a && b && c is (a && b) && c.
    size_t mid = (lo + hi - 1) / 2 + 1;
    ASSIGN_OR_RETURN(ExprPtr l, Balance(op, operands, ops, lo, mid));
    ASSIGN_OR_RETURN(ExprPtr r, Balance(op, operands, ops, mid, hi));
    return MakeBinary(op, ops[mid - 1], std::move(l), std::move(r));
  }

  Result<ExprPtr> ParseRelation() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseAddition());
    while (true) {
      BinaryOp op;
      switch (Cur().kind) {
        case TokenKind::kEq:
          op = BinaryOp::kEq;
          break;
        case TokenKind::kNe:
          op = BinaryOp::kNe;
          break;
        case TokenKind::kLt:
          op = BinaryOp::kLt;
          break;
        case TokenKind::kLe:
          op = BinaryOp::kLe;
          break;
        case TokenKind::kGt:
          op = BinaryOp::kGt;
          break;
        case TokenKind::kGe:
          op = BinaryOp::kGe;
          break;
        case TokenKind::kIn:
          op = BinaryOp::kIn;
          break;
        default:
          return l;
      }
      SourcePos pos = Cur().pos;
      Advance();
      ASSIGN_OR_RETURN(ExprPtr r, ParseAddition());
      ASSIGN_OR_RETURN(l, MakeBinary(op, pos, std::move(l), std::move(r)));
    }
  }

  Result<ExprPtr> ParseAddition() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseProduct());
    while (Cur().kind == TokenKind::kPlus || Cur().kind == TokenKind::kMinus) {
      BinaryOp op = Cur().kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSub;
      SourcePos pos = Cur().pos;
      Advance();
      ASSIGN_OR_RETURN(ExprPtr r, ParseProduct());
      ASSIGN_OR_RETURN(l, MakeBinary(op, pos, std::move(l), std::move(r)));
    }
    return l;
  }

  Result<ExprPtr> ParseProduct() {
    ASSIGN_OR_RETURN(ExprPtr l, ParseUnary());
    while (true) {
      BinaryOp op;
      switch (Cur().kind) {
        case TokenKind::kStar:
          op = BinaryOp::kMul;
          break;
        case TokenKind::kSlash:
          op = BinaryOp::kDiv;
          break;
        case TokenKind::kPercent:
          op = BinaryOp::kMod;
          break;
        default:
          return l;
      }
      SourcePos pos = Cur().pos;
      Advance();
      ASSIGN_OR_RETURN(ExprPtr r, ParseUnary());
      ASSIGN_OR_RETURN(l, MakeBinary(op, pos, std::move(l), std::move(r)));
    }
  }

  Result<ExprPtr> ParseUnary() {
    const TokenKind k = Cur().kind;
    if (k != TokenKind::kNot && k != TokenKind::kMinus) return ParseMember();
    DepthGuard guard(&depth_);
    if (guard.exceeded()) return TooDeep(Cur().pos);
    SourcePos pos = Cur().pos;
    const TokenKind next = Ahead(1).kind;
    const TokenKind after = Ahead(2).kind;
    if (k == TokenKind::kMinus && (next == TokenKind::kInt || next == TokenKind::kDouble) &&
        after != TokenKind::kDot && after != TokenKind::kLBracket && after != TokenKind::kLParen) {
      // A negative literal.
      Advance();
      const Token& t = Cur();
      auto e = std::make_unique<Expr>();
      e->kind = ExprKind::kLiteral;
      e->pos = pos;
      e->literal_text = std::string("-").append(t.text);
      if (t.kind == TokenKind::kInt) {
        constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
        e->literal = Value::Int(t.int_value == kMinMagnitude ? std::numeric_limits<int64_t>::min()
                                                             : -static_cast<int64_t>(t.int_value));
      } else {
        e->literal = Value::Double(-t.double_value);
      }
      Advance();
      return e;
    }
    Advance();
    ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
    std::vector<ExprPtr> args;
    args.push_back(std::move(operand));
    ASSIGN_OR_RETURN(ExprPtr e, Make(ExprKind::kUnary, pos, std::move(args)));
    e->unary_op = k == TokenKind::kNot ? UnaryOp::kNot : UnaryOp::kNegate;
    return e;
  }

  Result<ExprPtr> ParseMember() {
    ASSIGN_OR_RETURN(ExprPtr e, ParsePrimary());
    while (true) {
      if (Cur().kind == TokenKind::kLBracket) {
        return RuleError(Cur().pos, "indexing with '[...]' is not supported");
      }
      if (Cur().kind != TokenKind::kDot) return e;
      Advance();
      if (Cur().kind != TokenKind::kIdent) return Unexpected("a field or method name after '.'");
      SourcePos pos = Cur().pos;
      std::string name(Cur().text);
      Advance();
      std::vector<ExprPtr> args;
      args.push_back(std::move(e));
      if (Cur().kind == TokenKind::kLParen) {
        RETURN_IF_ERROR(ParseArgs(&args));
        ASSIGN_OR_RETURN(e, Make(ExprKind::kCall, pos, std::move(args)));
        e->has_receiver = true;
      } else {
        ASSIGN_OR_RETURN(e, Make(ExprKind::kSelect, pos, std::move(args)));
      }
      e->name = std::move(name);
    }
  }

  // '(' [expr {',' expr}] ')', appended to `args`.
  Status ParseArgs(std::vector<ExprPtr>* args) {
    Advance();  // '('
    if (Cur().kind == TokenKind::kRParen) {
      Advance();
      return OkStatus();
    }
    while (true) {
      ASSIGN_OR_RETURN(ExprPtr a, ParseExpr());
      args->push_back(std::move(a));
      if (Cur().kind == TokenKind::kComma) {
        Advance();
        continue;
      }
      if (Cur().kind == TokenKind::kRParen) {
        Advance();
        return OkStatus();
      }
      return Unexpected("',' or ')'");
    }
  }

  Result<ExprPtr> Literal(Value v) {
    auto e = std::make_unique<Expr>();
    e->kind = ExprKind::kLiteral;
    e->pos = Cur().pos;
    e->literal = std::move(v);
    e->literal_text = std::string(Cur().text);
    Advance();
    return e;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token& t = Cur();
    switch (t.kind) {
      case TokenKind::kIdent: {
        SourcePos pos = t.pos;
        std::string name(t.text);
        Advance();
        std::vector<ExprPtr> args;
        bool call = Cur().kind == TokenKind::kLParen;
        if (call) RETURN_IF_ERROR(ParseArgs(&args));
        ASSIGN_OR_RETURN(ExprPtr e,
                         Make(call ? ExprKind::kCall : ExprKind::kIdent, pos, std::move(args)));
        e->name = std::move(name);
        return e;
      }
      case TokenKind::kLParen: {
        Advance();
        ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
        if (Cur().kind != TokenKind::kRParen) return Unexpected("')'");
        Advance();
        return e;
      }
      case TokenKind::kLBracket: {
        SourcePos pos = t.pos;
        Advance();
        std::vector<ExprPtr> elements;
        while (Cur().kind != TokenKind::kRBracket) {
          if (elements.size() == kMaxListElements) {
            return RuleLimitError(Cur().pos, "a list may have at most " +
                                                 std::to_string(kMaxListElements) + " elements");
          }
          ASSIGN_OR_RETURN(ExprPtr e, ParseExpr());
          elements.push_back(std::move(e));
          if (Cur().kind == TokenKind::kComma) {
            Advance();
          } else if (Cur().kind != TokenKind::kRBracket) {
            return Unexpected("',' or ']'");
          }
        }
        Advance();
        return Make(ExprKind::kList, pos, std::move(elements));
      }
      case TokenKind::kLBrace:
        return RuleError(t.pos, "maps ('{...}') are not supported");
      case TokenKind::kDot:
        return RuleError(t.pos, "a leading '.' is not supported; write the name without it");
      case TokenKind::kInt:
        if (t.int_value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          return RuleError(t.pos, "integer literal " + Quoted(t.text) +
                                      " is out of range (-9223372036854775808 to "
                                      "9223372036854775807)");
        }
        return Literal(Value::Int(static_cast<int64_t>(t.int_value)));
      case TokenKind::kDouble:
        return Literal(Value::Double(t.double_value));
      case TokenKind::kString:
        return Literal(Value::String(t.string_value));
      case TokenKind::kTrue:
        return Literal(Value::Bool(true));
      case TokenKind::kFalse:
        return Literal(Value::Bool(false));
      case TokenKind::kNull:
        return Literal(Value::Null());
      default:
        return Unexpected("an expression");
    }
  }

  std::vector<Token> tokens_;
  size_t i_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<ParsedExpr> Parse(std::string_view source) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex(source));
  ParsedExpr parsed;
  ASSIGN_OR_RETURN(parsed.root, Parser(std::move(tokens)).ParseAll());
  parsed.source = std::string(source);
  return parsed;
}

std::string DebugString(const Expr& e) {
  auto join = [&](size_t from) {
    std::string s;
    for (size_t i = from; i < e.args.size(); ++i) s.append(" ").append(DebugString(*e.args[i]));
    return s;
  };
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal.DebugString();
    case ExprKind::kIdent:
      return e.name;
    case ExprKind::kSelect:
      return DebugString(*e.args[0]) + "." + e.name;
    case ExprKind::kCall:
      if (e.has_receiver)
        return std::string("(") + DebugString(*e.args[0]) + "." + e.name + join(1) + ")";
      return "(" + e.name + join(0) + ")";
    case ExprKind::kList: {
      std::string s = "[";
      for (size_t i = 0; i < e.args.size(); ++i) s += (i ? ", " : "") + DebugString(*e.args[i]);
      return s + "]";
    }
    case ExprKind::kUnary:
      return std::string("(").append(UnaryOpToken(e.unary_op)) + join(0) + ")";
    case ExprKind::kBinary:
      return std::string("(").append(BinaryOpToken(e.binary_op)) + join(0) + ")";
    case ExprKind::kConditional:
      return "(?" + join(0) + ")";
  }
  return "?";
}

}  // namespace spode::rules
