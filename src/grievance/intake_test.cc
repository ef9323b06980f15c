// Intake on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: every channel, routing, the
// acknowledgement in the outbox, and the ticket promised only after the commit.
#include "grievance/intake.h"

#include "gmock/gmock.h"
#include "grievance/desk.h"
#include "grievance/inbound.h"
#include "grievance/testing/fixture.h"
#include "grievance/ticket.h"
#include "gtest/gtest.h"
#include "notify/outbox.h"
#include "programs/reentry.h"

namespace spode::grievance {
namespace {

using ::testing::HasSubstr;
using testing::kDay;
using testing::kNow;
using testing::MemberId;

class IntakeTest : public testing::GrievanceTest {
 protected:
  GrievanceInput Portal(Category category = Category::kEnrolment) {
    GrievanceInput in;
    in.channel = Channel::kPortal;
    in.member_idx = kSunita;
    in.category = category;
    in.description = "My name is spelt wrong";
    in.filed_by = "citizen:" + MemberId(1);
    return in;
  }
};

TEST_P(IntakeTest, PortalGrievanceIsCommittedRoutedAndAcknowledged) {
  auto filed = File(db(), clock_, Portal());
  ASSERT_TRUE(filed.ok()) << filed.status();
  EXPECT_EQ(filed->ticket, FormatTicket(Kind::kGrievance, 2026, filed->grievance_id));
  EXPECT_EQ(filed->assignee, (Assignee{Level::kBlock, "990101", ""}));
  EXPECT_EQ(filed->deadline.micros, kNow.micros + 21 * kDay.count());
  EXPECT_EQ(filed->interim_due.micros, kNow.micros + 21 * kDay.count() / 100 * 67);
  ASSERT_TRUE(filed->ack_message_id.has_value());

  // Another connection sees it: it is committed, not only visible to our own transaction.
  auto other = tdb_.Connect();
  ASSERT_TRUE(other.ok()) << other.status();
  auto g = GetByTicket(**other, filed->ticket);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->status, GrievanceStatus::kOpen);
  EXPECT_EQ(g->member_id, MemberId(1));
  EXPECT_EQ(g->household_idx, kHousehold);
  EXPECT_EQ(g->village_code, "990101001");
  EXPECT_EQ(g->language, notify::Language::kHi);

  notify::Outbox outbox(db(), clock_);
  auto ack = outbox.Get(*filed->ack_message_id);
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->template_name, "grievance_ack");
  EXPECT_EQ(ack->recipient, "9876543210");
  EXPECT_EQ(ack->member_id, MemberId(1));
  EXPECT_THAT(ack->body, HasSubstr(filed->ticket));
  EXPECT_THAT(ack->body, HasSubstr("20-12-2026"));  // 29-11-2026 + 21 days
  EXPECT_THAT(ack->body, HasSubstr("टिकट संख्या"));

  auto history = History(db(), filed->grievance_id);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].kind, "filed");
  EXPECT_EQ((*history)[0].text_en, "Grievance filed through the citizen portal about enrolment.");
  EXPECT_EQ((*history)[0].text_hi, "नागरिक पोर्टल के माध्यम से नामांकन के बारे में शिकायत दर्ज की गई।");
  EXPECT_EQ((*history)[1].text_en,
            "Sent to the block grievance officer (area 990101); a reply is due by 20-12-2026.");
}

TEST_P(IntakeTest, OperatorFilingRecordsCentreOperatorFeeAndConsent) {
  GrievanceInput in = Portal(Category::kPaymentNotReceived);
  in.channel = Channel::kOperator;
  in.filed_by = "user:op.asha";
  in.assisted = AssistedFiling{kOperator, "CSC-0042", Money::FromPaise(2000), GrantConsent()};
  auto filed = File(db(), clock_, in);
  ASSERT_TRUE(filed.ok()) << filed.status();
  auto g = Get(db(), filed->grievance_id);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->channel, Channel::kOperator);
  EXPECT_EQ(g->centre, "CSC-0042");
  EXPECT_EQ(g->operator_user_id, kOperator);
  EXPECT_EQ(g->fee_paise, 2000);
  EXPECT_EQ(g->consent_id, in.assisted->consent_id);
  auto history = History(db(), filed->grievance_id);
  EXPECT_EQ((*history)[0].text_en,
            "Grievance filed through service centre CSC-0042 about a payment not received.");
}

TEST_P(IntakeTest, OperatorFilingNeedsAValidConsent) {
  GrievanceInput in = Portal();
  in.channel = Channel::kOperator;
  in.filed_by = "user:op.asha";
  // No assisted details at all.
  EXPECT_EQ(File(db(), clock_, in).status().code(), StatusCode::kInvalidArgument);
  // A fee above what the citizen agreed to.
  in.assisted = AssistedFiling{kOperator, "CSC-0042", Money::FromPaise(5000), GrantConsent(3000)};
  EXPECT_THAT(File(db(), clock_, in).status().message(), HasSubstr("more than the fee"));
  // A consent for another household.
  in.assisted->fee = Money::FromPaise(0);
  in.assisted->consent_id = GrantConsent(3000, kOtherHousehold);
  EXPECT_THAT(File(db(), clock_, in).status().message(), HasSubstr("another household"));
  // An expired consent.
  in.assisted->consent_id = GrantConsent();
  clock_.Advance(std::chrono::hours(2));
  auto expired = File(db(), clock_, in);
  EXPECT_EQ(expired.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(expired.status().message(), HasSubstr("expired"));
  EXPECT_EQ(Count("grievances"), 0);
}

TEST_P(IntakeTest, OfficerPartnerSmsAndIvrChannels) {
  GrievanceInput officer = Portal(Category::kEligibilityDecision);
  officer.channel = Channel::kOfficer;
  officer.officer_mode = OfficerMode::kHelpline;
  officer.filed_by = "user:helpdesk1";
  auto a = File(db(), clock_, officer);
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(Get(db(), a->grievance_id)->officer_mode, OfficerMode::kHelpline);

  GrievanceInput partner = Portal(Category::kServiceDenied);
  partner.channel = Channel::kPartnerApi;
  partner.client_id = "cso-pradan";
  partner.filed_by = "user:cso-pradan";
  auto b = File(db(), clock_, partner);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(Get(db(), b->grievance_id)->client_id, "cso-pradan");

  auto sms = ParseInbound(Channel::kSms, "+919876543210",
                          "GRV " + MemberId(1) + " 5 pension came back to the office");
  ASSERT_TRUE(sms.ok()) << sms.status();
  auto c = File(db(), clock_, *sms);
  ASSERT_TRUE(c.ok()) << c.status();
  auto gc = Get(db(), c->grievance_id);
  EXPECT_EQ(gc->channel, Channel::kSms);
  EXPECT_EQ(gc->category, Category::kPaymentReturned);
  EXPECT_EQ(gc->sender_phone, "9876543210");
  EXPECT_EQ(gc->member_idx, kSunita);
  EXPECT_EQ(gc->language, notify::Language::kEn);

  auto ivr = ParseInbound(Channel::kIvr, "9123456780", "GRV*" + MemberId(3) + "*9#");
  ASSERT_TRUE(ivr.ok()) << ivr.status();
  auto d = File(db(), clock_, *ivr);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(Get(db(), d->grievance_id)->assignee, (Assignee{Level::kBlock, "990202", ""}));

  // Channel-specific fields are required, and only on their channel.
  GrievanceInput no_mode = officer;
  no_mode.officer_mode.reset();
  EXPECT_EQ(File(db(), clock_, no_mode).status().code(), StatusCode::kInvalidArgument);
  GrievanceInput no_client = partner;
  no_client.client_id.clear();
  EXPECT_EQ(File(db(), clock_, no_client).status().code(), StatusCode::kInvalidArgument);
  GrievanceInput stray = Portal();
  stray.sender_phone = "9876543210";
  EXPECT_EQ(File(db(), clock_, stray).status().code(), StatusCode::kInvalidArgument);
  GrievanceInput system = Portal();
  system.channel = Channel::kSystem;
  EXPECT_EQ(File(db(), clock_, system).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("grievances"), 4);
}

TEST_P(IntakeTest, RoutesByCategoryAndBankFailure) {
  auto route = [&](Category c, std::optional<PaymentFailure> failure = std::nullopt) {
    GrievanceInput in = Portal(c);
    in.payment_failure = std::move(failure);
    auto filed = File(db(), clock_, in);
    EXPECT_TRUE(filed.ok()) << filed.status();
    return filed.ok() ? Get(db(), filed->grievance_id)->assignee : Assignee{};
  };
  EXPECT_EQ(route(Category::kDataCorrection), (Assignee{Level::kBlock, "990101", ""}));
  EXPECT_EQ(route(Category::kOperatorMisconduct), (Assignee{Level::kDistrict, "9901", ""}));
  EXPECT_EQ(route(Category::kDataMisuse), (Assignee{Level::kState, "99", ""}));
  EXPECT_EQ(route(Category::kPaymentReturned, PaymentFailure{"bank", "SBIN0001234"}),
            (Assignee{Level::kBlock, "990101", "SBIN"}));
  // The citizen or the department must act: the officer alone.
  EXPECT_EQ(route(Category::kPaymentReturned, PaymentFailure{"citizen, bank", "SBIN0001234"}),
            (Assignee{Level::kBlock, "990101", ""}));
  // A bank failure named on a grievance that is not about a payment does not go to the bank.
  EXPECT_EQ(route(Category::kEnrolment, PaymentFailure{"bank", "SBIN0001234"}),
            (Assignee{Level::kBlock, "990101", ""}));

  // From a linked exclusion event whose detail says the bank acts.
  programs::ReentryEvent e;
  e.kind = programs::ReentryKind::kPaymentRejected;
  e.member_idx = kSunita;
  e.household_idx = kHousehold;
  e.reason_code = "kyc_pending";
  e.detail = {{"who_acts", "bank"}, {"ifsc", "HDFC0000123"}};
  e.source = "instruction:202611-x/attempt:1";
  ASSERT_TRUE(programs::RecordReentryEvent(db(), e, kNow).ok());
  auto event_id = db().QueryOne("SELECT event_id FROM reentry_events");
  GrievanceInput linked = Portal(Category::kPaymentNotReceived);
  linked.links.reentry_event_id = (*event_id)->Int(0);
  linked.links.instruction_id = "202611-x";
  linked.links.scheme_id = "old_age_pension";
  auto filed = File(db(), clock_, linked);
  ASSERT_TRUE(filed.ok()) << filed.status();
  auto g = Get(db(), filed->grievance_id);
  EXPECT_EQ(g->assignee, (Assignee{Level::kBlock, "990101", "HDFC"}));
  EXPECT_EQ(g->reentry_event_id, (*event_id)->Int(0));
  EXPECT_EQ(g->instruction_id, "202611-x");
  EXPECT_EQ(g->scheme_id, "old_age_pension");
  EXPECT_THAT(History(db(), g->grievance_id)->at(1).text_en,
              HasSubstr("your bank (HDFC), under the block grievance officer"));
}

TEST_P(IntakeTest, LinksMustExistForTheHousehold) {
  GrievanceInput in = Portal();
  in.links.scheme_id = "no_such_scheme";
  EXPECT_EQ(File(db(), clock_, in).status().code(), StatusCode::kNotFound);
  in = Portal();
  in.links.change_request_id = 99;
  EXPECT_EQ(File(db(), clock_, in).status().code(), StatusCode::kNotFound);
  in = Portal();
  in.member_idx = 0;
  in.member_id = MemberId(99);
  EXPECT_EQ(File(db(), clock_, in).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Count("grievances"), 0);
}

// A message that cannot be enqueued (here: a catalogue whose grievance_ack wants a parameter
// File does not give) fails the whole filing: no grievance row, no history, no message, no
// ticket.
TEST_P(IntakeTest, FailedAcknowledgementRollsBackAndGivesNoTicket) {
  auto broken =
      notify::Templates::Create({{"grievance_ack", "Ticket {ticket} due {due_date} at {office}",
                                  "टिकट {ticket} {due_date} {office}।"}});
  ASSERT_TRUE(broken.ok()) << broken.status();
  Policy policy;
  policy.templates = &*broken;
  auto filed = File(db(), clock_, Portal(), policy);
  ASSERT_FALSE(filed.ok());
  EXPECT_EQ(filed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(filed.status().message(), HasSubstr("{office}"));
  EXPECT_FALSE(db().InTransaction());
  EXPECT_EQ(Count("grievances"), 0);
  EXPECT_EQ(Count("grievance_events"), 0);
  EXPECT_EQ(Count("grievance_assignments"), 0);
  EXPECT_EQ(Count("outbox"), 0);
  // The next filing works and is acknowledged.
  auto ok = File(db(), clock_, Portal());
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(Count("outbox"), 1);
}

TEST_P(IntakeTest, RefusesToFileInsideTheCallersTransaction) {
  ASSERT_TRUE(db().Begin().ok());
  auto filed = File(db(), clock_, Portal());
  EXPECT_EQ(filed.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(db().Rollback().ok());
}

TEST_P(IntakeTest, NoPhoneMeansNoMessageButATicket) {
  GrievanceInput in = Portal();
  in.member_idx = kNoPhone;
  auto filed = File(db(), clock_, in);
  ASSERT_TRUE(filed.ok()) << filed.status();
  EXPECT_FALSE(filed->ack_message_id.has_value());
  EXPECT_EQ(Count("outbox"), 0);
  EXPECT_EQ(Count("grievances"), 1);
}

TEST_P(IntakeTest, RefusesBadText) {
  GrievanceInput in = Portal();
  in.description = "   ";
  EXPECT_THAT(File(db(), clock_, in).status().message(), HasSubstr("description: is empty"));
  in.description = std::string(2001, 'a');
  EXPECT_THAT(File(db(), clock_, in).status().message(), HasSubstr("at most 2000"));
  in.description = "\xff\xfe";
  EXPECT_THAT(File(db(), clock_, in).status().message(), HasSubstr("UTF-8"));
  in.description = std::string(2000, 'a');
  in.description.replace(0, 3, "क");  // multi-byte characters count once
  EXPECT_TRUE(File(db(), clock_, in).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, IntakeTest, ::testing::ValuesIn(storage::testing::Backends()));

}  // namespace
}  // namespace spode::grievance
