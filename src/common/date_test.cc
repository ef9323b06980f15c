#include "common/date.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/time_source.h"

namespace spode {
namespace {

using ::testing::HasSubstr;

Date D(std::string_view text) {
  Result<Date> d = Date::Parse(text);
  EXPECT_TRUE(d.ok()) << text << ": " << d.status();
  return d.value_or(Date());
}

Timestamp T(std::string_view text) {
  Result<Timestamp> t = Timestamp::Parse(text);
  EXPECT_TRUE(t.ok()) << text << ": " << t.status();
  return t.value_or(Timestamp{});
}

Period P(std::string_view text) {
  Result<Period> p = Period::Parse(text);
  EXPECT_TRUE(p.ok()) << text << ": " << p.status();
  return p.value_or(Period::Year(1970));
}

// --- Date ------------------------------------------------------------------------------------

TEST(DateTest, EpochAndKnownDayNumbers) {
  EXPECT_EQ(Date().days(), 0);
  EXPECT_EQ(Date().ToString(), "1970-01-01");
  EXPECT_EQ(D("1970-01-01").days(), 0);
  EXPECT_EQ(D("2000-03-01").days(), 11017);
  EXPECT_EQ(D("2024-02-29").days(), 19782);
  EXPECT_EQ(D("1800-01-01").days(), -62091);
  EXPECT_EQ(D("9999-12-31").days(), 2932896);
  EXPECT_EQ(Date::FromDays(19782).ToString(), "2024-02-29");
  EXPECT_EQ(Date::FromDays(-1).ToString(), "1969-12-31");
}

TEST(DateTest, ParseValid) {
  Date d = D("2024-02-29");
  EXPECT_EQ(d.year(), 2024);
  EXPECT_EQ(d.month(), 2);
  EXPECT_EQ(d.day(), 29);
  EXPECT_EQ(d.ToString(), "2024-02-29");
  EXPECT_EQ(D("2000-02-29").ToString(), "2000-02-29");
  EXPECT_EQ(D("1958-03-01").ToString(), "1958-03-01");
  EXPECT_EQ(D("2026-12-31").day(), 31);
}

TEST(DateTest, ParseInvalid) {
  for (std::string_view bad :
       {"2023-02-29",  "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-00",
        "2024-01-32",  "2024-1-01",  "2024-01-1",  "24-01-01",   "2024/01/01", "2024-01-01T",
        " 2024-01-01", "2024-01-0a", "+024-01-01", "2024-+1-01", "",           "1799-12-31",
        "0000-01-01",  "10000-01-01"}) {
    Result<Date> d = Date::Parse(bad);
    EXPECT_FALSE(d.ok()) << "accepted \"" << bad << "\" as " << d->ToString();
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
  EXPECT_THAT(Date::Parse("2023-02-29").status().message(), HasSubstr("no such date: 2023-02-29"));
  EXPECT_THAT(Date::Parse("1799-12-31").status().message(), HasSubstr("out of range"));
  EXPECT_THAT(Date::Parse("2024-1-01").status().message(), HasSubstr("YYYY-MM-DD"));
}

TEST(DateTest, FromYmd) {
  Result<Date> d = Date::FromYmd(2026, 11, 29);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ToString(), "2026-11-29");
  EXPECT_EQ(Date::FromYmd(2026, 2, 29).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(2026, 0, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(1799, 12, 31).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Date::FromYmd(10000, 1, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Date::FromYmd(1800, 1, 1).ok());
  EXPECT_TRUE(Date::FromYmd(9999, 12, 31).ok());
}

TEST(DateTest, EveryDayRoundTrips) {
  // Every day from 1800 to 9999: Parse(ToString(d)) == d, and the days are consecutive.
  Date first = D("1800-01-01");
  Date last = D("9999-12-31");
  int32_t expected = first.days();
  for (Date d = first; d <= last; d = d.AddDays(1)) {
    ASSERT_EQ(d.days(), expected);
    Result<Date> back = Date::FromYmd(d.year(), d.month(), d.day());
    ASSERT_TRUE(back.ok()) << d.ToString();
    ASSERT_EQ(back->days(), d.days()) << d.ToString();
    ++expected;
  }
  EXPECT_EQ(expected, last.days() + 1);
}

TEST(DateTest, AddDaysAcrossYears) {
  EXPECT_EQ(D("2023-12-31").AddDays(1).ToString(), "2024-01-01");
  EXPECT_EQ(D("2024-01-01").AddDays(-1).ToString(), "2023-12-31");
  EXPECT_EQ(D("2024-02-28").AddDays(1).ToString(), "2024-02-29");
  EXPECT_EQ(D("2023-02-28").AddDays(1).ToString(), "2023-03-01");
  EXPECT_EQ(D("2024-01-01").AddDays(366).ToString(), "2025-01-01");
  EXPECT_EQ(D("2026-11-29").AddDays(22).ToString(), "2026-12-21");
  EXPECT_EQ(D("2026-11-29").AddDays(0), D("2026-11-29"));
}

TEST(DateTest, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(D("2024-01-31").AddMonths(1).ToString(), "2024-02-29");
  EXPECT_EQ(D("2023-01-31").AddMonths(1).ToString(), "2023-02-28");
  EXPECT_EQ(D("2024-03-31").AddMonths(-1).ToString(), "2024-02-29");
  EXPECT_EQ(D("2024-05-31").AddMonths(1).ToString(), "2024-06-30");
  EXPECT_EQ(D("2024-01-31").AddMonths(13).ToString(), "2025-02-28");
  EXPECT_EQ(D("2024-12-15").AddMonths(1).ToString(), "2025-01-15");
  EXPECT_EQ(D("2025-01-15").AddMonths(-1).ToString(), "2024-12-15");
  EXPECT_EQ(D("2024-01-31").AddMonths(-12).ToString(), "2023-01-31");
  EXPECT_EQ(D("2024-01-15").AddMonths(-25).ToString(), "2021-12-15");
  EXPECT_EQ(D("2024-01-15").AddMonths(0).ToString(), "2024-01-15");
}

TEST(DateTest, AddYears) {
  EXPECT_EQ(D("2024-02-29").AddYears(1).ToString(), "2025-02-28");
  EXPECT_EQ(D("2024-02-29").AddYears(4).ToString(), "2028-02-29");
  EXPECT_EQ(D("2024-02-29").AddYears(-100).ToString(), "1924-02-29");
  EXPECT_EQ(D("2000-02-29").AddYears(100).ToString(), "2100-02-28");
  EXPECT_EQ(D("1958-03-01").AddYears(60).ToString(), "2018-03-01");
}

TEST(DateTest, YearsUntil) {
  Date dob = D("1958-03-01");
  EXPECT_EQ(dob.YearsUntil(D("2026-03-01")), 68);  // birthday today
  EXPECT_EQ(dob.YearsUntil(D("2026-02-28")), 67);  // the day before
  EXPECT_EQ(dob.YearsUntil(D("2026-03-02")), 68);
  EXPECT_EQ(dob.YearsUntil(dob), 0);
  EXPECT_EQ(dob.YearsUntil(D("1959-02-28")), 0);
  EXPECT_EQ(dob.YearsUntil(D("1959-03-01")), 1);
}

TEST(DateTest, YearsUntilLeapDayBirthday) {
  Date dob = D("2000-02-29");
  EXPECT_EQ(dob.YearsUntil(D("2001-02-28")), 0);
  EXPECT_EQ(dob.YearsUntil(D("2001-03-01")), 1);  // common year: older on 1 March
  EXPECT_EQ(dob.YearsUntil(D("2025-02-28")), 24);
  EXPECT_EQ(dob.YearsUntil(D("2025-03-01")), 25);
  EXPECT_EQ(dob.YearsUntil(D("2024-02-28")), 23);
  EXPECT_EQ(dob.YearsUntil(D("2024-02-29")), 24);  // leap year: older on 29 February
}

// Regression: YearsUntil of an earlier date rounded towards minus infinity, so a date one day
// more than ten years back gave -11 and the day before gave -1.
TEST(DateTest, YearsUntilEarlierDateIsNegatedAge) {
  Date d = D("2000-05-10");
  EXPECT_EQ(d.YearsUntil(D("1990-05-10")), -10);
  EXPECT_EQ(d.YearsUntil(D("1990-05-09")), -10);
  EXPECT_EQ(d.YearsUntil(D("1990-05-11")), -9);
  EXPECT_EQ(d.YearsUntil(D("2000-05-09")), 0);
  EXPECT_EQ(d.YearsUntil(D("1999-05-10")), -1);
}

TEST(DateTest, LeapYearsAndMonthLengths) {
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_FALSE(IsLeapYear(2100));
  EXPECT_TRUE(IsLeapYear(2400));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2024, 4), 30);
  EXPECT_EQ(DaysInMonth(2024, 12), 31);
  EXPECT_EQ(DaysInMonth(2024, 1), 31);
}

TEST(DateTest, Ordering) {
  EXPECT_LT(D("2024-02-28"), D("2024-02-29"));
  EXPECT_GT(D("2025-01-01"), D("2024-12-31"));
  EXPECT_EQ(D("2024-02-29"), Date::FromDays(19782));
}

// --- Period ----------------------------------------------------------------------------------

TEST(PeriodTest, ParseMonth) {
  Period p = P("2026-11");
  EXPECT_EQ(p.kind(), Period::Kind::kMonth);
  EXPECT_EQ(p, Period::Month(2026, 11));
  EXPECT_EQ(p.ToString(), "2026-11");
  EXPECT_EQ(p.first_day().ToString(), "2026-11-01");
  EXPECT_EQ(p.last_day().ToString(), "2026-11-30");
  EXPECT_EQ(P("2026-01").ToString(), "2026-01");
}

TEST(PeriodTest, ParseQuarter) {
  Period p = P("2026-Q3");
  EXPECT_EQ(p.kind(), Period::Kind::kQuarter);
  EXPECT_EQ(p, Period::Quarter(2026, 3));
  EXPECT_EQ(p.ToString(), "2026-Q3");
  EXPECT_EQ(p.first_day().ToString(), "2026-07-01");
  EXPECT_EQ(p.last_day().ToString(), "2026-09-30");
  Period q4 = P("2026-Q4");
  EXPECT_EQ(q4.first_day().ToString(), "2026-10-01");
  EXPECT_EQ(q4.last_day().ToString(), "2026-12-31");
  Period q1 = P("2024-Q1");
  EXPECT_EQ(q1.first_day().ToString(), "2024-01-01");
  EXPECT_EQ(q1.last_day().ToString(), "2024-03-31");
  EXPECT_EQ(P("2024-Q2").last_day().ToString(), "2024-06-30");
}

TEST(PeriodTest, ParseYear) {
  Period p = P("2026");
  EXPECT_EQ(p.kind(), Period::Kind::kYear);
  EXPECT_EQ(p, Period::Year(2026));
  EXPECT_EQ(p.ToString(), "2026");
  EXPECT_EQ(p.first_day().ToString(), "2026-01-01");
  EXPECT_EQ(p.last_day().ToString(), "2026-12-31");
}

TEST(PeriodTest, FebruaryLastDay) {
  EXPECT_EQ(P("2024-02").last_day().ToString(), "2024-02-29");
  EXPECT_EQ(P("2023-02").last_day().ToString(), "2023-02-28");
  EXPECT_EQ(P("1900-02").last_day().ToString(), "1900-02-28");
  EXPECT_EQ(P("2000-02").last_day().ToString(), "2000-02-29");
  EXPECT_EQ(P("2024-Q1").last_day().days() - P("2024-Q1").first_day().days() + 1, 91);
  EXPECT_EQ(P("2023-Q1").last_day().days() - P("2023-Q1").first_day().days() + 1, 90);
}

// Regression: last_day() went through Next().first_day(), which aborted for the last periods of
// year 9999 because 10000-01-01 is out of range.
TEST(PeriodTest, LastPeriodsOfYear9999) {
  EXPECT_EQ(P("9999").last_day().ToString(), "9999-12-31");
  EXPECT_EQ(P("9999-12").last_day().ToString(), "9999-12-31");
  EXPECT_EQ(P("9999-Q4").last_day().ToString(), "9999-12-31");
  EXPECT_TRUE(P("9999-Q4").Contains(D("9999-12-31")));
}

TEST(PeriodTest, ParseInvalid) {
  for (std::string_view bad :
       {"",      "2026-13", "2026-00",  "2026-Q5", "2026-Q0",    "2026-q3", "2026-Q",
        "26-11", "2026-1",  "2026-011", "2026-",   "2026-11-01", "2026/11", "-2026",
        "1799",  "1799-12", "abcd",     "2026Q3",  "20261",      " 2026",   "2026-1a"}) {
    Result<Period> p = Period::Parse(bad);
    EXPECT_FALSE(p.ok()) << "accepted \"" << bad << "\" as " << p->ToString();
    if (!p.ok()) {
      EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << bad;
      EXPECT_THAT(p.status().message(), HasSubstr(std::string(bad)));
    }
  }
}

TEST(PeriodTest, Next) {
  EXPECT_EQ(P("2026-11").Next().ToString(), "2026-12");
  EXPECT_EQ(P("2026-12").Next().ToString(), "2027-01");
  EXPECT_EQ(P("2026-Q3").Next().ToString(), "2026-Q4");
  EXPECT_EQ(P("2026-Q4").Next().ToString(), "2027-Q1");
  EXPECT_EQ(P("2026").Next().ToString(), "2027");
  // Consecutive periods tile the calendar.
  for (Period p = P("2023-01"); p < P("2025-01"); p = p.Next()) {
    EXPECT_EQ(p.last_day().AddDays(1), p.Next().first_day()) << p.ToString();
  }
}

TEST(PeriodTest, Containing) {
  Date d = D("2026-11-29");
  EXPECT_EQ(Period::Containing(Period::Kind::kMonth, d).ToString(), "2026-11");
  EXPECT_EQ(Period::Containing(Period::Kind::kQuarter, d).ToString(), "2026-Q4");
  EXPECT_EQ(Period::Containing(Period::Kind::kYear, d).ToString(), "2026");
  EXPECT_EQ(Period::Containing(Period::Kind::kQuarter, D("2026-03-31")).ToString(), "2026-Q1");
  EXPECT_EQ(Period::Containing(Period::Kind::kQuarter, D("2026-04-01")).ToString(), "2026-Q2");
  EXPECT_EQ(Period::Containing(Period::Kind::kQuarter, D("2026-09-30")).ToString(), "2026-Q3");
}

TEST(PeriodTest, Contains) {
  Period q3 = P("2026-Q3");
  EXPECT_TRUE(q3.Contains(D("2026-07-01")));
  EXPECT_TRUE(q3.Contains(D("2026-09-30")));
  EXPECT_FALSE(q3.Contains(D("2026-06-30")));
  EXPECT_FALSE(q3.Contains(D("2026-10-01")));
}

// --- Timestamp -------------------------------------------------------------------------------

TEST(TimestampTest, ToString) {
  EXPECT_EQ(Timestamp{}.ToString(), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(Timestamp::FromSeconds(1795959974).ToString(), "2026-11-29T13:46:14.000Z");
  EXPECT_EQ((Timestamp{1795959974'123456}).ToString(), "2026-11-29T13:46:14.123Z");
  EXPECT_EQ((Timestamp{-1}).ToString(), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Timestamp::FromSeconds(-5364662400).ToString(), "1800-01-01T00:00:00.000Z");
}

TEST(TimestampTest, ParseZulu) {
  EXPECT_EQ(T("2026-11-29T13:46:14Z").micros, 1795959974'000000);
  EXPECT_EQ(T("2026-11-29t13:46:14z").micros, 1795959974'000000);
  EXPECT_EQ(T("2026-11-29 13:46:14Z").micros, 1795959974'000000);
  EXPECT_EQ(T("1970-01-01T00:00:00Z").micros, 0);
  EXPECT_EQ(T("1800-01-01T00:00:00Z").seconds(), -5364662400);
}

TEST(TimestampTest, ParseOffsets) {
  EXPECT_EQ(T("2026-11-29T19:16:14+05:30"), T("2026-11-29T13:46:14Z"));
  EXPECT_EQ(T("2026-11-29T08:46:14-05:00"), T("2026-11-29T13:46:14Z"));
  EXPECT_EQ(T("2026-11-30T00:46:14+11:00"), T("2026-11-29T13:46:14Z"));
  EXPECT_EQ(T("2026-11-29T13:46:14+00:00"), T("2026-11-29T13:46:14Z"));
  EXPECT_EQ(T("2026-11-29T13:46:14-00:00"), T("2026-11-29T13:46:14Z"));
}

TEST(TimestampTest, ParseFractionalSeconds) {
  const int64_t base = 1795959974'000000;
  EXPECT_EQ(T("2026-11-29T13:46:14.5Z").micros, base + 500000);
  EXPECT_EQ(T("2026-11-29T13:46:14.123Z").micros, base + 123000);
  EXPECT_EQ(T("2026-11-29T13:46:14.000001Z").micros, base + 1);
  EXPECT_EQ(T("2026-11-29T13:46:14.123456789Z").micros, base + 123456);  // truncated to µs
  EXPECT_EQ(T("2026-11-29T19:16:14.25+05:30").micros, base + 250000);
  EXPECT_EQ(T("1969-12-31T23:59:59.5Z").micros, -500000);
}

TEST(TimestampTest, ParseInvalid) {
  for (std::string_view bad : {
           "",
           "2026-11-29",
           "2026-11-29T13:46:14",  // no zone
           "2026-11-29T13:46Z",    // no seconds
           "2026-11-29T24:00:00Z",
           "2026-11-29T13:60:00Z",
           "2026-11-29T13:46:61Z",
           "2026-11-29T13:46:14.Z",
           "2026-11-29T13:46:14.5",
           "2026-13-29T13:46:14Z",
           "2023-02-29T13:46:14Z",
           "2026-11-29X13:46:14Z",
           "2026-11-29T13-46-14Z",
           "2026-11-29T1:46:14Z ",
           "2026-11-29T13:46:14+0530",
           "2026-11-29T13:46:14+05:30x",
           "2026-11-29T13:46:14Zx",
           "2026-11-29T13:46:14+5:30",
           "2026-11-29T13:46:14+24:00",
           "2026-11-29T13:46:14+05:60",
           "2026-11-29T13:46:14+aa:bb",
       }) {
    Result<Timestamp> t = Timestamp::Parse(bad);
    EXPECT_FALSE(t.ok()) << "accepted \"" << bad << "\" as " << t->ToString();
    if (!t.ok()) {
      EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(TimestampTest, RoundTrip) {
  std::mt19937_64 rng(7);
  const int64_t lo = -5364662400LL * 1000;   // 1800-01-01, in milliseconds
  const int64_t hi = 253402300799LL * 1000;  // 9999-12-31T23:59:59
  std::uniform_int_distribution<int64_t> ms(lo, hi);
  for (int i = 0; i < 5000; ++i) {
    Timestamp t{ms(rng) * 1000};
    Result<Timestamp> back = Timestamp::Parse(t.ToString());
    ASSERT_TRUE(back.ok()) << t.ToString() << ": " << back.status();
    EXPECT_EQ(*back, t) << t.ToString();
  }
  // Sub-millisecond digits are dropped by ToString.
  Timestamp fine{1795959974'123999};
  EXPECT_EQ(T(fine.ToString()).micros, 1795959974'123000);
}

TEST(TimestampTest, Arithmetic) {
  Timestamp t = T("2026-11-29T13:46:14Z");
  EXPECT_EQ(t.seconds(), 1795959974);
  EXPECT_EQ(t.PlusSeconds(3600).ToString(), "2026-11-29T14:46:14.000Z");
  EXPECT_EQ(t.PlusSeconds(-86400).ToString(), "2026-11-28T13:46:14.000Z");
  EXPECT_LT(t, t.PlusSeconds(1));
}

TEST(TimestampTest, LocalDateInIndiaCrossesMidnightAt1830Utc) {
  EXPECT_EQ(T("2026-11-29T18:29:59Z").LocalDate(330).ToString(), "2026-11-29");
  EXPECT_EQ(T("2026-11-29T18:30:00Z").LocalDate(330).ToString(), "2026-11-30");
  EXPECT_EQ(T("2026-11-29T23:59:59Z").LocalDate(330).ToString(), "2026-11-30");
  EXPECT_EQ(T("2026-11-29T00:00:00Z").LocalDate(330).ToString(), "2026-11-29");
  EXPECT_EQ(T("2026-12-31T18:30:00Z").LocalDate(330).ToString(), "2027-01-01");
  EXPECT_EQ(T("2026-11-29T18:30:00Z").LocalDate(0).ToString(), "2026-11-29");
}

TEST(TimestampTest, LocalDateWestOfUtc) {
  EXPECT_EQ(T("2026-11-30T04:59:59Z").LocalDate(-300).ToString(), "2026-11-29");
  EXPECT_EQ(T("2026-11-30T05:00:00Z").LocalDate(-300).ToString(), "2026-11-30");
}

// Regression: LocalDate truncated negative microseconds towards zero, so the last microsecond
// of 1969 was dated 1970-01-01.
TEST(TimestampTest, LocalDateBefore1970) {
  EXPECT_EQ((Timestamp{-1}).LocalDate(0).ToString(), "1969-12-31");
  EXPECT_EQ((Timestamp{-500000}).LocalDate(0).ToString(), "1969-12-31");
  EXPECT_EQ((Timestamp{-1}).LocalDate(330).ToString(), "1970-01-01");
  EXPECT_EQ(T("1958-03-01T18:29:59.999Z").LocalDate(330).ToString(), "1958-03-01");
  EXPECT_EQ(T("1958-03-01T18:30:00Z").LocalDate(330).ToString(), "1958-03-02");
  EXPECT_EQ(T("1958-03-01T23:59:59.5Z").LocalDate(0).ToString(), "1958-03-01");
}

// --- TimeSource ------------------------------------------------------------------------------

TEST(TimeSourceTest, ManualSetAndAdvance) {
  ManualTimeSource clock(T("2026-11-29T13:46:14Z"));
  EXPECT_EQ(clock.Now(), T("2026-11-29T13:46:14Z"));
  EXPECT_EQ(clock.utc_offset_minutes(), kIndiaUtcOffsetMinutes);
  EXPECT_EQ(kIndiaUtcOffsetMinutes, 330);
  clock.Advance(std::chrono::seconds(90));
  EXPECT_EQ(clock.Now(), T("2026-11-29T13:47:44Z"));
  clock.Advance(std::chrono::days(22));
  EXPECT_EQ(clock.Now().ToString(), "2026-12-21T13:47:44.000Z");
  clock.Advance(std::chrono::microseconds(-1));
  EXPECT_EQ(clock.Now().micros, T("2026-12-21T13:47:44Z").micros - 1);
  clock.Set(T("2000-01-01T00:00:00Z"));
  EXPECT_EQ(clock.Now().ToString(), "2000-01-01T00:00:00.000Z");
}

TEST(TimeSourceTest, TodayIsTheIndianDateAcrossUtcMidnight) {
  ManualTimeSource clock(T("2026-11-29T18:29:59Z"));
  EXPECT_EQ(clock.Today().ToString(), "2026-11-29");
  clock.Advance(std::chrono::seconds(1));  // 00:00 IST on the 30th, still the 29th in UTC
  EXPECT_EQ(clock.Now().LocalDate(0).ToString(), "2026-11-29");
  EXPECT_EQ(clock.Today().ToString(), "2026-11-30");
  clock.Set(T("2026-11-29T23:59:59Z"));
  EXPECT_EQ(clock.Today().ToString(), "2026-11-30");
  clock.Advance(std::chrono::seconds(1));  // UTC midnight: 05:30 IST, still the 30th
  EXPECT_EQ(clock.Today().ToString(), "2026-11-30");
}

TEST(TimeSourceTest, ConfiguredOffset) {
  ManualTimeSource utc(T("2026-11-29T18:30:00Z"), 0);
  EXPECT_EQ(utc.utc_offset_minutes(), 0);
  EXPECT_EQ(utc.Today().ToString(), "2026-11-29");
  ManualTimeSource india(T("2026-11-29T18:30:00Z"));
  EXPECT_EQ(india.Today().ToString(), "2026-11-30");
}

TEST(TimeSourceTest, SystemClockIsNearTheRealTime) {
  auto real_now = [] {
    return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()};
  };
  SystemTimeSource clock;
  EXPECT_EQ(clock.utc_offset_minutes(), 330);
  const Timestamp before = real_now();
  const Timestamp now = clock.Now();
  const Date today = clock.Today();
  const Timestamp after = real_now();
  EXPECT_LE(before, now);
  EXPECT_LE(now, after);
  // Between the two readings, even if the clock passes midnight in India meanwhile.
  EXPECT_LE(before.LocalDate(330), today);
  EXPECT_LE(today, after.LocalDate(330));
  EXPECT_GT(today, D("2024-01-01"));
}

}  // namespace
}  // namespace spode
