#include "http/message.h"

#include <gtest/gtest.h>

#include "http/request_id.h"

namespace spode::http {
namespace {

TEST(RequestTest, HeaderIsCaseInsensitiveAndEmptyWhenAbsent) {
  Request request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Thing", "1"}, {"x-thing", "2"}};
  EXPECT_EQ(request.Header("content-type"), "application/json");
  EXPECT_EQ(request.Header("X-THING"), "1");  // the first wins
  EXPECT_EQ(request.Header("Accept"), "");
}

TEST(TextTest, SetsStatusAndContentType) {
  Response response = Text("hi", 202);
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.body, "hi");
  EXPECT_EQ(response.content_type, "text/plain; charset=utf-8");
}

TEST(PercentDecodeTest, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc+d", true), "a b/c d");
  EXPECT_EQ(*PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(*PercentDecode("%e0%A4%85", false), "\xe0\xa4\x85");
}

TEST(PercentDecodeTest, RejectsMalformedEscape) {
  EXPECT_EQ(PercentDecode("100%", false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PercentDecode("%4", false).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PercentDecode("%zz", false).status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseQueryTest, DecodesAndKeepsFirstValue) {
  Result<std::map<std::string, std::string>> params = ParseQuery("a=1&b=x%20y&a=2&&flag&c=p+q");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_EQ(params->size(), 4u);
  EXPECT_EQ(params->at("a"), "1");
  EXPECT_EQ(params->at("b"), "x y");
  EXPECT_EQ(params->at("flag"), "");
  EXPECT_EQ(params->at("c"), "p q");
}

TEST(ParseQueryTest, MalformedEscapeIsInvalidArgument) {
  EXPECT_EQ(ParseQuery("a=%G1").status().code(), StatusCode::kInvalidArgument);
}

TEST(RequestIdTest, NewIdsAre16HexDigitsAndDistinct) {
  std::string a = NewRequestId();
  std::string b = NewRequestId();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsValidRequestId(a));
}

TEST(RequestIdTest, ValidatesCharactersAndLength) {
  EXPECT_TRUE(IsValidRequestId("abc-DEF_123.x"));
  EXPECT_TRUE(IsValidRequestId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId("has space"));
  EXPECT_FALSE(IsValidRequestId("quote\""));
  EXPECT_FALSE(IsValidRequestId("new\nline"));
}

}  // namespace
}  // namespace spode::http
