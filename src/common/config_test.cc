#include "common/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace spode {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Status ParseStatus(std::string_view toml) { return Config::Parse(toml, "test.toml").status(); }

TEST(ConfigTest, DefaultsAreValid) {
  Config c;
  EXPECT_EQ(c.Validate(), OkStatus());
  EXPECT_EQ(c.database.url, "spode.db");
  EXPECT_EQ(c.database.busy_timeout_ms, 5000);
  EXPECT_EQ(c.database.pool_size, 0);
  EXPECT_EQ(c.database.read_map_mb, 2048);
  EXPECT_EQ(c.server.bind, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.server.workers, 0);
  EXPECT_EQ(c.server.max_body_bytes, 1 << 20);
  EXPECT_EQ(c.server.max_header_bytes, 16 << 10);
  EXPECT_EQ(c.server.max_connections, 10000);
  EXPECT_EQ(c.server.request_timeout_ms, 10000);
  EXPECT_EQ(c.server.idle_timeout_ms, 60000);
  EXPECT_EQ(c.server.household_view_cache_mb, 64);
  EXPECT_EQ(c.vault.key_file, "");
  EXPECT_EQ(c.time.utc_offset_minutes, 330);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
}

TEST(ConfigTest, EmptyTextGivesDefaults) {
  Result<Config> c = Config::Parse("");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->database.url, "spode.db");
  EXPECT_EQ(c->server.port, 8080);
  EXPECT_EQ(c->log.level, "info");
}

constexpr std::string_view kFullFile = R"toml(
# Every setting spode reads.
[database]
url = "postgresql://spode@db.internal:5432/spode"
busy_timeout_ms = 2500
pool_size = 16
read_map_mb = 0

[server]
bind = "0.0.0.0"
port = 9090
workers = 8
max_body_bytes = 4194304
max_header_bytes = 32768
max_connections = 500
request_timeout_ms = 30000
idle_timeout_ms = 120000
household_view_cache_mb = 0

[vault]
key_file = "/etc/spode/vault.key"

[time]
utc_offset_minutes = 0

[log]
level = "debug"
format = "json"
)toml";

TEST(ConfigTest, ParseFullFile) {
  Result<Config> r = Config::Parse(kFullFile, "spode.toml");
  ASSERT_TRUE(r.ok()) << r.status();
  const Config& c = *r;
  EXPECT_EQ(c.database.url, "postgresql://spode@db.internal:5432/spode");
  EXPECT_EQ(c.database.busy_timeout_ms, 2500);
  EXPECT_EQ(c.database.pool_size, 16);
  EXPECT_EQ(c.database.read_map_mb, 0);
  EXPECT_EQ(c.server.bind, "0.0.0.0");
  EXPECT_EQ(c.server.port, 9090);
  EXPECT_EQ(c.server.workers, 8);
  EXPECT_EQ(c.server.max_body_bytes, 4194304);
  EXPECT_EQ(c.server.max_header_bytes, 32768);
  EXPECT_EQ(c.server.max_connections, 500);
  EXPECT_EQ(c.server.request_timeout_ms, 30000);
  EXPECT_EQ(c.server.idle_timeout_ms, 120000);
  EXPECT_EQ(c.server.household_view_cache_mb, 0);
  EXPECT_EQ(c.vault.key_file, "/etc/spode/vault.key");
  EXPECT_EQ(c.time.utc_offset_minutes, 0);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
}

TEST(ConfigTest, PartialFileKeepsOtherDefaults) {
  Result<Config> c = Config::Parse("[server]\nport = 0\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.port, 0);  // 0: any free port
  EXPECT_EQ(c->server.bind, "127.0.0.1");
  EXPECT_EQ(c->database.url, "spode.db");
}

TEST(ConfigTest, InlineTablesWork) {
  Result<Config> c = Config::Parse("database = { url = \"x.db\", pool_size = 2 }\n");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->database.url, "x.db");
  EXPECT_EQ(c->database.pool_size, 2);
}

TEST(ConfigTest, UnknownKeyIsNamed) {
  Status s = ParseStatus("[server]\nport = 80\nprot = 81\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "test.toml: unknown setting \"server.prot\"");
}

TEST(ConfigTest, UnknownSectionIsNamed) {
  Status s = ParseStatus("[databse]\nurl = \"x.db\"\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"databse.url\""));
}

TEST(ConfigTest, NestedUnknownTableIsNamed) {
  Status s = ParseStatus("[server.tls]\ncert = \"a.pem\"\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("\"server.tls\""));
}

TEST(ConfigTest, UnknownTopLevelScalarIsAnError) {
  Status s = ParseStatus("port = 8080\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), StartsWith("test.toml: unknown setting \"port\""));
  EXPECT_THAT(s.message(), HasSubstr("[server]"));
}

TEST(ConfigTest, GrievanceDeadlinesWithPerCategoryTable) {
  Result<Config> c = Config::Parse(
      "[grievance]\ndeadline_days = 15\nappeal_window_days = 45\ninterim_percent = 50\n"
      "[grievance.category_deadline_days]\npayment_not_received = 7\ndata_misuse = 30\n",
      "test.toml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->grievance.deadline_days, 15);
  EXPECT_EQ(c->grievance.appeal_window_days, 45);
  EXPECT_EQ(c->grievance.interim_percent, 50);
  EXPECT_EQ(c->grievance.escalated_deadline_days, 21);  // not set: the default
  EXPECT_EQ(c->grievance.category_deadline_days,
            (std::map<std::string, int>{{"data_misuse", 30}, {"payment_not_received", 7}}));
  EXPECT_TRUE(Config{}.grievance.category_deadline_days.empty());
}

TEST(ConfigTest, GrievanceDeadlinesOutOfRangeOrMistypedAreNamed) {
  struct Case {
    std::string_view toml;
    std::string_view message;
  };
  for (const Case& c : {
           Case{"[grievance]\ndeadline_days = 0\n",
                "grievance.deadline_days is 0; it must be between 1 and 3650"},
           Case{"[grievance]\ninterim_percent = 100\n",
                "grievance.interim_percent is 100; it must be between 1 and 99"},
           Case{"[grievance.category_deadline_days]\nother = 4000\n",
                "grievance.category_deadline_days.other is 4000; it must be between 1 and 3650"},
           Case{"[grievance.category_deadline_days]\nother = \"7\"\n",
                "test.toml: grievance.category_deadline_days.other must be an integer"},
           Case{"[grievance]\ncategory_deadline_days = 7\n",
                "test.toml: grievance.category_deadline_days must be a table of names and "
                "integers"},
           Case{"[grievance]\ndeadline = 7\n", "test.toml: unknown setting \"grievance.deadline\""},
       }) {
    Status s = ParseStatus(c.toml);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.toml;
    EXPECT_THAT(s.message(), HasSubstr(std::string(c.message))) << c.toml;
  }
}

TEST(ConfigTest, WrongTypesNameTheKey) {
  struct Case {
    std::string_view toml;
    std::string_view message;
  };
  for (const Case& c : {
           Case{"[server]\nport = \"8080\"\n", "test.toml: server.port must be an integer"},
           Case{"[server]\nport = 80.5\n", "test.toml: server.port must be an integer"},
           Case{"[server]\nport = true\n", "test.toml: server.port must be an integer"},
           Case{"[server]\nmax_body_bytes = [1]\n",
                "test.toml: server.max_body_bytes must be an integer"},
           Case{"[database]\nurl = 5\n", "test.toml: database.url must be a string"},
           Case{"[log]\nlevel = false\n", "test.toml: log.level must be a string"},
           Case{"[vault]\nkey_file = { path = \"x\" }\n",
                "test.toml: vault.key_file must be a string"},
           Case{"[server]\nport = 9999999999\n",
                "test.toml: server.port must be an integer in range"},
           Case{"[time]\nutc_offset_minutes = -9999999999\n",
                "test.toml: time.utc_offset_minutes must be an integer in range"},
       }) {
    Status s = ParseStatus(c.toml);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.toml;
    EXPECT_EQ(s.message(), c.message) << c.toml;
  }
}

TEST(ConfigTest, Int64SettingTakesLargeValues) {
  Status s = ParseStatus("[server]\nmax_body_bytes = 9999999999\n");
  // Fits int64 (no type error) but is beyond the 1 GiB limit.
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "test.toml: server.max_body_bytes is 9999999999; it must be between 1024 and "
            "1073741824");
}

TEST(ConfigTest, OutOfRangePort) {
  Status s = ParseStatus("[server]\nport = 70000\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "test.toml: server.port is 70000; it must be between 0 and 65535");
  EXPECT_EQ(ParseStatus("[server]\nport = -1\n").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Config::Parse("[server]\nport = 65535\n").ok());
}

TEST(ConfigTest, BadLogLevelAndFormat) {
  Status s = ParseStatus("[log]\nlevel = \"verbose\"\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "test.toml: log.level must be one of trace, debug, info, warn, error");
  for (std::string_view level : {"trace", "debug", "info", "warn", "error"}) {
    std::string toml = "[log]\nlevel = \"" + std::string(level) + "\"\n";
    Result<Config> c = Config::Parse(toml);
    ASSERT_TRUE(c.ok()) << level << ": " << c.status();
    EXPECT_EQ(c->log.level, level);
  }
  EXPECT_EQ(ParseStatus("[log]\nlevel = \"INFO\"\n").code(), StatusCode::kInvalidArgument);
  Status f = ParseStatus("[log]\nformat = \"xml\"\n");
  EXPECT_EQ(f.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(f.message(), "test.toml: log.format must be text or json");
}

TEST(ConfigTest, ValidateRanges) {
  struct Case {
    void (*mutate)(Config&);
    std::string_view message;
  };
  const Case kCases[] = {
      {[](Config& c) { c.database.url = ""; }, "database.url is empty"},
      {[](Config& c) { c.database.busy_timeout_ms = -1; },
       "database.busy_timeout_ms is -1; it must be between 0 and 600000"},
      {[](Config& c) { c.database.busy_timeout_ms = 600001; },
       "database.busy_timeout_ms is 600001; it must be between 0 and 600000"},
      {[](Config& c) { c.database.pool_size = 1025; },
       "database.pool_size is 1025; it must be between 0 and 1024"},
      {[](Config& c) { c.database.read_map_mb = -1; },
       "database.read_map_mb is -1; it must be between 0 and 1048576"},
      {[](Config& c) { c.server.workers = -1; },
       "server.workers is -1; it must be between 0 and 1024"},
      {[](Config& c) { c.server.max_body_bytes = 1023; },
       "server.max_body_bytes is 1023; it must be between 1024 and 1073741824"},
      {[](Config& c) { c.server.max_header_bytes = (1 << 20) + 1; },
       "server.max_header_bytes is 1048577; it must be between 1024 and 1048576"},
      {[](Config& c) { c.server.max_connections = 0; },
       "server.max_connections is 0; it must be between 1 and 1000000"},
      {[](Config& c) { c.server.request_timeout_ms = 99; },
       "server.request_timeout_ms is 99; it must be between 100 and 3600000"},
      {[](Config& c) { c.server.idle_timeout_ms = 3600001; },
       "server.idle_timeout_ms is 3600001; it must be between 100 and 3600000"},
      {[](Config& c) { c.server.household_view_cache_mb = -1; },
       "server.household_view_cache_mb is -1; it must be between 0 and 1048576"},
      {[](Config& c) { c.time.utc_offset_minutes = -721; },
       "time.utc_offset_minutes is -721; it must be between -720 and 840"},
      {[](Config& c) { c.time.utc_offset_minutes = 841; },
       "time.utc_offset_minutes is 841; it must be between -720 and 840"},
      {[](Config& c) { c.log.format = "JSON"; }, "log.format must be text or json"},
  };
  for (const Case& k : kCases) {
    Config c;
    k.mutate(c);
    Status s = c.Validate();
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << k.message;
    EXPECT_EQ(s.message(), k.message);
  }
  Config edges;
  edges.time.utc_offset_minutes = -720;
  edges.server.max_body_bytes = int64_t{1} << 30;
  edges.database.busy_timeout_ms = 0;
  EXPECT_EQ(edges.Validate(), OkStatus());
  edges.time.utc_offset_minutes = 840;
  EXPECT_EQ(edges.Validate(), OkStatus());
}

TEST(ConfigTest, SyntaxErrorReportsLine) {
  Status s = ParseStatus("[server]\nport = 80\nbind = \n[log]\n");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), StartsWith("test.toml:3:")) << s.message();

  Status dup = ParseStatus("[server]\nport = 80\n\n\nport = 81\n");
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(dup.message(), StartsWith("test.toml:5:")) << dup.message();
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("spode_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, std::string_view text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(ConfigFileTest, LoadFile) {
  std::string path = Write("spode.toml", kFullFile);
  Result<Config> c = Config::Load(path);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->server.port, 9090);
  EXPECT_EQ(c->log.format, "json");
}

TEST_F(ConfigFileTest, LoadMissingFileIsNotFound) {
  std::string path = (dir_ / "absent.toml").string();
  Status s = Config::Load(path).status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "no config file at " + path);
}

TEST_F(ConfigFileTest, LoadErrorsNameTheFile) {
  std::string path = Write("bad.toml", "[server]\nport = 70000\n");
  Status s = Config::Load(path).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), path + ": server.port is 70000; it must be between 0 and 65535");

  std::string syntax = Write("syntax.toml", "[server\n");
  Status t = Config::Load(syntax).status();
  EXPECT_EQ(t.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(t.message(), StartsWith(syntax + ":1:"));
}

// Regression: loading a directory read nothing and returned the defaults as if it were an
// empty file.
TEST_F(ConfigFileTest, LoadDirectoryIsAnError) {
  Status s = Config::Load(dir_.string()).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("is a directory"));
}

TEST(KeyFileForTest, SqlitePath) {
  Config c;
  EXPECT_EQ(KeyFileFor(c), "spode.db.key");
  c.database.url = "/var/lib/spode/data.db";
  EXPECT_EQ(KeyFileFor(c), "/var/lib/spode/data.db.key");
  c.database.url = "demo/spode.db";
  EXPECT_EQ(KeyFileFor(c), "demo/spode.db.key");
}

TEST(KeyFileForTest, SqlitePrefix) {
  Config c;
  c.database.url = "sqlite:demo/spode.db";
  EXPECT_EQ(KeyFileFor(c), "demo/spode.db.key");
  c.database.url = "sqlite:/abs/x.db";
  EXPECT_EQ(KeyFileFor(c), "/abs/x.db.key");
}

// Regression: an in-memory SQLite database got the key file ":memory:.key" in the working
// directory.
TEST(KeyFileForTest, InMemorySqlite) {
  Config c;
  c.database.url = ":memory:";
  EXPECT_EQ(KeyFileFor(c), "spode.key");
  c.database.url = "sqlite::memory:";
  EXPECT_EQ(KeyFileFor(c), "spode.key");
}

TEST(KeyFileForTest, Postgres) {
  Config c;
  c.database.url = "postgresql://spode@db:5432/spode";
  EXPECT_EQ(KeyFileFor(c), "spode.key");
  c.database.url = "postgres://db/spode";
  EXPECT_EQ(KeyFileFor(c), "spode.key");
}

TEST(KeyFileForTest, ConfiguredValueWins) {
  Config c;
  c.vault.key_file = "/etc/spode/vault.key";
  EXPECT_EQ(KeyFileFor(c), "/etc/spode/vault.key");
  c.database.url = "postgresql://db/spode";
  EXPECT_EQ(KeyFileFor(c), "/etc/spode/vault.key");
  c.database.url = "sqlite:x.db";
  EXPECT_EQ(KeyFileFor(c), "/etc/spode/vault.key");
}

}  // namespace
}  // namespace spode
