#include "access/client_consents.h"

#include <algorithm>

namespace spode::access {
namespace {

constexpr int64_t kDayMicros = int64_t{86'400} * 1'000'000;
constexpr size_t kMaxPurpose = 200;

ClientConsent FromRow(const storage::Row& r) {
  ClientConsent c;
  c.consent_id = r.Int(0);
  c.client = r.Text(1);
  c.client_name = r.Text(2);
  c.scope = r.Text(3);
  c.purpose = r.Text(4);
  c.granted_by = r.Text(5);
  c.granted_at = Timestamp{r.Int(6)};
  c.expires_at = Timestamp{r.Int(7)};
  if (!r.IsNull(8)) c.revoked_at = Timestamp{r.Int(8)};
  return c;
}

constexpr const char* kSelect =
    "SELECT c.consent_id, u.username, u.display_name, c.scope, c.purpose, c.granted_by, "
    "c.granted_at_us, c.expires_at_us, c.revoked_at_us FROM client_consents c JOIN users u ON "
    "u.user_id = c.client_user_id ";

}  // namespace

Result<ClientConsent> ClientConsents::Grant(const Principal& citizen, std::string_view client,
                                            std::string_view scope, std::string_view purpose,
                                            int days) {
  if (citizen.role != Role::kCitizen || citizen.household_idx <= 0) {
    return PermissionDeniedError("only a citizen consents for their own household");
  }
  if (std::find(std::begin(kConsentableScopes), std::end(kConsentableScopes), scope) ==
      std::end(kConsentableScopes)) {
    return InvalidArgumentError("scope must be registry.read");
  }
  if (purpose.empty() || purpose.size() > kMaxPurpose) {
    return InvalidArgumentError("purpose: say what the app will use your data for (up to 200 "
                                "characters)");
  }
  if (days < 1 || days > kMaxConsentDays) {
    return InvalidArgumentError("days must be between 1 and 365");
  }
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT user_id, role, status, client_scopes FROM "
                                          "users WHERE username = ?",
                                          {std::string(client)}));
  if (!row || row->Text(1) != "developer" || row->Text(2) != "active") {
    return NotFoundError("no partner app has that client ID");
  }
  if (!ScopeListHas(row->Text(3), scope)) {
    return FailedPreconditionError("that app is not registered to read household data (scope " +
                                   std::string(scope) + ")");
  }
  const int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(auto id, db_.QueryOne("INSERT INTO client_consents (client_user_id, "
                                         "member_idx, household_idx, scope, purpose, granted_by, "
                                         "granted_at_us, expires_at_us) VALUES (?, ?, ?, ?, ?, "
                                         "?, ?, ?) RETURNING consent_id",
                                         {row->Int(0), citizen.member_idx,
                                          citizen.household_idx, std::string(scope),
                                          std::string(purpose), citizen.Actor(), now,
                                          now + days * kDayMicros}));
  ASSIGN_OR_RETURN(auto out, db_.QueryOne(std::string(kSelect) + "WHERE c.consent_id = ?",
                                          {id->Int(0)}));
  return FromRow(*out);
}

Result<std::vector<ClientConsent>> ClientConsents::ForHousehold(int64_t household_idx) {
  ASSIGN_OR_RETURN(auto rows, db_.Query(std::string(kSelect) +
                                            "WHERE c.household_idx = ? ORDER BY c.consent_id DESC",
                                        {household_idx}));
  std::vector<ClientConsent> out;
  out.reserve(rows.size());
  for (const storage::Row& r : rows) out.push_back(FromRow(r));
  return out;
}

Status ClientConsents::Revoke(const Principal& citizen, int64_t consent_id) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT household_idx, revoked_at_us FROM "
                                          "client_consents WHERE consent_id = ?",
                                          {consent_id}));
  if (!row || citizen.role != Role::kCitizen || row->Int(0) != citizen.household_idx) {
    return NotFoundError("no consent of your household has that number");
  }
  if (!row->IsNull(1)) return FailedPreconditionError("that consent was already withdrawn");
  ASSIGN_OR_RETURN(int64_t n, db_.Execute("UPDATE client_consents SET revoked_at_us = ?, "
                                          "revoked_by = ? WHERE consent_id = ? AND "
                                          "revoked_at_us IS NULL",
                                          {clock_.Now().micros, citizen.Actor(), consent_id}));
  if (n == 0) return FailedPreconditionError("that consent was already withdrawn");
  return OkStatus();
}

Result<bool> ClientConsents::Allows(const Principal& client, int64_t household_idx,
                                    std::string_view scope) {
  if (client.role != Role::kDeveloper || household_idx <= 0) return false;
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT 1 FROM client_consents WHERE client_user_id = "
                                          "? AND household_idx = ? AND scope = ? AND "
                                          "revoked_at_us IS NULL AND expires_at_us > ? LIMIT 1",
                                          {client.user_id, household_idx, std::string(scope),
                                           clock_.Now().micros}));
  return row.has_value();
}

}  // namespace spode::access
