// Request and Response: the plain values an HTTP handler receives and returns.
//
//   Response GetHousehold(Request& request) {
//     std::string_view id = request.path_params["family_id"];
//     std::string_view accept = request.Header("accept");     // case-insensitive, "" if absent
//     return Text("hello " + std::string(id));
//   }
//
// Neither type depends on Boost: the server (server.h) converts to and from the wire. JSON
// responses are built with Json() in json.h, errors with Problem() in problem.h.
//
// Thread-safety: value types. The server hands each handler call its own Request.
#ifndef SPODE_HTTP_MESSAGE_H_
#define SPODE_HTTP_MESSAGE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace spode::http {

struct Request {
  std::string method;  // as sent, e.g. "GET"
  std::string path;    // the raw path, without the query: "/api/v1/households/F-12"
  std::string query;   // the raw query, without '?': "page=2&q=a%20b"
  // The query decoded ('+' and %XX); when a name repeats, the first value wins.
  std::map<std::string, std::string> query_params;
  // Header fields in the order received; names as sent. Prefer Header() to read them.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // the peer's IP address (the proxy's, behind a proxy)
  std::string request_id;      // also sent back as X-Request-Id; put it in every log line
  // Values of the pattern's {name} segments, percent-decoded. Set by the router.
  std::map<std::string, std::string> path_params;
  // The pattern that matched, e.g. "/api/v1/households/{family_id}"; "" when none did.
  std::string route;

  // The value of the first header field named `name` (ASCII case-insensitive), or "" when
  // absent. The view is valid while `headers` is not modified.
  std::string_view Header(std::string_view name) const;
};

class PendingResponse;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Instead of `body`: text that outlives this response and may be sent by many at once (a
  // kept view, registry/view_cache.h). The server sends it as it is, without a copy; `body`
  // is then left empty.
  std::shared_ptr<const std::string> shared_body;
  // Extra header fields (Content-Type and Content-Length are set from the members above).
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by Later(): the answer comes when `pending` is resolved; the other members are unused.
  std::shared_ptr<PendingResponse> pending;

  // What is sent: *shared_body when it is set, else body.
  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }
};

// An answer a handler cannot give yet because it has handed its work to another thread (the
// grievance intake's group commit: a ticket is shown only once its batch has committed). The
// handler returns Later(pending) at once, so its worker thread serves other connections instead
// of blocking; the server sends the response when Resolve is called, from whatever thread.
// Without this, filings waiting for a flush each held a worker, and batches could only grow
// with the number of worker threads.
//
//   auto pending = std::make_shared<http::PendingResponse>();
//   batcher.FileAsync(input, [pending](Result<Filed> r) { pending->Resolve(...); });
//   return http::Later(pending);
//
// Thread-safety: Resolve, OnResolved and Take may be called from different threads.
class PendingResponse {
 public:
  // Gives the answer. Exactly once; a second call is ignored (and logged as a bug).
  void Resolve(Response response);
  // For the server: `ready` is called once the answer is there (at once, on this thread, if it
  // already is; else on the thread that calls Resolve). At most one callback.
  void OnResolved(std::function<void()> ready);
  // For the server, after `ready`: the answer.
  Response Take();

 private:
  std::mutex mu_;
  std::optional<Response> response_;  // GUARDED_BY(mu_)
  std::function<void()> ready_;       // GUARDED_BY(mu_)
};

// A response to be given later through `pending` (see PendingResponse).
Response Later(std::shared_ptr<PendingResponse> pending);

inline constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";

// A response with a text body.
Response Text(std::string body, int status = 200,
              std::string content_type = std::string(kTextContentType));

// True when `a` and `b` are equal ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// Decodes %XX escapes (and '+' as a space when `plus_is_space`). INVALID_ARGUMENT for a '%'
// not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Parses "a=1&b=x%20y&a=2" into {a: "1", b: "x y"}: the first value of a repeated name wins, a
// name without '=' has the value "", empty pairs are skipped. INVALID_ARGUMENT for a malformed
// escape.
Result<std::map<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace spode::http

#endif  // SPODE_HTTP_MESSAGE_H_
