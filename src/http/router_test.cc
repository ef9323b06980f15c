#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http/problem.h"

namespace spode::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Handler Named(std::string name) {
  return [name](Request& request) {
    std::string body = name;
    for (const auto& [k, v] : request.path_params) body += " " + k + "=" + v;
    return Text(body);
  };
}

Request Make(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  request.request_id = "rid";
  return request;
}

std::string Code(const Response& response) {
  return nlohmann::json::parse(response.body)["code"].get<std::string>();
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(router_.Add("GET", "/api/v1/households/{family_id}", Named("get")).ok());
    ASSERT_TRUE(router_.Add("PUT", "/api/v1/households/{family_id}", Named("put")).ok());
    ASSERT_TRUE(router_.Add("GET", "/api/v1/households/new", Named("new")).ok());
    ASSERT_TRUE(
        router_.Add("GET", "/api/v1/households/{family_id}/members/{member_id}", Named("member"))
            .ok());
    ASSERT_TRUE(router_.Add("POST", "/api/v1/households", Named("create")).ok());
    ASSERT_TRUE(router_.Add("GET", "/", Named("root")).ok());
  }
  Router router_;
};

TEST_F(RouterTest, MatchesParamsAndSetsRoute) {
  Request request = Make("GET", "/api/v1/households/F-12/members/M%2F3");
  int index = -5;
  Response response = router_.Dispatch(request, &index);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "member family_id=F-12 member_id=M/3");
  EXPECT_EQ(request.route, "/api/v1/households/{family_id}/members/{member_id}");
  ASSERT_GE(index, 0);
  EXPECT_EQ(router_.patterns()[index], request.route);
}

TEST_F(RouterTest, LiteralSegmentWinsOverParameter) {
  Request request = Make("GET", "/api/v1/households/new");
  EXPECT_EQ(router_.Dispatch(request).body, "new");
  Request other = Make("PUT", "/api/v1/households/new");  // only the parameter route has PUT
  EXPECT_EQ(router_.Dispatch(other).body, "put family_id=new");
}

TEST_F(RouterTest, RootAndTrailingSlash) {
  Request root = Make("GET", "/");
  EXPECT_EQ(router_.Dispatch(root).body, "root");
  Request trailing = Make("POST", "/api/v1/households/");
  EXPECT_EQ(router_.Dispatch(trailing).status, 404);
}

TEST_F(RouterTest, UnknownPathIsNotFoundProblem) {
  Request request = Make("GET", "/api/v1/nothing");
  int index = 0;
  Response response = router_.Dispatch(request, &index);
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/problem+json");
  EXPECT_EQ(Code(response), "NOT_FOUND");
  EXPECT_EQ(nlohmann::json::parse(response.body)["request_id"], "rid");
  EXPECT_EQ(index, Router::kNoRoute);
  EXPECT_EQ(request.route, "");
}

TEST_F(RouterTest, EmptySegmentDoesNotMatchParameter) {
  Request request = Make("GET", "/api/v1/households//members/x");
  EXPECT_EQ(router_.Dispatch(request).status, 404);
}

TEST_F(RouterTest, WrongMethodIs405WithAllow) {
  Request request = Make("DELETE", "/api/v1/households/F-1");
  int index = -5;
  Response response = router_.Dispatch(request, &index);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(Code(response), "UNIMPLEMENTED");
  EXPECT_THAT(response.headers, ElementsAre(Pair("Allow", "GET, HEAD, PUT")));
  EXPECT_EQ(request.route, "/api/v1/households/{family_id}");
  EXPECT_EQ(router_.patterns()[index], request.route);
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  Request request = Make("HEAD", "/api/v1/households/F-1");
  EXPECT_EQ(router_.Dispatch(request).body, "get family_id=F-1");
}

TEST_F(RouterTest, ListsRoutesInRegistrationOrder) {
  ASSERT_EQ(router_.routes().size(), 6u);
  EXPECT_EQ(router_.routes()[0].method, "GET");
  EXPECT_EQ(router_.routes()[0].pattern, "/api/v1/households/{family_id}");
  EXPECT_EQ(router_.routes()[1].method, "PUT");
  EXPECT_EQ(router_.routes()[4].method, "POST");
  EXPECT_EQ(router_.routes()[4].pattern, "/api/v1/households");
  EXPECT_EQ(router_.patterns().size(), 5u);
}

TEST_F(RouterTest, FallbackHandlesUnmatchedPaths) {
  router_.SetFallback([](Request& request) { return Text("static " + request.path); });
  Request request = Make("GET", "/app/index.html");
  int index = 0;
  EXPECT_EQ(router_.Dispatch(request, &index).body, "static /app/index.html");
  EXPECT_EQ(index, Router::kFallback);
  // A known path with a wrong method is still a 405, not the fallback.
  Request wrong = Make("POST", "/");
  EXPECT_EQ(router_.Dispatch(wrong).status, 405);
}

TEST_F(RouterTest, ThrowingHandlerIs500) {
  ASSERT_TRUE(router_
                  .Add("GET", "/boom",
                       [](Request&) -> Response { throw std::runtime_error("secret detail"); })
                  .ok());
  Request request = Make("GET", "/boom");
  Response response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(Code(response), "INTERNAL");
  EXPECT_EQ(response.body.find("secret detail"), std::string::npos);
}

TEST_F(RouterTest, MalformedEscapeInParameterIs400) {
  Request request = Make("GET", "/api/v1/households/F%zz");
  Response response = router_.Dispatch(request);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(Code(response), "INVALID_ARGUMENT");
}

TEST(RouterAddTest, RejectsBadPatterns) {
  Router router;
  auto code = [&](std::string_view method, std::string_view pattern) {
    return router.Add(method, pattern, Named("x")).code();
  };
  EXPECT_EQ(code("GET", "no-slash"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("GET", "/a/{}"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("GET", "/a/{id"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("GET", "/a/x{id}"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("GET", "/a/{id}/{id}"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("", "/a"), StatusCode::kInvalidArgument);
  EXPECT_EQ(router.Add("GET", "/a", Handler()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("GET", "/a/{id}"), StatusCode::kOk);
  EXPECT_EQ(code("GET", "/a/{id}"), StatusCode::kAlreadyExists);
  EXPECT_EQ(code("POST", "/a/{other}"), StatusCode::kInvalidArgument);
  EXPECT_EQ(code("POST", "/a/{id}/b"), StatusCode::kOk);
  EXPECT_TRUE(router.routes().size() == 2);
}

}  // namespace
}  // namespace spode::http
