// Name normalisation for fuzzy de-duplication.
//
// NameKey("Sunita Devi") == NameKey("SUNEETA  devee") == NameKey("सुनीता देवी"): the key folds case
// and spacing, transliterates Devanagari to Latin, and folds common spelling variants (see
// docs/household-format.md, "Near-duplicates"). It is a blocking key, deliberately loose: a
// match only puts two records side by side for an officer, together with an equal date of
// birth and the same village; it never merges anything.
#ifndef SPODE_REGISTRY_NAMES_H_
#define SPODE_REGISTRY_NAMES_H_

#include <string>
#include <string_view>

namespace spode::registry {

std::string NameKey(std::string_view name);

// Devanagari to a simple Latin transliteration (other characters copied).
std::string TransliterateDevanagari(std::string_view text);

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_NAMES_H_
