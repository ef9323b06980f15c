// The REST API under /api/v1: authentication, the citizen's own view, the registry (read,
// search, enrol), change requests and the duplicate queue, operators' assisted sessions. Every
// handler declares its action and asks the access gate (access/gate.h) before touching
// personal data; errors are RFC 9457 problem documents (http/problem.h).
//
//   api::Api api(connections, master_key, clock, access_log, {.dev_outbox = true});
//   RETURN_IF_ERROR(api.Register(router));
//
// The routes, with their methods and actions, are described by the OpenAPI document served at
// /api/v1/openapi.json (api::OpenApiDocument()), and a test checks that the two agree.
//
// Thread-safety: handlers run on the server's worker threads, each with its own connection.
#ifndef SPODE_API_API_H_
#define SPODE_API_API_H_

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "access/gate.h"
#include "access/session_cache.h"
#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "grievance/types.h"
#include "http/offload.h"
#include "http/router.h"
#include "programs/eligibility.h"
#include "registry/registry.h"
#include "registry/view_cache.h"
#include "storage/connections.h"

namespace spode::api {

struct Options {
  // Serve GET /dev/outbox (messages, one-time codes included): for the demo and tests only.
  bool dev_outbox = false;
  // The largest page a list or search returns.
  int max_page_size = 100;
  // The schemes and the registry's snapshot, for explanations (not owned; may be null, and then
  // the scheme routes answer 503).
  programs::Eligibility* eligibility = nullptr;
  // Where POST /api/v1/cycles/{id}/export writes bank files (banks download them through the
  // API either way).
  std::string bank_files_dir = "bank-files";
  // Grievance deadlines and windows (the deployment's [grievance] settings).
  grievance::Policy grievance_policy = {};
  // Memory for household views kept between reads (registry/view_cache.h); 0 keeps none.
  size_t household_view_bytes = size_t{64} << 20;
};

class Api {
 public:
  Api(storage::Connections& connections, const crypto::MasterKey& key, const TimeSource& clock,
      access::AccessLog& log, Options options = {})
      : connections_(connections),
        key_(key),
        clock_(clock),
        log_(log),
        gate_(log, clock),
        views_(options.household_view_bytes),
        options_(options) {}

  Status Register(http::Router& router);

  // For the server's metrics.
  registry::ViewCache::Stats household_view_stats() const { return views_.stats(); }

 private:
  storage::Connections& connections_;
  const crypto::MasterKey& key_;
  const TimeSource& clock_;
  access::AccessLog& log_;
  access::Gate gate_;
  // The sessions of recent requests (access/session_cache.h): most requests then skip the
  // session look-up.
  access::SessionCache sessions_;
  // Place names, read once (registry::PlaceNames); filled only by GET requests.
  registry::PlaceNames places_;
  // Household views kept between GET /households/{id} (exact: registry/view_cache.h).
  registry::ViewCache views_;
  Options options_;
  // The threads of the handlers that work for a long while (a password's Argon2id, a payment
  // cycle's creation, approval or export, a bank's status file, a scheme run over the whole
  // registry): an HTTP worker thread serves all its connections, and would hold them back
  // meanwhile (http/offload.h). One a core, and at least two, so that a sign-in does not wait
  // behind an export. Declared last: destroyed first, while what its handlers use is still
  // there.
  http::Offload slow_{static_cast<int>(std::max(2u, std::thread::hardware_concurrency()))};
  friend class Handlers;
};

// The OpenAPI 3 document describing every route Register adds.
const nlohmann::json& OpenApiDocument();

}  // namespace spode::api

#endif  // SPODE_API_API_H_
