#include "payments/schema.h"

#include "payments/disbursement_schema.h"
#include "payments/mapper_schema.h"

namespace spode::payments {

// The ledger (ledger.h). Money is integer paise; times are microseconds since the Unix epoch.
//
// Balance is a database rule, not only code, and it is written in the SQL both SQLite and
// PostgreSQL accept (no triggers, whose syntax differs): every line carries the running total of
// its entry up to and including itself, and three foreign keys tie the lines into one chain:
//   ledger_lines_follows  line n>1 names line n-1 and the running total it ended with, so the
//                         running total of line n is the sum of lines 1..n;
//   ledger_lines_closes   every line names the entry's last line (line_count) with a running
//                         total of 0 (closing_paise is always 0), so the entry sums to zero;
//   ledger_lines_entry    every line carries its entry's line_count, which therefore cannot
//                         change, and no line lies beyond it (ledger_lines_within_entry).
// The first two are DEFERRABLE INITIALLY DEFERRED: they are checked at COMMIT, after all the
// entry's lines are written. Any insert, update or delete that leaves an entry not summing to
// zero (a line missing, added, or with another amount) fails at COMMIT with a foreign-key
// violation (FAILED_PRECONDITION), on both backends.
namespace {
std::vector<storage::Migration> LedgerMigrations() {
  return {
      {"payments/0001_ledger", R"sql(
CREATE TABLE ledger_accounts (
  account_code TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN
    ('treasury', 'scheme_budget', 'payable', 'bank_clearing', 'beneficiary')),
  scheme_id TEXT NOT NULL,
  holder TEXT NOT NULL DEFAULT '',
  opened_at_us BIGINT NOT NULL,
  CONSTRAINT ledger_accounts_identity UNIQUE (kind, scheme_id, holder)
);

CREATE TABLE ledger_entries (
  entry_id {{pk}},
  idempotency_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  scheme_id TEXT,
  memo TEXT NOT NULL DEFAULT '',
  line_count BIGINT NOT NULL CHECK (line_count >= 2),
  total_paise BIGINT NOT NULL CHECK (total_paise > 0),
  posted_at_us BIGINT NOT NULL,
  CONSTRAINT ledger_entries_idempotency_key UNIQUE (idempotency_key),
  CONSTRAINT ledger_entries_line_count UNIQUE (entry_id, line_count)
);

-- amount_paise: a debit is positive, a credit negative.
CREATE TABLE ledger_lines (
  entry_id BIGINT NOT NULL,
  line_no BIGINT NOT NULL CHECK (line_no >= 1),
  account_code TEXT NOT NULL REFERENCES ledger_accounts (account_code),
  amount_paise BIGINT NOT NULL CHECK (amount_paise <> 0),
  running_paise BIGINT NOT NULL,
  prev_line_no BIGINT,
  prev_running_paise BIGINT NOT NULL,
  line_count BIGINT NOT NULL,
  closing_paise BIGINT NOT NULL DEFAULT 0 CHECK (closing_paise = 0),
  PRIMARY KEY (entry_id, line_no),
  CONSTRAINT ledger_lines_chain_key UNIQUE (entry_id, line_no, running_paise),
  CONSTRAINT ledger_lines_running CHECK (running_paise = prev_running_paise + amount_paise),
  CONSTRAINT ledger_lines_sequence CHECK (
    (line_no = 1 AND prev_line_no IS NULL AND prev_running_paise = 0) OR
    (line_no > 1 AND prev_line_no IS NOT NULL AND prev_line_no = line_no - 1)),
  CONSTRAINT ledger_lines_within_entry CHECK (line_no <= line_count),
  CONSTRAINT ledger_lines_entry FOREIGN KEY (entry_id, line_count)
    REFERENCES ledger_entries (entry_id, line_count),
  CONSTRAINT ledger_lines_follows FOREIGN KEY (entry_id, prev_line_no, prev_running_paise)
    REFERENCES ledger_lines (entry_id, line_no, running_paise) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT ledger_lines_closes FOREIGN KEY (entry_id, line_count, closing_paise)
    REFERENCES ledger_lines (entry_id, line_no, running_paise) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX ledger_lines_account ON ledger_lines (account_code);
)sql"},
  };
}
}  // namespace

// In order: the ledger, the mapper, instructions and bank files (each file owns its own).
std::vector<storage::Migration> Migrations() {
  std::vector<storage::Migration> all = LedgerMigrations();
  for (auto* more : {&MapperMigrations, &DisbursementMigrations}) {
    for (auto& m : more()) all.push_back(std::move(m));
  }
  return all;
}

}  // namespace spode::payments
