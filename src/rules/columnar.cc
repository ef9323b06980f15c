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

#include "rules/evaluator.h"
#include "rules/internal/bits.h"

namespace spode::rules {

namespace columnar_internal {

using internal::Bit;
using internal::Pack64;
using internal::SegAny;
using internal::SegCount;
using internal::TailMask;
using internal::Words;

// Rows per batch: the members of whole households, at most kBatchMembers of them (more only for
// a single larger household) and at most kBatchHouseholds households.
constexpr uint32_t kBatchMembers = 16384;
constexpr uint32_t kBatchHouseholds = 16384;
// (person, member) pairs per group in kPair predicates.
constexpr uint32_t kPairGroup = 16384;
// Rows (members plus households) per unit of work handed to a thread.
constexpr size_t kChunkRows = 1 << 18;

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
  std::string s;
  std::string_view sv;  // points at s once the scalar is in place (Seal)
  void Seal() { sv = s; }
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
  bool years_since = false;  // kAgeCmp, kAge
  Scalar value;              // kConst
  int expr = -1;             // kReference: index into Plan::exprs
  int cost = 1;
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
  std::vector<CheckedExpr> exprs;  // for kReference steps
  std::vector<std::string> reasons;
  std::vector<int> dated;  // kConst-domain steps computed once per evaluation, kids first
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

uint64_t TrueWord(const Vec& v, size_t w) {
  if (v.scalar) return v.tri == 2 ? ~uint64_t{0} : 0;
  return v.t != nullptr ? v.t[w] : ~v.f[w];
}
uint64_t FalseWord(const Vec& v, size_t w) {
  if (v.scalar) return v.tri == 0 ? ~uint64_t{0} : 0;
  return v.f != nullptr ? v.f[w] : ~v.t[w];
}
uint8_t TriAt(const Vec& v, size_t i) {
  if (v.scalar) return v.tri;
  if (v.t != nullptr && Bit(v.t, i)) return 2;
  if (v.f != nullptr) return Bit(v.f, i) ? 0 : 1;
  return v.t != nullptr ? 0 : 2;
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

// The cut-off days of an age comparison: the rows' days d in [ok_lo, ok_hi] are ok (others are
// errors), and the comparison holds iff (lo < d <= hi) != negate.
struct AgeCut {
  int32_t ok_lo = 1, ok_hi = 0;
  int32_t lo = 0, hi = 0;
  bool negate = false;
  bool error = false;  // the compared int is an error: every row is
};

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
  int32_t packed_eval = 0;
  bool eval_in_range = false;
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
  std::vector<uint64_t> s1, s2, s3, s4, s5;  // scratch bitmaps
  std::string arena;
  std::vector<Vec> elems;
  uint64_t memo_batch = ~uint64_t{0};
  Vec memo;
};

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
    case VType::kString: s.s = std::string(At<std::string_view>(v, 0)); break;
    default: break;
  }
  s.Seal();
  return s;
}

class Runner {
 public:
  explicit Runner(const Shared& shared) : sh_(shared), plan_(*shared.plan) {
    bufs_.resize(plan_.steps.size());
  }

  // The batch: households hb..he-1, their members mb..me-1.
  void SetBatch(size_t hb, size_t he) {
    hb_ = hb;
    he_ = he;
    mb_ = sh_.offsets[hb];
    me_ = sh_.offsets[he];
    nh_ = static_cast<uint32_t>(he - hb);
    nm_ = static_cast<uint32_t>(me_ - mb_);
    uint32_t* seg = Grow(seg_, nh_ + 1);
    for (uint32_t j = 0; j <= nh_; ++j) seg[j] = sh_.offsets[hb + j] - static_cast<uint32_t>(mb_);
    ++batch_;
    np_ = 0;
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
  std::vector<Buf> bufs_;
  size_t hb_ = 0, he_ = 0, mb_ = 0, me_ = 0;
  uint32_t nh_ = 0, nm_ = 0, np_ = 0;
  uint64_t batch_ = 0;
  std::vector<uint32_t> seg_;
  std::vector<uint32_t> pp_, pm_, ph_;  // the current pair group: person, member, household
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
    case AttrKind::kMoney: v.data = c.col->ints.data() + base; return v;
    case AttrKind::kDate: v.data = c.col->dates.data() + base; return v;
    case AttrKind::kEnum:
      v.data = c.col->codes.data() + base;
      v.dict = c.dict;
      return v;
    case AttrKind::kBool: {
      Buf& b = B(id);
      uint64_t* t = GrowBits(b.own.t, n);
      uint64_t* f = GrowBits(b.own.f, n);
      const uint8_t* data = c.col->bools.data() + base;
      bool err = valid != nullptr &&
                 BoolWords<true>(n, act, t, f, [&](uint32_t i) { return data[i] != 0; },
                                 [&](uint32_t i) { return valid[i] != 0; });
      if (valid == nullptr) {
        BoolWords<false>(n, act, t, f, [&](uint32_t i) { return data[i] != 0; },
                         [](uint32_t) { return true; });
      }
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
  bool all_error = false;
  const uint32_t n = all_scalar ? 1 : N(s.dom);
  std::vector<const uint8_t*> lanes;
  for (const Vec& e : b.elems) {
    if (e.type == VType::kBool) {
      if (e.scalar) {
        all_error |= e.tri == 1;
        continue;
      }
      uint8_t* ok = Grow(b.own.u8, n);  // reused per element below
      (void)ok;
      lanes.push_back(nullptr);  // marker: a bool element, checked through its bitmaps
      continue;
    }
    if (e.ok == nullptr) continue;
    if (e.scalar) {
      all_error |= e.ok[0] == 0;
      continue;
    }
    lanes.push_back(e.ok);
  }
  if (all_error) return ErrorVec(VType::kList);
  if (!lanes.empty()) {
    uint8_t* ok = Grow(b.own.ok, n);
    ForRows(n, act, [&](uint32_t i) {
      bool good = true;
      for (const Vec& e : b.elems) {
        if (e.type == VType::kBool) {
          good &= TriAt(e, i) != 1;
        } else {
          good &= OkAt(e, i);
        }
      }
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
  bool scalar_error = false;
  for (int kid : s.kids) {
    const Vec v = Eval(kid, cur);
    if (v.scalar) {
      if (v.tri == 1) {
        scalar_error = true;
        continue;
      }
      if ((v.tri == 2) == !is_and) return BoolScalar(v.tri);  // decides every row
      continue;  // neutral for every row
    }
    uint64_t any = 0;
    for (size_t w = 0; w < nw; ++w) {
      const uint64_t d = is_and ? FalseWord(v, w) : TrueWord(v, w);
      const uint64_t u = is_and ? TrueWord(v, w) : FalseWord(v, w);
      dec[w] |= d;
      neu[w] &= u;
      next[w] = (act != nullptr ? act[w] : ~uint64_t{0}) & ~dec[w];
      any |= w + 1 == nw ? next[w] & TailMask(n) : next[w];
    }
    if (any == 0) break;
    cur = next;
  }
  // && : true = neutral everywhere and not decided; false = decided. || mirrors it.
  uint64_t* t = GrowBits(b.own.s2, n);
  uint64_t* f = GrowBits(b.own.s3, n);
  for (size_t w = 0; w < nw; ++w) {
    const uint64_t neutral = scalar_error ? 0 : neu[w] & ~dec[w];
    t[w] = is_and ? neutral : dec[w];
    f[w] = is_and ? dec[w] : neutral;
  }
  Vec v;
  v.type = VType::kBool;
  v.t = t;
  v.f = f;
  return v;
}
