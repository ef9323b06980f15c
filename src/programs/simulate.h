// What-if simulation: a scheme (or a draft version of it) over the whole registry before it goes
// live, and the difference between two versions.
//
//   ASSIGN_OR_RETURN(json report, Simulate(proposed, &current, snapshot, today, names));
//
// The report: how many are eligible, the cost per period and per year, breakdowns by district,
// sex, social category and age band; against another version, who gains and who loses
// eligibility (counts by the same breakdowns, and a sample of member rows for officers) and the
// change in cost.
#ifndef SPODE_PROGRAMS_SIMULATE_H_
#define SPODE_PROGRAMS_SIMULATE_H_

#include <nlohmann/json.hpp>

#include "programs/evaluate.h"
#include "programs/scheme.h"
#include "registry/snapshot.h"
#include "storage/database.h"

namespace spode::programs {

struct SimulationOptions {
  Date date;
  int threads = 0;
  int sample_size = 20;  // member_idx values of people who gain or lose, for officers
};

Result<nlohmann::json> Simulate(const CompiledScheme& scheme, const CompiledScheme* against,
                                const registry::Snapshot& snapshot,
                                const SimulationOptions& options);

// Replaces a report's samples of gains and losses (sequence numbers) with public IDs — member IDs
// for person schemes, family IDs for household schemes — keeping only people in `area` (a place
// code prefix; empty: everywhere), so an officer sees samples from their own area only.
Status ResolveSamples(storage::Database& db, nlohmann::json& report, bool person,
                      std::string_view area);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_SIMULATE_H_
