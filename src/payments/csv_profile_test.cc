// The CSV profile: credit transfers out (golden file, quoting, formula neutralising) and status
// files in (good lines, bad lines with their numbers, refused files).
#include "payments/csv_profile.h"

#include <limits>
#include <string>

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
  for (const auto& t : report->transactions) ids.emplace_back(t.end_to_end_id);
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

// A large file is parsed in two halves on two threads (StatusCsvLimits::parallel_min_bytes):
// every line, issue and line number must be what one pass gives, whichever half a line is in.
TEST(StatusCsvTest, TwoHalvesReadWhatOnePassReads) {
  std::string csv = "end_to_end_id,status,reason_code,reason_detail,bank_reference\r\n";
  for (int i = 1; i <= 4000; ++i) {
    std::string id = "202611-" + std::to_string(70000000000 + i * 7919) + "-9f2c41aa";
    if (i % 997 == 0) {
      csv += "\r\n";  // a blank line
    } else if (i % 613 == 0) {
      csv += id + ",PAID,,,\r\n";  // not a status code: an issue
    } else if (i % 701 == 0) {
      csv += id + ",ACSC\r\n";  // too few fields: an issue
    } else if (i % 33 == 0) {
      csv += id + ",RJCT,AC04,Account closed,\r\n";
    } else {
      csv += id + ",ACSC,,,UTR" + std::to_string(i) + "\r\n";
    }
  }
  StatusCsvLimits one_pass{.parallel_min_bytes = std::numeric_limits<size_t>::max()};
  StatusCsvLimits halves{.parallel_min_bytes = 0};
  auto whole = ParseStatusCsv(csv, one_pass);
  auto split = ParseStatusCsv(csv, halves);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_TRUE(split.ok()) << split.status();
  ASSERT_EQ(split->transactions.size(), whole->transactions.size());
  EXPECT_EQ(whole->transactions.size(), 4000u - 4 - 6 - 5);  // blank, PAID, short lines left out
  for (size_t i = 0; i < whole->transactions.size(); ++i) {
    const TransactionStatus& a = whole->transactions[i];
    const TransactionStatus& b = split->transactions[i];
    EXPECT_EQ(b.end_to_end_id, a.end_to_end_id) << i;
    EXPECT_EQ(b.status_code, a.status_code) << i;
    EXPECT_EQ(b.outcome, a.outcome) << i;
    EXPECT_EQ(b.bank_reference, a.bank_reference) << i;
    EXPECT_EQ(b.position.line, a.position.line) << i;
    ASSERT_EQ(b.reasons.size(), a.reasons.size()) << i;
    if (!a.reasons.empty()) {
      EXPECT_EQ(b.reasons[0].code, a.reasons[0].code) << i;
    }
  }
  // Line numbers count the header as line 1: the last transaction is on line 4001.
  EXPECT_EQ(split->transactions.back().position.line, 4001);
  ASSERT_EQ(split->issues.size(), whole->issues.size());
  ASSERT_EQ(whole->issues.size(), 11u);
  for (size_t i = 0; i < whole->issues.size(); ++i) {
    EXPECT_EQ(split->issues[i].position.line, whole->issues[i].position.line) << i;
    EXPECT_EQ(split->issues[i].message, whole->issues[i].message) << i;
  }
  EXPECT_EQ(whole->issues.back().position.line, 1 + 613 * 6);  // the last PAID line
  // A file that one pass refuses is refused the same way from its second half.
  std::string bad = csv + "X," + std::string(70, ',') + "\r\n";
  EXPECT_EQ(ParseStatusCsv(bad, halves).status().message(),
            ParseStatusCsv(bad, one_pass).status().message());
  EXPECT_THAT(ParseStatusCsv(bad, halves).status().message(),
              HasSubstr("line 4002: more than 64 fields"));
  // A quote (which may open a field spanning lines) or a lone "\r" keeps one pass.
  std::string quoted = csv + "\"B\",ACSC,,,\r\n";
  auto q = ParseStatusCsv(quoted, halves);
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->transactions.back().end_to_end_id, "B");
  EXPECT_EQ(q->transactions.back().position.line, 4002);
}

}  // namespace
}  // namespace spode::payments
