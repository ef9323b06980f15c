// The lexer of the rules language: source text to tokens (CEL's lexical grammar, without bytes
// and unsigned literals).
//
//   ASSIGN_OR_RETURN(std::vector<Token> tokens, Lex("person.age >= 60"));
//   // kIdent person, kDot, kIdent age, kGe, kInt 60, kEnd
//
// Errors (INVALID_ARGUMENT, "line:column: message", see source.h): an unexpected character, an
// unterminated string, a bad escape, invalid UTF-8 in a string, a number out of range, a bytes
// or unsigned literal, a CEL reserved word. RESOURCE_EXHAUSTED when the source exceeds
// kMaxSourceBytes.
//
// Thread-safety: pure functions.
#ifndef SPODE_RULES_LEXER_H_
#define SPODE_RULES_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rules/source.h"

namespace spode::rules {

enum class TokenKind {
  kEnd,     // end of input (always the last token)
  kIdent,   // person, age_years, m
  kInt,     // 42, 0x2A (int_value holds the magnitude)
  kDouble,  // 1.5, 1e3, .5
  kString,  // "text", 'text', r"raw", """triple""" (string_value holds the decoded text)
  kTrue,
  kFalse,
  kNull,
  kIn,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kQuestion,
  kColon,
  kDot,
  kComma,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;  // as written, a view into the lexed source
  SourcePos pos;          // of the first character
  // kInt: the magnitude, at most 2^63 (2^63 itself is only valid negated: the parser checks).
  uint64_t int_value = 0;
  double double_value = 0;   // kDouble: finite
  std::string string_value;  // kString: decoded UTF-8
};

// How a token is named in messages: 'person', '&&', "end of input".
std::string Describe(const Token& token);

// Tokens of `source`, ending with kEnd. The tokens' `text` views point into `source`.
Result<std::vector<Token>> Lex(std::string_view source);

}  // namespace spode::rules

#endif  // SPODE_RULES_LEXER_H_
