// The plain CSV profile, for banks that do not take ISO 20022: credit transfers out, statuses
// and returns in. README.md ("CSV profile") documents the columns.
//
//   ASSIGN_OR_RETURN(std::string csv, payments::WriteCreditTransferCsv(batch));
//   ASSIGN_OR_RETURN(payments::StatusReport report, payments::ParseStatusCsv(bytes));
//
// Both are RFC 4180: comma-separated, a header line, fields with a comma, quote or line break
// in double quotes (a quote doubled), UTF-8 without a byte-order mark. The writer ends lines
// with CRLF; the reader takes CRLF or LF and an optional byte-order mark.
//
// Outbound text fields that begin with =, +, -, @, tab or CR are written with a leading
// apostrophe, so a spreadsheet does not run them as formulas (OWASP's CSV injection advice).
//
// The status reader refuses a whole file (INVALID_ARGUMENT with the line) when it is not
// UTF-8, a quoted field never ends, or the header is wrong: a column it does not know, a
// column twice, or end_to_end_id or status missing. A data line that cannot be read (wrong
// number of fields, an unknown status, a malformed id) becomes a StatusIssue with its line; the
// other lines are still read. Blank lines are skipped.
//
// Thread-safety: pure functions.
#ifndef SPODE_PAYMENTS_CSV_PROFILE_H_
#define SPODE_PAYMENTS_CSV_PROFILE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "payments/bank_file.h"
#include "payments/status_report.h"

namespace spode::payments {

// The header of the credit transfer file, in column order.
inline constexpr std::string_view kCreditTransferCsvHeader =
    "message_id,payment_information_id,end_to_end_id,requested_execution_date,debtor_name,"
    "debtor_account,debtor_ifsc,creditor_name,creditor_account,creditor_ifsc,amount,currency,"
    "scheme_code,period,remittance_information";

// One line per transfer, grouped by debtor account as in pain.001 (payment_information_id is
// the same "<MsgId>-<n>"); amount in rupees with two decimals ("1000.00"). Errors as
// ValidateBatch (bank_file.h).
Result<std::string> WriteCreditTransferCsv(const CreditTransferBatch& batch);

struct StatusCsvLimits {
  size_t max_bytes = 256u << 20;
  size_t max_lines = 2'000'000;
  size_t max_field_bytes = 1000;
  // A file at least this large (after its header) is parsed in two halves on two threads when
  // that gives the same result: no quote in it, every line ending in "\n".
  size_t parallel_min_bytes = 1u << 20;
};

// Columns: end_to_end_id and status (required); reason_code, reason_detail, bank_reference,
// status_date (optional), in any order. status is an ISO 20022 transaction status code
// (ACCP, ACSP, ACSC, ACCC, PDNG, RJCT, ...) or RTND for a credit returned after it was made.
// reason_code is an ISO reason code (AC04), an NPCI return code or a returns.h reason id.
Result<StatusReport> ParseStatusCsv(std::string_view csv, const StatusCsvLimits& limits = {});

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_CSV_PROFILE_H_
