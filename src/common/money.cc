#include "common/money.h"

#include <cstdlib>

namespace spode {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Checks Indian grouping of an integer part with commas: the last group has three digits,
// every earlier group two, and the first one or two. Every group is checked, so an empty one
// (",123", "1,,234") is rejected.
bool ValidIndianGrouping(std::string_view s) {
  size_t start = 0;
  bool first = true;
  while (true) {
    size_t comma = s.find(',', start);
    size_t len = (comma == std::string_view::npos ? s.size() : comma) - start;
    if (comma == std::string_view::npos) return !first && len == 3;
    if (first ? (len < 1 || len > 2) : len != 2) return false;
    first = false;
    start = comma + 1;
  }
}

std::string FormatUnsigned(uint64_t paise, bool grouped) {
  std::string digits = std::to_string(paise / 100);
  std::string out;
  if (grouped && digits.size() > 3) {
    std::string head = digits.substr(0, digits.size() - 3);
    std::string grouped_head;
    // Groups of two from the right.
    size_t first = head.size() % 2 == 0 ? 2 : 1;
    grouped_head = head.substr(0, first);
    for (size_t i = first; i < head.size(); i += 2) {
      grouped_head += ',';
      grouped_head += head.substr(i, 2);
    }
    out.append(grouped_head).append(1, ',').append(digits, digits.size() - 3, 3);
  } else {
    out = digits;
  }
  uint64_t frac = paise % 100;
  out += '.';
  out += static_cast<char>('0' + frac / 10);
  out += static_cast<char>('0' + frac % 10);
  return out;
}

std::string Format(int64_t paise, bool grouped) {
  if (paise < 0) {
    uint64_t magnitude = static_cast<uint64_t>(-(paise + 1)) + 1;  // safe for INT64_MIN
    std::string out = "-";
    out.append(FormatUnsigned(magnitude, grouped));
    return out;
  }
  return FormatUnsigned(static_cast<uint64_t>(paise), grouped);
}

}  // namespace

Money Money::FromRupees(int64_t rupees) {
  int64_t paise;
  if (__builtin_mul_overflow(rupees, int64_t{100}, &paise)) std::abort();
  return Money(paise);
}

Result<Money> Money::Parse(std::string_view text) {
  std::string_view s = text;
  auto fail = [&](std::string_view why) {
    return InvalidArgumentError("not an amount: \"" + std::string(text) + "\" (" +
                                std::string(why) + ")");
  };
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  for (std::string_view prefix : {"Rs.", "Rs", "\xE2\x82\xB9" /* ₹ */}) {
    if (s.starts_with(prefix)) {
      s.remove_prefix(prefix.size());
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      break;
    }
  }
  if (s.empty()) return fail("empty");
  std::string_view integer = s, fraction;
  if (size_t dot = s.find('.'); dot != std::string_view::npos) {
    integer = s.substr(0, dot);
    fraction = s.substr(dot + 1);
    if (fraction.empty() || fraction.size() > 2) return fail("one or two digits after the point");
    for (char c : fraction) {
      if (!IsDigit(c)) return fail("only digits after the point");
    }
  }
  if (integer.empty()) return fail("no rupees before the point");
  bool has_comma = integer.find(',') != std::string_view::npos;
  for (char c : integer) {
    if (!IsDigit(c) && c != ',') return fail("unexpected character");
  }
  if (has_comma && !ValidIndianGrouping(integer)) {
    return fail("commas must follow Indian grouping, as in 1,23,456.50");
  }
  int64_t rupees = 0;
  for (char c : integer) {
    if (c == ',') continue;
    if (__builtin_mul_overflow(rupees, int64_t{10}, &rupees) ||
        __builtin_add_overflow(rupees, int64_t{c - '0'}, &rupees)) {
      return OutOfRangeError("amount too large: \"" + std::string(text) + "\"");
    }
  }
  int64_t frac = 0;
  if (!fraction.empty()) {
    frac = (fraction[0] - '0') * 10 + (fraction.size() == 2 ? fraction[1] - '0' : 0);
  }
  // Accumulate with the sign applied so that the most negative amount, whose magnitude does
  // not fit in int64, parses too (it is what ToString prints for INT64_MIN paise).
  int64_t paise;
  if (__builtin_mul_overflow(rupees, int64_t{negative ? -100 : 100}, &paise) ||
      __builtin_add_overflow(paise, negative ? -frac : frac, &paise)) {
    return OutOfRangeError("amount too large: \"" + std::string(text) + "\"");
  }
  return Money(paise);
}

std::string Money::ToString() const { return Format(paise_, true); }
std::string Money::ToPlainString() const { return Format(paise_, false); }

std::optional<Money> Money::CheckedAdd(Money other) const {
  int64_t r;
  if (__builtin_add_overflow(paise_, other.paise_, &r)) return std::nullopt;
  return Money(r);
}
std::optional<Money> Money::CheckedSub(Money other) const {
  int64_t r;
  if (__builtin_sub_overflow(paise_, other.paise_, &r)) return std::nullopt;
  return Money(r);
}
std::optional<Money> Money::CheckedMul(int64_t factor) const {
  int64_t r;
  if (__builtin_mul_overflow(paise_, factor, &r)) return std::nullopt;
  return Money(r);
}
Money Money::operator+(Money o) const {
  auto r = CheckedAdd(o);
  if (!r) std::abort();
  return *r;
}
Money Money::operator-(Money o) const {
  auto r = CheckedSub(o);
  if (!r) std::abort();
  return *r;
}

}  // namespace spode
