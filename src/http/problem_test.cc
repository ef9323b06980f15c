#include "http/problem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace spode::http {
namespace {

struct MappingCase {
  StatusCode code;
  int http_status;
  const char* name;
  const char* type_suffix;
};

class ProblemMappingTest : public ::testing::TestWithParam<MappingCase> {};

TEST_P(ProblemMappingTest, MapsCodeToStatusAndBody) {
  const MappingCase& c = GetParam();
  EXPECT_EQ(HttpStatusFor(c.code), c.http_status);
  Response response = Problem(Status(c.code, "the detail"), "req-1");
  EXPECT_EQ(response.status, c.http_status);
  EXPECT_EQ(response.content_type, "application/problem+json");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["status"], c.http_status);
  EXPECT_EQ(body["code"], c.name);
  EXPECT_EQ(body["type"], std::string("https://spode.dev/problems/") + c.type_suffix);
  EXPECT_EQ(body["title"], std::string(ProblemTitle(c.code)));
  EXPECT_EQ(body["request_id"], "req-1");
  bool hidden = c.code == StatusCode::kInternal || c.code == StatusCode::kDataLoss;
  if (hidden) {
    EXPECT_NE(body["detail"], "the detail");
    EXPECT_THAT(body["detail"].get<std::string>(), ::testing::HasSubstr("request id"));
  } else {
    EXPECT_EQ(body["detail"], "the detail");
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryCode, ProblemMappingTest,
    ::testing::Values(
        MappingCase{StatusCode::kInvalidArgument, 400, "INVALID_ARGUMENT", "invalid-argument"},
        MappingCase{StatusCode::kNotFound, 404, "NOT_FOUND", "not-found"},
        MappingCase{StatusCode::kAlreadyExists, 409, "ALREADY_EXISTS", "already-exists"},
        MappingCase{StatusCode::kFailedPrecondition, 409, "FAILED_PRECONDITION",
                    "failed-precondition"},
        MappingCase{StatusCode::kPermissionDenied, 403, "PERMISSION_DENIED", "permission-denied"},
        MappingCase{StatusCode::kUnauthenticated, 401, "UNAUTHENTICATED", "unauthenticated"},
        MappingCase{StatusCode::kResourceExhausted, 429, "RESOURCE_EXHAUSTED",
                    "resource-exhausted"},
        MappingCase{StatusCode::kAborted, 409, "ABORTED", "aborted"},
        MappingCase{StatusCode::kOutOfRange, 400, "OUT_OF_RANGE", "out-of-range"},
        MappingCase{StatusCode::kUnimplemented, 501, "UNIMPLEMENTED", "unimplemented"},
        MappingCase{StatusCode::kUnavailable, 503, "UNAVAILABLE", "unavailable"},
        MappingCase{StatusCode::kDeadlineExceeded, 504, "DEADLINE_EXCEEDED", "deadline-exceeded"},
        MappingCase{StatusCode::kDataLoss, 500, "DATA_LOSS", "data-loss"},
        MappingCase{StatusCode::kInternal, 500, "INTERNAL", "internal"}));

TEST(ProblemTest, EveryNonOkCodeIsCovered) {
  // kInternal is the last code; a new code must be added to the table above and to problem.cc.
  for (int i = 1; i <= static_cast<int>(StatusCode::kInternal); ++i) {
    int status = HttpStatusFor(static_cast<StatusCode>(i));
    EXPECT_GE(status, 400) << i;
    EXPECT_LE(status, 599) << i;
  }
}

TEST(ProblemTest, ExplicitHttpStatusKeepsCode) {
  Response response = Problem(ResourceExhaustedError("too big"), "r", 413);
  EXPECT_EQ(response.status, 413);
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["status"], 413);
  EXPECT_EQ(body["code"], "RESOURCE_EXHAUSTED");
  EXPECT_EQ(body["detail"], "too big");
}

TEST(ProblemTest, OnlyUnavailableSaysWhenToComeBack) {
  Response unavailable = Problem(UnavailableError("loading"), "r");
  ASSERT_EQ(unavailable.headers.size(), 1u);
  EXPECT_EQ(unavailable.headers[0].first, "Retry-After");
  EXPECT_EQ(unavailable.headers[0].second, "5");
  EXPECT_TRUE(Problem(NotFoundError("x"), "r").headers.empty());
  EXPECT_TRUE(Problem(ResourceExhaustedError("too big"), "r", 413).headers.empty());
}

TEST(ProblemTest, WithoutRequestIdOmitsMember) {
  nlohmann::json body = nlohmann::json::parse(Problem(NotFoundError("x")).body);
  EXPECT_FALSE(body.contains("request_id"));
}

TEST(ProblemTest, OkStatusBecomesInternal) {
  Response response = Problem(OkStatus(), "r");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(nlohmann::json::parse(response.body)["code"], "INTERNAL");
}

TEST(ProblemTest, InvalidUtf8InMessageDoesNotThrow) {
  Response response = Problem(InvalidArgumentError("bad \xff byte"), "r");
  EXPECT_EQ(response.status, 400);
  EXPECT_NO_THROW(nlohmann::json::parse(response.body));
}

}  // namespace
}  // namespace spode::http
