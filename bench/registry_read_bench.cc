// bench/registry_read: the household view that bench/http serves, without HTTP, the session or
// the access log: one thread, in process, on bench/http's database and family IDs.
//
//   cmake --build build --target registry_read_bench
//   build/bench/registry_read_bench DB IDS_FILE [SECONDS]
//   (bench/http's: DB /tmp/spode-bench-http/households-1000000.db,
//    IDS_FILE /tmp/spode-bench-http/family-ids.txt)
//
// (a) spode: in a read transaction, Registry::FindHousehold + WriteHousehold (every field) of
//     each ID in turn, over and over for SECONDS (default 3) after 1 s of warm-up.
// (b) baseline, same run and connection: the same two queries (the household by family ID, its
//     members with their bank accounts and provenance) stepped in the same read transactions,
//     every column read, nothing written.
// Prints microseconds a view for both, and (a)'s share spent outside the queries.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "registry/registry.h"
#include "storage/database.h"

namespace {

using Clock = std::chrono::steady_clock;

// Microseconds a call of `one(id)`, over `seconds` after a second of warm-up.
double Time(const std::vector<std::string>& ids, double seconds,
            const std::function<void(const std::string&)>& one) {
  double result = 0;
  for (double secs : {1.0, seconds}) {
    size_t n = 0;
    auto start = Clock::now();
    for (;;) {
      for (size_t i = 0; i < 1000; ++i, ++n) one(ids[n % ids.size()]);
      double t = std::chrono::duration<double>(Clock::now() - start).count();
      if (t >= secs) {
        result = t * 1e6 / static_cast<double>(n);
        break;
      }
    }
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace spode;
  if (argc < 3) {
    std::fprintf(stderr, "usage: registry_read_bench DB IDS_FILE [SECONDS]\n");
    return 2;
  }
  const std::string db_path = argv[1];
  const double seconds = argc > 3 ? std::stod(argv[3]) : 3;
  std::vector<std::string> ids;
  std::ifstream in(argv[2]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ids.push_back(line);
  }
  if (ids.empty()) return std::fprintf(stderr, "no family IDs in %s\n", argv[2]), 2;
  // As `spode serve` opens its request connections (read_map_mb's default).
  auto db = storage::Open(db_path, {.create = false, .mmap_bytes = int64_t{2048} << 20});
  if (!db.ok()) return std::fprintf(stderr, "%s\n", db.status().ToString().c_str()), 1;
  auto key = crypto::MasterKey::Load(db_path + ".key");
  if (!key.ok()) return std::fprintf(stderr, "%s\n", key.status().ToString().c_str()), 1;
  SystemTimeSource clock;
  registry::PlaceNames places;
  storage::Database& d = **db;

  size_t bytes = 0, views = 0, missing = 0;
  double spode_us = Time(ids, seconds, [&](const std::string& id) {
    if (!d.BeginRead().ok()) std::abort();
    registry::Registry reg(d, *key, clock, &places);
    auto h = reg.FindHousehold(id);
    std::string out;
    out.reserve(4096);
    if (!h.ok() || !*h || !reg.WriteHousehold(**h, out).ok()) ++missing;
    bytes += out.size();
    ++views;
    if (!d.Commit().ok()) std::abort();
  });

  size_t columns = 0;
  double floor_us = Time(ids, seconds, [&](const std::string& id) {
    if (!d.BeginRead().ok()) std::abort();
    auto step_all = [&](storage::Statement* s) {
      while (*s->Step()) {
        for (int c = 0; c < s->ColumnCount(); ++c) columns += s->ColumnText(c).size();
      }
      s->Reset();
    };
    storage::Statement* h = *d.Cached(registry::kHouseholdHeadSql);
    h->BindText(1, id);
    int64_t household_idx = 0;
    if (*h->Step()) household_idx = h->ColumnInt(0);
    step_all(h);
    storage::Statement* m = *d.Cached(registry::kMembersViewSql);
    m->BindInt(1, household_idx);
    step_all(m);
    if (!d.Commit().ok()) std::abort();
  });

  std::printf("registry_read: %zu family IDs, 1 thread\n", ids.size());
  std::printf("(a) spode: FindHousehold + WriteHousehold   %8.2f us a view (%zu bytes on average, "
              "%zu not found)\n",
              spode_us, views ? bytes / views : 0, missing);
  std::printf("(b) floor: the same two queries stepped     %8.2f us a view\n", floor_us);
  std::printf("spode's view takes %.2fx the floor's time; %.2f us a view outside the queries\n",
              spode_us / floor_us, spode_us - floor_us);
  return missing == 0 && columns > 0 ? 0 : 1;
}
