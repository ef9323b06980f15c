// The happy paths, end to end through a real server: sign-in, the citizen's own view and access
// log, enrolment with de-duplication, search and pagination, change requests with
// maker-checker, the duplicate queue, and an operator's assisted session.
#include <set>

#include "api/testing/api_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/household.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;
using ::testing::HasSubstr;

class FunctionalTest : public ApiFixture {
 protected:
  Reply Search(const json& body, const std::string& token) {
    return Call("POST", "/api/v1/search", body, token);
  }
  static std::vector<std::string> MemberIds(const Reply& r) {
    std::vector<std::string> out;
    if (r.doc.is_object() && r.doc.contains("results")) {
      for (const json& e : r.doc["results"]) out.push_back(e["member_id"]);
    }
    return out;
  }
};

TEST_P(FunctionalTest, StaffLoginReturnsATokenAndAHardenedCookie) {
  EnsureUser("officer.9901");
  Reply r = Call("POST", "/api/v1/auth/login",
                 json{{"username", "officer.9901"}, {"password", testing::kPassword}});
  ASSERT_EQ(r.status, 200) << r;
  std::string token = r.doc["token"];
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(r.doc["username"], "officer.9901");
  EXPECT_EQ(r.doc["role"], "officer");
  EXPECT_EQ(r.doc["scope"], "9901");
  EXPECT_FALSE(r.doc.contains("password"));
  std::string cookie = r.Header("set-cookie");
  EXPECT_THAT(cookie, HasSubstr("spode_session=" + token));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("Secure"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("Max-Age=" + std::to_string(access::kStaffSessionSeconds)));
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  // Both the bearer token and the cookie authenticate.
  EXPECT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, token).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, "",
                 "Cookie: theme=dark; spode_session=" + token + "\r\n")
                .status,
            200);
}

TEST_P(FunctionalTest, ACitizenSignsInWithACodeAndSeesTheirHouseholdAndWhoReadIt) {
  const std::string& me = A().member_ids[0];
  Reply otp = Call("POST", "/api/v1/auth/otp", json{{"member_id", me}});
  ASSERT_EQ(otp.status, 202) << otp;
  EXPECT_EQ(otp.doc["expires_in_seconds"], access::kOtpLifetimeSeconds);
  std::string code = LatestCode(me);
  ASSERT_EQ(code.size(), 6u);
  Reply in = Call("POST", "/api/v1/auth/otp/verify", json{{"member_id", me}, {"code", code}});
  ASSERT_EQ(in.status, 200) << in;
  std::string token = in.doc["token"];
  EXPECT_THAT(in.Header("set-cookie"), HasSubstr("HttpOnly"));
  EXPECT_THAT(in.Header("set-cookie"),
              HasSubstr("Max-Age=" + std::to_string(access::kCitizenSessionSeconds)));

  Reply mine = Call("GET", "/api/v1/me", std::nullopt, token);
  ASSERT_EQ(mine.status, 200) << mine;
  EXPECT_EQ(mine.doc["family_id"], A().family_id);
  EXPECT_EQ(mine.doc["you"], me);
  ASSERT_EQ(mine.doc["members"].size(), 3u);
  EXPECT_EQ(mine.doc["members"][0]["name"], "Sunita Devi");
  EXPECT_EQ(mine.doc["members"][0]["national_id"], "XXXX-XXXX-" + testing::NationalId(1).substr(8));
  EXPECT_EQ(mine.doc["members"][0]["phone"], "XXXXXX0011");
  EXPECT_EQ(mine.doc["members"][2]["national_id"], nullptr);
  EXPECT_EQ(mine.doc["address"]["village"], "990101001");

  // An officer reads the household; an officer of another district tries to.
  ASSERT_EQ(Call("GET", "/api/v1/households/" + A().family_id + "?purpose=pension_review",
                 std::nullopt, Token("officer.9901"))
                .status,
            200);
  ASSERT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt,
                 Token("officer.9902"))
                .status,
            404);
  Reply log = Call("GET", "/api/v1/me/access-log", std::nullopt, token);
  ASSERT_EQ(log.status, 200) << log;
  bool read = false, refused = false;
  for (const json& e : log.doc["entries"]) {
    if (e["who"] == "user:officer.9901" && e["action"] == "household.read" &&
        e["purpose"] == "pension_review" && e["decision"] == "allow") {
      read = true;
    }
    if (e["who"] == "user:officer.9902" && e["decision"] == "deny") refused = true;
  }
  EXPECT_TRUE(read) << log;
  EXPECT_TRUE(refused) << log;
  // The citizen's own reads are there too; nothing of other households is.
  EXPECT_GE(log.doc["entries"].size(), 4u);
}

TEST_P(FunctionalTest, EnrolmentEnrolsHoldsANearDuplicateAndRefusesAReusedNationalId) {
  std::string op = Token("operator.one");
  json fresh = HouseholdJson(
      {Member("Lata Devi", "1980-01-01", "F", "head", 101, "9876500051", true),
       Member("Raju", "2005-05-05", "M", "son", 102)},
      "990101004");
  testing::RememberNationalId(testing::NationalId(101));
  testing::RememberNationalId(testing::NationalId(102));
  Reply enrolled = Call("POST", "/api/v1/households", fresh, op);
  ASSERT_EQ(enrolled.status, 201) << enrolled;
  EXPECT_EQ(enrolled.doc["status"], "enrolled");
  std::string family = enrolled.doc["family_id"];
  EXPECT_TRUE(registry::ValidFamilyId(family)) << family;
  ASSERT_EQ(enrolled.doc["member_ids"].size(), 2u);
  for (const json& m : enrolled.doc["member_ids"]) {
    EXPECT_TRUE(registry::ValidMemberId(m.get<std::string>())) << m;
  }
  Reply view = Call("GET", "/api/v1/households/" + family, std::nullopt, Token("officer.9901"));
  ASSERT_EQ(view.status, 200) << view;
  EXPECT_EQ(view.doc["status"], "active");
  EXPECT_EQ(view.doc["members"][0]["national_id"],
            "XXXX-XXXX-" + testing::NationalId(101).substr(8));

  // The same woman again, spelt differently, no national ID, same village: held.
  json variant = HouseholdJson({Member("LATAA DEVEE", "1980-01-01", "F", "head")}, "990101004");
  Reply held = Call("POST", "/api/v1/households", variant, op);
  ASSERT_EQ(held.status, 202) << held;
  EXPECT_EQ(held.doc["status"], "held");
  EXPECT_THAT(held.doc.value("reason", ""), HasSubstr("same name"));

  // A national ID already enrolled: 409, and the number is never echoed.
  json reused = HouseholdJson({Member("Kusum", "1990-01-01", "F", "head", 101)}, "990101005");
  Reply conflict = Call("POST", "/api/v1/households", reused, op);
  EXPECT_EQ(conflict.status, 409) << conflict;
  EXPECT_EQ(conflict.code(), "ALREADY_EXISTS");
  EXPECT_EQ(conflict.body.find(testing::NationalId(101)), std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM households WHERE village_code = '990101005'"), 0);
}

TEST_P(FunctionalTest, SearchFindsByEachKeyWithinTheOfficersArea) {
  std::string officer = Token("officer.9901");
  const std::string& mid = A().member_ids[1];
  Reply by_member = Search({{"member_id", mid}}, officer);
  ASSERT_EQ(by_member.status, 200) << by_member;
  ASSERT_EQ(MemberIds(by_member), std::vector<std::string>{mid});
  const json& hit = by_member.doc["results"][0];
  EXPECT_EQ(hit["family_id"], A().family_id);
  EXPECT_EQ(hit["name"], "Ramesh Kumar");
  EXPECT_EQ(hit["village"], "990101001");
  EXPECT_EQ(by_member.doc["next_page_token"], nullptr);

  Reply by_family = Search({{"family_id", B().family_id}}, officer);
  ASSERT_EQ(by_family.status, 200);
  EXPECT_EQ(MemberIds(by_family), B().member_ids);

  // A national ID is hashed on arrival; the answer never contains it (Call checks every body).
  Reply by_nid = Search({{"national_id", testing::NationalId(2)}}, officer);
  ASSERT_EQ(by_nid.status, 200) << by_nid;
  EXPECT_EQ(MemberIds(by_nid), std::vector<std::string>{mid});
  EXPECT_EQ(by_nid.body.find(testing::NationalId(2)), std::string::npos);
  EXPECT_TRUE(MemberIds(Search({{"national_id", testing::NationalId(88)}}, officer)).empty());

  // A name, spelt another way, within a village.
  Reply by_name = Search({{"name", "Suneeta  DEVEE"}, {"village", "990101001"}}, officer);
  ASSERT_EQ(by_name.status, 200) << by_name;
  EXPECT_EQ(MemberIds(by_name), std::vector<std::string>{A().member_ids[0]});
  EXPECT_TRUE(MemberIds(Search({{"name", "Sunita Devi"}, {"village", "990101002"}}, officer)).empty());

  // Outside the officer's area: nothing, by any key.
  EXPECT_TRUE(MemberIds(Search({{"member_id", C().member_ids[0]}}, officer)).empty());
  EXPECT_TRUE(MemberIds(Search({{"national_id", testing::NationalId(5)}}, officer)).empty());
  EXPECT_TRUE(
      MemberIds(Search({{"name", "Kamla Devi"}, {"village", "990201001"}}, officer)).empty());
  // Operators find by exact ID, not by name.
  std::string op = Token("operator.one");
  EXPECT_EQ(MemberIds(Search({{"member_id", C().member_ids[0]}}, op)),
            std::vector<std::string>{C().member_ids[0]});
  Reply op_name = Search({{"name", "Sunita Devi"}, {"village", "990101001"}}, op);
  EXPECT_EQ(op_name.status, 403) << op_name;
}

TEST_P(FunctionalTest, PaginationIsStableWithoutDuplicatesAcrossPages) {
  std::string officer = Token("officer.9901");
  Reply all = Search({{"family_id", D().family_id}, {"page_size", 100}}, officer);
  ASSERT_EQ(all.status, 200) << all;
  std::vector<std::string> expected = MemberIds(all);
  ASSERT_EQ(expected.size(), 5u);
  for (int size : {1, 2, 3, 5}) {
    std::vector<std::string> seen;
    std::optional<std::string> token;
    int pages = 0;
    do {
      json body = {{"family_id", D().family_id}, {"page_size", size}};
      if (token) body["page_token"] = *token;
      Reply page = Search(body, officer);
      ASSERT_EQ(page.status, 200) << page;
      auto ids = MemberIds(page);
      EXPECT_LE(ids.size(), static_cast<size_t>(size));
      seen.insert(seen.end(), ids.begin(), ids.end());
      token.reset();
      if (page.doc["next_page_token"].is_string()) token = page.doc["next_page_token"];
      ASSERT_LT(++pages, 10);
    } while (token);
    EXPECT_EQ(seen, expected) << "page_size " << size;
    EXPECT_EQ(pages, (5 + size - 1) / size) << size;
    std::set<std::string> distinct(seen.begin(), seen.end());
    EXPECT_EQ(distinct.size(), seen.size());
  }
  // The same again: the order does not change between calls.
  EXPECT_EQ(MemberIds(Search({{"family_id", D().family_id}}, officer)), expected);
}

// A household read keeps its view (registry/view_cache.h). A later read of it is decided and
// recorded by the gate as the first was, whoever asks, and a verified change shows at once.
TEST_P(FunctionalTest, AKeptHouseholdViewIsGatedRecordedAndNeverStale) {
  std::string maker = Token("officer.9901"), checker = Token("officer.9901.two");
  const std::string path = "/api/v1/households/" + A().family_id;
  Reply first = Call("GET", path, std::nullopt, maker, "", "kept-view-1");
  ASSERT_EQ(first.status, 200) << first;
  Reply again = Call("GET", path, std::nullopt, checker, "", "kept-view-2");
  ASSERT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.body, first.body);
  Reply elsewhere = Call("GET", path, std::nullopt, Token("officer.9902"), "", "kept-view-3");
  EXPECT_EQ(elsewhere.status, 404) << elsewhere;
  EXPECT_EQ(elsewhere.body.find(A().member_ids[0]), std::string::npos);
  registry::ViewCache::Stats stats = api_->household_view_stats();
  EXPECT_EQ(stats.hits, 2);  // the checker's read and the denied one
  EXPECT_EQ(stats.misses, 1);
  using Decision = std::pair<std::string, std::string>;
  EXPECT_EQ(LogFor("kept-view-1"), (std::vector<Decision>{{"household.read", "allow"}}));
  EXPECT_EQ(LogFor("kept-view-2"), (std::vector<Decision>{{"household.read", "allow"}}));
  EXPECT_EQ(LogFor("kept-view-3"), (std::vector<Decision>{{"household.read", "deny"}}));

  Reply submitted = Call("POST", "/api/v1/change-requests",
                         json{{"member_id", A().member_ids[1]},
                              {"changes", {{"name", "Ramesh Meena"}}},
                              {"reason", "gazette notification"}},
                         maker);
  ASSERT_EQ(submitted.status, 201) << submitted;
  Reply pending = Call("GET", path, std::nullopt, maker);
  EXPECT_EQ(pending.body, first.body);  // a change request alone changes nothing
  ASSERT_EQ(
      Call("POST",
           "/api/v1/change-requests/" + std::to_string(int64_t{submitted.doc["id"]}) + "/verify",
           std::nullopt, checker)
          .status,
      200);
  Reply changed = Call("GET", path, std::nullopt, maker);
  ASSERT_EQ(changed.status, 200) << changed;
  EXPECT_EQ(changed.doc["members"][1]["name"], "Ramesh Meena");
  EXPECT_EQ(changed.doc["members"][1]["version"], 2);
}

TEST_P(FunctionalTest, AChangeRequestIsSubmittedVerifiedByAnotherOfficerAndApplied) {
  std::string maker = Token("officer.9901"), checker = Token("officer.9901.two");
  const std::string& mid = A().member_ids[1];
  Reply submitted = Call("POST", "/api/v1/change-requests",
                         json{{"member_id", mid},
                              {"changes", {{"disability_percent", 60}, {"name", "Ramesh Kumar Meena"}}},
                              {"reason", "disability certificate issued"}},
                         maker);
  ASSERT_EQ(submitted.status, 201) << submitted;
  EXPECT_EQ(submitted.doc["status"], "pending");
  int64_t id = submitted.doc["id"];

  Reply pending = Call("GET", "/api/v1/change-requests", std::nullopt, checker);
  ASSERT_EQ(pending.status, 200) << pending;
  ASSERT_EQ(pending.doc["change_requests"].size(), 1u);
  const json& cr = pending.doc["change_requests"][0];
  EXPECT_EQ(cr["id"], id);
  EXPECT_EQ(cr["member_id"], mid);
  EXPECT_EQ(cr["submitted_by"], "user:officer.9901");
  EXPECT_EQ(cr["changes"]["disability_percent"], 60);
  // The officer of another district does not see it.
  Reply elsewhere = Call("GET", "/api/v1/change-requests", std::nullopt, Token("officer.9902"));
  ASSERT_EQ(elsewhere.status, 200);
  EXPECT_TRUE(elsewhere.doc["change_requests"].empty());

  Reply verified =
      Call("POST", "/api/v1/change-requests/" + std::to_string(id) + "/verify", std::nullopt, checker);
  ASSERT_EQ(verified.status, 200) << verified;
  EXPECT_EQ(verified.doc["status"], "applied");
  Reply member = Call("GET", "/api/v1/members/" + mid, std::nullopt, checker);
  ASSERT_EQ(member.status, 200) << member;
  EXPECT_EQ(member.doc["name"], "Ramesh Kumar Meena");
  EXPECT_EQ(member.doc["attributes"]["disability_percent"], 60);
  EXPECT_EQ(member.doc["version"], 2);
  EXPECT_EQ(member.doc["attribute_provenance"]["disability_percent"]["verification"],
            "officer_verified");
  Reply again =
      Call("POST", "/api/v1/change-requests/" + std::to_string(id) + "/verify", std::nullopt, checker);
  EXPECT_EQ(again.status, 409) << again;
  EXPECT_EQ(again.code(), "FAILED_PRECONDITION");
  Reply applied = Call("GET", "/api/v1/change-requests?status=applied", std::nullopt, maker);
  ASSERT_EQ(applied.status, 200);
  ASSERT_EQ(applied.doc["change_requests"].size(), 1u);
  EXPECT_EQ(applied.doc["change_requests"][0]["decided_by"], "user:officer.9901.two");

  // A citizen's request, rejected with a reason the citizen can read.
  std::string citizen = CitizenToken(A().member_ids[0]);
  Reply mine = Call("POST", "/api/v1/change-requests",
                    json{{"family_id", A().family_id},
                         {"changes", {{"ration_card", "BPL"}}},
                         {"reason", "new card"}},
                    citizen);
  ASSERT_EQ(mine.status, 201) << mine;
  std::string mine_id = std::to_string(mine.doc["id"].get<int64_t>());
  Reply rejected = Call("POST", "/api/v1/change-requests/" + mine_id + "/reject",
                        json{{"note", "no card was issued"}}, maker);
  ASSERT_EQ(rejected.status, 200) << rejected;
  EXPECT_EQ(rejected.doc["status"], "rejected");
  Reply list = Call("GET", "/api/v1/change-requests?status=rejected", std::nullopt, maker);
  ASSERT_EQ(list.doc["change_requests"].size(), 1u);
  EXPECT_EQ(list.doc["change_requests"][0]["decision_note"], "no card was issued");
}

TEST_P(FunctionalTest, DuplicatesAreListedSideBySideAndDecided) {
  std::string op = Token("operator.one"), officer = Token("officer.9901");
  Reply held = Call("POST", "/api/v1/households",
                    HouseholdJson({Member("SUNEETA DEVEE", "1961-04-12", "F", "head")}, "990101001"),
                    op);
  ASSERT_EQ(held.status, 202) << held;
  std::string held_family = held.doc["family_id"];
  Reply held2 = Call("POST", "/api/v1/households",
                     HouseholdJson({Member("Geetaa Baai", "1970-03-15", "F", "head")}, "990101001"),
                     op);
  ASSERT_EQ(held2.status, 202) << held2;

  Reply list = Call("GET", "/api/v1/duplicates", std::nullopt, officer);
  ASSERT_EQ(list.status, 200) << list;
  ASSERT_EQ(list.doc["duplicates"].size(), 2u);
  const json& first = list.doc["duplicates"][0];
  EXPECT_EQ(first["family_id"], held_family);
  EXPECT_EQ(first["held_member"]["name"], "SUNEETA DEVEE");
  EXPECT_EQ(first["existing_member"]["name"], "Sunita Devi");
  EXPECT_EQ(first["existing_member"]["member_id"], A().member_ids[0]);
  EXPECT_TRUE(Call("GET", "/api/v1/duplicates", std::nullopt, Token("officer.9902"))
                  .doc["duplicates"]
                  .empty());

  std::string id = std::to_string(first["id"].get<int64_t>());
  Reply decided = Call("POST", "/api/v1/duplicates/" + id + "/decide",
                       json{{"decision", "different_people"}}, officer);
  ASSERT_EQ(decided.status, 200) << decided;
  EXPECT_EQ(decided.doc["decision"], "different_people");
  Reply now = Call("GET", "/api/v1/households/" + held_family, std::nullopt, officer);
  ASSERT_EQ(now.status, 200);
  EXPECT_EQ(now.doc["status"], "active");
  Reply twice = Call("POST", "/api/v1/duplicates/" + id + "/decide",
                     json{{"decision", "same_person"}}, officer);
  EXPECT_EQ(twice.status, 409) << twice;
  EXPECT_EQ(twice.code(), "FAILED_PRECONDITION");

  std::string second = std::to_string(list.doc["duplicates"][1]["id"].get<int64_t>());
  Reply same = Call("POST", "/api/v1/duplicates/" + second + "/decide",
                    json{{"decision", "same_person"}}, officer);
  ASSERT_EQ(same.status, 200) << same;
  Reply gone = Call("GET", "/api/v1/households/" + held2.doc["family_id"].get<std::string>(),
                    std::nullopt, officer);
  EXPECT_EQ(gone.status, 404) << gone;
  EXPECT_TRUE(Call("GET", "/api/v1/duplicates", std::nullopt, officer).doc["duplicates"].empty());
}

TEST_P(FunctionalTest, AnOperatorWithTheCitizensCodeActsForThatHouseholdOnly) {
  std::string op = Token("operator.two");
  const std::string& citizen = A().member_ids[0];
  Reply before = Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, op);
  EXPECT_EQ(before.status, 404) << before;

  Reply asked = Call("POST", "/api/v1/assisted/consent",
                     json{{"member_id", citizen}, {"purpose", "pension application"},
                          {"fee_paise", 2000}},
                     op);
  ASSERT_EQ(asked.status, 202) << asked;
  // The citizen's SMS names the centre, the purpose and the fee.
  Reply outbox = Call("GET", "/dev/outbox?member_id=" + citizen);
  ASSERT_EQ(outbox.status, 200);
  const json& sms = outbox.doc["messages"][0];
  EXPECT_EQ(sms["template"], "otp_consent");
  EXPECT_THAT(sms["body"].get<std::string>(), HasSubstr("CSC0002"));
  EXPECT_THAT(sms["body"].get<std::string>(), HasSubstr("20.00"));
  std::string code = LatestCode(citizen);

  Reply wrong = Call("POST", "/api/v1/assisted/consent/verify",
                     json{{"member_id", citizen}, {"code", code == "111111" ? "222222" : "111111"},
                          {"purpose", "pension application"}, {"fee_paise", 2000}},
                     op);
  EXPECT_EQ(wrong.status, 401) << wrong;
  Reply granted = Call("POST", "/api/v1/assisted/consent/verify",
                       json{{"member_id", citizen}, {"code", code},
                            {"purpose", "pension application"}, {"fee_paise", 2000}},
                       op);
  ASSERT_EQ(granted.status, 201) << granted;
  EXPECT_EQ(granted.doc["family_id"], A().family_id);
  EXPECT_EQ(granted.doc["centre"], "CSC0002");
  EXPECT_EQ(granted.doc["operator"], "operator.two");
  EXPECT_EQ(granted.doc["fee_paise"], 2000);
  auto row = db().QueryOne("SELECT centre, fee_paise, purpose FROM assisted_consents WHERE "
                           "consent_id = ?",
                           {granted.doc["consent_id"].get<int64_t>()});
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->Text(0), "CSC0002");
  EXPECT_EQ((*row)->Int(1), 2000);
  EXPECT_EQ((*row)->Text(2), "pension application");

  Reply during = Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, op);
  ASSERT_EQ(during.status, 200) << during;
  EXPECT_FALSE(during.doc["members"][0].contains("bank_account"));
  EXPECT_EQ(Call("GET", "/api/v1/members/" + A().member_ids[2], std::nullopt, op).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/change-requests",
                 json{{"member_id", A().member_ids[2]},
                      {"changes", {{"school_enrolled", true}}},
                      {"reason", "admitted"}},
                 op)
                .status,
            201);
  // Not another household, and not operator.one (another centre).
  EXPECT_EQ(Call("GET", "/api/v1/households/" + B().family_id, std::nullopt, op).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/households/" + C().family_id, std::nullopt, op).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt,
                 Token("operator.one"))
                .status,
            404);
  // The session lasts 30 minutes.
  clock_.Advance(std::chrono::minutes(31));
  EXPECT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, op).status, 404);
}

INSTANTIATE_TEST_SUITE_P(Backends, FunctionalTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
