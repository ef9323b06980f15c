#include "common/json_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace spode {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

// nlohmann's serialisation, which the API's other documents use: the writer must agree.
std::string Nlohmann(std::string_view s) {
  return nlohmann::json(std::string(s))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonWriterTest, WritesNestedDocumentsWithCommasInPlace) {
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  w.Key("a").Int(-12);
  w.Key("b").BeginArray().Int(1).String("x").Null().Bool(true).BeginObject().EndObject().EndArray();
  w.Key("c").Raw(R"({"k":[1,2]})");
  w.Key("d").BeginObject().Key("e").Bool(false).EndObject();
  w.Key("f").BeginArray().EndArray();
  w.EndObject();
  EXPECT_EQ(out, R"({"a":-12,"b":[1,"x",null,true,{}],"c":{"k":[1,2]},"d":{"e":false},"f":[]})");
  EXPECT_EQ(nlohmann::json::parse(out)["b"][1], "x");
}

TEST(JsonWriterTest, WritesTheExtremesOfInt64) {
  std::string out;
  JsonWriter(out).BeginArray().Int(INT64_MIN).Int(INT64_MAX).Int(0).EndArray();
  EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807,0]");
}

TEST(JsonWriterTest, EscapesAsNlohmannDoes) {
  for (std::string_view s :
       {std::string_view(""), std::string_view("plain"), std::string_view("q\"uote\\back/slash"),
        std::string_view("\b\f\n\r\t\x01\x1f\x7f", 8), std::string_view("a\0b", 3),
        std::string_view("खुशबू देवी"), std::string_view("\xF0\x9F\x99\x8F emoji")}) {
    EXPECT_EQ(Quoted(s), Nlohmann(s)) << s;
  }
}

TEST(JsonWriterTest, AgreesWithNlohmannOnRandomWellFormedText) {
  std::mt19937 rng(7);
  const char32_t pool[] = {U'a',  U'"',  U'\\',  U'\n',  0x01,   0x1F,    0x7F,     0xE9,
                           0x915, 0x93F, 0xFFFD, 0xD7FF, 0xE000, 0x10000, 0x10FFFF, U' '};
  for (int round = 0; round < 2000; ++round) {
    std::string s;
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      char32_t cp = pool[rng() % std::size(pool)];
      if (cp < 0x80) {
        s.push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else if (cp < 0x10000) {
        s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
    }
    ASSERT_EQ(Quoted(s), Nlohmann(s));
  }
}

TEST(JsonWriterTest, ReplacesIllFormedUtf8SoTheOutputIsAlwaysValid) {
  // One U+FFFD per maximal ill-formed prefix (Unicode's recommendation).
  EXPECT_EQ(Quoted("a\xFF"
                   "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong '/'
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate
  EXPECT_EQ(Quoted("\xE0\xA4"), "\"\xEF\xBF\xBD\"");  // cut short at the end
  EXPECT_EQ(Quoted("\xE0\xA4x"), "\"\xEF\xBF\xBDx\"");
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"),
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // above U+10FFFF
  std::mt19937 rng(11);
  for (int round = 0; round < 5000; ++round) {
    std::string s;
    int n = static_cast<int>(rng() % 10);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(rng()));
    std::string out = Quoted(s);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(out)) << out;
    ASSERT_TRUE(parsed.is_string());
  }
}

}  // namespace
}  // namespace spode
