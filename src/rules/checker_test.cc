#include "rules/checker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rules/testing/sample_schema.h"

namespace spode::rules {
namespace {

using testing::SampleSchema;

CheckedExpr MustCheck(std::string_view source, Unit unit = Unit::kPerson) {
  Result<CheckedExpr> checked = ParseAndCheck(source, SampleSchema(), unit);
  EXPECT_TRUE(checked.ok()) << source << ": " << checked.status();
  return checked.ok() ? *std::move(checked) : CheckedExpr();
}

TEST(CheckerTest, OldAgePensionRule) {
  CheckedExpr e = MustCheck(
      "age_years(person.dob) >= 60 && household.income_annual <= rupees(120000) && "
      "!person.is_government_pensioner");
  EXPECT_EQ(e.DebugString(),
            "(&& (&& (>= (age_years person.dob) 60) (<= household.income_annual 12000000)) "
            "(! person.is_government_pensioner))");  // balanced as CEL does
  EXPECT_EQ(e.type(), Type::Bool());
  EXPECT_EQ(e.unit(), Unit::kPerson);
  ASSERT_EQ(e.attributes().size(), 3u);
  EXPECT_EQ(e.attributes()[0].name, "dob");
  EXPECT_EQ(e.attributes()[0].entity, Entity::kMember);
  EXPECT_EQ(e.attributes()[1].name, "income_annual");
  EXPECT_EQ(e.attributes()[1].kind, AttrKind::kMoney);
  EXPECT_EQ(e.attributes()[2].name, "is_government_pensioner");
  EXPECT_EQ(e.node(e.root()).varies, Varies::kPerson);
}

TEST(CheckerTest, NodesArePostOrderWithResolvedAttributes) {
  CheckedExpr e =
      MustCheck("household.members.exists(m, age_years(m.dob) < 6) && person.sex == 'F'");
  for (NodeId id = 0; id < static_cast<NodeId>(e.nodes().size()); ++id) {
    for (NodeId c : e.node(id).children) EXPECT_LT(c, id);
  }
  const Node& root = e.node(e.root());
  EXPECT_EQ(root.kind, NodeKind::kAnd);
  const Node& macro = e.node(root.children[0]);
  EXPECT_EQ(macro.kind, NodeKind::kMacro);
  EXPECT_EQ(macro.macro, Macro::kExists);
  EXPECT_EQ(macro.variable, "m");
  EXPECT_EQ(macro.varies, Varies::kHousehold);
  EXPECT_EQ(e.node(macro.children[0]).kind, NodeKind::kMembers);
  const Node& predicate = e.node(macro.children[1]);
  EXPECT_EQ(predicate.kind, NodeKind::kCompare);
  EXPECT_EQ(predicate.op, Op::kLt);
  EXPECT_EQ(predicate.varies, Varies::kMember);
  const Node& age = e.node(predicate.children[0]);
  EXPECT_EQ(age.function, Function::kAgeYears);
  const Node& dob = e.node(age.children[0]);
  EXPECT_EQ(dob.kind, NodeKind::kAttribute);
  EXPECT_EQ(dob.scope, Scope::kMember);
  EXPECT_EQ(dob.type, Type::Date());
  EXPECT_EQ(e.attributes()[static_cast<size_t>(dob.attribute)].name, "dob");
  const Node& six = e.node(predicate.children[1]);
  EXPECT_EQ(six.kind, NodeKind::kConstant);
  EXPECT_EQ(six.constant, Value::Int(6));
  EXPECT_EQ(six.varies, Varies::kConstant);
  const Node& sex = e.node(e.node(root.children[1]).children[0]);
  EXPECT_EQ(sex.scope, Scope::kPerson);
  EXPECT_EQ(sex.type, Type::String());
}

TEST(CheckerTest, Varies) {
  struct Case {
    const char* source;
    Varies varies;
  } cases[] = {
      {"1 + 2", Varies::kConstant},
      {"household.income_annual < 5", Varies::kHousehold},
      {"person.disability_percent >= 40", Varies::kPerson},
      {"household.members.size() > 2", Varies::kHousehold},
      {"household.members.exists(m, m.dob < person.dob)", Varies::kPerson},
      {"household.members.filter(m, m.sex == 'F').exists(m, true)", Varies::kHousehold},
  };
  for (const Case& c : cases)
    EXPECT_EQ(MustCheck(c.source).node(MustCheck(c.source).root()).varies, c.varies) << c.source;
}

TEST(CheckerTest, FoldedConstantsAndShapes) {
  struct Case {
    const char* source;
    const char* tree;
    Type type;
  } cases[] = {
      {"rupees(1500)", "150000", Type::Int()},
      {"rupees(1500.50)", "150050", Type::Int()},
      {"rupees(1500.5)", "150050", Type::Int()},
      {"rupees(0.05)", "5", Type::Int()},
      {"rupees(-0.5)", "-50", Type::Int()},
      {"rupees(1.5e3)", "150000", Type::Int()},
      {"rupees(92233720368547758)", "9223372036854775800", Type::Int()},
      {"rupees(household.land_holding_ares)", "(rupees household.land_holding_ares)", Type::Int()},
      {"rupees(2.5 * 2.0)", "(rupees (* 2.5 2.0))", Type::Int()},
      {"date(\"2020-02-29\")", "date(\"2020-02-29\")", Type::Date()},
      {"person.dob < date('2000-01-01')", "(< person.dob date(\"2000-01-01\"))", Type::Bool()},
      {"-9223372036854775808", "-9223372036854775808", Type::Int()},
      {"1 == 1.0", "(== 1 1.0)", Type::Bool()},
      {"[1, 2]", "[1, 2]", Type::ListOf(TypeKind::kInt)},
      {"[]", "[]", Type::ListOf(TypeKind::kNull)},
      {"true ? [] : ['a']", "(? true [] [\"a\"])", Type::ListOf(TypeKind::kString)},
      {"null", "null", Type::Null()},
      {"null == null", "(== null null)", Type::Bool()},
      {"has(person.dob)", "(has person.dob)", Type::Bool()},
      {"size(household.members)", "(size household.members)", Type::Int()},
      {"household.members.size()", "(size household.members)", Type::Int()},
      {"person.name.size()", "(size person.name)", Type::Int()},
      {"household.members.filter(x, x.school_enrolled).size()",
       "(size (filter x household.members x.school_enrolled))", Type::Int()},
      {"person.name.startsWith('S')", "(startsWith person.name \"S\")", Type::Bool()},
      {"string(person.dob)", "(string person.dob)", Type::String()},
      {"int('42') + int(2.5)", "(+ (int \"42\") (int 2.5))", Type::Int()},
      {"double(household.income_annual) / 100.0", "(/ (double household.income_annual) 100.0)",
       Type::Double()},
      {"person.sex in ['F', 'T']", "(in person.sex [\"F\", \"T\"])", Type::Bool()},
      {"household.ration_card == 'BPL'", "(== household.ration_card \"BPL\")", Type::Bool()},
      {"'AAY' == household.ration_card", "(== \"AAY\" household.ration_card)", Type::Bool()},
      {"person.sex == household.district", "(== person.sex household.district)", Type::Bool()},
      {"age_years(person.dob) >= 80 ? rupees(1500) : rupees(1000)",
       "(? (>= (age_years person.dob) 80) 150000 100000)", Type::Int()},
  };
  for (const Case& c : cases) {
    CheckedExpr e = MustCheck(c.source);
    EXPECT_EQ(e.DebugString(), c.tree) << c.source;
    EXPECT_EQ(e.type(), c.type) << c.source << ": " << e.type().ToString();
  }
}

TEST(CheckerTest, HouseholdUnit) {
  CheckedExpr e = MustCheck(
      "household.members.exists(m, age_years(m.dob) < 6) && household.income_annual < "
      "rupees(100000)",
      Unit::kHousehold);
  EXPECT_EQ(e.unit(), Unit::kHousehold);
  EXPECT_EQ(e.node(e.root()).varies, Varies::kHousehold);
}

TEST(CheckerTest, WantedType) {
  const Schema schema = SampleSchema();
  EXPECT_TRUE(ParseAndCheck("person.sex == 'F'", schema, Unit::kPerson, Type::Bool()).ok());
  EXPECT_TRUE(ParseAndCheck("rupees(500)", schema, Unit::kPerson, Type::Int()).ok());
  Result<CheckedExpr> amount = ParseAndCheck("rupees(500)", schema, Unit::kPerson, Type::Bool());
  EXPECT_EQ(amount.status().message(), "1:1: the rule is an int; expected a bool (a condition)");
  Result<CheckedExpr> clause = ParseAndCheck("person.sex", schema, Unit::kPerson, Type::Int());
  EXPECT_EQ(clause.status().message(),
            "1:1: the rule is a string; expected an int (an amount in paise)");
}

TEST(CheckerTest, Errors) {
  struct Case {
    std::string source;
    std::string message;
    Unit unit = Unit::kPerson;
  } cases[] = {
      // Names and attributes.
      {"household.incom > 5",
       "1:11: unknown attribute 'incom' of household; did you mean 'income_annual'?"},
      {"age_years(person.do) > 5", "1:18: unknown attribute 'do' of person; did you mean 'dob'?"},
      {"person.disabilty_percent > 40",
       "1:8: unknown attribute 'disabilty_percent' of person; did you mean 'disability_percent'?"},
      {"person.income_annual > 0",
       "1:8: unknown attribute 'income_annual' of person; 'income_annual' belongs to the "
       "household: household.income_annual"},
      {"household.dob < date('2000-01-01')",
       "1:11: unknown attribute 'dob' of household; 'dob' belongs to each member: person.dob, or "
       "m.dob inside household.members.exists(m, ...)"},
      {"household.zzz", "1:11: unknown attribute 'zzz' of household"},
      {"persn.dob",
       "1:1: unknown name 'persn'; expected person, household; did you mean 'person'?"},
      {"m.dob", "1:1: unknown name 'm'; expected person, household"},
      {"person",
       "1:1: 'person' is a member of the household; name one of its attributes, e.g. person.name"},
      {"household", "1:1: 'household' needs an attribute, e.g. household.income_annual"},
      {"person.dob.year",
       "1:12: unexpected field 'year': a date has no fields (fields belong to person, household "
       "or a macro variable)"},
      {"person.dob > date('2000-01-01')",
       "1:1: 'person' is not available in a household rule; "
       "look at the members with household.members.exists(m, ...)",
       Unit::kHousehold},
      {"has(person.dob)",
       "1:5: 'person' is not available in a household rule; look at the "
       "members with household.members.exists(m, ...)",
       Unit::kHousehold},
      // Enums.
      {"person.sex == \"X\"", "1:15: 'X' is not a value of person.sex; expected one of F, M, T"},
      {"'female' != person.sex",
       "1:1: 'female' is not a value of person.sex; expected one of F, M, T"},
      {"person.sex == 'm'",
       "1:15: 'm' is not a value of person.sex; expected one of F, M, T (did you mean 'M'?)"},
      {"person.marital_status == 'widow'",
       "1:26: 'widow' is not a value of person.marital_status; expected one of never_married, "
       "married, widowed, divorced, separated (did you mean 'widowed'?)"},
      {"household.ration_card in ['BPL', 'AYY']",
       "1:34: 'AYY' is not a value of household.ration_card; expected one of none, APL, BPL, AAY "
       "(did you mean 'AAY'?)"},
      {"household.members.exists(m, m.sex == 'f')",
       "1:38: 'f' is not a value of m.sex; expected one of F, M, T (did you mean 'F'?)"},
      {"person.sex < 'M'",
       "1:12: '<' does not apply to person.sex: the values of an enum have no order; compare "
       "with == or 'in'"},
      // Operators.
      {"1 && true", "1:3: '&&' needs bool operands, got int"},
      {"household.income_annual > 0 && household.income_annual",
       "1:29: '&&' needs bool operands, got int"},
      {"true || 'x'", "1:6: '||' needs bool operands, got string"},
      {"1 + 1.5",
       "1:3: '+' needs two ints, two doubles or two strings, got int and double; convert one "
       "with double() or int()"},
      {"1.5 % 2.0", "1:5: '%' needs two ints, got double and double"},
      {"'a' - 'b'", "1:5: '-' needs two ints or two doubles, got string and string"},
      {"true + true", "1:6: '+' needs two ints, two doubles or two strings, got bool and bool"},
      {"person.dob == '2000-01-01'",
       "1:12: '==' compares values of one type, got date and string; write a date as "
       "date(\"YYYY-MM-DD\")"},
      {"person.dob < 5", "1:12: '<' compares numbers, strings or dates, got date and int"},
      {"true < false", "1:6: '<' compares numbers, strings or dates, got bool and bool"},
      {"person.dob == null",
       "1:12: '==' compares date with null; an attribute is never null: test for a missing "
       "value with has(), e.g. has(person.dob)"},
      {"[1] == [1]", "1:5: '==' does not compare lists; test membership with 'in'"},
      {"!5", "1:1: '!' needs a bool, got int"},
      {"-'a'", "1:1: '-' needs an int or a double, got string"},
      {"1 ? 2 : 3", "1:3: the condition before '?' must be a bool, got int"},
      {"true ? 1 : 'a'", "1:6: the branches of '?' must have one type, got int and string"},
      {"true ? 1 : 1.0", "1:6: the branches of '?' must have one type, got int and double"},
      {"[1, 'a']",
       "1:5: the elements of a list must have one type: element 2 is a string, element 1 is an "
       "int"},
      {"[[1]]",
       "1:2: a list element must be an int, a double, a string, a bool or a date, got list(int)"},
      {"[null]",
       "1:2: a list element must be an int, a double, a string, a bool or a date, got null"},
      {"1 in 1", "1:3: 'in' needs a list on its right, got int"},
      {"1 in ['a']", "1:3: 'in' looks for an int in a list(string); the types must match"},
      // Functions.
      {"age_years(5)", "1:1: age_years() needs a date, got int"},
      {"years_since(person.name) > 1", "1:1: years_since() needs a date, got string"},
      {"age_years(person.dob, 1)", "1:1: 'age_years' takes 1 argument, got 2"},
      {"age_years()", "1:1: 'age_years' takes 1 argument, got 0"},
      {"agee_years(person.dob)",
       "1:1: unknown function 'agee_years'; expected one of has, size, age_years, years_since, "
       "int, double, string, rupees, date; did you mean 'age_years'?"},
      {"person.name.startWith('A')",
       "1:13: unknown method 'startWith'; expected one of exists, all, exists_one, filter, size, "
       "startsWith, endsWith, contains; did you mean 'startsWith'?"},
      {"person.name.startsWith(1)",
       "1:13: 'startsWith' needs a string and a string argument, got string.startsWith(int)"},
      {"person.disability_percent.contains('4')",
       "1:27: 'contains' needs a string and a string argument, got int.contains(string)"},
      {"startsWith(person.name, 'A')",
       "1:1: 'startsWith' is a method of a string: write s.startsWith(\"x\")"},
      {"person.dob.age_years()",
       "1:12: 'age_years' is a function, not a method: write age_years(x)"},
      {"int(true)", "1:1: int() converts an int, a double or a string, got bool"},
      {"double(person.dob)", "1:1: double() converts an int, a double or a string, got date"},
      {"string([1])", "1:1: string() converts an int, a double, a bool or a date, got list(int)"},
      {"size(5)", "1:1: size() needs a list, a string or household.members, got int"},
      {"has(1)", "1:5: has() takes an attribute, e.g. has(person.dob)"},
      {"has(household.members)",
       "1:15: household.members is always present; has() takes an attribute, e.g. has(person.dob)"},
      {"has(person.age)", "1:12: unknown attribute 'age' of person"},
      {"date('2023-02-29')", "1:6: no such date: 2023-02-29"},
      {"date('29/02/2024')", "1:6: not a date in the form YYYY-MM-DD: \"29/02/2024\""},
      {"date(person.name)", "1:13: date() takes a string literal \"YYYY-MM-DD\""},
      {"rupees(1.505)", "1:8: rupees() takes at most two decimal places (paise), got '1.505'"},
      {"rupees(92233720368547759)",
       "1:8: rupees(92233720368547759) does not fit in an int of paise"},
      {"rupees('5')", "1:1: rupees() needs an int or a double of rupees, got string"},
      // Macros.
      {"household.members.exists(m, m.disability_percent)",
       "1:31: the condition of 'exists' must be a bool, got int"},
      {"household.members.exists(1, true)",
       "1:26: the first argument of 'exists' must be a variable name: "
       "household.members.exists(m, <condition>)"},
      {"household.members.all(m)",
       "1:19: 'all' takes a variable and a condition: household.members.all(m, <condition>)"},
      {"household.members.exists(person, true)",
       "1:26: 'person' cannot name the variable of 'exists'; use another name, e.g. m"},
      {"household.members.exists(m, household.members.exists(n, true))",
       "1:47: macros over members cannot be nested: 'exists' inside the condition of a macro over "
       "m"},
      {"household.members.all(m, m.dob < date('2000-01-01')) && m.sex == 'F'",
       "1:57: unknown name 'm'; expected person, household"},
      {"[1, 2].exists(x, true)", "1:8: 'exists' applies to household.members, got list(int)"},
      {"person.name.filter(x, true)", "1:13: 'filter' applies to household.members, got string"},
      {"exists(m, true)",
       "1:1: 'exists' is a macro over members: write household.members.exists(m, <condition>)"},
      {"household.members.exists(m, m)",
       "1:29: 'm' is a member of the household; name one of its attributes, e.g. m.name"},
      {"household.members.exists(m, m.income_annual > 0)",
       "1:31: unknown attribute 'income_annual' of m (a member); 'income_annual' belongs to the "
       "household: household.income_annual"},
      {"household.members",
       "1:11: household.members is a list of members: use it as household.members.exists(m, "
       "...), .all(m, ...), .exists_one(m, ...), .filter(m, ...).size() or "
       "size(household.members)"},
      {"household.members.filter(m, m.school_enrolled) != 1",
       "1:19: household.members is a list of members: use it as household.members.exists(m, "
       "...), .all(m, ...), .exists_one(m, ...), .filter(m, ...).size() or "
       "size(household.members)"},
      // Syntax errors come through unchanged.
      {"person.dob >", "1:13: unexpected end of input; expected an expression"},
  };
  const Schema schema = SampleSchema();
  for (const Case& c : cases) {
    Result<CheckedExpr> checked = ParseAndCheck(c.source, schema, c.unit);
    ASSERT_FALSE(checked.ok()) << c.source;
    EXPECT_EQ(checked.status().code(), StatusCode::kInvalidArgument) << c.source;
    EXPECT_EQ(checked.status().message(), c.message) << c.source;
  }
}

// The fuzzer's seeds (fuzz/corpus/rules) are realistic rules: each must check, so that fuzzing
// starts from inputs that reach the evaluator.
TEST(CheckerTest, FuzzSeedCorpusChecks) {
  const char* env = std::getenv("SPODE_SOURCE_DIR");
  std::filesystem::path root =
      env != nullptr ? std::filesystem::path(env)
                     : std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  std::filesystem::path corpus = root / "fuzz" / "corpus" / "rules";
  if (!std::filesystem::is_directory(corpus)) GTEST_SKIP() << "no " << corpus;
  int seeds = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Result<CheckedExpr> checked = ParseAndCheck(text.str(), SampleSchema(), Unit::kPerson);
    EXPECT_TRUE(checked.ok()) << entry.path() << ": " << checked.status();
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

TEST(CheckerTest, TypeToString) {
  EXPECT_EQ(Type::ListOf(TypeKind::kString).ToString(), "list(string)");
  EXPECT_EQ(Type::ListOf(TypeKind::kNull).ToString(), "list");
  EXPECT_EQ(Type::Members().ToString(), "members");
  EXPECT_EQ(Type::Date().ToString(), "date");
}

}  // namespace
}  // namespace spode::rules
