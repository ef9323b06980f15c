// The ID → account mapper on SQLite and (when SPODE_TEST_PG_URL is set) PostgreSQL, over a
// registry imported with the registry's own importer: link, resolve, update and unlink with
// their history; the one-current-address rule held by the database; sealed account numbers;
// validation; seeding from the registry; drift; and the G2P Connect status codes.
#include "payments/mapper.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notify/schema.h"
#include "payments/schema.h"
#include "programs/store.h"
#include "registry/schema.h"
#include "registry/testing/fixture.h"
#include "storage/migrations.h"
#include "storage/testing/test_database.h"

namespace spode::payments {
namespace {

using nlohmann::json;
using registry::testing::Household;
using registry::testing::Member;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kIfsc = "SBIN0001234";
constexpr const char* kAccount = "123456785678";

json WithBank(json member, const std::string& ifsc, const std::string& number,
              const std::string& holder = "") {
  member["bank_account"] = {{"ifsc", ifsc}, {"account_number", number}};
  if (!holder.empty()) member["bank_account"]["holder_name"] = holder;
  return member;
}

ChangeBy By(std::string party, std::string reason) {
  return {.party = std::move(party), .reason = std::move(reason)};
}

class MapperTest : public registry::testing::RegistryTest {
 protected:
  void SetUp() override {
    RegistryTest::SetUp();
    if (HasFatalFailure()) return;
    // In the app's floor order (app/state.cc): payments' tables may reference those below.
    std::vector<storage::Migration> all = notify::Migrations();
    for (auto* more : {&registry::Migrations, &programs::Migrations, &payments::Migrations}) {
      for (auto& m : more()) all.push_back(std::move(m));
    }
    auto ran = storage::ApplyMigrations(db(), all);
    ASSERT_TRUE(ran.ok()) << ran.status();
    // Kamla has a national ID and a bank account, Mohan a national ID only, Geeta neither.
    ASSERT_EQ(Import({Household({WithBank(Member("Kamla Bai", "1950-03-01", "F", "head", 1),
                                          "PUNB0123400", "3412009876", "Kamla Bai"),
                                 Member("Mohan Lal", "1948-07-15", "M", "spouse", 2),
                                 Member("Geeta Kumari", "2010-02-02", "F", "daughter")})
                          .dump()})
                  .households_imported,
              1);
  }

  Mapper mapper() { return Mapper(db(), clock_); }

  int64_t MemberIdx(const std::string& name) {
    auto row = db().QueryOne("SELECT member_idx FROM members WHERE name = ?", {name});
    EXPECT_TRUE(row.ok() && *row) << name;
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }

  void Tick() { clock_.Advance(std::chrono::minutes(1)); }
};

TEST_P(MapperTest, LinkResolveUpdateUnlinkKeepEveryRowWithItsParty) {
  Mapper m = mapper();
  const int64_t mohan = MemberIdx("Mohan Lal");
  const Timestamp t0 = clock_.Now();

  auto linked = m.Link(mohan, FinancialAddress::BankAccount(kIfsc, kAccount, "Mohan Lal"),
                       By("operator:asha", "passbook shown at the kiosk"), key_);
  ASSERT_TRUE(linked.ok()) << linked.status();
  auto r = m.Resolve(mohan);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state, Resolution::State::kActive);
  ASSERT_TRUE(r->address.has_value());
  EXPECT_EQ(r->address->address_id, *linked);
  EXPECT_EQ(r->address->masked, "SBIN0001234 / XXXXXXXX5678");
  EXPECT_EQ(r->address->bank_code, "SBIN");
  EXPECT_EQ(r->address->linked_by, "operator:asha");

  Tick();
  auto to_aadhaar = m.Update(mohan, FinancialAddress::AadhaarPayment("607094"),
                             By("officer:meena", "account closed (AC04)"), key_);
  ASSERT_TRUE(to_aadhaar.ok()) << to_aadhaar.status();
  EXPECT_TRUE(to_aadhaar->changed);
  EXPECT_NE(to_aadhaar->address_id, *linked);
  Tick();
  auto to_wallet =
      m.Update(mohan, FinancialAddress::Wallet("indiapost", "9876543210"),
               By("citizen:" + std::to_string(mohan), "prefers the post office"), key_);
  ASSERT_TRUE(to_wallet.ok()) << to_wallet.status();
  r = m.Resolve(mohan);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->address->masked, "indiapost / XXXXXXXX3210");
  EXPECT_EQ(r->address->kind, AddressKind::kWallet);

  Tick();
  auto unlinked = m.Unlink(mohan, By("bank:IPOS", "wallet closed"));
  ASSERT_TRUE(unlinked.ok()) << unlinked.status();
  EXPECT_EQ(*unlinked, to_wallet->address_id);
  r = m.Resolve(mohan);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state, Resolution::State::kInactive);
  EXPECT_EQ(r->address->address_id, to_wallet->address_id);  // the last one

  Tick();
  auto relinked = m.Link(mohan, FinancialAddress::AadhaarPayment("508534"),
                         By("registry", "re-entry case closed"), key_);
  ASSERT_TRUE(relinked.ok()) << relinked.status();

  auto history = m.History(mohan);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), 4u);
  const std::vector<AddressRecord>& h = *history;
  EXPECT_EQ(h[0].kind, AddressKind::kBankAccount);
  EXPECT_EQ(h[0].linked_by, "operator:asha");
  EXPECT_EQ(h[0].link_reason, "passbook shown at the kiosk");
  EXPECT_EQ(h[0].linked_at, t0);
  EXPECT_EQ(h[0].unlinked_by, "officer:meena");  // ended by the update
  EXPECT_EQ(h[0].unlink_reason, "account closed (AC04)");
  EXPECT_EQ(h[0].unlinked_at, t0.PlusSeconds(60));
  EXPECT_EQ(h[1].kind, AddressKind::kAadhaarPayment);
  EXPECT_EQ(h[1].iin, "607094");
  EXPECT_EQ(h[1].masked, "Aadhaar (APBS) / IIN 607094");
  EXPECT_EQ(h[1].replaces, h[0].address_id);
  EXPECT_EQ(h[1].linked_at, *h[0].unlinked_at);  // one transaction, one instant
  EXPECT_EQ(h[1].unlinked_by, "citizen:" + std::to_string(mohan));
  EXPECT_EQ(h[2].kind, AddressKind::kWallet);
  EXPECT_EQ(h[2].unlinked_by, "bank:IPOS");
  EXPECT_EQ(h[2].unlink_reason, "wallet closed");
  EXPECT_EQ(h[2].unlinked_at, t0.PlusSeconds(180));
  EXPECT_EQ(h[3].linked_by, "registry");
  EXPECT_FALSE(h[3].replaces.has_value());  // a new link, not an update
  EXPECT_TRUE(h[3].current());
  for (size_t i = 0; i + 1 < h.size(); ++i) {
    EXPECT_FALSE(h[i].current()) << i;
    EXPECT_LT(h[i].address_id, h[i + 1].address_id);
  }
}

TEST_P(MapperTest, LinkTwiceIsAlreadyExistsAndChangesWithoutAnAddressAreNotFound) {
  Mapper m = mapper();
  const int64_t geeta = MemberIdx("Geeta Kumari");
  auto missing_update = m.Update(geeta, FinancialAddress::Wallet("indiapost", "9876543210"),
                                 By("officer:meena", "x"), key_);
  EXPECT_EQ(missing_update.status().code(), StatusCode::kNotFound) << missing_update.status();
  auto missing_unlink = m.Unlink(geeta, By("officer:meena", "x"));
  EXPECT_EQ(missing_unlink.status().code(), StatusCode::kNotFound) << missing_unlink.status();

  ASSERT_TRUE(m.Link(geeta, FinancialAddress::Wallet("indiapost", "9876543210"),
                     By("operator:asha", "first"), key_)
                  .ok());
  auto again = m.Link(geeta, FinancialAddress::Wallet("paytm", "9876543211"),
                      By("operator:asha", "second"), key_);
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status();
  EXPECT_THAT(again.status().message(), HasSubstr("use Update"));

  auto unknown = m.Link(999999, FinancialAddress::Wallet("paytm", "9876543211"),
                        By("operator:asha", "x"), key_);
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound) << unknown.status();
  EXPECT_THAT(unknown.status().message(), StartsWith("member_idx: "));

  auto history = m.History(geeta);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);  // the refused calls wrote nothing
}

TEST_P(MapperTest, DatabaseRefusesTwoCurrentAddressesForOneMemberEvenFromRawSql) {
  Mapper m = mapper();
  const int64_t geeta = MemberIdx("Geeta Kumari");
  auto first = m.Link(geeta, FinancialAddress::Wallet("indiapost", "9876543210"),
                      By("operator:asha", "first"), key_);
  ASSERT_TRUE(first.ok()) << first.status();
  const std::string insert =
      "INSERT INTO mapper_addresses (member_idx, kind, wallet_provider, wallet_id, "
      "linked_at_us, linked_by, link_reason, unlinked_at_us, unlinked_by, unlink_reason) "
      "VALUES (" +
      std::to_string(geeta) + ", 'wallet', 'paytm', '99', 1, 'registry', 'raw', ";

  auto second = db().Execute(insert + "NULL, NULL, NULL)");
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists) << second.status();
  // Ended rows are history: any number of them.
  for (int i = 0; i < 2; ++i) {
    auto ended = db().Execute(insert + "2, 'registry', 'raw')");
    EXPECT_TRUE(ended.ok()) << ended.status();
  }
  // Reviving an ended row while another is current is refused too.
  auto revive = db().Execute(
      "UPDATE mapper_addresses SET unlinked_at_us = NULL, unlinked_by = NULL, "
      "unlink_reason = NULL WHERE member_idx = ? AND unlinked_at_us IS NOT NULL",
      {geeta});
  EXPECT_EQ(revive.status().code(), StatusCode::kAlreadyExists) << revive.status();
  // The shape of a row is the database's rule too: a bank account without its sealed number,
  // a wallet carrying an IFSC, an end without its party.
  for (const char* sql : {
           "INSERT INTO mapper_addresses (member_idx, kind, ifsc, account_last4, holder_name, "
           "linked_at_us, linked_by, link_reason) VALUES (77, 'bank_account', 'SBIN0001234', "
           "'5678', 'X', 1, 'registry', 'raw')",
           "INSERT INTO mapper_addresses (member_idx, kind, ifsc, wallet_provider, wallet_id, "
           "linked_at_us, linked_by, link_reason) VALUES (77, 'wallet', 'SBIN0001234', 'p', "
           "'1', 1, 'registry', 'raw')",
           "INSERT INTO mapper_addresses (member_idx, kind, iin, linked_at_us, linked_by, "
           "link_reason, unlinked_at_us) VALUES (77, 'aadhaar_payment', '607094', 1, "
           "'registry', 'raw', 2)",
       }) {
    auto refused = db().Execute(sql);
    EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << sql;
  }
  auto r = m.Resolve(geeta);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->address->address_id, *first);
}

TEST_P(MapperTest, AccountNumbersAreSealedAndOnlyTheMasterKeyRevealsThem) {
  Mapper m = mapper();
  const int64_t geeta = MemberIdx("Geeta Kumari");  // no vault row: Link makes her a data key
  auto before = db().QueryOne("SELECT COUNT(*) FROM vault WHERE member_idx = ?", {geeta});
  ASSERT_TRUE(before.ok());
  EXPECT_FALSE(*before && (*before)->Int(0) > 0);
  auto linked = m.Link(geeta, FinancialAddress::BankAccount(kIfsc, kAccount, "Geeta Kumari"),
                       By("officer:meena", "guardian's request"), key_);
  ASSERT_TRUE(linked.ok()) << linked.status();

  auto masked = m.Resolve(geeta);
  ASSERT_TRUE(masked.ok()) << masked.status();
  EXPECT_EQ(masked->address->masked, "SBIN0001234 / XXXXXXXX5678");
  EXPECT_EQ(masked->address->account_last4, "5678");
  EXPECT_FALSE(masked->address->account_number.has_value());

  auto full = m.Resolve(geeta, &key_);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->address->account_number, std::optional<std::string>(kAccount));
  auto by_row = m.AccountNumber(*linked, key_);
  ASSERT_TRUE(by_row.ok()) << by_row.status();
  EXPECT_EQ(*by_row, kAccount);

  // The number is nowhere in clear: not in a text column, not inside the sealed bytes.
  auto row = db().QueryOne(
      "SELECT ifsc, account_last4, holder_name, account_sealed FROM mapper_addresses "
      "WHERE address_id = ?",
      {*linked});
  ASSERT_TRUE(row.ok() && *row);
  for (size_t i = 0; i < 4; ++i) {
    std::string bytes = i == 3 ? (*row)->BlobBytes(i) : (*row)->Text(i);
    EXPECT_EQ(bytes.find(kAccount), std::string::npos) << i;
  }
  EXPECT_GT((*row)->BlobBytes(3).size(), std::string(kAccount).size());

  // Another master key opens nothing.
  crypto::MasterKey other = crypto::MasterKey::FromBytes(std::string(32, 'x'));
  EXPECT_EQ(m.AccountNumber(*linked, other).status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(m.Resolve(geeta, &other).status().code(), StatusCode::kDataLoss);
  // Not a bank account: no number to give.
  const int64_t kamla = MemberIdx("Kamla Bai");
  auto wallet =
      m.Link(kamla, FinancialAddress::Wallet("indiapost", "55"), By("operator:asha", "x"), key_);
  ASSERT_TRUE(wallet.ok()) << wallet.status();
  EXPECT_EQ(m.AccountNumber(*wallet, key_).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(m.AccountNumber(*wallet + 1000, key_).status().code(), StatusCode::kNotFound);

  // Erasure (the wrapped key destroyed) takes the number with it, and refuses new links.
  ASSERT_TRUE(db().Execute("UPDATE vault SET wrapped_key = NULL, erased_at_us = 1 "
                           "WHERE member_idx = ?",
                           {geeta})
                  .ok());
  EXPECT_EQ(m.AccountNumber(*linked, key_).status().code(), StatusCode::kFailedPrecondition);
  auto after = m.Resolve(geeta);  // the masked form stays readable
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->address->masked, "SBIN0001234 / XXXXXXXX5678");
  auto update = m.Update(geeta, FinancialAddress::BankAccount(kIfsc, "987654321", "Geeta"),
                         By("officer:meena", "x"), key_);
  EXPECT_EQ(update.status().code(), StatusCode::kFailedPrecondition) << update.status();
}

TEST_P(MapperTest, AnAadhaarRouteNeedsTheNationalIdInTheVault) {
  Mapper m = mapper();
  auto none = m.Link(MemberIdx("Geeta Kumari"), FinancialAddress::AadhaarPayment("607094"),
                     By("operator:asha", "x"), key_);
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition) << none.status();
  auto with_id = m.Link(MemberIdx("Kamla Bai"), FinancialAddress::AadhaarPayment("607094"),
                        By("operator:asha", "x"), key_);
  ASSERT_TRUE(with_id.ok()) << with_id.status();
  // Only the IIN is stored: no column holds the national ID or its last digits.
  auto row = db().QueryOne(
      "SELECT COUNT(*) FROM mapper_addresses WHERE address_id = ? AND iin = '607094' AND "
      "ifsc IS NULL AND account_sealed IS NULL AND wallet_id IS NULL",
      {*with_id});
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ((*row)->Int(0), 1);
}

TEST_P(MapperTest, ValidationNamesTheFieldAndWritesNothing) {
  Mapper m = mapper();
  const int64_t kamla = MemberIdx("Kamla Bai");
  const ChangeBy ok_by = By("officer:meena", "checked");
  struct Case {
    FinancialAddress address;
    std::string field;
  };
  FinancialAddress bank_with_iin = FinancialAddress::BankAccount(kIfsc, kAccount, "Kamla");
  bank_with_iin.iin = "607094";
  const std::vector<Case> cases = {
      {FinancialAddress::BankAccount("SBIN1001234", kAccount, "Kamla"), "ifsc"},
      {FinancialAddress::BankAccount("sbin0001234", kAccount, "Kamla"), "ifsc"},
      {FinancialAddress::BankAccount(kIfsc, "12345678", "Kamla"), "account_number"},
      {FinancialAddress::BankAccount(kIfsc, "1234567890123456789", "Kamla"), "account_number"},
      {FinancialAddress::BankAccount(kIfsc, "12345678901a", "Kamla"), "account_number"},
      {FinancialAddress::BankAccount(kIfsc, kAccount, ""), "holder_name"},
      {FinancialAddress::BankAccount(kIfsc, kAccount, std::string(141, 'a')), "holder_name"},
      {FinancialAddress::BankAccount(kIfsc, kAccount, "Kamla\nBai"), "holder_name"},
      {bank_with_iin, "iin"},
      {FinancialAddress::AadhaarPayment("60709"), "iin"},
      {FinancialAddress::AadhaarPayment("60709A"), "iin"},
      {FinancialAddress::Wallet("", "1"), "wallet_provider"},
      {FinancialAddress::Wallet("India Post", "1"), "wallet_provider"},
      {FinancialAddress::Wallet("indiapost", ""), "wallet_id"},
      {FinancialAddress::Wallet("indiapost", "98 76"), "wallet_id"},
  };
  for (const Case& c : cases) {
    auto linked = m.Link(kamla, c.address, ok_by, key_);
    EXPECT_EQ(linked.status().code(), StatusCode::kInvalidArgument) << c.field;
    EXPECT_THAT(linked.status().message(), StartsWith(c.field + ": ")) << linked.status();
  }
  // 140 characters of Devanagari are fine: the limit is in characters, not bytes.
  std::string devanagari;
  for (int i = 0; i < 140; ++i) devanagari += "क";
  EXPECT_TRUE(FinancialAddress::BankAccount(kIfsc, kAccount, devanagari).Validate().ok());
  // The account number is never echoed in a message.
  auto bad_number = FinancialAddress::BankAccount(kIfsc, "1234567890123456789", "Kamla").Validate();
  EXPECT_THAT(bad_number.message(), Not(HasSubstr("1234567890123456789")));

  const FinancialAddress good = FinancialAddress::Wallet("indiapost", "9876543210");
  for (const auto& [by, field] : std::vector<std::pair<ChangeBy, std::string>>{
           {By("", "x"), "party"},
           {By("clerk:ram", "x"), "party"},
           {By("bank:sbin", "x"), "party"},
           {By("officer:", "x"), "party"},
           {By("officer:ram kumar", "x"), "party"},
           {By("citizen:70A", "x"), "party"},
           {By("registry:x", "x"), "party"},
           {By("officer:meena", ""), "reason"},
           {By("officer:meena", std::string(501, 'r')), "reason"},
       }) {
    auto linked = m.Link(kamla, good, by, key_);
    EXPECT_EQ(linked.status().code(), StatusCode::kInvalidArgument) << by.party;
    EXPECT_THAT(linked.status().message(), StartsWith(field + ": ")) << linked.status();
  }
  auto zero = m.Link(0, good, ok_by, key_);
  EXPECT_EQ(zero.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), StartsWith("member_idx: "));

  auto count = db().QueryOne("SELECT COUNT(*) FROM mapper_addresses");
  ASSERT_TRUE(count.ok() && *count);
  EXPECT_EQ((*count)->Int(0), 0);
}

TEST_P(MapperTest, SeedFromRegistryLinksEveryRegistryAccountOnceAndOnlyOnce) {
  // Two more households: one account without a holder name, one member already in the mapper.
  ASSERT_EQ(Import({Household({WithBank(Member("Savitri Devi", "1955-05-05", "F", "head", 3), kIfsc,
                                        kAccount),
                               WithBank(Member("Hari Ram", "1952-06-06", "M", "spouse", 4),
                                        "HDFC0000123", "50100012345678", "Hari Ram")},
                              "990101002")
                        .dump(),
                    Household({WithBank(Member("Lakshmi Bai", "1960-01-01", "F", "head", 5),
                                        "BARB0JAIPUR", "00000041234567", "Lakshmi")},
                              "990101003")
                        .dump()})
                .households_imported,
            2);
  Mapper m = mapper();
  const int64_t lakshmi = MemberIdx("Lakshmi Bai");
  ASSERT_TRUE(m.Link(lakshmi, FinancialAddress::Wallet("indiapost", "9876543210"),
                     By("citizen:1", "her own choice"), key_)
                  .ok());

  auto seeded = SeedFromRegistry(db(), clock_);
  ASSERT_TRUE(seeded.ok()) << seeded.status();
  EXPECT_EQ(*seeded, 3);  // Kamla, Savitri, Hari; not Lakshmi, already linked

  auto savitri = m.Resolve(MemberIdx("Savitri Devi"), &key_);
  ASSERT_TRUE(savitri.ok()) << savitri.status();
  ASSERT_EQ(savitri->state, Resolution::State::kActive);
  EXPECT_EQ(savitri->address->linked_by, "registry");
  EXPECT_EQ(savitri->address->masked, "SBIN0001234 / XXXXXXXX5678");
  EXPECT_EQ(savitri->address->holder_name, "Savitri Devi");  // the member's name stood in
  // The sealed bytes were copied: the same key opens them to the imported number.
  EXPECT_EQ(savitri->address->account_number, std::optional<std::string>(kAccount));
  auto kamla = m.Resolve(MemberIdx("Kamla Bai"), &key_);
  ASSERT_TRUE(kamla.ok()) << kamla.status();
  EXPECT_EQ(kamla->address->account_number, std::optional<std::string>("3412009876"));
  EXPECT_EQ(kamla->address->bank_code, "PUNB");
  auto lakshmi_now = m.Resolve(lakshmi);
  ASSERT_TRUE(lakshmi_now.ok());
  EXPECT_EQ(lakshmi_now->address->kind, AddressKind::kWallet);

  // Idempotent; and an address unlinked since is not linked back.
  ASSERT_TRUE(m.Unlink(MemberIdx("Hari Ram"), By("bank:HDFC", "account closed")).ok());
  auto again = SeedFromRegistry(db(), clock_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  auto hari = m.Resolve(MemberIdx("Hari Ram"));
  ASSERT_TRUE(hari.ok());
  EXPECT_EQ(hari->state, Resolution::State::kInactive);

  // A member erased (a rejected duplicate) is skipped.
  ASSERT_EQ(Import({Household({WithBank(Member("Ganga Devi", "1957-07-07", "F", "head", 6), kIfsc,
                                        "111122223333", "Ganga Devi")},
                              "990101004")
                        .dump()})
                .households_imported,
            1);
  ASSERT_TRUE(db().Execute("UPDATE vault SET wrapped_key = NULL WHERE member_idx = ?",
                           {MemberIdx("Ganga Devi")})
                  .ok());
  auto skipped = SeedFromRegistry(db(), clock_);
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  EXPECT_EQ(*skipped, 0);
}

TEST_P(MapperTest, DriftSeesANewDestinationButNotANewHolderName) {
  Mapper m = mapper();
  const int64_t kamla = MemberIdx("Kamla Bai");
  auto first = m.Link(kamla, FinancialAddress::BankAccount(kIfsc, kAccount, "Kamla Bai"),
                      By("operator:asha", "x"), key_);
  ASSERT_TRUE(first.ok()) << first.status();
  auto same = m.ChangedSince(kamla, *first);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->kind, Drift::Kind::kSame);
  EXPECT_FALSE(same->changed());

  // A repeated request changes nothing.
  auto repeat = m.Update(kamla, FinancialAddress::BankAccount(kIfsc, kAccount, "Kamla Bai"),
                         By("operator:asha", "x"), key_);
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_FALSE(repeat->changed);
  EXPECT_EQ(repeat->address_id, *first);

  // The holder's name corrected: a new row, the same destination.
  auto renamed = m.Update(kamla, FinancialAddress::BankAccount(kIfsc, kAccount, "Kamla Bai Meena"),
                          By("bank:SBIN", "name as in the bank's records (BE01)"), key_);
  ASSERT_TRUE(renamed.ok()) << renamed.status();
  EXPECT_TRUE(renamed->changed);
  EXPECT_NE(renamed->address_id, *first);
  auto after_rename = m.ChangedSince(kamla, *first);
  ASSERT_TRUE(after_rename.ok());
  EXPECT_EQ(after_rename->kind, Drift::Kind::kSame);
  EXPECT_EQ(after_rename->current_address_id, renamed->address_id);

  // Another account at the same branch: changed.
  auto moved = m.Update(kamla, FinancialAddress::BankAccount(kIfsc, "123456780000", "Kamla Bai"),
                        By("officer:meena", "new account"), key_);
  ASSERT_TRUE(moved.ok()) << moved.status();
  for (int64_t used : {*first, renamed->address_id}) {
    auto d = m.ChangedSince(kamla, used);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->kind, Drift::Kind::kChanged);
    EXPECT_EQ(d->current_address_id, moved->address_id);
  }
  auto d_moved = m.ChangedSince(kamla, moved->address_id);
  ASSERT_TRUE(d_moved.ok());
  EXPECT_EQ(d_moved->kind, Drift::Kind::kSame);

  ASSERT_TRUE(m.Unlink(kamla, By("officer:meena", "account frozen")).ok());
  auto gone = m.ChangedSince(kamla, moved->address_id);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(gone->kind, Drift::Kind::kUnlinked);
  EXPECT_FALSE(gone->current_address_id.has_value());

  // Another member's row is not this member's to compare.
  auto foreign = m.ChangedSince(MemberIdx("Mohan Lal"), *first);
  EXPECT_EQ(foreign.status().code(), StatusCode::kNotFound);
}

TEST_P(MapperTest, ForEachCurrentAddressGivesEveryCurrentAddressInPages) {
  Mapper m = mapper();
  const int64_t kamla = MemberIdx("Kamla Bai"), mohan = MemberIdx("Mohan Lal"),
                geeta = MemberIdx("Geeta Kumari");
  ASSERT_TRUE(m.Link(kamla, FinancialAddress::BankAccount(kIfsc, kAccount, "Kamla Bai"),
                     By("operator:asha", "x"), key_)
                  .ok());
  ASSERT_TRUE(
      m.Link(mohan, FinancialAddress::AadhaarPayment("607094"), By("operator:asha", "x"), key_)
          .ok());
  ASSERT_TRUE(
      m.Link(geeta, FinancialAddress::Wallet("indiapost", "1"), By("operator:asha", "x"), key_)
          .ok());
  ASSERT_TRUE(m.Unlink(geeta, By("operator:asha", "x")).ok());

  std::vector<CurrentAddress> seen;
  Status s = m.ForEachCurrentAddress([&](const CurrentAddress& a) {
    seen.push_back(a);
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(seen.size(), 2u);  // Geeta's is ended
  EXPECT_EQ(seen[0].member_idx, kamla);
  EXPECT_EQ(seen[0].kind, AddressKind::kBankAccount);
  EXPECT_EQ(seen[0].ifsc, kIfsc);
  EXPECT_EQ(seen[0].bank_code, "SBIN");
  EXPECT_EQ(seen[0].account_last4, "5678");
  EXPECT_EQ(seen[0].destination_id, seen[0].address_id);
  EXPECT_EQ(seen[1].member_idx, mohan);
  EXPECT_EQ(seen[1].kind, AddressKind::kAadhaarPayment);
  EXPECT_EQ(seen[1].iin, "607094");
  EXPECT_EQ(seen[1].ifsc, "");

  // Past one page (50,000): 60,000 wallets written by SQL, each seen once, in order.
  ASSERT_TRUE(db().Execute("INSERT INTO mapper_addresses (member_idx, kind, wallet_provider, "
                           "wallet_id, linked_at_us, linked_by, link_reason) "
                           "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                           "WHERE i < 60000) "
                           "SELECT 1000000 + i, 'wallet', 'bulk', 'w', 1, 'registry', 'bulk' "
                           "FROM n")
                  .ok());
  int64_t count = 0, last = 0;
  bool ordered = true;
  s = m.ForEachCurrentAddress([&](const CurrentAddress& a) {
    ordered = ordered && a.member_idx > last;
    last = a.member_idx;
    ++count;
    return OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(count, 60002);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(last, 1060000);

  // The callback's error stops the scan.
  count = 0;
  s = m.ForEachCurrentAddress(
      [&](const CurrentAddress&) { return ++count == 3 ? AbortedError("stop") : OkStatus(); });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_EQ(count, 3);
}

TEST_P(MapperTest, AnUpdateInTheCallersTransactionRollsBackWhole) {
  Mapper m = mapper();
  const int64_t kamla = MemberIdx("Kamla Bai");
  auto first =
      m.Link(kamla, FinancialAddress::AadhaarPayment("607094"), By("operator:asha", "x"), key_);
  ASSERT_TRUE(first.ok()) << first.status();
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok()) << tx.status();
    auto updated = m.Update(kamla, FinancialAddress::Wallet("indiapost", "77"),
                            By("officer:meena", "x"), key_);
    ASSERT_TRUE(updated.ok()) << updated.status();
    ASSERT_TRUE(db().InTransaction());  // it did not commit the caller's transaction
  }                                     // rolled back
  auto history = m.History(kamla);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_TRUE((*history)[0].current());
  EXPECT_EQ((*history)[0].address_id, *first);
}

TEST_P(MapperTest, ResolveGivesTheG2pStatusForActiveInactiveAndUnknownMembers) {
  Mapper m = mapper();
  const int64_t kamla = MemberIdx("Kamla Bai");
  auto unknown = m.Resolve(999999);
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->state, Resolution::State::kNotFound);
  EXPECT_FALSE(unknown->address.has_value());
  G2pOutcome o = G2pResolveOutcome(unknown);
  EXPECT_EQ(G2pStatusName(o.status), "succ");
  EXPECT_EQ(G2pReasonName(o.reason), "succ.id.not_found");

  ASSERT_TRUE(
      m.Link(kamla, FinancialAddress::AadhaarPayment("607094"), By("operator:asha", "x"), key_)
          .ok());
  EXPECT_EQ(G2pReasonName(G2pResolveOutcome(m.Resolve(kamla)).reason), "succ.id.active");
  ASSERT_TRUE(m.Unlink(kamla, By("operator:asha", "x")).ok());
  EXPECT_EQ(G2pReasonName(G2pResolveOutcome(m.Resolve(kamla)).reason), "succ.id.inactive");

  o = G2pResolveOutcome(m.Resolve(-1));
  EXPECT_EQ(G2pStatusName(o.status), "rjct");
  EXPECT_EQ(G2pReasonName(o.reason), "rjct.id.invalid");

  // A refused link, through the same mapping the HTTP layer will use.
  o = G2pOutcomeOf(MapperOperation::kLink, m.Link(kamla, FinancialAddress::AadhaarPayment("1"),
                                                  By("operator:asha", "x"), key_)
                                               .status());
  EXPECT_EQ(G2pStatusName(o.status), "rjct");
  EXPECT_EQ(G2pReasonName(o.reason), "rjct.fa.invalid");
  EXPECT_THAT(o.message, StartsWith("iin: "));
}

INSTANTIATE_TEST_SUITE_P(Mapper, MapperTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

// --- G2P Connect codes, without a database ---

TEST(MapperG2pTest, NamesAreTheSpecsCodes) {
  EXPECT_EQ(G2pStatusName(G2pStatus::kReceived), "rcvd");
  EXPECT_EQ(G2pStatusName(G2pStatus::kPending), "pdng");
  EXPECT_EQ(G2pStatusName(G2pStatus::kSuccess), "succ");
  EXPECT_EQ(G2pStatusName(G2pStatus::kRejected), "rjct");
  EXPECT_EQ(G2pReasonName(G2pReason::kNone), "");
  EXPECT_EQ(G2pReasonName(G2pReason::kReferenceIdInvalid), "rjct.reference_id.invalid");
  EXPECT_EQ(G2pReasonName(G2pReason::kIdInvalid), "rjct.id.invalid");
  EXPECT_EQ(G2pReasonName(G2pReason::kFaInvalid), "rjct.fa.invalid");
  EXPECT_EQ(G2pReasonName(G2pReason::kBeneficiaryNameInvalid), "rjct.beneficiary_name.invalid");
  EXPECT_EQ(G2pReasonName(G2pReason::kFaNotLinkedToId), "succ.fa.not_linked_to_id");

  // Each operation's list, as the spec's four enums give them.
  const std::vector<G2pReason> all = {G2pReason::kReferenceIdInvalid,
                                      G2pReason::kReferenceIdDuplicate,
                                      G2pReason::kTimestampInvalid,
                                      G2pReason::kIdInvalid,
                                      G2pReason::kFaInvalid,
                                      G2pReason::kNameInvalid,
                                      G2pReason::kMobileNumberInvalid,
                                      G2pReason::kUnknownRetry,
                                      G2pReason::kOtherError,
                                      G2pReason::kResolveTypeNotSupported,
                                      G2pReason::kBeneficiaryNameInvalid,
                                      G2pReason::kFaActive,
                                      G2pReason::kFaInactive,
                                      G2pReason::kFaNotFound,
                                      G2pReason::kFaNotLinkedToId,
                                      G2pReason::kIdActive,
                                      G2pReason::kIdInactive,
                                      G2pReason::kIdNotFound};
  auto list = [&](MapperOperation op) {
    std::vector<std::string> names;
    for (G2pReason r : all) {
      if (G2pReasonAllowed(op, r)) names.emplace_back(G2pReasonName(r));
    }
    return names;
  };
  EXPECT_THAT(list(MapperOperation::kLink),
              ElementsAre("rjct.reference_id.invalid", "rjct.reference_id.duplicate",
                          "rjct.timestamp.invalid", "rjct.id.invalid", "rjct.fa.invalid",
                          "rjct.name.invalid", "rjct.mobile_number.invalid", "rjct.unknown.retry",
                          "rjct.other.error"));
  EXPECT_THAT(list(MapperOperation::kResolve),
              ElementsAre("rjct.reference_id.invalid", "rjct.reference_id.duplicate",
                          "rjct.timestamp.invalid", "rjct.id.invalid", "rjct.fa.invalid",
                          "rjct.resolve_type.not_supported", "succ.fa.active", "succ.fa.inactive",
                          "succ.fa.not_found", "succ.fa.not_linked_to_id", "succ.id.active",
                          "succ.id.inactive", "succ.id.not_found"));
  for (MapperOperation op : {MapperOperation::kUpdate, MapperOperation::kUnlink}) {
    EXPECT_THAT(list(op), ElementsAre("rjct.reference_id.invalid", "rjct.reference_id.duplicate",
                                      "rjct.timestamp.invalid", "rjct.beneficiary_name.invalid"));
  }
}

TEST(MapperG2pTest, OutcomesUseOnlyTheOperationsOwnCodes) {
  struct Case {
    MapperOperation op;
    Status status;
    G2pStatus want_status;
    std::string want_reason;
  };
  const std::vector<Case> cases = {
      {MapperOperation::kLink, OkStatus(), G2pStatus::kSuccess, ""},
      {MapperOperation::kUnlink, OkStatus(), G2pStatus::kSuccess, ""},
      {MapperOperation::kLink, InvalidArgumentError("ifsc: \"X\" is not an IFSC"),
       G2pStatus::kRejected, "rjct.fa.invalid"},
      {MapperOperation::kLink, InvalidArgumentError("account_number: must be 9 to 18 digits"),
       G2pStatus::kRejected, "rjct.fa.invalid"},
      {MapperOperation::kLink, InvalidArgumentError("holder_name: missing"), G2pStatus::kRejected,
       "rjct.name.invalid"},
      {MapperOperation::kUpdate, InvalidArgumentError("holder_name: missing"), G2pStatus::kRejected,
       "rjct.beneficiary_name.invalid"},
      {MapperOperation::kUpdate, InvalidArgumentError("iin: \"1\" is not a bank IIN"),
       G2pStatus::kRejected, ""},  // the spec's update list has no fa code
      {MapperOperation::kLink, InvalidArgumentError("member_idx: must be positive"),
       G2pStatus::kRejected, "rjct.id.invalid"},
      {MapperOperation::kLink, InvalidArgumentError("party: \"x\" is not ..."),
       G2pStatus::kRejected, "rjct.other.error"},
      {MapperOperation::kLink, NotFoundError("member_idx: no member 9"), G2pStatus::kRejected,
       "rjct.id.invalid"},
      {MapperOperation::kUnlink, NotFoundError("member 9 has no current address"),
       G2pStatus::kRejected, ""},
      {MapperOperation::kLink, AlreadyExistsError("member 9 already has a current address"),
       G2pStatus::kRejected, "rjct.other.error"},
      {MapperOperation::kLink, UnavailableError("database"), G2pStatus::kRejected,
       "rjct.unknown.retry"},
      {MapperOperation::kLink, AbortedError("changed meanwhile"), G2pStatus::kRejected,
       "rjct.unknown.retry"},
      {MapperOperation::kUpdate, AbortedError("changed meanwhile"), G2pStatus::kRejected, ""},
  };
  for (const Case& c : cases) {
    G2pOutcome o = G2pOutcomeOf(c.op, c.status);
    EXPECT_EQ(o.status, c.want_status) << c.status;
    EXPECT_EQ(G2pReasonName(o.reason), c.want_reason) << c.status;
    EXPECT_TRUE(G2pReasonAllowed(c.op, o.reason)) << c.status;
    EXPECT_EQ(o.message, c.status.message());
  }
}

TEST(MapperKindTest, KindNamesRoundTrip) {
  for (AddressKind k :
       {AddressKind::kBankAccount, AddressKind::kAadhaarPayment, AddressKind::kWallet}) {
    EXPECT_EQ(ParseAddressKind(AddressKindName(k)), k);
  }
  EXPECT_EQ(AddressKindName(AddressKind::kAadhaarPayment), "aadhaar_payment");
  EXPECT_FALSE(ParseAddressKind("upi").has_value());
}

}  // namespace
}  // namespace spode::payments
