// The access gate: every read or change of personal data asks it first, and every decision,
// allowed or denied, is recorded in the access log. Deny by default.
//
//   Resource r{.object = family_id, .household_idx = h, .village_code = v};
//   RETURN_IF_ERROR(gate.Authorize(db, principal, Action::kHouseholdRead, r, "view", request_id));
//
// The policy (docs/access.md):
//   citizen   their own household only (read, change requests, its access log)
//   operator  a household whose citizen has just given one-time-code consent to this operator
//             (read, change requests); enrolling a new family; finding a citizen
//   officer   households whose village code starts with their area code; deciding change
//             requests and duplicates and enrolling need the registrar duty
//   officer   payment cycles: reading them needs the scheme_admin or approver duty, preparing
//             them scheme_admin, approving them approver
//   officer   a scheme's enrolment proposals and notices: the registrar or scheme_admin duty
//             (the rows are those of the officer's area)
//   bank      its own payment files and status files (its bank code is its scope); no
//             registry data
//   grievances (grievance.*): citizen their own household's (file, read, respond); operator
//             files with consent, reads what it filed; officer with the grievance_officer duty
//             in area (file, read, answer, reassign); bank reads and answers (those assigned
//             to it); developer clients with the client scope grievance.file file and read
//             what they filed, with grievance.gateway hand in SMS/IVR messages. Which grievance
//             exactly (holder, filer, state) is grievance/access_rules.h: the API asks it
//             first and records its denials through Deny

//   provider, developer, auditor: no registry data here (services and consented API access
//             come with their own work)
//   admin     user management only; no personal data
// Denied: PERMISSION_DENIED, with a reason that names the rule, not the data.
//
// Thread-safety: Gate is thread-safe; the AccessLog it writes to batches entries from all
// threads and writes them from its own thread (see AccessLog).
#ifndef SPODE_ACCESS_GATE_H_
#define SPODE_ACCESS_GATE_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "access/identities.h"
#include "access/principal.h"
#include "common/time_source.h"
#include "storage/database.h"

namespace spode::access {

enum class Action {
  kHouseholdRead,
  kHouseholdEnrol,
  kRegistrySearch,
  kChangeSubmit,
  kChangeList,
  kChangeDecide,
  kDuplicateList,
  kDuplicateDecide,
  kConsentRequest,
  kAccessLogRead,
  kUserManage,
  kEligibilityExplain,
  kSchemeSimulate,
  kPaymentsRead,      // a household's payments (citizen: their own)
  kCycleRead,         // payment cycles, their progress and budget (officers)
  kCyclePrepare,      // create or cancel a cycle (scheme_admin duty)
  kCycleApprove,      // approve a tier of a cycle (approver duty)
  kBankFileRead,      // a bank downloads its own payment files
  kBankStatusUpload,  // a bank uploads a status file about its own payments
  // Grievances (grievance/access_rules.h decides per grievance; the gate per role and area):
  kGrievanceFile,      // file one for a citizen (citizen: their own household)
  kGrievanceRead,      // one grievance with its history, or a list
  kGrievanceAnswer,    // interim reply, answer (the holder: officer or bank)
  kGrievanceReassign,  // move to another holder (grievance officer of the area)
  kGrievanceRespond,   // the citizen's rating, appeal, reopening, closing
  kGrievanceInbound,   // an SMS/IVR gateway hands in an inbound message
  kEnrolmentApply,     // apply for a scheme for a member (as change.submit: own, consented, area)
  kEnrolmentRead,      // a scheme's enrolment proposals, notices and objections (officers:
                       // registrar or scheme_admin duty; rows of their area)
  kConsentManage,      // a citizen's consents to partner apps: grant, list, withdraw
  kAuditRead,          // aggregates of the access log (auditors): counts, never a person
  kEnrolmentDecide,    // decide an application waiting for an officer's review (officers:
                       // registrar or scheme_admin duty, in area; never one's own)
  kSchemeEdit,         // save a scheme's text as its next version (scheme_admin duty)
  kPaymentRelease,     // send a failed payment again, or release a held one (scheme_admin duty,
                       // the payee's household in area)
};
std::string_view ActionName(Action a);

struct Resource {
  std::string object;         // what the log names: a family or member ID, or "search:<kind>"
  int64_t household_idx = 0;  // 0: no particular household (lists, searches, enrolment)
  std::string village_code;   // where the household lives (for officers' areas)
};

struct AccessEntry {
  int64_t at_us;
  std::string actor, role, action, object;
  int64_t household_idx;
  std::string purpose, decision, reason, request_id;
};

// The access log's writer. Entries are queued and written in batches by a background thread
// (one transaction per batch: every 100 ms, or at 1,000 entries), so that a read does not wait
// for a disk flush; Flush() waits until everything queued so far is written, and the destructor
// flushes. A crash can lose at most the last 100 ms of entries.
//
// Where it is kept. On PostgreSQL, the `access_log` table of the database itself. On SQLite, a
// database file of its own beside the registry's, `<file>-access-log` (SidecarPath), with the
// same table: every commit to a SQLite file makes every other connection to it throw away its
// page cache at its next read, so a log committed ten times a second into the registry's file
// made every read of the registry start from cold pages. Entries an older version wrote into the
// registry's own `access_log` are moved into the side file when the log is opened. Read the log
// through Read(), which sees both cases, and a household's entries through ForHousehold.
//
// The side file is compact (access/schema.h, AccessLogSidecarSchema): names repeated entry after
// entry (actor, role, action, purpose, reason) are integers into `access_names`, so the writer
// writes about 150 bytes an entry to storage instead of 359 and the file takes 73 bytes an entry
// instead of 158 (bench/access_log); `access_log` there is a view with the same columns. A file
// an older version wrote (a table of whole rows) is converted when it is opened, once, in one
// transaction.
//
// The side file's index by household lags. An index on (household_idx, at_us) took an entry
// all over the table's pages, so a batch wrote about a page per entry; the side file instead
// keeps `access_log_by_segment` (segment, household, time, entry id; no rowid; the segment is
// the entry id >> kSegmentBits), filled from the entries after `access_log_indexed.upto`, in key
// order, every kIndexEvery or kIndexBatch entries, and ForHousehold reads it together with the
// few entries not indexed yet. It is derived: a file whose index is missing or behind has it
// built or caught up when it is opened.
class AccessLog {
 public:
  // Opens its own connection: to `url` on PostgreSQL, to the side file on SQLite (created, with
  // its table, if missing).
  static Result<std::unique_ptr<AccessLog>> Open(const std::string& url);
  // Writes through `db` synchronously (tests, CLI commands).
  explicit AccessLog(storage::Database* db) : db_(db) {}
  ~AccessLog();
  void Append(AccessEntry entry);
  Status Flush();
  int64_t written() const { return written_; }
  // Runs a query over the log (`access_log`) once everything appended so far is written.
  Result<std::vector<storage::Row>> Read(std::string_view sql,
                                         std::initializer_list<storage::Value> params = {});
  // The newest `limit` entries about a household, newest first, once everything appended so
  // far is written: at_us, actor, role, action, purpose, decision.
  Result<std::vector<storage::Row>> ForHousehold(int64_t household_idx, int64_t limit);
  // Adds the entries written since the last time to the side file's index by household (the
  // writer does this by itself; tests call it to see both halves). Nothing on PostgreSQL.
  Status IndexHouseholds();
  // The side file of the SQLite database at `path`.
  static std::string SidecarPath(std::string_view path);

 private:
  AccessLog() = default;
  Status Write(std::vector<AccessEntry>& batch);
  Status IndexHouseholdsLocked();  // with db_mu_ held
  // The side file's compact rows of `batch` (with db_mu_ held, in the writer's transaction).
  // Names not seen before are added to access_names and to `fresh`, which the caller adds to
  // names_ once the transaction commits.
  Status InsertCompact(const std::vector<AccessEntry>& batch,
                       std::unordered_map<std::string, int64_t>& fresh);
  void Run();
  std::unique_ptr<storage::Database> owned_;
  storage::Database* db_ = nullptr;
  std::mutex db_mu_;  // the connection: the writer thread's batches and Read
  std::mutex mu_;
  std::condition_variable cv_;
  static constexpr size_t kBatch = 1000;
  static constexpr std::chrono::milliseconds kInterval{100};
  static constexpr int64_t kIndexBatch = 100'000;
  static constexpr std::chrono::seconds kIndexEvery{5};
  // The side file's index by household is kept in segments of 2^kSegmentBits entries (by
  // entry id): a catch-up writes into the newest segments only, about a catch-up's worth of
  // entries (kIndexBatch), and a household's entries are found with a look-up a segment. A file
  // whose segments an older version cut coarser (2^20) is read as it is: its segment numbers
  // are all within the range looked up (docs/access.md).
  static constexpr int kSegmentBits = 17;
  // The side file beside a SQLite registry: compact entries, and an index by household that
  // lags behind them.
  bool sidecar_ = false;
  // access_names, as far as this process has seen it; GUARDED_BY(db_mu_). Cleared when it
  // passes kNamesCached names (each citizen who signs in is an actor of their own).
  std::unordered_map<std::string, int64_t> names_;
  static constexpr size_t kNamesCached = 100'000;
  bool legacy_index_ = false;           // an older file's index of entries before the segments'
  int64_t unindexed_ = 0;  // entries written since it was brought up to date; GUARDED_BY(db_mu_)
  std::chrono::steady_clock::time_point indexed_at_;  // GUARDED_BY(db_mu_)
  std::deque<AccessEntry> queue_;  // GUARDED_BY(mu_)
  bool flush_wanted_ = false;      // GUARDED_BY(mu_)
  int64_t appended_ = 0, written_ = 0;  // GUARDED_BY(mu_)
  bool stop_ = false;
  bool background_ = false;
  Status last_error_;
  std::thread thread_;
};

class Gate {
 public:
  Gate(AccessLog& log, const TimeSource& clock) : log_(log), clock_(clock) {}

  // Decides, records, and returns OK or PERMISSION_DENIED. `db` is used to look up an
  // operator's assisted consent.
  Status Authorize(storage::Database& db, const Principal& p, Action action, const Resource& r,
                   std::string_view purpose, std::string_view request_id);

  // Records a denial decided outside the policy table (a route that is not for this role at
  // all) and returns PERMISSION_DENIED with `reason`: every refusal is in the log.
  Status Deny(const Principal& p, Action action, const Resource& r, std::string_view purpose,
              std::string_view request_id, std::string_view reason);

  // Whether an officer's area covers a village code.
  static bool InArea(const Principal& p, std::string_view village_code);
  // Whether a machine client registered `scope` (one of its space-separated client scopes).
  static bool HasClientScope(const Principal& p, std::string_view scope);

 private:
  // The rule's verdict: empty when allowed, else the reason for denial.
  std::string Decide(storage::Database& db, const Principal& p, Action action, const Resource& r);
  AccessLog& log_;
  const TimeSource& clock_;
};

}  // namespace spode::access

#endif  // SPODE_ACCESS_GATE_H_
