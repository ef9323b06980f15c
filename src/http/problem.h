// Problem: the one place where a spode::Status becomes an HTTP status and an RFC 9457 problem
// document (content type application/problem+json).
//
//   Response Handle(Request& request) {
//     Result<Household> household = registry.Find(request.path_params["family_id"]);
//     if (!household.ok()) return Problem(household.status(), request.request_id);
//     ...
//   }
//
// The body has the members
//   type        "https://spode.dev/problems/<code in kebab case>", e.g. ".../invalid-argument"
//   title       a fixed short summary of the code, e.g. "Invalid argument"
//   status      the HTTP status
//   detail      the Status message (for INTERNAL and DATA_LOSS a generic text instead: the real
//               message is logged with the request id, never sent to the client)
//   code        the stable StatusCodeName, e.g. "INVALID_ARGUMENT"
//   request_id  the request's id (when Problem is given none, the server fills it in)
//
// The mapping (HttpStatusFor):
//   INVALID_ARGUMENT 400, OUT_OF_RANGE 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
//   NOT_FOUND 404, ALREADY_EXISTS 409, ABORTED 409, FAILED_PRECONDITION 409,
//   RESOURCE_EXHAUSTED 429, DATA_LOSS 500, INTERNAL 500, UNIMPLEMENTED 501, UNAVAILABLE 503,
//   DEADLINE_EXCEEDED 504. FAILED_PRECONDITION is 409 (Conflict: the request conflicts with
//   the current state of the resource) rather than 422, which we keep for no code.
//
// Thread-safety: free functions without shared state.
#ifndef SPODE_HTTP_PROBLEM_H_
#define SPODE_HTTP_PROBLEM_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "http/message.h"

namespace spode::http {

inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kProblemTypePrefix = "https://spode.dev/problems/";

// The HTTP status for a (non-OK) code. OK maps to 200.
int HttpStatusFor(StatusCode code);

// "https://spode.dev/problems/invalid-argument" for kInvalidArgument.
std::string ProblemType(StatusCode code);

// "Invalid argument" for kInvalidArgument.
std::string_view ProblemTitle(StatusCode code);

// The problem response for a non-OK `status`. An OK status is a caller's bug: it becomes a 500
// INTERNAL problem. For INTERNAL and DATA_LOSS, logs the real message (with `request_id`).
Response Problem(const Status& status, std::string_view request_id = {});

// As above with an explicit HTTP status, for the few cases where the protocol needs a more
// specific one than the code's (405 with UNIMPLEMENTED, 413 and 431 with RESOURCE_EXHAUSTED).
Response Problem(const Status& status, std::string_view request_id, int http_status);

}  // namespace spode::http

#endif  // SPODE_HTTP_PROBLEM_H_
