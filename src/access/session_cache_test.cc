#include "access/session_cache.h"

#include <gtest/gtest.h>

namespace spode::access {
namespace {

constexpr int64_t kSecond = 1'000'000;

Principal Officer(std::string name) {
  Principal p;
  p.role = Role::kOfficer;
  p.name = std::move(name);
  p.user_id = 7;
  p.scope = "0801";
  return p;
}

TEST(SessionCacheTest, TrustsAnEntryForASecondAndNeverPastTheSessionsExpiry) {
  SessionCache cache;
  const int64_t t0 = 1'000 * kSecond;
  cache.Put("h1", Officer("bdo.one"), t0 + 3600 * kSecond, t0, cache.Generation());
  auto hit = cache.Find("h1", t0 + kSecond - 1);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->name, "bdo.one");
  EXPECT_EQ(hit->scope, "0801");
  EXPECT_FALSE(cache.Find("h1", t0 + kSecond).has_value());  // read the database again
  EXPECT_FALSE(cache.Find("h2", t0).has_value());

  // A session that ends in half a second is not trusted beyond it.
  cache.Put("h3", Officer("bdo.two"), t0 + kSecond / 2, t0, cache.Generation());
  EXPECT_TRUE(cache.Find("h3", t0 + kSecond / 2 - 1).has_value());
  EXPECT_FALSE(cache.Find("h3", t0 + kSecond / 2).has_value());
}

TEST(SessionCacheTest, ForgetAndClearEndSessionsAtOnce) {
  SessionCache cache;
  const int64_t t0 = 5 * kSecond;
  cache.Put("a", Officer("a"), t0 + 3600 * kSecond, t0, cache.Generation());
  cache.Put("b", Officer("b"), t0 + 3600 * kSecond, t0, cache.Generation());
  cache.Forget("a");
  EXPECT_FALSE(cache.Find("a", t0).has_value());
  EXPECT_TRUE(cache.Find("b", t0).has_value());
  cache.Clear();
  EXPECT_FALSE(cache.Find("b", t0).has_value());
}

TEST(SessionCacheTest, ALookUpThatRacedARevocationIsNotPutBack) {
  SessionCache cache;
  const int64_t t0 = 5 * kSecond;
  // A request reads the generation, then the database (the session still open there) ...
  const uint64_t before = cache.Generation();
  // ... while another request logs the session out ...
  cache.Forget("a");
  // ... and only then caches what it read: ignored.
  cache.Put("a", Officer("a"), t0 + 3600 * kSecond, t0, before);
  EXPECT_FALSE(cache.Find("a", t0).has_value());
  // A read that began after the revocation is cached.
  cache.Put("a", Officer("a"), t0 + 3600 * kSecond, t0, cache.Generation());
  EXPECT_TRUE(cache.Find("a", t0).has_value());
}

TEST(SessionCacheTest, AFullCacheDropsWhatIsNoLongerTrustedFirst) {
  SessionCache cache(2);
  const int64_t t0 = 5 * kSecond;
  cache.Put("old", Officer("old"), t0 + 3600 * kSecond, t0, cache.Generation());
  cache.Put("new", Officer("new"), t0 + 3600 * kSecond, t0 + kSecond, cache.Generation());
  cache.Put("newer", Officer("newer"), t0 + 3600 * kSecond, t0 + kSecond, cache.Generation());
  EXPECT_FALSE(cache.Find("old", t0 + kSecond).has_value());
  EXPECT_TRUE(cache.Find("new", t0 + kSecond).has_value());
  EXPECT_TRUE(cache.Find("newer", t0 + kSecond).has_value());
  // Full of trusted entries: it starts afresh rather than grow.
  cache.Put("third", Officer("third"), t0 + 3600 * kSecond, t0 + kSecond, cache.Generation());
  EXPECT_TRUE(cache.Find("third", t0 + kSecond).has_value());
  EXPECT_FALSE(cache.Find("new", t0 + kSecond).has_value());
}

}  // namespace
}  // namespace spode::access
