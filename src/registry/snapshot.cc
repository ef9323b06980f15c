#include "registry/snapshot.h"

#include <simdjson.h>

#include <algorithm>
#include <limits>

#include "common/date.h"
#include "registry/catalogue.h"

namespace spode::registry {
namespace {

rules::AttrKind KindOf(AttrType t) {
  switch (t) {
    case AttrType::kInt: return rules::AttrKind::kInt;
    case AttrType::kMoney: return rules::AttrKind::kMoney;
    case AttrType::kBool: return rules::AttrKind::kBool;
    case AttrType::kEnum: return rules::AttrKind::kEnum;
    case AttrType::kDate: return rules::AttrKind::kDate;
    case AttrType::kString: return rules::AttrKind::kString;
  }
  return rules::AttrKind::kString;
}

rules::Schema BuildSchema() {
  rules::Schema schema;
  for (const AttributeDef& d : Catalogue::Default().all()) {
    // Names and phone numbers are not inputs to eligibility; keeping them out of the snapshot
    // keeps it small and keeps personal text out of the rules engine.
    if (d.name == "name" || d.name == "name_local" || d.name == "phone") continue;
    schema.attributes.push_back({d.name,
                                 d.entity == Entity::kHousehold ? rules::Entity::kHousehold
                                                                : rules::Entity::kMember,
                                 KindOf(d.type), d.enum_values});
  }
  for (const char* code : {"district", "block", "village"}) {
    schema.attributes.push_back({code, rules::Entity::kHousehold, rules::AttrKind::kString, {}});
  }
  return schema;
}

}  // namespace

const rules::Schema& RulesSchema() {
  static const rules::Schema* kSchema = new rules::Schema(BuildSchema());
  return *kSchema;
}

void SnapshotColumn::AppendMissing() {
  switch (attr_->kind) {
    case rules::AttrKind::kBool:
    case rules::AttrKind::kEnum: bytes8_.push_back(0); break;
    case rules::AttrKind::kInt:
    case rules::AttrKind::kMoney:
      if (wide_) {
        ints64_.push_back(0);
      } else {
        ints32_.push_back(0);
      }
      break;
    case rules::AttrKind::kDate:
      if (wide_) {
        days32_.push_back(0);
      } else {
        days16_.push_back(0);
      }
      break;
    case rules::AttrKind::kString: offsets_.push_back(static_cast<uint32_t>(text_.size())); break;
  }
  valid_.push_back(0);
  ++missing_;
}

void SnapshotColumn::AppendBool(bool value) {
  if (attr_->kind != rules::AttrKind::kBool) return AppendMissing();
  bytes8_.push_back(value ? 1 : 0);
  Present();
}

void SnapshotColumn::AppendInt(int64_t value) {
  if (attr_->kind != rules::AttrKind::kInt && attr_->kind != rules::AttrKind::kMoney) {
    return AppendMissing();
  }
  if (!wide_ && (value < std::numeric_limits<int32_t>::min() ||
                 value > std::numeric_limits<int32_t>::max())) {
    Widen();
  }
  if (wide_) {
    ints64_.push_back(value);
  } else {
    ints32_.push_back(static_cast<int32_t>(value));
  }
  Present();
}

void SnapshotColumn::AppendDays(int32_t days) {
  if (attr_->kind != rules::AttrKind::kDate) return AppendMissing();
  const int64_t offset = int64_t{days} - kNarrowDaysBase;
  if (!wide_ && (offset < 0 || offset > std::numeric_limits<uint16_t>::max())) Widen();
  if (wide_) {
    days32_.push_back(days);
  } else {
    days16_.push_back(static_cast<uint16_t>(offset));
  }
  Present();
}

void SnapshotColumn::AppendCode(uint8_t code) {
  if (attr_->kind != rules::AttrKind::kEnum || code >= attr_->enum_values.size()) {
    return AppendMissing();
  }
  bytes8_.push_back(code);
  Present();
}

void SnapshotColumn::AppendText(std::string_view text) {
  switch (attr_->kind) {
    case rules::AttrKind::kDate: {
      auto d = Date::Parse(text);
      if (!d.ok()) return AppendMissing();
      return AppendDays(d->days());
    }
    case rules::AttrKind::kEnum: {
      auto it = std::find(attr_->enum_values.begin(), attr_->enum_values.end(), text);
      if (it == attr_->enum_values.end()) return AppendMissing();
      return AppendCode(static_cast<uint8_t>(it - attr_->enum_values.begin()));
    }
    case rules::AttrKind::kString:
      text_.append(text);
      offsets_.push_back(static_cast<uint32_t>(text_.size()));
      return Present();
    default:
      return AppendMissing();
  }
}

// The narrow values so far, copied to the wide arrays (the narrow ones are freed).
void SnapshotColumn::Widen() {
  if (wide_) return;
  wide_ = true;
  ints64_.assign(ints32_.begin(), ints32_.end());
  std::vector<int32_t>().swap(ints32_);
  days32_.reserve(days16_.size());
  for (uint16_t d : days16_) days32_.push_back(kNarrowDaysBase + d);
  std::vector<uint16_t>().swap(days16_);
}

void SnapshotColumn::Publish() {
  view_ = rules::Column{};
  view_.kind = attr_->kind;
  view_.bools = bytes8_;
  view_.codes = bytes8_;
  if (wide_) {
    view_.ints = ints64_;
    view_.dates = days32_;
  } else {
    view_.ints.narrow = ints32_;
    view_.dates.narrow = days16_;
    view_.dates.base = kNarrowDaysBase;
  }
  view_.offsets = offsets_;
  view_.bytes = text_;
  view_.valid = missing_ == 0 ? std::span<const uint8_t>() : std::span<const uint8_t>(valid_);
  view_.dictionary = &attr_->enum_values;
}

size_t SnapshotColumn::bytes_used() const {
  return bytes8_.capacity() + ints64_.capacity() * 8 + ints32_.capacity() * 4 +
         days32_.capacity() * 4 + days16_.capacity() * 2 + offsets_.capacity() * 4 +
         text_.capacity() + valid_.capacity();
}

namespace {

// Appends a value given as JSON (attrs); a value of the wrong form counts as missing (storage
// validated it on the way in, so this does not happen in practice).
void AppendJson(SnapshotColumn& c, simdjson::dom::element v) {
  switch (c.attr().kind) {
    case rules::AttrKind::kBool: {
      bool b;
      if (v.get_bool().get(b) != simdjson::SUCCESS) return c.AppendMissing();
      return c.AppendBool(b);
    }
    case rules::AttrKind::kInt:
    case rules::AttrKind::kMoney: {
      int64_t i;
      if (v.get_int64().get(i) != simdjson::SUCCESS) return c.AppendMissing();
      return c.AppendInt(i);
    }
    default: {
      std::string_view s;
      if (v.get_string().get(s) != simdjson::SUCCESS) return c.AppendMissing();
      return c.AppendText(s);
    }
  }
}

}  // namespace

Snapshot::Snapshot() {
  for (const rules::AttributeSchema& a : RulesSchema().attributes) {
    (a.entity == rules::Entity::kHousehold ? household_cols_ : member_cols_)
        .push_back(std::make_unique<SnapshotColumn>(&a));
  }
}

Snapshot::~Snapshot() = default;

Result<std::unique_ptr<Snapshot>> Snapshot::Build(storage::Database& db, SnapshotWatch watch) {
  std::unique_ptr<Snapshot> s(new Snapshot());
  RETURN_IF_ERROR(s->LoadAll(db, watch));
  return s;
}

Status Snapshot::Rebuild(storage::Database& db) {
  std::unique_ptr<Snapshot> fresh(new Snapshot());
  RETURN_IF_ERROR(fresh->LoadAll(db));
  household_idx_ = std::move(fresh->household_idx_);
  member_idx_ = std::move(fresh->member_idx_);
  member_offsets_ = std::move(fresh->member_offsets_);
  member_counts_ = std::move(fresh->member_counts_);
  counts_fit_ = fresh->counts_fit_;
  member_household_ = std::move(fresh->member_household_);
  live_ = std::move(fresh->live_);
  stale_ = 0;
  row_of_ = std::move(fresh->row_of_);
  household_cols_ = std::move(fresh->household_cols_);
  member_cols_ = std::move(fresh->member_cols_);
  last_seq_ = fresh->last_seq_;
  return OkStatus();
}

Status Snapshot::LoadAll(storage::Database& db, SnapshotWatch watch) {
  // Read the feed's position first: changes committed while loading are applied again by the
  // next Refresh, which is harmless.
  ASSIGN_OR_RETURN(auto seq, db.QueryOne("SELECT COALESCE(MAX(seq), 0) FROM registry_changes"));
  last_seq_ = seq->Int(0);
  return LoadHouseholds(db, {}, watch);
}

Result<std::unique_ptr<Snapshot>> Snapshot::FromHouseholds(
    const std::vector<SnapshotHousehold>& households) {
  std::unique_ptr<Snapshot> s(new Snapshot());
  for (const SnapshotHousehold& h : households) RETURN_IF_ERROR(s->Append(h));
  s->RefreshViews();
  return s;
}

// Appends one household and its members as rows (RefreshViews makes them visible).
Status Snapshot::Append(const SnapshotHousehold& h) {
  thread_local simdjson::dom::parser parser;
  auto find = [](std::vector<std::unique_ptr<SnapshotColumn>>& cols,
                 std::string_view name) -> SnapshotColumn* {
    for (auto& c : cols) {
      if (c->attr().name == name) return c.get();
    }
    return nullptr;
  };
  SnapshotColumn* district = find(household_cols_, "district");
  SnapshotColumn* block = find(household_cols_, "block");
  SnapshotColumn* village = find(household_cols_, "village");
  SnapshotColumn* dob = find(member_cols_, "dob");
  SnapshotColumn* sex = find(member_cols_, "sex");
  SnapshotColumn* relationship = find(member_cols_, "relationship");
  // Appends the catalogue attributes found in `attrs` (JSON), missing for the rest.
  auto append_attrs = [&](std::vector<std::unique_ptr<SnapshotColumn>>& cols,
                          std::string_view attrs,
                          std::initializer_list<SnapshotColumn*> skip) -> Status {
    simdjson::dom::element doc;
    simdjson::padded_string padded(attrs);
    if (parser.parse(padded).get(doc) != simdjson::SUCCESS) {
      return DataLossError("stored attributes are not JSON");
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) return DataLossError("attrs not an object");
    for (auto& c : cols) {
      if (std::find(skip.begin(), skip.end(), c.get()) != skip.end()) continue;
      simdjson::dom::element v;
      if (obj.at_key(c->attr().name).get(v) == simdjson::SUCCESS && !v.is_null()) {
        AppendJson(*c, v);
      } else {
        c->AppendMissing();
      }
    }
    return OkStatus();
  };
  uint32_t hrow = static_cast<uint32_t>(household_idx_.size());
  household_idx_.push_back(h.household_idx);
  live_.push_back(1);
  row_of_[h.household_idx] = hrow;
  district->AppendText(h.district);
  block->AppendText(h.block);
  village->AppendText(h.village);
  RETURN_IF_ERROR(append_attrs(household_cols_, h.attrs, {district, block, village}));
  for (const SnapshotMember& m : h.members) {
    member_idx_.push_back(m.member_idx);
    member_household_.push_back(hrow);
    dob->AppendText(m.dob);
    sex->AppendText(m.sex);
    relationship->AppendText(m.relationship);
    RETURN_IF_ERROR(append_attrs(member_cols_, m.attrs, {dob, sex, relationship}));
  }
  member_offsets_.push_back(static_cast<uint32_t>(member_idx_.size()));
  counts_fit_ = counts_fit_ && h.members.size() <= 255;
  member_counts_.push_back(static_cast<uint8_t>(std::min<size_t>(h.members.size(), 255)));
  return OkStatus();
}

// Loads the given households (all active ones when `idxs` is empty) and appends them as rows.
Status Snapshot::LoadHouseholds(storage::Database& db, const std::vector<int64_t>& idxs,
                                SnapshotWatch watch) {
  std::string where = "h.status = 'active'";
  if (!idxs.empty()) {
    where += " AND h.household_idx IN (";
    for (size_t i = 0; i < idxs.size(); ++i) {
      if (i) where += ',';
      where += std::to_string(idxs[i]);
    }
    where += ")";
  }
  ASSIGN_OR_RETURN(auto hh, db.Prepare("SELECT h.household_idx, h.district_code, h.block_code, "
                                       "h.village_code, h.attrs FROM households h WHERE " +
                                       where + " ORDER BY h.household_idx"));
  ASSIGN_OR_RETURN(auto mm, db.Prepare("SELECT m.household_idx, m.member_idx, m.dob, m.sex, "
                                       "m.relationship, m.attrs FROM members m JOIN households h "
                                       "ON h.household_idx = m.household_idx WHERE " +
                                       where + " AND m.status = 'active' ORDER BY "
                                               "m.household_idx, m.member_idx"));
  ASSIGN_OR_RETURN(bool have_member, mm->Step());
  SnapshotHousehold h;
  for (size_t loaded = 0;; ++loaded) {
    if (loaded % 4096 == 0) {
      if (watch.loaded != nullptr) watch.loaded->store(static_cast<int64_t>(loaded));
      if (watch.stop != nullptr && watch.stop->load(std::memory_order_relaxed)) {
        return AbortedError("stopped while loading the snapshot, after " + std::to_string(loaded) +
                            " households");
      }
    }
    ASSIGN_OR_RETURN(bool row, hh->Step());
    if (!row) {
      if (watch.loaded != nullptr) watch.loaded->store(static_cast<int64_t>(loaded));
      break;
    }
    h.household_idx = hh->ColumnInt(0);
    h.district = hh->ColumnText(1);
    h.block = hh->ColumnText(2);
    h.village = hh->ColumnText(3);
    h.attrs = hh->ColumnText(4);
    h.members.clear();
    // Members of this household (both queries are in household order).
    while (have_member && mm->ColumnInt(0) < h.household_idx) {
      ASSIGN_OR_RETURN(have_member, mm->Step());
    }
    while (have_member && mm->ColumnInt(0) == h.household_idx) {
      h.members.push_back({mm->ColumnInt(1), std::string(mm->ColumnText(2)),
                           std::string(mm->ColumnText(3)), std::string(mm->ColumnText(4)),
                           std::string(mm->ColumnText(5))});
      ASSIGN_OR_RETURN(have_member, mm->Step());
    }
    RETURN_IF_ERROR(Append(h));
  }
  RefreshViews();
  return OkStatus();
}

Result<int> Snapshot::Refresh(storage::Database& db) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT seq, household_idx FROM registry_changes WHERE "
                                       "seq > ? ORDER BY seq",
                                       {last_seq_}));
  if (rows.empty()) return 0;
  std::vector<int64_t> changed;
  std::unordered_set<int64_t> seen;
  bool everything = false;
  for (const auto& r : rows) {
    last_seq_ = std::max(last_seq_, r.Int(0));
    if (r.Int(1) == 0) everything = true;
    if (seen.insert(r.Int(1)).second) changed.push_back(r.Int(1));
  }
  if (everything) {
    RETURN_IF_ERROR(Rebuild(db));
    return static_cast<int>(live_households());
  }
  for (int64_t hidx : changed) {
    auto it = row_of_.find(hidx);
    if (it != row_of_.end()) {
      live_[it->second] = 0;
      ++stale_;
      row_of_.erase(it);
    }
  }
  // Reload in chunks (an IN list per chunk); those no longer active simply do not come back.
  for (size_t i = 0; i < changed.size(); i += 500) {
    std::vector<int64_t> chunk(changed.begin() + static_cast<long>(i),
                               changed.begin() + static_cast<long>(std::min(i + 500, changed.size())));
    RETURN_IF_ERROR(LoadHouseholds(db, chunk));
  }
  return static_cast<int>(changed.size());
}

void Snapshot::RefreshViews() {
  for (auto& c : household_cols_) c->Publish();
  for (auto& c : member_cols_) c->Publish();
}

const rules::Column* Snapshot::column(rules::Entity entity, std::string_view name) const {
  const auto& cols = entity == rules::Entity::kHousehold ? household_cols_ : member_cols_;
  for (const auto& c : cols) {
    if (c->attr().name == name) return &c->view();
  }
  return nullptr;
}

int64_t Snapshot::RowOf(int64_t household_idx) const {
  auto it = row_of_.find(household_idx);
  return it == row_of_.end() ? -1 : static_cast<int64_t>(it->second);
}

size_t Snapshot::memory_bytes() const {
  size_t n = household_idx_.capacity() * 8 + member_idx_.capacity() * 8 +
             member_offsets_.capacity() * 4 + member_counts_.capacity() +
             member_household_.capacity() * 4 +
             live_.capacity() + row_of_.size() * 32;
  for (const auto& c : household_cols_) n += c->bytes_used();
  for (const auto& c : member_cols_) n += c->bytes_used();
  return n;
}

}  // namespace spode::registry
