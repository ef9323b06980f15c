#include "registry/catalogue.h"

#include "common/date.h"
#include "common/money.h"

namespace spode::registry {

std::string_view EntityName(Entity e) { return e == Entity::kHousehold ? "household" : "member"; }

std::string_view AttrTypeName(AttrType t) {
  switch (t) {
    case AttrType::kInt: return "int";
    case AttrType::kMoney: return "money";
    case AttrType::kBool: return "bool";
    case AttrType::kEnum: return "enum";
    case AttrType::kDate: return "date";
    case AttrType::kString: return "string";
  }
  return "?";
}

std::string_view SensitivityName(Sensitivity s) {
  switch (s) {
    case Sensitivity::kPublic: return "public";
    case Sensitivity::kPersonal: return "personal";
    case Sensitivity::kSensitive: return "sensitive";
  }
  return "?";
}

const Catalogue& Catalogue::Default() {
  using E = Entity;
  using T = AttrType;
  using S = Sensitivity;
  static const Catalogue* kDefault = new Catalogue({
      {"income_annual", E::kHousehold, T::kMoney, S::kPersonal, "self", {}, 0, 0, false,
       "Annual household income, in paise"},
      {"caste_category", E::kHousehold, T::kEnum, S::kSensitive, "revenue",
       {"SC", "ST", "OBC", "GEN"}, 0, 0, false, "Social category"},
      {"ration_card", E::kHousehold, T::kEnum, S::kPersonal, "food_supply",
       {"none", "APL", "BPL", "AAY"}, 0, 0, false, "Ration card type"},
      {"land_holding_ares", E::kHousehold, T::kInt, S::kPersonal, "revenue", {}, 0, 100000, false,
       "Agricultural land held, in ares (100 square metres)"},
      {"residence", E::kHousehold, T::kEnum, S::kPublic, "self", {"rural", "urban"}, 0, 0, false,
       "Rural or urban"},
      {"house_type", E::kHousehold, T::kEnum, S::kPersonal, "self",
       {"kutcha", "semi_pucca", "pucca"}, 0, 0, false, "Construction of the dwelling"},
      {"has_lpg_connection", E::kHousehold, T::kBool, S::kPersonal, "oil_marketing", {}, 0, 0,
       false, "The household has an LPG connection"},
      {"name", E::kMember, T::kString, S::kPersonal, "self", {}, 0, 0, true, "Name (Latin)"},
      {"name_local", E::kMember, T::kString, S::kPersonal, "self", {}, 0, 0, true,
       "Name (Devanagari)"},
      {"dob", E::kMember, T::kDate, S::kPersonal, "crvs", {}, 0, 0, true, "Date of birth"},
      {"sex", E::kMember, T::kEnum, S::kPersonal, "self", {"F", "M", "T"}, 0, 0, true, "Sex"},
      {"relationship", E::kMember, T::kEnum, S::kPersonal, "self",
       {"head", "spouse", "son", "daughter", "father", "mother", "brother", "sister", "son_in_law",
        "daughter_in_law", "grandson", "granddaughter", "other"},
       0, 0, true, "Relationship to the head of the family"},
      {"phone", E::kMember, T::kString, S::kPersonal, "self", {}, 0, 0, true, "Mobile number"},
      {"marital_status", E::kMember, T::kEnum, S::kPersonal, "self",
       {"never_married", "married", "widowed", "divorced", "separated"}, 0, 0, false,
       "Marital status"},
      {"occupation", E::kMember, T::kEnum, S::kPersonal, "self",
       {"cultivator", "agri_labourer", "casual_labourer", "salaried_private",
        "government_employee", "self_employed", "student", "homemaker", "unemployed", "retired",
        "child"},
       0, 0, false, "Main occupation"},
      {"disability_percent", E::kMember, T::kInt, S::kSensitive, "health", {}, 0, 100, false,
       "Certified disability, per cent"},
      {"school_enrolled", E::kMember, T::kBool, S::kPersonal, "education", {}, 0, 0, false,
       "Enrolled in school"},
      {"is_government_pensioner", E::kMember, T::kBool, S::kPersonal, "treasury", {}, 0, 0,
       false, "Receives a government pension"},
  });
  return *kDefault;
}

const AttributeDef* Catalogue::Find(Entity entity, std::string_view name) const {
  for (const AttributeDef& d : defs_) {
    if (d.entity == entity && d.name == name) return &d;
  }
  return nullptr;
}

Result<nlohmann::json> Catalogue::Normalize(const AttributeDef& def,
                                            const nlohmann::json& v) const {
  auto bad = [&](std::string_view want) {
    return InvalidArgumentError("attribute " + def.name + " must be " + std::string(want));
  };
  switch (def.type) {
    case AttrType::kInt: {
      if (!v.is_number_integer()) return bad("an integer");
      int64_t i = v.get<int64_t>();
      if (def.max > def.min && (i < def.min || i > def.max)) {
        return bad("between " + std::to_string(def.min) + " and " + std::to_string(def.max));
      }
      return nlohmann::json(i);
    }
    case AttrType::kMoney: {
      if (v.is_number_integer()) {
        int64_t paise = v.get<int64_t>();
        if (paise < 0) return bad("an amount of zero or more");
        return nlohmann::json(paise);
      }
      if (v.is_string()) {
        auto m = Money::Parse(v.get<std::string>());
        if (!m.ok()) return bad("an amount in paise or rupees (" + m.status().message() + ")");
        if (m->paise() < 0) return bad("an amount of zero or more");
        return nlohmann::json(m->paise());
      }
      return bad("an integer number of paise or a string in rupees");
    }
    case AttrType::kBool:
      if (!v.is_boolean()) return bad("true or false");
      return v;
    case AttrType::kEnum: {
      if (v.is_string()) {
        for (const std::string& e : def.enum_values) {
          if (v.get_ref<const std::string&>() == e) return v;
        }
      }
      std::string list;
      for (const std::string& e : def.enum_values) list += (list.empty() ? "" : ", ") + e;
      return bad("one of " + list);
    }
    case AttrType::kDate:
      if (!v.is_string() || !Date::Parse(v.get<std::string>()).ok()) return bad("a date YYYY-MM-DD");
      return v;
    case AttrType::kString:
      if (!v.is_string()) return bad("a string");
      if (v.get_ref<const std::string&>().size() > 200) return bad("at most 200 bytes");
      return v;
  }
  return bad("a known type");
}

}  // namespace spode::registry
