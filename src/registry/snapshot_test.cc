// The columnar snapshot: built from storage, kept current from the change feed.
#include "registry/snapshot.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include "common/verhoeff.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/change_feed.h"
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

// A server stopping during its start gives the load up instead of finishing it first.
TEST_P(SnapshotTest, ABuildGivesUpWhenTold) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  std::atomic<bool> stop{true};
  auto stopped = Snapshot::Build(db(), {.stop = &stop});
  EXPECT_EQ(stopped.status().code(), StatusCode::kAborted);
  EXPECT_THAT(stopped.status().message(), HasSubstr("after 0 households"));
  stop = false;
  auto built = Snapshot::Build(db(), {.stop = &stop});
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ((*built)->households(), 2u);
}

// The count a server's /readyz shows while a large snapshot loads (every 4096 households read,
// and the whole number at the end).
TEST_P(SnapshotTest, ABuildCountsTheHouseholdsItHasRead) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  std::atomic<int64_t> loaded{-1};
  std::atomic<bool> stop{true};
  ASSERT_FALSE(Snapshot::Build(db(), {.stop = &stop, .loaded = &loaded}).ok());
  EXPECT_EQ(loaded.load(), 0);
  stop = false;
  auto built = Snapshot::Build(db(), {.stop = &stop, .loaded = &loaded});
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(loaded.load(), 2);
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
  // The appended row's offsets keep them ordered, as the snapshot tells the rules engine.
  EXPECT_TRUE(s.member_offsets_ordered());
  EXPECT_TRUE(std::is_sorted(s.member_offsets().begin(), s.member_offsets().end()));
  EXPECT_EQ(s.member_offsets().back(), s.members());
  // And its member count is appended beside them: the engine sums these instead.
  auto counts_agree = [&] {
    if (s.member_counts().size() != s.households()) return false;
    for (size_t h = 0; h < s.households(); ++h) {
      if (s.member_counts()[h] != s.member_end(h) - s.member_begin(h)) return false;
    }
    return true;
  };
  EXPECT_TRUE(counts_agree());

  ASSERT_TRUE(s.Rebuild(db()).ok());
  EXPECT_EQ(s.households(), 2u);
  EXPECT_TRUE(s.household_live().empty());
  EXPECT_TRUE(counts_agree());
}

// Two writers end at once: the first draws the lower seq but commits last. A reader that
// refreshed between the commits must still pick the first change up afterwards; on PostgreSQL
// that holds only because the second writer waits for the feed's lock (change_feed.h).
TEST_P(SnapshotTest, AChangeCommittedLateIsNotPassedBy) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  auto hidx = db().Query("SELECT household_idx FROM households ORDER BY household_idx");
  ASSERT_TRUE(hidx.ok() && hidx->size() == 2);
  auto reader = tdb_.Connect();
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto snap = Snapshot::Build(**reader);
  ASSERT_TRUE(snap.ok()) << snap.status();

  ASSERT_TRUE(db().Begin().ok());
  ASSERT_TRUE(RecordChange(db(), (*hidx)[0].Int(0), kNow.micros).ok());  // not committed yet
  auto second = tdb_.Connect();
  ASSERT_TRUE(second.ok()) << second.status();
  std::atomic<bool> second_done = false;
  Status second_status;
  std::thread writer([&] {
    second_status = [&]() -> Status {
      RETURN_IF_ERROR((*second)->Begin());
      RETURN_IF_ERROR(RecordChange(**second, (*hidx)[1].Int(0), kNow.micros));
      return (*second)->Commit();
    }();
    second_done = true;
  });
  // The second writer must wait for the first (give it half a second to show it does not).
  for (int i = 0; i < 50 && !second_done; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_FALSE(second_done) << "the second writer committed while the first was open";
  auto between = (*snap)->Refresh(**reader);
  ASSERT_TRUE(db().Commit().ok());
  writer.join();
  ASSERT_TRUE(second_status.ok()) << second_status;
  auto after = (*snap)->Refresh(**reader);
  ASSERT_TRUE(between.ok() && after.ok());
  EXPECT_EQ(*between + *after, 2) << "a change was passed by: " << *between << " then " << *after;
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

// Ints and dates are stored narrow while every value fits (int32 paise, uint16 days after
// 1900-01-01); a change that brings a value that does not fit widens the column, and every
// value, old and new, reads back exact.
TEST_P(SnapshotTest, NarrowColumnsWidenWhenAChangeBringsAValueThatDoesNotFit) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  auto snap = Snapshot::Build(db());
  ASSERT_TRUE(snap.ok());
  Snapshot& s = **snap;
  using rules::Entity;
  const rules::Column* income = s.column(Entity::kHousehold, "income_annual");
  const rules::Column* dob = s.column(Entity::kMember, "dob");
  EXPECT_TRUE(income->ints.is_narrow());
  EXPECT_TRUE(dob->dates.is_narrow());
  EXPECT_EQ(dob->dates[0], Date::Parse("1961-04-12")->days());
  const size_t narrow_bytes = s.memory_bytes();

  // Rs 3 crore a year (3e9 paise: past int32) for one household, 1899 for one member's birth.
  auto family = db().QueryOne("SELECT family_id, household_idx FROM households ORDER BY "
                              "household_idx LIMIT 1");
  auto member = db().QueryOne("SELECT member_id, household_idx FROM members ORDER BY "
                              "member_idx DESC LIMIT 1");
  ASSERT_TRUE(family.ok() && member.ok());
  Registry reg(db(), key_, clock_);
  auto cr1 = reg.SubmitChange({"", (*family)->Text(0), {{"income_annual", 3'000'000'000LL}},
                               "assessment", "operator", "user:op"});
  ASSERT_TRUE(cr1.ok()) << cr1.status();
  ASSERT_TRUE(reg.VerifyChange(*cr1, "user:bdo").ok());
  auto cr2 = reg.SubmitChange({(*member)->Text(0), "", {{"dob", "1899-12-31"}}, "certificate",
                               "operator", "user:op"});
  ASSERT_TRUE(cr2.ok()) << cr2.status();
  ASSERT_TRUE(reg.VerifyChange(*cr2, "user:bdo").ok());
  auto r = s.Refresh(db());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r, 2);

  income = s.column(Entity::kHousehold, "income_annual");
  dob = s.column(Entity::kMember, "dob");
  EXPECT_FALSE(income->ints.is_narrow());
  EXPECT_FALSE(dob->dates.is_narrow());
  const int64_t rich = s.RowOf((*family)->Int(1));
  EXPECT_EQ(income->ints[static_cast<size_t>(rich)], 3'000'000'000LL);
  const int64_t other = s.RowOf((*member)->Int(1));
  const size_t last_member = s.member_end(static_cast<size_t>(other)) - 1;
  EXPECT_EQ(dob->dates[last_member], Date::Parse("1899-12-31")->days());
  EXPECT_EQ(dob->dates[0], Date::Parse("1961-04-12")->days());  // the old rows, widened
  for (size_t h = 0; h < s.households(); ++h) {
    if (static_cast<int64_t>(h) != rich && income->present(h)) {
      EXPECT_EQ(income->ints[h], 9600000) << h;
    }
  }
  EXPECT_GT(s.memory_bytes(), narrow_bytes);

  // A rebuild narrows what fits again (the income); the 1899 date of birth keeps dob wide.
  ASSERT_TRUE(s.Rebuild(db()).ok());
  EXPECT_FALSE(s.column(Entity::kHousehold, "income_annual")->ints.is_narrow());
  EXPECT_FALSE(s.column(Entity::kMember, "dob")->dates.is_narrow());
}

TEST(SnapshotColumn, KeepsIntsAndDatesNarrowUntilOneDoesNotFit) {
  const rules::Schema& schema = RulesSchema();
  SnapshotColumn income(schema.Find(rules::Entity::kHousehold, "income_annual"));
  income.AppendInt(std::numeric_limits<int32_t>::max());
  income.AppendMissing();
  income.AppendInt(std::numeric_limits<int32_t>::min());
  income.Publish();
  EXPECT_TRUE(income.narrow());
  EXPECT_TRUE(income.view().ints.is_narrow());
  EXPECT_EQ(income.view().ints[0], std::numeric_limits<int32_t>::max());
  EXPECT_FALSE(income.view().present(1));
  EXPECT_EQ(income.view().ints[2], std::numeric_limits<int32_t>::min());
  income.AppendInt(int64_t{std::numeric_limits<int32_t>::max()} + 1);
  income.AppendText("12");  // not an int's form: missing
  income.Publish();
  EXPECT_FALSE(income.narrow());
  EXPECT_EQ(income.view().ints.wide.size(), 5u);
  EXPECT_EQ(income.view().ints[0], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(income.view().ints[2], std::numeric_limits<int32_t>::min());
  EXPECT_EQ(income.view().ints[3], int64_t{std::numeric_limits<int32_t>::max()} + 1);
  EXPECT_FALSE(income.view().present(4));

  SnapshotColumn dob(schema.Find(rules::Entity::kMember, "dob"));
  dob.AppendText("1900-01-01");
  dob.AppendText("2079-06-06");  // 65535 days later: the last day a uint16 holds
  dob.Publish();
  EXPECT_TRUE(dob.view().dates.is_narrow());
  EXPECT_EQ(dob.view().dates[0], Date::Parse("1900-01-01")->days());
  EXPECT_EQ(dob.view().dates[1], Date::Parse("2079-06-06")->days());
  EXPECT_TRUE(dob.view().valid.empty());
  dob.AppendText("2079-06-07");
  dob.Publish();
  EXPECT_FALSE(dob.view().dates.is_narrow());
  EXPECT_EQ(dob.view().dates[0], Date::Parse("1900-01-01")->days());
  EXPECT_EQ(dob.view().dates[1], Date::Parse("2079-06-06")->days());
  EXPECT_EQ(dob.view().dates[2], Date::Parse("2079-06-07")->days());
}

INSTANTIATE_TEST_SUITE_P(Backends, SnapshotTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::registry
