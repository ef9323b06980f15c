#include "storage/sqlite/sqlite_database.h"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace spode::storage {
namespace {

Status FromSqlite(sqlite3* db, int rc, std::string_view what) {
  int ext = sqlite3_extended_errcode(db);
  std::string msg = std::string(what) + ": " + sqlite3_errmsg(db);
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(msg);
      }
      return FailedPreconditionError(msg);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
      return UnavailableError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(msg);
    case SQLITE_TOOBIG:
      return InvalidArgumentError(msg);
    default:
      return InternalError(msg);
  }
}

class SqliteStatement : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }

  void BindNull(int i) override { sqlite3_bind_null(stmt_, i); }
  void BindInt(int i, int64_t v) override { sqlite3_bind_int64(stmt_, i, v); }
  void BindDouble(int i, double v) override { sqlite3_bind_double(stmt_, i, v); }
  void BindText(int i, std::string_view v) override {
    sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
  void BindBlob(int i, std::string_view v) override {
    sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT);
  }

  Result<bool> Step() override {
    if (done_) return false;
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      done_ = true;
      changes_ = sqlite3_changes64(db_);
      return false;
    }
    Status s = FromSqlite(db_, rc, "SQLite step");
    sqlite3_reset(stmt_);
    return s;
  }
  int64_t Changes() const override { return changes_; }
  void Reset() override {
    sqlite3_reset(stmt_);
    done_ = false;
  }

  int ColumnCount() const override { return sqlite3_column_count(stmt_); }
  bool ColumnIsNull(int c) const override { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  int64_t ColumnInt(int c) const override { return sqlite3_column_int64(stmt_, c); }
  double ColumnDouble(int c) const override { return sqlite3_column_double(stmt_, c); }
  std::string_view ColumnText(int c) const override {
    const unsigned char* p = sqlite3_column_text(stmt_, c);
    if (p == nullptr) return {};
    return std::string_view(reinterpret_cast<const char*>(p),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, c)));
  }
  std::string ColumnBlob(int c) const override {
    const void* p = sqlite3_column_blob(stmt_, c);
    if (p == nullptr) return {};
    return std::string(static_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, c)));
  }
  Value ColumnValue(int c) const override {
    switch (sqlite3_column_type(stmt_, c)) {
      case SQLITE_NULL: return Null{};
      case SQLITE_INTEGER: return ColumnInt(c);
      case SQLITE_FLOAT: return ColumnDouble(c);
      case SQLITE_BLOB: return Blob{ColumnBlob(c)};
      default: return std::string(ColumnText(c));
    }
  }

  sqlite3_stmt* raw() { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool done_ = false;
  int64_t changes_ = 0;
};

// Waiting for another connection's write lock. SQLite's own busy handler (sqlite3_busy_timeout)
// sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 and then 100 ms between tries, so a writer that
// waits for another's transaction of a fraction of a millisecond (the access log's batch, the
// outbox dispatcher's) loses up to 100 ms, which shows as the tail latency of every request
// that writes. This one tries again every 100 microseconds for the first 20 ms, then every
// millisecond, until the timeout.
struct BusyWait {
  int timeout_ms = 0;
  std::chrono::steady_clock::time_point start;
};

int OnBusy(void* arg, int tries) {
  auto* wait = static_cast<BusyWait*>(arg);
  auto now = std::chrono::steady_clock::now();
  if (tries == 0) wait->start = now;
  if (now - wait->start >= std::chrono::milliseconds(wait->timeout_ms)) return 0;  // SQLITE_BUSY
  std::this_thread::sleep_for(tries < 200 ? std::chrono::microseconds(100)
                                          : std::chrono::microseconds(1000));
  return 1;
}

// Checkpoints of an SQLite file's write-ahead log, run on a thread of their own. SQLite's
// default runs one inside the COMMIT of whichever connection takes the log past 1,000 pages:
// the log's pages copied into the file and the file's fsync were added to that commit (0.2-1.2
// s after bench/payments' larger steps, docs/benchmarks.md). A connection here hands it to this
// thread instead (OnWalCommit), which checkpoints PASSIVE on a connection of its own: it copies
// what no reader still needs and never waits for a lock; the next writer then starts the log
// again from its first frame. A commit is as durable as before: its frames are in the synced
// log when COMMIT returns. The process's connections to one file share one, started on the
// first request and stopped with the last of them.
class Checkpointer {
 public:
  // The checkpointer of the file at `path`, shared.
  static std::shared_ptr<Checkpointer> For(const std::string& path) {
    const std::string key = KeyOf(path);
    std::lock_guard lock(RegistryMutex());
    std::weak_ptr<Checkpointer>& slot = Registry()[key];
    std::shared_ptr<Checkpointer> c = slot.lock();
    if (!c) {
      c = std::make_shared<Checkpointer>(key);
      slot = c;
    }
    return c;
  }
  // Checkpoints run so far by the checkpointer of `path`, if the process has one.
  static int64_t RunsFor(const std::string& path) {
    std::shared_ptr<Checkpointer> c = Find(path);
    return c ? c->runs_.load() : 0;
  }
  // Waits until the checkpointer of `path`, if the process has one, has run every checkpoint
  // asked of it so far.
  static void WaitFor(const std::string& path) {
    std::shared_ptr<Checkpointer> c = Find(path);
    if (!c) return;
    std::unique_lock lock(c->mu_);
    c->idle_.wait(lock, [&c] { return (!c->wanted_ && !c->running_) || c->failed_; });
  }

  explicit Checkpointer(std::string path) : path_(std::move(path)) {}
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();  // a checkpoint under way ends first
    std::lock_guard lock(RegistryMutex());
    auto it = Registry().find(path_);
    if (it != Registry().end() && it->second.expired()) Registry().erase(it);
  }

  // Asks for a checkpoint soon; false when this one cannot run any (no thread or connection to
  // be had), and the caller should checkpoint itself.
  bool Request() {
    std::lock_guard lock(mu_);
    if (failed_ || stopping_) return false;
    if (!thread_.joinable()) {
      try {
        thread_ = std::thread([this] { Run(); });
      } catch (const std::system_error&) {
        failed_ = true;
        return false;
      }
    }
    wanted_ = true;
    wake_.notify_one();
    return true;
  }

 private:
  // One checkpointer a file, however its path is spelled.
  static std::string KeyOf(const std::string& path) {
    std::error_code ec;
    std::string key = std::filesystem::weakly_canonical(path, ec).string();
    return ec || key.empty() ? path : key;
  }
  // The running checkpointer of `path`, if any.
  static std::shared_ptr<Checkpointer> Find(const std::string& path) {
    const std::string key = KeyOf(path);
    std::lock_guard lock(RegistryMutex());
    auto it = Registry().find(key);
    return it == Registry().end() ? nullptr : it->second.lock();
  }
  static std::mutex& RegistryMutex() {
    static std::mutex mu;
    return mu;
  }
  static std::map<std::string, std::weak_ptr<Checkpointer>>& Registry() {
    static auto* registry = new std::map<std::string, std::weak_ptr<Checkpointer>>();
    return *registry;
  }

  void Run() {
    sqlite3* db = nullptr;
    // synchronous=FULL: the log is synced before its pages are copied, and the file after.
    if (sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) {
      sqlite3_close_v2(db);
      std::lock_guard lock(mu_);
      failed_ = true;  // the connections checkpoint themselves from the next commit on
      idle_.notify_all();
      return;
    }
    std::unique_lock lock(mu_);
    while (true) {
      wake_.wait(lock, [this] { return wanted_ || stopping_; });
      // Stopping, a checkpoint still asked for is run first: the file may stay open in another
      // process (a server), whose own thread would take it up only after its next commit.
      if (stopping_ && !wanted_) break;
      wanted_ = false;
      running_ = true;
      lock.unlock();
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      runs_.fetch_add(1);
      lock.lock();
      running_ = false;
      if (!wanted_) idle_.notify_all();
    }
    lock.unlock();
    sqlite3_close_v2(db);
  }

  const std::string path_;
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  bool wanted_ = false, running_ = false, stopping_ = false, failed_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
  std::atomic<int64_t> runs_{0};
};

class SqliteDatabase : public Database {
 public:
  SqliteDatabase(sqlite3* db, std::string path, int busy_timeout_ms)
      : db_(db), path_(std::move(path)) {
    busy_.timeout_ms = busy_timeout_ms;
    sqlite3_busy_handler(db_, &OnBusy, &busy_);
  }
  ~SqliteDatabase() override {
    for (sqlite3_stmt* stmt : control_) sqlite3_finalize(stmt);
    statements_.clear();
    sqlite3_close_v2(db_);
    // checkpointer_ goes after the close: if its connection is the file's last, that close
    // checkpoints the rest of the log and removes it, as this one's would have.
  }

  // Leaves the checkpoints of a log of `pages` pages or more to the file's checkpointer, in
  // place of SQLite's own inside the commit. A later PRAGMA wal_autocheckpoint puts SQLite's
  // back on this connection.
  void CheckpointInBackground(std::shared_ptr<Checkpointer> checkpointer, int pages) {
    checkpointer_ = std::move(checkpointer);
    checkpoint_pages_ = std::max(pages, 1);
    sqlite3_wal_hook(db_, &OnWalCommit, this);
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string Describe() const override { return "sqlite:" + path_; }

  Status ExecScript(std::string_view sql) override {
    char* err = nullptr;
    std::string text(sql);
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Status s = FromSqlite(db_, rc, "SQLite");
      sqlite3_free(err);
      return s;
    }
    return OkStatus();
  }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return FromSqlite(db_, rc, "SQLite prepare");
    if (stmt == nullptr) return InternalError("SQLite prepare: empty statement");
    return std::unique_ptr<Statement>(new SqliteStatement(db_, stmt));
  }

  Status Begin() override { return Control(kBegin, "BEGIN IMMEDIATE"); }
  Status BeginRead() override { return Control(kBeginRead, "BEGIN DEFERRED"); }
  Status Commit() override { return Control(kCommit, "COMMIT"); }
  Status Rollback() override {
    if (sqlite3_get_autocommit(db_)) return OkStatus();
    return Control(kRollback, "ROLLBACK");
  }
  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  // The WAL index's header, as https://sqlite.org/walformat.html describes it for the unix VFS:
  // two copies of 48 bytes at the start of the first region of the -shm file, which every
  // connection of every process maps. A writer that commits writes the second copy, then,
  // after a memory barrier, the first; a reader reads the first, then the second, and trusts
  // them only if they agree, as SQLite's own readers do before they take a lock (walIndexTryHdr).
  // A commit moves the last frame (mxFrame) and the checksums; a checkpoint that starts the
  // log again changes the salts. So equal headers mean no commit in between.
  std::optional<CommitStamp> LastCommit() override {
    const uint32_t* header = WalIndexHeader();
    if (header == nullptr) return std::nullopt;
    // Copy `at` of the header: 12 words from word 12 * at.
    auto copy = [header](size_t at) {
      CommitStamp c;
      for (size_t i = 0; i < c.words.size(); ++i) {
        c.words[i] = std::atomic_ref(const_cast<uint32_t&>(header[at * c.words.size() + i]))
                         .load(std::memory_order_relaxed);
      }
      return c;
    };
    const CommitStamp first = copy(0);
    std::atomic_thread_fence(std::memory_order_acquire);
    const CommitStamp second = copy(1);
    if (first != second) return std::nullopt;  // a commit is being published: ask the database
    // iVersion (word 0) is 3007000; isInit, the byte at offset 12, is set once the index is built.
    const auto* bytes = reinterpret_cast<const unsigned char*>(first.words.data());
    if (first.words[0] != kWalIndexVersion || bytes[12] == 0) return std::nullopt;
    return first;
  }

  // Rows go in groups of up to kRowsPerStatement through one multi-row INSERT (fewer statement
  // executions), the remainder through a statement of its own size.
  Status BulkInsert(std::string_view table, std::span<const std::string> columns,
                    const RowBuffer& rows) override {
    if (rows.empty()) return OkStatus();
    const int ncols = rows.columns();
    const size_t per_statement = std::max<size_t>(
        1, std::min<size_t>(kRowsPerStatement, 32000 / static_cast<size_t>(ncols)));
    size_t r = 0;
    while (r < rows.rows()) {
      size_t n = std::min(per_statement, rows.rows() - r);
      ASSIGN_OR_RETURN(sqlite3_stmt * raw, InsertStatement(table, columns, n));
      int p = 1;
      for (size_t k = 0; k < n; ++k, ++r) {
        for (int c = 0; c < ncols; ++c, ++p) {
          const RowBuffer::Cell& cell = rows.cell(r, c);
          switch (cell.kind) {
            case RowBuffer::Kind::kNull: sqlite3_bind_null(raw, p); break;
            case RowBuffer::Kind::kInt: sqlite3_bind_int64(raw, p, cell.number); break;
            case RowBuffer::Kind::kDouble: sqlite3_bind_double(raw, p, rows.AsDouble(cell)); break;
            case RowBuffer::Kind::kText: {
              std::string_view v = rows.bytes(cell);
              sqlite3_bind_text64(raw, p, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
              break;
            }
            case RowBuffer::Kind::kBlob: {
              std::string_view v = rows.bytes(cell);
              sqlite3_bind_blob64(raw, p, v.data(), v.size(), SQLITE_STATIC);
              break;
            }
          }
        }
      }
      int rc = sqlite3_step(raw);
      sqlite3_reset(raw);
      sqlite3_clear_bindings(raw);
      if (rc != SQLITE_DONE) return FromSqlite(db_, rc, "SQLite insert into " + std::string(table));
    }
    return OkStatus();
  }

 private:
  static constexpr size_t kRowsPerStatement = 64;

  // Every request begins and ends a transaction: those statements are prepared once per
  // connection, where sqlite3_exec would parse them every time.
  enum ControlStatement { kBegin, kBeginRead, kCommit, kRollback, kControlStatements };
  Status Control(ControlStatement which, const char* sql) {
    sqlite3_stmt*& stmt = control_[which];
    if (stmt == nullptr) {
      int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) {
        stmt = nullptr;
        return FromSqlite(db_, rc, "SQLite prepare");
      }
    }
    int rc = sqlite3_step(stmt);
    Status s = rc == SQLITE_DONE ? OkStatus() : FromSqlite(db_, rc, "SQLite");
    sqlite3_reset(stmt);
    return s;
  }
  std::array<sqlite3_stmt*, kControlStatements> control_{};

  // The WAL index's header (LastCommit), found once: the first region of this connection's
  // shared memory, through the VFS's xShmMap without growing it. It stays mapped while the
  // connection is open and in WAL mode, which spode's connections never leave. Null when the
  // file is not in WAL mode, or its lock mode keeps the index in the heap (EXCLUSIVE), or the
  // VFS has no shared memory.
  static constexpr uint32_t kWalIndexVersion = 3007000;
  const uint32_t* WalIndexHeader() {
    if (wal_index_probed_) return wal_index_;
    wal_index_probed_ = true;
    // The first column of the first row of `sql` as text; empty when there is none.
    auto text_of = [this](std::string_view sql) -> std::string {
      Result<std::unique_ptr<Statement>> stmt = Prepare(sql);
      if (!stmt.ok()) return "";
      Result<bool> row = (*stmt)->Step();
      return row.ok() && *row ? std::string((*stmt)->ColumnText(0)) : "";
    };
    if (text_of("PRAGMA journal_mode") != "wal" || text_of("PRAGMA locking_mode") != "normal") {
      return nullptr;
    }
    // A read opens the connection's WAL and maps its index, so that xShmMap finds the mapping
    // SQLite made rather than making one.
    if (text_of("SELECT COUNT(*) FROM sqlite_schema").empty()) return nullptr;
    sqlite3_file* file = nullptr;
    if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
        file == nullptr || file->pMethods == nullptr || file->pMethods->iVersion < 2 ||
        file->pMethods->xShmMap == nullptr) {
      return nullptr;
    }
    void volatile* region = nullptr;
    if (file->pMethods->xShmMap(file, 0, 32 * 1024, 0, &region) != SQLITE_OK ||
        region == nullptr) {
      return nullptr;
    }
    wal_index_ = const_cast<const uint32_t*>(static_cast<volatile uint32_t*>(region));
    return wal_index_;
  }
  bool wal_index_probed_ = false;
  const uint32_t* wal_index_ = nullptr;

  // A cached INSERT of `n` rows.
  Result<sqlite3_stmt*> InsertStatement(std::string_view table,
                                        std::span<const std::string> columns, size_t n) {
    std::string key = std::string(table) + "#" + std::to_string(n);
    for (const std::string& c : columns) key += "," + c;
    auto& cached = statements_[key];
    if (!cached) {
      std::string sql = "INSERT INTO " + std::string(table) + " (";
      for (size_t i = 0; i < columns.size(); ++i) {
        if (i) sql += ", ";
        sql += columns[i];
      }
      sql += ") VALUES ";
      std::string one = "(";
      for (size_t i = 0; i < columns.size(); ++i) one += i ? ", ?" : "?";
      one += ")";
      for (size_t k = 0; k < n; ++k) {
        if (k) sql += ", ";
        sql += one;
      }
      ASSIGN_OR_RETURN(cached, Prepare(sql));
    }
    return static_cast<SqliteStatement*>(cached.get())->raw();
  }

  // After each commit, with the log's size in pages (sqlite3_wal_hook).
  static int OnWalCommit(void* self, sqlite3* db, const char* schema, int pages) {
    auto* me = static_cast<SqliteDatabase*>(self);
    if (pages < me->checkpoint_pages_) return SQLITE_OK;
    if (me->checkpointer_ && me->checkpointer_->Request()) return SQLITE_OK;
    // As SQLite's own hook does, here.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return SQLITE_OK;
  }

  sqlite3* db_;
  std::string path_;
  BusyWait busy_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> statements_;
  std::shared_ptr<Checkpointer> checkpointer_;
  int checkpoint_pages_ = 1000;
};

}  // namespace

int64_t BackgroundCheckpointsOf(const std::string& path) { return Checkpointer::RunsFor(path); }

void WaitForBackgroundCheckpoints(const std::string& path) { Checkpointer::WaitFor(path); }

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const OpenOptions& options) {
  // Once per process, before the first connection: no global memory statistics (a mutex every
  // allocation of every connection would take).
  static const int configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize();
  }();
  (void)configured;
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (options.create) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close_v2(db);
    return UnavailableError("cannot open SQLite database " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db, 1);
  auto database = std::make_unique<SqliteDatabase>(db, path, options.busy_timeout_ms);
  // Durable by default: WAL with synchronous=FULL fsyncs the log at every commit.
  // A memory map only when asked (OpenOptions::mmap_bytes). SQLite unmaps a connection's whole
  // map whenever another connection has committed since its last read (sqlite3PagerSharedLock),
  // and a writer's growing file is remapped: the map made generating a million payment
  // instructions 18% slower (6.4 s against 7.6-7.8 s), but a server's household reads, whose
  // file nothing else writes often (the access log has its own, access/gate.h), 40% faster
  // (docs/benchmarks.md).
  Status s = database->ExecScript(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
      "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536; PRAGMA mmap_size=" +
      std::to_string(std::max<int64_t>(options.mmap_bytes, 0)) + ";");
  if (!s.ok()) return s.WithContext("configuring " + path);
  // A file (not ":memory:", not a URI) has its log checkpointed in the background. The hook is
  // called only on commits to a log, and the thread starts at the first, so a file that could
  // not enter WAL mode costs nothing.
  if (options.checkpoint_pages > 0) {
    if (std::optional<std::string> file = SqliteFilePath(*database)) {
      database->CheckpointInBackground(Checkpointer::For(*file), options.checkpoint_pages);
    }
  }
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace spode::storage
