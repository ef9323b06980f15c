// SampleSchema(): a small attribute schema shaped like the registry's default catalogue
// (registry/catalogue.cc), for the rules module's tests and fuzz target. Header-only; not part
// of the library.
#ifndef SPODE_RULES_TESTING_SAMPLE_SCHEMA_H_
#define SPODE_RULES_TESTING_SAMPLE_SCHEMA_H_

#include "rules/frame.h"

namespace spode::rules::testing {

inline Schema SampleSchema() {
  using E = Entity;
  using K = AttrKind;
  Schema s;
  s.attributes = {
      {"income_annual", E::kHousehold, K::kMoney, {}},
      {"caste_category", E::kHousehold, K::kEnum, {"SC", "ST", "OBC", "GEN"}},
      {"ration_card", E::kHousehold, K::kEnum, {"none", "APL", "BPL", "AAY"}},
      {"land_holding_ares", E::kHousehold, K::kInt, {}},
      {"residence", E::kHousehold, K::kEnum, {"rural", "urban"}},
      {"has_lpg_connection", E::kHousehold, K::kBool, {}},
      {"district", E::kHousehold, K::kString, {}},
      {"name", E::kMember, K::kString, {}},
      {"dob", E::kMember, K::kDate, {}},
      {"sex", E::kMember, K::kEnum, {"F", "M", "T"}},
      {"relationship",
       E::kMember,
       K::kEnum,
       {"head", "spouse", "son", "daughter", "father", "mother", "grandson", "granddaughter",
        "other"}},
      {"marital_status",
       E::kMember,
       K::kEnum,
       {"never_married", "married", "widowed", "divorced", "separated"}},
      {"disability_percent", E::kMember, K::kInt, {}},
      {"school_enrolled", E::kMember, K::kBool, {}},
      {"is_government_pensioner", E::kMember, K::kBool, {}},
      {"widowed_on", E::kMember, K::kDate, {}},
      {"phone", E::kMember, K::kString, {}},
  };
  return s;
}

}  // namespace spode::rules::testing

#endif  // SPODE_RULES_TESTING_SAMPLE_SCHEMA_H_
