// Proactive identification (ARCHITECTURE.md, "Efficient"): the state finds eligible citizens;
// citizens do not search. RunEligibility evaluates every active scheme (or one) over the whole
// registry and records a proposal, with its explanation, for each person or household newly
// eligible and not yet proposed or enrolled. Re-running with no registry change adds nothing
// (the database holds one proposal per scheme and beneficiary).
#ifndef SPODE_PROGRAMS_PROPOSALS_H_
#define SPODE_PROGRAMS_PROPOSALS_H_

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/time_source.h"
#include "programs/scheme.h"
#include "registry/snapshot.h"
#include "storage/database.h"

namespace spode::programs {

struct EligibilityRunReport {
  struct PerScheme {
    std::string scheme_id;
    int version = 0;
    int64_t eligible = 0;       // everyone eligible today
    int64_t new_proposals = 0;  // of them, not proposed before
    double seconds = 0;
  };
  std::vector<PerScheme> schemes;
  Date date;
};

// `scheme_id` empty: every active scheme. `progress` is told each scheme as it starts.
Result<EligibilityRunReport> RunEligibility(storage::Database& db, const registry::Snapshot& snap,
                                            const TimeSource& clock, std::string_view scheme_id,
                                            std::function<void(std::string_view)> progress = {});

nlohmann::json ReportJson(const EligibilityRunReport& r);

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_PROPOSALS_H_
