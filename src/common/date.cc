#include "common/date.h"

#include <charconv>
#include <cstdio>

namespace spode {
namespace {

constexpr int kMinYear = 1800;
constexpr int kMaxYear = 9999;

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
int32_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

void CivilFromDays(int32_t z, int* y, int* m, int* d) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int yy = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yy + (*m <= 2);
}

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

Result<Date> Date::FromYmd(int year, int month, int day) {
  if (year < kMinYear || year > kMaxYear) {
    return InvalidArgumentError("year " + std::to_string(year) + " is out of range 1800-9999");
  }
  if (month < 1 || month > 12) {
    return InvalidArgumentError("month " + std::to_string(month) + " does not exist");
  }
  if (day < 1 || day > DaysInMonth(year, month)) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
    return InvalidArgumentError(std::string("no such date: ") + buf);
  }
  return Date(DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
}

Result<Date> Date::Parse(std::string_view t) {
  int y, m, d;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !ParseInt(t.substr(0, 4), &y) ||
      !ParseInt(t.substr(5, 2), &m) || !ParseInt(t.substr(8, 2), &d)) {
    return InvalidArgumentError("not a date in the form YYYY-MM-DD: \"" + std::string(t) + "\"");
  }
  return FromYmd(y, m, d);
}

int Date::year() const { int y, m, d; CivilFromDays(days_, &y, &m, &d); return y; }
int Date::month() const { int y, m, d; CivilFromDays(days_, &y, &m, &d); return m; }
int Date::day() const { int y, m, d; CivilFromDays(days_, &y, &m, &d); return d; }

std::string Date::ToString() const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

Date Date::AddMonths(int n) const {
  int y, m, d;
  CivilFromDays(days_, &y, &m, &d);
  int total = y * 12 + (m - 1) + n;
  int ny = total / 12, nm = total % 12 + 1;
  int nd = d > DaysInMonth(ny, nm) ? DaysInMonth(ny, nm) : d;
  return Date(DaysFromCivil(ny, static_cast<unsigned>(nm), static_cast<unsigned>(nd)));
}

int Date::YearsUntil(Date later) const {
  // Counting backwards is the negated count forwards, so that 10 years and a day back is -10.
  if (later < *this) return -later.YearsUntil(*this);
  int y1, m1, d1, y2, m2, d2;
  CivilFromDays(days_, &y1, &m1, &d1);
  CivilFromDays(later.days_, &y2, &m2, &d2);
  int years = y2 - y1;
  if (m2 < m1 || (m2 == m1 && d2 < d1)) --years;
  return years;
}

Result<Period> Period::Parse(std::string_view t) {
  int year;
  auto bad = [&] {
    return InvalidArgumentError("not a period (YYYY-MM, YYYY-Qn or YYYY): \"" + std::string(t) +
                                "\"");
  };
  if (t.size() < 4 || !ParseInt(t.substr(0, 4), &year) || year < kMinYear) return bad();
  if (t.size() == 4) return Year(year);
  if (t.size() == 7 && t[4] == '-' && t[5] == 'Q' && t[6] >= '1' && t[6] <= '4') {
    return Quarter(year, t[6] - '0');
  }
  int month;
  if (t.size() == 7 && t[4] == '-' && ParseInt(t.substr(5, 2), &month) && month >= 1 &&
      month <= 12) {
    return Month(year, month);
  }
  return bad();
}

Period Period::Containing(Kind kind, Date date) {
  switch (kind) {
    case Kind::kMonth: return Month(date.year(), date.month());
    case Kind::kQuarter: return Quarter(date.year(), (date.month() - 1) / 3 + 1);
    case Kind::kYear: return Year(date.year());
  }
  return Year(date.year());
}

Date Period::first_day() const {
  switch (kind_) {
    case Kind::kMonth: return *Date::FromYmd(year_, index_, 1);
    case Kind::kQuarter: return *Date::FromYmd(year_, (index_ - 1) * 3 + 1, 1);
    case Kind::kYear: return *Date::FromYmd(year_, 1, 1);
  }
  return Date();
}

// Computed within the period's own year: Next() of a period ending in 9999 is out of range.
Date Period::last_day() const {
  int last_month = kind_ == Kind::kMonth ? index_ : kind_ == Kind::kQuarter ? index_ * 3 : 12;
  return *Date::FromYmd(year_, last_month, DaysInMonth(year_, last_month));
}

Period Period::Next() const {
  switch (kind_) {
    case Kind::kMonth: return index_ == 12 ? Month(year_ + 1, 1) : Month(year_, index_ + 1);
    case Kind::kQuarter: return index_ == 4 ? Quarter(year_ + 1, 1) : Quarter(year_, index_ + 1);
    case Kind::kYear: return Year(year_ + 1);
  }
  return *this;
}

std::string Period::ToString() const {
  char buf[48];
  switch (kind_) {
    case Kind::kMonth: std::snprintf(buf, sizeof buf, "%04d-%02d", year_, index_); break;
    case Kind::kQuarter: std::snprintf(buf, sizeof buf, "%04d-Q%d", year_, index_); break;
    case Kind::kYear: std::snprintf(buf, sizeof buf, "%04d", year_); break;
  }
  return buf;
}

std::string Timestamp::ToString() const {
  int64_t secs = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  int64_t sub = micros - secs * 1'000'000;
  int32_t days = static_cast<int32_t>(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400);
  int64_t rem = secs - int64_t{days} * 86400;
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60), static_cast<int>(sub / 1000));
  return buf;
}

Result<Timestamp> Timestamp::Parse(std::string_view t) {
  auto bad = [&] {
    return InvalidArgumentError("not an RFC 3339 time: \"" + std::string(t) + "\"");
  };
  if (t.size() < 20 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ')) return bad();
  auto date = Date::Parse(t.substr(0, 10));
  if (!date.ok()) return bad();
  int hh, mm, ss;
  if (t[13] != ':' || t[16] != ':' || !ParseInt(t.substr(11, 2), &hh) ||
      !ParseInt(t.substr(14, 2), &mm) || !ParseInt(t.substr(17, 2), &ss) || hh > 23 || mm > 59 ||
      ss > 60) {
    return bad();
  }
  size_t i = 19;
  int64_t frac_us = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    int digits = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (digits < 6) frac_us = frac_us * 10 + (t[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return bad();
    for (int k = digits; k < 6; ++k) frac_us *= 10;
  }
  int offset_min = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z') && i + 1 == t.size()) {
  } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    int oh, om;
    if (!ParseInt(t.substr(i + 1, 2), &oh) || !ParseInt(t.substr(i + 4, 2), &om) || oh > 23 ||
        om > 59) {
      return bad();
    }
    offset_min = (oh * 60 + om) * (t[i] == '-' ? -1 : 1);
  } else {
    return bad();
  }
  int64_t secs = int64_t{date->days()} * 86400 + hh * 3600 + mm * 60 + ss - offset_min * 60;
  return Timestamp{secs * 1'000'000 + frac_us};
}

Date Timestamp::LocalDate(int offset_minutes) const {
  int64_t whole = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;  // floor
  int64_t secs = whole + int64_t{offset_minutes} * 60;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  return Date::FromDays(static_cast<int32_t>(days));
}

}  // namespace spode
