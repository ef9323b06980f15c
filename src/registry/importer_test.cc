// Import, de-duplication, the vault, change requests and holds, on SQLite and (when
// SPODE_TEST_PG_URL is set) PostgreSQL.
#include "registry/importer.h"

#include <fstream>
#include <set>
#include <sstream>

#include "common/verhoeff.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/ids.h"
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

class ImporterTest : public testing::RegistryTest {};

TEST_P(ImporterTest, ImportsHouseholdsWithAssignedIdsAndMaskedViews) {
  ImportReport r = Import({Family(1).dump(), Family(10, "990101002").dump()});
  EXPECT_EQ(r.lines, 2);
  EXPECT_EQ(r.households_imported, 2);
  EXPECT_EQ(r.members_imported, 6);
  EXPECT_EQ(r.households_rejected, 0);
  EXPECT_TRUE(r.rejects_file.empty());
  EXPECT_EQ(Count("households"), 2);
  EXPECT_EQ(Count("members"), 6);
  EXPECT_EQ(Count("vault"), 4);

  auto fid = db().QueryOne("SELECT family_id FROM households ORDER BY household_idx LIMIT 1");
  ASSERT_TRUE(fid.ok() && *fid);
  std::string family_id = (*fid)->Text(0);
  EXPECT_TRUE(ValidFamilyId(family_id)) << family_id;
  Registry reg(db(), key_, clock_);
  auto h = reg.GetHousehold(family_id);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ((*h)["members"].size(), 3u);
  EXPECT_EQ((*h)["attributes"]["income_annual"], 9600000);
  EXPECT_EQ((*h)["address"]["village_name"], "Rampura");
  const json& head = (*h)["members"][0];
  EXPECT_EQ(head["name"], "Sunita Devi");
  EXPECT_EQ(head["national_id"], "XXXX-XXXX-" + NationalId(1).substr(8));
  EXPECT_TRUE(ValidMemberId(head["member_id"].get<std::string>()));
  EXPECT_EQ((*h)["members"][2]["national_id"], nullptr);
  EXPECT_EQ(head["provenance"]["verification"], "self_declared");
  EXPECT_EQ(h->dump().find(NationalId(1)), std::string::npos);

  auto found = reg.FindByNationalId(NationalId(2));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, (*h)["members"][1]["member_id"]);
}

// A server's registries share the place names they have read; the view is the same either way,
// and a written view shows only the fields asked for.
TEST_P(ImporterTest, ViewsWithSharedPlaceNamesAndFieldListsMatchTheFullView) {
  Import({Family(1).dump(), Family(10, "990101002").dump()});
  auto ids = db().Query("SELECT family_id, village_code FROM households ORDER BY household_idx");
  ASSERT_TRUE(ids.ok() && ids->size() == 2u);
  PlaceNames names;
  for (const storage::Row& row : *ids) {
    Registry own(db(), key_, clock_);
    auto full = own.GetHousehold(row.Text(0));
    ASSERT_TRUE(full.ok()) << full.status();
    Registry shared(db(), key_, clock_, &names);
    auto head = shared.FindHousehold(row.Text(0));
    ASSERT_TRUE(head.ok() && head->has_value()) << head.status();
    EXPECT_EQ((*head)->village, row.Text(1));
    auto village = db().QueryOne("SELECT name FROM places WHERE code = ?", {row.Text(1)});
    ASSERT_TRUE(village.ok() && *village);
    EXPECT_EQ((*head)->village_name, (*village)->Text(0));
    EXPECT_EQ(names.Find(row.Text(1)), (*village)->Text(0));
    std::string text;
    ASSERT_TRUE(shared.WriteHousehold(**head, text).ok());
    EXPECT_EQ(json::parse(text), *full);
    const ViewFields household_fields = {"family_id", "members"};
    const ViewFields member_fields = {"member_id", "name"};
    std::string narrow;
    ASSERT_TRUE(shared.WriteHousehold(**head, narrow, &household_fields, &member_fields).ok());
    json n = json::parse(narrow);
    EXPECT_EQ(n.size(), 2u);
    EXPECT_EQ(n["family_id"], (*full)["family_id"]);
    ASSERT_EQ(n["members"].size(), (*full)["members"].size());
    for (size_t i = 0; i < n["members"].size(); ++i) {
      EXPECT_EQ(n["members"][i].size(), 2u);
      EXPECT_EQ(n["members"][i]["name"], (*full)["members"][i]["name"]);
    }
  }
  EXPECT_FALSE(names.Find("no such place").has_value());
}

TEST_P(ImporterTest, ReadingManyHouseholdsPreparesAFixedSetOfStatements) {
  // Households imported apart cite different provenance, so each household read looks up
  // a different set of provenance ids.
  for (int i = 0; i < 30; ++i) Import({Family(100 + 3 * i).dump()});
  auto distinct = db().QueryOne("SELECT COUNT(DISTINCT prov_id) FROM households");
  ASSERT_TRUE(distinct.ok() && *distinct);
  ASSERT_GE((*distinct)->Int(0), 30);
  auto ids = db().Query("SELECT family_id FROM households ORDER BY household_idx");
  ASSERT_TRUE(ids.ok());
  Registry reg(db(), key_, clock_);
  ASSERT_TRUE(reg.GetHousehold((*ids)[0].Text(0)).ok());
  const size_t after_first = db().cached_statement_count();
  for (const storage::Row& row : *ids) {
    auto h = reg.GetHousehold(row.Text(0));
    ASSERT_TRUE(h.ok()) << h.status();
    EXPECT_EQ((*h)["members"][0]["provenance"]["verification"], "self_declared");
  }
  // At most one more statement text per placeholder bucket (8, 16, 32, 64), not one per read.
  EXPECT_LE(db().cached_statement_count(), after_first + 3);
}

TEST_P(ImporterTest, NationalIdsAreOnlySealedInTheDatabaseFile) {
  Import({Family(1).dump()});
  if (tdb_.is_postgres()) {
    auto rows = db().Query("SELECT COUNT(*) FROM members WHERE attrs LIKE ? OR name LIKE ?",
                           {"%" + NationalId(1) + "%", "%" + NationalId(1) + "%"});
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ((*rows)[0].Int(0), 0);
    return;
  }
  ASSERT_TRUE(db().ExecScript("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  std::ifstream in(tdb_.path(), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  ASSERT_GT(bytes.str().size(), 4096u);
  EXPECT_EQ(bytes.str().find(NationalId(1)), std::string::npos);
  EXPECT_EQ(bytes.str().find(NationalId(2)), std::string::npos);
}

TEST_P(ImporterTest, EveryBadLineIsRejectedWithItsReasonAndNothingPartialIsStored) {
  json no_head = Household({Member("Sunita Devi", "1961-04-12", "F", "spouse")});
  json two_heads = Household({Member("Sunita Devi", "1961-04-12", "F", "head"),
                              Member("Geeta Devi", "1965-04-12", "F", "head")});
  json wrong_head = Household({Member("Ramesh Kumar", "1958-01-01", "M", "head"),
                               Member("Sunita Devi", "1961-04-12", "F", "spouse")});
  json bad_check = Family(20);
  bad_check["members"][0]["national_id"] = NationalId(20).substr(0, 11) +
                                           std::to_string((NationalId(20)[11] - '0' + 1) % 10);
  json bad_family = Family(30);
  std::string fid = FamilyIdFor(5);
  fid.back() = static_cast<char>('0' + (fid.back() - '0' + 1) % 10);
  bad_family["family_id"] = fid;
  json bad_date = Family(40);
  bad_date["members"][1]["dob"] = "2023-02-29";
  json future = Family(50);
  future["members"][2]["dob"] = "2027-01-01";
  json wrong_type = Family(60);
  wrong_type["members"][0]["dob"] = 19610412;
  json unknown_field = Family(70);
  unknown_field["members"][0]["nickname"] = "Sunny";
  json missing = Family(80);
  missing["members"][1].erase("name");
  json long_name = Family(90);
  long_name["members"][0]["name"] = std::string(400, 'a');
  json bad_attr = Family(100);
  bad_attr["attributes"]["caste_category"] = "XYZ";
  json unknown_attr = Family(110);
  unknown_attr["attributes"]["favourite_colour"] = "blue";
  json bad_village = Family(120);
  bad_village["address"]["village"] = "990201001";
  json no_members = Family(130);
  no_members["members"] = json::array();
  std::string non_utf8 = Family(140).dump();
  non_utf8.replace(non_utf8.find("Sunita"), 1, "\xff");

  std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"address\": ", "malformed JSON"},
      {no_head.dump(), "no head"},
      {two_heads.dump(), "2 heads"},
      {wrong_head.dump(), "head must be a woman aged 18"},
      {bad_check.dump(), "members[0].national_id"},
      {bad_family.dump(), "family_id"},
      {bad_date.dump(), "members[1].dob: no such date: 2023-02-29"},
      {future.dump(), "members[2].dob: is in the future"},
      {wrong_type.dump(), "members[0].dob: must be a string"},
      {unknown_field.dump(), "members[0].nickname: unknown field"},
      {missing.dump(), "members[1].name: missing"},
      {long_name.dump(), "members[0].name: longer than"},
      {bad_attr.dump(), "attributes.caste_category: must be one of SC, ST, OBC, GEN"},
      {unknown_attr.dump(), "attributes.favourite_colour: not a household attribute"},
      {bad_village.dump(), "address.village: must begin with its parent's code"},
      {no_members.dump(), "at least one member"},
      {non_utf8, "not valid UTF-8"},
      {"[1, 2, 3]", "must be a JSON object"},
  };
  std::vector<std::string> lines = {Family(1).dump()};
  for (auto& [line, reason] : cases) lines.push_back(line);
  lines.push_back("");
  lines.push_back(Family(500, "990101077").dump());
  ImportReport r = Import(lines);
  EXPECT_EQ(r.households_imported, 2);
  EXPECT_EQ(r.households_rejected, static_cast<int64_t>(cases.size()));
  EXPECT_EQ(r.blank_lines, 1);
  EXPECT_EQ(r.lines, static_cast<int64_t>(lines.size()));
  EXPECT_EQ(r.households_imported + r.households_rejected + r.blank_lines + r.households_held,
            r.lines);
  std::vector<json> rejects = Rejects(r);
  ASSERT_EQ(rejects.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(rejects[i]["line"], static_cast<int64_t>(i + 2));
    EXPECT_THAT(rejects[i]["reason"].get<std::string>(), HasSubstr(cases[i].second))
        << "case " << i;
  }
  EXPECT_EQ(Count("households"), 2);
  EXPECT_EQ(Count("members"), 6);
  EXPECT_EQ(Count("vault"), 4);
  // A rejected national ID is never echoed into the rejects file.
  std::ifstream in(r.rejects_file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().find(bad_check["members"][0]["national_id"].get<std::string>()),
            std::string::npos);
}

TEST_P(ImporterTest, ANationalIdAlreadyEnrolledRejectsTheHouseholdAndNamesTheHolder) {
  Import({Family(1).dump()});
  auto holder = db().QueryOne("SELECT member_id FROM members ORDER BY member_idx LIMIT 1");
  json again = Household({Member("Kamla Bai", "1970-01-01", "F", "head", 1)}, "990101003");
  json within = Household({Member("Kamla Bai", "1970-01-01", "F", "head", 77)}, "990101004");
  json within2 = Household({Member("Leela Bai", "1971-01-01", "F", "head", 77)}, "990101005");
  ImportReport r = Import({again.dump(), within.dump(), within2.dump()});
  EXPECT_EQ(r.households_imported, 1);
  EXPECT_EQ(r.households_rejected, 2);
  auto rejects = Rejects(r);
  ASSERT_EQ(rejects.size(), 2u);
  EXPECT_THAT(rejects[0]["reason"].get<std::string>(),
              HasSubstr("already enrolled as member " + (*holder)->Text(0)));
  EXPECT_THAT(rejects[1]["reason"].get<std::string>(), HasSubstr("already enrolled"));
  EXPECT_EQ(rejects[1]["line"], 3);
  EXPECT_EQ(Count("households"), 2);
}

TEST_P(ImporterTest, NearDuplicatesAreHeldForAnOfficerNeverMergedNorCreated) {
  Import({Family(1).dump()});
  // The same woman again, spelt differently, without a national ID, in the same village.
  json variant = Household({Member("SUNEETA  DEVEE", "1961-04-12", "F", "head")});
  json elsewhere = Household({Member("Suneeta Devee", "1961-04-12", "F", "head")}, "990101009");
  ImportReport r = Import({variant.dump(), elsewhere.dump()});
  EXPECT_EQ(r.households_held, 1);
  EXPECT_EQ(r.households_imported, 1);
  Registry reg(db(), key_, clock_);
  auto holds = reg.ListDuplicateHolds();
  ASSERT_TRUE(holds.ok()) << holds.status();
  ASSERT_EQ(holds->size(), 1u);
  const json& hold = (*holds)[0];
  EXPECT_EQ(hold["held_member"]["name"], "SUNEETA  DEVEE");
  EXPECT_EQ(hold["existing_member"]["name"], "Sunita Devi");
  auto status = db().QueryOne("SELECT status FROM households WHERE family_id = ?",
                              {hold["family_id"].get<std::string>()});
  EXPECT_EQ((*status)->Text(0), "held");

  ASSERT_TRUE(reg.DecideHold(hold["id"], "different_people", "user:bdo").ok());
  status = db().QueryOne("SELECT status FROM households WHERE family_id = ?",
                         {hold["family_id"].get<std::string>()});
  EXPECT_EQ((*status)->Text(0), "active");
  EXPECT_EQ(reg.DecideHold(hold["id"], "same_person", "user:bdo").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(reg.DecideHold(hold["id"], "maybe", "user:bdo").code(),
            StatusCode::kInvalidArgument);
}

TEST_P(ImporterTest, SamePersonDecisionRejectsTheHeldHouseholdAndErasesItsVaultEntries) {
  Import({Family(1).dump()});
  json variant = Household({Member("Sunitaa Dewi", "1961-04-12", "F", "head"),
                            Member("Mohan", "1990-01-01", "M", "son", 55)});
  ImportReport r = Import({variant.dump()});
  ASSERT_EQ(r.households_held, 1);
  Registry reg(db(), key_, clock_);
  auto holds = reg.ListDuplicateHolds();
  ASSERT_TRUE(holds.ok());
  ASSERT_TRUE(reg.DecideHold((*holds)[0]["id"], "same_person", "user:bdo").ok());
  EXPECT_EQ(reg.FindByNationalId(NationalId(55)).status().code(), StatusCode::kNotFound);
  auto events = db().QueryOne("SELECT COUNT(*) FROM registry_events WHERE kind = "
                              "'duplicate_rejected'");
  EXPECT_EQ((*events)->Int(0), 1);
  // The national ID can now be enrolled by its real household.
  ImportReport again = Import({Household({Member("Mohan", "1990-01-01", "M", "head", 55)},
                                         "990101007")
                                   .dump()});
  EXPECT_EQ(again.households_imported, 1);
}

TEST_P(ImporterTest, ChangeRequestsNeedAnotherOfficerAndKeepHistory) {
  Import({Family(1).dump()});
  auto mid = db().QueryOne("SELECT member_id FROM members ORDER BY member_idx LIMIT 1");
  std::string member_id = (*mid)->Text(0);
  Registry reg(db(), key_, clock_);
  Timestamp before = clock_.Now();
  clock_.Advance(std::chrono::hours(24));

  ChangeRequestInput bad{member_id, "", {{"disability_percent", 140}}, "certificate",
                         "operator", "user:op1"};
  EXPECT_EQ(reg.SubmitChange(bad).status().code(), StatusCode::kInvalidArgument);
  ChangeRequestInput unknown{member_id, "", {{"shoe_size", 9}}, "x", "operator", "user:op1"};
  EXPECT_EQ(reg.SubmitChange(unknown).status().code(), StatusCode::kInvalidArgument);
  ChangeRequestInput nobody{"00000000000", "", {{"disability_percent", 40}}, "x", "operator",
                            "user:op1"};
  EXPECT_EQ(reg.SubmitChange(nobody).status().code(), StatusCode::kNotFound);

  ChangeRequestInput in{member_id, "", {{"disability_percent", 60}, {"name", "Sunita Devi Meena"}},
                        "disability certificate issued", "operator", "user:op1"};
  auto cr = reg.SubmitChange(in);
  ASSERT_TRUE(cr.ok()) << cr.status();
  EXPECT_EQ(reg.VerifyChange(*cr, "user:op1").code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(reg.VerifyChange(*cr, "user:bdo").ok());
  EXPECT_EQ(reg.VerifyChange(*cr, "user:bdo").code(), StatusCode::kFailedPrecondition);

  auto now = reg.GetMember(member_id);
  ASSERT_TRUE(now.ok());
  EXPECT_EQ((*now)["attributes"]["disability_percent"], 60);
  EXPECT_EQ((*now)["name"], "Sunita Devi Meena");
  EXPECT_EQ((*now)["version"], 2);
  EXPECT_EQ((*now)["attribute_provenance"]["disability_percent"]["verification"],
            "officer_verified");
  auto then = reg.GetMember(member_id, before);
  ASSERT_TRUE(then.ok()) << then.status();
  EXPECT_EQ((*then)["name"], "Sunita Devi");
  EXPECT_FALSE((*then)["attributes"].contains("disability_percent"));
  EXPECT_EQ(reg.GetMember(member_id, Timestamp{before.micros - 3600'000'000LL * 24}).status().code(),
            StatusCode::kNotFound);

  // A rejection needs a reason and is recorded as an event for the re-entry work.
  ChangeRequestInput second{member_id, "", {{"school_enrolled", true}}, "admitted", "self",
                            "citizen:" + member_id};
  auto cr2 = reg.SubmitChange(second);
  ASSERT_TRUE(cr2.ok());
  EXPECT_EQ(reg.RejectChange(*cr2, "user:bdo", "").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(reg.RejectChange(*cr2, "user:bdo", "no admission record").ok());
  auto listed = reg.ListChangeRequests("rejected");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0]["decision_note"], "no admission record");
}

TEST_P(ImporterTest, TheDatabaseItselfRefusesSelfVerification) {
  Import({Family(1).dump()});
  Registry reg(db(), key_, clock_);
  auto mid = db().QueryOne("SELECT member_id FROM members LIMIT 1");
  auto cr = reg.SubmitChange({(*mid)->Text(0), "", {{"school_enrolled", true}}, "x", "officer",
                              "user:a"});
  ASSERT_TRUE(cr.ok());
  auto r = db().Execute("UPDATE change_requests SET decided_by = 'user:a' WHERE cr_id = ?", {*cr});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(ImporterTest, ReimportingTheSameFileEnrolsNothingTwice) {
  json a = Family(1);
  a["family_id"] = FamilyIdFor(999);
  ImportReport first = Import({a.dump()});
  ASSERT_EQ(first.households_imported, 1);
  ImportReport second = Import({a.dump()});
  EXPECT_EQ(second.households_imported, 0);
  EXPECT_EQ(second.households_rejected, 1);
  EXPECT_EQ(Count("households"), 1);
}

TEST_P(ImporterTest, BulkModeRebuildsEveryIndexAndStillEnforcesUniqueness) {
  auto indexes = [&] {
    auto rows = tdb_.is_postgres()
                    ? db().Query("SELECT indexname FROM pg_indexes WHERE schemaname = "
                                 "current_schema() ORDER BY indexname")
                    : db().Query("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS "
                                 "NOT NULL ORDER BY name");
    std::vector<std::string> names;
    for (const auto& r : *rows) names.push_back(r.Text(0));
    return names;
  };
  std::vector<std::string> before = indexes();
  std::vector<std::string> lines;
  for (int i = 0; i < 40; ++i) lines.push_back(Family(1000 + 10 * i, "9901010" + std::to_string(10 + i)).dump());
  ImportReport r = Import(lines, ImportOptions::Mode::kBulk);
  EXPECT_EQ(r.households_imported, 40);
  EXPECT_EQ(indexes(), before);
  auto mid = db().QueryOne("SELECT member_id FROM members LIMIT 1");
  auto dup = db().Execute("UPDATE members SET member_id = ? WHERE member_idx = (SELECT MAX(member_idx) "
                          "FROM members)",
                          {(*mid)->Text(0)});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  // A later import sees everything the bulk load enrolled.
  ImportReport again = Import({lines[3]});
  EXPECT_EQ(again.households_held + again.households_rejected, 1);
}

// Lines of one file citing different sources each keep their own: a line like the one before
// takes its provenance record, and a source seen earlier in the file takes that one's again.
TEST_P(ImporterTest, EachLineKeepsTheProvenanceItCites) {
  const json survey = {{"source", "survey"}, {"as_of", "2026-01-15"},
                       {"verification", "operator_checked"}};
  const json census = {{"source", "census"}, {"as_of", "2025-06-01"},
                       {"verification", "registry_verified"}};
  json survey_verified = survey, survey_later = survey;  // each differs in one field
  survey_verified["verification"] = "officer_verified";
  survey_later["as_of"] = "2026-02-01";
  const std::vector<json> cited = {survey,         survey,       census, survey,
                                   survey_verified, survey_later, census};
  std::vector<std::string> lines;
  for (size_t i = 0; i < cited.size(); ++i) {
    json h = Family(2000 + 10 * static_cast<int>(i), "9901010" + std::to_string(20 + i));
    h["provenance"] = cited[i];
    lines.push_back(h.dump());
  }
  ImportReport r = Import(lines);
  ASSERT_EQ(r.households_imported, static_cast<int64_t>(cited.size()));
  auto rows = db().Query("SELECT p.source, p.as_of, p.verification, h.prov_id FROM households "
                         "h JOIN provenance p ON p.prov_id = h.prov_id ORDER BY "
                         "h.household_idx");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), cited.size());
  for (size_t i = 0; i < cited.size(); ++i) {
    EXPECT_EQ((*rows)[i].Text(0), cited[i]["source"]) << "line " << i + 1;
    EXPECT_EQ((*rows)[i].Text(1), cited[i]["as_of"]) << "line " << i + 1;
    EXPECT_EQ((*rows)[i].Text(2), cited[i]["verification"]) << "line " << i + 1;
  }
  EXPECT_EQ((*rows)[0].Int(3), (*rows)[1].Int(3));
  EXPECT_EQ((*rows)[0].Int(3), (*rows)[3].Int(3));
  EXPECT_EQ((*rows)[2].Int(3), (*rows)[6].Int(3));
  std::set<int64_t> distinct;
  for (const storage::Row& row : *rows) distinct.insert(row.Int(3));
  EXPECT_EQ(distinct.size(), 4u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImporterTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::registry
