#include "registry/names.h"

#include "gtest/gtest.h"

namespace spode::registry {
namespace {

TEST(NameKey, FoldsCaseSpacingAndSpellingVariants) {
  const std::string key = NameKey("Sunita Devi");
  EXPECT_EQ(NameKey("SUNITA DEVI"), key);
  EXPECT_EQ(NameKey("Sunita  Devi"), key);
  EXPECT_EQ(NameKey("SunitaDevi"), key);
  EXPECT_EQ(NameKey("Suneeta Devee"), key);
  EXPECT_EQ(NameKey("Sunitaa Dewi"), key);
  EXPECT_EQ(NameKey("Shyam Lal"), NameKey("Syam Laal"));
  EXPECT_EQ(NameKey("Phool Singh"), NameKey("Fool Singh"));
  EXPECT_EQ(NameKey("Ram"), NameKey("Rama"));
}

TEST(NameKey, MatchesDevanagariSpelling) {
  EXPECT_EQ(NameKey("सुनीता देवी"), NameKey("Sunita Devi"));
  EXPECT_EQ(NameKey("राम लाल"), NameKey("Ram Lal"));
  EXPECT_EQ(NameKey("श्याम"), NameKey("Shyam"));
}

TEST(NameKey, KeepsDifferentNamesApart) {
  EXPECT_NE(NameKey("Sunita Devi"), NameKey("Savita Devi"));
  EXPECT_NE(NameKey("Ram Lal"), NameKey("Mohan Lal"));
  EXPECT_NE(NameKey("Anil"), NameKey("Sunil"));
}

TEST(Transliterate, WritesInherentAndDependentVowels) {
  EXPECT_EQ(TransliterateDevanagari("राम"), "raam");
  EXPECT_EQ(TransliterateDevanagari("सुनीता"), "suniitaa");
  EXPECT_EQ(TransliterateDevanagari("abc"), "abc");
}

}  // namespace
}  // namespace spode::registry
