// The CSV profile: credit transfers out (golden file, quoting, formula neutralising) and status
// files in (good lines, bad lines with their numbers, refused files).
#include "payments/csv_profile.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payments/returns.h"
#include "payments/testing/fixtures.h"

namespace spode::payments {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadTestData;
using testing::SmallBatch;

TEST(CreditTransferCsvTest, SmallBatchMatchesTheGoldenFile) {
  auto csv = WriteCreditTransferCsv(SmallBatch());
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(*csv, ReadTestData("credit_transfers_small.csv"));
  EXPECT_TRUE(csv->starts_with(std::string(kCreditTransferCsvHeader) + "\r\n"));
}

TEST(CreditTransferCsvTest, QuotesAndNeutralisesFormulas) {
  CreditTransferBatch b = SmallBatch();
  b.transfers[0].creditor_name = "=HYPERLINK(\"http://x\",\"y\")";
  b.transfers[2].creditor_name = "Devi, Sunita";
  auto csv = WriteCreditTransferCsv(b);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_THAT(*csv, HasSubstr(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","));
  EXPECT_THAT(*csv, HasSubstr(",\"Devi, Sunita\","));
}

TEST(CreditTransferCsvTest, RefusesWhatPain001Refuses) {
  CreditTransferBatch b = SmallBatch();
  b.transfers[0].creditor_ifsc = "sbin0001234";
  EXPECT_THAT(WriteCreditTransferCsv(b).status().message(),
              HasSubstr("transfers[0].creditor_ifsc"));
}

constexpr std::string_view kStatusFile =
    "\xEF\xBB\xBF"
    "end_to_end_id,status,reason_code,reason_detail,bank_reference,status_date\r\n"
    "OAP-1,ACSC,,,UTR0001,2026-12-02\r\n"
    "OAP-2,RJCT,AC04,\"Account closed, customer informed\",,2026-12-02\r\n"
    "\r\n"
    "OAP-3,RTND,account_dormant_or_frozen,,UTR0003,2026-12-09\r\n"
    "OAP-4,PAID,,,,\r\n"
    "OAP-5,RJCT,51\r\n"
    ",RJCT,AC01,,,\r\n"
    "OAP-6,RJCT,AC 01,,,\r\n"
    "OAP-7,ACSC,,,,2026-02-30\r\n"
    "OAP-8,RJCT,,\"narrative only: KYC pending\nat branch\",,2026-12-02\n"
    "OAP-9,PDNG,,,,";

TEST(StatusCsvTest, ReadsGoodLinesAndReportsBadOnesByLine) {
  auto report = ParseStatusCsv(kStatusFile);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->format, "csv");
  std::vector<std::string> ids;
  for (const auto& t : report->transactions) ids.push_back(t.end_to_end_id);
  EXPECT_THAT(ids, ElementsAre("OAP-1", "OAP-2", "OAP-3", "OAP-8", "OAP-9"));

  const auto& t = report->transactions;
  EXPECT_EQ(t[0].outcome, TransactionOutcome::kPaid);
  EXPECT_EQ(t[0].bank_reference, "UTR0001");
  EXPECT_EQ(t[0].status_date, "2026-12-02");
  EXPECT_TRUE(t[0].reasons.empty());
  EXPECT_EQ(t[1].position.line, 3);
  ASSERT_EQ(t[1].reasons.size(), 1u);
  EXPECT_EQ(t[1].reasons[0].code, "AC04");
  EXPECT_THAT(t[1].reasons[0].additional_info, ElementsAre("Account closed, customer informed"));
  EXPECT_EQ(t[2].outcome, TransactionOutcome::kReturned);
  EXPECT_EQ(t[2].position.line, 5);
  EXPECT_EQ(ClassifyStatus(t[2]).reason, ReturnReason::kAccountDormantOrFrozen);
  EXPECT_EQ(t[3].position.line, 11);  // the quoted field spans two lines
  EXPECT_EQ(ClassifyStatus(t[3]).reason, ReturnReason::kKycPending);
  EXPECT_EQ(t[4].position.line, 13);
  EXPECT_EQ(t[4].outcome, TransactionOutcome::kPending);

  std::vector<std::pair<int64_t, std::string>> issues;
  for (const auto& i : report->issues) issues.emplace_back(i.position.line, i.message);
  using ::testing::Pair;
  EXPECT_THAT(issues, ElementsAre(Pair(6, HasSubstr("status \"PAID\" is not a status code")),
                                  Pair(7, HasSubstr("3 fields, the header has 6")),
                                  Pair(8, HasSubstr("end_to_end_id: missing")),
                                  Pair(9, HasSubstr("reason_code \"AC 01\" is not a code")),
                                  Pair(10, HasSubstr("status_date \"2026-02-30\" is not a date"))));
}

TEST(StatusCsvTest, RefusesBadFilesWhole) {
  auto error = [](std::string_view csv) { return ParseStatusCsv(csv).status().message(); };
  EXPECT_THAT(error(""), HasSubstr("no header line"));
  EXPECT_THAT(error("\n\n"), HasSubstr("no header line"));
  EXPECT_THAT(error("end_to_end_id,state\nA,ACSC\n"), HasSubstr("unknown column \"state\""));
  EXPECT_THAT(error("end_to_end_id,status,status\n"), HasSubstr("column status appears twice"));
  EXPECT_THAT(error("end_to_end_id,reason_code\n"), HasSubstr("needs the columns"));
  EXPECT_THAT(error("end_to_end_id,status\nA,\"ACSC\n"),
              HasSubstr("line 2: a quoted field never ends"));
  EXPECT_THAT(error("end_to_end_id,status\nA,AC\"SC\n"), HasSubstr("line 2: a quote inside"));
  EXPECT_THAT(error("end_to_end_id,status\nA,\"ACSC\"x\n"),
              HasSubstr("text after a closing quote"));
  EXPECT_THAT(error("end_to_end_id,status\nA,\xC3\x28\n"), HasSubstr("line 2: not UTF-8"));
  StatusCsvLimits small{.max_bytes = 10};
  EXPECT_EQ(ParseStatusCsv("end_to_end_id,status\n", small).status().code(),
            StatusCode::kResourceExhausted);
  StatusCsvLimits few{.max_lines = 1};
  EXPECT_EQ(ParseStatusCsv("end_to_end_id,status\nA,ACSC\nB,ACSC\n", few).status().code(),
            StatusCode::kResourceExhausted);
}

TEST(StatusCsvTest, AFieldTooLongIsALineIssue) {
  auto report = ParseStatusCsv("end_to_end_id,status,reason_detail\nA,RJCT," +
                               std::string(5000, 'x') + "\nB,ACSC,\n");
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->transactions.size(), 1u);
  EXPECT_EQ(report->transactions[0].end_to_end_id, "B");
  ASSERT_EQ(report->issues.size(), 1u);
  EXPECT_THAT(report->issues[0].message, HasSubstr("longer than 1000 bytes"));
}

}  // namespace
}  // namespace spode::payments
