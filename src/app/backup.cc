#include "app/backup.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "access/gate.h"
#include "app/command_support.h"
#include "app/state.h"
#include "common/durable_file.h"
#include "storage/database.h"

namespace spode::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

// Copies the SQLite database `source` to `copy`: VACUUM INTO a temporary file (one read
// transaction: a snapshot, with writers going on), its integrity checked, synced, renamed.
Result<BackupPart> CopyDatabase(std::string what, const std::string& source,
                                const std::string& copy,
                                const std::function<void(const std::string&)>& say) {
  BackupPart part{.what = std::move(what), .source = source, .copy = copy};
  const Clock::time_point start = Clock::now();
  std::error_code ignored;
  say("copying the " + part.what + ", " + source + " (" +
      Megabytes(static_cast<int64_t>(fs::file_size(source, ignored))) + ")");
  const std::string tmp = copy + ".tmp";
  for (const char* left : {"", "-wal", "-shm"}) {  // by a backup that was interrupted
    fs::remove(tmp + left, ignored);
  }
  {
    ASSIGN_OR_RETURN(auto db, storage::Open(source, {.create = false}));
    ASSIGN_OR_RETURN(auto vacuum, db->Prepare("VACUUM INTO ?"));
    vacuum->BindText(1, tmp);
    if (Result<int64_t> done = vacuum->Run(); !done.ok()) {
      fs::remove(tmp, ignored);
      return done.status().WithContext("copying " + source);
    }
  }
  char took[32];
  std::snprintf(took, sizeof took, "%.1f s", SecondsSince(start));
  say("checking the copy of the " + part.what + " (copied in " + took + ")");
  Status checked = [&]() -> Status {
    ASSIGN_OR_RETURN(auto db, storage::Open(tmp, {.create = false}));
    ASSIGN_OR_RETURN(auto rows, db->Query("PRAGMA integrity_check"));
    if (rows.size() != 1 || rows[0].Text(0) != "ok") {
      std::string first = rows.empty() ? "no answer" : rows[0].Text(0);
      return DataLossError("the copy of " + source + " failed its integrity check: " + first);
    }
    return OkStatus();
  }();
  if (!checked.ok()) {
    fs::remove(tmp, ignored);
    return checked;
  }
  part.bytes = static_cast<int64_t>(fs::file_size(tmp, ignored));
  RETURN_IF_ERROR(SyncAndPublish(tmp, copy));
  part.seconds = SecondsSince(start);
  return part;
}

// Copies every finished file under `source` (not the ".tmp" files of an export under way) into
// `copy`, each synced and renamed into place.
Result<BackupPart> CopyFolder(std::string what, const fs::path& source, const fs::path& copy) {
  BackupPart part{
      .what = std::move(what), .source = source.string(), .copy = copy.string(), .files = 0};
  const Clock::time_point start = Clock::now();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(source, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() == ".tmp") continue;
    fs::path to = copy / fs::relative(it->path(), source);
    fs::create_directories(to.parent_path(), ec);
    if (ec) break;
    DurableFile out(to);
    RETURN_IF_ERROR(out.Open());
    RETURN_IF_ERROR(ReadFileInPieces(it->path(), [&](std::string_view piece) {
      part.bytes += static_cast<int64_t>(piece.size());
      return out.Append(piece);
    }));
    RETURN_IF_ERROR(out.Commit());
    ++part.files;
  }
  if (ec) return UnavailableError("cannot copy " + source.string() + ": " + ec.message());
  part.seconds = SecondsSince(start);
  return part;
}

}  // namespace

Result<Backup> BackUp(const Config& config, const std::string& out_dir, const TimeSource& clock,
                      const std::function<void(std::string_view)>& progress) {
  const std::string& db_url = config.database.url;
  if (storage::IsPostgresUrl(db_url)) {
    return InvalidArgumentError(
        "spode backup copies an SQLite state; back up PostgreSQL with its own tools: "
        "pg_dump --format=custom --file spode.dump with the same URL (docs/operations.md, "
        "Backups)");
  }
  std::string path = db_url.starts_with("sqlite:") ? db_url.substr(7) : db_url;
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return InvalidArgumentError("--db must name an SQLite file to back up, not " + db_url);
  }
  if (!fs::is_regular_file(path)) return NotFoundError("there is no database at " + path);
  if (out_dir.empty()) return InvalidArgumentError("--out must name a folder for the backup");

  const fs::path out(out_dir);
  const std::string name = fs::path(path).filename().string();
  const std::string log_path = access::AccessLog::SidecarPath(path);
  const fs::path bank_files = BankFilesDir(config);
  const fs::path registry_copy = out / name;
  const fs::path log_copy = out / fs::path(log_path).filename();
  const fs::path bank_copy = out / bank_files.filename();
  std::error_code ec;
  const fs::path out_full = fs::weakly_canonical(fs::absolute(out), ec);
  const fs::path bank_full = fs::weakly_canonical(fs::absolute(bank_files), ec);
  auto inside = std::mismatch(bank_full.begin(), bank_full.end(), out_full.begin(), out_full.end());
  if (!ec && inside.first == bank_full.end()) {
    return InvalidArgumentError("--out " + out_dir + " is inside the bank files it would copy (" +
                                bank_files.string() + "): choose a folder outside them");
  }
  for (const fs::path& p : {registry_copy, log_copy, bank_copy}) {
    if (fs::exists(p)) {
      return AlreadyExistsError(p.string() +
                                " already exists: a backup never replaces one; choose another "
                                "--out");
    }
  }
  fs::create_directories(out, ec);
  if (ec) return UnavailableError("cannot create " + out_dir + ": " + ec.message());

  // The backup is an access to everyone's data: recorded before the log is copied.
  {
    ASSIGN_OR_RETURN(auto log, access::AccessLog::Open(path));
    log->Append({clock.Now().micros, "system:backup", "system", "backup", "database:" + name, 0,
                 "backup", "allow", "a copy of the whole state to " + out_dir, ""});
    RETURN_IF_ERROR(log->Flush());
  }

  Backup backup;
  backup.key_file = KeyFileFor(config);
  std::function<void(const std::string&)> say = [&](const std::string& text) {
    if (progress) progress(text);
  };
  ASSIGN_OR_RETURN(BackupPart registry,
                   CopyDatabase("registry", path, registry_copy.string(), say));
  backup.parts.push_back(std::move(registry));
  ASSIGN_OR_RETURN(BackupPart log, CopyDatabase("access log", log_path, log_copy.string(), say));
  backup.parts.push_back(std::move(log));
  if (fs::is_directory(bank_files)) {
    say("copying the bank files, " + bank_files.string());
    ASSIGN_OR_RETURN(BackupPart files, CopyFolder("bank files", bank_files, bank_copy));
    backup.parts.push_back(std::move(files));
  }
  return backup;
}

void AddBackup(CLI::App& app, GlobalOptions& global) {
  struct Opts {
    std::string db, key_file, out;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "backup",
      "Copy an SQLite state (the registry, its access log and its bank files) into a folder, "
      "as of one moment, while spode may go on serving it; each copy is checked and synced "
      "before it gets its name. The vault key is not copied: keep it apart (docs/operations.md, "
      "Backups).\n"
      "Example: spode backup --db demo/spode.db --out backups/2026-12-02");
  cmd->add_option("--db", o->db, "the SQLite file (default: [database] url of the config)");
  cmd->add_option("--key-file", o->key_file, "the vault key the copy needs (default: <db>.key)");
  cmd->add_option("--out", o->out, "a folder for the copies; none of them may be there yet")
      ->required();
  cmd->add_flag("--json", o->json, "print one JSON document");
  cmd->callback([&global, o] {
    global.run = [o](const GlobalOptions& g) {
      auto config = ConfigForCommand(g, o->db, o->key_file);
      if (!config.ok()) return Fail(config.status(), o->json);
      SystemTimeSource clock(config->time.utc_offset_minutes);
      auto progress = [](std::string_view text) {
        std::fprintf(stderr, "%.*s...\n", static_cast<int>(text.size()), text.data());
      };
      auto backup = BackUp(*config, o->out, clock, progress);
      if (!backup.ok()) return Fail(backup.status(), o->json);
      const bool key_there = std::filesystem::exists(backup->key_file);
      if (o->json) {
        nlohmann::json parts = nlohmann::json::array();
        for (const BackupPart& p : backup->parts) {
          parts.push_back({{"what", p.what},
                           {"source", p.source},
                           {"copy", p.copy},
                           {"bytes", p.bytes},
                           {"files", p.files},
                           {"seconds", p.seconds}});
        }
        PrintJsonDocument({{"out", o->out},
                           {"parts", parts},
                           {"key_file", backup->key_file},
                           {"key_file_exists", key_there}});
        return 0;
      }
      std::printf("Backed up into %s:\n", o->out.c_str());
      for (const BackupPart& p : backup->parts) {
        std::printf("  %-11s %-48s %6lld file%s %12s %7.1f s\n", p.what.c_str(), p.copy.c_str(),
                    static_cast<long long>(p.files), p.files == 1 ? " " : "s",
                    Megabytes(p.bytes).c_str(), p.seconds);
      }
      if (key_there) {
        std::printf(
            "The vault key, %s, is not in the backup: keep a copy of it apart from the "
            "backup; without it no national ID in the backup can be read.\n",
            backup->key_file.c_str());
      }
      std::printf(
          "To restore: stop spode, put these files back beside each other where the "
          "database was (with the key), and start it (docs/operations.md, Backups).\n");
      return 0;
    };
  });
}

}  // namespace spode::app
