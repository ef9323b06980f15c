// The columnar snapshot: built from storage, kept current from the change feed.
#include "registry/snapshot.h"

#include <fstream>
#include <sstream>

#include "common/verhoeff.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/ids.h"
#include "registry/importer.h"
#include "registry/registry.h"
#include "registry/schema.h"
#include "registry/testing/fixture.h"
#include "storage/testing/test_database.h"

namespace spode::registry {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using testing::Family;
using testing::Household;
using testing::Member;
using testing::NationalId;
using testing::kNow;

class SnapshotTest : public testing::RegistryTest {};


TEST_P(SnapshotTest, HoldsEveryActiveHouseholdAndMemberAsTypedColumns) {
  json f = Family(1);
  f["attributes"]["land_holding_ares"] = 40;
  json other = Family(10, "990101002");
  other["attributes"].erase("income_annual");
  other["members"][0]["attributes"] = {{"disability_percent", 60}, {"marital_status", "widowed"}};
  ASSERT_EQ(Import({f.dump(), other.dump()}).households_imported, 2);
  auto snap = Snapshot::Build(db());
  ASSERT_TRUE(snap.ok()) << snap.status();
  const Snapshot& s = **snap;
  EXPECT_EQ(s.households(), 2u);
  EXPECT_EQ(s.members(), 6u);
  ASSERT_EQ(s.member_offsets().size(), 3u);
  EXPECT_EQ(s.member_begin(1), 3u);
  EXPECT_EQ(s.member_end(1), 6u);
  EXPECT_EQ(s.member_household()[4], 1u);
  using rules::Entity;
  const rules::Column* income = s.column(Entity::kHousehold, "income_annual");
  ASSERT_NE(income, nullptr);
  EXPECT_EQ(income->kind, rules::AttrKind::kMoney);
  EXPECT_TRUE(income->present(0));
  EXPECT_EQ(income->ints[0], 9600000);
  EXPECT_FALSE(income->present(1));
  const rules::Column* dob = s.column(Entity::kMember, "dob");
  EXPECT_EQ(dob->dates[0], Date::Parse("1961-04-12")->days());
  const rules::Column* sex = s.column(Entity::kMember, "sex");
  EXPECT_EQ((*sex->dictionary)[sex->codes[1]], "M");
  const rules::Column* caste = s.column(Entity::kHousehold, "caste_category");
  EXPECT_EQ((*caste->dictionary)[caste->codes[0]], "SC");
  const rules::Column* disability = s.column(Entity::kMember, "disability_percent");
  EXPECT_FALSE(disability->present(0));
  EXPECT_TRUE(disability->present(3));
  EXPECT_EQ(disability->ints[3], 60);
  const rules::Column* village = s.column(Entity::kHousehold, "village");
  EXPECT_EQ(village->string_at(1), "990101002");
  EXPECT_EQ(s.column(Entity::kMember, "name"), nullptr);  // names stay out of the engine
  EXPECT_GT(s.memory_bytes(), 0u);
}

TEST_P(SnapshotTest, RefreshReloadsOnlyTheChangedHousehold) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  auto snap = Snapshot::Build(db());
  ASSERT_TRUE(snap.ok());
  Snapshot& s = **snap;
  auto r0 = s.Refresh(db());
  ASSERT_TRUE(r0.ok());
  EXPECT_EQ(*r0, 0);  // nothing changed since the build

  auto row = db().QueryOne("SELECT m.member_id, m.household_idx FROM members m ORDER BY "
                           "m.member_idx DESC LIMIT 1");
  Registry reg(db(), key_, clock_);
  auto cr = reg.SubmitChange({(*row)->Text(0), "", {{"disability_percent", 75}}, "certificate",
                              "operator", "user:op"});
  ASSERT_TRUE(cr.ok());
  ASSERT_TRUE(reg.VerifyChange(*cr, "user:bdo").ok());
  int64_t hidx = (*row)->Int(1);
  int64_t old_row = s.RowOf(hidx);
  auto r1 = s.Refresh(db());
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(*r1, 1);
  EXPECT_EQ(s.live_households(), 2u);
  EXPECT_EQ(s.households(), 3u);  // the old version kept as a stale row until a rebuild
  ASSERT_EQ(s.household_live().size(), 3u);
  EXPECT_EQ(s.household_live()[old_row], 0);
  int64_t new_row = s.RowOf(hidx);
  EXPECT_EQ(new_row, 2);
  const rules::Column* disability = s.column(rules::Entity::kMember, "disability_percent");
  size_t last_member = s.member_end(static_cast<size_t>(new_row)) - 1;
  EXPECT_TRUE(disability->present(last_member));
  EXPECT_EQ(disability->ints[last_member], 75);
  // The other household is untouched.
  EXPECT_EQ(s.household_live()[1 - old_row], 1);

  ASSERT_TRUE(s.Rebuild(db()).ok());
  EXPECT_EQ(s.households(), 2u);
  EXPECT_TRUE(s.household_live().empty());
}

TEST_P(SnapshotTest, HeldHouseholdsJoinWhenAnOfficerEnrolsThem) {
  ASSERT_EQ(Import({Family(1).dump()}).households_imported, 1);
  auto snap = Snapshot::Build(db());
  ASSERT_TRUE(snap.ok());
  json variant = Household({Member("Suneeta Devee", "1961-04-12", "F", "head")});
  ASSERT_EQ(Import({variant.dump()}).households_held, 1);
  auto r = (*snap)->Refresh(db());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*snap)->live_households(), 1u);  // held: not in the snapshot
  Registry reg(db(), key_, clock_);
  auto holds = reg.ListDuplicateHolds();
  ASSERT_TRUE(reg.DecideHold((*holds)[0]["id"], "different_people", "user:bdo").ok());
  r = (*snap)->Refresh(db());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*snap)->live_households(), 2u);
}

TEST_P(SnapshotTest, ABulkLoadMakesTheNextRefreshRebuild) {
  auto snap = Snapshot::Build(db());
  ASSERT_TRUE(snap.ok());
  EXPECT_EQ((*snap)->households(), 0u);
  std::vector<std::string> lines;
  for (int i = 0; i < 5; ++i) lines.push_back(Family(100 + 10 * i, "99010100" + std::to_string(i + 1)).dump());
  ASSERT_EQ(Import(lines, ImportOptions::Mode::kBulk).households_imported, 5);
  auto r = (*snap)->Refresh(db());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 5);
  EXPECT_EQ((*snap)->households(), 5u);
  EXPECT_EQ((*snap)->members(), 15u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SnapshotTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::registry
