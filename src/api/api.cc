#include "api/api.h"

#include <spdlog/spdlog.h>

#include <set>
#include <sstream>

#include "access/identities.h"
#include "common/money.h"
#include "http/json.h"
#include "http/problem.h"
#include "notify/outbox.h"
#include "payments/disbursement.h"
#include "programs/cycles.h"
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
const std::set<std::string>& AllowedFields(Role role, bool member) {
  static const std::set<std::string> kHouseholdFull = {
      "family_id", "status", "version", "address", "attributes", "members", "provenance", "you"};
  static const std::set<std::string> kMemberFull = {
      "member_id",  "family_id",  "name",           "name_local",           "dob",
      "sex",        "relationship", "status",       "version",              "national_id",
      "phone",      "attributes", "provenance",     "attribute_provenance", "bank_account"};
  // Operators act for the citizen in front of them, but do not see bank details, phone
  // numbers or the provenance trail.
  static const std::set<std::string> kMemberOperator = {
      "member_id", "family_id", "name",   "name_local", "dob",        "sex",
      "relationship", "status", "version", "national_id", "attributes"};
  static const std::set<std::string> kNone = {};
  switch (role) {
    case Role::kCitizen:
    case Role::kOfficer:
      return member ? kMemberFull : kHouseholdFull;
    case Role::kOperator:
      return member ? kMemberOperator : kHouseholdFull;
    default:
      return kNone;
  }
}

void KeepOnly(json& object, const std::set<std::string>& allowed) {
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
    return access::Identities(db, a_.clock_).ResolveSession(token);
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
      access::Identities ids(db, a_.clock_);
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
      RETURN_IF_ERROR(a_.log_.Flush());
      // The entries just flushed were written by the log's own connection after this request's
      // read snapshot began: take a fresh snapshot to see them.
      RETURN_IF_ERROR(db.Commit());
      RETURN_IF_ERROR(db.BeginRead());
      ASSIGN_OR_RETURN(auto rows, db.Query("SELECT at_us, actor, role, action, purpose, decision "
                                           "FROM access_log WHERE household_idx = ? ORDER BY "
                                           "log_id DESC LIMIT 100",
                                           {p.household_idx}));
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

  // --- registry ---
  http::Response GetHousehold(http::Request& req) {
    return Run(req, [&](storage::Database& db) -> Result<http::Response> {
      ASSIGN_OR_RETURN(Principal p, Authenticate(db, req));
      const std::string& family_id = req.path_params["family_id"];
      if (!registry::ValidFamilyId(family_id)) {
        return InvalidArgumentError("family_id must be 10 digits with a valid check digit");
      }
      ASSIGN_OR_RETURN(std::string purpose, Purpose(req));
      ASSIGN_OR_RETURN(auto ref, FindHousehold(db, family_id));
      access::Resource r{family_id, ref ? ref->household_idx : 0, ref ? ref->village_code : ""};
      if (!ref) {
        // Record the attempt, then answer as for a denial.
        (void)Authorize(db, req, p, Action::kHouseholdRead, r, purpose);
        return NotFoundError("no household you may see has that ID");
      }
      RETURN_IF_ERROR(NotFoundOrDenied(
          Authorize(db, req, p, Action::kHouseholdRead, r, purpose), "household"));
      registry::Registry reg(db, a_.key_, a_.clock_);
      ASSIGN_OR_RETURN(json view, reg.GetHousehold(family_id));
      Filter(view, p.role);
      return http::Json(view);
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

  // "state" (2-digit scope), "district" (4) or "block" (6): an officer's level.
  static std::string LevelOf(const Principal& p) {
    switch (p.scope.size()) {
      case 2: return "state";
      case 4: return "district";
      case 6: return "block";
      default: return "";
    }
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
                                              {.actor = p.Actor(), .level = LevelOf(p)}));
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

 private:
  Api& a_;
};

Status Api::Register(http::Router& router) {
  auto h = std::make_shared<Handlers>(*this);
  auto add = [&](const char* method, const char* pattern,
                 std::function<http::Response(Handlers&, http::Request&)> fn) {
    return router.Add(method, pattern, [h, fn](http::Request& req) { return fn(*h, req); });
  };
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/login", &Handlers::Login));
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/logout", &Handlers::Logout));
  RETURN_IF_ERROR(add("POST", "/oauth2/client/token", &Handlers::ClientToken));
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/otp", &Handlers::RequestOtp));
  RETURN_IF_ERROR(add("POST", "/api/v1/auth/otp/verify", &Handlers::VerifyOtp));
  RETURN_IF_ERROR(add("GET", "/api/v1/me", &Handlers::Me));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/access-log", &Handlers::MyAccessLog));
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
  RETURN_IF_ERROR(add("POST", "/api/v1/schemes/simulate", &Handlers::SimulateScheme));
  RETURN_IF_ERROR(add("GET", "/api/v1/schemes/{id}/explain/{member_id}", &Handlers::ExplainScheme));
  RETURN_IF_ERROR(add("GET", "/api/v1/me/payments", &Handlers::MyPayments));
  RETURN_IF_ERROR(add("GET", "/api/v1/cycles", &Handlers::ListCycles));
  RETURN_IF_ERROR(add("POST", "/api/v1/cycles", &Handlers::CreateCycle));
  RETURN_IF_ERROR(add("GET", "/api/v1/cycles/{id}", &Handlers::GetCycle));
  RETURN_IF_ERROR(add("POST", "/api/v1/cycles/{id}/approve", &Handlers::ApproveCycle));
  RETURN_IF_ERROR(add("POST", "/api/v1/cycles/{id}/export", &Handlers::ExportCycle));
  RETURN_IF_ERROR(add("GET", "/api/v1/bank/files", &Handlers::BankFiles));
  RETURN_IF_ERROR(add("GET", "/api/v1/bank/files/{id}", &Handlers::BankFile));
  RETURN_IF_ERROR(add("POST", "/api/v1/bank/status", &Handlers::BankStatus));
  RETURN_IF_ERROR(router.Add("GET", "/api/v1/openapi.json",
                             [](http::Request&) { return http::Json(OpenApiDocument()); }));
  if (options_.dev_outbox) {
    RETURN_IF_ERROR(add("GET", "/dev/outbox", &Handlers::DevOutbox));
  }
  return OkStatus();
}

}  // namespace spode::api
