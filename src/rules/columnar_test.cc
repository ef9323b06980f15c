// The columnar engine against the reference evaluator: hand-written cases (missing values,
// division by zero, overflow, short-circuits over errors, macros over members including empty
// households, amounts), the scheme mode, frame errors, and a differential test of random
// well-typed rules over random frames that requires identical results on every row.
#include "rules/columnar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "rules/evaluator.h"
#include "rules/testing/sample_schema.h"
#include "rules/testing/table_frame.h"

namespace spode::rules {
namespace {

using ::testing::HasSubstr;
using testing::Cell;
using testing::Row;
using testing::SampleSchema;
using testing::TableFrame;

Date D(std::string_view text) {
  Result<Date> d = Date::Parse(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.value_or(Date());
}

const Date kToday = D("2026-03-01");

// Household 0: a widow, her son, a granddaughter born on a leap day and a grandson under 6.
// Household 1: one man whose date of birth and household income are missing.
// Household 2: no members.
// Household 3: a poor household with a pensioner aged 80 and a disabled woman.
const TableFrame& Sample() {
  static const TableFrame* frame = [] {
    auto* f = new TableFrame(SampleSchema());
    f->AddHousehold({{"income_annual", 9'000'000},
                     {"caste_category", "SC"},
                     {"ration_card", "BPL"},
                     {"land_holding_ares", 50},
                     {"residence", "rural"},
                     {"has_lpg_connection", false},
                     {"district", "Pune"}},
                    {{{"name", "Sita Devi"},
                      {"dob", "1960-03-01"},
                      {"sex", "F"},
                      {"relationship", "head"},
                      {"marital_status", "widowed"},
                      {"disability_percent", 0},
                      {"school_enrolled", false},
                      {"is_government_pensioner", false},
                      {"widowed_on", "2015-06-30"},
                      {"phone", "9876543210"}},
                     {{"name", "Ramesh"},
                      {"dob", "1990-07-15"},
                      {"sex", "M"},
                      {"relationship", "son"},
                      {"marital_status", "married"},
                      {"disability_percent", 45},
                      {"school_enrolled", false},
                      {"is_government_pensioner", false}},
                     {{"name", "Priya"},
                      {"dob", "2012-02-29"},
                      {"sex", "F"},
                      {"relationship", "granddaughter"},
                      {"marital_status", "never_married"},
                      {"disability_percent", 0},
                      {"school_enrolled", true},
                      {"is_government_pensioner", false}},
                     {{"name", "Arjun"},
                      {"dob", "2021-01-10"},
                      {"sex", "M"},
                      {"relationship", "grandson"},
                      {"marital_status", "never_married"},
                      {"is_government_pensioner", false}}});
    f->AddHousehold({{"caste_category", "GEN"},
                     {"ration_card", "APL"},
                     {"residence", "urban"},
                     {"has_lpg_connection", true},
                     {"district", "Mumbai"}},
                    {{{"name", "Mohan"},
                      {"sex", "M"},
                      {"relationship", "head"},
                      {"marital_status", "married"},
                      {"is_government_pensioner", true}}});
    f->AddHousehold({{"income_annual", 0}, {"residence", "rural"}, {"district", ""}});
    f->AddHousehold({{"income_annual", 4'800'000},
                     {"caste_category", "ST"},
                     {"ration_card", "AAY"},
                     {"land_holding_ares", 9'223'372'036'854'775'807LL},
                     {"residence", "rural"},
                     {"has_lpg_connection", false},
                     {"district", "Nashik"}},
                    {{{"name", "Gopal"},
                      {"dob", "1946-02-28"},
                      {"sex", "M"},
                      {"relationship", "head"},
                      {"marital_status", "married"},
                      {"disability_percent", 0},
                      {"is_government_pensioner", true},
                      {"phone", "+91"}},
                     {{"name", "Kamla आयु"},
                      {"dob", "1950-12-31"},
                      {"sex", "F"},
                      {"relationship", "spouse"},
                      {"marital_status", "married"},
                      {"disability_percent", 80},
                      {"school_enrolled", false},
                      {"is_government_pensioner", false},
                      {"phone", "42"}},
                     {{"name", "Tara"},
                      {"dob", "2030-01-01"},
                      {"sex", "T"},
                      {"relationship", "daughter"},
                      {"marital_status", "never_married"},
                      {"disability_percent", -9'223'372'036'854'775'807LL - 1},
                      {"school_enrolled", true}}});
    return f;
  }();
  return *frame;
}

// Evaluates `text` with both engines over every row of its unit, with 1 and 3 threads and a
// small batch size too, and requires identical results. Returns the rows compared.
size_t ExpectSame(const Frame& frame, Unit unit, const std::string& text, Date date,
                  const ColumnarOptions& base = {}) {
  Result<CheckedExpr> expr = ParseAndCheck(text, frame.schema(), unit);
  EXPECT_TRUE(expr.ok()) << text << ": " << expr.status();
  if (!expr.ok()) return 0;
  size_t compared = 0;
  for (int variant = 0; variant < 4; ++variant) {
    ColumnarOptions options = base;
    if (variant == 2) options.batch_rows = 2;
    // The plain SSE2 kernels as well as the AVX2 ones (where the CPU has AVX2).
    if (variant >= 2) options.no_avx2 = true;
    Result<ColumnarProgram> program = CompileColumnar(*expr, options);
    EXPECT_TRUE(program.ok()) << text << ": " << program.status();
    if (!program.ok()) return compared;
    EXPECT_FALSE(program->uses_reference() && !options.force_reference)
        << text << ": " << program->reference_reasons()[0];
    ColumnarResult result;
    Status s = EvaluateColumnar(*program, frame, date, &result, variant == 1 ? 3 : 1);
    EXPECT_TRUE(s.ok()) << text << ": " << s;
    if (!s.ok()) return compared;
    const size_t rows = unit == Unit::kPerson ? frame.members() : frame.households();
    EXPECT_EQ(result.rows, rows);
    for (size_t row = 0; row < rows; ++row) {
      const Value want = Evaluate(*expr, frame, unit, row, date);
      if (expr->type().kind == TypeKind::kBool) {
        EXPECT_EQ(result.met(row), want.is_true())
            << text << " row " << row << ": reference " << want << "\n"
            << program->DebugString();
      } else {
        const bool ok = want.kind() == Value::Kind::kInt;
        EXPECT_EQ(result.ok(row), ok) << text << " row " << row << ": reference " << want << "\n"
                                      << program->DebugString();
        if (ok && result.ok(row)) {
          EXPECT_EQ(result.values[row], want.int_value()) << text << " row " << row;
        }
      }
      ++compared;
    }
  }
  return compared;
}

// Rules (person unit unless marked) covering the semantics of docs/rules.md.
const char* const kPersonCases[] = {
    // Attributes, missing values and has().
    "age_years(person.dob) >= 60",
    "age_years(person.dob) < 6",
    "age_years(person.dob) == 13",
    "age_years(person.dob) != 13",
    "age_years(person.dob) > 65",
    "age_years(person.dob) <= 13",
    "60 <= age_years(person.dob)",
    "years_since(person.dob) >= -4",
    "years_since(person.widowed_on) >= 10",
    "age_years(person.dob) * 2 > 100",
    "age_years(person.dob)",
    "years_since(person.dob)",
    "has(person.dob)",
    "!has(person.dob) || age_years(person.dob) >= 60",
    "has(person.dob) && age_years(person.dob) >= 60",
    "has(person.school_enrolled)",
    "has(person.phone)",
    "has(household.income_annual)",
    "person.is_government_pensioner",
    "!person.is_government_pensioner",
    "person.school_enrolled == false",
    "person.disability_percent >= 40",
    "person.disability_percent >= 80 ? rupees(1500) : rupees(1000)",
    "household.income_annual <= rupees(48000)",
    "household.income_annual",
    "household.income_annual / 12",
    // Division by zero and overflow.
    "household.income_annual / 0 > 1",
    "household.income_annual % 0",
    "household.land_holding_ares + 1 > 0",
    "household.land_holding_ares * 2",
    "-person.disability_percent",
    "person.disability_percent - 1",
    "person.disability_percent / -1",
    "person.disability_percent % -1",
    "1 / 0 == 1 || true",
    "false && 1 / 0 == 1",
    "1 / 0 == 1 && false",
    "true && 1 / 0 == 1",
    "9223372036854775807 + 1 > 0",
    "rupees(person.disability_percent) > 0",
    "rupees(92233720368547758)",
    "rupees(double(person.disability_percent) / 3.0)",
    "rupees(double(person.disability_percent) * 1e300)",
    // Short-circuits with errors on either side (&& and || are commutative in CEL).
    "age_years(person.dob) >= 60 && household.income_annual <= rupees(48000)",
    "household.income_annual <= rupees(48000) || age_years(person.dob) >= 60",
    "!(age_years(person.dob) >= 60 && household.income_annual <= rupees(48000))",
    "age_years(person.dob) >= 60 || household.income_annual / 0 > 1",
    "(age_years(person.dob) >= 60) == (household.income_annual > 0)",
    "(age_years(person.dob) >= 60 ? household.income_annual : 1 / 0) > 5",
    "household.income_annual > 100 ? age_years(person.dob) : -1",
    "person.is_government_pensioner ? 1 : 1 / 0",
    "(1 / 0 == 0) ? 1 : 2",
    "!(1 / 0 == 0)",
    // Enums, strings and lists.
    "person.sex == 'F' && person.marital_status == 'widowed'",
    "person.sex != 'F'",
    "'F' == person.sex",
    "person.relationship in ['head', 'spouse']",
    "household.ration_card in ['AAY', 'BPL'] || household.caste_category in ['SC', 'ST']",
    "person.sex in []",
    "person.sex == household.ration_card",
    "person.sex + '-' + person.marital_status == 'F-widowed'",
    "(person.disability_percent > 10 ? person.sex : 'X') < 'G'",
    "person.name.startsWith('S')",
    "person.name.endsWith('Devi')",
    "person.name.contains('आयु')",
    "size(person.name)",
    "size(person.name) > 4",
    "person.phone.startsWith('9')",
    "int(person.phone) > 40",
    "int(person.phone)",
    "double(person.phone) > 40.0",
    "string(person.disability_percent) == '45'",
    "string(person.dob) < '2000'",
    "string(person.school_enrolled) == 'true'",
    "string(double(person.disability_percent) / 4.0) == '11.25'",
    "size(string(person.dob))",
    "person.disability_percent in [0, 45]",
    "person.disability_percent in [0, 1 / 0]",
    "person.dob in [date('1960-03-01'), date('2012-02-29')]",
    "person.school_enrolled in [true]",
    "person.name in [person.phone, 'Ramesh']",
    "size([person.disability_percent, 2, 3])",
    "size(household.district > 'O' ? [1] : [2, 3])",
    "person.disability_percent in (household.income_annual > 0 ? [45] : [0])",
    "double(person.disability_percent) > 44.5",
    "person.disability_percent == 45.0",
    "person.disability_percent < 45.5",
    "int(double(person.disability_percent) * 1.5)",
    "double(household.income_annual) / 0.0 > 1.0",
    "1e308 * 10.0 > 1.0",
    "null == null",
    "(person.disability_percent > 1 ? null : null) == null",
    "person.dob < date('1990-01-01')",
    "person.dob == person.widowed_on",
    // Macros over members (household.members in a person rule is the person's household).
    "household.members.exists(m, age_years(m.dob) < 6)",
    "household.members.all(m, has(m.dob))",
    "household.members.all(m, m.is_government_pensioner == false)",
    "household.members.exists_one(m, m.relationship == 'head')",
    "household.members.filter(m, age_years(m.dob) < 18).size() >= 1",
    "household.members.filter(m, m.sex == 'F').exists(m, age_years(m.dob) >= 18)",
    "household.members.filter(m, m.disability_percent > 10).size()",
    "household.members.filter(m, m.sex == 'F').filter(m, m.school_enrolled).size()",
    "size(household.members) <= 3",
    "size(household.members)",
    "household.members.exists(m, m.dob < person.dob)",
    "household.members.all(m, m.dob >= person.dob || m.sex != person.sex)",
    "household.members.filter(m, m.sex == person.sex).size()",
    "household.members.exists_one(m, m.name == person.name)",
    "household.members.exists(m, person.is_government_pensioner)",
    "household.members.exists(m, household.income_annual > 0)",
    "household.members.exists(m, true)",
    "household.members.all(m, false)",
    "household.members.exists(m, 1 / 0 == 1)",
    "household.members.all(m, 1 / 0 == 1)",
    "household.members.exists_one(m, m.disability_percent > 0)",
    "household.members.exists(m, age_years(m.dob) < 6) && household.income_annual <= rupees(100000)",
};

const char* const kHouseholdCases[] = {
    "!household.has_lpg_connection",
    "household.ration_card in ['AAY', 'BPL'] || household.caste_category in ['SC', 'ST']",
    "household.members.exists(m, m.sex == 'F' && age_years(m.dob) >= 18)",
    "household.members.exists(m, age_years(m.dob) < 6) && household.income_annual <= rupees(100000)",
    "household.members.filter(m, age_years(m.dob) < 18).size() >= 3",
    "household.members.all(m, m.is_government_pensioner == false)",
    "household.members.exists_one(m, m.relationship == 'head')",
    "household.members.filter(m, has(m.dob)).all(m, age_years(m.dob) > 10)",
    "size(household.members)",
    "household.members.filter(m, m.phone.startsWith('9')).size() + size(household.district)",
    "household.income_annual >= rupees(48000) ? rupees(1600) : 0",
    "household.land_holding_ares * 2 > 0",
    "household.district.contains('a')",
};

TEST(Columnar, HandWrittenPersonRulesMatchTheReference) {
  size_t rows = 0;
  for (const char* text : kPersonCases) rows += ExpectSame(Sample(), Unit::kPerson, text, kToday);
  EXPECT_GT(rows, 1000u);
}

TEST(Columnar, HandWrittenHouseholdRulesMatchTheReference) {
  for (const char* text : kHouseholdCases) ExpectSame(Sample(), Unit::kHousehold, text, kToday);
}

TEST(Columnar, EvaluationDatesOutOfRangeAndLeapDays) {
  for (const Date d : {D("2013-02-28"), D("2013-03-01"), D("2026-02-28"), D("1800-01-01"),
                       D("9999-12-31"), Date::FromDays(kMinDateDays - 1000)}) {
    for (const char* text : {"age_years(person.dob) >= 1", "age_years(person.dob)",
                             "years_since(person.dob) < 0", "years_since(date('2012-02-29'))",
                             "age_years(date('2012-02-29')) == 1", "string(person.dob) > '2000'"}) {
      ExpectSame(Sample(), Unit::kPerson, text, d);
    }
  }
}

TEST(Columnar, KnownValues) {
  auto expr = ParseAndCheck("age_years(person.dob) >= 60", Sample().schema(), Unit::kPerson);
  ASSERT_TRUE(expr.ok());
  auto program = CompileColumnar(*expr);
  ASSERT_TRUE(program.ok());
  ColumnarResult r;
  ASSERT_TRUE(EvaluateColumnar(*program, Sample(), kToday, &r).ok());
  // Sita (turns 66 today), Gopal (80) and Kamla (75).
  EXPECT_EQ(r.met_count(), 3u);
  EXPECT_TRUE(r.met(0));
  EXPECT_FALSE(r.met(4));  // Mohan: dob missing

  auto amount = ParseAndCheck("person.disability_percent >= 80 ? rupees(1500) : rupees(1000)",
                              Sample().schema(), Unit::kPerson);
  ASSERT_TRUE(amount.ok());
  auto ap = CompileColumnar(*amount);
  ASSERT_TRUE(ap.ok());
  ASSERT_TRUE(EvaluateColumnar(*ap, Sample(), kToday, &r).ok());
  EXPECT_EQ(r.type, TypeKind::kInt);
  EXPECT_TRUE(r.ok(0));
  EXPECT_EQ(r.values[0], 100000);
  EXPECT_FALSE(r.ok(3));  // Arjun: disability missing
  EXPECT_EQ(r.values[3], 0);
  EXPECT_EQ(r.values[6], 150000);  // Kamla
}

TEST(Columnar, PlansFuseAgeComparesEnumLookupsAndHouseholdOperands) {
  auto expr = ParseAndCheck(
      "age_years(person.dob) >= 60 && household.income_annual <= rupees(48000) && "
      "!person.is_government_pensioner && household.residence in ['rural', 'urban'] && "
      "has(person.dob)",
      Sample().schema(), Unit::kPerson);
  ASSERT_TRUE(expr.ok());
  auto program = CompileColumnar(*expr);
  ASSERT_TRUE(program.ok());
  const std::string plan = program->DebugString();
  EXPECT_FALSE(program->uses_reference());
  EXPECT_THAT(plan, HasSubstr("and[household->member]"));
  EXPECT_THAT(plan, HasSubstr("age_compare[member] >= age_years"));
  EXPECT_THAT(plan, HasSubstr("enum_match[household] in rural urban"));
  // The household operands come first.
  EXPECT_LT(plan.find("and[household->member]"), plan.find("age_compare"));
}

TEST(Columnar, ConstantsAreFolded) {
  auto expr = ParseAndCheck("person.disability_percent > 2 * 20 + size('abc') - int('3')",
                            Sample().schema(), Unit::kPerson);
  ASSERT_TRUE(expr.ok());
  auto program = CompileColumnar(*expr);
  ASSERT_TRUE(program.ok());
  EXPECT_THAT(program->DebugString(), HasSubstr("const[const->member] 40"));
  ExpectSame(Sample(), Unit::kPerson, "person.disability_percent > 2 * 20 + size('abc') - int('3')",
             kToday);
}

TEST(Columnar, ReferenceFallbackGivesTheSameAnswers) {
  ColumnarOptions options;
  options.force_reference = true;
  for (const char* text : {"age_years(person.dob) >= 60", "person.disability_percent / 0",
                           "household.members.exists(m, m.dob < person.dob)"}) {
    auto expr = ParseAndCheck(text, Sample().schema(), Unit::kPerson);
    ASSERT_TRUE(expr.ok());
    auto program = CompileColumnar(*expr, options);
    ASSERT_TRUE(program.ok());
    EXPECT_TRUE(program->uses_reference());
    ASSERT_EQ(program->reference_reasons().size(), 1u);
    ExpectSame(Sample(), Unit::kPerson, text, kToday, options);
  }
}

TEST(Columnar, RejectsRulesThatAreNeitherBoolNorInt) {
  auto expr = ParseAndCheck("person.name", Sample().schema(), Unit::kPerson);
  ASSERT_TRUE(expr.ok());
  EXPECT_EQ(CompileColumnar(*expr).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CompileColumnar(CheckedExpr()).status().code(), StatusCode::kInvalidArgument);
}

// A frame that forwards to another, with its own live flags and optionally a column replaced.
class WrappedFrame final : public Frame {
 public:
  explicit WrappedFrame(const Frame& inner) : inner_(inner) {}
  const Schema& schema() const override { return inner_.schema(); }
  size_t households() const override { return inner_.households(); }
  size_t members() const override { return inner_.members(); }
  std::span<const uint32_t> member_offsets() const override {
    return offsets_.empty() ? inner_.member_offsets() : std::span<const uint32_t>(offsets_);
  }
  std::span<const uint32_t> member_household() const override {
    return inner_.member_household();
  }
  const Column* column(Entity entity, std::string_view name) const override {
    if (entity == replaced_entity_ && name == replaced_name_) return replacement_;
    return inner_.column(entity, name);
  }
  std::span<const uint8_t> household_live() const override { return live_; }

  std::vector<uint8_t> live_;
  std::vector<uint32_t> offsets_;
  Entity replaced_entity_ = Entity::kHousehold;
  std::string replaced_name_;
  const Column* replacement_ = nullptr;

 private:
  const Frame& inner_;
};

TEST(Columnar, FramesInconsistentWithTheRuleAreRefused) {
  auto expr = ParseAndCheck("household.income_annual > 5", Sample().schema(), Unit::kHousehold);
  ASSERT_TRUE(expr.ok());
  auto program = CompileColumnar(*expr);
  ASSERT_TRUE(program.ok());
  ColumnarResult r;

  WrappedFrame wrong_kind(Sample());
  Column dates;
  dates.kind = AttrKind::kDate;
  std::vector<int32_t> days(4, 0);
  dates.dates = days;
  wrong_kind.replaced_name_ = "income_annual";
  wrong_kind.replacement_ = &dates;
  Status s = EvaluateColumnar(*program, wrong_kind, kToday, &r);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("household.income_annual is date"));

  WrappedFrame too_short(Sample());
  Column ints;
  ints.kind = AttrKind::kMoney;
  std::vector<int64_t> values(2, 0);
  ints.ints = values;
  too_short.replaced_name_ = "income_annual";
  too_short.replacement_ = &ints;
  s = EvaluateColumnar(*program, too_short, kToday, &r);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("too short"));

  WrappedFrame disordered(Sample());
  disordered.offsets_ = {0, 4, 3, 5, 8};
  s = EvaluateColumnar(*program, disordered, kToday, &r);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("out of order"));

  // A frame without the column: every value is missing, as in the reference.
  WrappedFrame missing(Sample());
  missing.replaced_name_ = "income_annual";
  s = EvaluateColumnar(*program, missing, kToday, &r);
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(r.met_count(), 0u);
  ExpectSame(missing, Unit::kHousehold, "!has(household.income_annual)", kToday);

  ColumnarSchemeResult sr;
  EXPECT_EQ(EvaluateColumnarScheme(*program, Sample(), kToday, &sr).code(),
            StatusCode::kInvalidArgument);
}

// A scheme: eligible exactly when every clause is true; the amount as programs::Decide takes it.
TEST(Columnar, SchemesMatchClauseByClauseDecisions) {
  const Schema& schema = Sample().schema();
  std::vector<CheckedExpr> clauses;
  for (const char* text : {"age_years(person.dob) >= 18", "household.income_annual <= rupees(90000)",
                           "!person.is_government_pensioner", "has(person.dob)"}) {
    auto c = ParseAndCheck(text, schema, Unit::kPerson, Type::Bool());
    ASSERT_TRUE(c.ok()) << c.status();
    clauses.push_back(*c);
  }
  auto amount = ParseAndCheck("person.disability_percent >= 80 ? rupees(1500) : "
                              "(person.disability_percent > 10 ? -1 : rupees(1000))",
                              schema, Unit::kPerson, Type::Int());
  ASSERT_TRUE(amount.ok());
  std::vector<const CheckedExpr*> ptrs;
  for (const CheckedExpr& c : clauses) ptrs.push_back(&c);
  for (int batch : {0, 1, 3}) {
    ColumnarOptions options;
    options.batch_rows = batch;
    auto program = CompileColumnarScheme(ptrs, &*amount, options);
    ASSERT_TRUE(program.ok()) << program.status();
    EXPECT_TRUE(program->is_scheme());
    EXPECT_FALSE(program->uses_reference());
    WrappedFrame frame(Sample());
    frame.live_ = {1, 1, 1, 1};
    if (batch == 3) frame.live_[3] = 0;  // household 3 is stale: never eligible
    ColumnarSchemeResult r;
    ASSERT_TRUE(EvaluateColumnarScheme(*program, frame, kToday, &r, 2).ok());
    std::vector<uint32_t> want_rows;
    int64_t want_total = 0;
    size_t want_errors = 0;
    for (size_t row = 0; row < frame.members(); ++row) {
      bool eligible = frame.live_[frame.member_household()[row]] != 0;
      for (const CheckedExpr& c : clauses) {
        eligible = eligible && Evaluate(c, frame, Unit::kPerson, row, kToday).is_true();
      }
      EXPECT_EQ(r.eligible(row), eligible) << "row " << row;
      if (!eligible) continue;
      want_rows.push_back(static_cast<uint32_t>(row));
      const Value a = Evaluate(*amount, frame, Unit::kPerson, row, kToday);
      const bool ok = a.kind() == Value::Kind::kInt && a.int_value() >= 0;
      want_total += ok ? a.int_value() : 0;
      want_errors += !ok;
      const size_t i = want_rows.size() - 1;
      ASSERT_LT(i, r.amounts.size());
      EXPECT_EQ(r.amount_ok[i] != 0, ok);
      if (ok) {
        EXPECT_EQ(r.amounts[i], a.int_value());
      }
    }
    EXPECT_EQ(r.eligible_rows, want_rows);
    EXPECT_EQ(r.amount_total, want_total);
    EXPECT_EQ(r.amount_errors, want_errors);
    EXPECT_GE(r.eligible_count(), batch == 3 ? 1u : 2u);
  }
}

// ---------------------------------------------------------------------------------------------
// The differential test: random well-typed rules over random frames.

struct Attr {
  std::string name;
  AttrKind kind;
  std::vector<std::string> values;  // enum
};

class RuleGenerator {
 public:
  RuleGenerator(std::mt19937_64* rng, const std::vector<Attr>* household,
                const std::vector<Attr>* member, Unit unit)
      : rng_(*rng), household_(*household), member_(*member), unit_(unit) {}

  std::string Bool(int depth) { return Gen('b', depth); }
  std::string Int(int depth) { return Gen('i', depth); }

 private:
  int R(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  bool P(int percent) { return R(100) < percent; }

  // An attribute of `kind` readable here, as written in a rule ("" when there is none).
  std::string AttrOf(AttrKind kind, const Attr** out = nullptr) {
    std::vector<std::pair<std::string, const Attr*>> choices;
    for (const Attr& a : household_) {
      if (a.kind == kind) choices.emplace_back("household." + a.name, &a);
    }
    for (const Attr& a : member_) {
      if (a.kind != kind) continue;
      if (unit_ == Unit::kPerson) choices.emplace_back("person." + a.name, &a);
      if (in_macro_) {
        choices.emplace_back("m." + a.name, &a);
        choices.emplace_back("m." + a.name, &a);
      }
    }
    if (choices.empty()) return "";
    const auto& c = choices[static_cast<size_t>(R(static_cast<int>(choices.size())))];
    if (out != nullptr) *out = c.second;
    return c.first;
  }

  std::string IntLiteral() {
    static const char* const kInts[] = {"0", "1", "2", "3", "-1", "5", "10", "18", "60", "100",
                                        "9223372036854775807", "4611686018427387904", "-7"};
    return kInts[R(13)];
  }
  std::string DoubleLiteral() {
    static const char* const kDoubles[] = {"0.0", "1.5", "-2.25", "100.0", "1e308", "0.1", "3.0"};
    return kDoubles[R(7)];
  }
  std::string StringLiteral() {
    static const char* const kStrings[] = {"''", "'a'", "'ab'", "'42'", "'+7'", "'-3'", "'1.5'",
                                           "'F'", "'BPL'", "'आयु'", "'x1'", "'2000-01-01'"};
    return kStrings[R(12)];
  }
  std::string DateLiteral() {
    static const char* const kDates[] = {"date('2000-02-29')", "date('1960-03-01')",
                                         "date('2026-03-01')", "date('1800-01-01')",
                                         "date('2030-12-31')", "date('2012-02-29')"};
    return kDates[R(6)];
  }

  std::string Macro(int depth, bool with_count) {
    if (in_macro_) return "";
    in_macro_ = true;
    std::string range = "household.members";
    if (P(30)) range += ".filter(m, " + Gen('b', depth - 1) + ")";
    std::string out;
    if (with_count) {
      out = range + (P(60) ? ".filter(m, " + Gen('b', depth - 1) + ").size()" : ".size()");
      if (range == "household.members" && P(50)) out = "size(household.members)";
    } else {
      static const char* const kMacros[] = {"exists", "all", "exists_one"};
      out = range + "." + kMacros[R(3)] + "(m, " + Gen('b', depth - 1) + ")";
    }
    in_macro_ = false;
    return out;
  }

  // A list literal of `type` (b, i, d, s, t).
  std::string List(char type, int depth) {
    const int n = R(4);
    std::string s = "[";
    for (int k = 0; k < n; ++k) s += (k ? ", " : "") + Gen(type, depth - 1);
    return s + "]";
  }

  std::string Gen(char type, int depth) {
    const bool leaf = depth <= 0 || P(25);
    for (int attempt = 0; attempt < 20; ++attempt) {
      std::string s = leaf ? Leaf(type) : Inner(type, depth);
      if (!s.empty()) return s;
    }
    return Literal(type);
  }

  std::string Literal(char type) {
    switch (type) {
      case 'b': return P(50) ? "true" : "false";
      case 'i': return IntLiteral();
      case 'd': return DoubleLiteral();
      case 's': return StringLiteral();
      case 't': return DateLiteral();
    }
    return "null";
  }

  std::string Leaf(char type) {
    if (P(35)) return Literal(type);
    switch (type) {
      case 'b':
        if (P(40)) {
          std::string a = AttrOf(static_cast<AttrKind>(R(6)));
          return a.empty() ? "" : "has(" + a + ")";
        }
        return AttrOf(AttrKind::kBool);
      case 'i': return AttrOf(P(50) ? AttrKind::kInt : AttrKind::kMoney);
      case 'd': return "";
      case 's': return AttrOf(P(50) ? AttrKind::kString : AttrKind::kEnum);
      case 't': return AttrOf(AttrKind::kDate);
    }
    return "";
  }

  std::string Inner(char type, int depth) {
    const int d = depth - 1;
    auto cond = [&](char t) { return "(" + Gen('b', d) + " ? " + Gen(t, d) + " : " + Gen(t, d) + ")"; };
    switch (type) {
      case 'b': {
        switch (R(14)) {
          case 0: return "!" + Gen('b', d);
          case 1: return "(" + Gen('b', d) + " && " + Gen('b', d) + ")";
          case 2: return "(" + Gen('b', d) + " || " + Gen('b', d) + ")";
          case 3: return cond('b');
          case 4: {
            static const char* const kOps[] = {"==", "!=", "<", "<=", ">", ">="};
            const char t = "iidst"[R(5)];
            const char u = (t == 'i' || t == 'd') && P(30) ? (t == 'i' ? 'd' : 'i') : t;
            return "(" + Gen(t, d) + " " + kOps[R(6)] + " " + Gen(u, d) + ")";
          }
          case 5: {  // an enum against one of its values, or a list of them
            const Attr* a = nullptr;
            std::string e = AttrOf(AttrKind::kEnum, &a);
            if (e.empty()) return "";
            auto value = [&] {
              return "'" + a->values[static_cast<size_t>(R(static_cast<int>(a->values.size())))] + "'";
            };
            if (P(50)) return "(" + e + (P(50) ? " == " : " != ") + value() + ")";
            std::string list = "[";
            for (int k = R(3); k >= 0; --k) list += value() + (k ? ", " : "");
            return "(" + e + " in " + list + "])";
          }
          case 6: {
            const char t = "bidst"[R(5)];
            return "(" + Gen(t, d) + " in " + (P(20) ? "(" + Gen('b', d - 1) + " ? " + List(t, d) + " : " + List(t, d) + ")" : List(t, d)) + ")";
          }
          case 7: {
            static const char* const kTests[] = {"startsWith", "endsWith", "contains"};
            return Gen('s', d) + "." + kTests[R(3)] + "(" + Gen('s', d) + ")";
          }
          case 8:
          case 9: return Macro(depth, false);
          case 10: return "(" + Gen('b', d) + " == " + Gen('b', d) + ")";
          case 11: {  // an age compared with a constant: the fused kernel
            static const char* const kOps[] = {"==", "!=", "<", "<=", ">", ">="};
            std::string a = AttrOf(AttrKind::kDate);
            if (a.empty()) return "";
            const std::string fn = P(70) ? "age_years(" : "years_since(";
            return P(50) ? "(" + fn + a + ") " + kOps[R(6)] + " " + IntLiteral() + ")"
                         : "(" + IntLiteral() + " " + kOps[R(6)] + " " + fn + a + "))";
          }
          case 12: return "(null " + std::string(P(50) ? "==" : "!=") + " null)";
          default: return "(" + Gen('i', d) + " > " + Gen('i', d) + ")";
        }
      }
      case 'i': {
        switch (R(12)) {
          case 0:
          case 1: {
            static const char* const kOps[] = {"+", "-", "*", "/", "%"};
            return "(" + Gen('i', d) + " " + kOps[R(5)] + " " + Gen('i', d) + ")";
          }
          case 2: return "-" + Gen('i', d);
          case 3: return (P(60) ? "age_years(" : "years_since(") + Gen('t', d) + ")";
          case 4: return "size(" + (P(50) ? Gen('s', d) : List("bidst"[R(5)], d)) + ")";
          case 5: return Macro(depth, true);
          case 6: return "int(" + Gen(P(50) ? 'd' : 's', d) + ")";
          case 7: return "rupees(" + Gen(P(50) ? 'i' : 'd', d) + ")";
          case 8: return cond('i');
          default: return Leaf('i');
        }
      }
      case 'd': {
        switch (R(6)) {
          case 0: {
            static const char* const kOps[] = {"+", "-", "*", "/"};
            return "(" + Gen('d', d) + " " + kOps[R(4)] + " " + Gen('d', d) + ")";
          }
          case 1: return "-" + Gen('d', d);
          case 2: return "double(" + Gen(P(60) ? 'i' : 's', d) + ")";
          case 3: return cond('d');
          default: return DoubleLiteral();
        }
      }
      case 's': {
        switch (R(5)) {
          case 0: return "(" + Gen('s', d) + " + " + Gen('s', d) + ")";
          case 1: return "string(" + Gen("idbt"[R(4)], d) + ")";
          case 2: return cond('s');
          default: return Leaf('s');
        }
      }
      case 't': return P(30) ? cond('t') : Leaf('t');
    }
    return "";
  }

  std::mt19937_64& rng_;
  const std::vector<Attr>& household_;
  const std::vector<Attr>& member_;
  Unit unit_;
  bool in_macro_ = false;
};

std::vector<Attr> RandomAttrs(std::mt19937_64& rng, const std::string& prefix) {
  std::vector<Attr> attrs;
  const AttrKind kinds[] = {AttrKind::kInt,  AttrKind::kMoney, AttrKind::kBool,
                            AttrKind::kEnum, AttrKind::kDate,  AttrKind::kString};
  int index = 0;
  for (AttrKind k : kinds) {
    const int n = 1 + static_cast<int>(rng() % 2);
    for (int j = 0; j < n; ++j) {
      Attr a{prefix + std::to_string(index++), k, {}};
      if (k == AttrKind::kEnum) {
        std::vector<std::string> values = {"F", "M", "T", "BPL", "APL", "AAY", "x"};
        std::shuffle(values.begin(), values.end(), rng);
        values.resize(1 + rng() % 5);
        a.values = values;
      }
      attrs.push_back(a);
    }
  }
  return attrs;
}

// With `narrow`, values a narrow column holds (rules/frame.h ColumnValues): ints within int32
// (its extremes too) and dates within 179 years (from 1900-01-01 to 65535 days later, both
// ends too), so that TableFrame stores the columns narrow.
Cell RandomCell(std::mt19937_64& rng, const Attr& a, bool narrow = false) {
  auto r = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  if (narrow && (a.kind == AttrKind::kInt || a.kind == AttrKind::kMoney)) {
    static const int64_t kExtremes[] = {std::numeric_limits<int32_t>::max(),
                                        std::numeric_limits<int32_t>::min(), 1 << 30, -1, 0, 100};
    if (r(20) == 0) return Cell(static_cast<long long>(kExtremes[r(6)]));
    return Cell(static_cast<long long>(r(40) - 10));
  }
  if (narrow && a.kind == AttrKind::kDate) {
    const int32_t first = D("1900-01-01").days(), last = first + 65535;
    if (r(30) == 0) return Cell(Date::FromDays(first));
    if (r(30) == 0) return Cell(Date::FromDays(last));
    if (r(10) == 0) return Cell(D(r(2) ? "2012-02-29" : "2000-02-29"));
    return Cell(Date::FromDays(first + r(65536)));
  }
  switch (a.kind) {
    case AttrKind::kBool: return Cell(r(2) == 0);
    case AttrKind::kInt:
    case AttrKind::kMoney: {
      static const int64_t kExtremes[] = {std::numeric_limits<int64_t>::max(),
                                          std::numeric_limits<int64_t>::min(),
                                          4611686018427387904LL, -1, 0, 100};
      if (r(20) == 0) return Cell(static_cast<long long>(kExtremes[r(6)]));
      return Cell(static_cast<long long>(r(40) - 10));
    }
    case AttrKind::kDate: {
      if (r(30) == 0) return Cell(Date::FromDays(kMinDateDays - 1 - r(1000)));
      if (r(30) == 0) return Cell(Date::FromDays(kMaxDateDays + 1 + r(1000)));
      if (r(10) == 0) return Cell(D(r(2) ? "2012-02-29" : "2000-02-29"));
      return Cell(Date::FromDays(-36500 + r(36500 + 22000)));
    }
    case AttrKind::kEnum: return Cell(a.values[static_cast<size_t>(r(static_cast<int>(a.values.size())))]);
    case AttrKind::kString: {
      static const char* const kStrings[] = {"", "a", "ab", "42", "+7", "-3", "1.5", "F",
                                             "BPL", "आयु", "x1", "2000-01-01", "9", "1e400"};
      return Cell(std::string(kStrings[r(14)]));
    }
  }
  return Cell();
}

// How many of the frame's int, money and date columns are stored narrow.
size_t NarrowColumns(const Frame& frame) {
  size_t n = 0;
  for (const AttributeSchema& a : frame.schema().attributes) {
    const Column* c = frame.column(a.entity, a.name);
    n += c != nullptr && (c->ints.is_narrow() || c->dates.is_narrow());
  }
  return n;
}

Schema SchemaOf(const std::vector<Attr>& household, const std::vector<Attr>& member) {
  Schema s;
  for (const Attr& a : household) s.attributes.push_back({a.name, Entity::kHousehold, a.kind, a.values});
  for (const Attr& a : member) s.attributes.push_back({a.name, Entity::kMember, a.kind, a.values});
  return s;
}

TEST(ColumnarDifferential, RandomRulesOverRandomFramesMatchTheReference) {
  size_t rules = 0, rows = 0, rejected = 0, generated = 0, narrow_columns = 0;
  const int kFrames = 12;
  const int kRulesPerFrame = 260;
  for (int f = 0; f < kFrames; ++f) {
    std::mt19937_64 rng(1000 + static_cast<uint64_t>(f));
    const std::vector<Attr> household = RandomAttrs(rng, "h");
    const std::vector<Attr> member = RandomAttrs(rng, "p");
    // Every other frame with values that fit narrow columns, stored narrow.
    const bool narrow = f % 2 == 1;
    TableFrame frame(SchemaOf(household, member), narrow);
    // Half the frames leave the engine to check the member offsets; of the others, half give
    // the engine one-byte member counts to sum instead of the offsets to copy.
    frame.set_says_offsets_ordered(f % 4 < 2);
    frame.set_gives_member_counts(f % 8 < 4);
    // Per attribute, a share of missing values (none, some, most).
    std::vector<int> missing_h, missing_m;
    for (size_t i = 0; i < household.size(); ++i) missing_h.push_back(static_cast<int>(rng() % 3) * 30);
    for (size_t i = 0; i < member.size(); ++i) missing_m.push_back(static_cast<int>(rng() % 3) * 30);
    const int households = 60 + static_cast<int>(rng() % 100);
    for (int h = 0; h < households; ++h) {
      Row hr;
      for (size_t i = 0; i < household.size(); ++i) {
        if (static_cast<int>(rng() % 100) >= missing_h[i]) {
          hr.emplace_back(household[i].name, RandomCell(rng, household[i], narrow));
        }
      }
      std::vector<Row> members(rng() % 9);
      for (Row& mr : members) {
        for (size_t i = 0; i < member.size(); ++i) {
          if (static_cast<int>(rng() % 100) >= missing_m[i]) {
            mr.emplace_back(member[i].name, RandomCell(rng, member[i], narrow));
          }
        }
      }
      frame.AddHousehold(hr, members);
    }
    if (narrow) narrow_columns += NarrowColumns(frame);
    const Date dates[] = {kToday, D("2000-02-29"), D("2013-02-28"), D("1800-01-01"),
                          D("9999-12-31")};
    for (int k = 0; k < kRulesPerFrame; ++k) {
      const Unit unit = rng() % 3 == 0 ? Unit::kHousehold : Unit::kPerson;
      RuleGenerator gen(&rng, &household, &member, unit);
      const std::string text = rng() % 3 == 0 ? gen.Int(4) : gen.Bool(4);
      ++generated;
      Result<CheckedExpr> expr = ParseAndCheck(text, frame.schema(), unit);
      if (!expr.ok()) {
        ++rejected;
        continue;
      }
      ColumnarOptions options;
      static const int kBatches[] = {0, 1, 2, 5, 64, 65, 200};
      options.batch_rows = kBatches[rng() % 7];
      options.no_avx2 = k % 2 == 1;  // half of the rules on the SSE2 kernels
      Result<ColumnarProgram> program = CompileColumnar(*expr, options);
      ASSERT_TRUE(program.ok()) << text << ": " << program.status();
      ASSERT_FALSE(program->uses_reference()) << text << ": " << program->reference_reasons()[0];
      const Date date = dates[rng() % 5];
      ColumnarResult result;
      const int threads = 1 + static_cast<int>(rng() % 3);
      Status s = EvaluateColumnar(*program, frame, date, &result, threads);
      ASSERT_TRUE(s.ok()) << text << ": " << s;
      const size_t n = unit == Unit::kPerson ? frame.members() : frame.households();
      ASSERT_EQ(result.rows, n);
      for (size_t row = 0; row < n; ++row) {
        const Value want = Evaluate(*expr, frame, unit, row, date);
        if (expr->type().kind == TypeKind::kBool) {
          ASSERT_EQ(result.met(row), want.is_true())
              << text << "\nrow " << row << " on " << date.ToString() << ": reference " << want
              << "\n" << program->DebugString();
        } else {
          const bool ok = want.kind() == Value::Kind::kInt;
          ASSERT_EQ(result.ok(row), ok) << text << "\nrow " << row << " on " << date.ToString()
                                        << ": reference " << want << "\n"
                                        << program->DebugString();
          if (ok) {
            ASSERT_EQ(result.values[row], want.int_value()) << text << "\nrow " << row;
          }
        }
      }
      ++rules;
      rows += n;
    }
  }
  std::printf("differential: %zu rules (%zu generated, %zu refused by the checker) x rows: "
              "%zu row results compared; %zu narrow columns\n",
              rules, generated, rejected, rows, narrow_columns);
  EXPECT_GE(rules, 2000u);
  EXPECT_GE(narrow_columns, 20u);
  EXPECT_GE(rows, 500000u);
}

// Schemes of random clauses and amounts (the fused && of only-true operands, household operands
// broadcast, amounts for the eligible rows only) against clause-by-clause reference decisions.
TEST(ColumnarDifferential, RandomSchemesMatchTheReference) {
  size_t schemes = 0, eligible = 0, narrow_columns = 0;
  for (int f = 0; f < 6; ++f) {
    std::mt19937_64 rng(5000 + static_cast<uint64_t>(f));
    const std::vector<Attr> household = RandomAttrs(rng, "h");
    const std::vector<Attr> member = RandomAttrs(rng, "p");
    const bool narrow = f % 2 == 1;
    TableFrame frame(SchemaOf(household, member), narrow);
    // Half the frames leave the engine to check the member offsets; of the others, half give
    // the engine one-byte member counts to sum instead of the offsets to copy.
    frame.set_says_offsets_ordered(f % 4 < 2);
    frame.set_gives_member_counts(f % 8 < 4);
    const int households = 80 + static_cast<int>(rng() % 120);
    for (int h = 0; h < households; ++h) {
      Row hr;
      for (const Attr& a : household) {
        if (rng() % 5 != 0) hr.emplace_back(a.name, RandomCell(rng, a, narrow));
      }
      std::vector<Row> members(rng() % 9);
      for (Row& mr : members) {
        for (const Attr& a : member) {
          if (rng() % 5 != 0) mr.emplace_back(a.name, RandomCell(rng, a, narrow));
        }
      }
      frame.AddHousehold(hr, members);
    }
    if (narrow) narrow_columns += NarrowColumns(frame);
    WrappedFrame wrapped(frame);
    for (int h = 0; h < households; ++h) wrapped.live_.push_back(rng() % 10 != 0);
    for (int k = 0; k < 120; ++k) {
      const Unit unit = rng() % 3 == 0 ? Unit::kHousehold : Unit::kPerson;
      RuleGenerator gen(&rng, &household, &member, unit);
      std::vector<CheckedExpr> clauses;
      const int n = 1 + static_cast<int>(rng() % 5);
      while (static_cast<int>(clauses.size()) < n) {
        Result<CheckedExpr> c = ParseAndCheck(gen.Bool(3), frame.schema(), unit, Type::Bool());
        if (c.ok()) clauses.push_back(*c);
      }
      // A quarter of the amounts choose between two values by an age, as pensions do (computed
      // in the eligibility's fused pass when the clauses have one: Plan::amount_cuts).
      std::string amount_text = gen.Int(3);
      if (k % 4 == 0) {
        const bool person = unit == Unit::kPerson;
        std::vector<std::string> dates;
        for (const Attr& a : person ? member : household) {
          if (a.kind != AttrKind::kDate) continue;
          dates.push_back((person ? "person." : "household.") + a.name);
        }
        static const char* const kOps[] = {">=", "<", "==", ">"};
        static const int kYears[] = {0, 6, 18, 60, 80, 150, -3};
        amount_text = "age_years(" + dates[rng() % dates.size()] + ") " + kOps[rng() % 4] + " " +
                      std::to_string(kYears[rng() % 7]) + " ? " + gen.Int(1) + " : " + gen.Int(1);
      }
      Result<CheckedExpr> amount = ParseAndCheck(amount_text, frame.schema(), unit, Type::Int());
      std::vector<const CheckedExpr*> ptrs;
      for (const CheckedExpr& c : clauses) ptrs.push_back(&c);
      ColumnarOptions options;
      static const int kBatches[] = {0, 1, 3, 64, 70};
      options.batch_rows = kBatches[rng() % 5];
      options.no_avx2 = k % 2 == 1;
      Result<ColumnarProgram> program =
          CompileColumnarScheme(ptrs, amount.ok() ? &*amount : nullptr, options);
      ASSERT_TRUE(program.ok()) << program.status();
      const Date date = rng() % 2 == 0 ? kToday : D("2013-02-28");
      ColumnarSchemeResult r;
      const Status status =
          EvaluateColumnarScheme(*program, wrapped, date, &r, 1 + static_cast<int>(rng() % 3));
      if (status.code() == StatusCode::kOutOfRange) continue;  // a total past int64 (huge amounts)
      ASSERT_TRUE(status.ok()) << status;
      const size_t rows = unit == Unit::kPerson ? frame.members() : frame.households();
      size_t at = 0;
      int64_t total = 0;
      for (size_t row = 0; row < rows; ++row) {
        const size_t h = unit == Unit::kPerson ? frame.member_household()[row] : row;
        bool want = wrapped.live_[h] != 0;
        for (const CheckedExpr& c : clauses) {
          want = want && Evaluate(c, frame, unit, row, date).is_true();
        }
        std::string text;
        for (const CheckedExpr& c : clauses) text += c.source() + "\n";
        ASSERT_EQ(r.eligible(row), want) << text << "row " << row << "\n" << program->DebugString();
        if (!want) continue;
        ASSERT_LT(at, r.eligible_rows.size());
        ASSERT_EQ(r.eligible_rows[at], row);
        if (amount.ok()) {
          const Value a = Evaluate(*amount, frame, unit, row, date);
          const bool ok = a.kind() == Value::Kind::kInt && a.int_value() >= 0;
          ASSERT_EQ(r.amount_ok[at] != 0, ok) << amount->source() << " row " << row;
          if (ok) {
            ASSERT_EQ(r.amounts[at], a.int_value()) << amount->source() << " row " << row;
            total += a.int_value();
          }
        }
        ++at;
      }
      EXPECT_EQ(r.eligible_rows.size(), at);
      if (amount.ok()) {
        EXPECT_EQ(r.amount_total, total);
      }
      ++schemes;
      eligible += at;
    }
  }
  std::printf("differential: %zu schemes, %zu eligible rows compared; %zu narrow columns\n",
              schemes, eligible, narrow_columns);
  EXPECT_GE(narrow_columns, 10u);
  EXPECT_GE(schemes, 600u);
  EXPECT_GE(eligible, 1000u);
}

// Narrow columns (rules/frame.h ColumnValues) hold values up to the edges of their stored type;
// comparisons with constants at, just past and far past those edges, and age tests whose days
// fall before and after the 179 years a uint16 column spans, must give the wide answers.
// A frame's one-byte member counts (Frame::member_counts) give what its offsets give: household
// sizes from 0 to 20 (the engine sums counts eight at a time, then one at a time), batches that
// cut anywhere; a household of 300 members takes the counts away (they would not fit a byte).
TEST(Columnar, MemberCountsGiveWhatTheOffsetsGive) {
  auto clause = ParseAndCheck("age_years(person.dob) >= 60 && household.income_annual <= "
                              "rupees(48000)",
                              SampleSchema(), Unit::kPerson, Type::Bool());
  auto amount = ParseAndCheck("age_years(person.dob) >= 80 ? rupees(1500) : rupees(1000)",
                              SampleSchema(), Unit::kPerson, Type::Int());
  ASSERT_TRUE(clause.ok() && amount.ok());
  for (bool large : {false, true}) {
    TableFrame frame(SampleSchema());
    std::mt19937_64 rng(77);
    for (int h = 0; h < 400; ++h) {
      const int size = large && h == 201 ? 300 : static_cast<int>(rng() % 21);
      std::vector<Row> members;
      for (int m = 0; m < size; ++m) {
        members.push_back({{"dob", Cell(Date::FromDays(-20000 + static_cast<int>(rng() % 20000)))}});
      }
      frame.AddHousehold({{"income_annual", static_cast<int>(rng() % 9'000'000)}}, members);
    }
    EXPECT_EQ(frame.member_counts().empty(), large);
    for (int batch : {0, 5, 64, 200}) {
      ColumnarOptions options;
      options.batch_rows = batch;
      const std::vector<const CheckedExpr*> clauses = {&*clause};
      auto program = CompileColumnarScheme(clauses, &*amount, options);
      ASSERT_TRUE(program.ok()) << program.status();
      ColumnarSchemeResult with, without;
      frame.set_gives_member_counts(true);
      ASSERT_TRUE(EvaluateColumnarScheme(*program, frame, kToday, &with, 2).ok());
      frame.set_gives_member_counts(false);
      ASSERT_TRUE(EvaluateColumnarScheme(*program, frame, kToday, &without, 2).ok());
      EXPECT_GT(with.eligible_rows.size(), 10u);
      EXPECT_EQ(with.eligible_rows, without.eligible_rows) << batch;
      EXPECT_EQ(with.amounts, without.amounts) << batch;
      EXPECT_EQ(with.amount_total, without.amount_total) << batch;
      EXPECT_EQ(with.eligible_bits, without.eligible_bits) << batch;
      for (size_t i = 0; i < with.eligible_rows.size(); ++i) {  // and the reference agrees
        const size_t row = with.eligible_rows[i];
        EXPECT_TRUE(Evaluate(*clause, frame, Unit::kPerson, row, kToday).is_true()) << row;
        EXPECT_EQ(Evaluate(*amount, frame, Unit::kPerson, row, kToday).int_value(),
                  with.amounts[i]);
      }
    }
  }
}

TEST(Columnar, NarrowColumnsAtTheEdgesOfTheirWidth) {
  const Schema schema = SchemaOf({{"n", AttrKind::kMoney, {}}},
                                 {{"k", AttrKind::kInt, {}}, {"d", AttrKind::kDate, {}}});
  TableFrame wide(schema), narrow(schema, true);
  const int64_t kMin32 = std::numeric_limits<int32_t>::min();
  const int64_t kMax32 = std::numeric_limits<int32_t>::max();
  const int32_t first = D("1900-01-01").days(), last = first + 65535;
  const int64_t ints[] = {kMin32, kMin32 + 1, -1, 0, 1, kMax32 - 1, kMax32};
  const int32_t days[] = {first, first + 1, D("1966-03-01").days(), D("2012-02-29").days(),
                          last - 1, last};
  for (TableFrame* f : {&wide, &narrow}) {
    for (size_t h = 0; h < 70; ++h) {
      std::vector<Row> members;
      for (size_t m = 0; m < h % 4; ++m) {
        Row r;
        if ((h + m) % 9 != 0) r.emplace_back("k", static_cast<long long>(ints[(h + 3 * m) % 7]));
        if ((h + m) % 7 != 0) r.emplace_back("d", Date::FromDays(days[(h * 5 + m) % 6]));
        members.push_back(r);
      }
      Row hr;
      if (h % 11 != 0) hr.emplace_back("n", static_cast<long long>(ints[h % 7]));
      f->AddHousehold(hr, members);
    }
  }
  ASSERT_EQ(NarrowColumns(wide), 0u);
  ASSERT_EQ(NarrowColumns(narrow), 3u);
  const std::string constants[] = {"-9223372036854775808", "-2147483649", "-2147483648",
                                   "-2147483647", "-1", "0", "2147483646", "2147483647",
                                   "2147483648", "9223372036854775807"};
  const char* const ops[] = {"==", "!=", "<", "<=", ">", ">="};
  std::vector<std::string> person_rules, household_rules;
  for (const std::string& c : constants) {
    for (const char* op : ops) {
      person_rules.push_back("person.k " + std::string(op) + " " + c);
      household_rules.push_back("household.n " + std::string(op) + " " + c);
      person_rules.push_back("household.n " + std::string(op) + " " + c + " && person.k " +
                             op + " 0");
    }
  }
  for (const char* date : {"1899-12-31", "1900-01-01", "1900-01-02", "2079-06-05", "2079-06-06",
                           "2079-06-07", "1800-01-01", "9999-12-31"}) {
    for (const char* op : ops) {
      person_rules.push_back("person.d " + std::string(op) + " date('" + date + "')");
    }
  }
  for (int years : {-200, -1, 0, 6, 60, 126, 127, 179, 180, 500}) {
    const std::string y = std::to_string(years);
    person_rules.push_back("age_years(person.d) >= " + y);
    person_rules.push_back("age_years(person.d) < " + y + " && has(person.d)");
    person_rules.push_back("age_years(person.d) == " + y + " ? 1 : 2");
    household_rules.push_back("household.members.exists(m, age_years(m.d) < " + y + ")");
  }
  for (const char* when : {"2026-03-01", "1900-01-01", "2079-06-06", "1800-01-01"}) {
    for (const std::string& text : person_rules) {
      ExpectSame(narrow, Unit::kPerson, text, D(when));
      // And the narrow frame's answers are the wide frame's (same rows, same values).
      Result<CheckedExpr> expr = ParseAndCheck(text, schema, Unit::kPerson);
      ASSERT_TRUE(expr.ok()) << text;
      for (size_t row = 0; row < narrow.members(); ++row) {
        ASSERT_EQ(Evaluate(*expr, narrow, Unit::kPerson, row, D(when)).DebugString(),
                  Evaluate(*expr, wide, Unit::kPerson, row, D(when)).DebugString())
            << text << " row " << row;
      }
    }
    for (const std::string& text : household_rules) {
      ExpectSame(narrow, Unit::kHousehold, text, D(when));
    }
  }
}

}  // namespace
}  // namespace spode::rules
