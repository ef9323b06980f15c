#ifndef SPODE_COMMON_DURABLE_FILE_H_
#define SPODE_COMMON_DURABLE_FILE_H_

// Large files written once and read back once (a bank file of a million transfers), on disk
// and around the page cache.
//
// Both classes move the bytes with direct I/O (O_DIRECT) where the file system allows it,
// through a staging buffer of their own, aligned and reused: a file of hundreds of megabytes is
// then neither copied into the page cache nor left there to push out what the database needs.
// On a virtual machine whose host takes back freed memory, each fresh page of the cache cost
// about as much as rendering the bytes put in it. Where direct I/O is refused (tmpfs, some
// network file systems, a device with a larger block), they fall back to ordinary reads and
// writes, with the same results.
//
// Neither is shared between threads; each may be used on any one thread.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "common/status.h"

namespace spode {

namespace internal {
struct AlignedFree {
  void operator()(char* p) const;
};
using AlignedBuffer = std::unique_ptr<char, AlignedFree>;
}  // namespace internal

// A file written under a temporary name (`path` + ".tmp"), then synced and renamed into place
// by Commit, with its directory synced, so that a crash leaves the whole file or none under its
// name. Commit is Sync then Publish: a writer whose file may appear only once something else is
// durable (a bank file, once its claim commits) syncs first and publishes later. Destroyed
// unpublished, the temporary file is removed. Errors are UNAVAILABLE, with the path and the
// system's reason.
class DurableFile {
 public:
  // `direct` false: through the page cache from the start (what a refusal falls back to).
  explicit DurableFile(std::filesystem::path path, bool direct = true);
  DurableFile(const DurableFile&) = delete;
  DurableFile& operator=(const DurableFile&) = delete;
  ~DurableFile();

  // Creates (or truncates) the temporary file.
  Status Open();
  // Adds `bytes` at the end. Some may be held in the staging buffer until the next Append or
  // Sync. FAILED_PRECONDITION unless open and not yet synced.
  Status Append(std::string_view bytes);
  // Writes what is held, syncs, renames into place, syncs the directory: Sync, then Publish.
  Status Commit();
  // Writes what is held and syncs the temporary file; nothing more can be appended.
  Status Sync();
  // Renames the synced file into place and syncs the directory. FAILED_PRECONDITION before
  // Sync.
  Status Publish();
  // Whether the bytes go around the page cache: false once the system refused direct I/O.
  bool direct() const { return direct_; }

 private:
  Status WriteAll(const char* data, size_t n);
  Status WriteStaged(size_t n);

  std::filesystem::path path_, tmp_;
  int fd_ = -1;
  bool synced_ = false;  // the temporary file is whole and synced, not yet published
  bool want_direct_;
  bool direct_ = false;
  internal::AlignedBuffer stage_;
  size_t staged_ = 0;
  uint64_t size_ = 0;  // bytes appended
};

// Renames the file at `tmp` to `path` (replacing what is there) and syncs the directory, so
// that the new name survives a crash. UNAVAILABLE when the rename fails; `tmp` is then removed.
Status RenameIntoPlace(const std::filesystem::path& tmp, const std::filesystem::path& path);

// Syncs the file at `tmp`, written by something else (SQLite's VACUUM INTO, which does not
// sync), then RenameIntoPlace. On failure `tmp` is removed.
Status SyncAndPublish(const std::filesystem::path& tmp, const std::filesystem::path& path);

// Reads the file at `path` from start to end, passing it to `piece` a stretch at a time (each
// at most a few MiB; the views are valid only during the call). NOT_FOUND when the file cannot
// be opened, UNAVAILABLE when a read fails; a failure of `piece` stops the reading and is
// returned.
// `direct` false: through the page cache from the start.
Status ReadFileInPieces(const std::filesystem::path& path,
                        const std::function<Status(std::string_view)>& piece,
                        bool direct = true);

}  // namespace spode

#endif  // SPODE_COMMON_DURABLE_FILE_H_
