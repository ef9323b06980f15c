#include "registry/view_cache.h"

#include <algorithm>
#include <vector>

namespace spode::registry {

namespace {

// Besides the text: the two keys, the maps' nodes, the entry's arrays.
constexpr size_t kEntryOverhead = 256;

}  // namespace

std::optional<std::pair<std::string, ViewCache::Entry>> ViewCache::Generation::Take(
    std::string_view family_id) {
  auto it = by_family.find(family_id);
  if (it == by_family.end()) return std::nullopt;
  auto node = by_family.extract(it);
  family_of.erase(node.mapped().household_idx);
  bytes -= node.mapped().bytes;
  return std::make_pair(std::move(node.key()), std::move(node.mapped()));
}

void ViewCache::Generation::Insert(std::string family_id, Entry entry) {
  bytes += entry.bytes;
  family_of[entry.household_idx] = family_id;
  by_family.emplace(std::move(family_id), std::move(entry));
}

Result<ViewCache::Ticket> ViewCache::CatchUp(storage::Database& db) {
  if (max_bytes_ == 0) return Ticket{};  // nothing is ever kept: nothing to catch up with
  // Read before the feed below, so that what the feed shows is at least as new as the stamp.
  const std::optional<storage::CommitStamp> stamp = db.LastCommit();
  if (stamp) {
    std::lock_guard lock(mu_);
    if (stamp_ && *stamp_ == *stamp) {  // no commit since the feed was last read
      unchanged_.fetch_add(1, std::memory_order_relaxed);
      return Ticket{applied_};
    }
  }
  ASSIGN_OR_RETURN(storage::Statement * s,
                   db.Cached("SELECT COALESCE(MAX(seq), 0) FROM registry_changes"));
  Result<bool> row = s->Step();
  int64_t seq = row.ok() && *row ? s->ColumnInt(0) : 0;
  s->Reset();
  if (!row.ok()) return row.status();
  int64_t from;
  {
    std::lock_guard lock(mu_);
    if (applied_ < 0) applied_ = seq;  // nothing kept yet: nothing to drop
    if (seq <= applied_) {
      Stamp(stamp, seq);
      return Ticket{seq};
    }
    from = applied_;
  }
  // Read outside the lock: other reads go on meanwhile. Another read may apply the same changes
  // at the same time; applying one twice only drops a view twice.
  std::vector<int64_t> changed;
  bool everything = seq - from > kMostChangesRead;
  if (!everything) {
    ASSIGN_OR_RETURN(auto rows, db.Query("SELECT household_idx FROM registry_changes WHERE seq > ? "
                                         "AND seq <= ?",
                                         {from, seq}));
    changed.reserve(rows.size());
    for (const auto& r : rows) {
      if (r.Int(0) == 0) everything = true;  // a bulk load
      changed.push_back(r.Int(0));
    }
  }
  std::lock_guard lock(mu_);
  if (everything) {
    DropAll();
  } else {
    for (int64_t household_idx : changed) DropHousehold(household_idx);
  }
  applied_ = std::max(applied_, seq);
  Stamp(stamp, seq);
  return Ticket{seq};
}

void ViewCache::Stamp(const std::optional<storage::CommitStamp>& stamp, int64_t seq) {
  // Only a feed read that brought the cache to where it is now: a slower read of an older
  // stamp, finishing after a newer one, must not put its stamp back.
  if (stamp && seq == applied_) stamp_ = stamp;
}

std::optional<ViewCache::View> ViewCache::Find(std::string_view family_id,
                                               const ViewFields* household_fields,
                                               const ViewFields* member_fields) {
  const FieldSet set{household_fields, member_fields};
  std::lock_guard lock(mu_);
  auto found = [&](const Entry& e) -> std::optional<View> {
    for (int i = 0; i < kFieldSets; ++i) {
      if (e.texts[i] && e.sets[i] == set) {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return View{e.household_idx, e.village, e.status, e.texts[i]};
      }
    }
    return std::nullopt;
  };
  std::optional<View> view;
  if (auto it = young_.by_family.find(family_id); it != young_.by_family.end()) {
    view = found(it->second);
  } else if (auto taken = old_.Take(family_id)) {
    // Read again: into the young generation, with its other field sets.
    view = found(taken->second);
    KeepYoung(std::move(taken->first), std::move(taken->second));
  }
  if (!view) misses_.fetch_add(1, std::memory_order_relaxed);
  return view;
}

void ViewCache::Put(const Ticket& ticket, std::string_view family_id, View view,
                    const ViewFields* household_fields, const ViewFields* member_fields) {
  if (view.status == "rejected" || !view.text) return;
  const size_t text_bytes = view.text->size();
  if (text_bytes + kEntryOverhead > max_bytes_ / 2) return;  // also max_bytes 0: keep nothing
  const FieldSet set{household_fields, member_fields};
  std::lock_guard lock(mu_);
  if (ticket.seq != applied_) return;  // later changes applied since the view was read
  Entry entry;
  if (auto taken = young_.Take(family_id)) {
    entry = std::move(taken->second);
  } else if (auto old = old_.Take(family_id)) {
    entry = std::move(old->second);
  } else {
    entry.bytes = kEntryOverhead + family_id.size();
  }
  entry.household_idx = view.household_idx;
  entry.village = std::move(view.village);
  entry.status = std::move(view.status);
  int slot = -1;
  for (int i = 0; i < kFieldSets && slot < 0; ++i) {
    if (entry.texts[i] && entry.sets[i] == set) slot = i;
  }
  for (int i = 0; i < kFieldSets && slot < 0; ++i) {
    if (!entry.texts[i]) slot = i;
  }
  if (slot < 0) slot = kFieldSets - 1;  // more field sets than slots: the last one is replaced
  if (entry.texts[slot]) entry.bytes -= entry.texts[slot]->size();
  entry.sets[slot] = set;
  entry.texts[slot] = std::move(view.text);
  entry.bytes += text_bytes;
  KeepYoung(std::string(family_id), std::move(entry));
}

void ViewCache::KeepYoung(std::string family_id, Entry entry) {
  // Every entry comes into the young generation through here, so it never holds more than half
  // of max_bytes, and neither does the old one, which was young once.
  if (entry.bytes > max_bytes_ / 2) return;  // several field sets of a large household
  if (young_.bytes + entry.bytes > max_bytes_ / 2) {
    old_ = std::move(young_);
    young_ = Generation{};
  }
  young_.Insert(std::move(family_id), std::move(entry));
}

void ViewCache::DropHousehold(int64_t household_idx) {
  for (Generation* g : {&young_, &old_}) {
    auto it = g->family_of.find(household_idx);
    if (it == g->family_of.end()) continue;
    std::string family_id = it->second;
    g->Take(family_id);
    ++dropped_;
  }
}

void ViewCache::DropAll() {
  dropped_ += static_cast<int64_t>(young_.by_family.size() + old_.by_family.size());
  young_ = Generation{};
  old_ = Generation{};
}

ViewCache::Stats ViewCache::stats() const {
  std::lock_guard lock(mu_);
  return Stats{.hits = hits_.load(std::memory_order_relaxed),
               .misses = misses_.load(std::memory_order_relaxed),
               .dropped = dropped_,
               .unchanged = unchanged_.load(std::memory_order_relaxed),
               .views = young_.by_family.size() + old_.by_family.size(),
               .bytes = young_.bytes + old_.bytes};
}

}  // namespace spode::registry
