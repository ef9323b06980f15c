#include "http/json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace spode::http {
namespace {

using ::testing::HasSubstr;

TEST(JsonTest, JsonResponseHasStatusAndBody) {
  Response response = Json({{"a", 1}}, 201);
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"a":1})");
}

TEST(JsonTest, JsonResponseReplacesInvalidUtf8) {
  Response response = Json(nlohmann::json{{"s", std::string("a\xff")}});
  EXPECT_EQ(response.body, "{\"s\":\"a\xef\xbf\xbd\"}");
}

TEST(ParseJsonTest, ParsesValidObject) {
  Result<nlohmann::json> value = ParseJson(R"({"name":"अनु","age":61,"tags":[1,2]})");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ((*value)["age"], 61);
  EXPECT_EQ((*value)["name"], "अनु");
}

TEST(ParseJsonTest, MalformedGivesByteOffset) {
  Result<nlohmann::json> value = ParseJson(R"({"a":})");
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("malformed JSON at byte 5"));
}

TEST(ParseJsonTest, TruncatedIsMalformed) {
  Result<nlohmann::json> value = ParseJson(R"({"a":[1,2)");
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("malformed JSON at byte"));
}

TEST(ParseJsonTest, EmptyBodyIsInvalidArgument) {
  Result<nlohmann::json> value = ParseJson("  ");
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("empty"));
}

TEST(ParseJsonTest, DepthLimit) {
  std::string ok = std::string(32, '[') + std::string(32, ']');
  EXPECT_TRUE(ParseJson(ok).ok());
  std::string deep = std::string(33, '[') + std::string(33, ']');
  Result<nlohmann::json> value = ParseJson(deep);
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(value.status().message(), HasSubstr("nested deeper than 32 levels at byte 32"));
  // Brackets inside strings do not count.
  std::string in_string = "[\"" + std::string(100, '[') + "\\\"[\"]";
  EXPECT_TRUE(ParseJson(in_string).ok()) << ParseJson(in_string).status();
}

TEST(ParseJsonTest, RejectsInvalidUtf8) {
  struct Case {
    std::string text;
    size_t offset;
  };
  for (const Case& c : {
           Case{"{\"a\":\"x\xff\"}", 7},             // not a UTF-8 byte
           Case{"{\"a\":\"\xc0\xaf\"}", 6},          // overlong '/'
           Case{"{\"a\":\"\xed\xa0\x80\"}", 6},      // a surrogate
           Case{"{\"a\":\"\xe0\xa4\"}", 6},          // truncated sequence
           Case{"{\"a\":\"\xf4\x90\x80\x80\"}", 6},  // above U+10FFFF
       }) {
    Result<nlohmann::json> value = ParseJson(c.text);
    EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(value.status().message(), "invalid UTF-8 at byte " + std::to_string(c.offset));
  }
}

TEST(ParseJsonObjectTest, RejectsNonObject) {
  Result<nlohmann::json> value = ParseJsonObject("[1]");
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(value.status().message(), "expected a JSON object, not array");
}

TEST(FieldTest, GetRequiredReturnsTypedValues) {
  nlohmann::json body = {{"name", "Asha"}, {"age", 61}, {"ok", true}, {"score", 2.5}};
  EXPECT_EQ(*GetRequired<std::string>(body, "name"), "Asha");
  EXPECT_EQ(*GetRequired<int>(body, "age"), 61);
  EXPECT_EQ(*GetRequired<int64_t>(body, "age"), 61);
  EXPECT_EQ(*GetRequired<bool>(body, "ok"), true);
  EXPECT_EQ(*GetRequired<double>(body, "score"), 2.5);
  EXPECT_EQ(*GetRequired<double>(body, "age"), 61.0);
  EXPECT_EQ(*GetRequired<nlohmann::json>(body, "name"), "Asha");
}

TEST(FieldTest, WrongTypeNamesTheField) {
  nlohmann::json body = {{"age", "61"}, {"name", 5}, {"n", 1.5}, {"nothing", nullptr}};
  Result<int> age = GetRequired<int>(body, "age");
  EXPECT_EQ(age.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(age.status().message(), "field 'age' must be an integer, not string");
  EXPECT_EQ(GetRequired<std::string>(body, "name").status().message(),
            "field 'name' must be a string, not number");
  EXPECT_EQ(GetRequired<int64_t>(body, "n").status().message(),
            "field 'n' must be an integer, not number");
  EXPECT_EQ(GetRequired<bool>(body, "nothing").status().message(),
            "field 'nothing' must be a boolean, not null");
}

TEST(FieldTest, MissingRequiredField) {
  Result<std::string> name = GetRequired<std::string>(nlohmann::json::object(), "name");
  EXPECT_EQ(name.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(name.status().message(), "field 'name' is required");
}

TEST(FieldTest, IntRangeIsChecked) {
  nlohmann::json body = {{"big", int64_t{1} << 40}, {"huge", uint64_t{1} << 63}};
  EXPECT_EQ(GetRequired<int>(body, "big").status().message(), "field 'big' is out of range");
  EXPECT_EQ(*GetRequired<int64_t>(body, "big"), int64_t{1} << 40);
  EXPECT_EQ(GetRequired<int64_t>(body, "huge").status().message(), "field 'huge' is out of range");
}

TEST(FieldTest, GetOptionalTreatsAbsentAndNullAsEmpty) {
  nlohmann::json body = {{"a", nullptr}, {"b", 3}, {"c", "x"}};
  EXPECT_EQ(*GetOptional<int>(body, "a"), std::nullopt);
  EXPECT_EQ(*GetOptional<int>(body, "missing"), std::nullopt);
  EXPECT_EQ(*GetOptional<int>(body, "b"), 3);
  EXPECT_EQ(GetOptional<int>(body, "c").status().message(),
            "field 'c' must be an integer, not string");
}

TEST(FieldTest, GettersOnNonObject) {
  EXPECT_EQ(GetRequired<int>(nlohmann::json::array(), "a").status().code(),
            StatusCode::kInvalidArgument);
}

TEST(FieldTest, UnknownFieldIsNamed) {
  nlohmann::json body = {{"name", "x"}, {"colour", "red"}};
  EXPECT_TRUE(CheckKnownFields(body, {"name", "colour"}).ok());
  Status status = CheckKnownFields(body, {"name"});
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "unknown field 'colour'");
  EXPECT_EQ(CheckKnownFields(nlohmann::json(3), {"a"}).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace spode::http
