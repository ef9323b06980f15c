// `spode cycle ...`, `spode payments ...`, `spode ledger check`, `spode enrolment ...`: the
// programme and payment jobs of issue 5 on the command line. Commands that act for a person take
// --as USERNAME (a staff account), decided by the access gate with the API's rules, recorded in
// the access log (allowed or denied) and as the actor of what they do.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/command_support.h"
#include "app/commands.h"
#include "app/payments_commands.h"
#include "app/state.h"
#include "common/time_source.h"
#include "payments/disbursement.h"
#include "payments/mapper.h"
#include "payments/reconcile.h"
#include "programs/cycles.h"
#include "programs/eligibility.h"
#include "programs/enrolment.h"
#include "programs/store.h"
#include "registry/snapshot.h"

namespace spode::app {
namespace {

using nlohmann::json;

std::string Rs(int64_t paise) { return "Rs " + Money::FromPaise(paise).ToString(); }

void AddCycle(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string scheme, period, cycle, db, as, reason;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("cycle", "Payment cycles: create, approve, follow.");
  group->require_subcommand(1);
  CLI::App* create = group->add_subcommand(
      "create", "Create the cycle of a scheme for a period: freezes who is paid and how much.\n"
                "Example: spode cycle create --scheme old_age_pension --period 2026-11 "
                "--as district.officer --db state.db");
  create->add_option("--scheme", o->scheme, "the scheme id")->required();
  create->add_option("--period", o->period, "YYYY-MM (monthly), YYYY-Qn (quarterly), YYYY")
      ->required();
  create->add_option("--as", o->as, "the officer (scheme_admin duty) preparing it")->required();
  CLI::App* approve = group->add_subcommand(
      "approve", "Approve the next tier of a cycle (shows the total and the budget left).\n"
                 "Example: spode cycle approve old_age_pension/2026-11 --as state.officer "
                 "--db state.db");
  approve->add_option("cycle", o->cycle, "the cycle: its number or scheme/period")->required();
  approve->add_option("--as", o->as, "the approving officer (approver duty)")->required();
  CLI::App* cancel = group->add_subcommand(
      "cancel", "Cancel a cycle not yet approved.\nExample: spode cycle cancel 3 --reason "
                "\"wrong period\" --as district.officer --db state.db");
  cancel->add_option("cycle", o->cycle, "the cycle")->required();
  cancel->add_option("--reason", o->reason, "why")->required();
  cancel->add_option("--as", o->as, "the officer (scheme_admin duty)")->required();
  CLI::App* list = group->add_subcommand("list", "List cycles.\nExample: spode cycle list "
                                                 "--scheme old_age_pension --db state.db");
  list->add_option("--scheme", o->scheme, "only this scheme");
  CLI::App* show = group->add_subcommand(
      "show", "A cycle's progress: counts and amounts by state, and its bank files.\n"
              "Example: spode cycle show old_age_pension/2026-11 --db state.db");
  show->add_option("cycle", o->cycle, "the cycle")->required();
  for (CLI::App* c : {create, approve, cancel, list, show}) {
    c->add_option("--db", o->db, "SQLite path or postgresql:// URL");
    c->add_flag("--json", o->json, "print one JSON document");
  }
  auto run = [o](int what) {
    return [o, what](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      storage::Database& db = *opened->state.db;
      const TimeSource& clock = *opened->clock;
      programs::SchemeStore store(db, clock);
      if (what == 0) {  // create
        auto p = AuthorizedAs(*opened, o->as, access::Action::kCyclePrepare,
                              {"cycle:" + o->scheme + "/" + o->period, 0, ""}, "payments");
        if (!p.ok()) return Fail(p.status(), o->json);
        auto snap = registry::Snapshot::Build(db);
        if (!snap.ok()) return Fail(snap.status(), o->json);
        auto c = programs::CreateCycle(db, clock, store, **snap, o->scheme, o->period,
                                       p->principal.Actor());
        if (!c.ok()) return Fail(c.status(), o->json);
        json j = programs::CycleJson(*c);
        j["created"] = c->created;
        j["not_eligible"] = c->not_eligible;
        if (o->json) {
          PrintJsonDocument(j);
        } else {
          std::printf("%s cycle %lld (%s/%s): %lld beneficiaries, %s, rules version %d.\n",
                      c->created ? "Created" : "Found existing", static_cast<long long>(c->cycle_id),
                      c->scheme_id.c_str(), c->period.c_str(),
                      static_cast<long long>(c->beneficiaries), Rs(c->total.paise()).c_str(),
                      c->scheme_version);
          if (c->not_eligible > 0) {
            std::printf("%lld enrolled are no longer eligible and are left out (propose their "
                        "exits: spode enrolment exits).\n",
                        static_cast<long long>(c->not_eligible));
          }
          std::printf("Next: approval by a %s-level officer (spode cycle approve %lld).\n",
                      c->tiers.empty() ? "state" : c->tiers[0].c_str(),
                      static_cast<long long>(c->cycle_id));
        }
        return 0;
      }
      if (what == 3) {  // list
        auto cycles = programs::ListCycles(db, o->scheme);
        if (!cycles.ok()) return Fail(cycles.status(), o->json);
        json out = json::array();
        for (const auto& c : *cycles) out.push_back(programs::CycleJson(c));
        if (o->json) {
          PrintJsonDocument(out);
        } else {
          for (const auto& c : *cycles) {
            std::printf("%5lld  %-24s %-8s %-10s %9lld  %s  (%d/%zu approvals)\n",
                        static_cast<long long>(c.cycle_id), c.scheme_id.c_str(), c.period.c_str(),
                        c.status.c_str(), static_cast<long long>(c.beneficiaries),
                        Rs(c.total.paise()).c_str(), c.approvals_done, c.tiers.size());
          }
          if (cycles->empty()) std::printf("No cycles yet.\n");
        }
        return 0;
      }
      auto c = programs::FindCycle(db, o->cycle);
      if (!c.ok()) return Fail(c.status(), o->json);
      if (what == 1) {  // approve
        auto p = AuthorizedAs(*opened, o->as, access::Action::kCycleApprove,
                              {"cycle:" + std::to_string(c->cycle_id), 0, ""}, "payments");
        if (!p.ok()) return Fail(p.status(), o->json);
        auto preview = programs::ApprovalPreview(db, store, c->cycle_id);
        if (!preview.ok()) return Fail(preview.status(), o->json);
        if (!o->json) {
          std::printf("Cycle %lld (%s/%s): %lld beneficiaries, %s. Budget %s for %s: %s used "
                      "before, %s left.\n",
                      static_cast<long long>(c->cycle_id), c->scheme_id.c_str(), c->period.c_str(),
                      static_cast<long long>(c->beneficiaries), Rs(c->total.paise()).c_str(),
                      Rs((*preview)["budget_paise"]).c_str(),
                      (*preview)["financial_year"].get<std::string>().c_str(),
                      Rs((*preview)["approved_before_paise"]).c_str(),
                      Rs((*preview)["remaining_paise"]).c_str());
        }
        auto r = payments::ApproveCycle(db, clock, store, c->cycle_id,
                                        {.actor = p->principal.Actor(),
                                         .level = p->principal.OfficerLevel()});
        if (!r.ok()) return Fail(r.status(), o->json);
        json j = programs::CycleJson(r->cycle);
        j["tier_approved"] = r->tier;
        j["final"] = r->final;
        if (r->final) {
          auto gen = payments::GenerateInstructions(db, clock, c->cycle_id);
          if (!gen.ok()) return Fail(gen.status(), o->json);
          j["instructions"] = payments::GenerateReportJson(*gen);
          if (!o->json) {
            std::printf("Approved (tier %d of %zu, final). Instructions: %lld ready, %lld held "
                        "(account changed), %lld failed validation.\n",
                        r->tier, r->cycle.tiers.size(), static_cast<long long>(gen->ready),
                        static_cast<long long>(gen->held), static_cast<long long>(gen->invalid));
          }
        } else if (!o->json) {
          std::printf("Approved tier %d of %zu; next: a %s-level officer.\n", r->tier,
                      r->cycle.tiers.size(), r->cycle.tiers[static_cast<size_t>(r->tier)].c_str());
        }
        if (o->json) PrintJsonDocument(j);
        return 0;
      }
      if (what == 2) {  // cancel
        auto p = AuthorizedAs(*opened, o->as, access::Action::kCyclePrepare,
                              {"cycle:" + std::to_string(c->cycle_id), 0, ""}, "payments");
        if (!p.ok()) return Fail(p.status(), o->json);
        Status s =
            programs::CancelCycle(db, clock, c->cycle_id, p->principal.Actor(), o->reason);
        if (!s.ok()) return Fail(s, o->json);
        if (o->json) PrintJsonDocument({{"cycle_id", c->cycle_id}, {"status", "cancelled"}});
        else std::printf("Cycle %lld cancelled.\n", static_cast<long long>(c->cycle_id));
        return 0;
      }
      auto progress = payments::CycleProgress(db, c->cycle_id);  // show
      if (!progress.ok()) return Fail(progress.status(), o->json);
      (*progress)["cycle"] = programs::CycleJson(*c);
      if (o->json) {
        PrintJsonDocument(*progress);
      } else {
        std::printf("Cycle %lld (%s/%s), %s: %lld entitlements, %s.\n",
                    static_cast<long long>(c->cycle_id), c->scheme_id.c_str(), c->period.c_str(),
                    c->status.c_str(), static_cast<long long>(c->beneficiaries),
                    Rs(c->total.paise()).c_str());
        for (auto& [state, v] : (*progress)["instructions"].items()) {
          std::printf("  %-9s %9lld  %s\n", state.c_str(),
                      static_cast<long long>(v["count"].get<int64_t>()),
                      Rs(v["amount_paise"]).c_str());
        }
        for (const auto& f : (*progress)["files"]) {
          std::printf("  file %s (%s): %lld payments, %s\n",
                      f["message_id"].get<std::string>().c_str(),
                      f["bank"].get<std::string>().c_str(),
                      static_cast<long long>(f["transactions"].get<int64_t>()),
                      Rs(f["control_sum_paise"]).c_str());
        }
      }
      return 0;
    };
  };
  create->callback([&global, run] { global.run = run(0); });
  approve->callback([&global, run] { global.run = run(1); });
  cancel->callback([&global, run] { global.run = run(2); });
  list->callback([&global, run] { global.run = run(3); });
  show->callback([&global, run] { global.run = run(4); });
}

void AddPayments(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string cycle, format = "pain.001", out, file, db, as, id, bank;
    int64_t max_per_file = 100000;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("payments", "Payment instructions and bank files.");
  group->require_subcommand(1);
  CLI::App* exp = group->add_subcommand(
      "export", "Make the approved cycle's instructions (if not yet made) and write bank files, "
                "one per bank, for every ready payment of its scheme (retries and arrears "
                "included).\nExample: spode payments export --cycle old_age_pension/2026-11 "
                "--format pain.001 --out bank-files --db state.db");
  exp->add_option("--cycle", o->cycle, "the cycle: its number or scheme/period")->required();
  exp->add_option("--format", o->format, "pain.001 (ISO 20022 XML) or csv")
      ->check(CLI::IsMember({"pain.001", "csv"}));
  exp->add_option("--out", o->out, "the directory for the files")->required();
  exp->add_option("--max-per-file", o->max_per_file, "payments per file at most (default 100000)");
  CLI::App* imp = group->add_subcommand(
      "import-status", "Apply a bank's status file (pain.002 XML or the CSV profile); lines it "
                       "may not apply are reported one by one.\nExample: spode payments "
                       "import-status SBIN-status.xml --db state.db");
  imp->add_option("file", o->file, "the status file")->required()->check(CLI::ExistingFile);
  imp->add_option("--bank", o->bank, "only this bank's payments (its code, e.g. SBIN)");
  CLI::App* retry = group->add_subcommand(
      "retry", "Send a rejected, returned or invalid payment again, with the same instruction "
               "id, to the payee's current account (after the cause was fixed).\nExample: spode "
               "payments retry 202611-70000000012-3fa9c2d1 --as scheme.officer --db state.db");
  CLI::App* confirm = group->add_subcommand(
      "confirm", "The citizen confirmed a changed account: release a held payment.\nExample: "
                 "spode payments confirm 202611-70000000012-3fa9c2d1 --as scheme.officer --db "
                 "state.db");
  for (CLI::App* c : {retry, confirm}) {
    c->add_option("instruction", o->id, "the instruction id")->required();
    c->add_option("--as", o->as, "the officer acting (scheme_admin duty, the payee's household "
                                 "in their area; checked and logged)")
        ->required();
  }
  CLI::App* seed = group->add_subcommand(
      "link-registry", "Link in the ID→account mapper every registry bank account not linked "
                       "yet (run after an import; the demo does).\nExample: spode payments "
                       "link-registry --db state.db");
  for (CLI::App* c : {exp, imp, retry, confirm, seed}) {
    c->add_option("--db", o->db, "SQLite path or postgresql:// URL");
    c->add_flag("--json", o->json, "print one JSON document");
  }
  auto run = [o](int what) {
    return [o, what](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      storage::Database& db = *opened->state.db;
      const TimeSource& clock = *opened->clock;
      if (what == 0) {
        auto c = programs::FindCycle(db, o->cycle);
        if (!c.ok()) return Fail(c.status(), o->json);
        auto gen = payments::GenerateInstructions(db, clock, c->cycle_id);
        if (!gen.ok()) return Fail(gen.status(), o->json);
        payments::ExportOptions options;
        options.format = o->format;
        options.out_dir = o->out;
        options.max_per_file = o->max_per_file;
        auto files = payments::ExportBatches(db, clock, *opened->state.key, c->cycle_id, options);
        if (!files.ok()) return Fail(files.status(), o->json);
        json out = json::array();
        for (const auto& f : *files) {
          out.push_back({{"file", f.path.string()},
                         {"message_id", f.message_id},
                         {"bank", f.bank},
                         {"transactions", f.transactions},
                         {"control_sum_paise", f.total.paise()}});
          if (!o->json) {
            std::printf("%s: %lld payments, %s (bank %s)\n", f.path.string().c_str(),
                        static_cast<long long>(f.transactions), Rs(f.total.paise()).c_str(),
                        f.bank.c_str());
          }
        }
        if (o->json) {
          PrintJsonDocument({{"instructions", payments::GenerateReportJson(*gen)}, {"files", out}});
        } else if (files->empty()) {
          std::printf("Nothing ready to send.\n");
        }
        return 0;
      }
      if (what == 1) {
        std::ifstream in(o->file, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        auto r = payments::ImportStatusFile(db, clock, bytes.str(),
                                            std::filesystem::path(o->file).filename().string(),
                                            o->bank);
        if (!r.ok()) return Fail(r.status(), o->json);
        if (o->json) {
          PrintJsonDocument(payments::ImportReportJson(*r));
        } else if (r->already_imported) {
          std::printf("%s\n", r->messages.front().c_str());
        } else {
          std::printf("%lld statuses: %lld applied (%lld paid, %lld accepted, %lld rejected, "
                      "%lld returned, %lld sent again), %lld unchanged, %lld not applied.\n",
                      static_cast<long long>(r->statuses), static_cast<long long>(r->applied),
                      static_cast<long long>(r->paid), static_cast<long long>(r->accepted),
                      static_cast<long long>(r->rejected), static_cast<long long>(r->returned),
                      static_cast<long long>(r->requeued), static_cast<long long>(r->unchanged),
                      static_cast<long long>(r->repeated + r->conflicting + r->unknown +
                                             r->contradicting + r->stale + r->unreadable));
          for (const auto& m : r->messages) std::printf("  %s\n", m.c_str());
        }
        return 0;
      }
      if (what == 4) {
        auto n = payments::SeedFromRegistry(db, clock);
        if (!n.ok()) return Fail(n.status(), o->json);
        if (o->json) PrintJsonDocument({{"linked", *n}});
        else std::printf("Linked %lld accounts from the registry.\n", static_cast<long long>(*n));
        return 0;
      }
      // retry, confirm: the gate's payment.release, over the payee's household.
      auto key = payments::FindInstruction(db, o->id);
      if (!key.ok()) return Fail(key.status(), o->json);
      if (!*key) return Fail(NotFoundError("no payment instruction " + o->id), o->json);
      auto payee = db.QueryOne("SELECT h.household_idx, h.village_code FROM payment_instructions "
                               "i JOIN households h ON h.household_idx = i.household_idx WHERE "
                               "i.cycle_id = ? AND i.beneficiary_idx = ? AND i.scheme_id = ?",
                               {(*key)->cycle_id, (*key)->beneficiary_idx, (*key)->scheme_id});
      if (!payee.ok()) return Fail(payee.status(), o->json);
      if (!*payee) return Fail(NotFoundError("no payment instruction " + o->id), o->json);
      auto p = AuthorizedAs(*opened, o->as, access::Action::kPaymentRelease,
                            {"instruction:" + o->id, (*payee)->Int(0), (*payee)->Text(1)},
                            "payments");
      if (!p.ok()) return Fail(p.status(), o->json);
      const std::string actor = p->principal.Actor();
      Status s = what == 2 ? payments::RequeueInstruction(db, clock, o->id, actor)
                           : payments::ConfirmDestination(db, clock, o->id, actor);
      if (!s.ok()) return Fail(s, o->json);
      if (o->json) PrintJsonDocument({{"instruction_id", o->id}, {"status", "ready"}});
      else std::printf("%s is ready to be sent with the next export.\n", o->id.c_str());
      return 0;
    };
  };
  exp->callback([&global, run] { global.run = run(0); });
  imp->callback([&global, run] { global.run = run(1); });
  retry->callback([&global, run] { global.run = run(2); });
  confirm->callback([&global, run] { global.run = run(3); });
  seed->callback([&global, run] { global.run = run(4); });
}

void AddLedger(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string db, files, files_since;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand("ledger", "The double-entry ledger of scheme money.");
  group->require_subcommand(1);
  CLI::App* check = group->add_subcommand(
      "check",
      "Verify the ledger: debits equal credits, balances have their signs, payable, clearing and "
      "paid agree with the payments, no one is paid beyond their approved entitlement, each "
      "instruction's cycle exists and is of its scheme and its bank file exists, and each bank "
      "file's totals equal the ledger's and the file on disk (where it was written, or in "
      "--files DIR). Exit 1 when "
      "anything disagrees.\n"
      "Example: spode ledger check --db state.db --files bank-files\n"
      "A nightly check of what is new: spode ledger check --db state.db --files-since 2026-11-01");
  check->add_option("--db", o->db, "SQLite path or postgresql:// URL");
  check->add_option("--files", o->files, "look for bank files here (by name) instead of where "
                                        "they were written");
  check->add_option("--files-since", o->files_since,
                    "read back only the bank files made on or after this day (YYYY-MM-DD, the "
                    "state's time); older files' totals are still checked, without reading them");
  check->add_flag("--json", o->json, "print one JSON document");
  check->callback([&global, o] {
    global.run = [o](const GlobalOptions& g) {
      std::optional<Date> since;
      if (!o->files_since.empty()) {
        auto day = Date::Parse(o->files_since);
        if (!day.ok()) {
          return Fail(InvalidArgumentError("--files-since: " + day.status().message()), o->json);
        }
        since = *day;
      }
      auto opened = OpenForCommand(g, o->db);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      auto r = payments::Reconcile(*opened->state.db, *opened->clock, o->files, since);
      if (!r.ok()) return Fail(r.status(), o->json);
      if (o->json) {
        PrintJsonDocument({{"ok", r->ok()},
                           {"entries", r->ledger.entries},
                           {"accounts", r->ledger.accounts},
                           {"total_debits_paise", r->ledger.total_debits.paise()},
                           {"total_credits_paise", r->ledger.total_credits.paise()},
                           {"ledger_problems", r->ledger.problems_found},
                           {"instructions", r->instructions},
                           {"bank_files", r->batches},
                           {"files_checked", r->files_checked},
                           {"files_not_read", r->files_not_read},
                           {"problems", r->problems}});
      } else {
        std::printf("%s", r->Summary().c_str());
      }
      return r->ok() ? 0 : 1;
    };
  });
}

void AddEnrolment(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string scheme, db, member, as, note;
    int64_t application = 0;
    bool approve = false, reject = false, json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand(
      "enrolment", "Enrolment jobs: notices for proactive proposals, enrolment after the "
                   "objection period, exits.");
  group->require_subcommand(1);
  CLI::App* notify = group->add_subcommand(
      "notify", "Send notice to everyone proposed by the eligibility job, with the scheme's "
                "objection period.\nExample: spode enrolment notify --scheme old_age_pension "
                "--db state.db");
  CLI::App* enrol = group->add_subcommand(
      "enrol", "Enrol everyone noticed whose objection period has ended without objection.\n"
               "Example: spode enrolment enrol --scheme old_age_pension --db state.db");
  CLI::App* exits = group->add_subcommand(
      "exits", "Propose exits for those no longer eligible (or deceased), with notice, and make "
               "due exits effective.\nExample: spode enrolment exits --scheme old_age_pension "
               "--db state.db");
  CLI::App* apply = group->add_subcommand(
      "apply", "Apply for a scheme for a member, on their behalf (an officer): decided by the "
               "rules at once, with the reasons.\nExample: spode enrolment apply --scheme "
               "old_age_pension --member 48301759231 --as block.officer --db state.db");
  apply->add_option("--member", o->member, "the member's ID")->required();
  apply->add_option("--as", o->as, "the officer acting (the member's household in their area; "
                                   "checked and logged)")
      ->required();
  CLI::App* pending = group->add_subcommand(
      "applications", "Applications waiting for an officer's decision.\nExample: spode "
                      "enrolment applications --scheme old_age_pension --db state.db");
  CLI::App* decide = group->add_subcommand(
      "decide", "Decide an application that waits for an officer (not its submitter).\n"
                "Example: spode enrolment decide 12 --approve --note \"documents seen\" --as "
                "district.officer --db state.db");
  decide->add_option("application", o->application, "the application number")->required();
  decide->add_flag("--approve", o->approve, "enrol");
  decide->add_flag("--reject", o->reject, "refuse (the note says why)");
  decide->add_option("--note", o->note, "the reason, for the citizen")->required();
  decide->add_option("--as", o->as, "the deciding officer (registrar or scheme_admin duty, the "
                                    "household in their area; checked and logged)")
      ->required();
  for (CLI::App* c : {notify, enrol, exits, apply, pending}) {
    c->add_option("--scheme", o->scheme, "the scheme id")->required();
  }
  for (CLI::App* c : {notify, enrol, exits, apply, pending, decide}) {
    c->add_option("--db", o->db, "SQLite path or postgresql:// URL");
    c->add_flag("--json", o->json, "print one JSON document");
  }
  auto run = [o](int what) {
    return [o, what](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      storage::Database& db = *opened->state.db;
      const TimeSource& clock = *opened->clock;
      programs::SchemeStore store(db, clock);
      if (what == 5) {  // decide
        if (o->approve == o->reject) {
          return Fail(InvalidArgumentError("give one of --approve or --reject"), o->json);
        }
        // The gate's enrolment.decide, as the API's: registrar or scheme_admin duty, the
        // household in the officer's area.
        auto row = db.QueryOne("SELECT h.household_idx, h.village_code FROM "
                               "enrolment_applications a JOIN households h ON h.household_idx = "
                               "a.household_idx WHERE a.application_id = ?",
                               {o->application});
        if (!row.ok()) return Fail(row.status(), o->json);
        if (!*row) {
          return Fail(NotFoundError("no application " + std::to_string(o->application)),
                      o->json);
        }
        auto p = AuthorizedAs(*opened, o->as, access::Action::kEnrolmentDecide,
                              {"application:" + std::to_string(o->application), (*row)->Int(0),
                               (*row)->Text(1)},
                              "enrolment");
        if (!p.ok()) return Fail(p.status(), o->json);
        auto a = programs::DecideApplication(db, clock, o->application, p->principal.Actor(),
                                             o->approve, o->note);
        if (!a.ok()) return Fail(a.status(), o->json);
        if (o->json) PrintJsonDocument(programs::ApplicationJson(*a));
        else std::printf("Application %lld: %s.\n", static_cast<long long>(a->application_id),
                         a->status.c_str());
        return 0;
      }
      auto scheme = store.Get(o->scheme);
      if (!scheme.ok()) return Fail(scheme.status(), o->json);
      int days = scheme->scheme.objection_days;
      json out;
      if (what == 3) {  // apply
        // The gate's enrolment.apply, as the API's for an officer: the member's household in
        // the officer's area.
        auto m = db.QueryOne("SELECT m.member_idx, m.household_idx, h.village_code FROM members "
                             "m JOIN households h ON h.household_idx = m.household_idx WHERE "
                             "m.member_id = ?",
                             {o->member});
        if (!m.ok()) return Fail(m.status(), o->json);
        if (!*m) return Fail(NotFoundError("no member " + o->member), o->json);
        auto p = AuthorizedAs(*opened, o->as, access::Action::kEnrolmentApply,
                              {o->member, (*m)->Int(1), (*m)->Text(2)}, "application");
        if (!p.ok()) return Fail(p.status(), o->json);
        programs::Eligibility elig;
        if (Status s = elig.Refresh(db, clock); !s.ok()) return Fail(s, o->json);
        programs::ApplicationInput in;
        in.scheme_id = o->scheme;
        if (scheme->scheme.unit == rules::Unit::kPerson) in.member_idx = (*m)->Int(0);
        else in.household_idx = (*m)->Int(1);
        in.channel = p->principal.role == access::Role::kOperator ? "operator" : "officer";
        in.actor = p->principal.Actor();
        in.officer_review = scheme->scheme.officer_review;
        auto a = programs::Apply(db, elig, clock, in);
        if (!a.ok()) return Fail(a.status(), o->json);
        out = programs::ApplicationJson(*a);
      } else if (what == 4) {  // applications
        auto list = programs::ListApplications(db, o->scheme, "pending", 100);
        if (!list.ok()) return Fail(list.status(), o->json);
        out = json::array();
        for (const auto& a : *list) out.push_back(programs::ApplicationJson(a));
      } else if (what == 0) {
        auto r = programs::SendNotices(db, clock, o->scheme, days);
        if (!r.ok()) return Fail(r.status(), o->json);
        out = {{"noticed", r->noticed},
               {"messages", r->messages},
               {"without_phone", r->without_phone},
               {"objection_until", r->objection_until.ToString()}};
      } else if (what == 1) {
        auto r = programs::EnrolDue(db, clock, o->scheme);
        if (!r.ok()) return Fail(r.status(), o->json);
        out = {{"enrolled", r->enrolled},
               {"withdrawn", r->withdrawn},
               {"waiting_for_payee", r->waiting_for_payee}};
      } else {
        auto snap = registry::Snapshot::Build(db);
        if (!snap.ok()) return Fail(snap.status(), o->json);
        auto r = programs::ProposeExits(db, **snap, clock, o->scheme, days);
        if (!r.ok()) return Fail(r.status(), o->json);
        auto applied = programs::ApplyDueExits(db, clock, o->scheme);
        if (!applied.ok()) return Fail(applied.status(), o->json);
        out = {{"checked", r->checked},
               {"proposed", r->proposed},
               {"deaths", r->deaths},
               {"withdrawn", r->withdrawn},
               {"exits_effective", *applied}};
      }
      if (o->json) {
        PrintJsonDocument(out);
      } else {
        for (auto& [k, v] : out.items()) std::printf("%-18s %s\n", k.c_str(), v.dump().c_str());
      }
      return 0;
    };
  };
  notify->callback([&global, run] { global.run = run(0); });
  enrol->callback([&global, run] { global.run = run(1); });
  exits->callback([&global, run] { global.run = run(2); });
  apply->callback([&global, run] { global.run = run(3); });
  pending->callback([&global, run] { global.run = run(4); });
  decide->callback([&global, run] { global.run = run(5); });
}

}  // namespace

std::vector<Command> PaymentCommands() {
  return {{AddCycle}, {AddPayments}, {AddLedger}, {AddEnrolment}};
}

}  // namespace spode::app
