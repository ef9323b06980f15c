#include "sim/internal/places.h"

#include <set>
#include <string_view>

#include "sim/internal/names.h"
#include "sim/internal/random.h"
#include "sim/internal/text.h"

namespace spode::sim::internal {
namespace {

constexpr uint64_t kPlacesSalt = 0x706C61636573ull;  // "places"

struct PlaceName {
  std::string latin;
  std::string local;
};

// A name "prefix + suffix" using the first `suffixes` suffixes, optionally qualified
// ("Rampur Khurd"), that is not yet in *used.
PlaceName UniqueName(Rng& rng, int suffixes, int qualified_per_100, std::set<std::string>* used) {
  const auto prefixes = PlacePrefixes();
  const auto all_suffixes = PlaceSuffixes();
  const auto qualifiers = PlaceQualifiers();
  for (int attempt = 0;; ++attempt) {
    const NameEntry& p = prefixes[rng.Below(prefixes.size())];
    const NameEntry& s = all_suffixes[rng.Below(static_cast<uint64_t>(suffixes))];
    PlaceName name{std::string(p.latin) + std::string(s.latin),
                   std::string(p.local) + std::string(s.local)};
    // After many collisions (a large state) qualifiers are always allowed.
    if (rng.Below(100) < static_cast<uint64_t>(qualified_per_100) || attempt > 200) {
      const NameEntry& q = qualifiers[rng.Below(qualifiers.size())];
      name.latin += q.latin;
      name.local += q.local;
    }
    if (attempt > 2000) {  // cannot happen with the table sizes above; keeps the loop finite
      name.latin += ' ' + std::to_string(attempt);
      name.local += ' ' + std::to_string(attempt);
    }
    if (used->insert(name.latin).second) return name;
  }
}

std::string Digits(int value, int width) {
  JsonBuffer b(24);
  b.Digits(static_cast<uint64_t>(value), width);
  std::string s;
  b.MoveTo(&s);
  return s;
}

std::string AddressJson(const std::vector<Place>& places, int32_t village) {
  const Place& v = places[village];
  const Place& b = places[v.parent];
  const Place& d = places[b.parent];
  JsonBuffer json(256 + 6 * (d.name.size() + b.name.size() + v.name.size()));
  json.Literal("\"address\":{\"state\":\"");
  json.Raw(kStateCode);
  json.Literal("\",\"district\":");
  json.String(d.code);
  json.Literal(",\"block\":");
  json.String(b.code);
  json.Literal(",\"village\":");
  json.String(v.code);
  json.Literal(",\"district_name\":");
  json.String(d.name);
  json.Literal(",\"block_name\":");
  json.String(b.name);
  json.Literal(",\"village_name\":");
  json.String(v.name);
  json.Char('}');
  std::string out;
  json.MoveTo(&out);
  return out;
}

}  // namespace

PlaceTable BuildPlaces(uint64_t seed, int districts) {
  Rng rng(Mix(seed, kPlacesSalt));
  PlaceTable t;
  t.places.push_back({Place::Level::kState, std::string(kStateCode), std::string(kStateName),
                      std::string(kStateNameLocal), -1, false});
  std::set<std::string> towns;  // district and block names are unique in the state
  uint64_t total_weight = 0;
  int block_ordinal = 0;
  for (int d = 1; d <= districts; ++d) {
    const PlaceName district_name = UniqueName(rng, kTownSuffixes, 0, &towns);
    const int32_t district_index = static_cast<int32_t>(t.places.size());
    const std::string district_code = std::string(kStateCode) + Digits(d, 2);
    t.places.push_back({Place::Level::kDistrict, district_code, district_name.latin,
                        district_name.local, 0, false});
    const int blocks = rng.Range(6, 10);
    for (int b = 1; b <= blocks; ++b, ++block_ordinal) {
      // The first block is the district headquarters and shares the district's name.
      const PlaceName block_name =
          b == 1 ? district_name
                 : UniqueName(rng, static_cast<int>(PlaceSuffixes().size()), 0, &towns);
      const int32_t block_index = static_cast<int32_t>(t.places.size());
      const std::string block_code = district_code + Digits(b, 2);
      t.places.push_back({Place::Level::kBlock, block_code, block_name.latin, block_name.local,
                          district_index, false});
      const int villages = rng.Range(50, 150);
      const int wards = b == 1 ? rng.Range(12, 24) : rng.Range(4, 10);
      std::set<std::string> village_names;  // unique within the block
      uint64_t village_weight = 0;
      for (int v = 1; v <= villages; ++v) {
        const PlaceName name =
            UniqueName(rng, static_cast<int>(PlaceSuffixes().size()), 8, &village_names);
        const uint64_t r = rng.Below(1000);
        const uint64_t weight = 30 + r * r / 2000;  // 30-529 households' worth, mean ~196
        village_weight += weight;
        total_weight += weight;
        t.villages.push_back(static_cast<int32_t>(t.places.size()));
        t.cumulative.push_back(total_weight);
        t.village_block.push_back(block_ordinal);
        t.places.push_back({Place::Level::kVillage, block_code + Digits(v, 3), name.latin,
                            name.local, block_index, false});
      }
      // The town's wards: 90% of the rural weight in a district headquarters, 38% elsewhere,
      // which puts about 31% of households in towns.
      const uint64_t ward_total = village_weight * (b == 1 ? 90 : 38) / 100;
      const uint64_t ward_weight = ward_total / static_cast<uint64_t>(wards) + 1;
      for (int w = 1; w <= wards; ++w) {
        total_weight += ward_weight;
        t.villages.push_back(static_cast<int32_t>(t.places.size()));
        t.cumulative.push_back(total_weight);
        t.village_block.push_back(block_ordinal);
        t.places.push_back({Place::Level::kVillage, block_code + Digits(villages + w, 3),
                            block_name.latin + " Ward " + Digits(w, 2),
                            block_name.local + " वार्ड " + Digits(w, 2), block_index, true});
      }
    }
  }
  t.address_json.reserve(t.villages.size());
  for (int32_t v : t.villages) t.address_json.push_back(AddressJson(t.places, v));
  return t;
}

}  // namespace spode::sim::internal
