#include "access/identities.h"

#include <cstdio>

#include "crypto/vault_key.h"

namespace spode::access {
namespace {

using nlohmann::json;

constexpr int64_t kHourUs = 3600LL * 1'000'000;
const char kWrongCredentials[] = "the user name or password is not correct";

bool ValidUsername(std::string_view u) {
  if (u.size() < 3 || u.size() > 40) return false;
  for (char c : u) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string JoinDuties(const std::set<Duty>& duties) {
  std::string out;
  for (Duty d : duties) {
    if (!out.empty()) out += ',';
    out += DutyName(d);
  }
  return out;
}

std::set<Duty> SplitDuties(std::string_view text) {
  std::set<Duty> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    auto d = ParseDuty(text.substr(start, comma - start));
    if (d.ok()) out.insert(*d);
    start = comma + 1;
  }
  return out;
}

std::string CodeHash(int64_t member_idx, std::string_view purpose, std::string_view code,
                     std::string_view binding) {
  return crypto::Hash256(std::to_string(member_idx) + "|" + std::string(purpose) + "|" +
                         std::string(code) + "|" + std::string(binding));
}

}  // namespace

Result<int64_t> Identities::AddUser(const NewUser& u) {
  if (!ValidUsername(u.username)) {
    return InvalidArgumentError("a user name has 3 to 40 characters: a-z, 0-9, '.', '_', '-'");
  }
  if (u.role == Role::kCitizen) {
    return InvalidArgumentError("citizens are not users: they sign in with their member ID and a "
                                "one-time code");
  }
  if (u.password.size() < 10) return InvalidArgumentError("a password needs at least 10 characters");
  if (u.role == Role::kOfficer &&
      (!AllDigits(u.scope) || (u.scope.size() != 2 && u.scope.size() != 4 && u.scope.size() != 6))) {
    return InvalidArgumentError("an officer needs --scope: a state (2 digits), district (4) or "
                                "block (6) code");
  }
  if ((u.role == Role::kOperator || u.role == Role::kProvider) && u.scope.empty()) {
    return InvalidArgumentError("a " + std::string(RoleName(u.role)) +
                                " needs --scope: the centre, bank or provider code");
  }
  if (u.role == Role::kBank && (u.scope.size() != 4 || u.scope.find_first_not_of(
                                                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
                                                           std::string::npos)) {
    return InvalidArgumentError("a bank's scope is its 4-letter IFSC bank code, such as SBIN");
  }
  for (char c : u.client_scopes) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-' || c == '/' || c == ' ';
    if (!ok) return InvalidArgumentError("client scopes are space-separated words of a-z 0-9 . _ - /");
  }
  if (!u.duties.empty() && u.role != Role::kOfficer) {
    return InvalidArgumentError("only officers have duties");
  }
  ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(u.password));
  auto row = db_.QueryOne(
      "INSERT INTO users (username, display_name, role, scope, duties, password_hash, "
      "created_at_us, client_scopes) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING user_id",
      {u.username, u.display_name.empty() ? u.username : u.display_name,
       std::string(RoleName(u.role)), u.scope, JoinDuties(u.duties), hash, clock_.Now().micros,
       u.client_scopes});
  if (!row.ok()) {
    if (row.status().code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError("there is already a user named " + u.username);
    }
    return row.status();
  }
  return (*row)->Int(0);
}

Result<json> Identities::ListUsers() {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT username, display_name, role, scope, duties, "
                                        "status, client_scopes FROM users ORDER BY username"));
  json out = json::array();
  for (const auto& r : rows) {
    json duties = json::array();
    for (Duty d : SplitDuties(r.Text(4))) duties.push_back(DutyName(d));
    out.push_back({{"username", r.Text(0)},
                   {"display_name", r.Text(1)},
                   {"role", r.Text(2)},
                   {"scope", r.Text(3)},
                   {"duties", duties},
                   {"status", r.Text(5)},
                   {"client_scopes", r.Text(6)}});
  }
  return out;
}

Status Identities::SetUserStatus(std::string_view username, std::string_view status) {
  if (status != "active" && status != "disabled") {
    return InvalidArgumentError("status must be active or disabled");
  }
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT user_id, status FROM users WHERE username = ?",
                                          {std::string(username)}));
  if (!row) return NotFoundError("no account named " + std::string(username));
  if (row->Text(1) == status) {
    return FailedPreconditionError("the account is already " + std::string(status));
  }
  const int64_t now = clock_.Now().micros;
  RETURN_IF_ERROR(db_.Execute("UPDATE users SET status = ? WHERE user_id = ?",
                              {std::string(status), row->Int(0)})
                      .status());
  if (status == "disabled") {
    RETURN_IF_ERROR(db_.Execute("UPDATE sessions SET revoked_at_us = ? WHERE user_id = ? AND "
                                "revoked_at_us IS NULL",
                                {now, row->Int(0)})
                        .status());
    if (sessions_) sessions_->Clear();
  }
  return OkStatus();
}

Status Identities::CheckThrottle(std::string_view account, std::string_view address) {
  int64_t since = clock_.Now().micros - kHourUs;
  ASSIGN_OR_RETURN(auto a, db_.QueryOne("SELECT COUNT(*) FROM auth_failures WHERE kind = "
                                        "'account' AND subject = ? AND at_us > ?",
                                        {std::string(account), since}));
  if ((*a).Int(0) >= kMaxAccountFailuresPerHour) {
    return ResourceExhaustedError("too many failed attempts for this account; try again in an "
                                  "hour");
  }
  ASSIGN_OR_RETURN(auto b, db_.QueryOne("SELECT COUNT(*) FROM auth_failures WHERE kind = "
                                        "'address' AND subject = ? AND at_us > ?",
                                        {std::string(address), since}));
  if ((*b).Int(0) >= kMaxAddressFailuresPerHour) {
    return ResourceExhaustedError("too many failed attempts from this address; try again in an "
                                  "hour");
  }
  return OkStatus();
}

void Identities::RecordFailure(std::string_view account, std::string_view address) {
  int64_t now = clock_.Now().micros;
  db_.Execute("INSERT INTO auth_failures (kind, subject, at_us) VALUES ('account', ?, ?), "
              "('address', ?, ?)",
              {std::string(account), now, std::string(address), now})
      .status()
      .IgnoreError();
}

namespace {

// A staff member's or client's principal from the columns username, role, scope, duties,
// status, client_scopes of users, starting at column `first` of `row`.
Result<Principal> AccountPrincipal(const storage::Row& row, size_t first, int64_t user_id) {
  if (row.IsNull(first + 4) || row.Text(first + 4) != "active") {
    return UnauthenticatedError("the account is not active");
  }
  Principal p;
  ASSIGN_OR_RETURN(p.role, ParseRole(row.Text(first + 1)));
  p.user_id = user_id;
  p.name = row.Text(first);
  p.scope = row.Text(first + 2);
  p.duties = SplitDuties(row.Text(first + 3));
  p.client_scopes = row.Text(first + 5);
  return p;
}

}  // namespace

Result<Principal> Identities::PrincipalForUser(int64_t user_id) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT username, role, scope, duties, status, "
                                          "client_scopes FROM users WHERE user_id = ?",
                                          {user_id}));
  if (!row) return UnauthenticatedError("the account is not active");
  return AccountPrincipal(*row, 0, user_id);
}

Result<Principal> Identities::StaffByName(std::string_view username) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT user_id FROM users WHERE username = ? AND "
                                          "status = 'active'",
                                          {std::string(username)}));
  if (!row) return NotFoundError("no active staff account named " + std::string(username));
  return PrincipalForUser(row->Int(0));
}

Result<Principal> Identities::LoginStaff(std::string_view username, std::string_view password,
                                         std::string_view address) {
  std::string account = "user:" + std::string(username);
  RETURN_IF_ERROR(CheckThrottle(account, address));
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT user_id, password_hash, status FROM users "
                                          "WHERE username = ?",
                                          {std::string(username)}));
  if (!row || (*row).Text(2) != "active" ||
      !crypto::VerifyPassword((*row).Text(1), password)) {
    RecordFailure(account, address);
    return UnauthenticatedError(kWrongCredentials);
  }
  return PrincipalForUser((*row).Int(0));
}

Result<std::string> Identities::IssueOtp(const CitizenContact& c, std::string_view purpose,
                                         int64_t requested_by, std::string_view binding) {
  if (purpose != "login" && purpose != "consent") {
    return InvalidArgumentError("purpose must be login or consent");
  }
  if (c.phone.empty()) {
    return FailedPreconditionError("no mobile number is on record for this member; a one-time "
                                   "code cannot be sent (an officer can update the number)");
  }
  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(auto recent, db_.QueryOne("SELECT COUNT(*) FROM otp_codes WHERE member_idx = "
                                             "? AND purpose = ? AND created_at_us > ?",
                                             {c.member_idx, std::string(purpose), now - kHourUs}));
  if ((*recent).Int(0) >= kMaxOtpRequestsPerHour) {
    return ResourceExhaustedError("too many codes were requested for this member; try again in "
                                  "an hour");
  }
  char code[8];
  std::snprintf(code, sizeof code, "%06u", crypto::RandomBelow(1000000));
  storage::Value by = requested_by > 0 ? storage::Value(requested_by) : storage::Value(storage::Null{});
  RETURN_IF_ERROR(db_.Execute("INSERT INTO otp_codes (member_idx, purpose, code_hash, "
                              "requested_by, created_at_us, expires_at_us) VALUES (?, ?, ?, ?, ?, "
                              "?)",
                              {c.member_idx, std::string(purpose),
                               storage::Blob{CodeHash(c.member_idx, purpose, code, binding)}, by,
                               now,
                               now + kOtpLifetimeSeconds * 1'000'000})
                      .status());
  return std::string(code);
}

Status Identities::VerifyOtp(const CitizenContact& c, std::string_view purpose,
                             std::string_view code, std::string_view address,
                             std::string_view binding) {
  std::string account = "citizen:" + c.member_id;
  RETURN_IF_ERROR(CheckThrottle(account, address));
  if (c.member_idx < 0) {
    RecordFailure(account, address);
    return UnauthenticatedError(kWrongCodeMessage);
  }
  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT otp_id, code_hash, attempts FROM otp_codes "
                                          "WHERE member_idx = ? AND purpose = ? AND used_at_us IS "
                                          "NULL AND expires_at_us > ? ORDER BY otp_id DESC LIMIT 1",
                                          {c.member_idx, std::string(purpose), now}));
  const char* kWrong = kWrongCodeMessage;
  if (!row) {
    RecordFailure(account, address);
    return UnauthenticatedError(kWrong);
  }
  int64_t otp_id = (*row).Int(0);
  if ((*row).Int(2) >= kMaxOtpAttempts) {
    RecordFailure(account, address);
    return UnauthenticatedError(kWrong);
  }
  if ((*row).BlobBytes(1) != CodeHash(c.member_idx, purpose, code, binding)) {
    RETURN_IF_ERROR(db_.Execute("UPDATE otp_codes SET attempts = attempts + 1 WHERE otp_id = ?",
                                {otp_id})
                        .status());
    RecordFailure(account, address);
    return UnauthenticatedError(kWrong);
  }
  // Single use, even under a race: only one caller changes the row.
  ASSIGN_OR_RETURN(int64_t changed, db_.Execute("UPDATE otp_codes SET used_at_us = ? WHERE "
                                                "otp_id = ? AND used_at_us IS NULL",
                                                {now, otp_id}));
  if (changed != 1) return UnauthenticatedError(kWrong);
  return OkStatus();
}

Principal Identities::CitizenPrincipal(const CitizenContact& c) {
  Principal p;
  p.role = Role::kCitizen;
  p.name = "citizen:" + c.member_id;
  p.member_idx = c.member_idx;
  p.household_idx = c.household_idx;
  p.member_id = c.member_id;
  return p;
}

Result<std::string> Identities::CreateSession(const Principal& p, std::string_view address) {
  std::string token = crypto::ToHex(crypto::RandomBytes(32));
  int64_t now = clock_.Now().micros;
  bool citizen = p.role == Role::kCitizen;
  int64_t lifetime = (citizen ? kCitizenSessionSeconds : kStaffSessionSeconds) * 1'000'000;
  storage::Value user = citizen ? storage::Value(storage::Null{}) : storage::Value(p.user_id);
  storage::Value member = citizen ? storage::Value(p.member_idx) : storage::Value(storage::Null{});
  storage::Value household =
      citizen ? storage::Value(p.household_idx) : storage::Value(storage::Null{});
  storage::Value member_id =
      citizen ? storage::Value(p.member_id) : storage::Value(storage::Null{});
  RETURN_IF_ERROR(db_.Execute("INSERT INTO sessions (token_hash, user_id, member_idx, "
                              "household_idx, member_id, created_at_us, expires_at_us, address) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              {storage::Blob{crypto::Hash256(token)}, user, member, household,
                               member_id, now, now + lifetime, std::string(address)})
                      .status());
  return token;
}

Result<Principal> Identities::ResolveSession(std::string_view token) {
  if (token.size() != 64) return UnauthenticatedError("not signed in");
  std::string hash = crypto::Hash256(token);
  const int64_t now = clock_.Now().micros;
  const uint64_t generation = sessions_ ? sessions_->Generation() : 0;
  if (sessions_) {
    if (std::optional<Principal> p = sessions_->Find(hash, now)) return std::move(*p);
  }
  // One query for the session and, for staff and clients, their account.
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT s.user_id, s.member_idx, s.household_idx, "
                                          "s.member_id, s.expires_at_us, s.revoked_at_us, "
                                          "u.username, u.role, u.scope, u.duties, u.status, "
                                          "u.client_scopes FROM sessions s LEFT JOIN users u ON "
                                          "u.user_id = s.user_id WHERE s.token_hash = ?",
                                          {storage::Blob{hash}}));
  if (!row || !(*row).IsNull(5) || (*row).Int(4) <= now) {
    return UnauthenticatedError("not signed in, or the session has ended; sign in again");
  }
  Principal p;
  if (!(*row).IsNull(0)) {
    ASSIGN_OR_RETURN(p, AccountPrincipal(*row, 6, (*row).Int(0)));
  } else {
    p.role = Role::kCitizen;
    p.member_idx = (*row).Int(1);
    p.household_idx = (*row).Int(2);
    p.member_id = (*row).Text(3);
    p.name = "citizen:" + p.member_id;
  }
  if (sessions_) sessions_->Put(std::move(hash), p, (*row).Int(4), now, generation);
  return p;
}

Status Identities::RevokeSession(std::string_view token) {
  std::string hash = crypto::Hash256(token);
  RETURN_IF_ERROR(db_.Execute("UPDATE sessions SET revoked_at_us = ? WHERE token_hash = ? AND "
                              "revoked_at_us IS NULL",
                              {clock_.Now().micros, storage::Blob{hash}})
                      .status());
  if (sessions_) sessions_->Forget(hash);
  return OkStatus();
}

Result<int64_t> Identities::GrantAssistedConsent(const Principal& op, const CitizenContact& c,
                                                 std::string_view purpose, int64_t fee_paise) {
  if (op.role != Role::kOperator) return PermissionDeniedError("only operators act for citizens");
  if (purpose.empty()) return InvalidArgumentError("an assisted session needs a purpose");
  if (fee_paise < 0) return InvalidArgumentError("the fee cannot be negative");
  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("INSERT INTO assisted_consents (operator_user_id, "
                                          "centre, member_idx, household_idx, purpose, "
                                          "fee_paise, granted_at_us, expires_at_us) VALUES (?, ?, "
                                          "?, ?, ?, ?, ?, ?) RETURNING consent_id",
                                          {op.user_id, op.scope, c.member_idx, c.household_idx,
                                           std::string(purpose), fee_paise, now,
                                           now + 30LL * 60 * 1'000'000}));
  return (*row).Int(0);
}

Result<bool> Identities::HasAssistedConsent(const Principal& op, int64_t household_idx) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT 1 FROM assisted_consents WHERE "
                                          "operator_user_id = ? AND household_idx = ? AND "
                                          "revoked_at_us IS NULL AND expires_at_us > ? LIMIT 1",
                                          {op.user_id, household_idx, clock_.Now().micros}));
  return row.has_value();
}

}  // namespace spode::access
