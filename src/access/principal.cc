#include "access/principal.h"

namespace spode::access {

namespace {
constexpr std::pair<Role, std::string_view> kRoles[] = {
    {Role::kCitizen, "citizen"},   {Role::kOperator, "operator"}, {Role::kOfficer, "officer"},
    {Role::kBank, "bank"},         {Role::kProvider, "provider"}, {Role::kDeveloper, "developer"},
    {Role::kAuditor, "auditor"},   {Role::kAdmin, "admin"}};
constexpr std::pair<Duty, std::string_view> kDuties[] = {{Duty::kRegistrar, "registrar"},
                                                         {Duty::kSchemeAdmin, "scheme_admin"},
                                                         {Duty::kApprover, "approver"},
                                                         {Duty::kGrievanceOfficer, "grievance_officer"}};
}  // namespace

std::string_view RoleName(Role role) {
  for (auto& [r, n] : kRoles) {
    if (r == role) return n;
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (auto& [r, n] : kRoles) {
    if (n == name) return r;
  }
  return InvalidArgumentError("unknown role \"" + std::string(name) +
                              "\"; roles are citizen, operator, officer, bank, provider, "
                              "developer, auditor, admin");
}

std::string_view DutyName(Duty duty) {
  for (auto& [d, n] : kDuties) {
    if (d == duty) return n;
  }
  return "unknown";
}

Result<Duty> ParseDuty(std::string_view name) {
  for (auto& [d, n] : kDuties) {
    if (n == name) return d;
  }
  return InvalidArgumentError("unknown duty \"" + std::string(name) +
                              "\"; duties are registrar, scheme_admin, approver, "
                              "grievance_officer");
}

bool ScopeListHas(std::string_view scopes, std::string_view scope) {
  while (!scopes.empty()) {
    size_t end = scopes.find(' ');
    if (scopes.substr(0, end) == scope) return true;
    if (end == std::string_view::npos) break;
    scopes.remove_prefix(end + 1);
  }
  return false;
}

std::string Principal::Actor() const {
  if (role == Role::kCitizen) return "citizen:" + member_id;
  return "user:" + name;
}

std::string Principal::OfficerLevel() const {
  if (role != Role::kOfficer) return "";
  switch (scope.size()) {
    case 2: return "state";
    case 4: return "district";
    case 6: return "block";
    default: return "";
  }
}

}  // namespace spode::access
