// The spode command, end to end: real files, a real database, a real HTTP server.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/date.h"
#include "common/time_source.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/database.h"

namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

struct RunResult {
  int exit_code;
  std::string out;
};

// Runs `spode ARGS` with stdout captured (stderr to a file, returned in .err).
RunResult Spode(const std::string& args, std::string* err = nullptr,
                const std::string& input = "") {
  static int n = 0;
  std::string err_file = fs::temp_directory_path() / ("spode_cli_err_" + std::to_string(getpid()) +
                                                      "_" + std::to_string(++n));
  std::string cmd = std::string(SPODE_BINARY) + " " + args + " 2>" + err_file;
  if (!input.empty()) cmd = "printf '%s\\n' '" + input + "' | " + cmd;
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, k);
  int rc = pclose(p);
  if (err != nullptr) {
    std::ifstream in(err_file);
    std::stringstream s;
    s << in.rdbuf();
    *err = s.str();
  }
  fs::remove(err_file);
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The rows of `sql` over the access log beside the SQLite database `db` (its side file).
std::vector<spode::storage::Row> AccessLogRows(const std::string& db, const std::string& sql) {
  auto log = spode::storage::Open(db + "-access-log", {.create = false});
  EXPECT_TRUE(log.ok()) << log.status();
  if (!log.ok()) return {};
  auto rows = (*log)->Query(sql);
  EXPECT_TRUE(rows.ok()) << rows.status();
  return rows.ok() ? std::move(*rows) : std::vector<spode::storage::Row>{};
}

// The actor and decision of each entry of `action` in that log, oldest first.
using Decisions = std::vector<std::pair<std::string, std::string>>;
Decisions DecisionsOn(const std::string& db, const std::string& action) {
  Decisions out;
  for (const auto& r : AccessLogRows(db, "SELECT actor, decision FROM access_log WHERE action = '" +
                                             action + "' ORDER BY log_id")) {
    out.emplace_back(r.Text(0), r.Text(1));
  }
  return out;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device r;
    dir_ = fs::temp_directory_path() / ("spode_cli_" + std::to_string(getpid()) + "_" +
                                        std::to_string(r() % 1000000));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(CliTest, EveryCommandHasHelpWithAnExample) {
  RunResult top = Spode("--help");
  EXPECT_EQ(top.exit_code, 0);
  for (const char* cmd : {"generate", "import", "household", "duplicates", "demo", "serve"}) {
    EXPECT_THAT(top.out, HasSubstr(cmd));
  }
  for (const char* cmd : {"generate",
                          "import",
                          "household show",
                          "duplicates list",
                          "duplicates decide",
                          "demo",
                          "serve",
                          "cycle create",
                          "cycle approve",
                          "cycle list",
                          "cycle show",
                          "cycle cancel",
                          "payments export",
                          "payments import-status",
                          "payments retry",
                          "payments confirm",
                          "payments link-registry",
                          "ledger check",
                          "enrolment notify",
                          "enrolment enrol",
                          "enrolment exits",
                          "enrolment apply",
                          "enrolment applications",
                          "enrolment decide",
                          "backup"}) {
    RunResult help = Spode(std::string(cmd) + " --help");
    EXPECT_EQ(help.exit_code, 0) << cmd;
    EXPECT_THAT(help.out, HasSubstr("Example: spode")) << cmd;
  }
  EXPECT_NE(Spode("no-such-command").exit_code, 0);
}

TEST_F(CliTest, GenerateIsReproducibleByteForByte) {
  ASSERT_EQ(Spode("generate --households 500 --seed 9 --out " + Path("a.jsonl")).exit_code, 0);
  ASSERT_EQ(Spode("generate --households 500 --seed 9 --out " + Path("b.jsonl")).exit_code, 0);
  RunResult c = Spode("generate --households 500 --seed 10 --json --out " + Path("c.jsonl"));
  ASSERT_EQ(c.exit_code, 0);
  EXPECT_EQ(json::parse(c.out)["households"], 500);
  std::string a = ReadFile(Path("a.jsonl"));
  EXPECT_EQ(a, ReadFile(Path("b.jsonl")));
  EXPECT_NE(a, ReadFile(Path("c.jsonl")));
  EXPECT_EQ(std::count(a.begin(), a.end(), '\n'), 500);
}

TEST_F(CliTest, ImportAccountsForEveryLineAndShowMasksIds) {
  ASSERT_EQ(Spode("generate --households 2000 --seed 5 --out " + Path("s.jsonl")).exit_code, 0);
  {
    std::ofstream bad(Path("s.jsonl"), std::ios::app);
    bad << "{not json\n\n{\"address\": {}}\n";
  }
  RunResult r = Spode("import " + Path("s.jsonl") + " --json --db " + Path("s.db"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json report = json::parse(r.out);
  EXPECT_EQ(report["lines"], 2003);
  EXPECT_EQ(report["blank_lines"], 1);
  EXPECT_EQ(report["households_rejected"], 2);
  EXPECT_EQ(report["households_imported"].get<int64_t>() + report["households_held"].get<int64_t>(),
            2000);
  EXPECT_GT(report["households_held"].get<int64_t>(), 0);  // sim plants near-duplicates
  std::string rejects = ReadFile(Path("s.jsonl.rejects.jsonl"));
  EXPECT_THAT(rejects, HasSubstr("\"line\":2001"));
  EXPECT_THAT(rejects, HasSubstr("\"line\":2003"));
  EXPECT_TRUE(fs::exists(Path("s.db.key")));
  EXPECT_EQ(fs::status(Path("s.db.key")).permissions() & fs::perms::others_read, fs::perms::none);

  auto db = spode::storage::Open(Path("s.db"));
  ASSERT_TRUE(db.ok());
  auto row = (*db)->QueryOne("SELECT h.family_id FROM households h JOIN members m ON "
                             "m.household_idx = h.household_idx JOIN vault v ON v.member_idx = "
                             "m.member_idx WHERE v.id_token IS NOT NULL LIMIT 1");
  ASSERT_TRUE(row.ok() && *row);
  std::string family_id = (*row)->Text(0);
  RunResult show = Spode("household show " + family_id + " --json --db " + Path("s.db"));
  ASSERT_EQ(show.exit_code, 0);
  json h = json::parse(show.out);
  EXPECT_EQ(h["family_id"], family_id);
  bool masked = false;
  for (const json& m : h["members"]) {
    if (m["national_id"].is_string()) {
      EXPECT_THAT(m["national_id"].get<std::string>(), ::testing::MatchesRegex("XXXX-XXXX-[0-9]{4}"));
      masked = true;
    }
  }
  EXPECT_TRUE(masked);
  RunResult text = Spode("household show " + family_id + " --db " + Path("s.db"));
  EXPECT_THAT(text.out, HasSubstr("Family " + family_id));

  std::string err;
  RunResult missing = Spode("household show 0000000000 --db " + Path("s.db"), &err);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("NOT_FOUND"));

  RunResult holds = Spode("duplicates list --json --db " + Path("s.db"));
  ASSERT_EQ(holds.exit_code, 0);
  json list = json::parse(holds.out);
  ASSERT_EQ(static_cast<int64_t>(list.size()), report["households_held"].get<int64_t>());
  int64_t id = list[0]["id"];
  // The deciding officer must exist and hold the registrar duty in the household's area.
  RunResult nobody = Spode("duplicates decide " + std::to_string(id) +
                               " different_people --as bdo1 --json --db " + Path("s.db"),
                           &err);
  EXPECT_EQ(nobody.exit_code, 1);
  const std::string secret = "a long enough secret";
  ASSERT_EQ(Spode("user add clerk1 --role officer --scope 99 --db " + Path("s.db"), nullptr,
                  secret)
                .exit_code,
            0);
  ASSERT_EQ(Spode("user add bdo1 --role officer --scope 99 --duty registrar --db " + Path("s.db"),
                  nullptr, secret)
                .exit_code,
            0);
  RunResult clerk = Spode("duplicates decide " + std::to_string(id) +
                              " different_people --as clerk1 --json --db " + Path("s.db"),
                          &err);
  EXPECT_EQ(clerk.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("registrar"));
  RunResult decide = Spode("duplicates decide " + std::to_string(id) +
                     " different_people --as bdo1 --json --db " + Path("s.db"));
  EXPECT_EQ(decide.exit_code, 0) << decide.out;
  EXPECT_EQ(DecisionsOn(Path("s.db"), "duplicate.decide"),
            (Decisions{{"user:clerk1", "deny"}, {"user:bdo1", "allow"}}));
  EXPECT_EQ(json::parse(Spode("duplicates list --json --db " + Path("s.db")).out).size(),
            list.size() - 1);

  // Everything again: all rejected as already enrolled, so nothing imported: exit status 1.
  RunResult again = Spode("import " + Path("s.jsonl") + " --json --db " + Path("s.db"));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(json::parse(again.out)["households_imported"], 0);
}

TEST_F(CliTest, BackupCopiesTheStateThatRestoresAndNeverReplacesACopy) {
  ASSERT_EQ(Spode("generate --households 300 --seed 9 --out " + Path("b.jsonl")).exit_code, 0);
  ASSERT_EQ(Spode("import " + Path("b.jsonl") + " --db " + Path("b.db")).exit_code, 0);
  // A bank file, and one an export is still writing (a temporary name): only the first is copied.
  fs::create_directories(Path("b.db.bank-files/SBIN"));
  { std::ofstream(Path("b.db.bank-files/SBIN/batch-1.xml")) << "<Document>one</Document>"; }
  { std::ofstream(Path("b.db.bank-files/SBIN/batch-2.xml.tmp")) << "<Docu"; }
  std::string family_id;
  {
    auto db = spode::storage::Open(Path("b.db"));
    ASSERT_TRUE(db.ok());
    auto row = (*db)->QueryOne("SELECT family_id FROM households WHERE status = 'active' LIMIT 1");
    ASSERT_TRUE(row.ok() && *row);
    family_id = (*row)->Text(0);
  }
  RunResult before = Spode("household show " + family_id + " --json --db " + Path("b.db"));
  ASSERT_EQ(before.exit_code, 0);

  RunResult r = Spode("backup --db " + Path("b.db") + " --out " + Path("backups/one") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json report = json::parse(r.out);
  ASSERT_EQ(report["parts"].size(), 3u) << r.out;
  EXPECT_EQ(report["parts"][0]["what"], "registry");
  EXPECT_EQ(report["parts"][1]["what"], "access log");
  EXPECT_EQ(report["parts"][2]["what"], "bank files");
  EXPECT_EQ(report["parts"][2]["files"], 1);
  EXPECT_EQ(report["key_file"], Path("b.db.key"));
  EXPECT_EQ(ReadFile(Path("backups/one/b.db.bank-files/SBIN/batch-1.xml")),
            "<Document>one</Document>");
  EXPECT_FALSE(fs::exists(Path("backups/one/b.db.bank-files/SBIN/batch-2.xml.tmp")));
  EXPECT_FALSE(fs::exists(Path("backups/one/b.db.tmp")));
  EXPECT_FALSE(fs::exists(Path("backups/one/b.db.key"))) << "the key is kept apart";

  // Restored: the copy, with the key, answers as the original did.
  RunResult after = Spode("household show " + family_id + " --json --db " +
                          Path("backups/one/b.db") + " --key-file " + Path("b.db.key"));
  ASSERT_EQ(after.exit_code, 0);
  EXPECT_EQ(json::parse(after.out), json::parse(before.out));
  {
    auto log = spode::storage::Open(Path("backups/one/b.db-access-log"), {.create = false});
    ASSERT_TRUE(log.ok());
    auto n = (*log)->QueryOne(
        "SELECT COUNT(*) FROM access_log WHERE action = 'backup' AND "
        "actor = 'system:backup'");
    ASSERT_TRUE(n.ok() && *n);
    EXPECT_EQ((*n)->Int(0), 1) << "the copy of the log records the backup";
  }

  // A second backup into the same folder is refused, and the first copy is left as it was.
  const auto size = fs::file_size(Path("backups/one/b.db"));
  const auto written = fs::last_write_time(Path("backups/one/b.db"));
  std::string err;
  RunResult again = Spode("backup --db " + Path("b.db") + " --out " + Path("backups/one"), &err);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("already exists"));
  EXPECT_EQ(fs::file_size(Path("backups/one/b.db")), size);
  EXPECT_EQ(fs::last_write_time(Path("backups/one/b.db")), written);

  // Not into the bank files it copies (it would copy itself).
  RunResult inside =
      Spode("backup --db " + Path("b.db") + " --out " + Path("b.db.bank-files/SBIN/backup"), &err);
  EXPECT_EQ(inside.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("inside the bank files"));
  EXPECT_FALSE(fs::exists(Path("b.db.bank-files/SBIN/backup")));

  // No database there: nothing is created. PostgreSQL: its own tools.
  RunResult missing = Spode("backup --db " + Path("none.db") + " --out " + Path("x"), &err);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("there is no database"));
  EXPECT_FALSE(fs::exists(Path("none.db")));
  EXPECT_FALSE(fs::exists(Path("x")));
  RunResult pg = Spode("backup --db postgresql://spode@127.0.0.1:1/spode --out " + Path("y"), &err);
  EXPECT_EQ(pg.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("pg_dump"));
}

TEST_F(CliTest, ImportReportsAMissingFileAndABadDatabase) {
  std::string err;
  RunResult r = Spode("import " + Path("nope.jsonl") + " --db " + Path("x.db"), &err);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("cannot open"));
  RunResult bad = Spode("import " + Path("nope.jsonl") + " --db /no/such/dir/x.db", &err);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("UNAVAILABLE"));
}

TEST_F(CliTest, DemoBuildsOnceAndIsReused) {
  RunResult first = Spode("demo --households 300 --no-serve --json --db " + Path("demo/spode.db"));
  ASSERT_EQ(first.exit_code, 0) << first.out;
  json a = json::parse(first.out);
  EXPECT_EQ(a["reused"], false);
  EXPECT_EQ(a["import"]["lines"], 300);
  EXPECT_EQ(a["accounts"].size(), 10u);
  EXPECT_EQ(fs::status(Path("demo/spode.db.accounts.json")).permissions() & fs::perms::others_read,
            fs::perms::none);
  EXPECT_GT(a["summary"]["members_active"].get<int64_t>(), 900);
  RunResult second = Spode("demo --households 300 --no-serve --json --db " + Path("demo/spode.db"));
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_EQ(json::parse(second.out)["reused"], true);
}

// Reads of personal data at the command line are recorded where the server records its own: a
// grievance list --as an officer (allowed or denied), a household shown, and lists made without
// --as (as the machine's user's reads) go into the access log's side file, which the citizen's
// "who saw my data" and the auditors read, and never into the registry's own table (whose
// entries were once moved later, and some lost on the way).
TEST_F(CliTest, CommandLineReadsOfPersonalDataAreInTheServersAccessLog) {
  const std::string db = Path("log/spode.db");
  ASSERT_EQ(Spode("demo --households 300 --no-serve --db " + db).exit_code, 0);
  std::string err;
  EXPECT_EQ(Spode("grievance list --as block.officer --db " + db, &err).exit_code, 1);
  EXPECT_THAT(err, HasSubstr("grievance_officer"));
  EXPECT_EQ(Spode("grievance list --as state.officer --db " + db).exit_code, 0);
  // In the side file at once: the server's next start moves nothing.
  auto registry_rows = [&] {
    auto registry = spode::storage::Open(db, {.create = false});
    EXPECT_TRUE(registry.ok());
    auto own = (*registry)->QueryOne("SELECT COUNT(*) FROM access_log");
    EXPECT_TRUE(own.ok() && *own);
    return own.ok() && *own ? (*own)->Int(0) : -1;
  };
  EXPECT_EQ(registry_rows(), 0);
  std::string family_id;
  int64_t household_idx = 0;
  {
    auto registry = spode::storage::Open(db, {.create = false});
    ASSERT_TRUE(registry.ok());
    auto row = (*registry)->QueryOne("SELECT family_id, household_idx FROM households LIMIT 1");
    ASSERT_TRUE(row.ok() && *row);
    family_id = (*row)->Text(0);
    household_idx = (*row)->Int(1);
  }
  ASSERT_EQ(Spode("household show " + family_id + " --db " + db).exit_code, 0);
  // Without --as, a list is the machine's user's read too.
  ASSERT_EQ(Spode("grievance list --db " + db).exit_code, 0);
  ASSERT_EQ(Spode("duplicates list --db " + db).exit_code, 0);

  auto rows = AccessLogRows(
      db,
      "SELECT actor, role, action, object, household_idx, purpose, decision FROM access_log "
      "WHERE action IN ('grievance.read', 'household.read', 'duplicate.list') ORDER BY log_id");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].Text(0), "user:block.officer");
  EXPECT_EQ(rows[0].Text(6), "deny");
  EXPECT_EQ(rows[1].Text(0), "user:state.officer");
  EXPECT_EQ(rows[1].Text(6), "allow");
  EXPECT_THAT(rows[2].Text(0), ::testing::StartsWith("cli:"));
  EXPECT_EQ(rows[2].Text(1), "system");
  EXPECT_EQ(rows[2].Text(2), "household.read");
  EXPECT_EQ(rows[2].Text(3), family_id);
  EXPECT_EQ(rows[2].Int(4), household_idx);
  EXPECT_EQ(rows[2].Text(5), "command_line");
  for (size_t i : {3, 4}) {
    EXPECT_THAT(rows[i].Text(0), ::testing::StartsWith("cli:"));
    EXPECT_EQ(rows[i].Text(6), "allow");
  }
  EXPECT_EQ(rows[3].Text(2), "grievance.read");
  EXPECT_EQ(rows[4].Text(2), "duplicate.list");
  EXPECT_EQ(registry_rows(), 0);
}

// The officers' commands that act on a person or on money are decided by the access gate with
// the API's rules (role, duty, area), and each decision, allowed or denied, is in the server's
// access log: storing a scheme and changing its status, an application for a member, its
// decision.
TEST_F(CliTest, OfficersCommandsAreDecidedByTheGateAndLogged) {
  const std::string db = Path("gate/spode.db");
  ASSERT_EQ(Spode("demo --households 300 --no-serve --db " + db).exit_code, 0);
  std::string block;
  for (const json& a : json::parse(ReadFile(db + ".accounts.json"))) {
    if (a["username"] == "block.officer") block = a["scope"];
  }
  ASSERT_FALSE(block.empty());
  // A grant anyone may apply for, which an officer reviews.
  const std::string scheme = Path("reviewed_grant.yaml");
  std::ofstream(scheme) << "id: reviewed_grant\n"
                           "name: {en: Reviewed grant, hi: Reviewed grant}\n"
                           "unit: person\n"
                           "benefit: cash\n"
                           "frequency: one_time\n"
                           "budget_paise: 100000000\n"
                           "officer_review: true\n"
                           "eligibility:\n"
                           "  - id: anyone\n"
                           "    rule: age_years(person.dob) >= 0\n"
                           "    explain: {en: Anyone, hi: Anyone}\n"
                           "amount: rupees(100)\n";
  std::string err;
  EXPECT_EQ(Spode("scheme add " + scheme + " --as block.officer --db " + db, &err).exit_code, 1);
  EXPECT_THAT(err, HasSubstr("scheme_admin duty"));
  ASSERT_EQ(Spode("scheme add " + scheme + " --as scheme.officer --db " + db, &err).exit_code, 0)
      << err;
  ASSERT_EQ(Spode("scheme status reviewed_grant active --as scheme.officer --db " + db, &err)
                .exit_code,
            0)
      << err;

  std::string inside, outside;
  int64_t inside_household = 0;
  {
    auto registry = spode::storage::Open(db, {.create = false});
    ASSERT_TRUE(registry.ok());
    auto in = (*registry)->QueryOne(
        "SELECT m.member_id, m.household_idx FROM members m JOIN households h ON h.household_idx "
        "= m.household_idx WHERE m.status = 'active' AND h.village_code LIKE ? ORDER BY "
        "m.member_idx LIMIT 1",
        {block + "%"});
    auto out = (*registry)->QueryOne(
        "SELECT m.member_id FROM members m JOIN households h ON h.household_idx = "
        "m.household_idx WHERE m.status = 'active' AND h.village_code NOT LIKE ? LIMIT 1",
        {block + "%"});
    ASSERT_TRUE(in.ok() && *in && out.ok() && *out);
    inside = (*in)->Text(0);
    inside_household = (*in)->Int(1);
    outside = (*out)->Text(0);
  }
  const std::string apply = "enrolment apply --scheme reviewed_grant --db " + db + " --member ";
  EXPECT_EQ(Spode(apply + outside + " --as block.officer", &err).exit_code, 1);
  EXPECT_THAT(err, HasSubstr("outside the officer's area"));
  EXPECT_EQ(Spode(apply + "48301759231 --as block.officer", &err).exit_code, 1);
  EXPECT_THAT(err, HasSubstr("no member"));
  RunResult applied = Spode(apply + inside + " --as block.officer --json", &err);
  ASSERT_EQ(applied.exit_code, 0) << err;
  json a = json::parse(applied.out);
  ASSERT_EQ(a["status"], "pending") << a;
  const std::string id = std::to_string(a["application_id"].get<int64_t>());
  // Not by the officer who applied (the gate allows; the application's rule refuses), nor by one
  // without the duty; then by another officer of the area.
  const std::string decide = "enrolment decide " + id + " --approve --note 'documents seen' --db " +
                             db + " --as ";
  EXPECT_EQ(Spode(decide + "block.officer", &err).exit_code, 1);
  EXPECT_EQ(Spode("enrolment decide 99999 --approve --note x --as district.officer --db " + db,
                  &err)
                .exit_code,
            1);
  EXPECT_THAT(err, HasSubstr("no application 99999"));
  RunResult decided = Spode(decide + "district.officer --json", &err);
  ASSERT_EQ(decided.exit_code, 0) << err;
  EXPECT_EQ(json::parse(decided.out)["status"], "enrolled");

  auto rows = AccessLogRows(
      db,
      "SELECT actor, action, object, household_idx, purpose, decision, request_id FROM "
      "access_log WHERE action IN ('scheme.edit', 'enrolment.apply', 'enrolment.decide') ORDER "
      "BY log_id");
  ASSERT_EQ(rows.size(), 7u);
  const std::vector<std::vector<std::string>> want = {
      {"user:block.officer", "scheme.edit", "scheme_file:reviewed_grant.yaml", "deny"},
      {"user:scheme.officer", "scheme.edit", "scheme_file:reviewed_grant.yaml", "allow"},
      {"user:scheme.officer", "scheme.edit", "scheme:reviewed_grant", "allow"},
      {"user:block.officer", "enrolment.apply", outside, "deny"},
      {"user:block.officer", "enrolment.apply", inside, "allow"},
      {"user:block.officer", "enrolment.decide", "application:" + id, "allow"},
      {"user:district.officer", "enrolment.decide", "application:" + id, "allow"}};
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(rows[i].Text(0), want[i][0]);
    EXPECT_EQ(rows[i].Text(1), want[i][1]);
    EXPECT_EQ(rows[i].Text(2), want[i][2]);
    EXPECT_EQ(rows[i].Text(5), want[i][3]);
    EXPECT_EQ(rows[i].Text(6), "cli");
  }
  EXPECT_EQ(rows[4].Int(3), inside_household);
  EXPECT_EQ(rows[6].Int(3), inside_household);
  EXPECT_EQ(rows[4].Text(4), "application");
}

// Issue 5's commands on a demo state: the demo's paid cycle reconciles; a second scheme is
// prepared, refused to the wrong officers, approved, exported and answered by a bank; a bank
// file changed on disk is caught by `ledger check`.
TEST_F(CliTest, CyclesPaymentsAndTheLedgerFromTheCommandLine) {
  std::string db = Path("pay/spode.db");
  std::string files = db + ".bank-files";
  RunResult demo = Spode("demo --households 2000 --no-serve --json --db " + db +
                         " --schemes " + SPODE_SCHEMES_DIR);
  ASSERT_EQ(demo.exit_code, 0) << demo.out;
  json d = json::parse(demo.out);
  ASSERT_TRUE(d["payments"].contains("cycle")) << d["payments"];
  EXPECT_GT(d["payments"]["paid"].get<int64_t>(), 50);
  EXPECT_GT(d["payments"]["returned"].get<int64_t>(), 0);
  RunResult check = Spode("ledger check --db " + db + " --files " + files);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_THAT(check.out, HasSubstr("payments agree with the ledger"));

  // A widow pension cycle: prepared by the scheme officer, approved by the state officer.
  std::string err;
  std::string period = d["payments"]["cycle"]["period"];
  RunResult made = Spode("cycle create --scheme widow_pension --period " + period +
                         " --as scheme.officer --json --db " + db, &err);
  ASSERT_EQ(made.exit_code, 0) << err;
  json c = json::parse(made.out);
  ASSERT_GT(c["beneficiaries"].get<int64_t>(), 0);
  std::string cycle = "widow_pension/" + period;
  RunResult by_maker = Spode("cycle approve " + cycle + " --as scheme.officer --db " + db, &err);
  EXPECT_EQ(by_maker.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("approver duty"));
  RunResult by_block = Spode("cycle approve " + cycle + " --as block.officer --db " + db, &err);
  EXPECT_EQ(by_block.exit_code, 1);
  RunResult ok = Spode("cycle approve " + cycle + " --as state.officer --json --db " + db, &err);
  ASSERT_EQ(ok.exit_code, 0) << err;
  EXPECT_EQ(json::parse(ok.out)["final"], true);
  std::string out_dir = Path("widow-files");
  RunResult exported = Spode("payments export --cycle " + cycle + " --format csv --out " +
                             out_dir + " --json --db " + db, &err);
  ASSERT_EQ(exported.exit_code, 0) << err;
  json ex = json::parse(exported.out);
  ASSERT_FALSE(ex["files"].empty());
  // The bank pays every payment in its file but the first, which it rejects.
  std::string first_file = ex["files"][0]["file"];
  std::istringstream lines(ReadFile(first_file));
  std::string line, status = "end_to_end_id,status,reason_code\n";
  std::getline(lines, line);  // header
  int n = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line == "\r") continue;
    // end_to_end_id is the third column.
    size_t a = line.find(','), b = line.find(',', a + 1), e = line.find(',', b + 1);
    status += line.substr(b + 1, e - b - 1) + (n++ == 0 ? ",RJCT,AC04\n" : ",ACSC,\n");
  }
  ASSERT_GT(n, 0);
  std::string status_file = Path("status.csv");
  std::ofstream(status_file) << status;
  RunResult imported = Spode("payments import-status " + status_file + " --json --db " + db, &err);
  ASSERT_EQ(imported.exit_code, 0) << err;
  json r = json::parse(imported.out);
  EXPECT_EQ(r["rejected"], 1);
  EXPECT_EQ(r["paid"], n - 1);
  RunResult progress = Spode("cycle show " + cycle + " --json --db " + db);
  ASSERT_EQ(progress.exit_code, 0);
  EXPECT_EQ(json::parse(progress.out)["instructions"]["rejected"]["count"], 1);
  RunResult both = Spode("ledger check --db " + db);  // files where they were written
  EXPECT_EQ(both.exit_code, 0) << both.out;

  // The rejected payment is sent again: by an officer with the scheme_admin duty (the gate's
  // payment.release), not by a registrar of the whole state; each decision is in the access log.
  ASSERT_EQ(Spode("user add state.registrar --role officer --scope 99 --duty registrar --db " + db,
                  nullptr, "a long enough secret")
                .exit_code,
            0);
  std::string rejected;
  {
    std::istringstream again(status);
    std::getline(again, line);  // header
    std::getline(again, line);
    rejected = line.substr(0, line.find(','));
  }
  RunResult retry_block =
      Spode("payments retry " + rejected + " --as state.registrar --db " + db, &err);
  EXPECT_EQ(retry_block.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("scheme_admin duty"));
  RunResult retry_unknown =
      Spode("payments retry 202611-70000000012-3fa9c2d1 --as scheme.officer --db " + db, &err);
  EXPECT_EQ(retry_unknown.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("no payment instruction"));
  RunResult retried =
      Spode("payments retry " + rejected + " --as scheme.officer --json --db " + db, &err);
  ASSERT_EQ(retried.exit_code, 0) << err;
  EXPECT_EQ(json::parse(retried.out)["status"], "ready");
  json after = json::parse(Spode("cycle show " + cycle + " --json --db " + db).out);
  EXPECT_FALSE(after["instructions"].contains("rejected")) << after["instructions"];
  EXPECT_EQ(after["instructions"]["ready"]["count"], 1);
  EXPECT_EQ(DecisionsOn(db, "payment.release"),
            (Decisions{{"user:state.registrar", "deny"}, {"user:scheme.officer", "allow"}}));
  auto released = AccessLogRows(db,
                                "SELECT object, household_idx FROM access_log WHERE action = "
                                "'payment.release' AND decision = 'allow'");
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].Text(0), "instruction:" + rejected);
  EXPECT_GT(released[0].Int(1), 0);
  EXPECT_EQ(Spode("ledger check --db " + db).exit_code, 0);

  // A bank file altered on disk no longer matches what was sent.
  fs::path victim;
  for (const auto& f : fs::directory_iterator(files)) {
    if (f.path().extension() == ".xml") victim = f.path();
  }
  ASSERT_FALSE(victim.empty());
  {
    std::ofstream(victim, std::ios::app) << "<!-- edited -->";
  }
  RunResult tampered = Spode("ledger check --db " + db);
  EXPECT_EQ(tampered.exit_code, 1);
  EXPECT_THAT(tampered.out, HasSubstr("differs from the file written"));
  // A check of the files made from tomorrow on reads none of them, so it cannot see the change;
  // their totals are still checked against the ledger.
  const spode::Date today = spode::SystemTimeSource().Today();
  RunResult from_tomorrow = Spode("ledger check --json --files-since " +
                                  today.AddDays(1).ToString() + " --db " + db);
  EXPECT_EQ(from_tomorrow.exit_code, 0) << from_tomorrow.out;
  json rj = json::parse(from_tomorrow.out);
  EXPECT_EQ(rj["files_checked"], 0);
  EXPECT_GT(rj["files_not_read"].get<int64_t>(), 0);
  EXPECT_EQ(rj["files_not_read"], rj["bank_files"]);
  // From yesterday on, every file is read again, and the change is seen.
  RunResult from_yesterday = Spode("ledger check --json --files-since " +
                                   today.AddDays(-1).ToString() + " --db " + db);
  EXPECT_EQ(from_yesterday.exit_code, 1);
  EXPECT_EQ(json::parse(from_yesterday.out)["files_not_read"], 0);
  RunResult bad = Spode("ledger check --files-since 2026-13-01 --db " + db, &err);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(err, HasSubstr("--files-since"));
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// One HTTP/1.1 request; returns the status code and body, or -1 when nothing answers.
std::pair<int, std::string> Request(int port, const std::string& method, const std::string& path,
                                    const std::string& body = "",
                                    const std::string& bearer = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {-1, ""};
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  if (!bearer.empty()) req += "Authorization: Bearer " + bearer + "\r\n";
  if (!body.empty()) {
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n";
  }
  req += "\r\n" + body;
  if (write(fd, req.data(), req.size()) < 0) return {-1, ""};
  std::string resp;
  char buf[4096];
  ssize_t k;
  while ((k = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(k));
  close(fd);
  if (resp.size() < 12) return {-1, ""};
  size_t body_at = resp.find("\r\n\r\n");
  return {std::stoi(resp.substr(9, 3)),
          body_at == std::string::npos ? "" : resp.substr(body_at + 4)};
}

std::pair<int, std::string> Get(int port, const std::string& path) {
  return Request(port, "GET", path);
}

TEST_F(CliTest, UserAddReadsThePasswordFromStandardInputAndListsIt) {
  const std::string db = " --db " + Path("u.db");
  const std::string secret = "a long enough secret";
  RunResult add = Spode(
      "user add bdo.sonkh --role officer --scope 990302 --duty registrar --json" + db, nullptr,
      secret);
  ASSERT_EQ(add.exit_code, 0) << add.out;
  EXPECT_EQ(json::parse(add.out)["username"], "bdo.sonkh");
  std::string err;
  EXPECT_EQ(Spode("user add short.pw --role officer --scope 99" + db, &err, "short").exit_code, 1);
  EXPECT_THAT(err, HasSubstr("at least 10 characters"));
  EXPECT_EQ(Spode("user add someone --role king" + db, &err, secret).exit_code, 1);
  EXPECT_THAT(err, HasSubstr("unknown role"));
  EXPECT_EQ(Spode("user add bdo.sonkh --role officer --scope 99" + db, &err, secret).exit_code, 1);
  EXPECT_THAT(err, HasSubstr("already a user"));
  RunResult list = Spode("user list --json" + db);
  ASSERT_EQ(list.exit_code, 0);
  json users = json::parse(list.out);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["scope"], "990302");
  EXPECT_EQ(users[0]["duties"][0], "registrar");
  EXPECT_EQ(list.out.find("long enough"), std::string::npos);
}

// Starts `spode [--config FILE] serve --db DB --port PORT` with its output discarded, and waits
// up to 10 s for /healthz and then /readyz (the eligibility snapshot is built after the server
// listens). The status of the last /healthz is left in *health.
pid_t StartServe(const std::string& db, int port, const std::string& config,
                 std::pair<int, std::string>* health) {
  pid_t pid = fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    std::string p = std::to_string(port);
    if (config.empty()) {
      execl(SPODE_BINARY, SPODE_BINARY, "serve", "--db", db.c_str(), "--port", p.c_str(),
            static_cast<char*>(nullptr));
    } else {
      execl(SPODE_BINARY, SPODE_BINARY, "--config", config.c_str(), "serve", "--db", db.c_str(),
            "--port", p.c_str(), static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  *health = {-1, ""};
  int ready = -1;
  for (int i = 0; i < 200 && ready != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    *health = Get(port, "/healthz");
    if (health->first == 200) ready = Get(port, "/readyz").first;
  }
  return pid;
}

// Sends SIGTERM and returns the exit status (-1 when the process did not stop in 10 s).
int StopServe(pid_t pid) {
  kill(pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return -1;
}

// The password of a demo account (written by `spode demo` beside the database).
std::string DemoPassword(const std::string& accounts_file, const std::string& username) {
  for (const json& a : json::parse(ReadFile(accounts_file))) {
    if (a["username"] == username) return a["password"];
  }
  return "";
}

TEST_F(CliTest, ServeAnswersHealthReadinessAndMetricsAndStopsOnSigterm) {
  ASSERT_EQ(Spode("demo --households 50 --no-serve --db " + Path("d.db")).exit_code, 0);
  int port = FreePort();
  std::pair<int, std::string> health;
  pid_t pid = StartServe(Path("d.db"), port, "", &health);
  EXPECT_EQ(health.first, 200);
  EXPECT_EQ(json::parse(health.second)["status"], "ok");
  auto ready = Get(port, "/readyz");
  EXPECT_EQ(ready.first, 200);
  EXPECT_EQ(json::parse(ready.second)["migrations"], "current");
  EXPECT_EQ(json::parse(ready.second)["eligibility"], "loaded");
  auto metrics = Get(port, "/metrics");
  EXPECT_EQ(metrics.first, 200);
  EXPECT_THAT(metrics.second, HasSubstr("spode_http_requests_total"));
  EXPECT_THAT(metrics.second, HasSubstr("spode_build_info"));
  // The demo's accounts sign in; the API answers with the session.
  std::string password = DemoPassword(Path("d.db.accounts.json"), "state.officer");
  ASSERT_FALSE(password.empty());
  auto login = Request(port, "POST", "/api/v1/auth/login",
                       json({{"username", "state.officer"}, {"password", password}}).dump());
  ASSERT_EQ(login.first, 200) << login.second;
  std::string token = json::parse(login.second)["token"];
  auto db = spode::storage::Open(Path("d.db"));
  auto fid = (*db)->QueryOne("SELECT family_id FROM households WHERE status = 'active' LIMIT 1");
  auto household = Request(port, "GET", "/api/v1/households/" + (*fid)->Text(0), "", token);
  EXPECT_EQ(household.first, 200);
  EXPECT_EQ(json::parse(household.second)["family_id"], (*fid)->Text(0));
  EXPECT_EQ(Request(port, "GET", "/api/v1/households/" + (*fid)->Text(0)).first, 401);
  auto openapi = Get(port, "/api/v1/openapi.json");
  EXPECT_EQ(openapi.first, 200);
  EXPECT_EQ(json::parse(openapi.second)["openapi"], "3.0.3");
  auto missing = Get(port, "/no-such-page");
  EXPECT_EQ(missing.first, 404);
  EXPECT_EQ(json::parse(missing.second)["code"], "NOT_FOUND");
  EXPECT_EQ(StopServe(pid), 0) << "serve did not stop on SIGTERM, or failed";
  EXPECT_EQ(Get(port, "/healthz").first, -1);
}

TEST_F(CliTest, GrievanceDeadlinesComeFromTheConfigFile) {
  ASSERT_EQ(Spode("demo --households 50 --no-serve --db " + Path("g.db")).exit_code, 0);
  {
    std::ofstream cfg(Path("spode.toml"));
    cfg << "[grievance]\ndeadline_days = 15\n"
           "[grievance.category_deadline_days]\npayment_not_received = 7\n";
  }
  int port = FreePort();
  std::pair<int, std::string> health;
  pid_t pid = StartServe(Path("g.db"), port, Path("spode.toml"), &health);
  ASSERT_EQ(health.first, 200);
  std::string password = DemoPassword(Path("g.db.accounts.json"), "state.officer");
  auto login = Request(port, "POST", "/api/v1/auth/login",
                       json({{"username", "state.officer"}, {"password", password}}).dump());
  ASSERT_EQ(login.first, 200) << login.second;
  std::string token = json::parse(login.second)["token"];
  auto db = spode::storage::Open(Path("g.db"));
  ASSERT_TRUE(db.ok());
  auto member = (*db)->QueryOne("SELECT m.member_id FROM members m JOIN households h ON "
                                "h.household_idx = m.household_idx WHERE h.status = 'active' "
                                "AND m.status = 'active' LIMIT 1");
  ASSERT_TRUE(member.ok() && member->has_value());
  // Filed at the walk-in desk: the configured days, counted from the moment of filing.
  auto file = [&](const std::string& category) {
    auto before = std::chrono::system_clock::now();
    auto r = Request(port, "POST", "/api/v1/grievances",
                     json({{"member_id", (*member)->Text(0)},
                           {"channel", "walk_in"},
                           {"category", category},
                           {"description", "Filed in the config test"}})
                         .dump(),
                     token);
    EXPECT_EQ(r.first, 201) << r.second;
    auto due = spode::Timestamp::Parse(json::parse(r.second).value("deadline", ""));
    EXPECT_TRUE(due.ok()) << r.second;
    auto since = std::chrono::microseconds(due.ok() ? due->micros : 0) -
                 std::chrono::duration_cast<std::chrono::microseconds>(
                     before.time_since_epoch());
    return std::chrono::duration_cast<std::chrono::hours>(since + std::chrono::minutes(5));
  };
  EXPECT_EQ(file("payment_not_received").count(), 7 * 24);
  EXPECT_EQ(file("other").count(), 15 * 24);
  EXPECT_EQ(StopServe(pid), 0);

  // A misspelt category stops the server and the grievance jobs before they start.
  {
    std::ofstream cfg(Path("bad.toml"));
    cfg << "[grievance.category_deadline_days]\npayment_not_recieved = 7\n";
  }
  std::string err;
  RunResult jobs = Spode("--config " + Path("bad.toml") + " grievance escalate --db " +
                             Path("g.db"),
                         &err);
  EXPECT_NE(jobs.exit_code, 0);
  EXPECT_THAT(err, HasSubstr("grievance.category_deadline_days"));
  EXPECT_THAT(err, HasSubstr("payment_not_received"));
  err.clear();
  RunResult serve = Spode("--config " + Path("bad.toml") + " serve --port " +
                              std::to_string(FreePort()) + " --db " + Path("g.db"),
                          &err);
  EXPECT_NE(serve.exit_code, 0);
  EXPECT_THAT(err, HasSubstr("payment_not_recieved"));
}

TEST_F(CliTest, ImportIntoPostgresqlSkippedWithoutSpodeTestPgUrl) {
  const char* base = std::getenv("SPODE_TEST_PG_URL");
  if (base == nullptr || *base == '\0') {
    GTEST_SKIP() << "needs SPODE_TEST_PG_URL (make test starts a server)";
  }
  auto admin = spode::storage::Open(base);
  ASSERT_TRUE(admin.ok()) << admin.status();
  std::string name = "spode_cli_" + std::to_string(getpid());
  ASSERT_TRUE((*admin)->ExecScript("DROP DATABASE IF EXISTS " + name).ok());
  ASSERT_TRUE((*admin)->ExecScript("CREATE DATABASE " + name).ok());
  std::string url(base);
  url = url.substr(0, url.rfind('/') + 1) + name;
  ASSERT_EQ(Spode("generate --households 400 --seed 3 --out " + Path("p.jsonl")).exit_code, 0);
  RunResult r = Spode("import " + Path("p.jsonl") + " --json --db " + url + " --key-file " +
                Path("p.key"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  json report = json::parse(r.out);
  EXPECT_EQ(report["households_imported"].get<int64_t>() + report["households_held"].get<int64_t>(),
            400);
  auto db = spode::storage::Open(url);
  ASSERT_TRUE(db.ok());
  auto n = (*db)->QueryOne("SELECT COUNT(*) FROM households");
  EXPECT_EQ((*n)->Int(0), 400);
  db->reset();
  ASSERT_TRUE((*admin)->ExecScript("DROP DATABASE " + name).ok());
}

}  // namespace
