// The OpenAPI 3.0 document for /api/v1, built from one table of routes (the test in
// api_test.cc checks it against the router in both directions).
#include <nlohmann/json.hpp>

#include "api/api.h"

namespace spode::api {
namespace {

using nlohmann::json;

struct RouteDoc {
  const char* method;
  const char* path;
  const char* action;  // the access gate's action, or "" for routes the gate does not decide
  const char* summary;
  json request;        // a JSON schema, or null
  const char* success; // the success status
};

json Obj(std::initializer_list<std::pair<const char*, json>> props,
         std::initializer_list<const char*> required = {}) {
  json o = {{"type", "object"}, {"additionalProperties", false}, {"properties", json::object()}};
  for (auto& [k, v] : props) o["properties"][k] = v;
  if (required.size() > 0) o["required"] = json(std::vector<std::string>(required.begin(), required.end()));
  return o;
}

const json kString = {{"type", "string"}};
const json kInt = {{"type", "integer"}};

std::vector<RouteDoc> Routes() {
  return {
      {"POST", "/api/v1/auth/login", "", "Staff sign-in with user name and password; sets the "
       "session cookie and returns the token for use as a bearer token",
       Obj({{"username", kString}, {"password", kString}}, {"username", "password"}), "200"},
      {"POST", "/oauth2/client/token", "", "OAuth2 client credentials (RFC 6749 4.4, DCI authz): "
       "a machine client's id and secret, form-encoded or JSON, for a bearer access_token",
       Obj({{"grant_type", kString}, {"client_id", kString}, {"client_secret", kString},
            {"scope", kString}},
           {"grant_type", "client_id", "client_secret"}),
       "200"},
      {"POST", "/api/v1/auth/logout", "", "Ends the session (the token stops working at once)",
       nullptr, "200"},
      {"POST", "/api/v1/auth/otp", "", "Sends a citizen a one-time sign-in code by SMS (the same "
       "answer whether or not the member exists)",
       Obj({{"member_id", kString}}, {"member_id"}), "202"},
      {"POST", "/api/v1/auth/otp/verify", "", "Citizen sign-in with the one-time code",
       Obj({{"member_id", kString}, {"code", kString}}, {"member_id", "code"}), "200"},
      {"GET", "/api/v1/me", "household.read", "The signed-in citizen's own household", nullptr,
       "200"},
      {"GET", "/api/v1/me/access-log", "access_log.read",
       "Who accessed the citizen's household data, and why", nullptr, "200"},
      {"GET", "/api/v1/users", "user.manage", "Staff accounts and machine clients: role, scope, "
       "duties, client scopes, status (administrators)", nullptr, "200"},
      {"POST", "/api/v1/users/{username}/status", "user.manage", "Disables an account (its "
       "sessions end at once) or enables it again; not one's own",
       Obj({{"status", kString}}, {"status"}), "200"},
      {"GET", "/api/v1/audit/access-summary", "audit.read", "The access log in aggregate "
       "(?days=1-90, default 7): decisions by day, role, action and outcome, and the commonest "
       "reasons for refusals; no person or household (auditors)", nullptr, "200"},
      {"GET", "/api/v1/me/consents", "consent.manage", "The citizen's consents to partner apps "
       "(active, expired and withdrawn)", nullptr, "200"},
      {"POST", "/api/v1/me/consents", "consent.manage", "The citizen lets a partner app (a "
       "developer client registered for the scope) read their household for a purpose, for "
       "`days` days (1-365, default 90)",
       Obj({{"client_id", kString}, {"scope", kString}, {"purpose", kString},
            {"days", kInt}},
           {"client_id", "scope", "purpose"}),
       "201"},
      {"POST", "/api/v1/me/consents/{id}/revoke", "consent.manage", "Withdraws a consent at once",
       nullptr, "200"},
      {"GET", "/api/v1/me/payments", "payments.read", "The signed-in citizen's payments: scheme, "
       "period, amount, masked destination, state, and for a failure the reason and the next "
       "step (?lang=en|hi)", nullptr, "200"},
      {"POST", "/api/v1/applications", "enrolment.apply", "Applies for a scheme for a member "
       "(the citizen, an operator with their consent, an officer of the area): decided by the "
       "rules at once, with the explanation; enrolled, rejected, or pending an officer where the "
       "scheme asks for review",
       Obj({{"scheme_id", kString}, {"member_id", kString}, {"lang", kString}},
           {"scheme_id", "member_id"}),
       "201"},
      {"GET", "/api/v1/cycles", "cycle.read", "Payment cycles (?scheme=ID), with their totals "
       "and approval state", nullptr, "200"},
      {"POST", "/api/v1/cycles", "cycle.prepare", "Creates the cycle of a scheme for a period, "
       "freezing who is paid and how much (200 with the existing cycle when there is one)",
       Obj({{"scheme_id", kString}, {"period", kString}}, {"scheme_id", "period"}), "201"},
      {"GET", "/api/v1/cycles/{id}", "cycle.read", "A cycle: its total, the budget left in its "
       "financial year, and its progress (instructions and amounts by state, bank files)",
       nullptr, "200"},
      {"POST", "/api/v1/cycles/{id}/approve", "cycle.approve", "Approves the next tier (an "
       "officer of that level, not the cycle's maker, within budget); the last tier makes the "
       "payment instructions", nullptr, "200"},
      {"POST", "/api/v1/cycles/{id}/export", "cycle.prepare", "Makes the approved cycle's "
       "payment instructions (if not yet made) and puts every ready one of its scheme into bank "
       "files, one per bank ({format: pain.001|csv})",
       Obj({{"format", kString}}), "200"},
      {"GET", "/api/v1/bank/files", "bank_file.read", "The bank's own payment files", nullptr,
       "200"},
      {"GET", "/api/v1/bank/files/{id}", "bank_file.read", "One of the bank's payment files "
       "(pain.001 XML or the CSV profile)", nullptr, "200"},
      {"GET", "/api/v1/cycles/{id}/returns", "cycle.read", "A cycle's bank files with what "
       "became of their payments (sent, accepted, paid, rejected, returned), and the rejected "
       "and returned payments of beneficiaries in the officer's area, newest first: member, "
       "amount, file, bank, the bank's reason code, the reason and next step (?lang=en|hi), who "
       "must act, the masked destination and the state now", nullptr, "200"},
      {"GET", "/api/v1/bank/returns", "bank_file.read", "The rejected and returned payments of "
       "the bank's own files, newest first: instruction, file, scheme, period, amount, attempt, "
       "reason code and reason, masked destination, state now (no member IDs)", nullptr, "200"},
      {"POST", "/api/v1/bank/status", "bank_status.upload", "A status file (pain.002 or the CSV "
       "profile) about the bank's own payments, as the request body; returns what it changed "
       "and, line by line, what it did not", nullptr, "200"},
      {"POST", "/api/v1/grievances", "grievance.file", "Files a grievance, answered 201 with "
       "its ticket number and reply date only once it is durably stored. A citizen files their "
       "own (portal); an operator for a citizen who gave one-time-code consent (the centre, "
       "fee_paise and consent are recorded; consent_id defaults to the operator's live consent "
       "for the household); an officer for a citizen (member_id, channel helpline|walk_in); a "
       "partner client with the client scope grievance.file. Categories: enrolment, "
       "data_correction, eligibility_decision, payment_not_received, payment_returned, "
       "service_denied, operator_misconduct, data_misuse, other. instruction_id links a payment "
       "of the household (a bank-caused failure also routes to the bank)",
       Obj({{"member_id", kString}, {"category", kString}, {"description", kString},
            {"channel", {{"type", "string"}, {"enum", {"helpline", "walk_in"}}}},
            {"language", {{"type", "string"}, {"enum", {"en", "hi"}}}},
            {"instruction_id", kString}, {"scheme_id", kString}, {"change_request_id", kInt},
            {"consent_id", kInt}, {"fee_paise", kInt}},
           {"category", "description"}),
       "201"},
      {"GET", "/api/v1/schemes/{id}/notices", "enrolment.read", "A scheme's proactive "
       "enrolment proposals in the officer's area, newest first (?status=proposed|noticed|"
       "enrolled|withdrawn), each with its notice (channel, language, date, end of the "
       "objection period), its withdrawal (an objection, by whom, why) and its enrolment; with "
       "counts by status", nullptr, "200"},
      {"GET", "/api/v1/schemes/{id}/source", "scheme.simulate", "A scheme version's YAML as "
       "stored (?version=N; the latest by default), for a scheme administrator to start editing "
       "from", nullptr, "200"},
      {"POST", "/api/v1/schemes/{id}/versions", "scheme.edit", "Saves a scheme's YAML text as "
       "its next version (scheme administrators). Text that does not check is refused (400, "
       "the diagnostics of /schemes/check); the text's id must be the path's. The scheme keeps "
       "its status: for an active scheme the new version is in force at once, so the request "
       "must say confirm_active: true (else 409). 201 {scheme_id, version, status, in_force}",
       Obj({{"scheme", kString}, {"confirm_active", {{"type", "boolean"}}}}, {"scheme"}),
       "201"},
      {"GET", "/api/v1/applications", "enrolment.read", "Applications in the officer's area, "
       "oldest first (?scheme=, ?status=pending|enrolled|rejected, pending by default), each "
       "with the beneficiary, who submitted it, and the rules' decision and explanation",
       nullptr, "200"},
      {"POST", "/api/v1/applications/{id}/decide", "enrolment.decide", "Decides an application "
       "waiting for an officer's review: enrol, or reject with a note the citizen reads. Never "
       "by the officer who submitted it (403); 409 when it is no longer pending",
       Obj({{"decision", {{"type", "string"}, {"enum", {"enrol", "reject"}}}}, {"note", kString}},
           {"decision"}),
       "200"},
      {"POST", "/api/v1/schemes/check", "scheme.simulate", "Parses and type-checks a scheme's "
       "YAML text without saving it: 200 with ok and diagnostics [{line, column, message}] "
       "(every clause's and the amount's errors at once)",
       Obj({{"scheme", kString}}, {"scheme"}), "200"},
      {"GET", "/api/v1/grievances", "grievance.read", "The grievances and re-entry cases the "
       "caller may see (officers: their area; banks: those assigned to them; operators and "
       "partners: those they filed), oldest first (?status=open|resolved|appealed|closed, "
       "?overdue=true, ?kind=grievance|reentry, ?holder=me, page_size, page_token)",
       nullptr, "200"},
      {"GET", "/api/v1/me/grievances", "grievance.read", "The signed-in citizen's household's "
       "grievances and re-entry cases (the same filters)", nullptr, "200"},
      {"GET", "/api/v1/grievances/{ticket}", "grievance.read", "One grievance: state, holder, "
       "deadline, answer, its whole history in plain language (?lang=en|hi; a citizen's own "
       "language by default), and what it is about: the payment and its failures, the scheme's "
       "decisions with their rule versions, the change requests, the re-entry event and the "
       "actions taken. Unknown and not visible answer alike (404)", nullptr, "200"},
      {"POST", "/api/v1/grievances/{ticket}/interim-reply", "grievance.answer", "The holder "
       "(officer or bank) tells the citizen what is being done while the answer is pending",
       Obj({{"reply", kString}}, {"reply"}), "200"},
      {"POST", "/api/v1/grievances/{ticket}/resolve", "grievance.answer", "The holder answers: "
       "upheld (in the citizen's favour) or rejected, with a reason; an upheld data correction "
       "names its change request; an upheld re-entry case sets its action in motion",
       Obj({{"outcome", {{"type", "string"}, {"enum", {"upheld", "rejected"}}}},
            {"reason", kString}, {"change_request_id", kInt}},
           {"outcome", "reason"}),
       "200"},
      {"POST", "/api/v1/grievances/{ticket}/reassign", "grievance.reassign", "A grievance "
       "officer of the holder's area, at its level or above, moves it to a level (block, "
       "district, state: the household's area there) and optionally a bank; the reason is "
       "recorded and the reply date does not move",
       Obj({{"level", {{"type", "string"}, {"enum", {"block", "district", "state"}}}},
            {"bank", kString}, {"reason", kString}},
           {"level", "reason"}),
       "200"},
      {"POST", "/api/v1/grievances/{ticket}/rate", "grievance.respond", "The citizen rates the "
       "answer 1-5 (3 or more on an upheld answer closes it)",
       Obj({{"rating", kInt}}, {"rating"}), "200"},
      {"POST", "/api/v1/grievances/{ticket}/appeal", "grievance.respond", "The citizen appeals a "
       "rejection or a poor rating (once, within 30 days) to the appellate officer; a grievance "
       "under appeal cannot be closed",
       Obj({{"reason", kString}}, {"reason"}), "200"},
      {"POST", "/api/v1/grievances/{ticket}/reopen", "grievance.respond", "The citizen reopens an "
       "answered grievance within 30 days: back to the holder who answered, with a new deadline",
       Obj({{"reason", kString}}, {"reason"}), "200"},
      {"POST", "/api/v1/grievances/{ticket}/close", "grievance.respond", "The citizen closes an "
       "answered grievance (never one under appeal)", Obj({{"note", kString}}), "200"},
      {"POST", "/api/v1/inbound/sms", "grievance.inbound", "An SMS/IVR gateway (a client with the "
       "client scope grievance.gateway) hands in a message `GRV <member ID> <category> <text>`: "
       "201 when filed, 200 when it could not be; `reply` is the text to send back",
       Obj({{"from", kString}, {"text", kString},
            {"channel", {{"type", "string"}, {"enum", {"sms", "ivr"}}}}},
           {"from", "text"}),
       "201"},
      {"GET", "/api/v1/households/{family_id}", "household.read", "A household and its members "
       "(national IDs masked; fields by role)", nullptr, "200"},
      {"POST", "/api/v1/households", "household.enrol", "Enrols a household (the format of "
       "docs/household-format.md, without provenance), with de-duplication: 201 enrolled, 202 "
       "held for an officer, 409 already enrolled",
       {{"type", "object"}}, "201"},
      {"GET", "/api/v1/members/{member_id}", "household.read", "A member", nullptr, "200"},
      {"POST", "/api/v1/search", "registry.search", "Finds members by member ID, family ID, "
       "national ID (hashed on arrival, never echoed) or name within a village; paginated in a "
       "stable order",
       Obj({{"member_id", kString}, {"family_id", kString}, {"national_id", kString},
            {"name", kString}, {"village", kString}, {"page_size", kInt},
            {"page_token", kString}}),
       "200"},
      {"POST", "/api/v1/change-requests", "change.submit", "Asks for a correction of a member's "
       "or household's data; an officer verifies it",
       Obj({{"member_id", kString}, {"family_id", kString}, {"changes", {{"type", "object"}}},
            {"reason", kString}},
           {"changes", "reason"}),
       "201"},
      {"GET", "/api/v1/change-requests", "change.list", "Change requests in the officer's area "
       "(?status=pending|applied|rejected)", nullptr, "200"},
      {"POST", "/api/v1/change-requests/{id}/verify", "change.decide", "Applies a change request "
       "(not by its submitter)", nullptr, "200"},
      {"POST", "/api/v1/change-requests/{id}/reject", "change.decide", "Rejects a change request "
       "with a reason the citizen can read",
       Obj({{"note", kString}}, {"note"}), "200"},
      {"GET", "/api/v1/duplicates", "duplicate.list", "Possible duplicates held in the officer's "
       "area, side by side", nullptr, "200"},
      {"POST", "/api/v1/duplicates/{id}/decide", "duplicate.decide", "Decides a possible "
       "duplicate: same_person or different_people",
       Obj({{"decision", {{"type", "string"}, {"enum", {"same_person", "different_people"}}}}},
           {"decision"}),
       "200"},
      {"POST", "/api/v1/assisted/consent", "consent.request", "An operator asks a citizen for "
       "one-time-code consent to act for their household (purpose and fee are recorded)",
       Obj({{"member_id", kString}, {"purpose", kString}, {"fee_paise", kInt}},
           {"member_id", "purpose", "fee_paise"}),
       "202"},
      {"POST", "/api/v1/assisted/consent/verify", "consent.request", "The operator enters the "
       "citizen's code: an assisted session of 30 minutes for that household",
       Obj({{"member_id", kString}, {"code", kString}, {"purpose", kString},
            {"fee_paise", kInt}},
           {"member_id", "code", "purpose", "fee_paise"}),
       "201"},
      {"GET", "/api/v1/schemes", "", "The active schemes (public): names in English and Hindi, "
       "unit, benefit, frequency", nullptr, "200"},
      {"GET", "/api/v1/me/schemes", "eligibility.explain", "Every active scheme for the signed-in "
       "citizen: eligible or not, each clause explained (?lang=en|hi) with the values read, the "
       "rule version, and for a clause not met the date from which it would be met where time "
       "alone would change it", nullptr, "200"},
      {"POST", "/api/v1/schemes/simulate", "scheme.simulate", "What-if over the whole registry "
       "for scheme administrators: eligible counts, cost, breakdowns by district, sex, social "
       "category and age band; against another version (YAML, or the active one), who gains and "
       "loses and the change in cost",
       Obj({{"scheme", kString}, {"against", kString}, {"against_active", {{"type", "boolean"}}},
            {"date", kString}},
           {"scheme"}),
       "200"},
      {"GET", "/api/v1/schemes/{id}/explain/{member_id}", "eligibility.explain", "One scheme's "
       "decision for a member, clause by clause (?lang=en|hi)", nullptr, "200"},
      {"GET", "/api/v1/openapi.json", "", "This document", nullptr, "200"},
  };
}

json BuildDocument() {
  json problem = {{"type", "object"},
                  {"properties",
                   {{"type", kString},
                    {"title", kString},
                    {"status", kInt},
                    {"detail", kString},
                    {"code", kString},
                    {"request_id", kString}}}};
  json doc = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "spode API"},
        {"version", "1"},
        {"description",
         "The registry and access API of spode. Errors are RFC 9457 problem documents with a "
         "stable `code`. Authenticate with the session cookie or `Authorization: Bearer "
         "<token>`. Each operation's `x-spode-action` is the access gate's action. A 503 "
         "(`UNAVAILABLE`) is temporary and says when to retry in `Retry-After`: the "
         "eligibility operations, applications and a new payment cycle answer it while the "
         "server builds its eligibility snapshot after a start (see /readyz)."}}},
      {"servers", json::array({{{"url", "/"}}})},
      {"components",
       {{"schemas", {{"Problem", problem}}},
        {"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"cookie", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "spode_session"}}}}}}},
      {"paths", json::object()}};
  for (const RouteDoc& r : Routes()) {
    std::string method = r.method;
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    json op = {{"summary", r.summary},
               {"responses",
                {{r.success, {{"description", "success"}}},
                 {"default",
                  {{"description", "a problem document"},
                   {"content",
                    {{"application/problem+json",
                      {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}}}}}};
    if (*r.action != '\0') op["x-spode-action"] = r.action;
    // Signed-in routes: those the gate decides, and logout.
    if (*r.action != '\0' || std::string_view(r.path) == "/api/v1/auth/logout") {
      op["security"] = json::array({{{"bearer", json::array()}}, {{"cookie", json::array()}}});
    }
    if (!r.request.is_null()) {
      op["requestBody"] = {{"required", true},
                           {"content", {{"application/json", {{"schema", r.request}}}}}};
    }
    json params = json::array();
    std::string path = r.path;
    size_t pos = 0;
    while ((pos = path.find('{', pos)) != std::string::npos) {
      size_t end = path.find('}', pos);
      params.push_back({{"name", path.substr(pos + 1, end - pos - 1)},
                        {"in", "path"},
                        {"required", true},
                        {"schema", kString}});
      pos = end;
    }
    if (!params.empty()) op["parameters"] = params;
    doc["paths"][r.path][method] = op;
  }
  return doc;
}

}  // namespace

const json& OpenApiDocument() {
  static const json* doc = new json(BuildDocument());
  return *doc;
}

}  // namespace spode::api
