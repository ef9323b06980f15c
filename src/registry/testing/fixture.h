// Test helpers for the registry's tests: households built in code, and a fixture with a fresh
// database (SQLite, and PostgreSQL when SPODE_TEST_PG_URL is set), the registry's migrations,
// a fixed clock and vault key, and an importer.
#ifndef SPODE_REGISTRY_TESTING_FIXTURE_H_
#define SPODE_REGISTRY_TESTING_FIXTURE_H_

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/verhoeff.h"
#include "gtest/gtest.h"
#include "registry/importer.h"
#include "registry/schema.h"
#include "storage/testing/test_database.h"

namespace spode::registry::testing {

using nlohmann::json;

// 2026-11-29 12:00 IST.
inline const Timestamp kNow = *Timestamp::Parse("2026-11-29T06:30:00Z");

inline std::string NationalId(int n) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%011lld", 40000000000LL + n);
  return WithVerhoeffDigit(buf);
}

inline json Member(std::string name, std::string dob, std::string sex, std::string rel, int id = 0) {
  json m = {{"name", name}, {"dob", dob}, {"sex", sex}, {"relationship", rel}};
  if (id > 0) m["national_id"] = NationalId(id);
  return m;
}

inline json Household(std::vector<json> members, std::string village = "990101001") {
  return {{"address",
           {{"state", "99"},
            {"district", village.substr(0, 4)},
            {"block", village.substr(0, 6)},
            {"village", village},
            {"village_name", "Rampura"}}},
          {"attributes", {{"income_annual", 9600000}, {"caste_category", "SC"}}},
          {"members", members}};
}

inline json Family(int id_base, std::string village = "990101001") {
  return Household({Member("Sunita Devi", "1961-04-12", "F", "head", id_base),
                    Member("Ramesh Kumar", "1958-01-01", "M", "spouse", id_base + 1),
                    Member("Pooja Kumari", "2012-06-30", "F", "daughter")},
                   village);
}

class RegistryTest : public ::testing::TestWithParam<std::string> {
 protected:
  RegistryTest()
      : tdb_(GetParam()), key_(crypto::MasterKey::FromBytes(std::string(32, 'k'))), clock_(kNow) {}

  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    auto ran = storage::ApplyMigrations(db(), Migrations());
    ASSERT_TRUE(ran.ok()) << ran.status();
    dir_ = std::filesystem::temp_directory_path() / storage::testing::UniqueName("spode_imp_");
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  storage::Database& db() { return tdb_.db(); }

  std::string WriteFile(const std::vector<std::string>& lines) {
    std::string path = (dir_ / ("in" + std::to_string(++files_) + ".jsonl")).string();
    std::ofstream out(path, std::ios::binary);
    for (const std::string& l : lines) out << l << "\n";
    return path;
  }

  ImportReport Import(const std::vector<std::string>& lines,
                      ImportOptions::Mode mode = ImportOptions::Mode::kAuto) {
    ImportOptions options;
    options.mode = mode;
    auto importer = Importer::Create(db(), key_, clock_, options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    auto report = (*importer)->ImportFile(WriteFile(lines));
    EXPECT_TRUE(report.ok()) << report.status();
    return report.ok() ? *report : ImportReport{};
  }

  std::vector<json> Rejects(const ImportReport& r) {
    std::vector<json> out;
    std::ifstream in(r.rejects_file);
    std::string line;
    while (std::getline(in, line)) out.push_back(json::parse(line));
    return out;
  }

  int64_t Count(const std::string& table) {
    auto row = db().QueryOne("SELECT COUNT(*) FROM " + table);
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }

  storage::testing::TestDatabase tdb_;
  crypto::MasterKey key_;
  ManualTimeSource clock_;
  std::filesystem::path dir_;
  int files_ = 0;
};

}  // namespace spode::registry::testing

#endif  // SPODE_REGISTRY_TESTING_FIXTURE_H_
