// Leaf kernels of the columnar engine (rules/columnar.cc): the true rows of a simple predicate
// over one column, 64 rows to a word, for the fused && of a rule whose result only needs its
// true rows (a scheme's eligibility, a rule's result, the operands of such an && or ||).
//
// A leaf is a column of the batch's domain and a set of values: int32 days or int64 ints within
// at most two inclusive ranges (age_years(x) >= 60 becomes a range of days of birth, x <= k a
// range of ints), bytes that are nonzero or zero (a bool, its negation), or enum codes in a
// table; a row is true iff its value is in the set and it is present (validity byte nonzero,
// when the column has validity bytes).
//
// AndLeaves ANDs the leaves into a mask word by word in one pass over the columns (a word whose
// mask is already 0 reads nothing more); LeafWords computes one leaf's words. Both come in a
// plain SSE2 build and an AVX2 build (8 int32 or 4 int64 compares per instruction), chosen at
// run time: `avx2` true only when the CPU has AVX2 (HasAvx2()). Private to rules/.
#ifndef SPODE_RULES_INTERNAL_LEAVES_H_
#define SPODE_RULES_INTERNAL_LEAVES_H_

#include <cstddef>
#include <cstdint>

namespace spode::rules::internal {

enum class LeafKind : uint8_t {
  kNever,         // no row is true (a missing column, a comparison with an error)
  kDays,          // int32 in range 0 or range 1
  kInts,          // int64 in range 0 or range 1
  kBytesNonzero,  // uint8 != 0
  kBytesZero,     // uint8 == 0
  kCodes,         // uint8 code with table[code] != 0
};

struct Leaf {
  LeafKind kind = LeafKind::kNever;
  const void* data = nullptr;      // the column at the batch's first row
  const uint8_t* valid = nullptr;  // nullptr: every row present
  // kDays, kInts: 1 or 2 ranges [lo, hi] (lo <= hi), kept as the bias and limit of one
  // unsigned compare: x is in range r iff (unsigned)(x - lo[r]) <= (unsigned)(hi[r] - lo[r]).
  int ranges = 0;
  int64_t lo[2] = {0, 0}, hi[2] = {0, 0};
  // kCodes: which codes are true; `codes` lists them when there are at most 4 (compares instead
  // of a table look-up), `count` is how many there are.
  uint8_t table[256] = {};
  uint8_t codes[4] = {};
  int count = 0;
  // Set by Finish: the ranges as biases and limits (x + bias > limit, signed, iff x is outside).
  int32_t bias32[2] = {0, 0}, limit32[2] = {0, 0};
  int64_t bias64[2] = {0, 0}, limit64[2] = {0, 0};

  // Adds [lo, hi] to a kDays or kInts leaf (at most 2; an empty range adds nothing).
  void AddRange(int64_t low, int64_t high) {
    if (low > high) return;
    lo[ranges] = low;
    hi[ranges] = high;
    ++ranges;
  }
  // Finishes a kDays/kInts leaf (none: kNever) or a kCodes leaf after `table` is filled.
  void Finish();
};

// Whether this CPU has AVX2 (checked once).
bool HasAvx2();

// mask[w] &= the true rows of every leaf, for the n rows (Words(n) words; bits past n are
// cleared).
void AndLeaves(const Leaf* leaves, size_t count, uint32_t n, uint64_t* mask, bool avx2);

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
