#include "grievance/ticket.h"

#include <cassert>
#include <cstdio>

#include "common/verhoeff.h"

namespace spode::grievance {
namespace {

constexpr int kSerialDigits = 7;
constexpr size_t kMaxSerialDigits = 15;

std::string PaddedSerial(int64_t serial) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", kSerialDigits, static_cast<long long>(serial));
  return buf;
}

}  // namespace

std::string FormatTicket(Kind kind, int year, int64_t serial) {
  assert(year >= 1000 && year <= 9999 && serial >= 1);
  std::string digits = std::to_string(year) + PaddedSerial(serial);
  int check = VerhoeffCheckDigit(digits);
  return std::string(kind == Kind::kReentry ? "RC" : "GR") + "-" + std::to_string(year) + "-" +
         PaddedSerial(serial) + "-" + std::to_string(check);
}

Result<TicketNumber> ParseTicket(std::string_view text) {
  constexpr std::string_view kShape =
      "a ticket number looks like GR-2026-0000123-4 (letters, year, number, check digit)";
  if (text.size() > 64)
    return InvalidArgumentError("too long for a ticket number; " + std::string(kShape));
  TicketNumber t;
  std::string digits;
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  if (i + 1 < text.size() && (text[i] == 'G' || text[i] == 'g') &&
      (text[i + 1] == 'R' || text[i + 1] == 'r')) {
    t.kind = Kind::kGrievance;
    i += 2;
  } else if (i + 1 < text.size() && (text[i] == 'R' || text[i] == 'r') &&
             (text[i + 1] == 'C' || text[i + 1] == 'c')) {
    t.kind = Kind::kReentry;
    i += 2;
  }
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '-' && c != ' ') {
      return InvalidArgumentError(
          "a ticket number has only letters at the start, digits, "
          "hyphens and spaces; " +
          std::string(kShape));
    }
  }
  // Year (4) + serial (at least 1) + check digit (1).
  if (digits.size() < 6 || digits.size() > 4 + kMaxSerialDigits + 1) {
    return InvalidArgumentError("a ticket number has the wrong number of digits; " +
                                std::string(kShape));
  }
  t.year = std::stoi(digits.substr(0, 4));
  std::string serial_digits = digits.substr(4, digits.size() - 5);
  t.serial = std::stoll(serial_digits);
  if (t.year < 1000 || t.serial < 1) {
    return InvalidArgumentError("not a ticket number; " + std::string(kShape));
  }
  int given = digits.back() - '0';
  int expected = VerhoeffCheckDigit(std::to_string(t.year) + PaddedSerial(t.serial));
  if (given != expected) {
    return InvalidArgumentError(
        "the check digit of the ticket number does not match: please check the number");
  }
  return t;
}

}  // namespace spode::grievance
