// Test helpers for the grievance tests: a fresh database on each backend (SQLite, and
// PostgreSQL when SPODE_TEST_PG_URL is set) with the tables grievances refer to, a fixed clock,
// two households in different districts, an operator with a citizen's consent, and counters.
#ifndef SPODE_GRIEVANCE_TESTING_FIXTURE_H_
#define SPODE_GRIEVANCE_TESTING_FIXTURE_H_

#include <chrono>
#include <string>
#include <vector>

#include "access/schema.h"
#include "common/verhoeff.h"
#include "grievance/schema.h"
#include "gtest/gtest.h"
#include "notify/schema.h"
#include "programs/store.h"
#include "registry/schema.h"
#include "storage/testing/test_database.h"

namespace spode::grievance::testing {

// 2026-11-29 12:00 IST.
inline const Timestamp kNow = *Timestamp::Parse("2026-11-29T06:30:00Z");
inline constexpr std::chrono::microseconds kDay = std::chrono::hours(24);
inline constexpr std::chrono::microseconds kSecond = std::chrono::seconds(1);

inline std::vector<storage::Migration> AllMigrations() {
  std::vector<storage::Migration> all;
  for (auto* module : {&notify::Migrations, &access::Migrations, &registry::Migrations,
                       &programs::Migrations, &grievance::Migrations}) {
    for (auto& m : module()) all.push_back(std::move(m));
  }
  return all;
}

inline std::string MemberId(int n) { return WithVerhoeffDigit(std::to_string(7000000000LL + n)); }

class GrievanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Household 1: village 990101001 (block 990101, district 9901, state 99): member 1 (Sunita,
  // phone 9876543210) and member 2 (no phone). Household 2: village 990202001: member 3.
  static constexpr int64_t kSunita = 1, kNoPhone = 2, kOther = 3;
  static constexpr int64_t kHousehold = 1, kOtherHousehold = 2;
  static constexpr int64_t kOperator = 1;  // user_id of the operator at centre CSC-0042

  GrievanceTest() : tdb_(GetParam()), clock_(kNow) {}

  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    auto ran = storage::ApplyMigrations(db(), AllMigrations());
    ASSERT_TRUE(ran.ok()) << ran.status();
    Exec(
        "INSERT INTO provenance (source, as_of, verification, actor, channel, recorded_at_us) "
        "VALUES ('test', '2026-01-01', 'officer_verified', 'user:test', 'bulk', 0)");
    AddHousehold(kHousehold, "990101001");
    AddHousehold(kOtherHousehold, "990202001");
    AddMember(kSunita, kHousehold, "9876543210");
    AddMember(kNoPhone, kHousehold, "");
    AddMember(kOther, kOtherHousehold, "9123456780");
    Exec(
        "INSERT INTO users (user_id, username, display_name, role, scope, password_hash, "
        "created_at_us) VALUES (1, 'op.asha', 'Asha', 'operator', 'CSC-0042', 'x', 0)");
    Exec(
        "INSERT INTO schemes (scheme_id, status, latest_version, updated_at_us) VALUES "
        "('old_age_pension', 'active', 1, 0)");
  }

  storage::Database& db() { return tdb_.db(); }

  void Exec(const std::string& sql) {
    auto r = db().ExecScript(sql);
    ASSERT_TRUE(r.ok()) << r << "\n" << sql;
  }

  void AddHousehold(int64_t idx, const std::string& village) {
    Exec(
        "INSERT INTO households (household_idx, family_id, state_code, district_code, "
        "block_code, village_code, attrs, prov_id, valid_from_us) VALUES (" +
        std::to_string(idx) + ", '" + WithVerhoeffDigit(std::to_string(400000000 + idx)) + "', '" +
        village.substr(0, 2) + "', '" + village.substr(0, 4) + "', '" + village.substr(0, 6) +
        "', '" + village + "', '{}', 1, 0)");
  }

  void AddMember(int64_t idx, int64_t household, const std::string& phone) {
    Exec(
        "INSERT INTO members (member_idx, member_id, household_idx, name, dob, sex, "
        "relationship, phone, dedup_hash, attrs, prov_id, valid_from_us) VALUES (" +
        std::to_string(idx) + ", '" + MemberId(static_cast<int>(idx)) + "', " +
        std::to_string(household) + ", 'Member " + std::to_string(idx) + "', '1960-01-01', 'F', '" +
        (idx == kOther || idx == kSunita ? "head" : "spouse") + "', " +
        (phone.empty() ? "NULL" : "'" + phone + "'") + ", " + std::to_string(idx) +
        ", '{}', 1, 0)");
  }

  // A live consent of the operator for household 1, fee Rs 30; returns its id.
  int64_t GrantConsent(int64_t fee_paise = 3000, int64_t household = kHousehold) {
    auto row = db().QueryOne(
        "INSERT INTO assisted_consents (operator_user_id, centre, member_idx, household_idx, "
        "purpose, fee_paise, granted_at_us, expires_at_us) VALUES (1, 'CSC-0042', ?, ?, "
        "'grievance', ?, ?, ?) RETURNING consent_id",
        {household == kHousehold ? kSunita : kOther, household, fee_paise, kNow.micros,
         kNow.micros + 3600'000'000LL});
    EXPECT_TRUE(row.ok() && *row) << row.status();
    return row.ok() && *row ? (*row)->Int(0) : 0;
  }

  int64_t Count(const std::string& table, const std::string& where = "1 = 1") {
    auto row = db().QueryOne("SELECT COUNT(*) FROM " + table + " WHERE " + where);
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }

  storage::testing::TestDatabase tdb_;
  ManualTimeSource clock_;
};

}  // namespace spode::grievance::testing

#endif  // SPODE_GRIEVANCE_TESTING_FIXTURE_H_
