#include "programs/reentry.h"

#include <array>

namespace spode::programs {

namespace {

constexpr std::array<std::pair<ReentryKind, std::string_view>, 8> kKinds{{
    {ReentryKind::kExit, "exit"},
    {ReentryKind::kPaymentRejected, "payment_rejected"},
    {ReentryKind::kPaymentReturned, "payment_returned"},
    {ReentryKind::kPaymentHeld, "payment_held"},
    {ReentryKind::kValidationFailed, "validation_failed"},
    {ReentryKind::kVerificationFailed, "verification_failed"},
    {ReentryKind::kChangeRejected, "change_rejected"},
    {ReentryKind::kDuplicateHold, "duplicate_hold"},
}};

// One event, its values bound in the order of kReentryEventColumns less the first, then the time.
constexpr std::string_view kInsertEvent =
    "INSERT INTO reentry_events (kind, scheme_id, member_idx, household_idx, reason_code, "
    "detail, source, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source) DO "
    "NOTHING";

storage::Value OptInt(const std::optional<int64_t>& v) {
  return v ? storage::Value(*v) : storage::Value(storage::Null{});
}

}  // namespace

std::string_view ReentryKindName(ReentryKind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<ReentryKind> ParseReentryKind(std::string_view name) {
  for (const auto& [k, n] : kKinds) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::vector<storage::Migration> ReentryMigrations() {
  return {{"programs/0003_reentry_events", R"sql(
-- Exclusion events waiting to become re-entry cases (programs/reentry.h). `source` names the
-- cause and is unique, so a re-run never records an event twice.
CREATE TABLE reentry_events (
  event_id {{pk}},
  kind TEXT NOT NULL CHECK (kind IN ('exit', 'payment_rejected', 'payment_returned',
    'payment_held', 'validation_failed', 'verification_failed', 'change_rejected',
    'duplicate_hold')),
  scheme_id TEXT,
  member_idx BIGINT,
  household_idx BIGINT,
  reason_code TEXT NOT NULL,
  detail TEXT NOT NULL,
  source TEXT NOT NULL,
  created_at_us BIGINT NOT NULL,
  case_id BIGINT
);
CREATE UNIQUE INDEX reentry_events_source ON reentry_events (source);
CREATE INDEX reentry_events_member ON reentry_events (member_idx);
CREATE INDEX reentry_events_household ON reentry_events (household_idx);
)sql"}};
}

Result<bool> RecordReentryEvent(storage::Database& db, const ReentryEvent& e, Timestamp now) {
  if (e.source.empty()) return InvalidArgumentError("re-entry event: source is empty");
  if (e.reason_code.empty()) return InvalidArgumentError("re-entry event: reason_code is empty");
  ASSIGN_OR_RETURN(int64_t n,
                   db.Execute(kInsertEvent,
                              {std::string(ReentryKindName(e.kind)),
                               e.scheme_id.empty() ? storage::Value(storage::Null{})
                                                   : storage::Value(e.scheme_id),
                               OptInt(e.member_idx), OptInt(e.household_idx), e.reason_code,
                               e.detail.dump(), e.source, now.micros}));
  return n > 0;
}

Status AppendReentryEventRow(storage::RowBuffer& rows, const ReentryEvent& e) {
  if (rows.columns() != kReentryEventColumns) {
    return InvalidArgumentError("re-entry event rows: not of the events' columns");
  }
  if (e.source.empty()) return InvalidArgumentError("re-entry event: source is empty");
  if (e.reason_code.empty()) {
    return InvalidArgumentError("re-entry event: reason_code is empty (source " + e.source + ")");
  }
  const std::string detail = e.detail.dump();  // before any cell: a throw appends nothing
  rows.Int(static_cast<int64_t>(rows.rows())).Text(ReentryKindName(e.kind));
  rows.TextOrNull(e.scheme_id).Add(OptInt(e.member_idx)).Add(OptInt(e.household_idx));
  rows.Text(e.reason_code).Text(detail).Text(e.source);
  return OkStatus();
}

Result<storage::RowBuffer> ReentryEventRows(std::span<const ReentryEvent> events) {
  storage::RowBuffer rows(kReentryEventColumns);
  for (const ReentryEvent& e : events) RETURN_IF_ERROR(AppendReentryEventRow(rows, e));
  return rows;
}

Result<int64_t> RecordReentryEventRows(storage::Database& db, const storage::RowBuffer& rows,
                                       Timestamp now) {
  if (rows.columns() != kReentryEventColumns) {
    return InvalidArgumentError("re-entry event rows: not made by ReentryEventRows");
  }
  int64_t created = 0;
  if (rows.empty()) return created;
  if (db.dialect() != storage::Dialect::kPostgres) {
    // A row a statement: one INSERT ... SELECT from a staging table wrote its rows into fresh
    // pages and took twice as long.
    ASSIGN_OR_RETURN(storage::Statement * insert,
                     db.Cached(kInsertEvent));
    for (size_t r = 0; r < rows.rows(); ++r) {
      for (int c = 1; c < kReentryEventColumns; ++c) {  // column 0 is the order, implied here
        insert->Bind(c, rows, r, c);
      }
      insert->BindInt(kReentryEventColumns, now.micros);
      Result<bool> done = insert->Step();
      const int64_t changed = done.ok() ? insert->Changes() : 0;
      insert->Reset();
      if (!done.ok()) return done.status();
      created += changed;
    }
    return created;
  }
  static const std::string kColumns[] = {"n",           "kind",   "scheme_id", "member_idx",
                                         "household_idx", "reason_code", "detail",
                                         "source"};
  // The staging table empties at each commit, so it is filled and read in one transaction.
  std::optional<storage::Transaction> own;
  if (!db.InTransaction()) {
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    own.emplace(std::move(tx));
  }
  RETURN_IF_ERROR(db.ExecScript("CREATE TEMP TABLE IF NOT EXISTS reentry_events_new (n BIGINT "
                                "NOT NULL, kind TEXT NOT NULL, scheme_id TEXT, member_idx BIGINT, "
                                "household_idx BIGINT, reason_code TEXT NOT NULL, detail TEXT NOT "
                                "NULL, source TEXT NOT NULL) ON COMMIT DELETE ROWS; DELETE FROM "
                                "reentry_events_new"));  // an earlier call's, this transaction
  RETURN_IF_ERROR(db.BulkInsert("reentry_events_new", kColumns, rows));
  ASSIGN_OR_RETURN(created,
                   db.Execute("INSERT INTO reentry_events (kind, scheme_id, member_idx, "
                              "household_idx, reason_code, detail, source, created_at_us) SELECT "
                              "kind, scheme_id, member_idx, household_idx, reason_code, detail, "
                              "source, ? FROM reentry_events_new ORDER BY n ON CONFLICT (source) "
                              "DO NOTHING",
                              {now.micros}));
  if (own) RETURN_IF_ERROR(own->Commit());
  return created;
}

Result<int64_t> RecordReentryEvents(storage::Database& db, std::span<const ReentryEvent> events,
                                    Timestamp now) {
  ASSIGN_OR_RETURN(storage::RowBuffer rows, ReentryEventRows(events));
  return RecordReentryEventRows(db, rows, now);
}

Result<std::vector<StoredReentryEvent>> ListReentryEvents(storage::Database& db,
                                                          const ReentryFilter& f) {
  if (f.limit < 1 || f.limit > 10000) {
    return InvalidArgumentError("re-entry events: limit must be 1..10000");
  }
  // Every filter is bound (NULL meaning "any"), so one cached statement serves them all.
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT event_id, kind, scheme_id, member_idx, household_idx, reason_code, "
               "detail, source, created_at_us, case_id FROM reentry_events WHERE "
               "(CAST(? AS BIGINT) IS NULL OR member_idx = ?) AND "
               "(CAST(? AS BIGINT) IS NULL OR household_idx = ?) AND "
               "(? = '' OR scheme_id = ?) AND (? = 0 OR case_id IS NULL) "
               "ORDER BY event_id DESC LIMIT ?",
               {OptInt(f.member_idx), OptInt(f.member_idx), OptInt(f.household_idx),
                OptInt(f.household_idx), f.scheme_id, f.scheme_id,
                int64_t{f.only_unclaimed ? 1 : 0}, int64_t{f.limit}}));
  std::vector<StoredReentryEvent> out;
  out.reserve(rows.size());
  for (const storage::Row& r : rows) {
    StoredReentryEvent s;
    s.event_id = r.Int(0);
    s.event.kind = ParseReentryKind(r.Text(1)).value_or(ReentryKind::kExit);
    s.event.scheme_id = r.Text(2);
    if (!r.IsNull(3)) s.event.member_idx = r.Int(3);
    if (!r.IsNull(4)) s.event.household_idx = r.Int(4);
    s.event.reason_code = r.Text(5);
    s.event.detail = nlohmann::json::parse(r.Text(6), nullptr, false);
    s.event.source = r.Text(7);
    s.created_at = Timestamp{r.Int(8)};
    if (!r.IsNull(9)) s.case_id = r.Int(9);
    out.push_back(std::move(s));
  }
  return out;
}

Status ClaimReentryEvent(storage::Database& db, int64_t event_id, int64_t case_id) {
  ASSIGN_OR_RETURN(int64_t n, db.Execute("UPDATE reentry_events SET case_id = ? WHERE event_id "
                                         "= ? AND (case_id IS NULL OR case_id = ?)",
                                         {case_id, event_id, case_id}));
  if (n == 0) {
    return FailedPreconditionError("re-entry event " + std::to_string(event_id) +
                                   " does not exist or belongs to another case");
  }
  return OkStatus();
}

}  // namespace spode::programs
