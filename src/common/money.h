// Money: an amount in integer paise (1 rupee = 100 paise). Never floating point.
//
//   ASSIGN_OR_RETURN(Money m, Money::Parse("1,23,456.50"));  // 12345650 paise
//   m.ToString();       // "1,23,456.50"  (Indian digit grouping: lakh, crore)
//   m.ToPlainString();  // "123456.50"
//
// Arithmetic that would overflow int64 is reported, never wrapped: CheckedAdd and CheckedMul
// return no value on overflow. The plain operators abort on overflow, because continuing with a
// wrapped amount would corrupt money (CONVENTIONS.md, assertions).
//
// Thread-safety: a value type.
#ifndef SPODE_COMMON_MONEY_H_
#define SPODE_COMMON_MONEY_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace spode {

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money FromPaise(int64_t paise) { return Money(paise); }
  // Whole rupees; aborts if the amount does not fit in int64 paise.
  static Money FromRupees(int64_t rupees);

  // Accepts an optional sign, digits either without separators ("123456.50") or with Indian
  // grouping ("1,23,456.50"), an optional "Rs"/"₹" prefix, and at most two decimal places.
  // INVALID_ARGUMENT names what is wrong; OUT_OF_RANGE when the amount does not fit.
  static Result<Money> Parse(std::string_view text);

  constexpr int64_t paise() const { return paise_; }

  std::string ToString() const;       // "-1,23,456.50"
  std::string ToPlainString() const;  // "-123456.50"

  std::optional<Money> CheckedAdd(Money other) const;
  std::optional<Money> CheckedSub(Money other) const;
  std::optional<Money> CheckedMul(int64_t factor) const;

  Money operator+(Money o) const;
  Money operator-(Money o) const;
  Money& operator+=(Money o) { return *this = *this + o; }
  Money& operator-=(Money o) { return *this = *this - o; }
  constexpr auto operator<=>(const Money&) const = default;

 private:
  constexpr explicit Money(int64_t paise) : paise_(paise) {}
  int64_t paise_ = 0;
};

}  // namespace spode

#endif  // SPODE_COMMON_MONEY_H_
