// The shipped schemes (schemes/*.yaml) compile for the columnar engine without falling back to
// the reference evaluator, and decide every inline test household as programs::Decide does.
#include <cstdlib>
#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "programs/decide.h"
#include "programs/scheme.h"
#include "registry/snapshot.h"
#include "rules/columnar.h"

namespace spode::programs {
namespace {

std::string SchemesDir() {
  const char* src = std::getenv("SPODE_SOURCE_DIR");
  return std::string(src != nullptr ? src : ".") + "/schemes";
}

registry::SnapshotHousehold TestHousehold(const nlohmann::json& h) {
  registry::SnapshotHousehold out;
  out.household_idx = 1;
  out.district = "9901";
  out.block = "990101";
  out.village = "990101001";
  if (h.contains("attributes")) out.attrs = h["attributes"].dump();
  int64_t idx = 1;
  for (const nlohmann::json& m : h["members"]) {
    registry::SnapshotMember member;
    member.member_idx = idx++;
    member.dob = m.value("dob", "");
    member.sex = m.value("sex", "");
    member.relationship = m.value("relationship", "other");
    if (m.contains("attributes")) member.attrs = m["attributes"].dump();
    out.members.push_back(std::move(member));
  }
  return out;
}

TEST(ColumnarSchemes, ShippedSchemesCompileWithoutTheReferenceAndMatchDecide) {
  const Date today = *Date::Parse("2026-11-29");
  int schemes = 0;
  size_t decisions = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SchemesDir())) {
    if (entry.path().extension() != ".yaml") continue;
    ++schemes;
    auto scheme = LoadScheme(entry.path().string());
    ASSERT_TRUE(scheme.ok()) << scheme.status();
    auto compiled = Compile(*scheme, registry::RulesSchema());
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    std::vector<const rules::CheckedExpr*> clauses;
    for (const rules::CheckedExpr& c : compiled->clauses) {
      clauses.push_back(&c);
      auto one = rules::CompileColumnar(c);
      ASSERT_TRUE(one.ok()) << one.status();
      EXPECT_FALSE(one->uses_reference()) << scheme->id << ": " << c.source();
    }
    auto program = rules::CompileColumnarScheme(clauses, &compiled->amount);
    ASSERT_TRUE(program.ok()) << program.status();
    EXPECT_FALSE(program->uses_reference())
        << scheme->id << ": " << program->reference_reasons().front();

    // All the inline test households in one frame: the columnar decision of every row is the
    // clause-by-clause decision.
    std::vector<registry::SnapshotHousehold> households;
    for (const SchemeTest& t : scheme->tests) {
      households.push_back(TestHousehold(t.household));
      households.back().household_idx = static_cast<int64_t>(households.size());
    }
    auto frame = registry::Snapshot::FromHouseholds(households);
    ASSERT_TRUE(frame.ok()) << frame.status();
    for (const Date date : {today, *Date::Parse("2026-05-01"), *Date::Parse("2026-04-30")}) {
      rules::ColumnarSchemeResult r;
      ASSERT_TRUE(rules::EvaluateColumnarScheme(*program, **frame, date, &r).ok());
      const size_t rows = scheme->unit == rules::Unit::kPerson ? (*frame)->members()
                                                              : (*frame)->households();
      size_t next = 0;
      for (size_t row = 0; row < rows; ++row) {
        const Decision d = Decide(*compiled, **frame, row, date);
        EXPECT_EQ(r.eligible(row), d.eligible) << scheme->id << " row " << row;
        if (d.eligible) {
          ASSERT_LT(next, r.eligible_rows.size());
          EXPECT_EQ(r.eligible_rows[next], row);
          EXPECT_EQ(r.amount_ok[next] != 0, d.amount_paise.has_value());
          if (d.amount_paise) {
            EXPECT_EQ(r.amounts[next], *d.amount_paise);
          }
          ++next;
        }
        ++decisions;
      }
      EXPECT_EQ(next, r.eligible_count());
    }
  }
  EXPECT_EQ(schemes, 5);
  EXPECT_GT(decisions, 60u);
}

TEST(ColumnarSchemes, BenchmarkRulesCompileWithoutTheReference) {
  for (auto [text, unit] :
       {std::pair{"household.members.exists(m, age_years(m.dob) < 6) && "
                  "household.income_annual <= rupees(100000)",
                  rules::Unit::kHousehold},
        std::pair{"age_years(person.dob) >= 80 ? rupees(1500) : rupees(1000)",
                  rules::Unit::kPerson}}) {
    auto expr = rules::ParseAndCheck(text, registry::RulesSchema(), unit);
    ASSERT_TRUE(expr.ok()) << expr.status();
    auto program = rules::CompileColumnar(*expr);
    ASSERT_TRUE(program.ok());
    EXPECT_FALSE(program->uses_reference()) << text;
  }
}

}  // namespace
}  // namespace spode::programs
