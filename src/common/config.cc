#include "common/config.h"

#include <filesystem>
#include <set>
#include <toml++/toml.h>

namespace spode {
namespace {

// Reads table.key into *out when present; records the key as known.
class Reader {
 public:
  Reader(const toml::table& root, std::string_view origin) : root_(root), origin_(origin) {}

  template <typename T>
  Status Get(std::string_view section, std::string_view key, T* out) {
    known_.insert(std::string(section) + "." + std::string(key));
    const toml::node* node = root_.at_path(std::string(section) + "." + std::string(key)).node();
    if (node == nullptr) return OkStatus();
    if constexpr (std::is_same_v<T, std::string>) {
      if (auto v = node->value<std::string>()) {
        *out = *v;
        return OkStatus();
      }
      return Bad(section, key, "a string");
    } else {
      if (!node->is_integer()) return Bad(section, key, "an integer");
      int64_t v = *node->value<int64_t>();
      if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) {
        return Bad(section, key, "an integer in range");
      }
      *out = static_cast<T>(v);
      return OkStatus();
    }
  }

  // Reads the table section.key (string keys, integer values) into *out when present.
  Status GetIntTable(std::string_view section, std::string_view key,
                     std::map<std::string, int>* out) {
    std::string full = std::string(section) + "." + std::string(key);
    known_.insert(full);
    const toml::node* node = root_.at_path(full).node();
    if (node == nullptr) return OkStatus();
    const toml::table* t = node->as_table();
    if (t == nullptr) return Bad(section, key, "a table of names and integers");
    for (auto&& [name, value] : *t) {
      std::string entry = full;
      entry.push_back('.');
      entry.append(name.str());
      if (!value.is_integer()) {
        return InvalidArgumentError(std::string(origin_) + ": " + entry + " must be an integer");
      }
      int64_t v = *value.value<int64_t>();
      if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
        return InvalidArgumentError(std::string(origin_) + ": " + entry +
                                    " must be an integer in range");
      }
      (*out)[std::string(name.str())] = static_cast<int>(v);
    }
    return OkStatus();
  }

  // Every key in the file must be one that Get asked for.
  Status CheckUnknown() const {
    for (auto&& [section, node] : root_) {
      const toml::table* t = node.as_table();
      if (t == nullptr) {
        return InvalidArgumentError(std::string(origin_) + ": unknown setting \"" +
                                    std::string(section.str()) + "\" (settings live in sections "
                                    "such as [database] and [server])");
      }
      for (auto&& [key, value] : *t) {
        std::string full = std::string(section.str()) + "." + std::string(key.str());
        if (!known_.count(full)) {
          return InvalidArgumentError(std::string(origin_) + ": unknown setting \"" + full + "\"");
        }
      }
    }
    return OkStatus();
  }

 private:
  Status Bad(std::string_view section, std::string_view key, std::string_view want) {
    return InvalidArgumentError(std::string(origin_) + ": " + std::string(section) + "." +
                                std::string(key) + " must be " + std::string(want));
  }
  const toml::table& root_;
  std::string_view origin_;
  std::set<std::string> known_;
};

Status Range(std::string_view name, int64_t v, int64_t lo, int64_t hi) {
  if (v < lo || v > hi) {
    return InvalidArgumentError(std::string(name) + " is " + std::to_string(v) +
                                "; it must be between " + std::to_string(lo) + " and " +
                                std::to_string(hi));
  }
  return OkStatus();
}

}  // namespace

Result<Config> Config::Parse(std::string_view text, std::string_view origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return InvalidArgumentError(std::string(origin) + ":" + std::to_string(where.line) + ":" +
                                std::to_string(where.column) + ": " +
                                std::string(e.description()));
  }
  Config c;
  Reader r(root, origin);
  RETURN_IF_ERROR(r.Get("database", "url", &c.database.url));
  RETURN_IF_ERROR(r.Get("database", "busy_timeout_ms", &c.database.busy_timeout_ms));
  RETURN_IF_ERROR(r.Get("database", "pool_size", &c.database.pool_size));
  RETURN_IF_ERROR(r.Get("database", "read_map_mb", &c.database.read_map_mb));
  RETURN_IF_ERROR(r.Get("server", "bind", &c.server.bind));
  RETURN_IF_ERROR(r.Get("server", "port", &c.server.port));
  RETURN_IF_ERROR(r.Get("server", "workers", &c.server.workers));
  RETURN_IF_ERROR(r.Get("server", "max_body_bytes", &c.server.max_body_bytes));
  RETURN_IF_ERROR(r.Get("server", "max_header_bytes", &c.server.max_header_bytes));
  RETURN_IF_ERROR(r.Get("server", "max_connections", &c.server.max_connections));
  RETURN_IF_ERROR(r.Get("server", "request_timeout_ms", &c.server.request_timeout_ms));
  RETURN_IF_ERROR(r.Get("server", "household_view_cache_mb", &c.server.household_view_cache_mb));
  RETURN_IF_ERROR(r.Get("server", "idle_timeout_ms", &c.server.idle_timeout_ms));
  RETURN_IF_ERROR(r.Get("vault", "key_file", &c.vault.key_file));
  RETURN_IF_ERROR(r.Get("time", "utc_offset_minutes", &c.time.utc_offset_minutes));
  RETURN_IF_ERROR(r.Get("log", "level", &c.log.level));
  RETURN_IF_ERROR(r.Get("log", "format", &c.log.format));
  RETURN_IF_ERROR(r.Get("grievance", "deadline_days", &c.grievance.deadline_days));
  RETURN_IF_ERROR(r.GetIntTable("grievance", "category_deadline_days",
                                &c.grievance.category_deadline_days));
  RETURN_IF_ERROR(
      r.Get("grievance", "escalated_deadline_days", &c.grievance.escalated_deadline_days));
  RETURN_IF_ERROR(r.Get("grievance", "appeal_deadline_days", &c.grievance.appeal_deadline_days));
  RETURN_IF_ERROR(r.Get("grievance", "appeal_window_days", &c.grievance.appeal_window_days));
  RETURN_IF_ERROR(r.Get("grievance", "reopen_window_days", &c.grievance.reopen_window_days));
  RETURN_IF_ERROR(
      r.Get("grievance", "reentry_deadline_days", &c.grievance.reentry_deadline_days));
  RETURN_IF_ERROR(r.Get("grievance", "interim_percent", &c.grievance.interim_percent));
  RETURN_IF_ERROR(r.CheckUnknown());
  if (Status s = c.Validate(); !s.ok()) return s.WithContext(origin);
  return c;
}

Result<Config> Config::Load(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return NotFoundError("no config file at " + path);
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgumentError(path + " is a directory, not a config file");
  }
  toml::table root;
  std::string text;
  {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return UnavailableError("cannot read " + path);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) return UnavailableError("cannot read " + path);
  }
  return Parse(text, path);
}

Status Config::Validate() const {
  if (database.url.empty()) return InvalidArgumentError("database.url is empty");
  RETURN_IF_ERROR(Range("database.busy_timeout_ms", database.busy_timeout_ms, 0, 600000));
  RETURN_IF_ERROR(Range("database.pool_size", database.pool_size, 0, 1024));
  RETURN_IF_ERROR(Range("database.read_map_mb", database.read_map_mb, 0, 1 << 20));
  RETURN_IF_ERROR(Range("server.port", server.port, 0, 65535));
  RETURN_IF_ERROR(Range("server.workers", server.workers, 0, 1024));
  RETURN_IF_ERROR(Range("server.max_body_bytes", server.max_body_bytes, 1024, int64_t{1} << 30));
  RETURN_IF_ERROR(Range("server.max_header_bytes", server.max_header_bytes, 1024, 1 << 20));
  RETURN_IF_ERROR(Range("server.max_connections", server.max_connections, 1, 1000000));
  RETURN_IF_ERROR(Range("server.request_timeout_ms", server.request_timeout_ms, 100, 3600000));
  RETURN_IF_ERROR(Range("server.idle_timeout_ms", server.idle_timeout_ms, 100, 3600000));
  RETURN_IF_ERROR(
      Range("server.household_view_cache_mb", server.household_view_cache_mb, 0, 1 << 20));
  RETURN_IF_ERROR(Range("time.utc_offset_minutes", time.utc_offset_minutes, -720, 840));
  RETURN_IF_ERROR(Range("grievance.deadline_days", grievance.deadline_days, 1, 3650));
  for (const auto& [name, days] : grievance.category_deadline_days) {
    std::string key = "grievance.category_deadline_days.";
    key.append(name);
    RETURN_IF_ERROR(Range(key, days, 1, 3650));
  }
  RETURN_IF_ERROR(Range("grievance.escalated_deadline_days", grievance.escalated_deadline_days,
                        1, 3650));
  RETURN_IF_ERROR(
      Range("grievance.appeal_deadline_days", grievance.appeal_deadline_days, 1, 3650));
  RETURN_IF_ERROR(Range("grievance.appeal_window_days", grievance.appeal_window_days, 1, 3650));
  RETURN_IF_ERROR(Range("grievance.reopen_window_days", grievance.reopen_window_days, 1, 3650));
  RETURN_IF_ERROR(
      Range("grievance.reentry_deadline_days", grievance.reentry_deadline_days, 1, 3650));
  RETURN_IF_ERROR(Range("grievance.interim_percent", grievance.interim_percent, 1, 99));
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error"};
  if (!kLevels.count(log.level)) {
    return InvalidArgumentError("log.level must be one of trace, debug, info, warn, error");
  }
  if (log.format != "text" && log.format != "json") {
    return InvalidArgumentError("log.format must be text or json");
  }
  return OkStatus();
}

std::string KeyFileFor(const Config& config) {
  if (!config.vault.key_file.empty()) return config.vault.key_file;
  const std::string& url = config.database.url;
  if (url.starts_with("postgres://") || url.starts_with("postgresql://")) return "spode.key";
  std::string path = url.starts_with("sqlite:") ? url.substr(7) : url;
  // An in-memory SQLite database has no file to sit beside.
  if (path == ":memory:") return "spode.key";
  return path + ".key";
}

}  // namespace spode
