// `spode grievance ...`: the officers' lists and a ticket's page on the command line, and the
// scheduled grievance jobs run by hand (spode serve runs them every --grievance-every seconds).
// Commands that read for a person take --as USERNAME and are checked with the same rules as
// the API (grievance/access_rules.h and the access gate, whose decision is logged);
// run-actions --as records that officer as who sent a payment again.
#include "app/grievance_commands.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include "access/gate.h"
#include "access/identities.h"
#include "api/grievance_jobs.h"
#include "app/command_support.h"
#include "app/state.h"
#include "common/time_source.h"
#include "grievance/access_rules.h"
#include "grievance/desk.h"
#include "grievance/escalation.h"
#include "grievance/reentry_cases.h"
#include "programs/eligibility.h"

namespace spode::app {
namespace {

using nlohmann::json;

// "20-12-2026": the date people read, in India time.
std::string PeopleDate(Timestamp t, const TimeSource& clock) {
  Date d = t.LocalDate(clock.utc_offset_minutes());
  char out[16];
  std::snprintf(out, sizeof out, "%02d-%02d-%04d", d.day(), d.month(), d.year());
  return out;
}

std::string Holder(const grievance::Assignee& a) {
  std::string h = std::string(grievance::LevelName(a.level)) + " " + a.area_code;
  if (!a.bank_code.empty()) h += " + bank " + a.bank_code;
  return h;
}

json Summary(const grievance::Grievance& g, const TimeSource& clock) {
  return {{"ticket", g.ticket},
          {"kind", grievance::KindName(g.kind)},
          {"channel", grievance::ChannelName(g.channel)},
          {"category", grievance::CategoryName(g.category)},
          {"status", grievance::StatusName(g.status)},
          {"member_id", g.member_id},
          {"description", g.description},
          {"filed_at", g.filed_at.ToString()},
          {"holder",
           {{"level", grievance::LevelName(g.assignee.level)},
            {"area_code", g.assignee.area_code},
            {"bank", g.assignee.bank_code}}},
          {"deadline", g.deadline.ToString()},
          {"overdue", g.Overdue(clock.Now())},
          {"escalations", g.escalations},
          {"outcome", g.outcome ? json(grievance::OutcomeName(*g.outcome)) : json(nullptr)}};
}

void AddGrievance(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string db, as, status, kind, area, bank, ticket, lang = "en";
    bool overdue = false, held = false, json = false;
    int limit = 100;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* group = app.add_subcommand(
      "grievance", "Grievances and re-entry cases: lists, a ticket's page, and the scheduled "
                   "jobs (escalation, case opening, resolution actions) by hand.");
  group->require_subcommand(1);
  CLI::App* list = group->add_subcommand(
      "list", "List grievances and re-entry cases, oldest first.\n"
              "Example: spode grievance list --overdue --as block.officer --db state.db");
  list->add_option("--status", o->status, "open, resolved, appealed or closed")
      ->check(CLI::IsMember({"open", "resolved", "appealed", "closed"}));
  list->add_flag("--overdue", o->overdue, "only those open or under appeal past their deadline");
  list->add_option("--kind", o->kind, "grievance or reentry")
      ->check(CLI::IsMember({"grievance", "reentry"}));
  list->add_option("--area", o->area, "only households whose village code starts with this");
  list->add_option("--bank", o->bank, "only those assigned to this bank (e.g. SBIN)");
  list->add_flag("--held", o->held, "only those the --as officer holds (their level and area)");
  list->add_option("--as", o->as, "list what this user may see (officer, bank, operator)");
  list->add_option("--limit", o->limit, "at most this many (1-1000)")->check(CLI::Range(1, 1000));
  CLI::App* show = group->add_subcommand(
      "show", "A ticket's page: state, holder, deadline, answer, history, actions.\n"
              "Example: spode grievance show GR-2026-0000123-4 --as block.officer --db state.db");
  show->add_option("ticket", o->ticket, "the ticket number (GR-... or RC-...)")->required();
  show->add_option("--as", o->as, "show it as this user may see it (checked and logged)");
  show->add_option("--lang", o->lang, "the history's language: en or hi")
      ->check(CLI::IsMember({"en", "hi"}));
  CLI::App* counts = group->add_subcommand(
      "counts", "Per holder (level, area, bank): open, past the deadline, past the interim-reply "
                "date without one.\nExample: spode grievance counts --db state.db");
  CLI::App* escalate = group->add_subcommand(
      "escalate", "Move every grievance past its deadline up one level (block → district → "
                  "state), once per breach; safe to repeat.\nExample: spode grievance escalate "
                  "--db state.db");
  CLI::App* open_cases = group->add_subcommand(
      "open-cases", "Open a re-entry case for every exclusion event not yet followed up (one "
                    "per event, however often it runs).\nExample: spode grievance open-cases "
                    "--db state.db");
  CLI::App* run_actions = group->add_subcommand(
      "run-actions",
      "Carry out what upheld re-entry cases set in motion: a payment sent again with the same "
      "instruction (arrears of its cycle, once), a held payment released, an enrolment "
      "restored; the rest marked for an officer (docs/grievance.md).\n"
      "Example: spode grievance run-actions --as block.officer --db state.db");
  run_actions->add_option("--as", o->as,
                          "the grievance officer recorded as sending payments again (default: "
                          "the system, as spode serve does)");
  for (CLI::App* c : {list, show, counts, escalate, open_cases, run_actions}) {
    c->add_option("--db", o->db, "SQLite path or postgresql:// URL");
    c->add_flag("--json", o->json, "print one JSON document");
  }

  auto run = [o](int what) {
    return [o, what](const GlobalOptions& g) {
      auto opened = OpenForCommand(g, o->db);
      if (!opened.ok()) return Fail(opened.status(), o->json);
      storage::Database& db = *opened->state.db;
      const TimeSource& clock = *opened->clock;
      // The deployment's deadlines and windows ([grievance] in the config file).
      auto policy = grievance::PolicyFor(opened->config.grievance);
      if (!policy.ok()) return Fail(policy.status(), o->json);
      if (what == 0) {  // list
        grievance::ListFilter f;
        std::optional<StaffGate> viewer;
        if (!o->as.empty()) {
          auto v = GateFor(*opened, o->as);
          if (!v.ok()) return Fail(v.status(), o->json);
          viewer = std::move(*v);
          Status s = viewer->gate->Authorize(db, viewer->principal,
                                             access::Action::kGrievanceRead,
                                             {"grievances", 0, ""}, "grievance", "cli");
          if (!s.ok()) return Fail(s, o->json);
          std::optional<grievance::ListFilter> visible = grievance::VisibleTo(viewer->principal);
          if (!visible) return Fail(PermissionDeniedError(o->as + " sees no grievances"), o->json);
          f = *visible;
        } else if (Status s = RecordCommandLineRead(opened->config, clock,
                                                    access::Action::kGrievanceRead,
                                                    {"grievances", 0, ""}, "spode grievance list");
                   !s.ok()) {
          return Fail(s, o->json);  // without --as, recorded as the machine's user's read
        }
        if (!o->area.empty()) {
          if (!o->area.starts_with(f.area_prefix)) {
            return Fail(PermissionDeniedError("--area " + o->area + " is outside " + o->as +
                                              "'s area"),
                        o->json);
          }
          f.area_prefix = o->area;
        }
        if (!o->bank.empty()) {
          if (!f.bank_code.empty() && f.bank_code != o->bank) {
            return Fail(PermissionDeniedError(o->as + " sees only its own bank's"), o->json);
          }
          f.bank_code = o->bank;
        }
        if (o->held) {
          if (!viewer || viewer->principal.role != access::Role::kOfficer) {
            return Fail(InvalidArgumentError("--held needs --as an officer"), o->json);
          }
          const std::string& scope = viewer->principal.scope;
          f.level = scope.size() == 2   ? grievance::Level::kState
                    : scope.size() == 4 ? grievance::Level::kDistrict
                                        : grievance::Level::kBlock;
          f.area_code = scope;
        }
        if (!o->status.empty()) f.status = *grievance::ParseStatus(o->status);
        if (!o->kind.empty()) f.kind = *grievance::ParseKind(o->kind);
        if (o->overdue) f.overdue_at = clock.Now();
        f.limit = o->limit;
        auto rows = grievance::List(db, f);
        if (!rows.ok()) return Fail(rows.status(), o->json);
        if (o->json) {
          json out = json::array();
          for (const auto& gr : *rows) out.push_back(Summary(gr, clock));
          PrintJsonDocument(out);
          return 0;
        }
        for (const auto& gr : *rows) {
          std::printf("%-18s %-8s %-21s %-24s due %s%s  %s\n", gr.ticket.c_str(),
                      std::string(grievance::StatusName(gr.status)).c_str(),
                      std::string(grievance::CategoryName(gr.category)).c_str(),
                      Holder(gr.assignee).c_str(), PeopleDate(gr.deadline, clock).c_str(),
                      gr.Overdue(clock.Now()) ? " OVERDUE" : "", gr.member_id.c_str());
        }
        if (rows->empty()) std::printf("No grievances.\n");
        return 0;
      }
      if (what == 1) {  // show
        auto gr = grievance::GetByTicket(db, o->ticket);
        if (!gr.ok() && gr.status().code() != StatusCode::kNotFound) {
          return Fail(gr.status(), o->json);
        }
        if (!o->as.empty()) {
          auto v = GateFor(*opened, o->as);
          if (!v.ok()) return Fail(v.status(), o->json);
          access::Resource r = gr.ok() ? access::Resource{gr->ticket, gr->household_idx,
                                                          gr->village_code}
                                       : access::Resource{"ticket:" + o->ticket, 0, ""};
          Status may = gr.ok() ? grievance::CanView(*gr, v->principal) : gr.status();
          if (!may.ok()) {
            (void)v->gate->Deny(v->principal, access::Action::kGrievanceRead, r, "grievance",
                                "cli", may.message());
            return Fail(NotFoundError("no grievance " + o->as + " may see has that ticket"),
                        o->json);
          }
          Status s = v->gate->Authorize(db, v->principal, access::Action::kGrievanceRead, r,
                                        "grievance", "cli");
          if (!s.ok()) return Fail(s, o->json);
        }
        if (!gr.ok()) return Fail(gr.status(), o->json);
        if (o->as.empty()) {  // recorded as the machine's user's read
          Status s = RecordCommandLineRead(opened->config, clock, access::Action::kGrievanceRead,
                                           {gr->ticket, gr->household_idx, gr->village_code},
                                           "spode grievance show");
          if (!s.ok()) return Fail(s, o->json);
        }
        auto history = grievance::History(db, gr->grievance_id);
        if (!history.ok()) return Fail(history.status(), o->json);
        auto actions = grievance::ActionsFor(db, gr->grievance_id);
        if (!actions.ok()) return Fail(actions.status(), o->json);
        notify::Language lang = o->lang == "hi" ? notify::Language::kHi : notify::Language::kEn;
        if (o->json) {
          json j = Summary(*gr, clock);
          j["resolution_reason"] = gr->resolution_reason;
          json h = json::array();
          for (const auto& e : *history) {
            h.push_back({{"at", e.at.ToString()},
                         {"kind", e.kind},
                         {"by", e.actor},
                         {"text", e.Text(lang)}});
          }
          j["history"] = h;
          json a = json::array();
          for (const auto& x : *actions) {
            a.push_back({{"kind", x.kind},
                         {"target", x.target},
                         {"status", x.status},
                         {"result", x.result}});
          }
          j["actions"] = a;
          PrintJsonDocument(j);
          return 0;
        }
        std::printf("%s  %s, %s (%s), filed %s through %s\n", gr->ticket.c_str(),
                    std::string(grievance::StatusName(gr->status)).c_str(),
                    std::string(grievance::CategoryName(gr->category)).c_str(),
                    std::string(grievance::KindName(gr->kind)).c_str(),
                    PeopleDate(gr->filed_at, clock).c_str(),
                    std::string(grievance::ChannelName(gr->channel)).c_str());
        std::printf("  member %s; held by %s; reply due %s%s; escalated %d times\n",
                    gr->member_id.c_str(), Holder(gr->assignee).c_str(),
                    PeopleDate(gr->deadline, clock).c_str(),
                    gr->Overdue(clock.Now()) ? " (OVERDUE)" : "", gr->escalations);
        std::printf("  %s\n", gr->description.c_str());
        for (const auto& e : *history) {
          std::printf("  %s  %s\n", PeopleDate(e.at, clock).c_str(), e.Text(lang).c_str());
        }
        for (const auto& x : *actions) {
          std::printf("  action %s %s: %s%s%s\n", x.kind.c_str(), x.target.c_str(),
                      x.status.c_str(), x.result.empty() ? "" : " - ", x.result.c_str());
        }
        return 0;
      }
      if (what == 2) {  // counts
        auto counts = grievance::OverdueCounts(db, clock);
        if (!counts.ok()) return Fail(counts.status(), o->json);
        json out = json::array();
        for (const auto& c : *counts) {
          out.push_back({{"level", grievance::LevelName(c.level)},
                         {"area_code", c.area_code},
                         {"bank", c.bank_code},
                         {"open", c.open},
                         {"overdue", c.overdue},
                         {"interim_missing", c.interim_missing}});
          if (!o->json) {
            std::printf("%-8s %-6s %-4s  open %6lld  overdue %6lld  interim reply missing %6lld\n",
                        std::string(grievance::LevelName(c.level)).c_str(), c.area_code.c_str(),
                        c.bank_code.c_str(), static_cast<long long>(c.open),
                        static_cast<long long>(c.overdue),
                        static_cast<long long>(c.interim_missing));
          }
        }
        if (o->json) PrintJsonDocument(out);
        else if (counts->empty()) std::printf("Nothing open.\n");
        return 0;
      }
      if (what == 3) {  // escalate
        auto r = grievance::EscalateOverdue(db, clock, *policy);
        if (!r.ok()) return Fail(r.status(), o->json);
        if (o->json) {
          PrintJsonDocument(api::EscalationRunJson(*r));
        } else {
          std::printf("%lld past their deadline: %lld moved up one level, %lld at state level "
                      "(nothing above), %lld changed by someone else meanwhile.\n",
                      static_cast<long long>(r->examined), static_cast<long long>(r->escalated),
                      static_cast<long long>(r->at_top), static_cast<long long>(r->skipped));
        }
        return 0;
      }
      if (what == 4) {  // open-cases
        auto r = grievance::OpenCasesFromEvents(db, clock, *policy);
        if (!r.ok()) return Fail(r.status(), o->json);
        if (o->json) {
          PrintJsonDocument(api::CaseRunJson(*r));
        } else {
          std::printf("Opened %lld re-entry cases (%lld opened by another run meanwhile, %lld "
                      "events naming no registered member or household).\n",
                      static_cast<long long>(r->opened), static_cast<long long>(r->skipped),
                      static_cast<long long>(r->unroutable));
        }
        return 0;
      }
      // run-actions
      api::ActionOptions options;
      if (!o->as.empty()) {
        auto p = access::Identities(db, clock).StaffByName(o->as);
        if (!p.ok()) return Fail(p.status(), o->json);
        if (p->role != access::Role::kOfficer || !p->HasDuty(access::Duty::kGrievanceOfficer)) {
          return Fail(PermissionDeniedError(o->as + " is not an officer with the "
                                                    "grievance_officer duty"),
                      o->json);
        }
        options.actor = p->Actor();
      }
      // The eligibility snapshot (the whole registry in memory) only when an enrolment is to
      // be restored.
      auto pending = grievance::PendingActions(db, options.limit);
      if (!pending.ok()) return Fail(pending.status(), o->json);
      programs::Eligibility eligibility;
      for (const auto& a : *pending) {
        if (a.kind == "reinstate_enrolment" || a.kind == "reevaluate_eligibility") {
          if (Status s = eligibility.Refresh(db, clock); !s.ok()) return Fail(s, o->json);
          options.eligibility = &eligibility;
          break;
        }
      }
      auto r = api::RunResolutionActions(db, clock, options, *policy);
      if (!r.ok()) return Fail(r.status(), o->json);
      if (o->json) {
        PrintJsonDocument(api::ActionRunJson(*r));
      } else {
        for (const std::string& line : r->lines) std::printf("%s\n", line.c_str());
        std::printf("%lld actions: %lld done now, %lld found done, %lld for an officer, %lld "
                    "waiting, %lld taken by another runner.\n",
                    static_cast<long long>(r->examined), static_cast<long long>(r->done),
                    static_cast<long long>(r->already), static_cast<long long>(r->failed),
                    static_cast<long long>(r->waiting), static_cast<long long>(r->skipped));
      }
      return 0;
    };
  };
  list->callback([&global, run] { global.run = run(0); });
  show->callback([&global, run] { global.run = run(1); });
  counts->callback([&global, run] { global.run = run(2); });
  escalate->callback([&global, run] { global.run = run(3); });
  open_cases->callback([&global, run] { global.run = run(4); });
  run_actions->callback([&global, run] { global.run = run(5); });

  // spode serve --grievance-every (registered after serve).
  for (CLI::App* serve : app.get_subcommands([](CLI::App* c) { return c->get_name() == "serve"; })) {
    serve->add_option("--grievance-every", ServeGrievanceEverySeconds(),
                      "seconds between runs of the grievance jobs: re-entry cases for new "
                      "exclusions, escalation, actions of upheld cases, closing settled "
                      "grievances (default 300; 0: never)")
        ->check(CLI::Range(0, 86400));
  }
}

}  // namespace

int& ServeGrievanceEverySeconds() {
  static int seconds = kDefaultGrievanceEverySeconds;
  return seconds;
}

std::vector<Command> GrievanceCommands() { return {{AddGrievance}}; }

}  // namespace spode::app
