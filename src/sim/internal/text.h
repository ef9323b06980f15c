// A fast buffer for the generator's hand-written JSON, and calendar arithmetic on day counts.
//
// The generator writes gigabytes per run, so JSON is written into a fixed buffer without
// temporaries or per-append capacity checks. The calendar functions are Howard Hinnant's
// public-domain days_from_civil / civil_from_days (the same algorithms common/date.cc uses
// internally); they are repeated here, inline, because spode::Date's accessors recompute the civil
// date on every call and return Result<> from constructors, which is too slow for millions of
// birthdays.
//
// Thread-safety: the functions are stateless; a JsonBuffer belongs to one thread.
#ifndef SPODE_SIM_INTERNAL_TEXT_H_
#define SPODE_SIM_INTERNAL_TEXT_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace spode::sim::internal {

inline int32_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153u * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2u) / 5u +
                       static_cast<unsigned>(d) - 1u;
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

// A fixed-capacity byte buffer for JSON text: no capacity checks per append (the caller
// makes room with Reserve), and string literals are copied with sizes known at compile time.
//
//   JsonBuffer b(1 << 16);
//   b.Reserve(out, 4096);              // moves what is written to *out if less room is left
//   b.Literal("{\"name\":");
//   b.String("Sunita Devi");           // quoted and escaped
//   b.MoveTo(out);
class JsonBuffer {
 public:
  explicit JsonBuffer(size_t capacity)
      : begin_(new char[capacity]), end_(begin_ + capacity), p_(begin_) {}
  ~JsonBuffer() { delete[] begin_; }
  JsonBuffer(const JsonBuffer&) = delete;
  JsonBuffer& operator=(const JsonBuffer&) = delete;

  // Appends what is written to *out and empties the buffer.
  void MoveTo(std::string* out) {
    out->append(begin_, static_cast<size_t>(p_ - begin_));
    p_ = begin_;
  }
  // Makes room for `bytes` more bytes (at most the capacity) by moving to *out if needed.
  void Reserve(std::string* out, size_t bytes) {
    if (static_cast<size_t>(end_ - p_) < bytes) MoveTo(out);
  }
  size_t size() const { return static_cast<size_t>(p_ - begin_); }

  template <size_t N>
  void Literal(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }
  // Bytes copied as they are: only for text known to need no escaping.
  void Raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Char(char c) { *p_++ = c; }

  // Exactly `width` decimal digits, zero-padded (value must fit).
  void Digits(uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p_[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    p_ += width;
  }

  void Int(int64_t value) {
    char tmp[24];
    int pos = 24;
    const bool negative = value < 0;
    uint64_t v = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
    do {
      tmp[--pos] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    if (negative) tmp[--pos] = '-';
    Raw(std::string_view(tmp + pos, static_cast<size_t>(24 - pos)));
  }

  // "YYYY-MM-DD" (years 0-9999).
  void Date(CivilDate c) {
    Digits(static_cast<uint64_t>(c.year), 4);
    Char('-');
    Digits(static_cast<uint64_t>(c.month), 2);
    Char('-');
    Digits(static_cast<uint64_t>(c.day), 2);
  }

  // The body of a JSON string (no quotes): '"', '\\' and control characters escaped; other
  // bytes, including UTF-8 sequences, copied as they are. Needs up to 6 * s.size() bytes.
  void Escaped(std::string_view s) {
    for (char ch : s) {
      const unsigned char c = static_cast<unsigned char>(ch);
      if (c >= 0x20 && c != '"' && c != '\\') {
        *p_++ = ch;
        continue;
      }
      *p_++ = '\\';
      switch (c) {
        case '"':
          *p_++ = '"';
          break;
        case '\\':
          *p_++ = '\\';
          break;
        case '\n':
          *p_++ = 'n';
          break;
        case '\r':
          *p_++ = 'r';
          break;
        case '\t':
          *p_++ = 't';
          break;
        case '\b':
          *p_++ = 'b';
          break;
        case '\f':
          *p_++ = 'f';
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          Literal("u00");
          *p_++ = kHex[c >> 4];
          *p_++ = kHex[c & 15];
        }
      }
    }
  }

  // A JSON string with its quotes.
  void String(std::string_view s) {
    Char('"');
    Escaped(s);
    Char('"');
  }

 private:
  char* begin_;
  char* end_;
  char* p_;
};

}  // namespace spode::sim::internal

#endif  // SPODE_SIM_INTERNAL_TEXT_H_
