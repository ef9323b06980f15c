#include "access/session_cache.h"

#include <algorithm>

namespace spode::access {

uint64_t SessionCache::Generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::optional<Principal> SessionCache::Find(std::string_view hash, int64_t now_us) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(std::string(hash));
  if (it == entries_.end() || it->second.trusted_until_us <= now_us) return std::nullopt;
  return it->second.principal;
}

void SessionCache::Put(std::string hash, const Principal& p, int64_t expires_at_us,
                       int64_t now_us, uint64_t generation) {
  const int64_t until = std::min(expires_at_us, now_us + kSessionCacheSeconds * 1'000'000);
  std::lock_guard lock(mu_);
  if (generation != generation_) return;
  if (entries_.size() >= capacity_) {
    // Full: drop what is no longer trusted; if that frees nothing, start afresh.
    std::erase_if(entries_, [&](const auto& e) { return e.second.trusted_until_us <= now_us; });
    if (entries_.size() >= capacity_) entries_.clear();
  }
  entries_.insert_or_assign(std::move(hash), Entry{p, until});
}

void SessionCache::Forget(std::string_view hash) {
  std::lock_guard lock(mu_);
  entries_.erase(std::string(hash));
  ++generation_;
}

void SessionCache::Clear() {
  std::lock_guard lock(mu_);
  entries_.clear();
  ++generation_;
}

}  // namespace spode::access
