// The SMS/IVR inbound format.
#include "grievance/inbound.h"

#include "gmock/gmock.h"
#include "grievance/testing/fixture.h"
#include "gtest/gtest.h"

namespace spode::grievance {
namespace {

using ::testing::HasSubstr;
using testing::MemberId;

TEST(InboundTest, ParsesAnSms) {
  std::string id = MemberId(1);
  auto in =
      ParseInbound(Channel::kSms, "+919876543210", "GRV " + id + " 4 October pension not received");
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->channel, Channel::kSms);
  EXPECT_EQ(in->member_id, id);
  EXPECT_EQ(in->member_idx, 0);
  EXPECT_EQ(in->category, Category::kPaymentNotReceived);
  EXPECT_EQ(in->description, "October pension not received");
  EXPECT_EQ(in->sender_phone, "9876543210");
  EXPECT_EQ(in->filed_by, "sms-gateway");
  EXPECT_EQ(in->language, notify::Language::kEn);
}

TEST(InboundTest, CategoryAsNumberCodeOrName) {
  for (int i = 0; i < kCategoryCount; ++i) {
    Category c = static_cast<Category>(i);
    EXPECT_EQ(*ParseCategoryToken(std::to_string(i + 1)), c);
    EXPECT_EQ(*ParseCategoryToken(CategoryCode(c)), c);
    std::string lower(CategoryCode(c));
    for (char& ch : lower) ch = static_cast<char>(std::tolower(ch));
    EXPECT_EQ(*ParseCategoryToken(lower), c);
    EXPECT_EQ(*ParseCategoryToken(CategoryName(c)), c);
  }
  EXPECT_EQ(ParseCategoryToken("0").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCategoryToken("PAY").status().code(), StatusCode::kInvalidArgument);
}

TEST(InboundTest, HindiTextAndKeyword) {
  auto in = ParseInbound(Channel::kSms, "09876543210",
                         "शिकायत  " + MemberId(1) + "  prt   पेंशन वापस आ गई\n");
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->category, Category::kPaymentReturned);
  EXPECT_EQ(in->description, "पेंशन वापस आ गई");
  EXPECT_EQ(in->language, notify::Language::kHi);
  EXPECT_EQ(in->sender_phone, "9876543210");
}

TEST(InboundTest, IvrKeysWithoutText) {
  auto in = ParseInbound(Channel::kIvr, "9876543210", "GRV*" + MemberId(1) + "*7#");
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->channel, Channel::kIvr);
  EXPECT_EQ(in->category, Category::kOperatorMisconduct);
  EXPECT_EQ(in->filed_by, "ivr-gateway");
  EXPECT_THAT(in->description, HasSubstr("IVR"));
  EXPECT_FALSE(in->language.has_value());
}

TEST(InboundTest, ClearErrors) {
  std::string id = MemberId(1);
  auto expect = [](const Result<GrievanceInput>& r, std::string_view words) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(words));
    EXPECT_THAT(r.status().message(), HasSubstr("Example: GRV"));
  };
  expect(ParseInbound(Channel::kSms, "9876543210", "HELLO " + id + " 4 text"), "Start the message");
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV"), "member ID is missing");
  std::string bad_id = id;
  bad_id.back() = bad_id.back() == '9' ? '0' : static_cast<char>(bad_id.back() + 1);
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV " + bad_id + " 4 text"), "11 digits");
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV " + id), "category number is missing");
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV " + id + " 12 text"), "Unknown category");
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV " + id + " 4   "), "write your complaint");
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV " + id + " 4 " + std::string(2001, 'x')),
         "2000");
  expect(ParseInbound(Channel::kSms, "9876543210", "GRV " + id + " 4 \x01"), "could not be read");
  EXPECT_THAT(ParseInbound(Channel::kSms, "12345", "GRV " + id + " 4 x").status().message(),
              HasSubstr("mobile number"));
  EXPECT_EQ(ParseInbound(Channel::kPortal, "9876543210", "GRV " + id + " 4 x").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(InboundHelp(notify::Language::kHi)), HasSubstr("GRV"));
}

}  // namespace
}  // namespace spode::grievance
