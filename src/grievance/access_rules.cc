#include "grievance/access_rules.h"

namespace spode::grievance {
namespace {

using access::Duty;
using access::Role;

bool GrievanceOfficer(const access::Principal& p) {
  return p.role == Role::kOfficer && !p.scope.empty() && p.HasDuty(Duty::kGrievanceOfficer);
}

bool FiledBy(const Grievance& g, const access::Principal& p) {
  if (p.role == Role::kOperator) {
    return g.channel == Channel::kOperator && g.filed_by == p.Actor() &&
           g.operator_user_id == p.user_id;
  }
  if (p.role == Role::kDeveloper) {
    return g.channel == Channel::kPartnerApi && g.filed_by == p.Actor();
  }
  return false;
}

}  // namespace

Status CanView(const Grievance& g, const access::Principal& p) {
  switch (p.role) {
    case Role::kCitizen:
      if (p.household_idx > 0 && p.household_idx == g.household_idx) return OkStatus();
      return PermissionDeniedError("a citizen sees only their own household's grievances");
    case Role::kOfficer:
      if (!GrievanceOfficer(p)) {
        return PermissionDeniedError("grievances are for officers with the grievance_officer duty");
      }
      if (g.village_code.starts_with(p.scope)) return OkStatus();
      return PermissionDeniedError("the grievance is outside the officer's area");
    case Role::kBank:
      if (!p.scope.empty() && g.assignee.bank_code == p.scope) return OkStatus();
      return PermissionDeniedError("a bank sees only grievances assigned to it");
    case Role::kOperator:
    case Role::kDeveloper:
      if (FiledBy(g, p)) return OkStatus();
      return PermissionDeniedError("an operator or partner sees only the grievances it filed");
    default:
      return PermissionDeniedError("this role does not see grievances");
  }
}

Status CanAnswer(const Grievance& g, const access::Principal& p) {
  if (g.status != GrievanceStatus::kOpen && g.status != GrievanceStatus::kAppealed) {
    return PermissionDeniedError("the grievance is not waiting for an answer");
  }
  if (p.role == Role::kOfficer) {
    if (!GrievanceOfficer(p)) {
      return PermissionDeniedError("answering needs the grievance_officer duty");
    }
    if (p.scope == g.assignee.area_code && p.scope.size() == AreaCodeLength(g.assignee.level)) {
      return OkStatus();
    }
    return PermissionDeniedError("the grievance is held by another officer");
  }
  if (p.role == Role::kBank) {
    if (g.status == GrievanceStatus::kOpen && !p.scope.empty() && g.assignee.bank_code == p.scope) {
      return OkStatus();
    }
    return PermissionDeniedError("a bank answers only the open grievances assigned to it");
  }
  return PermissionDeniedError("only the officer or bank holding a grievance answers it");
}

Status CanReassign(const Grievance& g, const access::Principal& p) {
  if (!GrievanceOfficer(p)) {
    return PermissionDeniedError("reassigning needs an officer with the grievance_officer duty");
  }
  if (p.scope.size() <= AreaCodeLength(g.assignee.level) &&
      g.assignee.area_code.starts_with(p.scope)) {
    return OkStatus();
  }
  return PermissionDeniedError(
      "the grievance is held outside the officer's area or above "
      "their level");
}

Status CanActAsCitizen(const Grievance& g, const access::Principal& p) {
  if (p.role == Role::kCitizen && p.household_idx > 0 && p.household_idx == g.household_idx) {
    return OkStatus();
  }
  return PermissionDeniedError("only the citizen whose grievance it is can do this");
}

std::optional<ListFilter> VisibleTo(const access::Principal& p) {
  ListFilter f;
  switch (p.role) {
    case Role::kCitizen:
      if (p.household_idx <= 0) return std::nullopt;
      f.household_idx = p.household_idx;
      return f;
    case Role::kOfficer:
      if (!GrievanceOfficer(p)) return std::nullopt;
      f.area_prefix = p.scope;
      return f;
    case Role::kBank:
      if (p.scope.empty()) return std::nullopt;
      f.bank_code = p.scope;
      return f;
    case Role::kOperator:
      f.channel = Channel::kOperator;
      f.filed_by = p.Actor();
      return f;
    case Role::kDeveloper:
      f.channel = Channel::kPartnerApi;
      f.filed_by = p.Actor();
      return f;
    default:
      return std::nullopt;
  }
}

}  // namespace spode::grievance
