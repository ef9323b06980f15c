#include "api/api.h"

#include <spdlog/spdlog.h>

#include <mutex>
#include <set>
#include <sstream>

#include "access/client_consents.h"
#include "access/identities.h"
#include "api/console_views.h"
#include "api/grievance_intake_batcher.h"
#include "common/json_writer.h"
#include "common/log.h"
#include "common/money.h"
#include "grievance/access_rules.h"
#include "grievance/desk.h"
#include "grievance/inbound.h"
#include "grievance/intake.h"
#include "grievance/reentry_cases.h"
#include "grievance/ticket.h"
#include "http/json.h"
#include "http/problem.h"
#include "notify/outbox.h"
#include "payments/disbursement.h"
#include "programs/cycles.h"
#include "programs/enrolment.h"
#include "programs/simulate.h"
#include "programs/store.h"
#include "registry/snapshot.h"
#include "registry/household.h"
#include "registry/importer.h"
#include "registry/names.h"
#include "registry/registry.h"

namespace spode::api {

using access::Action;
using access::Principal;
using access::Role;
using nlohmann::json;

namespace {

constexpr std::string_view kCookie = "spode_session";

// The session token from "Authorization: Bearer ..." or the session cookie.
std::string TokenOf(const http::Request& req) {
  // DCI's authorisation specification names x-api-token for machine clients.
  if (std::string_view api_token = req.Header("x-api-token"); !api_token.empty()) {
    return std::string(api_token);
  }
  std::string_view auth = req.Header("authorization");
  if (auth.size() > 7 && (auth.substr(0, 7) == "Bearer " || auth.substr(0, 7) == "bearer ")) {
    return std::string(auth.substr(7));
  }
  std::string_view cookies = req.Header("cookie");
  size_t pos = 0;
  while (pos < cookies.size()) {
    size_t end = cookies.find(';', pos);
    if (end == std::string_view::npos) end = cookies.size();
    std::string_view part = cookies.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with(kCookie) && part.size() > kCookie.size() && part[kCookie.size()] == '=') {
      return std::string(part.substr(kCookie.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

http::Response WithSession(json body, const std::string& token, int64_t max_age_s) {
  http::Response r = http::Json(body);
  r.headers.push_back({"Set-Cookie", std::string(kCookie) + "=" + token +
                                         "; Path=/; Max-Age=" + std::to_string(max_age_s) +
                                         "; HttpOnly; Secure; SameSite=Strict"});
  r.headers.push_back({"Cache-Control", "no-store"});
  return r;
}

// The fields each role may see of a household or member view: an allowlist per role, so a
// field added to the registry's views later is hidden until someone decides who may see it.
const registry::ViewFields& AllowedFields(Role role, bool member) {
  static const registry::ViewFields kHouseholdFull = {
      "family_id", "status", "version", "address", "attributes", "members", "provenance", "you"};
  static const registry::ViewFields kMemberFull = {
      "member_id",  "family_id",  "name",           "name_local",           "dob",
      "sex",        "relationship", "status",       "version",              "national_id",
      "phone",      "attributes", "provenance",     "attribute_provenance", "bank_account"};
  // Operators act for the citizen in front of them, but do not see bank details, phone
  // numbers or the provenance trail.
  static const registry::ViewFields kMemberOperator = {
      "member_id", "family_id", "name",   "name_local", "dob",        "sex",
      "relationship", "status", "version", "national_id", "attributes"};
  // A partner app, under a member's consent: who lives there and the attributes its rules need;
  // no bank details, phone numbers, national IDs or provenance trail.
  static const registry::ViewFields kHouseholdClient = {
      "family_id", "status", "version", "address", "attributes", "members"};
  static const registry::ViewFields kMemberClient = {
      "member_id", "family_id", "name", "name_local", "dob", "sex",
      "relationship", "status", "version", "attributes"};
  static const registry::ViewFields kNone = {};
  switch (role) {
    case Role::kDeveloper:
      return member ? kMemberClient : kHouseholdClient;
    case Role::kCitizen:
    case Role::kOfficer:
      return member ? kMemberFull : kHouseholdFull;
    case Role::kOperator:
      return member ? kMemberOperator : kHouseholdFull;
    default:
      return kNone;
  }
}

void KeepOnly(json& object, const registry::ViewFields& allowed) {
  for (auto it = object.begin(); it != object.end();) {
    if (allowed.count(it.key())) {
      ++it;
    } else {
      it = object.erase(it);
    }
  }
}

void Filter(json& view, Role role) {
  if (view.contains("members")) {
    KeepOnly(view, AllowedFields(role, false));
    for (json& m : view["members"]) KeepOnly(m, AllowedFields(role, true));
  } else {
    KeepOnly(view, AllowedFields(role, true));
  }
}

struct HouseholdRef {
  int64_t household_idx = 0;
  std::string family_id;
  std::string village_code;
};

}  // namespace

// All handlers; a friend of Api.
class Handlers {
 public:
  explicit Handlers(Api& api) : a_(api) {}

  // Runs `body` with this thread's database, turning errors into problem documents.
  // A GET runs in one read transaction: its queries see one snapshot of the registry, and
  // SQLite takes its shared lock once instead of once per query.
  template <typename F>
  http::Response Run(http::Request& req, F&& body) {
    auto db = a_.connections_.Get();
    if (!db.ok()) return http::Problem(db.status(), req.request_id);
    const bool read = req.method == "GET" || req.method == "HEAD";
    if (read) {
      if (Status s = (*db)->BeginRead(); !s.ok()) return http::Problem(s, req.request_id);
    }
    Result<http::Response> r = body(**db);
    if (!r.ok()) {
      (*db)->Rollback().IgnoreError();
      return http::Problem(r.status(), req.request_id);
    }
    if (read) {
      if (Status s = (*db)->Commit(); !s.ok()) return http::Problem(s, req.request_id);
    }
    return std::move(*r);
  }

  Result<Principal> Authenticate(storage::Database& db, const http::Request& req) {
    std::string token = TokenOf(req);
    if (token.empty()) return UnauthenticatedError("sign in first");
    return access::Identities(db, a_.clock_, &a_.sessions_).ResolveSession(token);
  }

  Result<std::optional<HouseholdRef>> FindHousehold(storage::Database& db,
                                                    std::string_view family_id) {
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT household_idx, village_code FROM households "
                                           "WHERE family_id = ? AND status <> 'rejected'",
                                           {std::string(family_id)}));
    if (!row) return std::optional<HouseholdRef>();
    return std::optional<HouseholdRef>(
        HouseholdRef{row->Int(0), std::string(family_id), row->Text(1)});
  }

  Result<std::optional<HouseholdRef>> FindMemberHousehold(storage::Database& db,
                                                          std::string_view member_id) {
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT h.household_idx, h.family_id, h.village_code "
                                           "FROM members m JOIN households h ON h.household_idx "
                                           "= m.household_idx WHERE m.member_id = ? AND h.status "
                                           "<> 'rejected'",
                                           {std::string(member_id)}));
    if (!row) return std::optional<HouseholdRef>();
    return std::optional<HouseholdRef>(HouseholdRef{row->Int(0), row->Text(1), row->Text(2)});
  }

  // A citizen's contact details, or nothing when the member is unknown or not active.
  Result<std::optional<access::CitizenContact>> FindCitizen(storage::Database& db,
                                                           std::string_view member_id) {
    if (!registry::ValidMemberId(member_id)) return std::optional<access::CitizenContact>();
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT m.member_idx, m.household_idx, m.phone FROM "
                                           "members m JOIN households h ON h.household_idx = "
                                           "m.household_idx WHERE m.member_id = ? AND h.status = "
                                           "'active' AND m.status = 'active'",
                                           {std::string(member_id)}));
    if (!row) return std::optional<access::CitizenContact>();
    access::CitizenContact c;
    c.member_idx = row->Int(0);
    c.household_idx = row->Int(1);
    c.member_id = std::string(member_id);
    c.phone = row->Text(2);
    c.language = "hi";
    return std::optional<access::CitizenContact>(c);
  }

  Status Authorize(storage::Database& db, const http::Request& req, const Principal& p,
                   Action action, const access::Resource& r, std::string_view purpose) {
    return a_.gate_.Authorize(db, p, action, r, purpose, req.request_id);
  }

  // Unknown objects and objects the principal may not see answer alike (404), so that IDs
  // cannot be probed; the gate has recorded the denial.
  Status NotFoundOrDenied(Status s, std::string_view what) {
    if (s.code() == StatusCode::kPermissionDenied) {
      return NotFoundError("no " + std::string(what) + " you may see has that ID");
    }
    return s;
  }

  // --- auth ---
  http::Response Login(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"username", "password"}));
      ASSIGN_OR_RETURN(std::string username, http::GetRequired<std::string>(body, "username"));
      ASSIGN_OR_RETURN(std::string password, http::GetRequired<std::string>(body, "password"));
      access::Identities ids(db, a_.clock_);
      ASSIGN_OR_RETURN(Principal p, ids.LoginStaff(username, password, req.remote_address));
      ASSIGN_OR_RETURN(std::string token, ids.CreateSession(p, req.remote_address));
      return WithSession({{"token", token},
                          {"username", p.name},
                          {"role", access::RoleName(p.role)},
                          {"scope", p.scope}},
                         token, access::kStaffSessionSeconds);
    });
  }

  // OAuth2 client credentials (RFC 6749 section 4.4; DCI authz /oauth2/client/token): machine
  // clients (developers, banks, providers) exchange their id and secret for a bearer token.
  // The body is application/x-www-form-urlencoded, as the specification says, or JSON.
  http::Response ClientToken(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      std::map<std::string, std::string> form;
      if (req.Header("content-type").starts_with("application/json")) {
        ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
        RETURN_IF_ERROR(
            http::CheckKnownFields(body, {"grant_type", "client_id", "client_secret", "scope"}));
        for (auto it = body.begin(); it != body.end(); ++it) {
          if (!it.value().is_string()) {
            return InvalidArgumentError("field '" + it.key() + "' must be a string");
          }
          form[it.key()] = it.value().get<std::string>();
        }
      } else {
        ASSIGN_OR_RETURN(form, http::ParseQuery(req.body));
      }
      for (auto& [k, v] : form) {
        if (k != "grant_type" && k != "client_id" && k != "client_secret" && k != "scope") {
          return InvalidArgumentError("unknown parameter '" + k + "'");
        }
      }
      if (form["grant_type"] != "client_credentials") {
        return InvalidArgumentError("grant_type must be client_credentials");
      }
      if (form["client_id"].empty() || form["client_secret"].empty()) {
        return InvalidArgumentError("client_id and client_secret are required");
      }
      access::Identities ids(db, a_.clock_);
      ASSIGN_OR_RETURN(Principal p,
                       ids.LoginStaff(form["client_id"], form["client_secret"], req.remote_address));
      if (p.role != Role::kDeveloper && p.role != Role::kBank && p.role != Role::kProvider) {
        return PermissionDeniedError("client credentials are for machine clients (developer, "
                                     "bank, provider); staff sign in at /api/v1/auth/login");
      }
      // Requested scopes must be among the client's registered ones (its scope field, space
      // separated); none requested means all of them.
      std::set<std::string> registered, granted;
      {
        std::istringstream in(p.client_scopes);
        std::string s;
        while (in >> s) registered.insert(s);
      }
      std::istringstream in(form["scope"]);
      std::string s;
      while (in >> s) {
        if (!registered.count(s)) {
          return PermissionDeniedError("scope '" + s + "' is not registered for this client");
        }
        granted.insert(s);
      }
      if (form["scope"].empty()) granted = registered;
      std::string scope;
      for (const std::string& g : granted) scope += (scope.empty() ? "" : " ") + g;
      ASSIGN_OR_RETURN(std::string token, ids.CreateSession(p, req.remote_address));
      http::Response r = http::Json({{"access_token", token},
                                     {"token_type", "bearer"},
                                     {"expires_in", std::to_string(access::kStaffSessionSeconds)},
                                     {"scope", scope}});
      r.headers.push_back({"Cache-Control", "no-store"});
      return r;
    });
  }

  http::Response Logout(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      std::string token = TokenOf(req);
      if (token.empty()) return UnauthenticatedError("sign in first");
      access::Identities ids(db, a_.clock_, &a_.sessions_);
      ASSIGN_OR_RETURN(Principal p, ids.ResolveSession(token));
      RETURN_IF_ERROR(ids.RevokeSession(token));
      http::Response r = http::Json({{"signed_out", true}});
      r.headers.push_back({"Set-Cookie", std::string(kCookie) +
                                             "=; Path=/; Max-Age=0; HttpOnly; Secure; "
                                             "SameSite=Strict"});
      return r;
    });
  }

  http::Response RequestOtp(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"member_id"}));
      ASSIGN_OR_RETURN(std::string member_id, http::GetRequired<std::string>(body, "member_id"));
      if (!registry::ValidMemberId(member_id)) {
        return InvalidArgumentError("member_id must be 11 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(auto citizen, FindCitizen(db, member_id));
      // The same answer whether or not the member exists, so that IDs cannot be probed.
      json answer = {{"sent", true},
                     {"expires_in_seconds", access::kOtpLifetimeSeconds},
                     {"message", "If this member ID is registered with a mobile number, a code "
                                 "has been sent to it."}};
      if (!citizen || citizen->phone.empty()) return http::Json(answer, 202);
      ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
      access::Identities ids(db, a_.clock_);
      auto issued = ids.IssueOtp(*citizen, "login");
      if (!issued.ok() && issued.status().code() == StatusCode::kResourceExhausted) {
        // Throttled: answered like any other request, so the limit reveals nothing.
        return http::Json(answer, 202);
      }
      ASSIGN_OR_RETURN(std::string code, std::move(issued));
      notify::Outbox outbox(db, a_.clock_);
      RETURN_IF_ERROR(outbox
                          .Enqueue({notify::Channel::kSms, citizen->phone, member_id, "otp_login",
                                    notify::ParseLanguage(citizen->language).value_or(notify::Language::kEn),
                                    {{"code", code},
                                     {"minutes", std::to_string(access::kOtpLifetimeSeconds / 60)}}})
                          .status());
      RETURN_IF_ERROR(tx.Commit());
      return http::Json(answer, 202);
    });
  }

  http::Response VerifyOtp(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"member_id", "code"}));
      ASSIGN_OR_RETURN(std::string member_id, http::GetRequired<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(std::string code, http::GetRequired<std::string>(body, "code"));
      ASSIGN_OR_RETURN(auto citizen, FindCitizen(db, member_id));
      access::Identities ids(db, a_.clock_);
      if (!citizen) {
        // The same answer, and the same throttle, as a wrong code for a real member.
        access::CitizenContact nobody;
        nobody.member_id = member_id;
        nobody.member_idx = -1;
        RETURN_IF_ERROR(ids.VerifyOtp(nobody, "login", code, req.remote_address));
        return UnauthenticatedError(access::kWrongCodeMessage);
      }
      RETURN_IF_ERROR(ids.VerifyOtp(*citizen, "login", code, req.remote_address));
      Principal p = access::Identities::CitizenPrincipal(*citizen);
      ASSIGN_OR_RETURN(std::string token, ids.CreateSession(p, req.remote_address));
      return WithSession({{"token", token}, {"member_id", member_id}, {"role", "citizen"}}, token,
                         access::kCitizenSessionSeconds);
    });
  }

  // --- the citizen's own view ---
  http::Response Me(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (p.role != Role::kCitizen) {
        return a_.gate_.Deny(p, Action::kHouseholdRead, {"me", 0, ""}, "own_record",
                             req.request_id,
                             "/me is a citizen's own household; staff use "
                             "/api/v1/households/{family_id}");
      }
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT family_id, village_code FROM households "
                                             "WHERE household_idx = ?",
                                             {p.household_idx}));
      if (!row) return NotFoundError("your household is no longer in the registry");
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kHouseholdRead,
                                {row->Text(0), p.household_idx, row->Text(1)}, "own_record"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      ASSIGN_OR_RETURN(json view, reg.GetHousehold(row->Text(0)));
      view["you"] = p.member_id;
      Filter(view, p.role);
      return http::Json(view);
    });
  }

  http::Response MyAccessLog(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (p.role != Role::kCitizen) {
        return a_.gate_.Deny(p, Action::kAccessLogRead, {"me", 0, ""}, "own_record",
                             req.request_id, "this is a citizen's own record");
      }
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT family_id, village_code FROM households "
                                             "WHERE household_idx = ?",
                                             {p.household_idx}));
      if (!row) return NotFoundError("your household is no longer in the registry");
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kAccessLogRead,
                                {row->Text(0), p.household_idx, row->Text(1)}, "own_record"));
      // Read through the log itself (its own database on SQLite), this request's own entry
      // included.
      ASSIGN_OR_RETURN(auto rows, a_.log_.ForHousehold(p.household_idx, 100));
      json out = json::array();
      for (const auto& r : rows) {
        out.push_back({{"at", Timestamp{r.Int(0)}.ToString()},
                       {"who", r.Text(1)},
                       {"role", r.Text(2)},
                       {"action", r.Text(3)},
                       {"purpose", r.Text(4)},
                       {"decision", r.Text(5)}});
      }
      return http::Json({{"entries", out}});
    });
  }

  // --- a citizen's consents to partner apps (access/client_consents.h) ---

  // The signed-in citizen's household as the gate's resource for `action` (a denial, recorded,
  // for anyone else).
  Result<access::Resource> OwnHousehold(storage::Database& db, const http::Request& req,
                                        const Principal& p, Action action) {
    if (p.role != Role::kCitizen) {
      return a_.gate_.Deny(p, action, {"me", 0, ""}, "own_record", req.request_id,
                           "this is a citizen's own record");
    }
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT family_id, village_code FROM households "
                                           "WHERE household_idx = ?",
                                           {p.household_idx}));
    if (!row) return NotFoundError("your household is no longer in the registry");
    access::Resource r{row->Text(0), p.household_idx, row->Text(1)};
    RETURN_IF_ERROR(Authorize(db, req, p, action, r, "own_record"));
    return r;
  }

  json ConsentJson(const access::ClientConsent& c) {
    Timestamp now = a_.clock_.Now();
    return {{"consent_id", c.consent_id},
            {"client_id", c.client},
            {"client_name", c.client_name},
            {"scope", c.scope},
            {"purpose", c.purpose},
            {"granted_by", c.granted_by},
            {"granted_at", c.granted_at.ToString()},
            {"expires_at", c.expires_at.ToString()},
            {"revoked_at", c.revoked_at ? json(c.revoked_at->ToString()) : json(nullptr)},
            {"active", c.Active(now)}};
  }

  http::Response MyConsents(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(OwnHousehold(db, req, p, Action::kConsentManage).status());
      ASSIGN_OR_RETURN(auto all,
                       access::ClientConsents(db, a_.clock_).ForHousehold(p.household_idx));
      json out = json::array();
      for (const access::ClientConsent& c : all) out.push_back(ConsentJson(c));
      return http::Json({{"consents", out}});
    });
  }

  http::Response GrantConsent(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"client_id", "scope", "purpose", "days"}));
      ASSIGN_OR_RETURN(std::string client, http::GetRequired<std::string>(body, "client_id"));
      ASSIGN_OR_RETURN(std::string scope, http::GetRequired<std::string>(body, "scope"));
      ASSIGN_OR_RETURN(std::string purpose, http::GetRequired<std::string>(body, "purpose"));
      ASSIGN_OR_RETURN(std::optional<int64_t> days, http::GetOptional<int64_t>(body, "days"));
      if (days && (*days < 1 || *days > access::kMaxConsentDays)) {
        return InvalidArgumentError("days must be between 1 and 365");
      }
      RETURN_IF_ERROR(OwnHousehold(db, req, p, Action::kConsentManage).status());
      ASSIGN_OR_RETURN(access::ClientConsent c,
                       access::ClientConsents(db, a_.clock_)
                           .Grant(p, client, scope, purpose, static_cast<int>(days.value_or(90))));
      return http::Json(ConsentJson(c), 201);
    });
  }

  http::Response RevokeConsent(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& text = req.path_params["id"];
      if (text.empty() || text.size() > 18 ||
          text.find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgumentError("the consent id must be a number");
      }
      RETURN_IF_ERROR(OwnHousehold(db, req, p, Action::kConsentManage).status());
      access::ClientConsents consents(db, a_.clock_);
      RETURN_IF_ERROR(consents.Revoke(p, std::stoll(text)));
      return http::Json({{"consent_id", std::stoll(text)}, {"withdrawn", true}});
    });
  }

  // --- registry ---
  http::Response GetHousehold(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& family_id = req.path_params["family_id"];
      if (!registry::ValidFamilyId(family_id)) {
        return InvalidArgumentError("family_id must be 10 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(std::string purpose, Purpose(req));
      const registry::ViewFields* household_fields = &AllowedFields(p.role, false);
      const registry::ViewFields* member_fields = &AllowedFields(p.role, true);
      // In the read transaction, before the household is read (registry/view_cache.h).
      ASSIGN_OR_RETURN(registry::ViewCache::Ticket ticket, a_.views_.CatchUp(db));
      if (auto kept = a_.views_.Find(family_id, household_fields, member_fields)) {
        // The same decision, recorded the same way, as for a view read from the tables below.
        RETURN_IF_ERROR(NotFoundOrDenied(
            Authorize(db, req, p, Action::kHouseholdRead,
                      access::Resource{family_id, kept->household_idx, kept->village}, purpose),
            "household"));
        http::Response response;
        response.shared_body = kept->text;
        return response;
      }
      registry::Registry reg(db, a_.key_, a_.clock_, &a_.places_);  // a read transaction
      ASSIGN_OR_RETURN(auto household, reg.FindHousehold(family_id));
      if (household && household->status == "rejected") household.reset();
      access::Resource r{family_id, household ? household->household_idx : 0,
                         household ? household->village : ""};
      if (!household) {
        // Record the attempt, then answer as for a denial.
        (void)Authorize(db, req, p, Action::kHouseholdRead, r, purpose);
        return NotFoundError("no household you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kHouseholdRead, r, purpose), "household"));
      // The view is written as text with only the role's fields: no JSON tree to build,
      // filter and serialise on the registry's busiest read.
      std::string text;
      text.reserve(4096);  // most households' views fit: no regrowth while writing
      RETURN_IF_ERROR(reg.WriteHousehold(*household, text, household_fields, member_fields));
      http::Response response;
      response.shared_body = std::make_shared<const std::string>(std::move(text));
      a_.views_.Put(
          ticket, family_id,
          {household->household_idx, household->village, household->status, response.shared_body},
          household_fields, member_fields);
      return response;
    });
  }

  http::Response GetMember(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& member_id = req.path_params["member_id"];
      if (!registry::ValidMemberId(member_id)) {
        return InvalidArgumentError("member_id must be 11 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(std::string purpose, Purpose(req));
      ASSIGN_OR_RETURN(auto ref, FindMemberHousehold(db, member_id));
      access::Resource r{member_id, ref ? ref->household_idx : 0, ref ? ref->village_code : ""};
      if (!ref) {
        (void)Authorize(db, req, p, Action::kHouseholdRead, r, purpose);
        return NotFoundError("no member you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kHouseholdRead, r, purpose), "member"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      ASSIGN_OR_RETURN(json view, reg.GetMember(member_id));
      Filter(view, p.role);
      return http::Json(view);
    });
  }

  // The purpose a staff member states for reading personal data (recorded with the decision):
  // a word of a-z and _, at most 40 long (never digits: nothing like an ID number can reach
  // the log this way); default service_delivery.
  static Result<std::string> Purpose(const http::Request& req) {
    auto it = req.query_params.find("purpose");
    if (it == req.query_params.end() || it->second.empty()) return std::string("service_delivery");
    const std::string& p = it->second;
    bool ok = p.size() <= 40;
    for (char c : p) ok = ok && ((c >= 'a' && c <= 'z') || c == '_');
    if (!ok) {
      return InvalidArgumentError("purpose must be a word of a-z and _ (at most 40), such as "
                                  "grievance_review");
    }
    return p;
  }

  http::Response Enrol(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      Date today = a_.clock_.Today();
      // Only the fields of the household format; provenance is the caller's, not the body's.
      if (body.contains("provenance")) {
        return InvalidArgumentError("provenance: unknown field (it is recorded from your "
                                    "session)");
      }
      ASSIGN_OR_RETURN(registry::HouseholdInput h, registry::HouseholdFromJson(body, today));
      h.provenance.source = "api";
      h.provenance.as_of = today;
      h.provenance.verification =
          p.role == Role::kOfficer ? "officer_verified" : "operator_checked";
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kHouseholdEnrol,
                                {"enrol:" + h.address.village, 0, h.address.village},
                                "enrolment"));
      registry::ImportOptions options;
      options.actor = p.Actor();
      options.channel = p.role == Role::kOperator ? "operator" : "officer";
      options.load_indexes = false;
      ASSIGN_OR_RETURN(auto importer,
                       registry::Importer::Create(db, a_.key_, a_.clock_, options));
      std::vector<registry::HouseholdInput> one;
      one.push_back(std::move(h));
      ASSIGN_OR_RETURN(auto outcomes, importer->Enrol(std::move(one)));
      const registry::EnrolOutcome& o = outcomes.front();
      json out = {{"family_id", o.family_id}, {"member_ids", o.member_ids}};
      switch (o.kind) {
        case registry::EnrolOutcome::Kind::kImported:
          out["status"] = "enrolled";
          return http::Json(out, 201);
        case registry::EnrolOutcome::Kind::kHeld:
          out["status"] = "held";
          out["reason"] = o.reason;
          return http::Json(out, 202);
        case registry::EnrolOutcome::Kind::kRejected:
          if (o.reason.find("already enrolled") != std::string::npos) {
            // Who holds a national ID is not the enrolling party's to learn.
            std::string reason = o.reason.substr(0, o.reason.find(" as member "));
            return AlreadyExistsError(reason);
          }
          return InvalidArgumentError(o.reason);
      }
      return InternalError("unknown enrolment outcome");
    });
  }

  http::Response Search(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(
          body, {"member_id", "family_id", "national_id", "name", "village", "page_size",
                 "page_token"}));
      ASSIGN_OR_RETURN(auto member_id, http::GetOptional<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(auto family_id, http::GetOptional<std::string>(body, "family_id"));
      ASSIGN_OR_RETURN(auto national_id, http::GetOptional<std::string>(body, "national_id"));
      ASSIGN_OR_RETURN(auto name, http::GetOptional<std::string>(body, "name"));
      ASSIGN_OR_RETURN(auto village, http::GetOptional<std::string>(body, "village"));
      ASSIGN_OR_RETURN(auto page_size, http::GetOptional<int64_t>(body, "page_size"));
      ASSIGN_OR_RETURN(auto page_token, http::GetOptional<std::string>(body, "page_token"));
      int kinds = (member_id ? 1 : 0) + (family_id ? 1 : 0) + (national_id ? 1 : 0) +
                  (name ? 1 : 0);
      if (kinds != 1) {
        return InvalidArgumentError("search by exactly one of member_id, family_id, national_id, "
                                    "or name with village");
      }
      int64_t size = page_size.value_or(20);
      if (size < 1 || size > a_.options_.max_page_size) {
        return InvalidArgumentError("page_size must be between 1 and " +
                                    std::to_string(a_.options_.max_page_size));
      }
      int64_t after = 0;
      if (page_token) {
        try {
          size_t used = 0;
          after = std::stoll(*page_token, &used);
          if (used != page_token->size() || after < 0) throw std::invalid_argument("token");
        } catch (const std::exception&) {
          return InvalidArgumentError("page_token is not one this API gave out");
        }
      }
      std::string kind = member_id ? "member_id" : family_id ? "family_id"
                                               : national_id ? "national_id" : "name";
      ASSIGN_OR_RETURN(std::string purpose, Purpose(req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kRegistrySearch, {"search:" + kind, 0, ""},
                                purpose));
      // The officer's area is applied in the query; operators find exact IDs only (the gate).
      std::string area = p.role == Role::kOfficer ? p.scope : "";
      std::string sql =
          "SELECT m.member_idx, m.member_id, h.family_id, m.name, m.dob, m.sex, h.village_code "
          "FROM members m JOIN households h ON h.household_idx = m.household_idx WHERE h.status "
          "= 'active' AND m.member_idx > ? AND h.village_code LIKE ? AND ";
      std::vector<storage::Value> params = {after, area + "%"};
      if (member_id) {
        sql += "m.member_id = ?";
        params.push_back(*member_id);
      } else if (family_id) {
        sql += "h.family_id = ?";
        params.push_back(*family_id);
      } else if (national_id) {
        if (!registry::ValidNationalId(*national_id)) {
          return InvalidArgumentError("national_id must be 12 digits with a valid check digit");
        }
        // Hashed on arrival; the number itself is never stored, logged or echoed.
        sql += "m.member_idx = (SELECT member_idx FROM vault WHERE id_token = ?)";
        params.push_back(storage::Blob{a_.key_.Token(*national_id)});
      } else {
        if (!village || village->size() != 9) {
          return InvalidArgumentError("a search by name needs the 9-digit village code");
        }
        // Within one village (a few hundred people), by the same name normalisation as
        // de-duplication, so spelling and script variants are found.
        sql += "h.village_code = ?";
        params.push_back(*village);
      }
      const std::string wanted = name ? registry::NameKey(*name) : "";
      sql += " ORDER BY m.member_idx";
      if (!name) {
        sql += " LIMIT ?";
        params.push_back(size + 1);
      }
      ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
      stmt->BindAll(params);
      json results = json::array();
      int64_t last = 0;
      bool more = false;
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        if (name && registry::NameKey(stmt->ColumnText(3)) != wanted) continue;
        if (static_cast<int64_t>(results.size()) == size) {
          more = true;
          break;
        }
        last = stmt->ColumnInt(0);
        results.push_back({{"member_id", std::string(stmt->ColumnText(1))},
                           {"family_id", std::string(stmt->ColumnText(2))},
                           {"name", std::string(stmt->ColumnText(3))},
                           {"dob", std::string(stmt->ColumnText(4))},
                           {"sex", std::string(stmt->ColumnText(5))},
                           {"village", std::string(stmt->ColumnText(6))}});
      }
      json out = {{"results", results}};
      out["next_page_token"] = more ? json(std::to_string(last)) : json(nullptr);
      return http::Json(out);
    });
  }

  http::Response SubmitChange(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(
          http::CheckKnownFields(body, {"member_id", "family_id", "changes", "reason"}));
      ASSIGN_OR_RETURN(auto member_id, http::GetOptional<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(auto family_id, http::GetOptional<std::string>(body, "family_id"));
      ASSIGN_OR_RETURN(json changes, http::GetRequired<json>(body, "changes"));
      ASSIGN_OR_RETURN(std::string reason, http::GetRequired<std::string>(body, "reason"));
      if ((member_id ? 1 : 0) + (family_id ? 1 : 0) != 1) {
        return InvalidArgumentError("give exactly one of member_id or family_id");
      }
      if (member_id && !registry::ValidMemberId(*member_id)) {
        return InvalidArgumentError("member_id must be 11 digits with a valid check digit");
      }
      if (family_id && !registry::ValidFamilyId(*family_id)) {
        return InvalidArgumentError("family_id must be 10 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(auto ref, member_id ? FindMemberHousehold(db, *member_id)
                                           : FindHousehold(db, *family_id));
      std::string object = member_id ? *member_id : *family_id;
      access::Resource r{object, ref ? ref->household_idx : 0, ref ? ref->village_code : ""};
      if (!ref) {
        (void)Authorize(db, req, p, Action::kChangeSubmit, r, "correction");
        return NotFoundError("no household or member you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kChangeSubmit, r, "correction"), "household"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      std::string channel = p.role == Role::kCitizen    ? "self"
                            : p.role == Role::kOperator ? "operator"
                                                        : "officer";
      ASSIGN_OR_RETURN(int64_t id, reg.SubmitChange({member_id.value_or(""),
                                                     family_id.value_or(""), changes, reason,
                                                     channel, p.Actor()}));
      return http::Json({{"id", id}, {"status", "pending"}}, 201);
    });
  }

  // An application for a scheme, by the citizen, an operator with their consent, or an officer
  // of the area: decided by the rules now (and, where the scheme says so, later by an officer).
  http::Response SubmitApplication(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"scheme_id", "member_id", "lang"}));
      ASSIGN_OR_RETURN(std::string scheme_id, http::GetRequired<std::string>(body, "scheme_id"));
      ASSIGN_OR_RETURN(std::string member_id, http::GetRequired<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(auto lang, http::GetOptional<std::string>(body, "lang"));
      if (!registry::ValidMemberId(member_id)) {
        return InvalidArgumentError("member_id must be 11 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(auto ref, FindMemberHousehold(db, member_id));
      access::Resource r{member_id, ref ? ref->household_idx : 0, ref ? ref->village_code : ""};
      if (!ref) {
        (void)Authorize(db, req, p, Action::kEnrolmentApply, r, "application");
        return NotFoundError("no household or member you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kEnrolmentApply, r, "application"), "member"));
      if (a_.options_.eligibility == nullptr) return UnavailableError("eligibility is not served");
      ASSIGN_OR_RETURN(auto m, db.QueryOne("SELECT member_idx FROM members WHERE member_id = ?",
                                           {member_id}));
      if (!m) return NotFoundError("no household or member you may see has that ID");
      programs::SchemeStore store(db, a_.clock_);
      ASSIGN_OR_RETURN(programs::CompiledScheme scheme, store.Get(scheme_id));
      programs::ApplicationInput in;
      in.scheme_id = scheme_id;
      if (scheme.scheme.unit == rules::Unit::kPerson) {
        in.member_idx = m->Int(0);
      } else {
        in.household_idx = ref->household_idx;
      }
      in.channel = p.role == Role::kCitizen    ? "self"
                   : p.role == Role::kOperator ? "operator"
                                               : "officer";
      in.actor = p.Actor();
      in.officer_review = scheme.scheme.officer_review;
      in.language = lang.value_or("");
      ASSIGN_OR_RETURN(programs::Application a,
                       programs::Apply(db, *a_.options_.eligibility, a_.clock_, in));
      return http::Json({{"application_id", a.application_id},
                         {"scheme", a.scheme_id},
                         {"member_id", member_id},
                         {"status", a.status},
                         {"eligible", a.eligible},
                         {"explanation", a.explanation},
                         {"submitted_at", a.submitted_at.ToString()}},
                        201);
    });
  }

  http::Response ListChanges(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      std::string status = "pending";
      if (auto it = req.query_params.find("status"); it != req.query_params.end()) {
        status = it->second;
      }
      if (status != "pending" && status != "applied" && status != "rejected") {
        return InvalidArgumentError("status must be pending, applied or rejected");
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kChangeList, {"changes:" + status, 0, ""},
                                "verification"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      ASSIGN_OR_RETURN(json all, reg.ListChangeRequests(status));
      json mine = json::array();
      for (json& c : all) {
        if (access::Gate::InArea(p, c["village"].get<std::string>())) mine.push_back(c);
      }
      return http::Json({{"change_requests", mine}});
    });
  }

  http::Response DecideChange(http::Request& req, bool verify) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      int64_t id = 0;
      try {
        size_t used = 0;
        id = std::stoll(req.path_params["id"], &used);
        if (used != req.path_params["id"].size()) throw std::invalid_argument("id");
      } catch (const std::exception&) {
        return InvalidArgumentError("the change request id must be a number");
      }
      std::string note;
      if (!verify) {
        ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
        RETURN_IF_ERROR(http::CheckKnownFields(body, {"note"}));
        ASSIGN_OR_RETURN(note, http::GetRequired<std::string>(body, "note"));
      }
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT h.family_id, h.household_idx, "
                                             "h.village_code FROM change_requests c JOIN "
                                             "households h ON h.household_idx = c.household_idx "
                                             "WHERE c.cr_id = ?",
                                             {id}));
      if (!row) return NotFoundError("no change request " + std::to_string(id));
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kChangeDecide,
                    {"change:" + std::to_string(id), row->Int(1), row->Text(2)}, "verification"),
          "change request"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      if (verify) {
        RETURN_IF_ERROR(reg.VerifyChange(id, p.Actor()));
      } else {
        RETURN_IF_ERROR(reg.RejectChange(id, p.Actor(), note));
      }
      return http::Json({{"id", id}, {"status", verify ? "applied" : "rejected"}});
    });
  }

  http::Response ListDuplicates(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kDuplicateList, {"duplicates", 0, ""},
                                "deduplication"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      ASSIGN_OR_RETURN(json all, reg.ListDuplicateHolds());
      json mine = json::array();
      for (json& h : all) {
        if (access::Gate::InArea(p, h["village"].get<std::string>())) mine.push_back(h);
      }
      return http::Json({{"duplicates", mine}});
    });
  }

  http::Response DecideDuplicate(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      int64_t id = 0;
      try {
        size_t used = 0;
        id = std::stoll(req.path_params["id"], &used);
        if (used != req.path_params["id"].size()) throw std::invalid_argument("id");
      } catch (const std::exception&) {
        return InvalidArgumentError("the duplicate hold id must be a number");
      }
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"decision"}));
      ASSIGN_OR_RETURN(std::string decision, http::GetRequired<std::string>(body, "decision"));
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT h.family_id, h.household_idx, "
                                             "h.village_code FROM duplicate_holds d JOIN "
                                             "households h ON h.household_idx = d.household_idx "
                                             "WHERE d.hold_id = ?",
                                             {id}));
      if (!row) return NotFoundError("no duplicate hold " + std::to_string(id));
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kDuplicateDecide,
                    {"hold:" + std::to_string(id), row->Int(1), row->Text(2)}, "deduplication"),
          "duplicate hold"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      RETURN_IF_ERROR(reg.DecideHold(id, decision, p.Actor()));
      return http::Json({{"id", id}, {"decision", decision}});
    });
  }

  // --- operators' assisted sessions ---
  static Status CheckConsentInput(const std::string& member_id, const std::string& purpose,
                                  int64_t fee) {
    if (!registry::ValidMemberId(member_id)) {
      return InvalidArgumentError("member_id must be 11 digits with a valid check digit");
    }
    if (purpose.empty() || purpose.size() > 200) {
      return InvalidArgumentError("purpose must say, in up to 200 characters, what the operator "
                                  "will do");
    }
    if (fee < 0) return InvalidArgumentError("fee_paise cannot be negative");
    return OkStatus();
  }
  static std::string ConsentBinding(const Principal& p, const std::string& purpose, int64_t fee) {
    return std::to_string(p.user_id) + "|" + purpose + "|" + std::to_string(fee);
  }
  http::Response RequestConsent(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"member_id", "purpose", "fee_paise"}));
      ASSIGN_OR_RETURN(std::string member_id, http::GetRequired<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(std::string purpose, http::GetRequired<std::string>(body, "purpose"));
      ASSIGN_OR_RETURN(int64_t fee, http::GetRequired<int64_t>(body, "fee_paise"));
      RETURN_IF_ERROR(CheckConsentInput(member_id, purpose, fee));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kConsentRequest, {member_id, 0, ""},
                                "assisted_session"));
      ASSIGN_OR_RETURN(auto citizen, FindCitizen(db, member_id));
      if (!citizen) return NotFoundError("no enrolled member has that ID");
      ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
      access::Identities ids(db, a_.clock_);
      // The code is bound to this operator, purpose and fee: the citizen's SMS names them, and
      // the code works for nothing else.
      ASSIGN_OR_RETURN(std::string code,
                       ids.IssueOtp(*citizen, "consent", p.user_id, ConsentBinding(p, purpose, fee)));
      notify::Outbox outbox(db, a_.clock_);
      RETURN_IF_ERROR(outbox
                          .Enqueue({notify::Channel::kSms, citizen->phone, member_id,
                                    "otp_consent",
                                    notify::ParseLanguage(citizen->language).value_or(notify::Language::kEn),
                                    {{"code", code},
                                     {"centre", p.scope},
                                     {"purpose", purpose},
                                     {"fee", "Rs " + Money::FromPaise(fee).ToString()}}})
                          .status());
      RETURN_IF_ERROR(tx.Commit());
      return http::Json({{"sent", true}, {"expires_in_seconds", access::kOtpLifetimeSeconds}},
                        202);
    });
  }

  http::Response VerifyConsent(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(
          http::CheckKnownFields(body, {"member_id", "code", "purpose", "fee_paise"}));
      ASSIGN_OR_RETURN(std::string member_id, http::GetRequired<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(std::string code, http::GetRequired<std::string>(body, "code"));
      ASSIGN_OR_RETURN(std::string purpose, http::GetRequired<std::string>(body, "purpose"));
      ASSIGN_OR_RETURN(int64_t fee, http::GetRequired<int64_t>(body, "fee_paise"));
      RETURN_IF_ERROR(CheckConsentInput(member_id, purpose, fee));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kConsentRequest, {member_id, 0, ""},
                                "assisted_session"));
      ASSIGN_OR_RETURN(auto citizen, FindCitizen(db, member_id));
      if (!citizen) return UnauthenticatedError(access::kWrongCodeMessage);
      access::Identities ids(db, a_.clock_);
      ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
      RETURN_IF_ERROR(ids.VerifyOtp(*citizen, "consent", code, req.remote_address,
                                    ConsentBinding(p, purpose, fee)));
      ASSIGN_OR_RETURN(int64_t consent, ids.GrantAssistedConsent(p, *citizen, purpose, fee));
      RETURN_IF_ERROR(tx.Commit());
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT family_id FROM households WHERE "
                                             "household_idx = ?",
                                             {citizen->household_idx}));
      return http::Json({{"consent_id", consent},
                         {"family_id", row ? row->Text(0) : ""},
                         {"operator", p.name},
                         {"centre", p.scope},
                         {"purpose", purpose},
                         {"fee_paise", fee},
                         {"expires_in_seconds", 1800}},
                        201);
    });
  }

  // --- schemes and eligibility ---
  static std::string Language(const http::Request& req) {
    auto it = req.query_params.find("lang");
    return it != req.query_params.end() && it->second == "hi" ? "hi" : "en";
  }

  http::Response ListSchemes(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      programs::SchemeStore store(db, a_.clock_);
      ASSIGN_OR_RETURN(json all, store.List());
      json active = json::array();
      for (json& s : all) {
        if (s["status"] == "active") active.push_back(s);
      }
      return http::Json({{"schemes", active}});
    });
  }

  http::Response MySchemes(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (p.role != Role::kCitizen) {
        return a_.gate_.Deny(p, Action::kEligibilityExplain, {"me", 0, ""}, "own_record",
                             req.request_id, "this is a citizen's own record");
      }
      if (a_.options_.eligibility == nullptr) return UnavailableError("eligibility is not served");
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT family_id, village_code FROM households "
                                             "WHERE household_idx = ?",
                                             {p.household_idx}));
      if (!row) return NotFoundError("your household is no longer in the registry");
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kEligibilityExplain,
                                {p.member_id, p.household_idx, row->Text(1)}, "own_record"));
      ASSIGN_OR_RETURN(json schemes,
                       a_.options_.eligibility->ExplainMember(p.member_idx, p.household_idx,
                                                              Language(req), a_.clock_.Today()));
      return http::Json({{"member_id", p.member_id}, {"schemes", schemes}});
    });
  }

  http::Response ExplainScheme(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (a_.options_.eligibility == nullptr) return UnavailableError("eligibility is not served");
      const std::string& member_id = req.path_params["member_id"];
      if (!registry::ValidMemberId(member_id)) {
        return InvalidArgumentError("member_id must be 11 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT m.member_idx, h.household_idx, "
                                             "h.village_code FROM members m JOIN households h ON "
                                             "h.household_idx = m.household_idx WHERE "
                                             "m.member_id = ?",
                                             {member_id}));
      access::Resource r{member_id, row ? row->Int(1) : 0, row ? row->Text(2) : ""};
      if (!row) {
        (void)Authorize(db, req, p, Action::kEligibilityExplain, r, "explanation");
        return NotFoundError("no member you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kEligibilityExplain, r, "explanation"), "member"));
      ASSIGN_OR_RETURN(json out, a_.options_.eligibility->ExplainScheme(
                                     req.path_params["id"], row->Int(0), row->Int(1),
                                     Language(req), a_.clock_.Today()));
      out["member_id"] = member_id;
      return http::Json(out);
    });
  }

  // What-if for scheme administrators: {scheme: YAML} [, against: YAML | against_active: true].
  http::Response SimulateScheme(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (a_.options_.eligibility == nullptr) return UnavailableError("eligibility is not served");
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"scheme", "against", "against_active", "date"}));
      ASSIGN_OR_RETURN(std::string yaml, http::GetRequired<std::string>(body, "scheme"));
      ASSIGN_OR_RETURN(auto against_yaml, http::GetOptional<std::string>(body, "against"));
      ASSIGN_OR_RETURN(auto against_active, http::GetOptional<bool>(body, "against_active"));
      ASSIGN_OR_RETURN(auto date_text, http::GetOptional<std::string>(body, "date"));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kSchemeSimulate, {"simulation", 0, ""},
                                "policy_design"));
      Date date = a_.clock_.Today();
      if (date_text) {
        ASSIGN_OR_RETURN(date, Date::Parse(*date_text));
      }
      ASSIGN_OR_RETURN(programs::Scheme s, programs::ParseScheme(yaml, "scheme"));
      ASSIGN_OR_RETURN(programs::CompiledScheme c, programs::Compile(s, registry::RulesSchema()));
      std::optional<programs::CompiledScheme> other;
      if (against_yaml) {
        ASSIGN_OR_RETURN(programs::Scheme o, programs::ParseScheme(*against_yaml, "against"));
        ASSIGN_OR_RETURN(other, programs::Compile(o, registry::RulesSchema()));
      }
      ASSIGN_OR_RETURN(json report,
                       a_.options_.eligibility->Simulate(c, other ? &*other : nullptr,
                                                         against_active.value_or(false), date));
      // Samples become public IDs, from the officer's own area only.
      RETURN_IF_ERROR(programs::ResolveSamples(db, report, c.scheme.unit == rules::Unit::kPerson,
                                               p.scope));
      return http::Json(report);
    });
  }

  // --- accounts (administrators) and the access log's aggregates (auditors) ---

  http::Response ListUsers(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(
          Authorize(db, req, p, Action::kUserManage, {"users", 0, ""}, "administration"));
      ASSIGN_OR_RETURN(json users, access::Identities(db, a_.clock_).ListUsers());
      return http::Json({{"users", users}});
    });
  }

  http::Response SetUserStatus(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"status"}));
      ASSIGN_OR_RETURN(std::string status, http::GetRequired<std::string>(body, "status"));
      const std::string& name = req.path_params["username"];
      std::string object = "user:";
      object.append(name);
      RETURN_IF_ERROR(
          Authorize(db, req, p, Action::kUserManage, {object, 0, ""}, "administration"));
      if (name == p.name) {
        return FailedPreconditionError("an administrator cannot change their own account");
      }
      RETURN_IF_ERROR(access::Identities(db, a_.clock_, &a_.sessions_).SetUserStatus(name, status));
      return http::Json({{"username", name}, {"status", status}});
    });
  }

  // Counts of the access log's decisions by local day, role, action and decision over the last
  // `days` days (1-90, default 7), and the commonest reasons for refusals: what an auditor
  // needs to see how the gate is used, with no person, household or object in it.
  http::Response AccessSummary(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      int64_t days = 7;
      if (auto it = req.query_params.find("days"); it != req.query_params.end()) {
        const std::string& t = it->second;
        if (t.empty() || t.size() > 2 || t.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(t) < 1 || std::stoi(t) > 90) {
          return InvalidArgumentError("days must be a number from 1 to 90");
        }
        days = std::stoi(t);
      }
      RETURN_IF_ERROR(
          Authorize(db, req, p, Action::kAuditRead, {"access_log:summary", 0, ""}, "audit"));
      // Everything decided so far, this request's own decision included (AccessLog::Read
      // flushes first).
      constexpr int64_t kDay = int64_t{86'400} * 1'000'000;
      const int64_t offset = int64_t{a_.clock_.utc_offset_minutes()} * 60'000'000;
      const int64_t since = a_.clock_.Now().micros - days * kDay;
      ASSIGN_OR_RETURN(auto rows,
                       a_.log_.Read("SELECT day, role, action, decision, COUNT(*) FROM (SELECT "
                                "(at_us + ?) / 86400000000 AS day, role, action, decision FROM "
                                "access_log WHERE at_us >= ?) t GROUP BY day, role, action, "
                                "decision ORDER BY day DESC, 5 DESC, role, action, decision",
                                {offset, since}));
      json out = json::array();
      int64_t allowed = 0, denied = 0;
      for (const storage::Row& r : rows) {
        (r.Text(3) == "allow" ? allowed : denied) += r.Int(4);
        out.push_back({{"date", Timestamp{r.Int(0) * kDay}.LocalDate(0).ToString()},
                       {"role", r.Text(1)},
                       {"action", r.Text(2)},
                       {"decision", r.Text(3)},
                       {"count", r.Int(4)}});
      }
      ASSIGN_OR_RETURN(auto reasons,
                       a_.log_.Read("SELECT reason, COUNT(*) FROM access_log WHERE at_us >= ? AND "
                                "decision = 'deny' GROUP BY reason ORDER BY 2 DESC, 1 LIMIT 10",
                                {since}));
      json why = json::array();
      for (const storage::Row& r : reasons) {
        why.push_back({{"reason", r.Text(0)}, {"count", r.Int(1)}});
      }
      return http::Json({{"days", days},
                         {"since", Timestamp{since}.ToString()},
                         {"allowed", allowed},
                         {"denied", denied},
                         {"counts", out},
                         {"denial_reasons", why}});
    });
  }

  http::Response DevOutbox(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      notify::Outbox outbox(db, a_.clock_);
      std::string member;
      if (auto it = req.query_params.find("member_id"); it != req.query_params.end()) {
        member = it->second;
      }
      ASSIGN_OR_RETURN(auto messages, outbox.Recent(50, member));
      json out = json::array();
      for (const auto& m : messages) {
        out.push_back({{"id", m.message_id},
                       {"member_id", m.member_id},
                       {"template", m.template_name},
                       {"language", notify::LanguageName(m.language)},
                       {"body", m.body},
                       {"created_at", m.created_at.ToString()}});
      }
      return http::Json({{"messages", out}});
    });
  }

  // --- payments: cycles for officers, files for banks, a citizen's own payments ---

  static Result<int64_t> PathId(http::Request& req, std::string_view what) {
    const std::string& text = req.path_params["id"];
    int64_t id = 0;
    if (text.empty() || text.size() > 18) {
      return InvalidArgumentError(std::string(what) + " id must be a number");
    }
    for (char c : text) {
      if (c < '0' || c > '9') return InvalidArgumentError(std::string(what) + " id must be a number");
      id = id * 10 + (c - '0');
    }
    return id;
  }

  http::Response MyPayments(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (p.role != Role::kCitizen) {
        return a_.gate_.Deny(p, Action::kPaymentsRead, {"me", 0, ""}, "own_record",
                             req.request_id, "/me/payments is a citizen's own payments");
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kPaymentsRead,
                                {p.member_id, p.household_idx, ""}, "own_record"));
      std::string lang = "hi";
      if (auto it = req.query_params.find("lang"); it != req.query_params.end()) lang = it->second;
      ASSIGN_OR_RETURN(json payments, payments::MemberPayments(db, p.member_idx, lang));
      return http::Json({{"member_id", p.member_id}, {"payments", payments}});
    });
  }

  http::Response ListCycles(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kCycleRead, {"cycles", 0, ""}, "payments"));
      std::string scheme;
      if (auto it = req.query_params.find("scheme"); it != req.query_params.end()) {
        scheme = it->second;
      }
      ASSIGN_OR_RETURN(auto cycles, programs::ListCycles(db, scheme));
      json out = json::array();
      for (const auto& c : cycles) out.push_back(programs::CycleJson(c));
      return http::Json({{"cycles", out}});
    });
  }

  http::Response GetCycle(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "cycle"));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kCycleRead,
                                {"cycle:" + std::to_string(id), 0, ""}, "payments"));
      programs::SchemeStore store(db, a_.clock_);
      ASSIGN_OR_RETURN(json preview, programs::ApprovalPreview(db, store, id));
      ASSIGN_OR_RETURN(json progress, payments::CycleProgress(db, id));
      preview["progress"] = progress;
      return http::Json(preview);
    });
  }

  http::Response CreateCycle(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"scheme_id", "period"}));
      ASSIGN_OR_RETURN(std::string scheme, http::GetRequired<std::string>(body, "scheme_id"));
      ASSIGN_OR_RETURN(std::string period, http::GetRequired<std::string>(body, "period"));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kCyclePrepare,
                                {"cycle:" + scheme + "/" + period, 0, ""}, "payments"));
      if (a_.options_.eligibility == nullptr) return UnavailableError("eligibility is not served");
      programs::SchemeStore store(db, a_.clock_);
      programs::CycleSummary made;
      RETURN_IF_ERROR(a_.options_.eligibility->WithSnapshot([&](const registry::Snapshot& snap) {
        ASSIGN_OR_RETURN(made, programs::CreateCycle(db, a_.clock_, store, snap, scheme, period,
                                                     p.Actor()));
        return OkStatus();
      }));
      json out = programs::CycleJson(made);
      out["not_eligible"] = made.not_eligible;
      out["amount_failures"] = made.amount_failures;
      return http::Json(out, made.created ? 201 : 200);
    });
  }

  http::Response ApproveCycle(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "cycle"));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kCycleApprove,
                                {"cycle:" + std::to_string(id), 0, ""}, "payments"));
      programs::SchemeStore store(db, a_.clock_);
      ASSIGN_OR_RETURN(programs::ApprovalResult r,
                       payments::ApproveCycle(db, a_.clock_, store, id,
                                              {.actor = p.Actor(), .level = p.OfficerLevel()}));
      json out = programs::CycleJson(r.cycle);
      out["tier_approved"] = r.tier;
      out["final"] = r.final;
      if (r.final) {
        ASSIGN_OR_RETURN(payments::GenerateReport g,
                         payments::GenerateInstructions(db, a_.clock_, id));
        out["instructions"] = payments::GenerateReportJson(g);
      }
      return http::Json(out);
    });
  }

  http::Response ExportCycle(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "cycle"));
      std::string format = "pain.001";
      if (!req.body.empty()) {
        ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
        RETURN_IF_ERROR(http::CheckKnownFields(body, {"format"}));
        ASSIGN_OR_RETURN(auto f, http::GetOptional<std::string>(body, "format"));
        if (f) format = *f;
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kCyclePrepare,
                                {"cycle:" + std::to_string(id), 0, ""}, "payments"));
      // Instructions first (a no-op when the approval made them), then the files.
      ASSIGN_OR_RETURN(payments::GenerateReport g,
                       payments::GenerateInstructions(db, a_.clock_, id));
      payments::ExportOptions options;
      options.format = format;
      options.out_dir = a_.options_.bank_files_dir;
      ASSIGN_OR_RETURN(auto files, payments::ExportBatches(db, a_.clock_, a_.key_, id, options));
      json out = json::array();
      for (const auto& f : files) {
        out.push_back({{"batch_id", f.batch_id},
                       {"message_id", f.message_id},
                       {"bank", f.bank},
                       {"transactions", f.transactions},
                       {"control_sum_paise", f.total.paise()}});
      }
      return http::Json({{"instructions", payments::GenerateReportJson(g)}, {"files", out}});
    });
  }

  http::Response BankFiles(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kBankFileRead, {"bank_files", 0, ""},
                                "payments"));
      ASSIGN_OR_RETURN(auto rows, db.Query("SELECT batch_id, message_id, scheme_id, cycle_id, "
                                           "format, transactions, control_sum_paise, "
                                           "created_at_us FROM payment_batches WHERE bank = ? "
                                           "ORDER BY batch_id DESC LIMIT 500",
                                           {p.scope}));
      json out = json::array();
      for (const auto& r : rows) {
        out.push_back({{"batch_id", r.Int(0)},
                       {"message_id", r.Text(1)},
                       {"scheme_id", r.Text(2)},
                       {"cycle_id", r.Int(3)},
                       {"format", r.Text(4)},
                       {"transactions", r.Int(5)},
                       {"control_sum_paise", r.Int(6)},
                       {"created_at", Timestamp{r.Int(7)}.ToString()}});
      }
      return http::Json({{"bank", p.scope}, {"files", out}});
    });
  }

  http::Response BankFile(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "file"));
      access::Resource file{"bank_file:" + std::to_string(id), 0, ""};
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT format FROM payment_batches WHERE batch_id "
                                             "= ? AND bank = ?",
                                             {id, p.scope}));
      if (!row || p.role != Role::kBank) {
        // Unknown, or another bank's: the same answer, and the denial is recorded.
        (void)a_.gate_.Deny(p, Action::kBankFileRead, file, "payments", req.request_id,
                            "not a payment file of this principal's bank");
        return NotFoundError("no such payment file");
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kBankFileRead, file, "payments"));
      ASSIGN_OR_RETURN(std::string bytes, payments::BatchFileContent(db, a_.key_, id, ""));
      bool csv = row->Text(0) == "csv";
      return http::Text(std::move(bytes), 200,
                        csv ? "text/csv; charset=utf-8" : "application/xml; charset=utf-8");
    });
  }

  http::Response BankStatus(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kBankStatusUpload, {"bank_status", 0, ""},
                                "payments"));
      if (req.body.empty()) {
        return InvalidArgumentError("send the status file (pain.002 XML or the CSV profile) as "
                                    "the request body");
      }
      std::string name = "upload-" + p.scope;
      if (auto it = req.query_params.find("file_name"); it != req.query_params.end()) {
        name = it->second;
      }
      ASSIGN_OR_RETURN(payments::ImportReport r,
                       payments::ImportStatusFile(db, a_.clock_, req.body, name, p.scope));
      return http::Json(payments::ImportReportJson(r));
    });
  }

  // --- grievances (docs/grievance.md; the library is grievance/) ---

  static constexpr std::string_view kNoGrievance = "no grievance you may see has that ticket";

  // The LIKE pattern (ESCAPE '!') of the re-entry events of an instruction, whose sources are
  // "instruction:<id>/attempt:2", "instruction:<id>/held", ...
  static std::string InstructionEvents(std::string_view instruction_id) {
    std::string pattern = "instruction:";
    for (char c : instruction_id) {
      if (c == '!' || c == '%' || c == '_') pattern += '!';
      pattern += c;
    }
    return pattern + "/%";
  }

  // What of a grievance a role receives. The citizen and officers: everything. A bank: what it
  // needs to answer (no member ID, no assisted-filing details, citizens' IDs out of the
  // history, of the links only the payment). An operator or partner that filed it: its state,
  // holder, deadline and history, no links.
  enum class GrievanceView { kFull, kBank, kFiler };
  static GrievanceView ViewFor(const Principal& p) {
    switch (p.role) {
      case Role::kCitizen:
      case Role::kOfficer:
        return GrievanceView::kFull;
      case Role::kBank:
        return GrievanceView::kBank;
      default:
        return GrievanceView::kFiler;
    }
  }

  // ?lang=en|hi; else the citizen's own language for a citizen, English for staff.
  static notify::Language ViewerLanguage(const http::Request& req, const Principal& p,
                                         const grievance::Grievance& g) {
    if (auto it = req.query_params.find("lang"); it != req.query_params.end()) {
      return it->second == "hi" ? notify::Language::kHi : notify::Language::kEn;
    }
    return p.role == Role::kCitizen ? g.language : notify::Language::kEn;
  }

  static access::Resource GrievanceResource(const grievance::Grievance& g) {
    return {g.ticket, g.household_idx, g.village_code};
  }

  static std::string ActorFor(const std::string& actor, GrievanceView view) {
    if (view == GrievanceView::kBank && actor.starts_with("citizen:")) return "citizen";
    return actor;
  }

  // Who holds a grievance: {"level", "area_code", "bank"}.
  static void WriteHolder(JsonWriter& w, const grievance::Assignee& a) {
    w.BeginObject();
    w.Key("level").String(grievance::LevelName(a.level));
    w.Key("area_code").String(a.area_code);
    w.Key("bank");
    a.bank_code.empty() ? w.Null() : w.String(a.bank_code);
    w.EndObject();
  }
  static void WriteOptionalTime(JsonWriter& w, const std::optional<Timestamp>& t) {
    t ? w.String(t->ToString()) : w.Null();
  }

  // The fields of one line of a list (what an officer's or citizen's list shows), written into
  // an object the caller has begun. The ticket's own page (GrievanceFull) adds to them.
  void WriteSummaryFields(JsonWriter& w, const grievance::Grievance& g, GrievanceView view) {
    w.Key("ticket").String(g.ticket);
    w.Key("kind").String(grievance::KindName(g.kind));
    w.Key("channel").String(grievance::ChannelName(g.channel));
    w.Key("category").String(grievance::CategoryName(g.category));
    w.Key("status").String(grievance::StatusName(g.status));
    w.Key("description").String(g.description);
    w.Key("filed_at").String(g.filed_at.ToString());
    w.Key("holder");
    WriteHolder(w, g.assignee);
    w.Key("deadline").String(g.deadline.ToString());
    w.Key("interim_due").String(g.interim_due.ToString());
    w.Key("overdue").Bool(g.Overdue(a_.clock_.Now()));
    w.Key("escalations").Int(g.escalations);
    w.Key("outcome");
    g.outcome ? w.String(grievance::OutcomeName(*g.outcome)) : w.Null();
    if (view != GrievanceView::kBank) w.Key("member_id").String(g.member_id);
  }


  // The return reasons of a payment, from its re-entry events, in `lang`.
  Result<json> PaymentLink(storage::Database& db, const grievance::Grievance& g,
                           notify::Language lang) {
    const bool hi = lang == notify::Language::kHi;
    json payment = {{"instruction_id", g.instruction_id}};
    ASSIGN_OR_RETURN(std::optional<payments::InstructionKey> key,
                     payments::FindInstruction(db, g.instruction_id));
    if (!key) return payment;
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT i.scheme_id, c.period, i.amount_paise, "
                                           "i.status, i.attempt, i.bank, i.household_idx FROM "
                                           "payment_instructions i JOIN cycles c ON c.cycle_id = "
                                           "i.cycle_id WHERE i.cycle_id = ? AND "
                                           "i.beneficiary_idx = ? AND i.scheme_id = ?",
                                           {key->cycle_id, key->beneficiary_idx, key->scheme_id}));
    if (!row || row->Int(6) != g.household_idx) return payment;
    payment["scheme_id"] = row->Text(0);
    payment["period"] = row->Text(1);
    payment["amount_paise"] = row->Int(2);
    payment["status"] = row->Text(3);
    payment["attempt"] = row->Int(4);
    payment["bank"] = row->IsNull(5) ? json(nullptr) : json(row->Text(5));
    ASSIGN_OR_RETURN(auto events, db.Query("SELECT created_at_us, kind, reason_code, detail FROM "
                                           "reentry_events WHERE source LIKE ? ESCAPE '!' "
                                           "ORDER BY event_id",
                                           {InstructionEvents(g.instruction_id)}));
    json failures = json::array();
    for (const auto& e : events) failures.push_back(EventJson(e, 0, hi));
    payment["failures"] = failures;
    return payment;
  }

  // A re-entry event (created_at_us, kind, reason_code, detail from column `first`): the reason
  // and the next step in the viewer's language, and who must act.
  static json EventJson(const storage::Row& e, size_t first, bool hi) {
    json detail = json::parse(e.Text(first + 3), nullptr, false);
    auto text = [&](const char* key) {
      if (!detail.is_object()) return json(nullptr);
      auto it = detail.find(key);
      return it != detail.end() && it->is_string() ? *it : json(nullptr);
    };
    json who = detail.is_object() && detail.contains("who_acts") ? detail["who_acts"] : json(nullptr);
    return {{"at", Timestamp{e.Int(first)}.ToString()},
            {"kind", e.Text(first + 1)},
            {"reason_code", e.Text(first + 2)},
            {"reason", text(hi ? "reason_hi" : "reason_en")},
            {"next_step", text(hi ? "next_step_hi" : "next_step_en")},
            {"who_acts", who}};
  }

  // What the grievance is about, for the officer's one page.
  Result<json> GrievanceLinks(storage::Database& db, const grievance::Grievance& g,
                              GrievanceView view, notify::Language lang) {
    const bool hi = lang == notify::Language::kHi;
    json links = json::object();
    if (!g.instruction_id.empty()) {
      ASSIGN_OR_RETURN(links["payment"], PaymentLink(db, g, lang));
    }
    if (view == GrievanceView::kBank) return links;
    if (g.reentry_event_id) {
      ASSIGN_OR_RETURN(auto e, db.QueryOne("SELECT created_at_us, kind, reason_code, detail FROM "
                                           "reentry_events WHERE event_id = ?",
                                           {*g.reentry_event_id}));
      if (e) links["event"] = EventJson(*e, 0, hi);
    }
    if (!g.scheme_id.empty()) {
      json scheme = {{"scheme_id", g.scheme_id}};
      ASSIGN_OR_RETURN(auto s, db.QueryOne("SELECT latest_version, status FROM schemes WHERE "
                                           "scheme_id = ?",
                                           {g.scheme_id}));
      if (s) {
        scheme["rule_version"] = s->Int(0);
        scheme["status"] = s->Text(1);
      }
      if (!g.member_id.empty()) {
        scheme["explain"] = "/api/v1/schemes/" + g.scheme_id + "/explain/" + g.member_id;
      }
      // The decisions recorded for this household: each with the rule version it was made
      // under and its explanation, clause by clause.
      ASSIGN_OR_RETURN(auto apps, db.Query("SELECT application_id, scheme_version, status, "
                                           "eligible, explanation, submitted_at_us, "
                                           "decided_at_us, decision_note FROM "
                                           "enrolment_applications WHERE scheme_id = ? AND "
                                           "household_idx = ? ORDER BY application_id DESC "
                                           "LIMIT 5",
                                           {g.scheme_id, g.household_idx}));
      json decisions = json::array();
      for (const auto& r : apps) {
        decisions.push_back({{"application_id", r.Int(0)},
                             {"rule_version", r.Int(1)},
                             {"status", r.Text(2)},
                             {"eligible", r.Int(3) != 0},
                             {"explanation", json::parse(r.Text(4), nullptr, false)},
                             {"submitted_at", Timestamp{r.Int(5)}.ToString()},
                             {"decided_at", r.IsNull(6) ? json(nullptr)
                                                        : json(Timestamp{r.Int(6)}.ToString())},
                             {"decision_note", r.IsNull(7) ? json(nullptr) : json(r.Text(7))}});
      }
      scheme["decisions"] = decisions;
      links["scheme"] = scheme;
    }
    int64_t enrolment_id = 0;
    if (g.action_target.starts_with("enrolment:") && g.action_target.size() <= 28 &&
        g.action_target.find_first_not_of("0123456789", 10) == std::string::npos) {
      enrolment_id = std::stoll(g.action_target.substr(10));
    }
    if (enrolment_id > 0) {
      ASSIGN_OR_RETURN(auto exits, db.Query("SELECT x.reason_code, x.reason_en, x.reason_hi, "
                                            "x.status, x.effective_after_us FROM exit_proposals "
                                            "x WHERE x.enrolment_id = ? ORDER BY x.exit_id",
                                            {enrolment_id}));
      json out = json::array();
      for (const auto& x : exits) {
        out.push_back({{"reason_code", x.Text(0)},
                       {"reason", hi ? x.Text(2) : x.Text(1)},
                       {"status", x.Text(3)},
                       {"effective_after", Timestamp{x.Int(4)}.ToString()}});
      }
      links["exits"] = out;
    }
    std::vector<int64_t> changes;
    if (g.change_request_id) changes.push_back(*g.change_request_id);
    if (g.resolution_change_request_id && g.resolution_change_request_id != g.change_request_id) {
      changes.push_back(*g.resolution_change_request_id);
    }
    if (!changes.empty()) {
      json out = json::array();
      for (int64_t id : changes) {
        ASSIGN_OR_RETURN(auto c, db.QueryOne("SELECT cr_id, kind, status, reason, "
                                             "submitted_at_us, decided_at_us, decision_note FROM "
                                             "change_requests WHERE cr_id = ? AND household_idx "
                                             "= ?",
                                             {id, g.household_idx}));
        if (!c) continue;
        out.push_back({{"id", c->Int(0)},
                       {"kind", c->Text(1)},
                       {"status", c->Text(2)},
                       {"reason", c->Text(3)},
                       {"submitted_at", Timestamp{c->Int(4)}.ToString()},
                       {"decided_at", c->IsNull(5) ? json(nullptr)
                                                   : json(Timestamp{c->Int(5)}.ToString())},
                       {"decision_note", c->IsNull(6) ? json(nullptr) : json(c->Text(6))}});
      }
      links["change_requests"] = out;
    }
    return links;
  }

  // The whole ticket: its state, deadline, holder, answer, history in `lang`, links, and for a
  // re-entry case what closes it and the actions taken.
  // Written as text (no JSON tree: this is every ticket read), the links' document excepted.
  Result<http::Response> GrievanceFull(storage::Database& db, const grievance::Grievance& g,
                                       GrievanceView view, notify::Language lang) {
    http::Response response;
    JsonWriter w(response.body);
    w.BeginObject();
    WriteSummaryFields(w, g, view);
    w.Key("language").String(notify::LanguageName(g.language));
    w.Key("filed_by").String(ActorFor(g.filed_by, view));
    w.Key("interim_reply_at");
    WriteOptionalTime(w, g.interim_reply_at);
    w.Key("round").Int(g.round);
    w.Key("resolution");
    if (g.outcome) {
      w.BeginObject();
      w.Key("outcome").String(grievance::OutcomeName(*g.outcome));
      w.Key("reason").String(g.resolution_reason);
      w.Key("by").String(g.resolved_by);
      w.Key("at");
      WriteOptionalTime(w, g.resolved_at);
      w.EndObject();
    } else {
      w.Null();
    }
    w.Key("rating");
    g.rating ? w.Int(*g.rating) : w.Null();
    w.Key("appeals").Int(g.appeals);
    w.Key("under_appeal").Bool(g.open_appeal_id.has_value());
    w.Key("closed_at");
    WriteOptionalTime(w, g.closed_at);
    if (view == GrievanceView::kFull) {
      if (g.centre.size() > 0) {
        w.Key("assisted").BeginObject();
        w.Key("centre").String(g.centre);
        w.Key("fee_paise").Int(g.fee_paise.value_or(0));
        w.EndObject();
      }
      if (g.officer_mode) {
        w.Key("officer_mode").String(grievance::OfficerModeName(*g.officer_mode));
      }
    }
    ASSIGN_OR_RETURN(auto history, grievance::History(db, g.grievance_id));
    w.Key("history").BeginArray();
    for (const grievance::HistoryEntry& e : history) {
      w.BeginObject();
      w.Key("at").String(e.at.ToString());
      w.Key("kind").String(e.kind);
      w.Key("by").String(ActorFor(e.actor, view));
      w.Key("text").String(e.Text(lang));
      w.EndObject();
    }
    w.EndArray();
    if (view != GrievanceView::kFiler) {
      ASSIGN_OR_RETURN(json links, GrievanceLinks(db, g, view, lang));
      w.Key("links").Raw(links.dump(-1, ' ', false, json::error_handler_t::replace));
      if (view == GrievanceView::kFull && g.kind == grievance::Kind::kReentry) {
        ASSIGN_OR_RETURN(auto actions, grievance::ActionsFor(db, g.grievance_id));
        w.Key("case").BeginObject();
        w.Key("closing_action").String(g.closing_action);
        w.Key("action").String(g.action_kind);
        w.Key("target").String(g.action_target);
        w.Key("actions").BeginArray();
        for (const grievance::ResolutionAction& a : actions) {
          w.BeginObject();
          w.Key("kind").String(a.kind);
          w.Key("target").String(a.target);
          w.Key("status").String(a.status);
          w.Key("result").String(a.result);
          w.Key("at");
          WriteOptionalTime(w, a.done_at);
          w.EndObject();
        }
        w.EndArray();
        w.EndObject();
      }
    }
    w.EndObject();
    return response;
  }

  // The grievance the path names, when the principal may see it. Unknown and not visible
  // answer alike (404); the denial is recorded under `action`.
  Result<grievance::Grievance> VisibleGrievance(storage::Database& db, const http::Request& req,
                                                const Principal& p, Action action) {
    auto it = req.path_params.find("ticket");
    const std::string ticket = it == req.path_params.end() ? "" : it->second;
    RETURN_IF_ERROR(grievance::ParseTicket(ticket).status());
    Result<grievance::Grievance> g = grievance::GetByTicket(db, ticket);
    if (g.status().code() == StatusCode::kNotFound) {
      (void)a_.gate_.Deny(p, action, {RedactNationalIds("ticket:" + ticket.substr(0, 40)), 0, ""},
                          "grievance", req.request_id, "no grievance has this ticket");
      return NotFoundError(std::string(kNoGrievance));
    }
    RETURN_IF_ERROR(g.status());
    if (Status s = grievance::CanView(*g, p); !s.ok()) {
      (void)a_.gate_.Deny(p, action, GrievanceResource(*g), "grievance", req.request_id,
                          s.message());
      return NotFoundError(std::string(kNoGrievance));
    }
    return g;
  }

  // The live consent the operator holds for the household (the newest).
  Result<int64_t> OperatorConsent(storage::Database& db, const Principal& p, int64_t household) {
    ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT consent_id FROM assisted_consents WHERE "
                                           "operator_user_id = ? AND household_idx = ? AND "
                                           "revoked_at_us IS NULL AND expires_at_us > ? ORDER BY "
                                           "consent_id DESC LIMIT 1",
                                           {p.user_id, household, a_.clock_.Now().micros}));
    if (!row) {
      return FailedPreconditionError("consent_id: the citizen has not given this operator "
                                     "one-time-code consent for this session");
    }
    return row->Int(0);
  }

  // POST /api/v1/grievances. Who files decides the channel: a citizen (portal, their own
  // household), an operator (operator: the centre, the fee and the citizen's consent), an
  // officer (member_id and channel helpline or walk_in), a partner client (partner_api).
  http::Response FileGrievance(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(
          body, {"member_id", "category", "description", "channel", "language", "instruction_id",
                 "scheme_id", "change_request_id", "consent_id", "fee_paise"}));
      ASSIGN_OR_RETURN(std::string category_text, http::GetRequired<std::string>(body, "category"));
      ASSIGN_OR_RETURN(std::string description,
                       http::GetRequired<std::string>(body, "description"));
      ASSIGN_OR_RETURN(auto member_id, http::GetOptional<std::string>(body, "member_id"));
      ASSIGN_OR_RETURN(auto channel, http::GetOptional<std::string>(body, "channel"));
      ASSIGN_OR_RETURN(auto language, http::GetOptional<std::string>(body, "language"));
      ASSIGN_OR_RETURN(auto instruction_id, http::GetOptional<std::string>(body, "instruction_id"));
      ASSIGN_OR_RETURN(auto scheme_id, http::GetOptional<std::string>(body, "scheme_id"));
      ASSIGN_OR_RETURN(auto change_request_id, http::GetOptional<int64_t>(body, "change_request_id"));
      ASSIGN_OR_RETURN(auto consent_id, http::GetOptional<int64_t>(body, "consent_id"));
      ASSIGN_OR_RETURN(auto fee, http::GetOptional<int64_t>(body, "fee_paise"));
      grievance::GrievanceInput in;
      Result<grievance::Category> category = grievance::ParseCategory(category_text);
      if (!category.ok()) return InvalidArgumentError("category: " + category.status().message());
      in.category = *category;
      in.description = description;
      in.filed_by = p.Actor();
      if (language) {
        Result<notify::Language> l = notify::ParseLanguage(*language);
        if (!l.ok()) return InvalidArgumentError("language: en or hi");
        in.language = *l;
      }
      std::string member = member_id.value_or(p.role == Role::kCitizen ? p.member_id : "");
      if (!registry::ValidMemberId(member)) {
        return InvalidArgumentError("member_id: the citizen's member ID, 11 digits with a valid "
                                    "check digit");
      }
      if (p.role == Role::kOfficer) {
        if (!channel) {
          return InvalidArgumentError("channel: an officer filing for a citizen says how it came: "
                                      "helpline or walk_in");
        }
        Result<grievance::OfficerMode> mode = grievance::ParseOfficerMode(*channel);
        if (!mode.ok()) return InvalidArgumentError("channel: helpline or walk_in");
        in.channel = grievance::Channel::kOfficer;
        in.officer_mode = *mode;
      } else if (channel) {
        return InvalidArgumentError("channel: only an officer filing for a citizen gives it "
                                    "(helpline or walk_in)");
      } else if (p.role == Role::kOperator) {
        in.channel = grievance::Channel::kOperator;
      } else if (p.role == Role::kDeveloper) {
        in.channel = grievance::Channel::kPartnerApi;
        in.client_id = p.name;
      } else {
        in.channel = grievance::Channel::kPortal;
      }
      if ((consent_id || fee) && p.role != Role::kOperator) {
        return InvalidArgumentError("consent_id, fee_paise: only for an operator filing at a "
                                    "service centre");
      }
      if (fee && *fee < 0) return InvalidArgumentError("fee_paise: cannot be negative");
      ASSIGN_OR_RETURN(auto ref, FindMemberHousehold(db, member));
      access::Resource r{member, ref ? ref->household_idx : 0, ref ? ref->village_code : ""};
      if (!ref) {
        (void)Authorize(db, req, p, Action::kGrievanceFile, r, "grievance");
        return NotFoundError("no member you may file for has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kGrievanceFile, r, "grievance"), "member"));
      in.member_id = member;
      if (p.role == Role::kOperator) {
        int64_t consent = 0;
        if (consent_id) {
          consent = *consent_id;
        } else {
          ASSIGN_OR_RETURN(consent, OperatorConsent(db, p, ref->household_idx));
        }
        in.assisted = grievance::AssistedFiling{.operator_user_id = p.user_id,
                                                .centre = p.scope,
                                                .fee = Money::FromPaise(fee.value_or(0)),
                                                .consent_id = consent};
      }
      if (instruction_id) {
        // Only a payment of this household; its latest failure says whether the bank must act.
        ASSIGN_OR_RETURN(std::optional<payments::InstructionKey> key,
                         payments::FindInstruction(db, *instruction_id));
        std::optional<storage::Row> i;
        if (key) {
          ASSIGN_OR_RETURN(i, db.QueryOne("SELECT household_idx FROM payment_instructions WHERE "
                                          "cycle_id = ? AND beneficiary_idx = ? AND scheme_id = ?",
                                          {key->cycle_id, key->beneficiary_idx, key->scheme_id}));
        }
        if (!i || i->Int(0) != ref->household_idx) {
          return NotFoundError("instruction_id: no payment of this household has that id");
        }
        in.links.instruction_id = *instruction_id;
        ASSIGN_OR_RETURN(auto e, db.QueryOne("SELECT event_id FROM reentry_events WHERE source "
                                             "LIKE ? ESCAPE '!' AND household_idx = ? ORDER BY "
                                             "event_id DESC LIMIT 1",
                                             {InstructionEvents(*instruction_id),
                                              ref->household_idx}));
        if (e) in.links.reentry_event_id = e->Int(0);
      }
      if (scheme_id) in.links.scheme_id = *scheme_id;
      in.links.change_request_id = change_request_id;
      // Group commit: filed in the intake writer's next transaction, with whatever other
      // filings are waiting (api/grievance_intake_batcher.h).
      // The worker thread does not wait for the flush: the answer goes out when the batch has
      // committed (http::PendingResponse).
      ASSIGN_OR_RETURN(GrievanceIntakeBatcher * intake, IntakeBatcher());
      auto pending = std::make_shared<http::PendingResponse>();
      intake->FileAsync(std::move(in), [pending, request_id = req.request_id](
                                           Result<grievance::Filed> filed) {
        if (!filed.ok()) {
          pending->Resolve(http::Problem(filed.status(), request_id));
          return;
        }
        // Committed: the ticket may be shown.
        http::Response created;
        created.status = 201;
        JsonWriter w(created.body);
        w.BeginObject();
        w.Key("ticket").String(filed->ticket);
        w.Key("status").String("open");
        w.Key("holder");
        WriteHolder(w, filed->assignee);
        w.Key("deadline").String(filed->deadline.ToString());
        w.Key("interim_due").String(filed->interim_due.ToString());
        w.Key("acknowledged").Bool(filed->ack_message_id.has_value());
        w.EndObject();
        pending->Resolve(std::move(created));
      });
      return http::Later(std::move(pending));
    });
  }

  // FileGrievance's group-commit queue, started by the first filing on the server's database.
  Result<GrievanceIntakeBatcher*> IntakeBatcher() {
    std::lock_guard lock(intake_mu_);
    if (!intake_) {
      ASSIGN_OR_RETURN(intake_, GrievanceIntakeBatcher::Start(a_.connections_.url(), a_.clock_,
                                                             {.policy = a_.options_.grievance_policy}));
    }
    return intake_.get();
  }
  std::mutex intake_mu_;
  std::unique_ptr<GrievanceIntakeBatcher> intake_;  // GUARDED_BY(intake_mu_)

  http::Response GetGrievance(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(grievance::Grievance g,
                       VisibleGrievance(db, req, p, Action::kGrievanceRead));
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kGrievanceRead, GrievanceResource(g), "grievance"),
          "grievance"));
      return GrievanceFull(db, g, ViewFor(p), ViewerLanguage(req, p, g));
    });
  }

  // A page of `visible` narrowed by the query: status, overdue=true, kind, holder=me,
  // page_size, page_token.
  Result<http::Response> GrievancePage(storage::Database& db, const http::Request& req,
                                       const Principal& p, grievance::ListFilter f) {
    auto param = [&](const char* name) -> std::optional<std::string> {
      auto it = req.query_params.find(name);
      if (it == req.query_params.end() || it->second.empty()) return std::nullopt;
      return it->second;
    };
    if (auto s = param("status")) {
      Result<grievance::GrievanceStatus> st = grievance::ParseStatus(*s);
      if (!st.ok()) return InvalidArgumentError("status: open, resolved, appealed or closed");
      f.status = *st;
    }
    if (auto k = param("kind")) {
      Result<grievance::Kind> kind = grievance::ParseKind(*k);
      if (!kind.ok()) return InvalidArgumentError("kind: grievance or reentry");
      f.kind = *kind;
    }
    if (auto o = param("overdue")) {
      if (*o != "true" && *o != "false") return InvalidArgumentError("overdue: true or false");
      if (*o == "true") f.overdue_at = a_.clock_.Now();
    }
    if (auto h = param("holder")) {
      if (*h != "me") return InvalidArgumentError("holder: me (those you hold)");
      if (p.role == Role::kOfficer) {
        std::string level = p.OfficerLevel();
        if (level.empty()) return InvalidArgumentError("holder=me: an officer with an area");
        f.level = *grievance::ParseLevel(level);
        f.area_code = p.scope;
      }  // a bank's list is already only what it holds
    }
    int64_t size = 50;
    if (auto s = param("page_size")) {
      size = -1;
      if (s->size() <= 4 && s->find_first_not_of("0123456789") == std::string::npos) {
        size = std::stoll(*s);
      }
      if (size < 1 || size > a_.options_.max_page_size) {
        return InvalidArgumentError("page_size must be between 1 and " +
                                    std::to_string(a_.options_.max_page_size));
      }
    }
    if (auto t = param("page_token")) {
      if (t->size() > 18 || t->find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgumentError("page_token is not one this API gave out");
      }
      f.after_id = std::stoll(*t);
    }
    f.limit = static_cast<int>(size + 1);
    ASSIGN_OR_RETURN(auto rows, grievance::List(db, f));
    bool more = static_cast<int64_t>(rows.size()) > size;
    if (more) rows.resize(static_cast<size_t>(size));
    http::Response response;
    JsonWriter w(response.body);
    w.BeginObject();
    w.Key("grievances").BeginArray();
    for (const grievance::Grievance& g : rows) {
      w.BeginObject();
      WriteSummaryFields(w, g, ViewFor(p));
      w.EndObject();
    }
    w.EndArray();
    w.Key("next_page_token");
    more ? w.String(std::to_string(rows.back().grievance_id)) : w.Null();
    w.EndObject();
    return response;
  }

  http::Response ListGrievances(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kGrievanceRead, {"grievances", 0, ""},
                                "grievance"));
      std::optional<grievance::ListFilter> visible = grievance::VisibleTo(p);
      if (!visible) return http::Json({{"grievances", json::array()}, {"next_page_token", nullptr}});
      return GrievancePage(db, req, p, *visible);
    });
  }

  http::Response MyGrievances(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      if (p.role != Role::kCitizen) {
        return a_.gate_.Deny(p, Action::kGrievanceRead, {"me", 0, ""}, "own_record",
                             req.request_id, "/me/grievances is a citizen's own grievances");
      }
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT village_code FROM households WHERE "
                                             "household_idx = ?",
                                             {p.household_idx}));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kGrievanceRead,
                                {p.member_id, p.household_idx, row ? row->Text(0) : ""},
                                "own_record"));
      std::optional<grievance::ListFilter> mine = grievance::VisibleTo(p);
      if (!mine) return NotFoundError("your household is no longer in the registry");
      return GrievancePage(db, req, p, *mine);
    });
  }

  // One step of a grievance's life by the principal: the row-level `rule`
  // (grievance/access_rules.h), then the gate, then `step` (one library call, which commits);
  // answers the grievance as it is afterwards.
  using GrievanceRule = Status (*)(const grievance::Grievance&, const Principal&);
  template <typename Step>
  http::Response GrievanceStep(http::Request& req, Action action,
                               std::initializer_list<std::string_view> fields, GrievanceRule rule,
                               Step step) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      json body = json::object();
      if (!req.body.empty()) {
        ASSIGN_OR_RETURN(body, http::ParseJsonObject(req.body));
      }
      RETURN_IF_ERROR(http::CheckKnownFields(body, fields));
      ASSIGN_OR_RETURN(grievance::Grievance g, VisibleGrievance(db, req, p, action));
      if (Status s = rule(g, p); !s.ok()) {
        return a_.gate_.Deny(p, action, GrievanceResource(g), "grievance", req.request_id,
                             s.message());
      }
      RETURN_IF_ERROR(Authorize(db, req, p, action, GrievanceResource(g), "grievance"));
      RETURN_IF_ERROR(step(db, g, p, body));
      ASSIGN_OR_RETURN(grievance::Grievance after, grievance::Get(db, g.grievance_id));
      return GrievanceFull(db, after, ViewFor(p), ViewerLanguage(req, p, after));
    });
  }

  http::Response InterimReply(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceAnswer, {"reply"}, &grievance::CanAnswer,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(std::string reply, http::GetRequired<std::string>(body, "reply"));
          return grievance::RecordInterimReply(db, a_.clock_, g.grievance_id, reply, p.Actor(),
                                               a_.options_.grievance_policy);
        });
  }

  http::Response ResolveGrievance(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceAnswer, {"outcome", "reason", "change_request_id"},
        &grievance::CanAnswer,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(std::string outcome, http::GetRequired<std::string>(body, "outcome"));
          ASSIGN_OR_RETURN(std::string reason, http::GetRequired<std::string>(body, "reason"));
          ASSIGN_OR_RETURN(auto change, http::GetOptional<int64_t>(body, "change_request_id"));
          Result<grievance::Outcome> o = grievance::ParseOutcome(outcome);
          if (!o.ok()) return InvalidArgumentError("outcome: upheld or rejected");
          return grievance::Resolve(db, a_.clock_, g.grievance_id,
                                    {.outcome = *o,
                                     .reason = reason,
                                     .change_request_id = change,
                                     .actor = p.Actor()},
                                    a_.options_.grievance_policy)
              .status();
        });
  }

  http::Response ReassignGrievance(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceReassign, {"level", "bank", "reason"}, &grievance::CanReassign,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(std::string level, http::GetRequired<std::string>(body, "level"));
          ASSIGN_OR_RETURN(auto bank, http::GetOptional<std::string>(body, "bank"));
          ASSIGN_OR_RETURN(std::string reason, http::GetRequired<std::string>(body, "reason"));
          Result<grievance::Level> l = grievance::ParseLevel(level);
          if (!l.ok()) return InvalidArgumentError("level: block, district or state");
          grievance::Assignee to{.level = *l,
                                 .area_code = grievance::AreaAt(*l, g.village_code),
                                 .bank_code = bank.value_or("")};
          return grievance::Reassign(db, a_.clock_, g.grievance_id, to, reason, p.Actor(),
                                     a_.options_.grievance_policy);
        });
  }

  http::Response RateGrievance(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceRespond, {"rating"}, &grievance::CanActAsCitizen,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(int rating, http::GetRequired<int>(body, "rating"));
          return grievance::Rate(db, a_.clock_, g.grievance_id, rating, p.Actor(),
                                 a_.options_.grievance_policy)
              .status();
        });
  }

  http::Response AppealGrievance(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceRespond, {"reason"}, &grievance::CanActAsCitizen,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(std::string reason, http::GetRequired<std::string>(body, "reason"));
          return grievance::Appeal(db, a_.clock_, g.grievance_id, reason, p.Actor(),
                                   a_.options_.grievance_policy)
              .status();
        });
  }

  http::Response ReopenGrievance(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceRespond, {"reason"}, &grievance::CanActAsCitizen,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(std::string reason, http::GetRequired<std::string>(body, "reason"));
          return grievance::Reopen(db, a_.clock_, g.grievance_id, reason, p.Actor(),
                                   a_.options_.grievance_policy);
        });
  }

  http::Response CloseGrievance(http::Request& req) {
    return GrievanceStep(
        req, Action::kGrievanceRespond, {"note"}, &grievance::CanActAsCitizen,
        [&](storage::Database& db, const grievance::Grievance& g, const Principal& p,
            const json& body) -> Status {
          ASSIGN_OR_RETURN(auto note, http::GetOptional<std::string>(body, "note"));
          return grievance::Close(db, a_.clock_, g.grievance_id, note.value_or(""), p.Actor());
        });
  }

  // POST /api/v1/inbound/sms: an SMS/IVR gateway (a developer client with the client scope
  // grievance.gateway) hands in what a citizen sent; the answer's `reply` is the text to send
  // back. A message that cannot be filed is still answered 200, with a reply saying how to
  // write it; 201 when filed.
  http::Response InboundMessage(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"from", "text", "channel"}));
      ASSIGN_OR_RETURN(std::string from, http::GetRequired<std::string>(body, "from"));
      ASSIGN_OR_RETURN(std::string text, http::GetRequired<std::string>(body, "text"));
      ASSIGN_OR_RETURN(auto channel_text, http::GetOptional<std::string>(body, "channel"));
      grievance::Channel channel = grievance::Channel::kSms;
      if (channel_text && *channel_text != "sms") {
        if (*channel_text != "ivr") return InvalidArgumentError("channel: sms or ivr");
        channel = grievance::Channel::kIvr;
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kGrievanceInbound,
                                {std::string("inbound:") + (channel_text ? *channel_text : "sms"),
                                 0, ""},
                                "grievance_intake"));
      // Devanagari (U+0900-U+097F: UTF-8 E0 A4/A5) in the message: answer in Hindi.
      const bool hindi = text.find("\xE0\xA4") != std::string::npos ||
                         text.find("\xE0\xA5") != std::string::npos;
      auto refused = [&](const std::string& why) {
        std::string reply = why;
        if (hindi) {
          reply.push_back(' ');
          reply.append(grievance::InboundHelp(notify::Language::kHi));
        }
        return http::Json({{"accepted", false}, {"reply", reply}});
      };
      Result<grievance::GrievanceInput> in = grievance::ParseInbound(channel, from, text);
      if (!in.ok()) {
        if (in.status().code() != StatusCode::kInvalidArgument) return in.status();
        return refused(in.status().message());
      }
      Result<grievance::Filed> filed =
          grievance::File(db, a_.clock_, *in, a_.options_.grievance_policy);
      if (filed.status().code() == StatusCode::kNotFound) {
        return refused("No member is registered with that member ID; please check it and send "
                       "again.");
      }
      if (filed.status().code() == StatusCode::kInvalidArgument) {
        return refused(filed.status().message());
      }
      RETURN_IF_ERROR(filed.status());
      Date due = filed->deadline.LocalDate(a_.clock_.utc_offset_minutes());
      char date[16];
      std::snprintf(date, sizeof date, "%02d-%02d-%04d", due.day(), due.month(), due.year());
      const bool reply_hi = in->language.value_or(notify::Language::kHi) == notify::Language::kHi;
      std::string reply = reply_hi ? "आपकी शिकायत दर्ज हो गई है: " + filed->ticket +
                                         "। उत्तर " + date + " तक मिलेगा।"
                                   : "Your grievance is registered: " + filed->ticket +
                                         ". A reply is due by " + date + ".";
      return http::Json({{"accepted", true},
                         {"ticket", filed->ticket},
                         {"deadline", filed->deadline.ToString()},
                         {"reply", reply}},
                        201);
    });
  }

  // --- console views: returns, enrolment notices, checking a scheme's text (console_views.h) ---

  // GET /api/v1/cycles/{id}/returns: the cycle's bank files with their outcomes, and the
  // rejected and returned payments of beneficiaries in the officer's area.
  http::Response CycleReturns(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "cycle"));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kCycleRead,
                                {"cycle_returns:" + std::to_string(id), 0, ""}, "payments"));
      ASSIGN_OR_RETURN(json out, api::CycleReturns(db, id, p.scope, Language(req)));
      return http::Json(out);
    });
  }

  // GET /api/v1/bank/returns: the rejected and returned payments of the bank's own files.
  http::Response BankReturns(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kBankFileRead, {"bank_returns", 0, ""},
                                "payments"));
      ASSIGN_OR_RETURN(json out, api::BankReturns(db, p.scope));
      return http::Json(out);
    });
  }

  // GET /api/v1/schemes/{id}/notices: proactive enrolment proposals in the officer's area,
  // with their notices, objections and enrolments (?status=).
  http::Response SchemeNotices(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& scheme = req.path_params["id"];
      if (scheme.empty() || scheme.size() > 64) {
        return InvalidArgumentError("the scheme id is 1 to 64 characters");
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kEnrolmentRead, {"notices:" + scheme, 0, ""},
                                "enrolment"));
      std::string status;
      if (auto it = req.query_params.find("status"); it != req.query_params.end()) {
        status = it->second;
      }
      ASSIGN_OR_RETURN(json out, api::SchemeNotices(db, scheme, p.scope, status));
      return http::Json(out);
    });
  }

  // GET /api/v1/schemes/{id}/source[?version=N]: a version's YAML, to start editing from.
  http::Response SchemeSource(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& scheme = req.path_params["id"];
      if (scheme.empty() || scheme.size() > 64) {
        return InvalidArgumentError("the scheme id is 1 to 64 characters");
      }
      int64_t version = 0;
      if (auto it = req.query_params.find("version"); it != req.query_params.end()) {
        const std::string& v = it->second;
        if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
          return InvalidArgumentError("version must be a whole number");
        }
        version = std::stoll(v);
      }
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kSchemeSimulate,
                                {"scheme_source:" + scheme, 0, ""}, "policy_design"));
      ASSIGN_OR_RETURN(json out, api::SchemeSource(db, scheme, version));
      return http::Json(out);
    });
  }

  // POST /api/v1/schemes/check {scheme: YAML}: parses and type-checks the text, saving nothing;
  // 200 with {ok, diagnostics: [{line, column, message}]} whether or not it has errors.
  http::Response CheckScheme(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"scheme"}));
      ASSIGN_OR_RETURN(std::string yaml, http::GetRequired<std::string>(body, "scheme"));
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kSchemeSimulate, {"scheme_check", 0, ""},
                                "policy_design"));
      return http::Json(api::CheckSchemeText(yaml));
    });
  }

  // --- officers' console: applications waiting for review, saving a scheme's next version ---

  // GET /api/v1/applications?scheme=&status=pending: applications in the officer's area.
  http::Response ListApplications(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      std::string scheme;
      std::string status = "pending";
      if (auto it = req.query_params.find("scheme"); it != req.query_params.end()) {
        scheme = it->second;
      }
      if (auto it = req.query_params.find("status"); it != req.query_params.end()) {
        status = it->second;
      }
      if (scheme.size() > 64) return InvalidArgumentError("the scheme id is 1 to 64 characters");
      std::string object = "applications:";
      object.append(scheme.empty() ? "*" : scheme);
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kEnrolmentRead, {object, 0, ""}, "enrolment"));
      ASSIGN_OR_RETURN(json out, api::AreaApplications(db, scheme, p.scope, status));
      return http::Json(out);
    });
  }

  // POST /api/v1/applications/{id}/decide {decision: enrol|reject, note}: an officer of the
  // household's area decides an application waiting for review; never its submitter.
  http::Response DecideApplication(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "application"));
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"decision", "note"}));
      ASSIGN_OR_RETURN(std::string decision, http::GetRequired<std::string>(body, "decision"));
      ASSIGN_OR_RETURN(auto note, http::GetOptional<std::string>(body, "note"));
      if (decision != "enrol" && decision != "reject") {
        return InvalidArgumentError("decision must be enrol or reject");
      }
      if (note && note->size() > 500) return InvalidArgumentError("note is at most 500 characters");
      ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT h.household_idx, h.village_code FROM "
                                             "enrolment_applications a JOIN households h ON "
                                             "h.household_idx = a.household_idx WHERE "
                                             "a.application_id = ?",
                                             {id}));
      std::string object = "application:";
      object.append(std::to_string(id));
      if (!row) {
        (void)Authorize(db, req, p, Action::kEnrolmentDecide, {object, 0, ""}, "enrolment");
        return NotFoundError("no application you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(Authorize(db, req, p, Action::kEnrolmentDecide,
                                                 {object, row->Int(0), row->Text(1)},
                                                 "enrolment"),
                                       "application"));
      ASSIGN_OR_RETURN(programs::Application a,
                       programs::DecideApplication(db, a_.clock_, id, p.Actor(),
                                                   decision == "enrol", note.value_or("")));
      return http::Json({{"application_id", a.application_id},
                         {"scheme_id", a.scheme_id},
                         {"status", a.status},
                         {"decided_by", a.decided_by},
                         {"decided_at", a.decided_at ? json(a.decided_at->ToString()) : json()},
                         {"decision_note", a.decision_note},
                         {"enrolment_id", a.enrolment_id ? json(*a.enrolment_id) : json()}});
    });
  }

  // POST /api/v1/schemes/{id}/versions {scheme: YAML, confirm_active?}: the text, checked as
  // /schemes/check does, becomes the scheme's next version (programs::SchemeStore::Add). The
  // scheme keeps its status, so a new version of an active scheme is in force at once: the
  // caller must say so (confirm_active), or nothing is saved.
  http::Response SaveSchemeVersion(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& scheme = req.path_params["id"];
      if (scheme.empty() || scheme.size() > 64) {
        return InvalidArgumentError("the scheme id is 1 to 64 characters");
      }
      ASSIGN_OR_RETURN(json body, http::ParseJsonObject(req.body));
      RETURN_IF_ERROR(http::CheckKnownFields(body, {"scheme", "confirm_active"}));
      ASSIGN_OR_RETURN(std::string yaml, http::GetRequired<std::string>(body, "scheme"));
      ASSIGN_OR_RETURN(auto confirm, http::GetOptional<bool>(body, "confirm_active"));
      std::string object = "scheme:";
      object.append(scheme);
      RETURN_IF_ERROR(Authorize(db, req, p, Action::kSchemeEdit, {object, 0, ""}, "policy_design"));
      json checked = api::CheckSchemeText(yaml);
      if (!checked.value("ok", false)) {
        std::string detail = "the scheme does not check:";
        for (const json& d : checked["diagnostics"]) {
          detail.append(" ");
          if (d["line"].is_number()) {
            detail.append("line ");
            detail.append(std::to_string(d["line"].get<int64_t>()));
            detail.append(", column ");
            detail.append(std::to_string(d["column"].get<int64_t>()));
            detail.append(": ");
          }
          detail.append(d.value("message", ""));
          detail.append(";");
        }
        detail.pop_back();
        return InvalidArgumentError(detail);
      }
      if (checked["scheme"].value("id", "") != scheme) {
        std::string detail = "the text is scheme ";
        detail.append(checked["scheme"].value("id", ""));
        detail.append(", not ");
        detail.append(scheme);
        return InvalidArgumentError(detail);
      }
      ASSIGN_OR_RETURN(auto current, db.QueryOne("SELECT status FROM schemes WHERE scheme_id = ?",
                                                 {scheme}));
      std::string what = "scheme ";
      what.append(scheme);
      if (!current) return NotFoundError("no " + what);
      const std::string status = current->Text(0);
      if (status == "closed") {
        return FailedPreconditionError(what + " is closed; a closed scheme takes no new version");
      }
      if (status == "active" && !confirm.value_or(false)) {
        return FailedPreconditionError(what + " is active: a new version is in force as soon as "
                                       "it is saved (the next eligibility run, applications and "
                                       "payment cycles use it); send confirm_active: true to "
                                       "save it");
      }
      programs::SchemeStore store(db, a_.clock_);
      ASSIGN_OR_RETURN(int version, store.Add(yaml, "scheme", p.Actor()));
      return http::Json({{"scheme_id", scheme},
                         {"version", version},
                         {"status", status},
                         {"in_force", status == "active"},
                         {"created_by", p.Actor()}},
                        201);
    });
  }

 private:
  Api& a_;
};

Status Api::Register(http::Router& router) {
  auto h = std::make_shared<Handlers>(*this);
  auto add = [&](const char* method, const char* pattern,
                 std::function<http::Response(Handlers&, http::Request&)> fn) {
    return router.Add(method, pattern, [h, fn](http::Request& req) { return fn(*h, req); });
  };
  // The same, run on slow_'s threads (api.h): the handlers that can work for a long while.
  auto add_slow = [&](const char* method, const char* pattern,
                      std::function<http::Response(Handlers&, http::Request&)> fn) {
    return router.Add(method, pattern,
                      slow_.Wrap([h, fn](http::Request& req) { return fn(*h, req); }));
  };
  RETURN_IF_ERROR(add_slow("POST", "/api/v1/auth/login", &Handlers::Login));
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/logout", &Handlers::Logout));
  RETURN_IF_ERROR(add_slow("POST", "/oauth2/client/token", &Handlers::ClientToken));
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/otp", &Handlers::RequestOtp));
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/otp/verify", &Handlers::VerifyOtp));
  RETURN_IF_ERROR(add("GET", "/api/v1/me", &Handlers::Me));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/access-log", &Handlers::MyAccessLog));
  RETURN_IF_ERROR(add("GET", "/api/v1/users", &Handlers::ListUsers));
  RETURN_IF_ERROR(add("POST", "/api/v1/users/{username}/status", &Handlers::SetUserStatus));
  RETURN_IF_ERROR(add("GET", "/api/v1/audit/access-summary", &Handlers::AccessSummary));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/consents", &Handlers::MyConsents));
  RETURN_IF_ERROR(add("POST", "/api/v1/me/consents", &Handlers::GrantConsent));
  RETURN_IF_ERROR(add("POST", "/api/v1/me/consents/{id}/revoke", &Handlers::RevokeConsent));
  RETURN_IF_ERROR(add("GET", "/api/v1/households/{family_id}", &Handlers::GetHousehold));
  RETURN_IF_ERROR(add("POST", "/api/v1/households", &Handlers::Enrol));
  RETURN_IF_ERROR(add("GET", "/api/v1/members/{member_id}", &Handlers::GetMember));
  RETURN_IF_ERROR(add("POST", "/api/v1/search", &Handlers::Search));
  RETURN_IF_ERROR(add("POST", "/api/v1/change-requests", &Handlers::SubmitChange));
  RETURN_IF_ERROR(add("GET", "/api/v1/change-requests", &Handlers::ListChanges));
  RETURN_IF_ERROR(add("POST", "/api/v1/change-requests/{id}/verify",
                      [](Handlers& x, http::Request& r) { return x.DecideChange(r, true); }));
  RETURN_IF_ERROR(add("POST", "/api/v1/change-requests/{id}/reject",
                      [](Handlers& x, http::Request& r) { return x.DecideChange(r, false); }));
  RETURN_IF_ERROR(add("GET", "/api/v1/duplicates", &Handlers::ListDuplicates));
  RETURN_IF_ERROR(add("POST", "/api/v1/duplicates/{id}/decide", &Handlers::DecideDuplicate));
  RETURN_IF_ERROR(add("POST", "/api/v1/assisted/consent", &Handlers::RequestConsent));
  RETURN_IF_ERROR(add("POST", "/api/v1/assisted/consent/verify", &Handlers::VerifyConsent));
  RETURN_IF_ERROR(add("GET", "/api/v1/schemes", &Handlers::ListSchemes));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/schemes", &Handlers::MySchemes));
  RETURN_IF_ERROR(add_slow("POST", "/api/v1/schemes/simulate", &Handlers::SimulateScheme));
  RETURN_IF_ERROR(add("GET", "/api/v1/schemes/{id}/explain/{member_id}", &Handlers::ExplainScheme));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/payments", &Handlers::MyPayments));
  RETURN_IF_ERROR(add("POST", "/api/v1/applications", &Handlers::SubmitApplication));
  RETURN_IF_ERROR(add("GET", "/api/v1/cycles", &Handlers::ListCycles));
  RETURN_IF_ERROR(add_slow("POST", "/api/v1/cycles", &Handlers::CreateCycle));
  RETURN_IF_ERROR(add("GET", "/api/v1/cycles/{id}", &Handlers::GetCycle));
  RETURN_IF_ERROR(add_slow("POST", "/api/v1/cycles/{id}/approve", &Handlers::ApproveCycle));
  RETURN_IF_ERROR(add_slow("POST", "/api/v1/cycles/{id}/export", &Handlers::ExportCycle));
  RETURN_IF_ERROR(add("GET", "/api/v1/bank/files", &Handlers::BankFiles));
  RETURN_IF_ERROR(add("GET", "/api/v1/bank/files/{id}", &Handlers::BankFile));
  RETURN_IF_ERROR(add_slow("POST", "/api/v1/bank/status", &Handlers::BankStatus));
  RETURN_IF_ERROR(add("POST", "/api/v1/grievances", &Handlers::FileGrievance));
  RETURN_IF_ERROR(add("GET", "/api/v1/grievances", &Handlers::ListGrievances));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/grievances", &Handlers::MyGrievances));
  RETURN_IF_ERROR(add("GET", "/api/v1/grievances/{ticket}", &Handlers::GetGrievance));
  RETURN_IF_ERROR(
      add("POST", "/api/v1/grievances/{ticket}/interim-reply", &Handlers::InterimReply));
  RETURN_IF_ERROR(add("POST", "/api/v1/grievances/{ticket}/resolve", &Handlers::ResolveGrievance));
  RETURN_IF_ERROR(
      add("POST", "/api/v1/grievances/{ticket}/reassign", &Handlers::ReassignGrievance));
  RETURN_IF_ERROR(add("POST", "/api/v1/grievances/{ticket}/rate", &Handlers::RateGrievance));
  RETURN_IF_ERROR(add("POST", "/api/v1/grievances/{ticket}/appeal", &Handlers::AppealGrievance));
  RETURN_IF_ERROR(add("POST", "/api/v1/grievances/{ticket}/reopen", &Handlers::ReopenGrievance));
  RETURN_IF_ERROR(add("POST", "/api/v1/grievances/{ticket}/close", &Handlers::CloseGrievance));
  RETURN_IF_ERROR(add("POST", "/api/v1/inbound/sms", &Handlers::InboundMessage));
  RETURN_IF_ERROR(add("GET", "/api/v1/cycles/{id}/returns", &Handlers::CycleReturns));
  RETURN_IF_ERROR(add("GET", "/api/v1/bank/returns", &Handlers::BankReturns));
  RETURN_IF_ERROR(add("GET", "/api/v1/schemes/{id}/notices", &Handlers::SchemeNotices));
  RETURN_IF_ERROR(add("POST", "/api/v1/schemes/check", &Handlers::CheckScheme));
  RETURN_IF_ERROR(add("GET", "/api/v1/schemes/{id}/source", &Handlers::SchemeSource));
  RETURN_IF_ERROR(add("POST", "/api/v1/schemes/{id}/versions", &Handlers::SaveSchemeVersion));
  RETURN_IF_ERROR(add("GET", "/api/v1/applications", &Handlers::ListApplications));
  RETURN_IF_ERROR(add("POST", "/api/v1/applications/{id}/decide", &Handlers::DecideApplication));
  RETURN_IF_ERROR(router.Add("GET", "/api/v1/openapi.json",
                             [](http::Request&) { return http::Json(OpenApiDocument()); }));
  if (options_.dev_outbox) {
    RETURN_IF_ERROR(add("GET", "/dev/outbox", &Handlers::DevOutbox));
  }
  return OkStatus();
}

}  // namespace spode::api
