// The template catalogue: rendering in English and Hindi, and the errors for a missing or empty
// parameter, an unknown template and a malformed catalogue.
#include "notify/templates.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Templates& T() { return Templates::Builtin(); }

TEST(TemplatesTest, BuiltinCatalogueHasEveryTemplate) {
  EXPECT_THAT(T().Names(),
              ElementsAre("enrolment_notice", "exit_notice", "exit_proposed", "grievance_ack",
                          "grievance_update", "otp_consent", "otp_login", "payment_held",
                          "payment_returned"));
}

TEST(TemplatesTest, PlaceholdersOfEachTemplate) {
  EXPECT_THAT(*T().Placeholders("otp_login"), ElementsAre("code", "minutes"));
  EXPECT_THAT(*T().Placeholders("otp_consent"), ElementsAre("centre", "purpose", "fee", "code"));
  EXPECT_THAT(*T().Placeholders("grievance_ack"), ElementsAre("ticket", "due_date"));
  EXPECT_THAT(*T().Placeholders("enrolment_notice"),
              ElementsAre("scheme", "date", "objection_until"));
  EXPECT_THAT(*T().Placeholders("exit_notice"), ElementsAre("scheme", "reason"));
  EXPECT_THAT(*T().Placeholders("payment_returned"), ElementsAre("amount", "reason", "action"));
}

TEST(TemplatesTest, RendersOtpLoginInEnglishAndHindi) {
  Params p = {{"code", "482913"}, {"minutes", "5"}};
  EXPECT_EQ(*T().Render("otp_login", Language::kEn, p),
            "Your spode login code is 482913. It expires in 5 minutes. Do not share it.");
  EXPECT_EQ(*T().Render("otp_login", Language::kHi, p),
            "आपका spode लॉगिन कोड 482913 है। यह 5 मिनट में समाप्त हो जाएगा। इसे किसी के साथ "
            "साझा न करें।");
}

TEST(TemplatesTest, RendersOtpConsentWithEveryPlaceholder) {
  Params p = {{"centre", "CSC-0815"},
              {"purpose", "apply for old-age pension"},
              {"fee", "₹30.00"},
              {"code", "771204"}};
  EXPECT_EQ(*T().Render("otp_consent", Language::kEn, p),
            "An operator at service centre CSC-0815 asks to act for you for: apply for old-age "
            "pension. Fee: ₹30.00. If you agree, tell the operator this code: 771204. If you did "
            "not ask for this, do not share it.");
  EXPECT_EQ(*T().Render("otp_consent", Language::kHi, p),
            "सेवा केंद्र CSC-0815 के ऑपरेटर आपकी ओर से इस काम के लिए अनुमति माँग रहे हैं: apply "
            "for old-age pension। शुल्क: ₹30.00। यदि आप सहमत हैं, तो ऑपरेटर को यह कोड बताएँ: "
            "771204। यदि आपने यह अनुरोध नहीं किया है, तो यह कोड किसी को न बताएँ।");
}

TEST(TemplatesTest, RendersNoticesInHindi) {
  EXPECT_EQ(*T().Render("grievance_ack", Language::kHi,
                        {{"ticket", "GR-2026-000123"}, {"due_date", "20-12-2026"}}),
            "आपकी शिकायत दर्ज कर ली गई है। टिकट संख्या: GR-2026-000123। आपको 20-12-2026 तक उत्तर "
            "मिल जाएगा।");
  EXPECT_EQ(
      *T().Render(
          "enrolment_notice", Language::kHi,
          {{"scheme", "वृद्धावस्था पेंशन"}, {"date", "01-01-2027"}, {"objection_until", "15-12-2026"}}),
      "आपको 01-01-2027 से इस योजना में नामांकित करने का प्रस्ताव है: वृद्धावस्था पेंशन। "
      "आपत्ति करने या कोई जानकारी सुधारने के लिए 15-12-2026 तक हमसे संपर्क करें।");
  EXPECT_EQ(*T().Render("exit_notice", Language::kHi,
                        {{"scheme", "वृद्धावस्था पेंशन"}, {"reason", "आय सीमा से अधिक"}}),
            "इस योजना में आपका नामांकन समाप्त हो गया है: वृद्धावस्था पेंशन। कारण: आय सीमा से "
            "अधिक। यदि आपको लगता है कि यह गलत है, तो आप शिकायत दर्ज कर सकते हैं या अपने नज़दीकी "
            "सेवा केंद्र पर जा सकते हैं।");
  EXPECT_EQ(*T().Render(
                "payment_returned", Language::kHi,
                {{"amount", "₹1,500.00"}, {"reason", "खाता बंद है"}, {"action", "अपने बैंक से संपर्क करें"}}),
            "आपका ₹1,500.00 का भुगतान आपके खाते में जमा नहीं हो सका और वापस आ गया है। कारण: खाता "
            "बंद है। आगे क्या करें: अपने बैंक से संपर्क करें।");
}

TEST(TemplatesTest, RendersNoticesInEnglish) {
  EXPECT_EQ(*T().Render("grievance_ack", Language::kEn,
                        {{"ticket", "GR-2026-000123"}, {"due_date", "20-12-2026"}}),
            "We have received your grievance. Ticket number: GR-2026-000123. You will get a "
            "reply by 20-12-2026.");
  EXPECT_EQ(*T().Render("enrolment_notice", Language::kEn,
                        {{"scheme", "Old Age Pension"},
                         {"date", "01-01-2027"},
                         {"objection_until", "15-12-2026"}}),
            "You are proposed for enrolment in the scheme Old Age Pension from 01-01-2027. To "
            "object, or to correct any detail, contact us by 15-12-2026.");
  EXPECT_EQ(*T().Render("exit_notice", Language::kEn,
                        {{"scheme", "Old Age Pension"}, {"reason", "income above the limit"}}),
            "Your enrolment in the scheme Old Age Pension has ended. Reason: income above the "
            "limit. If you think this is wrong, you can file a grievance or visit your nearest "
            "service centre.");
  EXPECT_EQ(*T().Render("payment_returned", Language::kEn,
                        {{"amount", "₹1,500.00"},
                         {"reason", "the account is closed"},
                         {"action", "contact your bank"}}),
            "Your payment of ₹1,500.00 could not be credited to your account and has been "
            "returned. Reason: the account is closed. What to do: contact your bank.");
}

TEST(TemplatesTest, EveryTemplateRendersCompletelyInBothLanguages) {
  for (const std::string& name : T().Names()) {
    auto placeholders = T().Placeholders(name);
    ASSERT_TRUE(placeholders.ok()) << name;
    Params p;
    for (const std::string& placeholder : *placeholders) p[placeholder] = "VALUE";
    for (Language l : {Language::kEn, Language::kHi}) {
      auto body = T().Render(name, l, p);
      ASSERT_TRUE(body.ok()) << name << ": " << body.status();
      EXPECT_EQ(body->find('{'), std::string::npos) << name;
      EXPECT_THAT(*body, HasSubstr("VALUE")) << name;
    }
    // Hindi texts are in Devanagari (U+0900..U+097F is E0 A4 xx / E0 A5 xx in UTF-8).
    EXPECT_THAT(std::string(*T().Text(name, Language::kHi)), HasSubstr("\xE0\xA5\xA4"))
        << name << " should end sentences with a danda";
  }
}

TEST(TemplatesTest, MissingPlaceholderIsNamed) {
  auto r = T().Render("otp_login", Language::kEn, {{"minutes", "5"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "template otp_login: missing parameter {code}");

  auto both = T().Render("otp_consent", Language::kHi, {{"centre", "CSC-1"}, {"purpose", "x"}});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(both.status().message(), "template otp_consent: missing parameters {fee}, {code}");
}

TEST(TemplatesTest, EmptyParameterIsRejected) {
  auto r = T().Render("grievance_ack", Language::kEn, {{"ticket", ""}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "template grievance_ack: missing parameter {due_date}; empty parameter {ticket}");
}

TEST(TemplatesTest, UnknownTemplateIsNotFound) {
  auto r = T().Render("otp_logout", Language::kEn, {{"code", "1"}});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no template named 'otp_logout'");
  EXPECT_EQ(T().Placeholders("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(T().Text("nope", Language::kHi).status().code(), StatusCode::kNotFound);
}

TEST(TemplatesTest, ExtraParametersAreIgnoredAndValuesAreNotExpandedAgain) {
  EXPECT_EQ(*T().Render("exit_notice", Language::kEn,
                        {{"scheme", "{reason}"}, {"reason", "moved away"}, {"unused", "x"}}),
            "Your enrolment in the scheme {reason} has ended. Reason: moved away. If you think "
            "this is wrong, you can file a grievance or visit your nearest service centre.");
}

TEST(TemplatesTest, CreateRejectsAMalformedCatalogue) {
  auto mismatch = Templates::Create({{"t", "Hello {name}", "नमस्ते {naam}"}});
  EXPECT_EQ(mismatch.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mismatch.status().message(), "template t: en uses {name} but hi uses {naam}");

  auto brace = Templates::Create({{"t", "Hello {Name}", "नमस्ते {Name}"}});
  EXPECT_EQ(brace.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(brace.status().message(),
            "template t (en): a '{' that does not open a placeholder at byte 6");

  auto closing = Templates::Create({{"t", "Hello}", "नमस्ते"}});
  EXPECT_EQ(closing.status().message(), "template t (en): a '}' without a '{' at byte 5");

  auto twice = Templates::Create({{"t", "a", "b"}, {"t", "c", "d"}});
  EXPECT_EQ(twice.status().message(), "template t is defined twice");

  auto empty = Templates::Create({{"t", "a", ""}});
  EXPECT_EQ(empty.status().message(), "template t (hi): empty text");
}

TEST(TemplatesTest, ACustomCatalogueRenders) {
  auto custom = Templates::Create({{"hello", "Hello {name}, {name}!", "नमस्ते {name}!"}});
  ASSERT_TRUE(custom.ok()) << custom.status();
  EXPECT_EQ(*custom->Render("hello", Language::kEn, {{"name", "Sunita"}}), "Hello Sunita, Sunita!");
  EXPECT_EQ(*custom->Render("hello", Language::kHi, {{"name", "सुनीता"}}), "नमस्ते सुनीता!");
}

TEST(MessageTest, NamesRoundTrip) {
  EXPECT_EQ(*ParseChannel("sms"), Channel::kSms);
  EXPECT_EQ(*ParseChannel("webhook"), Channel::kWebhook);
  EXPECT_EQ(ParseChannel("fax").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseLanguage("hi"), Language::kHi);
  EXPECT_EQ(ParseLanguage("ta").status().message(), "unknown language 'ta' (expected en or hi)");
  EXPECT_EQ(MessageStatusName(MessageStatus::kFailed), "failed");
  EXPECT_EQ(*ParseMessageStatus("sent"), MessageStatus::kSent);
}

}  // namespace
}  // namespace spode::notify
