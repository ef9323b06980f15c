#include "registry/schema.h"

namespace spode::registry {

// docs/data-model.md explains these tables. Uniqueness is declared with named unique indexes
// rather than inline UNIQUE, so that a bulk load can drop and rebuild them (importer.cc). Times are microseconds since the Unix epoch (UTC);
// dates are ISO text; money is integer paise; attribute values are JSON text.
std::vector<storage::Migration> Migrations() {
  return {
      {"registry/0001_core", R"sql(
CREATE TABLE id_sequences (
  name TEXT PRIMARY KEY,
  next_value BIGINT NOT NULL
);
INSERT INTO id_sequences (name, next_value) VALUES ('household', 1), ('member', 1);

CREATE TABLE places (
  code TEXT PRIMARY KEY,
  level TEXT NOT NULL CHECK (level IN ('state', 'district', 'block', 'village')),
  parent_code TEXT REFERENCES places (code),
  name TEXT NOT NULL
);

CREATE TABLE provenance (
  prov_id {{pk}},
  source TEXT NOT NULL,
  as_of TEXT NOT NULL,
  verification TEXT NOT NULL CHECK (verification IN
    ('self_declared', 'operator_checked', 'officer_verified', 'registry_verified')),
  actor TEXT NOT NULL,
  channel TEXT NOT NULL,
  recorded_at_us BIGINT NOT NULL
);

-- status: active (enrolled), held (a possible duplicate awaiting an officer), rejected.
CREATE TABLE households (
  household_idx {{id}},
  family_id TEXT NOT NULL,
  state_code TEXT NOT NULL,
  district_code TEXT NOT NULL,
  block_code TEXT NOT NULL,
  village_code TEXT NOT NULL,
  attrs TEXT NOT NULL,
  prov_id BIGINT NOT NULL REFERENCES provenance (prov_id),
  attr_prov TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'held', 'rejected')),
  version BIGINT NOT NULL DEFAULT 1,
  valid_from_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX households_family_id ON households (family_id);
CREATE INDEX households_village ON households (village_code);

CREATE TABLE members (
  member_idx {{id}},
  member_id TEXT NOT NULL,
  household_idx BIGINT NOT NULL REFERENCES households (household_idx),
  name TEXT NOT NULL,
  name_local TEXT,
  dob TEXT NOT NULL,
  sex TEXT NOT NULL CHECK (sex IN ('F', 'M', 'T')),
  relationship TEXT NOT NULL,
  phone TEXT,
  id_last4 TEXT,
  dedup_hash BIGINT NOT NULL,
  attrs TEXT NOT NULL,
  prov_id BIGINT NOT NULL REFERENCES provenance (prov_id),
  attr_prov TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deceased', 'removed')),
  version BIGINT NOT NULL DEFAULT 1,
  valid_from_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX members_member_id ON members (member_id);
CREATE INDEX members_household ON members (household_idx);
CREATE INDEX members_dedup ON members (dedup_hash);

-- The ID vault: national ID numbers exist only here, sealed with the member's own data key,
-- which is stored wrapped by the master key (kept in a file, never in the database).
-- Erasure destroys wrapped_key. id_token is a keyed hash for look-up and exact de-duplication.
CREATE TABLE vault (
  member_idx {{id}} REFERENCES members (member_idx),
  id_token {{blob}},
  id_sealed {{blob}},
  wrapped_key {{blob}},
  erased_at_us BIGINT
);
CREATE UNIQUE INDEX vault_id_token ON vault (id_token);

CREATE TABLE bank_accounts (
  member_idx {{id}} REFERENCES members (member_idx),
  ifsc TEXT NOT NULL,
  account_last4 TEXT NOT NULL,
  account_sealed {{blob}} NOT NULL,
  holder_name TEXT,
  prov_id BIGINT NOT NULL REFERENCES provenance (prov_id)
);

-- Earlier versions of households and members: each row is the whole record (JSON) as it was
-- from valid_from_us until valid_to_us.
CREATE TABLE household_versions (
  household_idx BIGINT NOT NULL REFERENCES households (household_idx),
  version BIGINT NOT NULL,
  valid_from_us BIGINT NOT NULL,
  valid_to_us BIGINT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (household_idx, version)
);
CREATE TABLE member_versions (
  member_idx BIGINT NOT NULL REFERENCES members (member_idx),
  version BIGINT NOT NULL,
  valid_from_us BIGINT NOT NULL,
  valid_to_us BIGINT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (member_idx, version)
);

-- Change requests: maker-checker is a database rule, not only code.
CREATE TABLE change_requests (
  cr_id {{pk}},
  household_idx BIGINT NOT NULL REFERENCES households (household_idx),
  member_idx BIGINT REFERENCES members (member_idx),
  kind TEXT NOT NULL CHECK (kind IN ('update_member', 'update_household')),
  changes TEXT NOT NULL,
  reason TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('self', 'operator', 'officer', 'external')),
  submitted_by TEXT NOT NULL,
  submitted_at_us BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected')),
  decided_by TEXT,
  decided_at_us BIGINT,
  decision_note TEXT,
  CHECK (decided_by IS NULL OR decided_by <> submitted_by)
);
CREATE INDEX change_requests_status ON change_requests (status, household_idx);

-- Possible duplicates held for an officer: the held household (status 'held') and the
-- existing member it resembles.
CREATE TABLE duplicate_holds (
  hold_id {{pk}},
  household_idx BIGINT NOT NULL REFERENCES households (household_idx),
  member_idx BIGINT NOT NULL REFERENCES members (member_idx),
  candidate_member_idx BIGINT NOT NULL REFERENCES members (member_idx),
  reason TEXT NOT NULL,
  held_at_us BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'same_person', 'different_people')),
  decided_by TEXT,
  decided_at_us BIGINT
);
CREATE INDEX duplicate_holds_status ON duplicate_holds (status);

-- Exclusion and other events that later work (grievance and re-entry) picks up.
CREATE TABLE registry_events (
  event_id {{pk}},
  kind TEXT NOT NULL,
  household_idx BIGINT,
  member_idx BIGINT,
  detail TEXT NOT NULL,
  at_us BIGINT NOT NULL
);
)sql"},
      {"registry/0002_change_feed", R"sql(
-- Every committed change to a household or its members appends a row here, in the same
-- transaction, so that in-memory snapshots (registry/snapshot.h) in any process can catch up
-- without a full rebuild. household_idx 0 means "rebuild everything" (a bulk load).
CREATE TABLE registry_changes (
  seq {{pk}},
  household_idx BIGINT NOT NULL,
  at_us BIGINT NOT NULL
);
)sql"},
  };
}

}  // namespace spode::registry
