// Logging: spdlog, with every line passed through a redactor so that a national ID number can
// never reach a log, even by mistake (ARCHITECTURE.md, privacy).
//
//   InitLogging({.level = "info", .format = "text"});
//   spdlog::info("imported {} households", n);
//
// The redactor replaces any run of exactly 12 digits (optionally grouped 4-4-4 by spaces or
// hyphens) whose last digit is a valid Verhoeff check digit with the masked form XXXX-XXXX-1234.
// Logs go to standard error. Thread-safe after InitLogging returns.
#ifndef SPODE_COMMON_LOG_H_
#define SPODE_COMMON_LOG_H_

#include <string>
#include <string_view>

namespace spode {

struct LogOptions {
  std::string level = "info";  // trace, debug, info, warn, error, off
  std::string format = "text";  // text, json (one JSON object per line)
};

// Installs the redacting logger as spdlog's default. Safe to call more than once.
void InitLogging(const LogOptions& options);

// Returns `text` with every Aadhaar-like number masked (see above).
std::string RedactNationalIds(std::string_view text);

// "XXXX-XXXX-1234" from the last four digits of a national ID.
std::string MaskNationalId(std::string_view last_four);

}  // namespace spode

#endif  // SPODE_COMMON_LOG_H_
