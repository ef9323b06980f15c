// Calendar dates, periods (a month, a quarter, a year) and UTC timestamps.
//
//   ASSIGN_OR_RETURN(Date dob, Date::Parse("1958-03-01"));
//   int age = dob.YearsUntil(today);            // completed years
//   ASSIGN_OR_RETURN(Period p, Period::Parse("2026-11"));   // or "2026-Q3", "2026"
//   p.first_day(), p.last_day(), p.Next()
//
// Dates are proleptic Gregorian, held as days since 1970-01-01, valid from 1800-01-01 to
// 9999-12-31. Timestamps are microseconds since the Unix epoch, UTC. A "today" for people is a
// date in India Standard Time (UTC+05:30) unless configured otherwise: see TimeSource.
//
// Thread-safety: value types.
#ifndef SPODE_COMMON_DATE_H_
#define SPODE_COMMON_DATE_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace spode {

class Date {
 public:
  constexpr Date() = default;  // 1970-01-01
  static constexpr Date FromDays(int32_t days_since_epoch) { return Date(days_since_epoch); }
  // INVALID_ARGUMENT for an impossible date (2023-02-29, month 13) or one out of range.
  static Result<Date> FromYmd(int year, int month, int day);
  // Exactly "YYYY-MM-DD".
  static Result<Date> Parse(std::string_view text);

  constexpr int32_t days() const { return days_; }
  int year() const;
  int month() const;  // 1-12
  int day() const;    // 1-31
  std::string ToString() const;  // "YYYY-MM-DD"

  Date AddDays(int32_t n) const { return Date(days_ + n); }
  // The same day n months later, clamped to the month's end (Jan 31 + 1 month = Feb 28/29).
  Date AddMonths(int n) const;
  Date AddYears(int n) const { return AddMonths(12 * n); }

  // Completed years from this date to `later` (an age). If `later` is earlier, the negated
  // completed years from `later` to this date (10 years and a day back is -10, not -11).
  // A person born on 29 February turns a year older on 1 March in common years.
  int YearsUntil(Date later) const;

  constexpr auto operator<=>(const Date&) const = default;

 private:
  constexpr explicit Date(int32_t d) : days_(d) {}
  int32_t days_ = 0;
};

bool IsLeapYear(int year);
int DaysInMonth(int year, int month);

// A payment or reporting period.
class Period {
 public:
  enum class Kind { kMonth, kQuarter, kYear };
  // "2026-11" (month), "2026-Q3" (calendar quarter), "2026" (year).
  static Result<Period> Parse(std::string_view text);
  static Period Month(int year, int month) { return Period(Kind::kMonth, year, month); }
  static Period Quarter(int year, int quarter) { return Period(Kind::kQuarter, year, quarter); }
  static Period Year(int year) { return Period(Kind::kYear, year, 1); }
  // The period of `kind` that contains `date`.
  static Period Containing(Kind kind, Date date);

  Kind kind() const { return kind_; }
  Date first_day() const;
  Date last_day() const;
  bool Contains(Date d) const { return first_day() <= d && d <= last_day(); }
  Period Next() const;
  std::string ToString() const;
  auto operator<=>(const Period&) const = default;

 private:
  Period(Kind kind, int year, int index) : kind_(kind), year_(year), index_(index) {}
  Kind kind_;
  int year_;
  int index_;  // month 1-12, quarter 1-4, or 1 for a year
};

// Microseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  int64_t micros = 0;
  static Timestamp FromSeconds(int64_t s) { return {s * 1'000'000}; }
  int64_t seconds() const { return micros / 1'000'000; }
  // RFC 3339 in UTC with millisecond precision: "2026-11-29T13:46:14.123Z".
  std::string ToString() const;
  // Accepts RFC 3339 with "Z" or a numeric offset, with or without fractional seconds.
  static Result<Timestamp> Parse(std::string_view text);
  // The calendar date at this instant in a zone `offset_minutes` east of UTC.
  Date LocalDate(int offset_minutes) const;
  // The first instant of `day` in that zone (LocalDate's inverse at midnight).
  static Timestamp StartOfLocalDay(Date day, int offset_minutes) {
    return FromSeconds(int64_t{day.days()} * 86400 - int64_t{offset_minutes} * 60);
  }
  Timestamp PlusSeconds(int64_t s) const { return {micros + s * 1'000'000}; }
  auto operator<=>(const Timestamp&) const = default;
};

}  // namespace spode

#endif  // SPODE_COMMON_DATE_H_
