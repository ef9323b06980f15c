// The data the rules engine reads: a read-only, columnar view of households and their members.
//
// The registry keeps such a view in memory (registry/snapshot.h); tests build small ones
// (rules/testing/). The engine never queries a database row by row.
//
// Layout: households are rows 0..households()-1; members are rows 0..members()-1, grouped by
// household: the members of household h are rows member_begin(h) .. member_end(h)-1
// (offsets, households()+1 of them, non-decreasing). Each attribute is one typed Column.
//
// Missing values: a column may carry a validity vector (1 = present); without one every value
// is present. What a missing value means in an expression is defined in docs/rules.md.
//
// Thread-safety: a Frame is immutable while rules evaluate over it; many threads may read it.
#ifndef SPODE_RULES_FRAME_H_
#define SPODE_RULES_FRAME_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace spode::rules {

// The types of attribute values, as the type checker sees them.
enum class AttrKind {
  kBool,    // stored as uint8_t 0/1
  kInt,     // int64_t (or int32_t where every value fits: IntValues)
  kMoney,   // int64_t paise (CEL sees an int of paise), or int32_t as kInt
  kDate,    // int32_t days since 1970-01-01 (CEL sees a timestamp-like date), or uint16_t
            // days after a base day (DateValues)
  kEnum,    // uint8_t code into `dictionary` (CEL sees a string)
  kString,  // offsets (uint32_t, size+1) into a byte buffer (CEL sees a string)
};

enum class Entity { kHousehold, kMember };

// One attribute of the schema: what a rule may name as `person.<name>` or `household.<name>`.
struct AttributeSchema {
  std::string name;
  Entity entity;
  AttrKind kind;
  std::vector<std::string> enum_values;  // kEnum: code i is enum_values[i]
};

// The attributes rules may read (from the registry's catalogue).
struct Schema {
  std::vector<AttributeSchema> attributes;
  const AttributeSchema* Find(Entity entity, std::string_view name) const {
    for (const AttributeSchema& a : attributes) {
      if (a.entity == entity && a.name == name) return &a;
    }
    return nullptr;
  }
};

// The values of an int, money or date column, at the width the data needs: `wide` (the type's
// full width), or, when every value fits, `narrow` holding each value minus `base`. Int and
// money columns narrow to int32 (base 0: Rs 2.1 crore in paise); dates to uint16 days after a
// base day (179 years, dates of birth in 2 bytes instead of 4). The columnar engine's kernels
// read whichever is set, so a frame with narrow columns streams less memory; indexing reads
// either, so a reader going row by row need not care.
//
// At most one of `wide` and `narrow` is non-empty (both empty: no rows); base + narrow[row]
// must fit in Wide (it does when the narrow values were made from Wide values by subtracting
// base). Assigning a span sets the wide values.
template <class Wide, class Narrow>
struct ColumnValues {
  std::span<const Wide> wide;
  std::span<const Narrow> narrow;
  Wide base = 0;  // with `narrow`: value = base + narrow[row]

  bool is_narrow() const { return !narrow.empty(); }
  size_t size() const { return is_narrow() ? narrow.size() : wide.size(); }
  bool empty() const { return size() == 0; }
  size_t size_bytes() const { return wide.size_bytes() + narrow.size_bytes(); }
  Wide operator[](size_t row) const {
    return is_narrow() ? static_cast<Wide>(base + static_cast<Wide>(narrow[row])) : wide[row];
  }
  ColumnValues& operator=(std::span<const Wide> values) {
    wide = values;
    narrow = {};
    base = 0;
    return *this;
  }
};
using IntValues = ColumnValues<int64_t, int32_t>;    // kInt, kMoney
using DateValues = ColumnValues<int32_t, uint16_t>;  // kDate: days since 1970-01-01

// A column's data. Exactly one of the typed spans is set, per `kind`.
struct Column {
  AttrKind kind;
  std::span<const uint8_t> bools;     // kBool
  IntValues ints;                     // kInt, kMoney
  DateValues dates;                   // kDate
  std::span<const uint8_t> codes;     // kEnum
  std::span<const uint32_t> offsets;  // kString: size()+1 offsets into bytes
  std::string_view bytes;             // kString
  std::span<const uint8_t> valid;     // empty: all present; else 1 present, 0 missing
  const std::vector<std::string>* dictionary = nullptr;  // kEnum

  bool present(size_t row) const { return valid.empty() || valid[row] != 0; }
  std::string_view string_at(size_t row) const {
    return bytes.substr(offsets[row], offsets[row + 1] - offsets[row]);
  }
};

class Frame {
 public:
  virtual ~Frame() = default;
  virtual const Schema& schema() const = 0;
  virtual size_t households() const = 0;
  virtual size_t members() const = 0;
  // households()+1 offsets into member rows.
  virtual std::span<const uint32_t> member_offsets() const = 0;
  // True when the frame guarantees that member_offsets() are non-decreasing (it builds them so,
  // or checked them once when it was built), for as long as it does not change. The columnar
  // engine then does not check them on every evaluation (a pass over 4 bytes per household);
  // a frame that says so wrongly can make it read and write out of bounds.
  virtual bool member_offsets_ordered() const { return false; }
  // Empty, or households() one-byte member counts with member_counts()[h] ==
  // member_offsets()[h + 1] - member_offsets()[h] for every h, guaranteed by the frame as it
  // builds them (so only a frame whose every household has at most 255 members gives them).
  // With ordered offsets the columnar engine then reads a byte per household instead of the
  // four of an offset (at 10M households, 10 MB instead of 40 per evaluation); a frame that
  // gives counts that disagree with its offsets can make it read and write out of bounds.
  virtual std::span<const uint8_t> member_counts() const { return {}; }
  // For each member row, its household row.
  virtual std::span<const uint32_t> member_household() const = 0;
  // nullptr when the frame has no such attribute.
  virtual const Column* column(Entity entity, std::string_view name) const = 0;
  // Household rows that count (1) or are stale copies kept until the next rebuild (0); empty
  // when every row counts. Results for stale rows are ignored by callers.
  virtual std::span<const uint8_t> household_live() const { return {}; }

  size_t member_begin(size_t h) const { return member_offsets()[h]; }
  size_t member_end(size_t h) const { return member_offsets()[h + 1]; }
};

}  // namespace spode::rules

#endif  // SPODE_RULES_FRAME_H_
