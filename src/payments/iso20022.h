// ISO 20022 bank files: pain.001.001.09 (customer credit transfer initiation) out, and
// pain.002 (customer payment status report, versions 001.03 and 001.10) in. README.md lists
// every element path written and read.
//
//   ASSIGN_OR_RETURN(std::string xml, payments::WritePain001(batch));   // bank_file.h
//   ...
//   ASSIGN_OR_RETURN(payments::StatusReport report, payments::ParsePain002(bytes));
//   // report.transactions: one per TxInfAndSts; report.issues: those that could not be read
//
// The writer emits elements in the order of the pain.001.001.09 schema, UTF-8, with &, <, >,
// " and ' escaped; NbOfTxs and CtrlSum are computed from the transfers in integer paise.
//
// The reader is strict and safe on hostile input (internal/xml_reader.h: no DTD or entities,
// size and depth limits, UTF-8 only). A file that is not well-formed, has another root or
// namespace, or lacks a required group-level element is refused whole (INVALID_ARGUMENT, with
// its line and column; RESOURCE_EXHAUSTED for a limit). A transaction that cannot be read (no
// OrgnlEndToEndId, an unknown TxSts, a repeated TxSts) becomes a StatusIssue with its position,
// and the rest of the file is still read.
//
// Thread-safety: pure functions.
#ifndef SPODE_PAYMENTS_ISO20022_H_
#define SPODE_PAYMENTS_ISO20022_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "payments/bank_file.h"
#include "payments/status_report.h"

namespace spode::payments {

inline constexpr std::string_view kPain001Namespace =
    "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";
inline constexpr std::string_view kPain002V10Namespace =
    "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";
inline constexpr std::string_view kPain002V03Namespace =
    "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03";

// The pain.001.001.09 document for `batch`: one PmtInf per debtor account that has transfers,
// one CdtTrfTxInf per transfer. Errors as ValidateBatch (bank_file.h).
Result<std::string> WritePain001(const CreditTransferBatch& batch);
// The same document, appended to `*out`: a caller writing many files keeps one buffer, whose
// memory is then not faulted in anew for each (a 100,000-transfer file is about 77 MB). When
// `flush` is given it is called with each stretch of about 1 MiB as soon as it is appended, and
// with the rest at the end, so that the caller can write the bytes while they are still in the
// processor's cache; each stretch is then dropped from `*out`, which on return holds what it
// held before. An error from `flush` ends the writing. On an error `*out` may hold part of a
// document.
Status WritePain001(const CreditTransferBatch& batch, std::string* out,
                    const std::function<Status(std::string_view)>& flush = nullptr);

struct Pain002Limits {
  size_t max_bytes = 512u << 20;  // a million transactions take about 400 MB
  int max_depth = 32;             // pain.002 needs 9
  size_t max_transactions = 2'000'000;
};

// Reads a pain.002.001.10 or pain.002.001.03 status report. A transaction without TxSts takes
// the status (and reasons) of its OrgnlPmtInfAndSts or, failing that, of the group
// (status_inherited). A report that rejects a whole group or payment block without listing
// transactions has an empty `transactions`: read group_status and payment_informations.
Result<StatusReport> ParsePain002(std::string_view xml, const Pain002Limits& limits = {});

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_ISO20022_H_
