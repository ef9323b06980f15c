// Where the access log is kept on SQLite: a database file of its own beside the registry's, so
// that its commits do not throw away the page caches of the registry's readers.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "access/gate.h"
#include "access/schema.h"
#include "storage/migrations.h"
#include "storage/testing/test_database.h"

namespace spode::access {
namespace {

AccessEntry Entry(int64_t at_us, std::string object, int64_t household_idx) {
  return AccessEntry{at_us,         "user:officer.one", "officer", "household.read",
                     std::move(object), household_idx, "verification", "allow", "",
                     "r-" + std::to_string(at_us)};
}

int64_t CountIn(storage::Database& db, const std::string& sql) {
  auto row = db.QueryOne(sql);
  EXPECT_TRUE(row.ok()) << row.status();
  return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
}

// Turns the side file at `side` back into what a version before the compact form wrote: the
// whole rows in a table `access_log`, with the index on it that versions before the lagged
// index kept, and (when `without_lagged_index`) no lagged index.
void MakeWide(const std::string& side, bool without_lagged_index) {
  auto sidecar = storage::Open(side);
  ASSERT_TRUE(sidecar.ok()) << sidecar.status();
  std::string script =
      "CREATE TEMP TABLE wide AS SELECT * FROM access_log; DROP VIEW access_log; DROP TABLE "
      "access_entries; DROP TABLE access_names; " +
      storage::ForDialect(AccessLogSchema(), storage::Dialect::kSqlite) +
      "INSERT INTO access_log SELECT * FROM temp.wide; DROP TABLE temp.wide;";
  if (without_lagged_index) {
    script += "DROP TABLE access_log_by_segment; DROP TABLE access_log_indexed;";
  }
  ASSERT_TRUE((*sidecar)->ExecScript(script).ok());
  ASSERT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND "
                               "name = 'access_log'"),
            1);
}

// The times (at_us, the first column) of ForHousehold's rows, in its order.
std::vector<int64_t> at(const std::vector<storage::Row>& rows) {
  std::vector<int64_t> out;
  for (const storage::Row& r : rows) out.push_back(r.Int(0));
  return out;
}

class AccessLogSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    auto applied = storage::ApplyMigrations(tdb_.db(), Migrations());
    ASSERT_TRUE(applied.ok()) << applied.status();
  }
  storage::testing::TestDatabase tdb_{"sqlite"};
};

TEST_F(AccessLogSqliteTest, EntriesGoToTheSideFileAndTheRegistryFileIsNotWritten) {
  // PRAGMA data_version changes for a connection whenever another one commits to its file.
  auto before = tdb_.db().QueryOne("PRAGMA data_version");
  ASSERT_TRUE(before.ok() && before->has_value());
  {
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 1; i <= 5; ++i) (*log)->Append(Entry(i, "1000000019", 7));
    auto rows = (*log)->Read("SELECT object, household_idx FROM access_log ORDER BY log_id");
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 5u);
    EXPECT_EQ(rows->front().Text(0), "1000000019");
    EXPECT_EQ(rows->front().Int(1), 7);
  }
  auto after = tdb_.db().QueryOne("PRAGMA data_version");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_EQ((*before)->Int(0), (*after)->Int(0)) << "the registry's file was committed to";
  EXPECT_EQ(CountIn(tdb_.db(), "SELECT COUNT(*) FROM access_log"), 0);
  const std::string side = AccessLog::SidecarPath(tdb_.path().string());
  ASSERT_TRUE(std::filesystem::exists(side));
  auto sidecar = storage::Open(side);
  ASSERT_TRUE(sidecar.ok()) << sidecar.status();
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_log"), 5);
}

TEST_F(AccessLogSqliteTest, EntriesAnOlderVersionWroteIntoTheRegistryAreMovedOnceWithTheirIds) {
  // As an older spode wrote them: into the registry's own table.
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(tdb_.db()
                    .Execute("INSERT INTO access_log (log_id, at_us, actor, role, action, object, "
                             "household_idx, purpose, decision, reason, request_id) VALUES (?, ?, "
                             "'user:old', 'officer', 'household.read', 'x', 3, 'p', 'deny', "
                             "'outside the area', 'r-old')",
                             {int64_t{i}, int64_t{100 + i}})
                    .ok());
  }
  for (int round = 0; round < 2; ++round) {  // a second opening moves nothing twice
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    if (round == 0) (*log)->Append(Entry(500, "2000000018", 4));
    auto rows = (*log)->Read("SELECT log_id, actor, decision FROM access_log ORDER BY log_id");
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), 4u);
    EXPECT_EQ(rows->at(0).Int(0), 1);
    EXPECT_EQ(rows->at(0).Text(1), "user:old");
    EXPECT_EQ(rows->at(2).Text(2), "deny");
    EXPECT_EQ(rows->at(3).Int(0), 4);  // new entries continue after the moved ones
    EXPECT_EQ(rows->at(3).Text(1), "user:officer.one");
  }
  EXPECT_EQ(CountIn(tdb_.db(), "SELECT COUNT(*) FROM access_log"), 0);
}

// The registry's own table numbers from 1 again once the move has emptied it, so entries written
// there after a side file exists (by a command, as `spode grievance ... --as` did) carry ids the
// side file already gives other entries. They are moved with new ids, not dropped; a move done
// again adds nothing twice; and every moved entry is found by its household.
TEST_F(AccessLogSqliteTest, EntriesInTheRegistryWhoseIdsTheSideFileHasAreMovedNotDropped) {
  auto write_in_registry = [&](int64_t log_id, int64_t at_us, const std::string& actor,
                               int64_t household_idx) {
    ASSERT_TRUE(tdb_.db()
                    .Execute("INSERT INTO access_log (log_id, at_us, actor, role, action, object, "
                             "household_idx, purpose, decision, reason, request_id) VALUES (?, ?, "
                             "?, 'officer', 'grievance.read', 'x', ?, 'grievance', 'deny', "
                             "'needs a duty', 'cli')",
                             {log_id, at_us, actor, household_idx})
                    .ok());
  };
  {
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 1; i <= 3; ++i) (*log)->Append(Entry(i, "1000000019", 7));
  }
  write_in_registry(1, 101, "user:cli.one", 5);  // ids the side file gives entries 1 and 2
  write_in_registry(2, 102, "user:cli.two", 5);
  write_in_registry(10, 110, "user:cli.ten", 5);  // past the side file's last: kept
  auto log = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(log.ok()) << log.status();
  auto rows = (*log)->Read("SELECT log_id, actor FROM access_log ORDER BY log_id");
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::pair<int64_t, std::string>> got;
  for (const storage::Row& r : *rows) got.emplace_back(r.Int(0), r.Text(1));
  const std::vector<std::pair<int64_t, std::string>> want = {
      {1, "user:officer.one"}, {2, "user:officer.one"}, {3, "user:officer.one"},
      {10, "user:cli.ten"},    {11, "user:cli.one"},    {12, "user:cli.two"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(CountIn(tdb_.db(), "SELECT COUNT(*) FROM access_log"), 0);
  auto household = (*log)->ForHousehold(5, 100);
  ASSERT_TRUE(household.ok()) << household.status();
  EXPECT_EQ(at(*household), (std::vector<int64_t>{102, 101, 110}));
  log->reset();

  // A move interrupted after its copy and before its delete, done again: the entry that kept its
  // id is recognised and not copied twice.
  write_in_registry(10, 110, "user:cli.ten", 5);
  auto again = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(again.ok()) << again.status();
  auto count = (*again)->Read("SELECT COUNT(*) FROM access_log");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->front().Int(0), 6);
}

TEST(AccessLogSidecarTest, ALogLeftBehindByADeletedDatabaseIsRefusedNotInherited) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string path = (dir / (storage::testing::UniqueName("spode_al_") + ".db")).string();
  const std::string side = AccessLog::SidecarPath(path);
  auto remove = [](const std::string& base) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(base + suffix);
  };
  auto create = [&]() {
    auto db = storage::Open(path);
    ASSERT_TRUE(db.ok()) << db.status();
    auto applied = storage::ApplyMigrations(**db, Migrations());
    ASSERT_TRUE(applied.ok()) << applied.status();
  };
  create();
  {
    auto log = AccessLog::Open(path);
    ASSERT_TRUE(log.ok()) << log.status();
    (*log)->Append(Entry(1, "1000000019", 7));
    ASSERT_TRUE((*log)->Flush().ok());
    auto same = AccessLog::Open(path);  // its own database again: accepted
    EXPECT_TRUE(same.ok()) << same.status();
  }
  // The database is deleted "to start afresh" and made anew at the same path; its log stays.
  remove(path);
  create();
  auto log = AccessLog::Open(path);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(log.status().message().find("belongs to another database"), std::string::npos)
      << log.status();
  EXPECT_NE(log.status().message().find(side), std::string::npos) << log.status();
  // Moved away, a new log begins, empty.
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ignored;
    std::filesystem::rename(side + suffix, side + ".old" + suffix, ignored);
  }
  {
    auto fresh = AccessLog::Open(path);
    ASSERT_TRUE(fresh.ok()) << fresh.status();
    auto rows = (*fresh)->Read("SELECT COUNT(*) FROM access_log");
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_EQ(rows->front().Int(0), 0);
  }
  remove(path);
  remove(side);
  remove(side + ".old");
}

// The side file's index by household lags the log: a household's entries are found whether
// they are indexed yet or not, and an older side file (with the old index) is caught up when
// opened.
TEST_F(AccessLogSqliteTest, AHouseholdsEntriesAreFoundBeforeAndAfterTheyAreIndexed) {
  {
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 1; i <= 6; ++i) (*log)->Append(Entry(i, "h", i % 2 == 0 ? 8 : 9));
    (*log)->Append(Entry(7, "no household", 0));
    auto before = (*log)->ForHousehold(8, 100);  // none indexed yet
    ASSERT_TRUE(before.ok()) << before.status();
    EXPECT_EQ(at(*before), (std::vector<int64_t>{6, 4, 2}));
    EXPECT_EQ(before->front().Text(1), "user:officer.one");
    ASSERT_TRUE((*log)->IndexHouseholds().ok());
    for (int i = 10; i <= 11; ++i) (*log)->Append(Entry(i, "h", 8));
    auto after = (*log)->ForHousehold(8, 100);  // three indexed, two not
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(at(*after), (std::vector<int64_t>{11, 10, 6, 4, 2}));
    auto newest = (*log)->ForHousehold(8, 2);
    ASSERT_TRUE(newest.ok()) << newest.status();
    EXPECT_EQ(at(*newest), (std::vector<int64_t>{11, 10}));
    auto other = (*log)->ForHousehold(9, 100);
    ASSERT_TRUE(other.ok()) << other.status();
    EXPECT_EQ(at(*other), (std::vector<int64_t>{5, 3, 1}));
  }
  // As an older version left it: whole rows, the index on the table itself, nothing in the
  // lagged one.
  const std::string side = AccessLog::SidecarPath(tdb_.path().string());
  MakeWide(side, /*without_lagged_index=*/true);
  auto log = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(log.ok()) << log.status();
  auto sidecar = storage::Open(side);
  ASSERT_TRUE(sidecar.ok()) << sidecar.status();
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM sqlite_master WHERE name = "
                               "'access_log_household'"),
            0);
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_log_by_segment"), 8);
  EXPECT_EQ(CountIn(**sidecar, "SELECT upto FROM access_log_indexed"), 9);
  auto rows = (*log)->ForHousehold(8, 100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(at(*rows), (std::vector<int64_t>{11, 10, 6, 4, 2}));
}

// The side file is compact: repeated names once in access_names, an object of digits and the
// server's request ids as integers; the view gives back every value as it was appended, and a
// file of whole rows an older version wrote is converted once, its entries keeping their ids.
TEST_F(AccessLogSqliteTest, EntriesAreStoredCompactlyAndReadBackAsTheyWereWritten) {
  const std::string side = AccessLog::SidecarPath(tdb_.path().string());
  auto entry = [](int64_t at_us, std::string actor, std::string object, int64_t household_idx,
                  std::string decision, std::string reason, std::string request_id) {
    return AccessEntry{at_us,     std::move(actor),    "officer",
                       "household.read", std::move(object), household_idx,
                       "verification",   std::move(decision), std::move(reason),
                       std::move(request_id)};
  };
  const std::vector<AccessEntry> written = {
      entry(1, "user:officer.one", "8766767548", 7, "allow", "policy", "0cf8c8a22ff806c8"),
      entry(2, "user:officer.one", "48301759231", 7, "allow", "policy", "ffffffffffffffff"),
      entry(3, "user:officer.two", "0123", 0, "deny", "outside the area", "0000000000000000"),
      entry(4, "citizen:48301759231", "1234567890123456789", 9, "allow", "policy",
            "ABCDEF0123456789"),
      entry(5, "user:officer.two", "search:name", 0, "deny", "", "cli"),
      entry(6, "user:officer.one", "999999999999999999", 0, "allow", "policy", "")};
  const std::string kSelect =
      "SELECT at_us, actor, role, action, object, household_idx, purpose, decision, reason, "
      "request_id FROM access_log ORDER BY log_id";
  auto check = [&](AccessLog& log, size_t n) {
    auto rows = log.Read(kSelect);
    ASSERT_TRUE(rows.ok()) << rows.status();
    ASSERT_EQ(rows->size(), n);
    for (size_t i = 0; i < n; ++i) {
      SCOPED_TRACE(i);
      const storage::Row& r = rows->at(i);
      const AccessEntry& e = written[i % written.size()];
      EXPECT_EQ(r.Int(0), e.at_us);
      EXPECT_EQ(r.Text(1), e.actor);
      EXPECT_EQ(r.Text(2), e.role);
      EXPECT_EQ(r.Text(3), e.action);
      EXPECT_EQ(r.Text(4), e.object);
      if (e.household_idx > 0) {
        EXPECT_EQ(r.Int(5), e.household_idx);
      } else {
        EXPECT_TRUE(r.IsNull(5));
      }
      EXPECT_EQ(r.Text(6), e.purpose);
      EXPECT_EQ(r.Text(7), e.decision);
      EXPECT_EQ(r.Text(8), e.reason);
      EXPECT_EQ(r.Text(9), e.request_id);
    }
  };
  {
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    for (const AccessEntry& e : written) (*log)->Append(e);
    check(**log, written.size());
    (*log)->Append(entry(7, "user:officer.one", "x", 0, "maybe", "policy", "r"));
    EXPECT_FALSE((*log)->Flush().ok()) << "a decision is allow or deny";
  }
  {
    auto sidecar = storage::Open(side);
    ASSERT_TRUE(sidecar.ok()) << sidecar.status();
    // officer, household.read, verification, policy, outside the area, "", three actors.
    EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_names"), 9);
    EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_entries WHERE typeof(object) = "
                                 "'integer'"),
              3);
    EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_entries WHERE typeof(request_id) "
                                 "= 'integer'"),
              3);
  }
  // A file of whole rows, as an older version wrote it, is converted when opened: the same
  // entries, with their ids; new ones after them.
  MakeWide(side, /*without_lagged_index=*/false);
  auto log = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(log.ok()) << log.status();
  for (const AccessEntry& e : written) (*log)->Append(e);
  check(**log, 2 * written.size());
  auto ids = (*log)->Read("SELECT MIN(log_id), MAX(log_id), COUNT(*) FROM access_log");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_EQ(ids->at(0).Int(0), 1);
  EXPECT_EQ(ids->at(0).Int(1), 12);
  auto sidecar = storage::Open(side);
  ASSERT_TRUE(sidecar.ok()) << sidecar.status();
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'view' AND name "
                               "= 'access_log'"),
            1);
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
                               "('access_log_wide', 'access_log_household')"),
            0);
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_names"), 9);
  auto mine = (*log)->ForHousehold(7, 100);
  ASSERT_TRUE(mine.ok()) << mine.status();
  EXPECT_EQ(at(*mine), (std::vector<int64_t>{2, 1, 2, 1}));
}

// Two writers on the same side file (the server, and a command run beside it) each meet a name
// the other may have added first: it is stored once, and both writers' entries read back.
TEST_F(AccessLogSqliteTest, TwoWritersShareTheNamesTheyAdd) {
  auto first = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(second.ok()) << second.status();
  for (int i = 0; i < 3; ++i) {
    for (auto* log : {&*first, &*second}) {
      AccessEntry e = Entry(i, "1000000019", 7);
      e.actor = "user:officer.new";
      (*log)->Append(e);
      ASSERT_TRUE((*log)->Flush().ok());
    }
  }
  auto rows = (*first)->Read("SELECT actor, COUNT(*) FROM access_log GROUP BY actor");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->at(0).Text(0), "user:officer.new");
  EXPECT_EQ(rows->at(0).Int(1), 6);
  auto names = (*second)->Read("SELECT COUNT(*) FROM access_names WHERE name = 'user:officer.new'");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->at(0).Int(0), 1);
}

// The index by household is kept in segments of 2^17 entries; a household's entries are found
// in every segment, and in the unsegmented index an older version kept, which is read and no
// longer written.
TEST_F(AccessLogSqliteTest, AHouseholdsEntriesAreFoundInEverySegmentAndInAnOlderIndex) {
  const std::string side = AccessLog::SidecarPath(tdb_.path().string());
  {
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    for (int i = 1; i <= 4; ++i) (*log)->Append(Entry(i, "h", i % 2 == 0 ? 8 : 9));
    ASSERT_TRUE((*log)->IndexHouseholds().ok());
  }
  {
    // As the previous version left it: entries 1-4 indexed by household alone.
    auto sidecar = storage::Open(side);
    ASSERT_TRUE(sidecar.ok()) << sidecar.status();
    ASSERT_TRUE((*sidecar)
                    ->ExecScript("DROP TABLE access_log_by_segment; CREATE TABLE "
                                 "access_log_by_household (household_idx BIGINT NOT NULL, at_us "
                                 "BIGINT NOT NULL, log_id BIGINT NOT NULL, PRIMARY KEY "
                                 "(household_idx, at_us, log_id)) WITHOUT ROWID; INSERT INTO "
                                 "access_log_by_household SELECT household_idx, at_us, log_id "
                                 "FROM access_log WHERE household_idx IS NOT NULL")
                    .ok());
    // Entries far on, in the second and fourth segments (ids from 2^17 and 3 * 2^17).
    for (int64_t id : {int64_t{1} << 17, (int64_t{1} << 17) + 7, (int64_t{3} << 17) + 1}) {
      ASSERT_TRUE((*sidecar)
                      ->Execute("INSERT INTO access_log (log_id, at_us, actor, role, action, "
                                "object, household_idx, purpose, decision, reason, request_id) "
                                "VALUES (?, ?, 'user:officer.two', 'officer', 'household.read', "
                                "'h', 8, 'verification', 'allow', '', 'r')",
                                {id, 100 + id})
                      .ok());
    }
  }
  auto log = AccessLog::Open(tdb_.path().string());  // catches up the three, in segments
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Append(Entry(5'000'000, "h", 8));  // after the index's end (at 5,000,000 us)
  auto rows = (*log)->ForHousehold(8, 100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  const int64_t second = (int64_t{1} << 17) + 100, fourth = (int64_t{3} << 17) + 101;
  EXPECT_EQ(at(*rows), (std::vector<int64_t>{5'000'000, fourth, second + 7, second, 4, 2}));
  auto newest = (*log)->ForHousehold(8, 3);
  ASSERT_TRUE(newest.ok()) << newest.status();
  EXPECT_EQ(at(*newest), (std::vector<int64_t>{5'000'000, fourth, second + 7}));
  auto other = (*log)->ForHousehold(9, 100);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(at(*other), (std::vector<int64_t>{3, 1}));

  ASSERT_TRUE((*log)->IndexHouseholds().ok());
  auto sidecar = storage::Open(side);
  ASSERT_TRUE(sidecar.ok()) << sidecar.status();
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_log_by_household"), 4);
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_log_by_segment WHERE segment = 1"),
            2);
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_log_by_segment WHERE segment = 3"),
            2);  // the last one appended has the id after (3 << 17) + 1
  EXPECT_EQ(CountIn(**sidecar, "SELECT COUNT(*) FROM access_log_by_segment"), 4);
}

// An older version cut the segments coarser (2^20 entries). Its file is read as it is: each
// coarse segment number is within the range of segment numbers looked up, and the entries
// indexed after it go into segments of the size now used.
TEST_F(AccessLogSqliteTest, EntriesInAnOlderVersionsCoarserSegmentsAreStillFound) {
  const std::string side = AccessLog::SidecarPath(tdb_.path().string());
  const std::vector<int64_t> ids = {3, (int64_t{1} << 17) + 5, (int64_t{5} << 17) + 1,
                                    (int64_t{1} << 20) + 9, (int64_t{9} << 17) + 2};
  {
    auto log = AccessLog::Open(tdb_.path().string());
    ASSERT_TRUE(log.ok()) << log.status();
    (*log)->Append(Entry(1, "h", 9));
    ASSERT_TRUE((*log)->Flush().ok());
    auto sidecar = storage::Open(side);
    ASSERT_TRUE(sidecar.ok()) << sidecar.status();
    for (int64_t id : ids) {
      ASSERT_TRUE((*sidecar)
                      ->Execute("INSERT INTO access_log (log_id, at_us, actor, role, action, "
                                "object, household_idx, purpose, decision, reason, request_id) "
                                "VALUES (?, ?, 'user:officer.two', 'officer', 'household.read', "
                                "'h', 8, 'verification', 'allow', '', 'r')",
                                {id, id})
                      .ok());
    }
    ASSERT_TRUE((*log)->IndexHouseholds().ok());
  }
  {
    // As the older version would have left it: each entry in segment id / 2^20.
    auto sidecar = storage::Open(side);
    ASSERT_TRUE(sidecar.ok()) << sidecar.status();
    ASSERT_EQ(CountIn(**sidecar,
                      "SELECT COUNT(*) FROM access_log_by_segment WHERE segment = "
                      "log_id >> 17"),
              6);
    ASSERT_TRUE(
        (*sidecar)->ExecScript("UPDATE access_log_by_segment SET segment = log_id >> 20").ok());
    ASSERT_EQ(CountIn(**sidecar, "SELECT COUNT(DISTINCT segment) FROM access_log_by_segment"), 2);
  }
  auto log = AccessLog::Open(tdb_.path().string());
  ASSERT_TRUE(log.ok()) << log.status();
  (*log)->Append(Entry(2'000'000, "h", 8));
  ASSERT_TRUE((*log)->IndexHouseholds().ok());
  auto rows = (*log)->ForHousehold(8, 100);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(at(*rows), (std::vector<int64_t>{2'000'000, ids[4], ids[3], ids[2], ids[1], ids[0]}));
  auto other = (*log)->ForHousehold(9, 100);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(at(*other), (std::vector<int64_t>{1}));
  auto sidecar = storage::Open(side);
  ASSERT_TRUE(sidecar.ok()) << sidecar.status();
  // The entry indexed after the older ones, in the segment of 2^17 entries it falls in.
  EXPECT_EQ(CountIn(**sidecar, "SELECT segment FROM access_log_by_segment WHERE at_us = 2000000"),
            9);
}

}  // namespace
}  // namespace spode::access
