#include "registry/household.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "common/json_writer.h"
#include "common/money.h"
#include "common/verhoeff.h"
#include "registry/catalogue.h"

namespace spode::registry {
namespace {

namespace dom = simdjson::dom;

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status Bad(std::string_view where, std::string_view why) {
  return InvalidArgumentError(std::string(where) + ": " + std::string(why));
}

std::string Join(std::string_view where, std::string_view key) {
  return where.empty() ? std::string(key) : std::string(where) + "." + std::string(key);
}

// Rejects fields not in `allowed`, and a field given twice.
Status CheckFields(dom::object obj, std::string_view where,
                   std::initializer_list<std::string_view> allowed) {
  uint32_t seen = 0;  // one bit per allowed field (at most 32)
  for (auto field : obj) {
    uint32_t bit = 0, i = 0;
    for (std::string_view a : allowed) {
      if (field.key == a) bit = 1u << i;
      ++i;
    }
    if (bit == 0) return Bad(Join(where, field.key), "unknown field");
    if (seen & bit) return Bad(Join(where, field.key), "given twice");
    seen |= bit;
  }
  return OkStatus();
}

// The field, or nullopt when absent or null.
std::optional<dom::element> Field(dom::object obj, std::string_view key) {
  dom::element e;
  if (obj.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

Result<std::string> GetString(dom::object obj, std::string_view where, std::string_view key,
                              bool required, size_t max_bytes) {
  auto e = Field(obj, key);
  if (!e) {
    if (required) return Bad(Join(where, key), "missing");
    return std::string();
  }
  std::string_view s;
  if (e->get_string().get(s) != simdjson::SUCCESS) return Bad(Join(where, key), "must be a string");
  if (required && s.empty()) return Bad(Join(where, key), "is empty");
  if (s.size() > max_bytes) {
    return Bad(Join(where, key), "longer than " + std::to_string(max_bytes) + " bytes");
  }
  return std::string(s);
}

// Checks one attribute value against the catalogue and appends its stored JSON form. `path()`
// names the value in an error, and is called only then: an import's every attribute would
// otherwise build its path for nothing.
template <typename Path>
Status AppendAttribute(const AttributeDef& def, dom::element v, const Path& path,
                       std::string* out) {
  auto bad = [&](std::string_view want) { return Bad(path(), "must be " + std::string(want)); };
  switch (def.type) {
    case AttrType::kInt: {
      int64_t i;
      if (v.get_int64().get(i) != simdjson::SUCCESS) return bad("an integer");
      if (def.max > def.min && (i < def.min || i > def.max)) {
        return bad("between " + std::to_string(def.min) + " and " + std::to_string(def.max));
      }
      out->append(std::to_string(i));
      return OkStatus();
    }
    case AttrType::kMoney: {
      int64_t paise;
      std::string_view text;
      if (v.get_int64().get(paise) == simdjson::SUCCESS) {
      } else if (v.get_string().get(text) == simdjson::SUCCESS) {
        auto m = Money::Parse(text);
        if (!m.ok()) return bad("an amount in paise or rupees (" + m.status().message() + ")");
        paise = m->paise();
      } else {
        return bad("an integer number of paise or a string in rupees");
      }
      if (paise < 0) return bad("zero or more");
      out->append(std::to_string(paise));
      return OkStatus();
    }
    case AttrType::kBool: {
      bool b;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return bad("true or false");
      out->append(b ? "true" : "false");
      return OkStatus();
    }
    case AttrType::kEnum: {
      std::string_view s;
      if (v.get_string().get(s) == simdjson::SUCCESS) {
        for (const std::string& e : def.enum_values) {
          if (s == e) {
            AppendJsonString(*out, s);
            return OkStatus();
          }
        }
      }
      std::string list;
      for (const std::string& e : def.enum_values) list += (list.empty() ? "" : ", ") + e;
      return bad("one of " + list);
    }
    case AttrType::kDate: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS || !Date::Parse(s).ok()) {
        return bad("a date YYYY-MM-DD");
      }
      AppendJsonString(*out, s);
      return OkStatus();
    }
    case AttrType::kString: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return bad("a string");
      if (s.size() > 200) return bad("at most 200 bytes");
      AppendJsonString(*out, s);
      return OkStatus();
    }
  }
  return bad("a known type");
}

Result<std::string> Attributes(dom::object obj, std::string_view where, Entity entity) {
  auto e = Field(obj, "attributes");
  if (!e) return std::string("{}");
  auto w = [&] { return Join(where, "attributes"); };  // for errors only
  dom::object attrs;
  if (e->get_object().get(attrs) != simdjson::SUCCESS) return Bad(w(), "must be an object");
  const Catalogue& cat = Catalogue::Default();
  struct Entry {
    std::string_view key;
    dom::element value;
    const AttributeDef* def;
  };
  std::vector<Entry> sorted;
  for (auto field : attrs) {
    const AttributeDef* def = cat.Find(entity, field.key);
    if (def == nullptr || def->column) {
      return Bad(Join(w(), field.key), "not a " + std::string(EntityName(entity)) +
                                         " attribute in the catalogue");
    }
    sorted.push_back({field.key, field.value, def});
  }
  std::sort(sorted.begin(), sorted.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i].key == sorted[i - 1].key) return Bad(Join(w(), sorted[i].key), "given twice");
  }
  std::string out = "{";
  for (const Entry& e : sorted) {
    if (e.value.is_null()) continue;
    if (out.size() > 1) out += ',';
    AppendJsonString(out, e.key);
    out += ':';
    RETURN_IF_ERROR(AppendAttribute(*e.def, e.value, [&] { return Join(w(), e.key); }, &out));
  }
  out += '}';
  return out;
}

Result<MemberInput> ParseMember(dom::element e, const std::string& where, Date today) {
  dom::object m;
  if (e.get_object().get(m) != simdjson::SUCCESS) return Bad(where, "must be an object");
  RETURN_IF_ERROR(CheckFields(m, where,
                              {"member_id", "name", "name_local", "dob", "sex", "relationship",
                               "national_id", "phone", "bank_account", "attributes"}));
  MemberInput out;
  ASSIGN_OR_RETURN(out.member_id, GetString(m, where, "member_id", false, 11));
  if (!out.member_id.empty() && !ValidMemberId(out.member_id)) {
    return Bad(where + ".member_id", "must be 11 digits with a valid check digit");
  }
  ASSIGN_OR_RETURN(out.name, GetString(m, where, "name", true, kMaxNameBytes));
  ASSIGN_OR_RETURN(out.name_local, GetString(m, where, "name_local", false, kMaxNameBytes));
  ASSIGN_OR_RETURN(std::string dob, GetString(m, where, "dob", true, 10));
  auto date = Date::Parse(dob);
  if (!date.ok()) return Bad(where + ".dob", date.status().message());
  if (*date > today) return Bad(where + ".dob", "is in the future");
  if (date->year() < 1900) return Bad(where + ".dob", "is before 1900");
  out.dob = *date;
  ASSIGN_OR_RETURN(out.sex, GetString(m, where, "sex", true, 1));
  if (out.sex != "F" && out.sex != "M" && out.sex != "T") {
    return Bad(where + ".sex", "must be F, M or T");
  }
  ASSIGN_OR_RETURN(out.relationship, GetString(m, where, "relationship", true, 20));
  const AttributeDef* rel = Catalogue::Default().Find(Entity::kMember, "relationship");
  bool known = false;
  for (const std::string& r : rel->enum_values) known = known || r == out.relationship;
  if (!known) {
    return Bad(where + ".relationship",
               "must be one of head, spouse, son, daughter, father, mother, brother, sister, "
               "son_in_law, daughter_in_law, grandson, granddaughter, other");
  }
  ASSIGN_OR_RETURN(out.national_id, GetString(m, where, "national_id", false, 12));
  if (!out.national_id.empty() && !ValidNationalId(out.national_id)) {
    // The number itself is never repeated in a message.
    return Bad(where + ".national_id",
               "must be 12 digits, not starting with 0 or 1, with a valid check digit");
  }
  ASSIGN_OR_RETURN(out.phone, GetString(m, where, "phone", false, 10));
  if (!out.phone.empty() && !ValidPhone(out.phone)) {
    return Bad(where + ".phone", "must be 10 digits starting with 6, 7, 8 or 9");
  }
  if (auto b = Field(m, "bank_account")) {
    std::string bw = where + ".bank_account";
    dom::object bo;
    if (b->get_object().get(bo) != simdjson::SUCCESS) return Bad(bw, "must be an object");
    RETURN_IF_ERROR(CheckFields(bo, bw, {"ifsc", "account_number", "holder_name"}));
    BankAccountInput acct;
    ASSIGN_OR_RETURN(acct.ifsc, GetString(bo, bw, "ifsc", true, 11));
    if (!ValidIfsc(acct.ifsc)) {
      return Bad(bw + ".ifsc", "must be 4 capital letters, a 0, then 6 letters or digits");
    }
    ASSIGN_OR_RETURN(acct.account_number, GetString(bo, bw, "account_number", true, 18));
    if (acct.account_number.size() < 9 || !AllDigits(acct.account_number)) {
      return Bad(bw + ".account_number", "must be 9 to 18 digits");
    }
    ASSIGN_OR_RETURN(acct.holder_name, GetString(bo, bw, "holder_name", false, kMaxNameBytes));
    out.bank_account = std::move(acct);
  }
  ASSIGN_OR_RETURN(out.attributes, Attributes(m, where, Entity::kMember));
  return out;
}

Status CheckCode(const std::string& code, size_t digits, const std::string& parent,
                 const char* name) {
  std::string w = std::string("address.") + name;
  if (code.size() != digits || !AllDigits(code)) {
    return Bad(w, "must be " + std::to_string(digits) + " digits");
  }
  if (!parent.empty() && !code.starts_with(parent)) {
    return Bad(w, "must begin with its parent's code " + parent);
  }
  return OkStatus();
}

Result<HouseholdInput> FromDocument(dom::element root, Date today) {
  dom::object doc;
  if (root.get_object().get(doc) != simdjson::SUCCESS) {
    return InvalidArgumentError("a household must be a JSON object");
  }
  RETURN_IF_ERROR(
      CheckFields(doc, "", {"family_id", "address", "attributes", "members", "provenance"}));
  HouseholdInput h;
  ASSIGN_OR_RETURN(h.family_id, GetString(doc, "", "family_id", false, 10));
  if (!h.family_id.empty() && !ValidFamilyId(h.family_id)) {
    return Bad("family_id", "must be 10 digits with a valid check digit");
  }
  auto addr_e = Field(doc, "address");
  if (!addr_e) return Bad("address", "missing");
  dom::object addr;
  if (addr_e->get_object().get(addr) != simdjson::SUCCESS) return Bad("address", "must be an object");
  RETURN_IF_ERROR(CheckFields(addr, "address",
                              {"state", "district", "block", "village", "district_name",
                               "block_name", "village_name"}));
  ASSIGN_OR_RETURN(h.address.state, GetString(addr, "address", "state", true, 2));
  ASSIGN_OR_RETURN(h.address.district, GetString(addr, "address", "district", true, 4));
  ASSIGN_OR_RETURN(h.address.block, GetString(addr, "address", "block", true, 6));
  ASSIGN_OR_RETURN(h.address.village, GetString(addr, "address", "village", true, 9));
  RETURN_IF_ERROR(CheckCode(h.address.state, 2, "", "state"));
  RETURN_IF_ERROR(CheckCode(h.address.district, 4, h.address.state, "district"));
  RETURN_IF_ERROR(CheckCode(h.address.block, 6, h.address.district, "block"));
  RETURN_IF_ERROR(CheckCode(h.address.village, 9, h.address.block, "village"));
  ASSIGN_OR_RETURN(h.address.district_name,
                   GetString(addr, "address", "district_name", false, kMaxNameBytes));
  ASSIGN_OR_RETURN(h.address.block_name,
                   GetString(addr, "address", "block_name", false, kMaxNameBytes));
  ASSIGN_OR_RETURN(h.address.village_name,
                   GetString(addr, "address", "village_name", false, kMaxNameBytes));
  ASSIGN_OR_RETURN(h.attributes, Attributes(doc, "", Entity::kHousehold));

  h.provenance.as_of = today;
  if (auto p_e = Field(doc, "provenance")) {
    dom::object p;
    if (p_e->get_object().get(p) != simdjson::SUCCESS) return Bad("provenance", "must be an object");
    RETURN_IF_ERROR(CheckFields(p, "provenance", {"source", "as_of", "verification"}));
    ASSIGN_OR_RETURN(std::string source, GetString(p, "provenance", "source", false, 40));
    if (!source.empty()) h.provenance.source = source;
    ASSIGN_OR_RETURN(std::string as_of, GetString(p, "provenance", "as_of", false, 10));
    if (!as_of.empty()) {
      auto d = Date::Parse(as_of);
      if (!d.ok()) return Bad("provenance.as_of", d.status().message());
      if (*d > today) return Bad("provenance.as_of", "is in the future");
      h.provenance.as_of = *d;
    }
    ASSIGN_OR_RETURN(std::string ver, GetString(p, "provenance", "verification", false, 20));
    if (!ver.empty()) {
      if (ver != "self_declared" && ver != "operator_checked" && ver != "officer_verified" &&
          ver != "registry_verified") {
        return Bad("provenance.verification",
                   "must be self_declared, operator_checked, officer_verified or "
                   "registry_verified");
      }
      h.provenance.verification = ver;
    }
  }

  auto members_e = Field(doc, "members");
  if (!members_e) return Bad("members", "missing");
  dom::array members;
  if (members_e->get_array().get(members) != simdjson::SUCCESS) {
    return Bad("members", "must be an array");
  }
  if (members.size() == 0) return Bad("members", "a household needs at least one member");
  if (members.size() > kMaxMembers) {
    return Bad("members", "more than " + std::to_string(kMaxMembers) + " members");
  }
  std::set<std::string> ids, national_ids;
  size_t i = 0;
  for (dom::element me : members) {
    std::string where = "members[" + std::to_string(i++) + "]";
    ASSIGN_OR_RETURN(MemberInput m, ParseMember(me, where, today));
    if (!m.member_id.empty() && !ids.insert(m.member_id).second) {
      return Bad(where + ".member_id", "appears twice in the household");
    }
    if (!m.national_id.empty() && !national_ids.insert(m.national_id).second) {
      return Bad(where + ".national_id", "is the same as another member's");
    }
    h.members.push_back(std::move(m));
  }
  // The head rule holds as of the date the data describes: a daughter who has turned 18 since
  // does not make an enrolled family's record invalid.
  RETURN_IF_ERROR(CheckHeadRule(h.members, h.provenance.as_of));
  return h;
}

}  // namespace

bool ValidFamilyId(std::string_view id) { return id.size() == 10 && VerhoeffValid(id); }
bool ValidMemberId(std::string_view id) { return id.size() == 11 && VerhoeffValid(id); }
bool ValidNationalId(std::string_view id) {
  return id.size() == 12 && id[0] >= '2' && VerhoeffValid(id);
}
bool ValidIfsc(std::string_view s) {
  if (s.size() != 11 || s[4] != '0') return false;
  for (int i = 0; i < 4; ++i) {
    if (s[i] < 'A' || s[i] > 'Z') return false;
  }
  for (int i = 5; i < 11; ++i) {
    bool ok = (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9');
    if (!ok) return false;
  }
  return true;
}
bool ValidPhone(std::string_view p) { return p.size() == 10 && AllDigits(p) && p[0] >= '6'; }

bool ValidUtf8(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

Status CheckHeadRule(const std::vector<MemberInput>& members, Date today) {
  const MemberInput* head = nullptr;
  int heads = 0;
  for (const MemberInput& m : members) {
    if (m.relationship == "head") {
      head = &m;
      ++heads;
    }
  }
  if (heads == 0) return InvalidArgumentError("members: the household has no head");
  if (heads > 1) {
    return InvalidArgumentError("members: the household has " + std::to_string(heads) +
                                " heads; it must have exactly one");
  }
  auto age = [&](const MemberInput& m) { return m.dob.YearsUntil(today); };
  bool has_woman = false, has_man = false;
  Date eldest = members.front().dob;
  for (const MemberInput& m : members) {
    has_woman = has_woman || (m.sex == "F" && age(m) >= 18);
    has_man = has_man || (m.sex == "M" && age(m) >= 21);
    if (m.dob < eldest) eldest = m.dob;
  }
  if (has_woman) {
    if (head->sex == "F" && age(*head) >= 18) return OkStatus();
    return InvalidArgumentError(
        "members: the head must be a woman aged 18 or over, since the household has one "
        "(Jan Aadhaar head-of-family rule)");
  }
  if (has_man) {
    if (head->sex == "M" && age(*head) >= 21) return OkStatus();
    return InvalidArgumentError(
        "members: the head must be a man aged 21 or over, since the household has no woman "
        "aged 18 or over and has such a man (Jan Aadhaar head-of-family rule)");
  }
  if (head->dob == eldest) return OkStatus();
  return InvalidArgumentError(
      "members: the head must be the eldest member, since the household has no woman aged 18 "
      "or over and no man aged 21 or over (Jan Aadhaar head-of-family rule)");
}

Result<HouseholdInput> ParseHousehold(std::string_view text, Date today) {
  thread_local dom::parser parser;
  if (!ValidUtf8(text)) return InvalidArgumentError("the line is not valid UTF-8");
  dom::element root;
  auto error = parser.parse(text.data(), text.size(), true).get(root);
  if (error != simdjson::SUCCESS) {
    return InvalidArgumentError(std::string("malformed JSON: ") + simdjson::error_message(error));
  }
  return FromDocument(root, today);
}

Result<HouseholdInput> HouseholdFromJson(const nlohmann::json& doc, Date today) {
  return ParseHousehold(doc.dump(), today);
}

}  // namespace spode::registry
