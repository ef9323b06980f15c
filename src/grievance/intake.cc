#include "grievance/intake.h"

#include <nlohmann/json.hpp>

#include "grievance/internal/history.h"
#include "grievance/internal/store.h"
#include "grievance/internal/util.h"
#include "registry/household.h"

namespace spode::grievance {
namespace {

using internal::OptionalInt;
using internal::OptionalText;

// The bank code a failure names when the bank must act first: the first four letters of an
// IFSC (or a bare four-letter code). Empty otherwise.
std::string BankCodeOf(const std::optional<PaymentFailure>& failure) {
  if (!failure) return "";
  std::string_view party = failure->party;
  party = party.substr(0, party.find_first_of(", "));
  if (party != "bank") return "";
  std::string_view ifsc = failure->ifsc;
  if (ifsc.size() != 4 && !registry::ValidIfsc(ifsc)) return "";
  for (int i = 0; i < 4; ++i) {
    if (ifsc.size() < 4 || ifsc[i] < 'A' || ifsc[i] > 'Z') return "";
  }
  return std::string(ifsc.substr(0, 4));
}

Status CheckInput(const GrievanceInput& in) {
  if (in.channel == Channel::kSystem) {
    return InvalidArgumentError("channel: 'system' is for re-entry cases the system opens");
  }
  if (in.member_idx < 0) return InvalidArgumentError("member_idx: must be positive");
  if (in.member_idx == 0 && !registry::ValidMemberId(in.member_id)) {
    return InvalidArgumentError("member_id: 11 digits with a valid check digit");
  }
  RETURN_IF_ERROR(internal::CheckText(in.description, "description", 2000));
  if (in.filed_by.empty() || in.filed_by.size() > 200) {
    return InvalidArgumentError("filed_by: who filed the grievance (1..200 characters)");
  }
  if ((in.channel == Channel::kOperator) != in.assisted.has_value()) {
    return InvalidArgumentError(
        "assisted: the operator channel records the centre, operator, fee and consent; other "
        "channels do not");
  }
  if (in.assisted) {
    const AssistedFiling& a = *in.assisted;
    if (a.operator_user_id <= 0) return InvalidArgumentError("assisted.operator_user_id: missing");
    RETURN_IF_ERROR(internal::CheckText(a.centre, "assisted.centre", 40));
    if (a.fee.paise() < 0) return InvalidArgumentError("assisted.fee: cannot be negative");
    if (a.consent_id <= 0) {
      return InvalidArgumentError("assisted.consent_id: the citizen's one-time-code consent");
    }
  }
  if ((in.channel == Channel::kOfficer) != in.officer_mode.has_value()) {
    return InvalidArgumentError(
        "officer_mode: an officer filing for a citizen says helpline or walk_in; other channels "
        "do not");
  }
  if (in.channel == Channel::kPartnerApi) {
    RETURN_IF_ERROR(internal::CheckText(in.client_id, "client_id", 100));
  } else if (!in.client_id.empty()) {
    return InvalidArgumentError("client_id: only for the partner_api channel");
  }
  if (in.channel == Channel::kSms || in.channel == Channel::kIvr) {
    if (!registry::ValidPhone(in.sender_phone)) {
      return InvalidArgumentError("sender_phone: a 10-digit mobile number");
    }
  } else if (!in.sender_phone.empty()) {
    return InvalidArgumentError("sender_phone: only for the sms and ivr channels");
  }
  if (!in.links.instruction_id.empty()) {
    RETURN_IF_ERROR(internal::CheckCode(in.links.instruction_id, "links.instruction_id", 64));
  }
  if (!in.links.scheme_id.empty()) {
    RETURN_IF_ERROR(internal::CheckCode(in.links.scheme_id, "links.scheme_id", 64));
  }
  if (in.links.change_request_id && *in.links.change_request_id <= 0) {
    return InvalidArgumentError("links.change_request_id: must be positive");
  }
  if (in.links.reentry_event_id && *in.links.reentry_event_id <= 0) {
    return InvalidArgumentError("links.reentry_event_id: must be positive");
  }
  return OkStatus();
}

struct Citizen {
  int64_t member_idx = 0;
  int64_t household_idx = 0;
  std::string village_code;
};

Result<Citizen> FindCitizen(storage::Database& db, const GrievanceInput& in) {
  auto row = in.member_idx > 0
                 ? db.QueryOne(
                       "SELECT m.member_idx, m.household_idx, h.village_code FROM members "
                       "m JOIN households h ON h.household_idx = m.household_idx WHERE "
                       "m.member_idx = ?",
                       {in.member_idx})
                 : db.QueryOne(
                       "SELECT m.member_idx, m.household_idx, h.village_code FROM members "
                       "m JOIN households h ON h.household_idx = m.household_idx WHERE "
                       "m.member_id = ?",
                       {in.member_id});
  if (!row.ok()) return row.status();
  if (!*row) return NotFoundError("no registered member has that ID");
  return Citizen{(*row)->Int(0), (*row)->Int(1), (*row)->Text(2)};
}

Status CheckConsent(storage::Database& db, const AssistedFiling& a, int64_t household_idx,
                    Timestamp now) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT operator_user_id, centre, household_idx, "
                                         "fee_paise, expires_at_us, revoked_at_us FROM "
                                         "assisted_consents WHERE consent_id = ?",
                                         {a.consent_id}));
  if (!row) return FailedPreconditionError("assisted.consent_id: no such consent");
  if (row->Int(0) != a.operator_user_id || row->Text(1) != a.centre) {
    return FailedPreconditionError(
        "assisted.consent_id: the consent was given to another "
        "operator or centre");
  }
  if (row->Int(2) != household_idx) {
    return FailedPreconditionError("assisted.consent_id: the consent is for another household");
  }
  if (!row->IsNull(5) || row->Int(4) <= now.micros) {
    return FailedPreconditionError(
        "assisted.consent_id: the consent has expired or was revoked; "
        "ask the citizen for a new code");
  }
  if (a.fee.paise() > row->Int(3)) {
    return FailedPreconditionError("assisted.fee: more than the fee the citizen agreed to (" +
                                   Money::FromPaise(row->Int(3)).ToString() + ")");
  }
  return OkStatus();
}

// What a linked exclusion event says about who must act.
Result<std::optional<PaymentFailure>> FailureFromEvent(storage::Database& db, int64_t event_id,
                                                       int64_t household_idx) {
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT household_idx, detail FROM reentry_events "
                                         "WHERE event_id = ?",
                                         {event_id}));
  if (!row || (!row->IsNull(0) && row->Int(0) != household_idx)) {
    return NotFoundError("links.reentry_event_id: no such event for this household");
  }
  nlohmann::json detail = nlohmann::json::parse(row->Text(1), nullptr, false);
  return internal::FailureFromDetail(detail);
}

}  // namespace

Assignee Route(Category category, std::string_view village_code,
               const std::optional<PaymentFailure>& failure) {
  Assignee a;
  switch (category) {
    case Category::kOperatorMisconduct:
      a.level = Level::kDistrict;  // operators are licensed and disciplined by the district
      break;
    case Category::kDataMisuse:
      a.level = Level::kState;  // the state's data protection officer
      break;
    default:
      a.level = Level::kBlock;
  }
  a.area_code = AreaAt(a.level, village_code);
  if (category == Category::kPaymentNotReceived || category == Category::kPaymentReturned) {
    a.bank_code = BankCodeOf(failure);
  }
  return a;
}

namespace {

// A grievance written in the caller's transaction, its ticket kept back until the commit.
struct Staged {
  Filed filed;  // without its ticket
  std::string ticket;
};

// Writes one (checked) grievance with its assignment, history and acknowledgement in the open
// transaction.
Result<Staged> Stage(storage::Database& db, const TimeSource& clock, const GrievanceInput& in,
                     const Policy& policy, Timestamp now) {
  Filed filed;
  Grievance g;
  ASSIGN_OR_RETURN(Citizen citizen, FindCitizen(db, in));
  if (citizen.village_code.size() < 6) {
    return InternalError("household " + std::to_string(citizen.household_idx) +
                         " has no village code");
  }
  if (in.assisted) RETURN_IF_ERROR(CheckConsent(db, *in.assisted, citizen.household_idx, now));
  if (!in.links.scheme_id.empty()) {
    ASSIGN_OR_RETURN(
        auto s, db.QueryOne("SELECT 1 FROM schemes WHERE scheme_id = ?", {in.links.scheme_id}));
    if (!s) return NotFoundError("links.scheme_id: no such scheme");
  }
  if (in.links.change_request_id) {
    ASSIGN_OR_RETURN(auto cr, db.QueryOne("SELECT household_idx FROM change_requests WHERE "
                                          "cr_id = ?",
                                          {*in.links.change_request_id}));
    if (!cr || cr->Int(0) != citizen.household_idx) {
      return NotFoundError("links.change_request_id: no such change request for this household");
    }
  }
  std::optional<PaymentFailure> failure = in.payment_failure;
  if (in.links.reentry_event_id) {
    ASSIGN_OR_RETURN(auto from_event,
                     FailureFromEvent(db, *in.links.reentry_event_id, citizen.household_idx));
    if (!failure) failure = from_event;
  }
  filed.assignee = Route(in.category, citizen.village_code, failure);
  filed.deadline = internal::PlusDays(now, policy.DeadlineDays(in.category));
  filed.interim_due = internal::InterimDue(now, filed.deadline, policy.interim_percent);
  notify::Language language = in.language.value_or(notify::Language::kHi);
  const AssistedFiling* a = in.assisted ? &*in.assisted : nullptr;
  ASSIGN_OR_RETURN(
      auto row,
      db.QueryOne(
          "INSERT INTO grievances (kind, filed_year, channel, category, member_idx, "
          "household_idx, village_code, description, language, filed_by, filed_at_us, "
          "operator_user_id, centre, fee_paise, consent_id, officer_mode, client_id, "
          "sender_phone, instruction_id, scheme_id, change_request_id, reentry_event_id, "
          "level, area_code, assigned_bank, assigned_at_us, deadline_at_us, interim_due_at_us) "
          "VALUES ('grievance', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, "
          "?, ?, ?, ?, ?) RETURNING grievance_id",
          {int64_t{clock.Today().year()},
           std::string(ChannelName(in.channel)),
           std::string(CategoryName(in.category)),
           citizen.member_idx,
           citizen.household_idx,
           citizen.village_code,
           in.description,
           std::string(notify::LanguageName(language)),
           in.filed_by,
           now.micros,
           a ? storage::Value(a->operator_user_id) : storage::Value(storage::Null{}),
           a ? storage::Value(a->centre) : storage::Value(storage::Null{}),
           a ? storage::Value(a->fee.paise()) : storage::Value(storage::Null{}),
           a ? storage::Value(a->consent_id) : storage::Value(storage::Null{}),
           in.officer_mode ? storage::Value(std::string(OfficerModeName(*in.officer_mode)))
                           : storage::Value(storage::Null{}),
           OptionalText(in.client_id),
           OptionalText(in.sender_phone),
           OptionalText(in.links.instruction_id),
           OptionalText(in.links.scheme_id),
           OptionalInt(in.links.change_request_id),
           OptionalInt(in.links.reentry_event_id),
           std::string(LevelName(filed.assignee.level)),
           filed.assignee.area_code,
           OptionalText(filed.assignee.bank_code),
           now.micros,
           filed.deadline.micros,
           filed.interim_due.micros}));
  if (!row) return InternalError("INSERT ... RETURNING gave no row");
  filed.grievance_id = row->Int(0);
  ASSIGN_OR_RETURN(g, internal::Load(db, filed.grievance_id));
  std::string due = internal::PeopleDate(filed.deadline, clock);
  RETURN_IF_ERROR(
      internal::AddEvent(db, g.grievance_id, now, "filed", in.filed_by, internal::FiledText(g)));
  RETURN_IF_ERROR(internal::AddEvent(db, g.grievance_id, now, "assigned", "system",
                                     internal::AssignedText(filed.assignee, due)));
  RETURN_IF_ERROR(internal::AddAssignment(db, g.grievance_id, filed.assignee, "filed", "", "system",
                                          now, filed.deadline));
  ASSIGN_OR_RETURN(filed.ack_message_id, internal::Tell(db, clock, policy, g, "grievance_ack",
                                                        {{"ticket", g.ticket}, {"due_date", due}}));
  return Staged{std::move(filed), g.ticket};
}

}  // namespace

Result<Filed> File(storage::Database& db, const TimeSource& clock, const GrievanceInput& in,
                   const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  RETURN_IF_ERROR(CheckInput(in));
  const Timestamp now = clock.Now();
  Staged staged;
  RETURN_IF_ERROR(internal::InOwnTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(staged, Stage(db, clock, in, policy, now));
    return OkStatus();
  }));
  // Committed: the ticket may now be shown.
  staged.filed.ticket = std::move(staged.ticket);
  return std::move(staged.filed);
}

Result<std::vector<Result<Filed>>> FileBatch(storage::Database& db, const TimeSource& clock,
                                             std::span<const GrievanceInput> inputs,
                                             const Policy& policy) {
  RETURN_IF_ERROR(policy.Validate());
  std::vector<Result<Filed>> out;
  out.reserve(inputs.size());
  if (inputs.empty()) return out;
  const Timestamp now = clock.Now();
  std::vector<std::optional<Staged>> staged(inputs.size());
  std::vector<Status> errors(inputs.size());
  RETURN_IF_ERROR(internal::InOwnTransaction(db, [&]() -> Status {
    for (size_t i = 0; i < inputs.size(); ++i) {
      errors[i] = CheckInput(inputs[i]);
      if (!errors[i].ok()) continue;
      // A savepoint per input: a failed input's rows go, the others' stay. (PostgreSQL also
      // needs it to carry on after a failed statement.)
      RETURN_IF_ERROR(db.ExecScript("SAVEPOINT grievance_intake"));
      Result<Staged> one = Stage(db, clock, inputs[i], policy, now);
      if (one.ok()) {
        staged[i] = std::move(*one);
      } else {
        errors[i] = one.status();
        RETURN_IF_ERROR(db.ExecScript("ROLLBACK TO SAVEPOINT grievance_intake"));
      }
      RETURN_IF_ERROR(db.ExecScript("RELEASE SAVEPOINT grievance_intake"));
    }
    return OkStatus();
  }));
  // Committed: every ticket may now be shown.
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (staged[i]) {
      staged[i]->filed.ticket = std::move(staged[i]->ticket);
      out.emplace_back(std::move(staged[i]->filed));
    } else {
      out.emplace_back(errors[i]);
    }
  }
  return out;
}

}  // namespace spode::grievance
