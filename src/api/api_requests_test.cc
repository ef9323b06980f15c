// Bad and hostile requests: every one answered with a 4xx problem document carrying a `code`,
// never a 5xx, never a crash; and no mass assignment (a caller cannot set what only an officer
// or the system may set).
#include <string>
#include <vector>

#include "api/testing/api_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "registry/ids.h"

namespace spode::api {
namespace {

using nlohmann::json;
using testing::ApiFixture;
using testing::Reply;

class BadRequestTest : public ApiFixture {};

struct BadCase {
  std::string name;
  std::string method;
  std::string path;
  std::optional<std::string> body;
  std::string who;  // "", "citizen", or a user name
  int status;       // the expected status
  std::string code; // the expected problem code
};

std::string Nested(int depth) {
  return "{\"username\": " + std::string(depth, '[') + "1" + std::string(depth, ']') +
         ", \"password\": \"x\"}";
}

// The family or member ID with its check digit changed.
std::string WrongCheckDigit(std::string id) {
  id.back() = static_cast<char>('0' + (id.back() - '0' + 1) % 10);
  return id;
}

TEST_P(BadRequestTest, EveryBadRequestIsA4xxProblemWithACodeAndTheServerLivesOn) {
  const std::string fid = A().family_id, mid = A().member_ids[0];
  int64_t hold = PendingHold("SUNEETA DEVEE", "1961-04-12", "990101001");
  int64_t change = PendingChange(mid);
  std::string household = HouseholdJson({Member("Lata Devi", "1980-01-01", "F", "head")},
                                        "990101004")
                              .dump();
  json too_many = json::parse(household);
  for (int i = 0; i < 31; ++i) {
    too_many["members"].push_back(Member("Child " + std::string(1, static_cast<char>('a' + i % 26)),
                                         "2010-01-01", "M", "son"));
  }
  json bad_money = json::parse(household);
  bad_money["attributes"]["income_annual"] = "99,99,99,99,99,99,99,99,99,999.00";
  json huge_int = json::parse(household);
  huge_int["attributes"]["income_annual"] = 18446744073709551615ULL;
  json bad_date = json::parse(household);
  bad_date["members"][0]["dob"] = "1980-02-30";
  json bad_nid = json::parse(household);
  bad_nid["members"][0]["national_id"] = WrongCheckDigit(testing::NationalId(77));
  const std::string I = "INVALID_ARGUMENT";
  const std::string search = "/api/v1/search";
  const std::string officer = "officer.9901", op = "operator.one";

  std::vector<BadCase> cases = {
      // Malformed bodies.
      {"malformed JSON", "POST", "/api/v1/auth/login", "{\"username\": ", "", 400, I},
      {"trailing garbage", "POST", "/api/v1/auth/login",
       "{\"username\": \"a\", \"password\": \"b\"} x", "", 400, I},
      {"empty body", "POST", "/api/v1/auth/login", "", "", 400, I},
      {"no body", "POST", "/api/v1/auth/otp", std::nullopt, "", 400, I},
      {"null body", "POST", "/api/v1/auth/login", "null", "", 400, I},
      {"array body", "POST", "/api/v1/auth/login", "[1, 2]", "", 400, I},
      {"string body", "POST", "/api/v1/auth/otp", "\"" + mid + "\"", "", 400, I},
      {"wrong type", "POST", "/api/v1/auth/login", R"({"username": 5, "password": "x"})", "", 400, I},
      {"null for required", "POST", "/api/v1/auth/login",
       R"({"username": null, "password": "x"})", "", 400, I},
      {"missing field", "POST", "/api/v1/auth/login", R"({"username": "a"})", "", 400, I},
      {"unknown field", "POST", "/api/v1/auth/login",
       R"({"username": "a", "password": "b", "admin": true})", "", 400, I},
      {"duplicate keys", "POST", "/api/v1/auth/otp",
       R"({"member_id": "1", "member_id": ")" + mid + "\"}", "", 202, ""},
      {"deep nesting", "POST", "/api/v1/auth/login", Nested(40), "", 400, I},
      {"deep nesting in a search", "POST", search,
       "{\"name\": " + std::string(33, '[') + std::string(33, ']') + "}", officer, 400, I},
      {"invalid UTF-8", "POST", "/api/v1/auth/login",
       "{\"username\": \"\xff\xfe\", \"password\": \"x\"}", "", 400, I},
      {"overlong UTF-8", "POST", search,
       "{\"name\": \"\xc0\xaf\", \"village\": \"990101001\"}", officer, 400, I},
      {"UTF-16 surrogate in UTF-8", "POST", search,
       "{\"name\": \"\xed\xa0\x80\", \"village\": \"990101001\"}", officer, 400, I},
      {"lone surrogate escape", "POST", search,
       R"({"name": "\ud800", "village": "990101001"})", officer, 400, I},
      {"NUL in a string", "POST", "/api/v1/auth/login",
       R"({"username": "a\u0000b", "password": "xxxxxxxxxxxx"})", "", 401, "UNAUTHENTICATED"},
      {"huge number", "POST", search, R"({"member_id": "1", "page_size": 1e400})", officer, 400, I},
      // Search.
      {"page_size 1000000", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_size": 1000000})", officer, 400, I},
      {"page_size 0", "POST", search, R"({"member_id": ")" + mid + R"(", "page_size": 0})",
       officer, 400, I},
      {"page_size -1", "POST", search, R"({"member_id": ")" + mid + R"(", "page_size": -1})",
       officer, 400, I},
      {"page_size as text", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_size": "20"})", officer, 400, I},
      {"page_size fraction", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_size": 2.5})", officer, 400, I},
      {"page_size 2^64", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_size": 18446744073709551616})", officer, 400, I},
      {"page_token garbage", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_token": "abc"})", officer, 400, I},
      {"page_token negative", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_token": "-5"})", officer, 400, I},
      {"page_token overflow", "POST", search,
       R"({"member_id": ")" + mid + R"(", "page_token": "99999999999999999999999"})", officer,
       400, I},
      {"no criterion", "POST", search, "{}", officer, 400, I},
      {"two criteria", "POST", search,
       R"({"member_id": ")" + mid + R"(", "family_id": ")" + fid + "\"}", officer, 400, I},
      {"name without village", "POST", search, R"({"name": "Sunita Devi"})", officer, 400, I},
      {"name with a short village", "POST", search, R"({"name": "Sunita", "village": "9901"})",
       officer, 400, I},
      {"national ID with a wrong check digit", "POST", search,
       R"({"national_id": ")" + WrongCheckDigit(testing::NationalId(1)) + "\"}", officer, 400, I},
      {"national ID not digits", "POST", search, R"({"national_id": "abcdefghijkl"})", officer,
       400, I},
      // Consent.
      {"negative fee", "POST", "/api/v1/assisted/consent",
       R"({"member_id": ")" + mid + R"(", "purpose": "pension", "fee_paise": -100})", op, 400, I},
      {"fee as text", "POST", "/api/v1/assisted/consent",
       R"({"member_id": ")" + mid + R"(", "purpose": "pension", "fee_paise": "10"})", op, 400, I},
      {"fee fraction", "POST", "/api/v1/assisted/consent",
       R"({"member_id": ")" + mid + R"(", "purpose": "pension", "fee_paise": 1.5})", op, 400, I},
      {"fee beyond int64", "POST", "/api/v1/assisted/consent",
       R"({"member_id": ")" + mid + R"(", "purpose": "pension", "fee_paise": 9223372036854775808})",
       op, 400, I},
      {"consent for an unknown member", "POST", "/api/v1/assisted/consent",
       R"({"member_id": ")" + registry::MemberIdFor(777777) +
           R"(", "purpose": "pension", "fee_paise": 0})",
       op, 404, "NOT_FOUND"},
      // Path IDs.
      {"non-numeric change id", "POST", "/api/v1/change-requests/abc/verify", std::nullopt,
       officer, 400, I},
      {"change id with a suffix", "POST", "/api/v1/change-requests/12x/verify", std::nullopt,
       officer, 400, I},
      {"change id overflow", "POST", "/api/v1/change-requests/99999999999999999999999/verify",
       std::nullopt, officer, 400, I},
      {"change id in exponent form", "POST", "/api/v1/change-requests/1e3/reject",
       R"({"note": "x"})", officer, 400, I},
      {"unknown change id", "POST", "/api/v1/change-requests/987654/verify", std::nullopt, officer,
       404, "NOT_FOUND"},
      {"negative change id", "POST", "/api/v1/change-requests/-1/verify", std::nullopt, officer,
       404, "NOT_FOUND"},
      {"non-numeric hold id", "POST", "/api/v1/duplicates/x/decide",
       R"({"decision": "same_person"})", officer, 400, I},
      {"family ID with a wrong check digit", "GET", "/api/v1/households/" + WrongCheckDigit(fid),
       std::nullopt, officer, 400, I},
      {"family ID not digits", "GET", "/api/v1/households/abcdefghij", std::nullopt, officer, 400,
       I},
      {"family ID too long", "GET", "/api/v1/households/" + fid + "0", std::nullopt, officer, 400,
       I},
      {"member ID with a wrong check digit", "GET", "/api/v1/members/" + WrongCheckDigit(mid),
       std::nullopt, officer, 400, I},
      {"malformed escape in a path", "GET", "/api/v1/members/%ZZ", std::nullopt, officer, 400, I},
      {"encoded slash in a path", "GET", "/api/v1/members/1%2F2", std::nullopt, officer, 400, I},
      // Change requests and decisions.
      {"both member and family", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "family_id": ")" + fid +
           R"(", "changes": {"occupation": "cultivator"}, "reason": "x"})",
       officer, 400, I},
      {"changes not an object", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "changes": [1], "reason": "x"})", officer, 400, I},
      {"changes empty", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "changes": {}, "reason": "x"})", officer, 400, I},
      {"change out of range", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "changes": {"disability_percent": 140}, "reason": "x"})",
       officer, 400, I},
      {"change of an unknown attribute", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "changes": {"shoe_size": 9}, "reason": "x"})", officer,
       400, I},
      {"change without a reason", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "changes": {"occupation": "cultivator"}})", officer, 400,
       I},
      {"dob in the future", "POST", "/api/v1/change-requests",
       R"({"member_id": ")" + mid + R"(", "changes": {"dob": "2030-01-01"}, "reason": "x"})",
       officer, 400, I},
      {"reject without a note", "POST",
       "/api/v1/change-requests/" + std::to_string(change) + "/reject", "{}", officer, 400, I},
      {"reject with an empty note", "POST",
       "/api/v1/change-requests/" + std::to_string(change) + "/reject", R"({"note": ""})",
       officer, 400, I},
      {"unknown decision", "POST", "/api/v1/duplicates/" + std::to_string(hold) + "/decide",
       R"({"decision": "maybe"})", officer, 400, I},
      {"list with an unknown status", "GET", "/api/v1/change-requests?status=bogus",
       std::nullopt, officer, 400, I},
      // Enrolment.
      {"enrol an array", "POST", "/api/v1/households", "[]", op, 400, I},
      {"enrol nothing", "POST", "/api/v1/households", "{}", op, 400, I},
      {"enrol 32 members", "POST", "/api/v1/households", too_many.dump(), op, 400, I},
      {"enrol an absurd amount", "POST", "/api/v1/households", bad_money.dump(), op, 400, I},
      {"enrol 2^64-1 paise", "POST", "/api/v1/households", huge_int.dump(), op, 400, I},
      {"enrol 30 February", "POST", "/api/v1/households", bad_date.dump(), op, 400, I},
      {"enrol a bad national ID", "POST", "/api/v1/households", bad_nid.dump(), op, 400, I},
      // Routing.
      {"unknown route", "GET", "/api/v1/nothing", std::nullopt, officer, 404, "NOT_FOUND"},
      {"wrong method", "DELETE", "/api/v1/households/" + fid, std::nullopt, officer, 405,
       "UNIMPLEMENTED"},
  };
  int n = 0;
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string token = c.who.empty() ? "" : Token(c.who);
    Reply r = Call(c.method, c.path, c.body, token);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r;
    if (!c.code.empty()) {
      EXPECT_EQ(r.code(), c.code) << c.name;
    }
    if (r.status >= 400) {
      EXPECT_EQ(r.Header("content-type"), "application/problem+json") << c.name;
      EXPECT_THAT(r.doc.value("type", ""), ::testing::StartsWith("https://spode.dev/problems/"));
    }
    ++n;
  }
  // Nothing was enrolled, decided or submitted by any of them.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_requests WHERE status <> 'pending'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM duplicate_holds WHERE status <> 'pending'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_requests"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM households WHERE village_code = '990101004'"), 0);
  std::printf("bad requests: %d cases\n", n);

  Reply health = Call("GET", "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.doc["status"], "ok");
}

TEST_P(BadRequestTest, OversizedBodiesAre413AndTheServerLivesOn) {
  std::string token = Token("officer.9901");
  // A body one byte over the limit.
  std::string big = "{\"name\": \"" + std::string(testing::kMaxBodyBytes, 'a') + "\"}";
  Reply r = Call("POST", "/api/v1/search", std::optional<std::string>(big), token);
  EXPECT_EQ(r.status, 413) << r.status;
  EXPECT_EQ(r.code(), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  // A Content-Length announcing 100 MB, with no body behind it.
  Reply announced = Send("POST /api/v1/households HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " +
                         token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                         std::to_string(100 << 20) + "\r\n\r\n");
  EXPECT_EQ(announced.status, 413);
  EXPECT_EQ(announced.code(), "RESOURCE_EXHAUSTED");
  // A chunked body that grows past the limit.
  std::string chunked = "POST /api/v1/search HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " +
                        token + "\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                                "chunked\r\n\r\n";
  std::string chunk(16 << 10, 'a');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  for (int i = 0; i < 20; ++i) chunked += size + chunk + "\r\n";
  chunked += "0\r\n\r\n";
  Reply grown = Send(chunked);
  EXPECT_EQ(grown.status, 413);
  // A malformed request line and header.
  EXPECT_EQ(Send("GARBAGE\r\n\r\n").status, 400);
  EXPECT_EQ(Send("GET /healthz HTTP/1.1\r\nHost test\r\n\r\n").status, 400);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  // The same session still works.
  EXPECT_EQ(Call("GET", "/api/v1/households/" + A().family_id, std::nullopt, token).status, 200);
}

INSTANTIATE_TEST_SUITE_P(Backends, BadRequestTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

// --- mass assignment ---

class MassAssignmentTest : public ApiFixture {};

TEST_P(MassAssignmentTest, ACitizensChangeRequestCannotCarryOfficerOnlyFields) {
  std::string citizen = CitizenToken(A().member_ids[0]);
  const std::string& mid = A().member_ids[0];
  json base = {{"member_id", mid}, {"changes", {{"occupation", "cultivator"}}}, {"reason", "x"}};
  for (const char* field : {"status", "provenance", "verification", "submitted_by", "channel",
                            "decided_by", "kind", "id", "household_idx", "applied"}) {
    json body = base;
    body[field] = field == std::string("provenance")
                      ? json{{"source", "registry"}, {"verification", "officer_verified"}}
                      : json("applied");
    Reply r = Call("POST", "/api/v1/change-requests", body, citizen);
    EXPECT_EQ(r.status, 400) << field << ": " << r;
    EXPECT_EQ(r.code(), "INVALID_ARGUMENT") << field;
    EXPECT_THAT(r.doc.value("detail", ""), ::testing::HasSubstr(field));
  }
  // Nor can the changes themselves reach the record's bookkeeping or its national ID.
  for (const json& changes :
       {json{{"status", "active"}}, json{{"verification", "officer_verified"}},
        json{{"provenance", {{"verification", "officer_verified"}}}},
        json{{"relationship", "head"}}, json{{"national_id", testing::NationalId(9)}},
        json{{"member_id", A().member_ids[1]}}, json{{"version", 7}}}) {
    json body = base;
    body["changes"] = changes;
    Reply r = Call("POST", "/api/v1/change-requests", body, citizen);
    EXPECT_EQ(r.status, 400) << changes << ": " << r;
    EXPECT_EQ(r.code(), "INVALID_ARGUMENT") << changes;
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_requests"), 0);

  // A proper request is recorded as the citizen's own, pending.
  Reply ok = Call("POST", "/api/v1/change-requests", base, citizen);
  ASSERT_EQ(ok.status, 201) << ok;
  EXPECT_EQ(ok.doc["status"], "pending");
  int64_t id = ok.doc["id"];
  auto row = db().QueryOne("SELECT channel, submitted_by, status FROM change_requests WHERE cr_id = ?",
                           {id});
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->Text(0), "self");
  EXPECT_EQ((*row)->Text(1), "citizen:" + mid);
  EXPECT_EQ((*row)->Text(2), "pending");

  // The citizen cannot verify or reject it (answered as for an unknown request).
  Reply verify = Call("POST", "/api/v1/change-requests/" + std::to_string(id) + "/verify",
                      std::nullopt, citizen);
  EXPECT_EQ(verify.status, 404) << verify;
  EXPECT_EQ(verify.code(), "NOT_FOUND");
  Reply reject = Call("POST", "/api/v1/change-requests/" + std::to_string(id) + "/reject",
                      json{{"note", "never mind"}}, citizen);
  EXPECT_EQ(reject.status, 404) << reject;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM change_requests WHERE status = 'pending'"), 1);
}

TEST_P(MassAssignmentTest, TheSubmitterCannotVerifyTheirOwnChangeAnotherOfficerCan) {
  std::string maker = Token("officer.9901"), checker = Token("officer.9901.two");
  Reply submitted = Call("POST", "/api/v1/change-requests",
                         json{{"member_id", A().member_ids[0]},
                              {"changes", {{"disability_percent", 40}}},
                              {"reason", "certificate"}},
                         maker);
  ASSERT_EQ(submitted.status, 201) << submitted;
  std::string id = std::to_string(submitted.doc["id"].get<int64_t>());
  Reply self = Call("POST", "/api/v1/change-requests/" + id + "/verify", std::nullopt, maker);
  EXPECT_EQ(self.status, 403) << self;
  EXPECT_EQ(self.code(), "PERMISSION_DENIED");
  Reply self_reject =
      Call("POST", "/api/v1/change-requests/" + id + "/reject", json{{"note", "no"}}, maker);
  EXPECT_EQ(self_reject.status, 403) << self_reject;
  Reply other = Call("POST", "/api/v1/change-requests/" + id + "/verify", std::nullopt, checker);
  EXPECT_EQ(other.status, 200) << other;
  EXPECT_EQ(other.doc["status"], "applied");
}

TEST_P(MassAssignmentTest, AnEnrolmentCannotSetProvenanceStatusOrVerification) {
  std::string op = Token("operator.one");
  json base = HouseholdJson({Member("Lata Devi", "1980-01-01", "F", "head")}, "990101004");
  std::vector<std::pair<std::string, json>> cases = {
      {"provenance", {{"source", "registry"}, {"verification", "registry_verified"}}},
      {"status", "active"},
      {"verification", "officer_verified"},
      {"version", 9},
      {"household_idx", 1},
  };
  for (auto& [field, value] : cases) {
    json body = base;
    body[field] = value;
    Reply r = Call("POST", "/api/v1/households", body, op);
    EXPECT_EQ(r.status, 400) << field << ": " << r;
    EXPECT_EQ(r.code(), "INVALID_ARGUMENT") << field;
  }
  for (auto& [field, value] : std::vector<std::pair<std::string, json>>{
           {"provenance", {{"verification", "officer_verified"}}},
           {"status", "active"},
           {"verification", "officer_verified"},
           {"attribute_provenance", json::object()},
           {"version", 3}}) {
    json body = base;
    body["members"][0][field] = value;
    Reply r = Call("POST", "/api/v1/households", body, op);
    EXPECT_EQ(r.status, 400) << "members[0]." << field << ": " << r;
    EXPECT_EQ(r.code(), "INVALID_ARGUMENT");
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM households WHERE village_code = '990101004'"), 0);

  // The provenance is taken from the session: an operator's enrolment is operator_checked.
  Reply ok = Call("POST", "/api/v1/households", base, op);
  ASSERT_EQ(ok.status, 201) << ok;
  Reply view = Call("GET", "/api/v1/households/" + ok.doc["family_id"].get<std::string>(),
                    std::nullopt, Token("officer.9901"));
  ASSERT_EQ(view.status, 200) << view;
  EXPECT_EQ(view.doc["provenance"]["source"], "api");
  EXPECT_EQ(view.doc["provenance"]["verification"], "operator_checked");
  EXPECT_EQ(view.doc["provenance"]["channel"], "operator");
  // A citizen cannot enrol at all.
  std::string citizen = CitizenToken(A().member_ids[0]);
  json another = HouseholdJson({Member("Leela Devi", "1981-01-01", "F", "head")}, "990101004");
  Reply by_citizen = Call("POST", "/api/v1/households", another, citizen);
  EXPECT_EQ(by_citizen.status, 403) << by_citizen;
  EXPECT_EQ(by_citizen.code(), "PERMISSION_DENIED");
}

INSTANTIATE_TEST_SUITE_P(Backends, MassAssignmentTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
