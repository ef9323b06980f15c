// Name tables for the generator (people and places, in Latin script and Devanagari), and the
// spelling variants it plants as near-duplicates.
//
//   std::span<const NameEntry> men = FirstNames(Community::kHindu, Sex::kMale);
//   std::string v = MakeNameVariant("Sunita Devi", rng);   // e.g. "Suneeta Devi", "Sunita Devy"
//   FoldName(v) == FoldName("Sunita Devi")                 // always
//
// Every Devanagari entry is the usual Hindi spelling of its Latin entry, so "Sunita" is
// "सुनीता" and a full name is the two parts joined by a space in both scripts.
//
// Thread-safety: the tables are immutable; the functions are reentrant.
#ifndef SPODE_SIM_INTERNAL_NAMES_H_
#define SPODE_SIM_INTERNAL_NAMES_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "sim/internal/random.h"

namespace spode::sim::internal {

// Which birth years a first name suits: some names are typical of older generations
// (Kamla, Babulal), some of younger ones (Khushboo, Abhishek).
enum class Era : uint8_t { kAny, kOld, kYoung };

struct NameEntry {
  std::string_view latin;
  std::string_view local;  // Devanagari, UTF-8
  Era era = Era::kAny;
};

enum class Community : uint8_t { kHindu, kMuslim };
enum class Sex : uint8_t { kFemale, kMale };

// Surname pools. Rural north-Indian surnames often indicate a community; the generator uses
// the pool of a household's caste category most of the time and the common pool otherwise.
enum class SurnamePool : uint8_t {
  kScheduledCaste,
  kScheduledTribe,
  kOtherBackward,
  kGeneral,
  kCommon,
  kMuslim
};

std::span<const NameEntry> FirstNames(Community community, Sex sex);
std::span<const NameEntry> Surnames(SurnamePool pool);

// Words used in place of a surname: "Sunita Devi", "Pooja Kumari", "Rahul Kumar",
// "Vikram Singh", "Kamla Bai", "Shabana Bano", "Salma Begum", "Reshma Khatoon".
enum class NameSuffix : uint8_t { kDevi, kKumari, kKumar, kSingh, kBai, kBano, kBegum, kKhatoon };
const NameEntry& Suffix(NameSuffix suffix);

// Place names are a prefix and a suffix ("Amar" + "pur" = "Amarpur", "अमर" + "पुर" = "अमरपुर").
// The first kTownSuffixes suffixes suit towns (district and block headquarters).
std::span<const NameEntry> PlacePrefixes();
std::span<const NameEntry> PlaceSuffixes();
inline constexpr int kTownSuffixes = 7;
// " Khurd" (the smaller) and " Kalan" (the larger) of two villages sharing a name.
std::span<const NameEntry> PlaceQualifiers();

// The state.
inline constexpr std::string_view kStateCode = "99";
inline constexpr std::string_view kStateName = "Sampurna Pradesh";
inline constexpr std::string_view kStateNameLocal = "सम्पूर्ण प्रदेश";

// The near-duplicate spelling fold of docs/household-format.md, on Latin text: case and
// spacing folded (words joined by one space), then in each word w->v, z->j, sh->s, ph->f,
// aa->a, ee->i, oo->u, an 'h' after a consonant dropped, a final 'y' read as 'i', and a
// trailing 'a' dropped. The sim uses it only to check its own planted variants; the registry's
// matching key is looser still (src/registry/names.h), so a variant that folds equal here also
// matches there.
std::string FoldName(std::string_view name);

// A different spelling of `name` (space-separated words of ASCII letters) that FoldName maps
// to the same text: a doubled or undoubled vowel (Sunita/Suneeta, Pooja/Puja), v/w, sh/s,
// ph/f, z/j, a final i/y/ee, an h after t or d added or dropped (Anita/Anitha, Radha/Rada), a
// trailing 'a' added or dropped (Yadav/Yadava), or a change of case or spacing.
std::string MakeNameVariant(std::string_view name, Rng& rng);

}  // namespace spode::sim::internal

#endif  // SPODE_SIM_INTERNAL_NAMES_H_
