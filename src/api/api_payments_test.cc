// Payments over HTTP: an officer prepares a cycle, two officers approve it, it is exported, the
// bank downloads its file and uploads a status file, and the citizen sees the outcome.
#include "api/testing/api_fixture.h"
#include "gtest/gtest.h"
#include "payments/mapper.h"
#include "payments/testing/world.h"
#include "programs/enrolment.h"
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

// Returns: each bank sees the rejected payments of its own files (masked, without member IDs);
// officers see a cycle's files with their outcomes and the returns of their own area only.
TEST_P(ApiPaymentsTest, ReturnsForTheBankAndForOfficersOfTheArea) {
  SetUpScheme();
  std::string admin = Token("officer.9901.admin"), state = Token("officer.state.approver");
  Reply made = Call("POST", "/api/v1/cycles",
                    json{{"scheme_id", payments::testing::kScheme}, {"period", "2026-11"}}, admin);
  ASSERT_EQ(made.status, 201) << made;
  std::string path = "/api/v1/cycles/" + std::to_string(made.doc["cycle_id"].get<int64_t>());
  ASSERT_EQ(Call("POST", path + "/approve", json::object(), Token("officer.9901.approver")).status,
            200);
  ASSERT_EQ(Call("POST", path + "/approve", json::object(), state).status, 200);
  ASSERT_EQ(Call("POST", path + "/export", json{{"format", "csv"}}, admin).status, 200);
  auto ids = db().Query("SELECT instruction_id, bank FROM payment_instructions WHERE status = "
                        "'sent' ORDER BY bank, instruction_id");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 3u);
  // PUNB (Kamla, district 9902) and SBIN (Sunita or Ramesh, district 9901) each reject one.
  std::string punb_id = (*ids)[0].Text(0), sbin_a = (*ids)[1].Text(0), sbin_b = (*ids)[2].Text(0);
  std::string sbin = Token("bank.sbin"), punb = Token("bank.punb");
  Reply s1 = Call("POST", "/api/v1/bank/status",
                  std::optional<std::string>("end_to_end_id,status,reason_code\n" + sbin_a +
                                             ",ACSC,\n" + sbin_b + ",RJCT,AC04\n"),
                  sbin);
  ASSERT_EQ(s1.status, 200) << s1;
  Reply s2 = Call("POST", "/api/v1/bank/status",
                  std::optional<std::string>("end_to_end_id,status,reason_code\n" + punb_id +
                                             ",RJCT,AC04\n"),
                  punb);
  ASSERT_EQ(s2.status, 200) << s2;

  Reply mine = Call("GET", "/api/v1/bank/returns", std::nullopt, sbin);
  ASSERT_EQ(mine.status, 200) << mine;
  EXPECT_EQ(mine.doc["bank"], "SBIN");
  ASSERT_EQ(mine.doc["returns"].size(), 1u) << mine;
  const json& r = mine.doc["returns"][0];
  EXPECT_EQ(r["instruction_id"], sbin_b);
  EXPECT_EQ(r["outcome"], "rejected");
  EXPECT_EQ(r["reason_code"], "AC04");
  EXPECT_EQ(r["reason"], "The bank account the payment was sent to is closed.");
  EXPECT_EQ(r["period"], "2026-11");
  EXPECT_EQ(r["attempt"], 1);
  EXPECT_TRUE(r["destination"].get<std::string>().starts_with("SBIN")) << r;
  EXPECT_NE(r["destination"].get<std::string>().find(" / XXXXXXXX"), std::string::npos) << r;
  EXPECT_FALSE(r.contains("member_id"));
  EXPECT_EQ(mine.body.find("30076500011"), std::string::npos);  // no account numbers
  EXPECT_EQ(mine.body.find("30076500012"), std::string::npos);
  Reply theirs = Call("GET", "/api/v1/bank/returns", std::nullopt, punb);
  ASSERT_EQ(theirs.status, 200) << theirs;
  ASSERT_EQ(theirs.doc["returns"].size(), 1u);
  EXPECT_EQ(theirs.doc["returns"][0]["instruction_id"], punb_id);
  EXPECT_EQ(theirs.body.find("44400011122"), std::string::npos);
  // Not for officers or citizens.
  EXPECT_EQ(Call("GET", "/api/v1/bank/returns", std::nullopt, state).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/bank/returns", std::nullopt, CitizenToken(A().member_ids[0]))
                .status,
            403);

  // The state officer: both files with their outcomes, both returns, in Hindi when asked.
  Reply all = Call("GET", path + "/returns?lang=hi", std::nullopt, state);
  ASSERT_EQ(all.status, 200) << all;
  ASSERT_EQ(all.doc["files"].size(), 2u);
  for (const json& f : all.doc["files"]) {
    if (f["bank"] == "SBIN") {
      EXPECT_EQ(f["transactions"], 2);
      EXPECT_EQ(f["outcomes"]["paid"], 1);
      EXPECT_EQ(f["outcomes"]["rejected"], 1);
    } else {
      EXPECT_EQ(f["bank"], "PUNB");
      EXPECT_EQ(f["outcomes"]["rejected"], 1);
      EXPECT_EQ(f["outcomes"]["paid"], 0);
    }
  }
  ASSERT_EQ(all.doc["returns"].size(), 2u);
  for (const json& x : all.doc["returns"]) {
    EXPECT_EQ(x["reason"], "जिस बैंक खाते में भुगतान भेजा गया था, वह बंद हो चुका है।") << x;
    EXPECT_EQ(x["who_acts"], "citizen");
    EXPECT_NE(x["destination"].get<std::string>().find("XXXXXXXX"), std::string::npos);
  }
  // A district approver sees only the return of its own district (9901: SBIN's).
  Reply district = Call("GET", path + "/returns", std::nullopt, Token("officer.9901.approver"));
  ASSERT_EQ(district.status, 200) << district;
  ASSERT_EQ(district.doc["returns"].size(), 1u);
  EXPECT_EQ(district.doc["returns"][0]["instruction_id"], sbin_b);
  EXPECT_EQ(district.doc["returns"][0]["village"], "990101001");
  EXPECT_EQ(district.doc["returns"][0]["reason"], "The bank account the payment was sent to is closed.");
  EXPECT_EQ(district.body.find("Kamla"), std::string::npos);
  // Without a cycle duty: refused; an unknown cycle: 404.
  EXPECT_EQ(Call("GET", path + "/returns", std::nullopt, Token("officer.9901")).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/cycles/999/returns", std::nullopt, state).status, 404);
}

// Proactive enrolment as officers follow it: who was proposed, the notice (SMS, when, until
// when one may object), the objection, and who was enrolled when; each officer their area.
TEST_P(ApiPaymentsTest, EnrolmentProposalsAndNoticesForOfficersOfTheArea) {
  programs::SchemeStore store(db(), clock_);
  ASSERT_TRUE(store.Add(payments::testing::PensionYaml(), "test", "system:test").ok());
  ASSERT_TRUE(store.SetStatus(payments::testing::kScheme, "active", "system:test").ok());
  ASSERT_TRUE(eligibility_.Refresh(db(), clock_).ok());
  ASSERT_TRUE(eligibility_.RunJob(db(), clock_, payments::testing::kScheme).ok());
  auto noticed = programs::SendNotices(db(), clock_, payments::testing::kScheme);
  ASSERT_TRUE(noticed.ok()) << noticed.status();
  ASSERT_EQ(noticed->noticed, 4);  // Sunita, Ramesh (A), Kamla, Suresh (C)
  std::string ramesh = A().member_ids[1];
  auto proposal = db().QueryOne("SELECT p.proposal_id FROM eligibility_proposals p JOIN members "
                                "m ON m.member_idx = p.beneficiary_idx WHERE m.member_id = ?",
                                {ramesh});
  ASSERT_TRUE(proposal.ok() && proposal->has_value());
  ASSERT_TRUE(programs::Object(db(), clock_, (*proposal)->Int(0), "citizen:" + ramesh,
                               "I already get a pension from the army")
                  .ok());
  clock_.Advance(std::chrono::hours(24 * 17));
  auto enrolled = programs::EnrolDue(db(), clock_, payments::testing::kScheme);
  ASSERT_TRUE(enrolled.ok()) << enrolled.status();
  ASSERT_EQ(enrolled->enrolled, 3);

  std::string path = std::string("/api/v1/schemes/") + payments::testing::kScheme + "/notices";
  Reply a = Call("GET", path, std::nullopt, Token("officer.9901"));
  ASSERT_EQ(a.status, 200) << a;
  EXPECT_EQ(a.doc["counts"]["enrolled"], 1);
  EXPECT_EQ(a.doc["counts"]["withdrawn"], 1);
  ASSERT_EQ(a.doc["proposals"].size(), 2u);
  for (const json& p : a.doc["proposals"]) {
    EXPECT_EQ(p["village"], "990101001");
    EXPECT_EQ(p["family_id"], A().family_id);
    ASSERT_TRUE(p["notice"].is_object()) << p;
    EXPECT_EQ(p["notice"]["channel"], "sms");
    EXPECT_LT(p["notice"]["sent_at"].get<std::string>(),
              p["notice"]["objection_until"].get<std::string>());
    if (p["member_id"] == ramesh) {
      EXPECT_EQ(p["status"], "withdrawn");
      EXPECT_EQ(p["withdrawal"]["reason_code"], "objection");
      EXPECT_EQ(p["withdrawal"]["reason"], "I already get a pension from the army");
      EXPECT_EQ(p["withdrawal"]["by"], "citizen:" + ramesh);
      EXPECT_TRUE(p["enrolment"].is_null());
    } else {
      EXPECT_EQ(p["member_id"], A().member_ids[0]);
      EXPECT_EQ(p["name"], "Sunita Devi");
      EXPECT_EQ(p["status"], "enrolled");
      ASSERT_TRUE(p["enrolment"].is_object()) << p;
      EXPECT_EQ(p["enrolment"]["status"], "enrolled");
      EXPECT_TRUE(p["withdrawal"].is_null());
    }
  }
  Reply only = Call("GET", path + "?status=withdrawn", std::nullopt, Token("officer.9901"));
  ASSERT_EQ(only.status, 200) << only;
  ASSERT_EQ(only.doc["proposals"].size(), 1u);
  EXPECT_EQ(only.doc["proposals"][0]["member_id"], ramesh);
  Reply c = Call("GET", path, std::nullopt, Token("officer.9902"));
  ASSERT_EQ(c.status, 200) << c;
  ASSERT_EQ(c.doc["proposals"].size(), 2u);
  EXPECT_EQ(c.doc["counts"]["enrolled"], 2);
  EXPECT_EQ(c.body.find("Sunita"), std::string::npos);
  EXPECT_EQ(Call("GET", path + "?status=bogus", std::nullopt, Token("officer.9901")).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/schemes/no_such_scheme/notices", std::nullopt,
                 Token("officer.9901"))
                .status,
            404);
  EXPECT_EQ(Call("GET", path, std::nullopt, Token("officer.9901.noduty")).status, 403);
  EXPECT_EQ(Call("GET", path, std::nullopt, CitizenToken(A().member_ids[0])).status, 403);
}

// Checking a scheme's text as it is edited: every clause's error at its line and column in the
// text, nothing saved; the what-if then runs on the corrected text.
TEST_P(ApiPaymentsTest, CheckingASchemesTextFindsErrorsAtLineAndColumn) {
  std::string admin = Token("officer.9901.admin");
  std::string bad =
      "id: test_pension\n"                                       // 1
      "name: {en: Test pension, hi: Test}\n"                     // 2
      "unit: person\n"                                           // 3
      "benefit: cash\n"                                          // 4
      "frequency: monthly\n"                                     // 5
      "eligibility:\n"                                           // 6
      "  - id: age\n"                                            // 7
      "    rule: age_years(person.dob) >= 60\n"                  // 8
      "    explain: {en: Aged 60, hi: Aged 60}\n"                // 9
      "  - id: income\n"                                         // 10
      "    rule: household.incom <= rupees(48000)\n"             // 11
      "    explain: {en: Poor, hi: Poor}\n"                      // 12
      "  - id: widow\n"                                          // 13
      "    rule: \"person.marital_status == 'widow'\"\n"         // 14
      "    explain: {en: Widow, hi: Widow}\n"                    // 15
      "amount: rupees(1000)\n";                                  // 16
  auto schemes_before = db().QueryOne("SELECT COUNT(*) FROM schemes");
  Reply r = Call("POST", "/api/v1/schemes/check", json{{"scheme", bad}}, admin);
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.doc["ok"], false);
  ASSERT_EQ(r.doc["diagnostics"].size(), 2u) << r;
  const json& d1 = r.doc["diagnostics"][0];
  EXPECT_EQ(d1["line"], 11);
  EXPECT_EQ(d1["column"], 21);  // 'incom' (the rule starts at column 11)
  EXPECT_NE(d1["message"].get<std::string>().find("clause income"), std::string::npos) << d1;
  EXPECT_NE(d1["message"].get<std::string>().find("income_annual"), std::string::npos) << d1;
  const json& d2 = r.doc["diagnostics"][1];
  EXPECT_EQ(d2["line"], 14);
  EXPECT_NE(d2["message"].get<std::string>().find("widowed"), std::string::npos) << d2;
  // A YAML error: its own line and column.
  Reply yaml = Call("POST", "/api/v1/schemes/check", json{{"scheme", "id: x\nname: [unclosed\n"}},
                    admin);
  ASSERT_EQ(yaml.status, 200) << yaml;
  EXPECT_EQ(yaml.doc["ok"], false);
  ASSERT_EQ(yaml.doc["diagnostics"].size(), 1u);
  EXPECT_TRUE(yaml.doc["diagnostics"][0]["line"].is_number()) << yaml;
  // Corrected: no diagnostics, and nothing was saved.
  std::string good = payments::testing::PensionYaml();
  Reply ok = Call("POST", "/api/v1/schemes/check", json{{"scheme", good}}, admin);
  ASSERT_EQ(ok.status, 200) << ok;
  EXPECT_EQ(ok.doc["ok"], true);
  EXPECT_TRUE(ok.doc["diagnostics"].empty());
  EXPECT_EQ(ok.doc["scheme"]["id"], "test_pension");
  EXPECT_EQ(ok.doc["scheme"]["clauses"], 1);
  auto schemes_after = db().QueryOne("SELECT COUNT(*) FROM schemes");
  EXPECT_EQ((*schemes_after)->Int(0), (*schemes_before)->Int(0));
  // Editing starts from a stored version's text, which checks clean.
  programs::SchemeStore store(db(), clock_);
  ASSERT_TRUE(store.Add(good, "test", "system:test").ok());
  Reply source = Call("GET", "/api/v1/schemes/test_pension/source", std::nullopt, admin);
  ASSERT_EQ(source.status, 200) << source;
  EXPECT_EQ(source.doc["version"], 1);
  EXPECT_EQ(source.doc["status"], "draft");
  EXPECT_EQ(source.doc["source"], good);
  EXPECT_EQ(Call("GET", "/api/v1/schemes/test_pension/source?version=2", std::nullopt, admin).status,
            404);
  EXPECT_EQ(Call("GET", "/api/v1/schemes/test_pension/source?version=x", std::nullopt, admin).status,
            400);
  EXPECT_EQ(Call("GET", "/api/v1/schemes/test_pension/source", std::nullopt, Token("officer.9901"))
                .status,
            403);
  Reply again = Call("POST", "/api/v1/schemes/check", json{{"scheme", source.doc["source"]}}, admin);
  EXPECT_EQ(again.doc["ok"], true) << again;
  // Scheme administrators only.
  EXPECT_EQ(Call("POST", "/api/v1/schemes/check", json{{"scheme", good}}, Token("officer.9901"))
                .status,
            403);
  EXPECT_EQ(Call("POST", "/api/v1/schemes/check", json{{"scheme", good}, {"extra", 1}}, admin)
                .status,
            400);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiPaymentsTest,
                         ::testing::ValuesIn(storage::testing::Backends()));
// The server as `spode serve` runs it before its background thread has built the snapshot.
class ApiSnapshotLoadingTest : public ApiPaymentsTest {
 protected:
  ApiSnapshotLoadingTest() { load_eligibility_ = false; }
};

// The server listens before the eligibility snapshot is built: a cycle asked for meanwhile is
// refused with 503 and Retry-After, and none is made; once it is built, the same request works.
TEST_P(ApiSnapshotLoadingTest, ACycleAskedForWhileTheSnapshotLoadsIsRefusedForNowNotLost) {
  programs::SchemeStore store(db(), clock_);
  ASSERT_TRUE(store.Add(payments::testing::PensionYaml(), "test", "system:test").ok());
  ASSERT_TRUE(store.SetStatus(payments::testing::kScheme, "active", "system:test").ok());
  std::string admin = Token("officer.9901.admin");
  json ask = {{"scheme_id", payments::testing::kScheme}, {"period", "2026-11"}};
  Reply early = Call("POST", "/api/v1/cycles", ask, admin);
  EXPECT_EQ(early.status, 503) << early;
  EXPECT_EQ(early.code(), "UNAVAILABLE");
  EXPECT_EQ(early.Header("Retry-After"), "5");
  auto cycles = db().QueryOne("SELECT COUNT(*) FROM cycles");
  ASSERT_TRUE(cycles.ok()) << cycles.status();
  EXPECT_EQ((*cycles)->Int(0), 0);

  ASSERT_TRUE(eligibility_.Refresh(db(), clock_).ok());
  Reply made = Call("POST", "/api/v1/cycles", ask, admin);
  EXPECT_EQ(made.status, 201) << made;
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiSnapshotLoadingTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace spode::api
