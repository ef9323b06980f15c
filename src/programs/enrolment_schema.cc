#include "programs/enrolment_schema.h"

namespace spode::programs {

std::vector<storage::Migration> EnrolmentMigrations() {
  return {{"programs/0004_enrolments", R"sql(
-- Who is enrolled in which scheme. A beneficiary is a member (person-unit schemes) or a
-- household (household-unit schemes); the payee is the member paid (the person, or for a
-- household scheme its head). At most one current enrolment (not exited) per scheme and
-- beneficiary; after an exit a new enrolment (re-entry) is a new row, so history is kept.
CREATE TABLE enrolments (
  enrolment_id {{pk}},
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  unit TEXT NOT NULL CHECK (unit IN ('person', 'household')),
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  payee_member_idx BIGINT NOT NULL,
  path TEXT NOT NULL CHECK (path IN ('proactive', 'application', 'reinstated')),
  source_id BIGINT,
  status TEXT NOT NULL DEFAULT 'enrolled'
    CHECK (status IN ('enrolled', 'exit_proposed', 'exited')),
  enrolled_at_us BIGINT NOT NULL,
  enrolled_by TEXT NOT NULL,
  exited_at_us BIGINT,
  exit_reason TEXT,
  CHECK ((status = 'exited') = (exited_at_us IS NOT NULL))
);
CREATE UNIQUE INDEX enrolments_current ON enrolments (scheme_id, unit, beneficiary_idx)
  WHERE status <> 'exited';
CREATE INDEX enrolments_scheme ON enrolments (scheme_id, status);
CREATE INDEX enrolments_household ON enrolments (household_idx);
)sql"}};
}

}  // namespace spode::programs
