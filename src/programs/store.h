// SchemeStore: schemes in the database, every version kept (a new version for every change of
// rules), with a lifecycle: draft → active → suspended → closed. Only active schemes are
// evaluated for citizens and by the proactive eligibility job.
//
//   SchemeStore store(db, clock);
//   ASSIGN_OR_RETURN(int version, store.Add(yaml_text, "user:state.officer"));
//   RETURN_IF_ERROR(store.SetStatus("old_age_pension", "active", "user:state.officer"));
//   ASSIGN_OR_RETURN(auto active, store.Active());   // compiled, latest version of each
//
// The version in a file is informational: the store numbers versions itself, 1, 2, 3, ...
// Thread-safety: uses the Database it is given; one per connection.
#ifndef SPODE_PROGRAMS_STORE_H_
#define SPODE_PROGRAMS_STORE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/time_source.h"
#include "programs/scheme.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace spode::programs {

std::vector<storage::Migration> Migrations();

class SchemeStore {
 public:
  SchemeStore(storage::Database& db, const TimeSource& clock) : db_(db), clock_(clock) {}

  // Parses and type-checks `yaml`, then stores it as the scheme's next version (a new scheme
  // starts as a draft; a new version of an existing scheme keeps its status). INVALID_ARGUMENT
  // with the file position for a scheme that does not check.
  Result<int> Add(std::string_view yaml, std::string_view origin, std::string_view actor);
  // draft → active → suspended → active ...; any → closed (final). FAILED_PRECONDITION for a
  // move the lifecycle does not allow.
  Status SetStatus(std::string_view scheme_id, std::string_view status, std::string_view actor);
  // The latest version of every scheme with the given status ("" for all), compiled.
  Result<std::vector<CompiledScheme>> Load(std::string_view status = "active");
  Result<CompiledScheme> Get(std::string_view scheme_id, int version = 0);  // 0: latest
  Result<nlohmann::json> List();

 private:
  storage::Database& db_;
  const TimeSource& clock_;
};

}  // namespace spode::programs

#endif  // SPODE_PROGRAMS_STORE_H_
