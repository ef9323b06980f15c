#include "payments/internal/reader_connection.h"

#include <optional>
#include <string>

namespace spode::payments::internal {

std::unique_ptr<storage::Database> ReaderConnection(storage::Database& db) {
  std::optional<std::string> path = storage::SqliteFilePath(db);
  if (!path) return nullptr;
  // It only reads: through a memory map (SQLite's largest), not a system call and a copy a
  // page. Pages the writer has changed since the last checkpoint are still read from the WAL.
  constexpr int64_t kReaderMapBytes = 0x7fff0000;
  auto opened = storage::Open(*path, storage::OpenOptions{.create = false,
                                                          .mmap_bytes = kReaderMapBytes});
  return opened.ok() ? std::move(*opened) : nullptr;
}

}  // namespace spode::payments::internal
