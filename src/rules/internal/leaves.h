// Leaf kernels of the columnar engine (rules/columnar.cc): the true rows of a simple predicate
// over one column, 64 rows to a word, for the fused && of a rule whose result only needs its
// true rows (a scheme's eligibility, a rule's result, the operands of such an && or ||).
//
// A leaf is a column of the batch's domain and a set of values: int32, int64 or uint16 values
// (days or ints, at the width the column stores them: rules/frame.h ColumnValues) within at most
// two inclusive ranges (age_years(x) >= 60 becomes a range of days of birth, x <= k a range of
// ints), bytes that are nonzero or zero (a bool, its negation), or enum codes in a table; a row
// is true iff its value is in the set and it is present (validity byte nonzero, when the column
// has validity bytes).
//
// AndLeaves ANDs the leaves into a mask a leaf at a time over the batch's words, each leaf's loop
// with its kernel inlined (a batch's columns stay in the L2 cache between the leaves; a word whose
// mask is already 0 reads nothing more); LeafWords computes one leaf's words. Both come in a
// plain SSE2 build and an AVX2 build (16 uint16, 8 int32 or 4 int64 compares per instruction),
// chosen at run time: `avx2` true only when the CPU has AVX2 (HasAvx2()). Private to rules/.
#ifndef SPODE_RULES_INTERNAL_LEAVES_H_
#define SPODE_RULES_INTERNAL_LEAVES_H_

#include <cstddef>
#include <cstdint>

namespace spode::rules::internal {

enum class LeafKind : uint8_t {
  kNever,         // no row is true (a missing column, a comparison with an error)
  kInt32,         // int32 in range 0 or range 1 (days; ints stored narrow)
  kInt64,         // int64 in range 0 or range 1 (ints)
  kUint16,        // uint16 in range 0 or range 1 (days stored narrow, after a base day)
  kBytesNonzero,  // uint8 != 0
  kBytesZero,     // uint8 == 0
  kCodes,         // uint8 code with table[code] != 0
};

struct Leaf {
  LeafKind kind = LeafKind::kNever;
  const void* data = nullptr;      // the column at the batch's first row
  const uint8_t* valid = nullptr;  // nullptr: every row present
  // kInt32, kInt64, kUint16: 1 or 2 ranges [lo, hi] (lo <= hi), kept as the bias and limit of
  // one unsigned compare: x is in range r iff (unsigned)(x - lo[r]) <= (unsigned)(hi[r] - lo[r]).
  // The ranges are added in the column's values; a column stored as value - `base` (a narrow
  // one) has them moved by Finish, which also drops what the stored type cannot hold.
  int ranges = 0;
  int64_t lo[2] = {0, 0}, hi[2] = {0, 0};
  int64_t base = 0;  // kInt32, kUint16: the stored numbers are value - base
  // kCodes: which codes are true; `codes` lists them when there are at most 4 (compares instead
  // of a table look-up), `count` is how many there are.
  uint8_t table[256] = {};
  uint8_t codes[4] = {};
  int count = 0;
  // Set by Finish: the ranges as biases and limits (x + bias > limit, signed, iff x is outside).
  int16_t bias16[2] = {0, 0}, limit16[2] = {0, 0};
  int32_t bias32[2] = {0, 0}, limit32[2] = {0, 0};
  int64_t bias64[2] = {0, 0}, limit64[2] = {0, 0};

  // Adds [lo, hi] to a kInt32, kInt64 or kUint16 leaf (at most 2; an empty range adds nothing).
  void AddRange(int64_t low, int64_t high) {
    if (low > high) return;
    lo[ranges] = low;
    hi[ranges] = high;
    ++ranges;
  }
  // Finishes a range leaf (none: kNever) or a kCodes leaf after `table` is filled.
  void Finish();
};

// Whether this CPU has AVX2 (checked once).
bool HasAvx2();

// mask[w] &= the true rows of every leaf, for the n rows (Words(n) words; bits past n are
// cleared). With `also`: also_out[j][w] = the true rows of also[j] among the rows of the
// resulting mask[w] (0 where mask[w] is 0; the other rows' bits unspecified), computed while
// the batch's values are in the cache (a scheme's amount needs its condition on the eligible
// rows only).
void AndLeaves(const Leaf* leaves, size_t count, uint32_t n, uint64_t* mask, bool avx2,
               const Leaf* also = nullptr, size_t also_count = 0,
               uint64_t* const* also_out = nullptr);

// out[w] = the leaf's true rows among the rows of act (nullable: every row) in word w; the other
// rows' bits are unspecified (0 in a word without active rows). A word with few active rows is
// computed row by row.
void LeafWords(const Leaf& leaf, uint32_t n, const uint64_t* act, uint64_t* out, bool avx2);

// LeafWords of two leaves over the same column (a comparison's true rows and its false rows)
// in one pass: each value is brought into the cache once.
void LeafWordsPair(const Leaf& a, const Leaf& b, uint32_t n, const uint64_t* act, uint64_t* out_a,
                   uint64_t* out_b, bool avx2);

}  // namespace spode::rules::internal

#endif  // SPODE_RULES_INTERNAL_LEAVES_H_
