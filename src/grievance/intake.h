// Intake: one way in for every channel. A grievance is committed, with its first assignment,
// its history and its acknowledgement in the outbox, in one transaction; only then is its
// ticket number returned.
//
//   ASSIGN_OR_RETURN(grievance::Filed filed, grievance::File(db, clock, {
//       .channel = grievance::Channel::kPortal,
//       .member_id = principal.member_id,
//       .category = grievance::Category::kPaymentNotReceived,
//       .description = "My pension for October has not come",
//       .filed_by = principal.Actor(),
//       .links = {.instruction_id = "202610-70000000012-3fa9c2d1"}}));
//   filed.ticket;     // "GR-2026-0000123-4": committed, so safe to show
//
// Group commit: FileBatch files several grievances in one transaction with one commit, so that
// many filings share one disk flush; api/grievance_intake_batcher.h feeds it from the HTTP
// workers.
//
//   ASSIGN_OR_RETURN(std::vector<Result<grievance::Filed>> each,
//                    grievance::FileBatch(db, clock, inputs));
//   each[i].ok() ? each[i]->ticket : each[i].status();   // one outcome per input, in order
//
// Routing (docs/grievance.md): operator misconduct goes to the district grievance officer,
// misuse of personal data to the state; everything else to the block grievance officer of the
// citizen's household, and, for a payment grievance whose failure the bank caused, also to that
// bank, which must answer under the officer's watch.
//
// Thread-safety: as the Database (one per connection, one thread at a time).
#ifndef SPODE_GRIEVANCE_INTAKE_H_
#define SPODE_GRIEVANCE_INTAKE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/result.h"
#include "common/time_source.h"
#include "grievance/types.h"
#include "storage/database.h"

namespace spode::grievance {

// An operator filing at a service centre on the citizen's behalf (access/identities.h:
// the citizen's one-time-code consent). The fee charged may not exceed the fee the citizen
// consented to.
struct AssistedFiling {
  int64_t operator_user_id = 0;
  std::string centre = {};
  Money fee = Money::FromPaise(0);
  int64_t consent_id = 0;  // assisted_consents.consent_id
};

// What the payments layer knows about a failed payment, so the grievance can go to the party
// that must act. `party` is "bank", "citizen" or "department" (payments/returns.h PartyName).
struct PaymentFailure {
  std::string party = {};
  std::string ifsc = {};  // the beneficiary's IFSC; its first four letters name the bank
};

// Optional links to what the grievance is about; each is shown on the officer's page.
struct Links {
  std::string instruction_id = {};  // a payment instruction
  std::string scheme_id = {};       // must name a scheme
  std::optional<int64_t> change_request_id = {};
  std::optional<int64_t> reentry_event_id = {};
};

struct GrievanceInput {
  Channel channel = Channel::kPortal;  // not kSystem: re-entry cases are opened by the system
  // The citizen: member_idx, or when it is 0, member_id (11 digits with a check digit).
  int64_t member_idx = 0;
  std::string member_id = {};
  Category category = Category::kOther;
  // 1..2000 characters of UTF-8, no control characters but line breaks and tabs.
  std::string description = {};
  // The citizen's language for messages and history; Hindi when not given.
  std::optional<notify::Language> language = {};
  // Who filed: "citizen:<member_id>", "user:<name>", "client:<id>", "sms-gateway".
  std::string filed_by = {};
  std::optional<AssistedFiling> assisted = {};   // required for kOperator
  std::optional<OfficerMode> officer_mode = {};  // required for kOfficer
  std::string client_id = {};                    // required for kPartnerApi
  std::string sender_phone = {};                 // kSms and kIvr: the number it came from
  Links links = {};
  std::optional<PaymentFailure> payment_failure = {};
};

struct Filed {
  int64_t grievance_id = 0;
  std::string ticket;
  Assignee assignee;
  Timestamp deadline;
  Timestamp interim_due;
  // The acknowledgement in the outbox; empty when the citizen has no phone on record.
  std::optional<int64_t> ack_message_id;
};

// Files a grievance and commits it. Returns only after the commit.
// INVALID_ARGUMENT: a malformed input (named). NOT_FOUND: no such member, scheme, change
// request or re-entry event. FAILED_PRECONDITION: a transaction is already open on `db` (the
// ticket could not be promised durable), or the assisted consent is not this operator's, not
// for this household, expired, revoked, or for a lower fee. Otherwise the Database's and the
// Outbox's errors (e.g. INVALID_ARGUMENT from a template): then nothing is stored.
Result<Filed> File(storage::Database& db, const TimeSource& clock, const GrievanceInput& input,
                   const Policy& policy = {});

// Files every input in ONE transaction and commits it once: each ticket is returned only after
// that commit. Each input is filed under a savepoint of its own, so an input that fails (a
// malformed field, an unknown member, a refused consent, a template error...) stores nothing and
// gets its own error in its place, as File would have returned it, without sinking the others.
// Returns one result per input, in the order given (an empty batch commits nothing).
// The whole batch fails, and nothing is stored, with FAILED_PRECONDITION when a transaction is
// already open on `db`, INVALID_ARGUMENT when `policy` is invalid, or the Database's error when
// the transaction cannot begin, a savepoint cannot be rolled back, or the commit fails
// (UNAVAILABLE, ABORTED...): then no input has a ticket. On PostgreSQL a commit that fails
// because the connection was lost may still have committed; no ticket was promised either way.
Result<std::vector<Result<Filed>>> FileBatch(storage::Database& db, const TimeSource& clock,
                                             std::span<const GrievanceInput> inputs,
                                             const Policy& policy = {});

// Where a grievance of `category` goes for a household in `village_code` (pure; File uses it).
// `bank_code` is set when `failure` says the bank must act and names a valid IFSC.
Assignee Route(Category category, std::string_view village_code,
               const std::optional<PaymentFailure>& failure);

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_INTAKE_H_
