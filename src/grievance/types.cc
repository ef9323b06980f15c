#include "grievance/types.h"

#include <utility>

namespace spode::grievance {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::pair<E, std::string_view> (&table)[N], E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
Result<E> Parse(const std::pair<E, std::string_view> (&table)[N], std::string_view text,
                std::string_view what) {
  std::string allowed;
  for (const auto& [e, name] : table) {
    if (name == text) return e;
    if (!allowed.empty()) allowed += ", ";
    allowed += name;
  }
  return InvalidArgumentError("unknown " + std::string(what) + " \"" + std::string(text) +
                              "\"; one of " + allowed);
}

constexpr std::pair<Kind, std::string_view> kKinds[] = {{Kind::kGrievance, "grievance"},
                                                        {Kind::kReentry, "reentry"}};
constexpr std::pair<Channel, std::string_view> kChannels[] = {
    {Channel::kPortal, "portal"},   {Channel::kOperator, "operator"},
    {Channel::kOfficer, "officer"}, {Channel::kPartnerApi, "partner_api"},
    {Channel::kSms, "sms"},         {Channel::kIvr, "ivr"},
    {Channel::kSystem, "system"}};
constexpr std::pair<Category, std::string_view> kCategories[] = {
    {Category::kEnrolment, "enrolment"},
    {Category::kDataCorrection, "data_correction"},
    {Category::kEligibilityDecision, "eligibility_decision"},
    {Category::kPaymentNotReceived, "payment_not_received"},
    {Category::kPaymentReturned, "payment_returned"},
    {Category::kServiceDenied, "service_denied"},
    {Category::kOperatorMisconduct, "operator_misconduct"},
    {Category::kDataMisuse, "data_misuse"},
    {Category::kOther, "other"}};
constexpr std::pair<Level, std::string_view> kLevels[] = {
    {Level::kBlock, "block"}, {Level::kDistrict, "district"}, {Level::kState, "state"}};
constexpr std::pair<GrievanceStatus, std::string_view> kStatuses[] = {
    {GrievanceStatus::kOpen, "open"},
    {GrievanceStatus::kResolved, "resolved"},
    {GrievanceStatus::kAppealed, "appealed"},
    {GrievanceStatus::kClosed, "closed"}};
constexpr std::pair<Outcome, std::string_view> kOutcomes[] = {{Outcome::kUpheld, "upheld"},
                                                              {Outcome::kRejected, "rejected"}};
constexpr std::pair<OfficerMode, std::string_view> kOfficerModes[] = {
    {OfficerMode::kHelpline, "helpline"}, {OfficerMode::kWalkIn, "walk_in"}};

}  // namespace

std::string_view KindName(Kind kind) { return NameOf(kKinds, kind); }
std::string_view ChannelName(Channel channel) { return NameOf(kChannels, channel); }
std::string_view CategoryName(Category category) { return NameOf(kCategories, category); }
std::string_view LevelName(Level level) { return NameOf(kLevels, level); }
std::string_view StatusName(GrievanceStatus status) { return NameOf(kStatuses, status); }
std::string_view OutcomeName(Outcome outcome) { return NameOf(kOutcomes, outcome); }
std::string_view OfficerModeName(OfficerMode mode) { return NameOf(kOfficerModes, mode); }

Result<Kind> ParseKind(std::string_view text) { return Parse(kKinds, text, "kind"); }
Result<Channel> ParseChannel(std::string_view text) { return Parse(kChannels, text, "channel"); }
Result<Category> ParseCategory(std::string_view text) {
  return Parse(kCategories, text, "category");
}
Result<Level> ParseLevel(std::string_view text) { return Parse(kLevels, text, "level"); }
Result<GrievanceStatus> ParseStatus(std::string_view text) {
  return Parse(kStatuses, text, "status");
}
Result<Outcome> ParseOutcome(std::string_view text) { return Parse(kOutcomes, text, "outcome"); }
Result<OfficerMode> ParseOfficerMode(std::string_view text) {
  return Parse(kOfficerModes, text, "officer mode");
}

size_t AreaCodeLength(Level level) {
  switch (level) {
    case Level::kBlock:
      return 6;
    case Level::kDistrict:
      return 4;
    case Level::kState:
      return 2;
  }
  return 6;
}

std::string AreaAt(Level level, std::string_view village_code) {
  return std::string(village_code.substr(0, AreaCodeLength(level)));
}

Level NextLevel(Level level) { return level == Level::kBlock ? Level::kDistrict : Level::kState; }

Status Policy::Validate() const {
  auto check = [](int days, std::string_view what) -> Status {
    if (days < 1 || days > 3650) {
      return InvalidArgumentError("grievance policy: " + std::string(what) +
                                  " must be 1..3650 days, not " + std::to_string(days));
    }
    return OkStatus();
  };
  for (int i = 0; i < kCategoryCount; ++i) {
    RETURN_IF_ERROR(check(deadline_days[i], "the deadline for " + std::string(CategoryName(
                                                                      static_cast<Category>(i)))));
  }
  RETURN_IF_ERROR(check(escalated_deadline_days, "escalated_deadline_days"));
  RETURN_IF_ERROR(check(appeal_deadline_days, "appeal_deadline_days"));
  RETURN_IF_ERROR(check(appeal_window_days, "appeal_window_days"));
  RETURN_IF_ERROR(check(reopen_window_days, "reopen_window_days"));
  RETURN_IF_ERROR(check(reentry_deadline_days, "reentry_deadline_days"));
  if (interim_percent < 1 || interim_percent > 99) {
    return InvalidArgumentError("grievance policy: interim_percent must be 1..99, not " +
                                std::to_string(interim_percent));
  }
  return OkStatus();
}

Result<Policy> PolicyFor(const Config::Grievance& config) {
  Policy p;
  p.deadline_days.fill(config.deadline_days);
  for (const auto& [name, days] : config.category_deadline_days) {
    Result<Category> c = ParseCategory(name);
    if (!c.ok()) {
      return InvalidArgumentError("grievance.category_deadline_days: " + c.status().message());
    }
    p.deadline_days[static_cast<int>(*c)] = days;
  }
  p.escalated_deadline_days = config.escalated_deadline_days;
  p.appeal_deadline_days = config.appeal_deadline_days;
  p.appeal_window_days = config.appeal_window_days;
  p.reopen_window_days = config.reopen_window_days;
  p.reentry_deadline_days = config.reentry_deadline_days;
  p.interim_percent = config.interim_percent;
  RETURN_IF_ERROR(p.Validate());
  return p;
}

}  // namespace spode::grievance
