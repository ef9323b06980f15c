#include "payments/status_report.h"

#include <array>
#include <algorithm>
#include <utility>

#include "payments/internal/order.h"
#include "payments/internal/text.h"

namespace spode::payments {
namespace {

struct CodeOutcome {
  std::string_view code;
  TransactionOutcome outcome;
};

// ISO 20022 ExternalPaymentTransactionStatus1Code, plus this module's RTND (csv_profile.h).
constexpr std::array<CodeOutcome, 18> kStatusCodes = {{
    {"ACCC", TransactionOutcome::kPaid},      // settlement on the creditor's account completed
    {"ACSC", TransactionOutcome::kPaid},      // settlement on the debtor's account completed
    {"ACCP", TransactionOutcome::kAccepted},  // customer profile checks passed
    {"ACFC", TransactionOutcome::kAccepted},  // funds checked
    {"ACIS", TransactionOutcome::kAccepted},  // accepted, cheque issued
    {"ACPD", TransactionOutcome::kAccepted},  // clearing processed
    {"ACSP", TransactionOutcome::kAccepted},  // settlement in process
    {"ACTC", TransactionOutcome::kAccepted},  // technical validation passed
    {"ACWC", TransactionOutcome::kAccepted},  // accepted with change
    {"ACWP", TransactionOutcome::kAccepted},  // accepted without posting
    {"BLCK", TransactionOutcome::kPending},   // blocked (held by the bank)
    {"PATC", TransactionOutcome::kPending},   // partially accepted, more signatures needed
    {"PDNG", TransactionOutcome::kPending},
    {"PRES", TransactionOutcome::kPending},
    {"RCVD", TransactionOutcome::kPending},
    {"RJCT", TransactionOutcome::kRejected},
    {"CANC", TransactionOutcome::kRejected},  // cancelled before execution
    {"RTND", TransactionOutcome::kReturned},  // not ISO: the CSV profile's return after credit
}};

int Stage(TransactionOutcome o) {
  switch (o) {
    case TransactionOutcome::kPending:
      return 0;
    case TransactionOutcome::kAccepted:
      return 1;
    default:
      return 2;
  }
}

// Whether `to` may follow `from` for one attempt of an instruction.
bool MovesForward(TransactionOutcome from, TransactionOutcome to) {
  if (IsFinal(from))
    return from == TransactionOutcome::kPaid && to == TransactionOutcome::kReturned;
  return Stage(to) > Stage(from);
}

std::string LineOf(const TransactionStatus& s) { return "line " + std::to_string(s.position.line); }

}  // namespace

std::string SourcePosition::ToString() const {
  std::string s = "line " + std::to_string(line);
  if (column > 0) s += ", column " + std::to_string(column);
  if (!path.empty()) s += " (" + path + ")";
  return s;
}

std::string_view TransactionOutcomeName(TransactionOutcome outcome) {
  switch (outcome) {
    case TransactionOutcome::kPending:
      return "pending";
    case TransactionOutcome::kAccepted:
      return "accepted";
    case TransactionOutcome::kPaid:
      return "paid";
    case TransactionOutcome::kRejected:
      return "rejected";
    case TransactionOutcome::kReturned:
      return "returned";
  }
  return "unknown";
}

bool IsFinal(TransactionOutcome outcome) { return Stage(outcome) == 2; }

std::optional<TransactionOutcome> OutcomeOfStatusCode(std::string_view code) {
  for (const CodeOutcome& c : kStatusCodes) {
    if (c.code == code) return c.outcome;
  }
  return std::nullopt;
}

bool IsKnownGroupStatusCode(std::string_view code) {
  return code == "PART" || (code != "RTND" && OutcomeOfStatusCode(code).has_value());
}

std::string_view StatusDispositionName(StatusDisposition disposition) {
  switch (disposition) {
    case StatusDisposition::kApply:
      return "apply";
    case StatusDisposition::kUnchanged:
      return "unchanged";
    case StatusDisposition::kRepeated:
      return "repeated";
    case StatusDisposition::kConflictInFile:
      return "conflict_in_file";
    case StatusDisposition::kUnknownInstruction:
      return "unknown_instruction";
    case StatusDisposition::kContradictsFinal:
      return "contradicts_final";
    case StatusDisposition::kStale:
      return "stale";
  }
  return "unknown";
}

std::string_view TextStore::Keep(std::string_view text) {
  if (text.empty()) return {};
  if (text.size() > room_) {
    if (text.size() > kBlockBytes / 4) {  // a block of its own; the current one stays current
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(text.size()));
      std::copy(text.begin(), text.end(), blocks_.back().get());
      return {blocks_.back().get(), text.size()};
    }
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
    next_ = blocks_.back().get();
    room_ = kBlockBytes;
  }
  std::copy(text.begin(), text.end(), next_);
  std::string_view kept(next_, text.size());
  next_ += text.size();
  room_ -= text.size();
  return kept;
}

void TextStore::Append(TextStore&& other) {
  blocks_.reserve(blocks_.size() + other.blocks_.size());
  for (std::unique_ptr<char[]>& block : other.blocks_) blocks_.push_back(std::move(block));
  if (other.room_ > room_) {  // the room left in whichever current block has more
    next_ = other.next_;
    room_ = other.room_;
  }
  other = TextStore();
}

void StatusLines::Append(StatusLines&& later) {
  text_.Append(std::move(later.text_));
  if (later.empty()) return;
  if (tail_.empty() && later.tail_.empty()) {
    if (head_.empty()) {
      head_ = std::move(later.head_);
    } else {
      tail_ = std::move(later.head_);
    }
  } else {
    for (size_t i = 0; i < later.size(); ++i) push_back(std::move(later[i]));
  }
  later = StatusLines();
}

std::vector<size_t> OrderById(const StatusLines& statuses) {
  return internal::OrderByBytes(
      statuses.size(), [&](size_t i) -> std::string_view { return statuses[i].end_to_end_id; });
}

std::string_view StatusReviews::message(size_t line) const {
  auto it = std::lower_bound(messages_.begin(), messages_.end(), line,
                             [](const auto& m, size_t l) { return m.first < l; });
  return it != messages_.end() && it->first == line ? std::string_view(it->second)
                                                    : std::string_view();
}

StatusReviews ReviewStatuses(
    const StatusLines& statuses,
    const std::function<InstructionState(std::string_view end_to_end_id)>& lookup) {
  return ReviewOrderedStatuses(statuses, OrderById(statuses), [&](size_t i) {
    return lookup(statuses[i].end_to_end_id);
  });
}

StatusReviews ReviewOrderedStatuses(const StatusLines& statuses, const std::vector<size_t>& order,
                                    const std::function<InstructionState(size_t index)>& lookup) {
  StatusReviews review;
  review.dispositions_.assign(statuses.size(), StatusDisposition::kApply);
  auto decide = [&review](size_t i, StatusDisposition d, std::string message) {
    review.dispositions_[i] = d;
    review.messages_.emplace_back(i, std::move(message));
  };
  // The lines grouped by id (`order`): a million-line file is mostly one line an id; sorting
  // indices allocates once, where a map of vectors allocated per id.
  std::vector<size_t> at;
  for (size_t g = 0; g < order.size();) {
    std::string_view id = statuses[order[g]].end_to_end_id;
    at.clear();
    while (g < order.size() && statuses[order[g]].end_to_end_id == id) at.push_back(order[g++]);
    // Quoted only for a message (most lines need none).
    std::string quoted_text;
    auto quoted = [&]() -> const std::string& {
      if (quoted_text.empty()) quoted_text = internal::Quote(id);
      return quoted_text;
    };

    // Several lines for one id must read as one story (repeats, or forward moves such as paid
    // then returned); otherwise the file contradicts itself and none of them is applied.
    bool consistent = true;
    for (size_t k = 1; k < at.size() && consistent; ++k) {
      TransactionOutcome a = statuses[at[k - 1]].outcome, b = statuses[at[k]].outcome;
      consistent = a == b || MovesForward(a, b);
    }
    if (!consistent) {
      std::string lines;
      for (size_t i : at) {
        if (!lines.empty()) lines += ", ";
        lines += std::to_string(statuses[i].position.line) + " (" +
                 std::string(statuses[i].status_code) + ")";
      }
      for (size_t i : at) {
        decide(i, StatusDisposition::kConflictInFile,
               LineOf(statuses[i]) + ": instruction " + quoted() +
                   " has contradicting statuses in this file, on lines " + lines +
                   "; none is applied");
      }
      continue;
    }

    InstructionState state = lookup(at.front());
    if (!state.known) {
      for (size_t i : at) {
        decide(i, StatusDisposition::kUnknownInstruction,
               LineOf(statuses[i]) + ": no instruction has the id " + quoted());
      }
      continue;
    }
    std::optional<TransactionOutcome> current = state.outcome;
    std::optional<size_t> previous;  // the id's previous line in this file
    for (size_t i : at) {
      const TransactionStatus& s = statuses[i];
      if (previous && statuses[*previous].outcome == s.outcome) {
        decide(i, StatusDisposition::kRepeated,
               LineOf(s) + ": repeats line " + std::to_string(statuses[*previous].position.line) +
                   " for " + quoted());
        previous = i;
        continue;
      }
      previous = i;
      if (!current || (current != s.outcome && MovesForward(*current, s.outcome))) {
        current = s.outcome;  // kApply, as every line starts: no message, nothing to tell
        continue;
      }
      const std::string name(TransactionOutcomeName(s.outcome));
      if (current == s.outcome) {
        decide(i, StatusDisposition::kUnchanged,
               LineOf(s) + ": " + quoted() + " is already " + name);
        continue;
      }
      const std::string was(TransactionOutcomeName(*current));
      if (IsFinal(*current)) {
        decide(i, StatusDisposition::kContradictsFinal,
               LineOf(s) + ": " + quoted() + " is already " + was + " (final); the file says " +
                   name + " (" + std::string(s.status_code) + "); nothing changed");
      } else {
        decide(i, StatusDisposition::kStale,
               LineOf(s) + ": " + quoted() + " is already " + was + "; the file's " + name + " (" +
                   std::string(s.status_code) + ") is an earlier stage; nothing changed");
      }
    }
  }
  // Found an id at a time; read a line at a time.
  std::sort(review.messages_.begin(), review.messages_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return review;
}

}  // namespace spode::payments
