// The leaf kernels of the columnar engine (internal/leaves.h): the shared scalar parts here, the
// vector parts from internal/leaf_kernels.inc, built twice (SSE2 and AVX2).
#include <algorithm>
#include <cstring>
#include <limits>

#include "rules/internal/bits.h"
#include "rules/internal/leaves.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define SPODE_LEAF_X86 1
#else
#define SPODE_LEAF_X86 0
#endif

namespace spode::rules::internal {
namespace {

constexpr uint16_t kSign16 = 0x8000u;
constexpr uint32_t kSign32 = 0x80000000u;
constexpr uint64_t kSign64 = uint64_t{1} << 63;

inline bool InRanges32(const Leaf& l, int ranges, int32_t x) {
  bool in = false;
  for (int r = 0; r < ranges; ++r) {
    in |= (static_cast<uint32_t>(x) - static_cast<uint32_t>(l.lo[r])) <=
          (static_cast<uint32_t>(l.hi[r]) - static_cast<uint32_t>(l.lo[r]));
  }
  return in;
}

inline bool InRanges16(const Leaf& l, int ranges, uint16_t x) {
  bool in = false;
  for (int r = 0; r < ranges; ++r) {
    in |= static_cast<uint16_t>(x - static_cast<uint16_t>(l.lo[r])) <=
          static_cast<uint16_t>(l.hi[r] - l.lo[r]);
  }
  return in;
}

inline bool InRanges64(const Leaf& l, int ranges, int64_t x) {
  bool in = false;
  for (int r = 0; r < ranges; ++r) {
    in |= (static_cast<uint64_t>(x) - static_cast<uint64_t>(l.lo[r])) <=
          (static_cast<uint64_t>(l.hi[r]) - static_cast<uint64_t>(l.lo[r]));
  }
  return in;
}

inline uint64_t TableWord(const Leaf& l, const uint8_t* c, uint32_t lim) {
  uint64_t r = 0;
  for (uint32_t k = 0; k < lim; ++k) r |= static_cast<uint64_t>(l.table[c[k]] != 0) << k;
  return r;
}

// Is row i true?
inline bool RowTrue(const Leaf& l, size_t i) {
  bool t = false;
  switch (l.kind) {
    case LeafKind::kInt32:
      t = InRanges32(l, l.ranges, static_cast<const int32_t*>(l.data)[i]);
      break;
    case LeafKind::kInt64:
      t = InRanges64(l, l.ranges, static_cast<const int64_t*>(l.data)[i]);
      break;
    case LeafKind::kUint16:
      t = InRanges16(l, l.ranges, static_cast<const uint16_t*>(l.data)[i]);
      break;
    case LeafKind::kBytesNonzero:
      t = static_cast<const uint8_t*>(l.data)[i] != 0;
      break;
    case LeafKind::kBytesZero:
      t = static_cast<const uint8_t*>(l.data)[i] == 0;
      break;
    case LeafKind::kCodes:
      t = l.table[static_cast<const uint8_t*>(l.data)[i]] != 0;
      break;
    case LeafKind::kNever:
      break;
  }
  if (l.valid != nullptr) t &= l.valid[i] != 0;
  return t;
}

// The last word of a batch (lim < 64 rows), row by row.
inline uint64_t TailWord(const Leaf& l, size_t base, uint32_t lim) {
  uint64_t r = 0;
  for (uint32_t k = 0; k < lim; ++k) r |= static_cast<uint64_t>(RowTrue(l, base + k)) << k;
  return r;
}

// The rows of `active` (a word of few rows at `base`), row by row; 0 for the others.
inline uint64_t SparseWord(const Leaf& l, size_t base, uint64_t active) {
  uint64_t r = 0;
  for (; active != 0; active &= active - 1) {
    const int k = __builtin_ctzll(active);
    r |= static_cast<uint64_t>(RowTrue(l, base + static_cast<size_t>(k))) << k;
  }
  return r;
}

// Words with at most this many active rows are computed row by row (LeafWords): a leaf's
// values for an amount are needed only for the eligible rows, often a few in a word.
constexpr int kSparseRows = 6;

}  // namespace

void Leaf::Finish() {
  if (kind == LeafKind::kCodes) {
    count = 0;
    for (int c = 0; c < 256; ++c) {
      if (table[c] == 0) continue;
      if (count < 4) codes[count] = static_cast<uint8_t>(c);
      ++count;
    }
    if (count == 0) kind = LeafKind::kNever;
    return;
  }
  if (kind != LeafKind::kInt32 && kind != LeafKind::kInt64 && kind != LeafKind::kUint16) return;
  if (kind != LeafKind::kInt64) {
    // The stored numbers are value - base, of a type narrower than the ranges: keep the part of
    // each range the stored type can hold (a value outside it is not in the column), in stored
    // numbers. The stored type's bounds plus the base saturate at the int64 limits, so nothing
    // overflows whatever the base.
    const bool u16 = kind == LeafKind::kUint16;
    const int64_t min = u16 ? 0 : std::numeric_limits<int32_t>::min();
    const int64_t max =
        u16 ? std::numeric_limits<uint16_t>::max() : std::numeric_limits<int32_t>::max();
    auto plus_base = [&](int64_t x) {
      int64_t sum;
      if (!__builtin_add_overflow(base, x, &sum)) return sum;
      return base < 0 ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    };
    int keep = 0;
    for (int r = 0; r < ranges; ++r) {
      const int64_t low = std::max<int64_t>(lo[r], plus_base(min));
      const int64_t high = std::min<int64_t>(hi[r], plus_base(max));
      if (low > high) continue;
      lo[keep] = low - base;
      hi[keep] = high - base;
      ++keep;
    }
    ranges = keep;
    base = 0;  // the ranges are in stored numbers now (Finish may run again)
  }
  if (ranges == 0) {
    kind = LeafKind::kNever;
    return;
  }
  for (int r = 0; r < ranges; ++r) {
    const uint16_t l16 = static_cast<uint16_t>(lo[r]), h16 = static_cast<uint16_t>(hi[r]);
    bias16[r] = static_cast<int16_t>(static_cast<uint16_t>(kSign16 - l16));
    limit16[r] = static_cast<int16_t>(static_cast<uint16_t>((h16 - l16) ^ kSign16));
    const uint32_t l32 = static_cast<uint32_t>(lo[r]), h32 = static_cast<uint32_t>(hi[r]);
    bias32[r] = static_cast<int32_t>(kSign32 - l32);
    limit32[r] = static_cast<int32_t>((h32 - l32) ^ kSign32);
    const uint64_t l64 = static_cast<uint64_t>(lo[r]), h64 = static_cast<uint64_t>(hi[r]);
    bias64[r] = static_cast<int64_t>(kSign64 - l64);
    limit64[r] = static_cast<int64_t>((h64 - l64) ^ kSign64);
  }
  if (ranges == 1) {  // the second range's compare is never made
    bias16[1] = bias16[0];
    limit16[1] = limit16[0];
    bias32[1] = bias32[0];
    limit32[1] = limit32[0];
    bias64[1] = bias64[0];
    limit64[1] = limit64[0];
  }
}

}  // namespace spode::rules::internal

#if SPODE_LEAF_X86
namespace spode::rules::internal {
#define SPODE_LEAF_NS sse2
#define SPODE_LEAF_TARGET
#define SPODE_LEAF_AVX2 0
#include "rules/internal/leaf_kernels.inc"  // NOLINT(build/include)
#undef SPODE_LEAF_NS
#undef SPODE_LEAF_TARGET
#undef SPODE_LEAF_AVX2
#define SPODE_LEAF_NS avx2
#define SPODE_LEAF_TARGET __attribute__((target("avx2,popcnt")))
#define SPODE_LEAF_AVX2 1
#include "rules/internal/leaf_kernels.inc"  // NOLINT(build/include)
#undef SPODE_LEAF_NS
#undef SPODE_LEAF_TARGET
#undef SPODE_LEAF_AVX2

bool HasAvx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

void AndLeaves(const Leaf* leaves, size_t count, uint32_t n, uint64_t* mask, bool avx2,
               const Leaf* also, size_t also_count, uint64_t* const* also_out) {
  if (avx2) {
    avx2::AndLeavesImpl(leaves, count, n, mask, also, also_count, also_out);
  } else {
    sse2::AndLeavesImpl(leaves, count, n, mask, also, also_count, also_out);
  }
}

void LeafWords(const Leaf& leaf, uint32_t n, const uint64_t* act, uint64_t* out, bool avx2) {
  if (avx2) {
    avx2::LeafWordsImpl(leaf, n, act, out);
  } else {
    sse2::LeafWordsImpl(leaf, n, act, out);
  }
}

void LeafWordsPair(const Leaf& a, const Leaf& b, uint32_t n, const uint64_t* act, uint64_t* out_a,
                   uint64_t* out_b, bool avx2) {
  if (avx2) {
    avx2::LeafWordsPairImpl(a, b, n, act, out_a, out_b);
  } else {
    sse2::LeafWordsPairImpl(a, b, n, act, out_a, out_b);
  }
}
}  // namespace spode::rules::internal
#else
namespace spode::rules::internal {
bool HasAvx2() { return false; }
void AndLeaves(const Leaf* leaves, size_t count, uint32_t n, uint64_t* mask, bool,
               const Leaf* also, size_t also_count, uint64_t* const* also_out) {
  const size_t nw = Words(n);
  for (size_t w = 0; w < nw; ++w) {
    uint64_t x = mask[w];
    if (w + 1 == nw) x &= TailMask(n);
    const size_t base = w * 64;
    const uint32_t lim = static_cast<uint32_t>(n - base < 64 ? n - base : 64);
    for (size_t i = 0; i < count && x != 0; ++i) x &= TailWord(leaves[i], base, lim);
    mask[w] = x;
    for (size_t j = 0; j < also_count; ++j) {
      also_out[j][w] = x != 0 ? TailWord(also[j], base, lim) : 0;
    }
  }
}
void LeafWords(const Leaf& leaf, uint32_t n, const uint64_t* act, uint64_t* out, bool) {
  const size_t nw = Words(n);
  for (size_t w = 0; w < nw; ++w) {
    uint64_t a = act != nullptr ? act[w] : ~uint64_t{0};
    if (w + 1 == nw) a &= TailMask(n);
    const size_t base = w * 64;
    const uint32_t lim = static_cast<uint32_t>(n - base < 64 ? n - base : 64);
    out[w] = a != 0 ? TailWord(leaf, base, lim) : 0;
  }
}
void LeafWordsPair(const Leaf& a, const Leaf& b, uint32_t n, const uint64_t* act, uint64_t* out_a,
                   uint64_t* out_b, bool avx2) {
  LeafWords(a, n, act, out_a, avx2);
  LeafWords(b, n, act, out_b, avx2);
}
}  // namespace spode::rules::internal
#endif
