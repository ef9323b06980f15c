#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "access/gate.h"
#include "api/api.h"
#include "api/grievance_jobs.h"
#include "app/commands.h"
#include "app/grievance_commands.h"
#include "app/state.h"
#include "common/thread_name.h"
#include "grievance/types.h"
#include "http/json.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"
#include "notify/dispatcher.h"
#include "notify/sender.h"
#include "storage/connections.h"

namespace spode::app {
int Serve(const Config& config, const ServeOptions& options) {
  // Open once to migrate and check the key before accepting connections.
  auto state = OpenState(config);
  if (!state.ok()) return Fail(state.status(), false);
  std::string where = state->db->Describe();
  state->db.reset();

  storage::OpenOptions open_options;
  open_options.busy_timeout_ms = config.database.busy_timeout_ms;
  // The requests' connections mostly read: through a memory map (the background jobs' writers
  // below do without).
  storage::OpenOptions request_options = open_options;
  request_options.mmap_bytes = int64_t{config.database.read_map_mb} << 20;
  storage::Connections connections(config.database.url, request_options);
  auto access_log = access::AccessLog::Open(config.database.url);
  if (!access_log.ok()) return Fail(access_log.status(), false);
  SystemTimeSource clock(config.time.utc_offset_minutes);
  http::Metrics metrics;
  metrics.AddCollector([](std::string& out) {
    out += "# HELP spode_build_info Build information.\n# TYPE spode_build_info gauge\n";
    out += std::string("spode_build_info{version=\"") + kVersion + "\"} 1\n";
  });
  // Eligibility: the registry's snapshot and the active schemes, built and then kept current
  // (the change feed) by the background loop below, so explanations never query the registry
  // row by row. The server listens before it is built (minutes for ten million households):
  // /healthz answers at once; /readyz and the reads that need it answer 503 until then.
  programs::Eligibility eligibility;
  http::Router router;
  router.Add("GET", "/healthz", [](http::Request&) {
    return http::Json({{"status", "ok"}});
  }).IgnoreError();
  router.Add("GET", "/readyz", [&](http::Request& req) {
    auto db = connections.Get();
    if (!db.ok()) return http::Problem(db.status(), req.request_id, 503);
    auto pending = storage::PendingMigrations(**db, AllMigrations());
    if (!pending.ok()) return http::Problem(pending.status(), req.request_id, 503);
    if (*pending > 0) {
      return http::Problem(UnavailableError(std::to_string(*pending) + " migrations pending"),
                           req.request_id, 503);
    }
    if (!eligibility.ready()) {
      return http::Problem(UnavailableError("the eligibility snapshot is loading: " +
                                            std::to_string(eligibility.households_loaded()) +
                                            " households read so far"),
                           req.request_id, 503);
    }
    return http::Json({{"status", "ready"},
                       {"database", "reachable"},
                       {"migrations", "current"},
                       {"eligibility", "loaded"}});
  }).IgnoreError();
  metrics.AddCollector([&](std::string& out) {
    out += "# HELP spode_db_connections Open database connections (one per worker thread).\n"
           "# TYPE spode_db_connections gauge\n";
    out += "spode_db_connections " + std::to_string(connections.open_count()) + "\n";
    out += "# HELP spode_access_log_written_total Access-log entries written.\n"
           "# TYPE spode_access_log_written_total counter\n";
    out += "spode_access_log_written_total " + std::to_string((*access_log)->written()) + "\n";
  });
  metrics.AddCollector([&](std::string& out) {
    size_t households = eligibility.snapshot_households();
    out += "# HELP spode_snapshot_bytes Memory held by the eligibility snapshot.\n"
           "# TYPE spode_snapshot_bytes gauge\n";
    out += "spode_snapshot_bytes " + std::to_string(eligibility.snapshot_bytes()) + "\n";
    out += "# HELP spode_snapshot_bytes_per_household Snapshot memory per household.\n"
           "# TYPE spode_snapshot_bytes_per_household gauge\n";
    out += "spode_snapshot_bytes_per_household " +
           std::to_string(households == 0 ? 0 : eligibility.snapshot_bytes() / households) + "\n";
  });
  // Grievance deadlines and windows from the config file; refused at start when invalid.
  auto grievance_policy = grievance::PolicyFor(config.grievance);
  if (!grievance_policy.ok()) return Fail(grievance_policy.status(), false);
  api::Api api(connections, *state->key, clock, **access_log,
               {.dev_outbox = options.dev_outbox,
                .eligibility = &eligibility,
                .bank_files_dir = BankFilesDir(config),
                .grievance_policy = *grievance_policy,
                .household_view_bytes = size_t(config.server.household_view_cache_mb) << 20});
  if (Status s = api.Register(router); !s.ok()) return Fail(s, false);
  metrics.AddCollector([&](std::string& out) {
    registry::ViewCache::Stats views = api.household_view_stats();
    out +=
        "# HELP spode_household_views_total Household reads answered from the views kept "
        "(hit) or from the tables (miss).\n# TYPE spode_household_views_total counter\n";
    out += "spode_household_views_total{result=\"hit\"} " + std::to_string(views.hits) + "\n";
    out += "spode_household_views_total{result=\"miss\"} " + std::to_string(views.misses) + "\n";
    out +=
        "# HELP spode_household_views_dropped_total Views dropped because their household "
        "changed.\n# TYPE spode_household_views_dropped_total counter\n";
    out += "spode_household_views_dropped_total " + std::to_string(views.dropped) + "\n";
    out +=
        "# HELP spode_household_view_catchups_unchanged_total Reads that found nothing "
        "committed since the change feed was last read (SQLite's commit stamp), and so read "
        "no table to catch up.\n# TYPE spode_household_view_catchups_unchanged_total counter\n";
    out += "spode_household_view_catchups_unchanged_total " + std::to_string(views.unchanged) +
           "\n";
    out +=
        "# HELP spode_household_view_bytes Memory held by the household views kept.\n"
        "# TYPE spode_household_view_bytes gauge\n";
    out += "spode_household_view_bytes " + std::to_string(views.bytes) + "\n";
  });
  router.Add("GET", "/metrics", [&](http::Request&) {
    http::Response r;
    r.content_type = std::string(http::kMetricsContentType);
    r.body = metrics.Render();
    return r;
  }).IgnoreError();
  // The web front end (web/dist) at `/`, for every path no route above matches.
  http::StaticFiles web(http::ResolveWebRoot(options.web_root));
  router.SetFallback([&web](http::Request& req) { return web.Serve(req); });

  http::Server server(http::ServerOptions::FromConfig(config.server), router, &metrics);
  Status started = server.Start();
  if (!started.ok()) return Fail(started, false);
  if (Status sig = server.StopOnSignals(); !sig.ok()) return Fail(sig, false);
  // Background work, each on its own connection, once a second until the server stops (the
  // grievance jobs below too):
  // - the outbox's dispatcher sends pending messages through the log sender (an SMS gateway
  //   sender plugs in here);
  // - the eligibility thread builds the snapshot (the first pass; until then /readyz and the
  //   eligibility reads answer 503), then catches up with the change feed and runs the
  //   eligibility job every --eligibility-every minutes. It is a thread of its own so that
  //   one-time codes go out while a large snapshot is built.
  std::atomic<bool> stopping{false};
  auto every_second = [&](const char* what, const std::function<void(storage::Database&)>& step) {
    auto db = storage::Open(config.database.url, open_options);
    if (!db.ok()) {
      spdlog::error("{}: {}", what, db.status().ToString());
      return;
    }
    while (!stopping.load()) {
      step(**db);
      for (int i = 0; i < 10 && !stopping.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  };
  std::thread dispatcher([&] {
    NameThisThread("spode-outbox");
    notify::LogSender sender;
    std::optional<notify::Dispatcher> dispatch;
    every_second("outbox dispatcher", [&](storage::Database& db) {
      if (!dispatch) dispatch.emplace(db, sender, clock);
      auto sent = dispatch->RunOnce();
      if (!sent.ok()) spdlog::warn("outbox dispatcher: {}", sent.status().ToString());
    });
  });
  std::thread eligibility_loop([&] {
    NameThisThread("spode-eligible");
    const auto started = std::chrono::steady_clock::now();
    auto last_job = started;
    every_second("eligibility", [&](storage::Database& db) {
      if (!eligibility.ready()) {
        if (Status s = eligibility.Refresh(db, clock, &stopping); !s.ok()) {
          if (!stopping.load()) {
            spdlog::error("eligibility snapshot: {} (tried again in a second)", s.ToString());
          }
        } else {
          spdlog::info("eligibility snapshot: {} households, {} MB, built in {:.1f} s",
                       eligibility.snapshot_households(), eligibility.snapshot_bytes() >> 20,
                       std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                           .count());
        }
        return;
      }
      if (Status s = eligibility.Refresh(db, clock); !s.ok()) {
        spdlog::warn("eligibility refresh: {}", s.ToString());
      }
      if (options.eligibility_every_minutes > 0 &&
          std::chrono::steady_clock::now() - last_job >=
              std::chrono::minutes(options.eligibility_every_minutes)) {
        last_job = std::chrono::steady_clock::now();
        auto job = eligibility.RunJob(db, clock, "");
        if (job.ok()) spdlog::info("eligibility job: {}", job->dump());
        else spdlog::warn("eligibility job: {}", job.status().ToString());
      }
    });
  });
  // The grievance jobs on their own connection, at start and then every --grievance-every
  // seconds, on the server's clock: re-entry cases for new exclusion events, escalation of
  // overdue grievances, the actions of upheld cases (payments sent again, enrolments
  // restored), closing settled grievances. Each step is safe to repeat and exactly once.
  std::thread grievance_jobs([&] {
    NameThisThread("spode-grievjobs");
    const int every = ServeGrievanceEverySeconds();
    if (every <= 0) return;
    std::optional<std::chrono::steady_clock::time_point> last;
    every_second("grievance jobs", [&](storage::Database& db) {
      if (last && std::chrono::steady_clock::now() - *last < std::chrono::seconds(every)) return;
      last = std::chrono::steady_clock::now();
      api::GrievanceJobs run = api::RunGrievanceJobs(
          db, clock, {.actor = "system", .eligibility = &eligibility}, *grievance_policy);
      if (!run.error.ok()) spdlog::warn("grievance jobs: {}", run.error.ToString());
      for (const std::string& line : run.actions.lines) {
        spdlog::info("grievance action: {}", line);
      }
      if (run.cases.opened + run.escalation.escalated + run.actions.examined + run.closed > 0) {
        nlohmann::json summary = api::GrievanceJobsJson(run);
        summary["actions"].erase("lines");
        spdlog::info("grievance jobs: {}", summary.dump());
      }
    });
  });
  std::string url = "http://" + config.server.bind + ":" + std::to_string(server.port());
  spdlog::info("serving {} on {}", where, url);
  if (options.demo) {
    std::printf(
        "\nspode is serving the demo state at %s\n"
        "  %s/           the web pages: citizens at /citizen, staff (the accounts above) at "
        "/staff\n"
        "  %s/healthz    alive\n"
        "  %s/readyz     database reachable, schema current, eligibility loaded\n"
        "  %s/metrics    Prometheus metrics\n"
        "  %s/api/v1/openapi.json   the API\n"
        "  %s/dev/outbox   messages sent (citizens' one-time codes)\n"
        "Sign in: curl -X POST %s/api/v1/auth/login -d '{\"username\":\"district.officer\","
        "\"password\":\"...\"}'\n"
        "Try: ./build/spode household show FAMILY_ID --db %s   (family IDs: sqlite3 %s "
        "'SELECT family_id FROM households LIMIT 5')\n"
        "Press Ctrl-C to stop.\n",
        url.c_str(), url.c_str(), url.c_str(), url.c_str(), url.c_str(), url.c_str(), url.c_str(),
        url.c_str(), config.database.url.c_str(), config.database.url.c_str());
    std::fflush(stdout);
  }
  server.Wait();
  stopping.store(true);
  dispatcher.join();
  eligibility_loop.join();
  grievance_jobs.join();
  if (Status flushed = (*access_log)->Flush(); !flushed.ok()) {
    spdlog::error("access log: {}", flushed.ToString());
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace spode::app
