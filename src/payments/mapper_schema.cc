#include "payments/mapper_schema.h"

namespace spode::payments {

// The ID → account mapper (mapper.h; README.md "The mapper"). Times are microseconds since the
// Unix epoch (UTC).
//
// A row is one address of one member over a span of time: Link inserts it, and Unlink or Update
// ends it by setting unlinked_at_us, unlinked_by and unlink_reason (an Update inserts the next
// row, which names it in `replaces`). The address columns are never rewritten. The partial
// unique index allows one row per member whose unlinked_at_us is NULL: at most one current
// address, whatever SQL writes (SQLite and PostgreSQL both have partial indexes).
//
// member_idx names a registry member (registry's members table) but is not a foreign key: the
// payments migrations also run without the registry's (the ledger's tests), and PostgreSQL
// refuses a reference to a table that does not exist. Link checks the member exists.
//
// account_sealed is the account number sealed with the member's data key (vault.wrapped_key)
// and associated data "spode-account", as bank_accounts.account_sealed, so seeding copies those
// bytes unchanged. same_destination_as is set when an Update kept the destination: it names the
// first row of that destination (drift compares COALESCE(same_destination_as, address_id)).
std::vector<storage::Migration> MapperMigrations() {
  return {
      {"payments/0002_mapper", R"sql(
CREATE TABLE mapper_addresses (
  address_id {{pk}},
  member_idx BIGINT NOT NULL CHECK (member_idx > 0),
  kind TEXT NOT NULL CHECK (kind IN ('bank_account', 'aadhaar_payment', 'wallet')),
  ifsc TEXT,
  account_last4 TEXT,
  account_sealed {{blob}},
  holder_name TEXT,
  iin TEXT,
  wallet_provider TEXT,
  wallet_id TEXT,
  same_destination_as BIGINT REFERENCES mapper_addresses (address_id),
  replaces BIGINT REFERENCES mapper_addresses (address_id),
  linked_at_us BIGINT NOT NULL,
  linked_by TEXT NOT NULL,
  link_reason TEXT NOT NULL,
  unlinked_at_us BIGINT,
  unlinked_by TEXT,
  unlink_reason TEXT,
  CONSTRAINT mapper_addresses_bank CHECK (
    (kind = 'bank_account') = (ifsc IS NOT NULL AND account_last4 IS NOT NULL AND
                               account_sealed IS NOT NULL AND holder_name IS NOT NULL)),
  CONSTRAINT mapper_addresses_bank_only CHECK (kind = 'bank_account' OR (
    ifsc IS NULL AND account_last4 IS NULL AND account_sealed IS NULL AND holder_name IS NULL)),
  CONSTRAINT mapper_addresses_last4 CHECK (account_last4 IS NULL OR length(account_last4) = 4),
  CONSTRAINT mapper_addresses_aadhaar CHECK ((kind = 'aadhaar_payment') = (iin IS NOT NULL)),
  CONSTRAINT mapper_addresses_wallet CHECK (
    (kind = 'wallet') = (wallet_provider IS NOT NULL AND wallet_id IS NOT NULL)),
  CONSTRAINT mapper_addresses_wallet_only CHECK (kind = 'wallet' OR (
    wallet_provider IS NULL AND wallet_id IS NULL)),
  CONSTRAINT mapper_addresses_ended CHECK (
    (unlinked_at_us IS NULL) = (unlinked_by IS NULL) AND
    (unlinked_at_us IS NULL) = (unlink_reason IS NULL) AND
    (unlinked_at_us IS NULL OR unlinked_at_us >= linked_at_us))
);
CREATE UNIQUE INDEX mapper_addresses_current ON mapper_addresses (member_idx)
  WHERE unlinked_at_us IS NULL;
CREATE INDEX mapper_addresses_member ON mapper_addresses (member_idx, address_id);
)sql"},
  };
}

}  // namespace spode::payments
