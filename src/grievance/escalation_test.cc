// Deadline simulation with the injected clock, on SQLite and (with SPODE_TEST_PG_URL)
// PostgreSQL: escalations fire when the deadline has passed and not before, exactly once per
// breach across repeated runs, "restarts" (new connections over the same database) and
// concurrent runs; each level has its own deadline; overdue counts per holder.
#include "grievance/escalation.h"

#include <thread>

#include "gmock/gmock.h"
#include "grievance/desk.h"
#include "grievance/intake.h"
#include "grievance/testing/fixture.h"
#include "gtest/gtest.h"

namespace spode::grievance {
namespace {

using ::testing::HasSubstr;
using testing::kDay;
using testing::kSecond;
using testing::MemberId;

class EscalationTest : public testing::GrievanceTest {
 protected:
  int64_t FileOne(Category category = Category::kPaymentNotReceived, int64_t member = kSunita,
                  std::optional<PaymentFailure> failure = std::nullopt) {
    GrievanceInput in;
    in.channel = Channel::kPortal;
    in.member_idx = member;
    in.category = category;
    in.description = "Pension not received";
    in.filed_by = "citizen:" + MemberId(static_cast<int>(member));
    in.payment_failure = std::move(failure);
    auto filed = File(db(), clock_, in);
    EXPECT_TRUE(filed.ok()) << filed.status();
    return filed.ok() ? filed->grievance_id : 0;
  }
  EscalationRun Run(storage::Database& on) {
    auto run = EscalateOverdue(on, clock_);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.ok() ? *run : EscalationRun{};
  }
  EscalationRun Run() { return Run(db()); }
  Level LevelOf(int64_t id) { return Get(db(), id)->assignee.level; }
};

TEST_P(EscalationTest, FiresAfterTheDeadlineNotBefore) {
  int64_t id = FileOne();
  Timestamp filed_at = clock_.Now();
  clock_.Advance(21 * kDay);  // exactly the deadline: not yet passed
  EXPECT_EQ(Run().escalated, 0);
  EXPECT_EQ(LevelOf(id), Level::kBlock);
  clock_.Advance(kSecond);
  EscalationRun run = Run();
  EXPECT_EQ(run.examined, 1);
  EXPECT_EQ(run.escalated, 1);
  auto g = Get(db(), id);
  EXPECT_EQ(g->assignee, (Assignee{Level::kDistrict, "9901", ""}));
  EXPECT_EQ(g->escalations, 1);
  // The district's own deadline, from the moment of escalation.
  EXPECT_EQ(g->deadline.micros, clock_.Now().micros + 21 * kDay.count());
  EXPECT_EQ(g->interim_due.micros, clock_.Now().micros + 21 * kDay.count() / 100 * 67);
  auto esc = db().QueryOne(
      "SELECT from_level, to_level, to_area, breached_deadline_us, "
      "escalated_at_us FROM grievance_escalations WHERE grievance_id = ?",
      {id});
  ASSERT_TRUE(esc.ok() && *esc);
  EXPECT_EQ((*esc)->Text(0), "block");
  EXPECT_EQ((*esc)->Text(1), "district");
  EXPECT_EQ((*esc)->Text(2), "9901");
  EXPECT_EQ((*esc)->Int(3), filed_at.micros + 21 * kDay.count());
  EXPECT_EQ(History(db(), id)->back().text_en,
            "No reply by 20-12-2026: moved up to the district grievance officer (area 9901); a "
            "reply is due by 10-01-2027.");
  // The citizen is told.
  auto msg = db().QueryOne("SELECT body FROM outbox ORDER BY message_id DESC");
  EXPECT_THAT((*msg)->Text(0), HasSubstr("ज़िला शिकायत अधिकारी"));
}

TEST_P(EscalationTest, ExactlyOncePerBreachAcrossRunsAndRestarts) {
  int64_t id = FileOne();
  clock_.Advance(22 * kDay);
  EXPECT_EQ(Run().escalated, 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Run().escalated, 0);
  // A restart: new connections, new objects, the same database.
  for (int i = 0; i < 2; ++i) {
    auto fresh = tdb_.Connect();
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    ManualTimeSource later(clock_.Now());
    auto run = EscalateOverdue(**fresh, later);
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->escalated, 0);
  }
  EXPECT_EQ(Count("grievance_escalations"), 1);
  EXPECT_EQ(Get(db(), id)->escalations, 1);
  // The district misses its own deadline: one more step, to the state.
  clock_.Advance(20 * kDay);
  EXPECT_EQ(Run().escalated, 0);
  clock_.Advance(2 * kDay);
  EXPECT_EQ(Run().escalated, 1);
  EXPECT_EQ(Get(db(), id)->assignee, (Assignee{Level::kState, "99", ""}));
  // At the top: counted, never moved again.
  clock_.Advance(30 * kDay);
  EscalationRun top = Run();
  EXPECT_EQ(top.escalated, 0);
  EXPECT_EQ(top.at_top, 1);
  EXPECT_EQ(Count("grievance_escalations"), 2);
  EXPECT_EQ(Count("grievance_events", "kind = 'escalated'"), 2);
}

TEST_P(EscalationTest, ConcurrentRunsEscalateEachBreachOnce) {
  constexpr int kGrievances = 30;
  for (int i = 0; i < kGrievances; ++i) FileOne();
  clock_.Advance(22 * kDay);
  constexpr int kRunners = 4;
  std::vector<std::unique_ptr<storage::Database>> connections;
  for (int i = 0; i < kRunners; ++i) {
    auto c = tdb_.Connect();
    ASSERT_TRUE(c.ok()) << c.status();
    connections.push_back(std::move(*c));
  }
  std::vector<Result<EscalationRun>> runs(kRunners, EscalationRun{});
  std::vector<std::thread> threads;
  for (int i = 0; i < kRunners; ++i) {
    threads.emplace_back([&, i] { runs[i] = EscalateOverdue(*connections[i], clock_); });
  }
  for (std::thread& t : threads) t.join();
  int64_t escalated = 0;
  for (const auto& r : runs) {
    ASSERT_TRUE(r.ok()) << r.status();
    escalated += r->escalated;
  }
  EXPECT_EQ(escalated, kGrievances);
  EXPECT_EQ(Count("grievance_escalations"), kGrievances);
  EXPECT_EQ(Count("grievances", "level = 'district' AND escalations = 1"), kGrievances);
  EXPECT_EQ(Count("grievance_events", "kind = 'escalated'"), kGrievances);
}

TEST_P(EscalationTest, DatabaseRefusesASecondEscalationOfTheSameBreach) {
  int64_t id = FileOne();
  clock_.Advance(22 * kDay);
  ASSERT_EQ(Run().escalated, 1);
  auto again = db().Execute(
      "INSERT INTO grievance_escalations (grievance_id, round, from_level, from_area, to_level, "
      "to_area, breached_deadline_us, escalated_at_us, new_deadline_us) VALUES (?, 0, 'block', "
      "'990101', 'district', '9901', 1, 2, 3)",
      {id});
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  // Nor can an escalation be recorded before its deadline passed.
  auto early = db().Execute(
      "INSERT INTO grievance_escalations (grievance_id, round, from_level, from_area, to_level, "
      "to_area, breached_deadline_us, escalated_at_us, new_deadline_us) VALUES (?, 5, 'block', "
      "'990101', 'district', '9901', 10, 10, 3)",
      {id});
  EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(EscalationTest, ResolvedInTimeIsNotEscalatedAndAppealsEscalateInTheirRound) {
  int64_t resolved = FileOne();
  int64_t appealed = FileOne();
  for (int64_t id : {resolved, appealed}) {
    ASSERT_TRUE(
        Resolve(db(), clock_, id,
                {.outcome = Outcome::kRejected, .reason = "No record of it", .actor = "user:bdo"})
            .ok());
  }
  ASSERT_TRUE(Appeal(db(), clock_, appealed, "It was sent", "citizen:x").ok());
  clock_.Advance(31 * kDay);  // past the appeal deadline (30 days) of the district
  EscalationRun run = Run();
  EXPECT_EQ(run.escalated, 1);
  EXPECT_EQ(LevelOf(resolved), Level::kBlock);
  auto g = Get(db(), appealed);
  EXPECT_EQ(g->assignee.level, Level::kState);
  EXPECT_EQ(g->status, GrievanceStatus::kAppealed);
  auto esc = db().QueryOne("SELECT round, from_level FROM grievance_escalations");
  EXPECT_EQ((*esc)->Int(0), 1);
  EXPECT_EQ((*esc)->Text(1), "district");
}

TEST_P(EscalationTest, PerCategoryDeadlinesAreConfigurable) {
  Policy policy;
  policy.deadline_days[static_cast<int>(Category::kDataMisuse)] = 7;
  GrievanceInput in;
  in.channel = Channel::kPortal;
  in.member_idx = kSunita;
  in.category = Category::kOperatorMisconduct;
  in.description = "Charged Rs 200";
  in.filed_by = "citizen:x";
  policy.deadline_days[static_cast<int>(Category::kOperatorMisconduct)] = 7;
  auto filed = File(db(), clock_, in, policy);
  ASSERT_TRUE(filed.ok()) << filed.status();
  EXPECT_EQ(filed->deadline.micros, clock_.Now().micros + 7 * kDay.count());
  policy.escalated_deadline_days = 3;
  clock_.Advance(7 * kDay + kSecond);
  ASSERT_EQ(EscalateOverdue(db(), clock_, policy)->escalated, 1);
  auto g = Get(db(), filed->grievance_id);
  EXPECT_EQ(g->assignee, (Assignee{Level::kState, "99", ""}));  // from the district
  EXPECT_EQ(g->deadline.micros, clock_.Now().micros + 3 * kDay.count());
  policy.interim_percent = 0;
  EXPECT_EQ(EscalateOverdue(db(), clock_, policy).status().code(), StatusCode::kInvalidArgument);
}

TEST(PolicyForTest, TheConfigFileSettingsBecomeThePolicy) {
  Config::Grievance config;
  config.deadline_days = 15;
  config.category_deadline_days = {{"payment_not_received", 7}, {"data_misuse", 30}};
  config.escalated_deadline_days = 10;
  config.appeal_window_days = 45;
  config.interim_percent = 50;
  Result<Policy> p = PolicyFor(config);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->DeadlineDays(Category::kPaymentNotReceived), 7);
  EXPECT_EQ(p->DeadlineDays(Category::kDataMisuse), 30);
  EXPECT_EQ(p->DeadlineDays(Category::kEnrolment), 15);
  EXPECT_EQ(p->DeadlineDays(Category::kOther), 15);
  EXPECT_EQ(p->escalated_deadline_days, 10);
  EXPECT_EQ(p->appeal_window_days, 45);
  EXPECT_EQ(p->appeal_deadline_days, 30);
  EXPECT_EQ(p->interim_percent, 50);
  // The defaults give the default policy.
  Result<Policy> d = PolicyFor(Config::Grievance{});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->deadline_days, Policy{}.deadline_days);
  // A misspelt category is refused, naming the words allowed.
  config.category_deadline_days = {{"payment_not_recieved", 7}};
  Result<Policy> bad = PolicyFor(config);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("grievance.category_deadline_days"), std::string::npos)
      << bad.status();
  EXPECT_NE(bad.status().message().find("payment_not_received"), std::string::npos)
      << bad.status();
  config.category_deadline_days = {{"other", 0}};
  EXPECT_EQ(PolicyFor(config).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(EscalationTest, OverdueCountsPerHolder) {
  FileOne();
  FileOne();
  FileOne(Category::kPaymentReturned, kSunita, PaymentFailure{"bank", "SBIN0001234"});
  FileOne(Category::kOther, kOther);
  clock_.Advance(15 * kDay);  // past the interim date (day 14), not the deadline
  int64_t late = FileOne();   // filed later: neither
  auto counts = OverdueCounts(db(), clock_);
  ASSERT_TRUE(counts.ok()) << counts.status();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].area_code, "990101");
  EXPECT_EQ((*counts)[0].bank_code, "");
  EXPECT_EQ((*counts)[0].open, 3);
  EXPECT_EQ((*counts)[0].overdue, 0);
  EXPECT_EQ((*counts)[0].interim_missing, 2);
  EXPECT_EQ((*counts)[1].bank_code, "SBIN");
  EXPECT_EQ((*counts)[1].interim_missing, 1);
  EXPECT_EQ((*counts)[2].area_code, "990202");
  ASSERT_TRUE(RecordInterimReply(db(), clock_, late, "Looking into it", "user:bdo").ok());
  clock_.Advance(7 * kDay);  // day 22: the first four are past their deadline
  counts = OverdueCounts(db(), clock_);
  EXPECT_EQ((*counts)[0].overdue, 2);
  EXPECT_EQ((*counts)[1].overdue, 1);
  EXPECT_EQ((*counts)[2].overdue, 1);
}

TEST_P(EscalationTest, RefusesAnOpenTransaction) {
  ASSERT_TRUE(db().Begin().ok());
  EXPECT_EQ(EscalateOverdue(db(), clock_).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(db().Rollback().ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, EscalationTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace spode::grievance
