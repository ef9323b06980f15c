#include "programs/cycle_schema.h"

namespace spode::programs {

// programs/cycles.h explains the rules these tables enforce.
std::vector<storage::Migration> CycleMigrations() {
  return {{"programs/0010_cycles", R"sql(
CREATE TABLE cycles (
  cycle_id {{pk}},
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  period TEXT NOT NULL,
  scheme_version INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('preparing', 'prepared', 'approved', 'cancelled')),
  beneficiaries BIGINT NOT NULL DEFAULT 0,
  total_paise BIGINT NOT NULL DEFAULT 0 CHECK (total_paise >= 0),
  tiers TEXT NOT NULL,
  approvals_done INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  CONSTRAINT cycles_one_per_period UNIQUE (scheme_id, period),
  CONSTRAINT cycles_maker UNIQUE (cycle_id, created_by),
  CONSTRAINT cycles_scheme UNIQUE (cycle_id, scheme_id)
);

-- Frozen at creation: who is paid for the cycle and how much.
CREATE TABLE cycle_entitlements (
  cycle_id BIGINT NOT NULL REFERENCES cycles (cycle_id),
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  payee_member_idx BIGINT NOT NULL,
  enrolment_id BIGINT NOT NULL REFERENCES enrolments (enrolment_id),
  amount_paise BIGINT NOT NULL CHECK (amount_paise > 0),
  PRIMARY KEY (cycle_id, beneficiary_idx),
  CONSTRAINT cycle_entitlements_amount UNIQUE (cycle_id, beneficiary_idx, amount_paise)
);

-- One row per tier approved. Tier n names tier n-1 (order), the maker is copied from the cycle
-- through a foreign key and must differ from the approver (maker-checker), and one officer
-- approves at most one tier of a cycle.
CREATE TABLE cycle_approvals (
  cycle_id BIGINT NOT NULL,
  tier INTEGER NOT NULL CHECK (tier >= 1),
  prev_tier INTEGER,
  level TEXT NOT NULL CHECK (level IN ('block', 'district', 'state')),
  approved_by TEXT NOT NULL,
  maker TEXT NOT NULL,
  total_paise BIGINT NOT NULL,
  approved_at_us BIGINT NOT NULL,
  PRIMARY KEY (cycle_id, tier),
  CONSTRAINT cycle_approvals_one_tier_each UNIQUE (cycle_id, approved_by),
  CONSTRAINT cycle_approvals_maker FOREIGN KEY (cycle_id, maker)
    REFERENCES cycles (cycle_id, created_by),
  CONSTRAINT cycle_approvals_checker CHECK (approved_by <> maker),
  CONSTRAINT cycle_approvals_order CHECK (
    (tier = 1 AND prev_tier IS NULL) OR (tier > 1 AND prev_tier = tier - 1)),
  CONSTRAINT cycle_approvals_prev FOREIGN KEY (cycle_id, prev_tier)
    REFERENCES cycle_approvals (cycle_id, tier)
);

CREATE TABLE cycle_events (
  event_id {{pk}},
  cycle_id BIGINT NOT NULL REFERENCES cycles (cycle_id),
  event TEXT NOT NULL,
  actor TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '',
  at_us BIGINT NOT NULL
);
CREATE INDEX cycle_events_cycle ON cycle_events (cycle_id);
)sql"}};
}

}  // namespace spode::programs
