#include "app/commands.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "access/identities.h"
#include "app/backup.h"
#include "app/command_support.h"
#include "app/grievance_commands.h"
#include "app/payments_commands.h"
#include "app/serve.h"
#include "app/state.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "payments/disbursement.h"
#include "payments/mapper.h"
#include "programs/cycles.h"
#include "programs/decide.h"
#include "programs/enrolment.h"
#include "programs/proposals.h"
#include "programs/scheme.h"
#include "programs/simulate.h"
#include "programs/store.h"
#include "registry/importer.h"
#include "registry/registry.h"
#include "registry/snapshot.h"
#include "sim/generator.h"

namespace spode::app {
namespace {

using nlohmann::json;

void PrintJson(const json& j) { std::cout << j.dump(2) << std::endl; }

json ReportJson(const registry::ImportReport& r) {
  double members = static_cast<double>(r.members_imported + r.members_held);
  return {{"file", r.file},
          {"lines", r.lines},
          {"blank_lines", r.blank_lines},
          {"households_imported", r.households_imported},
          {"members_imported", r.members_imported},
          {"households_held", r.households_held},
          {"members_held", r.members_held},
          {"households_rejected", r.households_rejected},
          {"rejects_file", r.rejects_file.empty() ? json(nullptr) : json(r.rejects_file)},
          {"seconds", r.seconds},
          {"members_per_second", r.seconds > 0 ? members / r.seconds : 0.0}};
}

void PrintReport(const registry::ImportReport& r) {
  std::printf("Imported %lld households (%lld members) from %s in %.1f s.\n",
              static_cast<long long>(r.households_imported),
              static_cast<long long>(r.members_imported), r.file.c_str(), r.seconds);
  if (r.households_held > 0) {
    std::printf("Held %lld households (%lld members) as possible duplicates for an officer "
                "(`spode duplicates list`).\n",
                static_cast<long long>(r.households_held), static_cast<long long>(r.members_held));
  }
  if (r.households_rejected > 0) {
    std::printf("Rejected %lld lines; each is in %s with its line number and reason.\n",
                static_cast<long long>(r.households_rejected), r.rejects_file.c_str());
  }
  if (r.blank_lines > 0) {
    std::printf("Skipped %lld blank lines.\n", static_cast<long long>(r.blank_lines));
  }
}

Result<registry::ImportReport> RunImport(const Config& config, const std::string& file,
                                         int batch) {
  ASSIGN_OR_RETURN(State state, OpenState(config));
  SystemTimeSource clock(config.time.utc_offset_minutes);
  registry::ImportOptions options;
  if (batch > 0) options.batch_households = batch;
  ProgressBar bar("importing", 1);
  std::unique_ptr<ProgressBar> progress;
  options.progress = [&](int64_t done, int64_t total) {
    if (!progress) progress = std::make_unique<ProgressBar>("importing", total);
    progress->Update(done);
  };
  ASSIGN_OR_RETURN(auto importer,
                   registry::Importer::Create(*state.db, *state.key, clock, std::move(options)));
  auto report = importer->ImportFile(file);
  if (progress) progress->Finish();
  return report;
}

Result<int64_t> RunGenerate(int64_t households, uint64_t seed, const std::string& out) {
  sim::GeneratorOptions options;
  options.households = households;
  options.seed = seed;
  ProgressBar bar("generating", households);
  RETURN_IF_ERROR(sim::WriteFile(options, out, [&](int64_t done) { bar.Update(done); }));
  bar.Finish();
  return households;
}

// --- spode generate ---
void AddGenerate(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    int64_t households = 1000;
    uint64_t seed = 1;
    std::string out;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write a synthetic population (one household per line, docs/household-format.md).\n"
      "Example: spode generate --households 10000 --seed 7 --out state.jsonl");
  cmd->add_option("--households", o->households, "how many households")->check(CLI::Range(1, 100000000));
  cmd->add_option("--seed", o->seed, "the same seed gives the same file, byte for byte");
  cmd->add_option("--out", o->out, "output file, or - for standard output")->required();
  cmd->add_flag("--json", o->json, "print the result as one JSON document");
  cmd->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto config = LoadConfig(g);
      if (!config.ok()) return Fail(config.status(), o->json);
      auto start = std::chrono::steady_clock::now();
      auto n = RunGenerate(o->households, o->seed, o->out);
      if (!n.ok()) return Fail(n.status(), o->json);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (o->json) {
        PrintJson({{"file", o->out}, {"households", *n}, {"seed", o->seed}, {"seconds", secs}});
      } else if (o->out != "-") {
        std::printf("Wrote %lld households to %s (seed %llu) in %.1f s.\n",
                    static_cast<long long>(*n), o->out.c_str(),
                    static_cast<unsigned long long>(o->seed), secs);
      }
      return 0;
    };
  });
}

// --- spode import ---
void AddImport(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string file, db, key_file;
    int batch = 0;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Enrol households from a JSON Lines file, with de-duplication.\n"
      "Bad lines go to FILE.rejects.jsonl with their line number and reason; possible duplicates\n"
      "are held for an officer. Exit status 1 only when nothing could be imported.\n"
      "Example: spode import state.jsonl --db state.db");
  cmd->add_option("file", o->file, "the household file")->required();
  cmd->add_option("--db", o->db, "SQLite path or postgresql:// URL");
  cmd->add_option("--key-file", o->key_file, "vault key file (default: <db>.key)");
  cmd->add_option("--batch", o->batch, "households per transaction (default 5000)");
  cmd->add_flag("--json", o->json, "print the report as one JSON document");
  cmd->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto config = ConfigForCommand(g, o->db, o->key_file);
      if (!config.ok()) return Fail(config.status(), o->json);
      auto report = RunImport(*config, o->file, o->batch);
      if (!report.ok()) return Fail(report.status(), o->json);
      if (o->json) {
        PrintJson(ReportJson(*report));
      } else {
        PrintReport(*report);
      }
      bool nothing = report->households_imported + report->households_held == 0 &&
                     report->households_rejected > 0;
      return nothing ? 1 : 0;
    };
  });
}

// --- spode household show ---
void AddHousehold(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string family_id, db, key_file, as_of;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("household", "Look at a household in the registry.");
  group->require_subcommand(1);
  CLI::App* cmd = group->add_subcommand(
      "show",
      "Show a household and its members (IDs masked); the read is recorded in the access log.\n"
      "Example: spode household show 4830175926 --db state.db --as-of 2026-04-01T00:00:00Z");
  cmd->add_option("family_id", o->family_id, "the 10-digit family ID")->required();
  cmd->add_option("--db", o->db, "SQLite path or postgresql:// URL");
  cmd->add_option("--key-file", o->key_file, "vault key file (default: <db>.key)");
  cmd->add_option("--as-of", o->as_of, "show the household as it was at this RFC 3339 time");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto config = ConfigForCommand(g, o->db, o->key_file);
      if (!config.ok()) return Fail(config.status(), o->json);
      std::optional<Timestamp> as_of;
      if (!o->as_of.empty()) {
        auto t = Timestamp::Parse(o->as_of);
        if (!t.ok()) return Fail(t.status(), o->json);
        as_of = *t;
      }
      auto state = OpenState(*config);
      if (!state.ok()) return Fail(state.status(), o->json);
      SystemTimeSource clock(config->time.utc_offset_minutes);
      registry::Registry reg(*state->db, *state->key, clock);
      auto h = reg.GetHousehold(o->family_id, as_of);
      if (!h.ok()) return Fail(h.status(), o->json);
      // Recorded in the access log before it is shown, as a read through the server would be.
      auto where = state->db->QueryOne(
          "SELECT household_idx, village_code FROM households WHERE family_id = ?",
          {o->family_id});
      if (!where.ok()) return Fail(where.status(), o->json);
      access::Resource r{o->family_id, *where ? (*where)->Int(0) : 0,
                         *where ? (*where)->Text(1) : ""};
      if (Status s = RecordCommandLineRead(*config, clock, access::Action::kHouseholdRead, r,
                                           "spode household show");
          !s.ok()) {
        return Fail(s, o->json);
      }
      if (o->json) {
        PrintJson(*h);
        return 0;
      }
      const json& a = (*h)["address"];
      std::printf("Family %s (%s), village %s, block %s, district %s\n",
                  (*h)["family_id"].get<std::string>().c_str(),
                  (*h)["status"].get<std::string>().c_str(),
                  a["village_name"].get<std::string>().c_str(),
                  a["block_name"].get<std::string>().c_str(),
                  a["district_name"].get<std::string>().c_str());
      std::printf("  attributes: %s\n", (*h)["attributes"].dump().c_str());
      for (const json& m : (*h)["members"]) {
        std::printf("  %s  %-28s %s %s  %-15s  ID %s\n",
                    m["member_id"].get<std::string>().c_str(),
                    m["name"].get<std::string>().c_str(), m["sex"].get<std::string>().c_str(),
                    m["dob"].get<std::string>().c_str(),
                    m["relationship"].get<std::string>().c_str(),
                    m["national_id"].is_string() ? m["national_id"].get<std::string>().c_str()
                                                 : "none");
      }
      return 0;
    };
  });
}

// --- spode duplicates list|decide ---
void AddDuplicates(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string db, key_file, decision, officer;
    int64_t hold_id = 0;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group =
      app.add_subcommand("duplicates", "The queue of possible duplicates held for an officer.");
  group->require_subcommand(1);
  CLI::App* list = group->add_subcommand(
      "list", "List pending holds, each with the held and the existing person side by side.\n"
              "Example: spode duplicates list --db state.db --json");
  CLI::App* decide = group->add_subcommand(
      "decide", "Decide a hold: same_person (the held household is not enrolled) or "
                "different_people (it is).\n"
                "Example: spode duplicates decide 12 different_people --as officer1 --db state.db");
  for (CLI::App* c : {list, decide}) {
    c->add_option("--db", o->db, "SQLite path or postgresql:// URL");
    c->add_option("--key-file", o->key_file, "vault key file (default: <db>.key)");
    c->add_flag("--json", o->json, "print one JSON document");
  }
  decide->add_option("hold_id", o->hold_id, "the hold's id")->required();
  decide->add_option("decision", o->decision, "same_person or different_people")
      ->required()
      ->check(CLI::IsMember({"same_person", "different_people"}));
  decide->add_option("--as", o->officer,
                     "the deciding officer's user name (registrar duty, the household in their "
                     "area; checked and logged)")
      ->required();
  auto run = [o](bool deciding) {
    return [o, deciding](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db, o->key_file);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      const State* state = &opened->state;
      const SystemTimeSource& clock = *opened->clock;
      registry::Registry reg(*state->db, *state->key, clock);
      if (deciding) {
        // The same decision as the API's: --as must be an officer with the registrar duty whose
        // area holds the household, and the gate records it, allowed or denied.
        auto held = state->db->QueryOne(
            "SELECT h.household_idx, h.village_code FROM duplicate_holds d JOIN households h ON "
            "h.household_idx = d.household_idx WHERE d.hold_id = ?",
            {o->hold_id});
        if (!held.ok()) return Fail(held.status(), o->json);
        if (!*held) {
          return Fail(NotFoundError("no duplicate hold " + std::to_string(o->hold_id)), o->json);
        }
        auto officer = AuthorizedAs(
            *opened, o->officer, access::Action::kDuplicateDecide,
            {"hold:" + std::to_string(o->hold_id), (*held)->Int(0), (*held)->Text(1)},
            "deduplication");
        if (!officer.ok()) return Fail(officer.status(), o->json);
        Status s = reg.DecideHold(o->hold_id, o->decision, officer->principal.Actor());
        if (!s.ok()) return Fail(s, o->json);
        if (o->json)
          PrintJson({{"hold_id", o->hold_id}, {"decision", o->decision}});
        else
          std::printf("Hold %lld decided: %s.\n", static_cast<long long>(o->hold_id),
                      o->decision.c_str());
        return 0;
      }
      auto holds = reg.ListDuplicateHolds();
      if (!holds.ok()) return Fail(holds.status(), o->json);
      if (Status s = RecordCommandLineRead(opened->config, clock, access::Action::kDuplicateList,
                                           {"duplicates", 0, ""}, "spode duplicates list");
          !s.ok()) {
        return Fail(s, o->json);
      }
      if (o->json) {
        PrintJson(*holds);
      } else {
        for (const json& h : *holds) {
          std::printf("#%lld family %s: held %s (%s, %s) resembles %s (%s, %s)\n",
                      static_cast<long long>(h["id"].get<int64_t>()),
                      h["family_id"].get<std::string>().c_str(),
                      h["held_member"]["member_id"].get<std::string>().c_str(),
                      h["held_member"]["name"].get<std::string>().c_str(),
                      h["held_member"]["dob"].get<std::string>().c_str(),
                      h["existing_member"]["member_id"].get<std::string>().c_str(),
                      h["existing_member"]["name"].get<std::string>().c_str(),
                      h["existing_member"]["dob"].get<std::string>().c_str());
        }
        std::printf("%zu pending.\n", holds->size());
      }
      return 0;
    };
  };
  list->callback([&global, run] { global.run = run(false); });
  decide->callback([&global, run] { global.run = run(true); });
}

// The demo's accounts, one per stakeholder role: created once with random passwords, which are
// kept in a file beside the demo database (mode 0600) and printed at every start.
Result<json> EnsureDemoAccounts(const Config& config, const std::string& file) {
  if (std::filesystem::exists(file)) {
    std::ifstream in(file);
    return json::parse(in, nullptr, false);
  }
  ASSIGN_OR_RETURN(State state, OpenState(config));
  ASSIGN_OR_RETURN(auto district, state.db->QueryOne("SELECT code FROM places WHERE level = "
                                                     "'district' ORDER BY code LIMIT 1"));
  ASSIGN_OR_RETURN(auto block, state.db->QueryOne("SELECT code FROM places WHERE level = 'block' "
                                                  "ORDER BY code LIMIT 1"));
  std::string d = district ? district->Text(0) : "9901";
  std::string b = block ? block->Text(0) : "990101";
  SystemTimeSource clock(config.time.utc_offset_minutes);
  access::Identities ids(*state.db, clock);
  using access::Duty;
  using access::Role;
  struct Demo {
    const char* name;
    const char* display;
    Role role;
    std::string scope;
    std::set<Duty> duties;
    std::string client_scopes = "";
  };
  std::vector<Demo> demo = {
      {"state.officer", "State officer", Role::kOfficer, "99",
       {Duty::kRegistrar, Duty::kSchemeAdmin, Duty::kApprover, Duty::kGrievanceOfficer}},
      {"scheme.officer", "Scheme officer (prepares cycles)", Role::kOfficer, "99",
       {Duty::kSchemeAdmin}},
      {"district.officer", "District officer", Role::kOfficer, d,
       {Duty::kRegistrar, Duty::kApprover, Duty::kGrievanceOfficer}},
      {"block.officer", "Block officer", Role::kOfficer, b, {Duty::kRegistrar}},
      {"operator", "Service-centre operator", Role::kOperator, "CSC-" + b + "-01", {}},
      {"bank", "State Bank (demo)", Role::kBank, "SBIN", {}, "disburse mapper/link"},
      {"provider", "District hospital (demo)", Role::kProvider, "HOSP-" + d, {}},
      {"auditor", "Social auditor", Role::kAuditor, "", {}},
      {"admin", "Administrator", Role::kAdmin, "", {}},
      {"developer", "Partner app (demo)", Role::kDeveloper, "", {}, "registry.read"},
  };
  json out = json::array();
  for (const Demo& a : demo) {
    std::string password = crypto::ToHex(crypto::RandomBytes(8));
    RETURN_IF_ERROR(
        ids.AddUser({a.name, a.display, a.role, a.scope, a.duties, password, a.client_scopes})
            .status());
    json duties = json::array();
    for (Duty du : a.duties) duties.push_back(access::DutyName(du));
    out.push_back({{"username", a.name},
                   {"password", password},
                   {"role", access::RoleName(a.role)},
                   {"scope", a.scope},
                   {"duties", duties}});
  }
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return UnavailableError("cannot write " + file);
  std::string text = out.dump(2) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) return UnavailableError("cannot write " + file);
  return out;
}

// The shipped schemes, stored and activated once (by the demo's state officer).
Result<json> EnsureDemoSchemes(const Config& config, const std::string& dir) {
  ASSIGN_OR_RETURN(State state, OpenState(config));
  SystemTimeSource clock(config.time.utc_offset_minutes);
  programs::SchemeStore store(*state.db, clock);
  ASSIGN_OR_RETURN(json listed, store.List());
  if (!listed.empty()) return listed;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    spdlog::warn("no scheme files in {}: the demo has no schemes", dir);
    return listed;
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    RETURN_IF_ERROR(store.Add(text.str(), f.string(), "user:state.officer").status());
    ASSIGN_OR_RETURN(programs::Scheme s, programs::ParseScheme(text.str(), f.string()));
    RETURN_IF_ERROR(store.SetStatus(s.id, "active", "user:state.officer"));
  }
  return store.List();
}

// The demo's money: everyone eligible for an active scheme is proposed, noticed (as if 16 days
// ago) and enrolled; the old-age pension's cycle for this month is prepared by the scheme
// officer, approved by the district and then the state officer, exported to bank files beside
// the database, and answered by a simulated bank: paid, except about 3% returned with real
// reason codes, which become re-entry events. Skipped when the demo already has a cycle.
Result<json> EnsureDemoPayments(const Config& config) {
  ASSIGN_OR_RETURN(State state, OpenState(config));
  storage::Database& db = *state.db;
  ASSIGN_OR_RETURN(auto cycles, db.QueryOne("SELECT COUNT(*) FROM cycles"));
  if (cycles->Int(0) > 0) return json{{"reused", true}};
  SystemTimeSource clock(config.time.utc_offset_minutes);
  json out = {{"reused", false}};
  ASSIGN_OR_RETURN(int64_t linked, payments::SeedFromRegistry(db, clock));
  out["accounts_linked"] = linked;
  ASSIGN_OR_RETURN(auto snap, registry::Snapshot::Build(db));
  programs::SchemeStore store(db, clock);
  ASSIGN_OR_RETURN(auto active, store.Load("active"));
  ManualTimeSource earlier(clock.Now().PlusSeconds(-16 * 86400));
  ASSIGN_OR_RETURN(programs::EligibilityRunReport found,
                   programs::RunEligibility(db, *snap, earlier, ""));
  json enrolled = json::object();
  for (const auto& s : active) {
    RETURN_IF_ERROR(
        programs::SendNotices(db, earlier, s.scheme.id, s.scheme.objection_days).status());
    ASSIGN_OR_RETURN(programs::EnrolDueReport e, programs::EnrolDue(db, clock, s.scheme.id));
    enrolled[s.scheme.id] = e.enrolled;
  }
  out["enrolled"] = enrolled;
  const std::string scheme = "old_age_pension";
  bool has_pension = false;
  for (const auto& s : active) has_pension |= s.scheme.id == scheme;
  if (!has_pension) return out;
  Period month = Period::Containing(Period::Kind::kMonth, clock.Today());
  ASSIGN_OR_RETURN(programs::CycleSummary c,
                   programs::CreateCycle(db, clock, store, *snap, scheme, month.ToString(),
                                         "user:scheme.officer"));
  for (const auto& [who, level] : {std::pair<const char*, const char*>{"user:district.officer",
                                                                         "district"},
                                   {"user:state.officer", "state"}}) {
    if (c.tiers.size() == 1 && std::string(level) == "district") continue;
    RETURN_IF_ERROR(
        payments::ApproveCycle(db, clock, store, c.cycle_id, {.actor = who, .level = level})
            .status());
  }
  ASSIGN_OR_RETURN(payments::GenerateReport gen,
                   payments::GenerateInstructions(db, clock, c.cycle_id));
  payments::ExportOptions options;
  options.out_dir = BankFilesDir(config);
  ASSIGN_OR_RETURN(auto files, payments::ExportBatches(db, clock, *state.key, c.cycle_id, options));
  // The simulated bank: about 3% returned, with the reasons India's DBT sees most.
  ASSIGN_OR_RETURN(auto sent, db.Query("SELECT instruction_id FROM payment_instructions WHERE "
                                       "cycle_id = ? AND status = 'sent' ORDER BY instruction_id",
                                       {c.cycle_id}));
  static const char* const kReturns[] = {"RJCT,AC04,ACCOUNT CLOSED", "RJCT,AC06,ACCOUNT FROZEN",
                                         "RJCT,AM21,SMALL ACCOUNT LIMIT EXCEEDED",
                                         "RJCT,BE01,NAME MISMATCH", "RJCT,MD07,HOLDER DECEASED"};
  std::string csv = "end_to_end_id,status,reason_code,reason_detail\n";
  int64_t n = 0;
  for (const auto& r : sent) {
    ++n;
    csv += r.Text(0) + (n % 33 == 0 ? "," + std::string(kReturns[(n / 33) % 5]) : ",ACSC,,") +
           "\n";
  }
  std::filesystem::path status_file = options.out_dir / "demo-bank-status.csv";
  {
    std::ofstream f(status_file, std::ios::binary);
    f << csv;
  }
  ASSIGN_OR_RETURN(payments::ImportReport imported,
                   payments::ImportStatusFile(db, clock, csv, status_file.filename().string()));
  out["cycle"] = programs::CycleJson(c);
  out["instructions"] = payments::GenerateReportJson(gen);
  out["bank_files"] = static_cast<int64_t>(files.size());
  out["paid"] = imported.paid;
  out["returned"] = imported.rejected + imported.returned;
  return out;
}

void PrintDemoAccounts(const json& accounts) {
  std::printf("\nDemo accounts (also in the .accounts.json file beside the database):\n");
  for (const json& a : accounts) {
    std::printf("  %-18s password %-18s %-9s %s\n", a["username"].get<std::string>().c_str(),
                a["password"].get<std::string>().c_str(), a["role"].get<std::string>().c_str(),
                a["scope"].get<std::string>().c_str());
  }
  std::printf("Citizens sign in with their member ID and a one-time code, shown at /dev/outbox "
              "in the demo.\n");
}

// --- spode demo ---
void AddDemo(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    int64_t households = 100000;
    std::string db = "demo/spode.db";
    int port = 8080;
    bool no_serve = false;
    bool json = false;
    std::string schemes_dir = "schemes";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Build a demo state (a synthetic population in an SQLite file) if it is not there yet, "
      "and serve it.\nExample: spode demo --households 10000 --port 8080");
  cmd->add_option("--households", o->households, "households in a new demo state")
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--db", o->db, "the demo database (reused when it exists)");
  cmd->add_option("--port", o->port, "port to serve on")->check(CLI::Range(0, 65535));
  cmd->add_flag("--no-serve", o->no_serve, "build the demo state and exit");
  cmd->add_option("--schemes", o->schemes_dir, "where the demo's scheme files are (default: schemes)");
  cmd->add_flag("--json", o->json, "print the result as one JSON document");
  cmd->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto config = LoadConfig(g);
      if (!config.ok()) return Fail(config.status(), o->json);
      config->database.url = o->db;
      config->server.port = o->port;
      std::filesystem::path db_path(o->db);
      if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path());
      json result = {{"db", o->db}};
      {
        auto state = OpenState(*config);
        if (!state.ok()) return Fail(state.status(), o->json);
        auto count = state->db->QueryOne("SELECT COUNT(*) FROM households");
        if (!count.ok()) return Fail(count.status(), o->json);
        result["reused"] = (*count)->Int(0) > 0;
      }
      if (!result["reused"].get<bool>()) {
        std::string file = o->db + ".households.jsonl";
        if (!o->json) {
          std::printf("Creating a demo state of %lld households in %s ...\n",
                      static_cast<long long>(o->households), o->db.c_str());
        }
        auto gen = RunGenerate(o->households, 2026, file);
        if (!gen.ok()) return Fail(gen.status(), o->json);
        auto report = RunImport(*config, file, 0);
        if (!report.ok()) return Fail(report.status(), o->json);
        std::filesystem::remove(file);
        result["import"] = ReportJson(*report);
        if (!o->json) PrintReport(*report);
      } else if (!o->json) {
        std::printf("Reusing the demo state in %s (delete it to start afresh).\n", o->db.c_str());
      }
      {
        auto state = OpenState(*config);
        if (!state.ok()) return Fail(state.status(), o->json);
        SystemTimeSource clock(config->time.utc_offset_minutes);
        registry::Registry reg(*state->db, *state->key, clock);
        auto summary = reg.Summary();
        if (!summary.ok()) return Fail(summary.status(), o->json);
        result["summary"] = *summary;
      }
      auto accounts = EnsureDemoAccounts(*config, o->db + ".accounts.json");
      if (!accounts.ok()) return Fail(accounts.status(), o->json);
      result["accounts"] = *accounts;
      auto schemes = EnsureDemoSchemes(*config, o->schemes_dir);
      if (!schemes.ok()) return Fail(schemes.status(), o->json);
      result["schemes"] = *schemes;
      auto money = EnsureDemoPayments(*config);
      if (!money.ok()) return Fail(money.status(), o->json);
      result["payments"] = *money;
      if (!o->json && !(*money)["reused"].get<bool>() && money->contains("cycle")) {
        std::printf("Paid the old-age pension for %s: %lld paid, %lld returned (each a re-entry "
                    "event with its reason); bank files in %s.\n",
                    (*money)["cycle"]["period"].get<std::string>().c_str(),
                    static_cast<long long>((*money)["paid"].get<int64_t>()),
                    static_cast<long long>((*money)["returned"].get<int64_t>()),
                    BankFilesDir(*config).c_str());
      }
      if (o->no_serve) {
        if (o->json) PrintJson(result);
        else PrintDemoAccounts(*accounts);
        return 0;
      }
      PrintDemoAccounts(result["accounts"]);
      return Serve(*config, {.demo = true, .dev_outbox = true});
    };
  });
}

// --- spode user add|list ---
void AddUser(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string name, role, scope, display, db, key_file, client_scopes;
    std::vector<std::string> duties;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("user", "Staff accounts.");
  group->require_subcommand(1);
  CLI::App* add = group->add_subcommand(
      "add",
      "Add a staff account; the password is read from standard input (at least 10 "
      "characters).\n"
      "Example: echo 'a long secret' | spode user add bdo.sonkh --role officer --scope 990302 "
      "--duty registrar --db state.db");
  add->add_option("name", o->name, "user name: 3-40 of a-z 0-9 . _ -")->required();
  add->add_option("--role", o->role,
                  "operator, officer, bank, provider, developer, auditor or admin")
      ->required();
  add->add_option("--scope", o->scope,
                  "officer: area code (state 2, district 4, block 6 digits); operator: centre; "
                  "bank: IFSC bank code; provider: provider id");
  add->add_option("--duty", o->duties,
                  "officer duties: registrar, scheme_admin, approver, grievance_officer");
  add->add_option("--display-name", o->display, "name shown to people");
  add->add_option("--client-scopes", o->client_scopes,
                  "machine clients (developer, bank, provider): OAuth2 scopes they may request "
                  "at /oauth2/client/token, space separated");
  CLI::App* list = group->add_subcommand("list", "List staff accounts.\nExample: spode user "
                                                 "list --db state.db --json");
  for (CLI::App* c : {add, list}) {
    c->add_option("--db", o->db, "SQLite path or postgresql:// URL");
    c->add_option("--key-file", o->key_file, "vault key file (default: <db>.key)");
    c->add_flag("--json", o->json, "print one JSON document");
  }
  auto run = [o](bool adding) {
    return [o, adding](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db, o->key_file);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      const State* state = &opened->state;
      const SystemTimeSource& clock = *opened->clock;
      access::Identities ids(*state->db, clock);
      if (!adding) {
        auto users = ids.ListUsers();
        if (!users.ok()) return Fail(users.status(), o->json);
        if (o->json) {
          PrintJson(*users);
        } else {
          for (const json& u : *users) {
            std::printf("%-24s %-10s %-10s %s\n", u["username"].get<std::string>().c_str(),
                        u["role"].get<std::string>().c_str(),
                        u["scope"].get<std::string>().c_str(), u["duties"].dump().c_str());
          }
        }
        return 0;
      }
      access::NewUser user;
      user.username = o->name;
      user.display_name = o->display;
      auto role = access::ParseRole(o->role);
      if (!role.ok()) return Fail(role.status(), o->json);
      user.role = *role;
      user.scope = o->scope;
      user.client_scopes = o->client_scopes;
      for (const std::string& d : o->duties) {
        auto duty = access::ParseDuty(d);
        if (!duty.ok()) return Fail(duty.status(), o->json);
        user.duties.insert(*duty);
      }
      std::getline(std::cin, user.password);
      if (!user.password.empty() && user.password.back() == '\r') user.password.pop_back();
      auto id = ids.AddUser(user);
      if (!id.ok()) return Fail(id.status(), o->json);
      if (o->json)
        PrintJson({{"username", user.username}, {"role", o->role}});
      else
        std::printf("Added %s (%s).\n", user.username.c_str(), o->role.c_str());
      return 0;
    };
  };
  add->callback([&global, run] { global.run = run(true); });
  list->callback([&global, run] { global.run = run(false); });
}

// --- spode scheme check|test ---
void AddScheme(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::vector<std::string> files;
    std::string date;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("scheme", "Scheme files: check and test them.");
  group->require_subcommand(1);
  CLI::App* check = group->add_subcommand(
      "check", "Parse and type-check scheme files against the attribute catalogue.\n"
               "Example: spode scheme check schemes/old_age_pension.yaml");
  CLI::App* test = group->add_subcommand(
      "test", "Run the inline tests of scheme files and report each.\n"
              "Example: spode scheme test schemes/*.yaml");
  for (CLI::App* c : {check, test}) {
    c->add_option("files", o->files, "scheme YAML files")->required();
    c->add_flag("--json", o->json, "print one JSON document");
  }
  test->add_option("--date", o->date, "the evaluation date for tests that give none (default: today)");
  struct StoreOpts {
    std::vector<std::string> files;
    std::string id, db, as, status;
    bool json = false;
  };
  auto so = std::make_shared<StoreOpts>();
  CLI::App* add = group->add_subcommand(
      "add", "Store scheme files as new versions (a new scheme starts as a draft). Needs an "
             "officer with the scheme_admin duty.\n"
             "Example: spode scheme add schemes/old_age_pension.yaml --as state.officer --db state.db");
  add->add_option("files", so->files, "scheme YAML files")->required();
  CLI::App* status = group->add_subcommand(
      "status", "Move a scheme through its lifecycle: draft → active → suspended → active, or "
                "closed.\nExample: spode scheme status old_age_pension active --as state.officer "
                "--db state.db");
  status->add_option("id", so->id, "the scheme id")->required();
  status->add_option("status", so->status, "active, suspended or closed")
      ->required()
      ->check(CLI::IsMember({"active", "suspended", "closed"}));
  CLI::App* list = group->add_subcommand("list", "List stored schemes.\nExample: spode scheme list "
                                                 "--db state.db --json");
  for (CLI::App* c : {add, status, list}) {
    c->add_option("--db", so->db, "SQLite path or postgresql:// URL");
    c->add_flag("--json", so->json, "print one JSON document");
  }
  for (CLI::App* c : {add, status}) {
    c->add_option("--as", so->as, "the officer (scheme_admin duty) acting")->required();
  }
  auto store_run = [so](int what) {
    return [so, what](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, so->db);
      if (!opened.ok()) return Fail(opened.status(), so->json);
      const State* state = &opened->state;
      const SystemTimeSource& clock = *opened->clock;
      programs::SchemeStore store(*state->db, clock);
      if (what == 2) {
        auto l = store.List();
        if (!l.ok()) return Fail(l.status(), so->json);
        if (so->json) {
          PrintJson(*l);
        } else {
          for (const json& s : *l) {
            std::printf("%-24s v%-3d %-9s %s\n", s["id"].get<std::string>().c_str(),
                        static_cast<int>(s["version"].get<int64_t>()),
                        s["status"].get<std::string>().c_str(),
                        s["name"]["en"].get<std::string>().c_str());
          }
        }
        return 0;
      }
      // The gate's scheme.edit, as the API's: an officer with the scheme_admin duty; each file
      // and each change of status is a decision, recorded.
      auto staff = GateFor(*opened, so->as);
      if (!staff.ok()) return Fail(staff.status(), so->json);
      auto may = [&](const std::string& object) {
        return staff->gate->Authorize(*state->db, staff->principal, access::Action::kSchemeEdit,
                                      {object, 0, ""}, "policy_design", "cli");
      };
      const std::string actor = staff->principal.Actor();
      if (what == 0) {
        json out = json::array();
        for (const std::string& file : so->files) {
          std::ifstream in(file, std::ios::binary);
          if (!in) return Fail(NotFoundError("cannot open " + file), so->json);
          std::stringstream text;
          text << in.rdbuf();
          Status allowed =
              may("scheme_file:" + std::filesystem::path(file).filename().string());
          if (!allowed.ok()) return Fail(allowed, so->json);
          auto version = store.Add(text.str(), file, actor);
          if (!version.ok()) return Fail(version.status(), so->json);
          out.push_back({{"file", file}, {"version", *version}});
          if (!so->json) std::printf("Stored %s as version %d.\n", file.c_str(), *version);
        }
        if (so->json) PrintJson(out);
        return 0;
      }
      if (Status allowed = may("scheme:" + so->id); !allowed.ok()) return Fail(allowed, so->json);
      Status s = store.SetStatus(so->id, so->status, actor);
      if (!s.ok()) return Fail(s, so->json);
      if (so->json)
        PrintJson({{"id", so->id}, {"status", so->status}});
      else
        std::printf("%s is now %s.\n", so->id.c_str(), so->status.c_str());
      return 0;
    };
  };
  add->callback([&global, store_run] { global.run = store_run(0); });
  status->callback([&global, store_run] { global.run = store_run(1); });
  list->callback([&global, store_run] { global.run = store_run(2); });
  auto run = [o](bool testing) {
    return [o, testing](const GlobalOptions& g) {
      auto config = LoadConfig(g);
      if (!config.ok()) return Fail(config.status(), o->json);
      SystemTimeSource clock(config->time.utc_offset_minutes);
      Date today = clock.Today();
      if (!o->date.empty()) {
        auto d = Date::Parse(o->date);
        if (!d.ok()) return Fail(d.status(), o->json);
        today = *d;
      }
      json report = json::array();
      int failures = 0;
      for (const std::string& file : o->files) {
        json entry = {{"file", file}};
        auto scheme = programs::LoadScheme(file);
        Result<programs::CompiledScheme> compiled =
            scheme.ok() ? programs::Compile(*scheme, registry::RulesSchema())
                        : Result<programs::CompiledScheme>(scheme.status());
        if (!compiled.ok()) {
          ++failures;
          entry["ok"] = false;
          entry["error"] = compiled.status().message();
          if (!o->json) std::printf("FAIL %s\n  %s\n", file.c_str(), compiled.status().message().c_str());
          report.push_back(entry);
          continue;
        }
        entry["ok"] = true;
        entry["scheme"] = scheme->id;
        entry["clauses"] = scheme->eligibility.size();
        if (!testing) {
          if (!o->json) {
            std::printf("ok   %s: %s, %zu clauses, %s %s\n", file.c_str(), scheme->id.c_str(),
                        scheme->eligibility.size(),
                        std::string(programs::FrequencyName(scheme->frequency)).c_str(),
                        std::string(programs::BenefitName(scheme->benefit)).c_str());
          }
          report.push_back(entry);
          continue;
        }
        auto outcomes = programs::RunTests(*compiled, today);
        if (!outcomes.ok()) return Fail(outcomes.status(), o->json);
        json tests = json::array();
        int passed = 0;
        for (const programs::TestOutcome& t : *outcomes) {
          tests.push_back({{"name", t.name}, {"line", t.line}, {"passed", t.passed},
                           {"failure", t.failure}});
          if (t.passed) ++passed;
          else ++failures;
          if (!o->json) {
            std::printf("%s %s:%d %s%s%s\n", t.passed ? "ok  " : "FAIL", file.c_str(), t.line,
                        t.name.c_str(), t.passed ? "" : ": ", t.failure.c_str());
          }
        }
        entry["tests"] = tests;
        entry["passed"] = passed;
        entry["failed"] = static_cast<int>(outcomes->size()) - passed;
        report.push_back(entry);
      }
      if (o->json) PrintJson({{"files", report}, {"failures", failures}});
      else if (testing) std::printf("%s\n", failures == 0 ? "all tests passed" : "some tests failed");
      return failures == 0 ? 0 : 1;
    };
  };
  check->callback([&global, run] { global.run = run(false); });
  test->callback([&global, run] { global.run = run(true); });
}

void PrintTally(const char* title, const json& t) {
  std::printf("%s: %lld\n", title, static_cast<long long>(t["count"].get<int64_t>()));
  for (const char* by : {"by_district", "by_sex", "by_social_category", "by_age_band"}) {
    std::printf("  %-20s", by + 3);
    for (auto it = t[by].begin(); it != t[by].end(); ++it) {
      std::printf(" %s=%lld", it.key().c_str(), static_cast<long long>(it.value().get<int64_t>()));
    }
    std::printf("\n");
  }
}

// --- spode simulate ---
void AddSimulate(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string file, against, db, date;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "What-if: a scheme file over the whole registry before it goes live: how many are "
      "eligible, the cost, breakdowns by district, sex, social category and age band; with "
      "--against, who gains and who loses eligibility and the change in cost.\n"
      "Example: spode simulate draft.yaml --against schemes/old_age_pension.yaml --db state.db");
  cmd->add_option("file", o->file, "the scheme file to simulate")->required();
  cmd->add_option("--against", o->against, "another version (a file) to compare with");
  cmd->add_option("--db", o->db, "SQLite path or postgresql:// URL");
  cmd->add_option("--date", o->date, "the evaluation date (default: today)");
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto config = ConfigForCommand(g, o->db);
      if (!config.ok()) return Fail(config.status(), o->json);
      SystemTimeSource clock(config->time.utc_offset_minutes);
      programs::SimulationOptions options;
      options.date = clock.Today();
      if (!o->date.empty()) {
        auto d = Date::Parse(o->date);
        if (!d.ok()) return Fail(d.status(), o->json);
        options.date = *d;
      }
      auto load = [](const std::string& f) -> Result<programs::CompiledScheme> {
        ASSIGN_OR_RETURN(programs::Scheme s, programs::LoadScheme(f));
        return programs::Compile(s, registry::RulesSchema());
      };
      auto scheme = load(o->file);
      if (!scheme.ok()) return Fail(scheme.status(), o->json);
      std::optional<programs::CompiledScheme> against;
      if (!o->against.empty()) {
        auto a = load(o->against);
        if (!a.ok()) return Fail(a.status(), o->json);
        against = std::move(*a);
      }
      auto state = OpenState(*config);
      if (!state.ok()) return Fail(state.status(), o->json);
      auto start = std::chrono::steady_clock::now();
      auto snap = registry::Snapshot::Build(*state->db);
      if (!snap.ok()) return Fail(snap.status(), o->json);
      double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      start = std::chrono::steady_clock::now();
      auto report = programs::Simulate(*scheme, against ? &*against : nullptr, **snap, options);
      if (!report.ok()) return Fail(report.status(), o->json);
      double eval_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (Status s = programs::ResolveSamples(*state->db, *report,
                                              scheme->scheme.unit == rules::Unit::kPerson, "");
          !s.ok()) {
        return Fail(s, o->json);
      }
      (*report)["seconds"] = {{"load_snapshot", load_s}, {"evaluate", eval_s}};
      if (o->json) {
        PrintJson(*report);
        return 0;
      }
      const json& r = *report;
      std::printf("%s (version %d) on %s, over %zu households\n", scheme->scheme.id.c_str(),
                  scheme->scheme.version, options.date.ToString().c_str(),
                  (*snap)->live_households());
      PrintTally("eligible", r["eligible"]);
      std::printf("cost: %s a period, %s a year\n", r["cost"]["per_period"].get<std::string>().c_str(),
                  r["cost"]["per_year"].get<std::string>().c_str());
      if (r.contains("against")) {
        std::printf("\nagainst %s (version %d): %lld eligible, %s a year\n",
                    r["against"]["scheme"].get<std::string>().c_str(),
                    static_cast<int>(r["against"]["version"].get<int64_t>()),
                    static_cast<long long>(r["against"]["eligible"].get<int64_t>()),
                    r["against"]["cost"]["per_year"].get<std::string>().c_str());
        PrintTally("gain eligibility", r["gain"]);
        PrintTally("lose eligibility", r["lose"]);
        std::printf("cost change: %s a year\n", r["cost_change"]["per_year"].get<std::string>().c_str());
      }
      std::printf("(snapshot loaded in %.2f s, evaluated in %.3f s)\n", load_s, eval_s);
      return 0;
    };
  });
}

// --- spode eligibility run ---
void AddEligibility(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string scheme, db;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("eligibility", "Proactive identification.");
  group->require_subcommand(1);
  CLI::App* run = group->add_subcommand(
      "run", "Evaluate every active scheme (or one) over the whole registry and propose, with "
             "the explanation, everyone newly eligible and not yet proposed. Running it again "
             "with no registry change proposes nobody new.\n"
             "Example: spode eligibility run --db state.db");
  run->add_option("--scheme", o->scheme, "only this scheme");
  run->add_option("--db", o->db, "SQLite path or postgresql:// URL");
  run->add_flag("--json", o->json, "print one JSON document");
  run->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      const State* state = &opened->state;
      const SystemTimeSource& clock = *opened->clock;
      auto snap = registry::Snapshot::Build(*state->db);
      if (!snap.ok()) return Fail(snap.status(), o->json);
      auto report = programs::RunEligibility(*state->db, **snap, clock, o->scheme,
                                             [&](std::string_view id) {
                                               if (!o->json) {
                                                 std::fprintf(stderr, "evaluating %s ...\n",
                                                              std::string(id).c_str());
                                               }
                                             });
      if (!report.ok()) return Fail(report.status(), o->json);
      if (o->json) {
        PrintJson(programs::ReportJson(*report));
      } else {
        for (const auto& s : report->schemes) {
          std::printf("%-24s v%d: %lld eligible, %lld newly proposed (%.1f s)\n",
                      s.scheme_id.c_str(), s.version, static_cast<long long>(s.eligible),
                      static_cast<long long>(s.new_proposals), s.seconds);
        }
      }
      return 0;
    };
  });
}

// --- spode serve ---
void AddServe(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string db, bind, key_file, web_root;
    int port = -1, workers = -1;
    bool dev_outbox = false;
    int eligibility_every = 360;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve spode over HTTP: the API under /api/v1 (described at /api/v1/openapi.json), the "
      "web pages at /, and /healthz, /readyz, /metrics.\n"
      "Listens at once; /readyz answers 503 until the eligibility snapshot is built.\n"
      "Stops gracefully on SIGTERM or Ctrl-C.\n"
      "Example: spode serve --db state.db --port 8080");
  cmd->add_option("--db", o->db, "SQLite path or postgresql:// URL");
  cmd->add_option("--port", o->port, "port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--bind", o->bind, "address to listen on (default 127.0.0.1)");
  cmd->add_option("--workers", o->workers, "worker threads (default: one per core)");
  cmd->add_option("--key-file", o->key_file, "vault key file (default: <db>.key)");
  cmd->add_option("--eligibility-every", o->eligibility_every,
                  "minutes between runs of the proactive eligibility job (0: never)")
      ->check(CLI::Range(0, 100000));
  cmd->add_flag("--dev-outbox", o->dev_outbox,
                "also serve GET /dev/outbox, the messages sent (one-time codes included): for "
                "demos and tests only, never in production");
  cmd->add_option("--web-root", o->web_root,
                  "the built web front end to serve at / (default: web/dist beside the binary, "
                  "in its parent directory, or in the working directory)");
  cmd->callback([o, &global] {
    global.run = [o](const GlobalOptions& g) {
      auto config = ConfigForCommand(g, o->db, o->key_file);
      if (!config.ok()) return Fail(config.status(), false);
      if (!o->bind.empty()) config->server.bind = o->bind;
      if (o->port >= 0) config->server.port = o->port;
      if (o->workers >= 0) config->server.workers = o->workers;
      return Serve(*config, {.demo = false,
                             .dev_outbox = o->dev_outbox,
                             .eligibility_every_minutes = o->eligibility_every,
                             .web_root = o->web_root});
    };
  });
}

}  // namespace

Result<Config> LoadConfig(const GlobalOptions& global) {
  Config config;
  if (!global.config_file.empty()) {
    ASSIGN_OR_RETURN(config, Config::Load(global.config_file));
  }
  if (!global.log_level.empty()) config.log.level = global.log_level;
  InitLogging({config.log.level, config.log.format});
  return config;
}

int Fail(const Status& status, bool json) {
  std::string message = RedactNationalIds(status.message());
  std::fprintf(stderr, "spode: %s (%s)\n", message.c_str(),
               std::string(StatusCodeName(status.code())).c_str());
  if (json) {
    PrintJson({{"error", {{"code", StatusCodeName(status.code())}, {"message", message}}}});
  }
  return 1;
}

std::vector<Command> Commands() {
  std::vector<Command> all = {{AddGenerate}, {AddImport}, {AddHousehold}, {AddDuplicates},
                              {AddUser},     {AddScheme}, {AddSimulate},   {AddEligibility}};
  for (Command& c : PaymentCommands()) all.push_back(std::move(c));
  all.push_back({AddDemo});
  all.push_back({AddServe});
  for (Command& c : GrievanceCommands()) all.push_back(std::move(c));  // after serve: adds to it
  all.push_back({AddBackup});
  return all;
}

int RunSelected(const GlobalOptions& global) {
  if (!global.run) return 2;
  return global.run(global);
}

}  // namespace spode::app
