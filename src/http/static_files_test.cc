#include "http/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace spode::http {
namespace {

namespace fs = std::filesystem;

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

void Write(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("spode_static_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    root_ = base_ / "dist";
    Write(root_ / "index.html", "<!doctype html><title>spode</title>");
    Write(root_ / "assets" / "index-abc123.js", "console.log(1)");
    Write(root_ / "assets" / "index-abc123.css", "body{}");
    Write(root_ / "favicon.svg", "<svg/>");
    Write(root_ / ".hidden", "secret");
    Write(base_ / "outside.txt", "outside the root");
  }
  void TearDown() override { fs::remove_all(base_); }

  Response Get(std::string path, std::string accept_encoding = "") {
    Request r;
    r.method = "GET";
    r.path = std::move(path);
    if (!accept_encoding.empty()) r.headers.emplace_back("Accept-Encoding", accept_encoding);
    return StaticFiles(root_).Serve(r);
  }

  fs::path base_, root_;
};

TEST_F(StaticFilesTest, ServesHashedAssetsWithTypeAndLongCache) {
  Response r = Get("/assets/index-abc123.js");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "console.log(1)");
  EXPECT_EQ(r.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(HeaderOf(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(Get("/assets/index-abc123.css").content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, IndexAndOtherFilesAreRevalidated) {
  Response index = Get("/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(index, "Cache-Control"), "no-cache");
  EXPECT_NE(HeaderOf(index, "Content-Security-Policy"), "");
  Response svg = Get("/favicon.svg");
  EXPECT_EQ(svg.content_type, "image/svg+xml");
  EXPECT_EQ(HeaderOf(svg, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, ClientRoutesFallBackToIndex) {
  Response r = Get("/citizen/payments");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "<!doctype html><title>spode</title>");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, OtherPathsAre404ProblemsOrTheAppFor404InABrowser) {
  Response api_client = Get("/no-such-page");
  EXPECT_EQ(api_client.status, 404);
  EXPECT_EQ(api_client.content_type, "application/problem+json");
  Request browser;
  browser.method = "GET";
  browser.path = "/no-such-page";
  browser.headers.emplace_back("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
  Response page = StaticFiles(root_).Serve(browser);
  EXPECT_EQ(page.status, 404);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(page.body, "<!doctype html><title>spode</title>");
  // "/citizenship" is not under "/citizen".
  EXPECT_EQ(Get("/citizenship").status, 404);
  EXPECT_EQ(Get("/staff").status, 200);
}

TEST(IsAppRouteTest, PrefixesAtSegmentBoundaries) {
  EXPECT_TRUE(IsAppRoute("/"));
  EXPECT_TRUE(IsAppRoute("/citizen"));
  EXPECT_TRUE(IsAppRoute("/citizen/payments"));
  EXPECT_TRUE(IsAppRoute("/staff/cycles/12"));
  EXPECT_FALSE(IsAppRoute("/citizens"));
  EXPECT_FALSE(IsAppRoute("/metrics2"));
  EXPECT_FALSE(IsAppRoute(""));
}

TEST_F(StaticFilesTest, MissingFileWithExtensionIs404) {
  Response r = Get("/assets/gone-000.js");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/problem+json");
}

TEST_F(StaticFilesTest, UnknownApiRoutesAreNotThePage) {
  EXPECT_EQ(Get("/api/v1/nothing").status, 404);
  EXPECT_EQ(Get("/api/v1/nothing").content_type, "application/problem+json");
  EXPECT_EQ(Get("/dev/nothing").status, 404);
  EXPECT_EQ(Get("/oauth2/nothing").status, 404);
}

TEST_F(StaticFilesTest, OnlyGetAndHead) {
  Request r;
  r.method = "POST";
  r.path = "/";
  EXPECT_EQ(StaticFiles(root_).Serve(r).status, 404);
  r.method = "HEAD";
  EXPECT_EQ(StaticFiles(root_).Serve(r).status, 200);
}

TEST_F(StaticFilesTest, PathTraversalNeverLeavesTheRoot) {
  for (const char* path :
       {"/../outside.txt", "/assets/../../outside.txt", "/%2e%2e/outside.txt",
        "/%2E%2E%2Foutside.txt", "/assets/..%2F..%2Foutside.txt", "/..\\outside.txt",
        "/%5c..%5coutside.txt", "/a%00.js", "/%zz", "/.hidden", "/./index.html"}) {
    Response r = Get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(r.body.find("outside the root"), std::string::npos) << path;
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << path;
  }
}

TEST_F(StaticFilesTest, SymbolicLinkOutOfTheRootIsRefused) {
  fs::create_symlink(base_ / "outside.txt", root_ / "link.txt");
  Response r = Get("/link.txt");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("outside the root"), std::string::npos);
}

TEST_F(StaticFilesTest, PrecompressedFileWhenTheClientAcceptsGzip) {
  Write(root_ / "assets" / "index-abc123.js.gz", "GZIPPED");
  Response gz = Get("/assets/index-abc123.js", "gzip, deflate, br");
  EXPECT_EQ(gz.body, "GZIPPED");
  EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
  EXPECT_EQ(HeaderOf(gz, "Vary"), "Accept-Encoding");
  EXPECT_EQ(gz.content_type, "text/javascript; charset=utf-8");
  Response plain = Get("/assets/index-abc123.js");
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
}

TEST_F(StaticFilesTest, NotBuiltSaysHowToBuild) {
  fs::remove(root_ / "index.html");
  Response r = Get("/citizen");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("scripts/web.sh build"), std::string::npos);
}

TEST(ContentTypeForTest, ByExtension) {
  EXPECT_EQ(ContentTypeFor("a.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("a.unknown"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("dir.d/noext"), "application/octet-stream");
}

TEST(ResolveWebRootTest, ConfiguredWins) {
  EXPECT_EQ(ResolveWebRoot("/srv/web"), std::filesystem::path("/srv/web"));
}

}  // namespace
}  // namespace spode::http
