// Registry: reading households and members (now, or as they were at a past time), change
// requests with maker-checker, and the officers' queue of possible duplicates.
//
//   Registry registry(db, master_key, clock);
//   ASSIGN_OR_RETURN(nlohmann::json h, registry.GetHousehold("4830175926"));
//   ASSIGN_OR_RETURN(int64_t cr, registry.SubmitChange({.member_id = "48301759261",
//       .changes = {{"disability_percent", 60}}, .reason = "certificate issued",
//       .channel = "operator", .submitted_by = "user:op1"}));
//   RETURN_IF_ERROR(registry.VerifyChange(cr, "user:bdo1"));   // not the submitter
//
// Views never contain a national ID: only its masked form (XXXX-XXXX-1234); bank account
// numbers are masked too. Access control is the caller's job (the access gate, issue 3): this
// class trusts its caller.
//
// Thread-safety: not thread-safe (it uses one Database connection).
#ifndef SPODE_REGISTRY_REGISTRY_H_
#define SPODE_REGISTRY_REGISTRY_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json_writer.h"
#include "common/result.h"
#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "storage/database.h"

namespace spode::registry {

struct ChangeRequestInput {
  std::string member_id;  // a member's change; or
  std::string family_id;  // a household's change (when member_id is empty)
  nlohmann::json changes;  // {"attribute": new value, ...}; null removes an attribute
  std::string reason;
  std::string channel;  // self, operator, officer, external
  std::string submitted_by;
};

// The keys a view may show (an allowlist; the access gate's per-role field lists).
using ViewFields = std::set<std::string, std::less<>>;

// A current household as one query finds it by family ID: what the access gate needs (its
// internal number and village) and what the view shows of the household itself.
struct HouseholdHead {
  int64_t household_idx = 0;
  std::string family_id, state, district, block, village;
  std::string district_name, block_name, village_name;
  std::string status;  // active, held or rejected
  int64_t version = 0;
  std::string attrs, attr_prov;  // JSON text as stored
  std::string prov_source, prov_as_of, prov_verification, prov_channel;  // "" when none
};

// Place names kept between requests by a server. A place's name is written when the place is
// first imported and never changed (the importer only adds places), so a name once read from
// committed data stays right. Fill it only from read transactions: a name read inside a write
// that then rolls back was never committed. Holds at most kMost names (India has about 650,000
// villages).
// Thread-safety: every member may be called from any thread.
class PlaceNames {
 public:
  static constexpr size_t kMost = 2'000'000;
  std::optional<std::string> Find(std::string_view code) const;
  void Add(std::string code, std::string name);

 private:
  mutable std::shared_mutex mu_;
  struct CodeHash {
    using is_transparent = void;
    size_t operator()(std::string_view code) const { return std::hash<std::string_view>{}(code); }
  };
  std::unordered_map<std::string, std::string, CodeHash, std::equal_to<>> names_;  // GUARDED_BY(mu_)
};

// The household view's two queries (FindHousehold, WriteHousehold): the household with its
// provenance by family ID, and its members with their bank accounts and provenance by
// household_idx. Public for bench/registry_read, whose floor steps them bare.
inline constexpr std::string_view kHouseholdHeadSql =
    "SELECT h.household_idx, h.family_id, h.state_code, h.district_code, h.block_code, "
    "h.village_code, h.status, h.version, h.attrs, h.attr_prov, p.source, p.as_of, "
    "p.verification, p.channel FROM households h LEFT JOIN provenance p ON p.prov_id = "
    "h.prov_id WHERE h.family_id = ?";
inline constexpr std::string_view kMembersViewSql =
    "SELECT m.member_id, m.name, m.name_local, m.dob, m.sex, m.relationship, m.phone, "
    "m.id_last4, m.attrs, m.attr_prov, m.status, m.version, b.ifsc, b.account_last4, "
    "p.source, p.as_of, p.verification, p.channel FROM members m LEFT JOIN bank_accounts b ON "
    "b.member_idx = m.member_idx LEFT JOIN provenance p ON p.prov_id = m.prov_id WHERE "
    "m.household_idx = ? ORDER BY m.member_idx";

class Registry {
 public:
  // `places`: names kept between registries (a server's); by default this registry's own.
  Registry(storage::Database& db, const crypto::MasterKey& key, const TimeSource& clock,
           PlaceNames* places = nullptr)
      : db_(db), key_(key), clock_(clock), places_(places ? places : &own_places_) {}

  // The household with its members. With `as_of`, as it was then (NOT_FOUND if it did not exist).
  Result<nlohmann::json> GetHousehold(std::string_view family_id,
                                      std::optional<Timestamp> as_of = std::nullopt);
  // The current household (any status) with that family ID, or nothing.
  Result<std::optional<HouseholdHead>> FindHousehold(std::string_view family_id);
  // Appends the household's current view, with its members, as JSON text (the document
  // GetHousehold returns, keys in sorted order), showing only the keys in `household_fields`
  // and, of each member, in `member_fields` (null: every key). One query for the members, and
  // one per attribute with a source of its own; no JSON tree is built.
  Status WriteHousehold(const HouseholdHead& household, std::string& out,
                        const ViewFields* household_fields = nullptr,
                        const ViewFields* member_fields = nullptr);
  Result<nlohmann::json> GetMember(std::string_view member_id,
                                   std::optional<Timestamp> as_of = std::nullopt);
  // The member ID holding a national ID (looked up by its token). NOT_FOUND when none.
  Result<std::string> FindByNationalId(std::string_view national_id);

  // Records a change request after checking every change against the catalogue.
  // INVALID_ARGUMENT for an unknown attribute or a bad value; NOT_FOUND for an unknown member.
  Result<int64_t> SubmitChange(const ChangeRequestInput& input);
  // Applies a pending change atomically, keeping the previous version in history.
  // PERMISSION_DENIED when the verifier submitted it; FAILED_PRECONDITION when not pending.
  Status VerifyChange(int64_t cr_id, std::string_view officer);
  Status RejectChange(int64_t cr_id, std::string_view officer, std::string_view note);
  Result<nlohmann::json> ListChangeRequests(std::string_view status = "pending");

  Result<nlohmann::json> ListDuplicateHolds(std::string_view status = "pending");
  // decision: "same_person" (the held household is rejected and its vault entries erased) or
  // "different_people" (the held household is enrolled once no other hold on it is pending).
  Status DecideHold(int64_t hold_id, std::string_view decision, std::string_view officer);

  // Counts for summaries: households and members by status, pending holds and changes.
  Result<nlohmann::json> Summary();

 private:
  Status WriteAttributeSources(std::string_view attr_prov, JsonWriter& w);
  Result<nlohmann::json> MemberView(int64_t member_idx, std::optional<Timestamp> as_of);
  Result<nlohmann::json> ProvenanceView(int64_t prov_id);
  Status RecordEvent(std::string_view kind, int64_t household_idx, int64_t member_idx,
                     const nlohmann::json& detail);

  Result<std::string> PlaceName(const std::string& code);

  storage::Database& db_;
  const crypto::MasterKey& key_;
  const TimeSource& clock_;
  PlaceNames own_places_;
  PlaceNames* places_;
};

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_REGISTRY_H_
