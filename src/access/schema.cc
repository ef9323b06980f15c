#include "access/schema.h"

namespace spode::access {

// Part of access/0001 (whose text must not change), and the whole schema of the access log's own
// file beside a SQLite registry (AccessLog::Open).
std::string AccessLogSchema() {
  return R"sql(
-- Every decision of the access gate on personal data, allowed or denied. Never a raw national
-- ID: the object is a family or member ID, or a search's kind.
CREATE TABLE access_log (
  log_id {{pk}},
  at_us BIGINT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  household_idx BIGINT,
  purpose TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('allow', 'deny')),
  reason TEXT NOT NULL,
  request_id TEXT NOT NULL
);
CREATE INDEX access_log_household ON access_log (household_idx, at_us);
)sql";
}

std::string AccessLogSidecarSchema() {
  return R"sql(
CREATE TABLE access_names (name_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- actor, role, action, purpose and reason are access_names' ids (no foreign keys: checking five
-- an entry cost the writer a fifth more CPU; names are never deleted). object and request_id
-- have no type: a value keeps the type it was stored with (text, or an integer for digits and
-- for a request id of 16 hex digits); the view gives back the text.
CREATE TABLE access_entries (
  log_id INTEGER PRIMARY KEY,
  at_us INTEGER NOT NULL,
  actor INTEGER NOT NULL,
  role INTEGER NOT NULL,
  action INTEGER NOT NULL,
  object NOT NULL,
  household_idx INTEGER,
  purpose INTEGER NOT NULL,
  decision INTEGER NOT NULL CHECK (decision IN (0, 1)),
  reason INTEGER NOT NULL,
  request_id NOT NULL
);
CREATE VIEW access_log AS SELECT e.log_id AS log_id, e.at_us AS at_us, a.name AS actor,
  r.name AS role, c.name AS action, CAST(e.object AS TEXT) AS object,
  e.household_idx AS household_idx, p.name AS purpose,
  CASE e.decision WHEN 1 THEN 'allow' ELSE 'deny' END AS decision, w.name AS reason,
  CASE WHEN typeof(e.request_id) = 'integer' THEN printf('%016x', e.request_id)
    ELSE e.request_id END AS request_id
  FROM access_entries e
  JOIN access_names a ON a.name_id = e.actor JOIN access_names r ON r.name_id = e.role
  JOIN access_names c ON c.name_id = e.action JOIN access_names p ON p.name_id = e.purpose
  JOIN access_names w ON w.name_id = e.reason;
-- Entries written as whole rows (moved from the registry, or by hand) are stored compactly too
-- (their object and request id as text).
CREATE TRIGGER access_log_insert INSTEAD OF INSERT ON access_log BEGIN
  INSERT OR IGNORE INTO access_names (name) VALUES (NEW.actor), (NEW.role), (NEW.action),
    (NEW.purpose), (NEW.reason);
  INSERT INTO access_entries (log_id, at_us, actor, role, action, object, household_idx,
    purpose, decision, reason, request_id) VALUES (NEW.log_id, NEW.at_us,
    (SELECT name_id FROM access_names WHERE name = NEW.actor),
    (SELECT name_id FROM access_names WHERE name = NEW.role),
    (SELECT name_id FROM access_names WHERE name = NEW.action),
    NEW.object, NEW.household_idx,
    (SELECT name_id FROM access_names WHERE name = NEW.purpose),
    CASE NEW.decision WHEN 'allow' THEN 1 WHEN 'deny' THEN 0 END,
    (SELECT name_id FROM access_names WHERE name = NEW.reason), NEW.request_id);
END;
)sql";
}

std::vector<storage::Migration> Migrations() {
  return {{"access/0001_identities", R"sql(
-- Staff accounts and API clients. Citizens are not users: they are members of the registry and
-- sign in with a one-time code.
CREATE TABLE users (
  user_id {{pk}},
  username TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN
    ('operator', 'officer', 'bank', 'provider', 'developer', 'auditor', 'admin')),
  scope TEXT NOT NULL DEFAULT '',
  duties TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

-- Sessions: only a hash of the token is stored.
CREATE TABLE sessions (
  token_hash {{blob}} PRIMARY KEY,
  user_id BIGINT REFERENCES users (user_id),
  member_idx BIGINT,
  household_idx BIGINT,
  member_id TEXT,
  created_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,
  revoked_at_us BIGINT,
  address TEXT NOT NULL,
  CHECK ((user_id IS NULL) <> (member_idx IS NULL))
);

-- Failed sign-ins, for throttling: per account and per address.
CREATE TABLE auth_failures (
  kind TEXT NOT NULL CHECK (kind IN ('account', 'address')),
  subject TEXT NOT NULL,
  at_us BIGINT NOT NULL
);
CREATE INDEX auth_failures_subject ON auth_failures (kind, subject, at_us);

-- One-time codes (login, or a citizen's consent to an operator), stored hashed.
CREATE TABLE otp_codes (
  otp_id {{pk}},
  member_idx BIGINT NOT NULL,
  purpose TEXT NOT NULL CHECK (purpose IN ('login', 'consent')),
  code_hash {{blob}} NOT NULL,
  requested_by BIGINT REFERENCES users (user_id),
  created_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  used_at_us BIGINT
);
CREATE INDEX otp_codes_member ON otp_codes (member_idx, purpose, created_at_us);

-- A citizen's consent, by one-time code, to an operator acting for their household: the
-- operator, the centre, the purpose and the fee charged are recorded with it.
CREATE TABLE assisted_consents (
  consent_id {{pk}},
  operator_user_id BIGINT NOT NULL REFERENCES users (user_id),
  centre TEXT NOT NULL,
  member_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  purpose TEXT NOT NULL,
  fee_paise BIGINT NOT NULL CHECK (fee_paise >= 0),
  granted_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,
  revoked_at_us BIGINT
);
CREATE INDEX assisted_consents_operator ON assisted_consents (operator_user_id, household_idx);
)sql" + AccessLogSchema()},
          {"access/0002_client_scopes", R"sql(
-- Machine clients' OAuth2 scopes (client credentials, /oauth2/client/token).
ALTER TABLE users ADD COLUMN client_scopes TEXT NOT NULL DEFAULT '';
)sql"},
          {"access/0003_client_consents", R"sql(
-- A citizen's consent to a partner app (a developer client) for their household: what for,
-- until when, withdrawn when (access/client_consents.h).
CREATE TABLE client_consents (
  consent_id {{pk}},
  client_user_id BIGINT NOT NULL REFERENCES users (user_id),
  member_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  scope TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at_us BIGINT NOT NULL,
  expires_at_us BIGINT NOT NULL,
  revoked_at_us BIGINT,
  revoked_by TEXT,
  CHECK (expires_at_us > granted_at_us),
  CHECK ((revoked_at_us IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX client_consents_client ON client_consents (client_user_id, household_idx);
CREATE INDEX client_consents_household ON client_consents (household_idx, consent_id);
)sql"}};
}

}  // namespace spode::access
