// The only file of spode that includes Boost.Beast (it is slow to compile).
#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>  // g++ 12: before any Asio include when Asio is used with C++20 coroutines
#include <vector>

#include "common/thread_name.h"
#include "http/problem.h"
#include "http/request_id.h"

// g++ 12 at -O1 reports Asio's coroutine frame allocator (awaitable_frame_base's operator
// new/delete pair) as mismatched: a false positive on the compiler-generated frame deallocation.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace spode::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t kReadSize = 16 << 10;
// Error responses are followed by a "lingering close": the server stops sending, then reads and
// discards what the client still sends (at most this much, for at most kLingerTime), so that
// closing does not reset the connection before the client has read the response.
constexpr size_t kMaxLingerBytes = 1 << 20;
constexpr std::chrono::milliseconds kLingerTime(2000);
constexpr int kMaxPendingRejects = 256;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// A Beast body (for responses only) that sends a Response's text: its own string, or text
// shared with others (Response::shared_body) without copying it.
struct ResponseBody {
  struct value_type {
    std::string owned;
    std::shared_ptr<const std::string> shared;
    std::string_view Text() const { return shared ? std::string_view(*shared) : owned; }
  };

  static std::uint64_t size(const value_type& body) { return body.Text().size(); }

  class writer {
   public:
    using const_buffers_type = asio::const_buffer;

    template <bool kIsRequest, class Fields>
    writer(const bhttp::header<kIsRequest, Fields>&, const value_type& body) : text_(body.Text()) {}

    void init(beast::error_code& ec) { ec = {}; }

    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      return {{const_buffers_type(text_.data(), text_.size()), false}};
    }

   private:
    std::string_view text_;
  };
};

// Method labels for metrics: a fixed set, so a client cannot create series at will.
constexpr std::array<std::string_view, 8> kMethodLabels = {"GET",   "HEAD",   "POST",    "PUT",
                                                           "PATCH", "DELETE", "OPTIONS", "OTHER"};
int MethodIndex(std::string_view method) {
  for (size_t i = 0; i + 1 < kMethodLabels.size(); ++i) {
    if (kMethodLabels[i] == method) return static_cast<int>(i);
  }
  return static_cast<int>(kMethodLabels.size() - 1);
}

// The Date header value, formatted at most once a second per thread.
std::string_view HttpDate() {
  thread_local std::time_t cached = -1;
  thread_local std::array<char, 64> text;
  thread_local size_t length = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    length = std::strftime(text.data(), text.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = now;
  }
  return {text.data(), length};
}

// Beast 1.74 has its own string_view; convert explicitly (an implicit conversion would go
// through an ostream).
beast::string_view Bsv(std::string_view s) { return {s.data(), s.size()}; }
std::string_view Sv(beast::string_view s) { return {s.data(), s.size()}; }

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool IsHttpParseError(const beast::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// Logs an exception that escaped a coroutine (none should: handlers run inside the router's
// try/catch).
struct LogException {
  std::string_view what;
  void operator()(std::exception_ptr e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("http {}: unexpected exception: {}", what, ex.what());
    } catch (...) {
      spdlog::error("http {}: unexpected exception", what);
    }
  }
};

thread_local const void* t_worker_of = nullptr;  // the Server::Impl whose worker this thread is

// Shared by a server and the callbacks it leaves with PendingResponses: a Resolve that comes
// after the server has torn its contexts down (a long handler that outlived the drain) must not
// post to them.
struct ResolveGate {
  std::mutex mu;
  bool open = true;  // GUARDED_BY(mu)
};

}  // namespace

ServerOptions ServerOptions::FromConfig(const Config::Server& server) {
  ServerOptions options;
  options.bind = server.bind;
  options.port = server.port;
  options.workers = server.workers;
  options.max_body_bytes = server.max_body_bytes;
  options.max_header_bytes = server.max_header_bytes;
  options.max_connections = server.max_connections;
  options.request_timeout_ms = server.request_timeout_ms;
  options.idle_timeout_ms = server.idle_timeout_ms;
  return options;
}

class Server::Impl {
 public:
  Impl(ServerOptions options, const Router& router, Metrics* metrics);
  ~Impl();

  Status Start();
  void RequestStop();
  void Stop();
  Status StopOnSignals();
  void Wait();
  int port() const { return port_.load(); }
  int active_connections() const { return active_.load(); }

 private:
  struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    std::string remote_address;
    bool idle = false;  // waiting for a request's first byte; only touched on its thread
  };

  // The series of one route pattern (or of "(none)" / "(fallback)"), looked up once.
  struct RouteStats {
    static constexpr int kSlots = 32;
    std::string label;
    Histogram* duration = nullptr;
    // A small lock-free cache of request counters by (method, status): a slot's counter is
    // written before its key is published (release); readers acquire the key.
    std::array<std::atomic<uint32_t>, kSlots> keys{};
    std::array<Counter*, kSlots> counters{};
    std::mutex insert_mu;
  };

  using WireResponse = bhttp::response<ResponseBody>;

  asio::awaitable<void> Accept();
  asio::awaitable<void> Serve(std::shared_ptr<Connection> connection);
  asio::awaitable<void> Reject(tcp::socket socket);
  asio::awaitable<void> LingeringClose(beast::tcp_stream& stream);

  // Fills `request` from the parsed message. INVALID_ARGUMENT for a target that is not an
  // absolute path or a malformed query.
  Status FillRequest(bhttp::request<bhttp::string_body>& message, const Connection& connection,
                     Request& request);
  WireResponse BuildResponse(Response response, std::string_view request_id, unsigned version,
                             bool keep_alive, bool head);
  void Record(int route_index, std::string_view method, int status, Clock::time_point start);
  Counter& RequestCounter(RouteStats& stats, int method_index, int status);
  void ConnectionClosed(const std::shared_ptr<Connection>& connection);
  // Waits (on the control strand) for SIGINT/SIGTERM: the first begins a graceful stop, a
  // second one during it stops at once.
  void WaitForSignal();
  // Closes the acceptor and stops the io_contexts (on the control strand, after anything posted
  // there before).
  void Finish();

  // Declared in an order that makes destruction safe: the io_contexts (with any coroutine frames
  // they still hold, whose destructors touch the members above them) are destroyed after the
  // I/O objects below them and before the members above them (see ~Impl).
  const ServerOptions options_;
  const Router& router_;
  Metrics* const metrics_;
  int workers_ = 1;
  CounterFamily* requests_family_ = nullptr;
  Gauge* connections_gauge_ = nullptr;
  Counter* rejected_counter_ = nullptr;
  std::vector<std::unique_ptr<RouteStats>> route_stats_;  // patterns, then none, then fallback
  const std::shared_ptr<ResolveGate> resolve_gate_ = std::make_shared<ResolveGate>();

  std::mutex mu_;
  std::unordered_set<std::shared_ptr<Connection>> connections_;  // guarded by mu_
  std::atomic<int> active_{0};
  std::atomic<int> pending_rejects_{0};
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> tearing_down_{false};
  std::atomic<int> port_{0};

  std::mutex join_mu_;
  std::mutex signals_mu_;             // guards the creation of signals_
  std::vector<std::thread> threads_;  // guarded by join_mu_

  // One io_context per worker thread, run by that thread alone. A connection lives on one of
  // them from its accept to its close, so its handlers need no strand and its completions never
  // move to another thread: in one context shared by all workers, a completion was often handed
  // to another thread (a futex wake and a context switch each), about a third of the cost of a
  // constant response (docs/benchmarks.md, bench/http, ninth session). Connections are dealt to
  // the contexts in turn.
  std::vector<std::unique_ptr<asio::io_context>> ios_;
  size_t next_io_ = 0;  // the context of the next connection; only the acceptor touches it
  // The control strand, on the first context: the acceptor, the drain timer and the signal set
  // live on it.
  std::unique_ptr<asio::strand<asio::io_context::executor_type>> control_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> drain_timer_;
  std::unique_ptr<asio::signal_set> signals_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
};

Server::Impl::Impl(ServerOptions options, const Router& router, Metrics* metrics)
    : options_(std::move(options)), router_(router), metrics_(metrics) {
  workers_ = options_.workers > 0 ? options_.workers
                                  : static_cast<int>(std::thread::hardware_concurrency());
  if (workers_ <= 0) workers_ = 1;
  for (int i = 0; i < workers_; ++i) ios_.push_back(std::make_unique<asio::io_context>(1));
  control_ = std::make_unique<asio::strand<asio::io_context::executor_type>>(
      asio::make_strand(*ios_.front()));
  acceptor_ = std::make_unique<tcp::acceptor>(*control_);
  drain_timer_ = std::make_unique<asio::steady_timer>(*control_);

  if (metrics_ != nullptr) {
    requests_family_ = &metrics_->AddCounterFamily(
        "spode_http_requests_total", "HTTP requests answered, by route pattern, method and status.",
        {"route", "method", "status"});
    HistogramFamily& durations = metrics_->AddHistogramFamily(
        "spode_http_request_duration_seconds",
        "Time from a request's first byte until its response is ready to send, by route.",
        {"route"}, LatencyBuckets());
    connections_gauge_ =
        &metrics_->AddGauge("spode_http_connections_active", "HTTP connections currently open.");
    rejected_counter_ = &metrics_->AddCounter(
        "spode_http_connections_rejected_total",
        "HTTP connections refused with 503 because max_connections were open.");
    std::vector<std::string> labels = router_.patterns();
    labels.push_back("(none)");
    labels.push_back("(fallback)");
    for (std::string& label : labels) {
      auto stats = std::make_unique<RouteStats>();
      stats->duration = &durations.WithLabels({label});
      stats->label = std::move(label);
      route_stats_.push_back(std::move(stats));
    }
  }
}

Server::Impl::~Impl() {
  Stop();
  // Whatever the io_context still holds (coroutine frames of connections cut at the drain
  // deadline) is destroyed with it; those destructors must not restart anything.
  tearing_down_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections_.clear();  // the coroutine frames hold their own references
  }
  work_.clear();
  signals_.reset();
  drain_timer_.reset();
  acceptor_.reset();
  control_.reset();
  {
    std::lock_guard<std::mutex> lock(resolve_gate_->mu);
    resolve_gate_->open = false;
  }
  // The first context first: it may still hold an accept's socket that belongs to another.
  for (auto& io : ios_) io.reset();
}

Status Server::Impl::Start() {
  if (started_.exchange(true)) {
    return FailedPreconditionError("the HTTP server was already started");
  }
  const ServerOptions& o = options_;
  auto invalid = [&](std::string what) {
    started_ = false;
    return InvalidArgumentError("HTTP server options: " + what);
  };
  if (o.port < 0 || o.port > 65535) return invalid("port must be in [0, 65535]");
  if (o.workers < 0) return invalid("workers must be >= 0");
  if (o.max_body_bytes < 0) return invalid("max_body_bytes must be >= 0");
  if (o.max_header_bytes <= 0) return invalid("max_header_bytes must be > 0");
  if (o.max_connections <= 0) return invalid("max_connections must be > 0");
  if (o.request_timeout_ms <= 0) return invalid("request_timeout_ms must be > 0");
  if (o.idle_timeout_ms <= 0) return invalid("idle_timeout_ms must be > 0");
  if (o.drain_timeout_ms < 0) return invalid("drain_timeout_ms must be >= 0");

  beast::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::address address = asio::ip::make_address(o.bind, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, static_cast<unsigned short>(o.port));
  } else {
    tcp::resolver resolver(*ios_.front());
    auto results = resolver.resolve(o.bind, std::to_string(o.port), ec);
    if (ec || results.empty()) {
      return invalid("bind \"" + o.bind + "\" is not an IP address or a known host name");
    }
    endpoint = results.begin()->endpoint();
  }
  std::string where = o.bind + ":" + std::to_string(o.port);
  auto unavailable = [&](std::string_view step) {
    beast::error_code ignored;
    acceptor_->close(ignored);
    started_ = false;
    return UnavailableError("cannot listen on " + where + ": " + std::string(step) + ": " +
                            ec.message());
  };
  if (acceptor_->open(endpoint.protocol(), ec)) return unavailable("open");
  if (acceptor_->set_option(asio::socket_base::reuse_address(true), ec)) {
    return unavailable("SO_REUSEADDR");
  }
  if (acceptor_->bind(endpoint, ec)) return unavailable("bind");
  if (acceptor_->listen(asio::socket_base::max_listen_connections, ec)) {
    return unavailable("listen");
  }
  tcp::endpoint local = acceptor_->local_endpoint(ec);
  if (ec) return unavailable("local_endpoint");
  port_ = local.port();

  for (auto& io : ios_) work_.push_back(asio::make_work_guard(*io));
  asio::co_spawn(*control_, Accept(), LogException{"acceptor"});
  std::lock_guard<std::mutex> lock(join_mu_);
  for (int i = 0; i < workers_; ++i) {
    threads_.emplace_back([this, i, io = ios_[i].get()] {
      NameThisThread("spode-http-" + std::to_string(i));
      t_worker_of = this;
      for (;;) {
        try {
          io->run();
          break;
        } catch (const std::exception& e) {
          spdlog::error("http worker: unexpected exception: {}", e.what());
        }
      }
    });
  }
  spdlog::info("http server listening on {}:{} ({} workers)", local.address().to_string(),
               local.port(), workers_);
  return OkStatus();
}

void Server::Impl::RequestStop() {
  if (!started_.load() || stopping_.exchange(true)) return;
  spdlog::info("http server stopping: {} connections open, draining for up to {} ms",
               active_.load(), options_.drain_timeout_ms);
  asio::post(*control_, [this] {
    beast::error_code ignored;
    acceptor_->close(ignored);
    drain_timer_->expires_after(std::chrono::milliseconds(options_.drain_timeout_ms));
    drain_timer_->async_wait([this](beast::error_code ec) {
      if (ec) return;
      spdlog::warn("http server drain timeout: closing {} connections", active_.load());
      Finish();
    });
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    open.assign(connections_.begin(), connections_.end());
  }
  for (const auto& connection : open) {
    // Idle connections are closed now; busy ones close after their response.
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->idle) connection->stream.close();
    });
  }
  if (active_.load() == 0) Finish();
}

void Server::Impl::Finish() {
  asio::post(*control_, [this] {
    beast::error_code ignored;
    acceptor_->close(ignored);
    work_.clear();
    for (auto& io : ios_) io->stop();
  });
}

void Server::Impl::Wait() {
  if (t_worker_of == this) {
    spdlog::error("http Server::Wait/Stop called from a handler: it would wait for itself");
    return;
  }
  std::lock_guard<std::mutex> lock(join_mu_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void Server::Impl::Stop() {
  RequestStop();
  Wait();
}

Status Server::Impl::StopOnSignals() {
  if (!started_.load()) return FailedPreconditionError("StopOnSignals before Start");
  std::lock_guard<std::mutex> lock(signals_mu_);
  if (signals_ != nullptr) return OkStatus();
  try {
    signals_ = std::make_unique<asio::signal_set>(*control_, SIGINT, SIGTERM);
  } catch (const std::exception& e) {
    return InternalError(std::string("cannot install signal handlers: ") + e.what());
  }
  asio::post(*control_, [this] { WaitForSignal(); });
  return OkStatus();
}

void Server::Impl::WaitForSignal() {
  signals_->async_wait([this](beast::error_code ec, int signal_number) {
    if (ec) return;
    if (!stopping_.load()) {
      spdlog::info("http server: signal {} received: stopping (send it again to stop at once)",
                   signal_number);
      RequestStop();
      WaitForSignal();
    } else {
      spdlog::warn("http server: signal {} received while stopping: stopping at once",
                   signal_number);
      Finish();
    }
  });
}

asio::awaitable<void> Server::Impl::Accept() {
  for (;;) {
    beast::error_code ec;
    asio::io_context& io = *ios_[next_io_];
    next_io_ = (next_io_ + 1) % ios_.size();
    tcp::socket socket =
        co_await acceptor_->async_accept(io, asio::redirect_error(asio::use_awaitable, ec));
    if (stopping_.load() || !acceptor_->is_open()) {
      beast::error_code ignored;
      socket.close(ignored);
      co_return;
    }
    if (ec) {
      // Typically EMFILE: back off briefly instead of spinning.
      spdlog::warn("http accept failed: {}", ec.message());
      asio::steady_timer pause(*control_, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    if (active_.load() >= options_.max_connections) {
      if (rejected_counter_ != nullptr) rejected_counter_->Increment();
      if (pending_rejects_.load() < kMaxPendingRejects) {
        auto executor = socket.get_executor();
        asio::co_spawn(executor, Reject(std::move(socket)), LogException{"reject"});
      } else {
        socket.close(ec);
      }
      continue;
    }
    auto connection = std::make_shared<Connection>(std::move(socket));
    tcp::endpoint remote = connection->stream.socket().remote_endpoint(ec);
    if (!ec) connection->remote_address = remote.address().to_string();
    {
      std::lock_guard<std::mutex> lock(mu_);
      connections_.insert(connection);
    }
    active_.fetch_add(1);
    if (connections_gauge_ != nullptr) connections_gauge_->Add(1);
    asio::co_spawn(connection->stream.get_executor(), Serve(connection),
                   LogException{"connection"});
  }
}

void Server::Impl::ConnectionClosed(const std::shared_ptr<Connection>& connection) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    connections_.erase(connection);
  }
  if (connections_gauge_ != nullptr) connections_gauge_->Add(-1);
  int left = active_.fetch_sub(1) - 1;
  if (left == 0 && stopping_.load() && !tearing_down_.load()) Finish();
}

// Waits, without holding a worker thread, for a handler's PendingResponse. A timer that never
// expires stands for the wait: Resolve (on whatever thread) posts its cancellation to this
// coroutine's context (one thread), which cannot run before the coroutine has suspended on it.
// The callback left with `pending` holds the timer weakly and posts only while `gate` is open:
// a Resolve after the server is gone touches nothing of it.
static asio::awaitable<Response> AwaitPending(std::shared_ptr<PendingResponse> pending,
                                              std::shared_ptr<ResolveGate> gate) {
  auto executor = co_await asio::this_coro::executor;
  auto wake = std::make_shared<asio::steady_timer>(executor, asio::steady_timer::time_point::max());
  auto ready = std::make_shared<std::atomic<bool>>(false);
  pending->OnResolved([timer = std::weak_ptr(wake), ready, executor, gate] {
    ready->store(true);
    std::lock_guard<std::mutex> lock(gate->mu);
    if (!gate->open) return;
    asio::post(executor, [timer] {
      if (auto wake = timer.lock()) wake->cancel();
    });
  });
  while (!ready->load()) {
    beast::error_code ec;
    co_await wake->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  co_return pending->Take();
}

asio::awaitable<void> Server::Impl::LingeringClose(beast::tcp_stream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(
      std::min(kLingerTime, std::chrono::milliseconds(options_.request_timeout_ms)));
  std::array<char, 4096> scratch;
  size_t total = 0;
  while (!ec && total < kMaxLingerBytes) {
    total += co_await stream.async_read_some(asio::buffer(scratch),
                                             asio::redirect_error(asio::use_awaitable, ec));
  }
  stream.close();
}

asio::awaitable<void> Server::Impl::Reject(tcp::socket socket) {
  pending_rejects_.fetch_add(1);
  struct Done {
    std::atomic<int>& count;
    ~Done() { count.fetch_sub(1); }
  } done{pending_rejects_};
  beast::tcp_stream stream(std::move(socket));
  std::string request_id = NewRequestId();
  spdlog::warn("request_id={} http connection refused: {} connections open (max_connections)",
               request_id, active_.load());
  Response problem = Problem(
      UnavailableError("the server has too many open connections; retry later"), request_id);
  problem.headers = {{"Retry-After", "1"}};  // sooner than Problem's default
  WireResponse response = BuildResponse(std::move(problem), request_id, 11, false, false);
  stream.expires_after(
      std::min(kLingerTime, std::chrono::milliseconds(options_.request_timeout_ms)));
  beast::error_code ec;
  co_await bhttp::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await LingeringClose(stream);
}

Status Server::Impl::FillRequest(bhttp::request<bhttp::string_body>& message,
                                 const Connection& connection, Request& request) {
  request.method.assign(message.method_string().data(), message.method_string().size());
  size_t i = 0;
  for (const auto& field : message) {
    if (i == request.headers.size()) request.headers.emplace_back();
    request.headers[i].first.assign(field.name_string().data(), field.name_string().size());
    request.headers[i].second.assign(field.value().data(), field.value().size());
    ++i;
  }
  request.headers.resize(i);
  request.body = std::move(message.body());
  request.remote_address = connection.remote_address;
  request.path_params.clear();
  request.route.clear();
  request.query_params.clear();
  std::string_view target(message.target().data(), message.target().size());
  size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  request.path.assign(path);
  request.query.assign(query);
  if (path.empty() || path.front() != '/') {
    return InvalidArgumentError("the request target must be an absolute path");
  }
  if (!query.empty()) {
    Result<std::map<std::string, std::string>> params = ParseQuery(query);
    if (!params.ok()) return params.status().WithContext("query");
    request.query_params = std::move(*params);
  }
  return OkStatus();
}

Server::Impl::WireResponse Server::Impl::BuildResponse(Response response,
                                                       std::string_view request_id,
                                                       unsigned version, bool keep_alive,
                                                       bool head) {
  if (response.status < 100 || response.status > 599) {
    response =
        Problem(InternalError("a handler returned HTTP status " + std::to_string(response.status)),
                request_id);
  }
  // A problem built without the request id (e.g. Problem(status) in a handler) gets it here.
  if (response.content_type == kProblemContentType && response.body.size() > 2 &&
      response.body.front() == '{' && response.body.find("\"request_id\"") == std::string::npos) {
    std::string member = "\"request_id\":\"";
    member += request_id;
    member += "\",";
    response.body.insert(1, member);
  }
  WireResponse out;
  out.version(version);
  out.result(static_cast<unsigned>(response.status));
  if (!response.content_type.empty()) {
    out.set(bhttp::field::content_type, Bsv(response.content_type));
  }
  out.set(bhttp::field::date, Bsv(HttpDate()));
  out.set(Bsv("X-Request-Id"), Bsv(request_id));
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || name.find(':') != std::string::npos || HasLineBreak(name) ||
        HasLineBreak(value)) {
      spdlog::error("request_id={} dropped an invalid response header field '{}'", request_id,
                    name);
      continue;
    }
    if (EqualsIgnoreCase(name, "connection") && EqualsIgnoreCase(value, "close")) {
      keep_alive = false;
      continue;
    }
    out.insert(Bsv(name), Bsv(value));
  }
  out.keep_alive(keep_alive);
  int status = response.status;
  bool bodiless = status < 200 || status == 204 || status == 304;
  if (!bodiless) {
    out.content_length(response.Body().size());
    if (!head) {
      out.body().owned = std::move(response.body);
      out.body().shared = std::move(response.shared_body);
    }
  }
  return out;
}

Counter& Server::Impl::RequestCounter(RouteStats& stats, int method_index, int status) {
  const uint32_t key =
      (static_cast<uint32_t>(method_index + 1) << 16) | static_cast<uint32_t>(status);
  for (int i = 0; i < RouteStats::kSlots; ++i) {
    uint32_t k = stats.keys[i].load(std::memory_order_acquire);
    if (k == key) return *stats.counters[i];
    if (k == 0) break;
  }
  Counter& counter = requests_family_->WithLabels(
      {stats.label, kMethodLabels[method_index], std::to_string(status)});
  std::lock_guard<std::mutex> lock(stats.insert_mu);
  for (int i = 0; i < RouteStats::kSlots; ++i) {
    uint32_t k = stats.keys[i].load(std::memory_order_relaxed);
    if (k == key) break;
    if (k == 0) {
      stats.counters[i] = &counter;
      stats.keys[i].store(key, std::memory_order_release);
      break;
    }
  }
  return counter;  // when every slot is taken, this series stays on the slower path
}

void Server::Impl::Record(int route_index, std::string_view method, int status,
                          Clock::time_point start) {
  if (metrics_ == nullptr) return;
  size_t patterns = route_stats_.size() - 2;
  RouteStats& stats = route_index >= 0 && static_cast<size_t>(route_index) < patterns
                          ? *route_stats_[route_index]
                      : route_index == Router::kFallback ? *route_stats_[patterns + 1]
                                                         : *route_stats_[patterns];
  std::chrono::duration<double> seconds = Clock::now() - start;
  stats.duration->Observe(seconds.count());
  RequestCounter(stats, MethodIndex(method), status).Increment();
}

asio::awaitable<void> Server::Impl::Serve(std::shared_ptr<Connection> connection) {
  struct Closed {
    Impl* impl;
    std::shared_ptr<Connection>& connection;
    ~Closed() { impl->ConnectionClosed(connection); }
  } closed{this, connection};

  beast::tcp_stream& stream = connection->stream;
  beast::flat_buffer& buffer = connection->buffer;
  const auto request_timeout = std::chrono::milliseconds(options_.request_timeout_ms);
  const auto idle_timeout = std::chrono::milliseconds(options_.idle_timeout_ms);
  Request request;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser;
  bool first = true;
  beast::error_code ec;
  for (;;) {
    if (stopping_.load()) break;
    if (buffer.size() == 0) {
      // Wait for the next request's first byte: idle time, not yet request time.
      connection->idle = true;
      stream.expires_after(first ? request_timeout : idle_timeout);
      size_t n = co_await stream.async_read_some(buffer.prepare(kReadSize),
                                                 asio::redirect_error(asio::use_awaitable, ec));
      connection->idle = false;
      if (ec) break;  // closed by the client, idle timeout, or stopping
      buffer.commit(n);
    }
    first = false;
    const Clock::time_point start = Clock::now();
    request.method.clear();
    request.path.clear();
    NewRequestId(&request.request_id);
    stream.expires_after(request_timeout);
    parser.emplace();
    parser->header_limit(static_cast<uint32_t>(options_.max_header_bytes));
    parser->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    co_await bhttp::async_read_header(stream, buffer, *parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (!ec && !parser->is_done()) {
      auto& header = parser->get();
      if (header.version() >= 11 &&
          EqualsIgnoreCase(Sv(header[bhttp::field::expect]), "100-continue")) {
        co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
      if (!ec) {
        co_await bhttp::async_read(stream, buffer, *parser,
                                   asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    auto& message = parser->get();
    {
      std::string_view incoming_id = Sv(message[Bsv("X-Request-Id")]);
      if (IsValidRequestId(incoming_id)) request.request_id.assign(incoming_id);
    }

    Response response;
    int route_index = Router::kNoRoute;
    bool keep_alive = false;
    bool failed = false;  // answered with an error before reading the whole request
    std::string_view method = "OTHER";
    if (ec == bhttp::error::body_limit) {
      response = Problem(ResourceExhaustedError("the request body is larger than " +
                                                std::to_string(options_.max_body_bytes) + " bytes"),
                         request.request_id, 413);
      failed = true;
    } else if (ec == bhttp::error::header_limit) {
      response =
          Problem(ResourceExhaustedError("the request line and header fields are larger "
                                         "than " +
                                         std::to_string(options_.max_header_bytes) + " bytes"),
                  request.request_id, 431);
      failed = true;
    } else if (ec && IsHttpParseError(ec)) {
      response = Problem(InvalidArgumentError("malformed HTTP request: " + ec.message()),
                         request.request_id);
      failed = true;
    } else if (ec) {
      // Timeout (beast has closed the socket), the client went away, or the server is stopping.
      spdlog::debug("request_id={} http connection from {} closed while reading a request: {}",
                    request.request_id, connection->remote_address, ec.message());
      break;
    } else {
      Status filled = FillRequest(message, *connection, request);
      if (filled.ok()) {
        response = router_.Dispatch(request, &route_index);
        if (response.pending) {
          response = co_await AwaitPending(std::move(response.pending), resolve_gate_);
        }
      } else {
        response = Problem(filled, request.request_id);
      }
      method = request.method;
      keep_alive = message.keep_alive() && !stopping_.load();
    }
    const bool head = !failed && message.method() == bhttp::verb::head;
    WireResponse out = BuildResponse(std::move(response), request.request_id,
                                     failed ? 11u : message.version(), keep_alive, head);
    keep_alive = out.keep_alive();
    const int status = out.result_int();
    if (failed) {
      spdlog::info("request_id={} http {} from {}: {}", request.request_id, status,
                   connection->remote_address, ec.message());
    } else if (status >= 500) {
      spdlog::warn("request_id={} http {} {} -> {}", request.request_id, method, request.path,
                   status);
    } else {
      spdlog::debug("request_id={} http {} {} {} -> {}", request.request_id,
                    connection->remote_address, method, request.path, status);
    }
    // Recorded before the write, so a client that has its response sees it counted.
    Record(route_index, method, status, start);
    stream.expires_after(request_timeout);
    co_await bhttp::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    if (failed) {
      co_await LingeringClose(stream);
      break;
    }
    if (!keep_alive) {
      stream.socket().shutdown(tcp::socket::shutdown_send, ec);
      break;
    }
  }
  stream.close();
}

// --- Server: forwards to Impl ---

Server::Server(ServerOptions options, const Router& router, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics)) {}
Server::~Server() = default;
Status Server::Start() { return impl_->Start(); }
void Server::Stop() { impl_->Stop(); }
void Server::RequestStop() { impl_->RequestStop(); }
Status Server::StopOnSignals() { return impl_->StopOnSignals(); }
void Server::Wait() { impl_->Wait(); }
int Server::port() const { return impl_->port(); }
int Server::active_connections() const { return impl_->active_connections(); }

}  // namespace spode::http
