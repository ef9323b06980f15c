// ReviewStatuses: what a status file may change, line by line.
#include "payments/status_report.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::payments {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using D = StatusDisposition;
using O = TransactionOutcome;

TransactionStatus Line(int64_t line, std::string id, std::string code) {
  TransactionStatus s;
  s.position.line = line;
  s.end_to_end_id = std::move(id);
  s.status_code = code;
  s.outcome = *OutcomeOfStatusCode(code);
  return s;
}

std::vector<D> Dispositions(const std::vector<TransactionStatus>& lines,
                            const std::map<std::string, std::optional<O>>& known) {
  std::vector<D> out;
  for (const StatusReview& r : ReviewStatuses(lines, [&](std::string_view id) {
         auto it = known.find(std::string(id));
         return it == known.end() ? InstructionState{}
                                  : InstructionState{.known = true, .outcome = it->second};
       })) {
    out.push_back(r.disposition);
  }
  return out;
}

TEST(StatusCodeTest, MapsIsoCodesToOutcomes) {
  EXPECT_EQ(OutcomeOfStatusCode("ACSC"), O::kPaid);
  EXPECT_EQ(OutcomeOfStatusCode("ACCC"), O::kPaid);
  EXPECT_EQ(OutcomeOfStatusCode("ACCP"), O::kAccepted);
  EXPECT_EQ(OutcomeOfStatusCode("ACSP"), O::kAccepted);
  EXPECT_EQ(OutcomeOfStatusCode("PDNG"), O::kPending);
  EXPECT_EQ(OutcomeOfStatusCode("RJCT"), O::kRejected);
  EXPECT_EQ(OutcomeOfStatusCode("RTND"), O::kReturned);
  EXPECT_EQ(OutcomeOfStatusCode("PART"), std::nullopt);
  EXPECT_EQ(OutcomeOfStatusCode("rjct"), std::nullopt);
  EXPECT_TRUE(IsKnownGroupStatusCode("PART"));
  EXPECT_FALSE(IsKnownGroupStatusCode("RTND"));
  EXPECT_TRUE(IsFinal(O::kPaid));
  EXPECT_FALSE(IsFinal(O::kAccepted));
}

TEST(ReviewStatusesTest, AppliesNewsAndSkipsWhatIsKnown) {
  EXPECT_THAT(
      Dispositions(
          {Line(2, "A", "ACSC"), Line(3, "B", "RJCT"), Line(4, "C", "ACCP"), Line(5, "D", "ACSC"),
           Line(6, "Z", "ACSC")},
          {{"A", std::nullopt}, {"B", O::kAccepted}, {"C", O::kAccepted}, {"D", O::kPaid}}),
      ElementsAre(D::kApply, D::kApply, D::kUnchanged, D::kUnchanged, D::kUnknownInstruction));
}

TEST(ReviewStatusesTest, NeverMovesAFinalOutcomeExceptPaidToReturned) {
  EXPECT_THAT(Dispositions({Line(2, "A", "RJCT"), Line(3, "B", "ACSC"), Line(4, "C", "ACCP"),
                            Line(5, "D", "RTND"), Line(6, "E", "PDNG")},
                           {{"A", O::kPaid},
                            {"B", O::kRejected},
                            {"C", O::kPaid},
                            {"D", O::kPaid},
                            {"E", O::kAccepted}}),
              ElementsAre(D::kContradictsFinal, D::kContradictsFinal, D::kContradictsFinal,
                          D::kApply, D::kStale));
}

TEST(ReviewStatusesTest, RepeatsAndContradictionsWithinAFile) {
  std::vector<TransactionStatus> lines = {
      Line(2, "A", "ACSC"), Line(3, "B", "RJCT"), Line(4, "A", "ACSC"), Line(5, "B", "ACSC"),
      Line(6, "C", "ACCP"), Line(7, "C", "ACSC"), Line(8, "C", "RTND")};
  auto review = ReviewStatuses(lines, [](std::string_view) {
    return InstructionState{.known = true, .outcome = std::nullopt};
  });
  std::vector<D> d;
  for (const auto& r : review) d.push_back(r.disposition);
  // A repeats; B is rejected and paid in one file: neither applies; C moves forward thrice.
  EXPECT_THAT(d, ElementsAre(D::kApply, D::kConflictInFile, D::kRepeated, D::kConflictInFile,
                             D::kApply, D::kApply, D::kApply));
  EXPECT_THAT(review[2].message, HasSubstr("line 4: repeats line 2 for \"A\""));
  EXPECT_THAT(review[1].message, HasSubstr("contradicting statuses in this file, on lines "
                                           "3 (RJCT), 5 (ACSC); none is applied"));
  EXPECT_EQ(review[6].index, 6u);
}

TEST(SourcePositionTest, Describes) {
  EXPECT_EQ((SourcePosition{12, 7, "/Document/X"}).ToString(), "line 12, column 7 (/Document/X)");
  EXPECT_EQ((SourcePosition{3, 0, ""}).ToString(), "line 3");
}

}  // namespace
}  // namespace spode::payments
