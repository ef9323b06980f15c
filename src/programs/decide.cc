#include "programs/decide.h"

#include "common/money.h"
#include "registry/snapshot.h"

namespace spode::programs {
namespace {

using nlohmann::json;

json ValueJson(const rules::AttributeRead& r) {
  const rules::Value& v = r.value;
  switch (v.kind()) {
    case rules::Value::Kind::kNull: return nullptr;
    case rules::Value::Kind::kBool: return v.bool_value();
    case rules::Value::Kind::kInt: {
      const rules::AttributeSchema* a =
          registry::RulesSchema().Find(r.entity, r.name);
      if (a != nullptr && a->kind == rules::AttrKind::kMoney) {
        return "Rs " + Money::FromPaise(v.int_value()).ToString();
      }
      return v.int_value();
    }
    case rules::Value::Kind::kDouble: return v.double_value();
    case rules::Value::Kind::kString: return v.string_value();
    case rules::Value::Kind::kDate: return v.date_value().ToString();
    case rules::Value::Kind::kError: return nullptr;
    default: return v.DebugString();
  }
}

// A test household (YAML) as the snapshot takes it.
Result<registry::SnapshotHousehold> TestHousehold(const json& h, int index) {
  registry::SnapshotHousehold out;
  out.household_idx = index + 1;
  out.district = "9901";
  out.block = "990101";
  out.village = "990101001";
  if (h.contains("attributes")) out.attrs = h["attributes"].dump();
  if (!h.contains("members") || !h["members"].is_array() || h["members"].empty()) {
    return InvalidArgumentError("a test household needs members");
  }
  int64_t idx = 1;
  for (const json& m : h["members"]) {
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

}  // namespace

Decision Decide(const CompiledScheme& scheme, const rules::Frame& frame, size_t row, Date date) {
  Decision d;
  d.scheme_id = scheme.scheme.id;
  d.scheme_version = scheme.scheme.version;
  d.evaluation_date = date;
  d.eligible = true;
  for (size_t i = 0; i < scheme.clauses.size(); ++i) {
    const Clause& c = scheme.scheme.eligibility[i];
    rules::Trace trace;
    rules::Value v = rules::Evaluate(scheme.clauses[i], frame, scheme.scheme.unit, row, date, &trace);
    ClauseResult r;
    r.id = c.id;
    r.explain = c.explain;
    r.met = v.is_true();
    r.reads = trace.reads();
    if (v.is_error()) r.problem = v.error().Message();
    d.eligible = d.eligible && r.met;
    d.clauses.push_back(std::move(r));
  }
  if (d.eligible) {
    rules::Value a = rules::Evaluate(scheme.amount, frame, scheme.scheme.unit, row, date);
    if (a.kind() == rules::Value::Kind::kInt && a.int_value() >= 0) {
      d.amount_paise = a.int_value();
    } else {
      d.amount_problem = a.is_error() ? a.error().Message() : "the amount is not a sum of money";
    }
  }
  return d;
}

json DecisionJson(const Decision& d, std::string_view language) {
  json clauses = json::array();
  for (const ClauseResult& c : d.clauses) {
    json read = json::object();
    for (const rules::AttributeRead& r : c.reads) read[r.label] = ValueJson(r);
    json jc = {{"id", c.id}, {"met", c.met}, {"explanation", c.explain.In(language)},
               {"values", read}};
    if (!c.problem.empty()) jc["problem"] = c.problem;
    clauses.push_back(std::move(jc));
  }
  json out = {{"scheme", d.scheme_id},
              {"rule_version", d.scheme_version},
              {"evaluation_date", d.evaluation_date.ToString()},
              {"eligible", d.eligible},
              {"clauses", clauses}};
  if (d.amount_paise) {
    out["amount_paise"] = *d.amount_paise;
    out["amount"] = "Rs " + Money::FromPaise(*d.amount_paise).ToString();
  }
  if (!d.amount_problem.empty()) out["amount_problem"] = d.amount_problem;
  return out;
}

Result<std::vector<TestOutcome>> RunTests(const CompiledScheme& scheme, Date today) {
  std::vector<TestOutcome> outcomes;
  int index = 0;
  for (const SchemeTest& t : scheme.scheme.tests) {
    TestOutcome o{t.name, t.line, false, ""};
    auto household = TestHousehold(t.household, index++);
    if (!household.ok()) {
      o.failure = household.status().message();
      outcomes.push_back(std::move(o));
      continue;
    }
    auto frame = registry::Snapshot::FromHouseholds({*household});
    if (!frame.ok()) {
      o.failure = frame.status().message();
      outcomes.push_back(std::move(o));
      continue;
    }
    size_t row = 0;
    if (scheme.scheme.unit == rules::Unit::kPerson) {
      if (t.person < 0 || static_cast<size_t>(t.person) >= household->members.size()) {
        o.failure = "person " + std::to_string(t.person) + " is not a member of the household";
        outcomes.push_back(std::move(o));
        continue;
      }
      row = static_cast<size_t>(t.person);
    }
    Decision d = Decide(scheme, **frame, row, t.evaluation_date.value_or(today));
    std::string why;
    if (d.eligible != t.expect_eligible) {
      why += std::string("expected ") + (t.expect_eligible ? "eligible" : "not eligible") +
             ", got " + (d.eligible ? "eligible" : "not eligible") + "; ";
    }
    for (const auto& [id, want] : t.expect_clauses) {
      for (const ClauseResult& c : d.clauses) {
        if (c.id == id && c.met != want) {
          why += "clause " + id + " expected " + (want ? "met" : "not met") + ", got " +
                 (c.met ? "met" : "not met") + (c.problem.empty() ? "" : " (" + c.problem + ")") +
                 "; ";
        }
      }
    }
    if (t.expect_amount && d.amount_paise != t.expect_amount) {
      why += "amount expected " + std::to_string(*t.expect_amount) + " paise, got " +
             (d.amount_paise ? std::to_string(*d.amount_paise) + " paise"
                             : "none" + (d.amount_problem.empty() ? "" : " (" + d.amount_problem + ")")) +
             "; ";
    }
    o.passed = why.empty();
    if (!why.empty()) o.failure = why.substr(0, why.size() - 2);
    outcomes.push_back(std::move(o));
  }
  return outcomes;
}

}  // namespace spode::programs
