// Why a payment came back, in words a citizen understands, who must act, and what happens
// next: the return reasons India's DBT sees (shared/DOMAIN.md, "Payments"), mapped from the
// codes banks send.
//
//   const payments::ReturnReasonInfo& why = payments::ClassifyStatus(status);   // status_report.h
//   why.reason_hi;          // "खाता बंद हो चुका है"
//   why.acts;               // Party::kCitizen
//   why.follow_up;          // FollowUp::kReentryCase: open a re-entry case, do not resend as is
//
// Codes come from three systems, looked up in this order:
//   1. ISO 20022 external status reason codes (AC04, MD07, ...), from pain.002 Rsn/Cd.
//   2. NPCI ACH credit / APBS return reason codes (two digits, e.g. "64"), as banks put them in
//      Rsn/Prtry or a CSV. ASSUMPTION: the numbers are from NPCI's published ACH return reason
//      list as this module's authors know it; confirm them against the sponsor bank's current
//      circular before production (README.md lists each).
//   3. This table's own reason ids ("aadhaar_inactive"), for a CSV or an operator who records
//      a reason no bank code names.
// An unknown code, or a NARR with only a narrative, is classified from the narrative's words
// where they are unambiguous ("ACCOUNT CLOSED", "AADHAAR NOT MAPPED"), else kUnclassified:
// the bank must say why. Classification never fails.
//
// Thread-safety: immutable tables and pure functions.
#ifndef SPODE_PAYMENTS_RETURNS_H_
#define SPODE_PAYMENTS_RETURNS_H_

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "payments/status_report.h"

namespace spode::payments {

enum class ReturnReason {
  kAadhaarNotMapped,  // the Aadhaar number is not mapped to any bank (NPCI mapper)
  kAccountClosed,
  kAccountDormantOrFrozen,  // dormant (no transactions for two years), frozen or blocked
  kKycPending,
  kMinorTurnedMajor,   // a minor's account not converted after the holder turned 18
  kSmallAccountLimit,  // a small (limited-KYC) account's credit limit is exceeded
  kAccountHolderDeceased,
  kAadhaarInactive,       // the Aadhaar number is deactivated or inactive at UIDAI
  kInvalidIfscOrAccount,  // no such account at the branch, or a wrong IFSC
  kNameMismatch,          // the account holder's name does not match the beneficiary
  kTechnical,             // timeout, network or bank system failure
  kCreditNotPermitted,    // the account cannot take this credit (loan, NRE, PPF account)
  kDepartmentFileError,   // the payment file or the paying account's details are wrong
  kDepartmentFunds,       // the department's account lacks funds
  kDuplicate,             // the bank saw this payment twice
  kUnclassified,          // no code this table knows: the bank must give the reason
};

// Who must do something before the money can reach the citizen.
enum class Party { kCitizen, kBank, kDepartment };
std::string_view PartyName(Party party);  // "citizen", "bank", "department"

// What happens to the instruction.
enum class FollowUp {
  kRetryUnchanged,    // resend the same instruction as it is (a technical failure)
  kReentryCase,       // open a re-entry case: something must change before a retry, and the
                      // citizen is told what
  kDeathReview,       // stop future payments; the department verifies the death and settles
                      // arrears with the nominee or legal heir
  kDepartmentAction,  // the department corrects its file, funds or records and resends; the
                      // citizen need do nothing
  kAskBank,           // the bank must explain the return before anything else is decided
};
std::string_view FollowUpName(FollowUp follow_up);

struct ReturnReasonInfo {
  ReturnReason reason;
  std::string_view id;  // stable snake_case id: "account_closed"
  std::string_view reason_en;
  std::string_view reason_hi;
  Party acts;                      // who must act first
  std::optional<Party> also_acts;  // and who else, where DOMAIN.md names two
  std::string_view next_step_en;   // for the citizen (or their family)
  std::string_view next_step_hi;
  FollowUp follow_up;

  bool retry_without_change() const { return follow_up == FollowUp::kRetryUnchanged; }
  bool opens_reentry_case() const { return follow_up == FollowUp::kReentryCase; }
};

// One code a bank may send.
struct ReasonCode {
  std::string_view system;  // "ISO 20022", "NPCI (assumed)", "spode"
  std::string_view code;
  std::string_view meaning;  // the code's own name in its system
  ReturnReason reason;
};

// Every reason, in the order of the enum.
std::span<const ReturnReasonInfo> AllReturnReasons();
const ReturnReasonInfo& InfoFor(ReturnReason reason);
// Every code mapped, ISO first.
std::span<const ReasonCode> AllReasonCodes();

// The reason for one code, with an optional narrative (AddtlInf) for NARR and unknown codes.
const ReturnReasonInfo& ClassifyReasonCode(std::string_view code, std::string_view narrative = {});
// The reason for a transaction's status: the first of its reasons that classifies to something
// other than kUnclassified, else kUnclassified. Meaningful for rejected and returned
// statuses; for others it still answers.
const ReturnReasonInfo& ClassifyStatus(const TransactionStatus& status);

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_RETURNS_H_
