#include "common/log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <random>
#include <string>

#include "common/verhoeff.h"

namespace spode {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

// A Verhoeff-valid 12-digit number, and the same with a wrong check digit.
const std::string kId = WithVerhoeffDigit("23412341234");  // 234123412346
const std::string kBadId = "234123412347";

TEST(RedactTest, Fixtures) {
  ASSERT_EQ(kId, "234123412346");
  ASSERT_TRUE(VerhoeffValid(kId));
  ASSERT_FALSE(VerhoeffValid(kBadId));
}

TEST(RedactTest, MaskNationalId) {
  EXPECT_EQ(MaskNationalId("2346"), "XXXX-XXXX-2346");
  EXPECT_EQ(MaskNationalId("0000"), "XXXX-XXXX-0000");
}

TEST(RedactTest, MasksAValidNumber) {
  EXPECT_EQ(RedactNationalIds("enrolled 234123412346 today"), "enrolled XXXX-XXXX-2346 today");
  EXPECT_EQ(RedactNationalIds(kId), "XXXX-XXXX-2346");
  EXPECT_EQ(RedactNationalIds("id=" + kId), "id=XXXX-XXXX-2346");
  EXPECT_EQ(RedactNationalIds("ID" + kId + "X"), "IDXXXX-XXXX-2346X");
  EXPECT_EQ(RedactNationalIds("(" + kId + ")."), "(XXXX-XXXX-2346).");
  EXPECT_EQ(RedactNationalIds("\"national_id\":\"" + kId + "\""),
            "\"national_id\":\"XXXX-XXXX-2346\"");
}

TEST(RedactTest, MasksGroupedForms) {
  EXPECT_EQ(RedactNationalIds("aadhaar 2341 2341 2346 seen"), "aadhaar XXXX-XXXX-2346 seen");
  EXPECT_EQ(RedactNationalIds("aadhaar 2341-2341-2346 seen"), "aadhaar XXXX-XXXX-2346 seen");
  EXPECT_EQ(RedactNationalIds("2341 2341 2346"), "XXXX-XXXX-2346");
}

TEST(RedactTest, LeavesAnInvalidCheckDigit) {
  EXPECT_EQ(RedactNationalIds("ref " + kBadId), "ref " + kBadId);
  EXPECT_EQ(RedactNationalIds("ref 2341 2341 2347"), "ref 2341 2341 2347");
  EXPECT_EQ(RedactNationalIds("ref 2341-2341-2347"), "ref 2341-2341-2347");
}

TEST(RedactTest, LeavesOtherLengths) {
  std::string eleven = WithVerhoeffDigit("2341234123");      // valid, but 11 digits
  std::string thirteen = WithVerhoeffDigit("234123412341");  // valid, but 13 digits
  ASSERT_EQ(eleven.size(), 11u);
  ASSERT_EQ(thirteen.size(), 13u);
  EXPECT_EQ(RedactNationalIds("n " + eleven + " n"), "n " + eleven + " n");
  EXPECT_EQ(RedactNationalIds("n " + thirteen + " n"), "n " + thirteen + " n");
  EXPECT_EQ(RedactNationalIds("2341 2341 234"), "2341 2341 234");
  EXPECT_EQ(RedactNationalIds("phone 9876543210"), "phone 9876543210");
  EXPECT_EQ(RedactNationalIds("Rs 1,23,456.50"), "Rs 1,23,456.50");
}

TEST(RedactTest, LeavesDigitsEmbeddedInLongerRuns) {
  // The valid 12 digits preceded or followed by more digits are part of another number.
  EXPECT_EQ(RedactNationalIds("9" + kId), "9" + kId);
  EXPECT_EQ(RedactNationalIds(kId + "0"), kId + "0");
  EXPECT_EQ(RedactNationalIds("acct 55" + kId + "55 x"), "acct 55" + kId + "55 x");
  EXPECT_EQ(RedactNationalIds("2341 2341 23460"), "2341 2341 23460");
}

TEST(RedactTest, LeavesIrregularGrouping) {
  EXPECT_EQ(RedactNationalIds("234 123 412 346"), "234 123 412 346");
  EXPECT_EQ(RedactNationalIds("2341  2341 2346"), "2341  2341 2346");  // two spaces
  EXPECT_EQ(RedactNationalIds("2341_2341_2346"), "2341_2341_2346");
  EXPECT_EQ(RedactNationalIds("23412-3412346"), "23412-3412346");
}

TEST(RedactTest, MasksSeveralInOneLine) {
  std::string other = WithVerhoeffDigit("98765432109");
  ASSERT_TRUE(VerhoeffValid(other));
  std::string last4 = other.substr(8);
  std::string line = "a=" + kId + ", b=2341 2341 2346; c=" + other + " d=" + kBadId;
  EXPECT_EQ(RedactNationalIds(line),
            "a=XXXX-XXXX-2346, b=XXXX-XXXX-2346; c=XXXX-XXXX-" + last4 + " d=" + kBadId);
  EXPECT_EQ(RedactNationalIds(kId + " " + kId), "XXXX-XXXX-2346 XXXX-XXXX-2346");
  EXPECT_EQ(RedactNationalIds(kId + "," + other), "XXXX-XXXX-2346,XXXX-XXXX-" + last4);
}

TEST(RedactTest, LeavesTextWithoutNumbersAlone) {
  EXPECT_EQ(RedactNationalIds(""), "");
  EXPECT_EQ(RedactNationalIds("no digits here"), "no digits here");
  EXPECT_EQ(RedactNationalIds("सुनीता देवी 2026-11-29"), "सुनीता देवी 2026-11-29");
}

TEST(RedactTest, RandomNumbers) {
  std::mt19937 rng(330);
  for (int n = 0; n < 500; ++n) {
    std::string payload;
    payload += static_cast<char>('2' + rng() % 8);
    for (int k = 0; k < 10; ++k) payload += static_cast<char>('0' + rng() % 10);
    std::string id = WithVerhoeffDigit(payload);
    std::string masked = "XXXX-XXXX-" + id.substr(8);
    EXPECT_EQ(RedactNationalIds("x " + id + " y"), "x " + masked + " y") << id;
    std::string grouped = id.substr(0, 4) + " " + id.substr(4, 4) + " " + id.substr(8);
    EXPECT_EQ(RedactNationalIds(grouped), masked) << grouped;
    // Every wrong check digit is left alone.
    for (char c = '0'; c <= '9'; ++c) {
      if (c == id.back()) continue;
      std::string wrong = payload + c;
      EXPECT_EQ(RedactNationalIds("x " + wrong + " y"), "x " + wrong + " y") << wrong;
    }
  }
}

// --- The logger ------------------------------------------------------------------------------

class LoggingTest : public ::testing::Test {
 protected:
  void TearDown() override { InitLogging({}); }
  static std::string Capture(const LogOptions& options, void (*log)()) {
    ::testing::internal::CaptureStderr();
    InitLogging(options);
    log();
    spdlog::default_logger()->flush();
    return ::testing::internal::GetCapturedStderr();
  }
};

TEST_F(LoggingTest, TextLinesAreRedacted) {
  std::string out = Capture({.level = "info", .format = "text"},
                            [] { spdlog::info("enrolled member {} in household {}", kId, 42); });
  EXPECT_THAT(out, Not(HasSubstr(kId)));
  EXPECT_THAT(out, MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
                                "info enrolled member XXXX-XXXX-2346 in household 42\n"));
}

TEST_F(LoggingTest, IdSplitAcrossArgumentsIsStillRedacted) {
  std::string out = Capture({}, [] { spdlog::warn("{}{}", kId.substr(0, 5), kId.substr(5)); });
  EXPECT_THAT(out, Not(HasSubstr(kId)));
  EXPECT_THAT(out, HasSubstr("warning XXXX-XXXX-2346\n"));
}

TEST_F(LoggingTest, JsonLinesAreRedactedAndEscaped) {
  std::string out = Capture({.level = "info", .format = "json"},
                            [] { spdlog::error("bad \"row\"\tfor 2341 2341 2346\\"); });
  EXPECT_THAT(out, MatchesRegex("\\{\"ts_ms\":[0-9]+,.*\n"));
  size_t level = out.find(",\"level\"");
  ASSERT_NE(level, std::string::npos) << out;
  EXPECT_EQ(out.substr(level), R"(,"level":"error","msg":"bad \"row\"\tfor XXXX-XXXX-2346\\"})"
                               "\n");
}

TEST_F(LoggingTest, LevelFilters) {
  std::string out = Capture({.level = "warn", .format = "text"}, [] {
    spdlog::info("quiet");
    spdlog::debug("quieter");
    spdlog::warn("loud");
  });
  EXPECT_THAT(out, Not(HasSubstr("quiet")));
  EXPECT_THAT(out, HasSubstr("loud"));

  std::string none = Capture({.level = "off", .format = "text"}, [] { spdlog::error("x"); });
  EXPECT_EQ(none, "");

  std::string debug = Capture({.level = "debug", .format = "text"}, [] {
    spdlog::trace("hidden");
    spdlog::debug("shown {}", kBadId);
  });
  EXPECT_THAT(debug, Not(HasSubstr("hidden")));
  EXPECT_THAT(debug, ContainsRegex("debug shown " + kBadId + "\n"));
}

TEST_F(LoggingTest, InitLoggingTwiceKeepsOneLogger) {
  std::string out = Capture({}, [] {
    InitLogging({});
    spdlog::info("once");
  });
  EXPECT_EQ(out.find("once"), out.rfind("once"));
  EXPECT_THAT(out, HasSubstr("once"));
}

}  // namespace
}  // namespace spode
