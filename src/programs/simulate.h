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

namespace spode::programs {

struct SimulationOptions {
  Date date;
  int threads = 0;
  int sample_size = 20;  // member_idx values of people who gain or lose, for officers
};

Result<nlohmann::json> Simulate(const CompiledScheme& scheme, const CompiledScheme* against,
                                const registry::Snapshot& snapshot,
                                const SimulationOptions& options);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_SIMULATE_H_
