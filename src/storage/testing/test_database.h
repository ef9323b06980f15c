// Test helper: a fresh, empty database on each backend under test. SQLite always (a temporary
// file); PostgreSQL too when SPODE_TEST_PG_URL names a server (scripts/pg-test-server.sh), in a
// schema of its own that is dropped afterwards, so test processes can run in parallel.
//
//   INSTANTIATE_TEST_SUITE_P(Backends, MyTest, ::testing::ValuesIn(storage::testing::Backends()));
//   storage::testing::TestDatabase tdb(GetParam());
//   ASSERT_TRUE(tdb.status().ok());
//   storage::Database& db = tdb.db();
#ifndef SPODE_STORAGE_TESTING_TEST_DATABASE_H_
#define SPODE_STORAGE_TESTING_TEST_DATABASE_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "storage/database.h"

namespace spode::storage::testing {

inline const char* PostgresUrl() {
  const char* url = std::getenv("SPODE_TEST_PG_URL");
  return url != nullptr && *url != '\0' ? url : nullptr;
}

// "sqlite", and "postgres" when a server is given.
inline std::vector<std::string> Backends() {
  std::vector<std::string> backends = {"sqlite"};
  if (PostgresUrl() != nullptr) backends.push_back("postgres");
  return backends;
}

inline std::string UniqueName(std::string_view prefix) {
  static int counter = 0;
  std::random_device random;
  return std::string(prefix) + std::to_string(getpid()) + "_" + std::to_string(++counter) + "_" +
         std::to_string(random() % 1000000);
}

class TestDatabase {
 public:
  explicit TestDatabase(const std::string& backend) {
    if (backend == "postgres") {
      url_ = PostgresUrl();
      schema_ = UniqueName("spode_t_");
    } else {
      path_ = std::filesystem::temp_directory_path() / (UniqueName("spode_t_") + ".db");
      url_ = path_.string();
    }
    auto db = Connect();
    if (db.ok()) {
      db_ = std::move(*db);
    } else {
      status_ = db.status();
    }
  }
  ~TestDatabase() {
    if (db_ && !schema_.empty()) {
      db_->Rollback().IgnoreError();
      db_->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").IgnoreError();
    }
    db_.reset();
    if (!path_.empty()) {
      std::error_code ignored;
      // "-access-log*": the access log's own file beside a SQLite registry (access/gate.h).
      for (const char* suffix : {"", "-wal", "-shm", "-journal", ".key", "-access-log",
                                 "-access-log-wal", "-access-log-shm"}) {
        std::filesystem::remove(path_.string() + suffix, ignored);
      }
    }
  }

  // Another connection to the same database.
  Result<std::unique_ptr<Database>> Connect() const {
    ASSIGN_OR_RETURN(auto db, Open(url_));
    if (!schema_.empty()) {
      RETURN_IF_ERROR(db->ExecScript("CREATE SCHEMA IF NOT EXISTS " + schema_ +
                                     "; SET search_path TO " + schema_));
    }
    return db;
  }

  const Status& status() const { return status_; }
  Database& db() { return *db_; }
  // The SQLite file (empty for PostgreSQL).
  const std::filesystem::path& path() const { return path_; }
  bool is_postgres() const { return !schema_.empty(); }

 private:
  std::string url_, schema_;
  std::filesystem::path path_;
  std::unique_ptr<Database> db_;
  Status status_;
};

}  // namespace spode::storage::testing

#endif  // SPODE_STORAGE_TESTING_TEST_DATABASE_H_
