// Identities: staff accounts, citizens' one-time-code sign-in, sessions, and throttling.
//
//   Identities ids(db, clock);
//   ASSIGN_OR_RETURN(int64_t uid, ids.AddUser({.username = "bdo.sonkh", .role = Role::kOfficer,
//                                              .scope = "990302", .duties = {Duty::kRegistrar},
//                                              .password = "..."}));
//   ASSIGN_OR_RETURN(Principal p, ids.LoginStaff("bdo.sonkh", password, "127.0.0.1"));
//   ASSIGN_OR_RETURN(std::string token, ids.CreateSession(p, "127.0.0.1"));
//   ASSIGN_OR_RETURN(Principal again, ids.ResolveSession(token));
//
// Errors: a wrong user name, password or code is UNAUTHENTICATED with the same message whatever
// was wrong (no account enumeration); too many failures are RESOURCE_EXHAUSTED: 100 failed
// attempts per account per hour, 300 per address per hour; one-time codes allow 5 attempts and
// 5 requests per member per hour. An expired, revoked or unknown session is UNAUTHENTICATED.
//
// Thread-safety: an Identities uses the Database it is given; one per connection.
#ifndef SPODE_ACCESS_IDENTITIES_H_
#define SPODE_ACCESS_IDENTITIES_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "access/principal.h"
#include "access/session_cache.h"
#include "common/time_source.h"
#include "storage/database.h"

namespace spode::access {

inline constexpr int kMaxAccountFailuresPerHour = 100;
inline constexpr int kMaxAddressFailuresPerHour = 300;
inline constexpr int kMaxOtpAttempts = 5;
inline constexpr int kMaxOtpRequestsPerHour = 5;
inline constexpr int64_t kOtpLifetimeSeconds = 10 * 60;
inline constexpr int64_t kStaffSessionSeconds = 12 * 3600;
inline constexpr int64_t kCitizenSessionSeconds = 3600;
// What a wrong, used, expired or unknown one-time code gets: the same words whatever was wrong.
inline constexpr const char* kWrongCodeMessage =
    "the code is not correct or has expired; ask for a new one";

struct NewUser {
  std::string username;
  std::string display_name;
  Role role = Role::kOfficer;
  std::string scope;
  std::set<Duty> duties;
  std::string password;
  // Machine clients (developer, bank, provider): the OAuth2 scopes they may ask for, space
  // separated, e.g. "registry.read mapper/link".
  std::string client_scopes;
};

// What the registry knows of a citizen that sign-in needs (the api layer looks it up).
struct CitizenContact {
  int64_t member_idx = 0;
  int64_t household_idx = 0;
  std::string member_id;
  std::string phone;     // empty: no phone on record
  std::string language;  // en or hi
};

class Identities {
 public:
  // With `sessions`, ResolveSession reads through that cache, and RevokeSession and
  // SetUserStatus take what they end out of it.
  Identities(storage::Database& db, const TimeSource& clock, SessionCache* sessions = nullptr)
      : db_(db), clock_(clock), sessions_(sessions) {}

  // INVALID_ARGUMENT for a bad name (3-40 of a-z 0-9 . _ -), a short password (under 10
  // characters), a citizen role, an officer without a 2-, 4- or 6-digit area code, or duties on
  // anyone but an officer; ALREADY_EXISTS for a taken name.
  Result<int64_t> AddUser(const NewUser& user);
  Result<nlohmann::json> ListUsers();
  // Sets an account's status ("active" or "disabled"); disabling also ends its open sessions.
  // NOT_FOUND for an unknown name, INVALID_ARGUMENT for another status, FAILED_PRECONDITION when
  // it already has that status.
  Status SetUserStatus(std::string_view username, std::string_view status);

  Result<Principal> LoginStaff(std::string_view username, std::string_view password,
                               std::string_view address);
  // A staff member by name, for CLI commands run `--as` them on the server itself (the
  // operating system account stands in for the password). NOT_FOUND for an unknown or disabled
  // account.
  Result<Principal> StaffByName(std::string_view username);

  // Issues a one-time code for `purpose` ("login" or "consent") and returns it, for the caller to
  // send through the outbox. RESOURCE_EXHAUSTED after 5 requests in an hour.
  // `binding` ties the code to what it was issued for (an operator, purpose and fee): it then
  // verifies only with the same binding.
  Result<std::string> IssueOtp(const CitizenContact& citizen, std::string_view purpose,
                               int64_t requested_by_user_id = 0, std::string_view binding = {});
  // Checks a code (once: a used code fails). UNAUTHENTICATED when wrong, expired, or issued for
  // another binding; a member_idx below 0 (no such member) always fails, with the same
  // throttling as a wrong code.
  Status VerifyOtp(const CitizenContact& citizen, std::string_view purpose, std::string_view code,
                   std::string_view address, std::string_view binding = {});
  static Principal CitizenPrincipal(const CitizenContact& citizen);

  // A new random session token (only its hash is stored).
  Result<std::string> CreateSession(const Principal& principal, std::string_view address);
  Result<Principal> ResolveSession(std::string_view token);
  Status RevokeSession(std::string_view token);

  // Records an operator's assisted session for a household, after the citizen's code was
  // verified. Returns the consent id.
  Result<int64_t> GrantAssistedConsent(const Principal& operator_principal,
                                       const CitizenContact& citizen, std::string_view purpose,
                                       int64_t fee_paise);
  // Whether `operator_principal` holds a live consent for the household.
  Result<bool> HasAssistedConsent(const Principal& operator_principal, int64_t household_idx);

 private:
  Status CheckThrottle(std::string_view account, std::string_view address);
  void RecordFailure(std::string_view account, std::string_view address);
  Result<Principal> PrincipalForUser(int64_t user_id);

  storage::Database& db_;
  const TimeSource& clock_;
  SessionCache* sessions_;
};

}  // namespace spode::access

#endif  // SPODE_ACCESS_IDENTITIES_H_
