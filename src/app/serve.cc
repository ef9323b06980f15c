#include "app/serve.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

#include "app/commands.h"
#include "access/gate.h"
#include "api/api.h"
#include "app/state.h"
#include "storage/connections.h"
#include "http/json.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/router.h"
#include "http/server.h"

namespace spode::app {
int Serve(const Config& config, const ServeOptions& options) {
  // Open once to migrate and check the key before accepting connections.
  auto state = OpenState(config);
  if (!state.ok()) return Fail(state.status(), false);
  std::string where = state->db->Describe();
  state->db.reset();

  storage::OpenOptions open_options;
  open_options.busy_timeout_ms = config.database.busy_timeout_ms;
  storage::Connections connections(config.database.url, open_options);
  auto access_log = access::AccessLog::Open(config.database.url);
  if (!access_log.ok()) return Fail(access_log.status(), false);
  SystemTimeSource clock(config.time.utc_offset_minutes);
  http::Metrics metrics;
  metrics.AddCollector([](std::string& out) {
    out += "# HELP spode_build_info Build information.\n# TYPE spode_build_info gauge\n";
    out += std::string("spode_build_info{version=\"") + kVersion + "\"} 1\n";
  });
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
    return http::Json({{"status", "ready"}, {"database", "reachable"}, {"migrations", "current"}});
  }).IgnoreError();
  metrics.AddCollector([&](std::string& out) {
    out += "# HELP spode_db_connections Open database connections (one per worker thread).\n"
           "# TYPE spode_db_connections gauge\n";
    out += "spode_db_connections " + std::to_string(connections.open_count()) + "\n";
    out += "# HELP spode_access_log_written_total Access-log entries written.\n"
           "# TYPE spode_access_log_written_total counter\n";
    out += "spode_access_log_written_total " + std::to_string((*access_log)->written()) + "\n";
  });
  api::Api api(connections, *state->key, clock, **access_log, {.dev_outbox = options.dev_outbox});
  if (Status s = api.Register(router); !s.ok()) return Fail(s, false);
  router.Add("GET", "/metrics", [&](http::Request&) {
    http::Response r;
    r.content_type = std::string(http::kMetricsContentType);
    r.body = metrics.Render();
    return r;
  }).IgnoreError();

  http::Server server(http::ServerOptions::FromConfig(config.server), router, &metrics);
  Status started = server.Start();
  if (!started.ok()) return Fail(started, false);
  if (Status sig = server.StopOnSignals(); !sig.ok()) return Fail(sig, false);
  std::string url = "http://" + config.server.bind + ":" + std::to_string(server.port());
  spdlog::info("serving {} on {}", where, url);
  if (options.demo) {
    std::printf(
        "\nspode is serving the demo state at %s\n"
        "  %s/healthz    alive\n"
        "  %s/readyz     database reachable, schema current\n"
        "  %s/metrics    Prometheus metrics\n"
        "Try: ./build/spode household show FAMILY_ID --db %s   (family IDs: sqlite3 %s "
        "'SELECT family_id FROM households LIMIT 5')\n"
        "Press Ctrl-C to stop.\n",
        url.c_str(), url.c_str(), url.c_str(), url.c_str(), config.database.url.c_str(),
        config.database.url.c_str());
    std::fflush(stdout);
  }
  server.Wait();
  spdlog::info("stopped");
  return 0;
}

}  // namespace spode::app
