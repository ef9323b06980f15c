// Server: an HTTP/1.1 server (Boost.Beast and Asio with C++20 coroutines, kept out of this
// header) that hands each request to a Router.
//
//   Router router;  ... router.Add(...) ...
//   Metrics metrics;
//   Server server(ServerOptions::FromConfig(config.server), router, &metrics);
//   RETURN_IF_ERROR(server.Start());     // bound and serving; server.port() is the real port
//   RETURN_IF_ERROR(server.StopOnSignals());  // SIGINT/SIGTERM begin a graceful stop
//   server.Wait();                       // returns once stopped
//
// Model: one io_context run by `workers` threads; one coroutine per connection on its own
// strand. A handler is a plain synchronous function called on the worker thread that read the
// request (it may block, e.g. on the database; while it does, that worker serves nobody else).
// Connections are kept alive (HTTP/1.1 rules; pipelined requests are answered in order).
//
// Limits, each answered with a problem document (problem.h) and the connection then closed:
//   max_body_bytes      a larger body (by Content-Length, or as chunks arrive) -> 413
//   max_header_bytes    request line + header fields larger -> 431
//   max_connections     a connection beyond it -> 503 (Retry-After: 1)
//   malformed request   -> 400
// Timeouts, after which the connection is closed without a response:
//   request_timeout_ms  from a request's first byte until it is completely read (so a client
//                       trickling its header, "slowloris", cannot hold a connection), and for
//                       writing the response; also the wait for a new connection's first byte
//   idle_timeout_ms     a kept-alive connection waiting for its next request
//
// Every response carries X-Request-Id: the client's own if it sent a valid one (1-64 of
// [A-Za-z0-9._-]), else a fresh 16-hex-digit id; the same id is in Request::request_id, in
// problem bodies and in every log line the server writes about that request.
//
// Thread-safety: Start, Stop, RequestStop, StopOnSignals, Wait and port may be called from any
// thread. Stop and Wait must not be called from a handler (a handler may call RequestStop).
// Ownership: the Router and the Metrics are borrowed and must outlive the Server; the Router
// must not change after the Server is constructed.
#ifndef SPODE_HTTP_SERVER_H_
#define SPODE_HTTP_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "common/config.h"
#include "common/status.h"
#include "http/metrics.h"
#include "http/router.h"

namespace spode::http {

struct ServerOptions {
  std::string bind = "127.0.0.1";    // an IP address or a host name
  int port = 0;                      // 0: an ephemeral port (tests)
  int workers = 0;                   // 0: std::thread::hardware_concurrency()
  int64_t max_body_bytes = 1 << 20;  // 1 MiB
  int max_header_bytes = 16 << 10;   // 16 KiB
  int max_connections = 10000;
  int request_timeout_ms = 10000;
  int idle_timeout_ms = 60000;
  int drain_timeout_ms = 10000;  // how long Stop waits for in-flight requests

  // The [server] section of spode's configuration (drain_timeout_ms keeps its default).
  static ServerOptions FromConfig(const Config::Server& server);
};

class Server {
 public:
  Server(ServerOptions options, const Router& router, Metrics* metrics = nullptr);
  // Stops (as Stop) if running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the workers. Returns
  //   INVALID_ARGUMENT    an option is out of range or `bind` is not an address/host name;
  //   UNAVAILABLE         the address cannot be bound (e.g. the port is taken);
  //   FAILED_PRECONDITION Start was called before.
  Status Start();

  // Graceful stop: stops accepting (new connections are refused), closes idle connections,
  // lets requests already being read or handled finish and be answered (with
  // "Connection: close"), and after drain_timeout_ms closes whatever remains. Returns when
  // every worker has finished; a handler still running at the deadline is waited for (a
  // synchronous function cannot be interrupted). Idempotent.
  void Stop();

  // Begins the graceful stop and returns at once; Wait() returns when it is complete.
  void RequestStop();

  // Installs handlers for SIGINT and SIGTERM (for `spode serve`): the first signal calls
  // RequestStop; another one while stopping ends the drain at once (an impatient Ctrl-C).
  // FAILED_PRECONDITION before Start; INTERNAL if the handlers cannot be installed.
  Status StopOnSignals();

  // Blocks until the server has stopped (returns at once if it never started).
  void Wait();

  // The bound port (after a successful Start), else 0.
  int port() const;

  // Connections currently open (for tests and diagnostics).
  int active_connections() const;

  class Impl;  // in server.cc

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace spode::http

#endif  // SPODE_HTTP_SERVER_H_
