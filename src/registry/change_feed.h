// The change feed: one row in registry_changes for each committed change to a household,
// written in the same transaction as the change (schema.cc, "registry/0002_change_feed").
#ifndef SPODE_REGISTRY_CHANGE_FEED_H_
#define SPODE_REGISTRY_CHANGE_FEED_H_

#include "storage/database.h"

namespace spode::registry {

// household_idx 0: everything changed (a bulk load); readers rebuild.
inline Status RecordChange(storage::Database& db, int64_t household_idx, int64_t at_us) {
  return db.Execute("INSERT INTO registry_changes (household_idx, at_us) VALUES (?, ?)",
                    {household_idx, at_us})
      .status();
}

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_CHANGE_FEED_H_
