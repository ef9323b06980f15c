#include "common/verhoeff.h"

namespace spode {
namespace {

constexpr int kMultiply[10][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
    {2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
    {4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
    {6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
    {8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}};
// Row i is row 1 applied i times (row 1 is the permutation (1 5 8 9 4 2 7 0)(3 6)).
constexpr int kPermute[8][10] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 5, 7, 6, 2, 8, 3, 0, 9, 4},
    {5, 8, 0, 3, 7, 9, 6, 1, 4, 2}, {8, 9, 1, 6, 0, 4, 3, 5, 2, 7},
    {9, 4, 5, 3, 1, 2, 6, 8, 7, 0}, {4, 2, 8, 6, 5, 7, 3, 9, 0, 1},
    {2, 7, 9, 3, 8, 0, 6, 4, 1, 5}, {7, 0, 4, 6, 9, 1, 3, 2, 5, 8}};
constexpr int kInverse[10] = {0, 4, 3, 2, 1, 5, 6, 7, 8, 9};

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

int VerhoeffCheckDigit(std::string_view digits) {
  if (digits.empty() || !AllDigits(digits)) return -1;
  int c = 0;
  // Digits are processed right to left; position 0 is reserved for the check digit.
  for (size_t i = 0; i < digits.size(); ++i) {
    int d = digits[digits.size() - 1 - i] - '0';
    c = kMultiply[c][kPermute[(i + 1) % 8][d]];
  }
  return kInverse[c];
}

bool VerhoeffValid(std::string_view number) {
  if (number.size() < 2 || !AllDigits(number)) return false;
  int c = 0;
  for (size_t i = 0; i < number.size(); ++i) {
    int d = number[number.size() - 1 - i] - '0';
    c = kMultiply[c][kPermute[i % 8][d]];
  }
  return c == 0;
}

std::string WithVerhoeffDigit(std::string_view digits) {
  std::string out(digits);
  out.push_back(static_cast<char>('0' + VerhoeffCheckDigit(digits)));
  return out;
}

}  // namespace spode
