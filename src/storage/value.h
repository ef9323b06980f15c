// Values passed to and read from SQL, and RowBuffer, the compact row store used for bulk loads.
#ifndef SPODE_STORAGE_VALUE_H_
#define SPODE_STORAGE_VALUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace spode::storage {

// Bytes stored as a BLOB (SQLite) or BYTEA (PostgreSQL).
struct Blob {
  std::string bytes;
  friend bool operator==(const Blob&, const Blob&) = default;
};

struct Null {
  friend bool operator==(const Null&, const Null&) = default;
};

// One SQL value. Integers are 64-bit; money travels as integer paise.
using Value = std::variant<Null, int64_t, double, std::string, Blob>;

// Rows of typed cells appended column by column, without an allocation per cell.
//
//   RowBuffer rows(3);
//   rows.Int(id).Text(name).Null();   // one row of three columns
//   db.BulkInsert("members", {"member_idx", "name", "phone"}, rows);
//
// Not thread-safe. Strings and blobs are copied into an arena.
class RowBuffer {
 public:
  enum class Kind : uint8_t { kNull, kInt, kDouble, kText, kBlob };
  struct Cell {
    Kind kind;
    uint32_t size;   // text/blob length
    int64_t number;  // int value, double bits, or arena offset for text/blob
  };

  explicit RowBuffer(int columns) : columns_(columns) {}

  RowBuffer& Int(int64_t v) { cells_.push_back({Kind::kInt, 0, v}); return *this; }
  RowBuffer& Double(double v);
  RowBuffer& Text(std::string_view v) { return Bytes(Kind::kText, v); }
  RowBuffer& BlobBytes(std::string_view v) { return Bytes(Kind::kBlob, v); }
  RowBuffer& Null() { cells_.push_back({Kind::kNull, 0, 0}); return *this; }
  // An optional text: NULL when `v` is empty.
  RowBuffer& TextOrNull(std::string_view v) { return v.empty() ? Null() : Text(v); }
  RowBuffer& Add(const Value& v);

  // Room for `rows` more rows holding `bytes` more text and blob bytes in all, so that a buffer
  // whose size is known ahead is not grown by doubling (each growth a copy into fresh memory).
  void Reserve(size_t rows, size_t bytes) {
    cells_.reserve(cells_.size() + rows * static_cast<size_t>(columns_));
    arena_.reserve(arena_.size() + bytes);
  }

  int columns() const { return columns_; }
  size_t rows() const { return cells_.size() / static_cast<size_t>(columns_); }
  bool empty() const { return cells_.empty(); }
  void Clear() { cells_.clear(); arena_.clear(); }
  // Drops cells appended after the last complete row (used when a row is abandoned midway).
  void TruncateToRows(size_t rows) { cells_.resize(rows * static_cast<size_t>(columns_)); }

  const Cell& cell(size_t row, int column) const {
    return cells_[row * static_cast<size_t>(columns_) + static_cast<size_t>(column)];
  }
  std::string_view bytes(const Cell& c) const {
    return std::string_view(arena_).substr(static_cast<size_t>(c.number), c.size);
  }
  double AsDouble(const Cell& c) const;

 private:
  RowBuffer& Bytes(Kind kind, std::string_view v) {
    cells_.push_back({kind, static_cast<uint32_t>(v.size()), static_cast<int64_t>(arena_.size())});
    arena_.append(v);
    return *this;
  }
  int columns_;
  std::vector<Cell> cells_;
  std::string arena_;
};

}  // namespace spode::storage

#endif  // SPODE_STORAGE_VALUE_H_
