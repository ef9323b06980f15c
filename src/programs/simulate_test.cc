// What-if simulation and proactive identification.
#include <fstream>
#include <sstream>

#include "common/verhoeff.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "programs/proposals.h"
#include "programs/simulate.h"
#include "programs/store.h"
#include "registry/importer.h"
#include "registry/registry.h"
#include "registry/schema.h"
#include "storage/testing/test_database.h"

namespace spode::programs {
namespace {

using nlohmann::json;

const Date kToday = *Date::Parse("2026-11-29");

std::string Pension(int min_age, int version) {
  return "id: old_age_pension\nversion: " + std::to_string(version) +
         "\nname: {en: Pension, hi: पेंशन}\nunit: person\nbenefit: cash\nfrequency: monthly\n"
         "eligibility:\n  - id: age\n    rule: age_years(person.dob) >= " +
         std::to_string(min_age) +
         "\n    explain: {en: Old, hi: वृद्ध}\n  - id: income\n    rule: household.income_annual "
         "<= rupees(48000)\n    explain: {en: Poor, hi: गरीब}\namount: rupees(1000)\n";
}

CompiledScheme Compiled(const std::string& yaml) {
  auto s = ParseScheme(yaml, "test.yaml");
  EXPECT_TRUE(s.ok()) << s.status();
  auto c = Compile(*s, registry::RulesSchema());
  EXPECT_TRUE(c.ok()) << c.status();
  return *c;
}

registry::SnapshotHousehold Household(int64_t idx, const char* district, int64_t income,
                                      std::vector<std::pair<const char*, const char*>> people) {
  registry::SnapshotHousehold h;
  h.household_idx = idx;
  h.district = district;
  h.block = std::string(district) + "01";
  h.village = h.block + "001";
  h.attrs = json({{"income_annual", income}, {"caste_category", "SC"}}).dump();
  int64_t m = idx * 10;
  for (auto [dob, sex] : people) h.members.push_back({m++, dob, sex, "head", "{}"});
  return h;
}

TEST(Simulate, CountsCostsBreakdownsAndWhoGainsAndLoses) {
  auto snap = registry::Snapshot::FromHouseholds({
      Household(1, "9901", 3000000, {{"1960-01-01", "F"}}),   // 66: eligible at 60 and 65
      Household(2, "9901", 3000000, {{"1964-01-01", "M"}}),   // 62: eligible at 60 only
      Household(3, "9902", 9000000, {{"1950-01-01", "F"}}),   // too rich
      Household(4, "9902", 1000000, {{"1940-06-01", "M"}, {"2000-01-01", "F"}}),  // 86
  });
  ASSERT_TRUE(snap.ok());
  CompiledScheme at60 = Compiled(Pension(60, 1)), at65 = Compiled(Pension(65, 2));
  SimulationOptions options;
  options.date = kToday;
  auto r = Simulate(at65, &at60, **snap, options);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)["eligible"]["count"], 2);
  EXPECT_EQ((*r)["eligible"]["by_district"]["9901"], 1);
  EXPECT_EQ((*r)["eligible"]["by_district"]["9902"], 1);
  EXPECT_EQ((*r)["eligible"]["by_age_band"]["80+"], 1);
  EXPECT_EQ((*r)["eligible"]["by_sex"]["F"], 1);
  EXPECT_EQ((*r)["cost"]["per_period_paise"], 200000);
  EXPECT_EQ((*r)["cost"]["per_year_paise"], 2400000);
  EXPECT_EQ((*r)["against"]["eligible"], 3);
  EXPECT_EQ((*r)["gain"]["count"], 0);
  EXPECT_EQ((*r)["lose"]["count"], 1);
  EXPECT_EQ((*r)["lose"]["sample_idx"][0], 20);  // the 62-year-old
  EXPECT_EQ((*r)["cost_change"]["per_year_paise"], -1200000);
}

class ProposalsTest : public ::testing::TestWithParam<std::string> {
 protected:
  ProposalsTest()
      : tdb_(GetParam()), key_(crypto::MasterKey::FromBytes(std::string(32, 'k'))),
        clock_(*Timestamp::Parse("2026-11-29T06:30:00Z")) {}
  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok());
    auto migrations = registry::Migrations();
    for (auto& m : Migrations()) migrations.push_back(m);
    ASSERT_TRUE(storage::ApplyMigrations(tdb_.db(), migrations).ok());
  }
  storage::testing::TestDatabase tdb_;
  crypto::MasterKey key_;
  ManualTimeSource clock_;
};

json Family(int n, const char* dob, int64_t income) {
  std::string village = "99010100" + std::to_string(n);
  return {{"address",
           {{"state", "99"}, {"district", "9901"}, {"block", "990101"}, {"village", village}}},
          {"attributes", {{"income_annual", income}}},
          {"members", {{{"name", "Person " + std::to_string(n)}, {"dob", dob}, {"sex", "F"},
                        {"relationship", "head"}}}}};
}

TEST_P(ProposalsTest, ProposesTheNewlyEligibleOnceWithTheirExplanation) {
  storage::Database& db = tdb_.db();
  std::vector<registry::HouseholdInput> households;
  for (auto [n, dob, income] : std::vector<std::tuple<int, const char*, int64_t>>{
           {1, "1950-01-01", 3000000}, {2, "1990-01-01", 3000000}, {3, "1955-01-01", 9000000}}) {
    auto h = registry::HouseholdFromJson(Family(n, dob, income), kToday);
    ASSERT_TRUE(h.ok()) << h.status();
    households.push_back(*h);
  }
  auto importer = registry::Importer::Create(db, key_, clock_);
  ASSERT_TRUE(importer.ok());
  ASSERT_TRUE((*importer)->Enrol(households).ok());
  SchemeStore store(db, clock_);
  ASSERT_TRUE(store.Add(Pension(60, 1), "p.yaml", "user:admin").ok());
  // A draft is not evaluated.
  auto snap = registry::Snapshot::Build(db);
  ASSERT_TRUE(snap.ok());
  auto none = RunEligibility(db, **snap, clock_, "");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->schemes.empty());
  ASSERT_TRUE(store.SetStatus("old_age_pension", "active", "user:admin").ok());
  EXPECT_EQ(store.SetStatus("old_age_pension", "draft", "user:admin").code(),
            StatusCode::kFailedPrecondition);

  auto first = RunEligibility(db, **snap, clock_, "");
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->schemes.size(), 1u);
  EXPECT_EQ(first->schemes[0].eligible, 1);
  EXPECT_EQ(first->schemes[0].new_proposals, 1);
  auto row = db.QueryOne("SELECT explanation, amount_paise, scheme_version FROM "
                         "eligibility_proposals");
  ASSERT_TRUE(row.ok() && *row);
  json why = json::parse((*row)->Text(0));
  EXPECT_EQ(why["eligible"], true);
  EXPECT_EQ(why["rule_version"], 1);
  EXPECT_EQ((*row)->Int(1), 100000);

  auto again = RunEligibility(db, **snap, clock_, "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->schemes[0].new_proposals, 0);

  // The third woman's income is corrected: the snapshot catches up and she is proposed too.
  registry::Registry reg(db, key_, clock_);
  auto mid = db.QueryOne("SELECT h.family_id FROM households h WHERE h.attrs LIKE '%9000000%'");
  auto cr = reg.SubmitChange({"", (*mid)->Text(0), {{"income_annual", 2000000}}, "survey",
                              "officer", "user:a"});
  ASSERT_TRUE(cr.ok()) << cr.status();
  ASSERT_TRUE(reg.VerifyChange(*cr, "user:b").ok());
  ASSERT_TRUE((*snap)->Refresh(db).ok());
  auto third = RunEligibility(db, **snap, clock_, "old_age_pension");
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->schemes[0].eligible, 2);
  EXPECT_EQ(third->schemes[0].new_proposals, 1);
  auto count = db.QueryOne("SELECT COUNT(*) FROM eligibility_proposals");
  EXPECT_EQ((*count)->Int(0), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ProposalsTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::programs
