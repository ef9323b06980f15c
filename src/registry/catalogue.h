// The attribute catalogue: every attribute a household or member may carry, with its type,
// allowed values, sensitivity and the system it normally comes from. Rules (rules/) type-check
// against it and the access gate decides who may see what from its sensitivity.
//
// The defaults are listed in docs/household-format.md. Values are kept as JSON in storage
// (members.attrs, households.attrs); money as integer paise.
//
// Thread-safety: immutable after construction.
#ifndef SPODE_REGISTRY_CATALOGUE_H_
#define SPODE_REGISTRY_CATALOGUE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace spode::registry {

enum class Entity { kHousehold, kMember };
enum class AttrType { kInt, kMoney, kBool, kEnum, kDate, kString };
enum class Sensitivity { kPublic, kPersonal, kSensitive };

std::string_view EntityName(Entity e);
std::string_view AttrTypeName(AttrType t);
std::string_view SensitivityName(Sensitivity s);

struct AttributeDef {
  std::string name;
  Entity entity;
  AttrType type;
  Sensitivity sensitivity;
  std::string source;                   // the system of record, e.g. "self", "revenue", "uidai"
  std::vector<std::string> enum_values;  // for kEnum
  int64_t min = 0, max = 0;             // for kInt when max > min
  bool column = false;                  // stored in its own column (name, dob, ...), not attrs
  std::string description;
};

class Catalogue {
 public:
  // The default catalogue (docs/household-format.md).
  static const Catalogue& Default();

  const AttributeDef* Find(Entity entity, std::string_view name) const;
  const std::vector<AttributeDef>& all() const { return defs_; }

  // Checks a JSON value against the attribute's type and returns it in stored form (money in
  // paise as an integer). INVALID_ARGUMENT names the attribute and what was expected.
  Result<nlohmann::json> Normalize(const AttributeDef& def, const nlohmann::json& value) const;

 private:
  explicit Catalogue(std::vector<AttributeDef> defs) : defs_(std::move(defs)) {}
  std::vector<AttributeDef> defs_;
};

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_CATALOGUE_H_
