// The household and member records as they enter the registry (from a file line, the API or a
// change request), and their validation: formats, check digits, dates, the catalogue, and
// Jan Aadhaar's head-of-family rule. docs/household-format.md is the specification.
#ifndef SPODE_REGISTRY_HOUSEHOLD_H_
#define SPODE_REGISTRY_HOUSEHOLD_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/date.h"
#include "common/result.h"

namespace spode::registry {

inline constexpr int kMaxMembers = 30;
inline constexpr size_t kMaxNameBytes = 300;  // 100 characters of Devanagari

struct BankAccountInput {
  std::string ifsc;
  std::string account_number;
  std::string holder_name;
};

struct MemberInput {
  std::string member_id;  // empty: assign
  std::string name;
  std::string name_local;
  Date dob;
  std::string sex;           // F, M, T
  std::string relationship;  // head, spouse, ...
  std::string national_id;   // empty: none. Only ever passed on to the vault.
  std::string phone;
  std::optional<BankAccountInput> bank_account;
  // Catalogue attributes as a JSON object text, normalised (money in paise), keys sorted.
  std::string attributes = "{}";
};

struct AddressInput {
  std::string state, district, block, village;
  std::string district_name, block_name, village_name;
};

struct ProvenanceInput {
  std::string source = "import";
  Date as_of;
  std::string verification = "self_declared";
};

struct HouseholdInput {
  std::string family_id;  // empty: assign
  AddressInput address;
  std::string attributes = "{}";  // as for MemberInput
  std::vector<MemberInput> members;
  ProvenanceInput provenance;
};

// Parses and validates one household from JSON text (simdjson; reuses a per-thread parser). `today` bounds dates of birth and is the
// default provenance date. INVALID_ARGUMENT with a reason a person can act on, naming the field
// and, for members, their position ("members[2].dob: no such date: 2023-02-29").
Result<HouseholdInput> ParseHousehold(std::string_view json_text, Date today);

// The same for an already-parsed JSON document (the API).
Result<HouseholdInput> HouseholdFromJson(const nlohmann::json& doc, Date today);

// Checks the head-of-family rule at `as_of` (ages on that date); INVALID_ARGUMENT naming who
// should be head. Import applies it at the record's provenance date.
Status CheckHeadRule(const std::vector<MemberInput>& members, Date today);

// Field formats.
bool ValidFamilyId(std::string_view id);    // 10 digits, Verhoeff
bool ValidMemberId(std::string_view id);    // 11 digits, Verhoeff
bool ValidNationalId(std::string_view id);  // 12 digits, first 2-9, Verhoeff
bool ValidIfsc(std::string_view ifsc);
bool ValidPhone(std::string_view phone);
bool ValidUtf8(std::string_view text);

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_HOUSEHOLD_H_
