// Test helper for the API's tests: a fresh database per test (SQLite, and PostgreSQL when
// SPODE_TEST_PG_URL is set), every migration applied, a small registry in two districts, staff
// accounts created on first use, and a real http::Server on 127.0.0.1:<ephemeral> serving the
// Api with dev_outbox on, so that citizens' one-time codes can be read from GET /dev/outbox.
//
//   class MyTest : public api::testing::ApiFixture {};
//   TEST_P(MyTest, Something) {
//     Reply r = Call("GET", "/api/v1/households/" + A().family_id, {}, Token("officer.9901"));
//     EXPECT_EQ(r.status, 200);
//   }
//   INSTANTIATE_TEST_SUITE_P(Backends, MyTest, ::testing::ValuesIn(storage::testing::Backends()),
//                            [](const auto& info) { return info.param; });
//
// Every response that passes through Call is checked on arrival, for the whole run: no 5xx, no
// national ID of the fixture (or any 12-digit Verhoeff-valid number) anywhere in the body or
// headers, every `national_id` member masked (XXXX-XXXX-dddd), and every error an RFC 9457
// problem document with a `code`. TearDown checks that the access log holds no national ID.
//
// The registry (villages 990101001 and 990101002 in district 9901, 990201001 in district 9902):
//   A  990101001  Sunita Devi (head; phone, national ID 1, bank), Ramesh Kumar (spouse; phone,
//                 national ID 2, bank), Pooja Kumari (daughter; nothing)
//   B  990101001  Geeta Bai (head; phone, national ID 3, bank), Mohan Lal (son; phone, ID 4)
//   C  990201001  Kamla Devi (head; phone, national ID 5, bank), Suresh Singh (husband; ID 6)
//   D  990101002  five members with phones and no national IDs (a pool for sign-ins)
//
// Thread-safety: as any gtest fixture; Call may be used from several threads at once.
#ifndef SPODE_API_TESTING_API_FIXTURE_H_
#define SPODE_API_TESTING_API_FIXTURE_H_

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "access/gate.h"
#include "access/identities.h"
#include "access/schema.h"
#include "api/api.h"
#include "common/time_source.h"
#include "common/verhoeff.h"
#include "crypto/vault_key.h"
#include "gtest/gtest.h"
#include "http/json.h"
#include "http/router.h"
#include "http/server.h"
#include "http/testing/test_client.h"
#include "notify/schema.h"
#include "programs/eligibility.h"
#include "grievance/schema.h"
#include "payments/schema.h"
#include "programs/store.h"
#include "registry/household.h"
#include "registry/importer.h"
#include "registry/registry.h"
#include "registry/schema.h"
#include "storage/connections.h"
#include "storage/migrations.h"
#include "storage/testing/test_database.h"

namespace spode::api::testing {

using nlohmann::json;

// The migrations `spode` applies (app::AllMigrations, replicated: api may not link app).
inline std::vector<storage::Migration> AllMigrations() {
  std::vector<storage::Migration> all;
  for (auto& m : notify::Migrations()) all.push_back(std::move(m));
  for (auto& m : access::Migrations()) all.push_back(std::move(m));
  for (auto& m : registry::Migrations()) all.push_back(std::move(m));
  for (auto& m : programs::Migrations()) all.push_back(std::move(m));
  for (auto& m : payments::Migrations()) all.push_back(std::move(m));
  for (auto& m : grievance::Migrations()) all.push_back(std::move(m));
  return all;
}

// The source tree (SPODE_SOURCE_DIR when ctest runs us, else from this file's path).
inline std::filesystem::path SourceDir() {
  const char* env = std::getenv("SPODE_SOURCE_DIR");
  if (env != nullptr && *env != '\0') return env;
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

// The scheme the fixture activates (one of the shipped schemes).
inline constexpr char kSchemeId[] = "old_age_pension";

// 2026-11-29 12:00 IST.
inline Timestamp StartTime() { return *Timestamp::Parse("2026-11-29T06:30:00Z"); }

inline constexpr char kPassword[] = "correct-horse-battery";
inline constexpr int64_t kMaxBodyBytes = 256 << 10;

// A valid (Verhoeff, first digit 4) 12-digit national ID; n < 10^10.
inline std::string NationalId(int64_t n) {
  return WithVerhoeffDigit(std::to_string(40000000000LL + n % 10000000000LL));
}

// Every national ID any test sent or enrolled, for the whole run.
inline std::set<std::string>& SeenNationalIds() {
  static std::set<std::string> ids;
  return ids;
}
inline std::mutex& SeenMutex() {
  static std::mutex mu;
  return mu;
}
inline void RememberNationalId(const std::string& id) {
  std::lock_guard lock(SeenMutex());
  SeenNationalIds().insert(id);
}
// Responses scanned, and those found holding a national ID, for the whole run.
inline std::atomic<int64_t>& ScannedResponses() {
  static std::atomic<int64_t> n{0};
  return n;
}
inline std::atomic<int64_t>& ResponsesWithNationalIds() {
  static std::atomic<int64_t> n{0};
  return n;
}

// Runs of exactly 12 digits, not part of a longer run of letters or digits (so hex tokens do
// not count), that are Verhoeff-valid and start with 2-9: what a national ID looks like.
inline std::vector<std::string> NationalIdLike(std::string_view text) {
  std::vector<std::string> out;
  auto alnum = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  size_t i = 0;
  while (i < text.size()) {
    if (!alnum(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    bool digits = true;
    while (j < text.size() && alnum(text[j])) {
      if (text[j] < '0' || text[j] > '9') digits = false;
      ++j;
    }
    std::string_view run = text.substr(i, j - i);
    if (digits && run.size() == 12 && run[0] >= '2' && VerhoeffValid(run)) {
      out.emplace_back(run);
    }
    i = j;
  }
  return out;
}

// Any raw national ID in `text`: one the run has seen, or one that looks like one.
inline std::vector<std::string> FindNationalIds(std::string_view text) {
  std::vector<std::string> found = NationalIdLike(text);
  std::lock_guard lock(SeenMutex());
  for (const std::string& id : SeenNationalIds()) {
    if (text.find(id) != std::string_view::npos) found.push_back(id);
  }
  return found;
}

// Every `national_id` member anywhere in `v` that is neither null nor masked.
inline void FindUnmaskedNationalIdFields(const json& v, std::vector<std::string>* out) {
  static const std::regex kMasked("XXXX-XXXX-[0-9]{4}");
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == "national_id" && !it.value().is_null() &&
          !(it.value().is_string() && std::regex_match(it.value().get<std::string>(), kMasked))) {
        out->push_back(it.value().dump());
      }
      FindUnmaskedNationalIdFields(it.value(), out);
    }
  } else if (v.is_array()) {
    for (const json& e : v) FindUnmaskedNationalIdFields(e, out);
  }
}

struct Reply {
  int status = 0;  // 0: no response (the connection closed or timed out)
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  json doc;  // the parsed body, or null

  std::string Header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (http::EqualsIgnoreCase(n, name)) return v;
    }
    return {};
  }
  std::string code() const {
    return doc.is_object() && doc.contains("code") && doc["code"].is_string()
               ? doc["code"].get<std::string>()
               : "";
  }
  bool ok() const { return status >= 200 && status < 300; }
};

inline std::ostream& operator<<(std::ostream& os, const Reply& r) {
  return os << r.status << " " << r.body.substr(0, 400);
}

// A member or household of the fixture.
struct Household {
  std::string family_id;
  std::string village;
  std::vector<std::string> member_ids;
};

class ApiFixture : public ::testing::TestWithParam<std::string> {
 protected:
  ApiFixture()
      : tdb_(GetParam()), key_(crypto::MasterKey::FromBytes(std::string(32, 'k'))),
        clock_(StartTime()) {}

  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    auto ran = storage::ApplyMigrations(db(), AllMigrations());
    ASSERT_TRUE(ran.ok()) << ran.status();
    url_ = tdb_.path().string();
    if (tdb_.is_postgres()) {
      // Every connection the server opens must see this test's schema.
      auto schema = db().QueryOne("SELECT current_schema()");
      ASSERT_TRUE(schema.ok() && schema->has_value());
      std::string base = storage::testing::PostgresUrl();
      url_ = base + (base.find('?') == std::string::npos ? "?" : "&") +
             "options=-csearch_path%3D" + (*schema)->Text(0);
    }
    BuildRegistry();
    if (HasFatalFailure()) return;
    ActivateScheme();
    if (HasFatalFailure()) return;
    connections_ = std::make_unique<storage::Connections>(url_);
    auto log = access::AccessLog::Open(url_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    api_ = std::make_unique<Api>(*connections_, key_, clock_, *log_,
                                 Options{.dev_outbox = true,
                                         .eligibility = &eligibility_,
                                         .bank_files_dir = files_dir_.string()});
    ASSERT_TRUE(api_->Register(router_).ok());
    ASSERT_TRUE(router_
                    .Add("GET", "/healthz",
                         [](http::Request&) { return http::Json({{"status", "ok"}}); })
                    .ok());
    http::ServerOptions options;
    options.bind = "127.0.0.1";
    options.port = 0;
    options.workers = 3;
    options.max_body_bytes = kMaxBodyBytes;
    server_ = std::make_unique<http::Server>(options, router_);
    ASSERT_TRUE(server_->Start().ok());
  }

  void TearDown() override {
    if (server_) server_->Stop();
    std::error_code ignored;
    std::filesystem::remove_all(files_dir_, ignored);
    if (log_) {
      EXPECT_TRUE(log_->Flush().ok());
      // The access log never holds a national ID, in any column.
      auto rows = log_->Read("SELECT actor, role, action, object, purpose, decision, reason, "
                             "request_id FROM access_log");
      ASSERT_TRUE(rows.ok()) << rows.status();
      for (const auto& r : *rows) {
        for (size_t c = 0; c < 8; ++c) {
          auto ids = FindNationalIds(r.Text(c));
          EXPECT_TRUE(ids.empty()) << "access_log column " << c << " holds a national ID: "
                                   << r.Text(c);
        }
      }
    }
  }

  storage::Database& db() { return tdb_.db(); }
  int port() const { return server_->port(); }
  const Household& A() const { return households_.at("A"); }
  const Household& B() const { return households_.at("B"); }
  const Household& C() const { return households_.at("C"); }
  const Household& D() const { return households_.at("D"); }

  // --- HTTP ---

  // One request on a new connection. `token` goes in "Authorization: Bearer"; `extra` are
  // header lines, each ending in "\r\n". Every reply is checked for leaks on arrival.
  Reply Call(std::string_view method, const std::string& path,
             const std::optional<std::string>& body = std::nullopt, const std::string& token = "",
             const std::string& extra = "", const std::string& request_id = "") {
    std::string raw = std::string(method) + " " + path + " HTTP/1.1\r\nHost: test\r\n";
    if (!request_id.empty()) raw += "X-Request-Id: " + request_id + "\r\n";
    if (!token.empty()) raw += "Authorization: Bearer " + token + "\r\n";
    if (body) {
      raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body->size()) +
             "\r\n";
    }
    raw += extra;
    raw += "\r\n";
    if (body) raw += *body;
    return Send(raw);
  }
  Reply Call(std::string_view method, const std::string& path, const json& body,
             const std::string& token = "", const std::string& request_id = "") {
    return Call(method, path, std::optional<std::string>(body.dump()), token, "", request_id);
  }

  // Sends raw bytes and reads one response (checked like Call's).
  Reply Send(const std::string& raw, int timeout_ms = 15000) {
    http::testing::TestClient client(port());
    Reply r;
    if (!client.connected()) {
      ADD_FAILURE() << "cannot connect to the test server";
      return r;
    }
    auto resp = client.RoundTrip(raw, timeout_ms);
    if (!resp) return r;
    r.status = resp->status;
    r.body = resp->body;
    r.headers = resp->headers;
    try {
      r.doc = json::parse(r.body);
    } catch (const json::exception&) {
      r.doc = nullptr;
    }
    Check(raw, r);
    return r;
  }

  // The checks every reply of the run passes.
  void Check(const std::string& request, const Reply& r) {
    ++ScannedResponses();
    std::string first_line = request.substr(0, request.find("\r\n"));
    if (!(r.status == 503 && !load_eligibility_)) {  // 503 is right before the snapshot loads
      EXPECT_LT(r.status, 500) << first_line << " -> " << r;
    }
    std::string text = r.body;
    for (const auto& [n, v] : r.headers) text += "\n" + n + ": " + v;
    auto ids = FindNationalIds(text);
    if (!ids.empty()) ++ResponsesWithNationalIds();
    EXPECT_TRUE(ids.empty()) << first_line << ": the response holds a national ID "
                             << (ids.empty() ? "" : ids[0]) << ": " << r;
    std::vector<std::string> unmasked;
    // (The OpenAPI document names national_id as a property; that is a schema, not data.)
    if (first_line.find("/openapi.json") == std::string::npos) {
      FindUnmaskedNationalIdFields(r.doc, &unmasked);
    }
    EXPECT_TRUE(unmasked.empty()) << first_line << ": an unmasked national_id "
                                  << (unmasked.empty() ? "" : unmasked[0]);
    if (r.status >= 400) {
      EXPECT_EQ(r.Header("content-type"), "application/problem+json") << first_line << " " << r;
      EXPECT_FALSE(r.code().empty()) << first_line << ": a problem without a code: " << r;
      if (r.doc.is_object()) {
        EXPECT_EQ(r.doc.value("status", 0), r.status) << first_line;
      }
    }
  }

  // --- registry ---

  static json Member(const std::string& name, const std::string& dob, const std::string& sex,
                     const std::string& rel, int64_t national_id = 0,
                     const std::string& phone = "", bool bank = false) {
    json m = {{"name", name}, {"dob", dob}, {"sex", sex}, {"relationship", rel}};
    if (national_id > 0) m["national_id"] = NationalId(national_id);
    if (!phone.empty()) m["phone"] = phone;
    if (bank) {
      m["bank_account"] = {{"ifsc", "SBIN0001234"},
                           {"account_number", "300" + phone.substr(2)},
                           {"holder_name", name}};
    }
    return m;
  }

  static json HouseholdJson(const std::vector<json>& members, const std::string& village) {
    return {{"address",
             {{"state", village.substr(0, 2)},
              {"district", village.substr(0, 4)},
              {"block", village.substr(0, 6)},
              {"village", village},
              {"village_name", "Village " + village.substr(6)}}},
            {"attributes", {{"income_annual", 9600000}, {"caste_category", "SC"}}},
            {"members", members}};
  }

  // Enrols households straight into the registry (not through the API).
  std::vector<registry::EnrolOutcome> EnrolDirect(const std::vector<json>& households) {
    registry::ImportOptions options;
    options.actor = "system:test";
    options.load_indexes = false;
    auto importer = registry::Importer::Create(db(), key_, clock_, options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    if (!importer.ok()) return {};
    std::vector<registry::HouseholdInput> in;
    for (const json& h : households) {
      for (const json& m : h["members"]) {
        if (m.contains("national_id")) RememberNationalId(m["national_id"]);
      }
      auto parsed = registry::HouseholdFromJson(h, clock_.Today());
      EXPECT_TRUE(parsed.ok()) << parsed.status() << " " << h.dump();
      if (!parsed.ok()) return {};
      in.push_back(std::move(*parsed));
    }
    auto out = (*importer)->Enrol(std::move(in));
    EXPECT_TRUE(out.ok()) << out.status();
    return out.ok() ? *out : std::vector<registry::EnrolOutcome>{};
  }

  void BuildRegistry() {
    // National IDs 1-6 are the fixture's; the consent and OTP pools have phones only.
    std::vector<json> hs = {
        HouseholdJson({Member("Sunita Devi", "1961-04-12", "F", "head", 1, "9876500011", true),
                       Member("Ramesh Kumar", "1958-01-01", "M", "spouse", 2, "9876500012", true),
                       Member("Pooja Kumari", "2012-06-30", "F", "daughter")},
                      "990101001"),
        HouseholdJson({Member("Geeta Bai", "1970-03-15", "F", "head", 3, "9876500021", true),
                       Member("Mohan Lal", "1995-08-20", "M", "son", 4, "9876500022")},
                      "990101001"),
        HouseholdJson({Member("Kamla Devi", "1965-07-01", "F", "head", 5, "9876500031", true),
                       Member("Suresh Singh", "1960-02-02", "M", "spouse", 6, "9876500032")},
                      "990201001"),
        HouseholdJson({Member("Asha Rani", "1975-05-05", "F", "head", 0, "9876500041"),
                       Member("Vikram Rana", "1972-06-06", "M", "spouse", 0, "9876500042"),
                       Member("Anil Rana", "1998-07-07", "M", "son", 0, "9876500043"),
                       Member("Sunil Rana", "2000-08-08", "M", "son", 0, "9876500044"),
                       Member("Rekha Rana", "2002-09-09", "F", "daughter", 0, "9876500045")},
                      "990101002"),
    };
    auto outcomes = EnrolDirect(hs);
    ASSERT_EQ(outcomes.size(), 4u);
    const char* names[] = {"A", "B", "C", "D"};
    const char* villages[] = {"990101001", "990101001", "990201001", "990101002"};
    for (size_t i = 0; i < 4; ++i) {
      ASSERT_EQ(outcomes[i].kind, registry::EnrolOutcome::Kind::kImported) << outcomes[i].reason;
      households_[names[i]] = {outcomes[i].family_id, villages[i], outcomes[i].member_ids};
    }
  }

  // The shipped scheme file of kSchemeId.
  static std::string SchemeYaml() {
    std::ifstream in(SourceDir() / "schemes" / (std::string(kSchemeId) + ".yaml"));
    std::stringstream yaml;
    yaml << in.rdbuf();
    return yaml.str();
  }

  // Stores and activates a shipped scheme, and loads the eligibility snapshot (unless a test
  // has cleared load_eligibility_ in its constructor, to see the server before it is loaded).
  void ActivateScheme() {
    std::string yaml = SchemeYaml();
    ASSERT_FALSE(yaml.empty()) << "cannot read the scheme " << kSchemeId << " under "
                               << SourceDir();
    programs::SchemeStore store(db(), clock_);
    auto version = store.Add(yaml, std::string(kSchemeId) + ".yaml", "system:test");
    ASSERT_TRUE(version.ok()) << version.status();
    ASSERT_TRUE(store.SetStatus(kSchemeId, "active", "system:test").ok());
    if (!load_eligibility_) return;
    Status refreshed = eligibility_.Refresh(db(), clock_);
    ASSERT_TRUE(refreshed.ok()) << refreshed;
  }

  // --- identities ---

  struct UserSpec {
    access::Role role;
    std::string scope;
    std::set<access::Duty> duties;
    std::string client_scopes = {};  // machine clients
  };
  static const std::map<std::string, UserSpec>& Users() {
    using access::Duty;
    using access::Role;
    static const auto* users = new std::map<std::string, UserSpec>{
        // The matrix's officers are grievance officers too.
        {"officer.9901", {Role::kOfficer, "9901", {Duty::kRegistrar, Duty::kGrievanceOfficer}}},
        {"officer.9901.two", {Role::kOfficer, "9901", {Duty::kRegistrar}}},
        {"officer.9902", {Role::kOfficer, "9902", {Duty::kRegistrar, Duty::kGrievanceOfficer}}},
        {"officer.9901.noduty", {Role::kOfficer, "9901", {}}},
        {"officer.state", {Role::kOfficer, "99", {Duty::kRegistrar, Duty::kGrievanceOfficer}}},
        // Grievance officers per level (block 990101 and 990201, districts 9901 and 9902,
        // state 99), a CSO partner and an SMS gateway (machine clients with their scopes).
        {"grievance.990101", {Role::kOfficer, "990101", {Duty::kGrievanceOfficer}}},
        {"grievance.990201", {Role::kOfficer, "990201", {Duty::kGrievanceOfficer}}},
        {"grievance.9901", {Role::kOfficer, "9901", {Duty::kGrievanceOfficer}}},
        {"grievance.9902", {Role::kOfficer, "9902", {Duty::kGrievanceOfficer}}},
        {"grievance.99", {Role::kOfficer, "99", {Duty::kGrievanceOfficer}}},
        {"partner.cso", {Role::kDeveloper, "", {}, "grievance.file"}},
        {"gateway.sms", {Role::kDeveloper, "", {}, "grievance.gateway"}},
        // A partner app that reads households under citizens' consent.
        {"partner.app", {Role::kDeveloper, "", {}, "registry.read"}},
        {"officer.9901.admin", {Role::kOfficer, "9901", {Duty::kSchemeAdmin}}},
        {"officer.9901.approver", {Role::kOfficer, "9901", {Duty::kApprover}}},
        {"officer.state.approver", {Role::kOfficer, "99", {Duty::kApprover}}},
        {"bank.punb", {Role::kBank, "PUNB", {}}},
        {"operator.one", {Role::kOperator, "CSC0001", {}}},
        {"operator.two", {Role::kOperator, "CSC0002", {}}},
        {"bank.sbin", {Role::kBank, "SBIN", {}}},
        {"provider.one", {Role::kProvider, "PRV0001", {}}},
        {"developer.one", {Role::kDeveloper, "", {}}},
        {"auditor.one", {Role::kAuditor, "", {}}},
        {"admin.one", {Role::kAdmin, "", {}}},
        {"login.probe", {Role::kAuditor, "", {}}},
        {"status.probe", {Role::kOperator, "CSC0009", {}}},
        {"client.probe", {Role::kDeveloper, "", {}}},
        {"throttle.probe", {Role::kOfficer, "9901", {}}},
    };
    return *users;
  }

  // Creates the account (once) with access::Identities::AddUser.
  void EnsureUser(const std::string& username) {
    if (created_.count(username)) return;
    const UserSpec& spec = Users().at(username);
    access::Identities ids(db(), clock_);
    access::NewUser user;
    user.username = username;
    user.role = spec.role;
    user.scope = spec.scope;
    user.duties = spec.duties;
    user.client_scopes = spec.client_scopes;
    user.password = kPassword;
    auto uid = ids.AddUser(user);
    ASSERT_TRUE(uid.ok()) << uid.status();
    created_.insert(username);
  }

  // A staff member's session token, signed in through POST /api/v1/auth/login (cached).
  std::string Token(const std::string& username) {
    if (auto it = tokens_.find(username); it != tokens_.end()) return it->second;
    EnsureUser(username);
    Reply r = Call("POST", "/api/v1/auth/login", json{{"username", username}, {"password", kPassword}});
    EXPECT_EQ(r.status, 200) << r;
    std::string token = r.doc.is_object() ? r.doc.value("token", "") : "";
    EXPECT_EQ(token.size(), 64u);
    tokens_[username] = token;
    return token;
  }

  // A machine client's bearer token, through OAuth2 client credentials (the account is made
  // first when needed).
  std::string ClientToken(const std::string& client) {
    EnsureUser(client);
    Reply r = Call("POST", "/oauth2/client/token",
                   json{{"grant_type", "client_credentials"},
                        {"client_id", client},
                        {"client_secret", kPassword}});
    EXPECT_EQ(r.status, 200) << r;
    return r.doc.value("access_token", "");
  }

  // The newest one-time code sent about `member_id`, from GET /dev/outbox.
  std::string LatestCode(const std::string& member_id) {
    Reply r = Call("GET", "/dev/outbox?member_id=" + member_id);
    EXPECT_EQ(r.status, 200) << r;
    if (!r.doc.is_object() || !r.doc.contains("messages") || r.doc["messages"].empty()) {
      ADD_FAILURE() << "no message for " << member_id;
      return "";
    }
    std::string body = r.doc["messages"][0]["body"];
    // The only run of exactly six digits.
    for (size_t i = 0; i < body.size();) {
      if (body[i] < '0' || body[i] > '9') {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < body.size() && body[j] >= '0' && body[j] <= '9') ++j;
      if (j - i == 6) return body.substr(i, 6);
      i = j;
    }
    ADD_FAILURE() << "no code in: " << body;
    return "";
  }

  // A citizen's session token, through the one-time-code sign-in.
  std::string CitizenToken(const std::string& member_id) {
    Reply otp = Call("POST", "/api/v1/auth/otp", json{{"member_id", member_id}});
    EXPECT_EQ(otp.status, 202) << otp;
    std::string code = LatestCode(member_id);
    Reply v = Call("POST", "/api/v1/auth/otp/verify", json{{"member_id", member_id}, {"code", code}});
    EXPECT_EQ(v.status, 200) << v;
    return v.doc.is_object() ? v.doc.value("token", "") : "";
  }

  // An operator's assisted session for `member_id`'s household, through the API.
  int64_t GrantConsent(const std::string& operator_token, const std::string& member_id,
                       int64_t fee_paise = 0, const std::string& purpose = "pension application") {
    Reply req = Call("POST", "/api/v1/assisted/consent",
                     json{{"member_id", member_id}, {"purpose", purpose}, {"fee_paise", fee_paise}},
                     operator_token);
    EXPECT_EQ(req.status, 202) << req;
    std::string code = LatestCode(member_id);
    Reply v = Call("POST", "/api/v1/assisted/consent/verify",
                   json{{"member_id", member_id},
                        {"code", code},
                        {"purpose", purpose},
                        {"fee_paise", fee_paise}},
                   operator_token);
    EXPECT_EQ(v.status, 201) << v;
    return v.doc.is_object() ? v.doc.value("consent_id", int64_t{0}) : 0;
  }

  // A pending change request submitted by someone outside the test's principals.
  int64_t PendingChange(const std::string& member_id) {
    registry::Registry reg(db(), key_, clock_);
    auto id = reg.SubmitChange(
        {member_id, "", {{"occupation", "cultivator"}}, "seeded", "external", "system:seed"});
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : 0;
  }

  // A pending duplicate hold: a new household in `village` whose head looks like `name`/`dob`.
  int64_t PendingHold(const std::string& name, const std::string& dob, const std::string& village) {
    auto out = EnrolDirect({HouseholdJson({Member(name, dob, "F", "head")}, village)});
    EXPECT_EQ(out.size(), 1u);
    if (out.size() != 1) return 0;
    EXPECT_EQ(out[0].kind, registry::EnrolOutcome::Kind::kHeld) << out[0].reason;
    auto row = db().QueryOne("SELECT MAX(d.hold_id) FROM duplicate_holds d JOIN households h ON "
                             "h.household_idx = d.household_idx WHERE h.family_id = ?",
                             {out[0].family_id});
    EXPECT_TRUE(row.ok() && row->has_value());
    return row.ok() && row->has_value() ? (*row)->Int(0) : 0;
  }

  int64_t Count(const std::string& sql) {
    auto row = db().QueryOne(sql);
    EXPECT_TRUE(row.ok()) << row.status() << " " << sql;
    return row.ok() && row->has_value() ? (*row)->Int(0) : -1;
  }

  // Count() over the access log, which is a database of its own on SQLite
  // (access::AccessLog::Read).
  int64_t LogCount(const std::string& sql) {
    auto rows = log_->Read(sql);
    EXPECT_TRUE(rows.ok()) << rows.status() << " " << sql;
    return rows.ok() && !rows->empty() ? rows->front().Int(0) : -1;
  }

  // The access log's rows for one request id, after a flush.
  std::vector<std::pair<std::string, std::string>> LogFor(const std::string& request_id) {
    EXPECT_TRUE(log_->Flush().ok());
    auto rows = log_->Read("SELECT action, decision FROM access_log WHERE request_id = ? ORDER BY "
                           "log_id",
                           {request_id});
    EXPECT_TRUE(rows.ok()) << rows.status();
    std::vector<std::pair<std::string, std::string>> out;
    if (rows.ok()) {
      for (const auto& r : *rows) out.emplace_back(r.Text(0), r.Text(1));
    }
    return out;
  }

  storage::testing::TestDatabase tdb_;
  crypto::MasterKey key_;
  ManualTimeSource clock_;
  std::string url_;
  std::map<std::string, Household> households_;
  std::set<std::string> created_;
  std::map<std::string, std::string> tokens_;
  programs::Eligibility eligibility_;
  bool load_eligibility_ = true;
  // Bank files the API writes (POST /api/v1/cycles/{id}/export).
  std::filesystem::path files_dir_ =
      std::filesystem::temp_directory_path() / storage::testing::UniqueName("spode_files_");
  // Destroyed in reverse: the server first, the connections last.
  std::unique_ptr<storage::Connections> connections_;
  std::unique_ptr<access::AccessLog> log_;
  std::unique_ptr<Api> api_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
};

}  // namespace spode::api::testing

#endif  // SPODE_API_TESTING_API_FIXTURE_H_
