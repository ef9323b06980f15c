// Grievances over HTTP, on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: filing through
// every channel (portal, operator with consent, officer, partner client, SMS gateway), who sees
// what (a citizen their own, an officer their area, a bank what is assigned to it), the life
// of a grievance (answer, rating, appeal, closing), and the re-entry loop: a returned payment
// becomes a case, the case upheld after the account is fixed sends the same instruction again
// exactly once, and the cycle then reconciles with the beneficiary paid once.
#include <regex>

#include "api/grievance_jobs.h"
#include "api/testing/api_fixture.h"
#include "grievance/desk.h"
#include "grievance/intake.h"
#include "grievance/reentry_cases.h"
#include "grievance/ticket.h"
#include "gtest/gtest.h"
#include "payments/disbursement.h"
#include "payments/ledger.h"
#include "payments/mapper.h"
#include "payments/reconcile.h"
#include "payments/testing/world.h"
#include "programs/enrolment.h"
#include "programs/store.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

const std::regex kTicket("GR-2026-[0-9]{7}-[0-9]");

class ApiGrievanceTest : public ApiFixture {
 protected:
  Reply File(const json& body, const std::string& token, const std::string& rid = "") {
    return Call("POST", "/api/v1/grievances", body, token, rid);
  }
  Reply Get(const std::string& ticket, const std::string& token, const std::string& query = "",
            const std::string& rid = "") {
    return Call("GET", "/api/v1/grievances/" + ticket + query, std::nullopt, token, "", rid);
  }
  Reply Step(const std::string& ticket, const std::string& step, const json& body,
             const std::string& token) {
    return Call("POST", "/api/v1/grievances/" + ticket + "/" + step, body, token);
  }
  std::vector<std::string> Tickets(const Reply& list) {
    std::vector<std::string> out;
    if (!list.doc.is_object() || !list.doc.contains("grievances")) return out;
    for (const json& g : list.doc["grievances"]) out.push_back(g["ticket"]);
    return out;
  }
  static bool Has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }
  // A grievance filed straight through the library (not what the test is about).
  std::string FiledDirect(const std::string& member_id, grievance::Category category,
                          std::optional<grievance::PaymentFailure> failure = std::nullopt) {
    auto filed = grievance::File(db(), clock_,
                                 {.channel = grievance::Channel::kPortal,
                                  .member_id = member_id,
                                  .category = category,
                                  .description = "filed for the test",
                                  .filed_by = "citizen:" + member_id,
                                  .payment_failure = failure});
    EXPECT_TRUE(filed.ok()) << filed.status();
    return filed.ok() ? filed->ticket : "";
  }
};

TEST_P(ApiGrievanceTest, EveryChannelFilesATicketThatReadsBackWithItsDeadline) {
  const std::string sunita = A().member_ids[0];
  // The citizen, on the portal.
  std::string citizen = CitizenToken(sunita);
  Reply mine = File({{"category", "payment_not_received"},
                     {"description", "October pension not received"}},
                    citizen);
  ASSERT_EQ(mine.status, 201) << mine;
  std::string ticket = mine.doc["ticket"];
  EXPECT_TRUE(std::regex_match(ticket, kTicket)) << ticket;
  // Committed before the answer: the row is there, and the acknowledgement is in the outbox.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM grievances WHERE channel = 'portal'"), 1);
  EXPECT_TRUE(mine.doc["acknowledged"].get<bool>());
  Timestamp due = *Timestamp::Parse(mine.doc["deadline"].get<std::string>());
  EXPECT_EQ(due.micros - clock_.Now().micros, int64_t{21} * 86'400'000'000);
  EXPECT_EQ(mine.doc["holder"]["level"], "block");
  EXPECT_EQ(mine.doc["holder"]["area_code"], "990101");
  Reply outbox = Call("GET", "/dev/outbox?member_id=" + sunita);
  ASSERT_EQ(outbox.status, 200);
  EXPECT_EQ(outbox.doc["messages"][0]["template"], "grievance_ack");
  EXPECT_NE(outbox.doc["messages"][0]["body"].get<std::string>().find(ticket), std::string::npos);

  Reply read = Get(ticket, citizen);
  ASSERT_EQ(read.status, 200) << read;
  EXPECT_EQ(read.doc["ticket"], ticket);
  EXPECT_EQ(read.doc["channel"], "portal");
  EXPECT_EQ(read.doc["status"], "open");
  EXPECT_EQ(read.doc["deadline"], mine.doc["deadline"]);
  EXPECT_EQ(read.doc["language"], "hi");
  ASSERT_GE(read.doc["history"].size(), 2u);
  EXPECT_EQ(read.doc["history"][0]["kind"], "filed");
  // The citizen's language by default (Hindi), English on request.
  std::string hi = read.doc["history"][0]["text"];
  Reply en = Get(ticket, citizen, "?lang=en");
  std::string en_text = en.doc["history"][0]["text"];
  EXPECT_NE(hi, en_text);
  EXPECT_NE(en_text.find("Grievance filed"), std::string::npos) << en_text;
  // Lenient ticket forms name the same grievance; a wrong check digit is refused.
  std::string lower = ticket;
  for (char& c : lower) c = static_cast<char>(std::tolower(c));
  EXPECT_EQ(Get(lower, citizen).status, 200);
  std::string wrong = ticket;
  wrong.back() = static_cast<char>('0' + (wrong.back() - '0' + 1) % 10);
  Reply bad = Get(wrong, citizen);
  EXPECT_EQ(bad.status, 400) << bad;
  EXPECT_EQ(bad.code(), "INVALID_ARGUMENT");

  // An operator, with the citizen's consent for a fee: the centre, fee and consent recorded.
  std::string op = Token("operator.one");
  int64_t consent = GrantConsent(op, sunita, 2000, "file a grievance");
  Reply over = File({{"member_id", sunita},
                     {"category", "enrolment"},
                     {"description", "My application is stuck"},
                     {"fee_paise", 5000}},
                    op);
  EXPECT_EQ(over.status, 409) << over;  // more than the citizen agreed to
  Reply assisted = File({{"member_id", sunita},
                         {"category", "enrolment"},
                         {"description", "My application is stuck"},
                         {"fee_paise", 2000}},
                        op);
  ASSERT_EQ(assisted.status, 201) << assisted;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM grievances WHERE channel = 'operator' AND consent_id = " +
                  std::to_string(consent) + " AND fee_paise = 2000 AND centre = 'CSC0001'"),
            1);
  Reply op_view = Get(assisted.doc["ticket"], op);
  ASSERT_EQ(op_view.status, 200) << op_view;
  EXPECT_FALSE(op_view.doc.contains("links"));  // the filer's view
  // Without consent for household B the operator cannot file for it.
  Reply no_consent = File({{"member_id", B().member_ids[0]},
                           {"category", "other"},
                           {"description", "x"}},
                          op);
  EXPECT_EQ(no_consent.status, 404) << no_consent;

  // An officer, for a citizen on the helpline: the channel is required.
  std::string officer = Token("grievance.990101");
  Reply missing = File({{"member_id", B().member_ids[0]},
                        {"category", "service_denied"},
                        {"description", "Ration refused"}},
                       officer);
  EXPECT_EQ(missing.status, 400) << missing;
  Reply helpline = File({{"member_id", B().member_ids[0]},
                         {"category", "service_denied"},
                         {"description", "Ration refused"},
                         {"channel", "helpline"}},
                        officer);
  ASSERT_EQ(helpline.status, 201) << helpline;
  Reply officer_view = Get(helpline.doc["ticket"], officer);
  ASSERT_EQ(officer_view.status, 200) << officer_view;
  EXPECT_EQ(officer_view.doc["channel"], "officer");
  EXPECT_EQ(officer_view.doc["officer_mode"], "helpline");
  // An officer outside the area cannot file there.
  EXPECT_EQ(File({{"member_id", B().member_ids[0]},
                  {"category", "other"},
                  {"description", "x"},
                  {"channel", "walk_in"}},
                 Token("grievance.9902"))
                .status,
            404);

  // A partner (CSO) with the client scope; a developer client without it is refused.
  std::string partner = ClientToken("partner.cso");
  Reply cso = File({{"member_id", C().member_ids[0]},
                    {"category", "data_misuse"},
                    {"description", "My phone number was shared with a loan agent"}},
                   partner);
  ASSERT_EQ(cso.status, 201) << cso;
  EXPECT_EQ(cso.doc["holder"]["level"], "state");
  Reply partner_list = Call("GET", "/api/v1/grievances", std::nullopt, partner);
  ASSERT_EQ(partner_list.status, 200) << partner_list;
  EXPECT_EQ(Tickets(partner_list), std::vector<std::string>{cso.doc["ticket"]});
  EXPECT_EQ(Get(cso.doc["ticket"], partner).doc["channel"], "partner_api");
  // (404 as for any citizen the caller may not act for: member IDs cannot be probed.)
  EXPECT_EQ(File({{"member_id", C().member_ids[0]},
                  {"category", "other"},
                  {"description", "x"}},
                 Token("developer.one"))
                .status,
            404);

  // The SMS gateway: a message that fits is filed (201) and answered with the ticket; one that
  // does not is answered with how to write it (200); only a gateway client may hand them in.
  std::string gateway = ClientToken("gateway.sms");
  const std::string kamla = C().member_ids[0];
  Reply sms = Call("POST", "/api/v1/inbound/sms",
                   json{{"from", "+919876500031"},
                        {"text", "GRV " + kamla + " 4 pension not received"}},
                   gateway);
  ASSERT_EQ(sms.status, 201) << sms;
  EXPECT_TRUE(sms.doc["accepted"].get<bool>());
  std::string sms_ticket = sms.doc["ticket"];
  EXPECT_NE(sms.doc["reply"].get<std::string>().find(sms_ticket), std::string::npos) << sms;
  Reply kamla_view = Get(sms_ticket, CitizenToken(kamla));
  ASSERT_EQ(kamla_view.status, 200) << kamla_view;
  EXPECT_EQ(kamla_view.doc["channel"], "sms");
  EXPECT_EQ(kamla_view.doc["category"], "payment_not_received");
  Reply malformed = Call("POST", "/api/v1/inbound/sms",
                         json{{"from", "9876500031"}, {"text", "GRV 123 4 hello"}}, gateway);
  ASSERT_EQ(malformed.status, 200) << malformed;
  EXPECT_FALSE(malformed.doc["accepted"].get<bool>());
  EXPECT_NE(malformed.doc["reply"].get<std::string>().find("11 digits"), std::string::npos)
      << malformed;
  Reply hindi = Call("POST", "/api/v1/inbound/sms",
                     json{{"from", "9876500031"}, {"text", "शिकायत " + kamla + " 5 पेंशन वापस आ गई"}},
                     gateway);
  ASSERT_EQ(hindi.status, 201) << hindi;
  EXPECT_NE(hindi.doc["reply"].get<std::string>().find("शिकायत"), std::string::npos) << hindi;
  EXPECT_EQ(Call("POST", "/api/v1/inbound/sms",
                 json{{"from", "9876500031"}, {"text", "GRV " + kamla + " 4 x"}}, partner)
                .status,
            403);
  // One ticket numbering across every channel: six grievances, six distinct tickets.
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT grievance_id) FROM grievances"), 6);
}

TEST_P(ApiGrievanceTest, CitizensSeeTheirOwnOfficersTheirAreaBanksWhatIsAssignedToThem) {
  // A: block 990101; C: block 990201; B: a payment the bank SBIN failed (block 990101 + SBIN).
  std::string a = FiledDirect(A().member_ids[1], grievance::Category::kEligibilityDecision);
  std::string c = FiledDirect(C().member_ids[0], grievance::Category::kEnrolment);
  std::string b = FiledDirect(B().member_ids[0], grievance::Category::kPaymentNotReceived,
                              grievance::PaymentFailure{"bank", "SBIN0001234"});

  // The citizen: their household's (filed by another member of it too), nothing else, and the
  // same answer for another's ticket as for an unknown one; the denial is logged.
  std::string sunita = CitizenToken(A().member_ids[0]);
  EXPECT_EQ(Get(a, sunita).status, 200);
  Reply other = Get(c, sunita, "", "peek-c");
  EXPECT_EQ(other.status, 404) << other;
  EXPECT_EQ(LogFor("peek-c"),
            (std::vector<std::pair<std::string, std::string>>{{"grievance.read", "deny"}}));
  std::string unknown = "GR-2026-9999999-" + std::string(1, '0');
  for (char d = '0'; d <= '9'; ++d) {
    unknown.back() = d;
    if (grievance::ParseTicket(unknown).ok()) break;
  }
  Reply nothing = Get(unknown, sunita, "", "peek-unknown");
  EXPECT_EQ(nothing.status, 404) << nothing;
  EXPECT_EQ(nothing.doc["detail"], other.doc["detail"]);
  EXPECT_EQ(LogFor("peek-unknown"),
            (std::vector<std::pair<std::string, std::string>>{{"grievance.read", "deny"}}));
  Reply own = Call("GET", "/api/v1/me/grievances", std::nullopt, sunita);
  ASSERT_EQ(own.status, 200) << own;
  EXPECT_EQ(Tickets(own), std::vector<std::string>{a});
  EXPECT_EQ(Call("GET", "/api/v1/grievances", std::nullopt, sunita).status, 403);
  // The citizen cannot file for another household either.
  EXPECT_EQ(File({{"member_id", C().member_ids[0]}, {"category", "other"}, {"description", "x"}},
                 sunita)
                .status,
            404);

  // Officers: their area at any level; a grievance officer's duty is needed.
  std::string block_a = Token("grievance.990101"), block_c = Token("grievance.990201");
  std::string district_a = Token("grievance.9901"), state = Token("grievance.99");
  EXPECT_EQ(Get(a, block_a).status, 200);
  EXPECT_EQ(Get(c, block_a).status, 404);
  EXPECT_EQ(Get(c, block_c).status, 200);
  EXPECT_EQ(Get(a, block_c).status, 404);
  EXPECT_EQ(Get(b, district_a).status, 200);
  EXPECT_EQ(Get(c, state).status, 200);
  EXPECT_EQ(Get(a, Token("officer.9901.noduty")).status, 404);
  Reply district_list = Call("GET", "/api/v1/grievances", std::nullopt, district_a);
  ASSERT_EQ(district_list.status, 200);
  std::vector<std::string> seen = Tickets(district_list);
  EXPECT_TRUE(Has(seen, a) && Has(seen, b) && !Has(seen, c));
  // holder=me: what the officer holds (the district holds none of these yet).
  Reply held = Call("GET", "/api/v1/grievances?holder=me", std::nullopt, block_a);
  EXPECT_EQ(Tickets(held), (std::vector<std::string>{a, b}));
  EXPECT_TRUE(Tickets(Call("GET", "/api/v1/grievances?holder=me", std::nullopt, district_a))
                  .empty());
  // Paging in a stable order.
  Reply page1 = Call("GET", "/api/v1/grievances?page_size=2", std::nullopt, state);
  ASSERT_EQ(page1.status, 200) << page1;
  ASSERT_EQ(page1.doc["grievances"].size(), 2u);
  Reply page2 = Call("GET",
                     "/api/v1/grievances?page_size=2&page_token=" +
                         page1.doc["next_page_token"].get<std::string>(),
                     std::nullopt, state);
  EXPECT_EQ(Tickets(page2), std::vector<std::string>{b});
  EXPECT_TRUE(page2.doc["next_page_token"].is_null());

  // Banks: only what is assigned to them, without the citizen's member ID; the holder bank
  // answers it (an officer of another level does not).
  std::string sbin = Token("bank.sbin"), punb = Token("bank.punb");
  Reply bank_view = Get(b, sbin);
  ASSERT_EQ(bank_view.status, 200) << bank_view;
  EXPECT_EQ(bank_view.doc["holder"]["bank"], "SBIN");
  EXPECT_FALSE(bank_view.doc.contains("member_id"));
  EXPECT_EQ(bank_view.body.find(B().member_ids[0]), std::string::npos);
  EXPECT_EQ(Get(a, sbin).status, 404);
  EXPECT_EQ(Get(b, punb).status, 404);
  EXPECT_EQ(Tickets(Call("GET", "/api/v1/grievances", std::nullopt, sbin)),
            std::vector<std::string>{b});
  EXPECT_TRUE(Tickets(Call("GET", "/api/v1/grievances", std::nullopt, punb)).empty());
  EXPECT_EQ(Step(b, "resolve", {{"outcome", "upheld"}, {"reason", "x"}}, district_a).status, 403);
  Reply answered = Step(b, "resolve",
                        {{"outcome", "upheld"}, {"reason", "The credit was re-sent on 30 Nov"}},
                        sbin);
  ASSERT_EQ(answered.status, 200) << answered;
  EXPECT_EQ(answered.doc["status"], "resolved");
  EXPECT_EQ(answered.doc["resolution"]["by"], "user:bank.sbin");
  // Reassigning is for grievance officers of the area, at the holder's level or above.
  EXPECT_EQ(Step(c, "reassign", {{"level", "state"}, {"reason", "x"}}, block_a).status, 404);
  Reply up = Step(c, "reassign", {{"level", "district"}, {"reason", "Needs the district"}},
                  block_c);
  ASSERT_EQ(up.status, 200) << up;
  EXPECT_EQ(up.doc["holder"]["area_code"], "9902");
}

TEST_P(ApiGrievanceTest, AnswerRatingAppealAndClosingOverHttp) {
  std::string citizen = CitizenToken(A().member_ids[0]);
  Reply filed = File({{"category", "eligibility_decision"},
                      {"description", "My pension application was rejected"},
                      {"scheme_id", testing::kSchemeId},
                      {"language", "en"}},
                     citizen);
  ASSERT_EQ(filed.status, 201) << filed;
  std::string t = filed.doc["ticket"];
  std::string block = Token("grievance.990101"), district = Token("grievance.9901");

  // The decision's page links the scheme, its rule version and the explanation route.
  Reply page = Get(t, block);
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_EQ(page.doc["links"]["scheme"]["scheme_id"], testing::kSchemeId);
  EXPECT_EQ(page.doc["links"]["scheme"]["rule_version"], 1);
  EXPECT_EQ(page.doc["links"]["scheme"]["explain"],
            "/api/v1/schemes/" + std::string(testing::kSchemeId) + "/explain/" +
                A().member_ids[0]);

  // The holder: an interim reply, then an answer (a reason is required).
  EXPECT_EQ(Step(t, "interim-reply", {{"reply", "Checking the age proof"}}, district).status,
            403);  // not the holder
  Reply interim = Step(t, "interim-reply", {{"reply", "Checking the age proof"}}, block);
  ASSERT_EQ(interim.status, 200) << interim;
  EXPECT_FALSE(interim.doc["interim_reply_at"].is_null());
  Reply no_reason = Step(t, "resolve", {{"outcome", "rejected"}, {"reason", ""}}, block);
  EXPECT_EQ(no_reason.status, 400) << no_reason;
  Reply rejected = Step(t, "resolve",
                        {{"outcome", "rejected"}, {"reason", "The age on record is 58"}}, block);
  ASSERT_EQ(rejected.status, 200) << rejected;
  EXPECT_EQ(rejected.doc["status"], "resolved");
  EXPECT_EQ(rejected.doc["outcome"], "rejected");

  // The citizen rates it poorly and appeals; only the citizen may.
  EXPECT_EQ(Step(t, "rate", {{"rating", 1}}, block).status, 403);
  EXPECT_EQ(Step(t, "rate", {{"rating", 9}}, citizen).status, 400);
  Reply rated = Step(t, "rate", {{"rating", 2}}, citizen);
  ASSERT_EQ(rated.status, 200) << rated;
  EXPECT_EQ(rated.doc["rating"], 2);
  Reply appealed = Step(t, "appeal", {{"reason", "I am 65; my Aadhaar says so"}}, citizen);
  ASSERT_EQ(appealed.status, 200) << appealed;
  EXPECT_EQ(appealed.doc["status"], "appealed");
  EXPECT_TRUE(appealed.doc["under_appeal"].get<bool>());
  EXPECT_EQ(appealed.doc["holder"]["level"], "district");
  // Under appeal it cannot be closed.
  Reply close = Step(t, "close", json::object(), citizen);
  EXPECT_EQ(close.status, 409) << close;
  EXPECT_EQ(close.code(), "FAILED_PRECONDITION");
  // The block officer no longer holds it; the appellate (district) officer decides.
  EXPECT_EQ(Step(t, "resolve", {{"outcome", "upheld"}, {"reason", "x"}}, block).status, 403);
  Reply decided = Step(t, "resolve",
                       {{"outcome", "upheld"}, {"reason", "Age corrected to 65; re-decided"}},
                       district);
  ASSERT_EQ(decided.status, 200) << decided;
  EXPECT_EQ(decided.doc["status"], "resolved");
  EXPECT_EQ(decided.doc["outcome"], "upheld");
  EXPECT_FALSE(decided.doc["under_appeal"].get<bool>());
  EXPECT_EQ(Step(t, "appeal", {{"reason", "again"}}, citizen).status, 409);  // once only
  Reply satisfied = Step(t, "rate", {{"rating", 5}}, citizen);
  ASSERT_EQ(satisfied.status, 200) << satisfied;
  EXPECT_EQ(satisfied.doc["status"], "closed");

  // The whole story in the citizen's history, in English (the language it was filed in).
  Reply story = Get(t, citizen);
  ASSERT_EQ(story.status, 200);
  std::vector<std::string> kinds;
  for (const json& e : story.doc["history"]) kinds.push_back(e["kind"]);
  for (const char* k : {"filed", "assigned", "interim_reply", "resolved", "rated", "appealed",
                        "appeal_decided", "closed"}) {
    EXPECT_TRUE(Has(kinds, k)) << k << " missing from " << story.doc["history"].dump();
  }

  // Reopening: an answered grievance goes back to whoever answered.
  Reply other = File({{"category", "other"}, {"description", "Road to the office is closed"}},
                     citizen);
  ASSERT_EQ(other.status, 201);
  std::string o = other.doc["ticket"];
  ASSERT_EQ(Step(o, "resolve", {{"outcome", "upheld"}, {"reason", "Reported"}}, block).status,
            200);
  Reply reopened = Step(o, "reopen", {{"reason", "Still closed"}}, citizen);
  ASSERT_EQ(reopened.status, 200) << reopened;
  EXPECT_EQ(reopened.doc["status"], "open");
  EXPECT_EQ(reopened.doc["round"], 1);
}

TEST_P(ApiGrievanceTest, EscalationJobMovesAnOverdueGrievanceUpOnceAndListsIt) {
  std::string citizen = CitizenToken(A().member_ids[0]);
  Reply filed = File({{"category", "other"}, {"description", "Nobody answers"}}, citizen);
  ASSERT_EQ(filed.status, 201);
  std::string t = filed.doc["ticket"];
  std::string block = Token("grievance.990101");
  EXPECT_TRUE(Tickets(Call("GET", "/api/v1/grievances?overdue=true", std::nullopt, block)).empty());
  clock_.Advance(std::chrono::hours(24 * 21) + std::chrono::seconds(1));
  // Sessions have ended in three weeks: sign in again.
  tokens_.clear();
  citizen = CitizenToken(A().member_ids[0]);
  block = Token("grievance.990101");
  EXPECT_EQ(Tickets(Call("GET", "/api/v1/grievances?overdue=true", std::nullopt, block)),
            std::vector<std::string>{t});
  GrievanceJobs first = RunGrievanceJobs(db(), clock_);
  ASSERT_TRUE(first.error.ok()) << first.error;
  EXPECT_EQ(first.escalation.escalated, 1);
  GrievanceJobs again = RunGrievanceJobs(db(), clock_);
  EXPECT_EQ(again.escalation.escalated, 0);
  Reply now = Get(t, citizen);
  EXPECT_EQ(now.doc["holder"]["level"], "district");
  EXPECT_EQ(now.doc["escalations"], 1);
  EXPECT_FALSE(now.doc["overdue"].get<bool>());
}

class ApiReentryTest : public ApiGrievanceTest {
 protected:
  // The test pension active and every member aged 60 or more enrolled (Sunita and Ramesh of
  // A at SBIN, Kamla of C at PUNB, Suresh of C without an account), as in api_payments_test.
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
    ASSERT_TRUE(payments::SeedFromRegistry(db(), clock_).ok());
    auto kamla = db().QueryOne("SELECT member_idx FROM members WHERE name = 'Kamla Devi'");
    payments::Mapper mapper(db(), clock_);
    ASSERT_TRUE(mapper
                    .Update((*kamla)->Int(0),
                            payments::FinancialAddress::BankAccount("PUNB0123400", "44400011122",
                                                                    "Kamla Devi"),
                            {.party = "bank:PUNB", .reason = "account moved"}, key_)
                    .ok());
  }

  int64_t MemberIdx(const std::string& member_id) {
    auto row = db().QueryOne("SELECT member_idx FROM members WHERE member_id = ?", {member_id});
    EXPECT_TRUE(row.ok() && row->has_value());
    return (*row)->Int(0);
  }

  std::string InstructionOf(const std::string& member_id) {
    auto row = db().QueryOne("SELECT instruction_id FROM payment_instructions WHERE "
                             "payee_member_idx = ?",
                             {MemberIdx(member_id)});
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->Text(0) : "";
  }

  std::pair<std::string, int64_t> StateOf(const std::string& instruction_id) {
    auto row = db().QueryOne("SELECT status, attempt FROM payment_instructions WHERE "
                             "instruction_id = ?",
                             {instruction_id});
    EXPECT_TRUE(row.ok() && row->has_value());
    return {(*row)->Text(0), (*row)->Int(1)};
  }

  Reply BankStatus(const std::string& csv) {
    return Call("POST", "/api/v1/bank/status", std::optional<std::string>(csv), Token("bank.sbin"));
  }

  // The re-entry case opened for `instruction_id`'s failure.
  std::string CaseFor(const std::string& instruction_id) {
    auto row = db().QueryOne("SELECT g.grievance_id FROM grievances g JOIN reentry_events e ON "
                             "e.event_id = g.reentry_event_id WHERE g.kind = 'reentry' AND "
                             "e.source LIKE ? ORDER BY g.grievance_id DESC",
                             {"instruction:" + instruction_id + "/%"});
    EXPECT_TRUE(row.ok() && row->has_value()) << instruction_id << " " << row.status();
    if (!row.ok() || !row->has_value()) return "";
    auto g = grievance::Get(db(), (*row)->Int(0));
    EXPECT_TRUE(g.ok()) << g.status();
    return g.ok() ? g->ticket : "";
  }
};

TEST_P(ApiReentryTest, ReturnedPaymentCaseUpheldAfterTheAccountIsFixedPaysTheArrearsOnce) {
  SetUpScheme();
  const std::string scheme = payments::testing::kScheme;
  // The cycle, approved by district and state, exported.
  std::string admin = Token("officer.9901.admin");
  Reply made = Call("POST", "/api/v1/cycles", json{{"scheme_id", scheme}, {"period", "2026-11"}},
                    admin);
  ASSERT_EQ(made.status, 201) << made;
  std::string cycle = "/api/v1/cycles/" + std::to_string(made.doc["cycle_id"].get<int64_t>());
  ASSERT_EQ(Call("POST", cycle + "/approve", json::object(), Token("officer.9901.approver")).status,
            200);
  ASSERT_EQ(Call("POST", cycle + "/approve", json::object(), Token("officer.state.approver"))
                .status,
            200);
  ASSERT_EQ(Call("POST", cycle + "/export", json::object(), admin).status, 200);

  // SBIN pays Sunita, then her credit comes back (account closed: she must act); it rejects
  // Ramesh's (KYC pending at the bank: the bank must act).
  const std::string sunita = A().member_ids[0], ramesh = A().member_ids[1];
  const std::string s_id = InstructionOf(sunita), r_id = InstructionOf(ramesh);
  Reply paid = BankStatus("end_to_end_id,status,reason_code,reason_detail\n" + s_id +
                          ",ACSC,,\n" + r_id + ",RJCT,51,KYC DOCUMENTS PENDING\n");
  ASSERT_EQ(paid.status, 200) << paid;
  ASSERT_EQ(paid.doc["paid"], 1);
  Reply back = BankStatus("end_to_end_id,status,reason_code,reason_detail\n" + s_id +
                          ",RTND,AC04,ACCOUNT CLOSED\n");
  ASSERT_EQ(back.status, 200) << back;
  ASSERT_EQ(back.doc["returned"], 1);
  ASSERT_EQ(StateOf(s_id), (std::pair<std::string, int64_t>{"returned", 1}));
  ASSERT_EQ(StateOf(r_id), (std::pair<std::string, int64_t>{"rejected", 1}));

  // Sunita complains about the payment: her grievance links the instruction and its return
  // reason on the officer's page.
  std::string citizen = CitizenToken(sunita);
  Reply complaint = File({{"category", "payment_returned"},
                          {"description", "My pension came back"},
                          {"instruction_id", s_id}},
                         citizen);
  ASSERT_EQ(complaint.status, 201) << complaint;
  // Another household's instruction cannot be linked.
  EXPECT_EQ(File({{"category", "payment_returned"},
                  {"description", "x"},
                  {"instruction_id", InstructionOf(C().member_ids[0])}},
                 citizen)
                .status,
            404);
  std::string block = Token("grievance.990101");
  Reply page = Get(complaint.doc["ticket"], block);
  ASSERT_EQ(page.status, 200) << page;
  const json& payment = page.doc["links"]["payment"];
  EXPECT_EQ(payment["instruction_id"], s_id);
  EXPECT_EQ(payment["status"], "returned");
  ASSERT_EQ(payment["failures"].size(), 1u);
  EXPECT_EQ(payment["failures"][0]["reason_code"], "AC04");
  EXPECT_NE(payment["failures"][0]["reason"].get<std::string>().find("closed"), std::string::npos);

  // The scheduled job opens a case per failure: Sunita's at the block, Ramesh's with the bank.
  GrievanceJobs jobs = RunGrievanceJobs(db(), clock_);
  ASSERT_TRUE(jobs.error.ok()) << jobs.error;
  EXPECT_EQ(jobs.cases.opened, 3);  // and Suresh's (no account: failed validation)
  EXPECT_EQ(RunGrievanceJobs(db(), clock_).cases.opened, 0);
  std::string s_case = CaseFor(s_id), r_case = CaseFor(r_id);
  ASSERT_TRUE(s_case.starts_with("RC-")) << s_case;
  Reply mine = Call("GET", "/api/v1/me/grievances?kind=reentry", std::nullopt, citizen);
  EXPECT_EQ(Tickets(mine), (std::vector<std::string>{r_case, s_case}));  // oldest event first
  Reply s_page = Get(s_case, block);
  ASSERT_EQ(s_page.status, 200) << s_page;
  EXPECT_EQ(s_page.doc["case"]["action"], "retry_payment");
  EXPECT_EQ(s_page.doc["case"]["target"], "instruction:" + s_id);
  EXPECT_EQ(s_page.doc["links"]["event"]["kind"], "payment_returned");
  std::string sbin = Token("bank.sbin");
  Reply r_page = Get(r_case, sbin);
  ASSERT_EQ(r_page.status, 200) << r_page;
  EXPECT_EQ(r_page.doc["holder"]["bank"], "SBIN");

  // Sunita gives a working account; the mapper is updated; the officer upholds the case.
  payments::Mapper mapper(db(), clock_);
  ASSERT_TRUE(mapper
                  .Update(MemberIdx(sunita),
                          payments::FinancialAddress::BankAccount("SBIN0001234", "30098765001",
                                                                  "Sunita Devi"),
                          {.party = "officer:grievance.990101", .reason = "account closed (AC04)"},
                          key_)
                  .ok());
  Reply upheld = Step(s_case, "resolve",
                      {{"outcome", "upheld"}, {"reason", "New account recorded on 1 Dec"}}, block);
  ASSERT_EQ(upheld.status, 200) << upheld;
  ASSERT_EQ(upheld.doc["case"]["actions"].size(), 1u);
  EXPECT_EQ(upheld.doc["case"]["actions"][0]["status"], "pending");
  // The bank upholds Ramesh's once KYC is done.
  ASSERT_EQ(Step(r_case, "resolve", {{"outcome", "upheld"}, {"reason", "KYC completed"}}, sbin)
                .status,
            200);

  // Ramesh's retry is done by hand before the job runs (as if a run had requeued it and then
  // stopped before marking the action): the job must only mark it.
  ASSERT_TRUE(payments::RequeueInstruction(db(), clock_, r_id, "user:payments.desk").ok());
  ASSERT_EQ(StateOf(r_id), (std::pair<std::string, int64_t>{"ready", 2}));

  Result<ActionRun> run = RunResolutionActions(db(), clock_);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->examined, 2);
  EXPECT_EQ(run->done, 1);     // Sunita's: sent again now
  EXPECT_EQ(run->already, 1);  // Ramesh's: found sent again, marked only
  EXPECT_EQ(StateOf(s_id), (std::pair<std::string, int64_t>{"ready", 2}));
  EXPECT_EQ(StateOf(r_id), (std::pair<std::string, int64_t>{"ready", 2}));
  // Exactly once: nothing left to do, however often it runs.
  Result<ActionRun> rerun = RunResolutionActions(db(), clock_);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->examined, 0);
  EXPECT_EQ(StateOf(s_id).second, 2);
  // One instruction per beneficiary and cycle, the same id.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE payee_member_idx = " +
                  std::to_string(MemberIdx(sunita))),
            1);
  // The citizen sees the action done, and was told.
  Reply done = Get(s_case, citizen, "?lang=en");
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.doc["case"]["actions"][0]["status"], "done");
  EXPECT_EQ(done.doc["history"].back()["kind"], "action_done");
  Reply outbox = Call("GET", "/dev/outbox?member_id=" + sunita);
  EXPECT_EQ(outbox.doc["messages"][0]["template"], "grievance_update");

  // The arrears go out with the next export, to the new account, and are paid.
  Reply exported = Call("POST", cycle + "/export", json::object(), admin);
  ASSERT_EQ(exported.status, 200) << exported;
  ASSERT_EQ(exported.doc["files"].size(), 1u);
  EXPECT_EQ(exported.doc["files"][0]["transactions"], 2);
  ASSERT_EQ(StateOf(s_id), (std::pair<std::string, int64_t>{"sent", 2}));
  Reply settled = BankStatus("end_to_end_id,status,reason_code,reason_detail\n" + s_id +
                             ",ACSC,,\n" + r_id + ",ACSC,,\n");
  ASSERT_EQ(settled.status, 200) << settled;
  EXPECT_EQ(settled.doc["paid"], 2);
  EXPECT_EQ(StateOf(s_id), (std::pair<std::string, int64_t>{"paid", 2}));

  // The ledger reconciles with the payments and the files.
  auto rec = payments::Reconcile(db(), clock_, files_dir_);
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_TRUE(rec->ok()) << rec->Summary();
  // Paid exactly once for the cycle: SBIN's beneficiary control account holds exactly the
  // cycle's SBIN instructions (Sunita's and Ramesh's), each once; Sunita's first credit came
  // back to payable.
  auto sums = db().QueryOne("SELECT SUM(amount_paise), COUNT(*) FROM payment_instructions WHERE "
                            "bank = 'SBIN' AND status = 'paid'");
  ASSERT_TRUE(sums.ok() && sums->has_value());
  EXPECT_EQ((*sums)->Int(1), 2);
  payments::Ledger ledger(db(), clock_);
  auto at_sbin = ledger.Balance(payments::AccountKey::Beneficiary(scheme, "SBIN"));
  ASSERT_TRUE(at_sbin.ok()) << at_sbin.status();
  EXPECT_EQ(std::llabs(at_sbin->paise()), (*sums)->Int(0));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts WHERE instruction_id = '" + s_id +
                  "' AND outcome = 'returned'"),
            1);
}

TEST_P(ApiReentryTest, RetryWaitsWhileThePayeeHasNoValidAccount) {
  SetUpScheme();
  const std::string scheme = payments::testing::kScheme;
  std::string admin = Token("officer.9901.admin");
  Reply made = Call("POST", "/api/v1/cycles", json{{"scheme_id", scheme}, {"period", "2026-11"}},
                    admin);
  ASSERT_EQ(made.status, 201) << made;
  std::string cycle = "/api/v1/cycles/" + std::to_string(made.doc["cycle_id"].get<int64_t>());
  ASSERT_EQ(Call("POST", cycle + "/approve", json::object(), Token("officer.9901.approver")).status,
            200);
  ASSERT_EQ(Call("POST", cycle + "/approve", json::object(), Token("officer.state.approver"))
                .status,
            200);
  // Suresh (C) has no bank account: his instruction failed validation, a re-entry event.
  auto suresh = db().QueryOne("SELECT i.instruction_id, m.member_id FROM payment_instructions i "
                              "JOIN members m ON m.member_idx = i.payee_member_idx WHERE "
                              "i.status = 'invalid'");
  ASSERT_TRUE(suresh.ok() && suresh->has_value());
  std::string id = (*suresh)->Text(0);
  ASSERT_TRUE(RunGrievanceJobs(db(), clock_).error.ok());
  std::string rc = CaseFor(id);
  ASSERT_FALSE(rc.empty());
  Reply upheld = Step(rc, "resolve", {{"outcome", "upheld"}, {"reason", "Account to be added"}},
                      Token("grievance.990201"));
  ASSERT_EQ(upheld.status, 200) << upheld;
  Result<ActionRun> run = RunResolutionActions(db(), clock_);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->waiting, 1);
  EXPECT_EQ(StateOf(id), (std::pair<std::string, int64_t>{"invalid", 1}));
  // Once linked, the next run sends it.
  payments::Mapper mapper(db(), clock_);
  ASSERT_TRUE(mapper
                  .Link(MemberIdx((*suresh)->Text(1)),
                        payments::FinancialAddress::BankAccount("SBIN0001234", "30012345678",
                                                                "Suresh Singh"),
                        {.party = "officer:grievance.990201", .reason = "account given"}, key_)
                  .ok());
  run = RunResolutionActions(db(), clock_);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->done, 1);
  EXPECT_EQ(StateOf(id), (std::pair<std::string, int64_t>{"ready", 2}));
}

TEST_P(ApiReentryTest, WrongExitCaseUpheldEnrolsAgainWithoutANewApplicationOnce) {
  SetUpScheme();
  const std::string sunita = A().member_ids[0];
  auto enrolment = db().QueryOne("SELECT enrolment_id FROM enrolments WHERE beneficiary_idx = ?",
                                 {MemberIdx(sunita)});
  ASSERT_TRUE(enrolment.ok() && enrolment->has_value());
  ASSERT_TRUE(programs::ExitVoluntarily(db(), clock_, (*enrolment)->Int(0), "user:operator.one",
                                        "recorded by mistake")
                  .ok());
  ASSERT_TRUE(RunGrievanceJobs(db(), clock_).error.ok());
  auto case_row = db().QueryOne("SELECT grievance_id FROM grievances WHERE action_kind = "
                                "'reinstate_enrolment'");
  ASSERT_TRUE(case_row.ok() && case_row->has_value());
  auto rc = grievance::Get(db(), (*case_row)->Int(0));
  ASSERT_TRUE(rc.ok());
  std::string block = Token("grievance.990101");
  Reply page = Get(rc->ticket, block);
  ASSERT_EQ(page.status, 200) << page;
  EXPECT_EQ(page.doc["case"]["action"], "reinstate_enrolment");
  ASSERT_EQ(page.doc["links"]["exits"].size(), 1u);
  EXPECT_EQ(page.doc["links"]["exits"][0]["reason_code"], "voluntary");
  ASSERT_EQ(Step(rc->ticket, "resolve",
                 {{"outcome", "upheld"}, {"reason", "She never asked to leave"}}, block)
                .status,
            200);
  // Without the eligibility snapshot the action waits; with it, the rules decide now.
  Result<ActionRun> waiting = RunResolutionActions(db(), clock_);
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->waiting, 1);
  Result<ActionRun> run = RunResolutionActions(db(), clock_, {.eligibility = &eligibility_});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->done, 1) << run->lines[0];
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrolments WHERE status = 'enrolled' AND "
                  "beneficiary_idx = " + std::to_string(MemberIdx(sunita))),
            1);
  auto app = db().QueryOne("SELECT channel, submitted_by FROM enrolment_applications");
  ASSERT_TRUE(app.ok() && app->has_value());
  EXPECT_EQ((*app)->Text(0), "officer");
  EXPECT_EQ((*app)->Text(1), "user:grievance.990101");
  Result<ActionRun> again = RunResolutionActions(db(), clock_, {.eligibility = &eligibility_});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->examined, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM enrolment_applications"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiGrievanceTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });
INSTANTIATE_TEST_SUITE_P(Backends, ApiReentryTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
