// Ticket numbers: the format, the check digit catching every single-digit error and every
// adjacent swap, and the lenient-but-strict parser.
#include "grievance/ticket.h"

#include "common/verhoeff.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::grievance {
namespace {

using ::testing::HasSubstr;

TEST(TicketTest, FormatIsPrefixYearPaddedSerialAndCheckDigit) {
  std::string t = FormatTicket(Kind::kGrievance, 2026, 123);
  ASSERT_EQ(t.size(), std::string("GR-2026-0000123-0").size());
  EXPECT_EQ(t.substr(0, 16), "GR-2026-0000123-");
  EXPECT_TRUE(VerhoeffValid("20260000123" + t.substr(16)));
  EXPECT_EQ(FormatTicket(Kind::kReentry, 2026, 123).substr(0, 3), "RC-");
  // Serials beyond seven digits grow.
  EXPECT_EQ(FormatTicket(Kind::kGrievance, 2027, 123456789).substr(0, 18), "GR-2027-123456789-");
}

TEST(TicketTest, RoundTrips) {
  for (int64_t serial : {1LL, 9LL, 123LL, 9999999LL, 10000000LL, 4567890123LL}) {
    for (Kind kind : {Kind::kGrievance, Kind::kReentry}) {
      std::string text = FormatTicket(kind, 2026, serial);
      auto t = ParseTicket(text);
      ASSERT_TRUE(t.ok()) << text << ": " << t.status();
      EXPECT_EQ(*t, (TicketNumber{kind, 2026, serial})) << text;
    }
  }
}

TEST(TicketTest, EverySingleDigitErrorIsRefused) {
  std::string good = FormatTicket(Kind::kGrievance, 2026, 4711);
  int refused = 0, tried = 0;
  for (size_t i = 0; i < good.size(); ++i) {
    if (good[i] < '0' || good[i] > '9') continue;
    for (char d = '0'; d <= '9'; ++d) {
      if (d == good[i]) continue;
      std::string bad = good;
      bad[i] = d;
      ++tried;
      auto t = ParseTicket(bad);
      if (!t.ok()) {
        ++refused;
        EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
      }
    }
  }
  EXPECT_EQ(tried, 12 * 9);
  EXPECT_EQ(refused, tried);
}

TEST(TicketTest, EveryAdjacentSwapIsRefused) {
  std::string good = FormatTicket(Kind::kGrievance, 2026, 3141592);
  std::string digits;
  for (char c : good) {
    if (c >= '0' && c <= '9') digits += c;
  }
  int swaps = 0;
  for (size_t i = 0; i + 1 < digits.size(); ++i) {
    if (digits[i] == digits[i + 1]) continue;
    std::string bad = digits;
    std::swap(bad[i], bad[i + 1]);
    ++swaps;
    EXPECT_FALSE(ParseTicket("GR" + bad).ok()) << bad;
  }
  EXPECT_GT(swaps, 5);
}

TEST(TicketTest, ParsesWhatPeopleType) {
  std::string good = FormatTicket(Kind::kGrievance, 2026, 123);
  char check = good.back();
  const std::string c(1, check);
  for (const std::string& text : {good, "gr-2026-0000123-" + c, "GR 2026 0000123 " + c,
                                  "GR20260000123" + c, "  GR-2026-123-" + c}) {
    auto t = ParseTicket(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.status();
    EXPECT_EQ(t->serial, 123) << text;
    EXPECT_EQ(t->kind, Kind::kGrievance) << text;
  }
  // An IVR keypad has no letters.
  auto digits_only = ParseTicket("2026 0000123 " + std::string(1, check));
  ASSERT_TRUE(digits_only.ok()) << digits_only.status();
  EXPECT_FALSE(digits_only->kind.has_value());
  EXPECT_EQ(digits_only->year, 2026);
}

TEST(TicketTest, RefusesMalformedText) {
  EXPECT_THAT(ParseTicket("").status().message(), HasSubstr("wrong number of digits"));
  EXPECT_THAT(ParseTicket("GR-2026-12a-4").status().message(), HasSubstr("only letters"));
  EXPECT_THAT(ParseTicket("XY-2026-0000123-4").status().message(), HasSubstr("only letters"));
  EXPECT_EQ(ParseTicket("GR-2026-0000000-0").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTicket(std::string(100, '1')).status().code(), StatusCode::kInvalidArgument);
  std::string good = FormatTicket(Kind::kGrievance, 2026, 123);
  std::string wrong = good;
  wrong.back() = good.back() == '9' ? '0' : static_cast<char>(good.back() + 1);
  EXPECT_THAT(ParseTicket(wrong).status().message(), HasSubstr("check digit"));
}

}  // namespace
}  // namespace spode::grievance
