// The shipped schemes (schemes/*.yaml): each parses, type-checks against the registry's
// catalogue, and passes every inline test; and the loader reports bad files precisely.
#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "programs/decide.h"
#include "programs/scheme.h"
#include "registry/snapshot.h"

namespace spode::programs {
namespace {

using ::testing::HasSubstr;

std::string SchemesDir() {
  const char* src = std::getenv("SPODE_SOURCE_DIR");
  return std::string(src != nullptr ? src : ".") + "/schemes";
}

TEST(ShippedSchemes, FiveSchemesEachWithAtLeastSixPassingTests) {
  const Date today = *Date::Parse("2026-11-29");
  int schemes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SchemesDir())) {
    if (entry.path().extension() != ".yaml") continue;
    ++schemes;
    auto scheme = LoadScheme(entry.path().string());
    ASSERT_TRUE(scheme.ok()) << scheme.status();
    EXPECT_GE(scheme->tests.size(), 6u) << scheme->id;
    auto compiled = Compile(*scheme, registry::RulesSchema());
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    auto outcomes = RunTests(*compiled, today);
    ASSERT_TRUE(outcomes.ok());
    for (const TestOutcome& o : *outcomes) {
      EXPECT_TRUE(o.passed) << scheme->id << ": " << o.name << ": " << o.failure;
    }
  }
  EXPECT_EQ(schemes, 5);
}

TEST(SchemeFile, ReportsYamlAndRuleErrorsWithPositions) {
  auto bad_yaml = ParseScheme("id: x\nname: [unclosed\n", "bad.yaml");
  EXPECT_EQ(bad_yaml.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_yaml.status().message(), HasSubstr("bad.yaml:"));

  const char* kText = R"(id: test_scheme
name: {en: Test, hi: परीक्षण}
unit: person
benefit: cash
frequency: monthly
eligibility:
  - id: age
    rule: age_years(person.dob) >= 60
    explain: {en: Old, hi: वृद्ध}
  - id: income
    rule: household.incom <= 100
    explain: {en: Poor, hi: गरीब}
amount: rupees(100)
)";
  auto scheme = ParseScheme(kText, "t.yaml");
  ASSERT_TRUE(scheme.ok()) << scheme.status();
  auto compiled = Compile(*scheme, registry::RulesSchema());
  ASSERT_FALSE(compiled.ok());
  EXPECT_THAT(compiled.status().message(), HasSubstr("t.yaml:11"));
  EXPECT_THAT(compiled.status().message(), HasSubstr("incom"));

  auto missing_hi = ParseScheme(
      "id: x\nname: {en: X}\nunit: person\nbenefit: cash\nfrequency: monthly\neligibility: []\n"
      "amount: '1'\n",
      "m.yaml");
  EXPECT_THAT(missing_hi.status().message(), HasSubstr("m.yaml:2"));
  auto unknown_key = ParseScheme(
      "id: x\nname: {en: X, hi: X}\nunit: person\nbenefit: cash\nfrequency: monthly\n"
      "eligibility:\n  - {id: a, rule: 'true', explain: {en: a, hi: a}}\namount: '1'\ncolour: red\n",
      "u.yaml");
  EXPECT_THAT(unknown_key.status().message(), HasSubstr("unknown key 'colour'"));
  auto bad_unit = ParseScheme(
      "id: x\nname: {en: X, hi: X}\nunit: family\nbenefit: cash\nfrequency: monthly\n"
      "eligibility:\n  - {id: a, rule: 'true', explain: {en: a, hi: a}}\namount: '1'\n",
      "b.yaml");
  EXPECT_THAT(bad_unit.status().message(), HasSubstr("unit must be person or household"));
}

TEST(SchemeDecision, ExplainsEachClauseWithTheValuesItRead) {
  auto scheme = LoadScheme(SchemesDir() + "/old_age_pension.yaml");
  ASSERT_TRUE(scheme.ok());
  auto compiled = Compile(*scheme, registry::RulesSchema());
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  registry::SnapshotHousehold h{1, "9901", "990101", "990101001",
                                R"({"income_annual": 6000000, "residence": "rural"})",
                                {{1, "1950-01-01", "M", "head",
                                  R"({"is_government_pensioner": false})"}}};
  auto frame = registry::Snapshot::FromHouseholds({h});
  ASSERT_TRUE(frame.ok());
  Decision d = Decide(*compiled, **frame, 0, *Date::Parse("2026-11-29"));
  EXPECT_FALSE(d.eligible);
  auto j = DecisionJson(d, "hi");
  EXPECT_EQ(j["rule_version"], 1);
  bool found = false;
  for (const auto& c : j["clauses"]) {
    if (c["id"] == "income") {
      found = true;
      EXPECT_EQ(c["met"], false);
      EXPECT_EQ(c["explanation"], "परिवार की वार्षिक आय 48,000 रुपये तक");
      EXPECT_EQ(c["values"]["household.income_annual"], "Rs 60,000.00");
    }
    if (c["id"] == "age") {
      EXPECT_EQ(c["values"]["person.dob"], "1950-01-01");
    }
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace spode::programs
