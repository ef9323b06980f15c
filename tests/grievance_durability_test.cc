// Grievance durability, end to end (issue 6, "Tests"): a ticket number is given only after the
// grievance is committed, so a server killed with SIGKILL the moment a 201 arrives, and started
// again on the same database, still has it. Runs the real `spode serve` on SQLite, and on
// PostgreSQL too when SPODE_TEST_PG_URL is set (in a fresh schema, through the URL's
// options=-csearch_path).
//
//   1. one at a time: file, SIGKILL as soon as the 201 arrives, restart, read the ticket back;
//      60 times, seeded;
//   2. bursts: 8 clients file as fast as they can while the server is killed at a random
//      moment (seeded); after the restart every ticket any client received is there, with its
//      description; 5 times.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "storage/database.h"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr char kPassword[] = "durable-grievance-officer";
constexpr uint32_t kSeed = 20261129;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `spode ARGS` (standard input from `input`, if any); returns the exit code.
int Spode(const std::string& args, const std::string& log, const std::string& input = "") {
  std::string cmd = std::string(SPODE_BINARY) + " --log-level warn " + args + " >>" + log + " 2>&1";
  if (!input.empty()) cmd = "printf '%s\\n' '" + input + "' | " + cmd;
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
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

// One HTTP/1.1 request; the status and body, or -1 when nothing (complete) answers.
std::pair<int, std::string> Request(int port, const std::string& method, const std::string& path,
                                    const std::string& body = "", const std::string& bearer = "") {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
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
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) < 0) {
    close(fd);
    return {-1, ""};
  }
  std::string resp;
  char buf[4096];
  ssize_t k;
  while ((k = read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(k));
  close(fd);
  size_t body_at = resp.find("\r\n\r\n");
  if (resp.size() < 12 || body_at == std::string::npos) return {-1, ""};
  // Only a complete body counts as an answer.
  size_t length_at = resp.find("Content-Length: ");
  if (length_at == std::string::npos) length_at = resp.find("content-length: ");
  if (length_at != std::string::npos && length_at < body_at &&
      std::stoul(resp.substr(length_at + 16)) != resp.size() - body_at - 4) {
    return {-1, ""};
  }
  return {std::stoi(resp.substr(9, 3)), resp.substr(body_at + 4)};
}

class GrievanceDurabilityTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::random_device r;
    dir_ = fs::temp_directory_path() /
           ("spode_durable_" + std::to_string(getpid()) + "_" + std::to_string(r() % 1000000));
    fs::create_directories(dir_);
    log_ = Path("spode.log");
    key_ = Path("state.key");
    if (GetParam() == "postgres") {
      const char* base = std::getenv("SPODE_TEST_PG_URL");
      ASSERT_NE(base, nullptr);
      auto admin = spode::storage::Open(base);
      ASSERT_TRUE(admin.ok()) << admin.status();
      schema_ = "spode_durable_" + std::to_string(getpid()) + "_" + std::to_string(r() % 100000);
      ASSERT_TRUE((*admin)->ExecScript("CREATE SCHEMA " + schema_).ok());
      std::string b(base);
      url_ =
          b + (b.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema_;
    } else {
      url_ = Path("state.db");
    }
    // A small state: 300 households, and a grievance officer for the whole state (99), who
    // files for citizens at the walk-in desk and reads any ticket.
    const std::string db = " --db '" + url_ + "' --key-file " + key_;
    ASSERT_EQ(Spode("generate --households 300 --seed 7 --out " + Path("p.jsonl"), log_), 0)
        << ReadFile(log_);
    ASSERT_EQ(Spode("import " + Path("p.jsonl") + db, log_), 0) << ReadFile(log_);
    ASSERT_EQ(Spode("user add desk.officer --role officer --scope 99 --duty grievance_officer" + db,
                    log_, kPassword),
              0)
        << ReadFile(log_);
    auto conn = spode::storage::Open(url_);
    ASSERT_TRUE(conn.ok()) << conn.status();
    auto rows = (*conn)->Query(
        "SELECT m.member_id FROM members m JOIN households h ON h.household_idx = "
        "m.household_idx WHERE h.status = 'active' AND m.status = 'active' ORDER BY "
        "m.member_idx LIMIT 200");
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const auto& row : *rows) members_.push_back(row.Text(0));
    ASSERT_GE(members_.size(), 50u);
  }

  void TearDown() override {
    Kill();
    if (!schema_.empty()) {
      auto admin = spode::storage::Open(std::getenv("SPODE_TEST_PG_URL"));
      if (admin.ok())
        (*admin)->ExecScript("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE").IgnoreError();
    }
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // Starts `spode serve` on a free port and waits for /readyz; signs in the first time.
  void Start() {
    port_ = FreePort();
    const std::string port = std::to_string(port_);
    pid_ = fork();
    if (pid_ == 0) {
      int out = ::open(log_.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
      dup2(out, 1);
      dup2(out, 2);
      execl(SPODE_BINARY, SPODE_BINARY, "--log-level", "warn", "serve", "--db", url_.c_str(),
            "--key-file", key_.c_str(), "--port", port.c_str(), "--workers", "8",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    bool up = false;
    for (int i = 0; i < 400 && !up; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      up = Request(port_, "GET", "/readyz").first == 200;
    }
    ASSERT_TRUE(up) << "spode serve did not start: " << ReadFile(log_);
    if (token_.empty()) {
      auto login = Request(port_, "POST", "/api/v1/auth/login",
                           json({{"username", "desk.officer"}, {"password", kPassword}}).dump());
      ASSERT_EQ(login.first, 200) << login.second;
      token_ = json::parse(login.second)["token"];
    }
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  // POST /api/v1/grievances for `member` at the walk-in desk.
  std::pair<int, std::string> FileFor(const std::string& member, const std::string& text) {
    return Request(port_, "POST", "/api/v1/grievances",
                   json({{"member_id", member},
                         {"channel", "walk_in"},
                         {"category", "payment_not_received"},
                         {"description", text}})
                       .dump(),
                   token_);
  }

  // The ticket is there, with the description it was filed with.
  void ExpectStored(const std::string& ticket, const std::string& text) {
    auto got = Request(port_, "GET", "/api/v1/grievances/" + ticket, "", token_);
    ASSERT_EQ(got.first, 200) << ticket << " lost after SIGKILL: " << got.second;
    EXPECT_EQ(json::parse(got.second)["description"], text) << ticket;
  }

  fs::path dir_;
  std::string url_, key_, log_, schema_, token_;
  std::vector<std::string> members_;
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST_P(GrievanceDurabilityTest, ATicketSurvivesSigkillTheMomentIts201Arrives) {
  std::mt19937 random(kSeed);
  std::vector<std::pair<std::string, std::string>> filed;  // ticket, description
  constexpr int kRounds = 60;
  for (int round = 0; round <= kRounds; ++round) {
    ASSERT_NO_FATAL_FAILURE(Start());
    // Everything filed before any of the kills is still there.
    for (const auto& [ticket, text] : filed) ASSERT_NO_FATAL_FAILURE(ExpectStored(ticket, text));
    if (round == kRounds) break;
    const std::string member = members_[random() % members_.size()];
    const std::string text = "round " + std::to_string(round) + ": pension for " + member +
                             " not paid (" + std::to_string(random()) + ")";
    auto r = FileFor(member, text);
    ASSERT_EQ(r.first, 201) << r.second;
    Kill();  // at once: before anything else can happen
    filed.emplace_back(json::parse(r.second)["ticket"].get<std::string>(), text);
  }
  EXPECT_EQ(filed.size(), static_cast<size_t>(kRounds));
}

TEST_P(GrievanceDurabilityTest, NoTicketAnyClientReceivedIsLostWhenKilledDuringABurst) {
  std::mt19937 random(kSeed + 1);
  std::vector<std::pair<std::string, std::string>> received;  // ticket, description
  std::mutex mu;
  constexpr int kBursts = 5, kClients = 8;
  int64_t answered_total = 0;
  for (int burst = 0; burst < kBursts; ++burst) {
    ASSERT_NO_FATAL_FAILURE(Start());
    std::atomic<bool> stop{false};
    std::atomic<int64_t> answered{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      const uint32_t client_seed = static_cast<uint32_t>(random());
      clients.emplace_back([&, c, client_seed] {
        std::mt19937 mine(client_seed);
        for (int i = 0; !stop.load(); ++i) {
          const std::string member = members_[mine() % members_.size()];
          const std::string text = "burst " + std::to_string(burst) + " client " +
                                   std::to_string(c) + " #" + std::to_string(i);
          auto r = FileFor(member, text);
          if (r.first == 201) {
            ++answered;
            std::lock_guard lock(mu);
            received.emplace_back(json::parse(r.second)["ticket"].get<std::string>(), text);
          } else if (r.first != -1) {
            ADD_FAILURE() << "filing answered " << r.first << ": " << r.second;
            return;
          }
        }
      });
    }
    // Kill at a random moment, once filings are flowing.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (answered.load() < 5 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(random() % 400000));
    Kill();
    stop = true;
    for (auto& t : clients) t.join();
    EXPECT_GT(answered.load(), 0) << "burst " << burst << ": no filing was answered";
    answered_total += answered.load();
  }
  ASSERT_NO_FATAL_FAILURE(Start());
  for (const auto& [ticket, text] : received) ASSERT_NO_FATAL_FAILURE(ExpectStored(ticket, text));
  EXPECT_EQ(static_cast<int64_t>(received.size()), answered_total);
  RecordProperty("tickets_checked", static_cast<int>(received.size()));
  std::printf("[          ] %zu tickets received during %d killed bursts, all found\n",
              received.size(), kBursts);
}

std::vector<std::string> Backends() {
  std::vector<std::string> b = {"sqlite"};
  const char* pg = std::getenv("SPODE_TEST_PG_URL");
  if (pg != nullptr && *pg != '\0') b.push_back("postgres");
  return b;
}

INSTANTIATE_TEST_SUITE_P(Backends, GrievanceDurabilityTest, ::testing::ValuesIn(Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
