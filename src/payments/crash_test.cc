// Crash safety (issue 5, "a test, not a promise"): processes running the payment pipeline are
// killed with SIGKILL at hundreds of random points, during status import, cycle creation and
// approval, instruction generation and file export; each time a restarted process resumes by
// running the same steps again, and the test checks that no instruction is duplicated or lost,
// that the ledger balances and agrees with the payments and with the files on disk (Reconcile),
// and that the outcome equals an uncrashed run of the same steps on a second database (the
// reference) that is never killed.
//
// A period's pipeline imports the bank's status file for the previous period's files, then
// creates the period's cycle, approves it (district, then state), generates its instructions
// and exports the bank files. Per period the test
//   1. runs the reference to completion, and makes from it the bank's answer to its files (the
//      same bytes are imported on both sides next period): most paid, some accepted, some
//      rejected for a timeout (sent again with the same id), some as account closed, and a few
//      of the previous period's credits returned;
//   2. forks a child that opens a connection of its own (never the parent's), says it is ready
//      and runs the period; after a seeded random delay aimed inside one of the steps (timed by
//      a child left uncrashed now and then), the test kills it, reads from a shared page which
//      step it was in, waits on PostgreSQL until the killed session has left the server, and
//      checks what the kill left: a cycle whole or absent, instructions all or none, the ledger
//      reconciled with the files written so far;
//   3. forks a second child that resumes the period and kills it too, at a random moment;
//   4. resumes to the end in a restarted process (a new connection), and checks the invariants
//      and the outcome against the reference: the ledger account by account, the instructions
//      by state, amount and attempt, the bank files, every table the steps write, counted.
// Every period is a new month, so every child has work; a pair of databases holds at most
// kPeriodsPerDatabase periods, so the checks stay cheap.
//
// Environment: SPODE_CRASH_SEED=<n> repeats a run's random choices (status files, kill delays;
// where a kill lands still depends on timing). SPODE_CRASH_KILLS=<n>: kills that must land
// inside a step (default 200). SPODE_CRASH_FAST: skip waiting for disks (see Fast()).
// SPODE_CRASH_TMPDIR: where the SQLite databases and bank files go.
// SPODE_CRASH_RESUME_AT_ONCE: on PostgreSQL, resume without waiting for the killed session to
// leave the server (see RestartRaceTest below for what that finds).
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "payments/disbursement.h"
#include "payments/reconcile.h"
#include "payments/testing/world.h"
#include "storage/testing/test_database.h"

namespace spode::payments {
namespace {

using testing::World;

constexpr int64_t kHouseholds = 40;
constexpr int kPeriodsPerDatabase = 40;
constexpr int kCalibrateEvery = 20;  // one period in twenty runs uncrashed, to time the steps
constexpr int kKillsPerPeriod = 2;   // a period is killed, then killed again while resuming

// By default the test syncs to disk as production does, so a kill can land while a commit waits
// for the disk. A killed process loses nothing the kernel (or the database server) already holds,
// though, so with SPODE_CRASH_FAST set the SQLite databases and bank files go to /dev/shm and
// PostgreSQL sessions commit without waiting for the WAL flush (synchronous_commit = off: a commit
// is as visible and as final to every other session; only a server crash could lose it).
bool Fast() { return std::getenv("SPODE_CRASH_FAST") != nullptr; }

// Where the SQLite databases and bank files go: SPODE_CRASH_TMPDIR, else as above.
std::filesystem::path ScratchDirectory() {
  if (const char* dir = std::getenv("SPODE_CRASH_TMPDIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  if (Fast() && access("/dev/shm", W_OK) == 0 && std::filesystem::is_directory("/dev/shm")) {
    return "/dev/shm";
  }
  return std::filesystem::temp_directory_path();
}

Status CommitWithoutFlush(storage::Database& db) {
  if (!Fast() || db.dialect() != storage::Dialect::kPostgres) return OkStatus();
  return db.ExecScript("SET synchronous_commit = off");
}

// A new connection to `tdb`'s database, as a restarted process would open.
Result<std::unique_ptr<storage::Database>> Reconnect(const storage::testing::TestDatabase& tdb) {
  ASSIGN_OR_RETURN(auto db, tdb.Connect());
  RETURN_IF_ERROR(CommitWithoutFlush(*db));
  return db;
}

// Points TMPDIR (where TestDatabase puts a SQLite file) at `dir` for its lifetime.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::filesystem::path& dir) {
    if (const char* old = std::getenv("TMPDIR"); old != nullptr) old_ = old;
    setenv("TMPDIR", dir.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      setenv("TMPDIR", old_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

// The steps of a period, in the order they run.
enum Step : int {
  kStarting = 0,
  kImport,
  kCreate,
  kApproveDistrict,
  kApproveState,
  kGenerate,
  kExport,
  kFinished,
  kSteps
};
constexpr std::array<const char*, kSteps> kStepNames = {
    "starting",        "import status", "create cycle", "approve (district)",
    "approve (state)", "generate",      "export",       "finished"};

// The page the child and the test share: the step the child is in, and when each began.
struct ChildPage {
  std::atomic<int> step;
  std::atomic<int64_t> backend_pid;  // PostgreSQL: the server process of the child's session
  std::atomic<int64_t> step_start_us[kSteps];
  char error[2048];
};

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// "2026-04" + n months.
std::string Month(int n) {
  int m = 3 + n;
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d", 2026 + m / 12, m % 12 + 1);
  return out;
}

// 10:00 IST on the first day of the month after month n: the period has begun.
Timestamp ClockFor(int n) {
  int m = 4 + n;
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-01T04:30:00Z", 2026 + m / 12, m % 12 + 1);
  return *Timestamp::Parse(out);
}

// One period: import the bank's answer to the previous period's files (when given), then create,
// approve, generate and export this period's. Each step is safe to repeat, so the same call runs
// the period and resumes it after a crash. (The import comes first so that a repeat changes
// nothing: an export after it would send at once the retries it requeued, which an uncrashed
// run sends with the next period.) `at` is told each step before it begins.
Status RunPeriod(World& world, ManualTimeSource& clock, const crypto::MasterKey& key,
                 const ExportOptions& export_options, const std::string& period,
                 const std::string* status_file, const std::function<void(Step)>& at,
                 ImportReport* import_report = nullptr) {
  storage::Database& db = world.db();
  if (status_file != nullptr) {
    at(kImport);
    ASSIGN_OR_RETURN(ImportReport r,
                     ImportStatusFile(db, clock, *status_file, "status-before-" + period + ".csv"));
    if (import_report != nullptr) *import_report = std::move(r);
  }
  at(kCreate);
  ASSIGN_OR_RETURN(programs::CycleSummary c, world.Create(period));
  if (c.approvals_done < 1) {
    at(kApproveDistrict);
    RETURN_IF_ERROR(ApproveCycle(db, clock, world.store(), c.cycle_id,
                                 {.actor = "user:district.head", .level = "district"})
                        .status());
  }
  if (c.approvals_done < 2) {
    at(kApproveState);
    RETURN_IF_ERROR(ApproveCycle(db, clock, world.store(), c.cycle_id,
                                 {.actor = "user:state.head", .level = "state"})
                        .status());
  }
  at(kGenerate);
  RETURN_IF_ERROR(GenerateInstructions(db, clock, c.cycle_id).status());
  at(kExport);
  RETURN_IF_ERROR(ExportBatches(db, clock, key, c.cycle_id, export_options).status());
  at(kFinished);
  return OkStatus();
}

// The bank's answer to everything now at the bank, made from the reference: most credits paid;
// some accepted (paid in the next file); some rejected for a timeout (spode sends them again,
// same id, next attempt); some rejected as account closed; and a few of the previous period's
// credits returned after they were paid (those of `paid_period`).
Result<std::string> BankStatusFile(storage::Database& db, uint64_t seed,
                                   const std::string& paid_period) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::string csv = "end_to_end_id,status,reason_code,reason_detail\n";
  ASSIGN_OR_RETURN(auto at_bank, db.Query("SELECT instruction_id, status FROM "
                                          "payment_instructions WHERE status IN ('sent', "
                                          "'accepted') ORDER BY instruction_id"));
  for (const auto& r : at_bank) {
    double x = u(rng);
    if (r.Text(1) == "accepted" || x >= 0.14) {
      csv += r.Text(0) + ",ACSC,,\n";
    } else if (x < 0.05) {
      csv += r.Text(0) + ",ACCP,,\n";
    } else if (x < 0.10) {
      csv += r.Text(0) + ",RJCT,AB05,TIMEOUT AT CREDITOR AGENT\n";
    } else {
      csv += r.Text(0) + ",RJCT,AC04,ACCOUNT CLOSED\n";
    }
  }
  ASSIGN_OR_RETURN(auto paid, db.Query("SELECT i.instruction_id FROM payment_instructions i JOIN "
                                       "cycles c ON c.cycle_id = i.cycle_id WHERE i.status = "
                                       "'paid' AND c.period = ? ORDER BY i.instruction_id",
                                       {paid_period}));
  for (const auto& r : paid) {
    if (u(rng) < 0.03) csv += r.Text(0) + ",RTND,AC04,CLOSED AFTER CREDIT\n";
  }
  return csv;
}

std::string ValueText(const storage::Value& v) {
  if (std::holds_alternative<storage::Null>(v)) return "NULL";
  if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return "<blob>";
}

// The rows of a query, each as "a|b|c".
Result<std::vector<std::string>> Lines(storage::Database& db, std::string_view sql,
                                       std::initializer_list<storage::Value> params = {}) {
  ASSIGN_OR_RETURN(auto rows, db.Query(sql, params));
  std::vector<std::string> out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      if (i > 0) line += '|';
      line += ValueText(r.value(i));
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines, size_t limit = 12) {
  std::string out;
  for (size_t i = 0; i < lines.size() && i < limit; ++i) out += "\n    " + lines[i];
  if (lines.size() > limit) out += "\n    ... (" + std::to_string(lines.size()) + " rows)";
  return out;
}

// Queries whose answers must be the same on the crashed database as on the reference.
constexpr const char* kSameAsReference[] = {
    // The ledger, account by account.
    "SELECT account_code, SUM(amount_paise) FROM ledger_lines GROUP BY account_code ORDER BY 1",
    // Instructions by state: how many, how much, how many attempts.
    "SELECT status, COUNT(*), SUM(amount_paise), SUM(attempt) FROM payment_instructions GROUP BY "
    "status ORDER BY 1",
    // Everything else the pipeline writes, counted.
    "SELECT (SELECT COUNT(*) FROM cycles), (SELECT COUNT(*) FROM cycle_entitlements), "
    "(SELECT COUNT(*) FROM cycle_approvals), (SELECT COUNT(*) FROM payment_batches), "
    "(SELECT COALESCE(SUM(transactions), 0) FROM payment_batches), "
    "(SELECT COALESCE(SUM(control_sum_paise), 0) FROM payment_batches), "
    "(SELECT COUNT(*) FROM status_imports), (SELECT COUNT(*) FROM instruction_attempts), "
    "(SELECT COUNT(*) FROM reentry_events), (SELECT COUNT(*) FROM outbox), "
    "(SELECT COUNT(*) FROM ledger_entries)",
};
constexpr const char* kPeriodInstructions =
    "SELECT i.instruction_id, i.status, i.attempt, i.amount_paise, i.bank, i.reason_code FROM "
    "payment_instructions i JOIN cycles c ON c.cycle_id = i.cycle_id WHERE c.period = ? ORDER BY "
    "1";
constexpr const char* kPeriodFiles =
    "SELECT b.bank, b.format, b.transactions, b.control_sum_paise, b.status FROM payment_batches "
    "b JOIN cycles c ON c.cycle_id = b.cycle_id WHERE c.period = ? ORDER BY 1, 3, 4";
constexpr const char* kAllInstructions =
    "SELECT i.instruction_id, c.period, i.status, i.attempt, i.amount_paise, i.bank, "
    "i.reason_code, i.payee_member_idx FROM payment_instructions i JOIN cycles c ON c.cycle_id = "
    "i.cycle_id ORDER BY 1";
// How many files each instruction has been sent in: each closed attempt that went in a file,
// and the current attempt when it is in one and still open.
constexpr const char* kFilesPerInstruction =
    "SELECT i.instruction_id, (SELECT COUNT(*) FROM instruction_attempts t WHERE "
    "t.instruction_id = i.instruction_id AND t.batch_id IS NOT NULL) + CASE WHEN i.batch_id IS "
    "NOT NULL AND NOT EXISTS (SELECT 1 FROM instruction_attempts t WHERE t.instruction_id = "
    "i.instruction_id AND t.attempt = i.attempt) THEN 1 ELSE 0 END, i.attempt FROM "
    "payment_instructions i ORDER BY 1";

// The EndToEndIds in a pain.001 file, in order.
std::vector<std::string> EndToEndIds(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> ids;
  const std::string open = "<EndToEndId>", close = "</EndToEndId>";
  for (size_t a = xml.find(open); a != std::string::npos; a = xml.find(open, a)) {
    a += open.size();
    size_t b = xml.find(close, a);
    if (b == std::string::npos) break;
    ids.push_back(xml.substr(a, b - a));
  }
  return ids;
}

// A bank-file directory as read so far: each file read once (a written file never changes).
struct FilesSeen {
  std::set<std::string> names;
  std::map<std::string, int64_t> sent;  // EndToEndId → files it is in
  // Reads the files not read before and returns their EndToEndIds, sorted. Any file but a
  // pain.001 (a temporary file left behind) is a problem.
  std::vector<std::string> ReadNew(const std::filesystem::path& dir,
                                   std::vector<std::string>& problems) {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = f.path().filename().string();
      if (f.path().extension() != ".xml") {
        problems.push_back("unexpected file in the bank directory: " + name);
        continue;
      }
      if (!names.insert(name).second) continue;
      for (auto& id : EndToEndIds(f.path())) {
        ++sent[id];
        ids.push_back(std::move(id));
      }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

// The two databases of one stretch of periods: the one that is killed and its reference.
struct Databases {
  Databases(const std::string& backend, const std::filesystem::path& scratch)
      : tmpdir(scratch),
        crashed(backend),
        reference(backend),
        key(crypto::MasterKey::FromBytes(std::string(32, 'k'))),
        clock(ClockFor(0)),
        dir(scratch / storage::testing::UniqueName("spode_crash_")),
        crashed_world(crashed.db(), clock, key, dir / "crashed"),
        reference_world(reference.db(), clock, key, dir / "reference") {}
  ~Databases() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  Status Build() {
    RETURN_IF_ERROR(crashed.status());
    RETURN_IF_ERROR(reference.status());
    RETURN_IF_ERROR(CommitWithoutFlush(crashed.db()));
    RETURN_IF_ERROR(CommitWithoutFlush(reference.db()));
    RETURN_IF_ERROR(crashed_world.Build(kHouseholds));
    return reference_world.Build(kHouseholds);
  }
  // Where the crashed side's files go: a World not built in this process has no out_dir.
  ExportOptions CrashedExport() const {
    ExportOptions o;
    o.out_dir = dir / "crashed" / "bank";
    return o;
  }

  std::optional<ScopedTmpdir> tmpdir;  // while the databases are made; reset after
  storage::testing::TestDatabase crashed, reference;
  crypto::MasterKey key;
  ManualTimeSource clock;
  std::filesystem::path dir;
  World crashed_world, reference_world;
  FilesSeen crashed_files, reference_files;
  std::string status_file;  // the bank's answer to the files of the last period, made from the
                            // reference, imported at the start of the next
};

// What a kill left, and the invariants after resuming: a list of problems, empty when all hold.
class Checker {
 public:
  Checker(storage::Database& crashed, storage::Database& reference, const TimeSource& clock)
      : crashed_(crashed), reference_(reference), clock_(clock) {}

  // The state at the kill: a cycle whole or absent, instructions all or none, the ledger
  // balanced and reconciled with the files written so far.
  void AtKill(const std::string& period, const std::filesystem::path& files) {
    Expect(crashed_,
           "SELECT COUNT(*) FROM cycles c WHERE c.period = ? AND c.beneficiaries <> "
           "(SELECT COUNT(*) FROM cycle_entitlements e WHERE e.cycle_id = c.cycle_id)",
           period, "a cycle with some of its entitlements");
    Expect(crashed_,
           "SELECT COUNT(*) FROM cycles c WHERE c.period = ? AND EXISTS (SELECT 1 FROM "
           "payment_instructions i WHERE i.cycle_id = c.cycle_id) AND (SELECT COUNT(*) "
           "FROM payment_instructions i WHERE i.cycle_id = c.cycle_id) <> (SELECT "
           "COUNT(*) FROM cycle_entitlements e WHERE e.cycle_id = c.cycle_id)",
           period, "a cycle with some of its instructions");
    Reconciled(files);
  }

  void AfterResume(const std::string& period, const std::filesystem::path& files,
                   const std::vector<std::string>& crashed_sent,
                   const std::vector<std::string>& reference_sent) {
    // Zero duplicates: one instruction per (cycle, beneficiary), whatever the schema says.
    Expect(crashed_,
           "SELECT COUNT(*) FROM (SELECT cycle_id, beneficiary_idx FROM "
           "payment_instructions GROUP BY cycle_id, beneficiary_idx HAVING COUNT(*) > "
           "1) d",
           "", "duplicate instructions");
    // Zero lost: every entitlement of the approved cycle has exactly one instruction.
    Expect(crashed_,
           "SELECT COUNT(*) FROM cycle_entitlements e JOIN cycles c ON c.cycle_id = "
           "e.cycle_id WHERE c.period = ? AND (c.status <> 'approved' OR (SELECT "
           "COUNT(*) FROM payment_instructions i WHERE i.cycle_id = e.cycle_id AND "
           "i.beneficiary_idx = e.beneficiary_idx) <> 1)",
           period, "entitlements without exactly one instruction");
    Expect(crashed_, "SELECT COUNT(*) FROM payment_batches WHERE status <> 'written'", "",
           "bank files recorded but not written");
    Reconciled(files);
    // The same outcome as the uncrashed run.
    for (const char* sql : kSameAsReference) Same(sql, "");
    Same(kPeriodInstructions, period);
    Same(kPeriodFiles, period);
    if (crashed_sent != reference_sent) {
      problems_.push_back("the new bank files hold " + std::to_string(crashed_sent.size()) +
                          " credits, the uncrashed run's " + std::to_string(reference_sent.size()) +
                          Join(crashed_sent, 5) + "\n  uncrashed:" + Join(reference_sent, 5));
    }
  }

  // At the end of a database's stretch: every instruction as in the uncrashed run, and in the
  // files exactly as often as it was sent (never more than its attempts).
  void AtEnd(const FilesSeen& crashed_files) {
    Same(kAllInstructions, "");
    auto per = Lines(crashed_, kFilesPerInstruction);
    if (!per.ok()) return problems_.push_back(per.status().ToString());
    int64_t total = 0;
    std::vector<std::string> wrong;
    for (const std::string& line : *per) {
      std::string id = line.substr(0, line.find('|'));
      std::string rest = line.substr(id.size() + 1);
      int64_t expected = std::stoll(rest.substr(0, rest.find('|')));
      int64_t attempt = std::stoll(rest.substr(rest.find('|') + 1));
      auto it = crashed_files.sent.find(id);
      int64_t in_files = it == crashed_files.sent.end() ? 0 : it->second;
      total += in_files;
      if (in_files != expected || in_files > attempt) {
        wrong.push_back(id + ": in " + std::to_string(in_files) + " file(s), sent " +
                        std::to_string(expected) + " time(s), attempt " + std::to_string(attempt));
      }
    }
    int64_t all_in_files = 0;
    for (const auto& [id, n] : crashed_files.sent) all_in_files += n;
    if (!wrong.empty() || total != all_in_files) {
      problems_.push_back("credits in the bank files disagree with the instructions (" +
                          std::to_string(all_in_files - total) + " unknown)" + Join(wrong));
    }
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Expect(storage::Database& db, std::string_view sql, const std::string& period,
              const std::string& what) {
    auto n = period.empty() ? db.QueryOne(sql) : db.QueryOne(sql, {period});
    if (!n.ok()) return problems_.push_back(what + ": " + n.status().ToString());
    if ((**n).Int(0) != 0) problems_.push_back(std::to_string((**n).Int(0)) + " " + what);
  }
  void Same(std::string_view sql, const std::string& period) {
    auto a = period.empty() ? Lines(crashed_, sql) : Lines(crashed_, sql, {period});
    auto b = period.empty() ? Lines(reference_, sql) : Lines(reference_, sql, {period});
    if (!a.ok() || !b.ok()) {
      return problems_.push_back((a.ok() ? b.status() : a.status()).ToString());
    }
    if (*a == *b) return;
    std::sort(a->begin(), a->end());
    std::sort(b->begin(), b->end());
    std::vector<std::string> only_a, only_b;
    std::set_difference(a->begin(), a->end(), b->begin(), b->end(), std::back_inserter(only_a));
    std::set_difference(b->begin(), b->end(), a->begin(), a->end(), std::back_inserter(only_b));
    problems_.push_back("differs from the uncrashed run: " + std::string(sql.substr(0, 90)) +
                        "...\n  crashed only:" + Join(only_a) +
                        "\n  uncrashed only:" + Join(only_b));
  }
  void Reconciled(const std::filesystem::path& files) {
    auto r = Reconcile(crashed_, clock_, files);
    if (!r.ok()) return problems_.push_back("Reconcile: " + r.status().ToString());
    if (!r->ok()) problems_.push_back("not reconciled:\n" + r->Summary());
  }

  storage::Database& crashed_;
  storage::Database& reference_;
  const TimeSource& clock_;
  std::vector<std::string> problems_;
};

uint64_t SeedFromEnvironment() {
  if (const char* s = std::getenv("SPODE_CRASH_SEED"); s != nullptr && *s != '\0') {
    return std::strtoull(s, nullptr, 10);
  }
  std::random_device random;
  return (static_cast<uint64_t>(random()) << 32) ^ random();
}

int KillsFromEnvironment() {
  if (const char* s = std::getenv("SPODE_CRASH_KILLS"); s != nullptr && *s != '\0') {
    return std::max(1, std::atoi(s));
  }
  return 200;
}

// A child process that runs one period on the crashed side, over a connection of its own.
struct ChildRun {
  int step = kStarting;     // the step it was in when it died or finished
  bool kill_sent = false;   // SIGKILL was sent (perhaps after the child had exited)
  bool killed = false;      // SIGKILL ended it (perhaps after it had finished the period)
  int64_t backend_pid = 0;  // PostgreSQL: its session's server process
};

// Forks the child and, `kill_after_us` after it says it is ready, kills it (never when
// negative). The child never returns into gtest: it _exit()s. Records the child's step timings
// in `page`. An error when the child failed by itself.
Result<ChildRun> RunChild(Databases& d, ChildPage& page, const std::string& period,
                          const std::string* status_file, int64_t kill_after_us) {
  page.step.store(kStarting);
  page.backend_pid.store(0);
  for (auto& s : page.step_start_us) s.store(-1);
  page.error[0] = '\0';
  int ready[2];
  if (pipe(ready) != 0) return InternalError("pipe failed");
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return InternalError("fork failed");
  if (pid == 0) {
    close(ready[0]);
    auto conn = Reconnect(d.crashed);
    if (!conn.ok()) {
      std::snprintf(page.error, sizeof page.error, "connect: %s", conn.status().ToString().c_str());
      _exit(2);
    }
    if (d.crashed.is_postgres()) {
      auto backend = (*conn)->QueryOne("SELECT pg_backend_pid()");
      if (backend.ok() && *backend) page.backend_pid.store((**backend).Int(0));
    }
    World world(**conn, d.clock, d.key, d.dir / "crashed");
    char byte = 'r';
    if (write(ready[1], &byte, 1) != 1) _exit(3);
    int64_t start = MonotonicMicros();
    Status s =
        RunPeriod(world, d.clock, d.key, d.CrashedExport(), period, status_file, [&](Step step) {
          page.step_start_us[step].store(MonotonicMicros() - start);
          page.step.store(step);
        });
    if (!s.ok()) {
      std::snprintf(page.error, sizeof page.error, "%s: %s", kStepNames[page.step.load()],
                    s.ToString().c_str());
      _exit(4);
    }
    _exit(0);
  }
  close(ready[1]);
  char byte = 0;
  ssize_t got = read(ready[0], &byte, 1);
  close(ready[0]);
  bool kill_sent = false;
  if (got == 1 && kill_after_us >= 0) {
    std::this_thread::sleep_for(std::chrono::microseconds(kill_after_us));
    kill(pid, SIGKILL);
    kill_sent = true;
  }
  int wstatus = 0;
  if (waitpid(pid, &wstatus, 0) != pid) return InternalError("waitpid failed");
  ChildRun run{.step = page.step.load(),
               .kill_sent = kill_sent,
               .killed = false,
               .backend_pid = page.backend_pid.load()};
  if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL) {
    run.killed = true;
  } else if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    return InternalError("the child failed (wait status " + std::to_string(wstatus) + ") in " +
                         period + ": " + page.error);
  }
  return run;
}

// PostgreSQL: whether the server still runs session `pid` (a killed client's session ends a
// little after the client, and a COMMIT it had sent may still complete meanwhile).
bool SessionAlive(storage::Database& any, int64_t pid) {
  if (pid == 0) return false;
  auto r = any.QueryOne("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?", {pid});
  return !r.ok() || (*r && (**r).Int(0) > 0);
}

// Waits until session `pid` has ended; the microseconds waited, or -1 after 30 s.
int64_t WaitForSession(storage::Database& any, int64_t pid) {
  int64_t start = MonotonicMicros();
  while (SessionAlive(any, pid)) {
    if (MonotonicMicros() - start > 30'000'000) return -1;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return MonotonicMicros() - start;
}

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, KilledAnywhereThePipelineResumesToTheUncrashedOutcome) {
  const std::string backend = GetParam();
  const uint64_t seed = SeedFromEnvironment();
  const int kills_wanted = KillsFromEnvironment();
  const bool resume_at_once = std::getenv("SPODE_CRASH_RESUME_AT_ONCE") != nullptr;
  std::printf("[crash %s] seed %llu (repeat with SPODE_CRASH_SEED=%llu)\n", backend.c_str(),
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  const auto started = std::chrono::steady_clock::now();
  const std::filesystem::path scratch = ScratchDirectory();
  std::mt19937_64 bank_rng(seed), kill_rng(seed ^ 0x9e3779b97f4a7c15ULL);

  void* mem =
      mmap(nullptr, sizeof(ChildPage), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  std::unique_ptr<void, std::function<void(void*)>> unmap(
      mem, [](void* m) { munmap(m, sizeof(ChildPage)); });
  ChildPage& page = *new (mem) ChildPage();

  // When each step began in the last uncrashed child, from its "ready" (-1: did not run).
  std::array<int64_t, kSteps> step_start{};
  bool calibrated = false;
  // What was tried and where the kills landed.
  std::array<int64_t, kSteps> landed{};
  int64_t kills_tried = 0, kills_in_step = 0, kills_after_finish = 0, kills_in_resume = 0;
  int64_t export_files_pending = 0;  // kills in export that left files to write
  int64_t calibration_runs = 0, periods = 0, databases = 0;
  int64_t sessions_outliving_kill = 0, longest_session_wait_us = 0, resumes_failed_racing = 0;
  // Time spent building, on the reference, in children, checking kills, resuming, checking after.
  std::array<int64_t, 6> phase_us{};
  // Paid in the end: [0] the crashed side, [1] the uncrashed run.
  std::array<int64_t, 2> paid_count{}, paid_paise{};
  auto add_paid = [&](Databases& d) {
    storage::Database* side[2] = {&d.crashed.db(), &d.reference.db()};
    for (int i = 0; i < 2; ++i) {
      auto r = side[i]->QueryOne(
          "SELECT COUNT(*), COALESCE(SUM(amount_paise), 0) FROM "
          "payment_instructions WHERE status = 'paid'");
      if (!r.ok() || !*r) continue;
      paid_count[i] += (**r).Int(0);
      paid_paise[i] += (**r).Int(1);
    }
  };
  std::vector<std::string> problems;
  std::string where;
  auto finish_database = [&](Databases& d) {
    add_paid(d);
    Checker end(d.crashed.db(), d.reference.db(), d.clock);
    end.AtEnd(d.crashed_files);
    problems = end.problems();
    where = "at the end of database " + std::to_string(databases);
  };

  std::unique_ptr<Databases> dbs;
  int period_index = 0;
  while (kills_in_step < kills_wanted && periods < 3LL * kills_wanted && problems.empty()) {
    if (!dbs || period_index == kPeriodsPerDatabase) {
      if (dbs) {
        finish_database(*dbs);
        if (!problems.empty()) break;
      }
      dbs.reset();
      int64_t b0 = MonotonicMicros();
      dbs = std::make_unique<Databases>(backend, scratch);
      dbs->tmpdir.reset();
      Status built = dbs->Build();
      phase_us[0] += MonotonicMicros() - b0;
      ASSERT_TRUE(built.ok()) << built;
      ++databases;
      period_index = 0;
    }
    Databases& d = *dbs;
    const std::string period = Month(period_index);
    const std::string previous = period_index > 0 ? Month(period_index - 1) : "";
    d.clock.Set(ClockFor(period_index));
    ++period_index;
    ++periods;

    // 1. The uncrashed run, then the bank's answer to the files it wrote (imported next period).
    const std::string answer = d.status_file;
    const std::string* status_file = answer.empty() ? nullptr : &answer;
    int64_t t0 = MonotonicMicros();
    ImportReport imported;
    Status ref = RunPeriod(
        d.reference_world, d.clock, d.key, d.reference_world.Export(), period, status_file,
        [](Step) {}, &imported);
    ASSERT_TRUE(ref.ok()) << period << ": " << ref;
    phase_us[1] += MonotonicMicros() - t0;
    EXPECT_EQ(imported.applied, imported.statuses) << ImportReportJson(imported).dump();
    auto next = BankStatusFile(d.reference.db(), bank_rng(), previous);
    ASSERT_TRUE(next.ok()) << next.status();
    d.status_file = std::move(*next);

    // 2. Children run the period and are killed: the first at a moment aimed inside one of the
    // steps (as the last uncrashed child timed them), the next while it resumes. Now and then
    // one is left alone, to time the steps again.
    const bool calibrate = !calibrated || periods % kCalibrateEvery == 0 ||
                           (status_file != nullptr && step_start[kImport] < 0);
    std::string killed_in;
    int first_killed = kStarting;
    int64_t last_backend_pid = 0;
    for (int attempt = 0; attempt < (calibrate ? 1 : kKillsPerPeriod); ++attempt) {
      int64_t delay = -1;
      if (!calibrate && attempt == 0) {
        std::uniform_int_distribution<int> pick(status_file != nullptr ? kImport : kCreate,
                                                kExport);
        int aim = pick(kill_rng);
        std::uniform_int_distribution<int64_t> at(
            step_start[aim], std::max(step_start[aim] + 1, step_start[aim + 1]));
        delay = at(kill_rng);
      } else if (!calibrate) {
        // What is left after the step the last kill landed in, roughly.
        std::uniform_int_distribution<int64_t> at(
            0, std::max<int64_t>(
                   1, step_start[kFinished] - std::max<int64_t>(0, step_start[first_killed])));
        delay = at(kill_rng);
      }
      int64_t c0 = MonotonicMicros();
      auto run = RunChild(d, page, period, status_file, delay);
      ASSERT_TRUE(run.ok()) << run.status() << " (seed " << seed << ")";
      last_backend_pid = run->backend_pid;
      const bool last = attempt + 1 == (calibrate ? 1 : kKillsPerPeriod);
      if (SessionAlive(d.reference.db(), run->backend_pid)) {
        ++sessions_outliving_kill;
        if (!(resume_at_once && last)) {
          int64_t waited = WaitForSession(d.reference.db(), run->backend_pid);
          ASSERT_GE(waited, 0) << "session " << run->backend_pid << " lives on";
          longest_session_wait_us = std::max(longest_session_wait_us, waited);
        }
      }
      phase_us[2] += MonotonicMicros() - c0;
      if (!run->kill_sent) {
        ++calibration_runs;
        for (int s = 0; s < kSteps; ++s) step_start[s] = page.step_start_us[s].load();
        calibrated = true;
        break;
      }
      ++kills_tried;
      if (!run->killed || run->step == kFinished) {
        ++kills_after_finish;
        break;  // nothing left to kill in this period
      }
      ++kills_in_step;
      ++landed[run->step];
      if (attempt > 0) ++kills_in_resume;
      if (attempt == 0) first_killed = run->step;
      killed_in += std::string(killed_in.empty() ? "" : ", then ") + kStepNames[run->step];
      if (resume_at_once && last) break;  // the parent resumes at once, racing the session
      // 3. What the kill left, as the test's own connection sees it.
      int64_t k0 = MonotonicMicros();
      if (run->step == kExport) {
        auto pending = d.crashed.db().QueryOne(
            "SELECT COUNT(*) FROM payment_batches WHERE "
            "status = 'created'");
        ASSERT_TRUE(pending.ok()) << pending.status();
        if ((**pending).Int(0) > 0) ++export_files_pending;
      }
      Checker at_kill(d.crashed.db(), d.reference.db(), d.clock);
      at_kill.AtKill(period, d.CrashedExport().out_dir);
      problems = at_kill.problems();
      phase_us[3] += MonotonicMicros() - k0;
      if (!problems.empty()) break;
      d.clock.Advance(std::chrono::seconds(1));  // a restarted process comes a little later
    }
    where = "period " + period + " of database " + std::to_string(databases) + ", killed in " +
            (killed_in.empty() ? std::string("no step") : killed_in);
    if (!problems.empty()) break;

    // 4. A restarted process (a new connection) resumes to the end; the outcome is checked.
    int64_t r0 = MonotonicMicros();
    auto conn = Reconnect(d.crashed);
    ASSERT_TRUE(conn.ok()) << conn.status();
    World world(**conn, d.clock, d.key, d.dir / "crashed");
    Status resumed =
        RunPeriod(world, d.clock, d.key, d.CrashedExport(), period, status_file, [](Step) {});
    if (!resumed.ok() && resume_at_once) {
      // Raced the killed session's COMMIT: say so, let the session end, and resume again.
      ++resumes_failed_racing;
      std::printf("[crash %s] resuming %s at once after a kill in %s failed: %s\n", backend.c_str(),
                  period.c_str(), killed_in.c_str(), resumed.ToString().c_str());
      ASSERT_GE(WaitForSession(d.reference.db(), last_backend_pid), 0);
      resumed =
          RunPeriod(world, d.clock, d.key, d.CrashedExport(), period, status_file, [](Step) {});
    }
    ASSERT_TRUE(resumed.ok()) << "resuming " << where << " (seed " << seed << "): " << resumed;
    if (resume_at_once) {
      ASSERT_GE(WaitForSession(d.reference.db(), last_backend_pid), 0);
    }
    phase_us[4] += MonotonicMicros() - r0;
    int64_t a0 = MonotonicMicros();
    auto crashed_sent = d.crashed_files.ReadNew(d.CrashedExport().out_dir, problems);
    auto reference_sent = d.reference_files.ReadNew(d.reference_world.out_dir(), problems);
    Checker after(d.crashed.db(), d.reference.db(), d.clock);
    after.AfterResume(period, d.CrashedExport().out_dir, crashed_sent, reference_sent);
    problems.insert(problems.end(), after.problems().begin(), after.problems().end());
    phase_us[5] += MonotonicMicros() - a0;
  }
  if (problems.empty() && dbs) finish_database(*dbs);
  std::string all;
  for (const auto& p : problems) all += "\n  " + p;
  EXPECT_TRUE(problems.empty()) << "after " << kills_tried << " kills, " << where << " (seed "
                                << seed << "):" << all;

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string tag = "[crash " + backend + "] ";
  std::ostringstream out;
  out << tag << "kill points tried: " << kills_tried << " (" << kills_in_step << " inside a step, "
      << kills_in_resume << " of them in a process that was resuming; " << kills_after_finish
      << " after the child had finished), plus " << calibration_runs << " uncrashed runs; "
      << periods << " periods of " << kHouseholds << " households in " << databases
      << " database pair(s); files" << (backend == "sqlite" ? " and databases" : "") << " in "
      << scratch.string() << (Fast() && backend == "postgres" ? ", synchronous_commit off" : "")
      << "\n";
  out << tag << "kills landed in:";
  for (int s = kImport; s < kFinished; ++s) {
    out << " " << kStepNames[s] << " " << landed[s];
    if (s == kExport) out << " (" << export_files_pending << " with files left to write)";
    out << (s + 1 < kFinished ? ";" : "\n");
  }
  out << tag << "an uncrashed child's steps began at (ms from ready):";
  for (int s = kImport; s <= kFinished; ++s) {
    out << " " << kStepNames[s] << " " << step_start[s] / 1000.0;
  }
  out << "; the reference took " << phase_us[1] / 1000.0 / std::max<int64_t>(1, periods)
      << " ms a period\n";
  if (backend == "postgres") {
    out << tag
        << "killed sessions still on the server after the child died: " << sessions_outliving_kill
        << "; longest wait for one to end " << longest_session_wait_us / 1000.0 << " ms";
    if (resume_at_once) {
      out << "; resumed at once: " << resumes_failed_racing << " resume(s) failed and were retried";
    }
    out << "\n";
  }
  out << tag << "time: building " << phase_us[0] / 1e6 << " s, reference " << phase_us[1] / 1e6
      << " s, children " << phase_us[2] / 1e6 << " s, checking kills " << phase_us[3] / 1e6
      << " s, resuming " << phase_us[4] / 1e6 << " s, checking outcomes " << phase_us[5] / 1e6
      << " s\n";
  out << tag << (problems.empty() ? "all invariants held" : "FAILED") << "; paid " << paid_count[0]
      << " credits, Rs " << Money::FromPaise(paid_paise[0]).ToString()
      << " (uncrashed run: " << paid_count[1] << " credits, Rs "
      << Money::FromPaise(paid_paise[1]).ToString() << "); " << seconds << " s\n";
  std::printf("%s", out.str().c_str());
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest, ::testing::ValuesIn(storage::testing::Backends()));

// On PostgreSQL a client killed while its COMMIT is on its way leaves a session that still
// commits, milliseconds later; a process restarted meanwhile races it (the crash test waits for
// the session to end, unless SPODE_CRASH_RESUME_AT_ONCE is set). Here the race is made certain:
// a deferred trigger on the table the step writes makes the COMMIT of the step's transaction
// sleep a second, the child is killed while the server sleeps in it, and the pipeline resumes
// at once (a second later by the clock). A resume should find the work done, or wait for it,
// and nothing may be claimed, posted or sent twice.
//
// It found a real bug: each step's resume failed with ALREADY_EXISTS (it looked for the row the
// killed session was committing, did not see it, and inserted its own), and the export claimed
// the same instructions into a second batch and posted the money twice. Each step now takes a
// transaction-scoped lock first (storage::LockForTransaction), so a resume waits for the late
// commit and then finds the work done.
struct RaceCase {
  Step step;
  const char* table;  // the table whose insert the step's transaction commits slowly
};

void PrintTo(const RaceCase& c, std::ostream* os) { *os << kStepNames[c.step]; }

class RestartRaceTest : public ::testing::TestWithParam<RaceCase> {};

TEST_P(RestartRaceTest, AResumeRacingAKilledCommitDoesTheWorkOnceSkippedWithoutSpodeTestPgUrl) {
  if (storage::testing::PostgresUrl() == nullptr) GTEST_SKIP() << "PostgreSQL only";
  const RaceCase rc = GetParam();
  storage::testing::TestDatabase tdb("postgres");
  ASSERT_TRUE(tdb.status().ok()) << tdb.status();
  auto key = crypto::MasterKey::FromBytes(std::string(32, 'k'));
  ManualTimeSource clock(ClockFor(0));
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / storage::testing::UniqueName("spode_race_");
  World world(tdb.db(), clock, key, dir);
  ASSERT_TRUE(world.Build(1).ok());  // one bank: the export claims once, for it
  // A period paid in full, and the bank's answer to its files.
  ASSERT_TRUE(RunPeriod(world, clock, key, world.Export(), Month(0), nullptr, [](Step) {}).ok());
  auto answer = world.BankStatusCsv(0.3, 5);
  ASSERT_TRUE(answer.ok());

  ASSERT_TRUE(
      tdb.db()
          .ExecScript(
              std::string(
                  "CREATE FUNCTION crash_test_slow_commit() RETURNS trigger LANGUAGE plpgsql "
                  "AS $$ BEGIN IF current_setting('crash_test.slept', true) IS DISTINCT FROM "
                  "'yes' THEN PERFORM set_config('crash_test.slept', 'yes', true); PERFORM "
                  "pg_sleep(1); END IF; RETURN NULL; END $$; CREATE CONSTRAINT TRIGGER "
                  "crash_test_slow_commit AFTER INSERT ON ") +
              rc.table +
              " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
              "crash_test_slow_commit()")
          .ok());
  clock.Set(ClockFor(1));
  const std::string period = Month(1);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  std::fflush(stdout);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(ready[0]);
    auto conn = tdb.Connect();
    if (!conn.ok()) _exit(2);
    auto backend = (*conn)->QueryOne("SELECT pg_backend_pid()");
    if (!backend.ok() || !*backend) _exit(3);
    int64_t backend_pid = (**backend).Int(0);
    if (write(ready[1], &backend_pid, sizeof backend_pid) != sizeof backend_pid) _exit(4);
    World child(**conn, clock, key, dir);
    ExportOptions o;
    o.out_dir = world.out_dir();
    (void)RunPeriod(child, clock, key, o, period, &*answer, [](Step) {});
    _exit(0);
  }
  close(ready[1]);
  int64_t backend_pid = 0;
  ASSERT_EQ(read(ready[0], &backend_pid, sizeof backend_pid),
            static_cast<ssize_t>(sizeof backend_pid));
  close(ready[0]);
  // Kill the child while the server sleeps in its COMMIT.
  bool in_commit = false;
  for (int i = 0; i < 20000 && !in_commit; ++i) {
    auto r = tdb.db().QueryOne(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ? AND "
        "wait_event = 'PgSleep'",
        {backend_pid});
    ASSERT_TRUE(r.ok()) << r.status();
    in_commit = (**r).Int(0) > 0;
    if (!in_commit) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
  kill(pid, SIGKILL);
  int wstatus = 0;
  ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(in_commit) << "the child never reached the COMMIT of " << kStepNames[rc.step];

  // The restarted process, at once.
  clock.Advance(std::chrono::seconds(1));
  Status resumed = RunPeriod(world, clock, key, world.Export(), period, &*answer, [](Step) {});
  EXPECT_TRUE(resumed.ok()) << "resuming after a kill in the COMMIT of " << kStepNames[rc.step]
                            << ": " << resumed;
  // Whatever the resume said, once the killed session is gone the state must be sound, and a
  // further resume must complete it.
  for (int i = 0; i < 10000; ++i) {
    auto r =
        tdb.db().QueryOne("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = ?", {backend_pid});
    ASSERT_TRUE(r.ok());
    if ((**r).Int(0) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto reconciled = Reconcile(tdb.db(), clock, world.out_dir());
  ASSERT_TRUE(reconciled.ok()) << reconciled.status();
  EXPECT_TRUE(reconciled->ok()) << reconciled->Summary();
  Status again = RunPeriod(world, clock, key, world.Export(), period, &*answer, [](Step) {});
  EXPECT_TRUE(again.ok()) << again;
  auto twice = tdb.db().QueryOne(
      "SELECT COUNT(*) FROM (SELECT cycle_id, beneficiary_idx FROM payment_instructions GROUP BY "
      "cycle_id, beneficiary_idx HAVING COUNT(*) > 1) d");
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ((**twice).Int(0), 0);
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

INSTANTIATE_TEST_SUITE_P(Steps, RestartRaceTest,
                         ::testing::Values(RaceCase{kImport, "status_imports"},
                                           RaceCase{kCreate, "cycles"},
                                           RaceCase{kApproveDistrict, "cycle_approvals"},
                                           RaceCase{kGenerate, "payment_instructions"},
                                           RaceCase{kExport, "payment_batches"}),
                         [](const ::testing::TestParamInfo<RaceCase>& info) {
                           std::string name;
                           for (char c : std::string(kStepNames[info.param.step])) {
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           }
                           return name;
                         });

}  // namespace
}  // namespace spode::payments
