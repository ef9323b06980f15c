// Who may see and act on a grievance: citizens their own household's, officers their area's,
// banks only what is assigned to them.
#include "grievance/access_rules.h"

#include "gtest/gtest.h"

namespace spode::grievance {
namespace {

using access::Duty;
using access::Principal;
using access::Role;

Grievance Sample() {
  Grievance g;
  g.grievance_id = 7;
  g.household_idx = 4;
  g.village_code = "990101001";
  g.assignee = {Level::kBlock, "990101", ""};
  g.status = GrievanceStatus::kOpen;
  g.channel = Channel::kPortal;
  g.filed_by = "citizen:70000000011";
  return g;
}

Principal Citizen(int64_t household) {
  Principal p;
  p.role = Role::kCitizen;
  p.household_idx = household;
  p.member_id = "70000000011";
  return p;
}

Principal Officer(std::string scope, bool grievance_duty = true) {
  Principal p;
  p.role = Role::kOfficer;
  p.name = "officer." + scope;
  p.user_id = 9;
  p.scope = std::move(scope);
  if (grievance_duty) p.duties.insert(Duty::kGrievanceOfficer);
  p.duties.insert(Duty::kRegistrar);
  return p;
}

Principal Bank(std::string code) {
  Principal p;
  p.role = Role::kBank;
  p.name = "bank." + code;
  p.scope = std::move(code);
  return p;
}

StatusCode Code(const Status& s) { return s.code(); }
constexpr StatusCode kOk = StatusCode::kOk;
constexpr StatusCode kDenied = StatusCode::kPermissionDenied;

TEST(AccessRulesTest, CitizenSeesOnlyTheirHousehold) {
  Grievance g = Sample();
  EXPECT_EQ(Code(CanView(g, Citizen(4))), kOk);
  EXPECT_EQ(Code(CanActAsCitizen(g, Citizen(4))), kOk);
  EXPECT_EQ(Code(CanView(g, Citizen(5))), kDenied);
  EXPECT_EQ(Code(CanActAsCitizen(g, Citizen(5))), kDenied);
  EXPECT_EQ(Code(CanView(g, Citizen(0))), kDenied);
  EXPECT_EQ(Code(CanAnswer(g, Citizen(4))), kDenied);
  EXPECT_EQ(Code(CanActAsCitizen(g, Officer("990101"))), kDenied);
  EXPECT_EQ(VisibleTo(Citizen(4))->household_idx, 4);
  EXPECT_FALSE(VisibleTo(Citizen(0)).has_value());
}

TEST(AccessRulesTest, OfficerSeesTheirAreaAndAnswersAtTheirLevel) {
  Grievance g = Sample();
  for (std::string scope : {"99", "9901", "990101"}) {
    EXPECT_EQ(Code(CanView(g, Officer(scope))), kOk) << scope;
  }
  EXPECT_EQ(Code(CanView(g, Officer("9902"))), kDenied);
  EXPECT_EQ(Code(CanView(g, Officer("990102"))), kDenied);
  EXPECT_EQ(Code(CanView(g, Officer("990101", /*grievance_duty=*/false))), kDenied);
  Principal no_scope = Officer("");
  EXPECT_EQ(Code(CanView(g, no_scope)), kDenied);
  // Answering: the holder only.
  EXPECT_EQ(Code(CanAnswer(g, Officer("990101"))), kOk);
  EXPECT_EQ(Code(CanAnswer(g, Officer("9901"))), kDenied);
  g.assignee = {Level::kDistrict, "9901", ""};
  EXPECT_EQ(Code(CanAnswer(g, Officer("9901"))), kOk);
  EXPECT_EQ(Code(CanAnswer(g, Officer("990101"))), kDenied);
  // Reassigning: the holder or an officer above, in the area.
  EXPECT_EQ(Code(CanReassign(g, Officer("9901"))), kOk);
  EXPECT_EQ(Code(CanReassign(g, Officer("99"))), kOk);
  EXPECT_EQ(Code(CanReassign(g, Officer("990101"))), kDenied);
  EXPECT_EQ(Code(CanReassign(g, Officer("98"))), kDenied);
  // Nothing to answer once resolved.
  g.status = GrievanceStatus::kResolved;
  EXPECT_EQ(Code(CanAnswer(g, Officer("9901"))), kDenied);
  EXPECT_EQ(VisibleTo(Officer("9901"))->area_prefix, "9901");
  EXPECT_FALSE(VisibleTo(Officer("9901", false)).has_value());
}

TEST(AccessRulesTest, BankSeesOnlyWhatIsAssignedToIt) {
  Grievance g = Sample();
  EXPECT_EQ(Code(CanView(g, Bank("SBIN"))), kDenied);
  g.assignee.bank_code = "SBIN";
  EXPECT_EQ(Code(CanView(g, Bank("SBIN"))), kOk);
  EXPECT_EQ(Code(CanAnswer(g, Bank("SBIN"))), kOk);
  EXPECT_EQ(Code(CanView(g, Bank("HDFC"))), kDenied);
  EXPECT_EQ(Code(CanAnswer(g, Bank("HDFC"))), kDenied);
  EXPECT_EQ(Code(CanView(g, Bank(""))), kDenied);
  EXPECT_EQ(Code(CanReassign(g, Bank("SBIN"))), kDenied);
  // The officer holding it may answer too.
  EXPECT_EQ(Code(CanAnswer(g, Officer("990101"))), kOk);
  EXPECT_EQ(VisibleTo(Bank("SBIN"))->bank_code, "SBIN");
  EXPECT_FALSE(VisibleTo(Bank("")).has_value());
}

TEST(AccessRulesTest, FilersAndEveryoneElse) {
  Grievance g = Sample();
  Principal op;
  op.role = Role::kOperator;
  op.name = "op.asha";
  op.user_id = 3;
  op.scope = "CSC-0042";
  EXPECT_EQ(Code(CanView(g, op)), kDenied);
  g.channel = Channel::kOperator;
  g.filed_by = op.Actor();
  g.operator_user_id = 3;
  EXPECT_EQ(Code(CanView(g, op)), kOk);
  EXPECT_EQ(Code(CanAnswer(g, op)), kDenied);
  EXPECT_EQ(VisibleTo(op)->filed_by, "user:op.asha");

  Principal partner;
  partner.role = Role::kDeveloper;
  partner.name = "cso-pradan";
  EXPECT_EQ(Code(CanView(g, partner)), kDenied);
  g.channel = Channel::kPartnerApi;
  g.filed_by = partner.Actor();
  EXPECT_EQ(Code(CanView(g, partner)), kOk);

  for (Role r : {Role::kProvider, Role::kAuditor, Role::kAdmin}) {
    Principal p;
    p.role = r;
    p.scope = "99";
    EXPECT_EQ(Code(CanView(g, p)), kDenied);
    EXPECT_EQ(Code(CanAnswer(g, p)), kDenied);
    EXPECT_FALSE(VisibleTo(p).has_value());
  }
}

}  // namespace
}  // namespace spode::grievance
