#include "programs/simulate.h"

#include <map>

#include "common/money.h"

namespace spode::programs {
namespace {

using nlohmann::json;

const char* AgeBand(int age) {
  if (age < 6) return "0-5";
  if (age < 18) return "6-17";
  if (age < 40) return "18-39";
  if (age < 60) return "40-59";
  if (age < 80) return "60-79";
  return "80+";
}

// Breakdown keys of a row: district, sex, social category, age band (household rows: the
// head's sex and age band are not meaningful, so "household").
struct Keys {
  std::string district, sex, category, age_band;
};

class Breakdowns {
 public:
  Breakdowns(const registry::Snapshot& s, rules::Unit unit, Date date)
      : s_(s), person_(unit == rules::Unit::kPerson), date_(date),
        district_(s.column(rules::Entity::kHousehold, "district")),
        category_(s.column(rules::Entity::kHousehold, "caste_category")),
        sex_(s.column(rules::Entity::kMember, "sex")),
        dob_(s.column(rules::Entity::kMember, "dob")) {}

  Keys Of(size_t row) const {
    Keys k;
    size_t h = person_ ? s_.member_household()[row] : row;
    k.district = district_ && district_->present(h) ? std::string(district_->string_at(h)) : "?";
    k.category = category_ && category_->present(h) ? (*category_->dictionary)[category_->codes[h]]
                                                   : "unknown";
    if (person_) {
      k.sex = sex_ && sex_->present(row) ? (*sex_->dictionary)[sex_->codes[row]] : "unknown";
      k.age_band = dob_ && dob_->present(row)
                       ? AgeBand(Date::FromDays(dob_->dates[row]).YearsUntil(date_))
                       : "unknown";
    } else {
      k.sex = "household";
      k.age_band = "household";
    }
    return k;
  }

 private:
  const registry::Snapshot& s_;
  bool person_;
  Date date_;
  const rules::Column *district_, *category_, *sex_, *dob_;
};

struct Tally {
  std::map<std::string, int64_t> district, sex, category, age_band;
  int64_t count = 0;
  void Add(const Keys& k) {
    ++count;
    ++district[k.district];
    ++sex[k.sex];
    ++category[k.category];
    ++age_band[k.age_band];
  }
  json ToJson() const {
    return {{"count", count}, {"by_district", district}, {"by_sex", sex},
            {"by_social_category", category}, {"by_age_band", age_band}};
  }
};

json Cost(int64_t per_period, Frequency f) {
  int64_t year = per_period * PeriodsPerYear(f);
  return {{"per_period_paise", per_period},
          {"per_period", "Rs " + Money::FromPaise(per_period).ToString()},
          {"per_year_paise", year},
          {"per_year", "Rs " + Money::FromPaise(year).ToString()}};
}

}  // namespace

Result<json> Simulate(const CompiledScheme& scheme, const CompiledScheme* against,
                      const registry::Snapshot& snapshot, const SimulationOptions& options) {
  if (against != nullptr && against->scheme.unit != scheme.scheme.unit) {
    return InvalidArgumentError("the two versions decide for different units (person and "
                                "household): they cannot be compared row by row");
  }
  ASSIGN_OR_RETURN(SchemeResults now, EvaluateScheme(scheme, snapshot, options.date, options.threads));
  Breakdowns keys(snapshot, scheme.scheme.unit, options.date);
  Tally eligible;
  for (size_t row = 0; row < now.eligible.size(); ++row) {
    if (now.eligible[row]) eligible.Add(keys.Of(row));
  }
  json report = {{"scheme", scheme.scheme.id},
                 {"version", scheme.scheme.version},
                 {"evaluation_date", options.date.ToString()},
                 {"unit", rules::UnitName(scheme.scheme.unit)},
                 {"eligible", eligible.ToJson()},
                 {"cost", Cost(now.total_paise, scheme.scheme.frequency)},
                 {"amount_failures", now.amount_failures}};
  if (scheme.scheme.budget_paise > 0) {
    int64_t year = now.total_paise * PeriodsPerYear(scheme.scheme.frequency);
    report["budget"] = {{"per_year_paise", scheme.scheme.budget_paise},
                        {"within_budget", year <= scheme.scheme.budget_paise}};
  }
  if (against == nullptr) return report;

  ASSIGN_OR_RETURN(SchemeResults before,
                   EvaluateScheme(*against, snapshot, options.date, options.threads));
  Tally gain, lose;
  json gain_sample = json::array(), lose_sample = json::array();
  const bool person = scheme.scheme.unit == rules::Unit::kPerson;
  for (size_t row = 0; row < now.eligible.size(); ++row) {
    bool was = before.eligible[row], is = now.eligible[row];
    if (was == is) continue;
    Keys k = keys.Of(row);
    int64_t id = person ? snapshot.member_idx(row) : snapshot.household_idx(row);
    if (is) {
      gain.Add(k);
      if (static_cast<int>(gain_sample.size()) < options.sample_size) gain_sample.push_back(id);
    } else {
      lose.Add(k);
      if (static_cast<int>(lose_sample.size()) < options.sample_size) lose_sample.push_back(id);
    }
  }
  report["against"] = {{"scheme", against->scheme.id},
                       {"version", against->scheme.version},
                       {"eligible", before.eligible_count},
                       {"cost", Cost(before.total_paise, against->scheme.frequency)}};
  json g = gain.ToJson(), l = lose.ToJson();
  g["sample_idx"] = gain_sample;
  l["sample_idx"] = lose_sample;
  report["gain"] = g;
  report["lose"] = l;
  report["cost_change"] = Cost(now.total_paise - before.total_paise, scheme.scheme.frequency);
  return report;
}

Status ResolveSamples(storage::Database& db, json& report, bool person, std::string_view area) {
  for (const char* side : {"gain", "lose"}) {
    if (!report.contains(side)) continue;
    json ids = json::array();
    for (const json& idx : report[side]["sample_idx"]) {
      ASSIGN_OR_RETURN(auto row,
                       person ? db.QueryOne("SELECT m.member_id, h.village_code FROM members m "
                                            "JOIN households h ON h.household_idx = "
                                            "m.household_idx WHERE m.member_idx = ?",
                                            {idx.get<int64_t>()})
                              : db.QueryOne("SELECT family_id, village_code FROM households "
                                            "WHERE household_idx = ?",
                                            {idx.get<int64_t>()}));
      if (row && row->Text(1).starts_with(area)) ids.push_back(row->Text(0));
    }
    report[side].erase("sample_idx");
    report[side][person ? "sample_member_ids" : "sample_family_ids"] = ids;
  }
  return OkStatus();
}

}  // namespace spode::programs
