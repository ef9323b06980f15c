// Household views kept in memory between reads (the JSON text Registry::WriteHousehold writes),
// and never served after a change the read could see. Each read first catches up with the
// change feed (change_feed.h): one look-up of the feed's last seq, and, when it has moved, the
// households changed since, whose views are dropped. Changes made by any process (a CLI import,
// another server on the same PostgreSQL) are seen the same way. Where the database gives a
// stamp of its last commit (Database::LastCommit: an SQLite file), a catch-up whose stamp is
// the one seen when the feed was last read reads nothing: nobody has committed anything since.
//
//   ASSIGN_OR_RETURN(ViewCache::Ticket t, views.CatchUp(db));  // first, in the read
//   if (std::optional<ViewCache::View> v = views.Find(family_id, &hf, &mf)) {
//     ... the gate decides on v->household_idx and v->village; serve *v->text ...
//   } else {
//     ... FindHousehold, the gate, WriteHousehold ...
//     views.Put(t, family_id, {household_idx, village, status, text}, &hf, &mf);
//   }
//
// Why it is exact: a view read after CatchUp returned seq S reflects every change up to S, and
// Put keeps it only when the cache has applied exactly the changes up to S, no more; every
// later change has a higher seq, and the CatchUp that sees it drops the view first. (On
// PostgreSQL, where each statement may see later commits, the view is then only newer than S,
// and dropping it again is harmless.) Seqs become visible in order: change_feed.h.
//
// A view is kept per field set: the pair of ViewFields pointers given (a role's, from static
// storage), at most kFieldSets pairs. Memory is bounded by max_bytes, in two generations: new
// and found views go into the young one; when it holds half of max_bytes it becomes the old one
// and the previous old one is dropped. So the views read again lately stay.
//
// Thread-safety: every member may be called from any thread.
#ifndef SPODE_REGISTRY_VIEW_CACHE_H_
#define SPODE_REGISTRY_VIEW_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "registry/registry.h"
#include "storage/database.h"

namespace spode::registry {

class ViewCache {
 public:
  static constexpr int kFieldSets = 4;
  // More changes than this since the last catch-up drop every view instead of reading them.
  static constexpr int64_t kMostChangesRead = 10'000;

  struct Ticket {
    int64_t seq = 0;
  };
  struct View {
    int64_t household_idx = 0;
    std::string village;  // the code, for the gate's jurisdiction check
    std::string status;   // active or held (rejected households are not kept)
    std::shared_ptr<const std::string> text;
  };
  struct Stats {
    int64_t hits = 0, misses = 0, dropped = 0;  // dropped: views dropped for a change
    int64_t unchanged = 0;  // catch-ups that found no commit by the stamp, without a query
    size_t views = 0, bytes = 0;
  };

  // max_bytes 0: keeps nothing (every Find misses; CatchUp reads nothing).
  explicit ViewCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Reads the change feed's last seq on `db` and drops the views of households changed since the
  // last catch-up. Call it first in a read, before the reads whose results may be Put.
  Result<Ticket> CatchUp(storage::Database& db);

  // The view kept for this household and field set, or nothing. Counts a hit or a miss.
  std::optional<View> Find(std::string_view family_id, const ViewFields* household_fields,
                           const ViewFields* member_fields);

  // Keeps a view read after CatchUp returned `ticket`, unless the cache has since applied later
  // changes (then the view may be old: it is not kept). Rejected households are not kept.
  void Put(const Ticket& ticket, std::string_view family_id, View view,
           const ViewFields* household_fields, const ViewFields* member_fields);

  Stats stats() const;

 private:
  using FieldSet = std::pair<const ViewFields*, const ViewFields*>;
  struct Entry {
    int64_t household_idx = 0;
    std::string village, status;
    std::array<FieldSet, kFieldSets> sets{};
    std::array<std::shared_ptr<const std::string>, kFieldSets> texts{};
    size_t bytes = 0;
  };
  struct FamilyHash {
    using is_transparent = void;
    size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  struct Generation {
    std::unordered_map<std::string, Entry, FamilyHash, std::equal_to<>> by_family;
    std::unordered_map<int64_t, std::string> family_of;  // household_idx -> family ID
    size_t bytes = 0;
    // Takes the household's entry out (nothing when absent).
    std::optional<std::pair<std::string, Entry>> Take(std::string_view family_id);
    void Insert(std::string family_id, Entry entry);
  };

  // Into the young generation; when it would hold more than half of max_bytes, it becomes the
  // old one first (and the old one is dropped). REQUIRES(mu_)
  void KeepYoung(std::string family_id, Entry entry);
  void DropHousehold(int64_t household_idx);  // REQUIRES(mu_)
  void DropAll();                             // REQUIRES(mu_)
  // Remembers `stamp`, read before the feed showed `seq`, if the cache has applied up to
  // `seq` exactly. REQUIRES(mu_)
  void Stamp(const std::optional<storage::CommitStamp>& stamp, int64_t seq);

  const size_t max_bytes_;
  mutable std::mutex mu_;
  int64_t applied_ = -1;    // GUARDED_BY(mu_): the changes up to this seq are applied; -1 none yet
  Generation young_, old_;  // GUARDED_BY(mu_)
  int64_t dropped_ = 0;     // GUARDED_BY(mu_)
  // The database's commit stamp when the feed was read up to applied_ (GUARDED_BY(mu_)): while
  // the database shows the same stamp, nothing has been committed since, and CatchUp reads
  // nothing.
  std::optional<storage::CommitStamp> stamp_;
  std::atomic<int64_t> hits_ = 0, misses_ = 0, unchanged_ = 0;
};

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_VIEW_CACHE_H_
