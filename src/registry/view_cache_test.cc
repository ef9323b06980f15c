// Household views kept between reads: served until their household changes, whoever changes it.
#include "registry/view_cache.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "registry/change_feed.h"
#include "registry/registry.h"
#include "registry/testing/fixture.h"

namespace spode::registry {
namespace {

using nlohmann::json;
using testing::Family;
using testing::Household;
using testing::kNow;
using testing::Member;

const ViewFields kEverything = {"address",    "attributes", "family_id", "members",
                                "provenance", "status",     "version"};
const ViewFields kFewer = {"family_id", "members", "status"};
const ViewFields kMemberFields = {"member_id", "name", "version"};

class ViewCacheTest : public testing::RegistryTest {
 protected:
  // A read as the API does it: catch up, then find the view or write it from the tables and
  // keep it. Says whether it was found.
  struct Read {
    std::string text;
    bool found = false;
  };
  Read ReadView(ViewCache& views, const std::string& family_id,
                const ViewFields* fields = &kEverything) {
    Read out;
    auto ticket = views.CatchUp(db());
    EXPECT_TRUE(ticket.ok()) << ticket.status();
    if (!ticket.ok()) return out;
    if (auto kept = views.Find(family_id, fields, &kMemberFields)) {
      out.text = *kept->text;
      out.found = true;
      return out;
    }
    Registry reg(db(), key_, clock_);
    auto head = reg.FindHousehold(family_id);
    EXPECT_TRUE(head.ok() && head->has_value());
    if (!head.ok() || !head->has_value()) return out;
    EXPECT_TRUE(reg.WriteHousehold(**head, out.text, fields, &kMemberFields).ok());
    views.Put(*ticket, family_id,
              {(*head)->household_idx, (*head)->village, (*head)->status,
               std::make_shared<const std::string>(out.text)},
              fields, &kMemberFields);
    return out;
  }

  std::string FamilyId(int n) {
    auto rows = db().Query("SELECT family_id FROM households ORDER BY household_idx");
    EXPECT_TRUE(rows.ok() && static_cast<int>(rows->size()) > n);
    return rows.ok() && static_cast<int>(rows->size()) > n ? (*rows)[n].Text(0) : "";
  }

  // Verifies a change to the last member of household `n` on a connection of its own, as
  // another process would.
  void ChangeNameElsewhere(int n, const std::string& name) {
    auto other = tdb_.Connect();
    ASSERT_TRUE(other.ok()) << other.status();
    auto member = (*other)->QueryOne(
        "SELECT m.member_id FROM members m JOIN households h ON h.household_idx = "
        "m.household_idx WHERE h.family_id = ? ORDER BY m.member_idx DESC LIMIT 1",
        {FamilyId(n)});
    ASSERT_TRUE(member.ok() && member->has_value());
    Registry reg(**other, key_, clock_);
    auto cr = reg.SubmitChange(
        {(*member)->Text(0), "", {{"name", name}}, "gazette", "operator", "user:op"});
    ASSERT_TRUE(cr.ok()) << cr.status();
    ASSERT_TRUE(reg.VerifyChange(*cr, "user:bdo").ok());
  }
};

TEST_P(ViewCacheTest, AViewIsServedUntilItsHouseholdChangesElsewhere) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  ViewCache views(1 << 20);
  Read first = ReadView(views, FamilyId(0));
  EXPECT_FALSE(first.found);
  ASSERT_NE(first.text.find("Pooja Kumari"), std::string::npos) << first.text;
  Read kept = ReadView(views, FamilyId(0));
  EXPECT_TRUE(kept.found);
  EXPECT_EQ(kept.text, first.text);
  EXPECT_FALSE(ReadView(views, FamilyId(1)).found);

  ChangeNameElsewhere(0, "Pooja Meena");
  Read changed = ReadView(views, FamilyId(0));
  EXPECT_FALSE(changed.found);
  EXPECT_NE(changed.text.find("Pooja Meena"), std::string::npos) << changed.text;
  EXPECT_TRUE(ReadView(views, FamilyId(0)).found);
  EXPECT_TRUE(ReadView(views, FamilyId(1)).found);  // the other household's view stays
  ViewCache::Stats stats = views.stats();
  EXPECT_EQ(stats.hits, 3);
  EXPECT_EQ(stats.misses, 3);
  EXPECT_EQ(stats.dropped, 1);
  EXPECT_EQ(stats.views, 2u);
  // On an SQLite file the reads after the first, and after the change, found nothing committed
  // by the stamp alone (storage::Database::LastCommit); PostgreSQL has no stamp.
  EXPECT_EQ(stats.unchanged, GetParam() == "sqlite" ? 4 : 0);
}

// A view read before a change that the cache has since applied may be the old one: not kept.
TEST_P(ViewCacheTest, AViewReadBeforeALaterChangeIsNotKept) {
  ASSERT_EQ(Import({Family(1).dump()}).households_imported, 1);
  ViewCache views(1 << 20);
  auto ticket = views.CatchUp(db());
  ASSERT_TRUE(ticket.ok());
  Registry reg(db(), key_, clock_);
  auto head = reg.FindHousehold(FamilyId(0));
  ASSERT_TRUE(head.ok() && head->has_value());
  std::string old_text;
  ASSERT_TRUE(reg.WriteHousehold(**head, old_text, &kEverything, &kMemberFields).ok());
  ChangeNameElsewhere(0, "Pooja Meena");
  ASSERT_TRUE(views.CatchUp(db()).ok());  // another read sees the change first
  views.Put(*ticket, FamilyId(0),
            {(*head)->household_idx, (*head)->village, (*head)->status,
             std::make_shared<const std::string>(old_text)},
            &kEverything, &kMemberFields);
  Read now = ReadView(views, FamilyId(0));
  EXPECT_FALSE(now.found);
  EXPECT_NE(now.text.find("Pooja Meena"), std::string::npos) << now.text;
}

TEST_P(ViewCacheTest, EachFieldSetHasAViewOfItsOwn) {
  ASSERT_EQ(Import({Family(1).dump()}).households_imported, 1);
  ViewCache views(1 << 20);
  Read all = ReadView(views, FamilyId(0), &kEverything);
  Read fewer = ReadView(views, FamilyId(0), &kFewer);
  EXPECT_FALSE(fewer.found);
  EXPECT_EQ(fewer.text.find("address"), std::string::npos) << fewer.text;
  EXPECT_NE(all.text.find("address"), std::string::npos) << all.text;
  EXPECT_EQ(ReadView(views, FamilyId(0), &kFewer).text, fewer.text);
  EXPECT_EQ(ReadView(views, FamilyId(0), &kEverything).text, all.text);
  EXPECT_EQ(views.stats().hits, 2);
}

TEST_P(ViewCacheTest, ABulkLoadDropsEveryView) {
  ASSERT_EQ(Import({Family(1).dump(), Family(10, "990101002").dump()}).households_imported, 2);
  ViewCache views(1 << 20);
  ReadView(views, FamilyId(0));
  ReadView(views, FamilyId(1));
  ASSERT_EQ(views.stats().views, 2u);
  ASSERT_TRUE(db().Begin().ok());
  ASSERT_TRUE(RecordChange(db(), 0, kNow.micros).ok());  // what a bulk import records
  ASSERT_TRUE(db().Commit().ok());
  EXPECT_FALSE(ReadView(views, FamilyId(0)).found);
  EXPECT_FALSE(ReadView(views, FamilyId(1)).found);
  EXPECT_EQ(views.stats().dropped, 2);
}

// A held household found to be a duplicate is rejected: its kept view must go with it.
TEST_P(ViewCacheTest, ARejectedHouseholdIsNoLongerServed) {
  ASSERT_EQ(Import({Family(1).dump()}).households_imported, 1);
  json variant = Household({Member("Suneeta Devee", "1961-04-12", "F", "head")});
  ASSERT_EQ(Import({variant.dump()}).households_held, 1);
  ViewCache views(1 << 20);
  Read held = ReadView(views, FamilyId(1));
  ASSERT_NE(held.text.find("\"held\""), std::string::npos) << held.text;
  ASSERT_TRUE(ReadView(views, FamilyId(1)).found);
  Registry reg(db(), key_, clock_);
  auto holds = reg.ListDuplicateHolds();
  ASSERT_TRUE(holds.ok() && !holds->empty());
  ASSERT_TRUE(reg.DecideHold((*holds)[0]["id"], "same_person", "user:bdo").ok());
  ASSERT_TRUE(views.CatchUp(db()).ok());
  EXPECT_FALSE(views.Find(FamilyId(1), &kEverything, &kMemberFields).has_value());
}

// Memory stays within the bound; the views read again lately stay when older ones go.
TEST_P(ViewCacheTest, MemoryStaysWithinItsBoundAndRecentViewsStay) {
  std::vector<std::string> lines;
  for (int i = 0; i < 12; ++i) {
    std::string village = std::to_string(990101001 + i);  // one each: not duplicates
    lines.push_back(Family(100 + 10 * i, village).dump());
  }
  ASSERT_EQ(Import(lines).households_imported, 12);
  ViewCache probe(1 << 20);
  size_t one = ReadView(probe, FamilyId(0)).text.size();
  const size_t bound = 6 * (one + 300);  // about three views a generation
  ViewCache views(bound);
  for (int i = 0; i < 12; ++i) {
    ReadView(views, FamilyId(i));
    ReadView(views, FamilyId(0));  // household 0 is read all along
    EXPECT_LE(views.stats().bytes, bound);
  }
  EXPECT_LT(views.stats().views, 12u);
  EXPECT_TRUE(ReadView(views, FamilyId(0)).found);
  EXPECT_TRUE(ReadView(views, FamilyId(11)).found);
  EXPECT_FALSE(ReadView(views, FamilyId(1)).found);  // read once, long ago

  // Views found in the old generation move to the young one; that too stays within the bound,
  // however often everything is read again.
  ViewCache busy(bound);
  for (int i = 0; i < 12; ++i) {
    for (int j = 0; j <= i; ++j) {
      ReadView(busy, FamilyId(j));
      ASSERT_LE(busy.stats().bytes, bound) << "household " << j << " after " << i;
    }
  }
  EXPECT_GT(busy.stats().hits, 0);

  ViewCache none(0);
  ReadView(none, FamilyId(0));
  EXPECT_FALSE(ReadView(none, FamilyId(0)).found);
  EXPECT_EQ(none.stats().views, 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ViewCacheTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::registry
