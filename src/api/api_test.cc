// The access-control matrix and the OpenAPI document, against a real server on SQLite and (when
// SPODE_TEST_PG_URL is set) PostgreSQL.
//
// The matrix takes every route of OpenApiDocument() (so a new route is covered, or the test
// fails until its row is added to kExpected), every role, and every object the route can be
// tried on, and checks each combination against the table written out below:
//   A  household A: the signed-in citizen's own, and the one operator.one has consent for
//      (district 9901, village 990101001)
//   B  household B: another household in the same village (district 9901)
//   C  household C: a household in another district (9902)
//   -  the route has no object: the role's own record, or a public route
// Each household has a grievance the matrix reads (and fresh ones it acts on), routed so that
// every kind of holder appears: A's and C's are held by their districts (9901, 9902: operator
// misconduct), B's by block 990101 and the bank SBIN (a payment the bank failed).
// A denied combination must answer 401 (anonymous on a protected route), 403 or 404, and
// change nothing; for lists and searches, a combination is also "denied" when the answer is
// 2xx but the object is not in it. An allowed one must answer 2xx (and, for lists and searches,
// contain the object).
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <set>

#include "access/client_consents.h"
#include "api/testing/api_fixture.h"
#include "gmock/gmock.h"
#include "grievance/desk.h"
#include "grievance/intake.h"
#include "gtest/gtest.h"
#include "registry/ids.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

constexpr size_t kRoleCount = 13;

struct MatrixRole {
  const char* label;
  const char* user;  // "" anonymous, "citizen" (a member of A), or a user name
};

const std::array<MatrixRole, kRoleCount> kRoles = {{
    {"anonymous", ""},
    {"citizen", "citizen"},
    {"operator_no_consent", "operator.two"},  // centre CSC0002; no consent for anybody
    {"operator_with_consent", "operator.one"},  // centre CSC0001; consent for household A
    {"officer_9901", "officer.9901"},           // district 9901, registrar
    {"officer_9902", "officer.9902"},           // district 9902, registrar
    {"officer_9901_no_duty", "officer.9901.noduty"},
    {"officer_state", "officer.state"},  // state 99, registrar
    {"bank", "bank.sbin"},
    {"provider", "provider.one"},
    {"developer", "developer.one"},
    {"auditor", "auditor.one"},
    {"admin", "admin.one"},
}};

struct RouteExpectation {
  const char* route;    // "METHOD /path", as in the OpenAPI document
  const char* objects;  // what the route is tried on: some of "ABC", or "-"
  bool list;            // allowed = 2xx with the object in the answer
  // In kRoles order: the objects the role may act on ("-": the call without an object succeeds).
  std::array<const char*, kRoleCount> allowed;
};

// The expected-allow table.
//                                anon  citizen opNo   opYes  o9901 o9902 oNoDuty oState bank prov dev  aud  admin
const RouteExpectation kExpected[] = {
    {"POST /api/v1/auth/login", "-", false,
     {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    // A machine client's credentials for a token (public; the body carries the credentials).
    {"POST /oauth2/client/token", "-", false,
     {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    // Logout ends the caller's own session, so it needs one.
    {"POST /api/v1/auth/logout", "-", false,
     {"", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    {"POST /api/v1/auth/otp", "-", false,
     {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    {"POST /api/v1/auth/otp/verify", "-", false,
     {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    {"GET /api/v1/openapi.json", "-", false,
     {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    {"GET /api/v1/me", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/me/access-log", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    // Accounts: administrators only; the access log in aggregate: auditors only.
    {"GET /api/v1/users", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", "-"}},
    {"POST /api/v1/users/{username}/status", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", "-"}},
    {"GET /api/v1/audit/access-summary", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "-", ""}},
    // A citizen's consents to partner apps: their own, nobody else's.
    {"GET /api/v1/me/consents", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/me/consents", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/me/consents/{id}/revoke", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/me/schemes", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/applications", "ABC", false,
     {"", "A", "", "A", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"GET /api/v1/me/payments", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    // Cycles need the scheme_admin or approver duty (no officer here has either).
    {"GET /api/v1/cycles", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/cycles", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/cycles/{id}", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/cycles/{id}/approve", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/cycles/{id}/export", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    // A bank's own files and status files only.
    {"GET /api/v1/bank/files", "-", false,
     {"", "", "", "", "", "", "", "", "-", "", "", "", ""}},
    {"POST /api/v1/bank/status", "-", false,
     {"", "", "", "", "", "", "", "", "-", "", "", "", ""}},
    // A cycle's files and returns: cycle.read, a duty no officer here has.
    {"GET /api/v1/cycles/{id}/returns", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    // A bank's own returns (api_payments_test checks their contents).
    {"GET /api/v1/bank/returns", "-", false,
     {"", "", "", "", "", "", "", "", "-", "", "", "", ""}},
    // No file exists in the matrix's world: nobody succeeds (api_payments_test downloads one).
    {"GET /api/v1/bank/files/{id}", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/schemes", "-", false,
     {"-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-", "-"}},
    // What-if over the whole registry: officers with the scheme_admin duty only (none here).
    {"POST /api/v1/schemes/simulate", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    // Enrolment proposals and notices: officers with the registrar or scheme_admin duty (the
    // rows are their area's; api_payments_test checks them).
    {"GET /api/v1/schemes/{id}/notices", "-", false,
     {"", "", "", "", "-", "-", "", "-", "", "", "", "", ""}},
    // Checking a scheme's text: scheme_admin, as the what-if (none here).
    // Saving a scheme's next version: scheme_admin (scheme.edit; none here).
    {"POST /api/v1/schemes/{id}/versions", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    // Applications waiting for an officer's review: registrar or scheme_admin duty, in area
    // (listing: enrolment.read; deciding: enrolment.decide).
    {"GET /api/v1/applications", "ABC", true,
     {"", "", "", "", "AB", "C", "", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/applications/{id}/decide", "ABC", false,
     {"", "", "", "", "AB", "C", "", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/schemes/check", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/schemes/{id}/source", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/schemes/{id}/explain/{member_id}", "ABC", false,
     {"", "A", "", "A", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"GET /api/v1/households/{family_id}", "ABC", false,
     {"", "A", "", "A", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"GET /api/v1/members/{member_id}", "ABC", false,
     {"", "A", "", "A", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    // Enrolling a new family: A = in district 9901, C = in district 9902.
    {"POST /api/v1/households", "AC", false,
     {"", "", "AC", "AC", "A", "C", "", "AC", "", "", "", "", ""}},
    {"POST /api/v1/search", "ABC", true,
     {"", "", "ABC", "ABC", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/change-requests", "ABC", false,
     {"", "A", "", "A", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"GET /api/v1/change-requests", "ABC", true,
     {"", "", "", "", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/change-requests/{id}/verify", "ABC", false,
     {"", "", "", "", "AB", "C", "", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/change-requests/{id}/reject", "ABC", false,
     {"", "", "", "", "AB", "C", "", "ABC", "", "", "", "", ""}},
    {"GET /api/v1/duplicates", "ABC", true,
     {"", "", "", "", "AB", "C", "AB", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/duplicates/{id}/decide", "ABC", false,
     {"", "", "", "", "AB", "C", "", "ABC", "", "", "", "", ""}},
    {"POST /api/v1/assisted/consent", "ABC", false,
     {"", "", "ABC", "ABC", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/assisted/consent/verify", "ABC", false,
     {"", "", "ABC", "ABC", "", "", "", "", "", "", "", "", ""}},
    // Grievances. Filing: the citizen their own; the operator with consent; grievance officers
    // in area (the duty-less officer not); a developer only with the client scope
    // grievance.file (the matrix's has none; api_grievance_test files as a partner).
    {"POST /api/v1/grievances", "ABC", false,
     {"", "A", "", "A", "AB", "C", "", "ABC", "", "", "", "", ""}},
    // Lists: officers their area, the bank what is assigned to it; the operators' lists hold
    // only what they filed (not the households' grievances); citizens use /me/grievances.
    {"GET /api/v1/grievances", "ABC", true,
     {"", "", "", "", "AB", "C", "", "ABC", "B", "", "", "", ""}},
    {"GET /api/v1/me/grievances", "-", false,
     {"", "-", "", "", "", "", "", "", "", "", "", "", ""}},
    {"GET /api/v1/grievances/{ticket}", "ABC", false,
     {"", "A", "", "", "AB", "C", "", "ABC", "B", "", "", "", ""}},
    // Answers: the holder only (the district officers A and C, the bank B; the state officer
    // holds none).
    {"POST /api/v1/grievances/{ticket}/interim-reply", "ABC", false,
     {"", "", "", "", "A", "C", "", "", "B", "", "", "", ""}},
    {"POST /api/v1/grievances/{ticket}/resolve", "ABC", false,
     {"", "", "", "", "A", "C", "", "", "B", "", "", "", ""}},
    // Reassigning: grievance officers of the holder's area at its level or above.
    {"POST /api/v1/grievances/{ticket}/reassign", "ABC", false,
     {"", "", "", "", "AB", "C", "", "ABC", "", "", "", "", ""}},
    // The citizen's answer to an answer (tried on answered grievances).
    {"POST /api/v1/grievances/{ticket}/rate", "ABC", false,
     {"", "A", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/grievances/{ticket}/appeal", "ABC", false,
     {"", "A", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/grievances/{ticket}/reopen", "ABC", false,
     {"", "A", "", "", "", "", "", "", "", "", "", "", ""}},
    {"POST /api/v1/grievances/{ticket}/close", "ABC", false,
     {"", "A", "", "", "", "", "", "", "", "", "", "", ""}},
    // SMS/IVR gateways only (a client scope nobody here has).
    {"POST /api/v1/inbound/sms", "-", false,
     {"", "", "", "", "", "", "", "", "", "", "", "", ""}},
};

// --- field allowlists ---

const std::set<std::string> kProblemFields = {"type", "title", "status", "detail", "code",
                                              "request_id"};
const std::set<std::string> kAuthFields = {"access_token", "token_type", "expires_in",
                                           "token",   "username", "role",
                                           "scope",   "member_id", "signed_out",
                                           "sent",    "expires_in_seconds", "message"};
const std::set<std::string> kHouseholdViewFields = {
    "family_id", "status",  "version",   "address",      "state",    "district",
    "district_name", "block", "block_name", "village",    "village_name", "attributes",
    "members",   "member_id", "name",    "name_local",   "dob",      "sex",
    "relationship", "national_id", "phone", "provenance", "source",  "as_of",
    "verification", "channel", "attribute_provenance", "bank_account", "ifsc", "account"};

// A scheme's decision for a member, clause by clause (/me/schemes, .../explain/...).
const std::set<std::string> kExplanationFields = {
    "schemes",   "scheme",   "rule_version", "evaluation_date", "eligible", "clauses",
    "id",        "met",      "explanation",  "values",          "problem",  "amount_paise",
    "amount",    "amount_problem", "name",   "unit",            "benefit",  "frequency",
    "met_from",  "member_id"};
// A citizen's payments (/me/payments).
const std::set<std::string> kApplicationFields = {
    "application_id", "scheme", "member_id", "status", "eligible", "explanation", "submitted_at"};
const std::set<std::string> kPaymentFields = {
    "member_id", "payments", "instruction_id", "scheme_id", "period",    "amount_paise",
    "amount",    "status",   "attempt",        "destination", "updated_at", "reason",
    "next_step", "who_acts", "reason_code"};
// What a bank sees: its files, and what its status file changed.
const std::set<std::string> kBankFields = {
    "bank",      "files",      "batch_id",   "message_id",   "scheme_id",  "cycle_id",
    "format",    "transactions", "control_sum_paise", "created_at", "import_id",
    "already_imported", "statuses", "applied", "unchanged", "repeated", "conflicting",
    "unknown",   "contradicting", "stale",   "unreadable",   "paid",       "accepted",
    "rejected",  "returned",   "requeued",   "paid_total_paise", "failed_total_paise",
    "messages",  "returns",    "instruction_id", "period",    "amount_paise", "attempt",
    "outcome",   "reason_code", "reason",    "at",           "destination", "status_now"};
// An officer's enrolment proposals and notices (/schemes/{id}/notices).
const std::set<std::string> kNoticeFields = {
    "scheme_id", "counts",   "proposed",  "noticed",     "enrolled",   "withdrawn",
    "proposals", "proposal_id", "unit",   "member_id",   "name",       "family_id",
    "village",   "amount_paise", "status", "proposed_at", "notice",    "channel",
    "language",  "sent_at",  "objection_until", "withdrawal", "reason_code", "reason",
    "by",        "at",       "enrolment", "enrolment_id", "enrolled_at"};
// A grievance as anyone who may see it receives it (lists, one ticket, the 201 of filing).
const std::set<std::string> kGrievanceFields = {
    "grievances",  "next_page_token", "ticket",      "kind",       "channel",  "category",
    "status",      "description",     "filed_at",    "holder",     "level",    "area_code",
    "bank",        "deadline",        "interim_due", "overdue",    "escalations", "outcome",
    "language",    "filed_by",        "interim_reply_at", "round", "resolution", "reason",
    "by",          "at",              "rating",      "appeals",    "under_appeal", "closed_at",
    "history",     "text",            "acknowledged"};
// What a grievance links to, as the bank receives it: the payment and its failures.
const std::set<std::string> kGrievancePaymentFields = {
    "links",  "payment", "instruction_id", "scheme_id", "period",    "amount_paise",
    "attempt", "failures", "reason_code",  "next_step", "who_acts"};
// The rest of the citizen's and the officers' page: the scheme's decisions, the change
// requests, the re-entry event and case, the assisted filing.
const std::set<std::string> kGrievanceFullFields = {
    "member_id", "event",       "scheme",        "rule_version", "explain",   "decisions",
    "application_id", "eligible", "explanation", "submitted_at", "decided_at", "decision_note",
    "exits",     "effective_after", "change_requests", "id",      "assisted",  "centre",
    "fee_paise", "officer_mode", "case",         "closing_action", "action",  "target",
    "actions",   "result"};

// The public list of schemes.
const std::set<std::string> kSchemeListFields = {
    "schemes", "id",      "version",   "status",       "name",   "en",
    "hi",      "unit",    "benefit",   "frequency",    "budget_paise", "clauses"};

std::set<std::string> Union(std::initializer_list<std::set<std::string>> sets) {
  std::set<std::string> out;
  for (const auto& s : sets) out.insert(s.begin(), s.end());
  return out;
}

// The member names each role may receive from a protected route (problem documents included).
std::set<std::string> AllowedFields(const std::string& role) {
  if (role == "citizen") {
    return Union({kProblemFields, kHouseholdViewFields, kExplanationFields, kPaymentFields,
                  kApplicationFields,
                  kGrievanceFields, kGrievancePaymentFields, kGrievanceFullFields,
                  {"you", "entries", "at", "who", "role", "action", "purpose", "decision", "id"},
                  {"consents", "consent_id", "client_id", "client_name", "scope", "granted_by",
                   "granted_at", "expires_at", "revoked_at", "active", "withdrawn"}});
  }
  if (role.starts_with("operator")) {
    std::set<std::string> view = kHouseholdViewFields;
    // Operators never see bank details, phone numbers or the provenance trail.
    for (const char* f : {"phone", "bank_account", "ifsc", "account", "attribute_provenance"}) {
      view.erase(f);
    }
    // Of a grievance they filed: its state, holder, deadline and history, no links.
    return Union({kProblemFields, view, kExplanationFields, kGrievanceFields, kApplicationFields,
                  {"results", "next_page_token", "member_ids", "reason", "id", "consent_id",
                   "operator", "centre", "purpose", "fee_paise", "sent", "expires_in_seconds"}});
  }
  if (role.starts_with("officer")) {
    return Union({kProblemFields, kHouseholdViewFields, kExplanationFields, kApplicationFields,
                  {"results", "next_page_token", "member_ids", "reason", "id", "change_requests",
                   "kind", "changes", "submitted_by", "submitted_at", "decided_by",
                   "decision_note", "duplicates", "held_member", "existing_member", "held_at",
                   "decision"},
                  kGrievanceFields, kGrievancePaymentFields, kGrievanceFullFields,
                  kNoticeFields,
                  {"applications", "scheme_id", "scheme_version", "family_id", "village",
                   "channel", "decided_at", "enrolment_id"}});
  }
  // A bank: its files, and the grievances assigned to it without the citizen's member ID.
  if (role == "bank") {
    return Union({kProblemFields, kBankFields, kGrievanceFields, kGrievancePaymentFields});
  }
  // An administrator: accounts (no personal data of citizens).
  if (role == "admin") {
    return Union({kProblemFields,
                  {"users", "username", "display_name", "role", "scope", "duties", "status",
                   "client_scopes"}});
  }
  // An auditor: the access log in aggregate, no person, household or object.
  if (role == "auditor") {
    return Union({kProblemFields,
                  {"days", "since", "allowed", "denied", "counts", "date", "role", "action",
                   "decision", "count", "denial_reasons", "reason"}});
  }
  // anonymous, provider, developer: nothing of the registry.
  return kProblemFields;
}

// Member names in `v`; the members of "attributes", "changes" and "values" (a decision's inputs)
// are data (attribute names from the catalogue), as are the keys of "attribute_provenance"
// (whose values are checked).
void CollectFields(const json& v, std::set<std::string>* out, bool keys_are_data = false) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!keys_are_data) out->insert(it.key());
      if (!keys_are_data &&
          (it.key() == "attributes" || it.key() == "changes" || it.key() == "values")) {
        continue;
      }
      CollectFields(it.value(), out, !keys_are_data && it.key() == "attribute_provenance");
    }
  } else if (v.is_array()) {
    for (const json& e : v) CollectFields(e, out);
  }
}

// "m<n>" (out of line: g++ 12's -Wrestrict misfires on the inlined string assignment).
[[gnu::noinline]] std::string RequestId(int n) { return "m" + std::to_string(n); }

struct Cell {
  std::string route;
  std::string role;
  char object;  // 'A', 'B', 'C' or '-'
  bool allowed;
  bool is_protected;
  bool list;
  std::string action;  // the document's x-spode-action
  std::string request_id;
  Reply reply;
  bool succeeded;  // 2xx (and, for lists, the object in the answer)
};

// One run of the matrix on one backend: its cells and the access log's rows by request id.
struct MatrixRun {
  std::vector<Cell> cells;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> log_by_request;
};

class AccessMatrixTest : public ApiFixture {
 protected:
  // The matrix runs once per backend (in whichever of the tests below comes first, against
  // that test's fresh database and server); the others examine the same run.
  const MatrixRun& Matrix() {
    static std::map<std::string, MatrixRun> runs;
    if (auto it = runs.find(GetParam()); it != runs.end()) return it->second;
    RunMatrix();
    MatrixRun run;
    run.cells = std::move(cells_);
    EXPECT_TRUE(log_->Flush().ok());
    auto rows = log_->Read("SELECT request_id, action, decision FROM access_log");
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (const auto& r : *rows) run.log_by_request[r.Text(0)].emplace_back(r.Text(1), r.Text(2));
    }
    return runs[GetParam()] = std::move(run);
  }

  // Runs every combination; fills cells_.
  void RunMatrix() {
    const json& doc = OpenApiDocument();
    std::map<std::string, const RouteExpectation*> expected;
    for (const RouteExpectation& e : kExpected) expected[e.route] = &e;

    // Routes in document order, with those that change the operators' consents last.
    struct Route {
      std::string key, method, path, action;
      bool is_protected;
    };
    std::vector<Route> routes;
    for (auto& [path, ops] : doc["paths"].items()) {
      for (auto& [method, op] : ops.items()) {
        std::string m = method;
        for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        // Protected here means decided by the gate (logout needs a session but no decision).
        routes.push_back({m + " " + path, m, path, op.value("x-spode-action", ""),
                          op.contains("x-spode-action")});
      }
    }
    std::stable_partition(routes.begin(), routes.end(),
                          [](const Route& r) { return r.action != "consent.request"; });
    for (const Route& r : routes) {
      EXPECT_TRUE(expected.count(r.key))
          << r.key << " is in the OpenAPI document but not in kExpected: add its row";
    }

    SetUpPrincipals();
    if (HasFatalFailure()) return;
    int n = 0;
    for (const Route& route : routes) {
      auto it = expected.find(route.key);
      if (it == expected.end()) continue;
      const RouteExpectation& e = *it->second;
      for (size_t ri = 0; ri < kRoleCount; ++ri) {
        for (const char* o = e.objects; *o != '\0'; ++o) {
          Cell cell;
          cell.route = route.key;
          cell.role = kRoles[ri].label;
          cell.object = *o;
          std::string_view allowed = e.allowed[ri];
          cell.allowed = allowed.find(*o) != std::string_view::npos;
          cell.is_protected = route.is_protected;
          cell.list = e.list;
          cell.action = route.action;
          cell.request_id = RequestId(++n);
          Prepare(route.key, *o);
          auto before = Snapshot();
          cell.reply = Perform(route.method, route.path, kRoles[ri], *o, cell.request_id);
          cell.succeeded = cell.reply.ok() && (!e.list || ListContains(route.key, cell));
          if (!cell.allowed && !cell.succeeded && route.method == "POST" &&
              route.key.find("/auth/") == std::string::npos) {
            EXPECT_EQ(Snapshot(), before)
                << cell.role << " " << cell.route << " on " << cell.object
                << ": a denied request changed the registry";
          }
          AfterCell(route.key, cell);
          cells_.push_back(std::move(cell));
        }
      }
    }
  }

  void SetUpPrincipals() {
    for (const MatrixRole& r : kRoles) {
      std::string user = r.user;
      if (user.empty()) {
        tokens_by_role_[r.label] = "";
      } else if (user == "citizen") {
        tokens_by_role_[r.label] = CitizenToken(A().member_ids[0]);
      } else {
        tokens_by_role_[r.label] = Token(user);
      }
      ASSERT_TRUE(user.empty() || tokens_by_role_[r.label].size() == 64) << r.label;
    }
    setup_consent_ = GrantConsent(tokens_by_role_["operator_with_consent"], A().member_ids[0]);
    ASSERT_GT(setup_consent_, 0);
    EnsureUser("login.probe");
    EnsureUser("client.probe");
    // Objects that lists must (or must not) show: one pending change and one pending hold for
    // each of A, B and C, never decided by the matrix.
    for (char o : std::string("ABC")) {
      sentinel_change_[o] = PendingChange(Obj(o).member_ids[0]);
      sentinel_hold_[o] = HoldFor(o);
      sentinel_grievance_[o] = GrievanceFor(o, "");
    }
  }

  // A grievance of household `o`'s first member, filed by them on the portal: A and C about
  // operator misconduct (held by their districts), B about a payment the bank SBIN failed
  // (block 990101 and SBIN). `answer` "upheld" or "rejected" also answers it (by the library,
  // as its holder would). Returns the ticket.
  std::string GrievanceFor(char o, const std::string& answer) {
    grievance::GrievanceInput in{
        .channel = grievance::Channel::kPortal,
        .member_id = Obj(o).member_ids[0],
        .category = o == 'B' ? grievance::Category::kPaymentNotReceived
                             : grievance::Category::kOperatorMisconduct,
        .description = "matrix grievance",
        .filed_by = "citizen:" + Obj(o).member_ids[0]};
    if (o == 'B') in.payment_failure = grievance::PaymentFailure{"bank", "SBIN0001234"};
    auto filed = grievance::File(db(), clock_, in);
    EXPECT_TRUE(filed.ok()) << filed.status();
    if (!filed.ok()) return "";
    if (!answer.empty()) {
      auto resolved = grievance::Resolve(
          db(), clock_, filed->grievance_id,
          {.outcome = answer == "upheld" ? grievance::Outcome::kUpheld
                                         : grievance::Outcome::kRejected,
           .reason = "matrix answer",
           .actor = "user:matrix.holder"});
      EXPECT_TRUE(resolved.ok()) << resolved.status();
    }
    return filed->ticket;
  }

  const testing::Household& Obj(char o) { return o == 'A' ? A() : o == 'B' ? B() : C(); }

  // A pending application of household `o`'s second member for kSchemeId, submitted on the
  // portal by that member (as Apply records one for a scheme with officer_review), so that any
  // officer may decide it. The matrix's own applications are for the first member.
  int64_t PendingApplication(char o) {
    const std::string& member = Obj(o).member_ids[1];
    auto m = db().QueryOne("SELECT member_idx, household_idx FROM members WHERE member_id = ?",
                           {member});
    EXPECT_TRUE(m.ok() && m->has_value());
    if (!m.ok() || !m->has_value()) return 0;
    std::string by = "citizen:";
    by.append(member);
    auto r = db().Execute(
        "INSERT INTO enrolment_applications (scheme_id, scheme_version, unit, beneficiary_idx, "
        "household_idx, channel, submitted_by, submitted_at_us, eligible, explanation, language, "
        "status) VALUES (?, 1, 'person', ?, ?, 'self', ?, ?, 1, '{}', 'en', 'pending')",
        {std::string(testing::kSchemeId), (*m)->Int(0), (*m)->Int(1), by, clock_.Now().micros});
    EXPECT_TRUE(r.ok()) << r.status();
    auto id = db().QueryOne("SELECT MAX(application_id) FROM enrolment_applications");
    EXPECT_TRUE(id.ok() && id->has_value());
    return id.ok() && id->has_value() ? (*id)->Int(0) : 0;
  }

  int64_t HoldFor(char o) {
    if (o == 'A') return PendingHold("SUNEETA DEVEE", "1961-04-12", "990101001");
    if (o == 'B') return PendingHold("GEETAA BAAI", "1970-03-15", "990101001");
    return PendingHold("KAMLAA DEVEE", "1965-07-01", "990201001");
  }

  std::vector<int64_t> Snapshot() {
    return {Count("SELECT COUNT(*) FROM households"),
            Count("SELECT COUNT(*) FROM change_requests"),
            Count("SELECT COUNT(*) FROM change_requests WHERE status <> 'pending'"),
            Count("SELECT COUNT(*) FROM duplicate_holds WHERE status <> 'pending'"),
            Count("SELECT COUNT(*) FROM assisted_consents"),
            Count("SELECT COUNT(*) FROM grievances"),
            Count("SELECT COUNT(*) FROM grievance_events"),
            Count("SELECT COUNT(*) FROM client_consents"),
            Count("SELECT COUNT(*) FROM client_consents WHERE revoked_at_us IS NOT NULL"),
            Count("SELECT COUNT(*) FROM users WHERE status = 'disabled'")};
  }

  // A consent to partner.app given by A's first member, through the library.
  int64_t ConsentOfA() {
    auto row = db().QueryOne("SELECT member_idx, household_idx FROM members WHERE member_id = ?",
                             {A().member_ids[0]});
    EXPECT_TRUE(row.ok() && row->has_value());
    access::Principal citizen;
    citizen.role = access::Role::kCitizen;
    citizen.member_idx = (*row)->Int(0);
    citizen.household_idx = (*row)->Int(1);
    citizen.member_id = A().member_ids[0];
    auto c = access::ClientConsents(db(), clock_)
                 .Grant(citizen, "partner.app", "registry.read", "matrix", 30);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->consent_id : 0;
  }

  std::string EnrolBody(char o) {
    ++enrolled_;
    char dob[32];
    std::snprintf(dob, sizeof dob, "%04d-%02d-%02d", 1950 + (enrolled_ / 300) % 40,
                  1 + (enrolled_ / 25) % 12, 1 + enrolled_ % 25);
    std::string village = o == 'A' ? "990101003" : "990201003";
    return HouseholdJson({Member("Matrix Enrolee", dob, "F", "head")}, village).dump();
  }

  // Objects a cell consumes, made before the cell's "before" snapshot.
  void Prepare(const std::string& key, char o) {
    if (key == "POST /api/v1/users/{username}/status") {
      // Each cell finds the probe account active.
      EnsureUser("status.probe");
      EXPECT_TRUE(
          db().Execute("UPDATE users SET status = 'active' WHERE username = 'status.probe'").ok());
    }
    if (key.starts_with("POST /api/v1/me/consents")) {
      EnsureUser("partner.app");
      // Each revocation withdraws a fresh consent of A's.
      if (key.ends_with("/revoke")) fresh_consent_ = ConsentOfA();
    }
    if (o == '-') return;
    if (key.starts_with("GET /api/v1/applications") ||
        key.starts_with("POST /api/v1/applications/{id}")) {
      if (!pending_application_.count(o)) pending_application_[o] = PendingApplication(o);
    }
    if (key.find("/change-requests/{id}/") != std::string::npos && !fresh_change_.count(o)) {
      fresh_change_[o] = PendingChange(Obj(o).member_ids[0]);
    }
    if (key == "POST /api/v1/duplicates/{id}/decide" && !fresh_hold_.count(o)) {
      fresh_hold_[o] = HoldFor(o);
    }
    // Grievance steps act on a fresh grievance: open ones for the holder's steps, answered
    // ones for the citizen's (rejected for an appeal).
    if (key.starts_with("POST /api/v1/grievances/{ticket}/") && !fresh_grievance_[key].count(o)) {
      std::string answer = key.ends_with("/appeal")                          ? "rejected"
                           : key.ends_with("/rate") || key.ends_with("/reopen") ||
                                   key.ends_with("/close")
                               ? "upheld"
                               : "";
      fresh_grievance_[key][o] = GrievanceFor(o, answer);
    }
  }

  Reply Perform(const std::string& method, const std::string& path, const MatrixRole& role,
                char o, const std::string& rid) {
    std::string token = tokens_by_role_[role.label];
    std::string key = method + " " + path;
    auto post = [&](const std::string& p, const json& body) {
      return Call("POST", p, body, token, rid);
    };
    auto get = [&](const std::string& p) { return Call("GET", p, std::nullopt, token, "", rid); };
    if (key == "POST /api/v1/auth/login") {
      return post("/api/v1/auth/login", {{"username", "login.probe"}, {"password", testing::kPassword}});
    }
    if (key == "POST /oauth2/client/token") {
      return post("/oauth2/client/token", {{"grant_type", "client_credentials"},
                                           {"client_id", "client.probe"},
                                           {"client_secret", testing::kPassword}});
    }
    if (key == "POST /api/v1/auth/logout") {
      // A second session of the same principal, so the matrix keeps its own.
      std::string second;
      if (!token.empty()) {
        access::Identities ids(db(), clock_);
        auto p = ids.ResolveSession(token);
        EXPECT_TRUE(p.ok()) << p.status();
        auto t = ids.CreateSession(*p, "127.0.0.1");
        EXPECT_TRUE(t.ok());
        second = *t;
      }
      return Call("POST", "/api/v1/auth/logout", std::nullopt, second, "", rid);
    }
    if (key == "POST /api/v1/auth/otp") {
      return post("/api/v1/auth/otp", {{"member_id", registry::MemberIdFor(999999)}});
    }
    if (key == "POST /api/v1/auth/otp/verify") {
      const std::string& member = D().member_ids[otp_pool_++ % D().member_ids.size()];
      Reply req = Call("POST", "/api/v1/auth/otp", json{{"member_id", member}});
      EXPECT_EQ(req.status, 202) << req;
      return post("/api/v1/auth/otp/verify", {{"member_id", member}, {"code", LatestCode(member)}});
    }
    if (key == "GET /api/v1/openapi.json") return get("/api/v1/openapi.json");
    if (key == "GET /api/v1/me") return get("/api/v1/me");
    if (key == "GET /api/v1/me/access-log") return get("/api/v1/me/access-log");
    if (key == "GET /api/v1/users") return get("/api/v1/users");
    if (key == "POST /api/v1/users/{username}/status") {
      return post("/api/v1/users/status.probe/status", {{"status", "disabled"}});
    }
    if (key == "GET /api/v1/audit/access-summary") return get("/api/v1/audit/access-summary");
    if (key == "GET /api/v1/me/consents") return get("/api/v1/me/consents");
    if (key == "POST /api/v1/me/consents") {
      return post("/api/v1/me/consents",
                  {{"client_id", "partner.app"}, {"scope", "registry.read"}, {"purpose", "matrix"}});
    }
    if (key == "POST /api/v1/me/consents/{id}/revoke") {
      return post("/api/v1/me/consents/" + std::to_string(fresh_consent_) + "/revoke",
                  json::object());
    }
    if (key == "GET /api/v1/me/schemes") return get("/api/v1/me/schemes");
    if (key == "GET /api/v1/me/payments") return get("/api/v1/me/payments");
    if (key == "POST /api/v1/applications") {
      return post("/api/v1/applications",
                  {{"scheme_id", testing::kSchemeId}, {"member_id", Obj(o).member_ids[0]}});
    }
    if (key == "GET /api/v1/cycles") return get("/api/v1/cycles");
    if (key == "POST /api/v1/cycles") {
      return post("/api/v1/cycles", {{"scheme_id", testing::kSchemeId}, {"period", "2026-11"}});
    }
    if (key == "GET /api/v1/cycles/{id}") return get("/api/v1/cycles/1");
    if (key == "POST /api/v1/cycles/{id}/approve") return post("/api/v1/cycles/1/approve", json::object());
    if (key == "POST /api/v1/cycles/{id}/export") {
      return post("/api/v1/cycles/1/export", json::object());
    }
    if (key == "GET /api/v1/cycles/{id}/returns") return get("/api/v1/cycles/1/returns");
    if (key == "GET /api/v1/bank/returns") return get("/api/v1/bank/returns");
    if (key == "GET /api/v1/schemes/{id}/notices") {
      return get("/api/v1/schemes/" + std::string(testing::kSchemeId) + "/notices");
    }
    if (key == "GET /api/v1/schemes/{id}/source") {
      return get("/api/v1/schemes/" + std::string(testing::kSchemeId) + "/source");
    }
    if (key == "POST /api/v1/schemes/{id}/versions") {
      return post("/api/v1/schemes/" + std::string(testing::kSchemeId) + "/versions",
                  {{"scheme", SchemeYaml()}, {"confirm_active", true}});
    }
    if (key == "GET /api/v1/applications") return get("/api/v1/applications?status=pending");
    if (key == "POST /api/v1/applications/{id}/decide") {
      return post("/api/v1/applications/" + std::to_string(pending_application_[o]) + "/decide",
                  {{"decision", "reject"}, {"note", "matrix"}});
    }
    if (key == "POST /api/v1/schemes/check") {
      return post("/api/v1/schemes/check", {{"scheme", SchemeYaml()}});
    }
    if (key == "GET /api/v1/bank/files") return get("/api/v1/bank/files");
    if (key == "GET /api/v1/bank/files/{id}") return get("/api/v1/bank/files/1");
    if (key == "POST /api/v1/bank/status") {
      return Call("POST", "/api/v1/bank/status",
                  std::optional<std::string>("end_to_end_id,status\n"), token, "", rid);
    }
    if (key == "GET /api/v1/schemes") return get("/api/v1/schemes");
    if (key == "POST /api/v1/schemes/simulate") {
      return post("/api/v1/schemes/simulate", {{"scheme", SchemeYaml()}, {"against_active", true}});
    }
    if (key == "GET /api/v1/schemes/{id}/explain/{member_id}") {
      return get("/api/v1/schemes/" + std::string(testing::kSchemeId) + "/explain/" +
                 Obj(o).member_ids[0]);
    }
    if (key == "GET /api/v1/households/{family_id}") {
      return get("/api/v1/households/" + Obj(o).family_id);
    }
    if (key == "GET /api/v1/members/{member_id}") {
      return get("/api/v1/members/" + Obj(o).member_ids[0]);
    }
    if (key == "POST /api/v1/households") {
      return Call("POST", "/api/v1/households", std::optional<std::string>(EnrolBody(o)), token,
                  "", rid);
    }
    if (key == "POST /api/v1/search") {
      return post("/api/v1/search", {{"member_id", Obj(o).member_ids[0]}});
    }
    if (key == "POST /api/v1/change-requests") {
      return post("/api/v1/change-requests", {{"member_id", Obj(o).member_ids[0]},
                                              {"changes", {{"occupation", "cultivator"}}},
                                              {"reason", "matrix"}});
    }
    if (key == "GET /api/v1/change-requests") return get("/api/v1/change-requests");
    if (key == "POST /api/v1/change-requests/{id}/verify" ||
        key == "POST /api/v1/change-requests/{id}/reject") {
      std::string p = "/api/v1/change-requests/" + std::to_string(fresh_change_[o]) +
                      (key.ends_with("verify") ? "/verify" : "/reject");
      if (key.ends_with("verify")) return Call("POST", p, std::nullopt, token, "", rid);
      return post(p, {{"note", "matrix"}});
    }
    if (key == "GET /api/v1/duplicates") return get("/api/v1/duplicates");
    if (key == "POST /api/v1/duplicates/{id}/decide") {
      return post("/api/v1/duplicates/" + std::to_string(fresh_hold_[o]) + "/decide",
                  {{"decision", "different_people"}});
    }
    if (key == "POST /api/v1/grievances") {
      json body = {{"member_id", Obj(o).member_ids[0]},
                   {"category", "other"},
                   {"description", "matrix"}};
      if (std::string_view(role.label).starts_with("officer")) body["channel"] = "walk_in";
      return post("/api/v1/grievances", body);
    }
    if (key == "GET /api/v1/grievances") return get("/api/v1/grievances");
    if (key == "GET /api/v1/me/grievances") return get("/api/v1/me/grievances");
    if (key == "GET /api/v1/grievances/{ticket}") {
      return get("/api/v1/grievances/" + sentinel_grievance_[o]);
    }
    if (key.starts_with("POST /api/v1/grievances/{ticket}/")) {
      std::string step = key.substr(key.rfind('/') + 1);
      std::string p = "/api/v1/grievances/" + fresh_grievance_[key][o] + "/" + step;
      json body = step == "interim-reply" ? json{{"reply", "matrix: looking into it"}}
                  : step == "resolve"     ? json{{"outcome", "rejected"}, {"reason", "matrix"}}
                  : step == "reassign"    ? json{{"level", "state"}, {"reason", "matrix"}}
                  : step == "rate"        ? json{{"rating", 4}}
                  : step == "close"       ? json{{"note", "matrix"}}
                                          : json{{"reason", "matrix"}};
      return post(p, body);
    }
    if (key == "POST /api/v1/inbound/sms") {
      return post("/api/v1/inbound/sms",
                  {{"from", "9876500011"}, {"text", "GRV " + A().member_ids[0] + " 9 matrix"}});
    }
    const std::string& consent_member = o == 'A' ? A().member_ids[1] : Obj(o).member_ids[0];
    if (key == "POST /api/v1/assisted/consent") {
      return post("/api/v1/assisted/consent",
                  {{"member_id", consent_member}, {"purpose", "matrix"}, {"fee_paise", 0}});
    }
    if (key == "POST /api/v1/assisted/consent/verify") {
      std::string code = "123456";
      if (std::string_view(role.label).starts_with("operator")) {
        Reply req = Call("POST", "/api/v1/assisted/consent",
                         json{{"member_id", consent_member}, {"purpose", "matrix"}, {"fee_paise", 0}},
                         token);
        EXPECT_EQ(req.status, 202) << req;
        code = LatestCode(consent_member);
      }
      return post("/api/v1/assisted/consent/verify", {{"member_id", consent_member},
                                                      {"code", code},
                                                      {"purpose", "matrix"},
                                                      {"fee_paise", 0}});
    }
    ADD_FAILURE() << key << ": the matrix has no request for this route; add one to Perform";
    return Reply{};
  }

  bool ListContains(const std::string& key, const Cell& cell) {
    const json& d = cell.reply.doc;
    auto has = [&](const char* list, const char* field, const json& want) {
      if (!d.is_object() || !d.contains(list)) return false;
      for (const json& e : d[list]) {
        if (e.value(field, json()) == want) return true;
      }
      return false;
    };
    if (key == "POST /api/v1/search") {
      return has("results", "member_id", Obj(cell.object).member_ids[0]);
    }
    if (key == "GET /api/v1/change-requests") {
      return has("change_requests", "id", sentinel_change_[cell.object]);
    }
    if (key == "GET /api/v1/duplicates") {
      return has("duplicates", "id", sentinel_hold_[cell.object]);
    }
    if (key == "GET /api/v1/grievances") {
      return has("grievances", "ticket", sentinel_grievance_[cell.object]);
    }
    if (key == "GET /api/v1/applications") {
      return has("applications", "application_id", pending_application_[cell.object]);
    }
    ADD_FAILURE() << key << " is marked as a list but ListContains does not know it";
    return false;
  }

  // Keeps the next cell's starting state: consumed objects are replaced, consents granted by a
  // cell revoked (the setup consent stays).
  void AfterCell(const std::string& key, const Cell& cell) {
    if (!cell.reply.ok()) return;
    if (key.find("/change-requests/{id}/") != std::string::npos) fresh_change_.erase(cell.object);
    if (key == "POST /api/v1/duplicates/{id}/decide") fresh_hold_.erase(cell.object);
    if (key == "POST /api/v1/applications/{id}/decide") pending_application_.erase(cell.object);
    if (key.starts_with("POST /api/v1/grievances/{ticket}/")) {
      fresh_grievance_[key].erase(cell.object);
    }
    if (key == "POST /api/v1/assisted/consent/verify") {
      auto r = db().Execute("UPDATE assisted_consents SET revoked_at_us = ? WHERE consent_id <> ?",
                            {clock_.Now().micros, setup_consent_});
      EXPECT_TRUE(r.ok()) << r.status();
    }
  }

  std::vector<Cell> cells_;
  std::map<std::string, std::string> tokens_by_role_;
  std::map<char, int64_t> sentinel_change_, sentinel_hold_, fresh_change_, fresh_hold_;
  std::map<char, int64_t> pending_application_;  // waiting for review; replaced once decided
  int64_t fresh_consent_ = 0;  // the consent the next revocation withdraws
  std::map<char, std::string> sentinel_grievance_;
  std::map<std::string, std::map<char, std::string>> fresh_grievance_;  // by route
  int64_t setup_consent_ = 0;
  int enrolled_ = 0;
  size_t otp_pool_ = 0;
};

TEST_P(AccessMatrixTest, EveryRoleOnEveryRouteGetsExactlyWhatTheTableAllows) {
  const std::vector<Cell>& cells = Matrix().cells;
  ASSERT_FALSE(HasFatalFailure());
  int denied = 0, leaks = 0, refused = 0, allowed = 0;
  std::set<std::string> routes;
  for (const Cell& c : cells) {
    routes.insert(c.route);
    std::string where = c.role + " " + c.route + " on " + c.object + " [" + c.request_id + "]";
    if (c.allowed) {
      ++allowed;
      if (!c.succeeded) ++refused;
      EXPECT_TRUE(c.succeeded) << where << " should be allowed: " << c.reply;
      continue;
    }
    if (c.succeeded) {
      ++leaks;
      ADD_FAILURE() << "LEAK: " << where << " should be denied: " << c.reply;
      continue;
    }
    ++denied;
    if (c.reply.ok()) continue;  // a list or search that left the object out
    if (c.role == "anonymous") {
      EXPECT_EQ(c.reply.status, 401) << where << ": " << c.reply;
      EXPECT_EQ(c.reply.code(), "UNAUTHENTICATED") << where;
    } else {
      EXPECT_THAT(c.reply.status, ::testing::AnyOf(403, 404)) << where << ": " << c.reply;
      EXPECT_THAT(c.reply.code(), ::testing::AnyOf("PERMISSION_DENIED", "NOT_FOUND")) << where;
    }
  }
  EXPECT_EQ(routes.size(), std::size(kExpected));
  std::printf("access matrix: %zu combinations (%zu routes x %zu roles x objects), %d allowed "
              "(%d refused), %d denied, %d leaks\n",
              cells.size(), routes.size(), kRoleCount, allowed, refused, denied, leaks);
  EXPECT_EQ(leaks, 0);
  EXPECT_EQ(refused, 0);
  EXPECT_GT(cells.size(), 500u);
}

TEST_P(AccessMatrixTest, EachRoleReceivesOnlyTheFieldsOnItsAllowlist) {
  const std::vector<Cell>& cells = Matrix().cells;
  ASSERT_FALSE(HasFatalFailure());
  int checked = 0;
  for (const Cell& c : cells) {
    if (c.route == "GET /api/v1/openapi.json") continue;
    std::set<std::string> allowed = c.is_protected
                                        ? AllowedFields(c.role)
                                        : Union({kProblemFields, kAuthFields, kSchemeListFields});
    std::set<std::string> fields;
    CollectFields(c.reply.doc, &fields);
    for (const std::string& f : fields) {
      EXPECT_TRUE(allowed.count(f)) << c.role << " received field '" << f << "' from " << c.route
                                    << " on " << c.object << ": " << c.reply;
    }
    ++checked;
  }
  // Spot checks of the allowlists' point: what an operator with consent sees of household A.
  std::string op = Token("operator.one");
  GrantConsent(op, A().member_ids[0]);
  Reply h = Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, op);
  ASSERT_EQ(h.status, 200) << h;
  ASSERT_EQ(h.doc["members"].size(), 3u);
  for (const json& m : h.doc["members"]) {
    EXPECT_FALSE(m.contains("bank_account")) << m;
    EXPECT_FALSE(m.contains("phone")) << m;
    EXPECT_FALSE(m.contains("attribute_provenance")) << m;
  }
  EXPECT_EQ(h.doc["members"][0]["national_id"], "XXXX-XXXX-" + testing::NationalId(1).substr(8));
  // ... and what an officer sees: bank and phone masked, never whole.
  Reply o = Call("GET", "/api/v1/households/" + A().family_id, std::nullopt,
                 Token("officer.9901"));
  ASSERT_EQ(o.status, 200) << o;
  EXPECT_EQ(o.doc["members"][0]["phone"], "XXXXXX0011");
  EXPECT_EQ(o.doc["members"][0]["bank_account"]["account"], "XXXXXXXX0011");
  EXPECT_EQ(o.body.find("9876500011"), std::string::npos);
  std::printf("field allowlists: %d responses checked; %lld responses scanned for national IDs "
              "so far in this run\n",
              checked, static_cast<long long>(testing::ScannedResponses().load()));
}

TEST_P(AccessMatrixTest, EveryGateDecisionIsInTheAccessLogOnceWithItsOutcome) {
  const MatrixRun& run = Matrix();
  ASSERT_FALSE(HasFatalFailure());
  int checked = 0, wrong = 0;
  static const std::vector<std::pair<std::string, std::string>> kNone;
  for (const Cell& c : run.cells) {
    auto it = run.log_by_request.find(c.request_id);
    const auto& got = it == run.log_by_request.end() ? kNone : it->second;
    std::string where = c.role + " " + c.route + " on " + c.object + " -> " +
                        std::to_string(c.reply.status);
    ++checked;
    if (!c.is_protected || c.role == "anonymous") {
      // Public routes and unauthenticated callers never reach the gate.
      if (!got.empty()) {
        ++wrong;
        ADD_FAILURE() << where << ": logged " << got.size() << " decisions, expected none";
      }
      continue;
    }
    std::string want = c.reply.ok() ? "allow" : "deny";
    if (got.size() != 1 || got[0].first != c.action || got[0].second != want) {
      ++wrong;
      std::string seen;
      for (const auto& [a, d] : got) seen += a + "/" + d + " ";
      ADD_FAILURE() << where << ": expected one access_log row " << c.action << "/" << want
                    << ", found [" << seen << "]";
    }
  }
  std::printf("access log: %d requests checked, %d without exactly one matching decision\n",
              checked, wrong);
  EXPECT_EQ(wrong, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessMatrixTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

// The scanners the whole run relies on find what they should, and nothing else.
TEST(LeakScannerTest, FindsNationalIdsButNotTokensPhonesOrMaskedForms) {
  const std::string id = testing::NationalId(1);
  EXPECT_EQ(testing::NationalIdLike("{\"x\": \"" + id + "\"}"), std::vector<std::string>{id});
  EXPECT_EQ(testing::NationalIdLike("purpose=" + id + "&"), std::vector<std::string>{id});
  EXPECT_TRUE(testing::NationalIdLike("ab" + id + "cd").empty());  // inside a hex token
  EXPECT_TRUE(testing::NationalIdLike(id + "5").empty());          // 13 digits
  EXPECT_TRUE(testing::NationalIdLike("XXXX-XXXX-" + id.substr(8)).empty());
  EXPECT_TRUE(testing::NationalIdLike("9876500011 2026-11-29").empty());
  std::string wrong = id;
  wrong.back() = static_cast<char>('0' + (wrong.back() - '0' + 1) % 10);
  EXPECT_TRUE(testing::NationalIdLike(wrong).empty());  // not Verhoeff-valid
  testing::RememberNationalId(id);
  EXPECT_EQ(testing::FindNationalIds("x" + id + "y"), std::vector<std::string>{id});
  std::vector<std::string> unmasked;
  testing::FindUnmaskedNationalIdFields(
      json{{"members", {{{"national_id", "XXXX-XXXX-1234"}}, {{"national_id", nullptr}}}}},
      &unmasked);
  EXPECT_TRUE(unmasked.empty());
  testing::FindUnmaskedNationalIdFields(json{{"a", {{"national_id", "1234"}}}}, &unmasked);
  EXPECT_EQ(unmasked.size(), 1u);
}

// Prints, at the end of the run, how many responses Call scanned for national IDs (every
// response of every test in this binary).
class NationalIdScanReport : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf("national-ID scan: %lld responses of the whole run scanned, %lld holding a "
                "national ID\n",
                static_cast<long long>(testing::ScannedResponses().load()),
                static_cast<long long>(testing::ResponsesWithNationalIds().load()));
  }
};
[[maybe_unused]] ::testing::Environment* const kScanReport =
    ::testing::AddGlobalTestEnvironment(new NationalIdScanReport);

// --- the OpenAPI document against the router, both directions ---

TEST(OpenApiTest, EveryServedRouteIsDocumentedAndEveryDocumentedRouteIsServed) {
  storage::Connections connections(":memory:");
  access::AccessLog log(nullptr);
  SystemTimeSource clock;
  crypto::MasterKey key = crypto::MasterKey::FromBytes(std::string(32, 'k'));
  Api api(connections, key, clock, log, {.dev_outbox = true});
  http::Router router;
  ASSERT_TRUE(api.Register(router).ok());

  const json& doc = OpenApiDocument();
  // Served: everything under /api/v1, and any other path the document describes (such as the
  // OAuth2 token endpoint); /healthz-style and /dev routes are outside the API.
  std::set<std::pair<std::string, std::string>> served, documented;
  for (const auto& r : router.routes()) {
    if (r.pattern.starts_with("/api/v1/") || doc["paths"].contains(r.pattern)) {
      served.insert({r.method, r.pattern});
    }
  }
  for (auto& [path, ops] : doc["paths"].items()) {
    for (auto& [method, op] : ops.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert({m, path});
      // Every operation: a summary, a success response, problems for errors, its path
      // parameters, and for protected ones the gate's action and the security schemes.
      EXPECT_TRUE(op.contains("summary")) << m << " " << path;
      EXPECT_TRUE(op["responses"].contains("default")) << m << " " << path;
      size_t braces = static_cast<size_t>(std::count(path.begin(), path.end(), '{'));
      EXPECT_EQ(op.contains("parameters") ? op["parameters"].size() : 0u, braces) << path;
      // Signed-in routes: those the gate decides, and logout (which ends a session).
      EXPECT_EQ(op.contains("x-spode-action") || path == "/api/v1/auth/logout",
                op.contains("security"))
          << m << " " << path;
    }
  }
  for (const auto& r : served) {
    EXPECT_TRUE(documented.count(r)) << r.first << " " << r.second << " is served but not documented";
  }
  for (const auto& d : documented) {
    EXPECT_TRUE(served.count(d)) << d.first << " " << d.second << " is documented but not served";
  }
  EXPECT_EQ(served, documented);
  EXPECT_GE(served.size(), 19u);
  // /dev/outbox is for the demo and tests only: never under /api/v1, never without the option.
  http::Router plain;
  Api quiet(connections, key, clock, log);
  ASSERT_TRUE(quiet.Register(plain).ok());
  for (const auto& r : plain.routes()) EXPECT_NE(r.pattern, "/dev/outbox");
}

// The document names the gate's actions: each must be one the gate knows.
TEST(OpenApiTest, EveryDocumentedActionIsAnActionOfTheGate) {
  std::set<std::string> gate_actions;
  for (int a = 0; a < 100; ++a) {
    std::string_view name = access::ActionName(static_cast<access::Action>(a));
    if (name == "unknown") break;
    gate_actions.insert(std::string(name));
  }
  EXPECT_GE(gate_actions.size(), 11u);
  for (auto& [path, ops] : OpenApiDocument()["paths"].items()) {
    for (auto& [method, op] : ops.items()) {
      if (!op.contains("x-spode-action")) continue;
      EXPECT_TRUE(gate_actions.count(op["x-spode-action"].get<std::string>()))
          << method << " " << path << ": " << op["x-spode-action"];
    }
  }
}

}  // namespace
}  // namespace spode::api
