// Eligibility: the active schemes over the registry's snapshot, for explanations to one person
// ("which schemes, and why or why not") and for whole-registry jobs.
//
//   Eligibility elig;
//   RETURN_IF_ERROR(elig.Refresh(db, clock));            // snapshot + active schemes, kept current
//   ASSIGN_OR_RETURN(json why, elig.ExplainMember(member_idx, household_idx, "hi", today));
//
// Thread-safety: Explain* may run on many threads at once; Refresh takes an exclusive lock while
// it applies changes (readers wait a moment, never see a half-applied change).
#ifndef SPODE_PROGRAMS_ELIGIBILITY_H_
#define SPODE_PROGRAMS_ELIGIBILITY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "common/time_source.h"
#include "programs/decide.h"
#include "programs/scheme.h"
#include "registry/snapshot.h"
#include "storage/database.h"

namespace spode::programs {

class Eligibility {
 public:
  // Builds the snapshot on first call; later calls apply the change feed and reload the active
  // schemes. `stop`: as Snapshot::Build's (ABORTED when it is set during the first build).
  Status Refresh(storage::Database& db, const TimeSource& clock,
                 const std::atomic<bool>* stop = nullptr);

  // Every active scheme for one member: eligible or not, each clause with its explanation in
  // `language` and the values read, and for a clause not met, the date from which it would be
  // met with the same data where there is one within ten years ("turns 60 on 2027-03-01").
  // NOT_FOUND when the member is not in the snapshot (not active).
  Result<nlohmann::json> ExplainMember(int64_t member_idx, int64_t household_idx,
                                       std::string_view language, Date date) const;
  // One scheme for one member.
  Result<nlohmann::json> ExplainScheme(std::string_view scheme_id, int64_t member_idx,
                                       int64_t household_idx, std::string_view language,
                                       Date date) const;

  // What-if over the snapshot: `scheme` against `against` (or, when null, against the active
  // version of the same scheme if there is one). Samples are member or household sequence
  // numbers (the caller resolves them).
  Result<nlohmann::json> Simulate(const CompiledScheme& scheme, const CompiledScheme* against,
                                  bool against_active, Date date) const;
  // The proactive identification job over the snapshot (proposals.h).
  Result<nlohmann::json> RunJob(storage::Database& db, const TimeSource& clock,
                                std::string_view scheme_id) const;

  // Runs `fn` on the snapshot under the shared lock (a cycle's creation reads it whole).
  // UNAVAILABLE before the first Refresh, as every read here.
  Status WithSnapshot(const std::function<Status(const registry::Snapshot&)>& fn) const;

  // Whether the first Refresh has built the snapshot. Until then every read above answers
  // UNAVAILABLE ("try again shortly"): `spode serve` listens at once and builds it in the
  // background, which takes minutes for ten million households.
  bool ready() const;
  // Households read so far by the first Refresh (for /readyz while it loads).
  int64_t households_loaded() const { return loading_.load(std::memory_order_relaxed); }
  size_t snapshot_bytes() const;
  size_t snapshot_households() const;

 private:
  // The row the scheme is decided on for this member (person: member row; household: its row).
  std::optional<size_t> RowFor(const CompiledScheme& s, int64_t member_idx,
                               int64_t household_idx) const;
  nlohmann::json ExplainOne(const CompiledScheme& s, size_t row, std::string_view language,
                            Date date) const;

  mutable std::shared_mutex mu_;
  std::unique_ptr<registry::Snapshot> snapshot_;       // GUARDED_BY(mu_)
  std::vector<CompiledScheme> schemes_;                 // GUARDED_BY(mu_)
  std::atomic<int64_t> loading_{0};
};

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_ELIGIBILITY_H_
