// Fast appenders for the generator's hand-written JSON, and calendar arithmetic on day counts.
//
// The generator writes hundreds of megabytes per run, so these append into a caller's
// std::string without temporaries. The calendar functions are Howard Hinnant's public-domain
// days_from_civil / civil_from_days (the same algorithms common/date.cc uses internally);
// they are repeated here, inline, because spode::Date's accessors recompute the civil date on
// every call and return Result<> from constructors, which is too slow for millions of
// birthdays.
//
// Thread-safety: stateless functions.
#ifndef SPODE_SIM_INTERNAL_TEXT_H_
#define SPODE_SIM_INTERNAL_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace spode::sim::internal {

inline int32_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy =
      (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2u) / 5u + static_cast<unsigned>(d) - 1u;
  const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

struct CivilDate {
  int year;
  int month;
  int day;
};

inline CivilDate CivilFromDays(int32_t z) {
  z += 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate c;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = static_cast<int>(yoe) + era * 400 + (c.month <= 2);
  return c;
}

// Completed years from `birth` to `on` (a person born on 29 February ages on 1 March).
inline int CompletedYears(CivilDate birth, CivilDate on) {
  int years = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day)) --years;
  return years;
}

inline void AppendLiteral(std::string* out, std::string_view s) { out->append(s.data(), s.size()); }

// Exactly `width` decimal digits, zero-padded (value must fit).
inline void AppendDigits(std::string* out, uint64_t value, int width) {
  char buf[20];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<size_t>(width));
}

inline void AppendInt(std::string* out, int64_t value) {
  char buf[24];
  int pos = 24;
  const bool negative = value < 0;
  uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  do {
    buf[--pos] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (negative) buf[--pos] = '-';
  out->append(buf + pos, static_cast<size_t>(24 - pos));
}

// "YYYY-MM-DD" (years 0-9999).
inline void AppendDate(std::string* out, CivilDate c) {
  char buf[10];
  int y = c.year;
  buf[3] = static_cast<char>('0' + y % 10);
  y /= 10;
  buf[2] = static_cast<char>('0' + y % 10);
  y /= 10;
  buf[1] = static_cast<char>('0' + y % 10);
  buf[0] = static_cast<char>('0' + y / 10 % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + c.month / 10);
  buf[6] = static_cast<char>('0' + c.month % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + c.day / 10);
  buf[9] = static_cast<char>('0' + c.day % 10);
  out->append(buf, 10);
}

// The body of a JSON string (no quotes): '"', '\\' and control characters escaped; other bytes,
// including UTF-8 sequences, copied as they are.
inline void AppendJsonEscaped(std::string* out, std::string_view s) {
  size_t run = 0;  // start of the pending run of bytes that need no escaping
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': AppendLiteral(out, "\\\""); break;
      case '\\': AppendLiteral(out, "\\\\"); break;
      case '\n': AppendLiteral(out, "\\n"); break;
      case '\r': AppendLiteral(out, "\\r"); break;
      case '\t': AppendLiteral(out, "\\t"); break;
      case '\b': AppendLiteral(out, "\\b"); break;
      case '\f': AppendLiteral(out, "\\f"); break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(esc, 6);
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
}

// A JSON string with its quotes.
inline void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  AppendJsonEscaped(out, s);
  out->push_back('"');
}

}  // namespace spode::sim::internal

#endif  // SPODE_SIM_INTERNAL_TEXT_H_
