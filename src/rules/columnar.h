// The columnar engine: a checked rule compiled once into a program of batch kernels, then
// evaluated for every row of its unit in a Frame (every member for a person rule, every
// household for a household rule), split across threads.
//
//   ASSIGN_OR_RETURN(CheckedExpr clause, ParseAndCheck("age_years(person.dob) >= 60",
//                                                     frame.schema(), Unit::kPerson));
//   ASSIGN_OR_RETURN(ColumnarProgram program, CompileColumnar(clause));
//   ColumnarResult result;
//   RETURN_IF_ERROR(EvaluateColumnar(program, frame, today, &result));
//   result.met(member_row);   // exactly Evaluate(clause, frame, kPerson, member_row, today).is_true()
//   result.met_count();       // how many members it holds for
//
// A scheme (every clause must hold, then an amount) compiles into one program whose clauses
// short-circuit one another:
//
//   ASSIGN_OR_RETURN(ColumnarProgram p, CompileColumnarScheme(clause_ptrs, &amount));
//   ColumnarSchemeResult s;
//   RETURN_IF_ERROR(EvaluateColumnarScheme(p, frame, today, &s));
//   s.eligible_count(), s.amount_total, s.eligible_rows[i], s.amounts[i]
//
// Results are exactly the reference evaluator's (evaluator.h), row by row, including missing
// values, division by zero, overflow and the error-absorbing && and ||: the differential test
// (columnar_test.cc) holds the two to that. How it works (columnar.cc explains the details):
// rows are processed in batches of whole households; every node of the typed tree
// becomes a kernel over a batch (a loop over a typed array, a compare into a bitmap), with no
// per-row interpretation of the tree and no per-row allocation. A bool is two bitmaps per batch
// (true rows, false rows; an error is neither), so && and || are word operations and CEL's error
// absorption falls out of them. Constant subtrees are folded; && and || chains are flattened
// and reordered cheapest first (they are commutative in CEL) and later operands are evaluated
// only for rows not yet decided; household-level operands of a person rule are evaluated once
// per household and broadcast to its members; macros over members are segmented loops over the
// member arrays using the member offsets; age_years(x) compared with a constant becomes a
// compare of the int32 days column with cut-off dates computed once per evaluation date.
// Where a bool is needed only for its true rows (a rule's result, a scheme's eligibility, the
// operands of such an && or ||), error and false are not told apart, and the operands of an &&
// that are simple tests of one column (a compare with a constant, an age comparison, a bool or
// its negation, has(), an enum look-up) are fused into one loop per operand over the batch, 64
// rows to a word, skipping words already false (internal/leaves.h), in a plain x86-64 (SSE2) build and an AVX2 build chosen at run
// time by the CPU. A thread's buffers are kept for the next evaluation (a few sets in all).
//
// A construct the compiler does not handle is evaluated by the reference evaluator, row by
// row, for that expression only; uses_reference() says so. The shipped schemes and the
// benchmark rules compile without it (programs/columnar_schemes_test.cc checks).
//
// A member's household is the one whose member offsets contain the member's row (the frame's
// member_household() is not read); offsets must start at 0 and end at members(), and are
// checked to be in order on every evaluation unless the frame guarantees it
// (Frame::member_offsets_ordered, as the registry's Snapshot does). A frame with ordered
// offsets that also gives one-byte member counts (Frame::member_counts) has them summed instead
// of its offsets read, except at the ends of each batch.
//
// Thread-safety: a ColumnarProgram is immutable once compiled; evaluate it from many threads at
// once. Evaluate* read the Frame only (it must not change meanwhile) and use `threads` threads
// of their own, joined before they return.
#ifndef SPODE_RULES_COLUMNAR_H_
#define SPODE_RULES_COLUMNAR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/result.h"
#include "rules/checker.h"
#include "rules/frame.h"

namespace spode::rules {

namespace columnar_internal {
struct Plan;
}  // namespace columnar_internal

struct ColumnarOptions {
  // Evaluate every expression with the reference evaluator, row by row (for tests of the
  // fallback path).
  bool force_reference = false;
  // Rows per batch (members, households and macro pairs); 0 for the default. Small values let
  // tests cross batch and word boundaries on small frames.
  int batch_rows = 0;
  // Use only the plain x86-64 (SSE2) kernels even where the CPU has AVX2 (for tests of that
  // path and for comparing the two).
  bool no_avx2 = false;
};

// A compiled rule (CompileColumnar) or scheme (CompileColumnarScheme). Cheap to copy (the plan
// is shared and immutable).
class ColumnarProgram {
 public:
  ColumnarProgram();
  ~ColumnarProgram();
  ColumnarProgram(const ColumnarProgram&);
  ColumnarProgram& operator=(const ColumnarProgram&);
  ColumnarProgram(ColumnarProgram&&) noexcept;
  ColumnarProgram& operator=(ColumnarProgram&&) noexcept;

  Unit unit() const;
  // kBool or kInt for a rule; kBool for a scheme (its eligibility).
  TypeKind type() const;
  bool is_scheme() const;
  // Some expression is evaluated by the reference evaluator row by row; reference_reasons()
  // says which and why.
  bool uses_reference() const;
  const std::vector<std::string>& reference_reasons() const;
  // The kernels, one per line, indented by nesting: "and[member] ...", for tests and tuning.
  std::string DebugString() const;

 private:
  friend Result<ColumnarProgram> CompileColumnar(const CheckedExpr&, const ColumnarOptions&);
  friend Result<ColumnarProgram> CompileColumnarScheme(std::span<const CheckedExpr* const>,
                                                       const CheckedExpr*,
                                                       const ColumnarOptions&);
  friend const columnar_internal::Plan* PlanOf(const ColumnarProgram&);
  std::shared_ptr<const columnar_internal::Plan> plan_;
};

// Compiles a bool or int rule. INVALID_ARGUMENT for an empty rule or one of another type.
Result<ColumnarProgram> CompileColumnar(const CheckedExpr& expr,
                                        const ColumnarOptions& options = {});

// Compiles a scheme's eligibility clauses (bool rules, all of one unit; at least one) and its
// amount (an int rule of the same unit, or nullptr for none). INVALID_ARGUMENT when a clause is
// not a bool, the amount not an int, or the units differ.
Result<ColumnarProgram> CompileColumnarScheme(std::span<const CheckedExpr* const> clauses,
                                              const CheckedExpr* amount,
                                              const ColumnarOptions& options = {});

// One value per row of the program's unit: members (rows 0..members()-1) for a person rule,
// households for a household rule. Rows of stale households (Frame::household_live) are
// evaluated like the others.
struct ColumnarResult {
  Unit unit = Unit::kPerson;
  TypeKind type = TypeKind::kBool;
  size_t rows = 0;
  // kBool: bit r (word r / 64, bit r % 64) is set iff the rule is the bool true for row r.
  std::vector<uint64_t> met_bits;
  // kInt: ok bit r is set iff the rule is an int for row r (not an error), and values[r] is
  // that int (0 where it is not).
  std::vector<uint64_t> ok_bits;
  std::vector<int64_t> values;

  bool met(size_t row) const { return (met_bits[row >> 6] >> (row & 63)) & 1; }
  bool ok(size_t row) const { return (ok_bits[row >> 6] >> (row & 63)) & 1; }
  size_t met_count() const;
};

// A scheme over every row of its unit. Stale rows (Frame::household_live) are never eligible.
struct ColumnarSchemeResult {
  Unit unit = Unit::kPerson;
  size_t rows = 0;
  // Bit r set iff every clause is the bool true for row r.
  std::vector<uint64_t> eligible_bits;
  // The eligible rows, ascending, and for each its amount: amount_ok[i] is 1 when the amount is
  // an int of at least 0 (as programs::Decide takes it), and amounts[i] that int (0 otherwise;
  // and 0 for every row when the scheme has no amount, with amount_ok 1).
  std::vector<uint32_t> eligible_rows;
  std::vector<int64_t> amounts;
  std::vector<uint8_t> amount_ok;
  // The sum of the amounts that are ok, and how many eligible rows have no valid amount.
  int64_t amount_total = 0;
  size_t amount_errors = 0;

  bool eligible(size_t row) const { return (eligible_bits[row >> 6] >> (row & 63)) & 1; }
  size_t eligible_count() const { return eligible_rows.size(); }
};

// Evaluates a rule program as of `eval_date` (what age_years and years_since count to).
// `threads` 0 uses std::thread::hardware_concurrency(). Errors: INVALID_ARGUMENT for a scheme
// program or a null `out`; FAILED_PRECONDITION when the frame is inconsistent with itself or
// with the rule's attributes (a column of another kind, arrays shorter than the rows, member
// offsets out of order in a frame that does not guarantee their order), which the reference
// evaluator reports per row as kBadInput.
Status EvaluateColumnar(const ColumnarProgram& program, const Frame& frame, Date eval_date,
                        ColumnarResult* out, int threads = 0);

// Evaluates a scheme program. The same errors as EvaluateColumnar (INVALID_ARGUMENT for a rule
// program), and OUT_OF_RANGE when the total amount does not fit in an int64.
Status EvaluateColumnarScheme(const ColumnarProgram& program, const Frame& frame, Date eval_date,
                              ColumnarSchemeResult* out, int threads = 0);

}  // namespace spode::rules

#endif  // SPODE_RULES_COLUMNAR_H_
