// Grievances by SMS and IVR: the inbound message format and its parser. The gateway hands each
// inbound message (for IVR, the keys the caller pressed, rendered as the same text) to
// ParseInbound, then the result to File (intake.h); the acknowledgement with the ticket number
// goes to the member's registered phone through the outbox.
//
//   GRV <member_id> <category> <text>
//
//   GRV 48301759261 4 October pension not received
//   grv 48301759261 PNR pension nahin mila
//   GRV*48301759261*4#                      (IVR; the text is optional there)
//
// - The keyword GRV (any case) or शिकायत; then the 11-digit member ID with its check digit;
//   then the category as a number 1-9, a three-letter code, or its full name:
//     1 ENR enrolment             4 PNR payment_not_received   7 OPR operator_misconduct
//     2 COR data_correction       5 PRT payment_returned       8 DAT data_misuse
//     3 ELG eligibility_decision  6 SVC service_denied         9 OTH other
// - Parts are separated by spaces (or, from an IVR, '*'); a trailing '#' is ignored. The text
//   is everything after the category, as written (up to 2000 characters); required by SMS.
// - The citizen's language is Hindi when the text has Devanagari, English when it has only
//   Latin letters, and not set (Hindi by default) without text.
// - The sender's number may carry +91, 91 or 0 in front; it is kept as ten digits.
//
// Errors are INVALID_ARGUMENT whose message is fit to send back by SMS as it is (English; the
// gateway may send the Hindi text from InboundHelp too).
//
// Thread-safety: pure functions.
#ifndef SPODE_GRIEVANCE_INBOUND_H_
#define SPODE_GRIEVANCE_INBOUND_H_

#include <string>
#include <string_view>

#include "common/result.h"
#include "grievance/intake.h"
#include "grievance/types.h"

namespace spode::grievance {

// `channel` is kSms or kIvr. The GrievanceInput has channel, member_id, category, description,
// language, filed_by ("sms-gateway" or "ivr-gateway") and sender_phone set.
Result<GrievanceInput> ParseInbound(Channel channel, std::string_view sender_phone,
                                    std::string_view message);

// "ENR", "COR", ... and the parse of a number, a code or a name (any case).
std::string_view CategoryCode(Category category);
Result<Category> ParseCategoryToken(std::string_view token);

// How to write the message, in English or Hindi, for a reply to a malformed one.
std::string_view InboundHelp(notify::Language language);

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_INBOUND_H_
