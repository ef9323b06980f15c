#include "programs/scheme.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace spode::programs {
namespace {

using nlohmann::json;

std::string Where(std::string_view origin, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return std::string(origin);
  return std::string(origin) + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Status Bad(std::string_view origin, const YAML::Node& node, std::string_view what) {
  return InvalidArgumentError(Where(origin, node) + ": " + std::string(what));
}

Status CheckKeys(std::string_view origin, const YAML::Node& map, std::string_view where,
                 std::initializer_list<std::string_view> allowed) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    std::string key = it->first.as<std::string>();
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || key == a;
    if (!ok) {
      return Bad(origin, it->first,
                 std::string(where) + (where.empty() ? "" : ": ") + "unknown key '" + key + "'");
    }
  }
  return OkStatus();
}

Result<std::string> Text(std::string_view origin, const YAML::Node& parent, const char* key,
                         std::string_view where, bool required = true) {
  YAML::Node n = parent[key];
  if (!n || n.IsNull()) {
    if (required) {
      return Bad(origin, parent, std::string(where) + ": '" + key + "' is required");
    }
    return std::string();
  }
  if (!n.IsScalar()) return Bad(origin, n, std::string(where) + ": '" + key + "' must be text");
  return n.as<std::string>();
}

Result<LocalizedText> Localized(std::string_view origin, const YAML::Node& parent,
                                const char* key, std::string_view where) {
  YAML::Node n = parent[key];
  if (!n || !n.IsMap()) {
    return Bad(origin, n ? n : parent,
               std::string(where) + ": '" + key + "' needs 'en' and 'hi' texts");
  }
  RETURN_IF_ERROR(CheckKeys(origin, n, std::string(where) + "." + key, {"en", "hi"}));
  LocalizedText t;
  ASSIGN_OR_RETURN(t.en, Text(origin, n, "en", std::string(where) + "." + key));
  ASSIGN_OR_RETURN(t.hi, Text(origin, n, "hi", std::string(where) + "." + key));
  if (t.en.empty() || t.hi.empty()) {
    return Bad(origin, n, std::string(where) + "." + key + ": both 'en' and 'hi' are needed");
  }
  return t;
}

// A YAML value as JSON (scalars typed as YAML 1.2 core: true/false, integers, strings).
json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (auto it = n.begin(); it != n.end(); ++it) o[it->first.as<std::string>()] = ToJson(it->second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& e : n) a.push_back(ToJson(e));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted: always a string
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      if (!s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-')) {
        try {
          size_t used = 0;
          long long v = std::stoll(s, &used);
          if (used == s.size()) return v;
        } catch (const std::exception&) {
        }
      }
      return s;
    }
    default:
      return nullptr;
  }
}

Result<Scheme> FromYaml(const YAML::Node& root, std::string_view origin) {
  if (!root.IsMap()) return Bad(origin, root, "a scheme file is a YAML mapping");
  RETURN_IF_ERROR(CheckKeys(origin, root, "",
                            {"id", "version", "name", "unit", "benefit", "frequency",
                             "budget_paise", "exclusions", "approvals", "drift_policy",
                             "officer_review", "objection_days", "eligibility", "amount",
                             "tests"}));
  Scheme s;
  s.origin = std::string(origin);
  ASSIGN_OR_RETURN(s.id, Text(origin, root, "id", "scheme"));
  for (char c : s.id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Bad(origin, root["id"], "id: lower-case letters, digits and _ only");
    }
  }
  if (root["version"]) {
    try {
      s.version = root["version"].as<int>();
    } catch (const YAML::Exception&) {
      return Bad(origin, root["version"], "version must be a whole number");
    }
  }
  ASSIGN_OR_RETURN(s.name, Localized(origin, root, "name", "scheme"));
  ASSIGN_OR_RETURN(std::string unit, Text(origin, root, "unit", "scheme"));
  if (unit == "person") s.unit = rules::Unit::kPerson;
  else if (unit == "household") s.unit = rules::Unit::kHousehold;
  else return Bad(origin, root["unit"], "unit must be person or household");
  ASSIGN_OR_RETURN(std::string benefit, Text(origin, root, "benefit", "scheme"));
  if (benefit == "cash") s.benefit = Benefit::kCash;
  else if (benefit == "in_kind") s.benefit = Benefit::kInKind;
  else if (benefit == "service") s.benefit = Benefit::kService;
  else return Bad(origin, root["benefit"], "benefit must be cash, in_kind or service");
  ASSIGN_OR_RETURN(std::string frequency, Text(origin, root, "frequency", "scheme"));
  if (frequency == "monthly") s.frequency = Frequency::kMonthly;
  else if (frequency == "quarterly") s.frequency = Frequency::kQuarterly;
  else if (frequency == "yearly") s.frequency = Frequency::kYearly;
  else if (frequency == "one_time") s.frequency = Frequency::kOneTime;
  else return Bad(origin, root["frequency"], "frequency must be monthly, quarterly, yearly or one_time");
  if (root["budget_paise"]) {
    try {
      s.budget_paise = root["budget_paise"].as<int64_t>();
    } catch (const YAML::Exception&) {
      return Bad(origin, root["budget_paise"], "budget_paise must be a whole number of paise");
    }
    if (s.budget_paise < 0) return Bad(origin, root["budget_paise"], "budget_paise cannot be negative");
  }
  if (YAML::Node ex = root["exclusions"]; ex) {
    if (!ex.IsSequence()) return Bad(origin, ex, "exclusions must be a list of scheme ids");
    for (const auto& e : ex) s.exclusions.push_back(e.as<std::string>());
  }
  if (YAML::Node ap = root["approvals"]; ap) {
    if (!ap.IsSequence() || ap.size() == 0 || ap.size() > 3) {
      return Bad(origin, ap, "approvals must be a list of 1 to 3 officer levels");
    }
    s.approvals.clear();
    std::set<std::string> seen;
    for (const auto& a : ap) {
      std::string level = a.IsScalar() ? a.as<std::string>() : "";
      if (level != "block" && level != "district" && level != "state") {
        return Bad(origin, a, "approvals: each tier is block, district or state");
      }
      if (!seen.insert(level).second) return Bad(origin, a, "approvals: tier '" + level + "' repeats");
      s.approvals.push_back(level);
    }
  }
  if (YAML::Node dp = root["drift_policy"]; dp) {
    s.drift_policy = dp.IsScalar() ? dp.as<std::string>() : "";
    if (s.drift_policy != "hold" && s.drift_policy != "allow") {
      return Bad(origin, dp, "drift_policy must be hold or allow");
    }
  }
  if (YAML::Node orv = root["officer_review"]; orv) {
    try {
      s.officer_review = orv.as<bool>();
    } catch (const YAML::Exception&) {
      return Bad(origin, orv, "officer_review must be true or false");
    }
  }
  if (YAML::Node od = root["objection_days"]; od) {
    try {
      s.objection_days = od.as<int>();
    } catch (const YAML::Exception&) {
      return Bad(origin, od, "objection_days must be a whole number of days");
    }
    if (s.objection_days < 0 || s.objection_days > 90) {
      return Bad(origin, od, "objection_days must be 0 to 90");
    }
  }
  YAML::Node elig = root["eligibility"];
  if (!elig || !elig.IsSequence() || elig.size() == 0) {
    return Bad(origin, elig ? elig : root, "eligibility must be a list of at least one clause");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < elig.size(); ++i) {
    const YAML::Node& c = elig[i];
    std::string where = "eligibility[" + std::to_string(i) + "]";
    if (!c.IsMap()) return Bad(origin, c, where + ": a clause has id, rule and explain");
    RETURN_IF_ERROR(CheckKeys(origin, c, where, {"id", "rule", "explain"}));
    Clause clause;
    ASSIGN_OR_RETURN(clause.id, Text(origin, c, "id", where));
    if (!ids.insert(clause.id).second) return Bad(origin, c["id"], where + ": id '" + clause.id + "' repeats");
    ASSIGN_OR_RETURN(clause.rule, Text(origin, c, "rule", where));
    clause.line = static_cast<int>(c["rule"].Mark().line) + 1;
    ASSIGN_OR_RETURN(clause.explain, Localized(origin, c, "explain", where));
    s.eligibility.push_back(std::move(clause));
  }
  ASSIGN_OR_RETURN(s.amount, Text(origin, root, "amount", "scheme"));
  s.amount_line = static_cast<int>(root["amount"].Mark().line) + 1;
  if (YAML::Node tests = root["tests"]; tests) {
    if (!tests.IsSequence()) return Bad(origin, tests, "tests must be a list");
    for (size_t i = 0; i < tests.size(); ++i) {
      const YAML::Node& t = tests[i];
      std::string where = "tests[" + std::to_string(i) + "]";
      if (!t.IsMap()) return Bad(origin, t, where + ": a test is a mapping");
      RETURN_IF_ERROR(
          CheckKeys(origin, t, where, {"name", "evaluation_date", "household", "person", "expect"}));
      SchemeTest test;
      test.line = static_cast<int>(t.Mark().line) + 1;
      ASSIGN_OR_RETURN(test.name, Text(origin, t, "name", where));
      ASSIGN_OR_RETURN(std::string date, Text(origin, t, "evaluation_date", where, false));
      if (!date.empty()) {
        auto d = Date::Parse(date);
        if (!d.ok()) return Bad(origin, t["evaluation_date"], where + ": " + d.status().message());
        test.evaluation_date = *d;
      }
      if (!t["household"] || !t["household"].IsMap()) {
        return Bad(origin, t, where + ": 'household' with attributes and members is required");
      }
      test.household = ToJson(t["household"]);
      if (t["person"]) test.person = t["person"].as<int>();
      YAML::Node e = t["expect"];
      if (!e || !e.IsMap()) return Bad(origin, t, where + ": 'expect' is required");
      RETURN_IF_ERROR(CheckKeys(origin, e, where + ".expect", {"eligible", "amount", "clauses"}));
      if (!e["eligible"]) return Bad(origin, e, where + ".expect: 'eligible' is required");
      test.expect_eligible = e["eligible"].as<bool>();
      if (e["amount"]) test.expect_amount = e["amount"].as<int64_t>();
      if (YAML::Node c = e["clauses"]; c) {
        for (auto it = c.begin(); it != c.end(); ++it) {
          std::string id = it->first.as<std::string>();
          if (!ids.count(id)) {
            return Bad(origin, it->first, where + ".expect.clauses: no clause named '" + id + "'");
          }
          test.expect_clauses[id] = it->second.as<bool>();
        }
      }
      s.tests.push_back(std::move(test));
    }
  }
  return s;
}

// Adds the clause's line in the file to a rule error's "line:column: " prefix.
Status InFile(const Status& s, std::string_view origin, int line, std::string_view what) {
  const std::string& m = s.message();
  size_t colon = m.find(':');
  if (colon != std::string::npos && colon > 0) {
    try {
      int rule_line = std::stoi(m.substr(0, colon));
      return Status(s.code(), std::string(origin) + ":" + std::to_string(line + rule_line - 1) +
                                  ": " + std::string(what) + ": " + m);
    } catch (const std::exception&) {
    }
  }
  return Status(s.code(), std::string(origin) + ":" + std::to_string(line) + ": " +
                              std::string(what) + ": " + m);
}

}  // namespace

std::string_view BenefitName(Benefit b) {
  switch (b) {
    case Benefit::kCash: return "cash";
    case Benefit::kInKind: return "in_kind";
    case Benefit::kService: return "service";
  }
  return "?";
}

std::string_view FrequencyName(Frequency f) {
  switch (f) {
    case Frequency::kMonthly: return "monthly";
    case Frequency::kQuarterly: return "quarterly";
    case Frequency::kYearly: return "yearly";
    case Frequency::kOneTime: return "one_time";
  }
  return "?";
}

int PeriodsPerYear(Frequency f) {
  switch (f) {
    case Frequency::kMonthly: return 12;
    case Frequency::kQuarterly: return 4;
    default: return 1;
  }
}

Result<Scheme> ParseScheme(std::string_view text, std::string_view origin) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return FromYaml(root, origin);
  } catch (const YAML::ParserException& e) {
    return InvalidArgumentError(std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ":" +
                                std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(std::string(origin) + ":" + std::to_string(e.mark.line + 1) + ": " +
                                e.msg);
  }
}

Result<Scheme> LoadScheme(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  return ParseScheme(text.str(), path);
}

Result<CompiledScheme> Compile(const Scheme& scheme, const rules::Schema& schema) {
  CompiledScheme out;
  out.scheme = scheme;
  for (const Clause& c : scheme.eligibility) {
    auto checked = rules::ParseAndCheck(c.rule, schema, scheme.unit, rules::Type::Bool());
    if (!checked.ok()) return InFile(checked.status(), scheme.origin, c.line, "clause " + c.id);
    out.clauses.push_back(std::move(*checked));
  }
  auto amount = rules::ParseAndCheck(scheme.amount, schema, scheme.unit, rules::Type::Int());
  if (!amount.ok()) return InFile(amount.status(), scheme.origin, scheme.amount_line, "amount");
  out.amount = std::move(*amount);
  return out;
}

}  // namespace spode::programs
