// Shared by the grievance module's files: reading a grievance row, writing history and
// assignment rows, telling the citizen, dates for people, and owning a transaction.
#ifndef SPODE_GRIEVANCE_INTERNAL_STORE_H_
#define SPODE_GRIEVANCE_INTERNAL_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/time_source.h"
#include "grievance/internal/history.h"
#include "grievance/types.h"
#include "storage/database.h"

namespace spode::grievance::internal {

// The select list (grievances g LEFT JOIN members m) that ReadGrievance reads.
extern const std::string kSelect;
Result<Grievance> ReadGrievance(const storage::Row& row);

// NOT_FOUND when there is no grievance with that id.
Result<Grievance> Load(storage::Database& db, int64_t grievance_id);

Status AddEvent(storage::Database& db, int64_t grievance_id, Timestamp at, std::string_view kind,
                std::string_view actor, const Text& text);
Status AddAssignment(storage::Database& db, int64_t grievance_id, const Assignee& to,
                     std::string_view cause, std::string_view note, std::string_view actor,
                     Timestamp at, Timestamp deadline);

// Enqueues `template_name` to the citizen's phone in their language, in the caller's
// transaction. Empty (nothing sent) when the grievance has no member or the member no phone.
Result<std::optional<int64_t>> Tell(storage::Database& db, const TimeSource& clock,
                                    const Policy& policy, const Grievance& g,
                                    std::string_view template_name, notify::Params params);
// The grievance_update message carrying one history text.
Result<std::optional<int64_t>> TellUpdate(storage::Database& db, const TimeSource& clock,
                                          const Policy& policy, const Grievance& g,
                                          const Text& text);

// "20-12-2026": the date of `t` where the citizen lives.
std::string PeopleDate(Timestamp t, const TimeSource& clock);
Timestamp PlusDays(Timestamp t, int days);
// `percent` of the way from `from` to `deadline`.
Timestamp InterimDue(Timestamp from, Timestamp deadline, int percent);

// Runs `body` in a transaction of its own and commits it. FAILED_PRECONDITION when `db` already
// has a transaction open (the caller could not know when the work became durable). Rolls back
// when `body` fails.
Status InOwnTransaction(storage::Database& db, const std::function<Status()>& body);

storage::Value OptionalInt(const std::optional<int64_t>& v);
storage::Value OptionalText(std::string_view v);  // NULL when empty

}  // namespace spode::grievance::internal

#endif  // SPODE_GRIEVANCE_INTERNAL_STORE_H_
