// The words of the grievance module: kinds, channels, categories, levels, states, outcomes,
// the deadline policy, and a grievance as stored.
//
//   grievance::Category c = *grievance::ParseCategory("payment_returned");
//   grievance::CategoryName(c);            // "payment_returned"
//   grievance::Policy policy;              // 21 days per category, 30-day windows
//   policy.deadline_days[static_cast<int>(grievance::Category::kDataMisuse)] = 30;
//
// A grievance is filed by or for a citizen; a re-entry case is opened by the system for an
// exclusion event (programs/reentry.h). Both are rows of one table, with one ticket format, one
// deadline and escalation machinery, one history (docs/grievance.md).
//
// Thread-safety: value types and pure functions.
#ifndef SPODE_GRIEVANCE_TYPES_H_
#define SPODE_GRIEVANCE_TYPES_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/config.h"
#include "common/date.h"
#include "common/result.h"
#include "notify/message.h"
#include "notify/templates.h"

namespace spode::grievance {

enum class Kind { kGrievance, kReentry };

// How a grievance reached us. kSystem: a re-entry case the system opened.
enum class Channel { kPortal, kOperator, kOfficer, kPartnerApi, kSms, kIvr, kSystem };

// Follows the delivery chain. The number in the comment is the SMS/IVR code (inbound.h).
enum class Category {
  kEnrolment,            // 1
  kDataCorrection,       // 2
  kEligibilityDecision,  // 3
  kPaymentNotReceived,   // 4
  kPaymentReturned,      // 5
  kServiceDenied,        // 6
  kOperatorMisconduct,   // 7: overcharging or misconduct at a service centre
  kDataMisuse,           // 8: misuse of personal data
  kOther,                // 9
};
inline constexpr int kCategoryCount = 9;

// The officer level a grievance sits with. Area codes: state 2 digits, district 4, block 6
// (each a prefix of the household's 9-digit village code, as officers' scopes are).
enum class Level { kBlock, kDistrict, kState };

// open: waiting for an answer. resolved: answered (the citizen may rate, appeal, reopen).
// appealed: an appellate officer is deciding; cannot be closed. closed: finished.
enum class GrievanceStatus { kOpen, kResolved, kAppealed, kClosed };

// kUpheld: in the citizen's favour. kRejected: not accepted (the citizen may appeal).
enum class Outcome { kUpheld, kRejected };

// How an officer received a grievance they file for a citizen.
enum class OfficerMode { kHelpline, kWalkIn };

// Stored names: "grievance"; "portal", "operator", "officer", "partner_api", "sms", "ivr",
// "system"; "enrolment", "data_correction", ...; "block", "district", "state"; "open",
// "resolved", "appealed", "closed"; "upheld", "rejected"; "helpline", "walk_in".
// Parse*: INVALID_ARGUMENT naming the allowed words for anything else.
std::string_view KindName(Kind kind);
std::string_view ChannelName(Channel channel);
std::string_view CategoryName(Category category);
std::string_view LevelName(Level level);
std::string_view StatusName(GrievanceStatus status);
std::string_view OutcomeName(Outcome outcome);
std::string_view OfficerModeName(OfficerMode mode);
Result<Kind> ParseKind(std::string_view text);
Result<Channel> ParseChannel(std::string_view text);
Result<Category> ParseCategory(std::string_view text);
Result<Level> ParseLevel(std::string_view text);
Result<GrievanceStatus> ParseStatus(std::string_view text);
Result<Outcome> ParseOutcome(std::string_view text);
Result<OfficerMode> ParseOfficerMode(std::string_view text);

// The length of an area code at `level` (2, 4, 6) and the area of a village at that level.
size_t AreaCodeLength(Level level);
std::string AreaAt(Level level, std::string_view village_code);
// The level above (state stays state).
Level NextLevel(Level level);

// Deadlines and windows. Every deadline is an instant: N × 24 hours after the grievance reached
// its current holder. Configurable per deployment; Validate() refuses nonsense.
struct Policy {
  // Days the first holder has, per category (indexed by Category).
  std::array<int, kCategoryCount> deadline_days = {21, 21, 21, 21, 21, 21, 21, 21, 21};
  int escalated_deadline_days = 21;  // each level a grievance is escalated to
  int appeal_deadline_days = 30;     // the appellate officer
  int appeal_window_days = 30;       // after a resolution, to appeal
  int reopen_window_days = 30;       // after a resolution, to reopen
  int reentry_deadline_days = 21;    // a re-entry case
  // The interim reply falls due at this percentage of the time a holder has (67: two thirds).
  int interim_percent = 67;
  // The message catalogue (nullptr: notify::Templates::Builtin()). Tests give a broken one.
  const notify::Templates* templates = nullptr;

  int DeadlineDays(Category c) const { return deadline_days[static_cast<int>(c)]; }
  const notify::Templates& Messages() const {
    return templates != nullptr ? *templates : notify::Templates::Builtin();
  }
  // INVALID_ARGUMENT when a period is below 1 or above 3650 days, or interim_percent is not
  // 1..99.
  Status Validate() const;
};

// The policy a deployment configured ([grievance] in spode.toml; common/config.h): every
// category gets `deadline_days` unless `category_deadline_days` names it. INVALID_ARGUMENT for an
// unknown category name (listing the names) or a period out of range.
Result<Policy> PolicyFor(const Config::Grievance& config);

// Who holds a grievance: the grievance officer of `area_code` at `level`, and, when
// `bank_code` is not empty, the bank (first four letters of its IFSCs) that must answer, under
// that officer's watch.
struct Assignee {
  Level level = Level::kBlock;
  std::string area_code;
  std::string bank_code;
  friend bool operator==(const Assignee&, const Assignee&) = default;
};

// A grievance or re-entry case as stored (table grievances; docs/grievance.md).
struct Grievance {
  int64_t grievance_id = 0;
  std::string ticket;  // "GR-2026-0000123-4" (ticket.h)
  Kind kind = Kind::kGrievance;
  Channel channel = Channel::kPortal;
  Category category = Category::kOther;
  std::optional<int64_t> member_idx;  // always set for grievances
  int64_t household_idx = 0;
  std::string member_id;  // the citizen's member ID (empty for a household-only case)
  std::string village_code;
  std::string description;
  notify::Language language = notify::Language::kHi;
  std::string filed_by;  // actor: "citizen:<member_id>", "user:<name>", "client:<id>", "system"
  Timestamp filed_at;
  // Assisted filing (channel operator).
  std::optional<int64_t> operator_user_id;
  std::string centre;
  std::optional<int64_t> fee_paise;
  std::optional<int64_t> consent_id;
  std::optional<OfficerMode> officer_mode;  // channel officer
  std::string client_id;                    // channel partner_api
  std::string sender_phone;                 // channels sms and ivr
  // Links.
  std::string instruction_id;
  std::string scheme_id;
  std::optional<int64_t> change_request_id;
  std::optional<int64_t> reentry_event_id;
  // Re-entry cases: what closes the case, and the action a resolution in favour triggers.
  std::string closing_action;  // "account_update_then_retry", ...
  std::string action_kind;     // "retry_payment", ...
  std::string action_target;   // "instruction:<id>", "enrolment:<id>", ...
  // Holder and clock.
  Assignee assignee;
  Timestamp assigned_at;
  int round = 0;  // 0, then +1 at each appeal and each reopening
  Timestamp deadline;
  Timestamp interim_due;
  std::optional<Timestamp> interim_reply_at;
  int escalations = 0;
  // State.
  GrievanceStatus status = GrievanceStatus::kOpen;
  std::optional<Outcome> outcome;
  std::string resolution_reason;
  std::optional<int64_t> resolution_change_request_id;
  std::string resolved_by;
  std::optional<Timestamp> resolved_at;
  std::optional<int> rating;
  std::optional<int64_t> open_appeal_id;
  int appeals = 0;
  std::optional<Timestamp> closed_at;

  // Open or under appeal, and past its deadline at `now`.
  bool Overdue(Timestamp now) const {
    return (status == GrievanceStatus::kOpen || status == GrievanceStatus::kAppealed) &&
           deadline < now;
  }
};

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_TYPES_H_
