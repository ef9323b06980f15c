// A small world for the payments tests, the crash test and bench/payments: households with bank
// accounts imported into a registry, a monthly pension scheme (two approval tiers) active,
// its beneficiaries enrolled, their accounts linked in the mapper, and the bank's side: a status
// file made from the files spode wrote, with a share of returns.
//
//   payments::testing::World world(db, clock, key, dir);
//   ASSERT_OK(world.Build(300));                 // 300 households, one pensioner each
//   ASSERT_OK(world.RunCycle("2026-11"));        // create, approve x2, generate, export
//   std::string csv = world.BankStatusCsv(0.03, /*seed=*/7);
#ifndef SPODE_PAYMENTS_TESTING_WORLD_H_
#define SPODE_PAYMENTS_TESTING_WORLD_H_

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "common/verhoeff.h"
#include "crypto/vault_key.h"
#include "notify/schema.h"
#include "payments/disbursement.h"
#include "payments/mapper.h"
#include "payments/schema.h"
#include "programs/cycles.h"
#include "programs/store.h"
#include "registry/importer.h"
#include "registry/schema.h"
#include "registry/snapshot.h"
#include "storage/migrations.h"

namespace spode::payments::testing {

inline std::vector<storage::Migration> AllMigrations() {
  std::vector<storage::Migration> all;
  for (auto& m : notify::Migrations()) all.push_back(std::move(m));
  for (auto& m : registry::Migrations()) all.push_back(std::move(m));
  for (auto& m : programs::Migrations()) all.push_back(std::move(m));
  for (auto& m : payments::Migrations()) all.push_back(std::move(m));
  return all;
}

inline constexpr char kScheme[] = "test_pension";

// Rs 1,000 a month from 60, Rs 1,500 from 80; district then state approve.
inline std::string PensionYaml(int64_t budget_paise = 100'000'000'000) {
  return std::string("id: test_pension\nname: {en: Test pension, hi: परीक्षण पेंशन}\nunit: person\n"
                     "benefit: cash\nfrequency: monthly\nbudget_paise: ") +
         std::to_string(budget_paise) +
         "\napprovals: [district, state]\neligibility:\n  - id: age\n    rule: "
         "age_years(person.dob) >= 60\n    explain: {en: Aged 60 or above, hi: आयु 60 वर्ष या "
         "अधिक}\namount: \"age_years(person.dob) >= 80 ? rupees(1500) : rupees(1000)\"\n";
}

// Banks the accounts are spread over.
inline const char* const kBanks[] = {"SBIN0001234", "PUNB0123400", "BKID0004321"};

// A distinct surname for n, in consonants (so that name normalisation, which folds vowels and
// digits, keeps every household's names apart and the importer sees no duplicates).
inline std::string Surname(int64_t n) {
  static const char kLetters[] = "bcdfghjklmnprstvz";
  std::string out = "K";
  do {
    out += kLetters[n % 17];
    n /= 17;
  } while (n > 0);
  return out;
}

// Household n: a pensioner head (aged 60-89) with a bank account, and a younger son without.
inline std::string HouseholdLine(int64_t n) {
  char account[24], dob[24], id[24];
  std::snprintf(account, sizeof account, "3%010lld", static_cast<long long>(n));
  std::snprintf(dob, sizeof dob, "%04lld-03-15", static_cast<long long>(1937 + n % 30));
  std::snprintf(id, sizeof id, "%011lld", 50000000000LL + n);
  std::string national_id = WithVerhoeffDigit(id);
  char son_dob[24];
  std::snprintf(son_dob, sizeof son_dob, "%04lld-%02lld-%02lld",
                static_cast<long long>(1980 + n % 20), static_cast<long long>(1 + n % 12),
                static_cast<long long>(1 + n % 28));
  std::string village = "99010" + std::string(1, static_cast<char>('1' + n % 3)) + "001";
  std::ostringstream o;
  o << R"({"address":{"state":"99","district":")" << village.substr(0, 4)
    << R"(","block":")" << village.substr(0, 6) << R"(","village":")" << village
    << R"("},"attributes":{"income_annual":3000000},"members":[{"name":"Kamla )" << Surname(n)
    << R"(","dob":")" << dob << R"(","sex":"F","relationship":"head","national_id":")"
    << national_id << R"(","phone":"98)" << (10000000 + n % 89999999)
    << R"(","bank_account":{"ifsc":")" << kBanks[n % 3] << R"(","account_number":")" << account
    << R"(","holder_name":"Kamla )" << Surname(n) << R"("}},{"name":"Raju )" << Surname(n)
    << R"(","dob":")" << son_dob << R"(","sex":"M","relationship":"son"}]})";
  return o.str();
}

// HouseholdLine(n) with household n's two dates of birth and its village made unique:
// the head born 1936-06-01 + (n % 10950) days (aged 60 to 90 in 2026-11, so every head is
// eligible), the son 1975-01-01 + (n % 10950) days, the village number n / 10950 in World's block.
// HouseholdLine gives the pensioners 30 dates of birth and 3 villages, so beyond about a thousand
// households the importer's de-duplication holds some as possible duplicates (World::Build then
// fails); these are distinct up to 10.9 million households.
inline std::string SpreadHouseholdLine(int64_t n) {
  using namespace std::chrono;
  auto day = [](sys_days base, int64_t k) {
    year_month_day d{base + days(k)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return std::string(buf);
  };
  std::string line = HouseholdLine(n);
  auto replace_value = [&line](std::string_view field, size_t from, const std::string& value) {
    size_t at = line.find(field, from);
    if (at == std::string::npos) return std::string::npos;
    at += field.size();
    size_t end = line.find('"', at);
    line.replace(at, end - at, value);
    return at;
  };
  constexpr int64_t kSpread = 10950;  // days: 30 years
  size_t head = replace_value(R"("dob":")", 0, day(sys_days{1936y / 6 / 1}, n % kSpread));
  replace_value(R"("dob":")", head + 1, day(sys_days{1975y / 1 / 1}, n % kSpread));
  char village[16];
  std::snprintf(village, sizeof village, "99010%c%03lld", static_cast<char>('1' + n % 3),
                static_cast<long long>(1 + (n / kSpread) % 999));  // in World's block
  replace_value(R"("village":")", 0, village);
  return line;
}

class World {
 public:
  World(storage::Database& db, ManualTimeSource& clock, const crypto::MasterKey& key,
        std::filesystem::path dir)
      : db_(db), clock_(clock), key_(key), dir_(std::move(dir)), store_(db, clock) {}

  storage::Database& db() { return db_; }
  programs::SchemeStore& store() { return store_; }
  const std::filesystem::path& out_dir() const { return out_; }

  // Migrations, `households` households, the scheme active, every pensioner enrolled and linked.
  // `line(n)` writes household n: HouseholdLine, or SpreadHouseholdLine for more than a
  // thousand households.
  Status Build(int64_t households, int64_t budget_paise = 100'000'000'000,
               std::string (*line)(int64_t) = HouseholdLine) {
    RETURN_IF_ERROR(storage::ApplyMigrations(db_, AllMigrations()).status());
    std::filesystem::create_directories(dir_);
    out_ = dir_ / "bank";
    std::string path = (dir_ / "households.jsonl").string();
    {
      std::ofstream f(path, std::ios::binary);
      for (int64_t n = 1; n <= households; ++n) f << line(n) << "\n";
    }
    registry::ImportOptions options;
    ASSIGN_OR_RETURN(auto importer, registry::Importer::Create(db_, key_, clock_, options));
    ASSIGN_OR_RETURN(auto report, importer->ImportFile(path));
    if (report.households_imported != households) {
      std::ifstream rejects(report.rejects_file);
      std::string first;
      std::getline(rejects, first);
      return InternalError("imported " + std::to_string(report.households_imported) + " of " +
                           std::to_string(households) + " households (held " +
                           std::to_string(report.households_held) + "); " + first);
    }
    RETURN_IF_ERROR(store_.Add(PensionYaml(budget_paise), "test", "user:scheme.admin").status());
    RETURN_IF_ERROR(store_.SetStatus(kScheme, "active", "user:scheme.admin"));
    RETURN_IF_ERROR(EnrolHeads());
    RETURN_IF_ERROR(SeedFromRegistry(db_, clock_).status());
    return OkStatus();
  }

  // Enrols every household head (the pensioners) directly, as the enrolment workflow would
  // after notice (programs/enrolment.h is tested on its own).
  Status EnrolHeads() {
    return db_
        .Execute("INSERT INTO enrolments (scheme_id, unit, beneficiary_idx, household_idx, "
                 "payee_member_idx, path, status, enrolled_at_us, enrolled_by) SELECT ?, "
                 "'person', m.member_idx, m.household_idx, m.member_idx, 'proactive', "
                 "'enrolled', ?, 'system' FROM members m WHERE m.relationship = 'head' AND NOT "
                 "EXISTS (SELECT 1 FROM enrolments e WHERE e.scheme_id = ? AND e.beneficiary_idx "
                 "= m.member_idx AND e.status <> 'exited')",
                 {std::string(kScheme), clock_.Now().micros, std::string(kScheme)})
        .status();
  }

  Result<std::unique_ptr<registry::Snapshot>> Snapshot() { return registry::Snapshot::Build(db_); }

  Result<programs::CycleSummary> Create(std::string_view period) {
    ASSIGN_OR_RETURN(auto snap, Snapshot());
    return programs::CreateCycle(db_, clock_, store_, *snap, kScheme, period,
                                 "user:district.clerk");
  }
  Status ApproveAll(int64_t cycle_id) {
    ASSIGN_OR_RETURN(auto c, programs::FindCycle(db_, std::to_string(cycle_id)));
    if (c.approvals_done < 1) {
      RETURN_IF_ERROR(ApproveCycle(db_, clock_, store_, cycle_id,
                                   {.actor = "user:district.head", .level = "district"})
                          .status());
    }
    if (c.approvals_done < 2) {
      RETURN_IF_ERROR(ApproveCycle(db_, clock_, store_, cycle_id,
                                   {.actor = "user:state.head", .level = "state"})
                          .status());
    }
    return OkStatus();
  }
  ExportOptions Export(std::string format = "pain.001") {
    ExportOptions o;
    o.format = std::move(format);
    o.out_dir = out_;
    return o;
  }

  // create → approve (both tiers) → generate → export; each step safe to repeat.
  Result<int64_t> RunCycle(std::string_view period, std::string format = "pain.001") {
    ASSIGN_OR_RETURN(programs::CycleSummary c, Create(period));
    RETURN_IF_ERROR(ApproveAll(c.cycle_id));
    RETURN_IF_ERROR(GenerateInstructions(db_, clock_, c.cycle_id).status());
    RETURN_IF_ERROR(ExportBatches(db_, clock_, key_, c.cycle_id, Export(format)).status());
    return c.cycle_id;
  }

  // The bank's answer to every instruction now at a bank: paid, except a share `returns`
  // (chosen with `seed`) rejected as account closed (AC04) or, for every third of them, NPCI's
  // "account frozen" code. CSV status profile.
  Result<std::string> BankStatusCsv(double returns, uint32_t seed) {
    ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT instruction_id FROM payment_instructions WHERE "
                                          "status IN ('sent', 'accepted') ORDER BY "
                                          "instruction_id"));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::string csv = "end_to_end_id,status,reason_code,reason_detail\n";
    int64_t failed = 0;
    for (const auto& r : rows) {
      if (u(rng) < returns) {
        csv += r.Text(0) + (++failed % 3 == 0 ? ",RJCT,AC06,ACCOUNT FROZEN\n"
                                              : ",RJCT,AC04,ACCOUNT CLOSED\n");
      } else {
        csv += r.Text(0) + ",ACSC,,\n";
      }
    }
    return csv;
  }

 private:
  storage::Database& db_;
  ManualTimeSource& clock_;
  const crypto::MasterKey& key_;
  std::filesystem::path dir_, out_;
  programs::SchemeStore store_;
};

}  // namespace spode::payments::testing

#endif  // SPODE_PAYMENTS_TESTING_WORLD_H_
