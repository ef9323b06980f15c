// Ledger: the double-entry ledger of scheme money, in the database (tables in schema.cc).
//
//   payments::Ledger ledger(db, clock);
//   ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db));
//   ASSIGN_OR_RETURN(payments::PostResult posted,
//                    ledger.Post(payments::JournalEntry::Transfer(
//                        "approve/old_age_pension/2026-11/70000000012", "cycle_approval",
//                        payments::AccountKey::SchemeBudget("old_age_pension"),
//                        payments::AccountKey::Payable("old_age_pension"),
//                        Money::FromRupees(1000))));
//   RETURN_IF_ERROR(tx.Commit());          // posted.created is false on a repeat: a no-op
//   ASSIGN_OR_RETURN(payments::LedgerCheck check, ledger.Check());
//
// Money moves along the chain treasury → scheme budget → payable → bank clearing → beneficiary
// (README.md, "The ledger"): a transfer of X "from A to B" debits B and credits A. Every entry
// balances (its debits equal its credits) and this is enforced twice: Post refuses an unbalanced
// entry before writing anything, and the schema makes an unbalanced entry impossible to commit
// even for SQL that goes around this class. Entries are never edited: a correction is a new,
// reversing entry.
//
// Idempotency: every entry carries an idempotency key, unique in the database. Posting an entry
// whose key is already posted with the same lines changes nothing and reports created = false;
// with different lines it is ALREADY_EXISTS (a bug in the caller: one key, two events).
//
// Thread-safety: a Ledger borrows one Database (one connection) and is as thread-safe as it is:
// not at all. Give each thread its own Database and Ledger. The clock is borrowed too.
#ifndef SPODE_PAYMENTS_LEDGER_H_
#define SPODE_PAYMENTS_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/result.h"
#include "common/time_source.h"
#include "storage/database.h"

namespace spode::payments {

// What an account holds. The comment gives its normal balance (debits minus credits), which
// Check enforces.
enum class AccountKind {
  kTreasury,      // where a scheme's sanctioned budget comes from (≤ 0)
  kSchemeBudget,  // sanctioned and not yet committed to beneficiaries (≥ 0)
  kPayable,       // approved entitlements not yet sent to a bank (≥ 0)
  kBankClearing,  // sent to a bank, not yet confirmed credited or returned (≥ 0)
  kBeneficiary,   // credited to a beneficiary, net of returns (≥ 0)
};

// "treasury", "scheme_budget", "payable", "bank_clearing", "beneficiary" (the stored names).
std::string_view AccountKindName(AccountKind kind);
std::optional<AccountKind> ParseAccountKind(std::string_view name);

// An account, named by what it is for. Accounts are opened on first use.
//   scheme_id  the scheme (letters, digits, '_', '-', '.'; 1-64 characters); every account
//              belongs to one scheme.
//   holder     kBeneficiary: the beneficiary (member) id, required. kPayable: optionally a
//              beneficiary id, for a payable per beneficiary. kBankClearing: optionally a bank
//              (an IFSC's first four letters, say). kTreasury, kSchemeBudget: empty.
struct AccountKey {
  AccountKind kind = AccountKind::kTreasury;
  std::string scheme_id;
  std::string holder;

  static AccountKey Treasury(std::string scheme_id) {
    return {AccountKind::kTreasury, std::move(scheme_id), ""};
  }
  static AccountKey SchemeBudget(std::string scheme_id) {
    return {AccountKind::kSchemeBudget, std::move(scheme_id), ""};
  }
  static AccountKey Payable(std::string scheme_id, std::string beneficiary_id = "") {
    return {AccountKind::kPayable, std::move(scheme_id), std::move(beneficiary_id)};
  }
  static AccountKey BankClearing(std::string scheme_id, std::string bank = "") {
    return {AccountKind::kBankClearing, std::move(scheme_id), std::move(bank)};
  }
  static AccountKey Beneficiary(std::string scheme_id, std::string beneficiary_id) {
    return {AccountKind::kBeneficiary, std::move(scheme_id), std::move(beneficiary_id)};
  }

  // INVALID_ARGUMENT naming the field when the key breaks the rules above.
  Status Validate() const;
  // The stored account code: "<kind>:<scheme_id>" or "<kind>:<scheme_id>:<holder>",
  // e.g. "beneficiary:old_age_pension:70000000012".
  std::string Code() const;

  friend bool operator==(const AccountKey&, const AccountKey&) = default;
};

enum class Side { kDebit, kCredit };
std::string_view SideName(Side side);  // "debit", "credit"

struct JournalLine {
  AccountKey account;
  Side side = Side::kDebit;
  Money amount;  // > 0
};

struct JournalEntry {
  // Unique per event, e.g. "approve/<scheme>/<cycle>/<beneficiary>". 1-200 printable ASCII
  // characters.
  std::string idempotency_key;
  // What the event was, in snake_case: "budget_sanction", "cycle_approval", "bank_file_sent",
  // "credit_confirmed", "bank_rejected", "returned". 1-64 characters [a-z0-9_].
  std::string kind;
  std::string memo;                // free text for people (≤ 500 bytes)
  std::vector<JournalLine> lines;  // at least two; debits must equal credits

  // Moves `amount` from `from` to `to`: debits `to`, credits `from`.
  static JournalEntry Transfer(std::string idempotency_key, std::string kind, AccountKey from,
                               AccountKey to, Money amount, std::string memo = "");

  // The total of the debit lines. INVALID_ARGUMENT when the entry is malformed: fewer than two
  // lines, an amount that is not positive, debits that do not equal credits (the message gives
  // both totals), an invalid account key, key or kind. OUT_OF_RANGE when a total overflows.
  Result<Money> Validate() const;
};

struct PostResult {
  int64_t entry_id = 0;
  bool created = false;  // false: the key was already posted with these lines (a no-op)
};

struct PostedLine {
  std::string account_code;
  Side side = Side::kDebit;
  Money amount;
};

struct PostedEntry {
  int64_t entry_id = 0;
  std::string idempotency_key;
  std::string kind;
  std::string scheme_id;  // the scheme shared by every line's account; empty when they differ
  std::string memo;
  Money total;  // the sum of the debits
  Timestamp posted_at;
  std::vector<PostedLine> lines;  // in line order
};

// One thing Check found wrong. `subject` names what: an entry ("entry 42 (key ...)"), an account
// code, or "ledger".
struct LedgerProblem {
  enum class Kind {
    kUnbalancedLedger,    // all debits differ from all credits
    kUnbalancedEntry,     // an entry's lines do not sum to zero
    kEntryTotalMismatch,  // an entry's recorded total differs from the sum of its debits
    kLineCountMismatch,   // an entry has another number of lines than it records
    kBrokenChain,         // a line's running total or number is out of sequence
    kOrphanLine,          // a line whose entry does not exist
    kUnknownAccount,      // a line whose account does not exist
    kWrongSideBalance,    // an account's balance has the wrong sign (an overdrawn budget)
  };
  Kind kind;
  std::string subject;
  std::string message;
};

std::string_view LedgerProblemKindName(LedgerProblem::Kind kind);

struct LedgerCheck {
  int64_t accounts = 0;
  int64_t entries = 0;
  int64_t lines = 0;
  Money total_debits;
  Money total_credits;
  // At most kMaxProblemsPerKind of each kind are listed; problems_found counts them all.
  std::vector<LedgerProblem> problems;
  int64_t problems_found = 0;

  static constexpr int kMaxProblemsPerKind = 100;
  bool ok() const { return problems_found == 0; }
  // A few lines for people: the counts, the totals, then each problem.
  std::string Summary() const;
};

class Ledger {
 public:
  Ledger(storage::Database& db, const TimeSource& clock) : db_(db), clock_(clock) {}

  // Writes `entry` inside the caller's open transaction (FAILED_PRECONDITION when none is open:
  // an entry belongs in the same transaction as the state change it records). Opens the
  // accounts it names if needed. INVALID_ARGUMENT / OUT_OF_RANGE as JournalEntry::Validate;
  // ALREADY_EXISTS when the key was posted with other lines; storage errors as database.h.
  Result<PostResult> Post(const JournalEntry& entry);

  // The entry posted under `idempotency_key`, if any.
  Result<std::optional<PostedEntry>> FindEntry(std::string_view idempotency_key);

  // Debits minus credits of the account; zero for an account never used.
  Result<Money> Balance(const AccountKey& account);

  // Verifies the whole ledger: total debits equal total credits; each entry sums to zero, has
  // the lines it records and a total equal to its debits; the running totals are in sequence;
  // no line lacks its entry or account; every account's balance has its kind's sign. The
  // report lists what is wrong; an error Status means the check could not run.
  Result<LedgerCheck> Check();

 private:
  Status EnsureAccount(const AccountKey& account);

  storage::Database& db_;
  const TimeSource& clock_;
};

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_LEDGER_H_
