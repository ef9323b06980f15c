#include "http/server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/thread_name.h"
#include "http/json.h"
#include "http/offload.h"
#include "http/problem.h"
#include "http/testing/test_client.h"

namespace spode::http {
namespace {

using testing::ClientResponse;
using testing::GetRequest;
using ::testing::HasSubstr;
using testing::PostRequest;
using testing::TestClient;
using Clock = std::chrono::steady_clock;

std::string Code(const ClientResponse& response) {
  return nlohmann::json::parse(response.body).value("code", "");
}

long long MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// A one-shot signal between a handler and the test.
class Latch {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    Check(router_.Add("GET", "/hello", [](Request&) { return Text("hello"); }));
    Check(router_.Add("GET", "/households/{family_id}", [](Request& request) {
      return Json({{"family_id", request.path_params["family_id"]},
                   {"route", request.route},
                   {"q", request.query_params["q"]},
                   {"request_id", request.request_id},
                   {"remote", request.remote_address},
                   {"accept", request.Header("ACCEPT")}});
    }));
    Check(router_.Add("POST", "/echo", [](Request& request) {
      return Text(request.body, 200, "application/octet-stream");
    }));
    Check(router_.Add("GET", "/boom",
                      [](Request&) -> Response { throw std::runtime_error("handler failure"); }));
    Check(router_.Add("GET", "/denied", [](Request&) {
      return Problem(PermissionDeniedError("not your household"));
    }));
    // Answered later, by the test: the handler returns at once (PendingResponse).
    Check(router_.Add("GET", "/later", [this](Request&) {
      auto pending = std::make_shared<PendingResponse>();
      {
        std::lock_guard lock(later_mu_);
        later_ = pending;
      }
      later_entered_.Open();
      return Later(pending);
    }));
    // Resolved before the handler even returns.
    Check(router_.Add("GET", "/resolved-later", [](Request&) {
      auto pending = std::make_shared<PendingResponse>();
      pending->Resolve(Text("already", 201));
      return Later(pending);
    }));
    Check(router_.Add("GET", "/thread", [](Request&) {
      return Text(std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())));
    }));
    Check(router_.Add("GET", "/thread-name", [](Request&) { return Text(ThisThreadName()); }));
    Check(router_.Add("GET", "/offloaded-thread-name",
                      offload_.Wrap([](Request&) { return Text(ThisThreadName()); })));
    // Run on offload_'s thread, until the test opens offloaded_release_.
    Check(router_.Add("POST", "/offloaded/{name}", offload_.Wrap([this](Request& request) {
      offloaded_entered_.Open();
      if (!offloaded_release_.WaitFor(std::chrono::seconds(5))) return Text("never released");
      return Text(request.path_params["name"] + " " + request.body, 201);
    })));
    Check(router_.Add("GET", "/offloaded-throws", offload_.Wrap([](Request&) -> Response {
      throw std::runtime_error("offloaded failure");
    })));
    // Text kept by the handler and sent by every request for it (Response::shared_body).
    Check(router_.Add("GET", "/shared", [this](Request&) {
      Response response;
      response.shared_body = shared_text_;
      return response;
    }));
    Check(router_.Add("GET", "/slow", [this](Request&) {
      slow_entered_.Open();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return Text("slow done");
    }));
  }

  static void Check(const Status& status) { ASSERT_TRUE(status.ok()) << status; }

  void StartServer(ServerOptions options = {}) {
    if (options.workers == 0) options.workers = 2;
    server_ = std::make_unique<Server>(options, router_, &metrics_);
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status;
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }

  Latch offloaded_entered_;
  Latch offloaded_release_;
  Offload offload_{1};  // declared before the router and server: it outlives both
  Router router_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  const std::shared_ptr<const std::string> shared_text_ =
      std::make_shared<const std::string>(R"({"kept":")" + std::string(5000, 'k') + R"("})");
  Latch slow_entered_;
  Latch later_entered_;
  std::mutex later_mu_;
  std::shared_ptr<PendingResponse> later_;  // GUARDED_BY(later_mu_)
};

TEST_F(ServerTest, PendingResponseFreesTheWorkerUntilItIsResolved) {
  ServerOptions options;
  options.workers = 1;
  StartServer(options);
  TestClient waiting(port_);
  ASSERT_TRUE(waiting.Send(GetRequest("/later")));
  ASSERT_TRUE(later_entered_.WaitFor(std::chrono::seconds(3)));
  // The only worker is free while /later waits: another connection is served meanwhile.
  TestClient other(port_);
  auto hello = other.RoundTrip(GetRequest("/hello"), 2000);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->body, "hello");
  // Resolved from another thread: the waiting client gets exactly that answer.
  std::shared_ptr<PendingResponse> pending;
  {
    std::lock_guard lock(later_mu_);
    pending = later_;
  }
  ASSERT_NE(pending, nullptr);
  std::thread([pending] { pending->Resolve(Text("done later", 202)); }).join();
  auto response = waiting.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 202);
  EXPECT_EQ(response->body, "done later");
  EXPECT_FALSE(response->Header("X-Request-Id").empty());
  // The connection stays usable (keep-alive).
  auto again = waiting.RoundTrip(GetRequest("/resolved-later"), 2000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 201);
  EXPECT_EQ(again->body, "already");
}

// Each worker thread runs a context of its own, and connections are dealt to them in turn: a
// connection's requests all run on one thread, the next connection's on the next thread.
TEST_F(ServerTest, ConnectionsAreDealtToTheWorkersInTurn) {
  StartServer();  // two workers
  auto threads_of = [&](TestClient& client) {
    std::set<std::string> threads;
    for (int i = 0; i < 5; ++i) {
      auto response = client.RoundTrip(GetRequest("/thread"), 2000);
      EXPECT_TRUE(response.has_value());
      if (response) threads.insert(response->body);
    }
    return threads;
  };
  TestClient first(port_), second(port_), third(port_);
  const std::set<std::string> a = threads_of(first), b = threads_of(second),
                              c = threads_of(third);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(*a.begin(), *b.begin());
  EXPECT_EQ(*c.begin(), *a.begin());
  // And the first connection is still served on its thread after the others came.
  EXPECT_EQ(threads_of(first), a);
}

// The workers and the offload pool carry names (top -H, ps -T, perf show them).
TEST_F(ServerTest, TheServersThreadsAreNamed) {
  StartServer();  // two workers
  std::set<std::string> names;
  for (int i = 0; i < 2; ++i) {
    TestClient client(port_);  // one connection to each worker in turn
    auto response = client.RoundTrip(GetRequest("/thread-name"), 2000);
    ASSERT_TRUE(response.has_value());
    names.insert(response->body);
  }
  EXPECT_EQ(names, (std::set<std::string>{"spode-http-0", "spode-http-1"}));
  TestClient client(port_);
  auto offloaded = client.RoundTrip(GetRequest("/offloaded-thread-name"), 2000);
  ASSERT_TRUE(offloaded.has_value());
  EXPECT_EQ(offloaded->body, "spode-offload-0");
}

// An offloaded handler runs on the pool's thread: the only worker serves another connection
// while it works, and its answer (with the request's body and parameters) comes when it is done.
TEST_F(ServerTest, OffloadedHandlerLeavesTheWorkerFree) {
  ServerOptions options;
  options.workers = 1;
  StartServer(options);
  TestClient waiting(port_);
  ASSERT_TRUE(waiting.Send(PostRequest("/offloaded/cycle", "a bank file")));
  ASSERT_TRUE(offloaded_entered_.WaitFor(std::chrono::seconds(3)));
  TestClient other(port_);
  auto hello = other.RoundTrip(GetRequest("/hello"), 2000);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->body, "hello");
  offloaded_release_.Open();
  auto response = waiting.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "cycle a bank file");
  EXPECT_FALSE(response->Header("X-Request-Id").empty());
  // The connection goes on (keep-alive), on the worker again.
  auto again = waiting.RoundTrip(GetRequest("/hello"), 2000);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->body, "hello");
}

TEST_F(ServerTest, OffloadedHandlerThatThrowsIs500) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip(GetRequest("/offloaded-throws"), 3000);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(Code(*response), "INTERNAL");
  EXPECT_EQ(nlohmann::json::parse(response->body).value("request_id", ""),
            response->Header("X-Request-Id"));
}

// A handler's answer that comes after the server has stopped and torn its threads down (its
// drain ended first) is dropped: nothing of the server is touched (the sanitizer build checks).
TEST_F(ServerTest, AnAnswerAfterTheServerIsGoneIsDropped) {
  ServerOptions options;
  options.drain_timeout_ms = 0;
  StartServer(options);
  TestClient waiting(port_);
  ASSERT_TRUE(waiting.Send(GetRequest("/later")));
  ASSERT_TRUE(later_entered_.WaitFor(std::chrono::seconds(3)));
  server_.reset();
  EXPECT_TRUE(waiting.WaitForClose(1000));
  std::shared_ptr<PendingResponse> pending;
  {
    std::lock_guard lock(later_mu_);
    pending = later_;
  }
  ASSERT_NE(pending, nullptr);
  std::thread([pending] { pending->Resolve(Text("too late")); }).join();
  EXPECT_EQ(pending->Take().body, "too late");  // kept by the pending response, sent nowhere
}

TEST_F(ServerTest, RoutesWithPathAndQueryParams) {
  StartServer();
  TestClient client(port_);
  auto response =
      client.RoundTrip(GetRequest("/households/F-12%2F3?q=a+b&q=second", "Accept: text/html\r\n"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("Content-Type"), "application/json");
  nlohmann::json body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["family_id"], "F-12/3");
  EXPECT_EQ(body["route"], "/households/{family_id}");
  EXPECT_EQ(body["q"], "a b");
  EXPECT_EQ(body["remote"], "127.0.0.1");
  EXPECT_EQ(body["accept"], "text/html");
  EXPECT_EQ(body["request_id"], response->Header("X-Request-Id"));
}

TEST_F(ServerTest, UnknownPathIsNotFoundProblem) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip(GetRequest("/nope"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(response->Header("Content-Type"), "application/problem+json");
  nlohmann::json body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["code"], "NOT_FOUND");
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["request_id"], response->Header("X-Request-Id"));
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip(PostRequest("/hello", "{}"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->Header("Allow"), "GET, HEAD");
  EXPECT_EQ(Code(*response), "UNIMPLEMENTED");
}

TEST_F(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  StartServer();
  TestClient client(port_);
  auto first = client.RoundTrip(GetRequest("/hello"));
  auto second = client.RoundTrip(PostRequest("/echo", "ping"));
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->body, "hello");
  EXPECT_EQ(second->body, "ping");
  EXPECT_NE(first->Header("X-Request-Id"), second->Header("X-Request-Id"));
  EXPECT_EQ(server_->active_connections(), 1);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer();
  TestClient client(port_);
  ASSERT_TRUE(client.Send(GetRequest("/hello") + PostRequest("/echo", "two") + GetRequest("/x")));
  auto a = client.Read();
  auto b = client.Read();
  auto c = client.Read();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body, "hello");
  EXPECT_EQ(b->body, "two");
  EXPECT_EQ(c->status, 404);
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip(GetRequest("/hello", "Connection: close\r\n"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose(2000));
}

TEST_F(ServerTest, HeadSendsHeadersWithoutBody) {
  StartServer();
  TestClient client(port_);
  auto head = client.RoundTrip("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "5");
  // The next response on the connection is parsed correctly: no stray body bytes.
  auto next = client.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, SharedTextIsSentWholeToEveryRequestAndKeptByItsOwner) {
  StartServer();
  TestClient client(port_);
  for (int i = 0; i < 3; ++i) {
    auto response = client.RoundTrip(GetRequest("/shared"));
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("Content-Length"), std::to_string(shared_text_->size()));
    EXPECT_EQ(response->body, *shared_text_);
  }
  auto head = client.RoundTrip("HEAD /shared HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("Content-Length"), std::to_string(shared_text_->size()));
  EXPECT_EQ(head->body, "");
  auto next = client.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "hello");
  // The server let go of the text once each response was written; the handler still has it.
  EXPECT_EQ(shared_text_.use_count(), 1);
  EXPECT_EQ(shared_text_->size(), 5011u);
}

TEST_F(ServerTest, BodyOverLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 16;
  StartServer(options);
  TestClient client(port_);
  auto small = client.RoundTrip(PostRequest("/echo", "0123456789abcdef"));
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ(small->status, 200);
  auto response = client.RoundTrip(PostRequest("/echo", std::string(100, 'x')));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(Code(*response), "RESOURCE_EXHAUSTED");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_TRUE(client.WaitForClose(3000));
}

TEST_F(ServerTest, ChunkedBodyOverLimitIs413) {
  ServerOptions options;
  options.max_body_bytes = 16;
  StartServer(options);
  TestClient client(port_);
  auto response = client.RoundTrip(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, HeaderOverLimitIs431) {
  ServerOptions options;
  options.max_header_bytes = 1024;
  StartServer(options);
  TestClient client(port_);
  auto response =
      client.RoundTrip(GetRequest("/hello", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(Code(*response), "RESOURCE_EXHAUSTED");
  EXPECT_TRUE(client.WaitForClose(3000));
}

TEST_F(ServerTest, MalformedRequestIs400) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip("GET /hello HTTP/1.1\r\nBad Header\r\n\r\n");
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(Code(*response), "INVALID_ARGUMENT");
}

TEST_F(ServerTest, Expect100ContinueGetsInterimResponse) {
  StartServer();
  TestClient client(port_);
  ASSERT_TRUE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("body"));
  auto response = client.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->body, "body");
}

TEST_F(ServerTest, SlowClientIsClosedAfterRequestTimeout) {
  ServerOptions options;
  options.request_timeout_ms = 300;
  StartServer(options);
  TestClient client(port_);
  ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\n"));
  Clock::time_point start = Clock::now();
  // Trickle the header a byte every 50 ms: the timeout runs from the first byte, so it fires.
  bool closed = false;
  while (!closed && MillisSince(start) < 3000) {
    client.Send("X");
    closed = client.WaitForClose(50);
  }
  EXPECT_TRUE(closed);
  EXPECT_GE(MillisSince(start), 250);
  EXPECT_LT(MillisSince(start), 2000);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  ServerOptions options;
  options.idle_timeout_ms = 200;
  StartServer(options);
  TestClient client(port_);
  ASSERT_TRUE(client.RoundTrip(GetRequest("/hello")).has_value());
  Clock::time_point start = Clock::now();
  EXPECT_TRUE(client.WaitForClose(3000));
  EXPECT_GE(MillisSince(start), 150);
}

TEST_F(ServerTest, ConnectionsOverLimitGet503) {
  ServerOptions options;
  options.max_connections = 2;
  StartServer(options);
  TestClient a(port_);
  TestClient b(port_);
  ASSERT_TRUE(a.RoundTrip(GetRequest("/hello")).has_value());  // both accepted and open
  ASSERT_TRUE(b.RoundTrip(GetRequest("/hello")).has_value());
  TestClient c(port_);
  ASSERT_TRUE(c.connected());
  auto response = c.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(Code(*response), "UNAVAILABLE");
  EXPECT_EQ(response->Header("Retry-After"), "1");
  EXPECT_TRUE(c.WaitForClose(3000));
  // The open connections still work.
  auto still = a.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(still.has_value());
  EXPECT_EQ(still->status, 200);
  EXPECT_THAT(metrics_.Render(), HasSubstr("spode_http_connections_rejected_total 1\n"));
}

TEST_F(ServerTest, HandlerExceptionIs500AndServerKeepsServing) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip(GetRequest("/boom"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(Code(*response), "INTERNAL");
  EXPECT_EQ(response->body.find("handler failure"), std::string::npos);
  auto after = client.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
  TestClient other(port_);
  auto fresh = other.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(fresh.has_value());
  EXPECT_EQ(fresh->status, 200);
}

TEST_F(ServerTest, ProblemFromHandlerGetsRequestId) {
  StartServer();
  TestClient client(port_);
  auto response = client.RoundTrip(GetRequest("/denied"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 403);
  nlohmann::json body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["code"], "PERMISSION_DENIED");
  EXPECT_EQ(body["detail"], "not your household");
  EXPECT_EQ(body["request_id"], response->Header("X-Request-Id"));
}

TEST_F(ServerTest, RequestIdIsGeneratedOrEchoed) {
  StartServer();
  TestClient client(port_);
  auto generated = client.RoundTrip(GetRequest("/hello"));
  ASSERT_TRUE(generated.has_value());
  std::string id = generated->Header("X-Request-Id");
  EXPECT_EQ(id.size(), 16u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);

  auto echoed = client.RoundTrip(GetRequest("/hello", "X-Request-Id: trace-42.a_b\r\n"));
  ASSERT_TRUE(echoed.has_value());
  EXPECT_EQ(echoed->Header("X-Request-Id"), "trace-42.a_b");

  auto unsafe = client.RoundTrip(GetRequest("/hello", "X-Request-Id: bad id;\r\n"));
  ASSERT_TRUE(unsafe.has_value());
  EXPECT_EQ(unsafe->Header("X-Request-Id").size(), 16u);

  auto too_long =
      client.RoundTrip(GetRequest("/hello", "X-Request-Id: " + std::string(65, 'a') + "\r\n"));
  ASSERT_TRUE(too_long.has_value());
  EXPECT_EQ(too_long->Header("X-Request-Id").size(), 16u);
}

TEST_F(ServerTest, MetricsCountRequests) {
  StartServer();
  TestClient client(port_);
  ASSERT_TRUE(client.RoundTrip(GetRequest("/hello")).has_value());
  ASSERT_TRUE(client.RoundTrip(GetRequest("/hello")).has_value());
  ASSERT_TRUE(client.RoundTrip(GetRequest("/missing")).has_value());
  std::string text = metrics_.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE spode_http_requests_total counter\n"));
  EXPECT_THAT(
      text,
      HasSubstr("spode_http_requests_total{route=\"/hello\",method=\"GET\",status=\"200\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("spode_http_requests_total{route=\"(none)\",method=\"GET\",status=\"404\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("spode_http_request_duration_seconds_count{route=\"/hello\"} 2\n"));
  EXPECT_THAT(
      text,
      HasSubstr("spode_http_request_duration_seconds_bucket{route=\"/hello\",le=\"0.0005\"}"));
  EXPECT_THAT(text, HasSubstr("spode_http_connections_active 1\n"));
}

TEST_F(ServerTest, GracefulStopFinishesInFlightRequestAndRefusesNewConnections) {
  ServerOptions options;
  options.drain_timeout_ms = 5000;
  StartServer(options);
  TestClient idle(port_);
  ASSERT_TRUE(idle.RoundTrip(GetRequest("/hello")).has_value());
  TestClient busy(port_);
  ASSERT_TRUE(busy.Send(GetRequest("/slow")));
  ASSERT_TRUE(slow_entered_.WaitFor(std::chrono::seconds(3)));

  Clock::time_point start = Clock::now();
  std::thread stopper([&] { server_->Stop(); });
  // The idle connection is closed at once.
  EXPECT_TRUE(idle.WaitForClose(1000));
  // New connections are refused (or reset, if one slipped into the backlog before the close).
  bool refused = false;
  while (!refused && MillisSince(start) < 2000) {
    TestClient late(port_);
    refused = !late.connected() || !late.RoundTrip(GetRequest("/hello"), 1000).has_value();
  }
  EXPECT_TRUE(refused);
  // The in-flight request is answered, with Connection: close.
  auto response = busy.Read();
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow done");
  EXPECT_EQ(response->Header("Connection"), "close");
  stopper.join();
  EXPECT_LT(MillisSince(start), 3000);  // stopped when drained, not at the drain timeout
  EXPECT_EQ(server_->active_connections(), 0);
}

TEST_F(ServerTest, DrainTimeoutBoundsStop) {
  ServerOptions options;
  options.drain_timeout_ms = 0;
  StartServer(options);
  TestClient busy(port_);
  ASSERT_TRUE(busy.Send(GetRequest("/slow")));
  ASSERT_TRUE(slow_entered_.WaitFor(std::chrono::seconds(3)));
  Clock::time_point start = Clock::now();
  server_->Stop();  // waits only for the running handler call to return
  EXPECT_LT(MillisSince(start), 1500);
  server_.reset();
  EXPECT_TRUE(busy.WaitForClose(1000));
}

TEST_F(ServerTest, StartFailsWhenPortIsTaken) {
  StartServer();
  ServerOptions options;
  options.port = port_;
  Server second(options, router_, nullptr);
  Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr(std::to_string(port_)));
  EXPECT_EQ(second.port(), 0);
}

TEST_F(ServerTest, InvalidOptionsAreRejected) {
  ServerOptions options;
  options.max_connections = 0;
  Server server(options, router_, nullptr);
  EXPECT_EQ(server.Start().code(), StatusCode::kInvalidArgument);
  ServerOptions bad_bind;
  bad_bind.bind = "not an address";
  Server other(bad_bind, router_, nullptr);
  EXPECT_EQ(other.Start().code(), StatusCode::kInvalidArgument);
}

TEST_F(ServerTest, StartTwiceIsFailedPrecondition) {
  StartServer();
  EXPECT_EQ(server_->Start().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ServerTest, SigtermStopsTheServer) {
  StartServer();
  Status status = server_->StopOnSignals();
  ASSERT_TRUE(status.ok()) << status;
  std::raise(SIGTERM);
  auto waited = std::async(std::launch::async, [&] { server_->Wait(); });
  EXPECT_EQ(waited.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  TestClient late(port_);
  EXPECT_FALSE(late.connected());
}

TEST_F(ServerTest, SecondSignalEndsTheDrainAtOnce) {
  ServerOptions options;
  options.drain_timeout_ms = 10000;
  StartServer(options);
  ASSERT_TRUE(server_->StopOnSignals().ok());
  // A connection in the middle of a request holds the drain open.
  TestClient partial(port_);
  ASSERT_TRUE(partial.RoundTrip(GetRequest("/hello")).has_value());
  ASSERT_TRUE(partial.Send("GET /hello HTTP/1.1\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the server read it
  std::raise(SIGINT);
  auto waited = std::async(std::launch::async, [&] { server_->Wait(); });
  EXPECT_EQ(waited.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  Clock::time_point start = Clock::now();
  std::raise(SIGINT);
  EXPECT_EQ(waited.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  EXPECT_LT(MillisSince(start), 1000);
}

TEST_F(ServerTest, StopWithoutStartReturns) {
  Server server(ServerOptions{}, router_, nullptr);
  server.Stop();
  server.Wait();
  EXPECT_EQ(server.port(), 0);
}

TEST(ServerOptionsTest, FromConfigCopiesServerSection) {
  Config config;
  config.server.port = 9090;
  config.server.max_body_bytes = 123;
  ServerOptions options = ServerOptions::FromConfig(config.server);
  EXPECT_EQ(options.port, 9090);
  EXPECT_EQ(options.max_body_bytes, 123);
  EXPECT_EQ(options.bind, "127.0.0.1");
  EXPECT_EQ(options.drain_timeout_ms, 10000);
}

// The destructor answers what is queued before it joins: no request waits forever.
TEST(OffloadTest, TheDestructorAnswersWhatIsQueued) {
  std::vector<std::shared_ptr<PendingResponse>> pending;
  {
    Offload pool(1);
    Handler wrapped = pool.Wrap([](Request& request) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return Text("done " + request.body);
    });
    for (int i = 0; i < 4; ++i) {
      Request request;
      request.body = std::to_string(i);
      Response response = wrapped(request);
      ASSERT_NE(response.pending, nullptr);
      EXPECT_TRUE(request.body.empty());  // moved to the job, not copied
      pending.push_back(response.pending);
    }
  }
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pending[i]->Take().body, "done " + std::to_string(i));
}

}  // namespace
}  // namespace spode::http
