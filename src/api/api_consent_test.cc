// Partner apps under citizens' consent, on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: a
// developer client reads a household only while a member of it consents, for the scope the
// client is registered for, sees only the fields a partner may, and every read is in the
// citizen's access log; consents are granted, listed and withdrawn by the citizen.
#include <chrono>
#include <string>

#include "access/client_consents.h"
#include "api/testing/api_fixture.h"
#include "gtest/gtest.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

class ApiConsentTest : public ApiFixture {
 protected:
  Reply Grant(const std::string& citizen, const json& body) {
    return Call("POST", "/api/v1/me/consents", body, citizen);
  }
  Reply ReadHousehold(const std::string& family_id, const std::string& token) {
    return Call("GET", "/api/v1/households/" + family_id, std::nullopt, token);
  }
};

TEST_P(ApiConsentTest, APartnerAppReadsAHouseholdOnlyWhileAMemberConsents) {
  std::string app = ClientToken("partner.app");
  std::string citizen = CitizenToken(A().member_ids[0]);
  // No consent yet: the household answers as if unknown, and the refusal is recorded.
  Reply before = ReadHousehold(A().family_id, app);
  EXPECT_EQ(before.status, 404) << before;
  ASSERT_TRUE(log_->Flush().ok());
  EXPECT_EQ(LogCount("SELECT COUNT(*) FROM access_log WHERE actor = 'user:partner.app' AND "
                  "decision = 'deny' AND action = 'household.read'"),
            1);

  Reply granted = Grant(citizen, {{"client_id", "partner.app"},
                                  {"scope", "registry.read"},
                                  {"purpose", "scholarship application"},
                                  {"days", 30}});
  ASSERT_EQ(granted.status, 201) << granted;
  EXPECT_EQ(granted.doc["client_id"], "partner.app");
  EXPECT_EQ(granted.doc["active"], true);
  EXPECT_EQ(granted.doc["granted_by"], "citizen:" + A().member_ids[0]);
  int64_t id = granted.doc["consent_id"];

  // Now it reads household A, with a partner's fields only, and nothing of B.
  Reply read = ReadHousehold(A().family_id, app);
  ASSERT_EQ(read.status, 200) << read;
  EXPECT_EQ(read.doc["family_id"], A().family_id);
  ASSERT_FALSE(read.doc["members"].empty());
  EXPECT_FALSE(read.doc.contains("provenance"));
  for (const json& m : read.doc["members"]) {
    for (const char* hidden :
         {"national_id", "phone", "bank_account", "provenance", "attribute_provenance"}) {
      EXPECT_FALSE(m.contains(hidden)) << hidden;
    }
    EXPECT_TRUE(m.contains("dob"));
  }
  EXPECT_EQ(Call("GET", "/api/v1/members/" + A().member_ids[1], std::nullopt, app).status, 200);
  EXPECT_EQ(ReadHousehold(B().family_id, app).status, 404);
  // Another app, registered for the scope but without a consent, reads nothing.
  EnsureUser("partner.cso");
  EXPECT_EQ(ReadHousehold(A().family_id, ClientToken("partner.cso")).status, 404);

  // The citizen sees the app's read in their access log, and their consent in the list.
  Reply log = Call("GET", "/api/v1/me/access-log", std::nullopt, citizen);
  ASSERT_EQ(log.status, 200);
  bool seen = false;
  for (const json& e : log.doc["entries"]) {
    if (e["who"] == "user:partner.app" && e["decision"] == "allow") seen = true;
  }
  EXPECT_TRUE(seen) << log;
  Reply list = Call("GET", "/api/v1/me/consents", std::nullopt, citizen);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.doc["consents"].size(), 1u);
  EXPECT_EQ(list.doc["consents"][0]["purpose"], "scholarship application");

  // Withdrawn: at once, and only once.
  Reply out = Call("POST", "/api/v1/me/consents/" + std::to_string(id) + "/revoke", json::object(),
                   citizen);
  ASSERT_EQ(out.status, 200) << out;
  EXPECT_EQ(ReadHousehold(A().family_id, app).status, 404);
  Reply again = Call("POST", "/api/v1/me/consents/" + std::to_string(id) + "/revoke",
                     json::object(), citizen);
  EXPECT_EQ(again.status, 409) << again;
  EXPECT_EQ(again.code(), "FAILED_PRECONDITION");
  list = Call("GET", "/api/v1/me/consents", std::nullopt, citizen);
  EXPECT_EQ(list.doc["consents"][0]["active"], false);
  EXPECT_FALSE(list.doc["consents"][0]["revoked_at"].is_null());
}

TEST_P(ApiConsentTest, AConsentEndsWhenItExpiresOrTheAppLosesTheScope) {
  std::string citizen = CitizenToken(A().member_ids[0]);
  EnsureUser("partner.app");
  ASSERT_EQ(Grant(citizen, {{"client_id", "partner.app"},
                            {"scope", "registry.read"},
                            {"purpose", "one day"},
                            {"days", 1}})
                .status,
            201);
  std::string app = ClientToken("partner.app");
  EXPECT_EQ(ReadHousehold(A().family_id, app).status, 200);
  // The app's registration loses the scope: the consent no longer lets it in.
  ASSERT_TRUE(db().Execute("UPDATE users SET client_scopes = '' WHERE username = 'partner.app'")
                  .ok());
  tokens_.clear();
  EXPECT_EQ(ReadHousehold(A().family_id, ClientToken("partner.app")).status, 404);
  ASSERT_TRUE(db().Execute("UPDATE users SET client_scopes = 'registry.read' WHERE username = "
                           "'partner.app'")
                  .ok());
  EXPECT_EQ(ReadHousehold(A().family_id, ClientToken("partner.app")).status, 200);
  // A day later the consent has expired.
  clock_.Advance(std::chrono::hours(24) + std::chrono::seconds(1));
  EXPECT_EQ(ReadHousehold(A().family_id, ClientToken("partner.app")).status, 404);
}

TEST_P(ApiConsentTest, BadConsentsAreRefusedWithAReasonAndStoreNothing) {
  std::string citizen = CitizenToken(A().member_ids[0]);
  EnsureUser("partner.app");
  EnsureUser("partner.cso");  // registered for grievance.file only
  EnsureUser("officer.9901");
  struct Case {
    json body;
    int status;
    const char* code;
  };
  const json ok = {{"client_id", "partner.app"}, {"scope", "registry.read"}, {"purpose", "x"}};
  auto with = [&](const char* field, const json& value) {
    json b = ok;
    b[field] = value;
    return b;
  };
  for (const Case& c : {
           Case{with("client_id", "nobody.here"), 404, "NOT_FOUND"},
           Case{with("client_id", "officer.9901"), 404, "NOT_FOUND"},  // not a partner app
           Case{with("client_id", "partner.cso"), 409, "FAILED_PRECONDITION"},
           Case{with("scope", "payments.read"), 400, "INVALID_ARGUMENT"},
           Case{with("purpose", ""), 400, "INVALID_ARGUMENT"},
           Case{with("purpose", std::string(201, 'x')), 400, "INVALID_ARGUMENT"},
           Case{with("days", 0), 400, "INVALID_ARGUMENT"},
           Case{with("days", 366), 400, "INVALID_ARGUMENT"},
           Case{with("days", "30"), 400, "INVALID_ARGUMENT"},
           Case{with("expires", 5), 400, "INVALID_ARGUMENT"},
           Case{json{{"client_id", "partner.app"}, {"purpose", "x"}}, 400, "INVALID_ARGUMENT"},
       }) {
    Reply r = Grant(citizen, c.body);
    EXPECT_EQ(r.status, c.status) << c.body.dump() << " -> " << r;
    EXPECT_EQ(r.code(), c.code) << c.body.dump();
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM client_consents"), 0);
  // Staff cannot consent for anybody; a citizen cannot withdraw another household's consent.
  Reply staff = Grant(Token("officer.9901"), ok);
  EXPECT_EQ(staff.status, 403) << staff;
  Reply mine = Grant(citizen, ok);
  ASSERT_EQ(mine.status, 201);
  std::string other = CitizenToken(B().member_ids[0]);
  Reply theirs = Call("POST",
                      "/api/v1/me/consents/" + std::to_string(mine.doc["consent_id"].get<int64_t>()) +
                          "/revoke",
                      json::object(), other);
  EXPECT_EQ(theirs.status, 404) << theirs;
  EXPECT_EQ(Call("POST", "/api/v1/me/consents/12x/revoke", json::object(), citizen).status, 400);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM client_consents WHERE revoked_at_us IS NOT NULL"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiConsentTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
