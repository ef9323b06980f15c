// A seeded generator of a synthetic population for the fictional state of Sampurna Pradesh
// (state code "99"), written as household JSON Lines (docs/household-format.md).
//
//   GeneratorOptions options;
//   options.households = 1'000'000;
//   options.seed = 42;
//   Status s = WriteFile(options, "households.jsonl");
//
//   Generator gen(options);                 // or household by household
//   std::string line;
//   while (gen.Next(&line)) { Import(line); line.clear(); }
//
// The same options give the same bytes on every machine and compiler: randomness comes from
// the generator's own xoshiro256** stream and all arithmetic is integer. What is generated and
// from which sources is described in src/sim/README.md.
//
// Thread-safety: a Generator is not thread-safe; distinct Generators are independent.
#ifndef SPODE_SIM_GENERATOR_H_
#define SPODE_SIM_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/date.h"
#include "common/status.h"

namespace spode::sim {

struct GeneratorOptions {
  // Number of households to write (planted near-duplicates included). At least 0.
  int64_t households = 1000;
  uint64_t seed = 1;
  // The date the data describes: ages, dates of birth and provenance.as_of are relative to it.
  Date as_of = Date::FromDays(20544);  // 2026-04-01
  // The share of households that are planted near-duplicates: a person copied from an earlier
  // household of the same village, with a variant spelling of the name and no national ID.
  // Between 0 and 0.5.
  double near_duplicate_share = 0.005;
  // Number of districts; 0 derives it from `households` (one per 50,000, at least 3, at most
  // 40). At most 99.
  int districts = 0;
  // Whether to write family_id and member_id (when false, an importer assigns them).
  bool emit_ids = true;
};

// INVALID_ARGUMENT naming the first option out of range; OK otherwise.
Status ValidateOptions(const GeneratorOptions& options);

// A place of the state's hierarchy: the state, its districts, their blocks, and the blocks'
// villages (which include the urban wards of each block's headquarters town).
struct Place {
  enum class Level { kState, kDistrict, kBlock, kVillage };
  Level level = Level::kState;
  std::string code;        // "99", "9903", "990302", "990302014": each begins with its parent's
  std::string name;        // Latin script: "Amarpur", "Ratangarh Ward 03"
  std::string name_local;  // Devanagari: "अमरपुर", "रतनगढ़ वार्ड 03"
  int32_t parent = -1;     // index in places() of the enclosing place; -1 for the state
  bool urban = false;      // villages only: an urban ward rather than a village
};

class Generator {
 public:
  // Options out of range are clamped (see ValidateOptions to reject them instead).
  explicit Generator(GeneratorOptions options);
  ~Generator();
  Generator(Generator&&) noexcept;
  Generator& operator=(Generator&&) noexcept;

  // Appends the next household's JSON line, with its trailing '\n', to *out. Returns false,
  // leaving *out alone, when all households have been written.
  bool Next(std::string* out);

  const GeneratorOptions& options() const;
  int64_t households_written() const;
  int64_t members_written() const;
  // Near-duplicate households planted so far; each holds one copied person. The total is
  // round(households * near_duplicate_share) except in tiny runs (a copy needs an earlier
  // household to copy from).
  int64_t duplicates_planted() const;

  // The place hierarchy, state first, then each district followed by its blocks and each
  // block by its villages. Depends only on the seed and the number of districts.
  const std::vector<Place>& places() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Writes options.households households to `path` ("-" for standard output), calling
// `progress` with the number of households written so far every 10,000 households and at the
// end. Errors: INVALID_ARGUMENT for options out of range; NOT_FOUND when the path's directory
// does not exist; PERMISSION_DENIED when the file may not be written; RESOURCE_EXHAUSTED when
// the disk is full; UNAVAILABLE for other I/O errors. A failed write may leave a partial file.
Status WriteFile(const GeneratorOptions& options, const std::string& path,
                 std::function<void(int64_t done)> progress = {});

}  // namespace spode::sim

#endif  // SPODE_SIM_GENERATOR_H_
