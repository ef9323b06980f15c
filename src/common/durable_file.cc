#include "common/durable_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace spode {

namespace internal {
void AlignedFree::operator()(char* p) const { std::free(p); }
}  // namespace internal

namespace {

// Direct I/O wants the buffer, the length and the file offset aligned to the device's logical
// block: 4 KiB covers the usual 512-byte and 4 KiB devices. A larger block is refused with
// EINVAL, and the file falls back to ordinary I/O.
constexpr size_t kAlign = 4096;
// The staging buffer: large enough that a direct write a MiB long keeps the disk busy, small
// enough that allocating it costs nothing next to the file.
constexpr size_t kStage = 1 << 20;

internal::AlignedBuffer AllocateStage() {
  return internal::AlignedBuffer(static_cast<char*>(std::aligned_alloc(kAlign, kStage)));
}

// "cannot <verb> <path>: <the system's reason>", from errno.
Status Failed(std::string_view verb, const std::filesystem::path& path) {
  return UnavailableError("cannot " + std::string(verb) + " " + path.string() + ": " +
                          std::strerror(errno));
}

// Turns direct I/O off on `fd`, after the system refused it for a read or write.
bool StopDirect(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags & ~O_DIRECT) == 0;
}

// Opens `path` with `flags`, asking for direct I/O first when `*direct`; `*direct` then says
// whether it was given.
int OpenMaybeDirect(const std::filesystem::path& path, int flags, bool* direct) {
  if (!*direct) return ::open(path.c_str(), flags, 0640);
  int fd = ::open(path.c_str(), flags | O_DIRECT, 0640);
  *direct = fd >= 0;
  if (fd < 0 && errno == EINVAL) fd = ::open(path.c_str(), flags, 0640);
  return fd;
}

}  // namespace

DurableFile::DurableFile(std::filesystem::path path, bool direct)
    : path_(std::move(path)), tmp_(path_), want_direct_(direct) {
  tmp_ += ".tmp";
}

DurableFile::~DurableFile() {
  if (fd_ < 0 && !synced_) return;
  if (fd_ >= 0) ::close(fd_);
  std::error_code ignored;
  std::filesystem::remove(tmp_, ignored);
}

Status DurableFile::Open() {
  direct_ = want_direct_;
  fd_ = OpenMaybeDirect(tmp_, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, &direct_);
  if (fd_ < 0) return Failed("write", tmp_);
  if (direct_) {
    stage_ = AllocateStage();
    if (!stage_) {  // no staging buffer to be had: ordinary writes
      if (!StopDirect(fd_)) return Failed("write", tmp_);
      direct_ = false;
    }
  }
  return OkStatus();
}

Status DurableFile::WriteAll(const char* data, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd_, data + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      // Direct I/O refused here (a block larger than kAlign, a file system that takes it only
      // at open): the rest goes through the page cache.
      if (errno == EINVAL && direct_ && StopDirect(fd_)) {
        direct_ = false;
        continue;
      }
      return Failed("write", tmp_);
    }
    done += static_cast<size_t>(w);
  }
  return OkStatus();
}

Status DurableFile::WriteStaged(size_t n) {
  RETURN_IF_ERROR(WriteAll(stage_.get(), n));
  staged_ = 0;
  return OkStatus();
}

Status DurableFile::Append(std::string_view bytes) {
  if (fd_ < 0) return FailedPreconditionError("cannot write " + tmp_.string() + ": not open");
  size_ += bytes.size();
  while (!bytes.empty()) {
    if (!direct_) {
      if (staged_ > 0) RETURN_IF_ERROR(WriteStaged(staged_));
      return WriteAll(bytes.data(), bytes.size());
    }
    size_t take = std::min(bytes.size(), kStage - staged_);
    std::memcpy(stage_.get() + staged_, bytes.data(), take);
    staged_ += take;
    bytes.remove_prefix(take);
    if (staged_ == kStage) RETURN_IF_ERROR(WriteStaged(kStage));
  }
  return OkStatus();
}

Status DurableFile::Commit() {
  RETURN_IF_ERROR(Sync());
  return Publish();
}

Status DurableFile::Sync() {
  if (fd_ < 0) return FailedPreconditionError("cannot sync " + tmp_.string() + ": not open");
  if (staged_ > 0) {
    // The last stretch, padded to a whole block when written directly, then cut back to the
    // file's length.
    size_t n = staged_;
    if (direct_) {
      n = (staged_ + kAlign - 1) / kAlign * kAlign;
      std::memset(stage_.get() + staged_, 0, n - staged_);
    }
    RETURN_IF_ERROR(WriteStaged(n));
    if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      return Failed("write", tmp_);
    }
  }
  int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0) {
    Status failed = Failed("sync", tmp_);
    ::close(fd);
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
    return failed;
  }
  if (::close(fd) != 0) {
    Status failed = Failed("sync", tmp_);
    std::error_code ignored;
    std::filesystem::remove(tmp_, ignored);
    return failed;
  }
  stage_.reset();  // a synced file takes no more bytes: its staging buffer is given back
  synced_ = true;
  return OkStatus();
}

Status DurableFile::Publish() {
  if (!synced_) return FailedPreconditionError("cannot publish " + tmp_.string() + ": not synced");
  synced_ = false;
  return RenameIntoPlace(tmp_, path_);
}

Status RenameIntoPlace(const std::filesystem::path& tmp, const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return UnavailableError("cannot rename " + tmp.string() + ": " + ec.message());
  }
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return OkStatus();
}

Status SyncAndPublish(const std::filesystem::path& tmp, const std::filesystem::path& path) {
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Failed("open", tmp);
  const bool synced = ::fsync(fd) == 0;
  Status failed = synced ? OkStatus() : Failed("sync", tmp);
  ::close(fd);
  if (!failed.ok()) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    return failed;
  }
  return RenameIntoPlace(tmp, path);
}

Status ReadFileInPieces(const std::filesystem::path& path,
                        const std::function<Status(std::string_view)>& piece,
                        bool direct) {
  int fd = OpenMaybeDirect(path, O_RDONLY | O_CLOEXEC, &direct);
  if (fd < 0) {
    return NotFoundError("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  internal::AlignedBuffer buffer = AllocateStage();
  Status result = OkStatus();
  if (!buffer) {
    result = UnavailableError("cannot read " + path.string() + ": out of memory");
  }
  while (result.ok()) {
    ssize_t n = ::read(fd, buffer.get(), kStage);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EINVAL && direct && StopDirect(fd)) {
        direct = false;
        continue;
      }
      result = Failed("read", path);
      break;
    }
    if (n == 0) break;
    result = piece(std::string_view(buffer.get(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return result;
}

}  // namespace spode
