// Router: maps (method, path) to a handler by exact segment matching, no regular expressions.
//
//   Router router;
//   RETURN_IF_ERROR(router.Add("GET", "/api/v1/households/{family_id}", GetHousehold));
//   RETURN_IF_ERROR(router.Add("POST", "/api/v1/households", CreateHousehold));
//   router.SetFallback(ServeStaticFile);          // optional: paths no route matches
//   Response response = router.Dispatch(request);  // the server calls this
//
// Patterns start with '/' and are split at '/'; a segment is either literal text or a
// parameter "{name}" that matches one non-empty path segment. A literal segment wins over a
// parameter at the same position ("/a/new" before "/a/{id}"). Trailing slashes matter.
//
// Dispatch outcomes:
//   - a route matches path and method: its handler runs, with request.path_params (decoded)
//     and request.route (the pattern) set;
//   - HEAD on a path with a GET route and no HEAD route: the GET handler (the server sends no
//     body);
//   - the path matches but not the method: 405 problem (code UNIMPLEMENTED) with an Allow header;
//   - nothing matches: the fallback handler if set (request.route = ""), else 404 problem
//     (code NOT_FOUND);
//   - a malformed %XX escape in a parameter segment: 400 problem (INVALID_ARGUMENT);
//   - a handler throws: 500 problem (INTERNAL, generic detail), the exception is logged with the
//     request id.
//
// Thread-safety: Add and SetFallback are not thread-safe and must all happen before the router
// is shared (before a Server is constructed with it). Dispatch is const and may run on many
// threads at once; handlers must be thread-safe themselves.
#ifndef SPODE_HTTP_ROUTER_H_
#define SPODE_HTTP_ROUTER_H_

#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/message.h"

namespace spode::http {

using Handler = std::function<Response(Request&)>;

// The 500 problem for `thrown`, an exception a handler threw while answering `request`: the one
// wording for Dispatch and for handlers run elsewhere (offload.h). Problem() logs it.
Response HandlerThrew(const Request& request, std::exception_ptr thrown);

class Router {
 public:
  // Values of Dispatch's `route_index` that are not indexes into patterns().
  static constexpr int kNoRoute = -1;   // 404, or the request never reached a handler
  static constexpr int kFallback = -2;  // the fallback handler ran

  struct Route {
    std::string method;
    std::string pattern;
  };

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Registers `handler` for `method` (e.g. "GET", case-sensitive) and `pattern`.
  // INVALID_ARGUMENT for a malformed pattern (not starting with '/', an empty or unclosed
  // "{}", a parameter name used twice, or a parameter named differently from another pattern's
  // parameter at the same position) or an empty method or handler; ALREADY_EXISTS when
  // (method, pattern) is registered.
  Status Add(std::string_view method, std::string_view pattern, Handler handler);

  // The handler for paths no pattern matches (e.g. static files). Replaces any earlier one.
  void SetFallback(Handler handler);

  // Routes the request (see above) and returns the response. Never throws. When `route_index`
  // is given, it receives the index into patterns() of the matched pattern (also for a 405),
  // or kFallback, or kNoRoute.
  Response Dispatch(Request& request, int* route_index = nullptr) const;

  // Every registered (method, pattern), in registration order.
  const std::vector<Route>& routes() const { return routes_; }
  // The distinct patterns, in order of first registration.
  const std::vector<std::string>& patterns() const { return patterns_; }

 private:
  struct Node;
  std::unique_ptr<Node> root_;
  std::vector<Route> routes_;
  std::vector<std::string> patterns_;
  Handler fallback_;
};

}  // namespace spode::http

#endif  // SPODE_HTTP_ROUTER_H_
