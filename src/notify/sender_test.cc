// LogSender and the masking helpers: a log never shows a recipient's number in full, nor (by
// default) the digits of a message, where one-time codes are.
#include "notify/sender.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

StoredMessage OtpMessage() {
  StoredMessage m;
  m.message_id = 42;
  m.channel = Channel::kSms;
  m.recipient = "9876543210";
  m.member_id = "48301759261";
  m.template_name = "otp_login";
  m.language = Language::kEn;
  m.body = "Your spode login code is 482913. It expires in 5 minutes. Do not share it.";
  return m;
}

TEST(MaskTest, RecipientKeepsOnlyItsLastFourCharacters) {
  EXPECT_EQ(MaskRecipient("9876543210"), "******3210");
  EXPECT_EQ(MaskRecipient("+919876543210"), "*********3210");
  EXPECT_EQ(MaskRecipient("sunita@example.in"), "*************e.in");
  EXPECT_EQ(MaskRecipient("12345"), "*2345");
  EXPECT_EQ(MaskRecipient("1234"), "****");
  EXPECT_EQ(MaskRecipient(""), "");
  // Characters, not bytes: "सुनीता@x.in" keeps "x.in" and masks 7 characters before it.
  EXPECT_EQ(MaskRecipient("सुनीता@x.in"), "*******x.in");
}

TEST(MaskTest, DigitsAreMaskedInBothScripts) {
  EXPECT_EQ(MaskDigits("code 482913, ₹1,500.00"), "code ******, ₹*,***.**");
  EXPECT_EQ(MaskDigits("कोड ४८२९१३ है।"), "कोड ****** है।");
  EXPECT_EQ(MaskDigits("no digits"), "no digits");
}

TEST(LogSenderTest, LineMasksRecipientAndDigitsByDefault) {
  EXPECT_EQ(LogSender().Line(OtpMessage()),
            "notify: sms to ******3210 message 42 otp_login/en: Your spode login code is ******. "
            "It expires in * minutes. Do not share it.");
}

TEST(LogSenderTest, LineRevealsCodesOnlyWhenAsked) {
  EXPECT_EQ(LogSender(/*reveal_codes=*/true).Line(OtpMessage()),
            "notify: sms to ******3210 message 42 otp_login/en: Your spode login code is 482913. "
            "It expires in 5 minutes. Do not share it.");
}

class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    sink->set_pattern("%l %v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST(LogSenderTest, SendWritesOneInfoLine) {
  LogCapture capture;
  LogSender sender;
  Status s = sender.Send(OtpMessage());
  EXPECT_TRUE(s.ok()) << s;
  std::string log = capture.text();
  EXPECT_EQ(log,
            "info notify: sms to ******3210 message 42 otp_login/en: Your spode login code is "
            "******. It expires in * minutes. Do not share it.\n");
  EXPECT_THAT(log, Not(HasSubstr("482913")));
  EXPECT_THAT(log, Not(HasSubstr("9876543210")));
}

TEST(LogSenderTest, HindiBodyIsLoggedWithDigitsMasked) {
  LogCapture capture;
  StoredMessage m = OtpMessage();
  m.language = Language::kHi;
  m.body = "आपका spode लॉगिन कोड 482913 है।";
  ASSERT_TRUE(LogSender().Send(m).ok());
  EXPECT_EQ(capture.text(),
            "info notify: sms to ******3210 message 42 otp_login/hi: आपका spode लॉगिन कोड "
            "****** है।\n");
}

}  // namespace
}  // namespace spode::notify
