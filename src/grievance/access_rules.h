// Who may see and act on a grievance: pure functions of the stored grievance and the principal,
// so the API asks them before it shows or changes anything (and logs the decision through the
// access gate). Deny by default.
//
//   ASSIGN_OR_RETURN(grievance::Grievance g, grievance::GetByTicket(db, ticket));
//   if (Status s = grievance::CanView(g, principal); !s.ok()) return NotFound...;  // 404, no hint
//   std::optional<grievance::ListFilter> mine = grievance::VisibleTo(principal);
//
// The rules (docs/grievance.md):
//   citizen   sees their own household's grievances and cases; rates, appeals, reopens and
//             closes them (CanActAsCitizen)
//   officer   with the grievance_officer duty: sees those of households in their area (village
//             code starts with their scope); answers those held at exactly their level and area
//             (CanAnswer); reassigns those held in their area at their level or below
//   bank      sees and answers only those assigned to it (its code = the grievance's bank),
//             while they are not under appeal (an appeal goes to an officer)
//   operator  sees the grievances they filed (filed_by = their Actor()) through the operator
//             channel; a developer (partner client) those it filed through the partner API
//   provider, auditor, admin, and anyone else: nothing (auditors get aggregates from metrics)
// A denial is PERMISSION_DENIED with a reason naming the rule, never the data.
//
// Thread-safety: pure functions.
#ifndef SPODE_GRIEVANCE_ACCESS_RULES_H_
#define SPODE_GRIEVANCE_ACCESS_RULES_H_

#include <optional>

#include "access/principal.h"
#include "common/status.h"
#include "grievance/desk.h"
#include "grievance/types.h"

namespace spode::grievance {

Status CanView(const Grievance& g, const access::Principal& p);
// Interim replies, answers (Resolve): the holder.
Status CanAnswer(const Grievance& g, const access::Principal& p);
// Reassign: an officer of the holder's area at the holder's level or above.
Status CanReassign(const Grievance& g, const access::Principal& p);
// Rate, Appeal, Reopen, Close: the citizen whose household it is.
Status CanActAsCitizen(const Grievance& g, const access::Principal& p);

// The list filter that shows `p` only what CanView allows (with the given paging left to the
// caller); empty when `p` may see no grievance at all.
std::optional<ListFilter> VisibleTo(const access::Principal& p);

}  // namespace spode::grievance

#endif  // SPODE_GRIEVANCE_ACCESS_RULES_H_
