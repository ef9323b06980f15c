#include "storage/postgres/postgres_database.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"

namespace spode::storage {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat; stable across server versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kOidOid = 26;
constexpr Oid kFloat4Oid = 700;
constexpr Oid kFloat8Oid = 701;
constexpr Oid kNumericOid = 1700;

// COPY data is handed to libpq in chunks of about this size.
constexpr size_t kCopyChunkBytes = size_t{1} << 20;

// --- URLs -----------------------------------------------------------------------------------

// `url` without its password, both the "user:password@" form and a "password=" query
// parameter. Follows libpq's URI parsing: the user part ends at the first '@' before any '/'.
std::string RedactUrl(std::string_view url) {
  std::string out;
  size_t scheme_end = url.find("://");
  size_t authority = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  out.append(url.substr(0, authority));
  std::string_view rest = url.substr(authority);
  size_t at = rest.find_first_of("@/?");
  if (at != std::string_view::npos && rest[at] == '@') {
    std::string_view user = rest.substr(0, at);
    out.append(user.substr(0, user.find(':')));
    rest.remove_prefix(at);
  }
  size_t query = rest.find('?');
  out.append(rest.substr(0, query));
  if (query == std::string_view::npos) return out;
  std::string_view params = rest.substr(query + 1);
  char separator = '?';
  while (!params.empty()) {
    size_t amp = params.find('&');
    std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    if (param.starts_with("password=") || param == "password") continue;
    out += separator;
    out.append(param);
    separator = '&';
  }
  return out;
}

// The password in `url`, if any, so that it can be scrubbed from libpq's messages.
std::string UrlPassword(std::string_view url) {
  size_t scheme_end = url.find("://");
  std::string_view rest = url.substr(scheme_end == std::string_view::npos ? 0 : scheme_end + 3);
  size_t at = rest.find_first_of("@/?");
  if (at != std::string_view::npos && rest[at] == '@') {
    std::string_view user = rest.substr(0, at);
    size_t colon = user.find(':');
    if (colon != std::string_view::npos) return std::string(user.substr(colon + 1));
  }
  size_t pos = rest.find("password=");
  while (pos != std::string_view::npos) {
    if (pos > 0 && (rest[pos - 1] == '?' || rest[pos - 1] == '&')) {
      std::string_view value = rest.substr(pos + 9);
      return std::string(value.substr(0, value.find('&')));
    }
    pos = rest.find("password=", pos + 1);
  }
  return {};
}

std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(secret, pos)) != std::string::npos) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

std::string TrimTrailingSpace(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// --- Errors ---------------------------------------------------------------------------------

// Maps a failed result (or a failure without one: `result` may be null) to a Status.
Status FromPostgres(PGconn* conn, const PGresult* result, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  const char* sqlstate = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary != nullptr) {
    msg += primary;
    if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) {
      // A key's value can be a national ID; keep it out of messages that reach logs.
      msg += " (";
      msg += RedactNationalIds(detail);
      msg += ")";
    }
  } else {
    std::string text = result ? PQresultErrorMessage(result) : "";
    if (text.empty()) text = PQerrorMessage(conn);
    if (text.empty()) text = "no result from the server";
    msg += TrimTrailingSpace(std::move(text));
  }
  std::string_view code = sqlstate ? std::string_view(sqlstate) : std::string_view();
  if (!code.empty()) {
    msg += " [SQLSTATE ";
    msg.append(code);
    msg += "]";
  }

  // No result at all: libpq failed before the server answered (out of memory, a lost socket).
  if (PQstatus(conn) == CONNECTION_BAD || result == nullptr) {
    return UnavailableError(std::move(msg));
  }
  if (code == "23505") return AlreadyExistsError(std::move(msg));
  // Every other integrity constraint (foreign key, check, not null, exclusion), as on SQLite.
  if (code.starts_with("23")) return FailedPreconditionError(std::move(msg));
  if (code == "40001" || code == "40P01") return AbortedError(std::move(msg));
  // Connection exceptions; the server shutting down or not yet accepting connections; a lock
  // not available (NOWAIT, or a lock_timeout an operator set), like SQLite's SQLITE_BUSY.
  if (code.starts_with("08") || code == "57P01" || code == "57P02" || code == "57P03" ||
      code == "55P03") {
    return UnavailableError(std::move(msg));
  }
  if (code == "57014") return DeadlineExceededError(std::move(msg));
  if (code.starts_with("53")) return ResourceExhaustedError(std::move(msg));
  return InternalError(std::move(msg));
}

void LogNotice(void*, const char* message) {
  spdlog::warn("PostgreSQL: {}", TrimTrailingSpace(message));
}

// --- Values ---------------------------------------------------------------------------------

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 0;  // the server sends only hex digits
}

// Decodes bytea's text output: "\x" and hex digits (bytea_output=hex, set at connect), or the
// older escape format, which libpq decodes.
std::string DecodeBytea(std::string_view text) {
  std::string out;
  if (text.size() >= 2 && text[0] == '\\' && text[1] == 'x') {
    out.resize((text.size() - 2) / 2);
    for (size_t i = 0; i < out.size(); ++i) {
      int hi = HexDigit(text[2 + 2 * i]);
      int lo = HexDigit(text[3 + 2 * i]);
      out[i] = static_cast<char>((hi << 4) | lo);
    }
    return out;
  }
  size_t length = 0;
  std::string copy(text);
  unsigned char* bytes =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(copy.c_str()), &length);
  if (bytes == nullptr) return out;
  out.assign(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return out;
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// The shortest text that reads back as exactly `v` (float8in accepts it).
void AppendDouble(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "Infinity" : "-Infinity";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, end);
  }
}

// Appends `v` escaped for COPY's text format: backslash, tab, newline and carriage return are
// the only bytes that need it with the default delimiter.
void AppendCopyText(std::string& out, std::string_view v) {
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    char escaped;
    switch (v[i]) {
      case '\\':
        escaped = '\\';
        break;
      case '\t':
        escaped = 't';
        break;
      case '\n':
        escaped = 'n';
        break;
      case '\r':
        escaped = 'r';
        break;
      default:
        continue;
    }
    out.append(v.data() + start, i - start);
    out += '\\';
    out += escaped;
    start = i + 1;
  }
  out.append(v.data() + start, v.size() - start);
}

// Appends `bytes` as a bytea literal in COPY text: "\\x" then two hex digits a byte.
void AppendCopyBytea(std::string& out, std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\\\x";
  size_t at = out.size();
  out.resize(at + 2 * bytes.size());
  char* p = out.data() + at;
  for (unsigned char b : bytes) {
    *p++ = kHex[b >> 4];
    *p++ = kHex[b & 0xf];
  }
}

// Parses an integer the way SQLite converts text: leading digits, else 0.
int64_t ParseInt(std::string_view text) {
  int64_t out = 0;
  std::from_chars(text.data(), text.data() + text.size(), out);
  return out;
}

// Truncates toward zero and saturates at the int64 limits, as sqlite3_column_int64 does.
int64_t DoubleToInt(double v) {
  if (std::isnan(v)) return 0;
  if (v <= -0x1p63) return std::numeric_limits<int64_t>::min();
  if (v >= 0x1p63) return std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(v);
}

double ParseDouble(std::string_view text) {
  double out = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec == std::errc::result_out_of_range) {
    // Overflow: from_chars leaves `out` unchanged; strtod gives the right infinity or zero.
    return std::strtod(std::string(text).c_str(), nullptr);
  }
  return out;
}

// --- Connection -----------------------------------------------------------------------------

// The connection and per-connection state shared by the Database and its Statements, so that a
// Statement destroyed after its Database (Database::cache_ is destroyed after the derived
// object) never touches freed memory.
struct Connection {
  explicit Connection(PGconn* c) : conn(c) {}
  ~Connection() { PQfinish(conn); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends DEALLOCATE for statements destroyed since the last call. Only outside a
  // transaction, so that a failure here can never abort the caller's transaction.
  void DeallocateUnused() {
    if (unused_statements.empty() || PQtransactionStatus(conn) != PQTRANS_IDLE) return;
    std::string sql;
    for (const std::string& name : unused_statements) sql += "DEALLOCATE " + name + ";";
    PGresult* r = PQexec(conn, sql.c_str());
    PQclear(r);
    unused_statements.clear();
  }

  PGconn* conn;
  uint64_t next_statement = 0;
  std::vector<std::string> unused_statements;
};

class PostgresStatement : public Statement {
 public:
  PostgresStatement(std::shared_ptr<Connection> connection, std::string name, int params,
                    int columns)
      : connection_(std::move(connection)),
        name_(std::move(name)),
        values_(static_cast<size_t>(params)),
        is_null_(static_cast<size_t>(params), true),
        formats_(static_cast<size_t>(params), 0),
        columns_(columns) {}
  ~PostgresStatement() override {
    PQclear(result_);
    connection_->unused_statements.push_back(std::move(name_));
  }

  void BindNull(int i) override {
    if (!InRange(i)) return;
    is_null_[Slot(i)] = true;
  }
  void BindInt(int i, int64_t v) override {
    if (!InRange(i)) return;
    std::string& s = Set(i, 0);
    AppendInt(s, v);
  }
  void BindDouble(int i, double v) override {
    if (!InRange(i)) return;
    std::string& s = Set(i, 0);
    AppendDouble(s, v);
  }
  void BindText(int i, std::string_view v) override {
    if (!InRange(i)) return;
    Set(i, 0).append(v);
  }
  void BindBlob(int i, std::string_view v) override {
    if (!InRange(i)) return;
    Set(i, 1).append(v);
  }

  Result<bool> Step() override {
    if (done_) return false;
    if (result_ == nullptr) {
      RETURN_IF_ERROR(Execute());
    }
    ++row_;
    if (row_ < PQntuples(result_)) {
      decoded_.clear();
      return true;
    }
    done_ = true;
    return false;
  }
  int64_t Changes() const override { return changes_; }
  void Reset() override {
    PQclear(result_);
    result_ = nullptr;
    row_ = -1;
    done_ = false;
    decoded_.clear();
  }

  int ColumnCount() const override { return result_ ? PQnfields(result_) : columns_; }
  bool ColumnIsNull(int c) const override {
    return !OnRow(c) || PQgetisnull(result_, row_, c) != 0;
  }
  int64_t ColumnInt(int c) const override {
    if (ColumnIsNull(c)) return 0;
    std::string_view text = Raw(c);
    switch (PQftype(result_, c)) {
      case kBoolOid:
        return text == "t" ? 1 : 0;
      case kFloat4Oid:
      case kFloat8Oid:
        return DoubleToInt(ParseDouble(text));
      case kNumericOid: {
        int64_t v = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        return ec == std::errc() ? v : DoubleToInt(ParseDouble(text));
      }
      default:
        return ParseInt(text);
    }
  }
  double ColumnDouble(int c) const override {
    if (ColumnIsNull(c)) return 0;
    if (PQftype(result_, c) == kBoolOid) return Raw(c) == "t" ? 1 : 0;
    return ParseDouble(Raw(c));
  }
  std::string_view ColumnText(int c) const override {
    if (ColumnIsNull(c)) return {};
    switch (PQftype(result_, c)) {
      case kBoolOid:
        return Raw(c) == "t" ? "1" : "0";
      case kByteaOid:
        return Decoded(c);
      default:
        return Raw(c);
    }
  }
  std::string ColumnBlob(int c) const override {
    if (ColumnIsNull(c)) return {};
    if (PQftype(result_, c) == kByteaOid) return std::string(Decoded(c));
    return std::string(ColumnText(c));
  }
  Value ColumnValue(int c) const override {
    if (ColumnIsNull(c)) return Null{};
    switch (PQftype(result_, c)) {
      case kBoolOid:
      case kInt2Oid:
      case kInt4Oid:
      case kInt8Oid:
      case kOidOid:
        return ColumnInt(c);
      case kFloat4Oid:
      case kFloat8Oid:
        return ColumnDouble(c);
      case kNumericOid: {
        // SUM() of integers is numeric: keep it an integer, as SQLite does, when it is one.
        std::string_view text = Raw(c);
        int64_t v = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && ptr == text.data() + text.size()) return v;
        return ParseDouble(text);
      }
      case kByteaOid:
        return Blob{std::string(Decoded(c))};
      default:
        return std::string(Raw(c));
    }
  }

 private:
  bool InRange(int i) const { return i >= 1 && static_cast<size_t>(i) <= values_.size(); }
  static size_t Slot(int i) { return static_cast<size_t>(i - 1); }
  std::string& Set(int i, int format) {
    size_t k = Slot(i);
    is_null_[k] = false;
    formats_[k] = format;
    values_[k].clear();
    return values_[k];
  }

  Status Execute() {
    PGconn* conn = connection_->conn;
    size_t n = values_.size();
    std::vector<const char*> values(n);
    std::vector<int> lengths(n);
    for (size_t k = 0; k < n; ++k) {
      values[k] = is_null_[k] ? nullptr : values_[k].c_str();
      lengths[k] = static_cast<int>(values_[k].size());
    }
    result_ = PQexecPrepared(conn, name_.c_str(), static_cast<int>(n), values.data(),
                             lengths.data(), formats_.data(), 0);
    ExecStatusType status = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
    if (status == PGRES_EMPTY_QUERY) {
      Reset();
      return InternalError("PostgreSQL: empty statement");
    }
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      Status s = FromPostgres(conn, result_, "PostgreSQL");
      Reset();
      return s;
    }
    std::string_view tag = PQcmdStatus(result_);
    bool changes_rows = tag.starts_with("INSERT") || tag.starts_with("UPDATE") ||
                        tag.starts_with("DELETE") || tag.starts_with("MERGE");
    changes_ = changes_rows ? ParseInt(PQcmdTuples(result_)) : 0;
    return OkStatus();
  }

  bool OnRow(int c) const {
    return result_ != nullptr && row_ >= 0 && row_ < PQntuples(result_) && c >= 0 &&
           c < PQnfields(result_);
  }
  std::string_view Raw(int c) const {
    return std::string_view(PQgetvalue(result_, row_, c),
                            static_cast<size_t>(PQgetlength(result_, row_, c)));
  }
  // The decoded bytes of a bytea column, kept until the next Step or Reset.
  std::string_view Decoded(int c) const {
    if (decoded_.empty()) decoded_.resize(static_cast<size_t>(PQnfields(result_)));
    auto& slot = decoded_[static_cast<size_t>(c)];
    if (!slot) slot = DecodeBytea(Raw(c));
    return *slot;
  }

  std::shared_ptr<Connection> connection_;
  std::string name_;
  std::vector<std::string> values_;
  std::vector<bool> is_null_;
  std::vector<int> formats_;  // 0 text, 1 binary (blobs)
  int columns_;
  PGresult* result_ = nullptr;
  int row_ = -1;
  bool done_ = false;
  int64_t changes_ = 0;
  mutable std::vector<std::optional<std::string>> decoded_;
};

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::shared_ptr<Connection> connection, std::string description)
      : connection_(std::move(connection)), description_(std::move(description)) {}

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string Describe() const override { return description_; }

  Status ExecScript(std::string_view sql) override {
    std::string text(sql);
    PGresult* r = PQexec(conn(), text.c_str());
    Status s = CheckCommand(r, "PostgreSQL");
    PQclear(r);
    return s;
  }

  Result<std::unique_ptr<Statement>> Prepare(std::string_view sql) override {
    if (sql.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      return InternalError("PostgreSQL prepare: empty statement");
    }
    connection_->DeallocateUnused();
    std::string name = "spode_" + std::to_string(++connection_->next_statement);
    std::string text = internal::RewritePlaceholders(sql);
    PGresult* r = PQprepare(conn(), name.c_str(), text.c_str(), 0, nullptr);
    Status s = CheckCommand(r, "PostgreSQL prepare");
    PQclear(r);
    RETURN_IF_ERROR(s);
    // The server's count of parameters (unbound ones are sent as NULL, as SQLite does) and
    // of result columns.
    r = PQdescribePrepared(conn(), name.c_str());
    s = CheckCommand(r, "PostgreSQL describe");
    int params = s.ok() ? PQnparams(r) : 0;
    int columns = s.ok() ? PQnfields(r) : 0;
    PQclear(r);
    if (!s.ok()) {
      connection_->unused_statements.push_back(name);
      return s;
    }
    return std::unique_ptr<Statement>(
        new PostgresStatement(connection_, std::move(name), params, columns));
  }

  // PostgreSQL only warns about BEGIN inside a transaction and COMMIT outside one; SQLite
  // fails, and so do these.
  Status Begin() override {
    if (InTransaction()) return InternalError("PostgreSQL begin: a transaction is already open");
    return ExecScript("BEGIN");
  }
  Status Commit() override {
    if (!InTransaction()) {
      return PQstatus(conn()) == CONNECTION_BAD
                 ? UnavailableError("PostgreSQL commit: " +
                                    TrimTrailingSpace(PQerrorMessage(conn())))
                 : InternalError("PostgreSQL commit: no transaction is open");
    }
    PGresult* r = PQexec(conn(), "COMMIT");
    Status s = CheckCommand(r, "PostgreSQL commit");
    // COMMIT of a transaction in which a statement failed rolls back and reports success.
    if (s.ok() && std::string_view(PQcmdStatus(r)) == "ROLLBACK") {
      s = InternalError(
          "PostgreSQL commit: the transaction was rolled back because a statement in it failed");
    }
    PQclear(r);
    return s;
  }
  Status Rollback() override {
    if (!InTransaction()) return OkStatus();
    return ExecScript("ROLLBACK");
  }
  bool InTransaction() const override {
    PGTransactionStatusType tx = PQtransactionStatus(conn());
    return tx == PQTRANS_INTRANS || tx == PQTRANS_INERROR || tx == PQTRANS_ACTIVE;
  }

  Status BulkInsert(std::string_view table, std::span<const std::string> columns,
                    const RowBuffer& rows) override {
    if (rows.empty()) return OkStatus();
    if (static_cast<size_t>(rows.columns()) != columns.size()) {
      return InvalidArgumentError("bulk insert into " + std::string(table) + ": " +
                                  std::to_string(columns.size()) + " columns named, rows have " +
                                  std::to_string(rows.columns()));
    }
    std::string what = "PostgreSQL copy into " + std::string(table);
    std::string sql = "COPY " + std::string(table) + " (";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) sql += ", ";
      sql += columns[i];
    }
    sql += ") FROM STDIN";
    PGresult* r = PQexec(conn(), sql.c_str());
    if (r == nullptr || PQresultStatus(r) != PGRES_COPY_IN) {
      Status s = FromPostgres(conn(), r, what);
      PQclear(r);
      return s;
    }
    PQclear(r);

    std::string buffer;
    buffer.reserve(kCopyChunkBytes + 64 * 1024);
    int ncols = rows.columns();
    bool sent = true;
    for (size_t row = 0; row < rows.rows() && sent; ++row) {
      for (int c = 0; c < ncols; ++c) {
        if (c) buffer += '\t';
        const RowBuffer::Cell& cell = rows.cell(row, c);
        switch (cell.kind) {
          case RowBuffer::Kind::kNull:
            buffer += "\\N";
            break;
          case RowBuffer::Kind::kInt:
            AppendInt(buffer, cell.number);
            break;
          case RowBuffer::Kind::kDouble:
            AppendDouble(buffer, rows.AsDouble(cell));
            break;
          case RowBuffer::Kind::kText:
            AppendCopyText(buffer, rows.bytes(cell));
            break;
          case RowBuffer::Kind::kBlob:
            AppendCopyBytea(buffer, rows.bytes(cell));
            break;
        }
      }
      buffer += '\n';
      if (buffer.size() >= kCopyChunkBytes) {
        sent = PutCopyData(buffer);
        buffer.clear();
      }
    }
    if (sent && !buffer.empty()) sent = PutCopyData(buffer);
    if (!sent) return UnavailableError(what + ": " + TrimTrailingSpace(PQerrorMessage(conn())));
    if (PQputCopyEnd(conn(), nullptr) != 1) {
      return UnavailableError(what + ": " + TrimTrailingSpace(PQerrorMessage(conn())));
    }
    Status s;
    while ((r = PQgetResult(conn())) != nullptr) {
      if (s.ok() && PQresultStatus(r) != PGRES_COMMAND_OK) s = FromPostgres(conn(), r, what);
      PQclear(r);
    }
    return s;
  }

 private:
  PGconn* conn() const { return connection_->conn; }

  bool PutCopyData(const std::string& data) {
    return PQputCopyData(conn(), data.data(), static_cast<int>(data.size())) == 1;
  }

  Status CheckCommand(PGresult* r, std::string_view what) {
    if (r != nullptr) {
      switch (PQresultStatus(r)) {
        case PGRES_COMMAND_OK:
        case PGRES_TUPLES_OK:
        case PGRES_EMPTY_QUERY:
          return OkStatus();
        case PGRES_COPY_IN:
        case PGRES_COPY_OUT: {
          // COPY with STDIN/STDOUT belongs in BulkInsert; end it and report the misuse.
          if (PQresultStatus(r) == PGRES_COPY_IN) PQputCopyEnd(conn(), "not supported here");
          while (PGresult* rest = PQgetResult(conn())) PQclear(rest);
          return InternalError(std::string(what) +
                               ": COPY FROM STDIN/TO STDOUT is not supported "
                               "here; use BulkInsert");
        }
        default:
          break;
      }
    }
    return FromPostgres(conn(), r, what);
  }

  std::shared_ptr<Connection> connection_;
  std::string description_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const OpenOptions&) {
  std::string description = RedactUrl(url);
  // Defaults first: the URL's own settings (expanded from dbname) override them.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "spode", url.c_str(), nullptr};
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) return UnavailableError("cannot connect to " + description + ": no memory");
  auto connection = std::make_shared<Connection>(conn);
  if (PQstatus(conn) != CONNECTION_OK) {
    return UnavailableError("cannot connect to " + description + ": " +
                            Scrub(TrimTrailingSpace(PQerrorMessage(conn)), UrlPassword(url)));
  }
  PQsetNoticeProcessor(conn, LogNotice, nullptr);
  // Session settings the backend relies on: UTF-8 text, bytea as hex, floats printed exactly.
  // No lock_timeout: lock waits are left to the server (deadlocks are detected and reported
  // as ABORTED), so that a server waiting on ApplyMigrations' advisory lock does not give up.
  auto database = std::make_unique<PostgresDatabase>(std::move(connection), description);
  Status s = database->ExecScript(
      "SET client_min_messages = warning; SET client_encoding = 'UTF8'; "
      "SET bytea_output = 'hex'; SET extra_float_digits = 1");
  if (!s.ok()) return s.WithContext("configuring " + description);
  return std::unique_ptr<Database>(std::move(database));
}

}  // namespace spode::storage
