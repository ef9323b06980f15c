// Tests of the Database interface, run on every backend: SQLite always (a temporary file), and
// PostgreSQL when SPODE_TEST_PG_URL names a server (scripts/pg-test-server.sh). Each PostgreSQL
// test works in a fresh schema that it drops afterwards, so tests may run in any order and in
// parallel.
#include "storage/database.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "storage/value.h"

namespace spode::storage {

static void PrintTo(const Null&, std::ostream* os) { *os << "NULL"; }
static void PrintTo(const Blob& b, std::ostream* os) {
  *os << "Blob(" << ::testing::PrintToString(b.bytes) << ")";
}

namespace {

using ::testing::HasSubstr;
using ::testing::Not;

#define ASSERT_OK(expr)                                                          \
  do {                                                                           \
    const ::spode::Status assert_ok_status_ = ::spode::internal::ToStatus(expr); \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_;                    \
  } while (false)

#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(tmp).value()

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(SPODE_CONCAT_(assert_result_, __LINE__), lhs, expr)

MATCHER_P(StatusIs, code, "has code " + std::string(StatusCodeName(code))) {
  Status s = ::spode::internal::ToStatus(arg);
  *result_listener << "is " << s;
  return s.code() == code;
}

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr double kInfinity = std::numeric_limits<double>::infinity();

const char* PostgresUrl() {
  const char* url = std::getenv("SPODE_TEST_PG_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

std::vector<std::string> AllBackends() {
  std::vector<std::string> backends = {"sqlite"};
  if (PostgresUrl() != nullptr) backends.push_back("postgres");
  return backends;
}

std::vector<std::string> PostgresOnly() {
  if (PostgresUrl() == nullptr) return {};
  return {"postgres"};
}

// A name no other test process uses: the pid, a per-process counter and a random suffix.
std::string UniqueSuffix() {
  static int counter = 0;
  std::random_device random;
  return std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" +
         std::to_string(random() % 1000000);
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

std::string AllByteValues() {
  std::string out;
  for (int b = 0; b < 256; ++b) out += static_cast<char>(b);
  return out;
}

// The parameter is the backend: "sqlite" or "postgres".
class DatabaseTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      path_ =
          std::filesystem::temp_directory_path() / ("spode_storage_test_" + UniqueSuffix() + ".db");
      url_ = path_.string();
    } else {
      url_ = PostgresUrl();
      schema_ = "spode_test_" + UniqueSuffix();
    }
    ASSERT_OK_AND_ASSIGN(db_, Connect());
  }

  void TearDown() override {
    if (db_ != nullptr && !schema_.empty()) {
      ExpectOkOrLost(db_->Rollback());
      ExpectOkOrLost(db_->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE"));
    }
    db_.reset();
    if (!path_.empty()) {
      std::error_code ignored;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path_.string() + suffix, ignored);
      }
    }
  }

  // A connection to this test's database (on PostgreSQL, with this test's schema first on the
  // search path).
  Result<std::unique_ptr<Database>> Connect() {
    ASSIGN_OR_RETURN(auto db, Open(url_));
    if (!schema_.empty()) {
      RETURN_IF_ERROR(db->ExecScript("CREATE SCHEMA IF NOT EXISTS " + schema_ +
                                     "; SET search_path TO " + schema_));
    }
    return db;
  }

  bool postgres() const { return GetParam() == "postgres"; }

  Status Ddl(std::string_view sql) { return db_->ExecScript(ForDialect(sql, db_->dialect())); }

  int64_t Count(std::string_view table) {
    auto row = db_->QueryOne("SELECT COUNT(*) FROM " + std::string(table));
    EXPECT_TRUE(row.ok()) << row.status();
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  std::string url_;
  std::filesystem::path path_;  // SQLite
  std::string schema_;          // PostgreSQL
  std::unique_ptr<Database> db_;

 private:
  // A test that kills the connection replaces db_; only a dead connection may fail here.
  void ExpectOkOrLost(const Status& s) {
    EXPECT_TRUE(s.ok() || s.code() == StatusCode::kUnavailable) << s;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::ValuesIn(AllBackends()),
                         [](const auto& info) { return info.param; });

// --- Opening ----------------------------------------------------------------------------------

TEST_P(DatabaseTest, OpensWithItsDialectAndDescription) {
  if (postgres()) {
    EXPECT_EQ(db_->dialect(), Dialect::kPostgres);
    EXPECT_TRUE(db_->Describe().starts_with("postgres")) << db_->Describe();
    ASSERT_OK_AND_ASSIGN(auto row, db_->QueryOne("SELECT current_setting('application_name'), "
                                                 "current_setting('client_min_messages')"));
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->Text(0), "spode");
    EXPECT_EQ(row->Text(1), "warning");
  } else {
    EXPECT_EQ(db_->dialect(), Dialect::kSqlite);
    EXPECT_EQ(db_->Describe(), "sqlite:" + path_.string());
  }
  EXPECT_FALSE(db_->InTransaction());
}

// Room reserved ahead holds the rows appended into it: the text already there is not moved
// (no growth by doubling), and every cell reads back as appended.
TEST(RowBufferTest, RowsAppendedIntoReservedRoomStayWhereTheyWereWritten) {
  RowBuffer rows(2);
  rows.Reserve(100, 100 * 40);
  rows.Int(0).Text(std::string(40, 'a'));
  const char* first = rows.bytes(rows.cell(0, 1)).data();
  for (int64_t i = 1; i < 100; ++i)
    rows.Int(i).Text(std::string(40, static_cast<char>('a' + i % 26)));
  EXPECT_EQ(rows.bytes(rows.cell(0, 1)).data(), first);
  ASSERT_EQ(rows.rows(), 100u);
  EXPECT_EQ(rows.cell(99, 0).number, 99);
  EXPECT_EQ(rows.bytes(rows.cell(99, 1)), std::string(40, static_cast<char>('a' + 99 % 26)));
  rows.Int(100).Text(std::string(40, 'z'));  // past the room: grows as before
  EXPECT_EQ(rows.bytes(rows.cell(100, 1)), std::string(40, 'z'));
  EXPECT_EQ(rows.bytes(rows.cell(0, 1)), std::string(40, 'a'));
}

TEST(OpenTest, UnreachablePostgresIsUnavailableWithoutThePassword) {
  auto db = Open("postgresql://spode:hunter2@127.0.0.1:1/x");
  EXPECT_THAT(db, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(db.status().message(), HasSubstr("postgresql://spode@127.0.0.1:1/x"));
  EXPECT_THAT(db.status().message(), Not(HasSubstr("hunter2")));

  EXPECT_THAT(Open("postgresql://127.0.0.1:1/x"), StatusIs(StatusCode::kUnavailable));
  auto with_param = Open("postgres://127.0.0.1:1/x?password=hunter2&connect_timeout=5");
  EXPECT_THAT(with_param, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(with_param.status().message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(with_param.status().message(), HasSubstr("connect_timeout=5"));
}

TEST(OpenTest, SqliteInAMissingDirectoryIsUnavailable) {
  auto dir = std::filesystem::temp_directory_path() / ("spode_missing_" + UniqueSuffix());
  auto db = Open((dir / "spode.db").string());
  EXPECT_THAT(db, StatusIs(StatusCode::kUnavailable));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(OpenTest, EmptyUrlIsInvalidArgument) {
  EXPECT_THAT(Open(""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(OpenTest, SqlitePragmasAreInEffect) {
  auto path = std::filesystem::temp_directory_path() / ("spode_pragmas_" + UniqueSuffix() + ".db");
  {
    ASSERT_OK_AND_ASSIGN(auto db, Open("sqlite:" + path.string()));
    EXPECT_EQ(db->Describe(), "sqlite:" + path.string());
    ASSERT_OK_AND_ASSIGN(auto journal, db->QueryOne("PRAGMA journal_mode"));
    ASSERT_TRUE(journal.has_value());
    EXPECT_EQ(journal->Text(0), "wal");
    ASSERT_OK_AND_ASSIGN(auto synchronous, db->QueryOne("PRAGMA synchronous"));
    ASSERT_TRUE(synchronous.has_value());
    EXPECT_EQ(synchronous->value(0), Value(int64_t{2}));  // FULL
    ASSERT_OK_AND_ASSIGN(auto foreign_keys, db->QueryOne("PRAGMA foreign_keys"));
    ASSERT_TRUE(foreign_keys.has_value());
    EXPECT_EQ(foreign_keys->value(0), Value(int64_t{1}));
    // No memory map unless asked for.
    ASSERT_OK_AND_ASSIGN(auto map, db->QueryOne("PRAGMA mmap_size"));
    ASSERT_TRUE(map.has_value());
    EXPECT_EQ(map->value(0), Value(int64_t{0}));
  }
  {
    ASSERT_OK_AND_ASSIGN(auto db, Open("sqlite:" + path.string(), {.mmap_bytes = 64 << 20}));
    ASSERT_OK_AND_ASSIGN(auto map, db->QueryOne("PRAGMA mmap_size"));
    ASSERT_TRUE(map.has_value());
    EXPECT_EQ(map->value(0), Value(int64_t{64 << 20}));
  }
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ignored);
  }
}

TEST(OpenTest, SqliteWriterWaitsForAnotherWritersLockThenGivesUpAtTheTimeout) {
  auto path = std::filesystem::temp_directory_path() / ("spode_busy_" + UniqueSuffix() + ".db");
  {
    ASSERT_OK_AND_ASSIGN(auto holder, Open(path.string()));
    ASSERT_OK(holder->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"));
    ASSERT_OK_AND_ASSIGN(auto waiter, Open(path.string(), {.busy_timeout_ms = 5000}));
    ASSERT_OK_AND_ASSIGN(auto impatient, Open(path.string(), {.busy_timeout_ms = 50}));
    // The holder takes the write lock and keeps it for 300 ms.
    ASSERT_OK(holder->Begin());
    ASSERT_OK(holder->Execute("INSERT INTO t (who) VALUES ('holder')").status());
    // A writer with 50 ms to wait gives up: UNAVAILABLE, nothing written.
    auto refused = impatient->Execute("INSERT INTO t (who) VALUES ('impatient')");
    EXPECT_THAT(refused, StatusIs(StatusCode::kUnavailable));
    // A writer with 5 s to wait gets in after the holder commits, and not before.
    std::thread release([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      Status committed = holder->Commit();
      EXPECT_TRUE(committed.ok()) << committed;
    });
    auto waited = waiter->Execute("INSERT INTO t (who) VALUES ('waiter')");
    release.join();
    ASSERT_OK(waited.status());
    ASSERT_OK_AND_ASSIGN(auto rows, waiter->Query("SELECT who FROM t ORDER BY id"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].Text(0), "holder");
    EXPECT_EQ(rows[1].Text(0), "waiter");
  }
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ignored);
  }
}

// --- Statements and values --------------------------------------------------------------------

TEST_P(DatabaseTest, ExecScriptRunsDdlWithDialectTokens) {
  ASSERT_OK(
      Ddl("CREATE TABLE households (household_id {{pk}}, name TEXT NOT NULL, photo {{blob}});"
          "CREATE TABLE members (member_id {{pk}}, household_id BIGINT NOT NULL"
          " REFERENCES households (household_id), name TEXT NOT NULL);"));
  ASSERT_OK_AND_ASSIGN(auto first,
                       db_->QueryOne("INSERT INTO households (name, photo) VALUES (?, ?) "
                                     "RETURNING household_id",
                                     {std::string("Devi"), Blob{Bytes({0, 1, 2})}}));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->value(0), Value(int64_t{1}));
  ASSERT_OK_AND_ASSIGN(auto second, db_->QueryOne("INSERT INTO households (name) VALUES (?) "
                                                  "RETURNING household_id",
                                                  {std::string("Rao")}));
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->value(0), Value(int64_t{2}));
  ASSERT_OK_AND_ASSIGN(auto photo, db_->QueryOne("SELECT photo FROM households WHERE name = ?",
                                                 {std::string("Devi")}));
  ASSERT_TRUE(photo.has_value());
  EXPECT_EQ(photo->value(0), Value(Blob{Bytes({0, 1, 2})}));
}

// PostgreSQL: the planner's statistics of a table that just grew, inside the writer's
// transaction, committed with its rows. SQLite: nothing (no sqlite_stat1 appears).
TEST_P(DatabaseTest, RefreshStatisticsAnalyzesAGrownTableOnPostgres) {
  ASSERT_OK(Ddl("CREATE TABLE grown (id {{pk}}, cycle_id BIGINT NOT NULL, n BIGINT NOT NULL)"));
  ASSERT_OK(db_->Begin());
  RowBuffer rows(2);
  for (int64_t i = 0; i < 5000; ++i) rows.Int(1).Int(i);
  static const std::string kCols[] = {"cycle_id", "n"};
  ASSERT_OK(db_->BulkInsert("grown", kCols, rows));
  ASSERT_OK(RefreshStatistics(*db_, "grown"));
  ASSERT_OK(db_->Commit());
  if (postgres()) {
    ASSERT_OK_AND_ASSIGN(auto tuples,
                         db_->QueryOne("SELECT reltuples FROM pg_class WHERE oid = "
                                       "'grown'::regclass"));
    EXPECT_EQ(tuples->Int(0), 5000);  // -1 (never analyzed) before
    ASSERT_OK_AND_ASSIGN(auto stats, db_->QueryOne("SELECT COUNT(*) FROM pg_stats WHERE "
                                                   "tablename = 'grown' AND schemaname = ?",
                                                   {schema_}));
    EXPECT_EQ(stats->Int(0), 3);  // a row of statistics per column
  } else {
    ASSERT_OK_AND_ASSIGN(auto stat1, db_->QueryOne("SELECT COUNT(*) FROM sqlite_master WHERE "
                                                   "name = 'sqlite_stat1'"));
    EXPECT_EQ(stat1->Int(0), 0);
  }
  EXPECT_EQ(RefreshStatistics(*db_, "grown; DROP TABLE grown").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(RefreshStatistics(*db_, "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("grown"), 5000);
}

TEST_P(DatabaseTest, EveryTypeRoundTripsExactly) {
  ASSERT_OK(
      Ddl("CREATE TABLE round_trip (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION,"
          " s TEXT, b {{blob}})"));
  const std::vector<std::array<Value, 4>> cases = {
      {Null{}, Null{}, Null{}, Null{}},
      {kInt64Min, -0.1, std::string("नमस्ते, it's \"quoted\" 'twice'"),
       Blob{Bytes({0, 0xff, 0, 1, 0xfe, '\\', 'x'})}},
      {kInt64Max, 1.7976931348623157e308, std::string(""), Blob{""}},
      {int64_t{0}, 5e-324, std::string("back\\slash\ttab\nnewline\r?"), Blob{AllByteValues()}},
      {int64_t{-1}, kInfinity, std::string("\\N"), Blob{"\\N"}},
      {int64_t{42}, -kInfinity, std::string("ग्राम पंचायत"), Blob{std::string(1, '\0')}},
      {int64_t{7}, 0.30000000000000004, std::string("%_*"), Blob{"\xff\xff"}},
  };
  for (size_t k = 0; k < cases.size(); ++k) {
    const auto& c = cases[k];
    ASSERT_OK_AND_ASSIGN(
        int64_t changed,
        db_->Execute("INSERT INTO round_trip (id, i, d, s, b) VALUES (?, ?, ?, ?, ?)",
                     {static_cast<int64_t>(k), c[0], c[1], c[2], c[3]}));
    EXPECT_EQ(changed, 1);
  }
  for (size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE("case " + std::to_string(k));
    ASSERT_OK_AND_ASSIGN(auto row, db_->QueryOne("SELECT i, d, s, b FROM round_trip WHERE id = ?",
                                                 {static_cast<int64_t>(k)}));
    ASSERT_TRUE(row.has_value());
    ASSERT_EQ(row->size(), 4u);
    for (size_t col = 0; col < 4; ++col) EXPECT_EQ(row->value(col), cases[k][col]) << col;
  }
  // The text and blob match by value, too.
  ASSERT_OK_AND_ASSIGN(auto by_text, db_->QueryOne("SELECT id FROM round_trip WHERE s = ?",
                                                   {std::string("ग्राम पंचायत")}));
  ASSERT_TRUE(by_text.has_value());
  EXPECT_EQ(by_text->Int(0), 5);
  ASSERT_OK_AND_ASSIGN(auto by_blob, db_->QueryOne("SELECT id FROM round_trip WHERE b = ?",
                                                   {Blob{AllByteValues()}}));
  ASSERT_TRUE(by_blob.has_value());
  EXPECT_EQ(by_blob->Int(0), 3);
}

TEST_P(DatabaseTest, AggregatesAndComparisonsHaveTheSameTypesOnEveryBackend) {
  ASSERT_OK(
      Ddl("CREATE TABLE amounts (id BIGINT PRIMARY KEY, paise BIGINT, weight DOUBLE PRECISION)"));
  for (int64_t id : {1, 2, 3}) {
    ASSERT_OK(db_->Execute("INSERT INTO amounts (id, paise, weight) VALUES (?, ?, ?)",
                           {id, id * 4000000000000, 0.5 * static_cast<double>(id)})
                  .status());
  }
  ASSERT_OK_AND_ASSIGN(auto row,
                       db_->QueryOne("SELECT COUNT(*), SUM(paise), AVG(weight), 1 = 1, 1 = 2, "
                                     "EXISTS (SELECT 1 FROM amounts WHERE id = 2), MAX(paise) "
                                     "FROM amounts"));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->value(0), Value(int64_t{3}));
  EXPECT_EQ(row->value(1), Value(int64_t{24000000000000}));
  EXPECT_EQ(row->value(2), Value(1.0));
  EXPECT_EQ(row->value(3), Value(int64_t{1}));
  EXPECT_EQ(row->value(4), Value(int64_t{0}));
  EXPECT_EQ(row->value(5), Value(int64_t{1}));
  EXPECT_EQ(row->value(6), Value(int64_t{12000000000000}));
}

TEST_P(DatabaseTest, StatementBindsStepsAndResets) {
  ASSERT_OK(
      Ddl("CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT, weight DOUBLE PRECISION,"
          " data {{blob}})"));
  ASSERT_OK_AND_ASSIGN(
      auto insert, db_->Prepare("INSERT INTO items (id, label, weight, data) VALUES (?, ?, ?, ?)"));
  insert->BindInt(1, 1);
  insert->BindText(2, "one");
  insert->BindDouble(3, 1.5);
  insert->BindBlob(4, Bytes({0xff, 0}));
  ASSERT_OK_AND_ASSIGN(int64_t changed, insert->Run());
  EXPECT_EQ(changed, 1);
  EXPECT_EQ(insert->Changes(), 1);
  // Bindings are kept across runs until overwritten.
  insert->BindInt(1, 2);
  insert->BindNull(3);
  ASSERT_OK_AND_ASSIGN(changed, insert->Run());
  EXPECT_EQ(changed, 1);

  ASSERT_OK_AND_ASSIGN(auto select,
                       db_->Prepare("SELECT id, label, weight, data FROM items WHERE id >= ? "
                                    "ORDER BY id"));
  EXPECT_EQ(select->ColumnCount(), 4);
  select->BindInt(1, 1);
  ASSERT_OK_AND_ASSIGN(bool has_row, select->Step());
  ASSERT_TRUE(has_row);
  EXPECT_EQ(select->ColumnInt(0), 1);
  EXPECT_EQ(select->ColumnText(1), "one");
  EXPECT_EQ(select->ColumnDouble(2), 1.5);
  EXPECT_EQ(select->ColumnBlob(3), Bytes({0xff, 0}));
  EXPECT_FALSE(select->ColumnIsNull(2));
  ASSERT_OK_AND_ASSIGN(has_row, select->Step());
  ASSERT_TRUE(has_row);
  EXPECT_EQ(select->ColumnInt(0), 2);
  EXPECT_EQ(select->ColumnText(1), "one");
  EXPECT_TRUE(select->ColumnIsNull(2));
  EXPECT_EQ(select->ColumnDouble(2), 0.0);
  ASSERT_OK_AND_ASSIGN(has_row, select->Step());
  EXPECT_FALSE(has_row);
  ASSERT_OK_AND_ASSIGN(has_row, select->Step());
  EXPECT_FALSE(has_row);  // stays done until Reset

  select->Reset();
  select->BindInt(1, 2);
  ASSERT_OK_AND_ASSIGN(has_row, select->Step());
  ASSERT_TRUE(has_row);
  EXPECT_EQ(select->CurrentRow().value(0), Value(int64_t{2}));

  // A parameter never bound is NULL.
  ASSERT_OK_AND_ASSIGN(auto unbound, db_->Prepare("SELECT COUNT(*) FROM items WHERE label = ?"));
  ASSERT_OK_AND_ASSIGN(has_row, unbound->Step());
  ASSERT_TRUE(has_row);
  EXPECT_EQ(unbound->ColumnInt(0), 0);
}

// A RowBuffer's cells bound one by one, each kind as itself, in the buffer's column order or not.
TEST_P(DatabaseTest, StatementBindsRowBufferCellsOfEveryKind) {
  ASSERT_OK(
      Ddl("CREATE TABLE items (id BIGINT PRIMARY KEY, label TEXT, weight DOUBLE PRECISION,"
          " data {{blob}})"));
  RowBuffer rows(4);
  rows.Int(7).Text("seven").Double(-2.25).BlobBytes(Bytes({0, 0xff, 0x41}));
  rows.Int(8).Null().Null().Null();
  ASSERT_OK_AND_ASSIGN(
      auto insert, db_->Prepare("INSERT INTO items (data, weight, label, id) VALUES (?, ?, ?, ?)"));
  for (size_t r = 0; r < rows.rows(); ++r) {
    for (int c = 0; c < 4; ++c) insert->Bind(4 - c, rows, r, c);
    ASSERT_OK(insert->Run().status());
  }
  ASSERT_OK_AND_ASSIGN(auto stored,
                       db_->Query("SELECT id, label, weight, data FROM items ORDER BY id"));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].value(0), Value(int64_t{7}));
  EXPECT_EQ(stored[0].value(1), Value(std::string("seven")));
  EXPECT_EQ(stored[0].value(2), Value(-2.25));
  EXPECT_EQ(stored[0].value(3), Value(Blob{Bytes({0, 0xff, 0x41})}));
  EXPECT_EQ(stored[1].value(0), Value(int64_t{8}));
  for (size_t c = 1; c < 4; ++c) EXPECT_EQ(stored[1].value(c), Value(Null{})) << "column " << c;
}

TEST_P(DatabaseTest, QueryQueryOneAndExecuteBindParameters) {
  ASSERT_OK(Ddl("CREATE TABLE people (id BIGINT PRIMARY KEY, name TEXT NOT NULL, age BIGINT)"));
  const std::vector<std::pair<std::string, int64_t>> people = {
      {"Asha", 34}, {"Bhavna", 61}, {"Chandru", 70}};
  int64_t id = 0;
  for (const auto& [name, age] : people) {
    ASSERT_OK_AND_ASSIGN(
        int64_t changed,
        db_->Execute("INSERT INTO people (id, name, age) VALUES (?, ?, ?)", {++id, name, age}));
    EXPECT_EQ(changed, 1);
  }
  ASSERT_OK_AND_ASSIGN(
      int64_t updated,
      db_->Execute("UPDATE people SET age = age + ? WHERE age >= ?", {int64_t{1}, int64_t{60}}));
  EXPECT_EQ(updated, 2);
  ASSERT_OK_AND_ASSIGN(int64_t deleted,
                       db_->Execute("DELETE FROM people WHERE name = ?", {std::string("nobody")}));
  EXPECT_EQ(deleted, 0);

  ASSERT_OK_AND_ASSIGN(auto rows, db_->Query("SELECT name, age FROM people WHERE age > ? AND "
                                             "name <> ? ORDER BY id",
                                             {int64_t{30}, std::string("Bhavna")}));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Text(0), "Asha");
  EXPECT_EQ(rows[0].Int(1), 34);
  EXPECT_EQ(rows[1].Text(0), "Chandru");
  EXPECT_EQ(rows[1].Int(1), 71);

  ASSERT_OK_AND_ASSIGN(auto none,
                       db_->QueryOne("SELECT name FROM people WHERE id = ?", {int64_t{99}}));
  EXPECT_FALSE(none.has_value());
  ASSERT_OK_AND_ASSIGN(auto one,
                       db_->QueryOne("SELECT name FROM people WHERE id = ?", {int64_t{2}}));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->Text(0), "Bhavna");
  // The cached statement runs again with new parameters.
  ASSERT_OK_AND_ASSIGN(one, db_->QueryOne("SELECT name FROM people WHERE id = ?", {int64_t{3}}));
  ASSERT_TRUE(one.has_value());
  EXPECT_EQ(one->Text(0), "Chandru");
}

TEST_P(DatabaseTest, InsertReturningKeyGivesEachNewRowsKey) {
  ASSERT_OK(Ddl("CREATE TABLE notes (note_id {{pk}}, body TEXT NOT NULL)"));
  ASSERT_OK(Ddl("CREATE TABLE other (other_id {{pk}}, x BIGINT)"));
  constexpr std::string_view kInsert = "INSERT INTO notes (body) VALUES (?) RETURNING note_id";
  std::vector<int64_t> keys;
  for (const char* body : {"first", "second", "third"}) {
    ASSERT_OK_AND_ASSIGN(int64_t key, db_->InsertReturningKey(kInsert, {std::string(body)}));
    keys.push_back(key);
    // A row inserted elsewhere between does not become the next note's key.
    ASSERT_OK(db_->Execute("INSERT INTO other (x) VALUES (?)", {int64_t{1000} + key}).status());
  }
  ASSERT_OK_AND_ASSIGN(auto rows, db_->Query("SELECT note_id, body FROM notes ORDER BY note_id"));
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].Int(0), keys[0]);
  EXPECT_EQ(rows[0].Text(1), "first");
  EXPECT_EQ(rows[1].Int(0), keys[1]);
  EXPECT_EQ(rows[2].Int(0), keys[2]);
  EXPECT_EQ(rows[2].Text(1), "third");
  EXPECT_EQ(db_->InsertReturningKey("INSERT INTO notes (body) VALUES ('x')").status().code(),
            StatusCode::kInvalidArgument);
  // A failed insert is an error, not a key.
  EXPECT_FALSE(db_->InsertReturningKey("INSERT INTO notes (note_id, body) VALUES (?, ?) "
                                       "RETURNING note_id",
                                       {keys[0], std::string("again")})
                   .ok());
}

TEST_P(DatabaseTest, PlaceholdersInsideLiteralsAndCommentsAreNotParameters) {
  ASSERT_OK_AND_ASSIGN(auto row,
                       db_->QueryOne("SELECT '?', 'it''s ?', ? AS \"col?\", /* ? */ ? -- why?\n",
                                     {std::string("a"), std::string("b")}));
  ASSERT_TRUE(row.has_value());
  ASSERT_EQ(row->size(), 4u);
  EXPECT_EQ(row->Text(0), "?");
  EXPECT_EQ(row->Text(1), "it's ?");
  EXPECT_EQ(row->Text(2), "a");
  EXPECT_EQ(row->Text(3), "b");
}

// --- Errors -----------------------------------------------------------------------------------

TEST_P(DatabaseTest, ConstraintViolationsMapToCanonicalCodes) {
  ASSERT_OK(
      Ddl("CREATE TABLE parents (id BIGINT PRIMARY KEY, code TEXT NOT NULL UNIQUE);"
          "CREATE TABLE children (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL"
          " REFERENCES parents (id), qty BIGINT NOT NULL CHECK (qty > 0));"));
  ASSERT_OK(
      db_->Execute("INSERT INTO parents (id, code) VALUES (?, ?)", {int64_t{1}, std::string("P1")})
          .status());

  EXPECT_THAT(
      db_->Execute("INSERT INTO parents (id, code) VALUES (?, ?)", {int64_t{1}, std::string("P2")}),
      StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(
      db_->Execute("INSERT INTO parents (id, code) VALUES (?, ?)", {int64_t{2}, std::string("P1")}),
      StatusIs(StatusCode::kAlreadyExists));
  const std::string insert_child = "INSERT INTO children (id, parent_id, qty) VALUES (?, ?, ?)";
  EXPECT_THAT(db_->Execute(insert_child, {int64_t{1}, int64_t{99}, int64_t{1}}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db_->Execute(insert_child, {int64_t{1}, int64_t{1}, int64_t{0}}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(db_->Execute(insert_child, {int64_t{1}, int64_t{1}, Null{}}),
              StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(db_->Execute(insert_child, {int64_t{1}, int64_t{1}, int64_t{5}}).status());
  EXPECT_THAT(db_->Execute("DELETE FROM parents WHERE id = ?", {int64_t{1}}),
              StatusIs(StatusCode::kFailedPrecondition));

  // Nothing was half-written, and the connection is still usable.
  EXPECT_EQ(Count("parents"), 1);
  EXPECT_EQ(Count("children"), 1);
}

TEST_P(DatabaseTest, ATransactionWithoutForeignKeyChecksSkipsThemOnSqliteOnlyUntilItEnds) {
  ASSERT_OK(
      Ddl("CREATE TABLE parents (id BIGINT PRIMARY KEY);"
          "CREATE TABLE children (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL"
          " REFERENCES parents (id));"));
  const std::string insert_orphan = "INSERT INTO children (id, parent_id) VALUES (?, 99)";
  enum class End { kCommit, kRollback, kDestroyed };
  int64_t id = 0;
  for (End end : {End::kCommit, End::kRollback, End::kDestroyed}) {
    SCOPED_TRACE(static_cast<int>(end));
    {
      ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::BeginWithoutForeignKeyChecks(*db_));
      EXPECT_TRUE(db_->InTransaction());
      Result<int64_t> orphan = db_->Execute(insert_orphan, {++id});
      if (postgres()) {
        EXPECT_THAT(orphan, StatusIs(StatusCode::kFailedPrecondition));
        ASSERT_OK(tx.Rollback());
        continue;
      }
      EXPECT_TRUE(orphan.ok()) << orphan.status();
      if (end == End::kCommit) ASSERT_OK(tx.Commit());
      if (end == End::kRollback) ASSERT_OK(tx.Rollback());
    }
    // Checked again once it has ended, however it ended: in a plain transaction and without one.
    EXPECT_FALSE(db_->InTransaction());
    EXPECT_THAT(db_->Execute(insert_orphan, {++id}), StatusIs(StatusCode::kFailedPrecondition));
    ASSERT_OK_AND_ASSIGN(Transaction plain, Transaction::Begin(*db_));
    EXPECT_THAT(db_->Execute(insert_orphan, {++id}), StatusIs(StatusCode::kFailedPrecondition));
    ASSERT_OK(plain.Rollback());
  }
  // The one orphan committed is SQLite's (the caller vouched for it, wrongly).
  EXPECT_EQ(Count("children"), postgres() ? 0 : 1);

  // Inside a transaction the checks cannot be turned off, and that one goes on unharmed.
  ASSERT_OK(db_->Begin());
  EXPECT_THAT(Transaction::BeginWithoutForeignKeyChecks(*db_),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_TRUE(db_->InTransaction());
  EXPECT_THAT(db_->Execute(insert_orphan, {++id}), StatusIs(StatusCode::kFailedPrecondition));
  ASSERT_OK(db_->Rollback());
}

TEST_P(DatabaseTest, BadSqlIsInternal) {
  EXPECT_THAT(db_->Prepare("SELEC 1"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(db_->Query("SELECT * FROM no_such_table"), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(db_->ExecScript("CREATE TABLE broken ("), StatusIs(StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(auto row, db_->QueryOne("SELECT 1"));
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->Int(0), 1);
}

TEST_P(DatabaseTest, EmptyStatementIsInternal) {
  EXPECT_THAT(db_->Prepare(""), StatusIs(StatusCode::kInternal));
  EXPECT_THAT(db_->Execute(" \n"), StatusIs(StatusCode::kInternal));
  ASSERT_OK(db_->ExecScript(""));
}

// --- Transactions -----------------------------------------------------------------------------

TEST_P(DatabaseTest, NestedBeginAndCommitWithoutBeginAreInternal) {
  EXPECT_THAT(db_->Commit(), StatusIs(StatusCode::kInternal));
  ASSERT_OK(db_->Rollback());  // nothing to roll back: a no-op
  ASSERT_OK(db_->Begin());
  EXPECT_THAT(db_->Begin(), StatusIs(StatusCode::kInternal));
  EXPECT_TRUE(db_->InTransaction());
  ASSERT_OK(db_->Commit());
  EXPECT_FALSE(db_->InTransaction());
}

TEST_P(DatabaseTest, TransactionNotCommittedRollsBack) {
  ASSERT_OK(Ddl("CREATE TABLE ledger (id BIGINT PRIMARY KEY, paise BIGINT NOT NULL)"));
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
    EXPECT_TRUE(db_->InTransaction());
    ASSERT_OK(
        db_->Execute("INSERT INTO ledger (id, paise) VALUES (?, ?)", {int64_t{1}, int64_t{500}})
            .status());
    EXPECT_EQ(Count("ledger"), 1);
  }
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count("ledger"), 0);

  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
  ASSERT_OK(db_->Execute("INSERT INTO ledger (id, paise) VALUES (?, ?)", {int64_t{2}, int64_t{700}})
                .status());
  ASSERT_OK(tx.Rollback());
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count("ledger"), 0);
  EXPECT_THAT(tx.Commit(), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_P(DatabaseTest, CommittedTransactionIsVisibleFromAnotherConnection) {
  ASSERT_OK(Ddl("CREATE TABLE ledger (id BIGINT PRIMARY KEY, paise BIGINT NOT NULL)"));
  ASSERT_OK_AND_ASSIGN(auto other, Connect());
  const std::string count = "SELECT COUNT(*), SUM(paise) FROM ledger";

  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
  ASSERT_OK(db_->Execute("INSERT INTO ledger (id, paise) VALUES (?, ?), (?, ?)",
                         {int64_t{1}, int64_t{100}, int64_t{2}, int64_t{250}})
                .status());
  ASSERT_OK_AND_ASSIGN(auto before, other->QueryOne(count));
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->value(0), Value(int64_t{0}));  // not committed yet
  ASSERT_OK(tx.Commit());
  EXPECT_FALSE(db_->InTransaction());

  ASSERT_OK_AND_ASSIGN(auto after, other->QueryOne(count));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->value(0), Value(int64_t{2}));
  EXPECT_EQ(after->value(1), Value(int64_t{350}));
  EXPECT_THAT(tx.Commit(), StatusIs(StatusCode::kFailedPrecondition));
}

// The stamp of the last commit moves with every commit, whichever connection or process makes
// it, and stays put otherwise (reads, a rolled-back write); only an SQLite file has one.
TEST_P(DatabaseTest, LastCommitStampMovesWithEveryCommitByAnyoneAndOnlyThen) {
  if (postgres()) {
    EXPECT_FALSE(db_->LastCommit().has_value());
    return;
  }
  ASSERT_OK(Ddl("CREATE TABLE ledger (id BIGINT PRIMARY KEY, paise BIGINT NOT NULL)"));
  ASSERT_OK_AND_ASSIGN(auto other, Connect());
  auto stamp = [](Database& db) {
    std::optional<CommitStamp> s = db.LastCommit();
    EXPECT_TRUE(s.has_value());
    return s.value_or(CommitStamp{});
  };
  const CommitStamp start = stamp(*db_);
  EXPECT_EQ(stamp(*db_), start);
  EXPECT_EQ(stamp(*other), start);  // one database, one stamp, on every connection

  ASSERT_OK(db_->QueryOne("SELECT COUNT(*) FROM ledger").status());
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
    ASSERT_OK(db_->Execute("INSERT INTO ledger (id, paise) VALUES (1, 100)").status());
  }  // rolled back
  EXPECT_EQ(stamp(*db_), start);

  ASSERT_OK(other->Execute("INSERT INTO ledger (id, paise) VALUES (2, 200)").status());
  const CommitStamp by_other = stamp(*db_);
  EXPECT_NE(by_other, start);
  ASSERT_OK(db_->Execute("INSERT INTO ledger (id, paise) VALUES (3, 300)").status());
  const CommitStamp by_self = stamp(*other);
  EXPECT_NE(by_self, by_other);

  // Another process: the sqlite3 shell (scripts/install-deps.sh installs it).
  const std::string shell = "sqlite3 '" + path_.string() +
                            "' 'INSERT INTO ledger (id, paise) VALUES (4, 400)'";
  ASSERT_EQ(std::system(shell.c_str()), 0) << shell;
  const CommitStamp by_process = stamp(*db_);
  EXPECT_NE(by_process, by_self);
  EXPECT_EQ(stamp(*db_), by_process);

  // A checkpoint that empties the log, then a commit that starts it again from its first frame.
  ASSERT_OK(db_->ExecScript("PRAGMA wal_checkpoint(TRUNCATE)"));
  ASSERT_OK(other->Execute("INSERT INTO ledger (id, paise) VALUES (5, 500)").status());
  EXPECT_NE(stamp(*db_), by_process);
  EXPECT_EQ(Count("ledger"), 4);
}

TEST(OpenTest, AnInMemorySqliteDatabaseHasNoCommitStamp) {
  auto db = Open(":memory:");
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_FALSE((*db)->LastCommit().has_value());
}

// A commit that leaves the log longer than checkpoint_pages hands its checkpoint to a thread of
// the process's own: the log's pages are copied back while the writer goes on, and each next
// commit starts the log again from its first frame, so it stays one commit long. The file's
// last connection closed, the rest is checkpointed and the log removed, as before.
TEST(OpenTest, ASqliteFileHasItsLogCheckpointedInTheBackgroundAndTheLogStaysShort) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("spode_checkpoint_" + UniqueSuffix() + ".db"))
          .string();
  constexpr int kCommits = 30, kRowsEach = 300;  // about 80 pages a commit
  {
    ASSERT_OK_AND_ASSIGN(auto db, Open("sqlite:" + path, {.checkpoint_pages = 64}));
    ASSERT_OK(db->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, pad BLOB NOT NULL)"));
    EXPECT_EQ(BackgroundCheckpointsOf(path), 0);  // a short log: none asked for yet
    uintmax_t longest = 0;
    for (int c = 0; c < kCommits; ++c) {
      const int64_t before = BackgroundCheckpointsOf(path);
      ASSERT_OK(db->ExecScript("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                               "WHERE i < " + std::to_string(kRowsEach) +
                               ") INSERT INTO t (pad) SELECT randomblob(1000) FROM n"));
      longest = std::max(longest, std::filesystem::file_size(path + "-wal"));
      // The checkpoint is the thread's: waited for before the next commit.
      WaitForBackgroundCheckpoints(path);
      ASSERT_GT(BackgroundCheckpointsOf(path), before) << "commit " << c;
    }
    // Not checkpointed, the log would hold every commit: 30 x 300 KB.
    EXPECT_LT(longest, uintmax_t{2} << 20);
    ASSERT_OK_AND_ASSIGN(auto other, Open("sqlite:" + path));
    ASSERT_OK_AND_ASSIGN(auto rows, other->QueryOne("SELECT COUNT(*) FROM t"));
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(rows->Int(0), kCommits * kRowsEach);
  }
  EXPECT_EQ(BackgroundCheckpointsOf(path), 0);  // stopped with the last connection
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  {
    ASSERT_OK_AND_ASSIGN(auto db, Open("sqlite:" + path));
    ASSERT_OK_AND_ASSIGN(auto rows, db->QueryOne("SELECT COUNT(*) FROM t"));
    ASSERT_TRUE(rows.has_value());
    EXPECT_EQ(rows->Int(0), kCommits * kRowsEach);
  }
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ignored);
}

// --- Bulk insert ------------------------------------------------------------------------------

TEST_P(DatabaseTest, BulkInsertOfTenThousandRowsRoundTripsExactly) {
  ASSERT_OK(
      Ddl("CREATE TABLE bulk (id BIGINT PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, s TEXT,"
          " b {{blob}})"));
  const std::vector<std::string> texts = {
      "",     "tab\there", "new\nline", "back\\slash", "\\N",         "\\.", "cr\r\nlf",
      "नमस्ते", "quote'\"",  "\t\n\\\r",  "trailing\\",  "comma,semi;", "NULL"};
  const std::vector<std::string> blobs = {"", std::string(1, '\0'), Bytes({0xff, 0xfe, 0, 1, 0}),
                                          "\\x41\t\n\\", AllByteValues()};
  constexpr int kRows = 10000;
  std::vector<std::array<Value, 5>> expected;
  expected.reserve(kRows);
  RowBuffer rows(5);
  for (int r = 0; r < kRows; ++r) {
    std::array<Value, 5> v;
    v[0] = int64_t{r} * 3 - 15000;
    if (r % 7 == 0) {
      v[1] = Null{};
    } else if (r % 2 == 0) {
      v[1] = kInt64Min + r;
    } else {
      v[1] = kInt64Max - r;
    }
    if (r % 11 == 0) {
      v[2] = Null{};
    } else if (r == 1) {
      v[2] = kInfinity;
    } else if (r == 3) {
      v[2] = -kInfinity;
    } else {
      v[2] = (r % 2 ? -1.0 : 1.0) * r / 3.0 * std::pow(10.0, r % 40 - 20);
    }
    if (r % 13 == 0) {
      v[3] = Null{};
    } else {
      v[3] = texts[static_cast<size_t>(r) % texts.size()] + (r % 3 ? std::to_string(r) : "");
    }
    if (r % 5 == 0) {
      v[4] = Null{};
    } else {
      v[4] = Blob{blobs[static_cast<size_t>(r) % blobs.size()]};
    }
    for (const Value& cell : v) rows.Add(cell);
    expected.push_back(std::move(v));
  }
  const std::vector<std::string> columns = {"id", "i", "d", "s", "b"};
  {
    // In a transaction, as loaders do: SQLite would otherwise commit (and fsync) every row.
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
    ASSERT_OK(db_->BulkInsert("bulk", columns, rows));
    ASSERT_OK(tx.Commit());
  }
  EXPECT_EQ(Count("bulk"), kRows);

  ASSERT_OK_AND_ASSIGN(auto stored, db_->Query("SELECT id, i, d, s, b FROM bulk ORDER BY id"));
  ASSERT_EQ(stored.size(), static_cast<size_t>(kRows));
  int mismatches = 0;
  for (size_t r = 0; r < stored.size() && mismatches < 10; ++r) {
    for (size_t c = 0; c < 5; ++c) {
      if (stored[r].value(c) != expected[r][c]) {
        ++mismatches;
        ADD_FAILURE() << "row " << r << " column " << columns[c] << ": stored "
                      << ::testing::PrintToString(stored[r].value(c)) << ", expected "
                      << ::testing::PrintToString(expected[r][c]);
      }
    }
  }
  EXPECT_EQ(mismatches, 0);

  // An empty buffer is a no-op.
  ASSERT_OK(db_->BulkInsert("bulk", columns, RowBuffer(5)));
  EXPECT_EQ(Count("bulk"), kRows);
}

TEST_P(DatabaseTest, BulkInsertWithADuplicateKeyIsAlreadyExistsAndRollsBack) {
  ASSERT_OK(Ddl("CREATE TABLE bulk (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"));
  RowBuffer rows(2);
  for (int64_t id = 1; id <= 1000; ++id) rows.Int(id).Text("name " + std::to_string(id));
  rows.Int(500).Text("again");  // duplicate key
  const std::vector<std::string> columns = {"id", "name"};
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
    EXPECT_THAT(db_->BulkInsert("bulk", columns, rows), StatusIs(StatusCode::kAlreadyExists));
    EXPECT_TRUE(db_->InTransaction());
    ASSERT_OK(tx.Rollback());
  }
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count("bulk"), 0);

  // A key already in the table, inside a transaction rolled back by destruction.
  ASSERT_OK(db_->Execute("INSERT INTO bulk (id, name) VALUES (?, ?)",
                         {int64_t{1000}, std::string("first")})
                .status());
  RowBuffer more(2);
  for (int64_t id = 1; id <= 1000; ++id) more.Int(id).Text("x");
  {
    ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
    EXPECT_THAT(db_->BulkInsert("bulk", columns, more), StatusIs(StatusCode::kAlreadyExists));
  }
  EXPECT_EQ(Count("bulk"), 1);
}

// --- Migrations -------------------------------------------------------------------------------

TEST_P(DatabaseTest, MigrationsApplyInOrderOnceAndAreRecorded) {
  std::vector<Migration> migrations = {
      {"test/0001_households", "CREATE TABLE households (household_id {{pk}}, name TEXT NOT NULL)"},
      {"test/0002_members",
       "CREATE TABLE members (member_id {{pk}}, household_id BIGINT NOT NULL"
       " REFERENCES households (household_id), photo {{blob}});"
       "CREATE INDEX members_by_household ON members (household_id)"},
  };
  ASSERT_OK_AND_ASSIGN(int pending, PendingMigrations(*db_, migrations));
  EXPECT_EQ(pending, 2);
  ASSERT_OK_AND_ASSIGN(int ran, ApplyMigrations(*db_, migrations));
  EXPECT_EQ(ran, 2);
  ASSERT_OK_AND_ASSIGN(auto applied, db_->Query("SELECT id, applied_at_us FROM schema_migrations "
                                                "ORDER BY applied_at_us, id"));
  ASSERT_EQ(applied.size(), 2u);
  EXPECT_EQ(applied[0].Text(0), "test/0001_households");
  EXPECT_EQ(applied[1].Text(0), "test/0002_members");
  EXPECT_GT(applied[0].Int(1), 0);
  EXPECT_LE(applied[0].Int(1), applied[1].Int(1));

  // The schema works: the second migration's foreign key points at the first one's table.
  ASSERT_OK(
      db_->Execute("INSERT INTO households (name) VALUES (?)", {std::string("Devi")}).status());
  ASSERT_OK(db_->Execute("INSERT INTO members (household_id) VALUES (?)", {int64_t{1}}).status());
  EXPECT_THAT(db_->Execute("INSERT INTO members (household_id) VALUES (?)", {int64_t{9}}),
              StatusIs(StatusCode::kFailedPrecondition));

  ASSERT_OK_AND_ASSIGN(ran, ApplyMigrations(*db_, migrations));
  EXPECT_EQ(ran, 0);
  ASSERT_OK_AND_ASSIGN(pending, PendingMigrations(*db_, migrations));
  EXPECT_EQ(pending, 0);

  migrations.push_back({"test/0003_phone", "ALTER TABLE members ADD COLUMN phone TEXT"});
  ASSERT_OK_AND_ASSIGN(pending, PendingMigrations(*db_, migrations));
  EXPECT_EQ(pending, 1);
  ASSERT_OK_AND_ASSIGN(ran, ApplyMigrations(*db_, migrations));
  EXPECT_EQ(ran, 1);
  ASSERT_OK_AND_ASSIGN(pending, PendingMigrations(*db_, migrations));
  EXPECT_EQ(pending, 0);

  // A program that does not know 0003 refuses to run against this database.
  migrations.pop_back();
  auto older = ApplyMigrations(*db_, migrations);
  EXPECT_THAT(older, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(older.status().message(), HasSubstr("test/0003_phone"));
}

TEST_P(DatabaseTest, FailedMigrationLeavesNothingBehind) {
  const std::vector<Migration> migrations = {
      {"test/0001_ok", "CREATE TABLE first_table (id {{pk}})"},
      {"test/0002_broken", "CREATE TABLE half_done (id {{pk}}); CREATE TABLE broken ("},
  };
  auto ran = ApplyMigrations(*db_, migrations);
  EXPECT_THAT(ran, StatusIs(StatusCode::kInternal));
  EXPECT_THAT(ran.status().message(), HasSubstr("migration test/0002_broken"));
  EXPECT_FALSE(db_->InTransaction());
  ASSERT_OK_AND_ASSIGN(auto applied, db_->Query("SELECT id FROM schema_migrations"));
  ASSERT_EQ(applied.size(), 1u);
  EXPECT_EQ(applied[0].Text(0), "test/0001_ok");
  EXPECT_THAT(db_->Query("SELECT * FROM half_done"), StatusIs(StatusCode::kInternal));
  ASSERT_OK_AND_ASSIGN(int pending, PendingMigrations(*db_, migrations));
  EXPECT_EQ(pending, 1);
}

// --- PostgreSQL only --------------------------------------------------------------------------

class PostgresTest : public DatabaseTest {};
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(PostgresTest);
INSTANTIATE_TEST_SUITE_P(Backends, PostgresTest, ::testing::ValuesIn(PostgresOnly()),
                         [](const auto& info) { return info.param; });

TEST_P(PostgresTest, DescribeHidesThePassword) {
  std::string url = url_ + (url_.find('?') == std::string::npos ? "?" : "&") + "password=s3cret";
  ASSERT_OK_AND_ASSIGN(auto db, Open(url));
  EXPECT_THAT(db->Describe(), Not(HasSubstr("s3cret")));
  EXPECT_THAT(db->Describe(), Not(HasSubstr("password")));
}

TEST_P(PostgresTest, SerializationFailureIsAborted) {
  ASSERT_OK(
      db_->ExecScript("CREATE TABLE accounts (id BIGINT PRIMARY KEY, paise BIGINT NOT NULL);"
                      "INSERT INTO accounts VALUES (1, 100)"));
  ASSERT_OK_AND_ASSIGN(auto other, Connect());
  ASSERT_OK(db_->ExecScript("BEGIN ISOLATION LEVEL REPEATABLE READ"));
  ASSERT_OK_AND_ASSIGN(auto seen,
                       db_->QueryOne("SELECT paise FROM accounts WHERE id = ?", {int64_t{1}}));
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->Int(0), 100);
  ASSERT_OK_AND_ASSIGN(int64_t changed,
                       other->Execute("UPDATE accounts SET paise = 50 WHERE id = ?", {int64_t{1}}));
  EXPECT_EQ(changed, 1);
  EXPECT_THAT(db_->Execute("UPDATE accounts SET paise = paise + 1 WHERE id = ?", {int64_t{1}}),
              StatusIs(StatusCode::kAborted));
  EXPECT_TRUE(db_->InTransaction());
  ASSERT_OK(db_->Rollback());
  EXPECT_FALSE(db_->InTransaction());
}

TEST_P(PostgresTest, CommitAfterAFailedStatementReportsTheRollback) {
  ASSERT_OK(db_->ExecScript("CREATE TABLE ledger (id BIGINT PRIMARY KEY)"));
  ASSERT_OK_AND_ASSIGN(Transaction tx, Transaction::Begin(*db_));
  ASSERT_OK(db_->Execute("INSERT INTO ledger (id) VALUES (?)", {int64_t{1}}).status());
  EXPECT_THAT(db_->Execute("INSERT INTO ledger (id) VALUES (?)", {int64_t{1}}),
              StatusIs(StatusCode::kAlreadyExists));
  // The transaction is aborted: PostgreSQL refuses further statements until it ends.
  EXPECT_THAT(db_->Execute("INSERT INTO ledger (id) VALUES (?)", {int64_t{2}}),
              StatusIs(StatusCode::kInternal));
  auto committed = tx.Commit();
  EXPECT_THAT(committed, StatusIs(StatusCode::kInternal));
  EXPECT_THAT(committed.message(), HasSubstr("rolled back"));
  EXPECT_FALSE(db_->InTransaction());
  EXPECT_EQ(Count("ledger"), 0);
}

TEST_P(PostgresTest, LostConnectionIsUnavailable) {
  ASSERT_OK_AND_ASSIGN(auto victim, Connect());
  ASSERT_OK_AND_ASSIGN(auto pid, victim->QueryOne("SELECT pg_backend_pid()"));
  ASSERT_TRUE(pid.has_value());
  ASSERT_OK_AND_ASSIGN(auto terminated,
                       db_->QueryOne("SELECT pg_terminate_backend(?, 10000)", {pid->Int(0)}));
  ASSERT_TRUE(terminated.has_value());
  ASSERT_EQ(terminated->value(0), Value(int64_t{1}));

  EXPECT_THAT(victim->Query("SELECT pg_backend_pid()"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(victim->Query("SELECT 2"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(victim->ExecScript("SELECT 1"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(victim->Begin(), StatusIs(StatusCode::kUnavailable));
  EXPECT_FALSE(victim->InTransaction());
  RowBuffer rows(1);
  rows.Int(1);
  EXPECT_THAT(victim->BulkInsert("anything", std::vector<std::string>{"id"}, rows),
              StatusIs(StatusCode::kUnavailable));
}

TEST_P(PostgresTest, DroppedStatementsAreDeallocated) {
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK_AND_ASSIGN(auto stmt, db_->Prepare("SELECT " + std::to_string(i) + " + ?"));
  }
  ASSERT_OK_AND_ASSIGN(auto stmt, db_->Prepare("SELECT COUNT(*) FROM pg_prepared_statements"));
  ASSERT_OK_AND_ASSIGN(bool has_row, stmt->Step());
  ASSERT_TRUE(has_row);
  // Only this one: each dropped statement was deallocated by the next Prepare.
  EXPECT_EQ(stmt->ColumnInt(0), 1);
}

TEST_P(PostgresTest, BulkInsertChecksTheColumnCount) {
  ASSERT_OK(db_->ExecScript("CREATE TABLE bulk (id BIGINT PRIMARY KEY, name TEXT)"));
  RowBuffer rows(2);
  rows.Int(1).Text("one");
  EXPECT_THAT(db_->BulkInsert("bulk", std::vector<std::string>{"id"}, rows),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(db_->BulkInsert("no_such_table", std::vector<std::string>{"id", "name"}, rows),
              StatusIs(StatusCode::kInternal));
  ASSERT_OK(db_->BulkInsert("bulk", std::vector<std::string>{"id", "name"}, rows));
  EXPECT_EQ(Count("bulk"), 1);
}

// --- RewritePlaceholders ----------------------------------------------------------------------

TEST(RewritePlaceholdersTest, NumbersEachPlaceholderInOrder) {
  using internal::RewritePlaceholders;
  EXPECT_EQ(RewritePlaceholders("SELECT 1"), "SELECT 1");
  EXPECT_EQ(RewritePlaceholders(""), "");
  EXPECT_EQ(RewritePlaceholders("?"), "$1");
  EXPECT_EQ(RewritePlaceholders("INSERT INTO t (a, b, c) VALUES (?, ?,?)"),
            "INSERT INTO t (a, b, c) VALUES ($1, $2,$3)");
  std::string many = "VALUES (";
  std::string rewritten = "VALUES (";
  for (int i = 1; i <= 12; ++i) {
    many += i > 1 ? ", ?" : "?";
    rewritten += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  EXPECT_EQ(RewritePlaceholders(many + ")"), rewritten + ")");
}

TEST(RewritePlaceholdersTest, LeavesQuotesAndCommentsAlone) {
  using internal::RewritePlaceholders;
  EXPECT_EQ(RewritePlaceholders("SELECT '?' WHERE a = ?"), "SELECT '?' WHERE a = $1");
  EXPECT_EQ(RewritePlaceholders("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
  EXPECT_EQ(RewritePlaceholders("SELECT \"odd?name\" FROM t WHERE x = ?"),
            "SELECT \"odd?name\" FROM t WHERE x = $1");
  EXPECT_EQ(RewritePlaceholders("SELECT \"a\"\"?\" , ?"), "SELECT \"a\"\"?\" , $1");
  EXPECT_EQ(RewritePlaceholders("SELECT ? -- is it?\nFROM t WHERE y = ?"),
            "SELECT $1 -- is it?\nFROM t WHERE y = $2");
  EXPECT_EQ(RewritePlaceholders("SELECT ? -- trailing?"), "SELECT $1 -- trailing?");
  EXPECT_EQ(RewritePlaceholders("SELECT /* what? */ ?"), "SELECT /* what? */ $1");
  EXPECT_EQ(RewritePlaceholders("SELECT ? /* unterminated ?"), "SELECT $1 /* unterminated ?");
  EXPECT_EQ(RewritePlaceholders("SELECT 'unterminated ?"), "SELECT 'unterminated ?");
  EXPECT_EQ(RewritePlaceholders("SELECT 6 / ?"), "SELECT 6 / $1");
  EXPECT_EQ(RewritePlaceholders("SELECT 6 - ?"), "SELECT 6 - $1");
}

}  // namespace
}  // namespace spode::storage
