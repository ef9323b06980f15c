#include "programs/store.h"

#include "programs/cycle_schema.h"
#include "programs/enrolment_schema.h"
#include "programs/reentry.h"
#include "registry/snapshot.h"

namespace spode::programs {

namespace {
std::vector<storage::Migration> SchemeMigrations() {
  return {{"programs/0001_schemes", R"sql(
CREATE TABLE schemes (
  scheme_id TEXT PRIMARY KEY,
  status TEXT NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'active', 'suspended', 'closed')),
  latest_version INTEGER NOT NULL,
  updated_at_us BIGINT NOT NULL
);
-- Every version of a scheme's rules, never changed once written.
CREATE TABLE scheme_versions (
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  version INTEGER NOT NULL,
  source TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  PRIMARY KEY (scheme_id, version)
);
-- Every change of a scheme: a new version or a change of status.
CREATE TABLE scheme_events (
  event_id {{pk}},
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  version INTEGER NOT NULL,
  event TEXT NOT NULL,
  actor TEXT NOT NULL,
  at_us BIGINT NOT NULL
);
)sql"},
          {"programs/0002_proposals", R"sql(
-- Proactive identification: a person or household found eligible for an active scheme and not
-- yet enrolled, with the explanation, waiting for the enrolment workflow (notice, objection
-- period). One open proposal per scheme and beneficiary: re-running the job adds nothing new.
CREATE TABLE eligibility_proposals (
  proposal_id {{pk}},
  scheme_id TEXT NOT NULL REFERENCES schemes (scheme_id),
  scheme_version INTEGER NOT NULL,
  unit TEXT NOT NULL CHECK (unit IN ('person', 'household')),
  beneficiary_idx BIGINT NOT NULL,
  household_idx BIGINT NOT NULL,
  evaluation_date TEXT NOT NULL,
  amount_paise BIGINT NOT NULL,
  explanation TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'proposed'
    CHECK (status IN ('proposed', 'noticed', 'enrolled', 'withdrawn')),
  created_at_us BIGINT NOT NULL
);
CREATE UNIQUE INDEX eligibility_proposals_one ON eligibility_proposals (scheme_id, unit,
  beneficiary_idx);
CREATE INDEX eligibility_proposals_household ON eligibility_proposals (household_idx);
)sql"}};
}
}  // namespace

// In order: schemes and proposals, re-entry events, enrolments, cycles (each file owns its
// own; ids are never reordered, storage/migrations.h).
std::vector<storage::Migration> Migrations() {
  std::vector<storage::Migration> all = SchemeMigrations();
  for (auto* more : {&ReentryMigrations, &EnrolmentMigrations, &CycleMigrations}) {
    for (auto& m : more()) all.push_back(std::move(m));
  }
  return all;
}

Result<int> SchemeStore::Add(std::string_view yaml, std::string_view origin,
                             std::string_view actor) {
  ASSIGN_OR_RETURN(Scheme scheme, ParseScheme(yaml, origin));
  RETURN_IF_ERROR(Compile(scheme, registry::RulesSchema()).status());
  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT latest_version FROM schemes WHERE scheme_id = ?",
                                          {scheme.id}));
  int version = row ? static_cast<int>(row->Int(0)) + 1 : 1;
  if (row) {
    RETURN_IF_ERROR(db_.Execute("UPDATE schemes SET latest_version = ?, updated_at_us = ? WHERE "
                                "scheme_id = ?",
                                {int64_t{version}, now, scheme.id})
                        .status());
  } else {
    RETURN_IF_ERROR(db_.Execute("INSERT INTO schemes (scheme_id, latest_version, updated_at_us) "
                                "VALUES (?, ?, ?)",
                                {scheme.id, int64_t{version}, now})
                        .status());
  }
  RETURN_IF_ERROR(db_.Execute("INSERT INTO scheme_versions (scheme_id, version, source, "
                              "created_by, created_at_us) VALUES (?, ?, ?, ?, ?)",
                              {scheme.id, int64_t{version}, std::string(yaml),
                               std::string(actor), now})
                      .status());
  RETURN_IF_ERROR(db_.Execute("INSERT INTO scheme_events (scheme_id, version, event, actor, "
                              "at_us) VALUES (?, ?, 'version', ?, ?)",
                              {scheme.id, int64_t{version}, std::string(actor), now})
                      .status());
  RETURN_IF_ERROR(tx.Commit());
  return version;
}

Status SchemeStore::SetStatus(std::string_view scheme_id, std::string_view status,
                              std::string_view actor) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT status, latest_version FROM schemes WHERE "
                                          "scheme_id = ?",
                                          {std::string(scheme_id)}));
  if (!row) return NotFoundError("no scheme " + std::string(scheme_id));
  std::string from = row->Text(0);
  bool allowed = (from == "draft" && (status == "active" || status == "closed")) ||
                 (from == "active" && (status == "suspended" || status == "closed")) ||
                 (from == "suspended" && (status == "active" || status == "closed"));
  if (!allowed) {
    return FailedPreconditionError("a " + from + " scheme cannot become " + std::string(status));
  }
  int64_t now = clock_.Now().micros;
  RETURN_IF_ERROR(db_.Execute("UPDATE schemes SET status = ?, updated_at_us = ? WHERE scheme_id "
                              "= ?",
                              {std::string(status), now, std::string(scheme_id)})
                      .status());
  RETURN_IF_ERROR(db_.Execute("INSERT INTO scheme_events (scheme_id, version, event, actor, "
                              "at_us) VALUES (?, ?, ?, ?, ?)",
                              {std::string(scheme_id), row->Int(1), std::string(status),
                               std::string(actor), now})
                      .status());
  return tx.Commit();
}

Result<CompiledScheme> SchemeStore::Get(std::string_view scheme_id, int version) {
  ASSIGN_OR_RETURN(auto row,
                   version > 0
                       ? db_.QueryOne("SELECT source, version FROM scheme_versions WHERE "
                                      "scheme_id = ? AND version = ?",
                                      {std::string(scheme_id), int64_t{version}})
                       : db_.QueryOne("SELECT v.source, v.version FROM scheme_versions v JOIN "
                                      "schemes s ON s.scheme_id = v.scheme_id AND v.version = "
                                      "s.latest_version WHERE s.scheme_id = ?",
                                      {std::string(scheme_id)}));
  if (!row) return NotFoundError("no scheme " + std::string(scheme_id));
  ASSIGN_OR_RETURN(Scheme scheme, ParseScheme(row->Text(0), std::string(scheme_id)));
  scheme.version = static_cast<int>(row->Int(1));
  return Compile(scheme, registry::RulesSchema());
}

Result<std::vector<CompiledScheme>> SchemeStore::Load(std::string_view status) {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT scheme_id FROM schemes WHERE status = ? OR ? = '' "
                                        "ORDER BY scheme_id",
                                        {std::string(status), std::string(status)}));
  std::vector<CompiledScheme> out;
  for (const auto& r : rows) {
    ASSIGN_OR_RETURN(CompiledScheme c, Get(r.Text(0)));
    out.push_back(std::move(c));
  }
  return out;
}

Result<nlohmann::json> SchemeStore::List() {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT scheme_id, status, latest_version FROM schemes "
                                        "ORDER BY scheme_id"));
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    ASSIGN_OR_RETURN(CompiledScheme c, Get(r.Text(0)));
    const Scheme& s = c.scheme;
    out.push_back({{"id", s.id},
                   {"version", r.Int(2)},
                   {"status", r.Text(1)},
                   {"name", {{"en", s.name.en}, {"hi", s.name.hi}}},
                   {"unit", rules::UnitName(s.unit)},
                   {"benefit", BenefitName(s.benefit)},
                   {"frequency", FrequencyName(s.frequency)},
                   {"budget_paise", s.budget_paise},
                   {"clauses", s.eligibility.size()}});
  }
  return out;
}

}  // namespace spode::programs
