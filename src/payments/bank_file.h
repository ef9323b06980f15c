// CreditTransferBatch: one bank file's worth of credit transfers, as both outbound formats
// (ISO 20022 pain.001 in iso20022.h, the CSV profile in csv_profile.h) take it, and the checks
// every batch passes before a byte is written.
//
//   payments::CreditTransferBatch batch{.message_id = "SPODE-OAP-2026-11-SBIN-1", ...};
//   batch.debtor_accounts.push_back({.id = "oap", .name = "Social Justice Department",
//                                    .account_number = "30001234567", .ifsc = "SBIN0000691"});
//   batch.transfers.push_back({.instruction_id = id, .debtor_account_id = "oap",
//                              .amount = Money::FromRupees(1000), ...});
//   ASSIGN_OR_RETURN(std::string xml, payments::WritePain001(batch));
//
// Thread-safety: value types and pure functions.
#ifndef SPODE_PAYMENTS_BANK_FILE_H_
#define SPODE_PAYMENTS_BANK_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/money.h"
#include "common/result.h"
#include "common/time_source.h"

namespace spode::payments {

// How an IFSC identifies a bank branch (the debtor's or creditor's agent) in pain.001.
enum class IfscStyle {
  // FinInstnId/ClrSysMmbId/ClrSysId/Cd = "INFSC" (ISO's external code for the Indian Financial
  // System Code) and MmbId = the IFSC. The default.
  kClearingSystemMember,
  // FinInstnId/Othr/Id = the IFSC, Othr/SchmeNm/Prtry = "IFSC", for banks that ask for it.
  kOther,
};

// The account a scheme pays from (the department's account at its sponsor bank).
struct DebtorAccount {
  std::string id;    // the caller's name for it, unique in the batch
  std::string name;  // Dbtr/Nm: 1-140 characters
  // Exactly one of these two. (The default initialisers let callers leave the other out of a
  // designated initialiser without -Wmissing-field-initializers.)
  std::string iban = {};            // DbtrAcct/Id/IBAN, or
  std::string account_number = {};  // DbtrAcct/Id/Othr/Id: 1-34 letters or digits
  std::string ifsc;                 // DbtrAgt: "SBIN0000691"
};

// One payment instruction to one beneficiary.
struct CreditTransfer {
  std::string instruction_id;     // PmtId/EndToEndId: 1-35 characters, unique in the batch
  std::string debtor_account_id;  // a DebtorAccount::id of the batch
  Money amount;                   // > 0, Amt/InstdAmt Ccy="INR"
  std::string creditor_name;      // Cdtr/Nm: 1-140 characters
  std::string creditor_account;   // CdtrAcct/Id/Othr/Id: 1-34 letters or digits
  std::string creditor_ifsc;      // CdtrAgt
  std::string scheme_code;        // the DBT scheme code: 1-35 letters, digits, '-' or '_'
  std::string period;             // the period paid for: "2026-11", "2026-Q3", "2026"
};

struct CreditTransferBatch {
  std::string message_id;  // GrpHdr/MsgId: 1-35 characters; PmtInfIds are "<MsgId>-<n>"
  Timestamp created_at;    // GrpHdr/CreDtTm
  int utc_offset_minutes = kIndiaUtcOffsetMinutes;  // CreDtTm is written in this zone
  std::string initiating_party_name;                // GrpHdr/InitgPty/Nm: 1-140 characters
  std::string initiating_party_id = {};  // GrpHdr/InitgPty/Id/OrgId/Othr/Id: optional, ≤ 35
  Date requested_execution_date;         // PmtInf/ReqdExctnDt/Dt
  IfscStyle ifsc_style = IfscStyle::kClearingSystemMember;
  std::vector<DebtorAccount> debtor_accounts;  // those without transfers are left out
  std::vector<CreditTransfer> transfers;       // at least one
};

struct BatchTotals {
  int64_t transactions = 0;  // NbOfTxs
  Money control_sum;         // CtrlSum: the sum of the amounts, in paise
};

// One PmtInf block: the transfers from one debtor account, in instruction id order (bytes), the
// order a bank file lists them in whatever order the batch holds them.
struct PaymentGroup {
  const DebtorAccount* debtor = nullptr;
  std::string payment_information_id;  // "<MsgId>-<n>", n counting from 1
  std::vector<const CreditTransfer*> transfers;
  BatchTotals totals;
};

struct ValidatedBatch {
  BatchTotals totals;
  std::vector<PaymentGroup> groups;  // in the order of batch.debtor_accounts; pointers into it
};

// The largest control sum written: 17 digits with the two decimals (ISO's DecimalNumber has
// at most 18 digits).
inline constexpr int64_t kMaxControlSumPaise = 99'999'999'999'999'999;

// Checks every field and groups the transfers by debtor account, each group in instruction id
// order. INVALID_ARGUMENT naming the
// field ("transfers[3].creditor_ifsc: ...") for a malformed value, a duplicate instruction or
// debtor id, a transfer naming an unknown debtor account, or an empty batch; OUT_OF_RANGE
// when the control sum exceeds kMaxControlSumPaise. The result points into `batch`.
Result<ValidatedBatch> ValidateBatch(const CreditTransferBatch& batch);

// "DBT/<scheme_code>/<period>": the unstructured remittance information (RmtInf/Ustrd) that
// carries the scheme's DBT code and the period to the bank and the beneficiary's passbook.
std::string RemittanceInformation(const CreditTransfer& transfer);

// An IFSC: four capital letters, the digit 0, six capital letters or digits.
bool IsIfsc(std::string_view text);

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_BANK_FILE_H_
