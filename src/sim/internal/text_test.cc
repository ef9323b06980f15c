#include "sim/internal/text.h"

#include <gtest/gtest.h>

#include <string>

#include "common/date.h"

namespace spode::sim::internal {
namespace {

TEST(JsonBufferTest, EscapesStrings) {
  JsonBuffer b(256);
  b.String("a\"b\\c\nd\x01 सुनीता");
  std::string out;
  b.MoveTo(&out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\u0001 सुनीता\"");
}

TEST(JsonBufferTest, WritesNumbersAndLiterals) {
  JsonBuffer b(256);
  b.Int(0);
  b.Char(' ');
  b.Int(-1234567890123);
  b.Literal(" x ");
  b.Digits(42, 6);
  std::string out = "prefix:";
  b.MoveTo(&out);
  EXPECT_EQ(out, "prefix:0 -1234567890123 x 000042");
  EXPECT_EQ(b.size(), 0u);
}

TEST(JsonBufferTest, ReserveMovesToTheOutputWhenFull) {
  JsonBuffer b(16);
  std::string out;
  for (int i = 0; i < 10; ++i) {
    b.Reserve(&out, 5);
    b.Literal("abcde");
  }
  b.MoveTo(&out);
  EXPECT_EQ(out.size(), 50u);
  EXPECT_EQ(out.substr(0, 10), "abcdeabcde");
}

TEST(TextTest, CalendarAgreesWithCommonDate) {
  for (int32_t days = -25'000; days < 80'000; days += 13) {
    const Date d = Date::FromDays(days);
    const CivilDate c = CivilFromDays(days);
    ASSERT_EQ(c.year, d.year());
    ASSERT_EQ(c.month, d.month());
    ASSERT_EQ(c.day, d.day());
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), days);
    JsonBuffer b(16);
    b.Date(c);
    std::string text;
    b.MoveTo(&text);
    ASSERT_EQ(text, d.ToString());
  }
}

TEST(TextTest, CompletedYearsAgreesWithCommonDate) {
  const Date on = *Date::FromYmd(2026, 4, 1);
  for (const char* dob : {"2000-04-01", "2000-04-02", "2008-02-29", "1958-03-31", "1926-12-31"}) {
    const Date d = *Date::Parse(dob);
    EXPECT_EQ(CompletedYears(CivilFromDays(d.days()), CivilFromDays(on.days())), d.YearsUntil(on))
        << dob;
  }
  // Born on 29 February: a year older on 1 March of a common year.
  EXPECT_EQ(CompletedYears({2008, 2, 29}, {2027, 2, 28}), 18);
  EXPECT_EQ(CompletedYears({2008, 2, 29}, {2027, 3, 1}), 19);
}

}  // namespace
}  // namespace spode::sim::internal
