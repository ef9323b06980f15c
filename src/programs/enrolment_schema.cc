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
)sql"},
          {"programs/0005_notices_and_applications", R"sql(
-- Proactive enrolment (programs/enrolment.h): the notice sent for a proposal, and the
-- objection period it opened. One notice per proposal. channel 'none': the payee has no phone
-- (or, for a household scheme, no head was found), so no SMS went; the notice still counts.
CREATE TABLE enrolment_notices (
  proposal_id {{id}} REFERENCES eligibility_proposals (proposal_id),
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  payee_member_idx BIGINT,
  channel TEXT NOT NULL CHECK (channel IN ('sms', 'none')),
  language TEXT NOT NULL CHECK (language IN ('en', 'hi')),
  message_id BIGINT,
  noticed_at_us BIGINT NOT NULL,
  objection_until_us BIGINT NOT NULL,
  noticed_by TEXT NOT NULL,
  CHECK ((channel = 'sms') = (message_id IS NOT NULL)),
  CHECK (objection_until_us > noticed_at_us)
);
CREATE INDEX enrolment_notices_scheme ON enrolment_notices (scheme_id, objection_until_us);

-- Why a proposal was withdrawn: an objection by the citizen (or an operator or officer for
-- them), or the system finding the beneficiary already enrolled or no longer active.
CREATE TABLE proposal_withdrawals (
  proposal_id {{id}} REFERENCES eligibility_proposals (proposal_id),
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  reason_code TEXT NOT NULL CHECK (reason_code IN ('objection', 'already_enrolled',
    'not_active')),
  reason TEXT NOT NULL,
  withdrawn_by TEXT NOT NULL,
  withdrawn_at_us BIGINT NOT NULL
);

-- Applications: the rules' decision when submitted, with its explanation, and the outcome.
-- status: pending (an officer must decide), enrolled, rejected. decided_by is 'system' when
-- the rules decided alone; an officer never decides an application they submitted.
CREATE TABLE enrolment_applications (
  application_id {{pk}},
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  scheme_version INTEGER NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('person', 'household')),
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('self', 'operator', 'officer')),
  submitted_by TEXT NOT NULL,
  submitted_at_us BIGINT NOT NULL,
  eligible INTEGER NOT NULL CHECK (eligible IN (0, 1)),
  explanation TEXT NOT NULL,
  language TEXT NOT NULL CHECK (language IN ('en', 'hi')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'enrolled', 'rejected')),
  decided_by TEXT,
  decided_at_us BIGINT,
  decision_note TEXT,
  enrolment_id BIGINT REFERENCES enrolments (enrolment_id),
  CHECK ((status = 'pending') = (decided_at_us IS NULL)),
  CHECK ((status = 'pending') = (decided_by IS NULL)),
  CHECK (decided_by IS NULL OR decided_by <> submitted_by),
  CHECK ((status = 'enrolled') = (enrolment_id IS NOT NULL)),
  CHECK (status <> 'pending' OR eligible = 1)
);
CREATE UNIQUE INDEX enrolment_applications_pending ON enrolment_applications (scheme_id, unit,
  beneficiary_idx) WHERE status = 'pending';
CREATE INDEX enrolment_applications_status ON enrolment_applications (status, scheme_id);
)sql"},
          {"programs/0006_exit_proposals", R"sql(
-- Exits, proposed first (reason ineligible or death) and effective after a notice period
-- unless an officer cancels them; a voluntary exit is recorded here too, effective at once.
-- reason_en / reason_hi are the words the citizen is told; detail the decision behind them.
-- At most one open (proposed) exit per enrolment.
CREATE TABLE exit_proposals (
  exit_id {{pk}},
  enrolment_id BIGINT NOT NULL REFERENCES enrolments (enrolment_id),
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  reason_code TEXT NOT NULL CHECK (reason_code IN ('ineligible', 'death', 'voluntary')),
  reason_en TEXT NOT NULL,
  reason_hi TEXT NOT NULL,
  detail TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'cancelled', 'effective')),
  proposed_at_us BIGINT NOT NULL,
  proposed_by TEXT NOT NULL,
  effective_after_us BIGINT NOT NULL,
  notice_message_id BIGINT,
  decided_by TEXT,
  decided_at_us BIGINT,
  note TEXT,
  CHECK ((status = 'proposed') = (decided_at_us IS NULL)),
  CHECK ((status = 'proposed') = (decided_by IS NULL))
);
CREATE UNIQUE INDEX exit_proposals_open ON exit_proposals (enrolment_id) WHERE status = 'proposed';
CREATE INDEX exit_proposals_scheme ON exit_proposals (scheme_id, status, effective_after_us);
CREATE INDEX exit_proposals_enrolment ON exit_proposals (enrolment_id, status);
)sql"}};
}

}  // namespace spode::programs
