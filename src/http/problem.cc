#include "http/problem.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace spode::http {
namespace {

constexpr std::string_view kHiddenDetail =
    "The server met an unexpected condition. Quote the request id when reporting it.";

bool HidesDetail(StatusCode code) {
  return code == StatusCode::kInternal || code == StatusCode::kDataLoss;
}

}  // namespace

// One line per code: these switches read as the tables they are.
// clang-format off
int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kInvalidArgument: return 400;
    case StatusCode::kOutOfRange: return 400;
    case StatusCode::kUnauthenticated: return 401;
    case StatusCode::kPermissionDenied: return 403;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kAborted: return 409;
    case StatusCode::kFailedPrecondition: return 409;
    case StatusCode::kResourceExhausted: return 429;
    case StatusCode::kUnimplemented: return 501;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kDeadlineExceeded: return 504;
    case StatusCode::kDataLoss: return 500;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string_view ProblemTitle(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "OK";
    case StatusCode::kInvalidArgument: return "Invalid argument";
    case StatusCode::kNotFound: return "Not found";
    case StatusCode::kAlreadyExists: return "Already exists";
    case StatusCode::kFailedPrecondition: return "Failed precondition";
    case StatusCode::kPermissionDenied: return "Permission denied";
    case StatusCode::kUnauthenticated: return "Unauthenticated";
    case StatusCode::kResourceExhausted: return "Resource exhausted";
    case StatusCode::kAborted: return "Aborted";
    case StatusCode::kOutOfRange: return "Out of range";
    case StatusCode::kUnimplemented: return "Unimplemented";
    case StatusCode::kUnavailable: return "Unavailable";
    case StatusCode::kDeadlineExceeded: return "Deadline exceeded";
    case StatusCode::kDataLoss: return "Data loss";
    case StatusCode::kInternal: return "Internal error";
  }
  return "Internal error";
}
// clang-format on

std::string ProblemType(StatusCode code) {
  std::string type(kProblemTypePrefix);
  for (char c : StatusCodeName(code)) {
    type += c == '_' ? '-' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return type;
}

Response Problem(const Status& status, std::string_view request_id) {
  return Problem(status, request_id, HttpStatusFor(status.code()));
}

Response Problem(const Status& status, std::string_view request_id, int http_status) {
  if (status.ok()) {
    return Problem(InternalError("a problem was built from an OK status"), request_id);
  }
  StatusCode code = status.code();
  std::string detail = status.message();
  if (HidesDetail(code)) {
    spdlog::error("request_id={} {}", request_id.empty() ? "-" : request_id, status.ToString());
    detail = kHiddenDetail;
  }
  nlohmann::json body = {
      {"type", ProblemType(code)},   {"title", ProblemTitle(code)},  {"status", http_status},
      {"detail", std::move(detail)}, {"code", StatusCodeName(code)},
  };
  if (!request_id.empty()) body["request_id"] = request_id;
  Response response;
  response.status = http_status;
  response.content_type = std::string(kProblemContentType);
  // Unavailable is temporary (a snapshot loading, a database busy): say when to come back.
  if (http_status == 503) response.headers.emplace_back("Retry-After", "5");
  // A message is not guaranteed to be UTF-8 (it may quote input): replace, never throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

}  // namespace spode::http
