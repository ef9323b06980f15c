// Ticket numbers: what a citizen writes down, reads out on the phone, or types into an SMS.
//
//   FormatTicket(Kind::kGrievance, 2026, 123);   // "GR-2026-0000123-4"
//   ASSIGN_OR_RETURN(TicketNumber t, ParseTicket("gr 2026 0000123 4"));
//   t.serial;                                    // 123: the grievance_id
//
// Format: a prefix ("GR" for a grievance, "RC" for a re-entry case), the year it was filed
// (India time), the serial (the grievance's number, unique across years, at least seven digits,
// zero-padded), and a Verhoeff check digit over the eleven or more digits of year and serial as
// printed. The check digit catches every single mistyped digit and every swap of two adjacent
// digits, so a wrong ticket is refused before any look-up.
//
// ParseTicket is lenient about what people do and strict about the digits: upper or lower case,
// hyphens, spaces or nothing between the parts, fewer leading zeros in the serial, and no prefix
// at all (an IVR keypad has no letters). It is strict about the check digit.
//
// Thread-safety: pure functions.
#ifndef SPODE_GRIEVANCE_TICKET_H_
#define SPODE_GRIEVANCE_TICKET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "grievance/types.h"

namespace spode::grievance {

struct TicketNumber {
  std::optional<Kind> kind;  // empty when the text had no prefix
  int year = 0;
  int64_t serial = 0;
  friend bool operator==(const TicketNumber&, const TicketNumber&) = default;
};

// The canonical ticket text. `year` 1000..9999 and `serial` >= 1 (checked in debug builds).
std::string FormatTicket(Kind kind, int year, int64_t serial);

// INVALID_ARGUMENT, with a reason a person can act on ("the check digit does not match: please
// check the number"), for anything that is not a well-formed ticket with a valid check digit.
Result<TicketNumber> ParseTicket(std::string_view text);

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_TICKET_H_
