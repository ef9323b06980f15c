// bench/import: bulk enrolment speed, next to the floors of the same data in the same run.
//
//   build/bench/import_bench --households 220000 [--pg postgresql://...] [--dir /tmp/x]
//
// 1. Generates N households with sim/ (seed 42) as JSON Lines, and the same members as a flat
//    CSV (one row per member: member_id, family_id, name, dob, sex, relationship, village).
// 2. Floor, SQLite: the sqlite3 shell's `.import` of the CSV into a plain table, WAL and
//    synchronous=FULL like spode.
// 3. spode import into SQLite (parse, validate, de-duplicate, seal national IDs, write).
// 4. With --pg: floor `\copy` of the CSV into a plain table through psql, then spode import
//    into PostgreSQL.
// Prints members/s for each and the ratio to its floor.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "app/state.h"
#include "registry/household.h"
#include "registry/importer.h"
#include "sim/generator.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int Run(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

std::string CsvField(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

struct Result {
  std::string name;
  double seconds;
  int64_t members;
};

void Print(const Result& r, const Result* floor) {
  double rate = static_cast<double>(r.members) / r.seconds;
  std::printf("%-44s %9.2f s %12.0f members/s", r.name.c_str(), r.seconds, rate);
  if (floor != nullptr) {
    double floor_rate = static_cast<double>(floor->members) / floor->seconds;
    std::printf("   %.2fx the floor's time", r.seconds / floor->seconds);
    (void)floor_rate;
  }
  std::printf("\n");
}

spode::Result<Result> SpodeImport(const std::string& url, const std::string& jsonl,
                                  const std::string& key_file, const char* label) {
  spode::Config config;
  config.database.url = url;
  config.vault.key_file = key_file;
  ASSIGN_OR_RETURN(spode::app::State state, spode::app::OpenState(config));
  spode::SystemTimeSource clock;
  auto start = Clock::now();
  ASSIGN_OR_RETURN(auto importer, spode::registry::Importer::Create(*state.db, *state.key, clock));
  ASSIGN_OR_RETURN(auto report, importer->ImportFile(jsonl));
  double secs = Seconds(start);
  if (report.households_rejected > 0) {
    std::fprintf(stderr, "warning: %lld households rejected (see %s)\n",
                 static_cast<long long>(report.households_rejected), report.rejects_file.c_str());
  }
  return Result{label, secs, report.members_imported + report.members_held};
}

}  // namespace

int main(int argc, char** argv) {
  int64_t households = 220000;
  std::string pg_url, dir = "/tmp/spode-bench-import";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--households" && i + 1 < argc) households = std::stoll(argv[++i]);
    else if (a == "--pg" && i + 1 < argc) pg_url = argv[++i];
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: import_bench [--households N] [--pg URL] [--dir DIR]\n");
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string jsonl = dir + "/state.jsonl", csv = dir + "/members.csv";

  // 1. Data.
  spode::sim::GeneratorOptions options;
  options.households = households;
  options.seed = 42;
  auto start = Clock::now();
  if (auto s = spode::sim::WriteFile(options, jsonl); !s.ok()) {
    std::fprintf(stderr, "generate: %s\n", s.ToString().c_str());
    return 1;
  }
  double gen_secs = Seconds(start);
  int64_t members = 0;
  {
    std::ifstream in(jsonl);
    std::ofstream out(csv);
    std::string line;
    while (std::getline(in, line)) {
      auto h = spode::registry::ParseHousehold(line, options.as_of);
      if (!h.ok()) continue;
      for (const auto& m : h->members) {
        out << m.member_id << ',' << h->family_id << ',' << CsvField(m.name) << ','
            << m.dob.ToString() << ',' << m.sex << ',' << m.relationship << ','
            << h->address.village << '\n';
        ++members;
      }
    }
  }
  std::printf("bench/import: %lld households, %lld members (generated in %.1f s), %d cores\n",
              static_cast<long long>(households), static_cast<long long>(members), gen_secs,
              static_cast<int>(std::thread::hardware_concurrency()));

  // 2. SQLite floor.
  std::string floor_db = dir + "/floor.db";
  std::string script = dir + "/floor.sql";
  {
    std::ofstream s(script);
    s << "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\n"
         "CREATE TABLE members (member_id TEXT, family_id TEXT, name TEXT, dob TEXT, sex TEXT, "
         "relationship TEXT, village TEXT);\n.mode csv\n.import "
      << csv << " members\n";
  }
  start = Clock::now();
  if (Run("sqlite3 " + floor_db + " < " + script + " > /dev/null") != 0) {
    std::fprintf(stderr, "sqlite3 .import failed\n");
    return 1;
  }
  Result sqlite_floor{"floor: sqlite3 .import of flat CSV", Seconds(start), members};
  Print(sqlite_floor, nullptr);

  // 3. spode into SQLite.
  auto sqlite = SpodeImport(dir + "/spode.db", jsonl, dir + "/spode.db.key",
                            "spode import, SQLite (dedup, vault, FULL sync)");
  if (!sqlite.ok()) {
    std::fprintf(stderr, "spode import: %s\n", sqlite.status().ToString().c_str());
    return 1;
  }
  Print(*sqlite, &sqlite_floor);

  // 4. PostgreSQL.
  if (!pg_url.empty()) {
    std::string reset = "PGOPTIONS=--client-min-messages=warning psql -q '" + pg_url +
                        "' -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' > /dev/null";
    if (Run(reset) != 0) return 1;
    std::string copy = "psql -q '" + pg_url +
                       "' -c 'CREATE TABLE floor_members (member_id TEXT, family_id TEXT, name "
                       "TEXT, dob TEXT, sex TEXT, relationship TEXT, village TEXT)' -c \"\\copy "
                       "floor_members FROM '" + csv + "' CSV\" > /dev/null";
    start = Clock::now();
    if (Run(copy) != 0) {
      std::fprintf(stderr, "psql \\copy failed\n");
      return 1;
    }
    Result pg_floor{"floor: PostgreSQL COPY of flat CSV", Seconds(start), members};
    Print(pg_floor, nullptr);
    auto pg = SpodeImport(pg_url, jsonl, dir + "/pg.key",
                          "spode import, PostgreSQL (dedup, vault, COPY)");
    if (!pg.ok()) {
      std::fprintf(stderr, "spode import (PostgreSQL): %s\n", pg.status().ToString().c_str());
      return 1;
    }
    Print(*pg, &pg_floor);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
