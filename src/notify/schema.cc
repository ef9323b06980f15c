#include "notify/schema.h"

namespace spode::notify {

// Times are microseconds since the Unix epoch (UTC). member_id is a plain column, not a foreign
// key: notify sits below the registry, and a message outlives changes to the member's record.
std::vector<storage::Migration> Migrations() {
  return {
      {"notify/0001_outbox", R"sql(
CREATE TABLE outbox (
  message_id {{pk}},
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'email', 'webhook')),
  recipient TEXT NOT NULL,
  member_id TEXT,
  template TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('en', 'hi')),
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  created_at_us BIGINT NOT NULL,
  sent_at_us BIGINT,
  next_attempt_at_us BIGINT NOT NULL,
  CHECK ((status = 'sent') = (sent_at_us IS NOT NULL))
);
-- The dispatcher's scan: pending messages in the order they fall due.
CREATE INDEX outbox_due ON outbox (status, next_attempt_at_us);
-- "My messages": a member's messages, newest first.
CREATE INDEX outbox_member ON outbox (member_id, created_at_us);
)sql"},
      // SQLite checks `x IN ('a', 'b', 'c')` (three or more values) in a CHECK through a
      // temporary b-tree built on every execution of the statement: about 3 us an INSERT for
      // each such list, more than the row's own insert (docs/benchmarks.md, bench/payments).
      // The same constraints, written as comparisons; SQLite can only change a CHECK by
      // rebuilding the table. PostgreSQL checks either form cheaply: nothing changes there.
      {"notify/0002_checks_without_in", R"sql(
CREATE TABLE outbox_checked (
  message_id {{pk}},
  channel TEXT NOT NULL CHECK (channel = 'sms' OR channel = 'email' OR channel = 'webhook'),
  recipient TEXT NOT NULL,
  member_id TEXT,
  template TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language = 'en' OR language = 'hi'),
  body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status = 'pending' OR status = 'sent' OR
    status = 'failed'),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error TEXT,
  created_at_us BIGINT NOT NULL,
  sent_at_us BIGINT,
  next_attempt_at_us BIGINT NOT NULL,
  CHECK ((status = 'sent') = (sent_at_us IS NOT NULL))
);
INSERT INTO outbox_checked (message_id, channel, recipient, member_id, template, language, body,
  status, attempts, last_error, created_at_us, sent_at_us, next_attempt_at_us)
SELECT message_id, channel, recipient, member_id, template, language, body, status, attempts,
  last_error, created_at_us, sent_at_us, next_attempt_at_us
FROM outbox ORDER BY message_id;
DROP TABLE outbox;
ALTER TABLE outbox_checked RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at_us);
CREATE INDEX outbox_member ON outbox (member_id, created_at_us);
)sql",
       "SELECT 1;"},
  };
}

}  // namespace spode::notify
