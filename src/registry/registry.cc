#include "registry/registry.h"

#include <cassert>
#include <map>
#include <mutex>
#include <set>

#include "common/json_writer.h"
#include "common/log.h"
#include "registry/catalogue.h"
#include "registry/change_feed.h"
#include "registry/household.h"
#include "registry/importer.h"

namespace spode::registry {
namespace {

using nlohmann::json;

constexpr std::string_view kMemberCols =
    "member_idx, member_id, household_idx, name, name_local, dob, sex, relationship, phone, "
    "id_last4, attrs, prov_id, attr_prov, status, version, valid_from_us";

// The stored record of a member row (the columns above from `name`), as kept in history.
json MemberRecord(const storage::Row& r) {
  return json{{"name", r.Text(3)},
              {"name_local", r.IsNull(4) ? json(nullptr) : json(r.Text(4))},
              {"dob", r.Text(5)},
              {"sex", r.Text(6)},
              {"relationship", r.Text(7)},
              {"phone", r.IsNull(8) ? json(nullptr) : json(r.Text(8))},
              {"id_last4", r.IsNull(9) ? json(nullptr) : json(r.Text(9))},
              {"attrs", json::parse(r.Text(10))},
              {"prov_id", r.Int(11)},
              {"attr_prov", json::parse(r.Text(12))},
              {"status", r.Text(13)},
              {"version", r.Int(14)}};
}

// A phone number as views show it: its last four digits.
std::string MaskPhone(std::string_view p) {
  return p.size() == 10 ? "XXXXXX" + std::string(p.substr(6)) : "";
}

// A bank account as views show it, from its last four digits.
std::string MaskAccount(std::string_view last4) { return "XXXXXXXX" + std::string(last4); }

}  // namespace

Result<json> Registry::ProvenanceView(int64_t prov_id) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT source, as_of, verification, channel FROM "
                                          "provenance WHERE prov_id = ?",
                                          {prov_id}));
  if (!row) return json(nullptr);
  return json{{"source", row->Text(0)},
              {"as_of", row->Text(1)},
              {"verification", row->Text(2)},
              {"channel", row->Text(3)}};
}

Result<json> Registry::MemberView(int64_t member_idx, std::optional<Timestamp> as_of) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT " + std::string(kMemberCols) +
                                              " FROM members WHERE member_idx = ?",
                                          {member_idx}));
  if (!row) return NotFoundError("no such member");
  json record = MemberRecord(*row);
  int64_t valid_from = row->Int(15);
  if (as_of && as_of->micros < valid_from) {
    ASSIGN_OR_RETURN(auto old, db_.QueryOne("SELECT record FROM member_versions WHERE "
                                            "member_idx = ? AND valid_from_us <= ? AND "
                                            "valid_to_us > ?",
                                            {member_idx, as_of->micros, as_of->micros}));
    if (!old) return NotFoundError("the member was not in the registry at " + as_of->ToString());
    record = json::parse(old->Text(0));
  }
  json view = {{"member_id", row->Text(1)},
               {"name", record["name"]},
               {"name_local", record["name_local"]},
               {"dob", record["dob"]},
               {"sex", record["sex"]},
               {"relationship", record["relationship"]},
               {"status", record["status"]},
               {"version", record["version"]},
               {"national_id", record["id_last4"].is_string()
                                   ? json(MaskNationalId(record["id_last4"].get<std::string>()))
                                   : json(nullptr)},
               {"phone", record["phone"].is_string()
                             ? json(MaskPhone(record["phone"].get_ref<const std::string&>()))
                                                     : json(nullptr)},
               {"attributes", record["attrs"]}};
  ASSIGN_OR_RETURN(view["provenance"], ProvenanceView(record["prov_id"].get<int64_t>()));
  json attr_sources = json::object();
  for (auto it = record["attr_prov"].begin(); it != record["attr_prov"].end(); ++it) {
    ASSIGN_OR_RETURN(attr_sources[it.key()], ProvenanceView(it.value().get<int64_t>()));
  }
  view["attribute_provenance"] = attr_sources;
  ASSIGN_OR_RETURN(auto bank, db_.QueryOne("SELECT ifsc, account_last4 FROM bank_accounts WHERE "
                                           "member_idx = ?",
                                           {member_idx}));
  view["bank_account"] = bank ? json{{"ifsc", bank->Text(0)},
                                     {"account", MaskAccount(bank->Text(1))}}
                              : json(nullptr);
  return view;
}

namespace {

// Writes the keys of one object that its allowlist names (all of them without a list). The
// keys are asked for in sorted order (the views' keys are sorted), so the allowlist, sorted too,
// is walked once beside them instead of searched for each key.
class ViewWriter {
 public:
  ViewWriter(JsonWriter& w, const ViewFields* fields) : w_(w), fields_(fields) {
    if (fields_ != nullptr) next_ = fields_->begin();
  }
  // True when `key` may be shown: the key is then written, and its value must follow.
  bool Show(std::string_view key) {
    assert(last_.empty() || last_ < key);  // out of order, a key would be hidden wrongly
#ifndef NDEBUG
    last_ = key;
#endif
    if (fields_ != nullptr) {
      while (next_ != fields_->end() && *next_ < key) ++next_;
      if (next_ == fields_->end() || *next_ != key) return false;
      ++next_;
    }
    w_.Key(key);
    return true;
  }

 private:
  JsonWriter& w_;
  const ViewFields* fields_;
  ViewFields::const_iterator next_;
  std::string_view last_;  // the key asked for last (checked in debug builds)
};

// {"as_of", "channel", "source", "verification"}, or null when there is no such provenance row.
void WriteProvenance(JsonWriter& w, bool found, std::string_view source, std::string_view as_of,
                     std::string_view verification, std::string_view channel) {
  if (!found) {
    w.Null();
    return;
  }
  w.BeginObject();
  w.Key("as_of").String(as_of);
  w.Key("channel").String(channel);
  w.Key("source").String(source);
  w.Key("verification").String(verification);
  w.EndObject();
}

}  // namespace

std::optional<std::string> PlaceNames::Find(std::string_view code) const {
  std::shared_lock lock(mu_);
  auto it = names_.find(code);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

void PlaceNames::Add(std::string code, std::string name) {
  std::unique_lock lock(mu_);
  if (names_.size() < kMost) names_.try_emplace(std::move(code), std::move(name));
}

// A place's name ("" for an unknown code), from the names kept or else the places table.
Result<std::string> Registry::PlaceName(const std::string& code) {
  if (std::optional<std::string> name = places_->Find(code)) return std::move(*name);
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT name FROM places WHERE code = ?", {code}));
  if (!row) return std::string();
  places_->Add(code, row->Text(0));
  return row->Text(0);
}

Result<std::optional<HouseholdHead>> Registry::FindHousehold(std::string_view family_id) {
  // Stepped in place rather than through QueryOne: each text is copied once, into the head.
  ASSIGN_OR_RETURN(storage::Statement * s, db_.Cached(kHouseholdHeadSql));
  s->BindText(1, family_id);
  Result<bool> found = s->Step();
  if (!found.ok() || !*found) {
    s->Reset();
    if (!found.ok()) return found.status();
    return std::optional<HouseholdHead>();
  }
  auto text = [&](int column) { return std::string(s->ColumnText(column)); };
  HouseholdHead h{.household_idx = s->ColumnInt(0),
                  .family_id = text(1),
                  .state = text(2),
                  .district = text(3),
                  .block = text(4),
                  .village = text(5),
                  .district_name = {},
                  .block_name = {},
                  .village_name = {},
                  .status = text(6),
                  .version = s->ColumnInt(7),
                  .attrs = text(8),
                  .attr_prov = text(9),
                  .prov_source = text(10),
                  .prov_as_of = text(11),
                  .prov_verification = text(12),
                  .prov_channel = text(13)};
  s->Reset();
  ASSIGN_OR_RETURN(h.district_name, PlaceName(h.district));
  ASSIGN_OR_RETURN(h.block_name, PlaceName(h.block));
  ASSIGN_OR_RETURN(h.village_name, PlaceName(h.village));
  return std::optional<HouseholdHead>(std::move(h));
}

// {"attribute": its provenance, ...} for a record's attr_prov ({"attribute": prov_id, ...}).
// Most records have none and write {} without a query.
Status Registry::WriteAttributeSources(std::string_view attr_prov, JsonWriter& w) {
  w.BeginObject();
  if (attr_prov != "{}") {
    json ids = json::parse(attr_prov);
    for (auto it = ids.begin(); it != ids.end(); ++it) {
      ASSIGN_OR_RETURN(json provenance, ProvenanceView(it.value().get<int64_t>()));
      w.Key(it.key()).Raw(provenance.dump());
    }
  }
  w.EndObject();
  return OkStatus();
}

Status Registry::WriteHousehold(const HouseholdHead& h, std::string& out,
                                const ViewFields* household_fields,
                                const ViewFields* member_fields) {
  JsonWriter w(out);
  ViewWriter view(w, household_fields);
  w.BeginObject();
  if (view.Show("address")) {
    w.BeginObject();
    w.Key("block").String(h.block);
    w.Key("block_name").String(h.block_name);
    w.Key("district").String(h.district);
    w.Key("district_name").String(h.district_name);
    w.Key("state").String(h.state);
    w.Key("village").String(h.village);
    w.Key("village_name").String(h.village_name);
    w.EndObject();
  }
  if (view.Show("attributes")) w.Raw(h.attrs);
  if (view.Show("family_id")) w.String(h.family_id);
  if (view.Show("members")) {
    ASSIGN_OR_RETURN(storage::Statement * s, db_.Cached(kMembersViewSql));
    s->BindInt(1, h.household_idx);
    // Each member is written as its row is stepped (the row's text is read in place).
    auto members = [&]() -> Status {
      w.BeginArray();
      for (;;) {
        ASSIGN_OR_RETURN(bool more, s->Step());
        if (!more) break;
        auto text_or_null = [&](int column) {
          s->ColumnIsNull(column) ? w.Null() : w.String(s->ColumnText(column));
        };
        ViewWriter member(w, member_fields);
        w.BeginObject();
        if (member.Show("attribute_provenance")) {
          RETURN_IF_ERROR(WriteAttributeSources(s->ColumnText(9), w));
        }
        if (member.Show("attributes")) w.Raw(s->ColumnText(8));
        if (member.Show("bank_account")) {
          if (s->ColumnIsNull(12)) {
            w.Null();
          } else {
            w.BeginObject();
            w.Key("account").String(MaskAccount(s->ColumnText(13)));
            w.Key("ifsc").String(s->ColumnText(12));
            w.EndObject();
          }
        }
        if (member.Show("dob")) w.String(s->ColumnText(3));
        if (member.Show("member_id")) w.String(s->ColumnText(0));
        if (member.Show("name")) w.String(s->ColumnText(1));
        if (member.Show("name_local")) text_or_null(2);
        if (member.Show("national_id")) {
          s->ColumnIsNull(7) ? w.Null() : w.String(MaskNationalId(s->ColumnText(7)));
        }
        if (member.Show("phone")) {
          s->ColumnIsNull(6) ? w.Null() : w.String(MaskPhone(s->ColumnText(6)));
        }
        if (member.Show("provenance")) {
          WriteProvenance(w, !s->ColumnIsNull(14), s->ColumnText(14), s->ColumnText(15),
                          s->ColumnText(16), s->ColumnText(17));
        }
        if (member.Show("relationship")) w.String(s->ColumnText(5));
        if (member.Show("sex")) w.String(s->ColumnText(4));
        if (member.Show("status")) w.String(s->ColumnText(10));
        if (member.Show("version")) w.Int(s->ColumnInt(11));
        w.EndObject();
      }
      w.EndArray();
      return OkStatus();
    };
    Status written = members();
    s->Reset();
    RETURN_IF_ERROR(written);
  }
  if (view.Show("provenance")) {
    WriteProvenance(w, !h.prov_source.empty(), h.prov_source, h.prov_as_of,
                    h.prov_verification, h.prov_channel);
  }
  if (view.Show("status")) w.String(h.status);
  if (view.Show("version")) w.Int(h.version);
  w.EndObject();
  return OkStatus();
}

Result<json> Registry::GetHousehold(std::string_view family_id, std::optional<Timestamp> as_of) {
  if (!as_of) {
    ASSIGN_OR_RETURN(auto head, FindHousehold(family_id));
    if (!head) return NotFoundError("no household with family ID " + std::string(family_id));
    std::string text;
    RETURN_IF_ERROR(WriteHousehold(*head, text));
    return json::parse(text);
  }
  ASSIGN_OR_RETURN(auto row,
                   db_.QueryOne("SELECT household_idx, family_id, state_code, district_code, "
                                "block_code, village_code, attrs, prov_id, status, version, "
                                "valid_from_us FROM households WHERE family_id = ?",
                                {std::string(family_id)}));
  if (!row) return NotFoundError("no household with family ID " + std::string(family_id));
  int64_t hidx = row->Int(0);
  json attrs = json::parse(row->Text(6));
  int64_t prov_id = row->Int(7);
  std::string status = row->Text(8);
  int64_t version = row->Int(9);
  if (as_of && as_of->micros < row->Int(10)) {
    ASSIGN_OR_RETURN(auto old, db_.QueryOne("SELECT record FROM household_versions WHERE "
                                            "household_idx = ? AND valid_from_us <= ? AND "
                                            "valid_to_us > ?",
                                            {hidx, as_of->micros, as_of->micros}));
    if (!old) {
      return NotFoundError("household " + std::string(family_id) + " was not in the registry at " +
                           as_of->ToString());
    }
    json rec = json::parse(old->Text(0));
    attrs = rec["attrs"];
    prov_id = rec["prov_id"];
    status = rec["status"];
    version = rec["version"];
  }
  json names = json::object();
  for (int i = 2; i <= 5; ++i) {
    ASSIGN_OR_RETURN(auto place, db_.QueryOne("SELECT name FROM places WHERE code = ?",
                                              {row->Text(static_cast<size_t>(i))}));
    names[std::to_string(i)] = place ? place->Text(0) : "";
  }
  json view = {{"family_id", row->Text(1)},
               {"status", status},
               {"version", version},
               {"address",
                {{"state", row->Text(2)},
                 {"district", row->Text(3)},
                 {"district_name", names["3"]},
                 {"block", row->Text(4)},
                 {"block_name", names["4"]},
                 {"village", row->Text(5)},
                 {"village_name", names["5"]}}},
               {"attributes", attrs},
               {"members", json::array()}};
  ASSIGN_OR_RETURN(view["provenance"], ProvenanceView(prov_id));
  ASSIGN_OR_RETURN(auto members, db_.Query("SELECT member_idx FROM members WHERE household_idx = "
                                           "? ORDER BY member_idx",
                                           {hidx}));
  for (const storage::Row& m : members) {
    auto mv = MemberView(m.Int(0), as_of);
    if (!mv.ok()) {
      if (mv.status().code() == StatusCode::kNotFound) continue;  // joined later
      return mv.status();
    }
    view["members"].push_back(std::move(*mv));
  }
  return view;
}

Result<json> Registry::GetMember(std::string_view member_id, std::optional<Timestamp> as_of) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT m.member_idx, h.family_id FROM members m JOIN "
                                          "households h ON h.household_idx = m.household_idx "
                                          "WHERE m.member_id = ?",
                                          {std::string(member_id)}));
  if (!row) return NotFoundError("no member with ID " + std::string(member_id));
  ASSIGN_OR_RETURN(json view, MemberView(row->Int(0), as_of));
  view["family_id"] = row->Text(1);
  return view;
}

Result<std::string> Registry::FindByNationalId(std::string_view national_id) {
  if (!ValidNationalId(national_id)) {
    return InvalidArgumentError("not a valid national ID number (12 digits, check digit)");
  }
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT m.member_id FROM vault v JOIN members m ON "
                                          "m.member_idx = v.member_idx WHERE v.id_token = ?",
                                          {storage::Blob{key_.Token(national_id)}}));
  if (!row) return NotFoundError("no member holds that national ID");
  return row->Text(0);
}

Result<int64_t> Registry::SubmitChange(const ChangeRequestInput& in) {
  static const std::set<std::string> kChannels = {"self", "operator", "officer", "external"};
  if (!kChannels.count(in.channel)) {
    return InvalidArgumentError("channel must be self, operator, officer or external");
  }
  if (in.submitted_by.empty()) return InvalidArgumentError("submitted_by is required");
  if (in.reason.empty()) return InvalidArgumentError("a change request needs a reason");
  if (!in.changes.is_object() || in.changes.empty()) {
    return InvalidArgumentError("changes must be a non-empty object of attribute: value");
  }
  Entity entity = in.member_id.empty() ? Entity::kHousehold : Entity::kMember;
  int64_t hidx = 0;
  storage::Value midx = storage::Null{};
  if (entity == Entity::kMember) {
    ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT household_idx, member_idx FROM members WHERE "
                                            "member_id = ?",
                                            {in.member_id}));
    if (!row) return NotFoundError("no member with ID " + in.member_id);
    hidx = row->Int(0);
    midx = row->Int(1);
  } else {
    ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT household_idx FROM households WHERE "
                                            "family_id = ?",
                                            {in.family_id}));
    if (!row) return NotFoundError("no household with family ID " + in.family_id);
    hidx = row->Int(0);
  }
  const Catalogue& cat = Catalogue::Default();
  json normalized = json::object();
  for (auto it = in.changes.begin(); it != in.changes.end(); ++it) {
    const AttributeDef* def = cat.Find(entity, it.key());
    if (def == nullptr) {
      return InvalidArgumentError("changes." + it.key() + ": not a " +
                                  std::string(EntityName(entity)) + " attribute");
    }
    if (def->name == "relationship") {
      return InvalidArgumentError("changes.relationship: the head of a family changes through "
                                  "a household change, not a member's");
    }
    if (it.value().is_null()) {
      if (def->column && def->name != "name_local" && def->name != "phone") {
        return InvalidArgumentError("changes." + it.key() + ": cannot be removed");
      }
      normalized[it.key()] = nullptr;
      continue;
    }
    auto v = cat.Normalize(*def, it.value());
    if (!v.ok()) return InvalidArgumentError("changes." + it.key() + ": " + v.status().message());
    if (def->name == "dob" && Date::Parse(v->get<std::string>()).value() > clock_.Today()) {
      return InvalidArgumentError("changes.dob: is in the future");
    }
    if (def->name == "phone" && !ValidPhone(v->get<std::string>())) {
      return InvalidArgumentError("changes.phone: must be 10 digits starting with 6, 7, 8 or 9");
    }
    normalized[it.key()] = std::move(*v);
  }
  ASSIGN_OR_RETURN(auto row,
                   db_.QueryOne("INSERT INTO change_requests (household_idx, member_idx, kind, "
                                "changes, reason, channel, submitted_by, submitted_at_us) VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?) RETURNING cr_id",
                                {hidx, midx,
                                 std::string(entity == Entity::kMember ? "update_member"
                                                                       : "update_household"),
                                 normalized.dump(), in.reason, in.channel, in.submitted_by,
                                 clock_.Now().micros}));
  return row->Int(0);
}

Status Registry::VerifyChange(int64_t cr_id, std::string_view officer) {
  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(auto cr, db_.QueryOne("SELECT household_idx, member_idx, kind, changes, "
                                         "channel, submitted_by, status FROM change_requests "
                                         "WHERE cr_id = ?",
                                         {cr_id}));
  if (!cr) return NotFoundError("no change request " + std::to_string(cr_id));
  if (cr->Text(6) != "pending") {
    return FailedPreconditionError("change request " + std::to_string(cr_id) + " is already " +
                                   cr->Text(6));
  }
  if (cr->Text(5) == officer) {
    return PermissionDeniedError("maker-checker: whoever submitted a change request cannot verify "
                                 "it");
  }
  json changes = json::parse(cr->Text(3));
  ASSIGN_OR_RETURN(auto prov,
                   db_.QueryOne("INSERT INTO provenance (source, as_of, verification, actor, "
                                "channel, recorded_at_us) VALUES (?, ?, 'officer_verified', ?, ?, "
                                "?) RETURNING prov_id",
                                {std::string("change_request:") + std::to_string(cr_id),
                                 clock_.Today().ToString(), std::string(officer), cr->Text(4),
                                 now}));
  int64_t prov_id = prov->Int(0);
  if (cr->Text(2) == "update_member") {
    int64_t midx = cr->Int(1);
    ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT " + std::string(kMemberCols) +
                                                " FROM members WHERE member_idx = ?",
                                            {midx}));
    if (!row) return NotFoundError("the member of this change request is gone");
    json record = MemberRecord(*row);
    RETURN_IF_ERROR(db_.Execute("INSERT INTO member_versions (member_idx, version, "
                                "valid_from_us, valid_to_us, record) VALUES (?, ?, ?, ?, ?)",
                                {midx, row->Int(14), row->Int(15), now, record.dump()})
                        .status());
    json attrs = record["attrs"], attr_prov = record["attr_prov"];
    std::string name = record["name"], dob = record["dob"], sex = record["sex"];
    json name_local = record["name_local"], phone = record["phone"];
    for (auto it = changes.begin(); it != changes.end(); ++it) {
      const std::string& k = it.key();
      if (k == "name") name = it.value();
      else if (k == "dob") dob = it.value();
      else if (k == "sex") sex = it.value();
      else if (k == "name_local") name_local = it.value();
      else if (k == "phone") phone = it.value();
      else if (it.value().is_null()) attrs.erase(k);
      else attrs[k] = it.value();
      attr_prov[k] = prov_id;
    }
    ASSIGN_OR_RETURN(auto village, db_.QueryOne("SELECT village_code FROM households WHERE "
                                                "household_idx = ?",
                                                {cr->Int(0)}));
    auto text_or_null = [](const json& j) -> storage::Value {
      if (j.is_string()) return j.get<std::string>();
      return storage::Null{};
    };
    RETURN_IF_ERROR(db_.Execute("UPDATE members SET name = ?, name_local = ?, dob = ?, sex = ?, "
                                "phone = ?, dedup_hash = ?, attrs = ?, attr_prov = ?, version = "
                                "version + 1, valid_from_us = ? WHERE member_idx = ?",
                                {name, text_or_null(name_local), dob, sex, text_or_null(phone),
                                 DedupHash(name, dob, village->Text(0)), attrs.dump(),
                                 attr_prov.dump(), now, midx})
                        .status());
  } else {
    int64_t hidx = cr->Int(0);
    ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT attrs, prov_id, attr_prov, status, version, "
                                            "valid_from_us FROM households WHERE "
                                            "household_idx = ?",
                                            {hidx}));
    json record = {{"attrs", json::parse(row->Text(0))},
                   {"prov_id", row->Int(1)},
                   {"attr_prov", json::parse(row->Text(2))},
                   {"status", row->Text(3)},
                   {"version", row->Int(4)}};
    RETURN_IF_ERROR(db_.Execute("INSERT INTO household_versions (household_idx, version, "
                                "valid_from_us, valid_to_us, record) VALUES (?, ?, ?, ?, ?)",
                                {hidx, row->Int(4), row->Int(5), now, record.dump()})
                        .status());
    json attrs = record["attrs"], attr_prov = record["attr_prov"];
    for (auto it = changes.begin(); it != changes.end(); ++it) {
      if (it.value().is_null()) attrs.erase(it.key());
      else attrs[it.key()] = it.value();
      attr_prov[it.key()] = prov_id;
    }
    RETURN_IF_ERROR(db_.Execute("UPDATE households SET attrs = ?, attr_prov = ?, version = "
                                "version + 1, valid_from_us = ? WHERE household_idx = ?",
                                {attrs.dump(), attr_prov.dump(), now, hidx})
                        .status());
  }
  RETURN_IF_ERROR(db_.Execute("UPDATE change_requests SET status = 'applied', decided_by = ?, "
                              "decided_at_us = ? WHERE cr_id = ?",
                              {std::string(officer), now, cr_id})
                      .status());
  RETURN_IF_ERROR(RecordChange(db_, cr->Int(0), now));
  return tx.Commit();
}

Status Registry::RejectChange(int64_t cr_id, std::string_view officer, std::string_view note) {
  if (note.empty()) return InvalidArgumentError("a rejection needs a reason the citizen can read");
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(auto cr, db_.QueryOne("SELECT household_idx, member_idx, submitted_by, status "
                                         "FROM change_requests WHERE cr_id = ?",
                                         {cr_id}));
  if (!cr) return NotFoundError("no change request " + std::to_string(cr_id));
  if (cr->Text(3) != "pending") {
    return FailedPreconditionError("change request " + std::to_string(cr_id) + " is already " +
                                   cr->Text(3));
  }
  if (cr->Text(2) == officer) {
    return PermissionDeniedError("maker-checker: whoever submitted a change request cannot decide "
                                 "it");
  }
  RETURN_IF_ERROR(db_.Execute("UPDATE change_requests SET status = 'rejected', decided_by = ?, "
                              "decided_at_us = ?, decision_note = ? WHERE cr_id = ?",
                              {std::string(officer), clock_.Now().micros, std::string(note), cr_id})
                      .status());
  RETURN_IF_ERROR(RecordEvent("change_request_rejected", cr->Int(0), cr->Int(1),
                              {{"cr_id", cr_id}, {"reason", note}}));
  return tx.Commit();
}

Result<json> Registry::ListChangeRequests(std::string_view status) {
  ASSIGN_OR_RETURN(auto rows,
                   db_.Query("SELECT c.cr_id, h.family_id, m.member_id, c.kind, c.changes, "
                             "c.reason, c.channel, c.submitted_by, c.submitted_at_us, c.status, "
                             "c.decided_by, c.decision_note, h.village_code FROM change_requests c JOIN "
                             "households h ON h.household_idx = c.household_idx LEFT JOIN "
                             "members m ON m.member_idx = c.member_idx WHERE c.status = ? ORDER "
                             "BY c.cr_id",
                             {std::string(status)}));
  json out = json::array();
  for (const storage::Row& r : rows) {
    out.push_back({{"id", r.Int(0)},
                   {"family_id", r.Text(1)},
                   {"member_id", r.IsNull(2) ? json(nullptr) : json(r.Text(2))},
                   {"kind", r.Text(3)},
                   {"changes", json::parse(r.Text(4))},
                   {"reason", r.Text(5)},
                   {"channel", r.Text(6)},
                   {"submitted_by", r.Text(7)},
                   {"submitted_at", Timestamp{r.Int(8)}.ToString()},
                   {"status", r.Text(9)},
                   {"decided_by", r.IsNull(10) ? json(nullptr) : json(r.Text(10))},
                   {"decision_note", r.IsNull(11) ? json(nullptr) : json(r.Text(11))},
                   {"village", r.Text(12)}});
  }
  return out;
}

Result<json> Registry::ListDuplicateHolds(std::string_view status) {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT d.hold_id, h.family_id, d.member_idx, "
                                        "d.candidate_member_idx, d.reason, d.held_at_us, "
                                        "d.status, d.decided_by, h.village_code FROM duplicate_holds d JOIN "
                                        "households h ON h.household_idx = d.household_idx "
                                        "WHERE d.status = ? ORDER BY d.hold_id",
                                        {std::string(status)}));
  json out = json::array();
  for (const storage::Row& r : rows) {
    ASSIGN_OR_RETURN(json held, MemberView(r.Int(2), std::nullopt));
    ASSIGN_OR_RETURN(json existing, MemberView(r.Int(3), std::nullopt));
    out.push_back({{"id", r.Int(0)},
                   {"family_id", r.Text(1)},
                   {"held_member", held},
                   {"existing_member", existing},
                   {"reason", r.Text(4)},
                   {"held_at", Timestamp{r.Int(5)}.ToString()},
                   {"status", r.Text(6)},
                   {"decided_by", r.IsNull(7) ? json(nullptr) : json(r.Text(7))},
                   {"village", r.Text(8)}});
  }
  return out;
}

Status Registry::DecideHold(int64_t hold_id, std::string_view decision,
                            std::string_view officer) {
  if (decision != "same_person" && decision != "different_people") {
    return InvalidArgumentError("decision must be same_person or different_people");
  }
  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));
  ASSIGN_OR_RETURN(auto hold, db_.QueryOne("SELECT household_idx, member_idx, status FROM "
                                           "duplicate_holds WHERE hold_id = ?",
                                           {hold_id}));
  if (!hold) return NotFoundError("no duplicate hold " + std::to_string(hold_id));
  if (hold->Text(2) != "pending") {
    return FailedPreconditionError("duplicate hold " + std::to_string(hold_id) +
                                   " is already decided");
  }
  int64_t hidx = hold->Int(0);
  RETURN_IF_ERROR(db_.Execute("UPDATE duplicate_holds SET status = ?, decided_by = ?, "
                              "decided_at_us = ? WHERE hold_id = ?",
                              {std::string(decision), std::string(officer), now, hold_id})
                      .status());
  if (decision == "same_person") {
    // The held household is not enrolled; its sealed data is erased so that nothing of it
    // lingers, and its other pending holds are closed with it.
    RETURN_IF_ERROR(db_.Execute("UPDATE households SET status = 'rejected' WHERE household_idx = ?",
                                {hidx})
                        .status());
    RETURN_IF_ERROR(db_.Execute("UPDATE duplicate_holds SET status = 'same_person', decided_by = "
                                "?, decided_at_us = ? WHERE household_idx = ? AND status = "
                                "'pending'",
                                {std::string(officer), now, hidx})
                        .status());
    RETURN_IF_ERROR(db_.Execute("UPDATE vault SET id_token = NULL, id_sealed = NULL, wrapped_key "
                                "= NULL, erased_at_us = ? WHERE member_idx IN (SELECT member_idx "
                                "FROM members WHERE household_idx = ?)",
                                {now, hidx})
                        .status());
    RETURN_IF_ERROR(RecordEvent("duplicate_rejected", hidx, hold->Int(1),
                                {{"hold_id", hold_id}, {"decided_by", officer}}));
    // Not for the snapshot (it holds active households only) but for the views kept of the
    // held household (view_cache.h): it is no longer shown.
    RETURN_IF_ERROR(RecordChange(db_, hidx, now));
  } else {
    ASSIGN_OR_RETURN(auto pending, db_.QueryOne("SELECT COUNT(*) FROM duplicate_holds WHERE "
                                                "household_idx = ? AND status = 'pending'",
                                                {hidx}));
    if (pending->Int(0) == 0) {
      RETURN_IF_ERROR(db_.Execute("UPDATE households SET status = 'active' WHERE household_idx = "
                                  "? AND status = 'held'",
                                  {hidx})
                          .status());
      RETURN_IF_ERROR(RecordChange(db_, hidx, now));
    }
  }
  return tx.Commit();
}

Status Registry::RecordEvent(std::string_view kind, int64_t household_idx, int64_t member_idx,
                             const json& detail) {
  return db_.Execute("INSERT INTO registry_events (kind, household_idx, member_idx, detail, "
                     "at_us) VALUES (?, ?, ?, ?, ?)",
                     {std::string(kind), household_idx, member_idx, detail.dump(),
                      clock_.Now().micros})
      .status();
}

Result<json> Registry::Summary() {
  json out = json::object();
  ASSIGN_OR_RETURN(auto hh, db_.Query("SELECT status, COUNT(*) FROM households GROUP BY status"));
  out["households"] = json::object();
  for (const auto& r : hh) out["households"][r.Text(0)] = r.Int(1);
  ASSIGN_OR_RETURN(auto mm, db_.QueryOne("SELECT COUNT(*) FROM members m JOIN households h ON "
                                         "h.household_idx = m.household_idx WHERE h.status = "
                                         "'active'"));
  out["members_active"] = mm->Int(0);
  ASSIGN_OR_RETURN(auto holds, db_.QueryOne("SELECT COUNT(*) FROM duplicate_holds WHERE status = "
                                            "'pending'"));
  out["duplicate_holds_pending"] = holds->Int(0);
  ASSIGN_OR_RETURN(auto crs, db_.QueryOne("SELECT COUNT(*) FROM change_requests WHERE status = "
                                          "'pending'"));
  out["change_requests_pending"] = crs->Int(0);
  return out;
}

}  // namespace spode::registry
