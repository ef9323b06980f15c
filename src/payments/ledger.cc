#include "payments/ledger.h"

#include <map>

#include "payments/internal/text.h"

namespace spode::payments {
namespace {

using internal::Quote;

constexpr size_t kMaxIdChars = 64;
constexpr size_t kMaxKeyChars = 200;
constexpr size_t kMaxMemoBytes = 500;

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

Status CheckId(std::string_view field, std::string_view value) {
  if (value.empty()) return InvalidArgumentError(std::string(field) + ": missing");
  if (value.size() > kMaxIdChars) {
    return InvalidArgumentError(std::string(field) + ": longer than " +
                                std::to_string(kMaxIdChars) + " characters");
  }
  for (char c : value) {
    if (!IsIdChar(c)) {
      return InvalidArgumentError(std::string(field) + ": " + Quote(value) +
                                  " has a character other than letters, digits, '_', '-', '.'");
    }
  }
  return OkStatus();
}

int64_t Signed(const JournalLine& line) {
  return line.side == Side::kDebit ? line.amount.paise() : -line.amount.paise();
}

std::string EntrySubject(int64_t entry_id, std::string_view key) {
  std::string s = "entry " + std::to_string(entry_id);
  if (!key.empty()) s += " (key " + Quote(key) + ")";
  return s;
}

std::string Rupees(int64_t paise) { return "Rs " + Money::FromPaise(paise).ToString(); }

}  // namespace

std::string_view AccountKindName(AccountKind kind) {
  switch (kind) {
    case AccountKind::kTreasury:
      return "treasury";
    case AccountKind::kSchemeBudget:
      return "scheme_budget";
    case AccountKind::kPayable:
      return "payable";
    case AccountKind::kBankClearing:
      return "bank_clearing";
    case AccountKind::kBeneficiary:
      return "beneficiary";
  }
  return "unknown";
}

std::string_view SideName(Side side) { return side == Side::kDebit ? "debit" : "credit"; }

std::optional<AccountKind> ParseAccountKind(std::string_view name) {
  for (AccountKind k : {AccountKind::kTreasury, AccountKind::kSchemeBudget, AccountKind::kPayable,
                        AccountKind::kBankClearing, AccountKind::kBeneficiary}) {
    if (AccountKindName(k) == name) return k;
  }
  return std::nullopt;
}

Status AccountKey::Validate() const {
  RETURN_IF_ERROR(CheckId("scheme_id", scheme_id));
  switch (kind) {
    case AccountKind::kTreasury:
    case AccountKind::kSchemeBudget:
      if (!holder.empty()) {
        return InvalidArgumentError("holder: a " + std::string(AccountKindName(kind)) +
                                    " account has no holder");
      }
      return OkStatus();
    case AccountKind::kBeneficiary:
      return CheckId("holder", holder);
    case AccountKind::kPayable:
    case AccountKind::kBankClearing:
      return holder.empty() ? OkStatus() : CheckId("holder", holder);
  }
  return InvalidArgumentError("kind: unknown account kind");
}

std::string AccountKey::Code() const {
  std::string code(AccountKindName(kind));
  code += ':';
  code += scheme_id;
  if (!holder.empty()) {
    code += ':';
    code += holder;
  }
  return code;
}

JournalEntry JournalEntry::Transfer(std::string idempotency_key, std::string kind, AccountKey from,
                                    AccountKey to, Money amount, std::string memo) {
  JournalEntry entry;
  entry.idempotency_key = std::move(idempotency_key);
  entry.kind = std::move(kind);
  entry.memo = std::move(memo);
  entry.lines.push_back({std::move(to), Side::kDebit, amount});
  entry.lines.push_back({std::move(from), Side::kCredit, amount});
  return entry;
}

Result<Money> JournalEntry::Validate() const {
  if (idempotency_key.empty()) return InvalidArgumentError("idempotency_key: missing");
  if (idempotency_key.size() > kMaxKeyChars) {
    return InvalidArgumentError("idempotency_key: longer than " + std::to_string(kMaxKeyChars) +
                                " characters");
  }
  for (char c : idempotency_key) {
    if (c < 0x21 || c > 0x7E) {
      return InvalidArgumentError("idempotency_key: " + Quote(idempotency_key) +
                                  " has a character that is not printable ASCII");
    }
  }
  if (kind.empty() || kind.size() > kMaxIdChars) {
    return InvalidArgumentError("kind: 1 to 64 characters required");
  }
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return InvalidArgumentError("kind: " + Quote(kind) + " is not snake_case");
    }
  }
  if (memo.size() > kMaxMemoBytes || internal::FirstInvalidUtf8(memo)) {
    return InvalidArgumentError("memo: more than 500 bytes, or not UTF-8");
  }
  if (lines.size() < 2) {
    return InvalidArgumentError("lines: an entry needs at least two lines, has " +
                                std::to_string(lines.size()));
  }
  Money debits, credits;
  for (size_t i = 0; i < lines.size(); ++i) {
    const JournalLine& line = lines[i];
    std::string where = "lines[" + std::to_string(i) + "]";
    Status key = line.account.Validate();
    if (!key.ok()) return key.WithContext(where + ".account");
    if (line.amount <= Money()) {
      return InvalidArgumentError(where + ".amount: must be positive, is " +
                                  line.amount.ToString());
    }
    std::optional<Money> sum =
        (line.side == Side::kDebit ? debits : credits).CheckedAdd(line.amount);
    if (!sum) return OutOfRangeError(where + ".amount: the entry's total overflows");
    (line.side == Side::kDebit ? debits : credits) = *sum;
  }
  if (debits != credits) {
    return InvalidArgumentError("unbalanced entry " + Quote(idempotency_key) + ": debits " +
                                Rupees(debits.paise()) + ", credits " + Rupees(credits.paise()));
  }
  return debits;
}

std::string_view LedgerProblemKindName(LedgerProblem::Kind kind) {
  switch (kind) {
    case LedgerProblem::Kind::kUnbalancedLedger:
      return "unbalanced_ledger";
    case LedgerProblem::Kind::kUnbalancedEntry:
      return "unbalanced_entry";
    case LedgerProblem::Kind::kEntryTotalMismatch:
      return "entry_total_mismatch";
    case LedgerProblem::Kind::kLineCountMismatch:
      return "line_count_mismatch";
    case LedgerProblem::Kind::kBrokenChain:
      return "broken_chain";
    case LedgerProblem::Kind::kOrphanLine:
      return "orphan_line";
    case LedgerProblem::Kind::kUnknownAccount:
      return "unknown_account";
    case LedgerProblem::Kind::kWrongSideBalance:
      return "wrong_side_balance";
  }
  return "unknown";
}

std::string LedgerCheck::Summary() const {
  std::string s = "ledger: " + std::to_string(accounts) + " accounts, " + std::to_string(entries) +
                  " entries, " + std::to_string(lines) + " lines; debits " +
                  Rupees(total_debits.paise()) + ", credits " + Rupees(total_credits.paise()) +
                  "; ";
  if (ok()) return s + "balanced, no problems\n";
  s += std::to_string(problems_found) + " problem(s)";
  if (static_cast<int64_t>(problems.size()) < problems_found) {
    s += " (" + std::to_string(problems.size()) + " listed)";
  }
  s += "\n";
  for (const LedgerProblem& p : problems) {
    s += "  " + std::string(LedgerProblemKindName(p.kind)) + ": " + p.subject + ": " + p.message +
         "\n";
  }
  return s;
}

Status Ledger::EnsureAccount(const AccountKey& account) {
  return db_
      .Execute(
          "INSERT INTO ledger_accounts (account_code, kind, scheme_id, holder, opened_at_us) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_code) DO NOTHING",
          {account.Code(), std::string(AccountKindName(account.kind)), account.scheme_id,
           account.holder, clock_.Now().micros})
      .status();
}

Result<PostResult> Ledger::Post(const JournalEntry& entry) {
  ASSIGN_OR_RETURN(Money total, entry.Validate());
  if (!db_.InTransaction()) {
    return FailedPreconditionError(
        "ledger: Post must run inside the caller's transaction, with the change it records");
  }
  std::string scheme_id = entry.lines.front().account.scheme_id;
  for (const JournalLine& line : entry.lines) {
    if (line.account.scheme_id != scheme_id) scheme_id.clear();
  }
  const int64_t line_count = static_cast<int64_t>(entry.lines.size());
  ASSIGN_OR_RETURN(
      std::optional<storage::Row> inserted,
      db_.QueryOne(
          "INSERT INTO ledger_entries (idempotency_key, kind, scheme_id, memo, line_count, "
          "total_paise, posted_at_us) VALUES (?, ?, ?, ?, ?, ?, ?) "
          "ON CONFLICT (idempotency_key) DO NOTHING RETURNING entry_id",
          {entry.idempotency_key, entry.kind,
           scheme_id.empty() ? storage::Value(storage::Null{}) : storage::Value(scheme_id),
           entry.memo, line_count, total.paise(), clock_.Now().micros}));
  if (!inserted) {
    ASSIGN_OR_RETURN(std::optional<PostedEntry> existing, FindEntry(entry.idempotency_key));
    if (!existing) {
      return AbortedError("ledger: entry " + Quote(entry.idempotency_key) +
                          " conflicted with a concurrent post; retry the transaction");
    }
    bool same = existing->kind == entry.kind && existing->lines.size() == entry.lines.size();
    for (size_t i = 0; same && i < entry.lines.size(); ++i) {
      const PostedLine& old = existing->lines[i];
      const JournalLine& now = entry.lines[i];
      same = old.account_code == now.account.Code() && old.side == now.side &&
             old.amount == now.amount;
    }
    if (!same) {
      return AlreadyExistsError("ledger: idempotency key " + Quote(entry.idempotency_key) +
                                " was already posted with other lines (entry " +
                                std::to_string(existing->entry_id) + ")");
    }
    return PostResult{existing->entry_id, false};
  }
  const int64_t entry_id = inserted->Int(0);

  std::map<std::string, const AccountKey*> accounts;
  for (const JournalLine& line : entry.lines) accounts.emplace(line.account.Code(), &line.account);
  for (const auto& [code, key] : accounts) RETURN_IF_ERROR(EnsureAccount(*key));

  int64_t running = 0;
  for (int64_t i = 0; i < line_count; ++i) {
    const JournalLine& line = entry.lines[static_cast<size_t>(i)];
    const int64_t line_no = i + 1;
    const int64_t previous = running;
    running += Signed(line);  // bounded by the totals Validate checked
    RETURN_IF_ERROR(
        db_.Execute("INSERT INTO ledger_lines (entry_id, line_no, account_code, amount_paise, "
                    "running_paise, prev_line_no, prev_running_paise, line_count) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    {entry_id, line_no, line.account.Code(), Signed(line), running,
                     line_no == 1 ? storage::Value(storage::Null{}) : storage::Value(line_no - 1),
                     previous, line_count})
            .status());
  }
  if (running != 0) {
    // Validate checked the totals; reaching here is a bug, and committing would corrupt money.
    // The schema's deferred keys would refuse the commit anyway.
    return InternalError("ledger: entry " + Quote(entry.idempotency_key) +
                         " does not close at zero after validation");
  }
  return PostResult{entry_id, true};
}

Result<std::optional<PostedEntry>> Ledger::FindEntry(std::string_view idempotency_key) {
  ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                   db_.QueryOne("SELECT entry_id, kind, scheme_id, memo, total_paise, posted_at_us "
                                "FROM ledger_entries WHERE idempotency_key = ?",
                                {std::string(idempotency_key)}));
  if (!row) return std::optional<PostedEntry>();
  PostedEntry entry;
  entry.entry_id = row->Int(0);
  entry.idempotency_key = std::string(idempotency_key);
  entry.kind = row->Text(1);
  entry.scheme_id = row->Text(2);
  entry.memo = row->Text(3);
  entry.total = Money::FromPaise(row->Int(4));
  entry.posted_at = Timestamp{row->Int(5)};
  ASSIGN_OR_RETURN(std::vector<storage::Row> lines,
                   db_.Query("SELECT account_code, amount_paise FROM ledger_lines "
                             "WHERE entry_id = ? ORDER BY line_no",
                             {entry.entry_id}));
  for (const storage::Row& line : lines) {
    int64_t amount = line.Int(1);
    entry.lines.push_back({line.Text(0), amount > 0 ? Side::kDebit : Side::kCredit,
                           Money::FromPaise(amount > 0 ? amount : -amount)});
  }
  return std::optional<PostedEntry>(std::move(entry));
}

Result<Money> Ledger::Balance(const AccountKey& account) {
  RETURN_IF_ERROR(account.Validate());
  ASSIGN_OR_RETURN(std::optional<storage::Row> row,
                   db_.QueryOne("SELECT CAST(COALESCE(SUM(amount_paise), 0) AS BIGINT) "
                                "FROM ledger_lines WHERE account_code = ?",
                                {account.Code()}));
  return Money::FromPaise(row ? row->Int(0) : 0);
}

Result<LedgerCheck> Ledger::Check() {
  LedgerCheck check;
  std::map<LedgerProblem::Kind, int> listed;
  auto problem = [&](LedgerProblem::Kind kind, std::string subject, std::string message) {
    ++check.problems_found;
    if (listed[kind]++ < LedgerCheck::kMaxProblemsPerKind) {
      check.problems.push_back({kind, std::move(subject), std::move(message)});
    }
  };
  const std::string limit = " LIMIT " + std::to_string(LedgerCheck::kMaxProblemsPerKind + 1);
  // Counts beyond the listed problems come from a COUNT(*) of the same condition.
  auto count_beyond = [&](size_t rows, const std::string& count_sql) -> Status {
    if (rows <= static_cast<size_t>(LedgerCheck::kMaxProblemsPerKind)) return OkStatus();
    ASSIGN_OR_RETURN(std::optional<storage::Row> n, db_.QueryOne(count_sql));
    int64_t extra = (n ? n->Int(0) : 0) - static_cast<int64_t>(rows);
    check.problems_found += extra > 0 ? extra : 0;
    return OkStatus();
  };

  ASSIGN_OR_RETURN(std::optional<storage::Row> totals,
                   db_.QueryOne("SELECT COUNT(*), "
                                "CAST(COALESCE(SUM(CASE WHEN amount_paise > 0 THEN amount_paise "
                                "ELSE 0 END), 0) AS BIGINT), "
                                "CAST(COALESCE(SUM(CASE WHEN amount_paise < 0 THEN -amount_paise "
                                "ELSE 0 END), 0) AS BIGINT) FROM ledger_lines"));
  check.lines = totals->Int(0);
  check.total_debits = Money::FromPaise(totals->Int(1));
  check.total_credits = Money::FromPaise(totals->Int(2));
  ASSIGN_OR_RETURN(std::optional<storage::Row> entries,
                   db_.QueryOne("SELECT COUNT(*) FROM ledger_entries"));
  check.entries = entries->Int(0);
  ASSIGN_OR_RETURN(std::optional<storage::Row> accounts,
                   db_.QueryOne("SELECT COUNT(*) FROM ledger_accounts"));
  check.accounts = accounts->Int(0);
  if (check.total_debits != check.total_credits) {
    problem(LedgerProblem::Kind::kUnbalancedLedger, "ledger",
            "debits " + Rupees(check.total_debits.paise()) + " differ from credits " +
                Rupees(check.total_credits.paise()));
  }

  // Per entry: the sum of its lines, their number, and the sum of its debits.
  const std::string per_entry =
      "FROM ledger_entries e LEFT JOIN (SELECT entry_id, COUNT(*) AS n, "
      "CAST(SUM(amount_paise) AS BIGINT) AS net, "
      "CAST(SUM(CASE WHEN amount_paise > 0 THEN amount_paise ELSE 0 END) AS BIGINT) AS debits "
      "FROM ledger_lines GROUP BY entry_id) l ON l.entry_id = e.entry_id "
      "WHERE COALESCE(l.net, 0) <> 0 OR COALESCE(l.n, 0) <> e.line_count "
      "OR COALESCE(l.debits, 0) <> e.total_paise";
  ASSIGN_OR_RETURN(std::vector<storage::Row> bad_entries,
                   db_.Query("SELECT e.entry_id, e.idempotency_key, e.line_count, e.total_paise, "
                             "COALESCE(l.n, 0), COALESCE(l.net, 0), COALESCE(l.debits, 0) " +
                             per_entry + " ORDER BY e.entry_id" + limit));
  for (const storage::Row& r : bad_entries) {
    std::string subject = EntrySubject(r.Int(0), r.Text(1));
    int64_t recorded_lines = r.Int(2), recorded_total = r.Int(3);
    int64_t lines = r.Int(4), net = r.Int(5), debits = r.Int(6);
    if (net != 0) {
      problem(LedgerProblem::Kind::kUnbalancedEntry, subject,
              "debits " + Rupees(debits) + " differ from credits " + Rupees(debits - net));
    }
    if (lines != recorded_lines) {
      problem(LedgerProblem::Kind::kLineCountMismatch, subject,
              "has " + std::to_string(lines) + " lines, records " + std::to_string(recorded_lines));
    }
    if (debits != recorded_total) {
      problem(
          LedgerProblem::Kind::kEntryTotalMismatch, subject,
          "debits " + Rupees(debits) + " differ from the recorded total " + Rupees(recorded_total));
    }
  }
  RETURN_IF_ERROR(count_beyond(bad_entries.size(), "SELECT COUNT(*) " + per_entry));

  // Running totals out of sequence (possible only when the schema's keys were bypassed).
  const std::string chain =
      "FROM (SELECT entry_id, line_no, running_paise, "
      "SUM(amount_paise) OVER (PARTITION BY entry_id ORDER BY line_no) AS cumulative, "
      "ROW_NUMBER() OVER (PARTITION BY entry_id ORDER BY line_no) AS position "
      "FROM ledger_lines) x WHERE x.running_paise <> x.cumulative OR x.line_no <> x.position";
  ASSIGN_OR_RETURN(std::vector<storage::Row> broken,
                   db_.Query("SELECT entry_id, line_no, running_paise, "
                             "CAST(cumulative AS BIGINT) " +
                             chain + " ORDER BY entry_id, line_no" + limit));
  for (const storage::Row& r : broken) {
    problem(LedgerProblem::Kind::kBrokenChain, EntrySubject(r.Int(0), ""),
            "line " + std::to_string(r.Int(1)) + " records a running total of " + Rupees(r.Int(2)) +
                " where its lines sum to " + Rupees(r.Int(3)) +
                " (or the line numbers have a gap)");
  }
  RETURN_IF_ERROR(count_beyond(broken.size(), "SELECT COUNT(*) " + chain));

  const std::string orphans =
      "FROM ledger_lines l LEFT JOIN ledger_entries e ON e.entry_id = l.entry_id "
      "WHERE e.entry_id IS NULL";
  ASSIGN_OR_RETURN(std::vector<storage::Row> orphan_rows,
                   db_.Query("SELECT l.entry_id, l.line_no " + orphans +
                             " ORDER BY l.entry_id, l.line_no" + limit));
  for (const storage::Row& r : orphan_rows) {
    problem(LedgerProblem::Kind::kOrphanLine, EntrySubject(r.Int(0), ""),
            "line " + std::to_string(r.Int(1)) + " has no entry");
  }
  RETURN_IF_ERROR(count_beyond(orphan_rows.size(), "SELECT COUNT(*) " + orphans));

  const std::string unknown =
      "FROM ledger_lines l LEFT JOIN ledger_accounts a ON a.account_code = l.account_code "
      "WHERE a.account_code IS NULL";
  ASSIGN_OR_RETURN(std::vector<storage::Row> unknown_rows,
                   db_.Query("SELECT l.account_code, l.entry_id, l.line_no " + unknown +
                             " ORDER BY l.entry_id, l.line_no" + limit));
  for (const storage::Row& r : unknown_rows) {
    problem(LedgerProblem::Kind::kUnknownAccount, Quote(r.Text(0)),
            EntrySubject(r.Int(1), "") + " line " + std::to_string(r.Int(2)) +
                " names an account that does not exist");
  }
  RETURN_IF_ERROR(count_beyond(unknown_rows.size(), "SELECT COUNT(*) " + unknown));

  const std::string wrong_side =
      "FROM (SELECT a.account_code, a.kind, CAST(SUM(l.amount_paise) AS BIGINT) AS balance "
      "FROM ledger_lines l JOIN ledger_accounts a ON a.account_code = l.account_code "
      "GROUP BY a.account_code, a.kind) b "
      "WHERE (b.kind = 'treasury' AND b.balance > 0) OR (b.kind <> 'treasury' AND b.balance < 0)";
  ASSIGN_OR_RETURN(std::vector<storage::Row> wrong_rows,
                   db_.Query("SELECT b.account_code, b.kind, b.balance " + wrong_side +
                             " ORDER BY b.account_code" + limit));
  for (const storage::Row& r : wrong_rows) {
    bool treasury = r.Text(1) == "treasury";
    problem(LedgerProblem::Kind::kWrongSideBalance, r.Text(0),
            std::string(treasury ? "a treasury account has a debit balance of "
                                 : "a " + r.Text(1) + " account is overdrawn: balance ") +
                Rupees(r.Int(2)));
  }
  RETURN_IF_ERROR(count_beyond(wrong_rows.size(), "SELECT COUNT(*) " + wrong_side));
  return check;
}

}  // namespace spode::payments
