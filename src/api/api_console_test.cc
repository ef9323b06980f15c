// The officers' console routes, on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: deciding
// applications that wait for an officer's review (GET /api/v1/applications, POST
// /api/v1/applications/{id}/decide; maker-checker, area) and saving a scheme's text as its next
// version (POST /api/v1/schemes/{id}/versions; checked first, an active scheme only with
// confirm_active).
#include <string>

#include "api/testing/api_fixture.h"
#include "gtest/gtest.h"
#include "programs/store.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

// A person scheme every member with a date of birth is eligible for, whose applications wait
// for an officer's review.
constexpr char kReviewScheme[] = R"(id: review_grant
version: 1
name:
  en: Review grant
  hi: समीक्षा अनुदान
unit: person
benefit: cash
frequency: monthly
budget_paise: 100000000
approvals: [district]
officer_review: true
eligibility:
  - id: birth_date_known
    rule: has(person.dob)
    explain:
      en: Date of birth on record
      hi: जन्म तिथि दर्ज
amount: rupees(500)
)";

class ApiConsoleTest : public ApiFixture {
 protected:
  // Stores kReviewScheme with `status` ("active" or "draft") and refreshes eligibility.
  void AddReviewScheme(const std::string& status) {
    programs::SchemeStore store(db(), clock_);
    auto version = store.Add(kReviewScheme, "review_grant.yaml", "system:test");
    ASSERT_TRUE(version.ok()) << version.status();
    if (status == "active") {
      ASSERT_TRUE(store.SetStatus("review_grant", "active", "system:test").ok());
    }
    ASSERT_TRUE(eligibility_.Refresh(db(), clock_).ok());
  }
  Reply Apply(const std::string& member_id, const std::string& token) {
    return Call("POST", "/api/v1/applications",
                json{{"scheme_id", "review_grant"}, {"member_id", member_id}}, token);
  }
  Reply Decide(int64_t id, const json& body, const std::string& token) {
    return Call("POST", "/api/v1/applications/" + std::to_string(id) + "/decide", body, token);
  }
  Reply Pending(const std::string& token) {
    return Call("GET", "/api/v1/applications?scheme=review_grant&status=pending", std::nullopt,
                token);
  }
  static bool Lists(const Reply& r, int64_t id) {
    for (const json& a : r.doc["applications"]) {
      if (a["application_id"] == id) return true;
    }
    return false;
  }
  Reply Save(const std::string& scheme_id, const json& body, const std::string& token) {
    return Call("POST", "/api/v1/schemes/" + scheme_id + "/versions", body, token);
  }
};

TEST_P(ApiConsoleTest, AnOfficerOfTheAreaDecidesApplicationsWaitingForReviewButNeverTheirOwn) {
  AddReviewScheme("active");
  if (HasFatalFailure()) return;
  const std::string maker = Token("officer.9901");
  const std::string checker = Token("officer.9901.two");
  // An officer applies for A's member; B's and C's members apply themselves.
  Reply a = Apply(A().member_ids[0], maker);
  ASSERT_EQ(a.status, 201) << a;
  ASSERT_EQ(a.doc["status"], "pending");
  Reply b = Apply(B().member_ids[0], CitizenToken(B().member_ids[0]));
  ASSERT_EQ(b.status, 201) << b;
  Reply c = Apply(C().member_ids[0], CitizenToken(C().member_ids[0]));
  ASSERT_EQ(c.status, 201) << c;
  const int64_t a_id = a.doc["application_id"], b_id = b.doc["application_id"],
                c_id = c.doc["application_id"];

  // Each district's officers list their own area's, with the rules' explanation.
  Reply list = Pending(checker);
  ASSERT_EQ(list.status, 200) << list;
  EXPECT_TRUE(Lists(list, a_id));
  EXPECT_TRUE(Lists(list, b_id));
  EXPECT_FALSE(Lists(list, c_id));
  const json& first = list.doc["applications"][0];
  EXPECT_EQ(first["member_id"], A().member_ids[0]);
  EXPECT_EQ(first["submitted_by"], "user:officer.9901");
  EXPECT_EQ(first["channel"], "officer");
  EXPECT_EQ(first["village"], "990101001");
  EXPECT_EQ(first["explanation"]["eligible"], true);
  EXPECT_FALSE(first["explanation"]["clauses"].empty());
  Reply other = Pending(Token("officer.9902"));
  ASSERT_EQ(other.status, 200) << other;
  EXPECT_TRUE(Lists(other, c_id));
  EXPECT_FALSE(Lists(other, a_id));
  EXPECT_EQ(Pending(Token("officer.9901.noduty")).status, 403);
  EXPECT_EQ(Pending(CitizenToken(A().member_ids[0])).status, 403);

  // Maker-checker: the officer who submitted it may not decide it.
  Reply own = Decide(a_id, {{"decision", "enrol"}}, maker);
  EXPECT_EQ(own.status, 403) << own;
  EXPECT_EQ(own.code(), "PERMISSION_DENIED");
  EXPECT_NE(own.doc.value("detail", "").find("another officer must decide it"),
            std::string::npos)
      << own;
  // The database holds the rule too, whatever the code above it does.
  EXPECT_FALSE(db().Execute("UPDATE enrolment_applications SET status = 'rejected', decided_by "
                            "= submitted_by, decided_at_us = 1, decision_note = 'x' WHERE "
                            "application_id = ?",
                            {a_id})
                   .ok());

  // Another officer of the area enrols it; a second decision is refused.
  Reply enrolled = Decide(a_id, {{"decision", "enrol"}, {"note", "documents seen"}}, checker);
  ASSERT_EQ(enrolled.status, 200) << enrolled;
  EXPECT_EQ(enrolled.doc["status"], "enrolled");
  EXPECT_EQ(enrolled.doc["decided_by"], "user:officer.9901.two");
  EXPECT_TRUE(enrolled.doc["enrolment_id"].is_number());
  Reply again = Decide(a_id, {{"decision", "reject"}, {"note", "late"}}, checker);
  EXPECT_EQ(again.status, 409) << again;
  EXPECT_EQ(again.code(), "FAILED_PRECONDITION");

  // A rejection needs a note; with one, the citizen's application is rejected.
  Reply bare = Decide(b_id, {{"decision", "reject"}}, checker);
  EXPECT_EQ(bare.status, 400) << bare;
  EXPECT_EQ(Decide(b_id, {{"decision", "maybe"}}, checker).status, 400);
  Reply rejected = Decide(b_id, {{"decision", "reject"}, {"note", "not resident"}}, checker);
  ASSERT_EQ(rejected.status, 200) << rejected;
  EXPECT_EQ(rejected.doc["status"], "rejected");
  EXPECT_EQ(rejected.doc["decision_note"], "not resident");
  Reply after = Pending(checker);
  EXPECT_FALSE(Lists(after, a_id));
  EXPECT_FALSE(Lists(after, b_id));

  // Outside the area, or unknown: 404 alike; without the duty: 403.
  EXPECT_EQ(Decide(c_id, {{"decision", "enrol"}}, checker).status, 404);
  EXPECT_EQ(Decide(999999, {{"decision", "enrol"}}, checker).status, 404);
  EXPECT_EQ(Decide(c_id, {{"decision", "enrol"}}, Token("officer.9901.noduty")).status, 404);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrolment_applications WHERE status = 'pending'"), 1);
}

TEST_P(ApiConsoleTest, ASchemeAdministratorSavesCheckedTextAsTheNextVersion) {
  const std::string admin = Token("officer.9901.admin");
  const std::string path_id = testing::kSchemeId;
  std::string yaml = SchemeYaml();
  auto versions = [&] {
    return Count("SELECT COUNT(*) FROM scheme_versions WHERE scheme_id = 'old_age_pension'");
  };
  ASSERT_EQ(versions(), 1);

  // Text that does not check is refused with its line and column, and nothing is saved.
  std::string broken = yaml;
  size_t at = broken.find("person.dob) >= 60");
  ASSERT_NE(at, std::string::npos);
  broken.replace(at, 10, "person.dobb");
  Reply bad = Save(path_id, {{"scheme", broken}, {"confirm_active", true}}, admin);
  EXPECT_EQ(bad.status, 400) << bad;
  EXPECT_EQ(bad.code(), "INVALID_ARGUMENT");
  EXPECT_NE(bad.doc.value("detail", "").find("line "), std::string::npos) << bad;
  // The text must be the path's scheme.
  Reply mismatch = Save("widow_pension", {{"scheme", yaml}, {"confirm_active", true}}, admin);
  EXPECT_EQ(mismatch.status, 400) << mismatch;

  // The scheme is active: a new version would be in force at once, so it must be confirmed.
  Reply unconfirmed = Save(path_id, {{"scheme", yaml}}, admin);
  EXPECT_EQ(unconfirmed.status, 409) << unconfirmed;
  EXPECT_EQ(unconfirmed.code(), "FAILED_PRECONDITION");
  EXPECT_NE(unconfirmed.doc.value("detail", "").find("confirm_active"), std::string::npos);
  EXPECT_EQ(versions(), 1);

  Reply saved = Save(path_id, {{"scheme", yaml}, {"confirm_active", true}}, admin);
  ASSERT_EQ(saved.status, 201) << saved;
  EXPECT_EQ(saved.doc["version"], 2);
  EXPECT_EQ(saved.doc["status"], "active");
  EXPECT_EQ(saved.doc["in_force"], true);
  Reply source = Call("GET", "/api/v1/schemes/" + path_id + "/source", std::nullopt, admin);
  ASSERT_EQ(source.status, 200) << source;
  EXPECT_EQ(source.doc["version"], 2);
  EXPECT_EQ(source.doc["created_by"], "user:officer.9901.admin");
  EXPECT_EQ(source.doc["source"], yaml);

  // A draft scheme takes a new version without confirmation, and stays a draft.
  AddReviewScheme("draft");
  if (HasFatalFailure()) return;
  Reply draft = Save("review_grant", {{"scheme", std::string(kReviewScheme)}}, admin);
  ASSERT_EQ(draft.status, 201) << draft;
  EXPECT_EQ(draft.doc["version"], 2);
  EXPECT_EQ(draft.doc["status"], "draft");
  EXPECT_EQ(draft.doc["in_force"], false);

  // Unknown schemes are not created here; other duties may not save.
  std::string unknown = yaml;
  unknown.replace(unknown.find("id: old_age_pension"), 19, "id: unknown_scheme");
  EXPECT_EQ(Save("unknown_scheme", {{"scheme", unknown}}, admin).status, 404);
  Reply registrar = Save(path_id, {{"scheme", yaml}, {"confirm_active", true}},
                         Token("officer.9901"));
  EXPECT_EQ(registrar.status, 403) << registrar;
  EXPECT_EQ(versions(), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiConsoleTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
