// Who is acting: the principal behind a request, as established by authentication (a staff
// password, a citizen's one-time code, an API client's credentials).
#ifndef SPODE_ACCESS_PRINCIPAL_H_
#define SPODE_ACCESS_PRINCIPAL_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace spode::access {

// Every stakeholder of the seed has a role (ARCHITECTURE.md, "Stakeholders and roles").
enum class Role { kCitizen, kOperator, kOfficer, kBank, kProvider, kDeveloper, kAuditor, kAdmin };

// An officer's duties: what, within their area, they may decide.
enum class Duty { kRegistrar, kSchemeAdmin, kApprover, kGrievanceOfficer };

std::string_view RoleName(Role role);
Result<Role> ParseRole(std::string_view name);
std::string_view DutyName(Duty duty);
Result<Duty> ParseDuty(std::string_view name);

struct Principal {
  Role role = Role::kCitizen;
  // Staff and clients: their user name ("bdo.sonkh"); citizens: "citizen:<member_id>".
  std::string name;
  int64_t user_id = 0;  // staff and clients; 0 for citizens
  // Officers: a place code whose length gives the level (2 state, 4 district, 6 block); every
  // household whose village code starts with it is in their area. Operators: their centre's
  // code. Banks: their bank code (the first four letters of its IFSCs). Providers: their id.
  std::string scope;
  std::set<Duty> duties;
  // Machine clients: their registered OAuth2 scopes, space separated.
  std::string client_scopes;
  // Citizens: their own member and household.
  int64_t member_idx = 0;
  int64_t household_idx = 0;
  std::string member_id;

  bool HasDuty(Duty d) const { return duties.count(d) > 0; }
  // The name recorded in logs and decisions: "user:<name>" or "citizen:<member_id>".
  std::string Actor() const;
  // Officers: "state", "district" or "block" from the scope's length (2, 4, 6); else "".
  std::string OfficerLevel() const;
};

// Whether `scope` is one of the space-separated OAuth2 scopes in `scopes` (a client's
// registration, Principal::client_scopes).
bool ScopeListHas(std::string_view scopes, std::string_view scope);

}  // namespace spode::access

#endif  // SPODE_ACCESS_PRINCIPAL_H_
