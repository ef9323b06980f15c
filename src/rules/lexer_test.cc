#include "rules/lexer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace spode::rules {
namespace {

using ::testing::ElementsAre;
using K = TokenKind;

std::vector<TokenKind> Kinds(std::string_view source) {
  Result<std::vector<Token>> tokens = Lex(source);
  EXPECT_TRUE(tokens.ok()) << source << ": " << tokens.status();
  std::vector<TokenKind> kinds;
  if (tokens.ok()) {
    for (const Token& t : *tokens) kinds.push_back(t.kind);
  }
  return kinds;
}

Token Only(std::string_view source) {
  Result<std::vector<Token>> tokens = Lex(source);
  EXPECT_TRUE(tokens.ok()) << source << ": " << tokens.status();
  if (!tokens.ok() || tokens->size() != 2) return Token{};
  return (*tokens)[0];
}

TEST(LexerTest, TokenKinds) {
  EXPECT_THAT(Kinds("person.age >= 60 && x != 'a'"),
              ElementsAre(K::kIdent, K::kDot, K::kIdent, K::kGe, K::kInt, K::kAnd, K::kIdent,
                          K::kNe, K::kString, K::kEnd));
  EXPECT_THAT(Kinds("+-*/%==!=<<=>>=&&||!?:.,()[]{}"),
              ElementsAre(K::kPlus, K::kMinus, K::kStar, K::kSlash, K::kPercent, K::kEq, K::kNe,
                          K::kLt, K::kLe, K::kGt, K::kGe, K::kAnd, K::kOr, K::kNot, K::kQuestion,
                          K::kColon, K::kDot, K::kComma, K::kLParen, K::kRParen, K::kLBracket,
                          K::kRBracket, K::kLBrace, K::kRBrace, K::kEnd));
  EXPECT_THAT(Kinds("true false null in inside"),
              ElementsAre(K::kTrue, K::kFalse, K::kNull, K::kIn, K::kIdent, K::kEnd));
  EXPECT_THAT(Kinds(""), ElementsAre(K::kEnd));
  EXPECT_THAT(Kinds("a // a comment && b\n || c"),
              ElementsAre(K::kIdent, K::kOr, K::kIdent, K::kEnd));
}

TEST(LexerTest, PositionsCountLinesAndCodePoints) {
  Result<std::vector<Token>> tokens = Lex("\"आयु\" == x &&\n  y");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  ASSERT_EQ(tokens->size(), 6u);
  EXPECT_EQ((*tokens)[0].pos, (SourcePos{1, 1, 0}));
  EXPECT_EQ((*tokens)[1].pos.ToString(), "1:7");  // "आयु" is 5 code points with its quotes
  EXPECT_EQ((*tokens)[2].pos.ToString(), "1:10");
  EXPECT_EQ((*tokens)[3].pos.ToString(), "1:12");
  EXPECT_EQ((*tokens)[4].pos, (SourcePos{2, 3, 22}));
  EXPECT_EQ((*tokens)[5].pos.ToString(), "2:4");  // end of input
  EXPECT_EQ((*tokens)[0].text, "\"आयु\"");
}

TEST(LexerTest, Numbers) {
  struct Case {
    const char* source;
    TokenKind kind;
    uint64_t int_value;
    double double_value;
  } cases[] = {
      {"0", K::kInt, 0, 0},
      {"42", K::kInt, 42, 0},
      {"0x2A", K::kInt, 42, 0},
      {"0XfF", K::kInt, 255, 0},
      {"9223372036854775807", K::kInt, 9223372036854775807ull, 0},
      {"9223372036854775808", K::kInt, 9223372036854775808ull, 0},  // valid only negated
      {"1.5", K::kDouble, 0, 1.5},
      {"1e3", K::kDouble, 0, 1000},
      {"2.5e-3", K::kDouble, 0, 0.0025},
      {"1E+2", K::kDouble, 0, 100},
      {".5", K::kDouble, 0, 0.5},
  };
  for (const Case& c : cases) {
    Token t = Only(c.source);
    EXPECT_EQ(t.kind, c.kind) << c.source;
    EXPECT_EQ(t.int_value, c.int_value) << c.source;
    EXPECT_EQ(t.double_value, c.double_value) << c.source;
  }
  // "1." is an int followed by a dot (CEL): a member access, not a double.
  EXPECT_THAT(Kinds("1.size()"),
              ElementsAre(K::kInt, K::kDot, K::kIdent, K::kLParen, K::kRParen, K::kEnd));
}

TEST(LexerTest, Strings) {
  struct Case {
    const char* source;
    std::string value;
  } cases[] = {
      {R"("plain")", "plain"},
      {R"('single')", "single"},
      {R"("it's")", "it's"},
      {R"('say "hi"')", "say \"hi\""},
      {R"("a\nb\tc\\d\"e\'f")", "a\nb\tc\\d\"e'f"},
      {R"("\a\b\f\r\v\`\?")", "\a\b\f\r\v`?"},
      {R"("\x41\101")", "AA"},
      {R"("\u00e9\U0001F600")", "\u00e9\U0001F600"},
      {R"("\xe9")", "\u00e9"},  // \x is a code point, as in CEL
      {R"(r"\n\d")", "\\n\\d"},
      {R"(R'\x')", "\\x"},
      {"'''two\nlines'''", "two\nlines"},
      {R"("""a "quoted" word""")", "a \"quoted\" word"},
      {"\"आयु 60 वर्ष\"", "आयु 60 वर्ष"},
      {R"("")", ""},
  };
  for (const Case& c : cases) {
    Token t = Only(c.source);
    EXPECT_EQ(t.kind, K::kString) << c.source;
    EXPECT_EQ(t.string_value, c.value) << c.source;
  }
}

TEST(LexerTest, Errors) {
  struct Case {
    std::string source;
    std::string message;
  } cases[] = {
      {"a # b", "1:3: unexpected character '#'"},
      {"a &&\n  #", "2:3: unexpected character '#'"},
      {"x == é", "1:6: unexpected character 'é'"},
      {"\xc3", "1:1: invalid UTF-8 (byte 0xc3)"},
      {"\"abc", "1:1: unterminated string; expected a closing \""},
      {"x == 'abc", "1:6: unterminated string; expected a closing '"},
      {"\"a\nb\"",
       "1:1: unterminated string; a quoted string ends on its line (use triple quotes for "
       "several lines)"},
      {"'''abc''", "1:1: unterminated string; expected a closing '"},
      {R"('a\qb')", R"(1:3: invalid escape '\q'; expected one of \n \t \\ \" \' \xHH \uHHHH)"},
      {R"("\x4")", "1:2: invalid escape; expected 2 hex digits"},
      {R"("\uD800")", "1:2: invalid escape; not a Unicode code point"},
      {R"("\U00110000")", "1:2: invalid escape; not a Unicode code point"},
      {R"("\08")", "1:2: invalid escape; expected 3 octal digits"},
      {"\"\xff\"", "1:2: invalid UTF-8 in a string"},
      {"\"\xed\xa0\x80\"", "1:2: invalid UTF-8 in a string"},  // an encoded surrogate
      {"\"\xc0\xaf\"", "1:2: invalid UTF-8 in a string"},      // overlong
      {"1u", "1:1: unsigned integers are not supported; write '1'"},
      {"b\"x\"", "1:1: bytes literals are not supported; use a string"},
      {"x == rb'x'", "1:6: bytes literals are not supported; use a string"},
      {"if", "1:1: 'if' is a reserved word"},
      {"person.var", "1:8: 'var' is a reserved word"},
      {"a = b", "1:3: unexpected '='; expected '==' (comparison)"},
      {"a & b", "1:3: unexpected '&'; expected '&&' (and)"},
      {"a | b", "1:3: unexpected '|'; expected '||' (or)"},
      {"12abc", "1:1: invalid number '12abc'"},
      {"0x", "1:1: invalid number '0x'"},
      {"1e", "1:1: invalid number '1e'"},
      {"1e999", "1:1: double literal '1e999' is out of range"},
      {"18446744073709551616",
       "1:1: integer literal '18446744073709551616' is out of range (-9223372036854775808 to "
       "9223372036854775807)"},
      {"9223372036854775809",
       "1:1: integer literal '9223372036854775809' is out of range (-9223372036854775808 to "
       "9223372036854775807)"},
  };
  for (const Case& c : cases) {
    Result<std::vector<Token>> tokens = Lex(c.source);
    ASSERT_FALSE(tokens.ok()) << c.source;
    EXPECT_EQ(tokens.status().code(), StatusCode::kInvalidArgument) << c.source;
    EXPECT_EQ(tokens.status().message(), c.message) << c.source;
  }
}

TEST(LexerTest, SourceSizeLimit) {
  std::string at_limit(kMaxSourceBytes, ' ');
  at_limit[0] = '1';
  EXPECT_TRUE(Lex(at_limit).ok());
  std::string over = at_limit + " ";
  Result<std::vector<Token>> tokens = Lex(over);
  ASSERT_FALSE(tokens.ok());
  EXPECT_EQ(tokens.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(tokens.status().message(), "1:1: the rule is 10241 bytes; the limit is 10240");
}

TEST(LexerTest, DescribeNamesTokens) {
  Result<std::vector<Token>> tokens = Lex("&& \"a very long string literal that goes on and on\"");
  ASSERT_TRUE(tokens.ok());
  EXPECT_EQ(Describe((*tokens)[0]), "'&&'");
  EXPECT_EQ(Describe((*tokens)[1]), "'\"a very long string literal that goes...'");
  EXPECT_EQ(Describe((*tokens)[2]), "end of input");
}

}  // namespace
}  // namespace spode::rules
