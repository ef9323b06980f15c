// Resolution, rating, appeal, closing, reopening, reassignment and interim replies, on SQLite
// and (with SPODE_TEST_PG_URL) PostgreSQL.
#include "grievance/desk.h"

#include "gmock/gmock.h"
#include "grievance/intake.h"
#include "grievance/testing/fixture.h"
#include "gtest/gtest.h"

namespace spode::grievance {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kDay;
using testing::MemberId;

class DeskTest : public testing::GrievanceTest {
 protected:
  int64_t FileOne(Category category = Category::kPaymentNotReceived) {
    GrievanceInput in;
    in.channel = Channel::kPortal;
    in.member_idx = kSunita;
    in.category = category;
    in.description = "Pension for October not received";
    in.filed_by = citizen_;
    auto filed = File(db(), clock_, in);
    EXPECT_TRUE(filed.ok()) << filed.status();
    return filed.ok() ? filed->grievance_id : 0;
  }
  Status Answer(int64_t id, Outcome outcome, std::optional<int64_t> cr = std::nullopt) {
    return Resolve(db(), clock_, id,
                   {.outcome = outcome,
                    .reason = "Checked with the bank.",
                    .change_request_id = cr,
                    .actor = "user:bdo.sonkh"})
        .status();
  }
  GrievanceStatus StatusOf(int64_t id) { return Get(db(), id)->status; }
  std::vector<std::string> Kinds(int64_t id) {
    std::vector<std::string> kinds;
    auto history = History(db(), id);
    EXPECT_TRUE(history.ok()) << history.status();
    if (!history.ok()) return kinds;
    for (const HistoryEntry& e : *history) kinds.push_back(e.kind);
    return kinds;
  }
  int64_t AddChangeRequest(int64_t household) {
    auto row = db().QueryOne(
        "INSERT INTO change_requests (household_idx, member_idx, kind, changes, reason, channel, "
        "submitted_by, submitted_at_us) VALUES (?, NULL, 'update_household', '{}', 'fix', "
        "'officer', 'user:bdo', 0) RETURNING cr_id",
        {household});
    return row.ok() && *row ? (*row)->Int(0) : 0;
  }

  std::string citizen_ = "citizen:" + MemberId(1);
};

TEST_P(DeskTest, ResolutionNeedsAReason) {
  int64_t id = FileOne();
  auto r =
      Resolve(db(), clock_, id, {.outcome = Outcome::kUpheld, .reason = " ", .actor = "user:b"});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusOf(id), GrievanceStatus::kOpen);
  // The database refuses a resolution without a reason too.
  auto raw = db().Execute(
      "UPDATE grievances SET status = 'resolved', outcome = 'upheld', "
      "resolved_by = 'x', resolved_at_us = 1 WHERE grievance_id = ?",
      {id});
  EXPECT_EQ(raw.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Answer(id, Outcome::kUpheld).ok());
  auto g = Get(db(), id);
  EXPECT_EQ(g->status, GrievanceStatus::kResolved);
  EXPECT_EQ(g->outcome, Outcome::kUpheld);
  EXPECT_EQ(g->resolution_reason, "Checked with the bank.");
  EXPECT_EQ(g->resolved_by, "user:bdo.sonkh");
  EXPECT_EQ(History(db(), id)->back().text_en, "Answered in your favour: Checked with the bank.");
  EXPECT_EQ(History(db(), id)->back().text_hi, "आपके पक्ष में उत्तर दिया गया: Checked with the bank।");
  // Answered once: a second answer is refused.
  EXPECT_EQ(Answer(id, Outcome::kUpheld).code(), StatusCode::kFailedPrecondition);
}

TEST_P(DeskTest, UpheldDataCorrectionNamesItsChangeRequest) {
  int64_t id = FileOne(Category::kDataCorrection);
  EXPECT_THAT(Answer(id, Outcome::kUpheld).message(), HasSubstr("change request"));
  int64_t other = AddChangeRequest(kOtherHousehold);
  EXPECT_EQ(Answer(id, Outcome::kUpheld, other).code(), StatusCode::kNotFound);
  int64_t cr = AddChangeRequest(kHousehold);
  ASSERT_TRUE(Answer(id, Outcome::kUpheld, cr).ok());
  EXPECT_EQ(Get(db(), id)->resolution_change_request_id, cr);
  EXPECT_THAT(History(db(), id)->back().text_en,
              HasSubstr("(change request " + std::to_string(cr) + ")"));
  // A rejection needs none.
  int64_t id2 = FileOne(Category::kDataCorrection);
  EXPECT_TRUE(Answer(id2, Outcome::kRejected).ok());
}

TEST_P(DeskTest, GoodRatingOfAnUpheldAnswerCloses) {
  int64_t id = FileOne();
  EXPECT_EQ(Rate(db(), clock_, id, 4, citizen_).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(Answer(id, Outcome::kUpheld).ok());
  EXPECT_EQ(Rate(db(), clock_, id, 0, citizen_).status().code(), StatusCode::kInvalidArgument);
  auto after = Rate(db(), clock_, id, 4, citizen_);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, GrievanceStatus::kClosed);
  auto g = Get(db(), id);
  EXPECT_EQ(g->rating, 4);
  EXPECT_TRUE(g->closed_at.has_value());
  EXPECT_THAT(Kinds(id), ElementsAre("filed", "assigned", "resolved", "rated", "closed"));
  EXPECT_EQ(History(db(), id)->at(3).text_hi, "आपने उत्तर को 5 में से 4 अंक दिए।");
}

TEST_P(DeskTest, PoorRatingLetsTheCitizenAppealToTheNextLevel) {
  int64_t id = FileOne();
  ASSERT_TRUE(Answer(id, Outcome::kUpheld).ok());
  // Upheld and not yet rated poorly: no appeal.
  EXPECT_THAT(Appeal(db(), clock_, id, "Half paid", citizen_).status().message(),
              HasSubstr("rated 1 or 2"));
  ASSERT_EQ(*Rate(db(), clock_, id, 2, citizen_), GrievanceStatus::kResolved);
  EXPECT_EQ(Rate(db(), clock_, id, 1, citizen_).status().code(), StatusCode::kFailedPrecondition);
  clock_.Advance(kDay);
  auto appeal = Appeal(db(), clock_, id, "Only half the arrears were paid", citizen_);
  ASSERT_TRUE(appeal.ok()) << appeal.status();
  auto g = Get(db(), id);
  EXPECT_EQ(g->status, GrievanceStatus::kAppealed);
  EXPECT_EQ(g->open_appeal_id, *appeal);
  EXPECT_EQ(g->assignee, (Assignee{Level::kDistrict, "9901", ""}));
  EXPECT_EQ(g->deadline.micros, clock_.Now().micros + 30 * kDay.count());
  EXPECT_EQ(g->round, 1);
  EXPECT_THAT(History(db(), id)->back().text_en,
              HasSubstr("The appellate officer at district level (area 9901) will decide by"));
  // One appeal per grievance.
  ASSERT_TRUE(Answer(id, Outcome::kRejected).ok());  // the appellate decision
  EXPECT_EQ(Get(db(), id)->status, GrievanceStatus::kResolved);
  EXPECT_THAT(History(db(), id)->back().text_en,
              HasSubstr("The appellate officer did not accept the appeal"));
  EXPECT_THAT(Appeal(db(), clock_, id, "Again", citizen_).status().message(),
              HasSubstr("has had its appeal"));
  auto decided = db().QueryOne(
      "SELECT outcome, decided_by FROM grievance_appeals WHERE "
      "appeal_id = ?",
      {*appeal});
  EXPECT_EQ((*decided)->Text(0), "rejected");
  EXPECT_EQ((*decided)->Text(1), "user:bdo.sonkh");
}

TEST_P(DeskTest, AppealBlocksClosure) {
  int64_t id = FileOne();
  ASSERT_TRUE(Answer(id, Outcome::kRejected).ok());
  ASSERT_TRUE(Appeal(db(), clock_, id, "The bank says the money never came", citizen_).ok());
  Status closed = Close(db(), clock_, id, "", "user:bdo.sonkh");
  EXPECT_EQ(closed.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(closed.message(), HasSubstr("under appeal"));
  EXPECT_EQ(StatusOf(id), GrievanceStatus::kAppealed);
  // Nor can SQL close it, or drop the appeal while it stays appealed.
  auto raw = db().Execute(
      "UPDATE grievances SET status = 'closed', closed_at_us = 1 WHERE "
      "grievance_id = ?",
      {id});
  EXPECT_EQ(raw.status().code(), StatusCode::kFailedPrecondition);
  raw = db().Execute("UPDATE grievances SET open_appeal_id = NULL WHERE grievance_id = ?", {id});
  EXPECT_EQ(raw.status().code(), StatusCode::kFailedPrecondition);
  // Closing the batch way leaves it alone too.
  clock_.Advance(100 * kDay);
  EXPECT_EQ(*CloseSettled(db(), clock_), 0);
  EXPECT_EQ(StatusOf(id), GrievanceStatus::kAppealed);
  // Once the appellate officer decides, it can be closed.
  ASSERT_TRUE(Answer(id, Outcome::kUpheld).ok());
  ASSERT_TRUE(Close(db(), clock_, id, "Paid", "user:bdo.sonkh").ok());
  EXPECT_EQ(StatusOf(id), GrievanceStatus::kClosed);
  EXPECT_EQ(History(db(), id)->back().text_en, "Closed: Paid.");
}

TEST_P(DeskTest, AppealWindow) {
  int64_t id = FileOne();
  ASSERT_TRUE(Answer(id, Outcome::kRejected).ok());
  clock_.Advance(30 * kDay);
  EXPECT_THAT(Appeal(db(), clock_, id, "late", citizen_).status().message(),
              HasSubstr("time to appeal"));
  EXPECT_EQ(StatusOf(id), GrievanceStatus::kResolved);
}

TEST_P(DeskTest, ReopenWithinTheWindowOnly) {
  Policy policy;
  policy.reopen_window_days = 10;
  int64_t id = FileOne();
  EXPECT_EQ(Reopen(db(), clock_, id, "x", citizen_, policy).code(),
            StatusCode::kFailedPrecondition);  // not answered yet
  ASSERT_TRUE(Answer(id, Outcome::kUpheld).ok());
  ASSERT_EQ(*Rate(db(), clock_, id, 5, citizen_), GrievanceStatus::kClosed);
  clock_.Advance(9 * kDay);
  ASSERT_TRUE(Reopen(db(), clock_, id, "The money went back again", citizen_, policy).ok());
  auto g = Get(db(), id);
  EXPECT_EQ(g->status, GrievanceStatus::kOpen);
  EXPECT_EQ(g->round, 1);
  EXPECT_FALSE(g->outcome.has_value());
  EXPECT_FALSE(g->rating.has_value());
  EXPECT_FALSE(g->closed_at.has_value());
  EXPECT_EQ(g->deadline.micros, clock_.Now().micros + 21 * kDay.count());
  EXPECT_THAT(History(db(), id)->back().text_en, HasSubstr("Reopened: The money went back again"));
  // Answered again; after the window it cannot be reopened.
  ASSERT_TRUE(Answer(id, Outcome::kUpheld).ok());
  clock_.Advance(10 * kDay);
  Status late = Reopen(db(), clock_, id, "again", citizen_, policy);
  EXPECT_EQ(late.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(late.message(), HasSubstr("file a new grievance"));
}

TEST_P(DeskTest, CloseSettledClosesAfterBothWindows) {
  int64_t answered = FileOne();
  int64_t open = FileOne();
  ASSERT_TRUE(Answer(answered, Outcome::kRejected).ok());
  clock_.Advance(29 * kDay);
  EXPECT_EQ(*CloseSettled(db(), clock_), 0);
  clock_.Advance(kDay);
  EXPECT_EQ(*CloseSettled(db(), clock_), 1);
  EXPECT_EQ(*CloseSettled(db(), clock_), 0);
  EXPECT_EQ(StatusOf(answered), GrievanceStatus::kClosed);
  EXPECT_EQ(StatusOf(open), GrievanceStatus::kOpen);
}

TEST_P(DeskTest, ReassignmentIsRecordedAndKeepsTheDeadline) {
  int64_t id = FileOne();
  Timestamp deadline = Get(db(), id)->deadline;
  clock_.Advance(kDay);
  ASSERT_TRUE(Reassign(db(), clock_, id, {Level::kBlock, "990101", "SBIN"},
                       "The bank holds the account", "user:bdo.sonkh")
                  .ok());
  ASSERT_TRUE(
      Reassign(db(), clock_, id, {Level::kDistrict, "9901", ""}, "Needs the DM", "user:bdo.sonkh")
          .ok());
  auto g = Get(db(), id);
  EXPECT_EQ(g->assignee, (Assignee{Level::kDistrict, "9901", ""}));
  EXPECT_EQ(g->deadline, deadline);
  // Never below the level reached, never outside the household's area, never to itself.
  EXPECT_EQ(Reassign(db(), clock_, id, {Level::kBlock, "990101", ""}, "back", "user:x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reassign(db(), clock_, id, {Level::kDistrict, "9902", ""}, "x", "user:x").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Reassign(db(), clock_, id, {Level::kDistrict, "9901", ""}, "x", "user:x").code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reassign(db(), clock_, id, {Level::kState, "99", "sbin"}, "x", "user:x").code(),
            StatusCode::kInvalidArgument);
  auto rows = db().Query(
      "SELECT cause, level, area_code, COALESCE(bank_code, ''), note FROM "
      "grievance_assignments WHERE grievance_id = ? ORDER BY assignment_id",
      {id});
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[1].Text(0), "reassigned");
  EXPECT_EQ((*rows)[1].Text(3), "SBIN");
  EXPECT_EQ((*rows)[1].Text(4), "The bank holds the account");
  EXPECT_EQ((*rows)[2].Text(1), "district");
  EXPECT_THAT(History(db(), id)->at(2).text_en,
              HasSubstr("Moved to your bank (SBIN), under the block grievance officer"));
}

TEST_P(DeskTest, InterimReplyIsRecordedAndSent) {
  int64_t id = FileOne();
  int64_t before = Count("outbox");
  ASSERT_TRUE(
      RecordInterimReply(db(), clock_, id, "We have written to the bank.", "user:bdo.sonkh").ok());
  auto g = Get(db(), id);
  EXPECT_EQ(g->interim_reply_at, clock_.Now());
  EXPECT_EQ(History(db(), id)->back().text_en,
            "Interim reply: We have written to the bank. A final reply is due by 20-12-2026.");
  EXPECT_EQ(Count("outbox"), before + 1);
  auto body = db().QueryOne("SELECT body, template FROM outbox ORDER BY message_id DESC");
  EXPECT_EQ((*body)->Text(1), "grievance_update");
  EXPECT_THAT((*body)->Text(0), HasSubstr(g->ticket));
  EXPECT_THAT((*body)->Text(0), HasSubstr("अंतरिम उत्तर"));  // the citizen's language
}

TEST_P(DeskTest, ListsByHolderAreaHouseholdAndOverdue) {
  int64_t a = FileOne();
  int64_t b = FileOne(Category::kDataMisuse);
  GrievanceInput other;
  other.channel = Channel::kPortal;
  other.member_idx = kOther;
  other.category = Category::kOther;
  other.description = "x";
  other.filed_by = "citizen:" + MemberId(3);
  int64_t c = File(db(), clock_, other)->grievance_id;
  auto ids = [&](const ListFilter& f) {
    std::vector<int64_t> out;
    auto list = List(db(), f);
    EXPECT_TRUE(list.ok()) << list.status();
    for (const Grievance& g : *list) out.push_back(g.grievance_id);
    return out;
  };
  EXPECT_THAT(ids({.household_idx = kHousehold}), ElementsAre(a, b));
  EXPECT_THAT(ids({.area_prefix = "9902"}), ElementsAre(c));
  EXPECT_THAT(ids({.level = Level::kState, .area_code = "99"}), ElementsAre(b));
  EXPECT_THAT(ids({.after_id = a, .limit = 1}), ElementsAre(b));
  EXPECT_THAT(ids({.overdue_at = clock_.Now()}), ElementsAre());
  clock_.Advance(22 * kDay);
  EXPECT_THAT(ids({.overdue_at = clock_.Now()}), ElementsAre(a, b, c));
  EXPECT_EQ(List(db(), {.limit = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(List(db(), {.area_prefix = "99%"}).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, DeskTest, ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace spode::grievance
