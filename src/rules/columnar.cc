// The columnar engine (columnar.h). Reading order: the plan (Step, Plan), the compiler
// (CheckedExpr -> Steps: building, folding, fusing, flattening, domains), the runner (one per
// thread: batches, Eval/Compute and the kernels), and the drivers (threads, outputs).
//
// Domains. Every step is computed over the rows of one domain of the current batch:
//   kConst      one value for every row (literals, folded subtrees, and subtrees that read only
//               the evaluation date, computed once per evaluation);
//   kHousehold  the batch's households;
//   kMember     the batch's member rows: a person (person rules) or the member bound by a
//               macro whose predicate does not read the person;
//   kPair       (person, member) pairs of one household, for macro predicates that read both.
// A step's domain follows from what it reads; a value needed in a finer domain than its own is
// broadcast (household to members through the member offsets) or gathered (to pairs).
//
// Values. A bool is two bitmaps per batch: rows that are true, rows that are false; an error is
// neither. CEL's && is then the meet and || the join of the order false < error < true, word by
// word. Other values are typed arrays (int64, double, int32 days, string_view, uint8 enum codes)
// with an ok lane (a byte per row, 0 for an error; none when every row is ok). Attribute columns
// are used in place. A value that is the same for every row is a scalar.
//
// Active rows. A step is computed for the rows its consumer needs (a bitmap, or all rows): the
// later operands of && and ||, the branches of ?:, the amount of a scheme and macro predicates
// after a filter are computed only for undecided rows; vectorised kernels skip whole words of
// inactive rows, row-wise kernels (strings, conversions) visit only the active rows. Values of
// inactive rows are unspecified and never read.
#include "rules/columnar.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <string_view>
#include <thread>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "rules/evaluator.h"
#include "rules/internal/bits.h"
#include "rules/internal/leaves.h"

namespace spode::rules {

namespace columnar_internal {

using internal::Bit;
using internal::Pack64;
using internal::SegAny;
using internal::SegCount;
using internal::TailMask;
using internal::Words;

// Rows per batch: the members of whole households, at most kBatchRows of them (more only for a
// single larger household) and at most kBatchRows households. The same bound holds for the
// (person, member) pairs of kPair predicates, in groups of whole persons. ColumnarOptions::
// batch_rows overrides it (tests). 32768: with narrow columns (rules/frame.h ColumnValues) a
// batch of the pension's columns is about 160 KB, so its columns and lanes stay in the L2 cache
// while the work done once per batch (offsets, the broadcast's segments, the walk of the plan)
// is spread over twice the rows of 16384; 5-7% less CPU at 10M households.
constexpr uint32_t kBatchRows = 32768;
// Batches per unit of work handed to a thread.
constexpr size_t kChunkBatches = 16;

constexpr double kTwoTo63 = 9223372036854775808.0;

enum class Dom : uint8_t { kConst, kHousehold, kMember, kPair };
constexpr uint8_t kDepHousehold = 1, kDepPerson = 2, kDepMember = 4;

enum class VType : uint8_t { kNull, kBool, kInt, kDouble, kString, kDate, kEnum, kList };

enum class Kind : uint8_t {
  kConst,
  kAttr,
  kHas,
  kEnumToString,
  kList,
  kNot,
  kNegate,
  kAnd,
  kOr,
  kCond,
  kArith,
  kCompare,
  kAgeCmp,     // age_years(x) or years_since(x) compared with an int: a compare of days
  kEnumMatch,  // an enum attribute == / != / in string constants: a lookup by code
  kIn,
  kSizeString,
  kSizeList,
  kMembersCount,
  kAge,  // age_years(x), years_since(x)
  kStringTest,
  kToInt,
  kToDouble,
  kToString,
  kRupees,
  kAgg,        // exists, all, exists_one, filter(...).size() over the household's members
  kReference,  // a whole expression by the reference evaluator, row by row
};

// A value the same for every row.
struct Scalar {
  VType type = VType::kNull;
  bool ok = true;
  uint8_t tri = 1;  // kBool: 0 false, 1 error, 2 true
  int64_t i = 0;
  double d = 0;
  int32_t date = 0;
  std::shared_ptr<const std::string> s;  // kString (shared: copies keep `sv` valid)
  std::string_view sv;

  void SetString(std::string text) {
    s = std::make_shared<const std::string>(std::move(text));
    sv = *s;
  }
};

struct Step {
  Kind kind = Kind::kConst;
  VType type = VType::kNull;
  VType elem = VType::kNull;  // list-typed steps: the elements' type
  Dom dom = Dom::kConst;      // where it is computed
  Dom target = Dom::kConst;   // where its consumer needs it
  Dom iter = Dom::kConst;     // kAgg: where the predicates are computed
  uint8_t deps = 0;           // kDep* bits: what it reads
  bool dated = false;         // reads the evaluation date
  std::vector<int> kids;
  Op op = Op::kNone;
  Function fn = Function::kNone;
  Macro macro = Macro::kNone;  // kAgg: kExists, kAll, kExistsOne, or kFilter for a count
  int filters = 0;             // kAgg: kids[0..filters) are filter predicates, then the macro's
  int attr = -1;               // kAttr, kHas: index into Plan::attrs
  Scope scope = Scope::kHousehold;
  bool negate = false;       // kEnumMatch: != (true when the code is not one of the strings)
  std::vector<std::string> match;  // kEnumMatch: the strings (in: several, ==/!=: value.s)
  bool years_since = false;  // kAgeCmp, kAge
  Scalar value;              // kConst
  int expr = -1;             // kReference: index into Plan::exprs
  int cost = 1;
  // A bool whose consumers read only its true rows (a rule's result, a scheme's eligibility,
  // operands of such an && or ||): false and error need not be told apart, so it may leave
  // both out (Vec::f null).
  bool only_true = false;
};

struct PlanAttr {
  Entity entity = Entity::kHousehold;
  std::string name;
  AttrKind kind = AttrKind::kInt;
  std::vector<std::string> enum_values;
};

struct Plan {
  Unit unit = Unit::kPerson;
  TypeKind type = TypeKind::kBool;
  bool scheme = false;
  Dom out = Dom::kMember;
  std::vector<PlanAttr> attrs;
  std::vector<Step> steps;
  int root = -1;    // the rule, or a scheme's eligibility (the && of its clauses)
  int amount = -1;  // a scheme's amount
  // A scheme's: the age compares of its amount over a column of the eligibility's domain
  // (`age_years(person.dob) >= 80 ? ...`). The fused pass of the eligibility's && computes
  // their true and false rows for the rows it leaves true, while the column's values are in
  // the cache, so that the amount does not walk the batch and read them again.
  std::vector<int> amount_cuts;
  std::vector<CheckedExpr> exprs;  // for kReference steps
  std::vector<std::string> reasons;
  std::vector<int> dated;  // kConst-domain steps computed once per evaluation, kids first
  std::vector<int> age_cmps, enum_matches;  // steps with per-evaluation tables
  uint32_t batch_rows = kBatchRows;
  bool avx2 = true;  // the AVX2 kernels may be used (where the CPU has AVX2)
};

Dom DomOf(uint8_t deps) {
  bool p = deps & kDepPerson, m = deps & kDepMember;
  if (p && m) return Dom::kPair;
  if (p || m) return Dom::kMember;
  return deps & kDepHousehold ? Dom::kHousehold : Dom::kConst;
}

std::string_view DomName(Dom d) {
  switch (d) {
    case Dom::kConst: return "const";
    case Dom::kHousehold: return "household";
    case Dom::kMember: return "member";
    case Dom::kPair: return "pair";
  }
  return "?";
}

std::string_view KindName(Kind k) {
  switch (k) {
    case Kind::kConst: return "const";
    case Kind::kAttr: return "attr";
    case Kind::kHas: return "has";
    case Kind::kEnumToString: return "enum_string";
    case Kind::kList: return "list";
    case Kind::kNot: return "not";
    case Kind::kNegate: return "negate";
    case Kind::kAnd: return "and";
    case Kind::kOr: return "or";
    case Kind::kCond: return "cond";
    case Kind::kArith: return "arith";
    case Kind::kCompare: return "compare";
    case Kind::kAgeCmp: return "age_compare";
    case Kind::kEnumMatch: return "enum_match";
    case Kind::kIn: return "in";
    case Kind::kSizeString: return "size_string";
    case Kind::kSizeList: return "size_list";
    case Kind::kMembersCount: return "members_count";
    case Kind::kAge: return "age";
    case Kind::kStringTest: return "string_test";
    case Kind::kToInt: return "to_int";
    case Kind::kToDouble: return "to_double";
    case Kind::kToString: return "to_string";
    case Kind::kRupees: return "rupees";
    case Kind::kAgg: return "aggregate";
    case Kind::kReference: return "reference";
  }
  return "?";
}

std::string_view OpName(Op op) {
  switch (op) {
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kMod: return "%";
    case Op::kEq: return "==";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kNone: break;
  }
  return "";
}

// a OP b == b FLIP(OP) a
Op Flip(Op op) {
  switch (op) {
    case Op::kLt: return Op::kGt;
    case Op::kLe: return Op::kGe;
    case Op::kGt: return Op::kLt;
    case Op::kGe: return Op::kLe;
    default: return op;
  }
}

}  // namespace columnar_internal

namespace columnar_internal {
namespace {

// A step's value over the rows of its domain in the current batch (see the file comment).
struct Vec {
  VType type = VType::kNull;
  bool scalar = false;
  uint8_t tri = 1;               // scalar kBool
  const uint64_t* t = nullptr;   // kBool: true rows; nullptr: every row that is not false
  const uint64_t* f = nullptr;   // kBool: false rows; nullptr: every row that is not true
  const void* data = nullptr;    // values (a single element when scalar)
  const uint8_t* ok = nullptr;   // values: nullptr: every row ok; else 0 = error
  const std::vector<std::string>* dict = nullptr;  // kEnum
  // kList: the list literal (a kList step) every row holds, or -1 when `data` holds one per
  // row (int32 step ids).
  int leaf = -1;
  const std::vector<Vec>* elems = nullptr;  // kList with leaf >= 0: the literal's elements
};

inline uint64_t TrueWord(const Vec& v, size_t w) {
  if (v.scalar) return v.tri == 2 ? ~uint64_t{0} : 0;
  return v.t != nullptr ? v.t[w] : ~v.f[w];
}
inline uint64_t FalseWord(const Vec& v, size_t w) {
  if (v.scalar) return v.tri == 0 ? ~uint64_t{0} : 0;
  return v.f != nullptr ? v.f[w] : ~v.t[w];
}
// Calls body(true_word, false_word) with accessors specialised to how `v` (not a scalar) holds
// its bits, so that word loops do not branch on the representation.
template <class F>
void WithWords(const Vec& v, F&& body) {
  const uint64_t* t = v.t;
  const uint64_t* f = v.f;
  if (t != nullptr && f != nullptr) {
    body([t](size_t w) { return t[w]; }, [f](size_t w) { return f[w]; });
  } else if (t != nullptr) {
    body([t](size_t w) { return t[w]; }, [t](size_t w) { return ~t[w]; });
  } else {
    body([f](size_t w) { return ~f[w]; }, [f](size_t w) { return f[w]; });
  }
}

uint8_t TriAt(const Vec& v, size_t i) {
  if (v.scalar) return v.tri;
  if (v.t == nullptr) return Bit(v.f, i) ? 0 : 2;
  if (Bit(v.t, i)) return 2;
  if (v.f == nullptr) return 0;
  return Bit(v.f, i) ? 0 : 1;
}
bool OkAt(const Vec& v, size_t i) {
  if (v.ok == nullptr) return true;
  return v.ok[v.scalar ? 0 : i] != 0;
}
template <class T>
T At(const Vec& v, size_t i) {
  return static_cast<const T*>(v.data)[v.scalar ? 0 : i];
}

// Accessors of a typed lane: an array, or one value for every row.
template <class T>
struct Arr {
  const T* p;
  T operator()(size_t i) const { return p[i]; }
};
template <class T>
struct One {
  T v;
  T operator()(size_t) const { return v; }
};

template <class T, class F>
void WithAcc(const Vec& v, F&& f) {
  if (v.scalar) {
    f(One<T>{*static_cast<const T*>(v.data)});
  } else {
    f(Arr<T>{static_cast<const T*>(v.data)});
  }
}

// Calls f(i) for the rows of an n-row domain that `act` selects (all when act is null).
template <class F>
void ForRows(uint32_t n, const uint64_t* act, F&& f) {
  if (act == nullptr) {
    for (uint32_t i = 0; i < n; ++i) f(i);
    return;
  }
  const size_t nw = Words(n);
  for (size_t w = 0; w < nw; ++w) {
    uint64_t m = act[w];
    if (w + 1 == nw) m &= TailMask(n);
    const uint32_t base = static_cast<uint32_t>(w * 64);
    if (m == ~uint64_t{0}) {
      for (uint32_t k = 0; k < 64; ++k) f(base + k);
    } else {
      while (m != 0) {
        f(base + static_cast<uint32_t>(std::countr_zero(m)));
        m &= m - 1;
      }
    }
  }
}

// A bool lane computed 64 rows at a time: value(i) and ok(i) (bools) for every row of each word
// that has an active row. Returns whether an active row is an error. kOk false: no row fails.
template <bool kOk, class V, class O>
bool BoolWords(uint32_t n, const uint64_t* act, uint64_t* t, uint64_t* f, V&& value, O&& okf) {
  alignas(16) uint8_t vb[64];
  alignas(16) uint8_t ob[64];
  bool any_error = false;
  const size_t nw = Words(n);
  for (size_t w = 0; w < nw; ++w) {
    uint64_t a = act != nullptr ? act[w] : ~uint64_t{0};
    if (w + 1 == nw) a &= TailMask(n);
    if (a == 0) {
      t[w] = 0;
      f[w] = 0;
      continue;
    }
    const uint32_t base = static_cast<uint32_t>(w * 64);
    const uint32_t lim = std::min<uint32_t>(64, n - base);
    for (uint32_t k = 0; k < lim; ++k) vb[k] = value(base + k) ? 1 : 0;
    for (uint32_t k = lim; k < 64; ++k) vb[k] = 0;
    const uint64_t tv = Pack64(vb);
    if constexpr (kOk) {
      for (uint32_t k = 0; k < lim; ++k) ob[k] = okf(base + k) ? 1 : 0;
      for (uint32_t k = lim; k < 64; ++k) ob[k] = 0;
      const uint64_t ov = Pack64(ob);
      t[w] = tv & ov;
      f[w] = ~tv & ov;
      any_error |= (~ov & a) != 0;
    } else {
      t[w] = tv;
      f[w] = ~tv;
    }
  }
  return any_error;
}

// A bool lane computed row by row over the active rows: tri(i) is 0 false, 1 error, 2 true.
template <class F>
void TriRows(uint32_t n, const uint64_t* act, uint64_t* t, uint64_t* f, F&& tri) {
  const size_t nw = Words(n);
  for (size_t w = 0; w < nw; ++w) {
    uint64_t m = act != nullptr ? act[w] : ~uint64_t{0};
    if (w + 1 == nw) m &= TailMask(n);
    uint64_t tw = 0, fw = 0;
    const uint32_t base = static_cast<uint32_t>(w * 64);
    while (m != 0) {
      const int k = std::countr_zero(m);
      m &= m - 1;
      const uint8_t r = tri(base + static_cast<uint32_t>(k));
      tw |= static_cast<uint64_t>(r == 2) << k;
      fw |= static_cast<uint64_t>(r == 0) << k;
    }
    t[w] = tw;
    f[w] = fw;
  }
}

// The cut-off days of an age comparison: the rows' days d in [ok_lo, ok_hi] are ok (others are
// errors), and the comparison holds iff (lo < d <= hi) != negate.
struct AgeCut {
  int32_t ok_lo = 1, ok_hi = 0;
  int32_t lo = 0, hi = 0;
  bool negate = false;
  bool error = false;  // the compared int is an error: every row is
};

// The bits of `lim` bytes (nonzero = 1).
inline uint64_t PackBytes(const uint8_t* p, uint32_t lim) {
  if (lim == 64) return Pack64(p);
  alignas(16) uint8_t tmp[64] = {};
  std::memcpy(tmp, p, lim);
  return Pack64(tmp);
}

// The word loop of the specialised kernels below: word(w, base, lim, &value, &ok) computes the
// value and ok bits of rows base..base+lim-1; `valid` (nullable) ANDs into ok.
template <class F>
bool BitWords(uint32_t n, const uint64_t* act, const uint8_t* valid, uint64_t* t, uint64_t* f,
              F&& word) {
  bool any_error = false;
  const size_t nw = Words(n);
  for (size_t w = 0; w < nw; ++w) {
    uint64_t a = act != nullptr ? act[w] : ~uint64_t{0};
    if (w + 1 == nw) a &= TailMask(n);
    if (a == 0) {
      t[w] = 0;
      f[w] = 0;
      continue;
    }
    const uint32_t base = static_cast<uint32_t>(w * 64);
    const uint32_t lim = std::min<uint32_t>(64, n - base);
    uint64_t value = 0, ok = ~uint64_t{0};
    word(base, lim, &value, &ok);
    if (valid != nullptr) ok &= PackBytes(valid + base, lim);
    t[w] = value & ok;
    f[w] = ~value & ok;
    any_error |= (~ok & a) != 0;
  }
  return any_error;
}

// (lo < d <= hi) != negate for int32 days, ok where ok_lo <= d <= ok_hi: the age comparison.
bool DaysInRange(uint32_t n, const uint64_t* act, const int32_t* d, const uint8_t* valid,
                 const AgeCut& c, uint64_t* t, uint64_t* f) {
  return BitWords(n, act, valid, t, f, [&](uint32_t base, uint32_t lim, uint64_t* value, uint64_t* ok) {
    uint64_t in = 0, good = 0;
    uint32_t k = 0;
#if defined(__SSE2__)
    const __m128i lo = _mm_set1_epi32(c.lo), hi = _mm_set1_epi32(c.hi);
    const __m128i ok_below = _mm_set1_epi32(c.ok_lo - 1), ok_hi = _mm_set1_epi32(c.ok_hi);
    for (; k + 4 <= lim; k += 4) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + base + k));
      const __m128i inside = _mm_andnot_si128(_mm_cmpgt_epi32(x, hi), _mm_cmpgt_epi32(x, lo));
      const __m128i fine =
          _mm_andnot_si128(_mm_cmpgt_epi32(x, ok_hi), _mm_cmpgt_epi32(x, ok_below));
      in |= static_cast<uint64_t>(_mm_movemask_ps(_mm_castsi128_ps(inside))) << k;
      good |= static_cast<uint64_t>(_mm_movemask_ps(_mm_castsi128_ps(fine))) << k;
    }
#endif
    for (; k < lim; ++k) {
      const int32_t x = d[base + k];
      in |= static_cast<uint64_t>(x > c.lo && x <= c.hi) << k;
      good |= static_cast<uint64_t>(x >= c.ok_lo && x <= c.ok_hi) << k;
    }
    *value = c.negate ? ~in : in;
    *ok = good;
  });
}

// Where a range leaf reads its values: int32 days computed into a batch's buffer, or a
// column's own ints or days from a batch's first row, at the width the column stores them.
struct RangeSource {
  internal::LeafKind kind = internal::LeafKind::kInt32;
  const void* data = nullptr;
  int64_t base = 0;  // narrow storage: the stored numbers are value - base
};

RangeSource WideDays(const void* data) { return {internal::LeafKind::kInt32, data, 0}; }

// The values of a kInt, kMoney or kDate column from row `row`.
RangeSource ColumnSource(const Column& col, size_t row) {
  using internal::LeafKind;
  if (col.kind == AttrKind::kDate) {
    if (col.dates.is_narrow()) {
      return {LeafKind::kUint16, col.dates.narrow.data() + row, col.dates.base};
    }
    return {LeafKind::kInt32, col.dates.wide.data() + row, 0};
  }
  if (col.ints.is_narrow()) return {LeafKind::kInt32, col.ints.narrow.data() + row, col.ints.base};
  return {LeafKind::kInt64, col.ints.wide.data() + row, 0};
}

// The days an age comparison is true for (or false for): at most two ranges, as a leaf over
// the days of `src` with validity `valid`.
internal::Leaf AgeLeaf(const AgeCut& c, bool truth, const RangeSource& src, const uint8_t* valid) {
  internal::Leaf l;
  l.kind = src.kind;
  l.data = src.data;
  l.base = src.base;
  l.valid = valid;
  if (!c.error) {
    const int64_t ok_lo = c.ok_lo, ok_hi = c.ok_hi, lo = c.lo, hi = c.hi;
    if (truth != c.negate) {  // ok and lo < d <= hi
      l.AddRange(std::max(ok_lo, lo + 1), std::min(ok_hi, hi));
    } else {  // ok and not (lo < d <= hi)
      l.AddRange(ok_lo, std::min(ok_hi, lo));
      l.AddRange(std::max(ok_lo, hi + 1), ok_hi);
    }
  }
  l.Finish();
  return l;
}

// -1, 0 or 1 as i <=> d, exactly (the reference evaluator's rule).
int CompareIntDouble(int64_t i, double d) {
  if (d >= kTwoTo63) return -1;
  if (d < -kTwoTo63) return 1;
  double t = std::trunc(d);
  auto ti = static_cast<int64_t>(t);
  if (i != ti) return i < ti ? -1 : 1;
  double fraction = d - t;
  return fraction > 0 ? -1 : fraction < 0 ? 1 : 0;
}

// Does a three-way result c satisfy op?
inline bool OpHolds(Op op, int c) {
  switch (op) {
    case Op::kEq: return c == 0;
    case Op::kNe: return c != 0;
    case Op::kLt: return c < 0;
    case Op::kLe: return c <= 0;
    case Op::kGt: return c > 0;
    case Op::kGe: return c >= 0;
    default: return false;
  }
}

template <class F>
void WithOp(Op op, F&& f) {
  switch (op) {
    case Op::kEq: f([](auto a, auto b) { return a == b; }); break;
    case Op::kNe: f([](auto a, auto b) { return a != b; }); break;
    case Op::kLt: f([](auto a, auto b) { return a < b; }); break;
    case Op::kLe: f([](auto a, auto b) { return a <= b; }); break;
    case Op::kGt: f([](auto a, auto b) { return a > b; }); break;
    case Op::kGe: f([](auto a, auto b) { return a >= b; }); break;
    default: break;
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The reference evaluator's text of a double (shortest round trip).
size_t DoubleChars(double d, char* buf, size_t cap) {
  auto [end, ec] = std::to_chars(buf, buf + cap, d);
  return ec == std::errc() ? static_cast<size_t>(end - buf) : 0;
}

// years(d): completed years from d to the evaluation date (negative for a later d), as
// Date::YearsUntil, from packed civil dates.
inline int64_t YearsFromPacked(int32_t packed_d, int32_t packed_eval, bool later) {
  return later ? -static_cast<int64_t>((packed_d - packed_eval) >> 9)
               : static_cast<int64_t>((packed_eval - packed_d) >> 9);
}

// Per evaluation, shared by the threads (read-only while they run).
struct ColumnRef {
  const Column* col = nullptr;      // nullptr: the frame lacks it (every value missing)
  const uint8_t* valid = nullptr;   // nullptr: every value present
  const std::vector<std::string>* dict = nullptr;
};

struct Shared {
  const Plan* plan = nullptr;
  const Frame* frame = nullptr;  // nullptr while folding constants at compile time
  Date eval;
  std::vector<ColumnRef> cols;
  std::vector<Scalar> consts;  // per step: kConst-domain steps computed once per evaluation
  std::vector<AgeCut> cuts;    // per step: kAgeCmp
  std::vector<std::array<uint8_t, 256>> tables;  // per step: kEnumMatch (0 false, 1 error, 2 true)
  const uint32_t* offsets = nullptr;
  bool offsets_ordered = false;  // Frame::member_offsets_ordered: SetBatch need not check
  // Frame::member_counts, when the offsets are ordered too (else null): SetBatch sums a byte per
  // household instead of reading the four of its offset.
  const uint8_t* counts = nullptr;
  int32_t packed_eval = 0;
  bool eval_in_range = false;
  bool avx2 = false;  // use the AVX2 leaf kernels
};

// Lanes of one step in one domain, grown to the largest batch and reused.
struct Lanes {
  std::vector<uint64_t> t, f;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<int32_t> i32;
  std::vector<std::string_view> sv;
  std::vector<uint8_t> u8, ok;
};

template <class T>
T* Grow(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}
uint64_t* GrowBits(std::vector<uint64_t>& v, size_t n) { return Grow(v, Words(n) + 1); }

struct Buf {
  Lanes own, conv;
  std::vector<uint64_t> s1, s2, s3, s4, s5, s6, s7;  // scratch bitmaps
  std::string arena;
  std::vector<Vec> elems;
  uint64_t memo_batch = ~uint64_t{0};
  Vec memo;
  std::vector<internal::Leaf> leaves;  // LogicTrue: the fused operands
  std::vector<internal::Leaf> also;    // LogicTrue of a scheme's root: Plan::amount_cuts' leaves
  std::vector<uint64_t*> also_out;
  // kAgeCmp of Plan::amount_cuts: the batch whose true and false rows (own.t, own.f) the fused
  // pass computed, for the rows of `fused_rows` (a copy of its result)
  uint64_t fused_batch = ~uint64_t{0};
  std::vector<uint64_t> fused_rows;
  std::vector<int> deferred;            // LogicTrue: the costly operands, applied last
};

// Buf::fused_batch while the fused pass computes a step's words.
constexpr uint64_t kFusing = ~uint64_t{0} - 1;

const uint8_t kZeroByte = 0;
const int64_t kZeroInt = 0;
const double kZeroDouble = 0;
const int32_t kZeroDate = 0;
const std::string_view kEmptyView;
const int32_t kNoLeaf = -1;

// A scalar of `type` that is an error in every row.
Vec ErrorVec(VType type) {
  Vec v;
  v.type = type;
  v.scalar = true;
  v.tri = 1;
  v.ok = &kZeroByte;
  switch (type) {
    case VType::kInt: v.data = &kZeroInt; break;
    case VType::kDouble: v.data = &kZeroDouble; break;
    case VType::kDate: v.data = &kZeroDate; break;
    case VType::kString: v.data = &kEmptyView; break;
    case VType::kEnum: v.data = &kZeroByte; break;
    case VType::kList: v.data = &kNoLeaf; break;
    default: break;
  }
  return v;
}

Vec BoolScalar(uint8_t tri) {
  Vec v;
  v.type = VType::kBool;
  v.scalar = true;
  v.tri = tri;
  return v;
}

Vec FromScalar(const Scalar& s) {
  if (s.type == VType::kBool) return BoolScalar(s.tri);
  if (!s.ok) return ErrorVec(s.type);
  Vec v;
  v.type = s.type;
  v.scalar = true;
  switch (s.type) {
    case VType::kInt: v.data = &s.i; break;
    case VType::kDouble: v.data = &s.d; break;
    case VType::kDate: v.data = &s.date; break;
    case VType::kString: v.data = &s.sv; break;
    default: break;
  }
  return v;
}

// Row 0 of a vector as a Scalar (constant folding).
Scalar ToScalar(const Vec& v) {
  Scalar s;
  s.type = v.type;
  if (v.type == VType::kBool) {
    s.tri = TriAt(v, 0);
    return s;
  }
  s.ok = OkAt(v, 0);
  if (!s.ok) return s;
  switch (v.type) {
    case VType::kInt: s.i = At<int64_t>(v, 0); break;
    case VType::kDouble: s.d = At<double>(v, 0); break;
    case VType::kDate: s.date = At<int32_t>(v, 0); break;
    case VType::kString: s.SetString(std::string(At<std::string_view>(v, 0))); break;
    default: break;
  }
  return s;
}

// seg[0] = 0 and seg[j + 1] = seg[j] + counts[j] for j < n: a batch's member offsets from the
// frame's one-byte member counts. Eight counts at a time on SSE2: their running sums within the
// eight fit 16-bit lanes (at most 8 * 255), so the only dependency from one eight to the next is
// adding their total, and the loop runs at the speed of a copy.
void SumCounts(const uint8_t* __restrict counts, uint32_t n, uint32_t* __restrict seg) {
  uint32_t j = 0;
  seg[0] = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  __m128i run = zero;  // seg[j] in every 32-bit lane
  for (; j + 8 <= n; j += 8) {
    __m128i p = _mm_unpacklo_epi8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(counts + j)),
                                  zero);
    p = _mm_add_epi16(p, _mm_slli_si128(p, 2));
    p = _mm_add_epi16(p, _mm_slli_si128(p, 4));
    p = _mm_add_epi16(p, _mm_slli_si128(p, 8));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(seg + j + 1),
                     _mm_add_epi32(run, _mm_unpacklo_epi16(p, zero)));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(seg + j + 5),
                     _mm_add_epi32(run, _mm_unpackhi_epi16(p, zero)));
    // The eight's total (16-bit lane 7) into every 32-bit lane.
    run = _mm_add_epi32(run, _mm_unpackhi_epi16(_mm_shufflehi_epi16(p, 0xFF), zero));
  }
#endif
  for (; j < n; ++j) seg[j + 1] = seg[j] + counts[j];
}

// A Runner's buffers, kept from one evaluation to the next: buffers allocated afresh for every
// evaluation cost a page fault per 4 KB, and page faults of two threads wait on each other.
struct Workspace {
  std::vector<Buf> bufs;
  std::vector<uint32_t> seg;
  std::vector<uint32_t> pp, pm, ph;  // the current pair group: person, member, household
  std::vector<uint64_t> eligible, live_h, live_m;  // EvaluateColumnarScheme's per batch
};

// Idle workspaces (at most kKeep, each of at most kKeepSteps steps). Thread-safe.
class WorkspacePool {
 public:
  static WorkspacePool& Get() {
    static WorkspacePool* pool = new WorkspacePool;  // never destroyed: used by exiting threads
    return *pool;
  }
  std::unique_ptr<Workspace> Take(size_t steps) {
    std::unique_ptr<Workspace> w;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        w = std::move(free_.back());
        free_.pop_back();
      }
    }
    if (w == nullptr) w = std::make_unique<Workspace>();
    if (w->bufs.size() < steps) w->bufs.resize(steps);
    // Memos and fused results of another evaluation: its batch numbers are this one's too.
    for (Buf& b : w->bufs) {
      b.memo_batch = ~uint64_t{0};
      b.fused_batch = ~uint64_t{0};
    }
    w->pp.clear();
    w->pm.clear();
    w->ph.clear();
    return w;
  }
  void Give(std::unique_ptr<Workspace> w) {
    constexpr size_t kKeep = 8, kKeepSteps = 512;
    if (w->bufs.size() > kKeepSteps) return;
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.size() < kKeep) free_.push_back(std::move(w));
  }

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<Workspace>> free_;  // guarded by mu_
};

class Runner {
 public:
  explicit Runner(const Shared& shared)
      : sh_(shared),
        plan_(*shared.plan),
        ws_(WorkspacePool::Get().Take(plan_.steps.size())),
        bufs_(ws_->bufs),
        seg_(ws_->seg),
        pp_(ws_->pp),
        pm_(ws_->pm),
        ph_(ws_->ph) {}
  ~Runner() { WorkspacePool::Get().Give(std::move(ws_)); }
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  Workspace& workspace() { return *ws_; }

  // The batch: households hb..he-1, their members mb..me-1. False (and no batch) when the
  // member offsets of the batch are out of order or past `members`.
  bool SetBatch(size_t hb, size_t he, size_t members) {
    const uint32_t* __restrict off = sh_.offsets + hb;
    const uint32_t n = static_cast<uint32_t>(he - hb);
    if (off[n] > members || off[0] > off[n]) return false;
    uint32_t* __restrict seg = Grow(seg_, n + 1);
    const uint32_t first = off[0];
    if (sh_.counts != nullptr) {
      // The frame guarantees counts[h] == off[h + 1] - off[h], so seg is their running sum,
      // and of the batch's offsets only the two ends above are read.
      SumCounts(sh_.counts + hb, n, seg);
    } else if (sh_.offsets_ordered) {
      for (uint32_t j = 0; j <= n; ++j) seg[j] = off[j] - first;
    } else {
      uint8_t disorder = 0;
      for (uint32_t j = 0; j < n; ++j) {  // one vectorised pass: copy and check
        seg[j] = off[j] - first;
        disorder |= static_cast<uint8_t>(off[j] > off[j + 1]);
      }
      seg[n] = off[n] - first;
      if (disorder != 0) return false;
    }
    hb_ = hb;
    he_ = he;
    mb_ = first;
    me_ = off[n];
    nh_ = n;
    nm_ = static_cast<uint32_t>(me_ - mb_);
    ++batch_;
    np_ = 0;
    return true;
  }
  // Asks the memory system for the columns' rows of households hb..he-1 and their members
  // (the next batch), so that they stream in while this batch computes.
  // (The offsets are not checked yet: the rows are clamped to the columns.)
  void Prefetch(size_t hb, size_t he) const {
    if (hb >= he) return;
    const size_t members = sh_.frame->members();
    const size_t mb = std::min<size_t>(sh_.offsets[hb], members);
    const size_t me = std::min<size_t>(sh_.offsets[he], members);
    auto lines = [](const void* base, size_t elem, size_t b, size_t e) {
      if (b >= e) return;
      const char* p = static_cast<const char*>(base) + b * elem;
      const size_t bytes = (e - b) * elem;
      for (size_t k = 0; k < bytes; k += 64) __builtin_prefetch(p + k, 0, 2);
    };
    if (sh_.counts != nullptr) {
      lines(sh_.counts, 1, hb, he);
    } else {
      lines(sh_.offsets, 4, hb, he + 1);
    }
    for (size_t a = 0; a < sh_.cols.size(); ++a) {
      const ColumnRef& c = sh_.cols[a];
      if (c.col == nullptr) continue;
      const bool household = plan_.attrs[a].entity == Entity::kHousehold;
      const size_t b = household ? hb : mb, e = household ? he : me;
      switch (c.col->kind) {
        case AttrKind::kBool: lines(c.col->bools.data(), 1, b, e); break;
        case AttrKind::kInt:
        case AttrKind::kMoney:
          if (c.col->ints.is_narrow()) {
            lines(c.col->ints.narrow.data(), 4, b, e);
          } else {
            lines(c.col->ints.wide.data(), 8, b, e);
          }
          break;
        case AttrKind::kDate:
          if (c.col->dates.is_narrow()) {
            lines(c.col->dates.narrow.data(), 2, b, e);
          } else {
            lines(c.col->dates.wide.data(), 4, b, e);
          }
          break;
        case AttrKind::kEnum: lines(c.col->codes.data(), 1, b, e); break;
        case AttrKind::kString: lines(c.col->offsets.data(), 4, b, e); break;
      }
      if (c.valid != nullptr) lines(c.valid, 1, b, e);
    }
  }

  // For compile-time folding and per-evaluation constants: no rows but the one constant row.
  void SetNoBatch() {
    nh_ = nm_ = np_ = 0;
    ++batch_;
  }

  size_t hb() const { return hb_; }
  size_t mb() const { return mb_; }
  uint32_t nh() const { return nh_; }
  uint32_t nm() const { return nm_; }
  const uint32_t* seg() const { return seg_.data(); }

  // Step `id` for the rows of its target domain that `act` selects (all when null).
  Vec Eval(int id, const uint64_t* act) {
    const Step& s = plan_.steps[static_cast<size_t>(id)];
    if (s.dom == Dom::kConst && s.type != VType::kList) return ConstVec(id);
    if (s.dom == s.target || s.dom == Dom::kConst) return Compute(id, act);
    if (s.target == Dom::kPair) {
      const Vec v = Memo(id);
      const uint32_t* idx = s.dom == Dom::kHousehold ? ph_.data()
                            : (s.deps & kDepPerson) ? pp_.data()
                                                    : pm_.data();
      return Gather(id, v, idx);
    }
    return Broadcast(id, Compute(id, nullptr));
  }

  // Step `id` in its own domain.
  Vec Compute(int id, const uint64_t* act);

  // A bitmap over the household rows broadcast to the batch's members.
  const uint64_t* BroadcastToMembers(const uint64_t* household_bits, std::vector<uint64_t>& out) {
    uint64_t* o = GrowBits(out, nm_);
    internal::BroadcastBits(household_bits, nh_, seg_.data(), nm_, o);
    return o;
  }

 private:
  const Step& St(int id) const { return plan_.steps[static_cast<size_t>(id)]; }
  Buf& B(int id) { return bufs_[static_cast<size_t>(id)]; }
  uint32_t N(Dom d) const {
    switch (d) {
      case Dom::kConst: return 1;
      case Dom::kHousehold: return nh_;
      case Dom::kMember: return nm_;
      case Dom::kPair: return np_;
    }
    return 0;
  }

  Vec ConstVec(int id) const {
    const Step& s = St(id);
    if (s.kind == Kind::kConst) return FromScalar(s.value);
    return FromScalar(sh_.consts[static_cast<size_t>(id)]);
  }

  Vec Memo(int id) {
    Buf& b = B(id);
    if (b.memo_batch != batch_) {
      b.memo = Compute(id, nullptr);
      b.memo_batch = batch_;
    }
    return b.memo;
  }

  Vec Broadcast(int id, const Vec& v);
  Vec Gather(int id, const Vec& v, const uint32_t* idx);

  // Kernels.
  Vec Attr(int id, const uint64_t* act);
  Vec Has(int id, const uint64_t* act);
  Vec EnumToString(int id, const uint64_t* act);
  Vec List(int id, const uint64_t* act);
  Vec Negate(int id, const uint64_t* act);
  Vec Logic(int id, const uint64_t* act);
  Vec LogicTrue(int id, const uint64_t* act);
  // Whether operand `kid` of an only-true && in domain `dom` is a leaf (internal/leaves.h):
  // kLeaf (filled in), kAlways (true for every row: nothing to do), kNo.
  enum class LeafFit { kNo, kLeaf, kAlways };
  void AmountCutLeaves(int cid, Dom dom, std::vector<internal::Leaf>* also,
                       std::vector<uint64_t*>* out);
  LeafFit MakeLeaf(int kid, Dom dom, internal::Leaf* leaf);
  Vec Cond(int id, const uint64_t* act);
  Vec Arith(int id, const uint64_t* act);
  Vec Compare(int id, const uint64_t* act);
  Vec AgeCmp(int id, const uint64_t* act);
  Vec EnumMatch(int id, const uint64_t* act);
  Vec In(int id, const uint64_t* act);
  Vec SizeString(int id, const uint64_t* act);
  Vec SizeList(int id, const uint64_t* act);
  Vec MembersCount(int id);
  Vec Age(int id, const uint64_t* act);
  Vec StringTest(int id, const uint64_t* act);
  Vec ToInt(int id, const uint64_t* act);
  Vec ToDouble(int id, const uint64_t* act);
  Vec ToString(int id, const uint64_t* act);
  Vec Rupees(int id, const uint64_t* act);
  Vec Agg(int id, const uint64_t* act);
  Vec Reference(int id, const uint64_t* act);

  // The combined ok lane of value inputs (nullptr: all ok); *all_error when one of them is an
  // error scalar.
  const uint8_t* CombineOk(Buf& b, uint32_t n, std::initializer_list<const Vec*> vs,
                           bool* all_error);
  // A bool result as a Vec over the lanes t and f (f dropped when no row is an error).
  static Vec BoolOut(const uint64_t* t, const uint64_t* f, bool any_error) {
    Vec v;
    v.type = VType::kBool;
    v.t = t;
    v.f = any_error ? f : nullptr;
    return v;
  }
  // The n rows are one scalar row: turn the row-0 result into a scalar.
  static Vec Scalarize(Vec v) {
    if (v.type == VType::kBool) return BoolScalar(TriAt(v, 0));
    v.scalar = true;
    return v;
  }

  // Macro predicates over n iteration rows: leaves the included rows, filter errors and the
  // final predicate's true/false rows in the step's scratch lanes.
  struct AggLanes {
    const uint64_t* inc = nullptr;   // rows that pass every filter (nullptr: all)
    const uint64_t* cerr = nullptr;  // rows where a filter gave an error (nullptr: none)
    const uint64_t* xt = nullptr;    // final predicate true (among inc)
    const uint64_t* xf = nullptr;    // final predicate false (among inc)
    const uint64_t* xe = nullptr;    // final predicate an error (among inc; nullptr: none)
  };
  AggLanes AggRows(int id, uint32_t n, const uint64_t* inc0);
  // The macro's result for iteration rows s..e-1: a tri, or (count) the number included.
  uint8_t AggTri(const Step& s, const AggLanes& l, uint32_t b, uint32_t e) const;
  Vec AggPairs(int id, const uint64_t* act);

  const Shared& sh_;
  const Plan& plan_;
  std::unique_ptr<Workspace> ws_;
  std::vector<Buf>& bufs_;
  size_t hb_ = 0, he_ = 0, mb_ = 0, me_ = 0;
  uint32_t nh_ = 0, nm_ = 0, np_ = 0;
  uint64_t batch_ = 0;
  std::vector<uint32_t>& seg_;
  std::vector<uint32_t>&pp_, &pm_, &ph_;  // the current pair group: person, member, household
};

Vec Runner::Compute(int id, const uint64_t* act) {
  const Step& s = St(id);
  switch (s.kind) {
    case Kind::kConst: return ConstVec(id);
    case Kind::kAttr: return Attr(id, act);
    case Kind::kHas: return Has(id, act);
    case Kind::kEnumToString: return EnumToString(id, act);
    case Kind::kList: return List(id, act);
    case Kind::kNot: {
      Vec v = Eval(s.kids[0], act);
      if (v.scalar) return BoolScalar(static_cast<uint8_t>(2 - v.tri));
      std::swap(v.t, v.f);
      return v;
    }
    case Kind::kNegate: return Negate(id, act);
    case Kind::kAnd:
    case Kind::kOr: return Logic(id, act);
    case Kind::kCond: return Cond(id, act);
    case Kind::kArith: return Arith(id, act);
    case Kind::kCompare: return Compare(id, act);
    case Kind::kAgeCmp: return AgeCmp(id, act);
    case Kind::kEnumMatch: return EnumMatch(id, act);
    case Kind::kIn: return In(id, act);
    case Kind::kSizeString: return SizeString(id, act);
    case Kind::kSizeList: return SizeList(id, act);
    case Kind::kMembersCount: return MembersCount(id);
    case Kind::kAge: return Age(id, act);
    case Kind::kStringTest: return StringTest(id, act);
    case Kind::kToInt: return ToInt(id, act);
    case Kind::kToDouble: return ToDouble(id, act);
    case Kind::kToString: return ToString(id, act);
    case Kind::kRupees: return Rupees(id, act);
    case Kind::kAgg: return Agg(id, act);
    case Kind::kReference: return Reference(id, act);
  }
  return ErrorVec(s.type);
}

const uint8_t* Runner::CombineOk(Buf& b, uint32_t n, std::initializer_list<const Vec*> vs,
                                 bool* all_error) {
  *all_error = false;
  const uint8_t* lanes[4];
  size_t k = 0;
  for (const Vec* v : vs) {
    if (v->ok == nullptr) continue;
    if (v->scalar) {
      if (v->ok[0] == 0) *all_error = true;
      continue;
    }
    if (k < 4) lanes[k++] = v->ok;
  }
  if (*all_error || k == 0) return nullptr;
  if (k == 1) return lanes[0];
  uint8_t* out = Grow(b.own.ok, n);
  for (uint32_t i = 0; i < n; ++i) out[i] = (lanes[0][i] != 0) & (lanes[1][i] != 0);
  for (size_t j = 2; j < k; ++j) {
    for (uint32_t i = 0; i < n; ++i) out[i] &= lanes[j][i] != 0;
  }
  return out;
}

Vec Runner::Broadcast(int id, const Vec& v) {
  if (v.scalar) return v;
  Buf& b = B(id);
  const uint32_t* seg = seg_.data();
  Vec out = v;
  if (v.type == VType::kBool) {
    if (v.t != nullptr) out.t = BroadcastToMembers(v.t, b.conv.t);
    if (v.f != nullptr) out.f = BroadcastToMembers(v.f, b.conv.f);
    return out;
  }
  auto fill = [&](auto* dst, const auto* src) {
    for (uint32_t h = 0; h < nh_; ++h) {
      const auto x = src[h];
      for (uint32_t i = seg[h]; i < seg[h + 1]; ++i) dst[i] = x;
    }
  };
  if (v.ok != nullptr) {
    uint8_t* ok = Grow(b.conv.ok, nm_);
    fill(ok, v.ok);
    out.ok = ok;
  }
  switch (v.type) {
    case VType::kInt: {
      int64_t* d = Grow(b.conv.i64, nm_);
      fill(d, static_cast<const int64_t*>(v.data));
      out.data = d;
      break;
    }
    case VType::kDouble: {
      double* d = Grow(b.conv.f64, nm_);
      fill(d, static_cast<const double*>(v.data));
      out.data = d;
      break;
    }
    case VType::kDate:
    case VType::kList: {
      int32_t* d = Grow(b.conv.i32, nm_);
      if (v.type == VType::kList && v.leaf >= 0) break;  // one literal for every row
      fill(d, static_cast<const int32_t*>(v.data));
      out.data = d;
      break;
    }
    case VType::kString: {
      std::string_view* d = Grow(b.conv.sv, nm_);
      fill(d, static_cast<const std::string_view*>(v.data));
      out.data = d;
      break;
    }
    case VType::kEnum: {
      uint8_t* d = Grow(b.conv.u8, nm_);
      fill(d, static_cast<const uint8_t*>(v.data));
      out.data = d;
      break;
    }
    default: break;
  }
  return out;
}

Vec Runner::Gather(int id, const Vec& v, const uint32_t* idx) {
  if (v.scalar) return v;
  Buf& b = B(id);
  Vec out = v;
  const uint32_t n = np_;
  if (v.type == VType::kBool) {
    auto gather_bits = [&](const uint64_t* src, std::vector<uint64_t>& lane) {
      uint64_t* dst = GrowBits(lane, n);
      for (size_t w = 0; w < Words(n); ++w) dst[w] = 0;
      for (uint32_t k = 0; k < n; ++k) dst[k >> 6] |= static_cast<uint64_t>(Bit(src, idx[k])) << (k & 63);
      return dst;
    };
    if (v.t != nullptr) out.t = gather_bits(v.t, b.conv.t);
    if (v.f != nullptr) out.f = gather_bits(v.f, b.conv.f);
    return out;
  }
  auto gather = [&](auto* dst, const auto* src) {
    for (uint32_t k = 0; k < n; ++k) dst[k] = src[idx[k]];
  };
  if (v.ok != nullptr) {
    uint8_t* ok = Grow(b.conv.ok, n);
    gather(ok, v.ok);
    out.ok = ok;
  }
  switch (v.type) {
    case VType::kInt: {
      int64_t* d = Grow(b.conv.i64, n);
      gather(d, static_cast<const int64_t*>(v.data));
      out.data = d;
      break;
    }
    case VType::kDouble: {
      double* d = Grow(b.conv.f64, n);
      gather(d, static_cast<const double*>(v.data));
      out.data = d;
      break;
    }
    case VType::kDate: {
      int32_t* d = Grow(b.conv.i32, n);
      gather(d, static_cast<const int32_t*>(v.data));
      out.data = d;
      break;
    }
    case VType::kString: {
      std::string_view* d = Grow(b.conv.sv, n);
      gather(d, static_cast<const std::string_view*>(v.data));
      out.data = d;
      break;
    }
    case VType::kEnum: {
      uint8_t* d = Grow(b.conv.u8, n);
      gather(d, static_cast<const uint8_t*>(v.data));
      out.data = d;
      break;
    }
    default: break;
  }
  return out;
}

Vec Runner::Attr(int id, const uint64_t* act) {
  const Step& s = St(id);
  const ColumnRef& c = sh_.cols[static_cast<size_t>(s.attr)];
  if (c.col == nullptr) return ErrorVec(s.type);
  const size_t base = s.dom == Dom::kHousehold ? hb_ : mb_;
  const uint32_t n = N(s.dom);
  const uint8_t* valid = c.valid != nullptr ? c.valid + base : nullptr;
  Vec v;
  v.type = s.type;
  v.ok = valid;
  switch (c.col->kind) {
    case AttrKind::kInt:
    case AttrKind::kMoney: {
      if (!c.col->ints.is_narrow()) {
        v.data = c.col->ints.wide.data() + base;
        return v;
      }
      // A narrow column is widened for the batch: the kernels of arithmetic and comparisons
      // read int64 (the fused leaves read the narrow values themselves).
      int64_t* out = Grow(B(id).own.i64, n);
      const int32_t* narrow = c.col->ints.narrow.data() + base;
      const int64_t add = c.col->ints.base;
      for (uint32_t i = 0; i < n; ++i) out[i] = add + narrow[i];
      v.data = out;
      return v;
    }
    case AttrKind::kDate: {
      if (!c.col->dates.is_narrow()) {
        v.data = c.col->dates.wide.data() + base;
        return v;
      }
      int32_t* out = Grow(B(id).own.i32, n);
      const uint16_t* narrow = c.col->dates.narrow.data() + base;
      const int32_t add = c.col->dates.base;
      for (uint32_t i = 0; i < n; ++i) out[i] = add + narrow[i];
      v.data = out;
      return v;
    }
    case AttrKind::kEnum:
      v.data = c.col->codes.data() + base;
      v.dict = c.dict;
      return v;
    case AttrKind::kBool: {
      Buf& b = B(id);
      uint64_t* t = GrowBits(b.own.t, n);
      uint64_t* f = GrowBits(b.own.f, n);
      const uint8_t* data = c.col->bools.data() + base;
      const bool err = BitWords(n, act, valid, t, f,
                                [&](uint32_t b0, uint32_t lim, uint64_t* value, uint64_t*) {
                                  *value = PackBytes(data + b0, lim);
                                });
      return BoolOut(t, f, err);
    }
    case AttrKind::kString: {
      Buf& b = B(id);
      std::string_view* out = Grow(b.own.sv, n);
      uint8_t* ok = Grow(b.own.ok, n);
      const uint32_t* offsets = c.col->offsets.data() + base;
      const std::string_view bytes = c.col->bytes;
      ForRows(n, act, [&](uint32_t i) {
        const uint32_t b0 = offsets[i], b1 = offsets[i + 1];
        const bool good = (valid == nullptr || valid[i] != 0) && b0 <= b1 && b1 <= bytes.size();
        out[i] = good ? bytes.substr(b0, b1 - b0) : std::string_view();
        ok[i] = good;
      });
      v.data = out;
      v.ok = ok;
      return v;
    }
  }
  return ErrorVec(s.type);
}

Vec Runner::Has(int id, const uint64_t* act) {
  const Step& s = St(id);
  const ColumnRef& c = sh_.cols[static_cast<size_t>(s.attr)];
  if (c.col == nullptr) return BoolScalar(0);
  const size_t base = s.dom == Dom::kHousehold ? hb_ : mb_;
  const uint32_t n = N(s.dom);
  const uint8_t* valid = c.valid != nullptr ? c.valid + base : nullptr;
  Buf& b = B(id);
  uint64_t* t = GrowBits(b.own.t, n);
  uint64_t* f = GrowBits(b.own.f, n);
  // A present value that the reference evaluator cannot read (an enum code outside the
  // dictionary, string offsets outside the bytes) makes has() an error, as there.
  if (c.col->kind == AttrKind::kEnum) {
    const uint8_t* codes = c.col->codes.data() + base;
    const size_t size = c.dict->size();
    TriRows(n, act, t, f, [&](uint32_t i) -> uint8_t {
      if (valid != nullptr && valid[i] == 0) return 0;
      return codes[i] < size ? 2 : 1;
    });
    return BoolOut(t, f, true);
  }
  if (c.col->kind == AttrKind::kString) {
    const uint32_t* offsets = c.col->offsets.data() + base;
    const size_t size = c.col->bytes.size();
    TriRows(n, act, t, f, [&](uint32_t i) -> uint8_t {
      if (valid != nullptr && valid[i] == 0) return 0;
      return offsets[i] <= offsets[i + 1] && offsets[i + 1] <= size ? 2 : 1;
    });
    return BoolOut(t, f, true);
  }
  if (valid == nullptr) return BoolScalar(2);
  BoolWords<false>(n, act, t, f, [&](uint32_t i) { return valid[i] != 0; },
                   [](uint32_t) { return true; });
  return BoolOut(t, f, false);
}

Vec Runner::EnumToString(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.scalar && x.ok != nullptr && x.ok[0] == 0) return ErrorVec(VType::kString);
  Buf& b = B(id);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  std::string_view* out = Grow(b.own.sv, n);
  uint8_t* ok = Grow(b.own.ok, n);
  const std::vector<std::string>& dict = *x.dict;
  ForRows(n, x.scalar ? nullptr : act, [&](uint32_t i) {
    const uint8_t code = At<uint8_t>(x, i);
    const bool good = OkAt(x, i) && code < dict.size();
    out[i] = good ? std::string_view(dict[code]) : std::string_view();
    ok[i] = good;
  });
  Vec v;
  v.type = VType::kString;
  v.data = out;
  v.ok = ok;
  return x.scalar ? Scalarize(v) : v;
}

Vec Runner::List(int id, const uint64_t* act) {
  const Step& s = St(id);
  Buf& b = B(id);
  b.elems.resize(s.kids.size());
  bool all_scalar = true;
  for (size_t k = 0; k < s.kids.size(); ++k) {
    b.elems[k] = Eval(s.kids[k], act);
    all_scalar &= b.elems[k].scalar;
  }
  Vec v;
  v.type = VType::kList;
  v.leaf = id;
  v.elems = &b.elems;
  // The list is an error where an element is (the first, in the reference; any, here).
  bool all_error = false, need_ok = false;
  const uint32_t n = all_scalar ? 1 : N(s.dom);
  for (const Vec& e : b.elems) {
    if (e.type == VType::kBool) {
      if (e.scalar) {
        all_error |= e.tri == 1;
      } else {
        need_ok = true;
      }
    } else if (e.ok != nullptr) {
      if (e.scalar) {
        all_error |= e.ok[0] == 0;
      } else {
        need_ok = true;
      }
    }
  }
  if (all_error) return ErrorVec(VType::kList);
  if (need_ok) {
    uint8_t* ok = Grow(b.own.ok, n);
    ForRows(n, all_scalar ? nullptr : act, [&](uint32_t i) {
      bool good = true;
      for (const Vec& e : b.elems) good &= e.type == VType::kBool ? TriAt(e, i) != 1 : OkAt(e, i);
      ok[i] = good;
    });
    v.ok = ok;
  }
  v.scalar = all_scalar;
  return v;
}

Vec Runner::Negate(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.scalar && x.ok != nullptr && x.ok[0] == 0) return ErrorVec(s.type);
  Buf& b = B(id);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  const uint64_t* a = x.scalar ? nullptr : act;
  Vec v;
  v.type = s.type;
  if (s.type == VType::kDouble) {
    double* out = Grow(b.own.f64, n);
    ForRows(n, a, [&](uint32_t i) { out[i] = -At<double>(x, i); });
    v.data = out;
    v.ok = x.ok;
  } else {
    int64_t* out = Grow(b.own.i64, n);
    uint8_t* ok = Grow(b.own.ok, n);
    ForRows(n, a, [&](uint32_t i) {
      const int64_t y = At<int64_t>(x, i);
      const bool good = OkAt(x, i) && y != std::numeric_limits<int64_t>::min();
      out[i] = good ? -y : 0;
      ok[i] = good;
    });
    v.data = out;
    v.ok = ok;
  }
  return x.scalar ? Scalarize(v) : v;
}

// && and || over any number of operands (the compiler flattens chains and orders them cheapest
// first): the meet (&&) or join (||) of false < error < true. After each operand only the rows
// it did not decide are active for the next.
Vec Runner::Logic(int id, const uint64_t* act) {
  const Step& s = St(id);
  if (s.only_true) return LogicTrue(id, act);
  const bool is_and = s.kind == Kind::kAnd;
  Buf& b = B(id);
  const uint32_t n = N(s.dom);
  const size_t nw = Words(n);
  uint64_t* dec = GrowBits(b.own.t, n);   // rows decided (false for &&, true for ||)
  uint64_t* neu = GrowBits(b.own.f, n);   // rows where every operand so far is neutral
  uint64_t* next = GrowBits(b.s1, n);     // rows still undecided
  std::fill(dec, dec + nw, 0);
  std::fill(neu, neu + nw, ~uint64_t{0});
  const uint64_t* cur = act;
  bool scalar_error = false, kid_errors = false;
  for (int kid : s.kids) {
    const Vec v = Eval(kid, cur);
    kid_errors |= !v.scalar && v.t != nullptr && v.f != nullptr;
    if (v.scalar) {
      if (v.tri == 1) {
        scalar_error = true;
        continue;
      }
      if ((v.tri == 2) == !is_and) return BoolScalar(v.tri);  // decides every row
      continue;  // neutral for every row
    }
    uint64_t any = 0;
    WithWords(v, [&](auto true_word, auto false_word) {
      for (size_t w = 0; w < nw; ++w) {
        const uint64_t d = is_and ? false_word(w) : true_word(w);
        const uint64_t u = is_and ? true_word(w) : false_word(w);
        dec[w] |= d;
        neu[w] &= u;
        next[w] = (act != nullptr ? act[w] : ~uint64_t{0}) & ~dec[w];
        if (w + 1 == nw) next[w] &= TailMask(n);
        any |= next[w];
      }
    });
    if (any == 0) break;
    cur = next;
  }
  // && : true = neutral everywhere and not decided; false = decided. || mirrors it.
  uint64_t* t = GrowBits(b.s2, n);
  uint64_t* f = GrowBits(b.s3, n);
  for (size_t w = 0; w < nw; ++w) {
    const uint64_t neutral = scalar_error ? 0 : neu[w] & ~dec[w];
    t[w] = is_and ? neutral : dec[w];
    f[w] = is_and ? dec[w] : neutral;
  }
  return BoolOut(t, f, kid_errors || scalar_error);
}

// && and || whose consumer reads only the true rows: && is the intersection of its operands'
// true rows, || their union (CEL's error absorption decides only between false and error). The
// operands of && that are leaves (a compare of a column with a constant, an age comparison, a
// bool or its negation, has(), an enum look-up) are fused into one kernel over the batch
// (internal::AndLeaves), after the cheap operands that are not leaves (such as household
// operands broadcast to members) and before the costly ones (macros, strings), each of which is
// evaluated only for the rows still true.
Vec Runner::LogicTrue(int id, const uint64_t* act) {
  const Step& s = St(id);
  Buf& b = B(id);
  const uint32_t n = N(s.dom);
  const size_t nw = Words(n);
  uint64_t* m = GrowBits(b.own.t, n);
  auto act_word = [&](size_t w) {
    const uint64_t a = act != nullptr ? act[w] : ~uint64_t{0};
    return w + 1 == nw ? a & TailMask(n) : a;
  };
  if (s.kind == Kind::kOr) {
    uint64_t* cur = GrowBits(b.s1, n);
    std::fill(m, m + nw + 1, 0);
    const uint64_t* next = act;
    for (int kid : s.kids) {
      const Vec v = Eval(kid, next);
      if (v.scalar) {
        if (v.tri == 2) return BoolScalar(2);
        continue;
      }
      uint64_t any = 0;
      for (size_t w = 0; w < nw; ++w) {
        m[w] |= TrueWord(v, w);
        cur[w] = act_word(w) & ~m[w];
        any |= cur[w];
      }
      if (any == 0) break;
      next = cur;
    }
    for (size_t w = 0; w < nw; ++w) m[w] &= act_word(w);
    return BoolOut(m, nullptr, false);
  }
  for (size_t w = 0; w < nw; ++w) m[w] = act_word(w);
  m[nw] = 0;
  // Applies a non-leaf operand; false when no row is left.
  auto apply = [&](int kid) {
    const Vec v = Eval(kid, m);
    if (v.scalar) {
      if (v.tri == 2) return true;
      std::fill(m, m + nw, 0);
      return false;
    }
    uint64_t any = 0;
    for (size_t w = 0; w < nw; ++w) {
      m[w] &= TrueWord(v, w);
      any |= m[w];
    }
    return any != 0;
  };
  std::vector<internal::Leaf>& leaves = b.leaves;
  std::vector<int>& deferred = b.deferred;
  leaves.clear();
  deferred.clear();
  internal::Leaf leaf;
  bool live = true;
  for (int kid : s.kids) {  // cheap operands that are not leaves (a coarser domain's: per household)
    const LeafFit fit = MakeLeaf(kid, s.dom, &leaf);
    if (fit == LeafFit::kLeaf) {
      if (leaf.kind == internal::LeafKind::kNever) live = false;
      leaves.push_back(leaf);
    } else if (fit == LeafFit::kNo) {
      if (St(kid).cost >= 8 && St(kid).dom >= s.dom) {
        deferred.push_back(kid);
      } else if (live) {
        live = apply(kid);
      }
    }
  }
  if (!live) {
    std::fill(m, m + nw, 0);
    return BoolOut(m, nullptr, false);
  }
  if (!leaves.empty()) {
    std::vector<internal::Leaf>& also = b.also;
    std::vector<uint64_t*>& also_out = b.also_out;
    also.clear();
    also_out.clear();
    if (id == sh_.plan->root) {
      for (int cid : sh_.plan->amount_cuts) AmountCutLeaves(cid, s.dom, &also, &also_out);
    }
    internal::AndLeaves(leaves.data(), leaves.size(), n, m, sh_.avx2, also.data(), also.size(),
                        also_out.data());
    if (!also.empty()) {
      for (int cid : sh_.plan->amount_cuts) {
        Buf& cb = B(cid);
        if (cb.fused_batch != kFusing) continue;
        cb.fused_batch = batch_;
        std::copy(m, m + nw, Grow(cb.fused_rows, nw));
      }
    }
  }
  for (int kid : deferred) {  // the costly ones, for the rows still true
    uint64_t any = 0;
    for (size_t w = 0; w < nw; ++w) any |= m[w];
    if (any == 0 || !apply(kid)) break;
  }
  return BoolOut(m, nullptr, false);
}

// Adds the true and the false leaf of the amount's age compare `cid` (Plan::amount_cuts) to
// `also`, with the words they fill (its own lanes), when its operand is a column of `dom`.
void Runner::AmountCutLeaves(int cid, Dom dom, std::vector<internal::Leaf>* also,
                             std::vector<uint64_t*>* out) {
  const Step& s = St(cid);
  const Step& xs = St(s.kids[0]);
  if (s.dom != dom || xs.kind != Kind::kAttr || xs.dom != dom) return;
  if (dom != Dom::kHousehold && dom != Dom::kMember) return;
  const ColumnRef& c = sh_.cols[static_cast<size_t>(xs.attr)];
  const AgeCut& cut = sh_.cuts[static_cast<size_t>(cid)];
  if (c.col == nullptr || cut.error) return;
  const size_t base = dom == Dom::kHousehold ? hb_ : mb_;
  const uint8_t* valid = c.valid != nullptr ? c.valid + base : nullptr;
  const RangeSource src = ColumnSource(*c.col, base);
  Buf& b = B(cid);
  const uint32_t n = N(dom);
  also->push_back(AgeLeaf(cut, true, src, valid));
  out->push_back(GrowBits(b.own.t, n));
  also->push_back(AgeLeaf(cut, false, src, valid));
  out->push_back(GrowBits(b.own.f, n));
  b.fused_batch = kFusing;
}

Runner::LeafFit Runner::MakeLeaf(int kid, Dom dom, internal::Leaf* leaf) {
  using internal::LeafKind;
  const Step& k = St(kid);
  if ((dom != Dom::kHousehold && dom != Dom::kMember) || k.dom != dom) return LeafFit::kNo;
  *leaf = internal::Leaf();
  const size_t base = dom == Dom::kHousehold ? hb_ : mb_;
  // An attribute step of this domain: its column, or nullptr when the frame lacks it.
  auto direct = [&](int a) { return St(a).kind == Kind::kAttr && St(a).dom == dom; };
  auto column = [&](int a) -> const ColumnRef& { return sh_.cols[static_cast<size_t>(St(a).attr)]; };
  auto valid = [&](const ColumnRef& c) { return c.valid != nullptr ? c.valid + base : nullptr; };
  switch (k.kind) {
    case Kind::kAgeCmp: {
      if (!direct(k.kids[0])) return LeafFit::kNo;
      const ColumnRef& c = column(k.kids[0]);
      if (c.col == nullptr) return LeafFit::kLeaf;  // kNever
      *leaf = AgeLeaf(sh_.cuts[static_cast<size_t>(kid)], true, ColumnSource(*c.col, base),
                      valid(c));
      return LeafFit::kLeaf;
    }
    case Kind::kAttr:
    case Kind::kNot: {
      const int a = k.kind == Kind::kNot ? k.kids[0] : kid;
      if (!direct(a) || St(a).type != VType::kBool) return LeafFit::kNo;
      const ColumnRef& c = column(a);
      if (c.col == nullptr) return LeafFit::kLeaf;
      leaf->kind = k.kind == Kind::kNot ? LeafKind::kBytesZero : LeafKind::kBytesNonzero;
      leaf->data = c.col->bools.data() + base;
      leaf->valid = valid(c);
      return LeafFit::kLeaf;
    }
    case Kind::kHas: {
      if (k.dom != dom) return LeafFit::kNo;
      const ColumnRef& c = column(kid);
      if (c.col == nullptr) return LeafFit::kLeaf;
      if (c.col->kind == AttrKind::kString) return LeafFit::kNo;
      if (c.col->kind == AttrKind::kEnum) {  // present and a code of the dictionary
        leaf->kind = LeafKind::kCodes;
        leaf->data = c.col->codes.data() + base;
        leaf->valid = valid(c);
        for (size_t code = 0; code < 256 && code < c.dict->size(); ++code) leaf->table[code] = 1;
        leaf->Finish();
        return LeafFit::kLeaf;
      }
      if (c.valid == nullptr) return LeafFit::kAlways;
      leaf->kind = LeafKind::kBytesNonzero;
      leaf->data = c.valid + base;
      return LeafFit::kLeaf;
    }
    case Kind::kEnumMatch: {
      if (!direct(k.kids[0])) return LeafFit::kNo;
      const ColumnRef& c = column(k.kids[0]);
      if (c.col == nullptr) return LeafFit::kLeaf;
      const std::array<uint8_t, 256>& tab = sh_.tables[static_cast<size_t>(kid)];
      leaf->kind = LeafKind::kCodes;
      leaf->data = c.col->codes.data() + base;
      leaf->valid = valid(c);
      for (size_t code = 0; code < 256; ++code) leaf->table[code] = tab[code] == 2;
      leaf->Finish();
      return LeafFit::kLeaf;
    }
    case Kind::kCompare: {
      int a = k.kids[0], cst = k.kids[1];
      Op op = k.op;
      if (!direct(a)) {
        std::swap(a, cst);
        op = Flip(op);
      }
      if (!direct(a) || St(cst).dom != Dom::kConst || St(cst).type == VType::kList) {
        return LeafFit::kNo;
      }
      const Step& as = St(a);
      const Scalar& v = St(cst).kind == Kind::kConst ? St(cst).value
                                                     : sh_.consts[static_cast<size_t>(cst)];
      const bool ints = as.type == VType::kInt && v.type == VType::kInt;
      const bool days = as.type == VType::kDate && v.type == VType::kDate;
      if (!ints && !days) return LeafFit::kNo;
      const ColumnRef& c = column(a);
      if (c.col == nullptr || !v.ok) return LeafFit::kLeaf;
      const RangeSource src = ColumnSource(*c.col, base);
      leaf->kind = src.kind;
      leaf->data = src.data;
      leaf->base = src.base;
      leaf->valid = valid(c);
      constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
      constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
      const int64_t x = ints ? v.i : v.date;
      switch (op) {
        case Op::kEq: leaf->AddRange(x, x); break;
        case Op::kNe:
          if (x != kMin) leaf->AddRange(kMin, x - 1);
          if (x != kMax) leaf->AddRange(x + 1, kMax);
          break;
        case Op::kLt:
          if (x != kMin) leaf->AddRange(kMin, x - 1);
          break;
        case Op::kLe: leaf->AddRange(kMin, x); break;
        case Op::kGt:
          if (x != kMax) leaf->AddRange(x + 1, kMax);
          break;
        case Op::kGe: leaf->AddRange(x, kMax); break;
        default: return LeafFit::kNo;
      }
      leaf->Finish();
      return LeafFit::kLeaf;
    }
    default: return LeafFit::kNo;
  }
}

Vec Runner::Cond(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec c = Eval(s.kids[0], act);
  if (c.scalar) {
    if (c.tri == 1) return ErrorVec(s.type);
    return Eval(s.kids[c.tri == 2 ? 1 : 2], act);
  }
  Buf& b = B(id);
  const uint32_t n = N(s.dom);
  const size_t nw = Words(n);
  uint64_t* at = GrowBits(b.s1, n);
  uint64_t* bt = GrowBits(b.s2, n);
  uint64_t any_a = 0, any_b = 0;
  for (size_t w = 0; w < nw; ++w) {
    uint64_t a = act != nullptr ? act[w] : ~uint64_t{0};
    if (w + 1 == nw) a &= TailMask(n);
    at[w] = a & TrueWord(c, w);
    bt[w] = a & FalseWord(c, w);
    any_a |= at[w];
    any_b |= bt[w];
  }
  const Vec va = any_a != 0 ? Eval(s.kids[1], at) : ErrorVec(s.type);
  const Vec vb = any_b != 0 ? Eval(s.kids[2], bt) : ErrorVec(s.type);
  if (s.type == VType::kBool) {
    uint64_t* t = GrowBits(b.own.t, n);
    uint64_t* f = GrowBits(b.own.f, n);
    for (size_t w = 0; w < nw; ++w) {
      const uint64_t ct = TrueWord(c, w), cf = FalseWord(c, w);
      t[w] = (ct & TrueWord(va, w)) | (cf & TrueWord(vb, w));
      f[w] = (ct & FalseWord(va, w)) | (cf & FalseWord(vb, w));
    }
    return BoolOut(t, f, true);
  }
  uint8_t* ok = Grow(b.own.ok, n);
  Vec v;
  v.type = s.type;
  v.ok = ok;
  auto pick = [&](auto* out, auto tag) {
    using T = decltype(tag);
    for (size_t w = 0; w < nw; ++w) {
      uint64_t m = act != nullptr ? act[w] : ~uint64_t{0};
      if (w + 1 == nw) m &= TailMask(n);
      if (m == 0) continue;
      const uint64_t ct = TrueWord(c, w), cf = FalseWord(c, w);
      for (; m != 0; m &= m - 1) {
        const int k = std::countr_zero(m);
        const uint32_t i = static_cast<uint32_t>(w * 64) + static_cast<uint32_t>(k);
        const bool is_true = (ct >> k) & 1;
        const Vec& from = is_true ? va : vb;
        const bool good = (is_true || ((cf >> k) & 1)) && OkAt(from, i);
        ok[i] = good;
        if constexpr (!std::is_same_v<T, std::nullptr_t>) out[i] = good ? At<T>(from, i) : T{};
      }
    }
  };
  switch (s.type) {
    case VType::kInt: {
      int64_t* out = Grow(b.own.i64, n);
      pick(out, int64_t{});
      v.data = out;
      break;
    }
    case VType::kDouble: {
      double* out = Grow(b.own.f64, n);
      pick(out, double{});
      v.data = out;
      break;
    }
    case VType::kDate: {
      int32_t* out = Grow(b.own.i32, n);
      pick(out, int32_t{});
      v.data = out;
      break;
    }
    case VType::kString: {
      std::string_view* out = Grow(b.own.sv, n);
      pick(out, std::string_view{});
      v.data = out;
      break;
    }
    case VType::kList: {
      int32_t* out = Grow(b.own.i32, n);
      ForRows(n, act, [&](uint32_t i) {
        const uint8_t ci = TriAt(c, i);
        const Vec& from = ci == 2 ? va : vb;
        const bool good = ci != 1 && OkAt(from, i);
        ok[i] = good;
        out[i] = !good ? -1 : from.leaf >= 0 ? from.leaf : At<int32_t>(from, i);
      });
      v.data = out;
      break;
    }
    default: {  // null
      pick(static_cast<uint8_t*>(nullptr), nullptr);
      break;
    }
  }
  return v;
}

Vec Runner::Arith(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec l = Eval(s.kids[0], act);
  const Vec r = Eval(s.kids[1], act);
  const bool scalar = l.scalar && r.scalar;
  const uint32_t n = scalar ? 1 : N(s.dom);
  const uint64_t* a = scalar ? nullptr : act;
  Buf& b = B(id);
  bool all_error = false;
  const uint8_t* ok_in = CombineOk(b, n, {&l, &r}, &all_error);
  if (all_error) return ErrorVec(s.type);
  Vec v;
  v.type = s.type;
  if (s.type == VType::kString) {
    size_t total = 0;
    ForRows(n, a, [&](uint32_t i) {
      total += At<std::string_view>(l, i).size() + At<std::string_view>(r, i).size();
    });
    if (b.arena.size() < total) b.arena.resize(total);
    char* p = b.arena.data();
    std::string_view* out = Grow(b.own.sv, n);
    ForRows(n, a, [&](uint32_t i) {
      const std::string_view x = At<std::string_view>(l, i), y = At<std::string_view>(r, i);
      if (!x.empty()) std::memcpy(p, x.data(), x.size());
      if (!y.empty()) std::memcpy(p + x.size(), y.data(), y.size());
      out[i] = std::string_view(p, x.size() + y.size());
      p += x.size() + y.size();
    });
    v.data = out;
    v.ok = ok_in;
    return scalar ? Scalarize(v) : v;
  }
  uint8_t* ok = Grow(b.own.ok, n);
  const Op op = s.op;
  if (s.type == VType::kInt) {
    int64_t* out = Grow(b.own.i64, n);
    ForRows(n, a, [&](uint32_t i) {
      const int64_t x = At<int64_t>(l, i), y = At<int64_t>(r, i);
      int64_t z = 0;
      bool good;
      switch (op) {
        case Op::kAdd: good = !__builtin_add_overflow(x, y, &z); break;
        case Op::kSub: good = !__builtin_sub_overflow(x, y, &z); break;
        case Op::kMul: good = !__builtin_mul_overflow(x, y, &z); break;
        default: {
          good = y != 0 && !(x == std::numeric_limits<int64_t>::min() && y == -1);
          const int64_t d = good ? y : 1;
          z = op == Op::kDiv ? x / d : x % d;
          break;
        }
      }
      good &= ok_in == nullptr || ok_in[i] != 0;
      out[i] = good ? z : 0;
      ok[i] = good;
    });
    v.data = out;
  } else {
    double* out = Grow(b.own.f64, n);
    ForRows(n, a, [&](uint32_t i) {
      const double x = At<double>(l, i), y = At<double>(r, i);
      double z = 0;
      bool good = true;
      switch (op) {
        case Op::kAdd: z = x + y; break;
        case Op::kSub: z = x - y; break;
        case Op::kMul: z = x * y; break;
        default:
          good = y != 0;
          z = good ? x / y : 0;
          break;
      }
      good = good && std::isfinite(z) && (ok_in == nullptr || ok_in[i] != 0);
      out[i] = good ? z : 0;
      ok[i] = good;
    });
    v.data = out;
  }
  v.ok = ok;
  return scalar ? Scalarize(v) : v;
}

Vec Runner::Compare(int id, const uint64_t* act) {
  const Step& s = St(id);
  Vec l = Eval(s.kids[0], act);
  Vec r = Eval(s.kids[1], act);
  Op op = s.op;
  const bool scalar = l.scalar && r.scalar;
  const uint32_t n = scalar ? 1 : N(s.dom);
  const uint64_t* a = scalar ? nullptr : act;
  Buf& b = B(id);
  uint64_t* t = GrowBits(b.own.t, n);
  uint64_t* f = GrowBits(b.own.f, n);
  auto done = [&](bool any_error) {
    const Vec v = BoolOut(t, f, any_error);
    return scalar ? Scalarize(v) : v;
  };
  if (l.type == VType::kBool) {  // == and != only
    for (size_t w = 0; w < Words(n); ++w) {
      const uint64_t lt = TrueWord(l, w), lf = FalseWord(l, w);
      const uint64_t rt = TrueWord(r, w), rf = FalseWord(r, w);
      const uint64_t ok = (lt | lf) & (rt | rf);
      const uint64_t eq = ~(lt ^ rt);
      const uint64_t res = op == Op::kEq ? eq : ~eq;
      t[w] = res & ok;
      f[w] = ~res & ok;
    }
    return done(true);
  }
  bool all_error = false;
  const uint8_t* ok_in = CombineOk(b, n, {&l, &r}, &all_error);
  if (all_error) return BoolScalar(1);
  if (l.scalar && !r.scalar) {
    std::swap(l, r);
    op = Flip(op);
  }
  bool any_error = false;
  auto words = [&](auto&& value) {
    if (ok_in != nullptr) {
      any_error = BoolWords<true>(n, a, t, f, value, [&](uint32_t i) { return ok_in[i] != 0; });
    } else {
      BoolWords<false>(n, a, t, f, value, [](uint32_t) { return true; });
    }
  };
  auto same = [&](auto tag) {
    using T = decltype(tag);
    if (std::is_same_v<T, int64_t> && !l.scalar && r.scalar) {  // an int column against a constant
      const int64_t* x = static_cast<const int64_t*>(l.data);
      const int64_t c = At<int64_t>(r, 0);
      WithOp(op, [&](auto cmp) {
        any_error = BitWords(n, a, ok_in, t, f,
                             [&](uint32_t base, uint32_t lim, uint64_t* value, uint64_t*) {
                               alignas(16) uint8_t vb[64] = {};
                               for (uint32_t k = 0; k < lim; ++k) vb[k] = cmp(x[base + k], c);
                               *value = Pack64(vb);
                             });
      });
      return;
    }
    WithOp(op, [&](auto cmp) {
      WithAcc<T>(l, [&](auto la) {
        WithAcc<T>(r, [&](auto ra) { words([&](uint32_t i) { return cmp(la(i), ra(i)); }); });
      });
    });
  };
  switch (l.type) {
    case VType::kNull:
      words([&](uint32_t) { return op == Op::kEq; });
      break;
    case VType::kString:
      TriRows(n, a, t, f, [&](uint32_t i) -> uint8_t {
        if (ok_in != nullptr && ok_in[i] == 0) return 1;
        const int c = At<std::string_view>(l, i).compare(At<std::string_view>(r, i));
        return OpHolds(op, c) ? 2 : 0;
      });
      any_error = true;
      break;
    case VType::kDate: same(int32_t{}); break;
    case VType::kInt:
      if (r.type == VType::kInt) {
        same(int64_t{});
      } else {
        words([&](uint32_t i) {
          return OpHolds(op, CompareIntDouble(At<int64_t>(l, i), At<double>(r, i)));
        });
      }
      break;
    case VType::kDouble:
      if (r.type == VType::kDouble) {
        same(double{});
      } else {
        words([&](uint32_t i) {
          return OpHolds(op, -CompareIntDouble(At<int64_t>(r, i), At<double>(l, i)));
        });
      }
      break;
    default: return BoolScalar(1);
  }
  return done(any_error);
}

Vec Runner::AgeCmp(int id, const uint64_t* act) {
  const Step& s = St(id);
  const AgeCut& cut = sh_.cuts[static_cast<size_t>(id)];
  if (cut.error) return BoolScalar(1);
  {  // Computed by the eligibility's fused pass (Plan::amount_cuts) for rows including these?
    Buf& b = B(id);
    const size_t nw = Words(N(s.dom));
    if (b.fused_batch == batch_ && act != nullptr) {
      uint64_t outside = 0;
      for (size_t w = 0; w < nw; ++w) outside |= act[w] & ~b.fused_rows[w];
      if (outside == 0) {
        return s.only_true ? BoolOut(b.own.t.data(), nullptr, false)
                           : BoolOut(b.own.t.data(), b.own.f.data(), true);
      }
    }
    b.fused_batch = ~uint64_t{0};  // own.t and own.f are computed afresh below
  }
  // The days of birth straight from their column when the operand is one (read at its stored
  // width, and only for the active rows: an amount needs them for the eligible rows alone);
  // else the operand's int32 days.
  const Step& xs = St(s.kids[0]);
  const ColumnRef* direct = nullptr;
  if (xs.kind == Kind::kAttr && xs.dom == s.dom &&
      (s.dom == Dom::kHousehold || s.dom == Dom::kMember)) {
    const ColumnRef& c = sh_.cols[static_cast<size_t>(xs.attr)];
    if (c.col != nullptr) direct = &c;
  }
  Vec x;
  RangeSource src;
  if (direct != nullptr) {
    const size_t base = s.dom == Dom::kHousehold ? hb_ : mb_;
    src = ColumnSource(*direct->col, base);
    x.ok = direct->valid != nullptr ? direct->valid + base : nullptr;
  } else {
    x = Eval(s.kids[0], act);
    src = WideDays(x.data);
  }
  const bool scalar = x.scalar;
  const uint32_t n = scalar ? 1 : N(s.dom);
  const uint64_t* a = scalar ? nullptr : act;
  if (scalar && !OkAt(x, 0)) return BoolScalar(1);
  Buf& b = B(id);
  uint64_t* t = GrowBits(b.own.t, n);
  uint64_t* f = GrowBits(b.own.f, n);
  if (!scalar) {
    if (s.only_true) {
      internal::LeafWords(AgeLeaf(cut, true, src, x.ok), n, a, t, sh_.avx2);
      return BoolOut(t, nullptr, false);
    }
    internal::LeafWordsPair(AgeLeaf(cut, true, src, x.ok), AgeLeaf(cut, false, src, x.ok), n, a,
                            t, f, sh_.avx2);
    return BoolOut(t, f, true);
  }
  const bool any_error = DaysInRange(n, a, static_cast<const int32_t*>(x.data), nullptr, cut, t, f);
  return Scalarize(BoolOut(t, f, any_error));
}

Vec Runner::EnumMatch(int id, const uint64_t* act) {
  const Step& s = St(id);
  const std::array<uint8_t, 256>& tab = sh_.tables[static_cast<size_t>(id)];
  const Vec x = Eval(s.kids[0], act);
  const bool scalar = x.scalar;
  if (scalar && !OkAt(x, 0)) return BoolScalar(1);
  const uint32_t n = scalar ? 1 : N(s.dom);
  const uint64_t* a = scalar ? nullptr : act;
  Buf& b = B(id);
  uint64_t* t = GrowBits(b.own.t, n);
  uint64_t* f = GrowBits(b.own.f, n);
  const uint8_t* codes = static_cast<const uint8_t*>(x.data);
  const bool any_error = BitWords(
      n, a, scalar ? nullptr : x.ok, t, f,
      [&](uint32_t base, uint32_t lim, uint64_t* value, uint64_t* ok) {
        alignas(16) uint8_t vb[64] = {};
        alignas(16) uint8_t eb[64] = {};
        for (uint32_t k = 0; k < lim; ++k) {
          const uint8_t r = tab[codes[base + k]];
          vb[k] = r >> 1;
          eb[k] = r & 1;
        }
        *value = Pack64(vb);
        *ok = ~Pack64(eb);
      });
  const Vec v = BoolOut(t, f, any_error);
  return scalar ? Scalarize(v) : v;
}

// Is x (row i) equal to element e (row i)? Both are ok there and of one type.
bool ElementEquals(const Vec& x, const Vec& e, uint32_t i) {
  switch (x.type) {
    case VType::kBool: return (TriAt(x, i) == 2) == (TriAt(e, i) == 2);
    case VType::kInt: return At<int64_t>(x, i) == At<int64_t>(e, i);
    case VType::kDouble: return At<double>(x, i) == At<double>(e, i);
    case VType::kDate: return At<int32_t>(x, i) == At<int32_t>(e, i);
    case VType::kString: return At<std::string_view>(x, i) == At<std::string_view>(e, i);
    default: return false;
  }
}

Vec Runner::In(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  const Vec list = Eval(s.kids[1], act);
  const bool scalar = x.scalar && list.scalar;
  const uint32_t n = scalar ? 1 : N(s.dom);
  const uint64_t* a = scalar ? nullptr : act;
  Buf& b = B(id);
  uint64_t* t = GrowBits(b.own.t, n);
  uint64_t* f = GrowBits(b.own.f, n);
  TriRows(n, a, t, f, [&](uint32_t i) -> uint8_t {
    const bool x_ok = x.type == VType::kBool ? TriAt(x, i) != 1 : OkAt(x, i);
    if (!x_ok || !OkAt(list, i)) return 1;
    const int leaf = list.leaf >= 0 ? list.leaf : At<int32_t>(list, i);
    const std::vector<Vec>& elems =
        list.leaf >= 0 && list.elems != nullptr ? *list.elems : B(leaf).elems;
    for (const Vec& e : elems) {
      if (ElementEquals(x, e, i)) return 2;
    }
    return 0;
  });
  const Vec v = BoolOut(t, f, true);
  return scalar ? Scalarize(v) : v;
}

Vec Runner::SizeString(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.scalar && !OkAt(x, 0)) return ErrorVec(VType::kInt);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  int64_t* out = Grow(b.own.i64, n);
  ForRows(n, x.scalar ? nullptr : act, [&](uint32_t i) {
    out[i] = static_cast<int64_t>(CodePoints(At<std::string_view>(x, i)));
  });
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  v.ok = x.ok;
  return x.scalar ? Scalarize(v) : v;
}

Vec Runner::SizeList(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec list = Eval(s.kids[0], act);
  if (list.scalar && !OkAt(list, 0)) return ErrorVec(VType::kInt);
  const uint32_t n = list.scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  int64_t* out = Grow(b.own.i64, n);
  ForRows(n, list.scalar ? nullptr : act, [&](uint32_t i) {
    const int leaf = list.leaf >= 0 ? list.leaf : At<int32_t>(list, i);
    out[i] = leaf >= 0 ? static_cast<int64_t>(St(leaf).kids.size()) : 0;
  });
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  v.ok = list.ok;
  return list.scalar ? Scalarize(v) : v;
}

Vec Runner::MembersCount(int id) {
  Buf& b = B(id);
  int64_t* out = Grow(b.own.i64, nh_);
  for (uint32_t h = 0; h < nh_; ++h) out[h] = seg_[h + 1] - seg_[h];
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  return v;
}

Vec Runner::Age(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.scalar && !OkAt(x, 0)) return ErrorVec(VType::kInt);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  int64_t* out = Grow(b.own.i64, n);
  uint8_t* ok = Grow(b.own.ok, n);
  const int32_t eval = sh_.eval.days(), packed_eval = sh_.packed_eval;
  const bool eval_ok = sh_.eval_in_range, since = s.years_since;
  ForRows(n, x.scalar ? nullptr : act, [&](uint32_t i) {
    const int32_t d = At<int32_t>(x, i);
    const bool good = OkAt(x, i) && eval_ok && d >= kMinDateDays && d <= kMaxDateDays &&
                      (since || d <= eval);
    out[i] = good ? YearsFromPacked(internal::PackedCivil(d), packed_eval, d > eval) : 0;
    ok[i] = good;
  });
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  v.ok = ok;
  return x.scalar ? Scalarize(v) : v;
}

Vec Runner::StringTest(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  const Vec y = Eval(s.kids[1], act);
  const bool scalar = x.scalar && y.scalar;
  const uint32_t n = scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  uint64_t* t = GrowBits(b.own.t, n);
  uint64_t* f = GrowBits(b.own.f, n);
  const Function fn = s.fn;
  TriRows(n, scalar ? nullptr : act, t, f, [&](uint32_t i) -> uint8_t {
    if (!OkAt(x, i) || !OkAt(y, i)) return 1;
    const std::string_view a = At<std::string_view>(x, i), c = At<std::string_view>(y, i);
    const bool r = fn == Function::kStartsWith ? a.starts_with(c)
                   : fn == Function::kEndsWith ? a.ends_with(c)
                                               : a.find(c) != std::string_view::npos;
    return r ? 2 : 0;
  });
  const Vec v = BoolOut(t, f, true);
  return scalar ? Scalarize(v) : v;
}

Vec Runner::ToInt(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.type == VType::kInt) return x;
  if (x.scalar && !OkAt(x, 0)) return ErrorVec(VType::kInt);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  int64_t* out = Grow(b.own.i64, n);
  uint8_t* ok = Grow(b.own.ok, n);
  const uint64_t* a = x.scalar ? nullptr : act;
  if (x.type == VType::kDouble) {
    ForRows(n, a, [&](uint32_t i) {
      const double tr = std::trunc(At<double>(x, i));  // toward zero, as CEL
      const bool good = OkAt(x, i) && tr >= -kTwoTo63 && tr < kTwoTo63;
      out[i] = good ? static_cast<int64_t>(tr) : 0;
      ok[i] = good;
    });
  } else {  // string
    ForRows(n, a, [&](uint32_t i) {
      std::string_view text = At<std::string_view>(x, i);
      if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
      int64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      const bool good = OkAt(x, i) && ec == std::errc() && end == text.data() + text.size();
      out[i] = good ? value : 0;
      ok[i] = good;
    });
  }
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  v.ok = ok;
  return x.scalar ? Scalarize(v) : v;
}

Vec Runner::ToDouble(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.type == VType::kDouble) return x;
  if (x.scalar && !OkAt(x, 0)) return ErrorVec(VType::kDouble);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  double* out = Grow(b.own.f64, n);
  const uint64_t* a = x.scalar ? nullptr : act;
  Vec v;
  v.type = VType::kDouble;
  v.data = out;
  if (x.type == VType::kInt) {
    ForRows(n, a, [&](uint32_t i) { out[i] = static_cast<double>(At<int64_t>(x, i)); });
    v.ok = x.ok;
  } else {  // string
    uint8_t* ok = Grow(b.own.ok, n);
    ForRows(n, a, [&](uint32_t i) {
      std::string_view text = At<std::string_view>(x, i);
      if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
      double value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      const bool good = OkAt(x, i) && ec == std::errc() && end == text.data() + text.size() &&
                        std::isfinite(value);
      out[i] = good ? value : 0;
      ok[i] = good;
    });
    v.ok = ok;
  }
  return x.scalar ? Scalarize(v) : v;
}

Vec Runner::ToString(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.type == VType::kString) return x;
  const bool scalar = x.scalar;
  if (scalar && x.type != VType::kBool && !OkAt(x, 0)) return ErrorVec(VType::kString);
  const uint32_t n = scalar ? 1 : N(s.dom);
  const uint64_t* a = scalar ? nullptr : act;
  Buf& b = B(id);
  size_t rows = 0;
  ForRows(n, a, [&](uint32_t) { ++rows; });
  constexpr size_t kMaxChars = 40;  // an int64, a double, a date or a bool
  if (b.arena.size() < rows * kMaxChars) b.arena.resize(rows * kMaxChars);
  char* p = b.arena.data();
  std::string_view* out = Grow(b.own.sv, n);
  uint8_t* ok = Grow(b.own.ok, n);
  ForRows(n, a, [&](uint32_t i) {
    size_t len = 0;
    bool good = true;
    switch (x.type) {
      case VType::kInt: {
        auto r = std::to_chars(p, p + kMaxChars, At<int64_t>(x, i));
        len = static_cast<size_t>(r.ptr - p);
        good = OkAt(x, i);
        break;
      }
      case VType::kDouble:
        len = DoubleChars(At<double>(x, i), p, kMaxChars);
        good = OkAt(x, i);
        break;
      case VType::kBool: {
        const uint8_t tri = TriAt(x, i);
        good = tri != 1;
        const char* text = tri == 2 ? "true" : "false";
        len = tri == 2 ? 4 : 5;
        std::memcpy(p, text, len);
        break;
      }
      case VType::kDate: {
        const int32_t d = At<int32_t>(x, i);
        good = OkAt(x, i) && d >= kMinDateDays && d <= kMaxDateDays;
        if (good) {
          const int32_t packed = internal::PackedCivil(d);
          const int y = packed >> 9, m = (packed >> 5) & 15, day = packed & 31;
          const char text[10] = {static_cast<char>('0' + y / 1000),
                                 static_cast<char>('0' + y / 100 % 10),
                                 static_cast<char>('0' + y / 10 % 10),
                                 static_cast<char>('0' + y % 10),
                                 '-',
                                 static_cast<char>('0' + m / 10),
                                 static_cast<char>('0' + m % 10),
                                 '-',
                                 static_cast<char>('0' + day / 10),
                                 static_cast<char>('0' + day % 10)};
          std::memcpy(p, text, 10);
          len = 10;
        }
        break;
      }
      default: good = false; break;
    }
    out[i] = good ? std::string_view(p, len) : std::string_view();
    ok[i] = good;
    p += kMaxChars;
  });
  Vec v;
  v.type = VType::kString;
  v.data = out;
  v.ok = ok;
  return scalar ? Scalarize(v) : v;
}

Vec Runner::Rupees(int id, const uint64_t* act) {
  const Step& s = St(id);
  const Vec x = Eval(s.kids[0], act);
  if (x.scalar && !OkAt(x, 0)) return ErrorVec(VType::kInt);
  const uint32_t n = x.scalar ? 1 : N(s.dom);
  Buf& b = B(id);
  int64_t* out = Grow(b.own.i64, n);
  uint8_t* ok = Grow(b.own.ok, n);
  ForRows(n, x.scalar ? nullptr : act, [&](uint32_t i) {
    int64_t paise = 0;
    bool good;
    if (x.type == VType::kInt) {
      good = !__builtin_mul_overflow(At<int64_t>(x, i), int64_t{100}, &paise);
    } else {
      const double p = std::round(At<double>(x, i) * 100.0);
      good = p >= -kTwoTo63 && p < kTwoTo63;
      paise = good ? static_cast<int64_t>(p) : 0;
    }
    good &= OkAt(x, i);
    out[i] = good ? paise : 0;
    ok[i] = good;
  });
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  v.ok = ok;
  return x.scalar ? Scalarize(v) : v;
}

Runner::AggLanes Runner::AggRows(int id, uint32_t n, const uint64_t* inc0) {
  const Step& s = St(id);
  Buf& b = B(id);
  const size_t nw = Words(n);
  auto row_word = [&](const uint64_t* m, size_t w) {
    const uint64_t x = m != nullptr ? m[w] : ~uint64_t{0};
    return w + 1 == nw ? x & TailMask(n) : x;
  };
  AggLanes l;
  l.inc = inc0;
  uint64_t* cerr = nullptr;
  for (int j = 0; j < s.filters; ++j) {
    const Vec v = Eval(s.kids[static_cast<size_t>(j)], l.inc);
    uint64_t* inc = GrowBits(j % 2 == 0 ? b.s1 : b.s2, n);
    for (size_t w = 0; w < nw; ++w) {
      const uint64_t iw = row_word(l.inc, w);
      const uint64_t tw = TrueWord(v, w);
      const uint64_t e = iw & ~tw & ~FalseWord(v, w);
      if (e != 0) {
        if (cerr == nullptr) {
          cerr = GrowBits(b.s3, n);
          std::fill(cerr, cerr + nw + 1, 0);
        }
        cerr[w] |= e;
      }
      inc[w] = iw & tw;
    }
    inc[nw] = 0;
    l.inc = inc;
  }
  l.cerr = cerr;
  if (s.macro == Macro::kFilter) return l;
  const Vec v = Eval(s.kids[static_cast<size_t>(s.filters)], l.inc);
  if (l.inc == nullptr && !v.scalar && v.t != nullptr && v.f == nullptr && s.macro != Macro::kAll) {
    l.xt = v.t;  // no row is an error: true rows as they are
    return l;
  }
  uint64_t* xt = GrowBits(b.s6, n);
  uint64_t* xf = GrowBits(b.s7, n);
  uint64_t* xe = GrowBits(b.s4, n);
  uint64_t any_error = 0;
  for (size_t w = 0; w < nw; ++w) {
    const uint64_t iw = row_word(l.inc, w);
    const uint64_t tw = TrueWord(v, w), fw = FalseWord(v, w);
    xt[w] = iw & tw;
    xf[w] = iw & fw;
    xe[w] = iw & ~tw & ~fw;
    any_error |= xe[w];
  }
  xt[nw] = xf[nw] = xe[nw] = 0;
  l.xt = xt;
  l.xf = xf;
  l.xe = any_error != 0 ? xe : nullptr;
  return l;
}

uint8_t Runner::AggTri(const Step& s, const AggLanes& l, uint32_t b, uint32_t e) const {
  if (l.cerr != nullptr && SegAny(l.cerr, b, e)) return 1;
  switch (s.macro) {
    case Macro::kExists:
      if (SegAny(l.xt, b, e)) return 2;
      return l.xe != nullptr && SegAny(l.xe, b, e) ? 1 : 0;
    case Macro::kAll:
      if (SegAny(l.xf, b, e)) return 0;
      return l.xe != nullptr && SegAny(l.xe, b, e) ? 1 : 2;
    case Macro::kExistsOne:
      if (l.xe != nullptr && SegAny(l.xe, b, e)) return 1;
      return SegCount(l.xt, b, e) == 1 ? 2 : 0;
    default: return 1;
  }
}

Vec Runner::Agg(int id, const uint64_t* act) {
  const Step& s = St(id);
  if (s.iter == Dom::kPair) return AggPairs(id, act);
  Buf& b = B(id);
  const uint64_t* inc0 = act != nullptr ? BroadcastToMembers(act, b.s5) : nullptr;
  const AggLanes l = AggRows(id, nm_, inc0);
  const uint32_t* seg = seg_.data();
  Vec v;
  v.type = s.type;
  if (s.macro == Macro::kFilter) {  // filter(...).size()
    int64_t* out = Grow(b.own.i64, nh_);
    uint8_t* ok = Grow(b.own.ok, nh_);
    ForRows(nh_, act, [&](uint32_t h) {
      const uint32_t s0 = seg[h], s1 = seg[h + 1];
      const bool good = l.cerr == nullptr || !SegAny(l.cerr, s0, s1);
      out[h] = !good ? 0 : l.inc != nullptr ? SegCount(l.inc, s0, s1) : s1 - s0;
      ok[h] = good;
    });
    v.data = out;
    v.ok = ok;
    return v;
  }
  uint64_t* t = GrowBits(b.own.t, nh_);
  uint64_t* f = GrowBits(b.own.f, nh_);
  if (s.macro == Macro::kExists && l.cerr == nullptr && l.xe == nullptr) {
    // exists without errors: true where a member's bit is set; false elsewhere.
    const size_t nw = Words(nh_);
    for (size_t w = 0; w < nw; ++w) {
      uint64_t m = act != nullptr ? act[w] : ~uint64_t{0};
      if (w + 1 == nw) m &= TailMask(nh_);
      uint64_t tw = 0;
      while (m != 0) {
        const int k = std::countr_zero(m);
        m &= m - 1;
        const uint32_t h = static_cast<uint32_t>(w * 64) + static_cast<uint32_t>(k);
        tw |= static_cast<uint64_t>(SegAny(l.xt, seg[h], seg[h + 1])) << k;
      }
      t[w] = tw;
    }
    return BoolOut(t, f, false);
  }
  TriRows(nh_, act, t, f, [&](uint32_t h) { return AggTri(s, l, seg[h], seg[h + 1]); });
  return BoolOut(t, f, true);
}

// A macro whose predicates read the person: for each person, over the pairs (person, member) of
// the person's household, in groups of about batch_rows pairs.
Vec Runner::AggPairs(int id, const uint64_t* act) {
  const Step& s = St(id);
  Buf& b = B(id);
  const bool count = s.macro == Macro::kFilter;
  uint64_t* t = GrowBits(b.own.t, nm_);
  uint64_t* f = GrowBits(b.own.f, nm_);
  int64_t* values = count ? Grow(b.own.i64, nm_) : nullptr;
  uint8_t* ok = count ? Grow(b.own.ok, nm_) : nullptr;
  std::fill(t, t + Words(nm_) + 1, 0);
  std::fill(f, f + Words(nm_) + 1, 0);
  std::vector<uint32_t> persons, starts;  // the group's persons and their first pair
  uint32_t pairs = 0;
  auto flush = [&] {
    if (persons.empty()) return;
    np_ = pairs;
    starts.push_back(pairs);
    const AggLanes l = AggRows(id, np_, nullptr);
    for (size_t k = 0; k < persons.size(); ++k) {
      const uint32_t p = persons[k], s0 = starts[k], s1 = starts[k + 1];
      if (count) {
        const bool good = l.cerr == nullptr || !SegAny(l.cerr, s0, s1);
        values[p] = !good ? 0 : l.inc != nullptr ? SegCount(l.inc, s0, s1) : s1 - s0;
        ok[p] = good;
      } else {
        const uint8_t tri = AggTri(s, l, s0, s1);
        t[p >> 6] |= static_cast<uint64_t>(tri == 2) << (p & 63);
        f[p >> 6] |= static_cast<uint64_t>(tri == 0) << (p & 63);
      }
    }
    persons.clear();
    starts.clear();
    pp_.clear();
    pm_.clear();
    ph_.clear();
    pairs = 0;
  };
  uint32_t h = 0;
  ForRows(nm_, act, [&](uint32_t p) {
    while (seg_[h + 1] <= p) ++h;
    const uint32_t m0 = seg_[h], m1 = seg_[h + 1];
    if (!persons.empty() && pairs + (m1 - m0) > plan_.batch_rows) flush();
    persons.push_back(p);
    starts.push_back(pairs);
    for (uint32_t m = m0; m < m1; ++m) {
      pp_.push_back(p);
      pm_.push_back(m);
      ph_.push_back(h);
    }
    pairs += m1 - m0;
  });
  flush();
  np_ = 0;
  Vec v;
  v.type = s.type;
  if (count) {
    v.data = values;
    v.ok = ok;
    return v;
  }
  return BoolOut(t, f, true);
}

Vec Runner::Reference(int id, const uint64_t* act) {
  const Step& s = St(id);
  const CheckedExpr& expr = plan_.exprs[static_cast<size_t>(s.expr)];
  const uint32_t n = N(s.dom);
  const size_t base = s.dom == Dom::kHousehold ? hb_ : mb_;
  Buf& b = B(id);
  if (s.type == VType::kBool) {
    uint64_t* t = GrowBits(b.own.t, n);
    uint64_t* f = GrowBits(b.own.f, n);
    TriRows(n, act, t, f, [&](uint32_t i) -> uint8_t {
      const Value v = Evaluate(expr, *sh_.frame, plan_.unit, base + i, sh_.eval);
      if (v.is_error()) return 1;
      return v.kind() == Value::Kind::kBool && v.bool_value() ? 2 : 0;
    });
    return BoolOut(t, f, true);
  }
  int64_t* out = Grow(b.own.i64, n);
  uint8_t* ok = Grow(b.own.ok, n);
  ForRows(n, act, [&](uint32_t i) {
    const Value v = Evaluate(expr, *sh_.frame, plan_.unit, base + i, sh_.eval);
    const bool good = v.kind() == Value::Kind::kInt;
    out[i] = good ? v.int_value() : 0;
    ok[i] = good;
  });
  Vec v;
  v.type = VType::kInt;
  v.data = out;
  v.ok = ok;
  return v;
}

}  // namespace

namespace {

Result<VType> VTypeOf(const Type& t) {
  switch (t.kind) {
    case TypeKind::kNull: return VType::kNull;
    case TypeKind::kBool: return VType::kBool;
    case TypeKind::kInt: return VType::kInt;
    case TypeKind::kDouble: return VType::kDouble;
    case TypeKind::kString: return VType::kString;
    case TypeKind::kDate: return VType::kDate;
    case TypeKind::kList: return VType::kList;
    case TypeKind::kMembers: break;
  }
  return UnimplementedError("a members list used as a value");
}

VType AttrVType(AttrKind k) {
  switch (k) {
    case AttrKind::kBool: return VType::kBool;
    case AttrKind::kInt:
    case AttrKind::kMoney: return VType::kInt;
    case AttrKind::kDate: return VType::kDate;
    case AttrKind::kEnum: return VType::kEnum;
    case AttrKind::kString: return VType::kString;
  }
  return VType::kNull;
}

Result<Scalar> ScalarOf(const Value& v) {
  Scalar s;
  switch (v.kind()) {
    case Value::Kind::kNull: s.type = VType::kNull; break;
    case Value::Kind::kBool:
      s.type = VType::kBool;
      s.tri = v.bool_value() ? 2 : 0;
      break;
    case Value::Kind::kInt:
      s.type = VType::kInt;
      s.i = v.int_value();
      break;
    case Value::Kind::kDouble:
      s.type = VType::kDouble;
      s.d = v.double_value();
      break;
    case Value::Kind::kString:
      s.type = VType::kString;
      s.SetString(v.string_value());
      break;
    case Value::Kind::kDate:
      s.type = VType::kDate;
      s.date = v.date_value().days();
      break;
    default: return UnimplementedError("a constant that is a list or an error");
  }
  return s;
}

// Kinds that work row by row (strings, conversions, the reference): worth ordering after the
// vectorised operands of && and ||.
int ExtraCost(const Step& s) {
  switch (s.kind) {
    case Kind::kAgg: return 64;
    case Kind::kReference: return 1000;
    case Kind::kStringTest:
    case Kind::kToString:
    case Kind::kToInt:
    case Kind::kToDouble:
    case Kind::kIn:
    case Kind::kEnumToString:
    case Kind::kSizeString: return 8;
    case Kind::kArith:
    case Kind::kCompare:
    case Kind::kAttr: return s.type == VType::kString ? 8 : 0;
    default: return 0;
  }
}

class Compiler {
 public:
  Compiler(Plan* plan, const ColumnarOptions& options) : p_(*plan), options_(options) {}

  // Adds a checked expression; returns its root step (a kReference step when the expression
  // cannot be compiled).
  int AddExpr(const CheckedExpr& e) {
    if (!options_.force_reference) {
      expr_ = &e;
      Result<int> r = Build(e.root());
      expr_ = nullptr;
      if (r.ok()) return *r;
      p_.reasons.push_back(e.source() + ": " + r.status().message());
    } else {
      p_.reasons.push_back(e.source() + ": the reference evaluator was asked for");
    }
    Step s;
    s.kind = Kind::kReference;
    s.type = e.type().kind == TypeKind::kBool ? VType::kBool : VType::kInt;
    s.deps = p_.unit == Unit::kPerson ? (kDepPerson | kDepHousehold) : kDepHousehold;
    s.expr = static_cast<int>(p_.exprs.size());
    p_.exprs.push_back(e);
    return Add(std::move(s));
  }

  int AddAnd(std::vector<int> kids) {
    Step s;
    s.kind = Kind::kAnd;
    s.type = VType::kBool;
    s.kids = std::move(kids);
    return Add(std::move(s));
  }

  // Folds constants, flattens and orders && and ||, assigns domains.
  void Finish() {
    const std::vector<int> roots = Roots();
    {
      Shared shared;
      shared.plan = &p_;
      shared.consts.resize(p_.steps.size());
      shared.cuts.resize(p_.steps.size());
      shared.tables.resize(p_.steps.size());
      Runner runner(shared);
      runner.SetNoBatch();
      std::vector<char> seen(p_.steps.size());
      for (int r : roots) Fold(r, runner, seen);
    }
    for (int r : roots) Flatten(r);
    for (int r : roots) SetTarget(r, p_.out);
    std::vector<char> marks(p_.steps.size());
    for (int r : roots) MarkOnlyTrue(r, St(r).type == VType::kBool, marks);
    std::vector<char> seen(p_.steps.size());
    for (int r : roots) Collect(r, seen);
  }

 private:
  Step& St(int id) { return p_.steps[static_cast<size_t>(id)]; }
  std::vector<int> Roots() const {
    std::vector<int> roots = {p_.root};
    if (p_.amount >= 0) roots.push_back(p_.amount);
    return roots;
  }

  int Add(Step s) {
    switch (s.kind) {
      case Kind::kAttr:
      case Kind::kHas:
      case Kind::kMembersCount:
      case Kind::kReference: break;  // deps set by the caller
      case Kind::kAgg: {
        uint8_t d = 0;
        for (int k : s.kids) {
          d |= St(k).deps;
          s.dated |= St(k).dated;
        }
        s.iter = (d & kDepPerson) ? Dom::kPair : Dom::kMember;
        s.deps = static_cast<uint8_t>(kDepHousehold | (d & ~kDepMember));
        break;
      }
      default:
        for (int k : s.kids) {
          s.deps |= St(k).deps;
          s.dated |= St(k).dated;
        }
        break;
    }
    s.dom = DomOf(s.deps);
    s.cost = 1 + ExtraCost(s);
    for (int k : s.kids) s.cost += St(k).cost;
    p_.steps.push_back(std::move(s));
    return static_cast<int>(p_.steps.size()) - 1;
  }

  int AttrSlot(const AttributeSchema& a) {
    for (size_t i = 0; i < p_.attrs.size(); ++i) {
      const PlanAttr& x = p_.attrs[i];
      if (x.entity == a.entity && x.name == a.name && x.kind == a.kind) return static_cast<int>(i);
    }
    p_.attrs.push_back({a.entity, a.name, a.kind, a.enum_values});
    return static_cast<int>(p_.attrs.size()) - 1;
  }

  // An enum value where a string is needed.
  int AsString(int id) {
    if (St(id).type != VType::kEnum) return id;
    Step s;
    s.kind = Kind::kEnumToString;
    s.type = VType::kString;
    s.kids = {id};
    return Add(std::move(s));
  }

  Result<int> Build(NodeId id) {
    const Node& n = expr_->node(id);
    auto kid = [&](size_t i) -> Result<int> {
      if (i >= n.children.size()) return UnimplementedError("a node without its operands");
      return Build(n.children[i]);
    };
    Step s;
    switch (n.kind) {
      case NodeKind::kConstant: {
        ASSIGN_OR_RETURN(s.value, ScalarOf(n.constant));
        s.type = s.value.type;
        return Add(std::move(s));
      }
      case NodeKind::kAttribute:
      case NodeKind::kHas: {
        if (n.attribute < 0 || static_cast<size_t>(n.attribute) >= expr_->attributes().size()) {
          return UnimplementedError("an attribute reference out of range");
        }
        const AttributeSchema& a = expr_->attributes()[static_cast<size_t>(n.attribute)];
        s.kind = n.kind == NodeKind::kHas ? Kind::kHas : Kind::kAttr;
        s.type = n.kind == NodeKind::kHas ? VType::kBool : AttrVType(a.kind);
        s.attr = AttrSlot(a);
        s.scope = n.scope;
        s.deps = n.scope == Scope::kPerson      ? kDepPerson
                 : n.scope == Scope::kHousehold ? kDepHousehold
                                                : kDepMember;
        if (p_.unit == Unit::kHousehold && n.scope == Scope::kPerson) {
          return UnimplementedError("person in a household rule");
        }
        return Add(std::move(s));
      }
      case NodeKind::kList: {
        s.kind = Kind::kList;
        s.type = VType::kList;
        if (n.type.element != TypeKind::kNull) {
          ASSIGN_OR_RETURN(s.elem, VTypeOf(Type{n.type.element}));
        }
        for (size_t i = 0; i < n.children.size(); ++i) {
          ASSIGN_OR_RETURN(int e, kid(i));
          if (St(e).type == VType::kList) return UnimplementedError("a list of lists");
          s.kids.push_back(AsString(e));
        }
        return Add(std::move(s));
      }
      case NodeKind::kMembers: return UnimplementedError("household.members used as a value");
      case NodeKind::kNot:
      case NodeKind::kNegate: {
        ASSIGN_OR_RETURN(int x, kid(0));
        s.kind = n.kind == NodeKind::kNot ? Kind::kNot : Kind::kNegate;
        s.type = St(x).type;
        s.kids = {x};
        return Add(std::move(s));
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        ASSIGN_OR_RETURN(int l, kid(0));
        ASSIGN_OR_RETURN(int r, kid(1));
        s.kind = n.kind == NodeKind::kAnd ? Kind::kAnd : Kind::kOr;
        s.type = VType::kBool;
        s.kids = {l, r};
        return Add(std::move(s));
      }
      case NodeKind::kConditional: {
        ASSIGN_OR_RETURN(int c, kid(0));
        ASSIGN_OR_RETURN(int a, kid(1));
        ASSIGN_OR_RETURN(int b, kid(2));
        s.kind = Kind::kCond;
        ASSIGN_OR_RETURN(s.type, VTypeOf(n.type));
        if (s.type == VType::kList && n.type.element != TypeKind::kNull) {
          ASSIGN_OR_RETURN(s.elem, VTypeOf(Type{n.type.element}));
        }
        s.kids = {c, AsString(a), AsString(b)};
        return Add(std::move(s));
      }
      case NodeKind::kArithmetic: {
        ASSIGN_OR_RETURN(int l, kid(0));
        ASSIGN_OR_RETURN(int r, kid(1));
        s.kind = Kind::kArith;
        s.op = n.op;
        ASSIGN_OR_RETURN(s.type, VTypeOf(n.type));
        s.kids = {AsString(l), AsString(r)};
        return Add(std::move(s));
      }
      case NodeKind::kCompare: return BuildCompare(n);
      case NodeKind::kIn: return BuildIn(n);
      case NodeKind::kCall: return BuildCall(n);
      case NodeKind::kMacro: {
        if (n.macro == Macro::kFilter) return UnimplementedError("a filter used as a value");
        if (n.children.size() != 2) return UnimplementedError("a macro without its predicate");
        return BuildAgg(n.children[0], n.children[1], n.macro);
      }
    }
    return UnimplementedError("an unknown node");
  }

  Result<int> BuildCompare(const Node& n) {
    if (n.children.size() != 2) return UnimplementedError("a comparison without its operands");
    ASSIGN_OR_RETURN(int l, Build(n.children[0]));
    ASSIGN_OR_RETURN(int r, Build(n.children[1]));
    Op op = n.op;
    // age_years(x) OP k, years_since(x) OP k, with k an int the same for every row.
    for (int side = 0; side < 2; ++side) {
      const int call = side == 0 ? l : r, k = side == 0 ? r : l;
      if (St(call).kind == Kind::kAge && St(k).deps == 0 && St(k).type == VType::kInt) {
        Step s;
        s.kind = Kind::kAgeCmp;
        s.type = VType::kBool;
        s.op = side == 0 ? op : Flip(op);
        s.years_since = St(call).years_since;
        s.dated = true;
        s.kids = {St(call).kids[0], k};
        return Add(std::move(s));
      }
    }
    // An enum attribute == or != a string constant: a lookup by code.
    if (op == Op::kEq || op == Op::kNe) {
      for (int side = 0; side < 2; ++side) {
        const int e = side == 0 ? l : r, c = side == 0 ? r : l;
        if (St(e).type == VType::kEnum && St(c).kind == Kind::kConst &&
            St(c).type == VType::kString && St(c).value.ok) {
          Step s;
          s.kind = Kind::kEnumMatch;
          s.type = VType::kBool;
          s.negate = op == Op::kNe;
          s.match = {std::string(St(c).value.sv)};
          s.kids = {e};
          return Add(std::move(s));
        }
      }
    }
    Step s;
    s.kind = Kind::kCompare;
    s.type = VType::kBool;
    s.op = op;
    s.kids = {AsString(l), AsString(r)};
    return Add(std::move(s));
  }

  Result<int> BuildIn(const Node& n) {
    if (n.children.size() != 2) return UnimplementedError("'in' without its operands");
    ASSIGN_OR_RETURN(int x, Build(n.children[0]));
    ASSIGN_OR_RETURN(int list, Build(n.children[1]));
    if (St(x).type == VType::kEnum && St(list).kind == Kind::kList) {
      bool constants = true;
      for (int e : St(list).kids) {
        const Step& es = St(e);
        constants &= es.kind == Kind::kConst && es.type == VType::kString && es.value.ok;
      }
      if (constants) {
        Step s;
        s.kind = Kind::kEnumMatch;
        s.type = VType::kBool;
        s.match.clear();
        for (int e : St(list).kids) s.match.push_back(std::string(St(e).value.sv));
        s.kids = {x};
        return Add(std::move(s));
      }
    }
    if (St(list).type != VType::kList) return UnimplementedError("'in' over a non-list");
    Step s;
    s.kind = Kind::kIn;
    s.type = VType::kBool;
    s.kids = {AsString(x), list};
    return Add(std::move(s));
  }

  Result<int> BuildCall(const Node& n) {
    if (n.children.empty()) return UnimplementedError("a call without arguments");
    Step s;
    switch (n.function) {
      case Function::kSize: {
        const Node& arg = expr_->node(n.children[0]);
        if (arg.type.kind == TypeKind::kMembers) {
          if (arg.kind == NodeKind::kMembers) {
            s.kind = Kind::kMembersCount;
            s.type = VType::kInt;
            s.deps = kDepHousehold;
            return Add(std::move(s));
          }
          return BuildAgg(n.children[0], std::nullopt, Macro::kFilter);
        }
        ASSIGN_OR_RETURN(int x, Build(n.children[0]));
        x = AsString(x);
        s.kind = St(x).type == VType::kList ? Kind::kSizeList : Kind::kSizeString;
        if (St(x).type != VType::kList && St(x).type != VType::kString) {
          return UnimplementedError("size() of a " + std::string(KindName(St(x).kind)));
        }
        s.type = VType::kInt;
        s.kids = {x};
        return Add(std::move(s));
      }
      case Function::kAgeYears:
      case Function::kYearsSince: {
        ASSIGN_OR_RETURN(int x, Build(n.children[0]));
        s.kind = Kind::kAge;
        s.type = VType::kInt;
        s.years_since = n.function == Function::kYearsSince;
        s.dated = true;
        s.kids = {x};
        return Add(std::move(s));
      }
      case Function::kStartsWith:
      case Function::kEndsWith:
      case Function::kContains: {
        if (n.children.size() != 2) return UnimplementedError("a string method without argument");
        ASSIGN_OR_RETURN(int x, Build(n.children[0]));
        ASSIGN_OR_RETURN(int y, Build(n.children[1]));
        s.kind = Kind::kStringTest;
        s.type = VType::kBool;
        s.fn = n.function;
        s.kids = {AsString(x), AsString(y)};
        return Add(std::move(s));
      }
      case Function::kToInt:
      case Function::kToDouble:
      case Function::kToString:
      case Function::kRupees: {
        ASSIGN_OR_RETURN(int x, Build(n.children[0]));
        x = AsString(x);
        if (n.function == Function::kToString && St(x).type == VType::kString) return x;
        s.kind = n.function == Function::kToInt      ? Kind::kToInt
                 : n.function == Function::kToDouble ? Kind::kToDouble
                 : n.function == Function::kToString ? Kind::kToString
                                                     : Kind::kRupees;
        ASSIGN_OR_RETURN(s.type, VTypeOf(n.type));
        s.kids = {x};
        return Add(std::move(s));
      }
      case Function::kNone: break;
    }
    return UnimplementedError("an unknown function");
  }

  // exists / all / exists_one over `range` (household.members, or filters of it), or with no
  // predicate, filter(...).size().
  Result<int> BuildAgg(NodeId range, std::optional<NodeId> predicate, Macro macro) {
    std::vector<NodeId> filters;
    NodeId r = range;
    while (true) {
      const Node& rn = expr_->node(r);
      if (rn.kind == NodeKind::kMembers) break;
      if (rn.kind != NodeKind::kMacro || rn.macro != Macro::kFilter || rn.children.size() != 2) {
        return UnimplementedError("a members list other than household.members or a filter");
      }
      filters.push_back(rn.children[1]);
      r = rn.children[0];
    }
    std::reverse(filters.begin(), filters.end());
    if (predicate.has_value()) filters.push_back(*predicate);
    Step s;
    s.kind = Kind::kAgg;
    s.macro = macro;
    s.filters = static_cast<int>(filters.size()) - (predicate.has_value() ? 1 : 0);
    s.type = macro == Macro::kFilter ? VType::kInt : VType::kBool;
    for (NodeId f : filters) {
      ASSIGN_OR_RETURN(int k, Build(f));
      if (St(k).type != VType::kBool) return UnimplementedError("a macro predicate not a bool");
      s.kids.push_back(k);
    }
    return Add(std::move(s));
  }

  void Fold(int id, Runner& runner, std::vector<char>& seen) {
    if (seen[static_cast<size_t>(id)]) return;
    seen[static_cast<size_t>(id)] = 1;
    for (int k : St(id).kids) Fold(k, runner, seen);
    const Step& s = St(id);
    if (s.dom != Dom::kConst || s.dated || s.kind == Kind::kConst || s.type == VType::kList ||
        s.kind == Kind::kReference) {
      return;
    }
    Scalar v = ToScalar(runner.Compute(id, nullptr));
    Step& m = St(id);
    m.kind = Kind::kConst;
    m.op = Op::kNone;
    m.attr = -1;
    m.kids.clear();
    m.value = std::move(v);
    m.type = m.value.type;
    m.cost = 1;
  }

  // Flattens chains of && (||), drops operands that are constantly neutral, orders the rest
  // cheapest first, and groups operands of a coarser domain into one step of that domain (so
  // that household operands of a person rule are combined per household, then broadcast once).
  void Flatten(int id) {
    const std::vector<int> kids = St(id).kids;
    for (int k : kids) Flatten(k);
    const Kind kind = St(id).kind;
    if (kind != Kind::kAnd && kind != Kind::kOr) return;
    const bool is_and = kind == Kind::kAnd;
    std::vector<int> flat;
    for (int k : kids) {
      if (St(k).kind == kind) {
        for (int g : St(k).kids) flat.push_back(g);
      } else {
        flat.push_back(k);
      }
    }
    std::vector<int> keep;
    for (int k : flat) {
      const Step& ks = St(k);
      if (ks.kind == Kind::kConst) {
        const uint8_t neutral = is_and ? 2 : 0;
        if (ks.value.tri == neutral) continue;
        if (ks.value.tri != 1) {  // decides every row
          Step c;
          c.type = VType::kBool;
          c.value.type = VType::kBool;
          c.value.tri = ks.value.tri;
          St(id) = std::move(c);
          return;
        }
      }
      keep.push_back(k);
    }
    if (keep.empty()) {
      Step c;
      c.type = VType::kBool;
      c.value.type = VType::kBool;
      c.value.tri = is_and ? 2 : 0;
      St(id) = std::move(c);
      return;
    }
    if (keep.size() == 1) {
      Step copy = St(keep[0]);
      St(id) = std::move(copy);
      return;
    }
    std::stable_sort(keep.begin(), keep.end(), [&](int a, int b) {
      const Step &sa = St(a), &sb = St(b);
      if (sa.dom != sb.dom) return sa.dom < sb.dom;
      return (sa.cost >= 8) < (sb.cost >= 8);
    });
    const Dom dom = St(id).dom;
    std::vector<int> coarse, rest;
    // (Only household operands: member operands that read the person and ones that read the
    // macro's member do not combine into one member-domain step.)
    for (int k : keep) {
      (St(k).dom == Dom::kHousehold && dom > Dom::kHousehold ? coarse : rest).push_back(k);
    }
    if (coarse.size() >= 2) {
      Step g;
      g.kind = kind;
      g.type = VType::kBool;
      g.kids = coarse;
      const int gid = Add(std::move(g));
      Flatten(gid);
      rest.insert(std::find_if(rest.begin(), rest.end(),
                               [&](int k) { return St(k).dom != Dom::kConst; }),
                  gid);
      keep = rest;
    }
    St(id).kids = keep;
  }

  void SetTarget(int id, Dom target) {
    Step& s = St(id);
    s.target = target;
    if (s.type == VType::kList && s.dom < target) s.dom = target;
    const Dom kid_target = s.kind == Kind::kAgg ? s.iter : s.dom;
    const std::vector<int> kids = s.kids;
    for (int k : kids) SetTarget(k, kid_target);
  }

  // Step::only_true: a step reached only from consumers that read true rows alone. marks: 0
  // not reached yet, 1 only-true so far, 2 some consumer needs false rows too.
  void MarkOnlyTrue(int id, bool only_true, std::vector<char>& marks) {
    const char want = only_true ? 1 : 2;
    char& mark = marks[static_cast<size_t>(id)];
    if (mark == 2 || mark == want) return;
    mark = want;
    Step& s = St(id);
    s.only_true = mark == 1;
    const bool kids_only_true =
        s.only_true && (s.kind == Kind::kAnd || s.kind == Kind::kOr ||
                        (s.kind == Kind::kAgg && s.macro == Macro::kExists && s.filters == 0));
    const std::vector<int> kids = s.kids;
    for (int k : kids) MarkOnlyTrue(k, kids_only_true && St(k).type == VType::kBool, marks);
  }

  void Collect(int id, std::vector<char>& seen) {
    if (seen[static_cast<size_t>(id)]) return;
    seen[static_cast<size_t>(id)] = 1;
    for (int k : St(id).kids) Collect(k, seen);
    const Step& s = St(id);
    if (s.dom == Dom::kConst && s.kind != Kind::kConst && s.type != VType::kList) {
      p_.dated.push_back(id);
    }
    if (s.kind == Kind::kAgeCmp) p_.age_cmps.push_back(id);
    if (s.kind == Kind::kEnumMatch) p_.enum_matches.push_back(id);
  }

  Plan& p_;
  const ColumnarOptions& options_;
  const CheckedExpr* expr_ = nullptr;
};

}  // namespace

namespace {

std::string_view AttrKindWord(AttrKind k) {
  switch (k) {
    case AttrKind::kBool: return "bool";
    case AttrKind::kInt: return "int";
    case AttrKind::kMoney: return "money";
    case AttrKind::kDate: return "date";
    case AttrKind::kEnum: return "enum";
    case AttrKind::kString: return "string";
  }
  return "?";
}

// The cut-off days of age_years(d) OP k (or years_since): see AgeCut.
AgeCut CutFor(const Step& s, const Scalar& k, Date eval) {
  AgeCut c;
  if (!k.ok) {
    c.error = true;
    return c;
  }
  if (!DateInRange(eval)) return c;  // every row is an error
  const int32_t rlo = kMinDateDays;
  const int32_t rhi = s.years_since ? kMaxDateDays : std::min(eval.days(), kMaxDateDays);
  c.ok_lo = rlo;
  c.ok_hi = rhi;
  auto years = [&](int32_t d) { return static_cast<int64_t>(Date::FromDays(d).YearsUntil(eval)); };
  // The latest day in [rlo, rhi] whose years are at least `want` (years fall as d grows), or
  // rlo - 1 when there is none.
  auto last_with = [&](int64_t want) -> int32_t {
    if (years(rlo) < want) return rlo - 1;
    int32_t lo = rlo, hi = rhi;
    while (lo < hi) {
      const int32_t mid = lo + (hi - lo + 1) / 2;
      if (years(mid) >= want) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  };
  const int32_t at_least_k = last_with(k.i);
  const int32_t above_k =
      k.i == std::numeric_limits<int64_t>::max() ? rlo - 1 : last_with(k.i + 1);
  c.lo = rlo - 1;
  switch (s.op) {
    case Op::kGe: c.hi = at_least_k; break;
    case Op::kGt: c.hi = above_k; break;
    case Op::kLt:
      c.hi = at_least_k;
      c.negate = true;
      break;
    case Op::kLe:
      c.hi = above_k;
      c.negate = true;
      break;
    case Op::kEq:
      c.lo = above_k;
      c.hi = at_least_k;
      break;
    case Op::kNe:
      c.lo = above_k;
      c.hi = at_least_k;
      c.negate = true;
      break;
    default: c.error = true; break;
  }
  return c;
}

Status Prepare(const Plan& plan, const Frame& frame, Date eval, Shared* sh) {
  sh->plan = &plan;
  sh->frame = &frame;
  sh->eval = eval;
  const size_t households = frame.households(), members = frame.members();
  const std::span<const uint32_t> offsets = frame.member_offsets();
  if (offsets.size() != households + 1) {
    return FailedPreconditionError("the frame's member offsets do not match its households");
  }
  if (offsets[0] != 0 || offsets[households] != members) {
    return FailedPreconditionError("the frame's member offsets do not cover its members");
  }
  if (!frame.household_live().empty() && frame.household_live().size() != households) {
    return FailedPreconditionError("the frame's live flags do not match its households");
  }
  sh->offsets = offsets.data();
  sh->offsets_ordered = frame.member_offsets_ordered();
  const std::span<const uint8_t> counts = frame.member_counts();
  sh->counts = sh->offsets_ordered && counts.size() == households ? counts.data() : nullptr;
  sh->cols.assign(plan.attrs.size(), ColumnRef{});
  for (size_t a = 0; a < plan.attrs.size(); ++a) {
    const PlanAttr& pa = plan.attrs[a];
    const Column* c = frame.column(pa.entity, pa.name);
    if (c == nullptr) continue;
    const std::string label =
        (pa.entity == Entity::kHousehold ? "household." : "person.") + pa.name;
    if (c->kind != pa.kind) {
      return FailedPreconditionError("the frame's column " + label + " is " +
                                     std::string(AttrKindWord(c->kind)) + "; the rule expects " +
                                     std::string(AttrKindWord(pa.kind)));
    }
    const size_t rows = pa.entity == Entity::kHousehold ? households : members;
    bool short_column = !c->valid.empty() && c->valid.size() < rows;
    switch (c->kind) {
      case AttrKind::kBool: short_column |= c->bools.size() < rows; break;
      case AttrKind::kInt:
      case AttrKind::kMoney: short_column |= c->ints.size() < rows; break;
      case AttrKind::kDate: short_column |= c->dates.size() < rows; break;
      case AttrKind::kEnum: short_column |= c->codes.size() < rows; break;
      case AttrKind::kString: short_column |= c->offsets.size() < rows + 1; break;
    }
    if (short_column) return FailedPreconditionError("the frame's column " + label + " is too short");
    ColumnRef& ref = sh->cols[a];
    ref.col = c;
    ref.valid = c->valid.empty() ? nullptr : c->valid.data();
    ref.dict = c->dictionary != nullptr ? c->dictionary : &pa.enum_values;
  }
  sh->avx2 = plan.avx2 && internal::HasAvx2();
  sh->eval_in_range = DateInRange(eval);
  sh->packed_eval = sh->eval_in_range ? internal::PackedCivil(eval.days()) : 0;
  const size_t steps = plan.steps.size();
  sh->consts.assign(steps, Scalar{});
  sh->cuts.assign(steps, AgeCut{});
  sh->tables.assign(steps, std::array<uint8_t, 256>{});
  for (int id : plan.enum_matches) {
    const Step& s = plan.steps[static_cast<size_t>(id)];
    const Step& attr = plan.steps[static_cast<size_t>(s.kids[0])];
    const std::vector<std::string>& dict =
        *(sh->cols[static_cast<size_t>(attr.attr)].dict != nullptr
              ? sh->cols[static_cast<size_t>(attr.attr)].dict
              : &plan.attrs[static_cast<size_t>(attr.attr)].enum_values);
    std::array<uint8_t, 256>& tab = sh->tables[static_cast<size_t>(id)];
    for (size_t code = 0; code < 256; ++code) {
      if (code >= dict.size()) {
        tab[code] = 1;
        continue;
      }
      const bool found = std::find(s.match.begin(), s.match.end(), dict[code]) != s.match.end();
      tab[code] = found != s.negate ? 2 : 0;
    }
  }
  auto cut = [&](int id) {
    const Step& s = plan.steps[static_cast<size_t>(id)];
    const Step& k = plan.steps[static_cast<size_t>(s.kids[1])];
    const Scalar& kv = k.kind == Kind::kConst ? k.value : sh->consts[static_cast<size_t>(s.kids[1])];
    sh->cuts[static_cast<size_t>(id)] = CutFor(s, kv, eval);
  };
  // Constants that read the evaluation date, kids first (an age comparison's int before it).
  Runner runner(*sh);
  runner.SetNoBatch();
  for (int id : plan.dated) {
    if (plan.steps[static_cast<size_t>(id)].kind == Kind::kAgeCmp) cut(id);
    sh->consts[static_cast<size_t>(id)] = ToScalar(runner.Compute(id, nullptr));
  }
  for (int id : plan.age_cmps) {
    if (plan.steps[static_cast<size_t>(id)].dom != Dom::kConst) cut(id);
  }
  return OkStatus();
}

// An allocator whose resize leaves new elements uninitialised (default-initialised), for buffers
// every element of which is written right after the resize: zeroing them first would write the
// memory twice (13 bytes per eligible row of a scheme, 12 MB for the pension at 10M).
template <class T>
struct NoZeroAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = NoZeroAllocator<U>;
  };
  NoZeroAllocator() = default;
  template <class U>
  NoZeroAllocator(const NoZeroAllocator<U>&) noexcept {}  // NOLINT: as std::allocator
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using UninitVector = std::vector<T, NoZeroAllocator<T>>;

// One chunk's eligible rows and amounts (EvaluateColumnarScheme).
struct ChunkOut {
  UninitVector<uint32_t> rows;
  UninitVector<int64_t> amounts;
  UninitVector<uint8_t> ok;
  __int128 total = 0;
  size_t errors = 0;
  // The eligible bitmap's words this chunk's batches share with another batch (see
  // StoreBitsAt): global word index and this batch's bits of it.
  std::vector<std::pair<size_t, uint64_t>> edge_words;
  void Clear() {
    rows.clear();
    amounts.clear();
    ok.clear();
    total = 0;
    errors = 0;
    edge_words.clear();
  }
};

// Contiguous household ranges handed to threads, of about kChunkBatches batches each.
struct Chunk {
  size_t hb, he;
};

std::vector<Chunk> MakeChunks(const uint32_t* off, size_t households, uint32_t batch_rows) {
  const size_t total = off[households] + households;
  const size_t n = std::max<size_t>(1, total / (kChunkBatches * batch_rows));
  std::vector<Chunk> chunks;
  size_t prev = 0;
  for (size_t j = 1; j <= n; ++j) {
    size_t end = households;
    if (j < n) {
      const size_t want = total * j / n;
      size_t lo = prev, hi = households;  // the first h with off[h] + h >= want
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (off[mid] + mid >= want) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      end = std::max(prev, lo);
    }
    if (end > prev) chunks.push_back({prev, end});
    prev = end;
  }
  return chunks;
}

// Runs `per_batch(runner, chunk)` for every batch of every chunk, on `threads` threads, and
// `chunk_done(chunk)` on the same thread after a chunk's last batch.
template <class F, class G>
Status RunBatches(const Shared& sh, int threads, const std::vector<Chunk>& chunks, F&& per_batch,
                  G&& chunk_done) {
  if (chunks.empty()) return OkStatus();
  size_t n_threads = threads > 0 ? static_cast<size_t>(threads)
                                 : std::max<size_t>(1, std::thread::hardware_concurrency());
  n_threads = std::min(n_threads, chunks.size());
  const uint32_t* off = sh.offsets;
  const size_t members = sh.frame->members();
  const uint32_t batch_rows = sh.plan->batch_rows;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status error;
  auto work = [&] {
    Runner runner(sh);
    while (!failed.load(std::memory_order_relaxed)) {
      const size_t c = next.fetch_add(1);
      if (c >= chunks.size()) break;
      size_t hb = chunks[c].hb;
      while (hb < chunks[c].he) {
        const size_t lim = std::min<size_t>(chunks[c].he, hb + batch_rows);
        size_t he = lim;
        if (off[lim] - off[hb] > batch_rows) {
          size_t lo = hb + 1, hi = lim;  // the last h with off[h] - off[hb] <= batch_rows
          while (lo < hi) {
            const size_t mid = lo + (hi - lo + 1) / 2;
            if (off[mid] - off[hb] <= batch_rows) {
              lo = mid;
            } else {
              hi = mid - 1;
            }
          }
          he = lo;
        }
        if (he < chunks[c].he) {
          runner.Prefetch(he, std::min<size_t>(chunks[c].he, he + (he - hb)));
        }
        if (!runner.SetBatch(hb, he, members)) {
          std::lock_guard<std::mutex> lock(mu);
          error = FailedPreconditionError("the frame's member offsets are out of order");
          failed = true;
          return;
        }
        per_batch(runner, c);
        hb = he;
      }
      chunk_done(c);
    }
  };
  std::vector<std::thread> pool;
  for (size_t i = 1; i < n_threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return error;
}
template <class F>
Status RunBatches(const Shared& sh, int threads, const std::vector<Chunk>& chunks, F&& per_batch) {
  return RunBatches(sh, threads, chunks, std::forward<F>(per_batch), [](size_t) {});
}

// ORs the n bits word(0), word(1), ... into `global` from bit r0. Words shared with other
// batches (the first and the last) are updated atomically.
template <class F>
void OrBitsAt(uint64_t* global, size_t r0, uint32_t n, F&& word) {
  if (n == 0) return;
  const size_t first = r0 >> 6, last = (r0 + n - 1) >> 6;
  auto put = [&](size_t g, uint64_t bits) {
    if (bits == 0) return;
    if (g == first || g == last) {
      std::atomic_ref<uint64_t>(global[g]).fetch_or(bits, std::memory_order_relaxed);
    } else {
      global[g] |= bits;
    }
  };
  const size_t nw = Words(n);
  const unsigned sh = r0 & 63;
  for (size_t w = 0; w < nw; ++w) {
    uint64_t x = word(w);
    if (w + 1 == nw) x &= TailMask(n);
    const size_t g = first + w;
    if (sh == 0) {
      put(g, x);
    } else {
      put(g, x << sh);
      if (g + 1 <= last) put(g + 1, x >> (64 - sh));
    }
  }
}

// Writes the n bits of `bits` (Words(n) + 1 words, the last 0, bits past n 0) into `global`
// from bit r0, without reading `global`: the words that hold only this batch's rows are stored;
// the first and the last, which may hold rows of the neighbouring batches (of other threads),
// are appended to `edges` for the caller to combine once the threads are done. So the global
// bitmap needs no clearing beforehand (a serial pass over all of it) and no atomic updates.
// Returns how many bits are set.
size_t StoreBitsAt(uint64_t* global, size_t r0, uint32_t n, const uint64_t* bits,
                   std::vector<std::pair<size_t, uint64_t>>* edges) {
  if (n == 0) return 0;
  const size_t first = r0 >> 6, last = (r0 + n - 1) >> 6;
  const unsigned sh = r0 & 63;
  size_t count = 0;
  // Global word first + w is bits[w] shifted up by sh and the top of bits[w - 1] below it.
  auto word = [&](size_t w) {
    uint64_t x = bits[w] << sh;
    if (sh != 0 && w > 0) x |= bits[w - 1] >> (64 - sh);
    return x;
  };
  for (size_t w = 0, nw = Words(n); w < nw; ++w) {
    count += static_cast<size_t>(internal::PopCount(bits[w]));
  }
  edges->push_back({first, word(0)});
  for (size_t g = first + 1; g < last; ++g) global[g] = word(g - first);
  if (last != first) edges->push_back({last, word(last - first)});
  return count;
}

// Plan::amount_cuts: the age compares in a scheme's amount over a column of the eligibility's
// domain.
void FindAmountCuts(Plan* plan) {
  const Dom dom = plan->steps[static_cast<size_t>(plan->root)].dom;
  std::vector<uint8_t> seen(plan->steps.size(), 0);
  std::vector<int> stack = {plan->amount};
  while (!stack.empty()) {
    const int id = stack.back();
    stack.pop_back();
    if (seen[static_cast<size_t>(id)] != 0) continue;
    seen[static_cast<size_t>(id)] = 1;
    const Step& s = plan->steps[static_cast<size_t>(id)];
    if (s.kind == Kind::kAgeCmp && s.dom == dom && !s.kids.empty()) {
      const Step& x = plan->steps[static_cast<size_t>(s.kids[0])];
      if (x.kind == Kind::kAttr && x.dom == dom) plan->amount_cuts.push_back(id);
    }
    for (int kid : s.kids) {
      if (kid >= 0) stack.push_back(kid);
    }
  }
}

void Describe(const Plan& plan, int id, int depth, std::string* out) {
  const Step& s = plan.steps[static_cast<size_t>(id)];
  out->append(static_cast<size_t>(depth) * 2, ' ');
  out->append(KindName(s.kind));
  out->append("[").append(DomName(s.dom));
  if (s.target != s.dom) out->append("->").append(DomName(s.target));
  out->append("]");
  if (s.op != Op::kNone) out->append(" ").append(OpName(s.op));
  if (s.attr >= 0) {
    const PlanAttr& a = plan.attrs[static_cast<size_t>(s.attr)];
    out->append(" ").append(s.scope == Scope::kPerson      ? "person."
                            : s.scope == Scope::kHousehold ? "household."
                                                           : "m.");
    out->append(a.name);
  }
  if (s.kind == Kind::kConst) out->append(" ").append(s.value.type == VType::kBool
                                                          ? (s.value.tri == 2   ? "true"
                                                             : s.value.tri == 0 ? "false"
                                                                                : "error")
                                                      : !s.value.ok ? "error"
                                                      : s.value.type == VType::kInt
                                                          ? std::to_string(s.value.i)
                                                          : std::string("..."));
  if (s.kind == Kind::kEnumMatch) {
    out->append(s.negate ? " not in" : " in");
    for (const std::string& m : s.match) out->append(" ").append(m);
  }
  if (s.kind == Kind::kAgg) {
    out->append(s.macro == Macro::kExists      ? " exists"
                : s.macro == Macro::kAll       ? " all"
                : s.macro == Macro::kExistsOne ? " exists_one"
                                               : " count");
    out->append(" over ").append(DomName(s.iter));
  }
  if (s.kind == Kind::kAgeCmp || s.kind == Kind::kAge) {
    out->append(s.years_since ? " years_since" : " age_years");
  }
  out->append("\n");
  for (int k : s.kids) Describe(plan, k, depth + 1, out);
}

}  // namespace
}  // namespace columnar_internal

using columnar_internal::Dom;
using columnar_internal::Plan;
using columnar_internal::VType;

const Plan* PlanOf(const ColumnarProgram& program) { return program.plan_.get(); }

ColumnarProgram::ColumnarProgram() = default;
ColumnarProgram::~ColumnarProgram() = default;
ColumnarProgram::ColumnarProgram(const ColumnarProgram&) = default;
ColumnarProgram& ColumnarProgram::operator=(const ColumnarProgram&) = default;
ColumnarProgram::ColumnarProgram(ColumnarProgram&&) noexcept = default;
ColumnarProgram& ColumnarProgram::operator=(ColumnarProgram&&) noexcept = default;

Unit ColumnarProgram::unit() const { return plan_ ? plan_->unit : Unit::kPerson; }
TypeKind ColumnarProgram::type() const { return plan_ ? plan_->type : TypeKind::kNull; }
bool ColumnarProgram::is_scheme() const { return plan_ && plan_->scheme; }
bool ColumnarProgram::uses_reference() const { return plan_ && !plan_->exprs.empty(); }
const std::vector<std::string>& ColumnarProgram::reference_reasons() const {
  static const std::vector<std::string> kNone;
  return plan_ ? plan_->reasons : kNone;
}
std::string ColumnarProgram::DebugString() const {
  std::string out;
  if (!plan_) return out;
  columnar_internal::Describe(*plan_, plan_->root, 0, &out);
  if (plan_->amount >= 0) {
    out += "amount:\n";
    columnar_internal::Describe(*plan_, plan_->amount, 1, &out);
  }
  return out;
}

Result<ColumnarProgram> CompileColumnar(const CheckedExpr& expr, const ColumnarOptions& options) {
  if (expr.nodes().empty()) return InvalidArgumentError("an empty rule");
  const TypeKind type = expr.type().kind;
  if (type != TypeKind::kBool && type != TypeKind::kInt) {
    return InvalidArgumentError("a columnar rule is a bool or an int, not " + expr.type().ToString());
  }
  auto plan = std::make_shared<Plan>();
  if (options.batch_rows > 0) plan->batch_rows = static_cast<uint32_t>(options.batch_rows);
  plan->avx2 = !options.no_avx2;
  plan->unit = expr.unit();
  plan->type = type;
  plan->out = expr.unit() == Unit::kPerson ? Dom::kMember : Dom::kHousehold;
  columnar_internal::Compiler compiler(plan.get(), options);
  plan->root = compiler.AddExpr(expr);
  compiler.Finish();
  ColumnarProgram program;
  program.plan_ = std::move(plan);
  return program;
}

Result<ColumnarProgram> CompileColumnarScheme(std::span<const CheckedExpr* const> clauses,
                                              const CheckedExpr* amount,
                                              const ColumnarOptions& options) {
  if (clauses.empty()) return InvalidArgumentError("a scheme needs at least one clause");
  const Unit unit = clauses[0] != nullptr ? clauses[0]->unit() : Unit::kPerson;
  for (size_t i = 0; i < clauses.size(); ++i) {
    const CheckedExpr* c = clauses[i];
    if (c == nullptr || c->nodes().empty() || c->type().kind != TypeKind::kBool) {
      return InvalidArgumentError("clause " + std::to_string(i + 1) + " is not a bool rule");
    }
    if (c->unit() != unit) return InvalidArgumentError("the clauses are not of one unit");
  }
  if (amount != nullptr) {
    if (amount->nodes().empty() || amount->type().kind != TypeKind::kInt) {
      return InvalidArgumentError("the amount is not an int rule");
    }
    if (amount->unit() != unit) return InvalidArgumentError("the amount is of another unit");
  }
  auto plan = std::make_shared<Plan>();
  if (options.batch_rows > 0) plan->batch_rows = static_cast<uint32_t>(options.batch_rows);
  plan->avx2 = !options.no_avx2;
  plan->unit = unit;
  plan->type = TypeKind::kBool;
  plan->scheme = true;
  plan->out = unit == Unit::kPerson ? Dom::kMember : Dom::kHousehold;
  columnar_internal::Compiler compiler(plan.get(), options);
  std::vector<int> roots;
  for (const CheckedExpr* c : clauses) roots.push_back(compiler.AddExpr(*c));
  plan->root = compiler.AddAnd(std::move(roots));
  if (amount != nullptr) plan->amount = compiler.AddExpr(*amount);
  compiler.Finish();
  if (plan->amount >= 0) columnar_internal::FindAmountCuts(plan.get());
  ColumnarProgram program;
  program.plan_ = std::move(plan);
  return program;
}

size_t ColumnarResult::met_count() const {
  size_t n = 0;
  for (uint64_t w : met_bits) n += static_cast<size_t>(internal::PopCount(w));
  return n;
}

Status EvaluateColumnar(const ColumnarProgram& program, const Frame& frame, Date eval_date,
                        ColumnarResult* out, int threads) {
  using namespace columnar_internal;  // NOLINT: the engine's own types
  const Plan* plan = PlanOf(program);
  if (out == nullptr || plan == nullptr) return InvalidArgumentError("no program or no result");
  if (plan->scheme) return InvalidArgumentError("a scheme program: use EvaluateColumnarScheme");
  Shared sh;
  RETURN_IF_ERROR(Prepare(*plan, frame, eval_date, &sh));
  const bool person = plan->out == Dom::kMember;
  const size_t rows = person ? frame.members() : frame.households();
  out->unit = plan->unit;
  out->type = plan->type;
  out->rows = rows;
  const bool is_bool = plan->type == TypeKind::kBool;
  out->met_bits.assign(is_bool ? internal::Words(rows) : 0, 0);
  out->ok_bits.assign(is_bool ? 0 : internal::Words(rows), 0);
  out->values.assign(is_bool ? 0 : rows, 0);
  const std::vector<Chunk> chunks = MakeChunks(sh.offsets, frame.households(), plan->batch_rows);
  return RunBatches(sh, threads, chunks, [&](Runner& r, size_t) {
    const Vec v = r.Eval(plan->root, nullptr);
    const uint32_t n = person ? r.nm() : r.nh();
    const size_t r0 = person ? r.mb() : r.hb();
    if (is_bool) {
      OrBitsAt(out->met_bits.data(), r0, n, [&](size_t w) { return TrueWord(v, w); });
      return;
    }
    int64_t* values = out->values.data() + r0;
    for (uint32_t i = 0; i < n; ++i) values[i] = OkAt(v, i) ? At<int64_t>(v, i) : 0;
    OrBitsAt(out->ok_bits.data(), r0, n, [&](size_t w) {
      uint64_t x = 0;
      const uint32_t base = static_cast<uint32_t>(w * 64);
      const uint32_t lim = std::min<uint32_t>(64, n - base);
      for (uint32_t k = 0; k < lim; ++k) x |= static_cast<uint64_t>(OkAt(v, base + k)) << k;
      return x;
    });
  });
}

Status EvaluateColumnarScheme(const ColumnarProgram& program, const Frame& frame, Date eval_date,
                              ColumnarSchemeResult* out, int threads) {
  using namespace columnar_internal;  // NOLINT: the engine's own types
  const Plan* plan = PlanOf(program);
  if (out == nullptr || plan == nullptr) return InvalidArgumentError("no program or no result");
  if (!plan->scheme) return InvalidArgumentError("a rule program: use EvaluateColumnar");
  Shared sh;
  RETURN_IF_ERROR(Prepare(*plan, frame, eval_date, &sh));
  const bool person = plan->out == Dom::kMember;
  const size_t rows = person ? frame.members() : frame.households();
  out->unit = plan->unit;
  out->rows = rows;
  // Every word is written by the batches (StoreBitsAt), so the old contents need no clearing.
  out->eligible_bits.resize(internal::Words(rows));
  const std::span<const uint8_t> live = frame.household_live();
  const std::vector<Chunk> chunks = MakeChunks(sh.offsets, frame.households(), plan->batch_rows);
  // The chunks' outputs, kept (with their capacity) for the next evaluation: see Workspace.
  static std::mutex parts_mu;
  static std::vector<std::unique_ptr<std::vector<ChunkOut>>>* idle_parts =
      new std::vector<std::unique_ptr<std::vector<ChunkOut>>>;  // guarded by parts_mu
  std::unique_ptr<std::vector<ChunkOut>> parts_owner;
  {
    std::lock_guard<std::mutex> lock(parts_mu);
    if (!idle_parts->empty()) {
      parts_owner = std::move(idle_parts->back());
      idle_parts->pop_back();
    }
  }
  if (parts_owner == nullptr) parts_owner = std::make_unique<std::vector<ChunkOut>>();
  std::vector<ChunkOut>& parts = *parts_owner;
  parts.resize(chunks.size());
  for (ChunkOut& p : parts) p.Clear();
  struct GiveBack {
    std::unique_ptr<std::vector<ChunkOut>>* owner;
    ~GiveBack() {
      std::lock_guard<std::mutex> lock(parts_mu);
      if (idle_parts->size() < 4) idle_parts->push_back(std::move(*owner));
    }
  } give_back{&parts_owner};
  // `c ? x : y` with x and y constant ints (the ?: of a tiered amount).
  const Step& amount_step =
      plan->steps[static_cast<size_t>(plan->amount >= 0 ? plan->amount : plan->root)];
  const bool amount_picks_constants =
      plan->amount >= 0 && amount_step.kind == Kind::kCond && amount_step.type == VType::kInt &&
      std::all_of(amount_step.kids.begin() + 1, amount_step.kids.end(), [&](int kid) {
        const Step& k = plan->steps[static_cast<size_t>(kid)];
        return k.dom == Dom::kConst && k.type == VType::kInt;
      });
  // The chunks' rows are appended to the result in chunk order as soon as a chunk and all the
  // chunks before it are done, by the thread that finished the last of them, while the other
  // threads go on computing: a chunk's rows are still in that thread's cache then, and no
  // serial copy of every row (13 bytes a row, 12 MB for the pension at 10M) is left for after
  // the threads join.
  out->eligible_rows.clear();
  out->amounts.clear();
  out->amount_ok.clear();
  std::mutex out_mu;
  size_t next_to_append = 0;                     // guarded by out_mu
  std::vector<uint8_t> chunk_done(chunks.size());  // guarded by out_mu
  auto append_done_chunks = [&](size_t c) {
    std::lock_guard<std::mutex> lock(out_mu);
    chunk_done[c] = 1;
    for (; next_to_append < chunks.size() && chunk_done[next_to_append] != 0; ++next_to_append) {
      const ChunkOut& p = parts[next_to_append];
      out->eligible_rows.insert(out->eligible_rows.end(), p.rows.begin(), p.rows.end());
      out->amounts.insert(out->amounts.end(), p.amounts.begin(), p.amounts.end());
      out->amount_ok.insert(out->amount_ok.end(), p.ok.begin(), p.ok.end());
    }
  };
  Status status = RunBatches(sh, threads, chunks, [&](Runner& r, size_t c) {
    const Vec v = r.Eval(plan->root, nullptr);
    const uint32_t n = person ? r.nm() : r.nh();
    const size_t r0 = person ? r.mb() : r.hb();
    const size_t nw = internal::Words(n);
    Workspace& scratch = r.workspace();  // the thread's own, kept across evaluations
    uint64_t* elig = Grow(scratch.eligible, nw + 1);
    if (v.scalar) {
      std::fill(elig, elig + nw, v.tri == 2 ? ~uint64_t{0} : 0);
    } else {
      WithWords(v, [&](auto true_word, auto) {
        for (size_t w = 0; w < nw; ++w) elig[w] = true_word(w);
      });
    }
    if (nw > 0) elig[nw - 1] &= TailMask(n);
    elig[nw] = 0;
    if (!live.empty()) {
      const uint32_t nh = r.nh();
      uint64_t* lh = Grow(scratch.live_h, internal::Words(nh) + 1);
      std::fill(lh, lh + internal::Words(nh) + 1, 0);
      for (uint32_t h = 0; h < nh; ++h) {
        lh[h >> 6] |= static_cast<uint64_t>(live[r.hb() + h] != 0) << (h & 63);
      }
      const uint64_t* lm = person ? r.BroadcastToMembers(lh, scratch.live_m) : lh;
      for (size_t w = 0; w < nw; ++w) elig[w] &= lm[w];
    }
    ChunkOut& part = parts[c];
    const size_t count =
        StoreBitsAt(out->eligible_bits.data(), r0, n, elig, &part.edge_words);
    if (count == 0) return;
    const size_t at = part.rows.size();
    part.rows.resize(at + count);
    part.amounts.resize(at + count);
    part.ok.resize(at + count);
    uint32_t* rows_out = part.rows.data() + at;
    int64_t* amounts_out = part.amounts.data() + at;
    uint8_t* ok_out = part.ok.data() + at;
    const uint32_t first = static_cast<uint32_t>(r0);
    size_t k = 0, errors = 0;
    __int128 total = 0;
    auto emit = [&](uint32_t i, int64_t value, bool good) {
      good = good && value >= 0;
      value = good ? value : 0;
      rows_out[k] = first + i;
      amounts_out[k] = value;
      ok_out[k] = good;
      total += value;
      errors += !good;
      ++k;
    };
    // An amount that picks one of two constants (`age_years(person.dob) >= 80 ? rupees(1500) :
    // rupees(1000)`): the choice read from its condition's words, as the ?: kernel would make
    // it, without lanes of a value per row (written and read back for a few rows of each word,
    // each a cache line of its own). The total and the errors are counted a word at a time.
    Vec cond;
    if (amount_picks_constants) cond = r.Eval(amount_step.kids[0], elig);
    if (amount_picks_constants && !cond.scalar) {
      const Vec va = r.Eval(amount_step.kids[1], elig), vb = r.Eval(amount_step.kids[2], elig);
      // A branch's amount counts (as emit decides) when it is an int of at least 0.
      const bool good_a = OkAt(va, 0) && At<int64_t>(va, 0) >= 0;
      const bool good_b = OkAt(vb, 0) && At<int64_t>(vb, 0) >= 0;
      const int64_t value_a = good_a ? At<int64_t>(va, 0) : 0;
      const int64_t value_b = good_b ? At<int64_t>(vb, 0) : 0;
      size_t count_a = 0, count_b = 0;  // eligible rows on each branch
      for (size_t w = 0; w < nw; ++w) {
        const uint64_t m = elig[w];
        if (m == 0) continue;
        // Rows taking x, and rows taking y; the others have the condition's error.
        const uint64_t ct = TrueWord(cond, w) & m, cf = FalseWord(cond, w) & m & ~ct;
        count_a += static_cast<size_t>(internal::PopCount(ct));
        count_b += static_cast<size_t>(internal::PopCount(cf));
        const uint32_t base = static_cast<uint32_t>(w * 64);
        for (uint64_t rest = m; rest != 0; rest &= rest - 1) {
          const int bit = std::countr_zero(rest);
          const bool on_a = (ct >> bit) & 1, on_b = (cf >> bit) & 1;
          rows_out[k] = first + base + static_cast<uint32_t>(bit);
          amounts_out[k] = on_a ? value_a : on_b ? value_b : 0;
          ok_out[k] = (on_a && good_a) || (on_b && good_b);
          ++k;
        }
      }
      total += static_cast<__int128>(count_a) * value_a + static_cast<__int128>(count_b) * value_b;
      errors += count - (good_a ? count_a : 0) - (good_b ? count_b : 0);
    } else {
      const bool has_amount = plan->amount >= 0;
      const Vec a = has_amount ? r.Eval(plan->amount, elig) : Vec{};
      // The amount's lanes (one value for every row when a scalar), read in the loop below.
      const int64_t* values = has_amount ? static_cast<const int64_t*>(a.data) : nullptr;
      const uint8_t* oks = has_amount ? a.ok : nullptr;
      const size_t step = has_amount && !a.scalar ? 1 : 0;
      for (size_t w = 0; w < nw; ++w) {
        for (uint64_t m = elig[w]; m != 0; m &= m - 1) {
          const uint32_t i =
              static_cast<uint32_t>(w * 64) + static_cast<uint32_t>(std::countr_zero(m));
          if (values == nullptr) {
            emit(i, 0, true);
          } else {
            emit(i, values[i * step], oks == nullptr || oks[i * step] != 0);
          }
        }
      }
    }
    part.total += total;
    part.errors += errors;
  }, append_done_chunks);
  if (status.ok() && next_to_append != chunks.size()) {
    status = InternalError("a chunk of the evaluation was not done");
  }
  if (!status.ok()) {
    std::fill(out->eligible_bits.begin(), out->eligible_bits.end(), 0);
    out->eligible_rows.clear();
    out->amounts.clear();
    out->amount_ok.clear();
    return status;
  }
  // The words shared by two batches: cleared, then each batch's bits ORed in.
  for (const ChunkOut& p : parts) {
    for (const auto& [g, bits] : p.edge_words) out->eligible_bits[g] = 0;
  }
  for (const ChunkOut& p : parts) {
    for (const auto& [g, bits] : p.edge_words) out->eligible_bits[g] |= bits;
  }
  __int128 total = 0;
  out->amount_errors = 0;
  for (const ChunkOut& p : parts) {
    total += p.total;
    out->amount_errors += p.errors;
  }
  if (total > std::numeric_limits<int64_t>::max()) {
    return OutOfRangeError("the total amount does not fit in an int64 of paise");
  }
  out->amount_total = static_cast<int64_t>(total);
  return OkStatus();
}

}  // namespace spode::rules
