#include "rules/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace spode::rules {
namespace {

std::string Tree(std::string_view source) {
  Result<ParsedExpr> parsed = Parse(source);
  EXPECT_TRUE(parsed.ok()) << source << ": " << parsed.status();
  return parsed.ok() ? DebugString(*parsed->root) : "";
}

TEST(ParserTest, PrecedenceAndShape) {
  struct Case {
    const char* source;
    const char* tree;
  } cases[] = {
      {"1 + 2 * 3", "(+ 1 (* 2 3))"},
      {"(1 + 2) * 3", "(* (+ 1 2) 3)"},
      {"10 - 2 - 3", "(- (- 10 2) 3)"},
      {"8 / 4 % 3", "(% (/ 8 4) 3)"},
      {"a || b && c", "(|| a (&& b c))"},
      {"a && b || c", "(|| (&& a b) c)"},
      {"!a && b", "(&& (! a) b)"},
      {"!!a", "(! (! a))"},
      {"a < b == c", "(== (< a b) c)"},
      {"a + 1 < b * 2", "(< (+ a 1) (* b 2))"},
      {"x in [1, 2,]", "(in x [1, 2])"},
      {"x in []", "(in x [])"},
      {"a ? b : c ? d : e", "(? a b (? c d e))"},
      {"a || b ? 1 : 2", "(? (|| a b) 1 2)"},
      {"-x.y", "(- x.y)"},
      {"-5", "-5"},
      {"-2.5", "-2.5"},
      {"1 - -2", "(- 1 -2)"},
      {"-(5)", "(- 5)"},
      {"-9223372036854775808", "-9223372036854775808"},
      {"0x10", "16"},
      {"person.dob", "person.dob"},
      {"age_years(person.dob) >= 60", "(>= (age_years person.dob) 60)"},
      {"household.members.exists(m, m.age < 6)", "(household.members.exists m (< m.age 6))"},
      {"household.members.filter(m, m.x).size()", "((household.members.filter m m.x).size)"},
      {"s.startsWith(\"a\")", "(s.startsWith \"a\")"},
      {"f()", "(f)"},
      {"'a' + \"b\"", "(+ \"a\" \"b\")"},
      {"null == true", "(== null true)"},
      {"1.0", "1.0"},
      // && and || chains are balanced, as CEL does.
      {"a && b && c && d", "(&& (&& a b) (&& c d))"},
      {"a && b && c && d && e", "(&& (&& (&& a b) c) (&& d e))"},
      {"a && b && c", "(&& (&& a b) c)"},
      {"a || b || c", "(|| (|| a b) c)"},
  };
  for (const Case& c : cases) EXPECT_EQ(Tree(c.source), c.tree) << c.source;
}

TEST(ParserTest, Positions) {
  Result<ParsedExpr> parsed = Parse("household.income_annual <= 5 &&\n  person.x");
  ASSERT_TRUE(parsed.ok());
  const Expr& root = *parsed->root;
  EXPECT_EQ(root.pos.ToString(), "1:30");                    // the '&&'
  EXPECT_EQ(root.args[0]->pos.ToString(), "1:25");           // the '<='
  EXPECT_EQ(root.args[0]->args[0]->pos.ToString(), "1:11");  // the field income_annual
  EXPECT_EQ(root.args[1]->pos.ToString(), "2:10");           // the field x
  EXPECT_EQ(root.args[0]->args[1]->literal_text, "5");
}

TEST(ParserTest, Errors) {
  struct Case {
    std::string source;
    std::string message;
  } cases[] = {
      {"", "1:1: unexpected end of input; expected an expression"},
      {"1 +", "1:4: unexpected end of input; expected an expression"},
      {"(1 + 2", "1:7: unexpected end of input; expected ')'"},
      {"a b", "1:3: unexpected 'b'; expected an operator or the end of the rule"},
      {"f(1 2)", "1:5: unexpected '2'; expected ',' or ')'"},
      {"f(1,)", "1:5: unexpected ')'; expected an expression"},
      {"[1 2]", "1:4: unexpected '2'; expected ',' or ']'"},
      {"a ? b", "1:6: unexpected end of input; expected ':' (the else branch of '?')"},
      {"a && && b", "1:6: unexpected '&&'; expected an expression"},
      {"a &&\n  (b ||", "2:8: unexpected end of input; expected an expression"},
      {"{1: 2}", "1:1: maps ('{...}') are not supported"},
      {"x[0]", "1:2: indexing with '[...]' is not supported"},
      {".x", "1:1: a leading '.' is not supported; write the name without it"},
      {"person.", "1:8: unexpected end of input; expected a field or method name after '.'"},
      {"person.(x)", "1:8: unexpected '('; expected a field or method name after '.'"},
      {"9223372036854775808",
       "1:1: integer literal '9223372036854775808' is out of range (-9223372036854775808 to "
       "9223372036854775807)"},
      {"-(9223372036854775808)",
       "1:3: integer literal '9223372036854775808' is out of range (-9223372036854775808 to "
       "9223372036854775807)"},
      {"a = 1", "1:3: unexpected '='; expected '==' (comparison)"},  // from the lexer
  };
  for (const Case& c : cases) {
    Result<ParsedExpr> parsed = Parse(c.source);
    ASSERT_FALSE(parsed.ok()) << c.source;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << c.source;
    EXPECT_EQ(parsed.status().message(), c.message) << c.source;
  }
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ParserLimitsTest, ParenthesesNestAtMost64Deep) {
  EXPECT_TRUE(Parse(Repeat("(", 63) + std::string("1") + Repeat(")", 63)).ok());
  Result<ParsedExpr> deep = Parse(Repeat("(", 64) + std::string("1") + Repeat(")", 64));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(deep.status().message(), "1:65: the rule nests deeper than 64 levels");
}

TEST(ParserLimitsTest, TreeHeightAtMost64) {
  // 1+1+...+1 with 64 terms is a tree of height 64; with 65 it is too tall.
  EXPECT_TRUE(Parse(std::string("1") + Repeat("+1", 63)).ok());
  Result<ParsedExpr> tall = Parse(std::string("1") + Repeat("+1", 64));
  ASSERT_FALSE(tall.ok());
  EXPECT_EQ(tall.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(tall.status().message(), "1:128: the rule nests deeper than 64 levels");
  EXPECT_TRUE(Parse(Repeat("!", 63) + "true").ok());
  EXPECT_EQ(Parse(Repeat("!", 64) + "true").status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(Parse(Repeat("f(", 64) + Repeat(")", 64)).ok());  // 64 nested calls
  EXPECT_EQ(Parse(Repeat("f(", 65) + Repeat(")", 65)).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(ParserLimitsTest, LongAndChainsStayShallow) {
  // 3000 conditions joined by && make a balanced tree of height 13, well within the limit.
  std::string source = std::string("a") + Repeat("&&a", 2999);
  ASSERT_LE(source.size(), kMaxSourceBytes);
  Result<ParsedExpr> parsed = Parse(source);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->root->height, 13);
}

TEST(ParserLimitsTest, ListsHoldAtMost1000Elements) {
  EXPECT_TRUE(Parse(std::string("[") + Repeat("1,", 1000) + "]").ok());
  Result<ParsedExpr> big = Parse(std::string("[") + Repeat("1,", 1001) + "]");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(big.status().message(), "1:2002: a list may have at most 1000 elements");
}

TEST(ParserLimitsTest, SourceSize) {
  Result<ParsedExpr> big = Parse(std::string(kMaxSourceBytes + 1, ' '));
  EXPECT_EQ(big.status().code(), StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace spode::rules
