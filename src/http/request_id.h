// Request ids: the X-Request-Id the server puts on every response and in every log line.
//
//   if (!IsValidRequestId(incoming)) id = NewRequestId();   // "9f86d081884c7d65"
//
// Thread-safety: both functions may be called from any thread (NewRequestId uses a per-thread
// generator seeded from std::random_device).
#ifndef SPODE_HTTP_REQUEST_ID_H_
#define SPODE_HTTP_REQUEST_ID_H_

#include <string>
#include <string_view>

namespace spode::http {

inline constexpr size_t kMaxRequestIdLength = 64;

// True for 1 to 64 characters from [A-Za-z0-9._-]: safe to echo in a header and a log line.
bool IsValidRequestId(std::string_view id);

// A fresh id of 16 lowercase hex digits (64 random bits).
std::string NewRequestId();
// The same, written into `out` (reusing its capacity).
void NewRequestId(std::string* out);

}  // namespace spode::http

#endif  // SPODE_HTTP_REQUEST_ID_H_
