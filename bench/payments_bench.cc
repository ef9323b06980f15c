// bench/payments: a payment cycle for N beneficiaries, step by step, next to floors measured in
// the same run on the same disk (issue 5, "Benchmark"). bench/README.md has the details.
//
//   build/bench/payments_bench [--beneficiaries 1000000] [--cycles 1] [--db PATH]
//       [--pg postgresql://...] [--dir /tmp/spode-bench-payments] [--returns 0.03] [--seed 7]
//       [--world-cache FILE] [--keep] [--trace] [--banks N [--bank-shares even|skewed]]
//
// Setup (reported, not a target): what payments::testing::World::Build does: N households, one
// pensioner head each with a bank account (registry importer), the test pension scheme (Rs
// 1,000 or 1,500 a month, district then state approve) active, every head enrolled
// (World::EnrolHeads), every account linked in the mapper (SeedFromRegistry); then the
// registry Snapshot is built (reported separately). The households are World's
// (testing::HouseholdLine) except for the dates of birth and villages: World's give only 30
// dates of birth and 3 villages to all pensioners, so beyond a few thousand households the
// importer's fuzzy de-duplication (name allowing for spelling, date of birth, village) holds
// some as possible duplicates (10% at 100,000) and World::Build refuses the world. Here each
// household's (date of birth, village) pair is unique up to 10.9 million households.
// --world-cache FILE (SQLite): copy the built world there, or start from it when it exists.
// --banks N (1-100): the accounts spread evenly over N banks instead of World's 3 (each
// account's IFSC given another bank's four letters, after the world is built or copied; not
// timed). A state pays into dozens of banks, and a bank's file is then a smaller share of the
// instructions: with 3 banks the export's claims and files read a third of the rows each.
// --bank-shares skewed: bank k's share of the accounts proportional to 1/k (Zipf), each account's
// bank drawn at random (--seed) rather than in turn; even (the default) is address_id % N.
//
// The steps of each month (--cycles, from 2026-11), each timed on its own, with durable settings
// (SQLite WAL, synchronous=FULL, as storage::Open sets them; or PostgreSQL with --pg):
//   1. create the cycle            programs::CreateCycle (the snapshot already built)
//   2. approve it, both tiers      payments::ApproveCycle x2 (the second posts budget → payable)
//   3. generate instructions       payments::GenerateInstructions
//   4. export pain.001 files       payments::ExportBatches (one file per bank, 100,000 a file)
//   5. import the status file      payments::ImportStatusFile of N lines, `--returns` of them
//                                  rejected (World::BankStatusCsv, made before the timer)
//   6. reconcile                   payments::Reconcile, with the files on disk read back
// Floors, same run, same directory (SQLite through its C API with storage::Open's PRAGMAs;
// PostgreSQL through storage's COPY):
//   insert: N rows of (text id PRIMARY KEY, 6 integers) in one transaction, committed
//   update: 2 integers of those N rows by the text key, in one transaction, committed
//   scan:   GROUP BY over those N rows (count and sum)
//   file:   N × 460 bytes (about one pain.001 CdtTrfTxInf each) written and fsync'd
//   memory: N × 400 bytes of memory the process has not used before (about the pages the
//           import touches a line), each page written once, then given back; printed with
//           its price a page. A step pays about that for each page fault in its "faults k"
//           column. On a virtual machine whose host backs the guest's memory only when it is
//           first touched, and takes back what the guest frees, the price moves by ten times
//           from minute to minute (docs/benchmarks.md, bench/payments, twenty-fifth session):
//           this floor says what it was at the start of the run.
// A step's commit leaves its log's checkpoint to storage's own thread (OpenOptions::
// checkpoint_pages): the bench waits for it after the step, untimed, and prints how long it ran
// on ("its log checkpointed in the background"); the floors checkpoint after their commits too.
// Prints each step's wall-clock seconds, CPU seconds and seconds spent waiting for a core (the
// machine may be shared), its rate, the floor it compares with and the ratio, and the 5 s
// target. Exit status 1 when a step fails, the counts disagree or Reconcile finds a
// disagreement; a missed target is only printed. --trace prints each step's start and end on
// CLOCK_MONOTONIC to stderr, to cut a `perf record -k CLOCK_MONOTONIC` profile by step
// (`perf report --time START,END`).
#include <fcntl.h>
#include <malloc.h>
#include <sqlite3.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/vault_key.h"
#include "payments/disbursement.h"
#include "payments/mapper.h"
#include "payments/reconcile.h"
#include "payments/testing/world.h"
#include "programs/cycles.h"
#include "registry/importer.h"
#include "registry/snapshot.h"
#include "storage/database.h"
#include "storage/sqlite/sqlite_database.h"

namespace {

using Clock = std::chrono::steady_clock;
using spode::Result;
using spode::Status;
namespace storage = spode::storage;
namespace payments = spode::payments;
namespace programs = spode::programs;

constexpr double kTargetSeconds = 5.0;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

double LoadAverage() {
  double load[1] = {0};
  return getloadavg(load, 1) == 1 ? load[0] : -1;
}

// Wall-clock and CPU (user + system, this process) seconds since construction.
// The main thread's time spent runnable but waiting for a core (/proc/self/schedstat, second
// field): on a shared machine, what other processes took from this one. The process's page
// faults: each is a fresh page of memory, which some virtual machines give slowly (about 20 us
// a page on the development machine once its pages had been handed back to the host,
// docs/benchmarks.md, bench/payments, sixteenth session).
//
// Each step starts with the allocator settled (malloc_trim): the small blocks the bench's own
// untimed work freed (the status file's lines, made between the export and the import) were
// merged by glibc at the step's first large allocation, 0.16 s charged to the import; a
// command of spode's own starts in a fresh process, with nothing to merge. The clock is read
// last, after the counters (reading /proc allocates).
class Timer {
 public:
  Timer() {
    malloc_trim(0);
    cpu_ = CpuSeconds();
    waited_ = RunQueueSeconds();
    faults_ = PageFaults();
    wall_ = Clock::now();
  }
  double wall() const { return Seconds(wall_); }
  double cpu() const { return CpuSeconds() - cpu_; }
  double waited() const { return RunQueueSeconds() - waited_; }
  int64_t faults() const { return PageFaults() - faults_; }

 private:
  static double RunQueueSeconds() {
    std::ifstream in("/proc/self/schedstat");
    unsigned long long on_cpu = 0, waiting = 0;
    in >> on_cpu >> waiting;
    return static_cast<double>(waiting) / 1e9;
  }
  static double CpuSeconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  static int64_t PageFaults() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<int64_t>(u.ru_minflt) + static_cast<int64_t>(u.ru_majflt);
  }
  double cpu_ = 0, waited_ = 0;
  int64_t faults_ = 0;
  Clock::time_point wall_;
};

struct Figure {
  std::string name;
  double seconds = 0;  // wall clock
  double cpu = 0;      // user + system of this process
  double waited = 0;   // runnable, waiting for a core
  int64_t faults = 0;  // page faults of this process
  int64_t items = 0;
  std::string tag;  // a floor's short name: insert, update, scan, file
  double rate() const { return seconds > 0 ? static_cast<double>(items) / seconds : 0; }
};

Figure Measure(std::string name, const Timer& t, int64_t items, std::string tag = "") {
  return Figure{std::move(name), t.wall(), t.cpu(), t.waited(), t.faults(), items, std::move(tag)};
}

void PrintHeader() {
  std::printf("  %-50s %7s %7s %7s %8s %10s  %-14s %s\n", "", "wall s", "cpu s", "wait s",
              "faults k", "rows/s", "vs floor", "target");
}

void PrintFigure(const Figure& f, const Figure* floor, bool target) {
  std::printf("  %-50s %7.2f %7.2f %7.2f %8.1f %10.0f", f.name.c_str(), f.seconds, f.cpu, f.waited,
              static_cast<double>(f.faults) / 1000, f.rate());
  if (floor != nullptr && floor->seconds > 0) {
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.1fx %s", f.seconds / floor->seconds, floor->tag.c_str());
    std::printf("  %-14s", ratio);
  } else {
    std::printf("  %-14s", "");
  }
  if (target) std::printf(" %s", f.seconds < kTargetSeconds ? "under 5 s" : "OVER 5 s");
  std::printf("\n");
  std::fflush(stdout);
}

// ---- Floors ------------------------------------------------------------------------------

// The instruction-like key of row i: "202611-<11 digits>-3fa9c2d1", in key order.
std::string FloorKey(int64_t i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "202611-%011lld-3fa9c2d1",
                70000000000LL + static_cast<long long>(i));
  return buf;
}

int SqliteExec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::fprintf(stderr, "floor: %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
  }
  return rc;
}

// SQLite floors in a file of their own beside the spode database, with storage::Open's PRAGMAs.
// As storage does (OpenOptions::checkpoint_pages), the log is checkpointed after each timed
// commit, not inside it, and not timed.
bool SqliteFloors(const std::string& path, int64_t n, Figure* insert, Figure* update,
                  Figure* scan) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return false;
  bool ok =
      SqliteExec(db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                 "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; "
                 "PRAGMA wal_autocheckpoint=0; "
                 "PRAGMA mmap_size=8589934592; CREATE TABLE t (id TEXT PRIMARY KEY, "
                 "a INTEGER, b INTEGER, c INTEGER, d INTEGER, e INTEGER, f INTEGER)") == SQLITE_OK;
  // Insert.
  Timer t;
  sqlite3_stmt* st = nullptr;
  ok = ok && SqliteExec(db, "BEGIN") == SQLITE_OK &&
       sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &st, nullptr) ==
           SQLITE_OK;
  for (int64_t i = 0; ok && i < n; ++i) {
    std::string key = FloorKey(i);
    sqlite3_bind_text(st, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, 1);
    sqlite3_bind_int64(st, 3, i);
    sqlite3_bind_int64(st, 4, i);
    sqlite3_bind_int64(st, 5, i);
    sqlite3_bind_int64(st, 6, 100000 + (i % 2) * 50000);
    sqlite3_bind_int64(st, 7, 1764397800000000LL);
    ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  ok = ok && SqliteExec(db, "COMMIT") == SQLITE_OK;
  *insert = Measure("floor insert: SQLite, text key + 6 ints, 1 tx", t, n, "insert");
  ok = ok && SqliteExec(db, "PRAGMA wal_checkpoint(PASSIVE)") == SQLITE_OK;
  // Update by key.
  t = Timer();
  ok = ok && SqliteExec(db, "BEGIN") == SQLITE_OK &&
       sqlite3_prepare_v2(db, "UPDATE t SET a = ?, f = ? WHERE id = ?", -1, &st, nullptr) ==
           SQLITE_OK;
  for (int64_t i = 0; ok && i < n; ++i) {
    std::string key = FloorKey(i);
    sqlite3_bind_int64(st, 1, 2);
    sqlite3_bind_int64(st, 2, 1764397900000000LL);
    sqlite3_bind_text(st, 3, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    ok = sqlite3_step(st) == SQLITE_DONE && sqlite3_changes(db) == 1;
    sqlite3_reset(st);
  }
  sqlite3_finalize(st);
  ok = ok && SqliteExec(db, "COMMIT") == SQLITE_OK;
  *update = Measure("floor update: SQLite, 2 ints by text key, 1 tx", t, n, "update");
  ok = ok && SqliteExec(db, "PRAGMA wal_checkpoint(PASSIVE)") == SQLITE_OK;
  // Scan.
  t = Timer();
  int64_t counted = 0;
  ok = ok && sqlite3_prepare_v2(db, "SELECT a, COUNT(*), SUM(e) FROM t GROUP BY a", -1, &st,
                                nullptr) == SQLITE_OK;
  while (ok && sqlite3_step(st) == SQLITE_ROW) counted += sqlite3_column_int64(st, 1);
  sqlite3_finalize(st);
  *scan = Measure("floor scan: SQLite GROUP BY over the N rows", t, counted, "scan");
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return ok && counted == n;
}

// PostgreSQL floors through storage (COPY for the rows), in a schema of their own.
Status PostgresFloors(storage::Database& db, int64_t n, Figure* insert, Figure* update,
                      Figure* scan) {
  RETURN_IF_ERROR(
      db.ExecScript("DROP TABLE IF EXISTS bench_floor; DROP TABLE IF EXISTS "
                    "bench_floor_new; CREATE TABLE bench_floor (id TEXT PRIMARY KEY, "
                    "a BIGINT, b BIGINT, c BIGINT, d BIGINT, e BIGINT, f BIGINT)"));
  static const std::string kCols[] = {"id", "a", "b", "c", "d", "e", "f"};
  Timer t;
  {
    storage::RowBuffer rows(7);
    for (int64_t i = 0; i < n; ++i) {
      rows.Text(FloorKey(i))
          .Int(1)
          .Int(i)
          .Int(i)
          .Int(i)
          .Int(100000 + (i % 2) * 50000)
          .Int(1764397800000000LL);
    }
    ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db));
    RETURN_IF_ERROR(db.BulkInsert("bench_floor", kCols, rows));
    RETURN_IF_ERROR(tx.Commit());
  }
  *insert = Measure("floor insert: PostgreSQL COPY, text key + 6 ints", t, n, "insert");
  t = Timer();
  {
    static const std::string kNew[] = {"id", "a"};
    storage::RowBuffer rows(2);
    for (int64_t i = 0; i < n; ++i) rows.Text(FloorKey(i)).Int(2);
    ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db));
    RETURN_IF_ERROR(
        db.ExecScript("CREATE TEMP TABLE bench_floor_new (id TEXT, a BIGINT) ON "
                      "COMMIT DROP"));
    RETURN_IF_ERROR(db.BulkInsert("bench_floor_new", kNew, rows));
    RETURN_IF_ERROR(
        db.ExecScript("UPDATE bench_floor t SET a = s.a FROM bench_floor_new s "
                      "WHERE t.id = s.id"));
    RETURN_IF_ERROR(tx.Commit());
  }
  *update = Measure("floor update: PostgreSQL COPY + UPDATE FROM by key", t, n, "update");
  t = Timer();
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT a, COUNT(*), SUM(e) FROM bench_floor GROUP BY a"));
  int64_t counted = 0;
  for (const auto& r : rows) counted += r.Int(1);
  *scan = Measure("floor scan: PostgreSQL GROUP BY over the N rows", t, counted, "scan");
  return db.ExecScript("DROP TABLE bench_floor");
}

// N × 460 bytes, written in 1 MiB pieces, then fsync: what a pain.001 of N transfers costs the
// disk at least.
bool FileFloor(const std::string& path, int64_t n, Figure* out) {
  std::string block(1 << 20, 'x');
  int64_t total = n * 460;
  Timer t;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  for (int64_t done = 0; done < total;) {
    size_t piece = static_cast<size_t>(std::min<int64_t>(total - done, block.size()));
    ssize_t w = ::write(fd, block.data(), piece);
    if (w <= 0) {
      ::close(fd);
      return false;
    }
    done += w;
  }
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  *out = Measure("floor file: N x 460 bytes written + fsync", t, n, "file");
  std::filesystem::remove(path);
  return ok;
}

// N × 400 bytes of fresh anonymous memory, each page written once, then unmapped: the price
// of a page a step touches for the first time (its page faults), on this machine, now.
bool MemoryFloor(int64_t n, Figure* out) {
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  const size_t bytes = (static_cast<size_t>(n) * 400 + page - 1) / page * page;
  Timer t;
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  auto* c = static_cast<volatile char*>(p);
  for (size_t i = 0; i < bytes; i += page) c[i] = 1;
  ::munmap(p, bytes);
  *out = Measure("floor memory: N x 400 bytes, fresh pages", t, n, "memory");
  return out->faults > 0;
}

// ---- The world ---------------------------------------------------------------------------

// A year of the largest amount (Rs 1,500) for every household: World's default budget (Rs 100
// crore) is less than one month for a million pensioners.
int64_t BudgetPaise(int64_t households) {
  return std::max<int64_t>(100'000'000'000, households * 150'000 * 12);
}

struct SetupTimes {
  double file = 0, import = 0, scheme_and_enrol = 0, mapper = 0;
};

// World::Build, with testing::SpreadHouseholdLine for the households.
Status BuildWorld(storage::Database& db, spode::ManualTimeSource& clock,
                  const spode::crypto::MasterKey& key, payments::testing::World& world,
                  const std::filesystem::path& dir, int64_t households, SetupTimes* t) {
  RETURN_IF_ERROR(storage::ApplyMigrations(db, payments::testing::AllMigrations()).status());
  std::filesystem::create_directories(dir);
  std::string path = (dir / "households.jsonl").string();
  auto start = Clock::now();
  {
    std::ofstream f(path, std::ios::binary);
    for (int64_t n = 1; n <= households; ++n) {
      f << payments::testing::SpreadHouseholdLine(n) << "\n";
    }
    if (!f) return spode::UnavailableError("cannot write " + path);
  }
  t->file = Seconds(start);
  start = Clock::now();
  ASSIGN_OR_RETURN(auto importer, spode::registry::Importer::Create(db, key, clock, {}));
  ASSIGN_OR_RETURN(auto report, importer->ImportFile(path));
  t->import = Seconds(start);
  if (report.households_imported != households) {
    return spode::InternalError("imported " + std::to_string(report.households_imported) + " of " +
                                std::to_string(households) + " households (held " +
                                std::to_string(report.households_held) + ", rejected " +
                                std::to_string(report.households_rejected) + ")");
  }
  std::filesystem::remove(path);
  start = Clock::now();
  RETURN_IF_ERROR(
      world.store()
          .Add(payments::testing::PensionYaml(BudgetPaise(households)), "test", "user:scheme.admin")
          .status());
  RETURN_IF_ERROR(
      world.store().SetStatus(payments::testing::kScheme, "active", "user:scheme.admin"));
  RETURN_IF_ERROR(world.EnrolHeads());
  t->scheme_and_enrol = Seconds(start);
  start = Clock::now();
  RETURN_IF_ERROR(payments::SeedFromRegistry(db, clock).status());
  t->mapper = Seconds(start);
  return spode::OkStatus();
}

// --banks: each linked account's IFSC given the four letters of a bank ("BKAA", "BKAB", ...),
// its branch kept. Evenly, bank address_id % banks; skewed (--bank-shares skewed), bank k of N
// (from 1) takes a share proportional to 1/k (Zipf's law, s = 1: of 30 banks the first takes
// 25%, the second 12.5%, the last 0.8%), each account's bank drawn at random (`seed`), so that
// no bank's accounts come in a pattern along the table. Only the mapper's copy, which payments
// read, changes; the account numbers are sealed apart from the IFSC.
Status SpreadOverBanks(storage::Database& db, int banks, bool skewed, uint32_t seed) {
  std::vector<double> shares;
  for (int k = 1; k <= banks; ++k) shares.push_back(skewed ? 1.0 / k : 1.0);
  std::discrete_distribution<int> draw(shares.begin(), shares.end());
  std::mt19937_64 random(seed);
  ASSIGN_OR_RETURN(auto ids, db.Query("SELECT address_id FROM mapper_addresses WHERE kind = "
                                      "'bank_account' ORDER BY address_id"));
  static const std::string kCols[] = {"address_id", "bank"};
  storage::RowBuffer rows(2);
  for (const auto& r : ids) {
    const int64_t id = r.Int(0);
    const int b = skewed ? draw(random) : static_cast<int>(id % banks);
    const char code[] = {'B', 'K', static_cast<char>('A' + b / 26), static_cast<char>('A' + b % 26),
                         '\0'};
    rows.Int(id).Text(code);
  }
  ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db));
  RETURN_IF_ERROR(
      db.ExecScript("CREATE TEMP TABLE bench_banks (address_id BIGINT PRIMARY KEY, "
                    "bank TEXT NOT NULL)"));
  RETURN_IF_ERROR(db.BulkInsert("bench_banks", kCols, rows));
  RETURN_IF_ERROR(db.ExecScript(
      "UPDATE mapper_addresses SET ifsc = s.bank || substr(mapper_addresses.ifsc, 5) FROM "
      "bench_banks s WHERE s.address_id = mapper_addresses.address_id; DROP TABLE bench_banks"));
  return tx.Commit();
}

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "payments_bench: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// "2026-11" plus `months`.
std::string PeriodAfter(int months) {
  int m = 10 + months;  // 0-based month of 2026-11
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", 2026 + m / 12, m % 12 + 1);
  return buf;
}

struct Options {
  int64_t beneficiaries = 1'000'000;
  std::string db_path, pg_url, dir = "/tmp/spode-bench-payments", world_cache;
  double returns = 0.03;
  uint32_t seed = 7;
  int cycles = 1;
  int sqlite_cache_mib = 0;   // 0: storage::Open's page cache (64 MiB)
  int banks = 0;              // 0: World's three
  bool skewed_banks = false;  // --bank-shares skewed: Zipf's shares instead of even ones
  bool keep = false, trace = false;
};

struct Floors {
  Figure insert, update, scan, file, memory;
};

// One month: create, approve, generate, export, import the bank's answer, reconcile. Prints
// each step; returns the steps, or an error (with the step that failed).
Result<std::vector<Figure>> RunMonth(storage::Database& db, spode::ManualTimeSource& clock,
                                     const spode::crypto::MasterKey& key,
                                     payments::testing::World& world,
                                     const spode::registry::Snapshot& snapshot,
                                     const std::filesystem::path& bank_dir, const Options& o,
                                     const Floors& floors, const std::string& period,
                                     bool* reconciled) {
  std::vector<Figure> steps;
  const int64_t n = o.beneficiaries;
  auto report = [&](Figure f, const Figure* floor) {
    if (o.trace) {
      double end = std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
      std::fprintf(stderr, "trace: %s %s: %.6f,%.6f\n", period.c_str(), f.name.c_str(),
                   end - f.seconds, end);
    }
    PrintFigure(f, floor, true);
    steps.push_back(std::move(f));
    // A commit's checkpoint runs on storage's own thread after it (OpenOptions::
    // checkpoint_pages); waited for here, so that the next step does not share the machine with
    // it. Not timed: the step's work is durable once its commit returns.
    if (std::optional<std::string> path = storage::SqliteFilePath(db)) {
      Timer settle;
      storage::WaitForBackgroundCheckpoints(*path);
      if (settle.wall() >= 0.01) {
        std::printf("      its log checkpointed in the background by %.2f s after it (not timed)\n",
                    settle.wall());
      }
    }
  };
  auto step_error = [](const char* what, const Status& s) {
    return spode::Status(s.code(), std::string(what) + ": " + std::string(s.message()));
  };

  Timer t;
  auto cycle = programs::CreateCycle(db, clock, world.store(), snapshot, payments::testing::kScheme,
                                     period, "user:district.clerk");
  if (!cycle.ok()) return step_error("create cycle", cycle.status());
  report(Measure("1 create cycle (CreateCycle)", t, cycle->beneficiaries), &floors.insert);
  if (cycle->beneficiaries != n) {
    return spode::InternalError("the cycle has " + std::to_string(cycle->beneficiaries) +
                                " beneficiaries, not " + std::to_string(n));
  }
  int64_t cycle_id = cycle->cycle_id;

  t = Timer();
  auto t1 = payments::ApproveCycle(db, clock, world.store(), cycle_id,
                                   {.actor = "user:district.head", .level = "district"});
  if (!t1.ok()) return step_error("approve (district)", t1.status());
  double tier1 = t.wall();
  auto t2 = payments::ApproveCycle(db, clock, world.store(), cycle_id,
                                   {.actor = "user:state.head", .level = "state"});
  if (!t2.ok()) return step_error("approve (state)", t2.status());
  if (!t2->final) return spode::InternalError("the second tier was not the last");
  report(Measure("2 approve, both tiers (ApproveCycle x2)", t, n), nullptr);
  std::printf("      district %.3f s, state with the ledger posting %.3f s\n", tier1,
              steps.back().seconds - tier1);

  t = Timer();
  auto generated = payments::GenerateInstructions(db, clock, cycle_id);
  if (!generated.ok()) return step_error("generate", generated.status());
  report(Measure("3 generate instructions (GenerateInstructions)", t, generated->created),
         &floors.insert);
  std::printf("      %lld ready, %lld held, %lld invalid; Rs %s\n",
              static_cast<long long>(generated->ready), static_cast<long long>(generated->held),
              static_cast<long long>(generated->invalid),
              generated->ready_total.ToString().c_str());

  t = Timer();
  payments::ExportOptions export_options;
  export_options.out_dir = bank_dir;
  auto files = payments::ExportBatches(db, clock, key, cycle_id, export_options);
  if (!files.ok()) return step_error("export", files.status());
  int64_t exported = 0;
  uintmax_t bytes = 0;
  for (const auto& f : *files) {
    exported += f.transactions;
    bytes += std::filesystem::file_size(f.path);
  }
  report(Measure("4 export pain.001 files (ExportBatches)", t, exported), &floors.file);
  std::printf("      %zu files, %.0f MB, %.0f bytes a transfer\n", files->size(),
              static_cast<double>(bytes) / 1e6,
              exported ? static_cast<double>(bytes) / static_cast<double>(exported) : 0.0);

  t = Timer();
  auto csv = world.BankStatusCsv(o.returns, o.seed);
  if (!csv.ok()) return step_error("status file", csv.status());
  std::printf("      status file of %lld lines, %.1f MB, made in %.2f s (not timed)\n",
              static_cast<long long>(std::count(csv->begin(), csv->end(), '\n') - 1),
              static_cast<double>(csv->size()) / 1e6, t.wall());
  t = Timer();
  auto imported = payments::ImportStatusFile(db, clock, *csv, "status-" + period + ".csv");
  if (!imported.ok()) return step_error("import", imported.status());
  report(Measure("5 import status file (ImportStatusFile)", t, imported->statuses), &floors.update);
  std::printf(
      "      %lld applied: %lld paid, %lld rejected (re-entry events and messages), %lld "
      "not applied\n",
      static_cast<long long>(imported->applied), static_cast<long long>(imported->paid),
      static_cast<long long>(imported->rejected),
      static_cast<long long>(imported->unknown + imported->repeated + imported->conflicting +
                             imported->contradicting + imported->stale + imported->unreadable));
  csv->clear();
  csv->shrink_to_fit();

  t = Timer();
  auto rec = payments::Reconcile(db, clock, bank_dir);
  if (!rec.ok()) return step_error("reconcile", rec.status());
  report(Measure("6 reconcile (Reconcile, files read back)", t, rec->instructions), &floors.scan);
  std::printf("      %lld instructions, %lld bank files (%lld read back): %s\n",
              static_cast<long long>(rec->instructions), static_cast<long long>(rec->batches),
              static_cast<long long>(rec->files_checked),
              rec->ok() ? "payments agree with the ledger" : "DISAGREEMENTS");
  *reconciled = rec->ok();
  if (!rec->ok()) std::printf("%s", rec->Summary().c_str());
  if (generated->created != n || exported != n || imported->applied != n) {
    std::printf("COUNTS DISAGREE: %lld generated, %lld exported, %lld applied of %lld\n",
                static_cast<long long>(generated->created), static_cast<long long>(exported),
                static_cast<long long>(imported->applied), static_cast<long long>(n));
    *reconciled = false;
  }
  return steps;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool more = i + 1 < argc;
    if (a == "--beneficiaries" && more)
      o.beneficiaries = std::stoll(argv[++i]);
    else if (a == "--db" && more)
      o.db_path = argv[++i];
    else if (a == "--pg" && more)
      o.pg_url = argv[++i];
    else if (a == "--dir" && more)
      o.dir = argv[++i];
    else if (a == "--returns" && more)
      o.returns = std::stod(argv[++i]);
    else if (a == "--seed" && more)
      o.seed = static_cast<uint32_t>(std::stoul(argv[++i]));
    else if (a == "--cycles" && more)
      o.cycles = std::max(1, std::stoi(argv[++i]));
    else if (a == "--sqlite-cache-mib" && more)
      o.sqlite_cache_mib = std::stoi(argv[++i]);
    else if (a == "--banks" && more)
      o.banks = std::stoi(argv[++i]);
    else if (a == "--bank-shares" && more) {
      const std::string shares = argv[++i];
      if (shares != "even" && shares != "skewed") {
        std::fprintf(stderr, "payments_bench: --bank-shares must be even or skewed\n");
        return 2;
      }
      o.skewed_banks = shares == "skewed";
    } else if (a == "--world-cache" && more)
      o.world_cache = argv[++i];
    else if (a == "--keep")
      o.keep = true;
    else if (a == "--trace")
      o.trace = true;
    else {
      std::fprintf(stderr,
                   "usage: payments_bench [--beneficiaries N] [--db PATH] [--pg URL] [--dir DIR] "
                   "[--returns 0.03] [--seed 7] [--cycles 1] [--world-cache FILE] [--keep] "
                   "[--trace] [--sqlite-cache-mib N] [--banks N [--bank-shares even|skewed]]\n");
      return 2;
    }
  }
  if (o.skewed_banks && o.banks == 0) {
    std::fprintf(stderr, "payments_bench: --bank-shares needs --banks N\n");
    return 2;
  }
  const int64_t n = o.beneficiaries;
  const bool pg = !o.pg_url.empty();
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  if (o.db_path.empty()) o.db_path = o.dir + "/spode.db";
  bool reuse = false;
  if (!pg) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.db_path + suffix);
    if (!o.world_cache.empty() && std::filesystem::exists(o.world_cache)) {
      std::filesystem::copy_file(o.world_cache, o.db_path);
      reuse = true;
    }
  }

  auto opened = storage::Open(pg ? o.pg_url : o.db_path);
  if (!opened.ok()) return Fail("open", opened.status());
  std::unique_ptr<storage::Database> db = std::move(*opened);
  if (pg) {
    Status s = db->ExecScript(
        "DROP SCHEMA IF EXISTS bench_payments CASCADE; CREATE SCHEMA "
        "bench_payments; SET search_path TO bench_payments");
    if (!s.ok()) return Fail("PostgreSQL schema", s);
  }
  if (o.sqlite_cache_mib > 0 && !pg) {
    // An experiment, not spode's setting: the SQLite page cache of this connection.
    Status s = db->ExecScript("PRAGMA cache_size=-" + std::to_string(o.sqlite_cache_mib * 1024));
    if (!s.ok()) return Fail("cache_size", s);
  }
  spode::ManualTimeSource clock(*spode::Timestamp::Parse("2026-11-29T06:30:00Z"));
  spode::crypto::MasterKey key = spode::crypto::MasterKey::FromBytes(std::string(32, 'k'));
  const std::filesystem::path dir(o.dir);
  payments::testing::World world(*db, clock, key, dir / "world");

  std::printf(
      "bench/payments: %lld beneficiaries, %d cycle(s), %s (%s), %u cores, load %.2f, "
      "status files with %.1f%% rejected (seed %u)\n",
      static_cast<long long>(n), o.cycles, pg ? "PostgreSQL" : "SQLite WAL synchronous=FULL",
      db->Describe().c_str(), std::thread::hardware_concurrency(), LoadAverage(), o.returns * 100,
      o.seed);
  if (o.sqlite_cache_mib > 0) std::printf("SQLite page cache: %d MiB\n", o.sqlite_cache_mib);
  std::fflush(stdout);

  // ---- Setup: not a target ----
  Timer t;
  SetupTimes setup;
  if (reuse) {
    // A world cached by an older spode is brought up to this one's schema first.
    auto migrated = storage::ApplyMigrations(*db, payments::testing::AllMigrations());
    if (!migrated.ok()) return Fail("migrations of the cached world", migrated.status());
    if (*migrated > 0) {
      std::printf("setup (not a target): %d migration(s) applied to the cached world\n", *migrated);
    }
    auto heads = db->QueryOne("SELECT COUNT(*) FROM enrolments");
    if (!heads.ok() || !*heads || (**heads).Int(0) != n) {
      std::fprintf(stderr, "payments_bench: %s is not a world of %lld households\n",
                   o.world_cache.c_str(), static_cast<long long>(n));
      return 1;
    }
  } else if (Status s = BuildWorld(*db, clock, key, world, dir / "world", n, &setup); !s.ok()) {
    return Fail("world", s);
  } else if (!o.world_cache.empty() && !pg) {
    // The world's log copied back first: a checkpoint of storage's own under way would make
    // this one give up (busy) and leave the copy without the log's pages.
    storage::WaitForBackgroundCheckpoints(o.db_path);
    if (Status c = db->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)"); !c.ok()) {
      return Fail("checkpoint", c);
    }
    std::filesystem::copy_file(o.db_path, o.world_cache);
  }
  Figure world_figure = Measure("world", t, n);
  if (o.banks != 0) {
    if (o.banks < 1 || o.banks > 100) {
      std::fprintf(stderr, "payments_bench: --banks must be 1 to 100\n");
      return 1;
    }
    Timer spread;
    if (Status s = SpreadOverBanks(*db, o.banks, o.skewed_banks, o.seed); !s.ok()) {
      return Fail("--banks", s);
    }
    std::printf("setup (not a target): accounts spread over %d banks, %s (%.1f s)\n", o.banks,
                o.skewed_banks ? "skewed (bank k's share 1/k, Zipf; drawn at random)" : "evenly",
                Measure("banks", spread, n).seconds);
  }
  t = Timer();
  auto snapshot = world.Snapshot();
  if (!snapshot.ok()) return Fail("snapshot", snapshot.status());
  Figure snapshot_figure = Measure("snapshot", t, static_cast<int64_t>((*snapshot)->members()));
  if (reuse) {
    std::printf("setup (not a target): world copied from %s\n", o.world_cache.c_str());
  } else {
    std::printf(
        "setup (not a target): world %.1f s (household file %.1f s, registry import "
        "%.1f s, scheme and enrolment %.1f s, mapper links %.1f s)\n",
        world_figure.seconds, setup.file, setup.import, setup.scheme_and_enrol, setup.mapper);
  }
  std::printf("snapshot (before the timers): %.2f s, %zu members, %.0f MB; peak RSS %ld MB\n",
              snapshot_figure.seconds, (*snapshot)->members(),
              static_cast<double>((*snapshot)->memory_bytes()) / 1e6, PeakRssMb());
  std::fflush(stdout);

  // ---- Floors: the same run, the same disk ----
  Floors floors;
  if (pg) {
    if (Status s = PostgresFloors(*db, n, &floors.insert, &floors.update, &floors.scan); !s.ok()) {
      return Fail("PostgreSQL floors", s);
    }
  } else if (!SqliteFloors(o.dir + "/floor.db", n, &floors.insert, &floors.update, &floors.scan)) {
    std::fprintf(stderr, "payments_bench: SQLite floors failed\n");
    return 1;
  }
  if (!FileFloor(o.dir + "/floor.bin", n, &floors.file)) {
    std::fprintf(stderr, "payments_bench: file floor failed\n");
    return 1;
  }
  if (!MemoryFloor(n, &floors.memory)) {
    std::fprintf(stderr, "payments_bench: memory floor failed\n");
    return 1;
  }
  std::printf("floors (load %.2f):\n", LoadAverage());
  PrintHeader();
  for (const Figure* f :
       {&floors.insert, &floors.update, &floors.scan, &floors.file, &floors.memory}) {
    PrintFigure(*f, nullptr, false);
  }
  std::printf("      a fresh page: %.2f us\n",
              floors.memory.faults > 0
                  ? floors.memory.seconds * 1e6 / static_cast<double>(floors.memory.faults)
                  : 0.0);

  // ---- The steps, month by month ----
  bool all_reconciled = true;
  for (int month = 0; month < o.cycles; ++month) {
    std::string period = PeriodAfter(month);
    clock.Set(*spode::Timestamp::Parse(period + "-28T06:30:00Z"));
    std::printf("cycle %s (load %.2f):\n", period.c_str(), LoadAverage());
    PrintHeader();
    bool reconciled = false;
    auto steps =
        RunMonth(*db, clock, key, world, **snapshot, dir / "bank", o, floors, period, &reconciled);
    if (!steps.ok()) return Fail(period.c_str(), steps.status());
    double total = 0, cpu = 0, waited = 0;
    int64_t faults = 0;
    int over = 0;
    for (const Figure& f : *steps) {
      total += f.seconds;
      cpu += f.cpu;
      waited += f.waited;
      faults += f.faults;
      if (f.seconds >= kTargetSeconds) ++over;
    }
    std::printf(
        "  cycle %s: steps %.1f s wall, %.1f s CPU, %.1f s waiting for a core, %lld page "
        "faults; %d of %zu over 5 s; peak RSS %ld MB; load %.2f\n",
        period.c_str(), total, cpu, waited, static_cast<long long>(faults), over, steps->size(),
        PeakRssMb(), LoadAverage());
    std::fflush(stdout);
    all_reconciled = all_reconciled && reconciled;
  }
  snapshot->reset();
  db.reset();
  if (!o.keep) {
    std::filesystem::remove_all(o.dir);
    if (!pg) {
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(o.db_path + suffix);
    } else if (auto again = storage::Open(o.pg_url); again.ok()) {
      (*again)->ExecScript("DROP SCHEMA IF EXISTS bench_payments CASCADE").IgnoreError();
    }
  }
  return all_reconciled ? 0 : 1;
}
