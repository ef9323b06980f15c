// bench/access_log: the access log's writer on SQLite, without HTTP: ENTRIES entries as
// bench/http's reads make them (one officer reading households by family ID, the server's
// request ids, seed 42), appended from one thread as fast as the writer takes them.
//
//   cmake --build build --target access_log_bench
//   build/bench/access_log_bench [ENTRIES] [DIR]   (default 2000000, /tmp/spode-bench-accesslog)
//
// (a) spode: access::AccessLog::Open beside a fresh registry file in DIR (the compact side file:
//     access/schema.h), Append each entry, Flush. The writer as the server runs it: batches of
//     up to 1,000 entries a transaction, the index by household caught up every 100,000.
// (b) baseline, same run, same entries: what the writer wrote before the compact form: the whole
//     rows (access/0001's table, without its index by household, as the side file had it) in a
//     file of their own, 1,000 entries a multi-row INSERT a transaction, on a connection set up
//     as the writer's, and the same index by household caught up every 100,000 entries.
// Prints, for both: microseconds of CPU (the process's: the appending thread and the writer)
// and of wall time an entry, bytes written to storage an entry (/proc/self/io: the WAL and the
// checkpoints), and the file's size an entry.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "access/gate.h"
#include "access/schema.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace {

using namespace spode;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int64_t BytesWritten() {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

// CPU seconds of this process's thread named `name` (utime + stime in /proc), or -1.
double ThreadCpuSeconds(const std::string& name) {
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string c;
    std::getline(comm, c);
    if (c != name) continue;
    std::ifstream stat(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th.
    std::istringstream rest(text.substr(text.rfind(')') + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return -1;
}

// This program's main thread, by its name in /proc (the first 15 characters).
const std::string kMainThread = "access_log_benc";

struct Figures {
  double cpu_us = 0, wall_us = 0, written = 0, file = 0;
  double writer_us = 0;  // the thread that writes: (a) the log's writer, (b) the only one
};

// Runs `work`, then measures it per entry; `file` is the database file it wrote (its size
// after the work, all connections closed). `work` stores the writing thread's CPU seconds in
// `writer_seconds`.
template <typename Work>
Figures Measure(size_t n, const std::string& file, double& writer_seconds, Work work) {
  ::sync();
  const int64_t written = BytesWritten();
  const double cpu = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  if (Status s = work(); !s.ok()) {
    std::fprintf(stderr, "access_log_bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  Figures f;
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  f.cpu_us = (CpuSeconds() - cpu) * 1e6 / static_cast<double>(n);
  f.wall_us = wall * 1e6 / static_cast<double>(n);
  ::sync();
  f.written = static_cast<double>(BytesWritten() - written) / static_cast<double>(n);
  f.file = static_cast<double>(std::filesystem::file_size(file)) / static_cast<double>(n);
  f.writer_us = writer_seconds * 1e6 / static_cast<double>(n);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 2'000'000;
  const std::string dir = argc > 2 ? argv[2] : "/tmp/spode-bench-accesslog";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  // bench/http's entries: an officer's household reads, a random family ID and household each,
  // the server's request ids (16 hex digits), a millisecond's worth of reads apart.
  std::mt19937_64 rng(42);
  std::vector<access::AccessEntry> entries;
  entries.reserve(n);
  char hex[17];
  for (size_t i = 0; i < n; ++i) {
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(rng()));
    entries.push_back({1'764'000'000'000'000 + static_cast<int64_t>(i) * 50,
                       "user:bench.officer.bca0d232", "officer", "household.read",
                       std::to_string(1'000'000'000 + rng() % 9'000'000'000),
                       static_cast<int64_t>(1 + rng() % 1'000'000), "service_delivery", "allow",
                       "policy", hex});
  }

  // (a) spode's writer: the compact side file beside a registry file.
  const std::string registry = dir + "/registry.db";
  double writer_a = 0, writer_b = 0;
  Figures a = Measure(n, access::AccessLog::SidecarPath(registry), writer_a, [&]() -> Status {
    {
      ASSIGN_OR_RETURN(auto db, storage::Open(registry));
    }
    ASSIGN_OR_RETURN(auto log, access::AccessLog::Open(registry));
    for (const access::AccessEntry& e : entries) log->Append(e);
    RETURN_IF_ERROR(log->Flush());
    // The writer's CPU, and the last catch-up's (on this thread, as (b) does its last).
    writer_a = ThreadCpuSeconds("spode-accesslog");
    const double main_before = ThreadCpuSeconds(kMainThread);
    RETURN_IF_ERROR(log->IndexHouseholds());
    writer_a += ThreadCpuSeconds(kMainThread) - main_before;
    return OkStatus();
  });

  // (b) the whole rows, as the side file kept them before.
  const std::string wide = dir + "/wide-access-log.db";
  Figures b = Measure(n, wide, writer_b, [&]() -> Status {
    const double start = ThreadCpuSeconds(kMainThread);
    ASSIGN_OR_RETURN(auto db, storage::Open(wide));
    RETURN_IF_ERROR(db->ExecScript(
        storage::ForDialect(access::AccessLogSchema(), storage::Dialect::kSqlite) +
        "DROP INDEX access_log_household; CREATE TABLE access_log_by_segment (segment BIGINT "
        "NOT NULL, household_idx BIGINT NOT NULL, at_us BIGINT NOT NULL, log_id BIGINT NOT NULL, "
        "PRIMARY KEY (segment, household_idx, at_us, log_id)) WITHOUT ROWID; "
        "PRAGMA wal_autocheckpoint=16384"));
    static const std::string kCols[] = {"at_us",  "actor",         "role",    "action",
                                        "object", "household_idx", "purpose", "decision",
                                        "reason", "request_id"};
    int64_t indexed = 0;
    for (size_t from = 0; from < n; from += 1000) {
      storage::RowBuffer rows(10);
      for (size_t i = from; i < std::min(n, from + 1000); ++i) {
        const access::AccessEntry& e = entries[i];
        rows.Int(e.at_us).Text(e.actor).Text(e.role).Text(e.action).Text(e.object);
        rows.Int(e.household_idx).Text(e.purpose).Text(e.decision).Text(e.reason);
        rows.Text(e.request_id);
      }
      ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(*db));
      RETURN_IF_ERROR(db->BulkInsert("access_log", kCols, rows));
      RETURN_IF_ERROR(tx.Commit());
      const int64_t last = static_cast<int64_t>(std::min(n, from + 1000));
      if (last - indexed >= 100'000 || last == static_cast<int64_t>(n)) {
        ASSIGN_OR_RETURN(storage::Transaction itx, storage::Transaction::Begin(*db));
        RETURN_IF_ERROR(db->Execute("INSERT INTO access_log_by_segment SELECT log_id >> 17, "
                                    "household_idx, at_us, log_id FROM access_log WHERE log_id "
                                    "> ? AND log_id <= ? ORDER BY 1, 2, 3, 4",
                                    {indexed, last})
                            .status());
        RETURN_IF_ERROR(itx.Commit());
        indexed = last;
      }
    }
    writer_b = ThreadCpuSeconds(kMainThread) - start;
    return OkStatus();
  });

  std::printf("bench/access_log: %zu entries (bench/http's household reads, seed 42), %u cores\n",
              n, std::thread::hardware_concurrency());
  std::printf("%-46s %9s %9s %9s %12s %9s\n", "", "writer", "all CPU", "wall", "written",
              "file");
  std::printf("%-46s %9s %9s %9s %12s %9s\n", "", "us/entry", "us/entry", "us/entry",
              "B/entry", "B/entry");
  for (const auto& [name, f] : {std::pair{"(a) spode: AccessLog, the compact side file", a},
                                std::pair{"(b) baseline: whole rows, the same batches", b}}) {
    std::printf("%-46s %9.2f %9.2f %9.2f %12.0f %9.0f\n", name, f.writer_us, f.cpu_us, f.wall_us,
                f.written, f.file);
  }
  std::printf("(a) / (b): the writer's CPU %.2f, bytes written %.2f, file %.2f\n",
              a.writer_us / b.writer_us, a.written / b.written, a.file / b.file);
  std::printf("(writer: the thread that writes the log, (a) the log's writer thread and its last "
              "catch-up, (b) the only thread; all CPU: (a) also the appending thread's, the "
              "entries copied into the log's queue)\n");
  std::filesystem::remove_all(dir);
  return 0;
}
