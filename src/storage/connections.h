// Connections: one database connection per thread, opened on first use, for servers whose
// worker threads each need their own (a Database is not thread-safe).
//
//   storage::Connections connections(url);
//   ASSIGN_OR_RETURN(storage::Database* db, connections.Get());   // this thread's connection
//
// Thread-safety: Get may be called from any thread; each thread gets its own connection, kept
// until the Connections object is destroyed.
#ifndef SPODE_STORAGE_CONNECTIONS_H_
#define SPODE_STORAGE_CONNECTIONS_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/database.h"

namespace spode::storage {

class Connections {
 public:
  explicit Connections(std::string url, OpenOptions options = {})
      : url_(std::move(url)), options_(options) {}

  Result<Database*> Get() {
    std::lock_guard lock(mu_);
    auto& slot = by_thread_[std::this_thread::get_id()];
    if (!slot) {
      ASSIGN_OR_RETURN(slot, Open(url_, options_));
    }
    return slot.get();
  }
  size_t open_count() {
    std::lock_guard lock(mu_);
    return by_thread_.size();
  }
  const std::string& url() const { return url_; }

 private:
  std::string url_;
  OpenOptions options_;
  std::mutex mu_;
  std::map<std::thread::id, std::unique_ptr<Database>> by_thread_;  // GUARDED_BY(mu_)
};

}  // namespace spode::storage

#endif  // SPODE_STORAGE_CONNECTIONS_H_
