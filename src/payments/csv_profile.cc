#include "payments/csv_profile.h"

#include <algorithm>
#include <array>
#include <future>
#include <optional>
#include <system_error>
#include <vector>

#include "payments/internal/text.h"

namespace spode::payments {
namespace {

using internal::CheckLineText;
using internal::Quote;
using internal::TrimAscii;

void AppendField(std::string_view value, bool text, std::string* out) {
  std::string field;
  if (text && !value.empty() &&
      (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' ||
       value[0] == '\t' || value[0] == '\r')) {
    field = "'";
  }
  field.append(value);
  if (field.find_first_of(",\"\r\n") == std::string::npos) {
    out->append(field);
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// One CSV record: its fields and the line it starts on.
struct Record {
  std::vector<std::string> fields;
  int64_t line = 0;
  bool too_long = false;  // a field exceeded max_field_bytes (kept truncated)
};

// Splits RFC 4180 records. Fails only for an unterminated quoted field or a quote inside an
// unquoted field (the position is then unknowable or the rest of the line is ambiguous).
class CsvSplitter {
 public:
  // `first_line`: the line number of text's first line (a part of a larger file).
  CsvSplitter(std::string_view text, const StatusCsvLimits& limits, int64_t first_line = 1)
      : text_(text), limits_(limits), line_(first_line) {}

  // Where the next record starts, and its line number.
  size_t position() const { return pos_; }
  int64_t line() const { return line_; }

  // False at the end of input.
  Result<bool> Next(Record* record) {
    record->fields.clear();
    record->too_long = false;
    if (pos_ >= text_.size()) return false;
    record->line = line_;
    std::string field;
    for (;;) {
      field.clear();
      if (pos_ < text_.size() && text_[pos_] == '"') {
        const int64_t start_line = line_;
        ++pos_;
        for (;;) {
          if (pos_ >= text_.size()) {
            return InvalidArgumentError("line " + std::to_string(start_line) +
                                        ": a quoted field never ends");
          }
          char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < text_.size() && text_[pos_] == '"') {
              Add(&field, '"', record);
              ++pos_;
              continue;
            }
            break;
          }
          if (c == '\n') ++line_;
          Add(&field, c, record);
        }
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
            text_[pos_] != '\r') {
          return InvalidArgumentError("line " + std::to_string(line_) +
                                      ": text after a closing quote");
        }
      } else {
        while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' &&
               text_[pos_] != '\r') {
          if (text_[pos_] == '"') {
            return InvalidArgumentError("line " + std::to_string(line_) +
                                        ": a quote inside an unquoted field");
          }
          Add(&field, text_[pos_++], record);
        }
      }
      record->fields.push_back(field);
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        if (record->fields.size() > 64) {
          return InvalidArgumentError("line " + std::to_string(line_) + ": more than 64 fields");
        }
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '\r') ++pos_;
      if (pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
      ++line_;
      return true;
    }
  }

 private:
  void Add(std::string* field, char c, Record* record) {
    if (field->size() >= limits_.max_field_bytes) {
      record->too_long = true;
      return;
    }
    field->push_back(c);
  }

  std::string_view text_;
  const StatusCsvLimits& limits_;
  size_t pos_ = 0;
  int64_t line_;
};

enum Column { kEndToEndId, kStatus, kReasonCode, kReasonDetail, kBankReference, kStatusDate };
constexpr std::array<std::string_view, 6> kColumnNames = {
    "end_to_end_id", "status", "reason_code", "reason_detail", "bank_reference", "status_date"};

bool IsBlank(const Record& r) { return r.fields.size() == 1 && TrimAscii(r.fields[0]).empty(); }

// Parses the records after the header into `report` (its transactions and issues); fails as
// the whole file does.
Status ParseRecords(CsvSplitter& splitter, const std::array<int, kColumnNames.size()>& index,
                    size_t columns, const StatusCsvLimits& limits, StatusReport& report) {
  Record record;
  size_t lines = 0;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more) break;
    if (IsBlank(record)) continue;
    if (++lines > limits.max_lines) {
      return ResourceExhaustedError("line " + std::to_string(record.line) + ": more than " +
                                    std::to_string(limits.max_lines) + " lines");
    }
    SourcePosition at{record.line, 0, ""};
    auto issue = [&](std::string message) { report.issues.push_back({at, std::move(message)}); };
    if (record.fields.size() != columns) {
      issue(std::to_string(record.fields.size()) + " fields, the header has " +
            std::to_string(columns));
      continue;
    }
    if (record.too_long) {
      issue("a field is longer than " + std::to_string(limits.max_field_bytes) + " bytes");
      continue;
    }
    // Views into the record, kept in the report's lines (Keep) once the line is read.
    auto field = [&](Column c) -> std::string_view {
      return index[c] < 0 ? std::string_view() : TrimAscii(record.fields[index[c]]);
    };
    TransactionStatus status;
    status.position = at;
    const std::string_view id = field(kEndToEndId);
    if (Status s = CheckLineText("end_to_end_id", id, 1, 35); !s.ok()) {
      issue(s.message());
      continue;
    }
    const std::string_view code_text = field(kStatus);
    std::optional<TransactionOutcome> outcome = OutcomeOfStatusCode(code_text);
    if (!outcome) {
      issue("status " + Quote(code_text) +
            " is not a status code (ACCP, ACSP, ACSC, "
            "ACCC, PDNG, RJCT, RTND, ...) for " +
            Quote(id));
      continue;
    }
    status.outcome = *outcome;
    std::string_view code = field(kReasonCode);
    std::string detail(field(kReasonDetail));
    for (char& c : detail) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';  // a quoted detail may span lines
    }
    bool valid_code = code.size() <= 35;
    for (char c : code) {
      valid_code = valid_code && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                  (c >= '0' && c <= '9') || c == '_' || c == '-');
    }
    if (!valid_code) {
      issue("reason_code " + Quote(code) +
            " is not a code (letters, digits, '_', '-'; at most "
            "35) for " +
            Quote(id));
      continue;
    }
    if (Status s = CheckLineText("reason_detail", detail, 0, 1000); !s.ok()) {
      issue(s.message());
      continue;
    }
    if (!code.empty() || !detail.empty()) {
      StatusReason reason;
      reason.code = code;
      if (!detail.empty()) reason.additional_info.push_back(std::move(detail));
      status.reasons.push_back(std::move(reason));
    }
    const std::string_view bank_reference = field(kBankReference);
    if (Status s = CheckLineText("bank_reference", bank_reference, 0, 35); !s.ok()) {
      issue(s.message());
      continue;
    }
    const std::string_view status_date = field(kStatusDate);
    if (!status_date.empty() && !Date::Parse(status_date).ok()) {
      issue("status_date " + Quote(status_date) + " is not a date (YYYY-MM-DD)");
      continue;
    }
    status.end_to_end_id = report.transactions.Keep(id);
    status.status_code = report.transactions.Keep(code_text);
    status.bank_reference = report.transactions.Keep(bank_reference);
    status.status_date = report.transactions.Keep(status_date);
    report.transactions.push_back(std::move(status));
  }
  return OkStatus();
}

}  // namespace

Result<std::string> WriteCreditTransferCsv(const CreditTransferBatch& batch) {
  ASSIGN_OR_RETURN(ValidatedBatch valid, ValidateBatch(batch));
  std::string out(kCreditTransferCsvHeader);
  out += "\r\n";
  const std::string date = batch.requested_execution_date.ToString();
  for (const PaymentGroup& group : valid.groups) {
    const DebtorAccount& d = *group.debtor;
    for (const CreditTransfer* t : group.transfers) {
      AppendField(batch.message_id, true, &out);
      out += ',';
      AppendField(group.payment_information_id, true, &out);
      out += ',';
      AppendField(t->instruction_id, true, &out);
      out += ',' + date + ',';
      AppendField(d.name, true, &out);
      out += ',';
      AppendField(d.iban.empty() ? d.account_number : d.iban, false, &out);
      out += ',' + d.ifsc + ',';
      AppendField(t->creditor_name, true, &out);
      out += ',' + t->creditor_account + ',' + t->creditor_ifsc + ',' + t->amount.ToPlainString() +
             ",INR,";
      AppendField(t->scheme_code, true, &out);
      out += ',' + t->period + ',';
      AppendField(RemittanceInformation(*t), true, &out);
      out += "\r\n";
    }
  }
  return out;
}

Result<StatusReport> ParseStatusCsv(std::string_view csv, const StatusCsvLimits& limits) {
  if (csv.size() > limits.max_bytes) {
    return ResourceExhaustedError("the status file has " + std::to_string(csv.size()) +
                                  " bytes, more than the limit of " +
                                  std::to_string(limits.max_bytes));
  }
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  if (std::optional<size_t> bad = internal::FirstInvalidUtf8(csv)) {
    int64_t line = 1;
    for (size_t i = 0; i < *bad; ++i) line += csv[i] == '\n';
    return InvalidArgumentError("line " + std::to_string(line) + ": not UTF-8");
  }

  CsvSplitter splitter(csv, limits);
  Record record;
  // The header: the first line that is not blank.
  for (;;) {
    ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more) return InvalidArgumentError("the status file has no header line");
    if (!IsBlank(record)) break;
  }
  std::array<int, kColumnNames.size()> index;
  index.fill(-1);
  for (size_t i = 0; i < record.fields.size(); ++i) {
    std::string_view name = TrimAscii(record.fields[i]);
    size_t c = 0;
    while (c < kColumnNames.size() && kColumnNames[c] != name) ++c;
    if (c == kColumnNames.size()) {
      return InvalidArgumentError("line " + std::to_string(record.line) + ": unknown column " +
                                  Quote(name) +
                                  " (known: end_to_end_id, status, reason_code, "
                                  "reason_detail, bank_reference, status_date)");
    }
    if (index[c] >= 0) {
      return InvalidArgumentError("line " + std::to_string(record.line) + ": column " +
                                  std::string(name) + " appears twice");
    }
    index[c] = static_cast<int>(i);
  }
  if (index[kEndToEndId] < 0 || index[kStatus] < 0) {
    return InvalidArgumentError("line " + std::to_string(record.line) +
                                ": the header needs the columns end_to_end_id and status");
  }
  const size_t columns = record.fields.size();

  StatusReport report;
  report.format = "csv";
  // A large file without quotes, whose lines all end in "\n": its second half is parsed on a
  // second thread, from the first line break after its middle (each line a record, so the
  // line numbers there are known), and appended; the same lines and issues, in the same order,
  // as one pass. (A quote could open a field that spans lines; a lone "\r" ends a record.)
  std::string_view body = csv.substr(splitter.position());
  const int64_t body_line = splitter.line();
  auto parallel = [&]() -> std::optional<size_t> {
    if (body.size() < limits.parallel_min_bytes || body.size() < 2) return std::nullopt;
    if (body.find('"') != std::string_view::npos) return std::nullopt;
    for (size_t cr = body.find('\r'); cr != std::string_view::npos; cr = body.find('\r', cr + 1)) {
      if (cr + 1 >= body.size() || body[cr + 1] != '\n') return std::nullopt;
    }
    size_t breaks = static_cast<size_t>(std::count(body.begin(), body.end(), '\n'));
    if (breaks + 1 > limits.max_lines) return std::nullopt;  // the limit is checked in one pass
    size_t mid = body.find('\n', body.size() / 2);
    if (mid == std::string_view::npos || mid + 1 >= body.size()) return std::nullopt;
    return mid + 1;
  }();
  if (parallel) {
    std::string_view first = body.substr(0, *parallel), second = body.substr(*parallel);
    const size_t first_lines = static_cast<size_t>(std::count(first.begin(), first.end(), '\n'));
    const int64_t second_line = body_line + static_cast<int64_t>(first_lines);
    // Room for each half's lines: neither is moved as it grows, nor when they are joined.
    report.transactions.reserve(first_lines + 1);
    StatusReport later;
    later.transactions.reserve(
        static_cast<size_t>(std::count(second.begin(), second.end(), '\n')) + 1);
    auto parse_second = [&]() {
      CsvSplitter rest(second, limits, second_line);
      return ParseRecords(rest, index, columns, limits, later);
    };
    std::future<Status> second_done;
    try {
      second_done = std::async(std::launch::async, parse_second);
    } catch (const std::system_error&) {  // no thread to be had: both halves here
      second_done = std::async(std::launch::deferred, parse_second);
    }
    CsvSplitter front(first, limits, body_line);
    Status first_status = ParseRecords(front, index, columns, limits, report);
    Status second_status = second_done.get();
    RETURN_IF_ERROR(first_status);
    RETURN_IF_ERROR(second_status);
    report.transactions.Append(std::move(later.transactions));
    report.issues.insert(report.issues.end(), std::make_move_iterator(later.issues.begin()),
                         std::make_move_iterator(later.issues.end()));
    return report;
  }
  RETURN_IF_ERROR(ParseRecords(splitter, index, columns, limits, report));
  return report;
}

}  // namespace spode::payments
