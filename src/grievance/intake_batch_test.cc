// FileBatch (group commit) on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: one transaction
// for many filings, each ticket given only after its commit, and one failing input sinking
// nothing but itself.
#include <optional>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "grievance/desk.h"
#include "grievance/intake.h"
#include "grievance/testing/fixture.h"
#include "grievance/ticket.h"
#include "gtest/gtest.h"
#include "notify/outbox.h"

namespace spode::grievance {
namespace {

using ::testing::HasSubstr;
using testing::kNow;
using testing::MemberId;

class IntakeBatchTest : public testing::GrievanceTest {
 protected:
  GrievanceInput Portal(int64_t member_idx, std::string description = "My pension has not come") {
    GrievanceInput in;
    in.channel = Channel::kPortal;
    in.member_idx = member_idx;
    in.category = Category::kPaymentNotReceived;
    in.description = std::move(description);
    in.filed_by = "citizen:" + MemberId(static_cast<int>(member_idx));
    return in;
  }
};

TEST_P(IntakeBatchTest, FilesEveryInputInOneCommitAndGivesEachItsTicket) {
  std::vector<GrievanceInput> inputs = {Portal(kSunita, "first"), Portal(kOther, "second"),
                                        Portal(kNoPhone, "third"), Portal(kSunita, "fourth")};
  auto each = FileBatch(db(), clock_, inputs);
  ASSERT_TRUE(each.ok()) << each.status();
  ASSERT_EQ(each->size(), inputs.size());
  EXPECT_FALSE(db().InTransaction());
  auto other = tdb_.Connect();  // committed: another connection sees every one
  ASSERT_TRUE(other.ok()) << other.status();
  std::set<std::string> tickets;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Result<Filed>& filed = (*each)[i];
    ASSERT_TRUE(filed.ok()) << i << ": " << filed.status();
    EXPECT_EQ(filed->ticket, FormatTicket(Kind::kGrievance, 2026, filed->grievance_id));
    tickets.insert(filed->ticket);
    auto g = GetByTicket(**other, filed->ticket);
    ASSERT_TRUE(g.ok()) << g.status();
    // The results come in the order of the inputs.
    EXPECT_EQ(g->member_idx, std::optional<int64_t>(inputs[i].member_idx));
    EXPECT_EQ(g->description, inputs[i].description);
    EXPECT_EQ(g->deadline.micros, filed->deadline.micros);
    auto history = History(**other, filed->grievance_id);
    ASSERT_TRUE(history.ok()) << history.status();
    EXPECT_EQ(history->size(), 2u);
  }
  EXPECT_EQ(tickets.size(), inputs.size());
  EXPECT_EQ(Count("grievances"), 4);
  EXPECT_EQ(Count("grievance_assignments"), 4);
  // Acknowledged like File: the three filings of members with a phone.
  EXPECT_EQ(Count("outbox", "template = 'grievance_ack'"), 3);
  EXPECT_FALSE((*each)[2]->ack_message_id.has_value());
  EXPECT_EQ((*each)[1]->assignee, (Assignee{Level::kBlock, "990202", ""}));
}

TEST_P(IntakeBatchTest, AFailingInputGetsItsOwnErrorAndSinksNoOther) {
  GrievanceInput unknown = Portal(0);
  unknown.member_id = MemberId(99);  // valid check digit, not registered
  GrievanceInput malformed = Portal(kSunita, "");
  GrievanceInput no_scheme = Portal(kOther);
  no_scheme.links.scheme_id = "no_such_scheme";
  GrievanceInput refused = Portal(kSunita);
  refused.channel = Channel::kOperator;
  refused.filed_by = "user:op.asha";
  refused.assisted = AssistedFiling{kOperator, "CSC-0042", Money::FromPaise(5000),
                                    GrantConsent(/*fee_paise=*/3000)};  // more than agreed
  std::vector<GrievanceInput> inputs = {Portal(kSunita, "kept 1"), unknown,   malformed,
                                        Portal(kOther, "kept 2"),  no_scheme, refused,
                                        Portal(kNoPhone, "kept 3")};
  auto each = FileBatch(db(), clock_, inputs);
  ASSERT_TRUE(each.ok()) << each.status();
  ASSERT_EQ(each->size(), inputs.size());
  EXPECT_TRUE((*each)[0].ok()) << (*each)[0].status();
  EXPECT_EQ((*each)[1].status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*each)[2].status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT((*each)[2].status().message(), HasSubstr("description"));
  EXPECT_TRUE((*each)[3].ok()) << (*each)[3].status();
  EXPECT_EQ((*each)[4].status().code(), StatusCode::kNotFound);
  EXPECT_THAT((*each)[4].status().message(), HasSubstr("links.scheme_id"));
  EXPECT_EQ((*each)[5].status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT((*each)[5].status().message(), HasSubstr("assisted.fee"));
  EXPECT_TRUE((*each)[6].ok()) << (*each)[6].status();
  EXPECT_EQ(Count("grievances"), 3);
  EXPECT_EQ(Count("grievance_events"), 6);
  for (int i : {0, 3, 6}) {
    auto g = GetByTicket(db(), (*each)[i]->ticket);
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ(g->description, inputs[i].description);
  }
}

// A failure after the grievance row, its history and its assignment were written (here: an
// acknowledgement template File does not fill) rolls back that input's rows only.
TEST_P(IntakeBatchTest, AFailureAfterTheRowsWereWrittenLeavesNoneOfThem) {
  auto broken =
      notify::Templates::Create({{"grievance_ack", "Ticket {ticket} due {due_date} at {office}",
                                  "टिकट {ticket} {due_date} {office}।"}});
  ASSERT_TRUE(broken.ok()) << broken.status();
  Policy policy;
  policy.templates = &*broken;
  // Sunita and member 3 have phones (acknowledgement fails); member 2 has none.
  std::vector<GrievanceInput> inputs = {Portal(kSunita), Portal(kNoPhone), Portal(kOther)};
  auto each = FileBatch(db(), clock_, inputs, policy);
  ASSERT_TRUE(each.ok()) << each.status();
  EXPECT_EQ((*each)[0].status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT((*each)[0].status().message(), HasSubstr("{office}"));
  ASSERT_TRUE((*each)[1].ok()) << (*each)[1].status();
  EXPECT_EQ((*each)[2].status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("grievances"), 1);
  EXPECT_EQ(Count("grievances", "member_idx = 2"), 1);
  EXPECT_EQ(Count("grievance_events"), 2);
  EXPECT_EQ(Count("grievance_assignments"), 1);
  EXPECT_EQ(Count("outbox"), 0);
  EXPECT_FALSE(db().InTransaction());
}

TEST_P(IntakeBatchTest, RefusesToRunInsideTheCallersTransactionAndStoresNothing) {
  ASSERT_TRUE(db().Begin().ok());
  std::vector<GrievanceInput> inputs = {Portal(kSunita)};
  auto each = FileBatch(db(), clock_, inputs);
  EXPECT_EQ(each.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(db().Rollback().ok());
  EXPECT_EQ(Count("grievances"), 0);
}

TEST_P(IntakeBatchTest, AnEmptyBatchCommitsNothing) {
  auto each = FileBatch(db(), clock_, std::vector<GrievanceInput>{});
  ASSERT_TRUE(each.ok()) << each.status();
  EXPECT_TRUE(each->empty());
  EXPECT_FALSE(db().InTransaction());
}

INSTANTIATE_TEST_SUITE_P(Backends, IntakeBatchTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::grievance
