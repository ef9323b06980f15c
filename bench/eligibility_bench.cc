// bench/eligibility: rules over the whole registry (issue 4), next to SQLite, PostgreSQL and
// DuckDB running the same rules as SQL over the same data, in the same run.
//
//   build/bench/eligibility_bench [--households 1000000] [--threads 2] [--reps 9]
//       [--pg postgresql://...] [--dir /tmp/spode-bench-eligibility] [--sql-reps 3]
//       [--scheme schemes/old_age_pension.yaml] [--no-sqlite] [--no-duckdb] [--snapshot]
//       [--cache] [--batch-rows N]
//
// 1. Data: N households from sim/ (seed 42), each line parsed with registry::ParseHousehold,
//    and the columns the rules read built from the parsed records by registry::SnapshotColumn,
//    the Snapshot's own column builder, so that the engine reads what it reads in production:
//    money as int32 paise and days of birth as uint16 days after 1900-01-01 where every value
//    fits (else int64 and int32), a byte per bool and enum code, uint32 member offsets with a
//    byte of member count per household beside them (what the engine reads), a
//    validity byte only for a column with a missing value. --snapshot also builds a real
//    registry::Snapshot from the same records (registry::Snapshot::FromHouseholds), checks that
//    it gives the same answers and reports its memory. --cache keeps the built columns in
//    DIR/columns-N.bin and reads them from there on the next run with the same N (generating
//    10M households takes minutes; the file is the parsed values at full width, not a format
//    to keep; the Snapshot's columns are built from them on every run, in a second).
// 2. spode, on --threads threads: (a) the old-age pension (the scheme file: 5 clauses and the
//    amount, person unit): who is eligible and the total of their amounts; (b) a household rule,
//    `household.members.exists(m, age_years(m.dob) < 6) && household.income_annual <=
//    rupees(100000)`: how many households. Best and median of --reps, and the least CPU time
//    (user + system of all threads) of one rep, which the other processes of a shared machine
//    disturb less than the wall time; also on 1 thread, and on the plain x86-64 (SSE2) kernels
//    only (ColumnarOptions::no_avx2). --batch-rows sets ColumnarOptions::batch_rows. A sample of
//    rows is checked against the reference evaluator.
// 3. The same rules as SQL over one denormalised table, members(household, dob,
//    is_government_pensioner, income_annual, residence): a row per member carrying its
//    household's attributes (no join: the cheapest form for the databases). Ages become
//    cut-off dates, as any SQL translation of age_years must. SQLite (sqlite3 .import; dob as
//    ISO text, the usual SQLite form), PostgreSQL with --pg (psql \copy; dob a date), DuckDB
//    through the npm package @duckdb/node-api (bench/node; dob a date). Loading is not timed;
//    each query runs --sql-reps times and the best counts.
// Prints every engine's count and total, which must equal spode's, and each time with its ratio
// to spode's.
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <bit>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "programs/scheme.h"
#include "registry/household.h"
#include "registry/snapshot.h"
#include "rules/checker.h"
#include "rules/columnar.h"
#include "rules/evaluator.h"
#include "sim/generator.h"
#include "storage/database.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace rules = spode::rules;

double Ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string Thousands(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string s;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) s.push_back(',');
    s.push_back(digits[i]);
  }
  return s;
}

std::string Rupees(int64_t paise) {
  return "Rs " + Thousands(static_cast<uint64_t>(paise / 100)) + "." +
         (paise % 100 < 10 ? "0" : "") + std::to_string(paise % 100);
}

int Run(const std::string& command) {
  int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 1;
}

std::string Capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// The raw JSON value of `key` in a flat, normalised JSON object ("" when absent or null).
std::string_view JsonValue(std::string_view json, std::string_view key) {
  std::string pattern;
  pattern.reserve(key.size() + 3);
  pattern.push_back('"');
  pattern.append(key);
  pattern.append("\":");
  size_t at = json.find(pattern);
  if (at == std::string_view::npos) return {};
  size_t begin = at + pattern.size(), end = begin;
  if (begin < json.size() && json[begin] == '"') {
    end = json.find('"', begin + 1);
    return end == std::string_view::npos ? std::string_view() : json.substr(begin + 1, end - begin - 1);
  }
  while (end < json.size() && json[end] != ',' && json[end] != '}') ++end;
  std::string_view v = json.substr(begin, end - begin);
  return v == "null" ? std::string_view() : v;
}

// The values the two rules read, as parsed (full width; BenchFrame stores them as the Snapshot
// does).
struct Columns {
  // households
  std::vector<int64_t> income;
  std::vector<uint8_t> income_valid, residence, residence_valid;
  std::vector<uint32_t> offsets{0};
  // members
  std::vector<int32_t> dob;
  std::vector<uint8_t> dob_valid, pensioner, pensioner_valid;
  std::vector<uint32_t> member_household;
  size_t missing_income = 0, missing_residence = 0, missing_dob = 0, missing_pensioner = 0;

  size_t households() const { return income.size(); }
  size_t members() const { return dob.size(); }
};

// --cache: the columns' arrays, each as a length and its bytes (same machine, same build).
template <class T>
void PutVector(std::ofstream& out, const std::vector<T>& v) {
  const uint64_t n = v.size();
  out.write(reinterpret_cast<const char*>(&n), sizeof n);
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
}
template <class T>
bool GetVector(std::ifstream& in, std::vector<T>* v) {
  uint64_t n = 0;
  if (!in.read(reinterpret_cast<char*>(&n), sizeof n) || n > (uint64_t{1} << 34)) return false;
  v->resize(n);
  return static_cast<bool>(
      in.read(reinterpret_cast<char*>(v->data()), static_cast<std::streamsize>(n * sizeof(T))));
}
constexpr uint64_t kCacheMagic = 0x31534c4f43454c45ULL;  // "ELECOLS1"

bool SaveColumns(const std::string& path, const Columns& c) {
  std::ofstream out(path + ".tmp", std::ios::binary);
  out.write(reinterpret_cast<const char*>(&kCacheMagic), sizeof kCacheMagic);
  PutVector(out, c.income);
  PutVector(out, c.income_valid);
  PutVector(out, c.residence);
  PutVector(out, c.residence_valid);
  PutVector(out, c.offsets);
  PutVector(out, c.dob);
  PutVector(out, c.dob_valid);
  PutVector(out, c.pensioner);
  PutVector(out, c.pensioner_valid);
  PutVector(out, c.member_household);
  const uint64_t missing[4] = {c.missing_income, c.missing_residence, c.missing_dob,
                               c.missing_pensioner};
  out.write(reinterpret_cast<const char*>(missing), sizeof missing);
  out.close();
  if (!out) return false;
  std::error_code ec;
  std::filesystem::rename(path + ".tmp", path, ec);
  return !ec;
}

bool LoadColumns(const std::string& path, Columns* c) {
  std::ifstream in(path, std::ios::binary);
  uint64_t magic = 0;
  if (!in.read(reinterpret_cast<char*>(&magic), sizeof magic) || magic != kCacheMagic) return false;
  uint64_t missing[4] = {};
  const bool ok = GetVector(in, &c->income) && GetVector(in, &c->income_valid) &&
                  GetVector(in, &c->residence) && GetVector(in, &c->residence_valid) &&
                  GetVector(in, &c->offsets) && GetVector(in, &c->dob) &&
                  GetVector(in, &c->dob_valid) && GetVector(in, &c->pensioner) &&
                  GetVector(in, &c->pensioner_valid) && GetVector(in, &c->member_household) &&
                  static_cast<bool>(in.read(reinterpret_cast<char*>(missing), sizeof missing));
  if (!ok || c->offsets.size() != c->income.size() + 1 || c->offsets.back() != c->dob.size()) {
    *c = Columns();  // generate afresh
    return false;
  }
  c->missing_income = missing[0];
  c->missing_residence = missing[1];
  c->missing_dob = missing[2];
  c->missing_pensioner = missing[3];
  return true;
}

// A rules::Frame over Columns, stored in registry::SnapshotColumn (the Snapshot's layout and
// width choices): the registry's schema; only the four attributes are present.
class BenchFrame final : public rules::Frame {
 public:
  explicit BenchFrame(const Columns& c)
      : c_(c),
        income_(Attr(rules::Entity::kHousehold, "income_annual")),
        residence_(Attr(rules::Entity::kHousehold, "residence")),
        dob_(Attr(rules::Entity::kMember, "dob")),
        pensioner_(Attr(rules::Entity::kMember, "is_government_pensioner")) {
    for (size_t h = 0; h < c.households(); ++h) {
      if (c.income_valid[h]) {
        income_.AppendInt(c.income[h]);
      } else {
        income_.AppendMissing();
      }
      if (c.residence_valid[h]) {
        residence_.AppendCode(c.residence[h]);
      } else {
        residence_.AppendMissing();
      }
    }
    for (size_t m = 0; m < c.members(); ++m) {
      if (c.dob_valid[m]) {
        dob_.AppendDays(c.dob[m]);
      } else {
        dob_.AppendMissing();
      }
      if (c.pensioner_valid[m]) {
        pensioner_.AppendBool(c.pensioner[m] != 0);
      } else {
        pensioner_.AppendMissing();
      }
    }
    for (spode::registry::SnapshotColumn* col : {&income_, &residence_, &dob_, &pensioner_}) {
      col->Publish();
    }
    // Checked once here (they may come from the cache file), as a Snapshot guarantees them by
    // building them, so that evaluations need not check them.
    offsets_ordered_ = std::is_sorted(c.offsets.begin(), c.offsets.end());
    // A byte per household beside the offsets, as a Snapshot keeps them (none if a household
    // has more than 255 members).
    counts_.reserve(c.households());
    for (size_t h = 0; h + 1 < c.offsets.size() && offsets_ordered_; ++h) {
      const uint32_t n = c.offsets[h + 1] - c.offsets[h];
      if (n > 255) {
        counts_.clear();
        break;
      }
      counts_.push_back(static_cast<uint8_t>(n));
    }
  }
  const rules::Schema& schema() const override { return spode::registry::RulesSchema(); }
  size_t households() const override { return c_.households(); }
  size_t members() const override { return c_.members(); }
  std::span<const uint32_t> member_offsets() const override { return c_.offsets; }
  bool member_offsets_ordered() const override { return offsets_ordered_; }
  std::span<const uint8_t> member_counts() const override { return counts_; }
  std::span<const uint32_t> member_household() const override { return c_.member_household; }
  const rules::Column* column(rules::Entity entity, std::string_view name) const override {
    if (entity == rules::Entity::kHousehold) {
      if (name == "income_annual") return &income_.view();
      if (name == "residence") return &residence_.view();
    } else {
      if (name == "dob") return &dob_.view();
      if (name == "is_government_pensioner") return &pensioner_.view();
    }
    return nullptr;
  }

  // Bytes of the arrays rule (a) and rule (b) read: the member counts, or the offsets when
  // there are none (the engine then reads those instead).
  size_t BytesA() const {
    return Bytes(income_) + Bytes(residence_) + Bytes(dob_) + Bytes(pensioner_) + GroupBytes();
  }
  size_t BytesB() const { return Bytes(income_) + Bytes(dob_) + GroupBytes(); }
  size_t GroupBytes() const { return counts_.empty() ? c_.offsets.size() * 4 : counts_.size(); }
  // The stored widths of income and dob ("int32 income, uint16 dob" or wider).
  std::string Widths() const {
    return std::string(income_.narrow() ? "int32" : "int64") + " income, " +
           (dob_.narrow() ? "uint16" : "int32") + " dob";
  }

 private:
  static const rules::AttributeSchema* Attr(rules::Entity entity, std::string_view name) {
    return spode::registry::RulesSchema().Find(entity, name);
  }
  static size_t Bytes(const spode::registry::SnapshotColumn& col) {
    const rules::Column& c = col.view();
    return c.ints.size_bytes() + c.dates.size_bytes() + c.codes.size_bytes() +
           c.valid.size_bytes();
  }
  const Columns& c_;
  bool offsets_ordered_ = false;
  std::vector<uint8_t> counts_;
  spode::registry::SnapshotColumn income_, residence_, dob_, pensioner_;
};

struct Timing {
  double best = 0, median = 0;
  double cpu_best = 0;  // the least CPU time (user + system, all threads) of one rep
};

double CpuMs() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

template <class F>
Timing TimeIt(int reps, F&& f) {
  std::vector<double> ms, cpu;
  for (int i = 0; i < reps; ++i) {
    const double cpu0 = CpuMs();
    auto start = Clock::now();
    f();
    ms.push_back(Ms(start));
    cpu.push_back(CpuMs() - cpu0);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(cpu.begin(), cpu.end());
  return {ms.front(), ms[ms.size() / 2], cpu.front()};
}

// The last day whose completed years to `eval` are at least `years` (the SQL cut-off of
// age_years(dob) >= years).
spode::Date LastDayAged(int years, spode::Date eval) {
  int32_t lo = rules::kMinDateDays, hi = eval.days();
  while (lo < hi) {
    int32_t mid = lo + (hi - lo + 1) / 2;
    if (spode::Date::FromDays(mid).YearsUntil(eval) >= years) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return spode::Date::FromDays(lo);
}

struct Answer {
  explicit Answer(std::string name) : engine(std::move(name)) {}
  std::string engine;
  double ms_a = 0, ms_b = 0;
  int64_t count_a = -1, total_a = -1, count_b = -1;
  std::string note;
};

void PrintRow(const Answer& a, const Answer& spode, bool rule_a) {
  const double ms = rule_a ? a.ms_a : a.ms_b;
  const double base = rule_a ? spode.ms_a : spode.ms_b;
  std::printf("  %-34s %10.2f ms", a.engine.c_str(), ms);
  if (&a != &spode) {
    std::printf("  %7.1fx spode", ms / base);
  } else {
    std::printf("  %13s", "");
  }
  if (rule_a) {
    std::printf("   eligible %s, total %s per month", Thousands(static_cast<uint64_t>(a.count_a)).c_str(),
                Rupees(a.total_a).c_str());
    const bool same = a.count_a == spode.count_a && a.total_a == spode.total_a;
    std::printf("%s\n", same ? "" : "   *** DIFFERS FROM SPODE ***");
  } else {
    std::printf("   households %s", Thousands(static_cast<uint64_t>(a.count_b)).c_str());
    std::printf("%s\n", a.count_b == spode.count_b ? "" : "   *** DIFFERS FROM SPODE ***");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int64_t households = 1'000'000;
  int threads = 2, reps = 9, sql_reps = 3;
  std::string pg_url, dir = "/tmp/spode-bench-eligibility", scheme_path = "schemes/old_age_pension.yaml";
  bool sqlite = true, duckdb = true, snapshot = false, cache = false;
  int batch_rows = 0;  // --batch-rows: ColumnarOptions::batch_rows (0: the engine's default)
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--households") households = std::stoll(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--reps") reps = std::max(1, std::stoi(next()));
    else if (a == "--sql-reps") sql_reps = std::max(1, std::stoi(next()));
    else if (a == "--pg") pg_url = next();
    else if (a == "--dir") dir = next();
    else if (a == "--scheme") scheme_path = next();
    else if (a == "--no-sqlite") sqlite = false;
    else if (a == "--no-duckdb") duckdb = false;
    else if (a == "--snapshot") snapshot = true;
    else if (a == "--cache") cache = true;
    else if (a == "--batch-rows") batch_rows = std::stoi(next());
    else {
      std::fprintf(stderr,
                   "usage: eligibility_bench [--households N] [--threads T] [--reps R] [--pg URL] "
                   "[--dir DIR] [--sql-reps R] [--scheme FILE] [--no-sqlite] [--no-duckdb] "
                   "[--snapshot] [--cache]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(dir);

  // 1. Data: generate and parse on two threads (the generator's lines, in blocks, to a parser).
  spode::sim::GeneratorOptions options;
  options.households = households;
  options.seed = 42;
  const spode::Date eval = options.as_of;
  const std::vector<std::string>& residences =
      spode::registry::RulesSchema().Find(rules::Entity::kHousehold, "residence")->enum_values;
  Columns cols;
  cols.income.reserve(static_cast<size_t>(households));
  cols.offsets.reserve(static_cast<size_t>(households) + 1);
  std::vector<spode::registry::SnapshotHousehold> snapshot_input;
  auto start = Clock::now();
  const std::string cache_path = dir + "/columns-" + std::to_string(households) + ".bin";
  const bool cached = cache && !snapshot && LoadColumns(cache_path, &cols);
  if (cached) {
    std::printf("columns read from %s\n", cache_path.c_str());
  } else {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::vector<std::string>> queue;
    bool done = false;
    std::thread producer([&] {
      spode::sim::Generator gen(options);
      std::vector<std::string> block;
      std::string line;
      while (gen.Next(&line)) {
        block.push_back(std::move(line));
        line.clear();
        if (block.size() == 2048) {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return queue.size() < 8; });
          queue.push_back(std::move(block));
          block.clear();
          cv.notify_all();
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      queue.push_back(std::move(block));
      done = true;
      cv.notify_all();
    });
    int64_t rejected = 0;
    while (true) {
      std::vector<std::string> block;
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return !queue.empty() || done; });
        if (queue.empty()) break;
        block = std::move(queue.front());
        queue.pop_front();
        cv.notify_all();
      }
      for (const std::string& line : block) {
        auto h = spode::registry::ParseHousehold(line, options.as_of);
        if (!h.ok()) {
          ++rejected;
          continue;
        }
        const uint32_t hrow = static_cast<uint32_t>(cols.income.size());
        std::string_view income = JsonValue(h->attributes, "income_annual");
        int64_t v = 0;
        bool ok = !income.empty() &&
                  std::from_chars(income.data(), income.data() + income.size(), v).ec == std::errc();
        cols.income.push_back(ok ? v : 0);
        cols.income_valid.push_back(ok);
        cols.missing_income += !ok;
        std::string_view residence = JsonValue(h->attributes, "residence");
        auto it = std::find(residences.begin(), residences.end(), residence);
        ok = it != residences.end();
        cols.residence.push_back(ok ? static_cast<uint8_t>(it - residences.begin()) : 0);
        cols.residence_valid.push_back(ok);
        cols.missing_residence += !ok;
        for (const auto& m : h->members) {
          cols.dob.push_back(m.dob.days());
          cols.dob_valid.push_back(1);
          std::string_view p = JsonValue(m.attributes, "is_government_pensioner");
          ok = p == "true" || p == "false";
          cols.pensioner.push_back(p == "true");
          cols.pensioner_valid.push_back(ok);
          cols.missing_pensioner += !ok;
          cols.member_household.push_back(hrow);
        }
        cols.offsets.push_back(static_cast<uint32_t>(cols.dob.size()));
        if (snapshot) {
          spode::registry::SnapshotHousehold s;
          s.household_idx = hrow + 1;
          s.district = h->address.district;
          s.block = h->address.block;
          s.village = h->address.village;
          s.attrs = h->attributes;
          int64_t idx = 1;
          for (const auto& m : h->members) {
            s.members.push_back({idx++, m.dob.ToString(), m.sex, m.relationship, m.attributes});
          }
          snapshot_input.push_back(std::move(s));
        }
      }
    }
    producer.join();
    if (rejected > 0) std::fprintf(stderr, "warning: %lld households rejected\n", static_cast<long long>(rejected));
    if (cache && !SaveColumns(cache_path, cols)) {
      std::fprintf(stderr, "warning: could not write %s\n", cache_path.c_str());
    }
  }
  const double data_secs = Ms(start) / 1000;
  BenchFrame frame(cols);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("bench/eligibility: %s households, %s members (generated and parsed in %.1f s), "
              "evaluation date %s, %d threads, %u cores, load average %.2f %.2f %.2f\n",
              Thousands(cols.households()).c_str(), Thousands(cols.members()).c_str(), data_secs,
              eval.ToString().c_str(), threads, std::thread::hardware_concurrency(), load[0],
              load[1], load[2]);
  std::printf("missing values: income %zu, residence %zu, dob %zu, is_government_pensioner %zu\n",
              cols.missing_income, cols.missing_residence, cols.missing_dob, cols.missing_pensioner);
  const double per_member = static_cast<double>(frame.BytesA()) / static_cast<double>(cols.members());
  std::printf("memory of the arrays read, Snapshot layout (%s): (a) %.1f MB = %.2f bytes per "
              "member, %.2f per household; (b) %.1f MB = %.2f bytes per member\n",
              frame.Widths().c_str(), frame.BytesA() / 1e6, per_member,
              static_cast<double>(frame.BytesA()) / static_cast<double>(cols.households()),
              frame.BytesB() / 1e6,
              static_cast<double>(frame.BytesB()) / static_cast<double>(cols.members()));

  // 2. spode.
  auto scheme = spode::programs::LoadScheme(scheme_path);
  if (!scheme.ok()) {
    std::fprintf(stderr, "%s\n", scheme.status().ToString().c_str());
    return 1;
  }
  auto compiled = spode::programs::Compile(*scheme, spode::registry::RulesSchema());
  if (!compiled.ok()) {
    std::fprintf(stderr, "%s\n", compiled.status().ToString().c_str());
    return 1;
  }
  std::vector<const rules::CheckedExpr*> clauses;
  for (const rules::CheckedExpr& c : compiled->clauses) clauses.push_back(&c);
  rules::ColumnarOptions columnar_options;
  columnar_options.batch_rows = batch_rows;
  auto program_a = rules::CompileColumnarScheme(clauses, &compiled->amount, columnar_options);
  const char* kRuleB =
      "household.members.exists(m, age_years(m.dob) < 6) && household.income_annual <= "
      "rupees(100000)";
  auto rule_b = rules::ParseAndCheck(kRuleB, spode::registry::RulesSchema(), rules::Unit::kHousehold,
                                     rules::Type::Bool());
  if (!program_a.ok() || !rule_b.ok()) {
    std::fprintf(stderr, "compile: %s %s\n", program_a.status().ToString().c_str(),
                 rule_b.status().ToString().c_str());
    return 1;
  }
  auto program_b = rules::CompileColumnar(*rule_b, columnar_options);
  if (!program_b.ok() || program_a->uses_reference() || program_b->uses_reference()) {
    std::fprintf(stderr, "the bench rules must compile without the reference evaluator\n");
    return 1;
  }
  std::printf("\nplan (a):\n%splan (b):\n%s", program_a->DebugString().c_str(),
              program_b->DebugString().c_str());

  Answer spode_answer{"spode columnar (" + std::to_string(threads) + " threads)"};
  rules::ColumnarSchemeResult ra;
  rules::ColumnarResult rb;
  auto check = [](const spode::Status& s) {
    if (!s.ok()) {
      std::fprintf(stderr, "evaluate: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  };
  // The same programs on the plain x86-64 (SSE2) kernels only.
  rules::ColumnarOptions sse2_only = columnar_options;
  sse2_only.no_avx2 = true;
  auto program_a_sse2 = rules::CompileColumnarScheme(clauses, &compiled->amount, sse2_only);
  auto program_b_sse2 = rules::CompileColumnar(*rule_b, sse2_only);
  if (!program_a_sse2.ok() || !program_b_sse2.ok()) return 1;
  auto run_spode = [&](const rules::Frame& f, Answer* out, bool sse2 = false) {
    const rules::ColumnarProgram& pa = sse2 ? *program_a_sse2 : *program_a;
    const rules::ColumnarProgram& pb = sse2 ? *program_b_sse2 : *program_b;
    Timing ta = TimeIt(reps, [&] { check(rules::EvaluateColumnarScheme(pa, f, eval, &ra, threads)); });
    Timing tb = TimeIt(reps, [&] { check(rules::EvaluateColumnar(pb, f, eval, &rb, threads)); });
    out->ms_a = ta.best;
    out->ms_b = tb.best;
    out->count_a = static_cast<int64_t>(ra.eligible_count());
    out->total_a = ra.amount_total;
    out->count_b = static_cast<int64_t>(rb.met_count());
    char note[160];
    std::snprintf(note, sizeof note, "median %.2f / %.2f ms, least CPU time %.2f / %.2f ms",
                  ta.median, tb.median, ta.cpu_best, tb.cpu_best);
    out->note = note;
  };
  run_spode(frame, &spode_answer);
  Answer one_thread{"spode columnar (1 thread)"};
  Answer sse2_answer{"spode columnar (" + std::to_string(threads) + " threads, SSE2 only)"};
  {
    const int saved = threads;
    threads = 1;
    run_spode(frame, &one_thread);
    threads = saved;
    run_spode(frame, &sse2_answer, true);
    run_spode(frame, &spode_answer);  // leave ra/rb from the measured configuration
  }

  // The reference evaluator on a sample of households agrees row by row.
  {
    const size_t sample_households = std::min<size_t>(cols.households(), 20000);
    size_t rows = 0, mismatches = 0, next_eligible = 0;
    for (size_t row = 0; row < cols.offsets[sample_households]; ++row) {
      bool eligible = true;
      for (const rules::CheckedExpr& c : compiled->clauses) {
        eligible = eligible && rules::Evaluate(c, frame, rules::Unit::kPerson, row, eval).is_true();
      }
      while (next_eligible < ra.eligible_rows.size() && ra.eligible_rows[next_eligible] < row) ++next_eligible;
      const bool columnar = next_eligible < ra.eligible_rows.size() && ra.eligible_rows[next_eligible] == row;
      mismatches += eligible != columnar;
      if (eligible && columnar) {
        rules::Value a = rules::Evaluate(compiled->amount, frame, rules::Unit::kPerson, row, eval);
        mismatches += a.kind() != rules::Value::Kind::kInt || a.int_value() != ra.amounts[next_eligible];
      }
      ++rows;
    }
    for (size_t h = 0; h < sample_households; ++h) {
      mismatches += rules::Evaluate(*rule_b, frame, rules::Unit::kHousehold, h, eval).is_true() != rb.met(h);
      ++rows;
    }
    // And the whole of (a)'s result agrees with itself: its rows ascending, each one's bit set,
    // as many bits as rows, the amounts adding up to the total.
    size_t bits = 0;
    for (uint64_t w : ra.eligible_bits) bits += static_cast<size_t>(std::popcount(w));
    mismatches += bits != ra.eligible_rows.size();
    int64_t sum = 0;
    for (size_t i = 0; i < ra.eligible_rows.size(); ++i) {
      mismatches += (i > 0 && ra.eligible_rows[i] <= ra.eligible_rows[i - 1]) ||
                    !ra.eligible(ra.eligible_rows[i]);
      sum += ra.amounts[i];
    }
    mismatches += sum != ra.amount_total;
    std::printf("\nreference evaluator on the first %s households: %s rows, %s mismatches\n",
                Thousands(sample_households).c_str(), Thousands(rows).c_str(),
                Thousands(mismatches).c_str());
    if (mismatches > 0) return 1;
  }

  if (snapshot) {
    auto start_snap = Clock::now();
    auto snap = spode::registry::Snapshot::FromHouseholds(snapshot_input);
    if (!snap.ok()) {
      std::fprintf(stderr, "snapshot: %s\n", snap.status().ToString().c_str());
      return 1;
    }
    snapshot_input.clear();
    snapshot_input.shrink_to_fit();
    Answer snap_answer{"spode on registry::Snapshot"};
    run_spode(**snap, &snap_answer);
    std::printf("registry::Snapshot::FromHouseholds: built in %.1f s, %.1f MB in all (%.1f bytes "
                "per member, every catalogue attribute and the ids); (a) %.2f ms, (b) %.2f ms; "
                "%s\n",
                Ms(start_snap) / 1000, (*snap)->memory_bytes() / 1e6,
                static_cast<double>((*snap)->memory_bytes()) / static_cast<double>(cols.members()),
                snap_answer.ms_a, snap_answer.ms_b,
                snap_answer.count_a == spode_answer.count_a &&
                        snap_answer.total_a == spode_answer.total_a &&
                        snap_answer.count_b == spode_answer.count_b
                    ? "the same answers"
                    : "*** DIFFERENT ANSWERS ***");
    run_spode(frame, &spode_answer);
  }

  // 3. SQL over the same data.
  const spode::Date c60 = LastDayAged(60, eval), c80 = LastDayAged(80, eval), c6 = LastDayAged(6, eval);
  const std::string min_day = spode::Date::FromDays(rules::kMinDateDays).ToString();
  const std::string sql_a =
      "SELECT count(*), coalesce(sum(CASE WHEN dob <= '" + c80.ToString() +
      "' THEN 150000 ELSE 100000 END), 0) FROM members WHERE dob >= '" + min_day + "' AND dob <= '" +
      c60.ToString() +
      "' AND income_annual <= 4800000 AND NOT is_government_pensioner AND residence IN ('rural', "
      "'urban')";
  const std::string sql_b = "SELECT count(DISTINCT household) FROM members WHERE dob > '" +
                            c6.ToString() + "' AND dob <= '" + eval.ToString() +
                            "' AND income_annual <= 10000000";
  std::printf("\nSQL (a): %s\nSQL (b): %s\n", sql_a.c_str(), sql_b.c_str());
  std::vector<Answer> answers;
  const std::string csv = dir + "/members.csv";
  if (sqlite || duckdb || !pg_url.empty()) {
    auto start_csv = Clock::now();
    FILE* out = std::fopen(csv.c_str(), "w");
    if (out == nullptr) {
      std::fprintf(stderr, "cannot write %s\n", csv.c_str());
      return 1;
    }
    std::string buf;
    buf.reserve(1 << 20);
    char num[32];
    for (size_t h = 0; h < cols.households(); ++h) {
      std::string tail = ",";
      if (cols.income_valid[h]) {
        tail += std::string(num, std::to_chars(num, num + sizeof num, cols.income[h]).ptr);
      }
      tail += ",";
      if (cols.residence_valid[h]) tail += residences[cols.residence[h]];
      tail += "\n";
      const std::string head = std::to_string(h) + ",";
      for (uint32_t m = cols.offsets[h]; m < cols.offsets[h + 1]; ++m) {
        buf += head;
        if (cols.dob_valid[m]) buf += spode::Date::FromDays(cols.dob[m]).ToString();
        buf += ",";
        if (cols.pensioner_valid[m]) buf += cols.pensioner[m] ? "1" : "0";
        buf += tail;
      }
      if (buf.size() > (1 << 20) - 4096) {
        std::fwrite(buf.data(), 1, buf.size(), out);
        buf.clear();
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), out);
    std::fclose(out);
    std::printf("members.csv written in %.1f s (%.0f MB)\n", Ms(start_csv) / 1000,
                std::filesystem::file_size(csv) / 1e6);
  }
  auto run_sql = [&](spode::storage::Database& db, const std::string& name, Answer* a) -> bool {
    auto time_query = [&](const std::string& sql, std::vector<int64_t>* row) -> double {
      double best = 1e18;
      for (int r = 0; r < sql_reps; ++r) {
        auto t = Clock::now();
        auto rows = db.Query(sql);
        const double ms = Ms(t);
        if (!rows.ok() || rows->empty()) {
          std::fprintf(stderr, "%s: %s\n", name.c_str(), rows.status().ToString().c_str());
          return -1;
        }
        row->clear();
        for (size_t c = 0; c < (*rows)[0].size(); ++c) row->push_back((*rows)[0].Int(c));
        best = std::min(best, ms);
      }
      return best;
    };
    std::vector<int64_t> row;
    a->ms_a = time_query(sql_a, &row);
    if (a->ms_a < 0) return false;
    a->count_a = row[0];
    a->total_a = row[1];
    a->ms_b = time_query(sql_b, &row);
    if (a->ms_b < 0) return false;
    a->count_b = row[0];
    return true;
  };
  if (sqlite) {
    const std::string path = dir + "/members.db";
    std::filesystem::remove(path);
    const std::string script = dir + "/load.sql";
    {
      std::ofstream s(script);
      s << "PRAGMA journal_mode=OFF;\nPRAGMA synchronous=OFF;\n"
           "CREATE TABLE members (household INTEGER, dob TEXT, is_government_pensioner INTEGER, "
           "income_annual INTEGER, residence TEXT);\n.mode csv\n.import "
        << csv << " members\n";
    }
    auto t = Clock::now();
    if (Run("sqlite3 " + path + " < " + script + " > /dev/null") != 0) {
      std::fprintf(stderr, "sqlite3 .import failed\n");
      return 1;
    }
    std::printf("SQLite: loaded in %.1f s\n", Ms(t) / 1000);
    auto db = spode::storage::Open(path);
    if (!db.ok()) return 1;
    auto version = (*db)->QueryOne("SELECT sqlite_version()");
    Answer a{"SQLite " + std::string(version.ok() && *version ? (**version).Text(0) : "")};
    if (run_sql(**db, a.engine, &a)) answers.push_back(a);
  }
  if (!pg_url.empty()) {
    std::string reset = "PGOPTIONS=--client-min-messages=warning psql -q '" + pg_url +
                        "' -v ON_ERROR_STOP=1 -c 'DROP SCHEMA IF EXISTS bench_eligibility CASCADE' "
                        "-c 'CREATE SCHEMA bench_eligibility' -c 'SET search_path TO "
                        "bench_eligibility' -c 'CREATE TABLE members (household integer, dob date, "
                        "is_government_pensioner boolean, income_annual bigint, residence text)' "
                        "-c \"\\copy members FROM '" + csv +
                        "' CSV\" -c 'VACUUM ANALYZE members' > /dev/null";
    auto t = Clock::now();
    if (Run(reset) != 0) {
      std::fprintf(stderr, "psql \\copy failed\n");
      return 1;
    }
    std::printf("PostgreSQL: loaded in %.1f s\n", Ms(t) / 1000);
    auto db = spode::storage::Open(pg_url);
    if (!db.ok()) {
      std::fprintf(stderr, "%s\n", db.status().ToString().c_str());
      return 1;
    }
    if (!(*db)->ExecScript("SET search_path TO bench_eligibility").ok()) return 1;
    auto version = (*db)->QueryOne("SHOW server_version");
    std::string pg_version = version.ok() && *version ? (**version).Text(0) : "";
    Answer a{"PostgreSQL " + pg_version.substr(0, pg_version.find(' '))};
    if (run_sql(**db, a.engine, &a)) answers.push_back(a);
    (*db)->ExecScript("DROP SCHEMA bench_eligibility CASCADE").IgnoreError();
  }
  if (duckdb) {
    std::string node_dir = "bench/node";
    std::string command = "cd " + node_dir + " && node eligibility_duckdb.mjs '" + csv + "' " +
                          std::to_string(threads) + " " + std::to_string(sql_reps) + " \"" + sql_a +
                          "\" \"" + sql_b + "\"";
    std::string out = Capture(command);
    try {
      auto j = nlohmann::json::parse(out);
      Answer a{"DuckDB " + j["version"].get<std::string>() + " (@duckdb/node-api)"};
      a.ms_a = j["results"][0]["ms"].get<double>();
      a.count_a = std::stoll(j["results"][0]["row"][0].get<std::string>());
      a.total_a = std::stoll(j["results"][0]["row"][1].get<std::string>());
      a.ms_b = j["results"][1]["ms"].get<double>();
      a.count_b = std::stoll(j["results"][1]["row"][0].get<std::string>());
      std::printf("DuckDB: loaded in %.1f s\n", j["load_ms"].get<double>() / 1000);
      answers.push_back(a);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "DuckDB (%s): %s\n%s\n", command.c_str(), e.what(), out.c_str());
    }
  }

  getloadavg(load, 3);
  std::printf("\n(a) old-age pension, %s: 5 clauses + amount over %s members\n",
              scheme->id.c_str(), Thousands(cols.members()).c_str());
  PrintRow(spode_answer, spode_answer, true);
  PrintRow(one_thread, spode_answer, true);
  PrintRow(sse2_answer, spode_answer, true);
  for (const Answer& a : answers) PrintRow(a, spode_answer, true);
  std::printf("(b) %s, over %s households\n", kRuleB, Thousands(cols.households()).c_str());
  PrintRow(spode_answer, spode_answer, false);
  PrintRow(one_thread, spode_answer, false);
  PrintRow(sse2_answer, spode_answer, false);
  for (const Answer& a : answers) PrintRow(a, spode_answer, false);
  std::printf("spode %s (best of %d); databases best of %d; load average %.2f %.2f %.2f\n",
              spode_answer.note.c_str(), reps, sql_reps, load[0], load[1], load[2]);
  std::printf("spode 1 thread: %s; SSE2 only: %s\n", one_thread.note.c_str(),
              sse2_answer.note.c_str());
  bool same = true;
  for (const Answer& a : answers) {
    same &= a.count_a == spode_answer.count_a && a.total_a == spode_answer.total_a &&
            a.count_b == spode_answer.count_b;
  }
  std::printf("%s\n", same ? "every engine agrees with spode" : "*** ENGINES DISAGREE ***");
  return same ? 0 : 1;
}
