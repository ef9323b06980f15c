// Snapshot: the registry in memory as columns (rules/frame.h), for the rules engine: one typed
// array per attribute, members grouped by household with offsets. Built from storage once,
// then kept current from the change feed (change_feed.h) without a full rebuild: a changed
// household's old row is marked stale and its new version appended; Rebuild() compacts.
//
//   ASSIGN_OR_RETURN(auto snap, Snapshot::Build(db));
//   ... evaluate rules over *snap ...
//   ASSIGN_OR_RETURN(int changed, snap->Refresh(db));   // catch up with committed changes
//
// Only active households and members are in it. The schema (rules::Schema) is the catalogue's
// attributes that rules may read, plus the household's `district`, `block` and `village` codes.
// Int, money and date columns are stored narrow while every value fits (SnapshotColumn), which
// is what lets a scheme over ten million households stream a few bytes per member.
//
// Thread-safety: reading (the Frame interface) is safe from many threads at once; Refresh and
// Rebuild change the arrays and must not run while anyone reads (callers hold a lock).
#ifndef SPODE_REGISTRY_SNAPSHOT_H_
#define SPODE_REGISTRY_SNAPSHOT_H_

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/result.h"
#include "rules/frame.h"
#include "storage/database.h"

namespace spode::registry {

// The schema rules are checked against: the catalogue's rule-readable attributes.
const rules::Schema& RulesSchema();

// One household as the snapshot takes it: attribute values as stored (JSON object text).
struct SnapshotMember {
  int64_t member_idx = 0;
  std::string dob, sex, relationship;
  std::string attrs = "{}";
};
struct SnapshotHousehold {
  int64_t household_idx = 0;
  std::string district, block, village;
  std::string attrs = "{}";
  std::vector<SnapshotMember> members;
};

// One attribute's arrays in a Snapshot, in the layout rules read (rules/frame.h): a byte per
// bool and per enum code, string offsets and bytes, validity bytes (exposed only once a value is
// missing), and ints and dates at the narrowest width that holds every value appended so far:
// ints as int32 while each fits (Rs 2.1 crore in paise), dates as uint16 days after
// kNarrowDaysBase while each is within 1900-01-01..2079-06-06 (a date of birth in 2 bytes). A
// value that does not fit widens the column, once and for good (int64 ints, int32 days): a
// change committed later (Snapshot::Refresh) may bring such a value, and the column stays exact.
// Only a rebuild narrows it again.
//
// Append* add a row; a value of the wrong kind or form counts as missing. view() is what rules
// read, valid after Publish() (appending may move the arrays). The benchmarks build their
// columns with this class, so that they measure the layout production runs.
//
// Thread-safety: none while appending; view() may be read from many threads afterwards.
class SnapshotColumn {
 public:
  static constexpr int32_t kNarrowDaysBase = -25567;  // 1900-01-01, days since 1970-01-01

  // `attr` must outlive the column (RulesSchema() does).
  explicit SnapshotColumn(const rules::AttributeSchema* attr) : attr_(attr) {}
  SnapshotColumn(const SnapshotColumn&) = delete;
  SnapshotColumn& operator=(const SnapshotColumn&) = delete;

  const rules::AttributeSchema& attr() const { return *attr_; }

  void AppendMissing();
  void AppendBool(bool value);    // kBool
  void AppendInt(int64_t value);  // kInt, kMoney
  void AppendDays(int32_t days);  // kDate: days since 1970-01-01
  void AppendCode(uint8_t code);  // kEnum: an index into attr().enum_values
  // A date (YYYY-MM-DD), an enum value or a string, as text.
  void AppendText(std::string_view text);

  // Points view() at the arrays as they are now.
  void Publish();
  const rules::Column& view() const { return view_; }
  // Whether the ints or dates are stored narrow (false for the other kinds).
  bool narrow() const {
    return !wide_ &&
           (attr_->kind == rules::AttrKind::kInt || attr_->kind == rules::AttrKind::kMoney ||
            attr_->kind == rules::AttrKind::kDate);
  }
  size_t rows() const { return valid_.size(); }
  // Bytes held by the arrays.
  size_t bytes_used() const;

 private:
  void Present() { valid_.push_back(1); }
  void Widen();

  const rules::AttributeSchema* attr_;
  bool wide_ = false;            // ints in ints64_ (else ints32_), days in days32_ (else days16_)
  std::vector<uint8_t> bytes8_;  // kBool values, kEnum codes
  std::vector<int64_t> ints64_;
  std::vector<int32_t> ints32_;
  std::vector<int32_t> days32_;
  std::vector<uint16_t> days16_;  // days - kNarrowDaysBase
  std::vector<uint32_t> offsets_{0};
  std::string text_;
  std::vector<uint8_t> valid_;
  size_t missing_ = 0;
  rules::Column view_{};
};

// What a long load is told and tells while it runs (a server's start: ten million households
// take minutes). `stop`, once set, makes it give up with ABORTED soon after; `loaded` is the
// number of households read so far (updated every 4096 and at the end), for /readyz.
struct SnapshotWatch {
  const std::atomic<bool>* stop = nullptr;
  std::atomic<int64_t>* loaded = nullptr;
};

class Snapshot : public rules::Frame {
 public:
  // Reads every active household.
  static Result<std::unique_ptr<Snapshot>> Build(storage::Database& db, SnapshotWatch watch = {});
  // An in-memory snapshot of the given households (scheme tests, what-if on made-up data).
  static Result<std::unique_ptr<Snapshot>> FromHouseholds(
      const std::vector<SnapshotHousehold>& households);
  ~Snapshot() override;

  // Applies every change committed since the last Build/Refresh. Returns how many households
  // were reloaded (a bulk-load marker in the feed rebuilds everything).
  Result<int> Refresh(storage::Database& db);
  // Rebuilds from storage, dropping stale rows.
  Status Rebuild(storage::Database& db);

  // rules::Frame
  const rules::Schema& schema() const override { return RulesSchema(); }
  size_t households() const override { return household_idx_.size(); }
  size_t members() const override { return member_idx_.size(); }
  std::span<const uint32_t> member_offsets() const override { return member_offsets_; }
  // Each offset is appended as the member count so far (Build, Refresh), so they never decrease.
  bool member_offsets_ordered() const override { return true; }
  // Appended beside each offset (Build, Refresh) as that household's member count, so they
  // agree with the offsets; none while a household has more than 255 members.
  std::span<const uint8_t> member_counts() const override {
    return counts_fit_ ? std::span<const uint8_t>(member_counts_) : std::span<const uint8_t>();
  }
  std::span<const uint32_t> member_household() const override { return member_household_; }
  const rules::Column* column(rules::Entity entity, std::string_view name) const override;
  std::span<const uint8_t> household_live() const override {
    return stale_ == 0 ? std::span<const uint8_t>() : std::span<const uint8_t>(live_);
  }

  // Registry keys of rows.
  int64_t household_idx(size_t row) const { return household_idx_[row]; }
  int64_t member_idx(size_t row) const { return member_idx_[row]; }
  // The live row of a household, or -1.
  int64_t RowOf(int64_t household_idx) const;
  size_t live_households() const { return household_idx_.size() - stale_; }
  // Bytes held by the arrays (for /metrics: memory per household).
  size_t memory_bytes() const;

 private:
  Snapshot();
  Status LoadAll(storage::Database& db, SnapshotWatch watch = {});
  Status LoadHouseholds(storage::Database& db, const std::vector<int64_t>& idxs,
                        SnapshotWatch watch = {});
  void RefreshViews();
  Status Append(const SnapshotHousehold& h);

  std::vector<int64_t> household_idx_, member_idx_;
  std::vector<uint32_t> member_offsets_{0}, member_household_;
  std::vector<uint8_t> member_counts_;
  bool counts_fit_ = true;  // every household so far has at most 255 members
  std::vector<uint8_t> live_;
  size_t stale_ = 0;
  std::unordered_map<int64_t, uint32_t> row_of_;  // household_idx -> live row
  std::vector<std::unique_ptr<SnapshotColumn>> household_cols_, member_cols_;
  int64_t last_seq_ = 0;
};

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_SNAPSHOT_H_
