// Citizens' consents to partner apps: a citizen lets a developer client (an OAuth2 client of
// role `developer`, docs/access.md) read their household for a purpose, for a number of days,
// and can withdraw it at any time. The gate allows a developer's household.read only under such
// a consent, and only for a scope the client is registered for.
//
//   ClientConsents consents(db, clock);
//   ASSIGN_OR_RETURN(ClientConsent c, consents.Grant(citizen, "partner.app", "registry.read",
//                                                    "scholarship application", 30));
//   ASSIGN_OR_RETURN(bool ok, consents.Allows(client, household_idx, "registry.read"));
//   RETURN_IF_ERROR(consents.Revoke(citizen, c.consent_id));
//
// Errors: INVALID_ARGUMENT for a scope that cannot be consented to, an empty or overlong
// purpose, or days outside 1..365; NOT_FOUND for a client that does not exist, is not active or
// is not a developer client (one answer for all three), and for a consent of another household;
// FAILED_PRECONDITION for a client not registered for the scope, or a consent already revoked.
//
// Thread-safety: uses the Database it is given; one per connection.
#ifndef SPODE_ACCESS_CLIENT_CONSENTS_H_
#define SPODE_ACCESS_CLIENT_CONSENTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "access/principal.h"
#include "common/date.h"
#include "common/result.h"
#include "common/time_source.h"
#include "storage/database.h"

namespace spode::access {

// The scopes a citizen can consent to. registry.read: their household's view (members, their
// attributes; never bank details, phone numbers or national IDs).
inline constexpr std::string_view kConsentableScopes[] = {"registry.read"};
inline constexpr int kMaxConsentDays = 365;

struct ClientConsent {
  int64_t consent_id = 0;
  std::string client;        // the client's id (its user name)
  std::string client_name;   // its display name, for the citizen
  std::string scope;
  std::string purpose;
  std::string granted_by;    // "citizen:<member_id>"
  Timestamp granted_at;
  Timestamp expires_at;
  std::optional<Timestamp> revoked_at;
  bool Active(Timestamp now) const { return !revoked_at && now.micros < expires_at.micros; }
};

class ClientConsents {
 public:
  ClientConsents(storage::Database& db, const TimeSource& clock) : db_(db), clock_(clock) {}

  // `citizen` lets `client` use `scope` on their household for `days` days.
  Result<ClientConsent> Grant(const Principal& citizen, std::string_view client,
                              std::string_view scope, std::string_view purpose, int days);
  // Every consent given for the household, newest first (revoked and expired ones included).
  Result<std::vector<ClientConsent>> ForHousehold(int64_t household_idx);
  // Withdraws a consent of the citizen's household, at once.
  Status Revoke(const Principal& citizen, int64_t consent_id);
  // Whether the developer client holds a live consent for the household and scope.
  Result<bool> Allows(const Principal& client, int64_t household_idx, std::string_view scope);

 private:
  storage::Database& db_;
  const TimeSource& clock_;
};

}  // namespace spode::access

#endif  // SPODE_ACCESS_CLIENT_CONSENTS_H_
