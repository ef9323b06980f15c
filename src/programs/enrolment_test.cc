// Enrolment: proactive (notice, objection, enrolment when the period ends), by application
// (with and without an officer's review), and exits (proposed, noticed, effective or
// cancelled; voluntary), on SQLite and, with SPODE_TEST_PG_URL, PostgreSQL.
#include "programs/enrolment.h"

#include <atomic>
#include <chrono>
#include <future>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notify/outbox.h"
#include "notify/schema.h"
#include "programs/proposals.h"
#include "programs/reentry.h"
#include "programs/store.h"
#include "registry/importer.h"
#include "registry/registry.h"
#include "registry/schema.h"
#include "storage/testing/test_database.h"

namespace spode::programs {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kPension[] = R"(id: old_age_pension
version: 1
name: {en: Old age pension, hi: वृद्धावस्था पेंशन}
unit: person
benefit: cash
frequency: monthly
eligibility:
  - id: age
    rule: age_years(person.dob) >= 60
    explain: {en: Aged 60 or above, hi: आयु 60 वर्ष या अधिक}
  - id: income
    rule: household.income_annual <= rupees(48000)
    explain: {en: "Family income up to Rs 48,000 a year", hi: "परिवार की वार्षिक आय 48,000 रुपये तक"}
amount: rupees(1000)
)";

constexpr char kHouseholdGrant[] = R"(id: household_grant
version: 1
name: {en: Household grant, hi: परिवार अनुदान}
unit: household
benefit: cash
frequency: yearly
eligibility:
  - id: income
    rule: household.income_annual <= rupees(48000)
    explain: {en: "Family income up to Rs 48,000 a year", hi: "परिवार की वार्षिक आय 48,000 रुपये तक"}
amount: rupees(5000)
)";

json Person(const std::string& name, const std::string& dob, const std::string& sex,
            const std::string& relationship, const std::string& phone = "") {
  json m = {{"name", name}, {"dob", dob}, {"sex", sex}, {"relationship", relationship}};
  if (!phone.empty()) m["phone"] = phone;
  return m;
}

// A household in `state` ("09": Uttar Pradesh, Hindi; "99": the synthetic state, English).
json Family(const std::string& state, int village, int64_t income, std::vector<json> members) {
  std::string v = state + "0101" + std::to_string(100 + village);
  return {
      {"address",
       {{"state", state}, {"district", v.substr(0, 4)}, {"block", v.substr(0, 6)}, {"village", v}}},
      {"attributes", {{"income_annual", income}}},
      {"members", members}};
}

class EnrolmentTest : public ::testing::TestWithParam<std::string> {
 protected:
  EnrolmentTest()
      : tdb_(GetParam()),
        key_(crypto::MasterKey::FromBytes(std::string(32, 'k'))),
        clock_(*Timestamp::Parse("2026-11-29T06:30:00Z")) {}  // 12:00 in India

  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    auto migrations = registry::Migrations();
    for (auto& m : notify::Migrations()) migrations.push_back(m);
    for (auto& m : Migrations()) migrations.push_back(m);
    auto ran = storage::ApplyMigrations(db(), migrations);
    ASSERT_TRUE(ran.ok()) << ran.status();
  }

  storage::Database& db() { return tdb_.db(); }

  // Imports a household; returns its family_id.
  std::string Add(const json& household) {
    auto h = registry::HouseholdFromJson(household, clock_.Today());
    EXPECT_TRUE(h.ok()) << h.status();
    if (!h.ok()) return "";
    auto importer = registry::Importer::Create(db(), key_, clock_);
    EXPECT_TRUE(importer.ok()) << importer.status();
    if (!importer.ok()) return "";
    auto out = (*importer)->Enrol({*h});
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return "";
    EXPECT_EQ((*out)[0].kind, registry::EnrolOutcome::Kind::kImported) << (*out)[0].reason;
    return (*out)[0].family_id;
  }

  int64_t MemberIdx(const std::string& name) {
    return Int("SELECT member_idx FROM members WHERE name = '" + name + "'");
  }
  std::string MemberId(const std::string& name) {
    auto row = db().QueryOne("SELECT member_id FROM members WHERE name = '" + name + "'");
    return row.ok() && *row ? (*row)->Text(0) : "";
  }
  int64_t HouseholdIdx(const std::string& family_id) {
    return Int("SELECT household_idx FROM households WHERE family_id = '" + family_id + "'");
  }
  int64_t Int(const std::string& sql) {
    auto row = db().QueryOne(sql);
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }
  std::string Text(const std::string& sql) {
    auto row = db().QueryOne(sql);
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() && *row ? (*row)->Text(0) : "";
  }

  void AddScheme(const char* yaml) {
    SchemeStore store(db(), clock_);
    auto version = store.Add(yaml, "test.yaml", "user:admin");
    ASSERT_TRUE(version.ok()) << version.status();
    auto s = ParseScheme(yaml, "test.yaml");
    ASSERT_TRUE(store.SetStatus(s->id, "active", "user:admin").ok());
  }

  std::unique_ptr<registry::Snapshot> Snapshot() {
    auto snap = registry::Snapshot::Build(db());
    EXPECT_TRUE(snap.ok()) << snap.status();
    return std::move(*snap);
  }

  // Runs the eligibility job for `scheme` and notices the proposals.
  NoticeReport ProposeAndNotice(const std::string& scheme) {
    auto snap = Snapshot();
    auto run = RunEligibility(db(), *snap, clock_, scheme);
    EXPECT_TRUE(run.ok()) << run.status();
    auto notices = SendNotices(db(), clock_, scheme);
    EXPECT_TRUE(notices.ok()) << notices.status();
    return notices.ok() ? *notices : NoticeReport{};
  }

  std::vector<notify::StoredMessage> Messages(const std::string& member_id) {
    notify::Outbox outbox(db(), clock_);
    auto recent = outbox.Recent(100, member_id);
    EXPECT_TRUE(recent.ok()) << recent.status();
    return recent.ok() ? *recent : std::vector<notify::StoredMessage>{};
  }

  // The re-entry events as stored, oldest first.
  struct Event {
    std::string kind, source, reason_code;
    int64_t member_idx = 0;
  };
  std::vector<Event> ReentryEvents() {
    auto rows = db().Query(
        "SELECT kind, source, reason_code, member_idx FROM reentry_events "
        "ORDER BY event_id");
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<Event> out;
    if (rows.ok()) {
      for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Text(2), r.Int(3)});
    }
    return out;
  }

  // Enrols a member through an application decided by the rules alone.
  int64_t EnrolByApplication(const Eligibility& elig, const std::string& name) {
    auto a = Apply(db(), elig, clock_,
                   {.scheme_id = "old_age_pension",
                    .member_idx = MemberIdx(name),
                    .channel = "operator",
                    .actor = "user:csc.op1"});
    EXPECT_TRUE(a.ok()) << a.status();
    EXPECT_EQ(a->status, "enrolled");
    return a.ok() && a->enrolment_id ? *a->enrolment_id : -1;
  }

  void Advance(int days) { clock_.Advance(std::chrono::days(days)); }

  storage::testing::TestDatabase tdb_;
  crypto::MasterKey key_;
  ManualTimeSource clock_;
};

// ---- proactive ----

TEST_P(EnrolmentTest, ObjectionDuringThePeriodWithdrawsTheProposal) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  NoticeReport n = ProposeAndNotice("old_age_pension");
  EXPECT_EQ(n.noticed, 1);
  int64_t proposal = Int("SELECT proposal_id FROM eligibility_proposals");
  EXPECT_EQ(Text("SELECT status FROM eligibility_proposals"), "noticed");

  Advance(3);
  Status objected = Object(db(), clock_, proposal, "user:csc.op1", "does not want the pension");
  ASSERT_TRUE(objected.ok()) << objected;
  EXPECT_EQ(Text("SELECT status FROM eligibility_proposals"), "withdrawn");
  EXPECT_EQ(Text("SELECT reason_code FROM proposal_withdrawals"), "objection");
  EXPECT_EQ(Text("SELECT withdrawn_by FROM proposal_withdrawals"), "user:csc.op1");
  EXPECT_EQ(Object(db(), clock_, proposal, "user:csc.op1", "again").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Object(db(), clock_, proposal + 100, "user:csc.op1", "x").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Object(db(), clock_, proposal, "user:csc.op1", "").code(),
            StatusCode::kInvalidArgument);

  Advance(30);
  auto due = EnrolDue(db(), clock_, "old_age_pension");
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(due->enrolled, 0);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 0);
}

TEST_P(EnrolmentTest, EnrolsOnceWhenTheObjectionPeriodEnds) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Add(Family("99", 2, 3000000, {Person("Young Man", "1990-03-01", "M", "head", "9876500002")}));
  NoticeReport n = ProposeAndNotice("old_age_pension");
  EXPECT_EQ(n.noticed, 1);
  // Objections run to the end of 14 December in India; enrolment is from the 15th.
  EXPECT_EQ(n.objection_until, *Timestamp::Parse("2026-12-14T18:30:00Z"));
  int64_t proposal = Int("SELECT proposal_id FROM eligibility_proposals");

  auto early = EnrolDue(db(), clock_, "old_age_pension");
  ASSERT_TRUE(early.ok()) << early.status();
  EXPECT_EQ(early->enrolled, 0);
  Advance(15);  // 14 December, 12:00: still in the period
  EXPECT_EQ(EnrolDue(db(), clock_, "old_age_pension")->enrolled, 0);
  Advance(1);
  auto due = EnrolDue(db(), clock_, "old_age_pension");
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(due->enrolled, 1);
  EXPECT_EQ(Object(db(), clock_, proposal, "citizen:x", "too late").code(),
            StatusCode::kFailedPrecondition);

  auto again = EnrolDue(db(), clock_, "old_age_pension");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->enrolled, 0);
  EXPECT_EQ(SendNotices(db(), clock_, "old_age_pension")->noticed, 0);
  auto list = ListEnrolments(db(), {.scheme_id = "old_age_pension"});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 1u);
  const Enrolment& e = (*list)[0];
  EXPECT_EQ(e.path, "proactive");
  EXPECT_EQ(e.source_id, proposal);
  EXPECT_EQ(e.enrolled_by, "system");
  EXPECT_EQ(e.status, "enrolled");
  EXPECT_EQ(e.beneficiary_idx, MemberIdx("Kamla Devi"));
  EXPECT_EQ(e.payee_member_idx, MemberIdx("Kamla Devi"));
  EXPECT_EQ(Text("SELECT status FROM eligibility_proposals"), "enrolled");

  auto counts = CountEnrolments(db(), "old_age_pension");
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].enrolled, 1);
  EXPECT_EQ((*counts)[0].noticed, 0);
}

TEST_P(EnrolmentTest, NoticeGoesToThePayeesPhoneInTheirLanguage) {
  AddScheme(kPension);
  Add(Family("09", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Add(Family("99", 2, 3000000, {Person("Mary Das", "1951-03-01", "F", "head", "9876500002")}));
  Add(Family("99", 3, 3000000, {Person("Ram Lal", "1952-03-01", "M", "head")}));  // no phone
  NoticeReport n = ProposeAndNotice("old_age_pension");
  EXPECT_EQ(n.noticed, 3);
  EXPECT_EQ(n.messages, 2);
  EXPECT_EQ(n.without_phone, 1);

  auto hindi = Messages(MemberId("Kamla Devi"));
  ASSERT_EQ(hindi.size(), 1u);
  EXPECT_EQ(hindi[0].template_name, "enrolment_notice");
  EXPECT_EQ(hindi[0].language, notify::Language::kHi);
  EXPECT_EQ(hindi[0].recipient, "9876500001");
  EXPECT_EQ(hindi[0].body,
            "आपको 15-12-2026 से इस योजना में नामांकित करने का प्रस्ताव है: वृद्धावस्था पेंशन। "
            "आपत्ति करने या कोई जानकारी सुधारने के लिए 14-12-2026 तक हमसे संपर्क करें।");
  auto english = Messages(MemberId("Mary Das"));
  ASSERT_EQ(english.size(), 1u);
  EXPECT_EQ(english[0].language, notify::Language::kEn);
  EXPECT_EQ(english[0].body,
            "You are proposed for enrolment in the scheme Old age pension from 15-12-2026. To "
            "object, or to correct any detail, contact us by 14-12-2026.");
  EXPECT_TRUE(Messages(MemberId("Ram Lal")).empty());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolment_notices WHERE channel = 'none' AND "
                "message_id IS NULL"),
            1);
  EXPECT_EQ(Text("SELECT language FROM enrolment_notices n JOIN members m ON "
                 "m.member_idx = n.payee_member_idx WHERE m.name = 'Kamla Devi'"),
            "hi");
  // Without a phone the notice still counts: enrolled when the period ends.
  Advance(16);
  EXPECT_EQ(EnrolDue(db(), clock_, "old_age_pension")->enrolled, 3);
}

TEST_P(EnrolmentTest, HouseholdSchemePaysAndNoticesTheHead) {
  AddScheme(kHouseholdGrant);
  std::string family =
      Add(Family("99", 1, 3000000,
                 {Person("Mohan Spouse", "1978-01-01", "M", "spouse", "9876500011"),
                  Person("Geeta Head", "1980-01-01", "F", "head", "9876500012")}));
  NoticeReport n = ProposeAndNotice("household_grant");
  EXPECT_EQ(n.messages, 1);
  EXPECT_EQ(Messages(MemberId("Geeta Head")).size(), 1u);
  EXPECT_TRUE(Messages(MemberId("Mohan Spouse")).empty());
  Advance(16);
  EXPECT_EQ(EnrolDue(db(), clock_, "household_grant")->enrolled, 1);
  auto list = ListEnrolments(db(), {.household_idx = HouseholdIdx(family)});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].unit, "household");
  EXPECT_EQ((*list)[0].beneficiary_idx, HouseholdIdx(family));
  EXPECT_EQ((*list)[0].payee_member_idx, MemberIdx("Geeta Head"));
  // Listed for the head as payee, not for the spouse.
  EXPECT_EQ(ListEnrolments(db(), {.member_idx = MemberIdx("Geeta Head")})->size(), 1u);
  EXPECT_TRUE(ListEnrolments(db(), {.member_idx = MemberIdx("Mohan Spouse")})->empty());
}

TEST_P(EnrolmentTest, ProposalOfSomeoneWhoAppliedMeanwhileIsWithdrawnNotEnrolledTwice) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  ProposeAndNotice("old_age_pension");
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  EnrolByApplication(elig, "Kamla Devi");
  Advance(16);
  auto due = EnrolDue(db(), clock_, "old_age_pension");
  ASSERT_TRUE(due.ok()) << due.status();
  EXPECT_EQ(due->enrolled, 0);
  EXPECT_EQ(due->withdrawn, 1);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 1);
  EXPECT_EQ(Text("SELECT reason_code FROM proposal_withdrawals"), "already_enrolled");
}

// ---- applications ----

// `spode serve` listens before the snapshot is built: until the first Refresh, every read says
// UNAVAILABLE (503, try again), never "not eligible" or "not found", and nothing is recorded.
TEST_P(EnrolmentTest, BeforeTheSnapshotIsBuiltEveryReadIsUnavailableAndNothingIsDecided) {
  AddScheme(kPension);
  std::string family = Add(
      Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Eligibility elig;
  EXPECT_FALSE(elig.ready());
  const int64_t kamla = MemberIdx("Kamla Devi");
  const int64_t household = HouseholdIdx(family);
  Date today = clock_.Today();
  EXPECT_EQ(elig.ExplainMember(kamla, household, "en", today).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(elig.ExplainScheme("old_age_pension", kamla, household, "en", today).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(elig.RunJob(db(), clock_, "").status().code(), StatusCode::kUnavailable);
  bool ran = false;
  Status with = elig.WithSnapshot([&](const registry::Snapshot&) {
    ran = true;
    return OkStatus();
  });
  EXPECT_EQ(with.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ran);
  auto early = Apply(db(), elig, clock_,
                     {.scheme_id = "old_age_pension",
                      .member_idx = kamla,
                      .channel = "self",
                      .actor = "citizen:" + MemberId("Kamla Devi")});
  EXPECT_EQ(early.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 0);
  // A first build given up (the server stopping) leaves it unloaded.
  std::atomic<bool> stop{true};
  EXPECT_EQ(elig.Refresh(db(), clock_, &stop).code(), StatusCode::kAborted);
  EXPECT_FALSE(elig.ready());

  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  EXPECT_TRUE(elig.ready());
  EXPECT_TRUE(elig.WithSnapshot([](const registry::Snapshot&) { return OkStatus(); }).ok());
  auto explained = elig.ExplainMember(kamla, household, "en", today);
  ASSERT_TRUE(explained.ok()) << explained.status();
  EXPECT_EQ(explained->size(), 1u);
}

TEST_P(EnrolmentTest, ApplicationEligibleIsEnrolledIneligibleIsRejectedWithReasons) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Add(Family("09", 2, 3000000, {Person("Young Man", "1971-03-01", "M", "head", "9876500002")}));
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());

  auto yes = Apply(db(), elig, clock_,
                   {.scheme_id = "old_age_pension",
                    .member_idx = MemberIdx("Kamla Devi"),
                    .channel = "self",
                    .actor = "citizen:" + MemberId("Kamla Devi")});
  ASSERT_TRUE(yes.ok()) << yes.status();
  EXPECT_TRUE(yes->eligible);
  EXPECT_EQ(yes->status, "enrolled");
  EXPECT_EQ(yes->decided_by, "system");
  ASSERT_TRUE(yes->enrolment_id.has_value());
  auto e = GetEnrolment(db(), *yes->enrolment_id);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->path, "application");
  EXPECT_EQ(e->source_id, yes->application_id);
  EXPECT_EQ(e->enrolled_by, "citizen:" + MemberId("Kamla Devi"));

  auto twice = Apply(db(), elig, clock_,
                     {.scheme_id = "old_age_pension",
                      .member_idx = MemberIdx("Kamla Devi"),
                      .channel = "self",
                      .actor = "citizen:x"});
  EXPECT_EQ(twice.status().code(), StatusCode::kAlreadyExists);

  // Ineligible: rejected, told why in Hindi (Uttar Pradesh), and no re-entry event.
  auto no = Apply(db(), elig, clock_,
                  {.scheme_id = "old_age_pension",
                   .member_idx = MemberIdx("Young Man"),
                   .channel = "operator",
                   .actor = "user:csc.op1"});
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_FALSE(no->eligible);
  EXPECT_EQ(no->status, "rejected");
  EXPECT_EQ(no->language, "hi");
  EXPECT_FALSE(no->enrolment_id.has_value());
  EXPECT_EQ(no->explanation["eligible"], false);
  EXPECT_EQ(no->explanation["clauses"][0]["id"], "age");
  EXPECT_EQ(no->explanation["clauses"][0]["met"], false);
  EXPECT_EQ(no->explanation["clauses"][0]["explanation"], "आयु 60 वर्ष या अधिक");
  EXPECT_EQ(no->explanation["clauses"][0]["met_from"], "2031-03-01");
  EXPECT_TRUE(ReentryEvents().empty());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 1);

  EXPECT_EQ(Apply(db(), elig, clock_,
                  {.scheme_id = "old_age_pension",
                   .member_idx = MemberIdx("Young Man"),
                   .channel = "post",
                   .actor = "user:csc.op1"})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Apply(db(), elig, clock_,
                  {.scheme_id = "no_such_scheme",
                   .member_idx = MemberIdx("Young Man"),
                   .channel = "self",
                   .actor = "user:csc.op1"})
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_P(EnrolmentTest, ApplicationWithReviewWaitsForAnotherOfficer) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Add(Family("99", 2, 3000000, {Person("Mary Das", "1951-03-01", "F", "head", "9876500002")}));
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  auto a = Apply(db(), elig, clock_,
                 {.scheme_id = "old_age_pension",
                  .member_idx = MemberIdx("Kamla Devi"),
                  .channel = "officer",
                  .actor = "user:bdo1",
                  .officer_review = true});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->status, "pending");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 0);
  auto queue = ListApplications(db(), "old_age_pension");
  ASSERT_TRUE(queue.ok()) << queue.status();
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ(CountEnrolments(db())->at(0).applications_pending, 1);
  EXPECT_EQ(Apply(db(), elig, clock_,
                  {.scheme_id = "old_age_pension",
                   .member_idx = MemberIdx("Kamla Devi"),
                   .channel = "self",
                   .actor = "citizen:x",
                   .officer_review = true})
                .status()
                .code(),
            StatusCode::kAlreadyExists);

  // Maker-checker: not the submitter, in code and in the database.
  EXPECT_EQ(
      DecideApplication(db(), clock_, a->application_id, "user:bdo1", true, "ok").status().code(),
      StatusCode::kPermissionDenied);
  EXPECT_EQ(db().Execute("UPDATE enrolment_applications SET status = 'rejected', decided_by = "
                         "'user:bdo1', decided_at_us = 1 WHERE application_id = ?",
                         {a->application_id})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);
  auto approved =
      DecideApplication(db(), clock_, a->application_id, "user:bdo2", true, "documents seen");
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_EQ(approved->status, "enrolled");
  EXPECT_EQ(approved->decided_by, "user:bdo2");
  ASSERT_TRUE(approved->enrolment_id.has_value());
  EXPECT_EQ(GetEnrolment(db(), *approved->enrolment_id)->enrolled_by, "user:bdo2");
  EXPECT_EQ(DecideApplication(db(), clock_, a->application_id, "user:bdo3", false, "late")
                .status()
                .code(),
            StatusCode::kFailedPrecondition);

  // A rejection by the officer needs a note, and enrols nobody.
  auto b = Apply(db(), elig, clock_,
                 {.scheme_id = "old_age_pension",
                  .member_idx = MemberIdx("Mary Das"),
                  .channel = "operator",
                  .actor = "user:csc.op1",
                  .officer_review = true});
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(
      DecideApplication(db(), clock_, b->application_id, "user:bdo2", false, "").status().code(),
      StatusCode::kInvalidArgument);
  auto rejected = DecideApplication(db(), clock_, b->application_id, "user:bdo2", false,
                                    "already receives a state pension");
  ASSERT_TRUE(rejected.ok()) << rejected.status();
  EXPECT_EQ(rejected->status, "rejected");
  EXPECT_EQ(rejected->decision_note, "already receives a state pension");
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 1);
  EXPECT_EQ(DecideApplication(db(), clock_, 9999, "user:bdo2", true, "x").status().code(),
            StatusCode::kNotFound);
}

// ---- exits ----

TEST_P(EnrolmentTest, ExitProposedAfterRegistryChangeTakesEffectAfterNotice) {
  AddScheme(kPension);
  std::string family = Add(
      Family("09", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Add(Family("99", 2, 3000000, {Person("Mary Das", "1951-03-01", "F", "head", "9876500002")}));
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  int64_t enrolment = EnrolByApplication(elig, "Kamla Devi");
  EnrolByApplication(elig, "Mary Das");

  auto snap = Snapshot();
  auto none = ProposeExits(db(), *snap, clock_, "old_age_pension");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(none->checked, 2);
  EXPECT_EQ(none->proposed, 0);

  // Kamla Devi's family income is corrected upwards: no longer eligible.
  registry::Registry reg(db(), key_, clock_);
  auto cr =
      reg.SubmitChange({"", family, {{"income_annual", 9000000}}, "survey", "officer", "user:a"});
  ASSERT_TRUE(cr.ok()) << cr.status();
  ASSERT_TRUE(reg.VerifyChange(*cr, "user:b").ok());
  ASSERT_TRUE(snap->Refresh(db()).ok());
  auto run = ProposeExits(db(), *snap, clock_, "old_age_pension");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->proposed, 1);
  EXPECT_EQ(run->deaths, 0);
  EXPECT_EQ(GetEnrolment(db(), enrolment)->status, "exit_proposed");
  auto exits = ListExitProposals(db(), {.scheme_id = "old_age_pension"});
  ASSERT_TRUE(exits.ok()) << exits.status();
  ASSERT_EQ(exits->size(), 1u);
  const ExitProposal& x = (*exits)[0];
  EXPECT_EQ(x.enrolment_id, enrolment);
  EXPECT_EQ(x.reason_code, "ineligible");
  EXPECT_EQ(x.reason.en, "no longer meets the condition: Family income up to Rs 48,000 a year");
  EXPECT_EQ(x.proposed_by, "system");
  EXPECT_EQ(x.effective_after, *Timestamp::Parse("2026-12-14T18:30:00Z"));
  EXPECT_EQ(x.detail["decision"]["clauses"][1]["met"], false);
  // Told in Hindi, with the date it would end.
  auto told = Messages(MemberId("Kamla Devi"));
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].template_name, "exit_proposed");
  EXPECT_EQ(told[0].language, notify::Language::kHi);
  EXPECT_THAT(told[0].body, HasSubstr("परिवार की वार्षिक आय 48,000 रुपये तक"));
  EXPECT_THAT(told[0].body, HasSubstr("15-12-2026"));
  // Not proposed twice.
  EXPECT_EQ(ProposeExits(db(), *snap, clock_, "old_age_pension")->proposed, 0);

  EXPECT_EQ(*ApplyDueExits(db(), clock_, "old_age_pension"), 0);
  Advance(16);
  auto applied = ApplyDueExits(db(), clock_, "old_age_pension");
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 1);
  auto e = GetEnrolment(db(), enrolment);
  EXPECT_EQ(e->status, "exited");
  EXPECT_EQ(e->exit_reason, "ineligible");
  EXPECT_EQ(e->exited_at, clock_.Now());
  auto events = ReentryEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "exit");
  EXPECT_EQ(events[0].source, "enrolment:" + std::to_string(enrolment) + "/exit");
  EXPECT_EQ(events[0].reason_code, "ineligible");
  EXPECT_EQ(events[0].member_idx, MemberIdx("Kamla Devi"));
  told = Messages(MemberId("Kamla Devi"));
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[0].template_name, "exit_notice");  // newest first
  EXPECT_EQ(told[0].language, notify::Language::kHi);
  // Once effective: nothing more to do, and too late to cancel.
  EXPECT_EQ(*ApplyDueExits(db(), clock_, "old_age_pension"), 0);
  EXPECT_EQ(ReentryEvents().size(), 1u);
  EXPECT_EQ(CancelExit(db(), clock_, x.exit_id, "user:bdo1", "wrong").code(),
            StatusCode::kFailedPrecondition);
  // Mary Das, still eligible, is untouched.
  auto still = ListEnrolments(db(), {.status = "enrolled"});
  ASSERT_EQ(still->size(), 1u);
  EXPECT_EQ(still->at(0).beneficiary_idx, MemberIdx("Mary Das"));
}

TEST_P(EnrolmentTest, ProposedExitIsWithdrawnWhenTheRegistryIsCorrectedBack) {
  AddScheme(kPension);
  std::string family = Add(
      Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  int64_t enrolment = EnrolByApplication(elig, "Kamla Devi");
  registry::Registry reg(db(), key_, clock_);
  auto snap = Snapshot();
  for (int64_t income : {9000000, 3000000}) {
    auto cr =
        reg.SubmitChange({"", family, {{"income_annual", income}}, "survey", "officer", "user:a"});
    ASSERT_TRUE(cr.ok()) << cr.status();
    ASSERT_TRUE(reg.VerifyChange(*cr, "user:b").ok());
    ASSERT_TRUE(snap->Refresh(db()).ok());
    auto run = ProposeExits(db(), *snap, clock_, "old_age_pension");
    ASSERT_TRUE(run.ok()) << run.status();
    if (income == 9000000) {
      EXPECT_EQ(run->proposed, 1);
      EXPECT_EQ(GetEnrolment(db(), enrolment)->status, "exit_proposed");
    } else {
      EXPECT_EQ(run->proposed, 0);
      EXPECT_EQ(run->withdrawn, 1);
      EXPECT_EQ(GetEnrolment(db(), enrolment)->status, "enrolled");
    }
  }
  auto x = ListExitProposals(db(), {.status = "cancelled"});
  ASSERT_EQ(x->size(), 1u);
  EXPECT_EQ((*x)[0].note, "eligible again");
  Advance(16);
  EXPECT_EQ(*ApplyDueExits(db(), clock_, "old_age_pension"), 0);
  EXPECT_TRUE(ReentryEvents().empty());
}

TEST_P(EnrolmentTest, DeathProposesAnExitThatAnOfficerCanCancel) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  int64_t enrolment = EnrolByApplication(elig, "Kamla Devi");
  ASSERT_TRUE(db().Execute("UPDATE members SET status = 'deceased' WHERE member_idx = ?",
                           {MemberIdx("Kamla Devi")})
                  .ok());
  auto snap = Snapshot();
  auto run = ProposeExits(db(), *snap, clock_, "old_age_pension");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->proposed, 1);
  EXPECT_EQ(run->deaths, 1);
  auto exits = ListExitProposals(db(), {.enrolment_id = enrolment});
  ASSERT_EQ(exits->size(), 1u);
  EXPECT_EQ((*exits)[0].reason_code, "death");
  EXPECT_EQ((*exits)[0].reason.en, "recorded as deceased in the registry");

  // The death was recorded in error: an officer cancels before the exit takes effect.
  EXPECT_EQ(CancelExit(db(), clock_, (*exits)[0].exit_id, "user:bdo1", "").code(),
            StatusCode::kInvalidArgument);
  Status cancelled =
      CancelExit(db(), clock_, (*exits)[0].exit_id, "user:bdo1", "alive; registry corrected");
  ASSERT_TRUE(cancelled.ok()) << cancelled;
  EXPECT_EQ(GetEnrolment(db(), enrolment)->status, "enrolled");
  EXPECT_EQ(CancelExit(db(), clock_, (*exits)[0].exit_id, "user:bdo1", "again").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(CancelExit(db(), clock_, 9999, "user:bdo1", "x").code(), StatusCode::kNotFound);
  Advance(16);
  EXPECT_EQ(*ApplyDueExits(db(), clock_, "old_age_pension"), 0);
  EXPECT_EQ(GetEnrolment(db(), enrolment)->status, "enrolled");
  EXPECT_TRUE(ReentryEvents().empty());
  // The same exit is not proposed again while the officer's cancellation holds.
  auto rerun = ProposeExits(db(), *snap, clock_, "old_age_pension");
  ASSERT_TRUE(rerun.ok()) << rerun.status();
  EXPECT_EQ(rerun->proposed, 0);
  EXPECT_EQ(rerun->suppressed, 1);
}

TEST_P(EnrolmentTest, VoluntaryExitIsImmediateAndTheCitizenMayComeBack) {
  AddScheme(kPension);
  Add(Family("99", 1, 3000000, {Person("Kamla Devi", "1950-03-01", "F", "head", "9876500001")}));
  Eligibility elig;
  ASSERT_TRUE(elig.Refresh(db(), clock_).ok());
  int64_t enrolment = EnrolByApplication(elig, "Kamla Devi");
  std::string citizen = "citizen:" + MemberId("Kamla Devi");
  EXPECT_EQ(ExitVoluntarily(db(), clock_, enrolment, citizen, "").status().code(),
            StatusCode::kInvalidArgument);
  auto exit_id = ExitVoluntarily(db(), clock_, enrolment, citizen, "moving to my son's state");
  ASSERT_TRUE(exit_id.ok()) << exit_id.status();
  auto e = GetEnrolment(db(), enrolment);
  EXPECT_EQ(e->status, "exited");
  EXPECT_EQ(e->exit_reason, "voluntary");
  auto x = ListExitProposals(db(), {.status = "effective"});
  ASSERT_EQ(x->size(), 1u);
  EXPECT_EQ((*x)[0].exit_id, *exit_id);
  EXPECT_EQ((*x)[0].decided_by, citizen);
  auto events = ReentryEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].reason_code, "voluntary");
  EXPECT_EQ(Messages(MemberId("Kamla Devi")).at(0).template_name, "exit_notice");
  EXPECT_EQ(ExitVoluntarily(db(), clock_, enrolment, citizen, "again").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(ExitVoluntarily(db(), clock_, 9999, citizen, "x").status().code(),
            StatusCode::kNotFound);
  // Re-entry is a new enrolment; the old one stays as history.
  int64_t again = EnrolByApplication(elig, "Kamla Devi");
  EXPECT_NE(again, enrolment);
  EXPECT_EQ(ListEnrolments(db(), {.member_idx = MemberIdx("Kamla Devi")})->size(), 2u);
  EXPECT_EQ(ListEnrolments(db(), {.status = "exited"})->size(), 1u);
}

TEST_P(EnrolmentTest, DatabaseRefusesTwoCurrentEnrolmentsForOneBeneficiary) {
  AddScheme(kPension);
  const std::string insert =
      "INSERT INTO enrolments (scheme_id, unit, beneficiary_idx, household_idx, "
      "payee_member_idx, path, status, enrolled_at_us, enrolled_by, exited_at_us) VALUES "
      "('old_age_pension', 'person', 7, 1, 7, 'application', ?, 1, 'user:a', ?)";
  ASSERT_TRUE(db().Execute(insert, {std::string("enrolled"), storage::Null{}}).ok());
  EXPECT_EQ(db().Execute(insert, {std::string("enrolled"), storage::Null{}}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(db().Execute(insert, {std::string("exit_proposed"), storage::Null{}}).status().code(),
            StatusCode::kAlreadyExists);
  // Past enrolments do not count: after an exit, a new one is allowed.
  ASSERT_TRUE(db().Execute("UPDATE enrolments SET status = 'exited', exited_at_us = 2").ok());
  EXPECT_TRUE(db().Execute(insert, {std::string("enrolled"), storage::Null{}}).ok());
  EXPECT_TRUE(db().Execute(insert, {std::string("exited"), int64_t{3}}).ok());
  EXPECT_EQ(Int("SELECT COUNT(*) FROM enrolments"), 3);
}

// Many events at once: each stored once, in order, with what RecordReentryEvent stores; a source
// already recorded (earlier, or twice in the batch) is left alone; a bad event stores nothing.
TEST_P(EnrolmentTest, ReentryEventsRecordedTogetherAreStoredOnceInOrder) {
  auto event = [](ReentryKind kind, std::string source, int64_t member) {
    return ReentryEvent{.kind = kind,
                        .scheme_id = "pension",
                        .member_idx = member,
                        .household_idx = member + 100,
                        .reason_code = "AC04",
                        .detail = {{"reason", "closed account"}},
                        .source = std::move(source)};
  };
  ASSERT_TRUE(RecordReentryEvent(db(), event(ReentryKind::kExit, "s:1", 1), clock_.Now()).ok());
  std::vector<ReentryEvent> batch = {event(ReentryKind::kPaymentReturned, "s:3", 3),
                                     event(ReentryKind::kPaymentRejected, "s:1", 9),  // recorded
                                     event(ReentryKind::kPaymentRejected, "s:2", 2),
                                     event(ReentryKind::kPaymentRejected, "s:3", 8)};  // twice
  batch[2].scheme_id.clear();
  batch[2].household_idx.reset();
  auto created = RecordReentryEvents(db(), batch, clock_.Now());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, 2);
  auto events = ReentryEvents();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].source, "s:1");
  EXPECT_EQ(events[0].kind, "exit");
  EXPECT_EQ(events[1].source, "s:3");
  EXPECT_EQ(events[1].kind, "payment_returned");
  EXPECT_EQ(events[1].member_idx, 3);
  EXPECT_EQ(events[2].source, "s:2");
  EXPECT_EQ(events[2].reason_code, "AC04");
  auto stored = ListReentryEvents(db(), {.member_idx = 2});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].event.scheme_id, "");
  EXPECT_FALSE((*stored)[0].event.household_idx.has_value());
  EXPECT_EQ((*stored)[0].event.detail["reason"], "closed account");
  EXPECT_EQ((*stored)[0].created_at, clock_.Now());

  // Inside a caller's transaction, twice: both calls' events, and a rollback takes them back.
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok()) << tx.status();
    std::vector<ReentryEvent> first = {event(ReentryKind::kExit, "t:1", 4)};
    std::vector<ReentryEvent> second = {event(ReentryKind::kExit, "t:2", 5)};
    EXPECT_EQ(*RecordReentryEvents(db(), first, clock_.Now()), 1);
    EXPECT_EQ(*RecordReentryEvents(db(), second, clock_.Now()), 1);
    EXPECT_EQ(ReentryEvents().size(), 5u);
    ASSERT_TRUE(tx->Rollback().ok());
  }
  EXPECT_EQ(ReentryEvents().size(), 3u);

  std::vector<ReentryEvent> bad = {event(ReentryKind::kExit, "u:1", 6),
                                   event(ReentryKind::kExit, "", 7)};
  EXPECT_EQ(RecordReentryEvents(db(), bad, clock_.Now()).status().code(),
            StatusCode::kInvalidArgument);
  bad[1].source = "u:2";
  bad[1].reason_code.clear();
  EXPECT_EQ(RecordReentryEvents(db(), bad, clock_.Now()).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ReentryEvents().size(), 3u);
  EXPECT_EQ(*RecordReentryEvents(db(), std::vector<ReentryEvent>{}, clock_.Now()), 0);
}

// The two steps apart: the rows made on another thread without the database, then written;
// a re-run of the same rows adds nothing; rows of another shape are refused, nothing written.
TEST_P(EnrolmentTest, ReentryEventRowsMadeOnAnotherThreadAreRecordedOnce) {
  std::vector<ReentryEvent> events = {
      {.kind = ReentryKind::kPaymentReturned, .scheme_id = "pension", .member_idx = 3,
       .household_idx = 103, .reason_code = "AC04", .detail = {{"reason", "closed account"}},
       .source = "r:1"},
      {.kind = ReentryKind::kPaymentRejected, .scheme_id = "", .member_idx = 4,
       .household_idx = std::nullopt, .reason_code = "AC01",
       .detail = nlohmann::json::object(), .source = "r:2"}};
  auto made = std::async(std::launch::async, [&events] { return ReentryEventRows(events); });
  Result<storage::RowBuffer> rows = made.get();
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows(), 2u);
  auto created = RecordReentryEventRows(db(), *rows, clock_.Now());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(*created, 2);
  EXPECT_EQ(*RecordReentryEventRows(db(), *rows, clock_.Now()), 0);
  auto stored = ListReentryEvents(db(), {});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 2u);
  const StoredReentryEvent& returned = (*stored)[1];  // newest first
  EXPECT_EQ(returned.event.source, "r:1");
  EXPECT_EQ(returned.event.kind, ReentryKind::kPaymentReturned);
  EXPECT_EQ(returned.event.scheme_id, "pension");
  EXPECT_EQ(returned.event.household_idx, 103);
  EXPECT_EQ(returned.event.detail["reason"], "closed account");
  EXPECT_EQ(returned.created_at, clock_.Now());
  const StoredReentryEvent& rejected = (*stored)[0];
  EXPECT_EQ(rejected.event.scheme_id, "");
  EXPECT_FALSE(rejected.event.household_idx.has_value());
  EXPECT_EQ(rejected.event.reason_code, "AC01");

  storage::RowBuffer other(2);
  other.Int(1).Text("exit");
  EXPECT_EQ(RecordReentryEventRows(db(), other, clock_.Now()).status().code(),
            StatusCode::kInvalidArgument);
  events[1].source.clear();
  EXPECT_EQ(ReentryEventRows(events).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReentryEvents().size(), 2u);

  // One at a time: a refused event appends nothing, so the rows before it stay whole.
  storage::RowBuffer one_by_one(kReentryEventColumns);
  ASSERT_TRUE(AppendReentryEventRow(one_by_one, events[0]).ok());
  EXPECT_EQ(AppendReentryEventRow(one_by_one, events[1]).code(), StatusCode::kInvalidArgument);
  events[1].source = "r:3";
  events[1].reason_code.clear();
  EXPECT_EQ(AppendReentryEventRow(one_by_one, events[1]).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendReentryEventRow(other, events[0]).code(), StatusCode::kInvalidArgument);
  events[1].reason_code = "AC01";
  ASSERT_TRUE(AppendReentryEventRow(one_by_one, events[1]).ok());
  ASSERT_EQ(one_by_one.rows(), 2u);
  auto again = RecordReentryEventRows(db(), one_by_one, clock_.Now());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 1);  // r:1 is there already; r:3 is new
  EXPECT_EQ(ReentryEvents().size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Enrolment, EnrolmentTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

TEST(EnrolmentLanguage, HindiStatesGetHindi) {
  EXPECT_EQ(NoticeLanguage("09"), "hi");  // Uttar Pradesh
  EXPECT_EQ(NoticeLanguage("10"), "hi");  // Bihar
  EXPECT_EQ(NoticeLanguage("33"), "en");  // Tamil Nadu
  EXPECT_EQ(NoticeLanguage("99"), "en");  // the synthetic state
}

}  // namespace
}  // namespace spode::programs
