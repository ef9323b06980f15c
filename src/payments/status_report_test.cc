// ReviewStatuses: what a status file may change, line by line.
#include "payments/status_report.h"

#include <algorithm>
#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::payments {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using D = StatusDisposition;
using O = TransactionOutcome;

// A line whose texts are kept in `texts` (a test's lines outlive their statements).
TransactionStatus LineIn(StatusLines& texts, int64_t line, std::string_view id,
                         std::string_view code) {
  TransactionStatus s;
  s.position.line = line;
  s.end_to_end_id = texts.Keep(id);
  s.status_code = texts.Keep(code);
  s.outcome = *OutcomeOfStatusCode(code);
  return s;
}

TransactionStatus Line(int64_t line, std::string_view id, std::string_view code) {
  static StatusLines* texts = new StatusLines();  // for the whole test program
  return LineIn(*texts, line, id, code);
}

std::vector<D> Dispositions(const std::vector<TransactionStatus>& lines,
                            const std::map<std::string, std::optional<O>>& known) {
  std::vector<D> out;
  const StatusReviews review = ReviewStatuses(lines, [&](std::string_view id) {
    auto it = known.find(std::string(id));
    return it == known.end() ? InstructionState{}
                             : InstructionState{.known = true, .outcome = it->second};
  });
  for (size_t i = 0; i < review.size(); ++i) out.push_back(review.disposition(i));
  return out;
}

// OrderById sorts by bytes (as std::string compares) whatever the ids share: a long common
// prefix, an id that is a prefix of another, bytes above 0x7f, ids equal in their first 8 bytes
// after the prefix; lines of the same id stay in file order.
std::vector<std::string> Ids(const StatusLines& lines) {
  std::vector<std::string> ids;
  for (const TransactionStatus& t : lines) ids.emplace_back(t.end_to_end_id);
  return ids;
}

TEST(TextStoreTest, KeepsCopiesThatOutliveTheirSourceAndSurviveMovesAndJoins) {
  TextStore store;
  std::vector<std::string_view> kept;
  std::vector<std::string> expected;
  std::string source;                  // rewritten for each text: what was kept must be a copy
  for (int i = 0; i < 100'000; ++i) {  // a few blocks' worth of short texts
    source.assign("202611-").append(std::to_string(i)).append("-ab12cd34");
    kept.push_back(store.Keep(source));
    expected.push_back(source);
  }
  source.assign(source.size(), '?');
  const std::string large(300'000, 'x');  // more than a quarter block: a block of its own
  const std::string_view big = store.Keep(large);
  const std::string_view after = store.Keep("after the large one");
  EXPECT_EQ(store.Keep(""), std::string_view());

  TextStore moved = std::move(store);
  TextStore joined;
  const std::string_view own = joined.Keep("joined's own");
  joined.Append(std::move(moved));
  const std::string_view last = joined.Keep("kept after the join");
  EXPECT_EQ(moved.Keep("the moved-from store still keeps"), "the moved-from store still keeps");

  for (size_t i = 0; i < kept.size(); ++i) ASSERT_EQ(kept[i], expected[i]) << i;
  EXPECT_EQ(big, large);
  EXPECT_NE(big.data(), large.data());
  EXPECT_EQ(after, "after the large one");
  EXPECT_EQ(own, "joined's own");
  EXPECT_EQ(last, "kept after the join");
}

TEST(StatusLinesTest, JoinedPartsReadAsOneListInOrder) {
  StatusLines front, later;
  front.push_back(LineIn(front, 2, "A", "ACSC"));
  front.push_back(LineIn(front, 3, "B", "ACSC"));
  later.push_back(LineIn(later, 4, "C", "RJCT"));
  const char* kept_text = later[0].end_to_end_id.data();
  const TransactionStatus* kept = &later[0];
  front.Append(std::move(later));
  EXPECT_TRUE(later.empty());
  ASSERT_EQ(front.size(), 3u);
  EXPECT_EQ(&front[2], kept);  // the later part's storage, not a copy
  EXPECT_EQ(front.back().end_to_end_id.data(), kept_text);  // and its text, kept by `front`
  EXPECT_EQ(front.back().end_to_end_id, "C");
  front.push_back(Line(5, "D", "ACSC"));  // after the joined part
  EXPECT_THAT(Ids(front), ElementsAre("A", "B", "C", "D"));
  EXPECT_EQ(front[3].position.line, 5);

  // A third list is copied in after both parts; an empty one changes nothing.
  StatusLines third;
  third.push_back(LineIn(third, 6, "E", "ACSC"));
  front.Append(std::move(third));
  front.Append(StatusLines());
  EXPECT_THAT(Ids(front), ElementsAre("A", "B", "C", "D", "E"));
  StatusLines none;
  none.Append(std::move(front));
  EXPECT_THAT(Ids(none), ElementsAre("A", "B", "C", "D", "E"));
  EXPECT_EQ(OrderById(none), (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(OrderByIdTest, IsByteOrderThenFileOrder) {
  const std::vector<std::string> ids = {
      "202611-50000000019-aa", "202611-5000000001",      "202611-50000000019-ab",
      "202611-50000000019-aa", "202611-\xc3\xa9",        "202611-",
      "202611-50000000019-a",  "202611-40000000019-zz", "202611-50000000019-aa"};
  std::vector<TransactionStatus> lines;
  for (size_t i = 0; i < ids.size(); ++i) lines.push_back(Line(int64_t(i) + 1, ids[i], "ACSC"));
  std::vector<size_t> expected(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) expected[i] = i;
  std::stable_sort(expected.begin(), expected.end(),
                   [&](size_t a, size_t b) { return ids[a] < ids[b]; });
  EXPECT_EQ(OrderById(lines), expected);
  EXPECT_THAT(OrderById(lines), ElementsAre(5, 7, 1, 6, 0, 3, 8, 2, 4));
  EXPECT_TRUE(OrderById({}).empty());
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
  for (size_t i = 0; i < review.size(); ++i) d.push_back(review.disposition(i));
  // A repeats; B is rejected and paid in one file: neither applies; C moves forward thrice.
  EXPECT_THAT(d, ElementsAre(D::kApply, D::kConflictInFile, D::kRepeated, D::kConflictInFile,
                             D::kApply, D::kApply, D::kApply));
  EXPECT_THAT(review.message(2), HasSubstr("line 4: repeats line 2 for \"A\""));
  EXPECT_THAT(review.message(1), HasSubstr("contradicting statuses in this file, on lines "
                                           "3 (RJCT), 5 (ACSC); none is applied"));
  EXPECT_THAT(review.message(3), HasSubstr("line 5: instruction \"B\" has contradicting"));
  EXPECT_EQ(review.message(6), "");  // applied: nothing to tell
  EXPECT_EQ(review.message(0), "");
}

TEST(SourcePositionTest, Describes) {
  EXPECT_EQ((SourcePosition{12, 7, "/Document/X"}).ToString(), "line 12, column 7 (/Document/X)");
  EXPECT_EQ((SourcePosition{3, 0, ""}).ToString(), "line 3");
}

}  // namespace
}  // namespace spode::payments
