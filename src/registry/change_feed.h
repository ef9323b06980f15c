// The change feed: one row in registry_changes for each committed change to a household,
// written in the same transaction as the change (schema.cc, "registry/0002_change_feed").
#ifndef SPODE_REGISTRY_CHANGE_FEED_H_
#define SPODE_REGISTRY_CHANGE_FEED_H_

#include "storage/database.h"

namespace spode::registry {

// Readers keep the last seq they read and next read `seq > last`, so a row must never become
// visible after a row with a higher seq. SQLite's single writer keeps that order by itself. On
// PostgreSQL two transactions can draw seqs 10 and 11 and commit 11 first; a reader between the
// two commits would move past 10 and never see it. So a writer takes the feed's lock, held until
// its transaction ends, before it draws a seq. Call it last before the commit, after the rows
// of the change are written: the lock serialises only the end of registry writes, and a writer
// holding it waits for no other row lock. FAILED_PRECONDITION outside a transaction.
inline Status LockChangeFeed(storage::Database& db) {
  return storage::LockForTransaction(db, "registry_changes");
}

// household_idx 0: everything changed (a bulk load); readers rebuild. Takes the feed's lock.
inline Status RecordChange(storage::Database& db, int64_t household_idx, int64_t at_us) {
  RETURN_IF_ERROR(LockChangeFeed(db));
  return db.Execute("INSERT INTO registry_changes (household_idx, at_us) VALUES (?, ?)",
                    {household_idx, at_us})
      .status();
}

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_CHANGE_FEED_H_
