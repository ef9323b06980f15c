#include "common/verhoeff.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace spode {
namespace {

TEST(VerhoeffTest, KnownCheckDigits) {
  EXPECT_EQ(VerhoeffCheckDigit("236"), 3);
  EXPECT_EQ(VerhoeffCheckDigit("12345"), 1);
  EXPECT_EQ(VerhoeffCheckDigit("75872"), 2);
  EXPECT_EQ(VerhoeffCheckDigit("123456789012"), 0);
  EXPECT_EQ(VerhoeffCheckDigit("12345678"), 4);
  EXPECT_EQ(VerhoeffCheckDigit("123456789"), 0);
  EXPECT_EQ(VerhoeffCheckDigit("2470000"), 7);
  EXPECT_EQ(VerhoeffCheckDigit("1456789"), 4);
  EXPECT_EQ(VerhoeffCheckDigit("0"), 4);
  EXPECT_EQ(VerhoeffCheckDigit("1"), 5);
  EXPECT_EQ(VerhoeffCheckDigit("00000000000"), 3);
  EXPECT_EQ(VerhoeffCheckDigit("99999999999"), 9);
  EXPECT_EQ(VerhoeffCheckDigit("1234567890123456789"), 5);
}

// Regression: row 4 of the permutation table ended 8, 7, 0, 6 instead of 6, 8, 7, 0, so a 6-9
// in the fourth place from the right of the payload gave a check digit other than Aadhaar's
// (123456789012 got 8, not 0). Every row must be row 1 applied that many times.
TEST(VerhoeffTest, PermutationTableRowFour) {
  EXPECT_EQ(VerhoeffCheckDigit("6000"), 9);
  EXPECT_EQ(VerhoeffCheckDigit("7000"), 6);
  EXPECT_EQ(VerhoeffCheckDigit("8000"), 5);
  EXPECT_EQ(VerhoeffCheckDigit("9000"), 2);
  EXPECT_EQ(VerhoeffCheckDigit("900000000000"), 3);
  EXPECT_TRUE(VerhoeffValid("1234567890120"));
  EXPECT_FALSE(VerhoeffValid("1234567890128"));
}

TEST(VerhoeffTest, KnownValidNumbers) {
  EXPECT_TRUE(VerhoeffValid("2363"));
  EXPECT_TRUE(VerhoeffValid("123451"));
  EXPECT_TRUE(VerhoeffValid("758722"));
  EXPECT_TRUE(VerhoeffValid("1234567890120"));
  EXPECT_TRUE(VerhoeffValid("15"));
  EXPECT_TRUE(VerhoeffValid("1234567890"));
  EXPECT_TRUE(VerhoeffValid("24700007"));
  EXPECT_TRUE(VerhoeffValid("14567894"));
  EXPECT_FALSE(VerhoeffValid("1334567890"));
  EXPECT_FALSE(VerhoeffValid("1234567892"));
  EXPECT_FALSE(VerhoeffValid("14567895"));
  EXPECT_FALSE(VerhoeffValid("2364"));
  EXPECT_FALSE(VerhoeffValid("2362"));
  EXPECT_FALSE(VerhoeffValid("123452"));
  EXPECT_FALSE(VerhoeffValid("1234567890121"));
}

TEST(VerhoeffTest, WithVerhoeffDigit) {
  EXPECT_EQ(WithVerhoeffDigit("236"), "2363");
  EXPECT_EQ(WithVerhoeffDigit("12345"), "123451");
  EXPECT_EQ(WithVerhoeffDigit("12345678901"), "123456789010");
  EXPECT_EQ(WithVerhoeffDigit("23412341234"), "234123412346");
  EXPECT_TRUE(VerhoeffValid(WithVerhoeffDigit("12345678901")));
}

TEST(VerhoeffTest, ExactlyOneCheckDigitIsValid) {
  std::mt19937 rng(42);
  for (int n = 0; n < 200; ++n) {
    std::string digits;
    int len = 1 + static_cast<int>(rng() % 15);
    for (int k = 0; k < len; ++k) digits += static_cast<char>('0' + rng() % 10);
    int check = VerhoeffCheckDigit(digits);
    ASSERT_GE(check, 0);
    ASSERT_LE(check, 9);
    for (int d = 0; d <= 9; ++d) {
      EXPECT_EQ(VerhoeffValid(digits + static_cast<char>('0' + d)), d == check)
          << digits << " + " << d;
    }
    EXPECT_EQ(WithVerhoeffDigit(digits), digits + static_cast<char>('0' + check));
  }
}

std::vector<std::string> SampleNumbers() {
  std::vector<std::string> out = {
      WithVerhoeffDigit("23412341234"), WithVerhoeffDigit("99999999999"),
      WithVerhoeffDigit("10000000000"), WithVerhoeffDigit("236"), WithVerhoeffDigit("0123456789")};
  std::mt19937 rng(1958);
  for (int n = 0; n < 20; ++n) {
    std::string digits;
    for (int k = 0; k < 11; ++k) digits += static_cast<char>('0' + rng() % 10);
    out.push_back(WithVerhoeffDigit(digits));
  }
  return out;
}

TEST(VerhoeffTest, DetectsEverySingleDigitSubstitution) {
  for (const std::string& number : SampleNumbers()) {
    ASSERT_TRUE(VerhoeffValid(number)) << number;
    for (size_t pos = 0; pos < number.size(); ++pos) {
      for (char c = '0'; c <= '9'; ++c) {
        if (c == number[pos]) continue;
        std::string changed = number;
        changed[pos] = c;
        EXPECT_FALSE(VerhoeffValid(changed)) << number << " -> " << changed;
      }
    }
  }
}

TEST(VerhoeffTest, DetectsEveryAdjacentTransposition) {
  for (const std::string& number : SampleNumbers()) {
    int checked = 0;
    for (size_t pos = 0; pos + 1 < number.size(); ++pos) {
      if (number[pos] == number[pos + 1]) continue;
      std::string swapped = number;
      std::swap(swapped[pos], swapped[pos + 1]);
      EXPECT_FALSE(VerhoeffValid(swapped)) << number << " -> " << swapped;
      ++checked;
    }
    if (number != WithVerhoeffDigit("99999999999")) {
      EXPECT_GT(checked, 0) << number;
    }
  }
}

TEST(VerhoeffTest, DetectsAdjacentTranspositionsOfEveryDigitPairAtEveryPlace) {
  // Every place of a 12-digit number (check digit included) and every pair of distinct digits.
  const std::string pattern = "31415926535";
  for (size_t pos = 0; pos + 1 < 12; ++pos) {
    for (char a = '0'; a <= '9'; ++a) {
      for (char b = '0'; b <= '9'; ++b) {
        if (a == b) continue;
        std::string number;
        if (pos + 1 < 11) {
          std::string payload = pattern;
          payload[pos] = a;
          payload[pos + 1] = b;
          number = WithVerhoeffDigit(payload);
        } else {
          // The last payload digit and the check digit: find a payload ending in `a` whose
          // check digit is `b`.
          for (char c = '0'; c <= '9' && number.empty(); ++c) {
            std::string payload = pattern;
            payload[9] = c;
            payload[10] = a;
            if (VerhoeffCheckDigit(payload) == b - '0') number = payload + b;
          }
          if (number.empty()) continue;
        }
        std::string swapped = number;
        std::swap(swapped[pos], swapped[pos + 1]);
        EXPECT_FALSE(VerhoeffValid(swapped)) << number << " -> " << swapped;
      }
    }
  }
}

TEST(VerhoeffTest, InvalidInputs) {
  EXPECT_EQ(VerhoeffCheckDigit(""), -1);
  EXPECT_EQ(VerhoeffCheckDigit("12a4"), -1);
  EXPECT_EQ(VerhoeffCheckDigit("abc"), -1);
  EXPECT_EQ(VerhoeffCheckDigit(" 236"), -1);
  EXPECT_EQ(VerhoeffCheckDigit("-236"), -1);
  EXPECT_FALSE(VerhoeffValid(""));
  EXPECT_FALSE(VerhoeffValid("0"));  // a single digit has nothing to check
  EXPECT_FALSE(VerhoeffValid("5"));
  EXPECT_FALSE(VerhoeffValid("abcd"));
  EXPECT_FALSE(VerhoeffValid("236a"));
  EXPECT_FALSE(VerhoeffValid("2363 "));
  EXPECT_FALSE(VerhoeffValid("23 63"));
  EXPECT_FALSE(VerhoeffValid("-2363"));
  EXPECT_FALSE(VerhoeffValid("2363\n"));
}

}  // namespace
}  // namespace spode
