// Verhoeff check digits: the scheme Aadhaar numbers use, and spode's family and member IDs.
// Detects every single-digit error and every transposition of adjacent digits.
//
//   VerhoeffCheckDigit("236");   // 3
//   WithVerhoeffDigit("236");    // "2363"
//   VerhoeffValid("2363");       // true: the last digit checks the digits before it
#ifndef SPODE_COMMON_VERHOEFF_H_
#define SPODE_COMMON_VERHOEFF_H_

#include <string>
#include <string_view>

namespace spode {

// The check digit (0-9) to append to `digits`; -1 if `digits` is empty or has a non-digit.
int VerhoeffCheckDigit(std::string_view digits);

// True when `number` is all digits, at least two long, and its last digit is the Verhoeff
// check digit of the rest.
bool VerhoeffValid(std::string_view number);

// `digits` followed by its check digit. `digits` must be all digits.
std::string WithVerhoeffDigit(std::string_view digits);

}  // namespace spode

#endif  // SPODE_COMMON_VERHOEFF_H_
