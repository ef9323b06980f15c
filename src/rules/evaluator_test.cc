#include "rules/evaluator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "rules/testing/sample_schema.h"
#include "rules/testing/table_frame.h"

namespace spode::rules {
namespace {

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
const TableFrame& Frame() {
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
    f->AddHousehold({{"income_annual", 0}});
    return f;
  }();
  return *frame;
}

constexpr size_t kSita = 0, kRamesh = 1, kPriya = 2, kArjun = 3, kMohan = 4;

Value Eval(std::string_view source, Unit unit = Unit::kPerson, size_t row = kSita,
           Date date = kToday, Trace* trace = nullptr) {
  Result<CheckedExpr> checked = ParseAndCheck(source, Frame().schema(), unit);
  if (!checked.ok()) {
    ADD_FAILURE() << source << ": " << checked.status();
    return Value::Null();
  }
  return Evaluate(*checked, Frame(), unit, row, date, trace);
}

Value Err(ErrorKind kind, std::string detail) { return Value::Error(kind, std::move(detail)); }
Value Missing(std::string attribute) { return Err(ErrorKind::kMissing, std::move(attribute)); }

struct Case {
  std::string source;
  Value want;
};

void RunCases(const std::vector<Case>& cases, Unit unit = Unit::kPerson, size_t row = kSita) {
  for (const Case& c : cases) {
    Value got = Eval(c.source, unit, row);
    EXPECT_EQ(got, c.want) << c.source << "\n  got " << got << "\n want " << c.want;
  }
}

const Value kTrue = Value::Bool(true);
const Value kFalse = Value::Bool(false);
Value I(int64_t i) { return Value::Int(i); }
Value F(double d) { return Value::Double(d); }
Value S(std::string s) { return Value::String(std::move(s)); }

TEST(EvaluatorTest, Arithmetic) {
  RunCases({
      {"1 + 2 * 3", I(7)},
      {"(1 + 2) * 3", I(9)},
      {"10 - 2 - 3", I(5)},
      {"7 / 2", I(3)},
      {"-7 / 2", I(-3)},  // truncates toward zero
      {"-7 % 2", I(-1)},  // the sign of the dividend
      {"7 % -2", I(1)},
      {"2 * -3", I(-6)},
      {"-(-5)", I(5)},
      {"7.0 / 2.0", F(3.5)},
      {"1.5 + 2.25", F(3.75)},
      {"0.1 + 0.2 > 0.3", kTrue},  // doubles are IEEE doubles
      {"-2.5", F(-2.5)},
      {"'ab' + \"cd\"", S("abcd")},
      {"household.income_annual / 12", I(750'000)},
      {"household.land_holding_ares % 7", I(1)},
  });
}

TEST(EvaluatorTest, DivisionByZeroAndOverflowAreErrors) {
  RunCases({
      {"1 / 0", Err(ErrorKind::kDivisionByZero, "'/'")},
      {"1 % 0", Err(ErrorKind::kDivisionByZero, "'%'")},
      {"1.0 / 0.0", Err(ErrorKind::kDivisionByZero, "'/'")},
      {"household.income_annual / (household.land_holding_ares - 50)",
       Err(ErrorKind::kDivisionByZero, "'/'")},
      {"9223372036854775807 + 1", Err(ErrorKind::kOverflow, "'+'")},
      {"-9223372036854775808 - 1", Err(ErrorKind::kOverflow, "'-'")},
      {"9223372036854775807 * 2", Err(ErrorKind::kOverflow, "'*'")},
      {"-9223372036854775808 / -1", Err(ErrorKind::kOverflow, "'/'")},
      {"-9223372036854775808 % -1", Err(ErrorKind::kOverflow, "'%'")},
      {"-(-9223372036854775808)", Err(ErrorKind::kOverflow, "'-'")},
      {"-9223372036854775808 + 0", I(INT64_MIN)},
      {"1e308 * 10.0", Err(ErrorKind::kOverflow, "'*'")},
      {"-1e308 - 1e308", Err(ErrorKind::kOverflow, "'-'")},
      // An error flows through the operators around it.
      {"(1 / 0) + 1 > 0", Err(ErrorKind::kDivisionByZero, "'/'")},
      {"string(1 / 0)", Err(ErrorKind::kDivisionByZero, "'/'")},
  });
  Value v = Eval("household.income_annual * 2000000000000");
  ASSERT_TRUE(v.is_error());
  EXPECT_EQ(v.error().Message(), "overflow in '*'");
  EXPECT_EQ(v.error().pos.ToString(), "1:25");
  EXPECT_EQ(Eval("10 / 0").error().Message(), "division by zero in '/'");
}

TEST(EvaluatorTest, Comparisons) {
  RunCases({
      {"1 < 2", kTrue},
      {"2 <= 2", kTrue},
      {"3 > 4", kFalse},
      {"4 >= 4", kTrue},
      {"1 != 2", kTrue},
      {"1 == 1.0", kTrue},  // int and double compare as numbers
      {"1 < 1.5", kTrue},
      {"2 > 1.5", kTrue},
      {"-1 == -1.0", kTrue},
      {"-2 < -1.5", kTrue},
      {"9007199254740993 > 9007199254740992.0", kTrue},  // exact, not via double
      {"9223372036854775807 < 9223372036854775808.0", kTrue},
      {"-9223372036854775808 == -9223372036854775808.0", kTrue},
      {"1.0 != 1", kFalse},
      {"'a' < 'b'", kTrue},
      {"'abc' < 'abd'", kTrue},
      {"'Z' < 'a'", kTrue},  // by code point
      {"'' < 'a'", kTrue},
      {"date('2020-01-01') < date('2020-01-02')", kTrue},
      {"person.dob == date('1960-03-01')", kTrue},
      {"person.dob <= date('1966-03-01')", kTrue},
      {"true == true", kTrue},
      {"true != false", kTrue},
      {"null == null", kTrue},
      {"null != null", kFalse},
      {"household.ration_card == 'BPL'", kTrue},
      {"person.sex != 'F'", kFalse},
      {"household.district == 'Pune'", kTrue},
  });
}

TEST(EvaluatorTest, LogicShortCircuitsAndAbsorbsErrors) {
  const Value div = Err(ErrorKind::kDivisionByZero, "'/'");
  RunCases({
      {"true && false", kFalse},
      {"true && true", kTrue},
      {"false || true", kTrue},
      {"false || false", kFalse},
      {"!true", kFalse},
      // false && error = false and true || error = true, on either side (commutative).
      {"false && 1 / 0 == 1", kFalse},
      {"1 / 0 == 1 && false", kFalse},
      {"true || 1 / 0 == 1", kTrue},
      {"1 / 0 == 1 || true", kTrue},
      // Otherwise the error remains.
      {"true && 1 / 0 == 1", div},
      {"1 / 0 == 1 && true", div},
      {"false || 1 / 0 == 1", div},
      {"1 / 0 == 1 || false", div},
      {"!(1 / 0 == 1)", div},
      {"1 / 0 == 1 && 1 % 0 == 1", div},  // the first error
      {"1 % 0 == 1 || 1 / 0 == 1", Err(ErrorKind::kDivisionByZero, "'%'")},
      // Chains: one false anywhere decides an &&.
      {"1 / 0 == 1 && true && false && 1 % 0 == 1", kFalse},
      {"1 / 0 == 1 || false || true", kTrue},
  });
}

TEST(EvaluatorTest, ConditionalAndIn) {
  RunCases({
      {"true ? 1 : 2", I(1)},
      {"false ? 1 : 2", I(2)},
      {"true ? 1 : 1 / 0", I(1)},  // the branch not taken is not evaluated
      {"false ? 1 / 0 : 2", I(2)},
      {"1 / 0 == 1 ? 1 : 2", Err(ErrorKind::kDivisionByZero, "'/'")},
      {"1 > 2 ? 'a' : 1 > 0 ? 'b' : 'c'", S("b")},
      {"true ? [] : [1]", Value::List({})},
      {"2 in [1, 2, 3]", kTrue},
      {"4 in [1, 2, 3]", kFalse},
      {"1 in []", kFalse},
      {"'BPL' in ['BPL', 'AAY']", kTrue},
      {"household.ration_card in ['BPL', 'AAY']", kTrue},
      {"person.sex in ['M', 'T']", kFalse},
      {"2.0 in [1.0, 2.0]", kTrue},
      {"date('2020-01-01') in [date('2020-01-01')]", kTrue},
      {"false in [true]", kFalse},
      {"1 in [1 / 0]", Err(ErrorKind::kDivisionByZero, "'/'")},
      {"1 / 0 in [1]", Err(ErrorKind::kDivisionByZero, "'/'")},
      {"[1, 2 + 3]", Value::List({I(1), I(5)})},
  });
}

TEST(EvaluatorTest, StringsAndSize) {
  RunCases({
      {"'hello'.startsWith('he')", kTrue},
      {"'hello'.startsWith('lo')", kFalse},
      {"'hello'.endsWith('lo')", kTrue},
      {"'hello'.contains('ell')", kTrue},
      {"'hello'.contains('')", kTrue},
      {"''.contains('a')", kFalse},
      {"person.name.startsWith('Sita')", kTrue},
      {"person.phone.startsWith('98')", kTrue},
      {"household.district.endsWith('ne')", kTrue},
      {"household.district.contains('un')", kTrue},
      {"size('आयु')", I(3)},  // code points, not bytes
      {"'abc'.size()", I(3)},
      {"size('')", I(0)},
      {"size([1, 2, 3])", I(3)},
      {"[].size()", I(0)},
      {"person.name.size()", I(9)},
  });
}

TEST(EvaluatorTest, Conversions) {
  RunCases({
      {"int(3.9)", I(3)},
      {"int(-3.9)", I(-3)},  // toward zero
      {"int('42')", I(42)},
      {"int('-42')", I(-42)},
      {"int('+42')", I(42)},
      {"int(7)", I(7)},
      {"int('4x')", Err(ErrorKind::kInvalidArgument, "int(\"4x\"): not an integer")},
      {"int('')", Err(ErrorKind::kInvalidArgument, "int(\"\"): not an integer")},
      {"int(' 1')", Err(ErrorKind::kInvalidArgument, "int(\" 1\"): not an integer")},
      {"int('99999999999999999999')", Err(ErrorKind::kOverflow, "int(\"99999999999999999999\")")},
      {"int(1e19)", Err(ErrorKind::kOverflow, "int(1e+19)")},
      {"int(9223372036854775807.0)", Err(ErrorKind::kOverflow, "int(9223372036854775808)")},
      {"int(-9223372036854775808.0)", I(INT64_MIN)},
      {"double(3)", F(3)},
      {"double('2.5')", F(2.5)},
      {"double('-1e3')", F(-1000)},
      {"double(2.5)", F(2.5)},
      {"double('abc')", Err(ErrorKind::kInvalidArgument, "double(\"abc\"): not a finite number")},
      {"double('inf')", Err(ErrorKind::kInvalidArgument, "double(\"inf\"): not a finite number")},
      {"double('1e999')", Err(ErrorKind::kOverflow, "double(\"1e999\")")},
      {"string(42)", S("42")},
      {"string(-7)", S("-7")},
      {"string(2.5)", S("2.5")},
      {"string(2.0)", S("2")},
      {"string(1e20)", S("1e+20")},
      {"string(true)", S("true")},
      {"string(person.dob)", S("1960-03-01")},
      {"string(person.sex)", S("F")},
      {"string(household.land_holding_ares) + ' ares'", S("50 ares")},
  });
}

TEST(EvaluatorTest, Rupees) {
  RunCases({
      {"rupees(1500)", I(150'000)},
      {"rupees(1500.50)", I(150'050)},
      {"rupees(0.29)", I(29)},
      {"rupees(household.land_holding_ares)", I(5'000)},
      {"rupees(double(household.land_holding_ares) / 3.0)", I(1'667)},  // rounded to the paisa
      {"rupees(0.125 + 0.0)", I(13)},                                   // half away from zero
      {"rupees(household.income_annual * 1000000000000)",
       Err(ErrorKind::kOverflow, "rupees(9000000000000000000)")},
      {"rupees(1e300 * 1.0)", Err(ErrorKind::kOverflow, "rupees(1e+300)")},
      {"household.income_annual <= rupees(120000)", kTrue},
  });
}

TEST(EvaluatorTest, AgesCountCompletedYearsToTheEvaluationDate) {
  struct AgeCase {
    const char* date;
    const char* eval;
    int64_t age;
  } cases[] = {
      {"1960-03-01", "2020-02-29", 59},
      {"1960-03-01", "2020-03-01", 60},  // the 60th birthday
      {"1960-03-02", "2020-03-01", 59},
      {"2012-02-29", "2013-02-28", 0},  // born on a leap day: a year older on 1 March
      {"2012-02-29", "2013-03-01", 1},
      {"2012-02-29", "2016-02-28", 3},
      {"2012-02-29", "2016-02-29", 4},
      {"2000-01-01", "2000-01-01", 0},
      {"1999-12-31", "2000-01-01", 0},
      {"1800-01-01", "9999-12-31", 8199},
  };
  for (const AgeCase& c : cases) {
    std::string date = std::string("date('") + c.date + "')";
    EXPECT_EQ(Eval("age_years(" + date + ")", Unit::kPerson, kSita, D(c.eval)), I(c.age))
        << c.date << " at " << c.eval;
    EXPECT_EQ(Eval("years_since(" + date + ")", Unit::kPerson, kSita, D(c.eval)), I(c.age))
        << c.date << " at " << c.eval;
  }
  // The same rule, replayed on other days.
  EXPECT_EQ(Eval("age_years(person.dob) >= 66", Unit::kPerson, kSita, D("2026-02-28")), kFalse);
  EXPECT_EQ(Eval("age_years(person.dob) >= 66", Unit::kPerson, kSita, D("2026-03-01")), kTrue);
  EXPECT_EQ(Eval("age_years(person.dob)", Unit::kPerson, kPriya, D("2026-02-28")), I(13));
  EXPECT_EQ(Eval("age_years(person.dob)", Unit::kPerson, kPriya, D("2026-03-01")), I(14));
  EXPECT_EQ(Eval("years_since(person.widowed_on)"), I(10));
  // A date after the evaluation date: years_since counts back, age_years is an error.
  EXPECT_EQ(Eval("years_since(date('2030-01-01'))"), I(-3));
  EXPECT_EQ(Eval("age_years(date('2030-01-01'))"),
            Err(ErrorKind::kInvalidArgument,
                "age_years(): 2030-01-01 is after the evaluation date 2026-03-01"));
  // An evaluation date outside 1800..9999.
  EXPECT_EQ(Eval("age_years(person.dob)", Unit::kPerson, kSita, Date::FromDays(kMaxDateDays + 1)),
            Err(ErrorKind::kInvalidArgument, "age_years(): a date outside 1800-01-01..9999-12-31"));
}

TEST(EvaluatorTest, AttributesAndMissingValues) {
  RunCases({
      {"person.name", S("Sita Devi")},
      {"person.sex", S("F")},
      {"person.dob", Value::FromDate(D("1960-03-01"))},
      {"person.disability_percent", I(0)},
      {"person.school_enrolled", kFalse},
      {"household.income_annual", I(9'000'000)},
      {"household.has_lpg_connection", kFalse},
      {"household.caste_category", S("SC")},
      {"has(person.dob)", kTrue},
      {"has(household.income_annual)", kTrue},
  });
  RunCases(
      {
          {"person.dob < date('2000-01-01')", Missing("person.dob")},
          {"age_years(person.dob) >= 60", Missing("person.dob")},
          {"household.income_annual <= rupees(120000)", Missing("household.income_annual")},
          {"has(person.dob)", kFalse},
          {"has(person.sex)", kTrue},
          {"has(household.income_annual)", kFalse},
          {"has(household.district)", kTrue},
          // Missing values are absorbed like any error...
          {"!has(person.dob) || age_years(person.dob) >= 60", kTrue},
          {"has(person.dob) && age_years(person.dob) >= 60", kFalse},
          {"age_years(person.dob) >= 60 && person.sex == 'F'", kFalse},
          {"age_years(person.dob) >= 60 || person.is_government_pensioner", kTrue},
          // ...and otherwise propagate: a comparison with a missing value is not false.
          {"!(age_years(person.dob) >= 60)", Missing("person.dob")},
          {"age_years(person.dob) >= 60 && household.income_annual < 5", Missing("person.dob")},
          {"household.income_annual < 5 && age_years(person.dob) >= 60",
           Missing("household.income_annual")},
          {"has(household.income_annual) ? household.income_annual : 0", I(0)},
          {"person.disability_percent", Missing("person.disability_percent")},
      },
      Unit::kPerson, kMohan);
  Value v = Eval("age_years(person.dob) >= 60", Unit::kPerson, kMohan);
  ASSERT_TRUE(v.is_error());
  const EvalError& e = v.error();
  EXPECT_EQ(e.Message(), "person.dob is missing");
  EXPECT_EQ(e.entity, Entity::kMember);
  EXPECT_EQ(e.attribute, "dob");
  EXPECT_EQ(e.row, kMohan);
  EXPECT_EQ(e.pos.ToString(), "1:18");
  EXPECT_FALSE(v.is_true());
}

TEST(EvaluatorTest, MacrosOverMembers) {
  RunCases(
      {
          {"household.members.exists(m, age_years(m.dob) < 6)", kTrue},
          {"household.members.exists(m, age_years(m.dob) > 100)", kFalse},
          {"household.members.all(m, m.sex == 'F')", kFalse},
          {"household.members.all(m, has(m.dob))", kTrue},
          {"household.members.exists_one(m, m.relationship == 'head')", kTrue},
          {"household.members.exists_one(m, m.sex == 'F')", kFalse},
          {"household.members.filter(m, m.sex == 'F').size()", I(2)},
          {"size(household.members.filter(m, age_years(m.dob) < 18))", I(2)},
          {"size(household.members)", I(4)},
          {"household.members.size()", I(4)},
          {"household.members.filter(m, m.sex == 'M').exists(m, age_years(m.dob) < 6)", kTrue},
          {"household.members.filter(m, m.sex == 'M').all(x, x.sex == 'M')", kTrue},
          {"household.members.filter(m, m.sex == 'M').filter(m, m.disability_percent > 40).size()",
           Missing("m.disability_percent")},  // Arjun's is missing
          {"household.members.filter(m, m.sex == 'M')"
           ".filter(m, has(m.disability_percent) && m.disability_percent > 40).size()",
           I(1)},
          {"household.members.exists(m, m.disability_percent >= 40) && "
           "household.income_annual <= rupees(100000)",
           kTrue},
          // Arjun's school_enrolled is missing. exists and all absorb an error when another
          // member decides the answer...
          {"household.members.exists(m, m.school_enrolled)", kTrue},
          {"household.members.all(m, m.school_enrolled)", kFalse},
          // ...and otherwise give it; exists_one and filter always give it.
          {"household.members.exists(m, m.school_enrolled && age_years(m.dob) < 6)",
           Missing("m.school_enrolled")},
          {"household.members.all(m, age_years(m.dob) < 18 ? m.school_enrolled : true)",
           Missing("m.school_enrolled")},
          {"household.members.exists_one(m, m.school_enrolled)", Missing("m.school_enrolled")},
          {"household.members.filter(m, m.school_enrolled).size()", Missing("m.school_enrolled")},
          {"household.members.filter(m, has(m.school_enrolled) && m.school_enrolled).size()", I(1)},
          {"household.members.exists(m, 1 / m.disability_percent == 0)", kTrue},
          {"household.members.all(m, 1 / m.disability_percent == 0)",
           Err(ErrorKind::kDivisionByZero, "'/'")},
      },
      Unit::kHousehold, 0);
  // A household without members.
  RunCases(
      {
          {"household.members.exists(m, true)", kFalse},
          {"household.members.all(m, false)", kTrue},
          {"household.members.exists_one(m, true)", kFalse},
          {"household.members.filter(m, true).size()", I(0)},
          {"size(household.members)", I(0)},
      },
      Unit::kHousehold, 2);
  // In a person rule a predicate may compare each member with the person.
  const char* older_woman = "household.members.exists(m, m.dob < person.dob && m.sex == 'F')";
  EXPECT_EQ(Eval(older_woman, Unit::kPerson, kPriya), kTrue);
  EXPECT_EQ(Eval(older_woman, Unit::kPerson, kSita), kFalse);
  EXPECT_EQ(Eval("household.members.exists_one(m, m.dob == person.dob)", Unit::kPerson, kArjun),
            kTrue);
}

TEST(EvaluatorTest, UnitsAndRows) {
  // A household rule evaluated for a person reads the person's household.
  EXPECT_EQ(Eval("household.income_annual", Unit::kPerson, kRamesh), I(9'000'000));
  EXPECT_EQ(Eval("size(household.members)", Unit::kPerson, kMohan), I(1));
  Result<CheckedExpr> household_rule =
      ParseAndCheck("household.residence == 'urban'", SampleSchema(), Unit::kHousehold);
  ASSERT_TRUE(household_rule.ok());
  EXPECT_EQ(Evaluate(*household_rule, Frame(), Unit::kPerson, kMohan, kToday), kTrue);
  EXPECT_EQ(Evaluate(*household_rule, Frame(), Unit::kHousehold, 0, kToday), kFalse);
  // A person rule cannot be evaluated for a household; rows out of range are reported.
  Result<CheckedExpr> person_rule =
      ParseAndCheck("person.sex == 'F'", SampleSchema(), Unit::kPerson);
  ASSERT_TRUE(person_rule.ok());
  EXPECT_EQ(Evaluate(*person_rule, Frame(), Unit::kHousehold, 0, kToday),
            Err(ErrorKind::kBadInput, "a person rule cannot be evaluated for a household"));
  EXPECT_EQ(Evaluate(*person_rule, Frame(), Unit::kPerson, 5, kToday),
            Err(ErrorKind::kBadInput, "member row 5 is out of range"));
  EXPECT_EQ(Evaluate(*household_rule, Frame(), Unit::kHousehold, 3, kToday),
            Err(ErrorKind::kBadInput, "household row 3 is out of range"));
  EXPECT_EQ(Evaluate(CheckedExpr(), Frame(), Unit::kHousehold, 0, kToday),
            Err(ErrorKind::kBadInput, "an empty rule"));
  EXPECT_EQ(CheckedExpr().type(), Type::Null());
}

TEST(EvaluatorTest, FrameWithoutAColumnReadsItAsMissing) {
  Schema without_phone = SampleSchema();
  std::erase_if(without_phone.attributes,
                [](const AttributeSchema& a) { return a.name == "phone"; });
  TableFrame frame(without_phone);
  frame.AddHousehold({}, {{{"name", "Asha"}}});
  Result<CheckedExpr> rule =
      ParseAndCheck("person.phone.startsWith('9')", SampleSchema(), Unit::kPerson);
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ(Evaluate(*rule, frame, Unit::kPerson, 0, kToday), Missing("person.phone"));
}

// A frame that breaks its own contract, to show the evaluator stays total.
class BrokenFrame final : public rules::Frame {
 public:
  BrokenFrame() {
    schema_ = SampleSchema();
    column_.kind = AttrKind::kEnum;  // codes out of the dictionary
    column_.codes = codes_;
    column_.dictionary = &dictionary_;
    short_.kind = AttrKind::kString;  // one offset: too short
    short_.offsets = offsets_;
    wrong_.kind = AttrKind::kInt;  // the schema says date
    wrong_.ints = ints_;
  }
  const Schema& schema() const override { return schema_; }
  size_t households() const override { return 2; }
  size_t members() const override { return 2; }
  std::span<const uint32_t> member_offsets() const override { return member_offsets_; }
  std::span<const uint32_t> member_household() const override { return member_household_; }
  const Column* column(Entity, std::string_view name) const override {
    if (name == "sex") return &column_;
    if (name == "name") return &short_;
    if (name == "dob") return &wrong_;
    return nullptr;
  }

 private:
  Schema schema_;
  Column column_, short_, wrong_;
  std::vector<std::string> dictionary_ = {"F"};
  std::vector<uint8_t> codes_ = {7, 7};
  std::vector<uint32_t> offsets_ = {0};
  std::vector<int64_t> ints_ = {1, 2};
  std::vector<uint32_t> member_offsets_ = {0, 5, 2};  // past the members
  std::vector<uint32_t> member_household_ = {0, 9};   // household 9 does not exist
};

TEST(EvaluatorTest, BrokenFramesGiveBadInputNotCrashes) {
  BrokenFrame frame;
  auto eval = [&](std::string_view source, Unit unit, size_t row) {
    Result<CheckedExpr> rule = ParseAndCheck(source, SampleSchema(), unit);
    EXPECT_TRUE(rule.ok()) << rule.status();
    return rule.ok() ? Evaluate(*rule, frame, unit, row, kToday) : Value();
  };
  EXPECT_EQ(
      eval("person.sex == 'F'", Unit::kPerson, 0),
      Err(ErrorKind::kBadInput, "the frame's column person.sex has a code outside its dictionary"));
  EXPECT_EQ(eval("person.name == ''", Unit::kPerson, 0),
            Err(ErrorKind::kBadInput, "the frame's column person.name is too short"));
  EXPECT_EQ(
      eval("person.dob == date('2000-01-01')", Unit::kPerson, 0),
      Err(ErrorKind::kBadInput, "the frame's column person.dob is int; the rule expects date"));
  EXPECT_EQ(eval("person.sex == 'F'", Unit::kPerson, 1),
            Err(ErrorKind::kBadInput, "member row 1 has no household"));
  EXPECT_EQ(eval("household.members.exists(m, true)", Unit::kHousehold, 0),
            Err(ErrorKind::kBadInput, "the frame's member offsets are out of range"));
  EXPECT_EQ(eval("household.members.exists(m, true)", Unit::kHousehold, 1),
            Err(ErrorKind::kBadInput, "the frame's member offsets are out of range"));
}

TEST(EvaluatorTest, TraceRecordsTheValuesRead) {
  const char* pension =
      "age_years(person.dob) >= 60 && household.income_annual <= rupees(120000) && "
      "!person.is_government_pensioner";
  Trace trace;
  EXPECT_EQ(Eval(pension, Unit::kPerson, kSita, kToday, &trace), kTrue);
  EXPECT_THAT(trace.reads(), ::testing::ElementsAre(
                                 AttributeRead{Entity::kMember, "dob", kSita, "person.dob",
                                               Value::FromDate(D("1960-03-01"))},
                                 AttributeRead{Entity::kHousehold, "income_annual", 0,
                                               "household.income_annual", I(9'000'000)},
                                 AttributeRead{Entity::kMember, "is_government_pensioner", kSita,
                                               "person.is_government_pensioner", kFalse}));
  // Mohan: his date of birth is missing (recorded as such); the income is missing too; the
  // pension flag decides: not eligible.
  trace.Clear();
  EXPECT_EQ(Eval(pension, Unit::kPerson, kMohan, kToday, &trace), kFalse);
  ASSERT_EQ(trace.reads().size(), 3u);
  EXPECT_EQ(trace.reads()[0].value, Missing("person.dob"));
  EXPECT_EQ(trace.reads()[1].value, Missing("household.income_annual"));
  EXPECT_EQ(trace.reads()[2].value, kTrue);
  // Each (attribute, row) once; a short-circuited side is not read.
  trace.Clear();
  Eval("person.sex == 'F' || person.sex == 'T' || person.dob < date('2000-01-01')", Unit::kPerson,
       kSita, kToday, &trace);
  ASSERT_EQ(trace.reads().size(), 1u);
  EXPECT_EQ(trace.reads()[0].label, "person.sex");
  // Macros record each member read.
  trace.Clear();
  Eval("household.members.exists(m, age_years(m.dob) < 6)", Unit::kHousehold, 0, kToday, &trace);
  ASSERT_EQ(trace.reads().size(), 4u);
  EXPECT_EQ(trace.reads()[3].row, kArjun);
  EXPECT_EQ(trace.reads()[3].label, "m.dob");
  EXPECT_EQ(trace.reads()[3].entity, Entity::kMember);
}

// The worked examples of docs/rules.md.
TEST(EvaluatorTest, WorkedExamples) {
  const char* old_age_pension =
      "age_years(person.dob) >= 60 && household.income_annual <= rupees(120000) && "
      "!person.is_government_pensioner";
  EXPECT_EQ(Eval(old_age_pension, Unit::kPerson, kSita), kTrue);
  EXPECT_EQ(Eval(old_age_pension, Unit::kPerson, kRamesh), kFalse);
  EXPECT_EQ(Eval(old_age_pension, Unit::kPerson, kMohan), kFalse);
  const char* pension_amount = "age_years(person.dob) >= 80 ? rupees(1500) : rupees(1000)";
  EXPECT_EQ(Eval(pension_amount, Unit::kPerson, kSita), I(100'000));
  EXPECT_EQ(Eval(pension_amount, Unit::kPerson, kMohan), Missing("person.dob"));
  const char* widow_pension =
      "person.sex == 'F' && person.marital_status == 'widowed' && age_years(person.dob) >= 18 && "
      "household.income_annual <= rupees(100000)";
  EXPECT_EQ(Eval(widow_pension, Unit::kPerson, kSita), kTrue);
  EXPECT_EQ(Eval(widow_pension, Unit::kPerson, kPriya), kFalse);
  const char* disability_pension = "person.disability_percent >= 40";
  EXPECT_EQ(Eval(disability_pension, Unit::kPerson, kRamesh), kTrue);
  EXPECT_EQ(Eval(disability_pension, Unit::kPerson, kArjun), Missing("person.disability_percent"));
  const char* girl_scholarship =
      "person.sex == 'F' && age_years(person.dob) >= 6 && age_years(person.dob) <= 18 && "
      "person.school_enrolled && household.income_annual <= rupees(250000)";
  EXPECT_EQ(Eval(girl_scholarship, Unit::kPerson, kPriya), kTrue);
  EXPECT_EQ(Eval(girl_scholarship, Unit::kPerson, kSita), kFalse);
  const char* lpg_connection =
      "!household.has_lpg_connection && household.ration_card in ['BPL', 'AAY'] && "
      "household.members.exists(m, m.sex == 'F' && age_years(m.dob) >= 18)";
  EXPECT_EQ(Eval(lpg_connection, Unit::kHousehold, 0), kTrue);
  EXPECT_EQ(Eval(lpg_connection, Unit::kHousehold, 1), kFalse);
  const char* young_children =
      "household.members.exists(m, age_years(m.dob) < 6) && household.income_annual < "
      "rupees(100000)";
  EXPECT_EQ(Eval(young_children, Unit::kHousehold, 0), kTrue);
}

TEST(EvaluatorTest, TraceDoesNotChangeTheResult) {
  const char* rules[] = {
      "household.members.all(m, age_years(m.dob) < 18 ? m.school_enrolled : true)",
      "household.members.filter(m, m.sex == 'M').size() * 2",
      "has(household.income_annual) && household.income_annual > 0",
  };
  for (const char* rule : rules) {
    for (size_t h = 0; h < Frame().households(); ++h) {
      Trace trace;
      EXPECT_EQ(Eval(rule, Unit::kHousehold, h, kToday, &trace), Eval(rule, Unit::kHousehold, h))
          << rule;
    }
  }
}

TEST(ValueTest, DebugStrings) {
  EXPECT_EQ(Value().DebugString(), "null");
  EXPECT_EQ(kTrue.DebugString(), "true");
  EXPECT_EQ(I(-42).DebugString(), "-42");
  EXPECT_EQ(F(2).DebugString(), "2.0");
  EXPECT_EQ(F(0.1).DebugString(), "0.1");
  EXPECT_EQ(F(1e20).DebugString(), "1e+20");
  EXPECT_EQ(S("say \"hi\"\n").DebugString(), "\"say \\\"hi\\\"\\n\"");
  EXPECT_EQ(Value::FromDate(D("2024-02-29")).DebugString(), "date(\"2024-02-29\")");
  EXPECT_EQ(Value::FromDate(Date::FromDays(kMaxDateDays + 1)).DebugString(), "date(2932897 days)");
  EXPECT_EQ(Value::List({I(1), S("a")}).DebugString(), "[1, \"a\"]");
  EXPECT_EQ(Missing("person.dob").DebugString(), "error(missing: person.dob)");
  EXPECT_EQ(D("1800-01-01").days(), kMinDateDays);
  EXPECT_EQ(D("9999-12-31").days(), kMaxDateDays);
}

TEST(TableFrameTest, LayoutAndValidity) {
  const TableFrame& f = Frame();
  EXPECT_EQ(f.households(), 3u);
  EXPECT_EQ(f.members(), 5u);
  EXPECT_THAT(f.member_offsets(), ::testing::ElementsAre(0u, 4u, 5u, 5u));
  EXPECT_THAT(f.member_household(), ::testing::ElementsAre(0u, 0u, 0u, 0u, 1u));
  EXPECT_EQ(f.member_row(1, 0), kMohan);
  const Column* sex = f.column(Entity::kMember, "sex");
  ASSERT_NE(sex, nullptr);
  EXPECT_TRUE(sex->valid.empty());  // no missing value: no validity vector
  const Column* dob = f.column(Entity::kMember, "dob");
  ASSERT_NE(dob, nullptr);
  EXPECT_FALSE(dob->present(kMohan));
  EXPECT_TRUE(dob->present(kSita));
  EXPECT_EQ(f.column(Entity::kHousehold, "dob"), nullptr);
  const Column* name = f.column(Entity::kMember, "name");
  EXPECT_EQ(name->string_at(kPriya), "Priya");
}

}  // namespace
}  // namespace spode::rules
