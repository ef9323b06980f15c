// libFuzzer target for the rules language: arbitrary bytes are parsed, type-checked against a
// fixed schema (testing/sample_schema.h) for both units, and whatever checks is evaluated on
// every row of a tiny frame with missing values and extreme numbers.
//
// Besides crashes and sanitizer reports, it aborts when an invariant breaks:
//   - a rejected rule's status is INVALID_ARGUMENT or RESOURCE_EXHAUSTED with a message that
//     starts with "line:column: ";
//   - evaluating with and without a Trace gives the same value;
//   - a value that is not an error has the kind of the rule's static type;
//   - no error is kBadInput (the frame is consistent, so none may arise).
//
// Run it with scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "rules/checker.h"
#include "rules/evaluator.h"
#include "rules/parser.h"
#include "rules/testing/sample_schema.h"
#include "rules/testing/table_frame.h"

namespace {

using spode::Date;
using spode::Result;
using spode::Status;
using spode::StatusCode;
using namespace spode::rules;  // NOLINT: a fuzz target
using spode::rules::testing::TableFrame;

const TableFrame& Frame() {
  static const TableFrame* frame = [] {
    auto* f = new TableFrame(testing::SampleSchema());
    constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
    constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
    f->AddHousehold({{"income_annual", 9'000'000},
                     {"caste_category", "SC"},
                     {"ration_card", "BPL"},
                     {"land_holding_ares", 0},
                     {"residence", "rural"},
                     {"has_lpg_connection", false},
                     {"district", "पुणे"}},
                    {{{"name", "Sita Devi"},
                      {"dob", "1960-02-29"},
                      {"sex", "F"},
                      {"relationship", "head"},
                      {"marital_status", "widowed"},
                      {"disability_percent", 0},
                      {"school_enrolled", false},
                      {"is_government_pensioner", false},
                      {"widowed_on", "2015-06-30"},
                      {"phone", ""}},
                     {{"name", "Arjun"},
                      {"dob", "9999-12-31"},
                      {"sex", "M"},
                      {"relationship", "grandson"},
                      {"disability_percent", kMin}}});
    f->AddHousehold({{"income_annual", kMax}, {"land_holding_ares", kMin}, {"district", ""}},
                    {{{"name", "x"},
                      {"dob", "1800-01-01"},
                      {"disability_percent", kMax},
                      {"is_government_pensioner", true},
                      {"widowed_on", "1800-01-01"}}});
    f->AddHousehold({});
    return f;
  }();
  return *frame;
}

[[noreturn]] void Fail(const std::string& what, std::string_view source) {
  std::fprintf(stderr, "rules_fuzz: %s\nsource: %.*s\n", what.c_str(),
               static_cast<int>(source.size()), source.data());
  std::abort();
}

void CheckRejection(const Status& status, std::string_view source) {
  if (status.code() != StatusCode::kInvalidArgument &&
      status.code() != StatusCode::kResourceExhausted) {
    Fail("unexpected status " + status.ToString(), source);
  }
  const std::string& m = status.message();
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < m.size() && m[i] >= '0' && m[i] <= '9') ++i;
    return i > start;
  };
  bool ok = digits() && i < m.size() && m[i++] == ':' && digits() && m.compare(i, 2, ": ") == 0;
  if (!ok) Fail("a rule error without a position: " + m, source);
}

bool KindMatches(const Value& v, const Type& t) {
  switch (t.kind) {
    case TypeKind::kNull:
      return v.kind() == Value::Kind::kNull;
    case TypeKind::kBool:
      return v.kind() == Value::Kind::kBool;
    case TypeKind::kInt:
      return v.kind() == Value::Kind::kInt;
    case TypeKind::kDouble:
      return v.kind() == Value::Kind::kDouble;
    case TypeKind::kString:
      return v.kind() == Value::Kind::kString;
    case TypeKind::kDate:
      return v.kind() == Value::Kind::kDate;
    case TypeKind::kList:
      return v.kind() == Value::Kind::kList;
    case TypeKind::kMembers:
      return false;
  }
  return false;
}

void EvaluateEverywhere(const CheckedExpr& expr, Unit unit, std::string_view source) {
  const TableFrame& frame = Frame();
  const Date today = Date::FromDays(20'513);  // 2026-03-01
  const size_t rows = unit == Unit::kPerson ? frame.members() : frame.households();
  for (size_t row = 0; row < rows; ++row) {
    Trace trace;
    Value traced = Evaluate(expr, frame, unit, row, today, &trace);
    Value plain = Evaluate(expr, frame, unit, row, today);
    if (!(traced == plain)) Fail("a Trace changed the value", source);
    if (plain.is_error()) {
      if (plain.error().kind == ErrorKind::kBadInput)
        Fail("bad input: " + plain.error().Message(), source);
      (void)plain.error().Message();
    } else if (!KindMatches(plain, expr.type())) {
      Fail("value " + plain.DebugString() + " for type " + expr.type().ToString(), source);
    }
    (void)plain.DebugString();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  Result<ParsedExpr> parsed = Parse(source);
  if (!parsed.ok()) {
    CheckRejection(parsed.status(), source);
    return 0;
  }
  (void)DebugString(*parsed->root);
  static const Schema schema = testing::SampleSchema();
  for (Unit unit : {Unit::kPerson, Unit::kHousehold}) {
    Result<CheckedExpr> checked = Check(*parsed, schema, unit);
    if (!checked.ok()) {
      CheckRejection(checked.status(), source);
      continue;
    }
    (void)checked->DebugString();
    EvaluateEverywhere(*checked, unit, source);
  }
  return 0;
}
