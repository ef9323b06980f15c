// Status: the outcome of an operation that can fail, as a canonical code and a message.
//
// Every fallible call in spode returns a Status or a Result<T> (result.h). Exceptions thrown
// by libraries are caught at the adapter that calls them and turned into a Status. The
// mapping from Status to an HTTP status and an RFC 9457 problem document lives in exactly one
// place (src/http/problem.h).
//
// Which code to use:
//   kInvalidArgument    the caller sent something malformed, whatever the system's state
//                       (a bad check digit, an impossible date, a wrong type).
//   kNotFound           the thing named does not exist (or the caller may not know it does).
//   kAlreadyExists      creating something that exists (an enrolled national ID).
//   kFailedPrecondition well-formed, but the system is not in a state that allows it (approving
//                       a cycle that is not prepared, verifying one's own change request).
//   kPermissionDenied   authenticated, but not allowed.
//   kUnauthenticated    no valid credentials.
//   kResourceExhausted  a limit was reached (throttling, body size, budget).
//   kAborted            a concurrency conflict; the caller may retry the whole operation.
//   kUnavailable        a dependency (the database, a gateway) is not reachable; retry later.
//   kDataLoss           stored data is corrupt or does not verify.
//   kInternal           a bug or a broken invariant; never caused by input alone.
//
// Thread-safety: a Status is a value; distinct objects may be used from distinct threads.
#ifndef SPODE_COMMON_STATUS_H_
#define SPODE_COMMON_STATUS_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace spode {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kUnavailable,
  kDeadlineExceeded,
  kDataLoss,
  kInternal,
};

// The stable name of a code, e.g. "INVALID_ARGUMENT". Used in logs, JSON and problem documents.
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "INVALID_ARGUMENT: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context: `. Keeps the code.
  Status WithContext(std::string_view context) const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status UnauthenticatedError(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status AbortedError(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status OutOfRangeError(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status UnimplementedError(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status DeadlineExceededError(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status DataLossError(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace spode

// Returns from the enclosing function when `expr` (a Status or Result) is not OK.
#define SPODE_CONCAT_INNER_(a, b) a##b
#define SPODE_CONCAT_(a, b) SPODE_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                                         \
  do {                                                                \
    if (auto spode_status_ = ::spode::internal::ToStatus(expr);       \
        !spode_status_.ok()) {                                        \
      return spode_status_;                                           \
    }                                                                 \
  } while (false)

namespace spode::internal {
inline const Status& ToStatus(const Status& s) { return s; }
}  // namespace spode::internal

#endif  // SPODE_COMMON_STATUS_H_
