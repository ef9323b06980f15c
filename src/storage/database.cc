#include "storage/database.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <system_error>
#include <utility>

#include "storage/postgres/postgres_database.h"
#include "storage/sqlite/sqlite_database.h"

namespace spode::storage {

int64_t Row::Int(size_t i) const {
  const Value& v = values_[i];
  if (auto* p = std::get_if<int64_t>(&v)) return *p;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double Row::Double(size_t i) const {
  const Value& v = values_[i];
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  return 0;
}

const std::string& Row::Text(size_t i) const {
  static const std::string kEmpty;
  if (auto* s = std::get_if<std::string>(&values_[i])) return *s;
  return kEmpty;
}

std::string Row::BlobBytes(size_t i) const {
  if (auto* b = std::get_if<Blob>(&values_[i])) return b->bytes;
  if (auto* s = std::get_if<std::string>(&values_[i])) return *s;
  return {};
}

void Statement::Bind(int index, const Value& v) {
  struct Visitor {
    Statement* s;
    int i;
    void operator()(const Null&) { s->BindNull(i); }
    void operator()(int64_t x) { s->BindInt(i, x); }
    void operator()(double x) { s->BindDouble(i, x); }
    void operator()(const std::string& x) { s->BindText(i, x); }
    void operator()(const Blob& x) { s->BindBlob(i, x.bytes); }
  };
  std::visit(Visitor{this, index}, v);
}

void Statement::Bind(int index, const RowBuffer& rows, size_t row, int column) {
  const RowBuffer::Cell& c = rows.cell(row, column);
  switch (c.kind) {
    case RowBuffer::Kind::kNull: BindNull(index); break;
    case RowBuffer::Kind::kInt: BindInt(index, c.number); break;
    case RowBuffer::Kind::kDouble: BindDouble(index, rows.AsDouble(c)); break;
    case RowBuffer::Kind::kText: BindText(index, rows.bytes(c)); break;
    case RowBuffer::Kind::kBlob: BindBlob(index, rows.bytes(c)); break;
  }
}

void Statement::BindAll(std::span<const Value> values) {
  int i = 1;
  for (const Value& v : values) Bind(i++, v);
}

Value Statement::ColumnValue(int column) const {
  // Backends report text for every non-null value except where they know the type; callers use
  // Row's converting accessors.
  if (ColumnIsNull(column)) return Null{};
  return std::string(ColumnText(column));
}

Row Statement::CurrentRow() const {
  std::vector<Value> values;
  int n = ColumnCount();
  values.reserve(static_cast<size_t>(n));
  for (int c = 0; c < n; ++c) values.push_back(ColumnValue(c));
  return Row(std::move(values));
}

Result<int64_t> Statement::Run() {
  while (true) {
    auto step = Step();
    if (!step.ok()) {
      Reset();
      return step.status();
    }
    if (!*step) break;
  }
  int64_t changes = Changes();
  Reset();
  return changes;
}

Result<Statement*> Database::Cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  Statement* raw = stmt.get();
  cache_.emplace(std::string(sql), std::move(stmt));
  return raw;
}

Result<std::vector<Row>> Database::Query(std::string_view sql,
                                         std::initializer_list<Value> params) {
  return Query(sql, std::span<const Value>(params.begin(), params.size()));
}

Result<std::vector<Row>> Database::Query(std::string_view sql, std::span<const Value> params) {
  ASSIGN_OR_RETURN(Statement * stmt, Cached(sql));
  stmt->BindAll(params);
  std::vector<Row> rows;
  while (true) {
    auto step = stmt->Step();
    if (!step.ok()) {
      stmt->Reset();
      return step.status();
    }
    if (!*step) break;
    rows.push_back(stmt->CurrentRow());
  }
  stmt->Reset();
  return rows;
}

Result<std::optional<Row>> Database::QueryOne(std::string_view sql,
                                              std::initializer_list<Value> params) {
  ASSIGN_OR_RETURN(std::vector<Row> rows, Query(sql, params));
  if (rows.empty()) return std::optional<Row>();
  return std::optional<Row>(std::move(rows.front()));
}

Result<int64_t> Database::Execute(std::string_view sql, std::initializer_list<Value> params) {
  ASSIGN_OR_RETURN(Statement * stmt, Cached(sql));
  stmt->BindAll(std::span<const Value>(params.begin(), params.size()));
  return stmt->Run();
}

Result<int64_t> Database::InsertReturningKey(std::string_view sql,
                                             std::initializer_list<Value> params) {
  constexpr std::string_view kReturning = " RETURNING ";
  const size_t at = sql.rfind(kReturning);
  if (at == std::string_view::npos) {
    return InvalidArgumentError("InsertReturningKey: no RETURNING clause in " + std::string(sql));
  }
  if (dialect() != Dialect::kSqlite) {
    ASSIGN_OR_RETURN(auto row, QueryOne(sql, params));
    if (!row) return InternalError("InsertReturningKey: no row returned by " + std::string(sql));
    return row->Int(0);
  }
  ASSIGN_OR_RETURN(int64_t inserted, Execute(sql.substr(0, at), params));
  if (inserted != 1) {
    return InternalError("InsertReturningKey: " + std::to_string(inserted) +
                         " rows inserted by " + std::string(sql));
  }
  ASSIGN_OR_RETURN(auto key, QueryOne("SELECT last_insert_rowid()"));
  return key->Int(0);
}

bool IsPostgresUrl(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

Result<std::unique_ptr<Database>> Open(const std::string& url, const OpenOptions& options) {
  if (url.empty()) return InvalidArgumentError("no database given (--db PATH or postgresql://...)");
  if (IsPostgresUrl(url)) return OpenPostgres(url, options);
  std::string path = url.starts_with("sqlite:") ? url.substr(7) : url;
  return OpenSqlite(path, options);
}

std::optional<std::string> SqliteFilePath(const Database& db) {
  if (db.dialect() != Dialect::kSqlite) return std::nullopt;
  constexpr std::string_view kScheme = "sqlite:";
  std::string where = db.Describe();
  if (!where.starts_with(kScheme)) return std::nullopt;
  std::string path = where.substr(kScheme.size());
  std::error_code ec;
  if (path.empty() || path.front() == ':' || path.starts_with("file:") ||
      !std::filesystem::is_regular_file(path, ec)) {
    return std::nullopt;
  }
  return path;
}

Result<Transaction> Transaction::Begin(Database& db) {
  RETURN_IF_ERROR(db.Begin());
  return Transaction(&db);
}

Result<Transaction> Transaction::BeginWithoutForeignKeyChecks(Database& db) {
  if (db.InTransaction()) {
    return FailedPreconditionError(
        "foreign-key checks can be turned off only outside a transaction");
  }
  if (db.dialect() != Dialect::kSqlite) return Begin(db);
  RETURN_IF_ERROR(db.ExecScript("PRAGMA foreign_keys = OFF"));
  Transaction tx(nullptr);
  tx.foreign_keys_off_ = &db;  // from here on, its end turns them back on
  RETURN_IF_ERROR(db.Begin());
  tx.db_ = &db;
  return tx;
}

Status Transaction::RestoreForeignKeys() {
  Database* db = std::exchange(foreign_keys_off_, nullptr);
  return db != nullptr ? db->ExecScript("PRAGMA foreign_keys = ON") : OkStatus();
}

Transaction::~Transaction() {
  if (db_ != nullptr) db_->Rollback().IgnoreError();
  // After the end only: inside a transaction the PRAGMA does nothing. A connection whose checks
  // could not be turned back on has failed at the simplest statement there is; its next
  // statement will fail too.
  RestoreForeignKeys().IgnoreError();
}

Status Transaction::Commit() {
  if (db_ == nullptr) return FailedPreconditionError("transaction already finished");
  Database* db = std::exchange(db_, nullptr);
  Status s = db->Commit();
  if (!s.ok() && db->InTransaction()) db->Rollback().IgnoreError();
  Status restored = RestoreForeignKeys();
  return s.ok() ? restored : s;
}

Status Transaction::Rollback() {
  if (db_ == nullptr) return OkStatus();
  Status s = std::exchange(db_, nullptr)->Rollback();
  Status restored = RestoreForeignKeys();
  return s.ok() ? restored : s;
}

namespace internal {

std::string RewritePlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      size_t end = i + 1;
      while (end < sql.size()) {
        if (sql[end] == c) {
          if (end + 1 < sql.size() && sql[end + 1] == c) {
            end += 2;
            continue;
          }
          break;
        }
        ++end;
      }
      out.append(sql.substr(i, end + 1 - i));
      i = end + 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = sql.size();
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      size_t end = sql.find("*/", i + 2);
      end = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?') {
      out += '$';
      out += std::to_string(++n);
      ++i;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace internal
Status LockForTransaction(Database& db, std::string_view key) {
  if (!db.InTransaction()) {
    return FailedPreconditionError("LockForTransaction needs an open transaction");
  }
  if (db.dialect() != Dialect::kPostgres) return OkStatus();
  return db.Query("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", {std::string(key)})
      .status();
}

Status RefreshStatistics(Database& db, std::string_view table) {
  if (table.empty() || !std::all_of(table.begin(), table.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      })) {
    return InvalidArgumentError("RefreshStatistics: not a table name: '" + std::string(table) +
                                "'");
  }
  if (db.dialect() != Dialect::kPostgres) return OkStatus();
  return db.ExecScript("ANALYZE " + std::string(table));
}

}  // namespace spode::storage
