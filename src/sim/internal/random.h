// Deterministic pseudo-random numbers for the generator, identical on every machine.
//
//   Rng rng(seed);
//   rng.Below(6);            // 0..5
//   rng.Range(18, 25);       // 18..25 inclusive
//   rng.Chance(22'000);      // true 2.2% of the time (parts per million)
//   IdPermutation perm(1'000'000'000, 10'000, key);   // a bijection on [0, 10^9)
//
// std:: distributions are deliberately not used: their output is implementation-defined, and
// the generator promises the same bytes for the same seed on any platform. Everything here is
// integer arithmetic.
//
// Thread-safety: an Rng is mutable state for one thread; an IdPermutation is immutable after
// construction.
#ifndef SPODE_SIM_INTERNAL_RANDOM_H_
#define SPODE_SIM_INTERNAL_RANDOM_H_

#include <cstddef>
#include <cstdint>
#include <span>

namespace spode::sim::internal {

// One step of splitmix64: advances *state and returns a well-mixed 64-bit value. Used to expand
// seeds and to hash small tuples into stable values.
inline uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A stable hash of (a, b): the same value everywhere, for derived codes such as bank branches.
inline uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t state = a * 0xD1B54A32D192ED03ull + b;
  return SplitMix64(&state);
}

// xoshiro256** (Blackman and Vigna), seeded through splitmix64 as its authors recommend.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t state = seed;
    for (uint64_t& word : s_) word = SplitMix64(&state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n) for n >= 1, by Lemire's multiply-high (bias below n / 2^64, irrelevant
  // here, and no rejection loop, so the number of draws per call is fixed).
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }

  // Uniform in [lo, hi], lo <= hi.
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // True with probability per_million / 1,000,000.
  bool Chance(uint32_t per_million) { return Below(1'000'000) < per_million; }

  // An index i with probability weights[i] / sum(weights); the sum must be positive.
  int Pick(std::span<const uint16_t> weights) {
    uint32_t total = 0;
    for (uint16_t w : weights) total += w;
    uint32_t r = static_cast<uint32_t>(Below(total));
    for (size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return static_cast<int>(i);
      r -= weights[i];
    }
    return static_cast<int>(weights.size()) - 1;  // not reached
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// A keyed bijection on [0, modulus), modulus = A * B: x is split into hi = x / B (in [0, A))
// and lo = x % B (in [0, B)), and four Feistel rounds alternately add a keyed hash of one
// half to the other (hi += F(lo) mod A; lo += F(hi) mod B; ...). Each round can be undone, so
// distinct inputs give distinct outputs and IDs built from a counter never collide, while
// consecutive counters give unrelated-looking IDs. `block` (B) must divide `modulus`.
class IdPermutation {
 public:
  IdPermutation(uint64_t modulus, uint64_t block, uint64_t key);
  uint64_t operator()(uint64_t x) const {
    x %= modulus_;
    uint64_t hi = x / block_;
    uint64_t lo = x % block_;
    for (int round = 0; round < 4; round += 2) {
      hi += Reduce(Hash(lo ^ keys_[round]), other_);
      if (hi >= other_) hi -= other_;
      lo += Reduce(Hash(hi ^ keys_[round + 1]), block_);
      if (lo >= block_) lo -= block_;
    }
    return hi * block_ + lo;
  }
  uint64_t modulus() const { return modulus_; }

 private:
  static uint64_t Hash(uint64_t v) {
    v *= 0x9E3779B97F4A7C15ull;
    v ^= v >> 32;
    v *= 0xD6E8FEB86659FD93ull;
    return v ^ (v >> 32);
  }
  // A value in [0, n) from a 64-bit hash, without division.
  static uint64_t Reduce(uint64_t h, uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(h) * n) >> 64);
  }

  uint64_t modulus_;
  uint64_t block_;  // B
  uint64_t other_;  // A = modulus / B
  uint64_t keys_[4];
};

}  // namespace spode::sim::internal

#endif  // SPODE_SIM_INTERNAL_RANDOM_H_
