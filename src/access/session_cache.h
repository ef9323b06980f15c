// SessionCache: the principals of recently used sessions, kept in a server's memory so that
// most requests do not look their session up in the database (a query each).
//
//   access::SessionCache sessions;                       // one per server
//   access::Identities ids(db, clock, &sessions);        // ResolveSession reads through it
//   ASSIGN_OR_RETURN(Principal p, ids.ResolveSession(token));
//
// An entry is trusted for at most kSessionCacheSeconds after it was read from the database, and
// never past the session's own expiry. Sessions ended through this process (a logout, a user
// disabled: Identities::RevokeSession and SetUserStatus given the cache) stop working at once;
// sessions ended by another process (`spode user disable` on the command line) within
// kSessionCacheSeconds. Keys are the tokens' hashes (crypto::Hash256), as in the sessions table.
//
// A look-up that raced a revocation cannot put back what the revocation took out: Put is given
// the generation read before the database was, and is ignored once a Forget or Clear came since.
//
// Thread-safety: every member may be called from any thread.
#ifndef SPODE_ACCESS_SESSION_CACHE_H_
#define SPODE_ACCESS_SESSION_CACHE_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "access/principal.h"

namespace spode::access {

inline constexpr int64_t kSessionCacheSeconds = 1;

class SessionCache {
 public:
  explicit SessionCache(size_t capacity = 100000) : capacity_(capacity) {}

  // The generation to pass to Put for a database read that starts now.
  uint64_t Generation() const;
  // The principal of the session whose token hashes to `hash`, if cached and still trusted at
  // `now_us`.
  std::optional<Principal> Find(std::string_view hash, int64_t now_us) const;
  // Caches a session read from the database at `now_us` (expiring at `expires_at_us`), unless a
  // Forget or Clear has come since `generation`.
  void Put(std::string hash, const Principal& p, int64_t expires_at_us, int64_t now_us,
           uint64_t generation);
  void Forget(std::string_view hash);
  void Clear();

 private:
  struct Entry {
    Principal principal;
    int64_t trusted_until_us = 0;
  };
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  uint64_t generation_ = 0;
  size_t capacity_;
};

}  // namespace spode::access

#endif  // SPODE_ACCESS_SESSION_CACHE_H_
