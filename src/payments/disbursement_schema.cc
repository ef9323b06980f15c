#include "payments/disbursement_schema.h"

namespace spode::payments {

// payments/disbursement.h explains the states and the rules these tables enforce.
std::vector<storage::Migration> DisbursementMigrations() {
  return {{"payments/0010_instructions", R"sql(
-- One bank file: the instructions of one scheme at one bank, sent together.
CREATE TABLE payment_batches (
  batch_id {{pk}},
  message_id TEXT NOT NULL,
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  cycle_id BIGINT NOT NULL REFERENCES cycles (cycle_id),
  bank TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('pain.001', 'csv')),
  transactions BIGINT NOT NULL CHECK (transactions > 0),
  control_sum_paise BIGINT NOT NULL CHECK (control_sum_paise > 0),
  status TEXT NOT NULL CHECK (status IN ('created', 'written')),
  file_name TEXT,
  file_hash TEXT,
  created_at_us BIGINT NOT NULL,
  CONSTRAINT payment_batches_message_id UNIQUE (message_id)
);

-- One per (scheme, cycle, beneficiary), with the frozen entitlement's amount.
CREATE TABLE payment_instructions (
  instruction_id TEXT PRIMARY KEY,
  scheme_id TEXT NOT NULL,
  cycle_id BIGINT NOT NULL,
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  payee_member_idx BIGINT NOT NULL,
  amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
  status TEXT NOT NULL CHECK (status = 'ready' OR status = 'held' OR status = 'invalid' OR
    status = 'sent' OR status = 'accepted' OR status = 'paid' OR status = 'rejected' OR
    status = 'returned'),
  attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  address_id BIGINT,
  ifsc TEXT,
  account_last4 TEXT,
  bank TEXT,
  batch_id BIGINT REFERENCES payment_batches (batch_id),
  reason_code TEXT,
  updated_at_us BIGINT NOT NULL,
  -- cycle first: a cycle's instructions are found through it (the cycle implies the scheme).
  CONSTRAINT payment_instructions_one UNIQUE (cycle_id, beneficiary_idx, scheme_id),
  CONSTRAINT payment_instructions_cycle FOREIGN KEY (cycle_id, scheme_id)
    REFERENCES cycles (cycle_id, scheme_id),
  CONSTRAINT payment_instructions_entitlement FOREIGN KEY (cycle_id, beneficiary_idx, amount_paise)
    REFERENCES cycle_entitlements (cycle_id, beneficiary_idx, amount_paise),
  CONSTRAINT payment_instructions_sent CHECK (
    (status = 'sent' OR status = 'accepted' OR status = 'paid') =
      (batch_id IS NOT NULL AND bank IS NOT NULL) OR
    status = 'rejected' OR status = 'returned')
);
CREATE INDEX payment_instructions_ready ON payment_instructions
  (scheme_id, bank, cycle_id, beneficiary_idx) WHERE status = 'ready';
CREATE INDEX payment_instructions_payee ON payment_instructions (payee_member_idx);
CREATE INDEX payment_instructions_batch ON payment_instructions (batch_id)
  WHERE batch_id IS NOT NULL;

-- Attempts that ended (rejected, returned, or re-sent), so that a batch keeps its contents
-- after its instructions go out again in a later batch.
CREATE TABLE instruction_attempts (
  instruction_id TEXT NOT NULL REFERENCES payment_instructions (instruction_id),
  attempt INTEGER NOT NULL,
  batch_id BIGINT REFERENCES payment_batches (batch_id),
  amount_paise BIGINT NOT NULL,
  address_id BIGINT,
  ifsc TEXT,
  outcome TEXT NOT NULL,
  reason_code TEXT,
  at_us BIGINT NOT NULL,
  PRIMARY KEY (instruction_id, attempt)
);
CREATE INDEX instruction_attempts_batch ON instruction_attempts (batch_id);

-- Every status file imported, once (by its SHA-256).
CREATE TABLE status_imports (
  import_id {{pk}},
  file_hash TEXT NOT NULL,
  file_name TEXT NOT NULL,
  format TEXT NOT NULL,
  report TEXT NOT NULL,
  imported_at_us BIGINT NOT NULL,
  CONSTRAINT status_imports_file UNIQUE (file_hash)
);
)sql"},
          // An instruction is found by its key, (cycle, beneficiary, scheme), not by its id:
          // the id, "<period>-<beneficiary's ID>-<scheme's hash>", is a function of that key,
          // and an index of ids, written in random order as a cycle's million instructions are
          // generated in beneficiary order, cost more than a third of the generation. An
          // attempt keeps its instruction's key for the same reason. (disbursement.h,
          // FindInstruction.)
          {"payments/0011_instruction_key", R"sql(
CREATE TABLE instruction_attempts_keyed (
  instruction_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  batch_id BIGINT REFERENCES payment_batches (batch_id),
  amount_paise BIGINT NOT NULL,
  address_id BIGINT,
  ifsc TEXT,
  outcome TEXT NOT NULL,
  reason_code TEXT,
  at_us BIGINT NOT NULL,
  cycle_id BIGINT NOT NULL,
  beneficiary_idx BIGINT NOT NULL,
  PRIMARY KEY (instruction_id, attempt)
);
INSERT INTO instruction_attempts_keyed (instruction_id, attempt, batch_id, amount_paise,
  address_id, ifsc, outcome, reason_code, at_us, cycle_id, beneficiary_idx)
SELECT t.instruction_id, t.attempt, t.batch_id, t.amount_paise, t.address_id, t.ifsc, t.outcome,
  t.reason_code, t.at_us, i.cycle_id, i.beneficiary_idx
FROM instruction_attempts t JOIN payment_instructions i ON i.instruction_id = t.instruction_id;
DROP TABLE instruction_attempts;
ALTER TABLE instruction_attempts_keyed RENAME TO instruction_attempts;
CREATE INDEX instruction_attempts_batch ON instruction_attempts (batch_id);

DROP INDEX payment_instructions_ready;
DROP INDEX payment_instructions_payee;
DROP INDEX payment_instructions_batch;
CREATE TABLE payment_instructions_keyed (
  instruction_id TEXT NOT NULL,
  scheme_id TEXT NOT NULL,
  cycle_id BIGINT NOT NULL,
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  payee_member_idx BIGINT NOT NULL,
  amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
  status TEXT NOT NULL CHECK (status = 'ready' OR status = 'held' OR status = 'invalid' OR
    status = 'sent' OR status = 'accepted' OR status = 'paid' OR status = 'rejected' OR
    status = 'returned'),
  attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  address_id BIGINT,
  ifsc TEXT,
  account_last4 TEXT,
  bank TEXT,
  batch_id BIGINT REFERENCES payment_batches (batch_id),
  reason_code TEXT,
  updated_at_us BIGINT NOT NULL,
  CONSTRAINT payment_instructions_one UNIQUE (cycle_id, beneficiary_idx, scheme_id),
  CONSTRAINT payment_instructions_cycle FOREIGN KEY (cycle_id, scheme_id)
    REFERENCES cycles (cycle_id, scheme_id),
  CONSTRAINT payment_instructions_entitlement FOREIGN KEY (cycle_id, beneficiary_idx, amount_paise)
    REFERENCES cycle_entitlements (cycle_id, beneficiary_idx, amount_paise),
  CONSTRAINT payment_instructions_sent CHECK (
    (status = 'sent' OR status = 'accepted' OR status = 'paid') =
      (batch_id IS NOT NULL AND bank IS NOT NULL) OR
    status = 'rejected' OR status = 'returned')
);
INSERT INTO payment_instructions_keyed (instruction_id, scheme_id, cycle_id, beneficiary_idx,
  household_idx, payee_member_idx, amount_paise, status, attempt, address_id, ifsc,
  account_last4, bank, batch_id, reason_code, updated_at_us)
SELECT instruction_id, scheme_id, cycle_id, beneficiary_idx, household_idx, payee_member_idx,
  amount_paise, status, attempt, address_id, ifsc, account_last4, bank, batch_id, reason_code,
  updated_at_us
FROM payment_instructions ORDER BY cycle_id, beneficiary_idx;
DROP TABLE payment_instructions;
ALTER TABLE payment_instructions_keyed RENAME TO payment_instructions;
CREATE INDEX payment_instructions_ready ON payment_instructions
  (scheme_id, bank, cycle_id, beneficiary_idx) WHERE status = 'ready';
CREATE INDEX payment_instructions_payee ON payment_instructions (payee_member_idx);
CREATE INDEX payment_instructions_batch ON payment_instructions (batch_id)
  WHERE batch_id IS NOT NULL;
)sql",
           R"sql(
ALTER TABLE instruction_attempts ADD COLUMN cycle_id BIGINT;
ALTER TABLE instruction_attempts ADD COLUMN beneficiary_idx BIGINT;
UPDATE instruction_attempts t SET cycle_id = i.cycle_id, beneficiary_idx = i.beneficiary_idx
  FROM payment_instructions i WHERE i.instruction_id = t.instruction_id;
ALTER TABLE instruction_attempts ALTER COLUMN cycle_id SET NOT NULL;
ALTER TABLE instruction_attempts ALTER COLUMN beneficiary_idx SET NOT NULL;
ALTER TABLE instruction_attempts DROP CONSTRAINT instruction_attempts_instruction_id_fkey;
ALTER TABLE payment_instructions DROP CONSTRAINT payment_instructions_pkey;
)sql"},
          // The ready index carries the amount: an export sizes and totals a file from the
          // index alone before claiming it, instead of having the claim return every row's
          // amount. It holds only the ready instructions, so it is rebuilt in a moment.
          {"payments/0012_ready_amount", R"sql(
DROP INDEX payment_instructions_ready;
CREATE INDEX payment_instructions_ready ON payment_instructions
  (scheme_id, bank, cycle_id, beneficiary_idx, amount_paise) WHERE status = 'ready';
)sql"},
          // No foreign key binds an instruction to its batch. On SQLite the key made every
          // claim of an export two passes, the rows' ids gathered first and each row found
          // again (SQLite makes an UPDATE that changes a foreign key so); a claim now walks
          // the table's rows once (ExportBatches). The batch a claim names is the one it has
          // just inserted, in the same transaction; Reconcile (`spode ledger check`) reports
          // an instruction that names a batch there is not.
          {"payments/0013_claim_walk", R"sql(
DROP INDEX payment_instructions_ready;
DROP INDEX payment_instructions_payee;
DROP INDEX payment_instructions_batch;
CREATE TABLE payment_instructions_unbound (
  instruction_id TEXT NOT NULL,
  scheme_id TEXT NOT NULL,
  cycle_id BIGINT NOT NULL,
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  payee_member_idx BIGINT NOT NULL,
  amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
  status TEXT NOT NULL CHECK (status = 'ready' OR status = 'held' OR status = 'invalid' OR
    status = 'sent' OR status = 'accepted' OR status = 'paid' OR status = 'rejected' OR
    status = 'returned'),
  attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  address_id BIGINT,
  ifsc TEXT,
  account_last4 TEXT,
  bank TEXT,
  batch_id BIGINT,
  reason_code TEXT,
  updated_at_us BIGINT NOT NULL,
  CONSTRAINT payment_instructions_one UNIQUE (cycle_id, beneficiary_idx, scheme_id),
  CONSTRAINT payment_instructions_cycle FOREIGN KEY (cycle_id, scheme_id)
    REFERENCES cycles (cycle_id, scheme_id),
  CONSTRAINT payment_instructions_entitlement FOREIGN KEY (cycle_id, beneficiary_idx, amount_paise)
    REFERENCES cycle_entitlements (cycle_id, beneficiary_idx, amount_paise),
  CONSTRAINT payment_instructions_sent CHECK (
    (status = 'sent' OR status = 'accepted' OR status = 'paid') =
      (batch_id IS NOT NULL AND bank IS NOT NULL) OR
    status = 'rejected' OR status = 'returned')
);
INSERT INTO payment_instructions_unbound (instruction_id, scheme_id, cycle_id, beneficiary_idx,
  household_idx, payee_member_idx, amount_paise, status, attempt, address_id, ifsc,
  account_last4, bank, batch_id, reason_code, updated_at_us)
SELECT instruction_id, scheme_id, cycle_id, beneficiary_idx, household_idx, payee_member_idx,
  amount_paise, status, attempt, address_id, ifsc, account_last4, bank, batch_id, reason_code,
  updated_at_us
FROM payment_instructions ORDER BY cycle_id, beneficiary_idx;
DROP TABLE payment_instructions;
ALTER TABLE payment_instructions_unbound RENAME TO payment_instructions;
CREATE INDEX payment_instructions_ready ON payment_instructions
  (scheme_id, bank, cycle_id, beneficiary_idx, amount_paise) WHERE status = 'ready';
CREATE INDEX payment_instructions_payee ON payment_instructions (payee_member_idx);
CREATE INDEX payment_instructions_batch ON payment_instructions (batch_id)
  WHERE batch_id IS NOT NULL;
)sql",
           R"sql(
ALTER TABLE payment_instructions DROP CONSTRAINT payment_instructions_batch_id_fkey;
)sql"}};
}

}  // namespace spode::payments
