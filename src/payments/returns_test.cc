// The returns table: every reason DOMAIN.md lists, in English and Hindi, with who acts and
// what follows; and the codes banks send mapped to them.
#include "payments/returns.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace spode::payments {
namespace {

using ::testing::HasSubstr;
using R = ReturnReason;

bool HasDevanagari(std::string_view text) {
  // U+0900-U+097F is E0 A4 80 - E0 A5 BF in UTF-8.
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] == '\xE0' && (text[i + 1] == '\xA4' || text[i + 1] == '\xA5')) return true;
  }
  return false;
}

// shared/DOMAIN.md, "Payments": the reasons to model and who must act.
struct DomainReason {
  R reason;
  Party acts;
  std::optional<Party> also;
};
const DomainReason kDomain[] = {
    {R::kAadhaarNotMapped, Party::kCitizen, Party::kBank},
    {R::kAccountClosed, Party::kCitizen, std::nullopt},
    {R::kAccountDormantOrFrozen, Party::kCitizen, Party::kBank},
    {R::kKycPending, Party::kBank, std::nullopt},
    {R::kMinorTurnedMajor, Party::kBank, std::nullopt},
    {R::kSmallAccountLimit, Party::kBank, std::nullopt},
    {R::kAccountHolderDeceased, Party::kDepartment, std::nullopt},
    {R::kAadhaarInactive, Party::kCitizen, std::nullopt},
    {R::kInvalidIfscOrAccount, Party::kDepartment, std::nullopt},
    {R::kNameMismatch, Party::kDepartment, Party::kCitizen},
    {R::kTechnical, Party::kBank, std::nullopt},
};

TEST(ReturnsTest, CoversEveryReasonInDomainWithWhoActs) {
  for (const DomainReason& d : kDomain) {
    const ReturnReasonInfo& info = InfoFor(d.reason);
    EXPECT_EQ(info.reason, d.reason);
    EXPECT_EQ(info.acts, d.acts) << info.id;
    EXPECT_EQ(info.also_acts, d.also) << info.id;
  }
}

TEST(ReturnsTest, EveryReasonHasEnglishAndHindiTexts) {
  std::set<std::string_view> ids;
  ASSERT_EQ(AllReturnReasons().size(), 16u);
  for (size_t i = 0; i < AllReturnReasons().size(); ++i) {
    const ReturnReasonInfo& info = AllReturnReasons()[i];
    EXPECT_EQ(static_cast<size_t>(info.reason), i) << "the table follows the enum";
    EXPECT_TRUE(ids.insert(info.id).second) << info.id;
    EXPECT_FALSE(info.reason_en.empty()) << info.id;
    EXPECT_FALSE(info.next_step_en.empty()) << info.id;
    EXPECT_FALSE(HasDevanagari(info.reason_en)) << info.id;
    EXPECT_TRUE(HasDevanagari(info.reason_hi)) << info.id;
    EXPECT_TRUE(HasDevanagari(info.next_step_hi)) << info.id;
    EXPECT_TRUE(info.reason_en.ends_with(".")) << info.id;
    EXPECT_TRUE(info.reason_hi.ends_with("।")) << info.id;
  }
}

TEST(ReturnsTest, OnlyTechnicalFailuresAreRetriedUnchanged) {
  for (const ReturnReasonInfo& info : AllReturnReasons()) {
    EXPECT_EQ(info.retry_without_change(), info.reason == R::kTechnical) << info.id;
  }
  for (R r : {R::kAadhaarNotMapped, R::kAccountClosed, R::kAccountDormantOrFrozen, R::kKycPending,
              R::kMinorTurnedMajor, R::kSmallAccountLimit, R::kAadhaarInactive,
              R::kInvalidIfscOrAccount, R::kNameMismatch, R::kCreditNotPermitted}) {
    EXPECT_TRUE(InfoFor(r).opens_reentry_case()) << InfoFor(r).id;
  }
  EXPECT_EQ(InfoFor(R::kAccountHolderDeceased).follow_up, FollowUp::kDeathReview);
  EXPECT_EQ(InfoFor(R::kUnclassified).follow_up, FollowUp::kAskBank);
  EXPECT_EQ(InfoFor(R::kDepartmentFunds).follow_up, FollowUp::kDepartmentAction);
}

TEST(ReturnsTest, MapsIsoCodes) {
  auto id = [](std::string_view code) { return ClassifyReasonCode(code).id; };
  EXPECT_EQ(id("AC01"), "invalid_ifsc_or_account");
  EXPECT_EQ(id("AC04"), "account_closed");
  EXPECT_EQ(id("AC06"), "account_dormant_or_frozen");
  EXPECT_EQ(id("AG01"), "credit_not_permitted");
  EXPECT_EQ(id("AM04"), "department_funds");
  EXPECT_EQ(id("BE01"), "name_mismatch");
  EXPECT_EQ(id("MD07"), "account_holder_deceased");
  EXPECT_EQ(id("RC01"), "invalid_ifsc_or_account");
  EXPECT_EQ(id("RR01"), "department_file_error");
  EXPECT_EQ(id("RR02"), "department_file_error");
  EXPECT_EQ(id("AB05"), "technical");
  EXPECT_EQ(id("AM05"), "duplicate");
  EXPECT_EQ(id("NARR"), "unclassified");
  EXPECT_EQ(id("ZZ99"), "unclassified");
  EXPECT_EQ(id(""), "unclassified");
}

TEST(ReturnsTest, MapsNpciCodesAndOwnIds) {
  EXPECT_EQ(ClassifyReasonCode("64").reason, R::kAadhaarNotMapped);
  EXPECT_EQ(ClassifyReasonCode("51").reason, R::kKycPending);
  EXPECT_EQ(ClassifyReasonCode("52").reason, R::kMinorTurnedMajor);
  EXPECT_EQ(ClassifyReasonCode("58").reason, R::kSmallAccountLimit);
  EXPECT_EQ(ClassifyReasonCode("60").reason, R::kAccountHolderDeceased);
  for (const ReturnReasonInfo& info : AllReturnReasons()) {
    EXPECT_EQ(ClassifyReasonCode(info.id).reason, info.reason) << info.id;
  }
  // Every reason DOMAIN.md lists is reachable from some code or id.
  for (const DomainReason& d : kDomain) {
    EXPECT_NE(ClassifyReasonCode(InfoFor(d.reason).id).reason, R::kUnclassified);
  }
  for (const ReasonCode& c : AllReasonCodes()) {
    EXPECT_TRUE(c.system == "ISO 20022" || c.system == "NPCI (assumed)") << c.code;
    EXPECT_FALSE(c.meaning.empty()) << c.code;
  }
}

TEST(ReturnsTest, ReadsNarrativesWhenTheCodeSaysNothing) {
  auto from = [](std::string_view narrative) {
    return ClassifyReasonCode("NARR", narrative).reason;
  };
  EXPECT_EQ(from("Adhar not seeded with NPCI mapper"), R::kAadhaarNotMapped);
  EXPECT_EQ(from("AADHAR NUMBER NOT MAPPED"), R::kAadhaarNotMapped);
  EXPECT_EQ(from("Inactive Aadhaar - UIDAI"), R::kAadhaarInactive);
  EXPECT_EQ(from("A/C FROZEN BY ORDER"), R::kAccountDormantOrFrozen);
  EXPECT_EQ(from("account closed"), R::kAccountClosed);
  EXPECT_EQ(from("Beneficiary name mismatch"), R::kNameMismatch);
  EXPECT_EQ(from("ACCOUNT HOLDER DECEASED"), R::kAccountHolderDeceased);
  EXPECT_EQ(from("Re-KYC pending"), R::kKycPending);
  EXPECT_EQ(from("Beneficiary bank timed out"), R::kTechnical);
  EXPECT_EQ(from("BSBDA small account credit limit exceeded"), R::kSmallAccountLimit);
  EXPECT_EQ(from("see branch"), R::kUnclassified);
  // A code the table knows wins over the narrative.
  EXPECT_EQ(ClassifyReasonCode("AC04", "name mismatch").reason, R::kAccountClosed);
}

TEST(ReturnsTest, ClassifiesAStatusByItsFirstUsefulReason) {
  TransactionStatus s;
  s.outcome = TransactionOutcome::kRejected;
  s.status_code = "RJCT";
  EXPECT_EQ(ClassifyStatus(s).reason, R::kUnclassified);
  s.reasons = {{"NARR", false, {"REFER TO BRANCH"}}, {"62", true, {}}};
  EXPECT_EQ(ClassifyStatus(s).reason, R::kAccountDormantOrFrozen);
  EXPECT_EQ(PartyName(ClassifyStatus(s).acts), "citizen");
  EXPECT_EQ(FollowUpName(ClassifyStatus(s).follow_up), "reentry_case");
}

}  // namespace
}  // namespace spode::payments
