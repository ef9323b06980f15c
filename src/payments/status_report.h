// What a bank said about the credit transfers it was sent, whatever the file format:
// ISO 20022 pain.002 (iso20022.h) or the CSV status profile (csv_profile.h) both produce a
// StatusReport. ReviewStatuses then decides, line by line, what a report may change.
//
//   ASSIGN_OR_RETURN(payments::StatusReport report, payments::ParsePain002(xml));
//   for (const payments::StatusIssue& issue : report.issues) Log(issue);   // lines not read
//   payments::StatusReviews review = payments::ReviewStatuses(
//       report.transactions, [&](std::string_view id) { return LookUp(id); });
//   // apply only the statuses whose disposition is kApply
//
// Thread-safety: value types and pure functions.
#ifndef SPODE_PAYMENTS_STATUS_REPORT_H_
#define SPODE_PAYMENTS_STATUS_REPORT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spode::payments {

// Where something is in a status file. XML: the line and column (1-based, in characters) of
// the element's start tag and its path, e.g.
// "/Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts[1]/TxInfAndSts[3]/TxSts". CSV: the line
// (1-based, counting the header), column 0 and path "".
struct SourcePosition {
  int64_t line = 0;
  int64_t column = 0;
  std::string path;
  // "line 12, column 7 (/Document/...)" or "line 12".
  std::string ToString() const;
};

// Where an instruction stands, coarsely, as a bank status says.
enum class TransactionOutcome {
  kPending,   // received, nothing decided yet (RCVD, PDNG, BLCK, ...)
  kAccepted,  // accepted for execution, not yet settled (ACCP, ACSP, ACTC, ACWC, ...)
  kPaid,      // settled: ACSC (the debtor's account debited) or ACCC (the creditor's credited)
  kRejected,  // refused, money not moved (RJCT, CANC)
  kReturned,  // credited and then returned (the CSV profile's RTND; ISO reports returns in
              // pacs.004/camt.054, not pain.002)
};
std::string_view TransactionOutcomeName(TransactionOutcome outcome);
// Final outcomes never move again, except kPaid → kReturned.
bool IsFinal(TransactionOutcome outcome);

// The outcome of an ISO 20022 transaction status code (ExternalPaymentTransactionStatus1Code),
// or of "RTND" (kReturned). nullopt for an unknown code and for PART, which is a group or
// payment status only (some transactions accepted, some not).
std::optional<TransactionOutcome> OutcomeOfStatusCode(std::string_view code);
// True for the codes above and for PART: a valid group or payment status.
bool IsKnownGroupStatusCode(std::string_view code);

// One reason a bank gave (StsRsnInf). `code` is Rsn/Cd (an ISO external status reason code,
// proprietary = false) or Rsn/Prtry (the bank's own, e.g. an NPCI return code, proprietary =
// true); it may be empty when only a narrative was given.
struct StatusReason {
  std::string code;
  bool proprietary = false;
  std::vector<std::string> additional_info;  // AddtlInf lines, or the CSV reason_detail
  friend bool operator==(const StatusReason&, const StatusReason&) = default;
};

// One transaction's status, as the file gave it. Its texts are views: into the StatusLines
// that holds it (the parsers keep them there, StatusLines::Keep), or into any text that
// outlives it (a test's literals). A million lines took 304 bytes each and an allocation for
// each id as strings; as views, 192 bytes and the ids' bytes side by side.
struct TransactionStatus {
  std::string_view end_to_end_id;                    // OrgnlEndToEndId: the instruction id
  std::string_view original_instruction_id;          // OrgnlInstrId, when given
  std::string_view original_payment_information_id;  // OrgnlPmtInfId of the enclosing block
  std::string_view status_id;                        // StsId, when given
  std::string_view status_code;                      // "RJCT", or inherited (see below)
  TransactionOutcome outcome = TransactionOutcome::kPending;
  // True when the transaction gave no TxSts and took its payment block's or group's status
  // (and that level's reasons).
  bool status_inherited = false;
  std::vector<StatusReason> reasons;
  std::string_view bank_reference;  // AcctSvcrRef, or the CSV bank_reference
  std::string_view status_date;     // the CSV status_date (YYYY-MM-DD), when given
  SourcePosition position;          // of TxInfAndSts, or the CSV line
};

// Text kept for the views of TransactionStatus: copied into blocks that never move, so a view
// stays valid while its store lives, however much is added after it.
class TextStore {
 public:
  TextStore() = default;
  TextStore(TextStore&& other) noexcept { *this = std::move(other); }
  TextStore& operator=(TextStore&& other) noexcept {
    blocks_ = std::move(other.blocks_);
    other.blocks_.clear();
    next_ = std::exchange(other.next_, nullptr);
    room_ = std::exchange(other.room_, 0);
    return *this;
  }
  TextStore(const TextStore&) = delete;
  TextStore& operator=(const TextStore&) = delete;

  // A copy of `text` that lives as long as this store (and any store it is moved into).
  std::string_view Keep(std::string_view text);
  // Takes `other`'s blocks: views into them stay valid.
  void Append(TextStore&& other);

 private:
  static constexpr size_t kBlockBytes = size_t{1} << 20;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;  // where the next text goes, in the current block
  size_t room_ = 0;       // bytes free there
};

// The transactions of a report, in file order, with the text their views name (Keep): a
// vector, or two joined. A large CSV file is
// parsed in halves on two threads (csv_profile.cc), and the second half's lines stay in the
// storage its thread filled instead of being moved after the first half's: half a million such
// moves, into pages not touched before, took half a second in a profile.
class StatusLines {
 public:
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = TransactionStatus;
    using difference_type = std::ptrdiff_t;
    using pointer = const TransactionStatus*;
    using reference = const TransactionStatus&;
    const_iterator() = default;
    const_iterator(const StatusLines* lines, size_t i) : lines_(lines), i_(i) {}
    reference operator*() const { return (*lines_)[i_]; }
    pointer operator->() const { return &(*lines_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) { return {lines_, i_++}; }
    friend bool operator==(const const_iterator&, const const_iterator&) = default;

   private:
    const StatusLines* lines_ = nullptr;
    size_t i_ = 0;
  };

  StatusLines() = default;
  StatusLines(std::vector<TransactionStatus> lines) : head_(std::move(lines)) {}  // NOLINT

  size_t size() const { return head_.size() + tail_.size(); }
  bool empty() const { return head_.empty() && tail_.empty(); }
  const TransactionStatus& operator[](size_t i) const {
    return i < head_.size() ? head_[i] : tail_[i - head_.size()];
  }
  TransactionStatus& operator[](size_t i) {
    return i < head_.size() ? head_[i] : tail_[i - head_.size()];
  }
  const TransactionStatus& back() const { return tail_.empty() ? head_.back() : tail_.back(); }
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  void reserve(size_t n) { (tail_.empty() ? head_ : tail_).reserve(n); }
  void push_back(TransactionStatus t) { (tail_.empty() ? head_ : tail_).push_back(std::move(t)); }
  // A copy of `text` for a line's view, kept as long as these lines.
  std::string_view Keep(std::string_view text) { return text_.Keep(text); }
  // Puts `later`'s lines after these, keeping its storage where it can (these in one part,
  // `later` in one part).
  void Append(StatusLines&& later);

 private:
  std::vector<TransactionStatus> head_, tail_;  // tail_ empty unless two were joined
  TextStore text_;
};

// A part of the file that could not be read as a transaction: it is not in `transactions`.
struct StatusIssue {
  SourcePosition position;
  std::string message;
};

// The status of one original payment information block (OrgnlPmtInfAndSts).
struct PaymentInformationStatus {
  std::string original_payment_information_id;
  std::string status_code;  // PmtInfSts, or "" when none was given
  std::vector<StatusReason> reasons;
  SourcePosition position;
};

struct StatusReport {
  std::string format;  // "pain.002.001.10", "pain.002.001.03" or "csv"
  // From the group header and OrgnlGrpInfAndSts (empty for CSV).
  std::string message_id;
  std::string created_at;
  std::string original_message_id;
  std::string original_message_name_id;  // "pain.001.001.09"
  std::string group_status;              // GrpSts, or "" when none was given
  std::vector<StatusReason> group_reasons;
  std::vector<PaymentInformationStatus> payment_informations;
  StatusLines transactions;        // in file order, repeats included
  std::vector<StatusIssue> issues;              // in file order
};

// What the system knows of an instruction when a status arrives.
struct InstructionState {
  bool known = false;  // an instruction with this id was sent
  // Its outcome so far for the current attempt; nullopt while only sent. A retry after a
  // rejection is a new attempt with the same id: the caller resets this to nullopt.
  std::optional<TransactionOutcome> outcome;
};

// What to do with one TransactionStatus.
enum class StatusDisposition : uint8_t {
  kApply,               // a change to record
  kUnchanged,           // the instruction already has this outcome: nothing to do
  kRepeated,            // the same id appeared earlier in this file with the same outcome
  kConflictInFile,      // the same id appears in this file with different outcomes: none of
                        // them is applied
  kUnknownInstruction,  // no instruction has this id
  kContradictsFinal,    // the instruction already has a different final outcome
  kStale,               // an earlier stage than the instruction has reached (ACCP after ACSC)
};
std::string_view StatusDispositionName(StatusDisposition disposition);

// What ReviewStatuses decided of each line, in the lines' order: a byte a line, and a message
// for each line not applied.
class StatusReviews {
 public:
  size_t size() const { return dispositions_.size(); }
  StatusDisposition disposition(size_t line) const { return dispositions_[line]; }
  // For people, naming the line: "line 40: ... repeats line 31". Empty for kApply (a change
  // applied needs no explanation, and a million-line file is mostly such lines).
  std::string_view message(size_t line) const;

 private:
  friend StatusReviews ReviewOrderedStatuses(
      const StatusLines& statuses, const std::vector<size_t>& order,
      const std::function<InstructionState(size_t index)>& lookup);
  std::vector<StatusDisposition> dispositions_;
  std::vector<std::pair<size_t, std::string>> messages_;  // by line, once reviewed
};

// Decides, for each status in file order, what it may change. `lookup` gives the instruction's
// state by end-to-end id. A disposition per status, in the same order. Moving an outcome
// back (a final outcome to another, accepted to pending) is never applied; paid → returned is.
StatusReviews ReviewStatuses(
    const StatusLines& statuses,
    const std::function<InstructionState(std::string_view end_to_end_id)>& lookup);

// The statuses' indices grouped by id: sorted by end-to-end id (bytes), then by index.
std::vector<size_t> OrderById(const StatusLines& statuses);

// ReviewStatuses for a caller that has grouped the lines already: `order` is
// OrderById(statuses), and `lookup(i)` gives the state of the instruction that statuses[i]
// names (asked once an id, for the id's first line).
StatusReviews ReviewOrderedStatuses(const StatusLines& statuses, const std::vector<size_t>& order,
                                    const std::function<InstructionState(size_t index)>& lookup);

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_STATUS_REPORT_H_
