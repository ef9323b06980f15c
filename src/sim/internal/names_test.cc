#include "sim/internal/names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace spode::sim::internal {
namespace {

// True when every code point of `text` is Devanagari (U+0900-U+097F) or a space.
bool IsDevanagari(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ') {
      ++i;
      continue;
    }
    if (c != 0xE0 || i + 3 > text.size()) return false;
    const unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
    if (c1 != 0xA4 && c1 != 0xA5) return false;
    i += 3;
  }
  return !text.empty();
}

bool IsLatinWord(std::string_view text, bool allow_space) {
  for (char c : text) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!letter && !(allow_space && c == ' ')) return false;
  }
  return !text.empty();
}

std::vector<const NameEntry*> AllPersonNameParts() {
  std::vector<const NameEntry*> all;
  for (Community c : {Community::kHindu, Community::kMuslim}) {
    for (Sex s : {Sex::kFemale, Sex::kMale}) {
      for (const NameEntry& e : FirstNames(c, s)) all.push_back(&e);
    }
  }
  for (SurnamePool p :
       {SurnamePool::kScheduledCaste, SurnamePool::kScheduledTribe, SurnamePool::kOtherBackward,
        SurnamePool::kGeneral, SurnamePool::kCommon, SurnamePool::kMuslim}) {
    for (const NameEntry& e : Surnames(p)) all.push_back(&e);
  }
  for (int k = 0; k <= static_cast<int>(NameSuffix::kKhatoon); ++k) {
    all.push_back(&Suffix(static_cast<NameSuffix>(k)));
  }
  return all;
}

TEST(NamesTest, TablesHaveTheAdvertisedSizes) {
  EXPECT_GE(FirstNames(Community::kHindu, Sex::kMale).size() +
                FirstNames(Community::kMuslim, Sex::kMale).size(),
            60u);
  EXPECT_GE(FirstNames(Community::kHindu, Sex::kFemale).size() +
                FirstNames(Community::kMuslim, Sex::kFemale).size(),
            60u);
  size_t surnames = 0;
  for (SurnamePool p :
       {SurnamePool::kScheduledCaste, SurnamePool::kScheduledTribe, SurnamePool::kOtherBackward,
        SurnamePool::kGeneral, SurnamePool::kCommon, SurnamePool::kMuslim}) {
    surnames += Surnames(p).size();
  }
  EXPECT_GE(surnames, 40u);
}

TEST(NamesTest, EveryEntryHasLatinLettersAndDevanagari) {
  for (const NameEntry* e : AllPersonNameParts()) {
    EXPECT_TRUE(IsLatinWord(e->latin, false)) << e->latin;
    EXPECT_TRUE(IsDevanagari(e->local)) << e->latin << " " << e->local;
  }
  for (const NameEntry& e : PlacePrefixes()) {
    EXPECT_TRUE(IsLatinWord(e.latin, false)) << e.latin;
    EXPECT_TRUE(IsDevanagari(e.local)) << e.latin;
  }
  for (const NameEntry& e : PlaceSuffixes()) {
    EXPECT_TRUE(IsLatinWord(e.latin, false)) << e.latin;
    EXPECT_TRUE(IsDevanagari(e.local)) << e.latin;
  }
  EXPECT_TRUE(IsDevanagari(kStateNameLocal));
}

TEST(NamesTest, SpotChecksOfTheDevanagari) {
  auto find = [](std::span<const NameEntry> table, std::string_view latin) -> std::string_view {
    for (const NameEntry& e : table) {
      if (e.latin == latin) return e.local;
    }
    return "";
  };
  EXPECT_EQ(find(FirstNames(Community::kHindu, Sex::kFemale), "Sunita"), "सुनीता");
  EXPECT_EQ(find(FirstNames(Community::kHindu, Sex::kFemale), "Pooja"), "पूजा");
  EXPECT_EQ(find(FirstNames(Community::kHindu, Sex::kMale), "Ramesh"), "रमेश");
  EXPECT_EQ(find(Surnames(SurnamePool::kOtherBackward), "Yadav"), "यादव");
  EXPECT_EQ(Suffix(NameSuffix::kDevi).local, "देवी");
}

TEST(NamesTest, FoldNameFoldsTheDocumentedVariants) {
  EXPECT_EQ(FoldName("Sunita Devi"), FoldName("SUNEETA  devee"));
  EXPECT_EQ(FoldName("Pooja"), FoldName("Puja"));
  EXPECT_EQ(FoldName("Aarti"), FoldName("Arti"));
  EXPECT_EQ(FoldName("Pawan"), FoldName("Pavan"));
  EXPECT_EQ(FoldName("Shanti"), FoldName("Santi"));
  EXPECT_EQ(FoldName("Phoolwati"), FoldName("Foolvati"));
  EXPECT_EQ(FoldName("Zakir"), FoldName("Jakir"));
  EXPECT_EQ(FoldName("Vijay"), FoldName("Vijai"));
  EXPECT_EQ(FoldName("Anita"), FoldName("Anitha"));
  EXPECT_EQ(FoldName("Yadav"), FoldName("Yadava"));
  EXPECT_EQ(FoldName("  Ram   Meena "), "ram min");
  EXPECT_NE(FoldName("Ramesh"), FoldName("Rajesh"));
  EXPECT_NE(FoldName("Sita Devi"), FoldName("Gita Devi"));
}

TEST(NamesTest, VariantsDifferButFoldToTheOriginal) {
  Rng rng(5);
  int changed_letters = 0;
  int total = 0;
  for (const NameEntry* first : AllPersonNameParts()) {
    for (const NameEntry* last : {&Suffix(NameSuffix::kDevi), &Surnames(SurnamePool::kGeneral)[0],
                                  &Surnames(SurnamePool::kOtherBackward)[0]}) {
      const std::string name = std::string(first->latin) + " " + std::string(last->latin);
      for (int i = 0; i < 10; ++i) {
        const std::string v = MakeNameVariant(name, rng);
        ++total;
        EXPECT_NE(v, name);
        EXPECT_EQ(FoldName(v), FoldName(name)) << name << " -> " << v;
        // Mostly a spelling change, not only case or spacing.
        std::string lower_v, lower_name;
        for (char c : v) {
          if (c != ' ') lower_v.push_back(static_cast<char>(std::tolower(c)));
        }
        for (char c : name) {
          if (c != ' ') lower_name.push_back(static_cast<char>(std::tolower(c)));
        }
        changed_letters += lower_v != lower_name;
      }
    }
  }
  EXPECT_GT(changed_letters, total * 3 / 4);
}

// A clerk's variant keeps a consistent case: Title Case, ALL CAPS or all lower case.
TEST(NamesTest, VariantsKeepAConsistentCase) {
  Rng rng(11);
  for (const std::string name : {"Salim Ansari", "SALIM ANSARI", "Farzana Khan", "Arif Shaikh"}) {
    for (int i = 0; i < 300; ++i) {
      const std::string v = MakeNameVariant(name, rng);
      bool any_lower = false, any_upper = false, upper_inside_word = false;
      for (size_t k = 0; k < v.size(); ++k) {
        const char c = v[k];
        any_lower |= c >= 'a' && c <= 'z';
        any_upper |= c >= 'A' && c <= 'Z';
        upper_inside_word |= c >= 'A' && c <= 'Z' && k > 0 && v[k - 1] != ' ';
      }
      EXPECT_TRUE(!any_lower || !any_upper || !upper_inside_word) << name << " -> " << v;
    }
  }
}

TEST(NamesTest, VariantOfASingleWordName) {
  Rng rng(1);
  const std::string v = MakeNameVariant("Dhapu", rng);
  EXPECT_NE(v, "Dhapu");
  EXPECT_EQ(FoldName(v), FoldName("Dhapu"));
}

}  // namespace
}  // namespace spode::sim::internal
