#include "access/gate.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "access/client_consents.h"
#include "access/schema.h"
#include "common/log.h"
#include "common/thread_name.h"

namespace spode::access {

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kHouseholdRead: return "household.read";
    case Action::kHouseholdEnrol: return "household.enrol";
    case Action::kRegistrySearch: return "registry.search";
    case Action::kChangeSubmit: return "change.submit";
    case Action::kChangeList: return "change.list";
    case Action::kChangeDecide: return "change.decide";
    case Action::kDuplicateList: return "duplicate.list";
    case Action::kDuplicateDecide: return "duplicate.decide";
    case Action::kConsentRequest: return "consent.request";
    case Action::kAccessLogRead: return "access_log.read";
    case Action::kUserManage: return "user.manage";
    case Action::kEligibilityExplain: return "eligibility.explain";
    case Action::kSchemeSimulate: return "scheme.simulate";
    case Action::kPaymentsRead: return "payments.read";
    case Action::kCycleRead: return "cycle.read";
    case Action::kCyclePrepare: return "cycle.prepare";
    case Action::kCycleApprove: return "cycle.approve";
    case Action::kBankFileRead: return "bank_file.read";
    case Action::kBankStatusUpload: return "bank_status.upload";
    case Action::kGrievanceFile: return "grievance.file";
    case Action::kGrievanceRead: return "grievance.read";
    case Action::kGrievanceAnswer: return "grievance.answer";
    case Action::kGrievanceReassign: return "grievance.reassign";
    case Action::kGrievanceRespond: return "grievance.respond";
    case Action::kGrievanceInbound: return "grievance.inbound";
    case Action::kEnrolmentApply: return "enrolment.apply";
    case Action::kEnrolmentRead: return "enrolment.read";
    case Action::kConsentManage: return "consent.manage";
    case Action::kAuditRead: return "audit.read";
    case Action::kEnrolmentDecide: return "enrolment.decide";
    case Action::kSchemeEdit: return "scheme.edit";
    case Action::kPaymentRelease: return "payment.release";
  }
  return "unknown";
}

// --- AccessLog ---

namespace {

// The columns an entry is written into (all but log_id), in AccessEntry's order.
const std::string kEntryColumns[] = {"at_us",  "actor",         "role",    "action",
                                     "object", "household_idx", "purpose", "decision",
                                     "reason", "request_id"};

constexpr const char* kColumns =
    "log_id, at_us, actor, role, action, object, household_idx, purpose, decision, reason, "
    "request_id";

// Binds the side file to its registry and moves into it the entries an older version wrote into
// the registry's own table.
//
// The binding: the side file records when its registry was created (the time the registry's
// first migration was applied), and refuses any other registry. Without it, a registry deleted
// "to start afresh" while its log stayed behind would inherit the old log, whose household
// numbers name other families: a citizen would be shown who looked at someone else's data.
//
// The move: copied in one transaction, then deleted from the registry in another. An entry
// whose id is past the side file's last keeps it, so a copy interrupted and done again adds
// nothing twice. An entry whose id the side file already gives another entry (the registry's
// table numbers from 1 again once emptied) gets the next free id instead: it is never dropped
// (were such a move interrupted before the delete, that entry alone would be copied twice).
// Either way every moved entry lands past the index's end, so the next catch-up indexes it.
Status BindToRegistry(storage::Database& sidecar, const std::string& registry_path,
                      const std::string& sidecar_path) {
  std::string quoted;  // an SQL string literal of the path
  for (char c : registry_path) {
    if (c == '\'') quoted.push_back('\'');
    quoted.push_back(c);
  }
  RETURN_IF_ERROR(sidecar.ExecScript("ATTACH DATABASE '" + quoted + "' AS registry"));
  Status s = [&]() -> Status {
    ASSIGN_OR_RETURN(auto migrated, sidecar.QueryOne("SELECT COUNT(*) FROM registry.sqlite_master "
                                                     "WHERE type = 'table' AND name = "
                                                     "'schema_migrations'"));
    if (!migrated || migrated->Int(0) == 0) return OkStatus();  // nothing there to mix up
    ASSIGN_OR_RETURN(auto created,
                     sidecar.QueryOne("SELECT MIN(applied_at_us) FROM registry.schema_migrations"));
    if (created && !created->IsNull(0)) {
      const int64_t registry_created = created->Int(0);
      ASSIGN_OR_RETURN(auto owner,
                       sidecar.QueryOne("SELECT registry_created_us FROM main.access_log_owner"));
      if (!owner) {
        RETURN_IF_ERROR(sidecar.ExecScript("INSERT INTO main.access_log_owner "
                                           "(registry_created_us) VALUES (" +
                                           std::to_string(registry_created) + ")"));
      } else if (owner->Int(0) != registry_created) {
        return FailedPreconditionError(
            "the access log " + sidecar_path + " belongs to another database than " +
            registry_path + " (one created at " + Timestamp{owner->Int(0)}.ToString() +
            "): move it away to begin a new log, or put back the database it belongs to");
      }
    }
    ASSIGN_OR_RETURN(auto has_table, sidecar.QueryOne("SELECT COUNT(*) FROM registry.sqlite_master "
                                                      "WHERE type = 'table' AND name = "
                                                      "'access_log'"));
    if (!has_table || has_table->Int(0) == 0) return OkStatus();
    ASSIGN_OR_RETURN(auto any, sidecar.QueryOne("SELECT EXISTS (SELECT 1 FROM registry.access_log)"));
    if (!any || any->Int(0) == 0) return OkStatus();
    {
      ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(sidecar));
      ASSIGN_OR_RETURN(auto last,
                       sidecar.QueryOne("SELECT COALESCE(MAX(log_id), 0) FROM "
                                        "main.access_entries"));
      const int64_t side_last = last ? last->Int(0) : 0;
      std::string keep = "INSERT INTO main.access_log (";
      keep.append(kColumns).append(") SELECT ").append(kColumns).append(
          " FROM registry.access_log WHERE log_id > ? ORDER BY log_id");
      RETURN_IF_ERROR(sidecar.Execute(keep, {side_last}).status());
      // Those at or below the side file's last id: unless the very same entry is there (a move
      // done again), after everything, with new ids.
      static const std::string kRenumber =
          "INSERT INTO main.access_log (at_us, actor, role, action, object, household_idx, "
          "purpose, decision, reason, request_id) SELECT r.at_us, r.actor, r.role, r.action, "
          "r.object, r.household_idx, r.purpose, r.decision, r.reason, r.request_id FROM "
          "registry.access_log r LEFT JOIN main.access_log s ON s.log_id = r.log_id WHERE "
          "r.log_id <= ? AND (s.log_id IS NULL OR NOT (s.at_us = r.at_us AND s.actor = r.actor "
          "AND s.role = r.role AND s.action = r.action AND s.object = r.object AND "
          "s.household_idx IS r.household_idx AND s.purpose = r.purpose AND s.decision = "
          "r.decision AND s.reason = r.reason AND s.request_id = r.request_id)) ORDER BY "
          "r.log_id";
      RETURN_IF_ERROR(sidecar.Execute(kRenumber, {side_last}).status());
      RETURN_IF_ERROR(tx.Commit());
    }
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(sidecar));
    RETURN_IF_ERROR(sidecar.ExecScript("DELETE FROM registry.access_log"));
    return tx.Commit();
  }();
  Status detached = sidecar.ExecScript("DETACH DATABASE registry");
  RETURN_IF_ERROR(s);
  return detached;
}

// The side file's log as AccessLogSidecarSchema has it: created in a new file, converted from
// the table of whole rows an older version wrote (in one transaction; its entries keep their
// ids, and their request ids stay text).
Status MakeCompact(storage::Database& sidecar, const std::string& sidecar_path) {
  ASSIGN_OR_RETURN(auto kind,
                   sidecar.QueryOne("SELECT type FROM sqlite_master WHERE name = 'access_log'"));
  if (kind && kind->Text(0) == "view") return OkStatus();
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(sidecar));
  if (!kind) {
    RETURN_IF_ERROR(sidecar.ExecScript(AccessLogSidecarSchema()));
    return tx.Commit();
  }
  spdlog::info("access log {}: converting it to the compact form, once (about 5 s a million "
               "entries)",
               sidecar_path);
  RETURN_IF_ERROR(sidecar.ExecScript("ALTER TABLE access_log RENAME TO access_log_wide"));
  RETURN_IF_ERROR(sidecar.ExecScript(AccessLogSidecarSchema()));
  RETURN_IF_ERROR(sidecar.ExecScript(
      "INSERT INTO access_names (name) SELECT actor FROM access_log_wide UNION SELECT role FROM "
      "access_log_wide UNION SELECT action FROM access_log_wide UNION SELECT purpose FROM "
      "access_log_wide UNION SELECT reason FROM access_log_wide"));
  RETURN_IF_ERROR(sidecar.ExecScript(
      "INSERT INTO access_entries (log_id, at_us, actor, role, action, object, household_idx, "
      "purpose, decision, reason, request_id) SELECT log_id, at_us, (SELECT name_id FROM "
      "access_names WHERE name = w.actor), (SELECT name_id FROM access_names WHERE name = "
      "w.role), (SELECT name_id FROM access_names WHERE name = w.action), CASE WHEN object GLOB "
      "'[1-9]*' AND object NOT GLOB '*[^0-9]*' AND length(object) <= 18 THEN CAST(object AS "
      "INTEGER) ELSE object END, household_idx, (SELECT name_id FROM access_names WHERE name = "
      "w.purpose), CASE decision WHEN 'allow' THEN 1 WHEN 'deny' THEN 0 END, (SELECT name_id "
      "FROM access_names WHERE name = w.reason), request_id FROM access_log_wide w ORDER BY "
      "log_id"));
  RETURN_IF_ERROR(sidecar.ExecScript("DROP TABLE access_log_wide"));
  return tx.Commit();
}

// An object of 1 to 18 digits, not starting with 0 (a family or member ID), is stored as an
// integer, which the view gives back as the same text.
std::optional<int64_t> DigitsAsInteger(std::string_view s) {
  if (s.empty() || s.size() > 18 || s[0] == '0') return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// A request id of 16 lower-case hex digits (the server's own) is stored as its 64 bits, which
// the view gives back as the same text (printf('%016x')).
std::optional<int64_t> HexAsInteger(std::string_view s) {
  if (s.size() != 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return static_cast<int64_t>(v);
}

}  // namespace

std::string AccessLog::SidecarPath(std::string_view path) {
  std::string out(path);
  out.append("-access-log");
  return out;
}

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::string& url) {
  std::unique_ptr<AccessLog> log(new AccessLog());
  ASSIGN_OR_RETURN(log->owned_, storage::Open(url));
  if (std::optional<std::string> path = storage::SqliteFilePath(*log->owned_)) {
    log->owned_.reset();
    ASSIGN_OR_RETURN(log->owned_, storage::Open(SidecarPath(*path)));
    // access/0001's table as a view over compact entries, created with the file.
    RETURN_IF_ERROR(MakeCompact(*log->owned_, SidecarPath(*path)));
    RETURN_IF_ERROR(log->owned_->ExecScript(
        "CREATE TABLE IF NOT EXISTS access_log_owner (registry_created_us BIGINT NOT NULL)"));
    RETURN_IF_ERROR(BindToRegistry(*log->owned_, *path, SidecarPath(*path)));
    // The index by household, in segments of entries (kSegmentBits). An index of the whole
    // log by household takes each catch-up's entries all over it, so the pages one catch-up
    // writes grow with the log; in segments, they go into the newest segments only. An
    // older file's unsegmented index (access_log_by_household) is kept and read, not written.
    RETURN_IF_ERROR(log->owned_->ExecScript(
        "DROP INDEX IF EXISTS access_log_household; "
        "CREATE TABLE IF NOT EXISTS access_log_by_segment (segment BIGINT NOT NULL, "
        "household_idx BIGINT NOT NULL, at_us BIGINT NOT NULL, log_id BIGINT NOT NULL, "
        "PRIMARY KEY (segment, household_idx, at_us, log_id)) WITHOUT ROWID; "
        "CREATE TABLE IF NOT EXISTS access_log_indexed (upto BIGINT NOT NULL); "
        "INSERT INTO access_log_indexed (upto) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM "
        "access_log_indexed)"));
    ASSIGN_OR_RETURN(auto legacy, log->owned_->QueryOne("SELECT COUNT(*) FROM sqlite_master "
                                                        "WHERE type = 'table' AND name = "
                                                        "'access_log_by_household'"));
    log->legacy_index_ = legacy && legacy->Int(0) > 0;
    log->sidecar_ = true;
    // A log's commits dirty pages here and there in its tables; checkpointing every 64 MB of
    // log instead of SQLite's 4 MB writes a page back once for many commits. The PRAGMA also
    // puts SQLite's own checkpoint back on this connection in place of storage's background
    // one (OpenOptions::checkpoint_pages): its commits are made on the log's own thread.
    RETURN_IF_ERROR(log->owned_->ExecScript("PRAGMA wal_autocheckpoint=16384"));
  }
  log->db_ = log->owned_.get();
  if (log->sidecar_) {
    std::lock_guard lock(log->db_mu_);
    RETURN_IF_ERROR(log->IndexHouseholdsLocked());  // a new, moved or older file caught up
  }
  log->background_ = true;
  log->thread_ = std::thread([l = log.get()] {
    NameThisThread("spode-accesslog");
    l->Run();
  });
  return log;
}

AccessLog::~AccessLog() {
  Flush().IgnoreError();
  if (background_) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
}

void AccessLog::Append(AccessEntry entry) {
  if (!background_) {
    std::vector<AccessEntry> one{std::move(entry)};
    std::lock_guard lock(mu_);
    Status s = Write(one);
    if (!s.ok()) spdlog::error("access log: {}", s.ToString());
    return;
  }
  bool wake;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(entry));
    ++appended_;
    wake = queue_.size() >= kBatch;
  }
  // The writer wakes by itself every kInterval; waking it per entry would commit per entry
  // (a disk flush each, and every reader connection's page cache thrown away).
  if (wake) cv_.notify_all();
}

Status AccessLog::Flush() {
  if (!background_) return OkStatus();
  std::unique_lock lock(mu_);
  int64_t target = appended_;
  flush_wanted_ = true;
  cv_.notify_all();
  cv_.wait(lock, [&] { return written_ >= target || stop_; });
  flush_wanted_ = false;
  // An error is reported once, to the first flush after it.
  Status error = last_error_;
  last_error_ = OkStatus();
  return error;
}

Result<std::vector<storage::Row>> AccessLog::Read(std::string_view sql,
                                                  std::initializer_list<storage::Value> params) {
  RETURN_IF_ERROR(Flush());
  std::lock_guard lock(db_mu_);
  return db_->Query(sql, params);
}

Result<std::vector<storage::Row>> AccessLog::ForHousehold(int64_t household_idx, int64_t limit) {
  if (!sidecar_) {
    return Read("SELECT at_us, actor, role, action, purpose, decision FROM access_log WHERE "
                "household_idx = ? ORDER BY log_id DESC LIMIT ?",
                {household_idx, limit});
  }
  // The indexed entries, a look-up in each segment up to the index's end (and in an older
  // file's unsegmented index), and those after the index's end, in one statement (one
  // snapshot), so that the indexer between the two halves cannot hide or repeat an entry.
  // Two fixed texts (with and without the older index); the household is bound once (?1).
  static const std::string kSelect =
      "WITH RECURSIVE segments(s) AS (SELECT (SELECT upto FROM access_log_indexed) >> " +
      std::to_string(kSegmentBits) +
      " UNION ALL SELECT s - 1 FROM segments WHERE s > 0) SELECT at_us, actor, role, action, "
      "purpose, decision FROM (SELECT log_id, at_us, actor, role, action, purpose, decision "
      "FROM access_log WHERE log_id IN (SELECT b.log_id FROM segments JOIN "
      "access_log_by_segment b ON b.segment = segments.s AND b.household_idx = ?1";
  static const std::string kTail =
      ") UNION ALL SELECT log_id, at_us, actor, role, action, purpose, decision FROM access_log "
      "WHERE log_id > (SELECT upto FROM access_log_indexed) AND household_idx = ?1) ORDER BY "
      "log_id DESC LIMIT ?2";
  static const std::string kWithLegacy =
      kSelect + " UNION ALL SELECT log_id FROM access_log_by_household WHERE household_idx = ?1" +
      kTail;
  static const std::string kSegmentsOnly = kSelect + kTail;
  return Read(legacy_index_ ? kWithLegacy : kSegmentsOnly, {household_idx, limit});
}

Status AccessLog::IndexHouseholds() {
  if (!sidecar_) return OkStatus();
  RETURN_IF_ERROR(Flush());
  std::lock_guard lock(db_mu_);
  return IndexHouseholdsLocked();
}

Status AccessLog::IndexHouseholdsLocked() {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(*db_));
  ASSIGN_OR_RETURN(auto upto, db_->QueryOne("SELECT upto FROM access_log_indexed"));
  ASSIGN_OR_RETURN(auto last,
                   db_->QueryOne("SELECT COALESCE(MAX(log_id), 0) FROM access_entries"));
  const int64_t from = upto ? upto->Int(0) : 0;
  const int64_t to = last ? last->Int(0) : 0;
  if (to > from) {
    // In key order, so the index's pages are written in one sweep.
    static const std::string kCatchUp =
        "INSERT INTO access_log_by_segment (segment, household_idx, at_us, log_id) SELECT "
        "log_id >> " +
        std::to_string(kSegmentBits) +
        ", household_idx, at_us, log_id FROM access_entries WHERE log_id > ? AND log_id <= ? AND "
        "household_idx IS NOT NULL ORDER BY 1, 2, 3, 4";
    RETURN_IF_ERROR(db_->Execute(kCatchUp, {from, to}).status());
    RETURN_IF_ERROR(db_->Execute("UPDATE access_log_indexed SET upto = ?", {to}).status());
  }
  RETURN_IF_ERROR(tx.Commit());
  unindexed_ = 0;
  indexed_at_ = std::chrono::steady_clock::now();
  return OkStatus();
}

Status AccessLog::InsertCompact(const std::vector<AccessEntry>& batch,
                                std::unordered_map<std::string, int64_t>& fresh) {
  auto name_id = [&](const std::string& name) -> Result<int64_t> {
    if (auto it = names_.find(name); it != names_.end()) return it->second;
    if (auto it = fresh.find(name); it != fresh.end()) return it->second;
    // Another process (a command) may have added it: the name is unique, its id never changes.
    RETURN_IF_ERROR(
        db_->Execute("INSERT OR IGNORE INTO access_names (name) VALUES (?)", {name}).status());
    ASSIGN_OR_RETURN(auto row,
                     db_->QueryOne("SELECT name_id FROM access_names WHERE name = ?", {name}));
    if (!row) return InternalError("access log: the name just added is missing");
    fresh.emplace(name, row->Int(0));
    return row->Int(0);
  };
  storage::RowBuffer rows(10);
  for (const AccessEntry& e : batch) {
    if (e.decision != "allow" && e.decision != "deny") {
      return InvalidArgumentError("access log: a decision is allow or deny, not " + e.decision);
    }
    rows.Int(e.at_us);
    for (const std::string* name : {&e.actor, &e.role, &e.action}) {
      ASSIGN_OR_RETURN(int64_t id, name_id(*name));
      rows.Int(id);
    }
    if (std::optional<int64_t> n = DigitsAsInteger(e.object)) {
      rows.Int(*n);
    } else {
      rows.Text(e.object);
    }
    if (e.household_idx > 0) {
      rows.Int(e.household_idx);
    } else {
      rows.Null();
    }
    ASSIGN_OR_RETURN(int64_t purpose, name_id(e.purpose));
    rows.Int(purpose).Int(e.decision == "allow" ? 1 : 0);
    ASSIGN_OR_RETURN(int64_t reason, name_id(e.reason));
    rows.Int(reason);
    if (std::optional<int64_t> n = HexAsInteger(e.request_id)) {
      rows.Int(*n);
    } else {
      rows.Text(e.request_id);
    }
  }
  return db_->BulkInsert("access_entries", kEntryColumns, rows);
}

// One multi-row INSERT per many entries (Database::BulkInsert), on either path, rather than a
// statement an entry: the writer's CPU is taken from the same cores as the reads it records.
Status AccessLog::Write(std::vector<AccessEntry>& batch) {
  std::lock_guard lock(db_mu_);
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(*db_));
  std::unordered_map<std::string, int64_t> fresh;
  if (sidecar_) {
    RETURN_IF_ERROR(InsertCompact(batch, fresh));
  } else {  // whole rows: PostgreSQL, or a log written through a given database
    storage::RowBuffer rows(10);
    for (const AccessEntry& e : batch) {
      rows.Int(e.at_us).Text(e.actor).Text(e.role).Text(e.action).Text(e.object);
      if (e.household_idx > 0) {
        rows.Int(e.household_idx);
      } else {
        rows.Null();
      }
      rows.Text(e.purpose).Text(e.decision).Text(e.reason).Text(e.request_id);
    }
    RETURN_IF_ERROR(db_->BulkInsert("access_log", kEntryColumns, rows));
  }
  RETURN_IF_ERROR(tx.Commit());
  if (names_.size() + fresh.size() > kNamesCached) names_.clear();
  names_.merge(fresh);
  written_ += static_cast<int64_t>(batch.size());
  unindexed_ += static_cast<int64_t>(batch.size());
  if (sidecar_ && (unindexed_ >= kIndexBatch ||
                   std::chrono::steady_clock::now() - indexed_at_ >= kIndexEvery)) {
    // The entries are committed: an indexing failure loses nothing (the next run catches up).
    if (Status s = IndexHouseholdsLocked(); !s.ok()) {
      spdlog::warn("access log: indexing by household: {}", s.ToString());
    }
  }
  return OkStatus();
}

void AccessLog::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait_for(lock, kInterval, [&] {
      return stop_ || queue_.size() >= kBatch || (flush_wanted_ && !queue_.empty());
    });
    if (queue_.empty()) {
      if (stop_) break;
      continue;
    }
    std::vector<AccessEntry> batch(std::make_move_iterator(queue_.begin()),
                                   std::make_move_iterator(queue_.end()));
    queue_.clear();
    lock.unlock();
    std::vector<AccessEntry> pending = std::move(batch);
    Status s;
    for (int attempt = 0; attempt < 5; ++attempt) {
      s = Write(pending);
      if (s.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
    }
    if (!s.ok() && pending.size() > 1) {
      // One bad entry must not take the rest of its batch with it: write them one by one.
      std::vector<AccessEntry> failed;
      for (AccessEntry& e : pending) {
        std::vector<AccessEntry> one{std::move(e)};
        Status one_status = Write(one);
        if (!one_status.ok()) {
          s = one_status;
          failed.push_back(std::move(one.front()));
        }
      }
      if (failed.empty()) s = OkStatus();
      pending = std::move(failed);
    }
    lock.lock();
    if (!s.ok()) {
      // Never silently: the entries are counted as written so Flush returns, with the error.
      spdlog::error("access log: {} entries could not be written: {}", pending.size(),
                    s.ToString());
      last_error_ = s;
      written_ += static_cast<int64_t>(pending.size());
    }
    cv_.notify_all();
  }
}

// --- Gate ---

bool Gate::InArea(const Principal& p, std::string_view village_code) {
  return p.role == Role::kOfficer && !p.scope.empty() && village_code.starts_with(p.scope);
}

bool Gate::HasClientScope(const Principal& p, std::string_view scope) {
  return ScopeListHas(p.client_scopes, scope);
}

std::string Gate::Decide(storage::Database& db, const Principal& p, Action action,
                         const Resource& r) {
  const bool specific = r.household_idx > 0;
  switch (p.role) {
    case Role::kCitizen:
      if (action == Action::kHouseholdRead || action == Action::kChangeSubmit ||
          action == Action::kAccessLogRead || action == Action::kEligibilityExplain ||
          action == Action::kPaymentsRead || action == Action::kGrievanceFile ||
          action == Action::kGrievanceRead || action == Action::kGrievanceRespond ||
          action == Action::kEnrolmentApply || action == Action::kConsentManage) {
        if (specific && r.household_idx == p.household_idx) return "";
        return "a citizen sees only their own household";
      }
      return "not open to citizens";
    case Role::kOperator:
      if (action == Action::kRegistrySearch && r.object == "search:name") {
        return "operators find a citizen by member, family or national ID";
      }
      if (action == Action::kHouseholdEnrol || action == Action::kConsentRequest ||
          action == Action::kRegistrySearch) {
        return "";
      }
      // The grievances an operator filed (grievance::CanView, asked first, says which).
      if (action == Action::kGrievanceRead) return "";
      if (action == Action::kHouseholdRead || action == Action::kChangeSubmit ||
          action == Action::kEligibilityExplain || action == Action::kGrievanceFile ||
          action == Action::kEnrolmentApply) {
        if (!specific) return "an operator acts for one consenting household at a time";
        auto consent = Identities(db, clock_).HasAssistedConsent(p, r.household_idx);
        if (consent.ok() && *consent) return "";
        return "the citizen has not given this operator one-time-code consent for this session";
      }
      return "not open to operators";
    case Role::kOfficer: {
      // A resource with a village (a household, or a village to enrol in) must be in the area.
      bool area_ok = r.village_code.empty() ? !specific : InArea(p, r.village_code);
      if (!area_ok) return "the household is outside the officer's area";
      switch (action) {
        case Action::kHouseholdRead:
        case Action::kEligibilityExplain:
        case Action::kRegistrySearch:
        case Action::kChangeSubmit:
        case Action::kEnrolmentApply:
        case Action::kChangeList:
        case Action::kDuplicateList:
          return "";
        case Action::kHouseholdEnrol:
        case Action::kChangeDecide:
        case Action::kDuplicateDecide:
          if (p.HasDuty(Duty::kRegistrar)) return "";
          return "this needs the registrar duty";
        case Action::kSchemeSimulate:
        case Action::kSchemeEdit:
        case Action::kCyclePrepare:
        case Action::kPaymentRelease:
          if (p.HasDuty(Duty::kSchemeAdmin)) return "";
          return "this needs the scheme_admin duty";
        case Action::kCycleApprove:
          if (p.HasDuty(Duty::kApprover)) return "";
          return "this needs the approver duty";
        case Action::kCycleRead:
          if (p.HasDuty(Duty::kSchemeAdmin) || p.HasDuty(Duty::kApprover)) return "";
          return "this needs the scheme_admin or approver duty";
        case Action::kEnrolmentRead:
        case Action::kEnrolmentDecide:
          if (p.HasDuty(Duty::kRegistrar) || p.HasDuty(Duty::kSchemeAdmin)) return "";
          return "this needs the registrar or scheme_admin duty";
        case Action::kGrievanceFile:
        case Action::kGrievanceRead:
        case Action::kGrievanceAnswer:
        case Action::kGrievanceReassign:
          if (p.HasDuty(Duty::kGrievanceOfficer)) return "";
          return "this needs the grievance_officer duty";
        default:
          return "not open to officers";
      }
    }
    case Role::kAdmin:
      if (action == Action::kUserManage) return "";
      return "administrators manage accounts, not personal data";
    case Role::kBank:
      // Grievances: only those assigned to the bank (grievance::CanView and CanAnswer, asked
      // first, say which).
      if (action == Action::kBankFileRead || action == Action::kBankStatusUpload ||
          action == Action::kGrievanceRead || action == Action::kGrievanceAnswer) {
        if (!p.scope.empty()) return "";
        return "a bank account needs its bank code as its scope";
      }
      return "registry data is not open to this role";
    case Role::kDeveloper:
      // Partners (CSOs) file grievances for citizens and follow those they filed; an SMS/IVR
      // gateway hands in what citizens send. Each needs its client scope.
      if (action == Action::kGrievanceFile || action == Action::kGrievanceRead) {
        if (HasClientScope(p, "grievance.file")) return "";
        return "this needs the client scope grievance.file";
      }
      if (action == Action::kGrievanceInbound) {
        if (HasClientScope(p, "grievance.gateway")) return "";
        return "this needs the client scope grievance.gateway";
      }
      // A partner app reads a household only while a member of it consents
      // (access/client_consents.h), and only with the client scope the consent names.
      if (action == Action::kHouseholdRead) {
        if (!HasClientScope(p, "registry.read")) return "this needs the client scope registry.read";
        if (!specific) return "a partner app reads one consenting household at a time";
        auto consent = ClientConsents(db, clock_).Allows(p, r.household_idx, "registry.read");
        if (consent.ok() && *consent) return "";
        return "no member of the household has consented to this app reading it";
      }
      return "registry data is not open to this role";
    case Role::kAuditor:
      if (action == Action::kAuditRead) return "";
      return "auditors see aggregates, not personal data";
    case Role::kProvider:
      return "registry data is not open to this role";
  }
  return "denied by default";
}

Status Gate::Deny(const Principal& p, Action action, const Resource& r, std::string_view purpose,
                  std::string_view request_id, std::string_view reason) {
  log_.Append({clock_.Now().micros, p.Actor(), std::string(RoleName(p.role)),
               std::string(ActionName(action)), r.object, r.household_idx, std::string(purpose),
               "deny", std::string(reason), RedactNationalIds(request_id)});
  return PermissionDeniedError(std::string(reason));
}

Status Gate::Authorize(storage::Database& db, const Principal& p, Action action,
                       const Resource& r, std::string_view purpose, std::string_view request_id) {
  std::string denial = Decide(db, p, action, r);
  log_.Append({clock_.Now().micros, p.Actor(), std::string(RoleName(p.role)),
               std::string(ActionName(action)), r.object, r.household_idx, std::string(purpose),
               denial.empty() ? "allow" : "deny", denial.empty() ? "policy" : denial,
               RedactNationalIds(request_id)});
  if (denial.empty()) return OkStatus();
  return PermissionDeniedError(denial);
}

}  // namespace spode::access
