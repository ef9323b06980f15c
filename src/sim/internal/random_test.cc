#include "sim/internal/random.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace spode::sim::internal {
namespace {

// The reference xoshiro256** seeded through splitmix64 (values computed independently): the
// stream, and so every generated file, is the same on every platform.
TEST(RngTest, MatchesTheReferenceStream) {
  Rng rng(1);
  EXPECT_EQ(rng.Next(), 0xb3f2af6d0fc710c5ull);
  EXPECT_EQ(rng.Next(), 0x853b559647364ceaull);
  EXPECT_EQ(rng.Next(), 0x92f89756082a4514ull);
}

TEST(RngTest, BoundsAreRespected) {
  Rng rng(42);
  std::vector<int> seen(7, 0);
  for (int i = 0; i < 70'000; ++i) {
    const uint64_t b = rng.Below(7);
    ASSERT_LT(b, 7u);
    ++seen[b];
    const int r = rng.Range(-3, 3);
    ASSERT_GE(r, -3);
    ASSERT_LE(r, 3);
  }
  for (int count : seen) {
    EXPECT_GT(count, 9'000);
    EXPECT_LT(count, 11'000);
  }
  EXPECT_EQ(rng.Below(1), 0u);
  EXPECT_EQ(rng.Range(5, 5), 5);
}

TEST(RngTest, ChanceAtTheExtremesAndInBetween) {
  Rng rng(3);
  int hits = 0;
  for (int i = 0; i < 100'000; ++i) {
    ASSERT_FALSE(rng.Chance(0));
    ASSERT_TRUE(rng.Chance(1'000'000));
    hits += rng.Chance(250'000);
  }
  EXPECT_GT(hits, 24'000);
  EXPECT_LT(hits, 26'000);
}

TEST(RngTest, PickFollowsWeights) {
  Rng rng(9);
  static constexpr uint16_t kWeights[] = {1, 0, 3};
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 40'000; ++i) ++counts[rng.Pick(kWeights)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_GT(counts[0], 9'000);
  EXPECT_LT(counts[0], 11'000);
}

TEST(IdPermutationTest, IsABijectionOnASmallDomain) {
  const IdPermutation perm(9'000, 100, 77);
  std::set<uint64_t> out;
  for (uint64_t x = 0; x < 9'000; ++x) {
    const uint64_t y = perm(x);
    ASSERT_LT(y, 9'000u);
    out.insert(y);
  }
  EXPECT_EQ(out.size(), 9'000u);
}

TEST(IdPermutationTest, NoCollisionsAmongTheFirstMillionOfALargeDomain) {
  const IdPermutation perm(80'000'000'000ull, 100'000, 1234);
  std::vector<uint64_t> out;
  out.reserve(1'000'000);
  for (uint64_t x = 0; x < 1'000'000; ++x) out.push_back(perm(x));
  std::sort(out.begin(), out.end());
  EXPECT_EQ(std::adjacent_find(out.begin(), out.end()), out.end());
  EXPECT_LT(out.back(), 80'000'000'000ull);
  // Spread over the domain, not clustered near the counter.
  EXPECT_GT(out.back(), 70'000'000'000ull);
  EXPECT_LT(out.front(), 10'000'000'000ull);
}

TEST(IdPermutationTest, DifferentKeysGiveDifferentPermutations) {
  const IdPermutation a(1'000'000'000, 10'000, 1);
  const IdPermutation b(1'000'000'000, 10'000, 2);
  int same = 0;
  for (uint64_t x = 0; x < 1000; ++x) same += a(x) == b(x);
  EXPECT_LT(same, 3);
}

}  // namespace
}  // namespace spode::sim::internal
