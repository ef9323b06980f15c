// Payments over HTTP: an officer prepares a cycle, two officers approve it, it is exported, the
// bank downloads its file and uploads a status file, and the citizen sees the outcome.
#include "api/testing/api_fixture.h"
#include "gtest/gtest.h"
#include "payments/mapper.h"
#include "payments/testing/world.h"
#include "programs/store.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

class ApiPaymentsTest : public ApiFixture {
 protected:
  // The test pension (aged 60+, no income test) active, and every member aged 60 or more
  // enrolled: Sunita (A), Ramesh (A), Kamla (C), Suresh (C, no bank account).
  void SetUpScheme() {
    programs::SchemeStore store(db(), clock_);
    ASSERT_TRUE(store.Add(payments::testing::PensionYaml(), "test", "system:test").ok());
    ASSERT_TRUE(store.SetStatus(payments::testing::kScheme, "active", "system:test").ok());
    ASSERT_TRUE(eligibility_.Refresh(db(), clock_).ok());
    auto n = db().Execute("INSERT INTO enrolments (scheme_id, unit, beneficiary_idx, "
                          "household_idx, payee_member_idx, path, status, enrolled_at_us, "
                          "enrolled_by) SELECT ?, 'person', member_idx, household_idx, "
                          "member_idx, 'application', 'enrolled', 0, 'system:test' FROM members "
                          "WHERE dob <= '1966-11-01'",
                          {std::string(payments::testing::kScheme)});
    ASSERT_TRUE(n.ok()) << n.status();
    ASSERT_EQ(*n, 4);
    ASSERT_TRUE(payments::SeedFromRegistry(db(), clock_).ok());
    // Kamla banks with PUNB.
    auto kamla = db().QueryOne("SELECT member_idx FROM members WHERE name = 'Kamla Devi'");
    payments::Mapper mapper(db(), clock_);
    ASSERT_TRUE(mapper
                    .Update((*kamla)->Int(0),
                            payments::FinancialAddress::BankAccount("PUNB0123400", "44400011122",
                                                                    "Kamla Devi"),
                            {.party = "bank:PUNB", .reason = "account moved"}, key_)
                    .ok());
  }
};

TEST_P(ApiPaymentsTest, FromCycleToBankAndBackToTheCitizen) {
  SetUpScheme();
  std::string admin = Token("officer.9901.admin");
  Reply made = Call("POST", "/api/v1/cycles",
                    json{{"scheme_id", payments::testing::kScheme}, {"period", "2026-11"}}, admin);
  ASSERT_EQ(made.status, 201) << made;
  int64_t id = made.doc["cycle_id"];
  EXPECT_EQ(made.doc["beneficiaries"], 4);
  EXPECT_EQ(made.doc["next_tier"], "district");
  Reply again = Call("POST", "/api/v1/cycles",
                     json{{"scheme_id", payments::testing::kScheme}, {"period", "2026-11"}}, admin);
  EXPECT_EQ(again.status, 200) << again;
  EXPECT_EQ(again.doc["cycle_id"], id);
  std::string path = "/api/v1/cycles/" + std::to_string(id);

  // The maker has no approver duty; the state cannot go first; then district, then state.
  EXPECT_EQ(Call("POST", path + "/approve", json::object(), admin).status, 403);
  std::string state = Token("officer.state.approver");
  Reply early = Call("POST", path + "/approve", json::object(), state);
  EXPECT_EQ(early.status, 409) << early;
  Reply d = Call("POST", path + "/approve", json::object(), Token("officer.9901.approver"));
  ASSERT_EQ(d.status, 200) << d;
  EXPECT_EQ(d.doc["final"], false);
  Reply preview = Call("GET", path, std::nullopt, state);
  ASSERT_EQ(preview.status, 200) << preview;
  EXPECT_TRUE(preview.doc["within_budget"].get<bool>());
  Reply s = Call("POST", path + "/approve", json::object(), state);
  ASSERT_EQ(s.status, 200) << s;
  EXPECT_EQ(s.doc["final"], true);
  EXPECT_EQ(s.doc["instructions"]["ready"], 3);
  EXPECT_EQ(s.doc["instructions"]["invalid"], 1);  // Suresh has no account

  Reply exported = Call("POST", path + "/export", json::object(), admin);
  ASSERT_EQ(exported.status, 200) << exported;
  ASSERT_EQ(exported.doc["files"].size(), 2u);  // SBIN and PUNB

  // Each bank sees only its own file.
  std::string sbin = Token("bank.sbin"), punb = Token("bank.punb");
  Reply files = Call("GET", "/api/v1/bank/files", std::nullopt, sbin);
  ASSERT_EQ(files.status, 200) << files;
  ASSERT_EQ(files.doc["files"].size(), 1u);
  int64_t sbin_file = files.doc["files"][0]["batch_id"];
  EXPECT_EQ(files.doc["files"][0]["transactions"], 2);
  Reply xml = Call("GET", "/api/v1/bank/files/" + std::to_string(sbin_file), std::nullopt, sbin);
  ASSERT_EQ(xml.status, 200) << xml;
  EXPECT_NE(xml.body.find("pain.001.001.09"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/bank/files/" + std::to_string(sbin_file), std::nullopt, punb)
                .status,
            404);

  // SBIN pays one and rejects the other; it cannot speak for PUNB's payment.
  auto ids = db().Query("SELECT instruction_id, bank FROM payment_instructions WHERE status = "
                        "'sent' ORDER BY bank, instruction_id");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 3u);
  std::string punb_id = (*ids)[0].Text(0), sbin_a = (*ids)[1].Text(0), sbin_b = (*ids)[2].Text(0);
  std::string csv = "end_to_end_id,status,reason_code\n" + sbin_a + ",ACSC,\n" + sbin_b +
                    ",RJCT,AC04\n" + punb_id + ",ACSC,\n";
  Reply status = Call("POST", "/api/v1/bank/status", std::optional<std::string>(csv), sbin);
  ASSERT_EQ(status.status, 200) << status;
  EXPECT_EQ(status.doc["paid"], 1);
  EXPECT_EQ(status.doc["rejected"], 1);
  EXPECT_EQ(status.doc["unknown"], 1);
  auto punb_state = db().QueryOne("SELECT status FROM payment_instructions WHERE instruction_id "
                                  "= ?", {punb_id});
  EXPECT_EQ((*punb_state)->Text(0), "sent");

  // The citizen whose payment was rejected sees why, in Hindi by default.
  auto who = db().QueryOne("SELECT m.member_id FROM payment_instructions i JOIN members m ON "
                           "m.member_idx = i.payee_member_idx WHERE i.instruction_id = ?",
                           {sbin_b});
  Reply mine = Call("GET", "/api/v1/me/payments", std::nullopt, CitizenToken((*who)->Text(0)));
  ASSERT_EQ(mine.status, 200) << mine;
  ASSERT_EQ(mine.doc["payments"].size(), 1u);
  const json& p = mine.doc["payments"][0];
  EXPECT_EQ(p["status"], "rejected");
  EXPECT_EQ(p["who_acts"], "citizen");
  EXPECT_FALSE(p["reason"].get<std::string>().empty());
  EXPECT_NE(p["destination"].get<std::string>().find("XXXXXXXX"), std::string::npos);
  // Officers see the progress.
  Reply progress = Call("GET", path, std::nullopt, state);
  EXPECT_EQ(progress.doc["progress"]["instructions"]["paid"]["count"], 1);
  EXPECT_EQ(progress.doc["progress"]["instructions"]["rejected"]["count"], 1);
}

// Applying: the rules decide at once, with the reasons; an enrolled member cannot apply twice.
TEST_P(ApiPaymentsTest, ACitizenAppliesAndTheRulesDecideWithReasons) {
  programs::SchemeStore store(db(), clock_);
  ASSERT_TRUE(store.Add(payments::testing::PensionYaml(), "test", "system:test").ok());
  ASSERT_TRUE(store.SetStatus(payments::testing::kScheme, "active", "system:test").ok());
  ASSERT_TRUE(eligibility_.Refresh(db(), clock_).ok());
  std::string sunita = A().member_ids[0], pooja = A().member_ids[2];
  std::string token = CitizenToken(sunita);
  Reply yes = Call("POST", "/api/v1/applications",
                   json{{"scheme_id", payments::testing::kScheme}, {"member_id", sunita}}, token);
  ASSERT_EQ(yes.status, 201) << yes;
  EXPECT_EQ(yes.doc["status"], "enrolled");
  EXPECT_EQ(yes.doc["eligible"], true);
  auto enrolled = db().QueryOne("SELECT COUNT(*) FROM enrolments e JOIN members m ON "
                                "m.member_idx = e.beneficiary_idx WHERE m.member_id = ? AND "
                                "e.status = 'enrolled' AND e.path = 'application'",
                                {sunita});
  EXPECT_EQ((*enrolled)->Int(0), 1);
  Reply twice = Call("POST", "/api/v1/applications",
                     json{{"scheme_id", payments::testing::kScheme}, {"member_id", sunita}}, token);
  EXPECT_EQ(twice.status, 409) << twice;
  Reply no = Call("POST", "/api/v1/applications",
                  json{{"scheme_id", payments::testing::kScheme}, {"member_id", pooja},
                       {"lang", "hi"}},
                  token);
  ASSERT_EQ(no.status, 201) << no;
  EXPECT_EQ(no.doc["status"], "rejected");
  EXPECT_EQ(no.doc["eligible"], false);
  EXPECT_NE(no.doc["explanation"].dump().find("आयु"), std::string::npos) << no.doc;
  // Another household's member: as if unknown.
  Reply other = Call("POST", "/api/v1/applications",
                     json{{"scheme_id", payments::testing::kScheme},
                          {"member_id", C().member_ids[0]}},
                     token);
  EXPECT_EQ(other.status, 404) << other;
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiPaymentsTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace spode::api
