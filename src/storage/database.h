// Database: one interface over SQLite (the embedded default) and PostgreSQL (production).
//
//   ASSIGN_OR_RETURN(auto db, storage::Open("demo/spode.db"));          // or postgresql://...
//   ASSIGN_OR_RETURN(auto rows, db->Query("SELECT name FROM members WHERE member_idx = ?",
//                                         {int64_t{42}}));
//   {
//     ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(*db));
//     RETURN_IF_ERROR(db->Execute("UPDATE ...", {...}).status());
//     RETURN_IF_ERROR(tx.Commit());
//   }   // a transaction not committed is rolled back
//
// SQL is written once, with `?` placeholders, in the common subset of both dialects (SQLite
// 3.40 and PostgreSQL 15 both have RETURNING, ON CONFLICT, window functions). The PostgreSQL
// backend rewrites `?` to `$1, $2, ...`. Migrations may use the tokens listed in migrations.h
// for the few type names that differ.
//
// Errors: a unique-key violation is ALREADY_EXISTS; a foreign-key or check violation
// FAILED_PRECONDITION; a serialization failure or deadlock ABORTED (retry the transaction); a
// lost connection, a locked SQLite database after the busy timeout, or an unreachable server
// UNAVAILABLE; SQL errors INTERNAL (a bug in our SQL).
//
// Thread-safety: a Database is one connection. It is not thread-safe; give each thread its own
// (see Pool for servers). Statements belong to their Database and must not outlive it.
#ifndef SPODE_STORAGE_DATABASE_H_
#define SPODE_STORAGE_DATABASE_H_

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "storage/value.h"

namespace spode::storage {

enum class Dialect { kSqlite, kPostgres };

// A materialized result row.
class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<Null>(values_[i]); }
  // Integer value; 0 for NULL. A text column holding digits is converted.
  int64_t Int(size_t i) const;
  double Double(size_t i) const;
  // Text value; "" for NULL.
  const std::string& Text(size_t i) const;
  std::string BlobBytes(size_t i) const;
  const Value& value(size_t i) const { return values_[i]; }

 private:
  std::vector<Value> values_;
};

// A prepared statement. Bind parameters by 1-based index, then Step through rows.
class Statement {
 public:
  virtual ~Statement() = default;

  virtual void BindNull(int index) = 0;
  virtual void BindInt(int index, int64_t v) = 0;
  virtual void BindDouble(int index, double v) = 0;
  virtual void BindText(int index, std::string_view v) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  void Bind(int index, const Value& v);
  // Binds cell `column` of row `row` of `rows`, whatever its kind.
  void Bind(int index, const RowBuffer& rows, size_t row, int column);
  void BindAll(std::span<const Value> values);

  // Executes on the first call and advances to the next row on later calls. Returns true when a
  // row is available, false when done.
  virtual Result<bool> Step() = 0;
  // Rows changed by the last completed INSERT/UPDATE/DELETE.
  virtual int64_t Changes() const = 0;
  // Makes the statement ready to execute again; bindings are kept until overwritten.
  virtual void Reset() = 0;

  // Current row's columns, 0-based. Text and blob views stay valid until the next Step or Reset.
  virtual int ColumnCount() const = 0;
  virtual bool ColumnIsNull(int column) const = 0;
  virtual int64_t ColumnInt(int column) const = 0;
  virtual double ColumnDouble(int column) const = 0;
  virtual std::string_view ColumnText(int column) const = 0;
  virtual std::string ColumnBlob(int column) const = 0;
  // The current row's value with its stored type where the backend knows it.
  virtual Value ColumnValue(int column) const;
  Row CurrentRow() const;

  // Steps to completion and returns the number of changed rows; the statement is Reset after.
  Result<int64_t> Run();
};

struct OpenOptions {
  int busy_timeout_ms = 5000;
  // SQLite only: create the file if missing (default). PostgreSQL databases must exist.
  bool create = true;
  // SQLite only: read pages through a memory map of up to this many bytes (PRAGMA mmap_size;
  // SQLite's own limit is 2 GiB - 64 KiB), instead of a system call and a copy each. For
  // connections that mostly read (a server's requests); 0, the default, for batch writers.
  int64_t mmap_bytes = 0;
  // SQLite only: once a commit leaves the write-ahead log this many pages long or more (SQLite's
  // default, 4 MB at 4 KiB pages), its pages are copied back into the file by a thread of the
  // process's own, not inside that commit. 0: by the committing connection, as SQLite does.
  int checkpoint_pages = 1000;
};

// A stamp of a database's last commit, taken without a transaction or a lock (Database::
// LastCommit). Two stamps read from the same database are equal only if no connection, in any
// process, committed in between; they may differ without a commit (an SQLite checkpoint that
// starts its log again), which costs a caller a look at the database, never an answer.
struct CommitStamp {
  std::array<uint32_t, 12> words{};
  bool operator==(const CommitStamp&) const = default;
};

class Database {
 public:
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;
  // Where this database is, without secrets: "sqlite:demo/spode.db", "postgresql://h:5432/db".
  virtual std::string Describe() const = 0;

  // Runs one or more statements without parameters (DDL, PRAGMAs).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Prepares a statement with `?` placeholders.
  virtual Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) = 0;
  // A prepared statement cached by its SQL text and owned by this Database; Reset on return.
  // Every distinct text is kept for the connection's life: SQL passed here (and to Query,
  // QueryOne, Execute) must come from a fixed set, with values bound, never spliced in.
  Result<Statement*> Cached(std::string_view sql);
  // How many statements Cached holds (tests check that it stays small).
  size_t cached_statement_count() const { return cache_.size(); }

  virtual Status Begin() = 0;
  // A transaction that only reads: one consistent snapshot for several queries, without taking
  // SQLite's write lock (BEGIN DEFERRED). PostgreSQL: the same as Begin().
  virtual Status BeginRead() { return Begin(); }
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
  virtual bool InTransaction() const = 0;

  // The stamp of the last commit to this database by anyone, or nothing when it cannot be had:
  // then the caller asks the database itself. So a reader that keeps what it read can tell,
  // for a few nanoseconds, that nothing has changed since, without a read transaction (which
  // on SQLite takes a lock on the WAL index, a system call and a mutex that the server's
  // threads queue on). SQLite: a file in WAL mode, read from the WAL index's header (sqlite/
  // sqlite_database.cc). PostgreSQL and an in-memory SQLite database: nothing.
  virtual std::optional<CommitStamp> LastCommit() { return std::nullopt; }

  // Inserts every row of `rows` into `table` (columns in order), inside the caller's
  // transaction if one is open. SQLite: a prepared INSERT per row; PostgreSQL: COPY.
  virtual Status BulkInsert(std::string_view table, std::span<const std::string> columns,
                            const RowBuffer& rows) = 0;

  // Convenience: prepare (cached), bind, run.
  Result<std::vector<Row>> Query(std::string_view sql, std::initializer_list<Value> params = {});
  Result<std::vector<Row>> Query(std::string_view sql, std::span<const Value> params);
  Result<std::optional<Row>> QueryOne(std::string_view sql,
                                      std::initializer_list<Value> params = {});
  // Returns the number of changed rows.
  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params = {});
  // Runs an INSERT of one row written with a trailing " RETURNING <key>" and returns the new
  // row's key. On SQLite the INSERT runs without that clause and the key is last_insert_rowid(),
  // so the key must be the table's INTEGER PRIMARY KEY ({{pk}}): SQLite's RETURNING builds a
  // temporary table on every execution, several microseconds an insert.
  Result<int64_t> InsertReturningKey(std::string_view sql,
                                     std::initializer_list<Value> params = {});

 private:
  // Looked up by the SQL's view, without a copy of its text a call.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// Opens a database from a URL: "postgresql://..." or "postgres://..." for PostgreSQL (libpq
// connection URI), otherwise an SQLite file path ("sqlite:" prefix optional; ":memory:" for a
// private in-memory database).
Result<std::unique_ptr<Database>> Open(const std::string& url, const OpenOptions& options = {});

// The file on disk of a SQLite database (`db.Describe()` is "sqlite:<path>"), for opening other
// connections to it or files beside it; nothing for PostgreSQL, an in-memory database, a
// "file:" URI or a path that is not a regular file.
std::optional<std::string> SqliteFilePath(const Database& db);

bool IsPostgresUrl(std::string_view url);

// A transaction that rolls back unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Database& db);
  // A transaction whose inserted rows take their foreign keys from the parent rows it reads
  // itself, in the same transaction, as a bulk load does: the caller vouches for every
  // reference it writes. On SQLite the connection's foreign-key checks are off until the
  // transaction ends (committed, rolled back or destroyed), as `PRAGMA foreign_keys` can only
  // be set outside a transaction; they cost about half a microsecond a key a row. PostgreSQL
  // checks them as always. FAILED_PRECONDITION inside a transaction.
  static Result<Transaction> BeginWithoutForeignKeyChecks(Database& db);
  Transaction(Transaction&& other) noexcept
      : db_(other.db_), foreign_keys_off_(other.foreign_keys_off_) {
    other.db_ = nullptr;
    other.foreign_keys_off_ = nullptr;
  }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();
  Status Rollback();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  // Turns the foreign-key checks back on, once the transaction has ended, if it turned them off.
  Status RestoreForeignKeys();
  Database* db_;                          // null once ended
  Database* foreign_keys_off_ = nullptr;  // the connection whose checks it turned off
};

// Serialises work on `key` ("payments:old_age_pension") until the caller's open transaction
// ends: a second transaction asking for the same key waits. On PostgreSQL a transaction-scoped
// advisory lock; on SQLite nothing is needed, as a write transaction (BEGIN IMMEDIATE) already
// excludes every other writer. Take it first in the transaction, before reading the state the
// work depends on: a session whose client was killed mid-COMMIT can still commit a moment
// later, and the lock makes a resumed run wait for it and then see its work.
// FAILED_PRECONDITION outside a transaction.
Status LockForTransaction(Database& db, std::string_view key);

// After a statement that added or changed many of `table`'s rows: refreshes the planner's
// statistics of the table on PostgreSQL (ANALYZE; inside the caller's transaction they commit
// with its rows). Autovacuum would do it only a while later, and a query planned meanwhile on a
// table that was empty when last analyzed can read every row of a cycle for each look-up (a
// status file of 100,000 lines: 26 ms a query of 1,000 ids instead of 5). Nothing on SQLite,
// whose planner keeps no statistics unless asked. `table` is an identifier written in the code.
Status RefreshStatistics(Database& db, std::string_view table);

namespace internal {
// Rewrites `?` placeholders to `$1..$n`, leaving quoted strings, identifiers and comments alone.
std::string RewritePlaceholders(std::string_view sql);
}  // namespace internal

}  // namespace spode::storage

#endif  // SPODE_STORAGE_DATABASE_H_
