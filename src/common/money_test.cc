#include "common/money.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace spode {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

int64_t ParsePaise(std::string_view text) {
  Result<Money> m = Money::Parse(text);
  EXPECT_TRUE(m.ok()) << text << ": " << m.status();
  return m.ok() ? m->paise() : -999;
}

StatusCode ParseCode(std::string_view text) { return Money::Parse(text).status().code(); }

TEST(MoneyTest, DefaultAndFactories) {
  EXPECT_EQ(Money().paise(), 0);
  EXPECT_EQ(Money::FromPaise(12345).paise(), 12345);
  EXPECT_EQ(Money::FromRupees(12).paise(), 1200);
  EXPECT_EQ(Money::FromRupees(-3).paise(), -300);
}

TEST(MoneyDeathTest, FromRupeesAbortsOnOverflow) {
  EXPECT_DEATH((void)Money::FromRupees(kMax / 100 + 1), "");
}

TEST(MoneyParseTest, IndianGrouping) {
  EXPECT_EQ(ParsePaise("1,23,456.50"), 12345650);
  EXPECT_EQ(ParsePaise("12,34,567"), 123456700);  // lakh grouping
  EXPECT_EQ(ParsePaise("1,234"), 123400);
  EXPECT_EQ(ParsePaise("12,345"), 1234500);
  EXPECT_EQ(ParsePaise("1,00,00,000.00"), 1000000000);  // one crore
  EXPECT_EQ(ParsePaise("12,34,56,78,901.23"), 1234567890123);
}

TEST(MoneyParseTest, PlainDigits) {
  EXPECT_EQ(ParsePaise("123456.50"), 12345650);
  EXPECT_EQ(ParsePaise("123456"), 12345600);
  EXPECT_EQ(ParsePaise("0"), 0);
  EXPECT_EQ(ParsePaise("0.5"), 50);
  EXPECT_EQ(ParsePaise("0.05"), 5);
  EXPECT_EQ(ParsePaise("0.50"), 50);
  EXPECT_EQ(ParsePaise("1.1"), 110);
  EXPECT_EQ(ParsePaise("999"), 99900);
}

TEST(MoneyParseTest, Signs) {
  EXPECT_EQ(ParsePaise("-5.05"), -505);
  EXPECT_EQ(ParsePaise("+5.05"), 505);
  EXPECT_EQ(ParsePaise("-1,23,456.50"), -12345650);
  EXPECT_EQ(ParsePaise("-0"), 0);
}

TEST(MoneyParseTest, CurrencyPrefixes) {
  EXPECT_EQ(ParsePaise("₹ 1,000"), 100000);
  EXPECT_EQ(ParsePaise("₹1,000"), 100000);
  EXPECT_EQ(ParsePaise("Rs 1,000.00"), 100000);
  EXPECT_EQ(ParsePaise("Rs1000"), 100000);
  EXPECT_EQ(ParsePaise("Rs. 250.75"), 25075);
  EXPECT_EQ(ParsePaise("-₹ 5"), -500);
  EXPECT_EQ(ParsePaise("  42  "), 4200);  // surrounding spaces are trimmed
}

TEST(MoneyParseTest, RejectsMalformed) {
  for (std::string_view bad :
       {"1,2,3",  "1,234,567", "123,456", "1,23,4567", "12,3,456", ",123", "1,,234",
        "1,234,", "1.234",     ".5",      "1.",        "abc",      "",     "   ",
        "1e5",    "Rs",        "₹",       "12 345",    "1.2.3",    "1.-5", "--5",
        "- 5",    "Rs -5",     "0x10",    "5 Rs",      "1,234.5x"}) {
    Result<Money> m = Money::Parse(bad);
    EXPECT_FALSE(m.ok()) << "accepted \"" << bad << "\" as " << m->paise();
    if (!m.ok()) {
      EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(MoneyParseTest, ErrorMessageNamesTheInput) {
  Status s = Money::Parse("1,234,567").status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"1,234,567\""));
  EXPECT_THAT(s.message(), HasSubstr("Indian grouping"));
  EXPECT_THAT(Money::Parse("1.234").status().message(), HasSubstr("after the point"));
}

TEST(MoneyParseTest, Limits) {
  // INT64_MAX paise = 92,233,720,368,547,758.07 rupees.
  EXPECT_EQ(ParsePaise("92233720368547758.07"), kMax);
  EXPECT_EQ(ParsePaise("-92233720368547758.07"), -kMax);
  EXPECT_EQ(ParsePaise("-92233720368547758.08"), kMin);
  EXPECT_EQ(ParseCode("92233720368547758.08"), StatusCode::kOutOfRange);
  EXPECT_EQ(ParseCode("-92233720368547758.09"), StatusCode::kOutOfRange);
  EXPECT_EQ(ParseCode("92233720368547759"), StatusCode::kOutOfRange);
  EXPECT_EQ(ParseCode("9223372036854775808"), StatusCode::kOutOfRange);
  EXPECT_EQ(ParseCode("99999999999999999999999999"), StatusCode::kOutOfRange);
  EXPECT_EQ(ParseCode("9,22,33,72,03,68,54,77,590"), StatusCode::kOutOfRange);
}

TEST(MoneyToStringTest, IndianGrouping) {
  EXPECT_EQ(Money::FromPaise(12345650).ToString(), "1,23,456.50");
  EXPECT_EQ(Money::FromPaise(100).ToString(), "1.00");
  EXPECT_EQ(Money::FromPaise(1).ToString(), "0.01");
  EXPECT_EQ(Money::FromPaise(0).ToString(), "0.00");
  EXPECT_EQ(Money::FromPaise(99999).ToString(), "999.99");
  EXPECT_EQ(Money::FromPaise(100000).ToString(), "1,000.00");
  EXPECT_EQ(Money::FromPaise(1000000).ToString(), "10,000.00");
  EXPECT_EQ(Money::FromPaise(10000000).ToString(), "1,00,000.00");
  EXPECT_EQ(Money::FromPaise(123456789012).ToString(), "1,23,45,67,890.12");
  EXPECT_EQ(Money::FromPaise(1234567890123).ToString(), "12,34,56,78,901.23");
}

TEST(MoneyToStringTest, Negative) {
  EXPECT_EQ(Money::FromPaise(-1).ToString(), "-0.01");
  EXPECT_EQ(Money::FromPaise(-505).ToString(), "-5.05");
  EXPECT_EQ(Money::FromPaise(-12345650).ToString(), "-1,23,456.50");
}

TEST(MoneyToStringTest, ExtremesWithoutOverflow) {
  EXPECT_EQ(Money::FromPaise(kMax).ToString(), "92,23,37,20,36,85,47,758.07");
  EXPECT_EQ(Money::FromPaise(kMin).ToString(), "-92,23,37,20,36,85,47,758.08");
  EXPECT_EQ(Money::FromPaise(kMin).ToPlainString(), "-92233720368547758.08");
  EXPECT_EQ(Money::FromPaise(kMax).ToPlainString(), "92233720368547758.07");
}

TEST(MoneyToStringTest, Plain) {
  EXPECT_EQ(Money::FromPaise(12345650).ToPlainString(), "123456.50");
  EXPECT_EQ(Money::FromPaise(-12345650).ToPlainString(), "-123456.50");
  EXPECT_EQ(Money::FromPaise(5).ToPlainString(), "0.05");
  EXPECT_EQ(Money::FromPaise(123456789012).ToPlainString(), "1234567890.12");
}

TEST(MoneyTest, RoundTrip) {
  std::vector<int64_t> values = {0,      1,       -1,       9,         10,
                                 99,     100,     101,      -100,      99999,
                                 100000, 1234567, 12345650, -12345650, 9999999999,
                                 kMax,   kMin,    kMax - 1, kMin + 1,  1000000000000000000};
  std::mt19937_64 rng(20261129);
  for (int i = 0; i < 2000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    values.push_back(v);
    values.push_back(v >> (rng() % 63));  // smaller magnitudes too
  }
  for (int64_t v : values) {
    Money m = Money::FromPaise(v);
    Result<Money> grouped = Money::Parse(m.ToString());
    ASSERT_TRUE(grouped.ok()) << v << " " << m.ToString() << ": " << grouped.status();
    EXPECT_EQ(grouped->paise(), v) << m.ToString();
    Result<Money> plain = Money::Parse(m.ToPlainString());
    ASSERT_TRUE(plain.ok()) << v << " " << m.ToPlainString() << ": " << plain.status();
    EXPECT_EQ(plain->paise(), v) << m.ToPlainString();
  }
}

TEST(MoneyTest, CheckedAdd) {
  EXPECT_EQ(Money::FromPaise(150).CheckedAdd(Money::FromPaise(-50)), Money::FromPaise(100));
  EXPECT_EQ(Money::FromPaise(kMax).CheckedAdd(Money::FromPaise(0)), Money::FromPaise(kMax));
  EXPECT_EQ(Money::FromPaise(kMax).CheckedAdd(Money::FromPaise(1)), std::nullopt);
  EXPECT_EQ(Money::FromPaise(kMin).CheckedAdd(Money::FromPaise(-1)), std::nullopt);
  EXPECT_EQ(Money::FromPaise(kMin).CheckedAdd(Money::FromPaise(kMax)), Money::FromPaise(-1));
}

TEST(MoneyTest, CheckedSub) {
  EXPECT_EQ(Money::FromPaise(100).CheckedSub(Money::FromPaise(250)), Money::FromPaise(-150));
  EXPECT_EQ(Money::FromPaise(kMin).CheckedSub(Money::FromPaise(1)), std::nullopt);
  EXPECT_EQ(Money::FromPaise(0).CheckedSub(Money::FromPaise(kMin)), std::nullopt);
  EXPECT_EQ(Money::FromPaise(-1).CheckedSub(Money::FromPaise(kMin)), Money::FromPaise(kMax));
  EXPECT_EQ(Money::FromPaise(kMax).CheckedSub(Money::FromPaise(-1)), std::nullopt);
}

TEST(MoneyTest, CheckedMul) {
  EXPECT_EQ(Money::FromPaise(12345).CheckedMul(3), Money::FromPaise(37035));
  EXPECT_EQ(Money::FromPaise(12345).CheckedMul(-2), Money::FromPaise(-24690));
  EXPECT_EQ(Money::FromPaise(12345).CheckedMul(0), Money::FromPaise(0));
  EXPECT_EQ(Money::FromPaise(kMax / 2 + 1).CheckedMul(2), std::nullopt);
  EXPECT_EQ(Money::FromPaise(kMin).CheckedMul(-1), std::nullopt);
  EXPECT_EQ(Money::FromPaise(-1).CheckedMul(kMin), std::nullopt);
  EXPECT_EQ(Money::FromPaise(kMax).CheckedMul(-1), Money::FromPaise(-kMax));
}

TEST(MoneyTest, Operators) {
  Money a = Money::FromPaise(1000);
  Money b = Money::FromPaise(250);
  EXPECT_EQ((a + b).paise(), 1250);
  EXPECT_EQ((a - b).paise(), 750);
  EXPECT_EQ((b - a).paise(), -750);
  a += b;
  EXPECT_EQ(a.paise(), 1250);
  a -= Money::FromPaise(1300);
  EXPECT_EQ(a.paise(), -50);
  EXPECT_LT(Money::FromPaise(-1), Money());
  EXPECT_GT(Money::FromPaise(2), Money::FromPaise(1));
  EXPECT_EQ(Money::FromPaise(7), Money::FromPaise(7));
}

TEST(MoneyDeathTest, OperatorsAbortOnOverflow) {
  EXPECT_DEATH((void)(Money::FromPaise(kMax) + Money::FromPaise(1)), "");
  EXPECT_DEATH((void)(Money::FromPaise(kMin) - Money::FromPaise(1)), "");
  Money m = Money::FromPaise(kMax);
  EXPECT_DEATH(m += Money::FromPaise(1), "");
}

}  // namespace
}  // namespace spode
