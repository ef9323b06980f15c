// Administrators' accounts and auditors' aggregates over HTTP, on SQLite and (with
// SPODE_TEST_PG_URL) PostgreSQL: an administrator lists accounts and disables one (its sessions
// end at once, it cannot sign in) or enables it again; an auditor sees the access log counted by
// day, role, action and decision, with no person, household or object in it.
#include <string>

#include "api/testing/api_fixture.h"
#include "gtest/gtest.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

class ApiAdminTest : public ApiFixture {
 protected:
  Reply SetStatus(const std::string& user, const json& body, const std::string& token) {
    return Call("POST", "/api/v1/users/" + user + "/status", body, token);
  }
  Reply Login(const std::string& user) {
    return Call("POST", "/api/v1/auth/login",
                json{{"username", user}, {"password", testing::kPassword}});
  }
};

TEST_P(ApiAdminTest, AnAdministratorDisablesAnAccountAndItsSessionEndsAtOnce) {
  std::string admin = Token("admin.one");
  std::string op = Token("operator.one");
  Reply users = Call("GET", "/api/v1/users", std::nullopt, admin);
  ASSERT_EQ(users.status, 200) << users;
  bool listed = false;
  for (const json& u : users.doc["users"]) {
    EXPECT_FALSE(u.contains("password_hash"));
    if (u["username"] == "operator.one") {
      listed = true;
      EXPECT_EQ(u["role"], "operator");
      EXPECT_EQ(u["status"], "active");
    }
  }
  EXPECT_TRUE(listed);
  ASSERT_EQ(Call("GET", "/api/v1/me", std::nullopt, op).status, 403);  // signed in, not a citizen

  Reply off = SetStatus("operator.one", {{"status", "disabled"}}, admin);
  ASSERT_EQ(off.status, 200) << off;
  EXPECT_EQ(off.doc["status"], "disabled");
  EXPECT_EQ(Call("GET", "/api/v1/me", std::nullopt, op).status, 401);
  EXPECT_EQ(Login("operator.one").status, 401);
  Reply twice = SetStatus("operator.one", {{"status", "disabled"}}, admin);
  EXPECT_EQ(twice.status, 409) << twice;

  ASSERT_EQ(SetStatus("operator.one", {{"status", "active"}}, admin).status, 200);
  EXPECT_EQ(Login("operator.one").status, 200);

  // Refusals: one's own account, a status that does not exist, nobody, a non-administrator.
  EXPECT_EQ(SetStatus("admin.one", {{"status", "disabled"}}, admin).status, 409);
  EXPECT_EQ(SetStatus("operator.one", {{"status", "deleted"}}, admin).status, 400);
  EXPECT_EQ(SetStatus("operator.one", {{"state", "active"}}, admin).status, 400);
  EXPECT_EQ(SetStatus("no.such.user", {{"status", "disabled"}}, admin).status, 404);
  Reply officer = SetStatus("operator.one", {{"status", "disabled"}}, Token("officer.state"));
  EXPECT_EQ(officer.status, 403) << officer;
  EXPECT_EQ(Login("operator.one").status, 200);
}

TEST_P(ApiAdminTest, AnAuditorSeesTheAccessLogInAggregateWithNoPersonInIt) {
  std::string officer = Token("officer.9901");
  ASSERT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, officer).status, 200);
  ASSERT_EQ(Call("GET", "/api/v1/households/" + B().family_id, std::nullopt, officer).status, 200);
  // Household C is outside district 9901: refused, and counted as a refusal.
  ASSERT_EQ(Call("GET", "/api/v1/households/" + C().family_id, std::nullopt, officer).status, 404);

  std::string auditor = Token("auditor.one");
  Reply sum = Call("GET", "/api/v1/audit/access-summary?days=1", std::nullopt, auditor);
  ASSERT_EQ(sum.status, 200) << sum;
  EXPECT_EQ(sum.doc["days"], 1);
  int64_t officer_allowed = 0, officer_denied = 0, total = 0;
  for (const json& c : sum.doc["counts"]) {
    total += c["count"].get<int64_t>();
    if (c["role"] == "officer" && c["action"] == "household.read") {
      (c["decision"] == "allow" ? officer_allowed : officer_denied) += c["count"].get<int64_t>();
    }
    EXPECT_EQ(c["date"], clock_.Today().ToString());
  }
  EXPECT_EQ(officer_allowed, 2);
  EXPECT_EQ(officer_denied, 1);
  EXPECT_EQ(sum.doc["allowed"].get<int64_t>() + sum.doc["denied"].get<int64_t>(), total);
  bool reason = false;
  for (const json& r : sum.doc["denial_reasons"]) {
    if (r["reason"] == "the household is outside the officer's area") reason = true;
  }
  EXPECT_TRUE(reason) << sum;
  // Nobody in it: no family or member ID, no user name.
  for (const std::string& id : {A().family_id, B().family_id, C().family_id, A().member_ids[0]}) {
    EXPECT_EQ(sum.body.find(id), std::string::npos) << id;
  }
  EXPECT_EQ(sum.body.find("officer.9901"), std::string::npos);

  EXPECT_EQ(Call("GET", "/api/v1/audit/access-summary?days=0", std::nullopt, auditor).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/audit/access-summary?days=91", std::nullopt, auditor).status,
            400);
  EXPECT_EQ(Call("GET", "/api/v1/audit/access-summary?days=x", std::nullopt, auditor).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/audit/access-summary", std::nullopt, officer).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/audit/access-summary", std::nullopt, Token("admin.one")).status,
            403);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiAdminTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
