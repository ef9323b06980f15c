// Config: spode's settings, read from a TOML file, with defaults for everything and validation.
//
//   ASSIGN_OR_RETURN(Config config, Config::Load("spode.toml"));   // or Config{} for defaults
//
// A file may set any subset of the keys below; an unknown key, a wrong type or a value out of
// range is INVALID_ARGUMENT naming the key. Command-line flags override the file.
//
//   [database]  url = "spode.db"  (an SQLite path or a postgresql:// URL), busy_timeout_ms,
//               pool_size (0: one per worker), read_map_mb (SQLite: the server's memory map)
//   [server]    bind, port, workers (0: one per core), max_body_bytes, max_header_bytes,
//               max_connections, request_timeout_ms, idle_timeout_ms,
//               household_view_cache_mb (64; 0: off)
//   [vault]     key_file (default: beside an SQLite database, "<db>.key"; else "spode.key")
//   [time]      utc_offset_minutes (330, India)
//   [log]       level (trace, debug, info, warn, error), format (text, json)
//   [grievance] deadline_days (21: every category), escalated_deadline_days (21),
//               appeal_deadline_days (30), appeal_window_days (30), reopen_window_days (30),
//               reentry_deadline_days (21), interim_percent (67)
//   [grievance.category_deadline_days]  one category's own deadline, e.g.
//               payment_not_received = 14 (the names are checked by grievance::PolicyFor)
#ifndef SPODE_COMMON_CONFIG_H_
#define SPODE_COMMON_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace spode {

struct Config {
  struct Database {
    std::string url = "spode.db";
    int busy_timeout_ms = 5000;
    int pool_size = 0;
    // SQLite: the server's request connections read the file through a memory map of up to
    // this many MiB (SQLite itself stops at 2047); 0 reads every page with a system call.
    int read_map_mb = 2048;
  } database;
  struct Server {
    std::string bind = "127.0.0.1";
    int port = 8080;
    int workers = 0;
    int64_t max_body_bytes = 1 << 20;
    int max_header_bytes = 16 << 10;
    int max_connections = 10000;
    int request_timeout_ms = 10000;
    int idle_timeout_ms = 60000;
    // Memory for household views kept between reads, exact (registry/view_cache.h); 0: none.
    int household_view_cache_mb = 64;
  } server;
  struct Vault {
    std::string key_file;  // empty: derived from the database url (see KeyFileFor)
  } vault;
  struct Time {
    int utc_offset_minutes = 330;
  } time;
  struct Log {
    std::string level = "info";
    std::string format = "text";
  } log;
  // Grievance deadlines and windows, in days (grievance::PolicyFor turns them into a Policy).
  struct Grievance {
    int deadline_days = 21;
    std::map<std::string, int> category_deadline_days;  // category name -> days
    int escalated_deadline_days = 21;
    int appeal_deadline_days = 30;
    int appeal_window_days = 30;
    int reopen_window_days = 30;
    int reentry_deadline_days = 21;
    int interim_percent = 67;
  } grievance;

  // Reads and validates a TOML file. NOT_FOUND when it does not exist, INVALID_ARGUMENT when it
  // is a directory or its contents are not valid (see above).
  static Result<Config> Load(const std::string& path);
  // Parses TOML text; `origin` names it in error messages.
  static Result<Config> Parse(std::string_view toml_text, std::string_view origin = "config");
  // Checks every value's range. Load and Parse call it.
  Status Validate() const;
};

// The vault key file to use for a database: the configured one, else "<sqlite path>.key" for an
// SQLite database file, else (PostgreSQL, or an in-memory SQLite database) "spode.key" in the
// working directory.
std::string KeyFileFor(const Config& config);

}  // namespace spode

#endif  // SPODE_COMMON_CONFIG_H_
