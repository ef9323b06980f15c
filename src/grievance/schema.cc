#include "grievance/schema.h"

namespace spode::grievance {

// Times are microseconds since the Unix epoch (UTC); money is integer paise. The rules that
// protect citizens are CHECK and unique constraints, so that no code path can break them:
//   - an operator filing records operator, centre, fee and consent; a partner its client;
//   - a resolved or closed grievance has an outcome and a reason; an upheld data correction
//     names the change request it produced;
//   - a grievance is 'appealed' exactly while it has an open appeal, so it cannot be closed
//     (or resolved) without the appeal being decided first;
//   - one appeal per grievance; one re-entry case per exclusion event;
//   - one escalation per (grievance, round, level): a breach escalates once, however many
//     escalation runs see it;
//   - one resolution action per key: a case resolved in the citizen's favour triggers its
//     action once.
std::vector<storage::Migration> Migrations() {
  return {
      {"grievance/0001_grievances", R"sql(
CREATE TABLE grievances (
  grievance_id {{pk}},
  kind TEXT NOT NULL CHECK (kind IN ('grievance', 'reentry')),
  filed_year INTEGER NOT NULL CHECK (filed_year BETWEEN 1000 AND 9999),
  channel TEXT NOT NULL CHECK (channel IN
    ('portal', 'operator', 'officer', 'partner_api', 'sms', 'ivr', 'system')),
  category TEXT NOT NULL CHECK (category IN ('enrolment', 'data_correction',
    'eligibility_decision', 'payment_not_received', 'payment_returned', 'service_denied',
    'operator_misconduct', 'data_misuse', 'other')),
  member_idx BIGINT REFERENCES members (member_idx),
  household_idx BIGINT NOT NULL REFERENCES households (household_idx),
  village_code TEXT NOT NULL,
  description TEXT NOT NULL CHECK (description <> ''),
  language TEXT NOT NULL CHECK (language IN ('en', 'hi')),
  filed_by TEXT NOT NULL,
  filed_at_us BIGINT NOT NULL,
  operator_user_id BIGINT,
  centre TEXT,
  fee_paise BIGINT CHECK (fee_paise >= 0),
  consent_id BIGINT REFERENCES assisted_consents (consent_id),
  officer_mode TEXT CHECK (officer_mode IN ('helpline', 'walk_in')),
  client_id TEXT,
  sender_phone TEXT,
  instruction_id TEXT,
  scheme_id TEXT,
  change_request_id BIGINT REFERENCES change_requests (cr_id),
  reentry_event_id BIGINT REFERENCES reentry_events (event_id),
  closing_action TEXT,
  action_kind TEXT,
  action_target TEXT,
  level TEXT NOT NULL CHECK (level IN ('block', 'district', 'state')),
  area_code TEXT NOT NULL,
  assigned_bank TEXT,
  assigned_at_us BIGINT NOT NULL,
  round INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0),
  deadline_at_us BIGINT NOT NULL,
  interim_due_at_us BIGINT NOT NULL,
  interim_reply_at_us BIGINT,
  escalations INTEGER NOT NULL DEFAULT 0 CHECK (escalations >= 0),
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved', 'appealed', 'closed')),
  outcome TEXT CHECK (outcome IN ('upheld', 'rejected')),
  resolution_reason TEXT,
  resolution_cr_id BIGINT REFERENCES change_requests (cr_id),
  resolved_by TEXT,
  resolved_at_us BIGINT,
  rating INTEGER CHECK (rating BETWEEN 1 AND 5),
  rated_at_us BIGINT,
  open_appeal_id BIGINT,
  appeal_count INTEGER NOT NULL DEFAULT 0 CHECK (appeal_count BETWEEN 0 AND 1),
  closed_at_us BIGINT,
  CONSTRAINT grievances_kind_channel CHECK ((kind = 'reentry') = (channel = 'system')),
  CONSTRAINT grievances_citizen CHECK (kind <> 'grievance' OR member_idx IS NOT NULL),
  CONSTRAINT grievances_reentry CHECK (kind <> 'reentry' OR
    (reentry_event_id IS NOT NULL AND closing_action IS NOT NULL AND action_kind IS NOT NULL
     AND action_target IS NOT NULL)),
  CONSTRAINT grievances_assisted CHECK (channel <> 'operator' OR
    (operator_user_id IS NOT NULL AND centre IS NOT NULL AND centre <> '' AND
     fee_paise IS NOT NULL AND consent_id IS NOT NULL)),
  CONSTRAINT grievances_officer CHECK (channel <> 'officer' OR officer_mode IS NOT NULL),
  CONSTRAINT grievances_partner CHECK (channel <> 'partner_api' OR
    (client_id IS NOT NULL AND client_id <> '')),
  CONSTRAINT grievances_answered CHECK (status NOT IN ('resolved', 'closed') OR
    (outcome IS NOT NULL AND resolution_reason IS NOT NULL AND resolution_reason <> '' AND
     resolved_at_us IS NOT NULL AND resolved_by IS NOT NULL)),
  CONSTRAINT grievances_correction_named CHECK (kind <> 'grievance' OR
    category <> 'data_correction' OR outcome IS NULL OR outcome <> 'upheld' OR
    resolution_cr_id IS NOT NULL),
  CONSTRAINT grievances_appeal_open CHECK ((status = 'appealed') = (open_appeal_id IS NOT NULL)),
  CONSTRAINT grievances_closed_at CHECK ((status = 'closed') = (closed_at_us IS NOT NULL)),
  CONSTRAINT grievances_area CHECK (length(area_code) =
    CASE level WHEN 'block' THEN 6 WHEN 'district' THEN 4 ELSE 2 END)
);
CREATE UNIQUE INDEX grievances_one_case_per_event ON grievances (reentry_event_id)
  WHERE kind = 'reentry';
CREATE INDEX grievances_household ON grievances (household_idx, grievance_id);
CREATE INDEX grievances_due ON grievances (status, deadline_at_us);
CREATE INDEX grievances_holder ON grievances (level, area_code, status);
CREATE INDEX grievances_bank ON grievances (assigned_bank, status);
CREATE INDEX grievances_village ON grievances (village_code);

-- Who held each grievance, and why it moved: filed, reassigned, escalated, appeal, reopened.
CREATE TABLE grievance_assignments (
  assignment_id {{pk}},
  grievance_id BIGINT NOT NULL REFERENCES grievances (grievance_id),
  level TEXT NOT NULL CHECK (level IN ('block', 'district', 'state')),
  area_code TEXT NOT NULL,
  bank_code TEXT,
  cause TEXT NOT NULL CHECK (cause IN ('filed', 'reassigned', 'escalated', 'appeal', 'reopened')),
  note TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL,
  at_us BIGINT NOT NULL,
  deadline_at_us BIGINT NOT NULL
);
CREATE INDEX grievance_assignments_grievance ON grievance_assignments (grievance_id);

-- One row per breach: (grievance, round, level it was escalated from) is unique.
CREATE TABLE grievance_escalations (
  escalation_id {{pk}},
  grievance_id BIGINT NOT NULL REFERENCES grievances (grievance_id),
  round INTEGER NOT NULL,
  from_level TEXT NOT NULL CHECK (from_level IN ('block', 'district')),
  from_area TEXT NOT NULL,
  to_level TEXT NOT NULL CHECK (to_level IN ('district', 'state')),
  to_area TEXT NOT NULL,
  breached_deadline_us BIGINT NOT NULL,
  escalated_at_us BIGINT NOT NULL CHECK (escalated_at_us > breached_deadline_us),
  new_deadline_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX grievance_escalations_once ON grievance_escalations
  (grievance_id, round, from_level);

-- At most one appeal per grievance. decided_at_us is set when the appellate officer decides.
CREATE TABLE grievance_appeals (
  appeal_id {{pk}},
  grievance_id BIGINT NOT NULL REFERENCES grievances (grievance_id),
  reason TEXT NOT NULL CHECK (reason <> ''),
  appealed_outcome TEXT NOT NULL CHECK (appealed_outcome IN ('upheld', 'rejected')),
  appealed_rating INTEGER,
  level TEXT NOT NULL CHECK (level IN ('block', 'district', 'state')),
  area_code TEXT NOT NULL,
  filed_by TEXT NOT NULL,
  filed_at_us BIGINT NOT NULL,
  deadline_at_us BIGINT NOT NULL,
  outcome TEXT CHECK (outcome IN ('upheld', 'rejected')),
  decision_reason TEXT,
  decided_by TEXT,
  decided_at_us BIGINT,
  CHECK ((decided_at_us IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX grievance_appeals_one ON grievance_appeals (grievance_id);

-- The ticket's history in plain language, in English and Hindi, as the citizen sees it.
CREATE TABLE grievance_events (
  event_id {{pk}},
  grievance_id BIGINT NOT NULL REFERENCES grievances (grievance_id),
  at_us BIGINT NOT NULL,
  kind TEXT NOT NULL,
  actor TEXT NOT NULL,
  text_en TEXT NOT NULL,
  text_hi TEXT NOT NULL
);
CREATE INDEX grievance_events_grievance ON grievance_events (grievance_id, event_id);

-- What a re-entry case resolved in the citizen's favour sets in motion (retry a payment,
-- reinstate an enrolment, ...). action_key is unique, so the action is recorded once; the
-- layer that performs it marks it done once (status moves from 'pending' only).
CREATE TABLE grievance_actions (
  action_id {{pk}},
  grievance_id BIGINT NOT NULL REFERENCES grievances (grievance_id),
  action_key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('retry_payment', 'reinstate_enrolment',
    'reevaluate_eligibility', 'release_hold')),
  target TEXT NOT NULL,
  scheme_id TEXT,
  member_idx BIGINT,
  household_idx BIGINT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  created_at_us BIGINT NOT NULL,
  done_at_us BIGINT,
  result TEXT,
  CHECK ((status = 'pending') = (done_at_us IS NULL))
);
CREATE UNIQUE INDEX grievance_actions_key ON grievance_actions (action_key);
CREATE INDEX grievance_actions_pending ON grievance_actions (status, action_id);
)sql"},
  };
}

}  // namespace spode::grievance
