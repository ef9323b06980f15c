#include "common/flat_hash.h"

#include <unordered_map>

#include "gtest/gtest.h"

namespace spode {
namespace {

TEST(FlatHashMap64, AgreesWithUnorderedMapOverManyKeysIncludingZero) {
  FlatHashMap64 flat;
  std::unordered_map<uint64_t, int64_t> reference;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t key = (i % 1000 == 0) ? static_cast<uint64_t>(i % 3) : x % 500000;
    bool inserted = flat.Insert(key, i);
    EXPECT_EQ(inserted, reference.emplace(key, i).second);
  }
  EXPECT_EQ(flat.size(), reference.size());
  for (auto& [k, v] : reference) {
    const int64_t* found = flat.Find(k);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(*found, v);
  }
  EXPECT_EQ(flat.Find(999999999), nullptr);
  EXPECT_TRUE(flat.Contains(0));
}

TEST(FlatHashMap64, ReserveKeepsContents) {
  FlatHashMap64 flat;
  flat.Insert(7, 70);
  flat.Reserve(100000);
  EXPECT_EQ(*flat.Find(7), 70);
  EXPECT_FALSE(flat.Insert(7, 1));
  EXPECT_EQ(*flat.Find(7), 70);
}

}  // namespace
}  // namespace spode
