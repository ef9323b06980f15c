// CheckSchemeText: where in the edited text each error is reported (the HTTP route is tested in
// api_payments_test.cc).
#include "api/console_views.h"

#include "gtest/gtest.h"

namespace spode::api {
namespace {

using nlohmann::json;

std::string Scheme(const std::string& eligibility, const std::string& amount = "rupees(1000)") {
  return "id: test_pension\n"
         "name: {en: Test pension, hi: Test}\n"
         "unit: person\n"
         "benefit: cash\n"
         "frequency: monthly\n"
         "eligibility:\n" +
         eligibility + "amount: " + amount + "\n";
}

TEST(CheckSchemeTextTest, AValidSchemeHasNoDiagnostics) {
  json r =
      CheckSchemeText(Scheme("  - id: age\n    rule: age_years(person.dob) >= 60\n"
                             "    explain: {en: Aged 60, hi: Aged 60}\n"));
  EXPECT_EQ(r["ok"], true) << r;
  EXPECT_TRUE(r["diagnostics"].empty());
  EXPECT_EQ(r["scheme"]["id"], "test_pension");
  EXPECT_EQ(r["scheme"]["unit"], "person");
}

TEST(CheckSchemeTextTest, AnErrorInAQuotedRuleIsPlacedAfterTheQuote) {
  // Line 8: `    rule: "person.sex == 'F' && person.do > 0"`: the rule starts at column 12 (after
  // the quote) and 'do' is its column 29.
  json r =
      CheckSchemeText(Scheme("  - id: a\n    rule: \"person.sex == 'F' && person.do > 0\"\n"
                             "    explain: {en: A, hi: A}\n"));
  ASSERT_EQ(r["diagnostics"].size(), 1u) << r;
  EXPECT_EQ(r["diagnostics"][0]["line"], 8);
  EXPECT_EQ(r["diagnostics"][0]["column"], 40);
  EXPECT_NE(r["diagnostics"][0]["message"].get<std::string>().find("did you mean 'dob'"),
            std::string::npos);
}

TEST(CheckSchemeTextTest, AnErrorOnTheSecondLineOfALiteralBlockRule) {
  json r =
      CheckSchemeText(Scheme("  - id: a\n    rule: |\n      person.sex == 'F' &&\n"
                             "        person.do > 0\n    explain: {en: A, hi: A}\n"));
  ASSERT_EQ(r["diagnostics"].size(), 1u) << r;
  EXPECT_EQ(r["diagnostics"][0]["line"], 10);
  EXPECT_EQ(r["diagnostics"][0]["column"], 16);  // `        person.do`: 'do' at column 16
}

TEST(CheckSchemeTextTest, EveryClauseAndTheAmountAreCheckedAtOnce) {
  json r =
      CheckSchemeText(Scheme("  - id: a\n    rule: person.do > 0\n    explain: {en: A, hi: A}\n"
                             "  - id: b\n    rule: person.sex\n    explain: {en: B, hi: B}\n",
                             "'many'"));
  EXPECT_EQ(r["ok"], false);
  ASSERT_EQ(r["diagnostics"].size(), 3u) << r;
  EXPECT_EQ(r["diagnostics"][0]["line"], 8);
  EXPECT_EQ(r["diagnostics"][1]["line"], 11);
  EXPECT_NE(r["diagnostics"][1]["message"].get<std::string>().find("clause b"), std::string::npos);
  EXPECT_EQ(r["diagnostics"][2]["line"], 13);
  EXPECT_NE(r["diagnostics"][2]["message"].get<std::string>().find("amount"), std::string::npos);
}

TEST(CheckSchemeTextTest, AYamlErrorHasItsLineAndColumn) {
  json r = CheckSchemeText("id: x\nname: [unclosed\n");
  EXPECT_EQ(r["ok"], false);
  ASSERT_EQ(r["diagnostics"].size(), 1u);
  EXPECT_TRUE(r["diagnostics"][0]["line"].is_number()) << r;
  EXPECT_TRUE(r["scheme"].is_null());
}

TEST(CheckSchemeTextTest, AStructureErrorNamesItsPlace) {
  json r = CheckSchemeText("id: x\nunit: village\n");
  ASSERT_EQ(r["diagnostics"].size(), 1u);
  EXPECT_FALSE(r["diagnostics"][0]["message"].get<std::string>().empty()) << r;
}

}  // namespace
}  // namespace spode::api
