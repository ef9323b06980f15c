// TableFrame: an in-memory Frame built from rows, for tests, fuzzing and examples (header-only;
// not part of the library).
//
//   TableFrame frame(schema);
//   size_t h = frame.AddHousehold({{"income_annual", 9'000'000}, {"ration_card", "BPL"}},
//                                 {{{"dob", "1958-03-01"}, {"sex", "F"}},   // member 0
//                                  {{"sex", "M"}}});                        // dob missing
//   size_t widow = frame.member_row(h, 0);
//
// A row lists attribute values by name; an attribute not listed (or Cell::Missing()) is
// missing. Values: bool for kBool; an integer for kInt and kMoney (paise); a Date or
// "YYYY-MM-DD" for kDate; a string for kEnum (one of its values) and kString. A column with no
// missing value has no validity vector, as a real snapshot would. With `narrow`, int, money and
// date columns are stored narrow where every value fits (rules/frame.h ColumnValues), as the
// registry's Snapshot stores them: ints as int32, dates as uint16 days after the column's least
// date (a base the tests do not choose, unlike the Snapshot's fixed one).
//
// A row naming an attribute the schema lacks, or a value of the wrong kind, is a bug in the
// test: it prints what is wrong and aborts.
//
// Thread-safety: not thread-safe while households are added; a read-only Frame afterwards.
#ifndef SPODE_RULES_TESTING_TABLE_FRAME_H_
#define SPODE_RULES_TESTING_TABLE_FRAME_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "common/date.h"
#include "rules/frame.h"

namespace spode::rules::testing {

class Cell {
 public:
  Cell() = default;                                      // missing
  Cell(bool b) : data_(b) {}                             // NOLINT: implicit by design
  Cell(int i) : data_(int64_t{i}) {}                     // NOLINT
  Cell(long i) : data_(static_cast<int64_t>(i)) {}       // NOLINT
  Cell(long long i) : data_(static_cast<int64_t>(i)) {}  // NOLINT
  Cell(const char* s) : data_(std::string(s)) {}         // NOLINT
  Cell(std::string s) : data_(std::move(s)) {}           // NOLINT
  Cell(Date d) : data_(d) {}                             // NOLINT
  static Cell Missing() { return Cell(); }

  bool missing() const { return std::holds_alternative<std::monostate>(data_); }
  const std::variant<std::monostate, bool, int64_t, std::string, Date>& data() const {
    return data_;
  }

 private:
  std::variant<std::monostate, bool, int64_t, std::string, Date> data_;
};

using Row = std::vector<std::pair<std::string, Cell>>;

class TableFrame final : public Frame {
 public:
  explicit TableFrame(Schema schema, bool narrow = false)
      : schema_(std::move(schema)), narrow_(narrow) {
    storage_.resize(schema_.attributes.size());
    columns_.resize(schema_.attributes.size());
    Refresh();
  }
  TableFrame(const TableFrame&) = delete;
  TableFrame& operator=(const TableFrame&) = delete;

  // Appends a household and its members; returns the household's row.
  size_t AddHousehold(const Row& household, const std::vector<Row>& members = {}) {
    size_t h = offsets_.size() - 1;
    AppendRow(Entity::kHousehold, household);
    for (const Row& m : members) {
      AppendRow(Entity::kMember, m);
      member_household_.push_back(static_cast<uint32_t>(h));
    }
    offsets_.push_back(static_cast<uint32_t>(member_household_.size()));
    counts_fit_ = counts_fit_ && members.size() <= 255;
    counts_.push_back(static_cast<uint8_t>(std::min<size_t>(members.size(), 255)));
    Refresh();
    return h;
  }

  // The row of the i-th member (0-based) of household h.
  size_t member_row(size_t h, size_t i) const { return offsets_[h] + i; }

  const Schema& schema() const override { return schema_; }
  size_t households() const override { return offsets_.size() - 1; }
  size_t members() const override { return member_household_.size(); }
  std::span<const uint32_t> member_offsets() const override { return offsets_; }
  // AddHousehold appends each offset as the member count so far, so they are ordered; a test
  // may have the frame not say so (the engine then checks them).
  bool member_offsets_ordered() const override { return says_offsets_ordered_; }
  void set_says_offsets_ordered(bool says) { says_offsets_ordered_ = says; }
  // Built beside the offsets as households are added; given (as a Snapshot does) while every
  // household has at most 255 members, unless a test turns them off.
  std::span<const uint8_t> member_counts() const override {
    return gives_counts_ && counts_fit_ ? std::span<const uint8_t>(counts_)
                                        : std::span<const uint8_t>();
  }
  void set_gives_member_counts(bool gives) { gives_counts_ = gives; }
  std::span<const uint32_t> member_household() const override { return member_household_; }
  const Column* column(Entity entity, std::string_view name) const override {
    for (size_t i = 0; i < schema_.attributes.size(); ++i) {
      if (schema_.attributes[i].entity == entity && schema_.attributes[i].name == name) {
        return &columns_[i];
      }
    }
    return nullptr;
  }

 private:
  struct Storage {
    std::vector<uint8_t> u8;              // kBool values, kEnum codes
    std::vector<int64_t> i64;             // kInt, kMoney
    std::vector<int32_t> i32;             // kDate
    std::vector<int32_t> narrow_ints;     // kInt, kMoney, narrow
    std::vector<uint16_t> narrow_days;    // kDate, narrow: i32 - narrow_base
    int32_t narrow_base = 0;
    std::vector<uint32_t> offsets = {0};  // kString
    std::string bytes;                    // kString
    std::vector<uint8_t> valid;
    bool any_missing = false;
  };

  [[noreturn]] static void Fail(const std::string& what) {
    std::fprintf(stderr, "TableFrame: %s\n", what.c_str());
    std::abort();
  }

  void AppendRow(Entity entity, const Row& row) {
    for (const auto& [name, cell] : row) {
      if (schema_.Find(entity, name) == nullptr) {
        Fail(std::string(entity == Entity::kHousehold ? "household" : "member") + " attribute '" +
             name + "' is not in the schema");
      }
    }
    for (size_t i = 0; i < schema_.attributes.size(); ++i) {
      const AttributeSchema& a = schema_.attributes[i];
      if (a.entity != entity) continue;
      const Cell* cell = nullptr;
      for (const auto& [name, c] : row) {
        if (name == a.name) cell = &c;
      }
      Append(a, &storage_[i], cell == nullptr || cell->missing() ? nullptr : cell);
    }
  }

  static void Append(const AttributeSchema& a, Storage* s, const Cell* cell) {
    s->valid.push_back(cell != nullptr);
    if (cell == nullptr) s->any_missing = true;
    auto wrong = [&] { Fail("attribute '" + a.name + "' has a value of the wrong kind"); };
    static const Cell kMissing;
    const auto& d = (cell != nullptr ? *cell : kMissing).data();
    switch (a.kind) {
      case AttrKind::kBool:
        if (cell != nullptr && !std::holds_alternative<bool>(d)) wrong();
        s->u8.push_back(cell != nullptr && std::get<bool>(d));
        break;
      case AttrKind::kInt:
      case AttrKind::kMoney:
        if (cell != nullptr && !std::holds_alternative<int64_t>(d)) wrong();
        s->i64.push_back(cell != nullptr ? std::get<int64_t>(d) : 0);
        break;
      case AttrKind::kDate: {
        int32_t days = 0;
        if (cell != nullptr) {
          if (const auto* text = std::get_if<std::string>(&d)) {
            Result<Date> parsed = Date::Parse(*text);
            if (!parsed.ok()) Fail("attribute '" + a.name + "': " + parsed.status().message());
            days = parsed->days();
          } else if (const auto* date = std::get_if<Date>(&d)) {
            days = date->days();
          } else {
            wrong();
          }
        }
        s->i32.push_back(days);
        break;
      }
      case AttrKind::kEnum: {
        uint8_t code = 0;
        if (cell != nullptr) {
          const auto* text = std::get_if<std::string>(&d);
          if (text == nullptr) wrong();
          size_t k = 0;
          while (k < a.enum_values.size() && a.enum_values[k] != *text) ++k;
          if (k == a.enum_values.size()) Fail("'" + *text + "' is not a value of " + a.name);
          code = static_cast<uint8_t>(k);
        }
        s->u8.push_back(code);
        break;
      }
      case AttrKind::kString:
        if (cell != nullptr) {
          const auto* text = std::get_if<std::string>(&d);
          if (text == nullptr) wrong();
          s->bytes += *text;
        }
        s->offsets.push_back(static_cast<uint32_t>(s->bytes.size()));
        break;
    }
  }

  // Fills the narrow copies of s's values when every value fits (else leaves them empty).
  static void Narrow(AttrKind kind, Storage* s) {
    s->narrow_ints.clear();
    s->narrow_days.clear();
    if (kind == AttrKind::kInt || kind == AttrKind::kMoney) {
      for (int64_t v : s->i64) {
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
          return;
        }
      }
      s->narrow_ints.assign(s->i64.begin(), s->i64.end());
    } else if (kind == AttrKind::kDate && !s->i32.empty()) {
      const auto [lo, hi] = std::minmax_element(s->i32.begin(), s->i32.end());
      if (int64_t{*hi} - *lo > std::numeric_limits<uint16_t>::max()) return;
      s->narrow_base = *lo;
      for (int32_t d : s->i32) s->narrow_days.push_back(static_cast<uint16_t>(d - *lo));
    }
  }

  // Points every column's spans at the (possibly reallocated) storage.
  void Refresh() {
    for (size_t i = 0; i < schema_.attributes.size(); ++i) {
      const AttributeSchema& a = schema_.attributes[i];
      Storage& s = storage_[i];
      if (narrow_) Narrow(a.kind, &s);
      Column c;
      c.kind = a.kind;
      switch (a.kind) {
        case AttrKind::kBool:
          c.bools = s.u8;
          break;
        case AttrKind::kInt:
        case AttrKind::kMoney:
          c.ints = s.i64;
          if (!s.narrow_ints.empty()) {
            c.ints.wide = {};
            c.ints.narrow = s.narrow_ints;
          }
          break;
        case AttrKind::kDate:
          c.dates = s.i32;
          if (!s.narrow_days.empty()) {
            c.dates.wide = {};
            c.dates.narrow = s.narrow_days;
            c.dates.base = s.narrow_base;
          }
          break;
        case AttrKind::kEnum:
          c.codes = s.u8;
          c.dictionary = &a.enum_values;
          break;
        case AttrKind::kString:
          c.offsets = s.offsets;
          c.bytes = s.bytes;
          break;
      }
      if (s.any_missing) c.valid = s.valid;
      columns_[i] = c;
    }
  }

  Schema schema_;
  bool narrow_ = false;
  bool says_offsets_ordered_ = true;
  bool gives_counts_ = true, counts_fit_ = true;
  std::vector<uint8_t> counts_;
  std::vector<Storage> storage_;  // per schema attribute
  std::vector<Column> columns_;   // per schema attribute
  std::vector<uint32_t> offsets_ = {0};
  std::vector<uint32_t> member_household_;
};

}  // namespace spode::rules::testing

#endif  // SPODE_RULES_TESTING_TABLE_FRAME_H_
