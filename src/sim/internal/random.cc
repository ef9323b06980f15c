#include "sim/internal/random.h"

namespace spode::sim::internal {

IdPermutation::IdPermutation(uint64_t modulus, uint64_t block, uint64_t key)
    : modulus_(modulus), block_(block), other_(modulus / block) {
  uint64_t state = key;
  for (uint64_t& k : keys_) k = SplitMix64(&state);
}

}  // namespace spode::sim::internal
