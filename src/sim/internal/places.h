// The place hierarchy of Sampurna Pradesh: districts, blocks, villages and urban wards, with
// codes, names in both scripts, and a weight per village for placing households.
//
// Sizes: 6-10 blocks per district (about 8), 50-150 villages per block (about 100), plus the
// wards of the block's headquarters town (4-10; 12-24 for the district headquarters). Village
// weights are skewed (a few large villages, many small ones) and the wards hold about 31% of
// households, India's urban share in the 2011 Census.
//
// Thread-safety: BuildPlaces is reentrant; a PlaceTable is immutable once built.
#ifndef SPODE_SIM_INTERNAL_PLACES_H_
#define SPODE_SIM_INTERNAL_PLACES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "sim/generator.h"

namespace spode::sim::internal {

struct PlaceTable {
  std::vector<Place> places;           // state, then depth-first
  std::vector<int32_t> villages;       // indices in `places` of every village and ward
  std::vector<uint64_t> cumulative;    // cumulative household weight, parallel to `villages`
  std::vector<int32_t> village_block;  // ordinal of each village's block (0, 1, ...)
  // The household file's "address" object for each village, ready to append:
  // "address":{"state":"99",...,"village_name":"Rampura"}
  std::vector<std::string> address_json;
};

// The hierarchy for `districts` districts (1-99). Depends only on its arguments.
PlaceTable BuildPlaces(uint64_t seed, int districts);

}  // namespace spode::sim::internal

#endif  // SPODE_SIM_INTERNAL_PLACES_H_
