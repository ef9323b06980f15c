// Re-entry cases on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: an exclusion event becomes
// one case, whatever the number of runs; a case resolved in the citizen's favour records one
// action, which is marked done once.
#include "grievance/reentry_cases.h"

#include <thread>

#include "gmock/gmock.h"
#include "grievance/desk.h"
#include "grievance/escalation.h"
#include "grievance/testing/fixture.h"
#include "gtest/gtest.h"

namespace spode::grievance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kDay;
using testing::kNow;

class ReentryCasesTest : public testing::GrievanceTest {
 protected:
  int64_t Record(programs::ReentryKind kind, std::string source,
                 nlohmann::json detail = nlohmann::json::object(),
                 std::optional<int64_t> member = kSunita,
                 std::optional<int64_t> household = kHousehold) {
    programs::ReentryEvent e;
    e.kind = kind;
    e.scheme_id = "old_age_pension";
    e.member_idx = member;
    e.household_idx = household;
    e.reason_code = "R03";
    e.detail = std::move(detail);
    e.source = source;
    auto created = programs::RecordReentryEvent(db(), e, kNow);
    EXPECT_TRUE(created.ok() && *created) << created.status();
    auto row = db().QueryOne("SELECT event_id FROM reentry_events WHERE source = ?", {source});
    return row.ok() && *row ? (*row)->Int(0) : 0;
  }
  CaseRun Open() {
    auto run = OpenCasesFromEvents(db(), clock_);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *run : CaseRun{};
  }
  int64_t CaseFor(int64_t event_id) {
    auto row = db().QueryOne(
        "SELECT grievance_id FROM grievances WHERE reentry_event_id = ? AND "
        "kind = 'reentry'",
        {event_id});
    return row.ok() && *row ? (*row)->Int(0) : 0;
  }
  Result<Resolved> Uphold(int64_t id) {
    return Resolve(db(), clock_, id,
                   {.outcome = Outcome::kUpheld,
                    .reason = "Account updated at the bank",
                    .actor = "user:bdo.sonkh"});
  }
};

TEST_P(ReentryCasesTest, EachEventBecomesOneCase) {
  int64_t returned = Record(programs::ReentryKind::kPaymentReturned,
                            "instruction:202611-70000000012-3fa9/attempt:1",
                            {{"reason_en", "The account is closed."},
                             {"reason_hi", "खाता बंद हो चुका है।"},
                             {"who_acts", "citizen"}});
  int64_t exit = Record(programs::ReentryKind::kExit, "enrolment:17/exit",
                        {{"enrolment_id", 17}, {"who_acts", "officer"}});
  CaseRun first = Open();
  EXPECT_EQ(first.opened, 2);
  // Repeated and "restarted" runs open nothing more.
  EXPECT_EQ(Open().opened, 0);
  auto fresh = tdb_.Connect();
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(OpenCasesFromEvents(**fresh, clock_)->opened, 0);
  EXPECT_EQ(Count("grievances", "kind = 'reentry'"), 2);

  auto g = Get(db(), CaseFor(returned));
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->kind, Kind::kReentry);
  EXPECT_EQ(g->channel, Channel::kSystem);
  EXPECT_EQ(g->ticket.substr(0, 3), "RC-");
  EXPECT_EQ(g->category, Category::kPaymentReturned);
  EXPECT_EQ(g->closing_action, "account_update_then_retry");
  EXPECT_EQ(g->action_kind, "retry_payment");
  EXPECT_EQ(g->action_target, "instruction:202611-70000000012-3fa9");
  EXPECT_EQ(g->instruction_id, "202611-70000000012-3fa9");
  EXPECT_EQ(g->scheme_id, "old_age_pension");
  EXPECT_EQ(g->assignee, (Assignee{Level::kBlock, "990101", ""}));
  EXPECT_EQ(g->deadline.micros, kNow.micros + 21 * kDay.count());
  EXPECT_EQ(g->description, "The account is closed");
  auto history = History(db(), g->grievance_id);
  EXPECT_EQ(history->at(0).text_en,
            "A case was opened to bring you back: The account is closed. What closes it: once "
            "the bank account is set right, the payment is sent again with arrears.");
  EXPECT_THAT(history->at(0).text_hi, HasSubstr("खाता बंद हो चुका है। मामला ऐसे बंद होगा"));
  auto e = db().QueryOne("SELECT case_id FROM reentry_events WHERE event_id = ?", {returned});
  EXPECT_EQ((*e)->Int(0), g->grievance_id);

  auto x = Get(db(), CaseFor(exit));
  EXPECT_EQ(x->closing_action, "reverify_then_reinstate");
  EXPECT_EQ(x->action_kind, "reinstate_enrolment");
  EXPECT_EQ(x->action_target, "enrolment:17");
  // The citizen is told: one message per case.
  EXPECT_EQ(Count("outbox", "template = 'grievance_update'"), 2);
  // The database refuses a second case for the same event.
  auto dup = db().Execute(
      "INSERT INTO grievances (kind, filed_year, channel, category, household_idx, village_code, "
      "description, language, filed_by, filed_at_us, reentry_event_id, closing_action, "
      "action_kind, action_target, level, area_code, assigned_at_us, deadline_at_us, "
      "interim_due_at_us) VALUES ('reentry', 2026, 'system', 'other', 1, '990101001', 'x', 'en', "
      "'system', 0, ?, 'a', 'retry_payment', 't', 'block', '990101', 0, 0, 0)",
      {returned});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

TEST_P(ReentryCasesTest, ConcurrentRunsOpenEachCaseOnce) {
  constexpr int kEvents = 25, kRunners = 4;
  for (int i = 0; i < kEvents; ++i) {
    Record(programs::ReentryKind::kPaymentReturned,
           "instruction:c" + std::to_string(i) + "/attempt:1");
  }
  std::vector<std::unique_ptr<storage::Database>> connections;
  for (int i = 0; i < kRunners; ++i) {
    auto c = tdb_.Connect();
    ASSERT_TRUE(c.ok()) << c.status();
    connections.push_back(std::move(*c));
  }
  std::vector<Result<CaseRun>> runs(kRunners, CaseRun{});
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] { runs[i] = OpenCasesFromEvents(*connections[i], clock_); });
  }
  for (std::thread& t : threads) t.join();
  int64_t opened = 0;
  for (const auto& r : runs) {
    ASSERT_TRUE(r.ok()) << r.status();
    opened += r->opened;
  }
  EXPECT_EQ(opened, kEvents);
  EXPECT_EQ(Count("grievances", "kind = 'reentry'"), kEvents);
  EXPECT_EQ(Count("reentry_events", "case_id IS NULL"), 0);
  EXPECT_EQ(Count("outbox"), kEvents);
}

TEST_P(ReentryCasesTest, ClosingActionsByEventKind) {
  struct Case {
    programs::ReentryKind kind;
    std::string closing, action, target;
  };
  std::vector<Case> cases = {
      {programs::ReentryKind::kPaymentRejected, "account_update_then_retry", "retry_payment",
       "instruction:a"},
      {programs::ReentryKind::kPaymentHeld, "account_update_then_retry", "retry_payment",
       "instruction:b"},
      {programs::ReentryKind::kValidationFailed, "account_update_then_retry", "retry_payment",
       "instruction:c"},
      {programs::ReentryKind::kVerificationFailed, "correct_record_then_reevaluate",
       "reevaluate_eligibility", "member:1"},
      {programs::ReentryKind::kChangeRejected, "correct_record_then_reevaluate",
       "reevaluate_eligibility", "member:1"},
      {programs::ReentryKind::kDuplicateHold, "decide_duplicate_then_release", "release_hold",
       "household:1"},
  };
  std::vector<std::string> sources = {"instruction:a/attempt:1",
                                      "instruction:b/attempt:2",
                                      "instruction:c",
                                      "verification:9",
                                      "cr:4",
                                      "hold:2"};
  for (size_t i = 0; i < cases.size(); ++i) {
    int64_t event = Record(cases[i].kind, sources[i]);
    ASSERT_EQ(Open().opened, 1);
    auto g = Get(db(), CaseFor(event));
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g->closing_action, cases[i].closing) << sources[i];
    EXPECT_EQ(g->action_kind, cases[i].action) << sources[i];
    EXPECT_EQ(g->action_target, cases[i].target) << sources[i];
  }
}

TEST_P(ReentryCasesTest, BankCausedFailureGoesToTheBank) {
  int64_t event = Record(programs::ReentryKind::kPaymentRejected, "instruction:k/attempt:1",
                         {{"who_acts", "bank"}, {"ifsc", "PUNB0123400"}});
  int64_t by_code = Record(programs::ReentryKind::kPaymentReturned, "instruction:l/attempt:1",
                           {{"who_acts", "bank"}, {"bank", "UBIN"}});
  int64_t citizen = Record(programs::ReentryKind::kPaymentReturned, "instruction:m/attempt:1",
                           {{"who_acts", "citizen"}, {"ifsc", "PUNB0123400"}});
  ASSERT_EQ(Open().opened, 3);
  EXPECT_EQ(Get(db(), CaseFor(event))->assignee, (Assignee{Level::kBlock, "990101", "PUNB"}));
  EXPECT_EQ(Get(db(), CaseFor(by_code))->assignee, (Assignee{Level::kBlock, "990101", "UBIN"}));
  EXPECT_EQ(Get(db(), CaseFor(citizen))->assignee, (Assignee{Level::kBlock, "990101", ""}));
}

TEST_P(ReentryCasesTest, EventsWithoutAPlaceAreLeftUnclaimed) {
  int64_t event =
      Record(programs::ReentryKind::kExit, "enrolment:99", {}, std::nullopt, std::nullopt);
  CaseRun run = Open();
  EXPECT_EQ(run.opened, 0);
  EXPECT_EQ(run.unroutable, 1);
  auto e = db().QueryOne("SELECT case_id FROM reentry_events WHERE event_id = ?", {event});
  EXPECT_TRUE((*e)->IsNull(0));
  // The member alone is enough.
  Record(programs::ReentryKind::kExit, "enrolment:100", {}, kOther, std::nullopt);
  run = Open();
  EXPECT_EQ(run.opened, 1);
  EXPECT_EQ(Count("grievances", "household_idx = 2"), 1);
}

TEST_P(ReentryCasesTest, ResolvedInFavourRecordsExactlyOneAction) {
  int64_t event = Record(programs::ReentryKind::kPaymentReturned, "instruction:p/attempt:1");
  ASSERT_EQ(Open().opened, 1);
  int64_t id = CaseFor(event);
  auto resolved = Uphold(id);
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_TRUE(resolved->action_id.has_value());
  auto pending = PendingActions(db());
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 1u);
  const ResolutionAction& a = (*pending)[0];
  EXPECT_EQ(a.action_id, *resolved->action_id);
  EXPECT_EQ(a.kind, "retry_payment");
  EXPECT_EQ(a.target, "instruction:p");
  EXPECT_EQ(a.scheme_id, "old_age_pension");
  EXPECT_EQ(a.member_idx, kSunita);
  EXPECT_EQ(a.status, "pending");
  EXPECT_EQ(a.ticket, Get(db(), id)->ticket);
  EXPECT_THAT(History(db(), id)->back().text_en,
              HasSubstr("your payment will be sent again, with any arrears"));

  // Reopened and upheld again: still one action.
  ASSERT_TRUE(Reopen(db(), clock_, id, "Still not paid", "citizen:x").ok());
  auto again = Uphold(id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->action_id.has_value());
  EXPECT_EQ(Count("grievance_actions"), 1);

  // The consumer marks it in its own transaction; a rollback leaves it pending.
  ASSERT_TRUE(db().Begin().ok());
  ASSERT_TRUE(MarkActionDone(db(), clock_, a.action_id, true, "paid Rs 3,000 arrears").ok());
  ASSERT_TRUE(db().Rollback().ok());
  EXPECT_EQ(PendingActions(db())->size(), 1u);
  // Committed: done, once.
  ASSERT_TRUE(MarkActionDone(db(), clock_, a.action_id, true, "paid Rs 3,000 arrears").ok());
  EXPECT_EQ(MarkActionDone(db(), clock_, a.action_id, true, "again").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(MarkActionDone(db(), clock_, 999, true, "").code(), StatusCode::kNotFound);
  EXPECT_TRUE(PendingActions(db())->empty());
  auto all = ActionsFor(db(), id);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].status, "done");
  EXPECT_EQ((*all)[0].result, "paid Rs 3,000 arrears");
  EXPECT_EQ(History(db(), id)->back().text_en,
            "Done: your payment was sent again, with any arrears (paid Rs 3,000 arrears).");
  // The database keeps the key unique.
  auto dup = db().Execute(
      "INSERT INTO grievance_actions (grievance_id, action_key, kind, target, "
      "household_idx, created_at_us) SELECT grievance_id, action_key, kind, "
      "target, household_idx, 0 FROM grievance_actions");
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

TEST_P(ReentryCasesTest, RejectedCaseRecordsNoActionAndCanBeAppealed) {
  int64_t event = Record(programs::ReentryKind::kExit, "enrolment:5");
  ASSERT_EQ(Open().opened, 1);
  int64_t id = CaseFor(event);
  auto r = Resolve(
      db(), clock_, id,
      {.outcome = Outcome::kRejected, .reason = "Income above the limit", .actor = "user:bdo"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->action_id.has_value());
  EXPECT_EQ(Count("grievance_actions"), 0);
  ASSERT_TRUE(Appeal(db(), clock_, id, "My income fell this year", "citizen:x").ok());
  auto decided = Uphold(id);  // the appellate officer reverses the exit
  ASSERT_TRUE(decided.ok()) << decided.status();
  EXPECT_TRUE(decided->appeal_decided);
  ASSERT_TRUE(decided->action_id.has_value());
  EXPECT_EQ(PendingActions(db())->at(0).target, "enrolment:5");
}

TEST_P(ReentryCasesTest, CasesEscalateLikeGrievances) {
  int64_t event = Record(programs::ReentryKind::kPaymentHeld, "instruction:h/attempt:1");
  ASSERT_EQ(Open().opened, 1);
  clock_.Advance(22 * kDay);
  ASSERT_EQ(EscalateOverdue(db(), clock_)->escalated, 1);
  EXPECT_EQ(Get(db(), CaseFor(event))->assignee.level, Level::kDistrict);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReentryCasesTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace spode::grievance
