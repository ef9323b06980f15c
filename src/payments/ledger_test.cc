// The ledger on SQLite and (when SPODE_TEST_PG_URL is set) PostgreSQL: balance refused in code
// and in the database, idempotent posting, and Check finding what raw SQL planted.
#include "payments/ledger.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "payments/schema.h"
#include "payments/testing/world.h"
#include "storage/migrations.h"
#include "storage/testing/test_database.h"

namespace spode::payments {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;

const Timestamp kNow = *Timestamp::Parse("2026-11-29T06:30:00Z");
constexpr const char* kScheme = "old_age_pension";

AccountKey Treasury() { return AccountKey::Treasury(kScheme); }
AccountKey Budget() { return AccountKey::SchemeBudget(kScheme); }
AccountKey Payable() { return AccountKey::Payable(kScheme); }
AccountKey Clearing() { return AccountKey::BankClearing(kScheme, "SBIN"); }
AccountKey Beneficiary(const std::string& id) { return AccountKey::Beneficiary(kScheme, id); }

class LedgerTest : public ::testing::TestWithParam<std::string> {
 protected:
  LedgerTest() : tdb_(GetParam()), clock_(kNow), ledger_(tdb_.db(), clock_) {}

  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    // The payments tables reference the schemes and cycles (programs/): apply the app's set.
    auto ran = storage::ApplyMigrations(db(), payments::testing::AllMigrations());
    ASSERT_TRUE(ran.ok()) << ran.status();
  }

  storage::Database& db() { return tdb_.db(); }

  // Posts `entry` in a transaction of its own.
  Result<PostResult> PostAndCommit(const JournalEntry& entry) {
    ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db()));
    ASSIGN_OR_RETURN(PostResult posted, ledger_.Post(entry));
    RETURN_IF_ERROR(tx.Commit());
    return posted;
  }

  // The chain of a paid beneficiary: sanction, approval, bank file, credit confirmed.
  void PayOneBeneficiary() {
    for (const JournalEntry& e : {
             JournalEntry::Transfer("sanction/2026-27", "budget_sanction", Treasury(), Budget(),
                                    Money::FromRupees(100000)),
             JournalEntry::Transfer("approve/2026-11/B1", "cycle_approval", Budget(), Payable(),
                                    Money::FromRupees(1000)),
             JournalEntry::Transfer("sent/2026-11/B1", "bank_file_sent", Payable(), Clearing(),
                                    Money::FromRupees(1000)),
             JournalEntry::Transfer("paid/2026-11/B1", "credit_confirmed", Clearing(),
                                    Beneficiary("B1"), Money::FromRupees(1000)),
         }) {
      auto posted = PostAndCommit(e);
      ASSERT_TRUE(posted.ok()) << posted.status();
      EXPECT_TRUE(posted->created);
    }
  }

  Money BalanceOf(const AccountKey& key) {
    auto balance = ledger_.Balance(key);
    EXPECT_TRUE(balance.ok()) << balance.status();
    return balance.ok() ? *balance : Money::FromPaise(-1);
  }

  int64_t Count(const std::string& table) {
    auto row = db().QueryOne("SELECT COUNT(*) FROM " + table);
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }

  int64_t EntryId(const std::string& key) {
    auto row =
        db().QueryOne("SELECT entry_id FROM ledger_entries WHERE idempotency_key = ?", {key});
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }

  // Runs `sql` in a transaction and returns what the commit (or a statement) said.
  Status RawWrite(const std::string& sql) {
    auto tx = storage::Transaction::Begin(db());
    if (!tx.ok()) return tx.status();
    RETURN_IF_ERROR(db().ExecScript(sql));
    return tx->Commit();
  }

  // Turns off the guards an attacker with raw SQL access could turn off, so that Check has
  // something to find: foreign keys on SQLite, the constraints themselves on PostgreSQL.
  void DisableGuards() {
    if (tdb_.is_postgres()) {
      ASSERT_TRUE(db().ExecScript("ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_follows, "
                                  "DROP CONSTRAINT ledger_lines_closes, "
                                  "DROP CONSTRAINT ledger_lines_entry, "
                                  "DROP CONSTRAINT ledger_lines_account_code_fkey")
                      .ok());
    } else {
      ASSERT_TRUE(db().ExecScript("PRAGMA foreign_keys = OFF").ok());
    }
  }

  storage::testing::TestDatabase tdb_;
  ManualTimeSource clock_;
  Ledger ledger_;
};

TEST_P(LedgerTest, MovesMoneyAlongTheChainAndBalances) {
  PayOneBeneficiary();
  EXPECT_EQ(BalanceOf(Treasury()), Money::FromRupees(-100000));
  EXPECT_EQ(BalanceOf(Budget()), Money::FromRupees(99000));
  EXPECT_EQ(BalanceOf(Payable()), Money());
  EXPECT_EQ(BalanceOf(Clearing()), Money());
  EXPECT_EQ(BalanceOf(Beneficiary("B1")), Money::FromRupees(1000));
  EXPECT_EQ(BalanceOf(Beneficiary("never-used")), Money());

  auto check = ledger_.Check();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->ok()) << check->Summary();
  EXPECT_EQ(check->entries, 4);
  EXPECT_EQ(check->lines, 8);
  EXPECT_EQ(check->accounts, 5);
  EXPECT_EQ(check->total_debits, Money::FromRupees(103000));
  EXPECT_EQ(check->total_credits, Money::FromRupees(103000));
  EXPECT_THAT(check->Summary(), HasSubstr("balanced, no problems"));
}

TEST_P(LedgerTest, FindEntryReturnsWhatWasPosted) {
  JournalEntry split;
  split.idempotency_key = "approve/2026-11/household-7";
  split.kind = "cycle_approval";
  split.memo = "two members of one household";
  split.lines = {{AccountKey::Payable(kScheme), Side::kDebit, Money::FromPaise(150050)},
                 {AccountKey::Payable(kScheme, "M2"), Side::kDebit, Money::FromRupees(1000)},
                 {Budget(), Side::kCredit, Money::FromPaise(250050)}};
  ASSERT_TRUE(PostAndCommit(split).ok());

  auto found = ledger_.FindEntry("approve/2026-11/household-7");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  const PostedEntry& e = **found;
  EXPECT_EQ(e.kind, "cycle_approval");
  EXPECT_EQ(e.scheme_id, kScheme);
  EXPECT_EQ(e.memo, "two members of one household");
  EXPECT_EQ(e.total, Money::FromPaise(250050));
  EXPECT_EQ(e.posted_at, kNow);
  ASSERT_EQ(e.lines.size(), 3u);
  EXPECT_EQ(e.lines[0].account_code, "payable:old_age_pension");
  EXPECT_EQ(e.lines[1].account_code, "payable:old_age_pension:M2");
  EXPECT_EQ(e.lines[2].account_code, "scheme_budget:old_age_pension");
  EXPECT_EQ(e.lines[2].side, Side::kCredit);
  EXPECT_EQ(e.lines[2].amount, Money::FromPaise(250050));

  auto missing = ledger_.FindEntry("no-such-key");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(LedgerTest, CodeRefusesAnUnbalancedEntry) {
  JournalEntry entry;
  entry.idempotency_key = "approve/2026-11/B1";
  entry.kind = "cycle_approval";
  entry.lines = {{Payable(), Side::kDebit, Money::FromRupees(1000)},
                 {Budget(), Side::kCredit, Money::FromRupees(900)}};
  auto tx = storage::Transaction::Begin(db());
  ASSERT_TRUE(tx.ok());
  auto posted = ledger_.Post(entry);
  EXPECT_EQ(posted.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(posted.status().message(), HasSubstr("debits Rs 1,000.00, credits Rs 900.00"));
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(Count("ledger_entries"), 0);
  EXPECT_EQ(Count("ledger_lines"), 0);
}

TEST_P(LedgerTest, CodeRefusesMalformedEntries) {
  auto post = [&](JournalEntry e) {
    auto tx = storage::Transaction::Begin(db());
    EXPECT_TRUE(tx.ok());
    return ledger_.Post(e).status();
  };
  JournalEntry good =
      JournalEntry::Transfer("k", "cycle_approval", Budget(), Payable(), Money::FromRupees(1));

  JournalEntry one_line = good;
  one_line.lines.pop_back();
  EXPECT_EQ(post(one_line).code(), StatusCode::kInvalidArgument);

  JournalEntry zero = good;
  zero.lines[0].amount = zero.lines[1].amount = Money();
  EXPECT_THAT(post(zero).message(), HasSubstr("lines[0].amount: must be positive"));

  JournalEntry negative = good;
  negative.lines[0].amount = negative.lines[1].amount = Money::FromPaise(-100);
  EXPECT_EQ(post(negative).code(), StatusCode::kInvalidArgument);

  JournalEntry no_holder = good;
  no_holder.lines[0].account = AccountKey::Beneficiary(kScheme, "");
  EXPECT_THAT(post(no_holder).message(), HasSubstr("lines[0].account: holder: missing"));

  JournalEntry budget_holder = good;
  budget_holder.lines[1].account.holder = "B1";
  EXPECT_THAT(post(budget_holder).message(), HasSubstr("has no holder"));

  JournalEntry bad_scheme = good;
  bad_scheme.lines[0].account.scheme_id = "old age";
  EXPECT_THAT(post(bad_scheme).message(), HasSubstr("scheme_id"));

  JournalEntry no_key = good;
  no_key.idempotency_key = "";
  EXPECT_THAT(post(no_key).message(), HasSubstr("idempotency_key: missing"));

  JournalEntry spaced_key = good;
  spaced_key.idempotency_key = "a b";
  EXPECT_EQ(post(spaced_key).code(), StatusCode::kInvalidArgument);

  JournalEntry bad_kind = good;
  bad_kind.kind = "Cycle Approval";
  EXPECT_THAT(post(bad_kind).message(), HasSubstr("kind"));

  JournalEntry overflow = good;
  overflow.lines = {{Payable(), Side::kDebit, Money::FromPaise(INT64_MAX)},
                    {Payable(), Side::kDebit, Money::FromPaise(1)},
                    {Budget(), Side::kCredit, Money::FromPaise(1)}};
  EXPECT_EQ(post(overflow).code(), StatusCode::kOutOfRange);

  EXPECT_EQ(Count("ledger_entries"), 0);
}

TEST_P(LedgerTest, PostNeedsTheCallersTransaction) {
  auto posted = ledger_.Post(
      JournalEntry::Transfer("k", "cycle_approval", Budget(), Payable(), Money::FromRupees(1)));
  EXPECT_EQ(posted.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("ledger_entries"), 0);
}

TEST_P(LedgerTest, DatabaseRefusesAnUnbalancedEntryWrittenAroundTheCode) {
  PayOneBeneficiary();  // the accounts exist
  const int64_t entries = Count("ledger_entries");
  const std::string lines =
      "INSERT INTO ledger_lines (entry_id, line_no, account_code, amount_paise, running_paise, "
      "prev_line_no, prev_running_paise, line_count) VALUES ";

  // Debits Rs 1.00, credits Rs 0.90.
  Status unbalanced = RawWrite(
      "INSERT INTO ledger_entries (entry_id, idempotency_key, kind, line_count, total_paise, "
      "posted_at_us) VALUES (900, 'raw-1', 'raw', 2, 100, 0);" +
      lines + "(900, 1, 'payable:old_age_pension', 100, 100, NULL, 0, 2);" + lines +
      "(900, 2, 'scheme_budget:old_age_pension', -90, 10, 1, 100, 2);");
  EXPECT_EQ(unbalanced.code(), StatusCode::kFailedPrecondition) << unbalanced;

  // A line missing: the entry says two lines, has one.
  Status missing = RawWrite(
      "INSERT INTO ledger_entries (entry_id, idempotency_key, kind, line_count, total_paise, "
      "posted_at_us) VALUES (901, 'raw-2', 'raw', 2, 100, 0);" +
      lines + "(901, 1, 'payable:old_age_pension', 100, 100, NULL, 0, 2);");
  EXPECT_EQ(missing.code(), StatusCode::kFailedPrecondition) << missing;

  // A running total that lies: the CHECK ties it to the amount.
  Status lying = RawWrite(
      "INSERT INTO ledger_entries (entry_id, idempotency_key, kind, line_count, total_paise, "
      "posted_at_us) VALUES (902, 'raw-3', 'raw', 2, 100, 0);" +
      lines + "(902, 1, 'payable:old_age_pension', 100, 100, NULL, 0, 2);" + lines +
      "(902, 2, 'scheme_budget:old_age_pension', -90, 0, 1, 100, 2);");
  EXPECT_EQ(lying.code(), StatusCode::kFailedPrecondition) << lying;
  EXPECT_EQ(Count("ledger_entries"), entries);

  // Editing a posted entry: another amount, a line removed, a line added, another count.
  const std::string paid = std::to_string(EntryId("paid/2026-11/B1"));
  for (const std::string& sql : {
           "UPDATE ledger_lines SET amount_paise = -90000, running_paise = 10000 "
           "WHERE entry_id = " +
               paid + " AND line_no = 2",
           "DELETE FROM ledger_lines WHERE entry_id = " + paid + " AND line_no = 1",
           lines + "(" + paid + ", 3, 'payable:old_age_pension', 5, 5, 2, 0, 2)",
           "UPDATE ledger_entries SET line_count = 3 WHERE entry_id = " + paid,
           "DELETE FROM ledger_entries WHERE entry_id = " + paid,
       }) {
    Status s = RawWrite(sql);
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << sql << ": " << s;
  }

  // A rewrite that keeps the entry balanced is not an imbalance; the schema allows it (a
  // correction should be a reversing entry, but balance is what the database guarantees).
  EXPECT_TRUE(
      RawWrite("UPDATE ledger_lines SET amount_paise = 150000, running_paise = 150000 "
               "WHERE entry_id = " +
               paid +
               " AND line_no = 1;"
               "UPDATE ledger_lines SET amount_paise = -150000, prev_running_paise = 150000 "
               "WHERE entry_id = " +
               paid + " AND line_no = 2;")
          .ok());
  auto check = ledger_.Check();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->total_debits, check->total_credits);
  // ...but Check sees the recorded total and the overdrawn clearing account.
  EXPECT_THAT(check->problems,
              Contains(Field(&LedgerProblem::kind, LedgerProblem::Kind::kEntryTotalMismatch)));
  EXPECT_THAT(check->problems,
              Contains(Field(&LedgerProblem::kind, LedgerProblem::Kind::kWrongSideBalance)));
}

TEST_P(LedgerTest, RepostingTheSameEventIsANoOp) {
  JournalEntry approve = JournalEntry::Transfer("approve/2026-11/B1", "cycle_approval", Budget(),
                                                Payable(), Money::FromRupees(1000));
  auto first = PostAndCommit(approve);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->created);

  auto again = PostAndCommit(approve);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->entry_id, first->entry_id);

  // Twice within one transaction too.
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok());
    auto third = ledger_.Post(approve);
    ASSERT_TRUE(third.ok()) << third.status();
    EXPECT_FALSE(third->created);
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(Count("ledger_entries"), 1);
  EXPECT_EQ(Count("ledger_lines"), 2);
  EXPECT_EQ(BalanceOf(Payable()), Money::FromRupees(1000));

  // The same key for a different event is a caller's bug, not a no-op.
  JournalEntry other = approve;
  other.lines[0].amount = other.lines[1].amount = Money::FromRupees(2000);
  auto conflict = PostAndCommit(other);
  EXPECT_EQ(conflict.status().code(), StatusCode::kAlreadyExists);
  EXPECT_THAT(conflict.status().message(), HasSubstr("already posted with other lines"));
  EXPECT_EQ(BalanceOf(Payable()), Money::FromRupees(1000));
}

TEST_P(LedgerTest, APostRolledBackLeavesNothingBehind) {
  JournalEntry approve = JournalEntry::Transfer("approve/2026-11/B1", "cycle_approval", Budget(),
                                                Payable(), Money::FromRupees(1000));
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok());
    auto posted = ledger_.Post(approve);
    ASSERT_TRUE(posted.ok()) << posted.status();
    EXPECT_TRUE(posted->created);
  }  // rolled back
  EXPECT_EQ(Count("ledger_entries"), 0);
  EXPECT_EQ(Count("ledger_accounts"), 0);
  auto posted = PostAndCommit(approve);
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_TRUE(posted->created);
  EXPECT_EQ(BalanceOf(Payable()), Money::FromRupees(1000));
}

TEST_P(LedgerTest, CheckFindsAnImbalancePlantedByRawSql) {
  PayOneBeneficiary();
  DisableGuards();
  const std::string paid = std::to_string(EntryId("paid/2026-11/B1"));
  // Rs 5 more debited to the beneficiary than credited from clearing.
  ASSERT_TRUE(db().ExecScript("UPDATE ledger_lines SET amount_paise = amount_paise + 500, "
                              "running_paise = running_paise + 500 WHERE entry_id = " +
                              paid + " AND line_no = 1")
                  .ok());
  // A line without its entry, and one naming an account that does not exist.
  ASSERT_TRUE(
      db().ExecScript("INSERT INTO ledger_lines (entry_id, line_no, account_code, amount_paise, "
                      "running_paise, prev_line_no, prev_running_paise, line_count) VALUES "
                      "(7777, 1, 'payable:old_age_pension', 300, 300, NULL, 0, 1);"
                      "INSERT INTO ledger_lines (entry_id, line_no, account_code, amount_paise, "
                      "running_paise, prev_line_no, prev_running_paise, line_count) VALUES "
                      "(7777, 2, 'payable:nowhere', -300, 0, 1, 300, 2)")
          .ok());

  auto check = ledger_.Check();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_FALSE(check->ok());
  EXPECT_EQ(check->total_debits, Money::FromRupees(103005) + Money::FromPaise(300));
  EXPECT_EQ(check->total_credits, Money::FromRupees(103000) + Money::FromPaise(300));
  using K = LedgerProblem::Kind;
  auto has = [&](K kind, const std::string& subject, const std::string& message) {
    EXPECT_THAT(check->problems,
                Contains(AllOf(Field(&LedgerProblem::kind, kind),
                               Field(&LedgerProblem::subject, HasSubstr(subject)),
                               Field(&LedgerProblem::message, HasSubstr(message)))))
        << check->Summary();
  };
  has(K::kUnbalancedLedger, "ledger", "debits Rs 1,03,008.00 differ from credits Rs 1,03,003.00");
  has(K::kUnbalancedEntry, "entry " + paid + " (key \"paid/2026-11/B1\")",
      "debits Rs 1,005.00 differ from credits Rs 1,000.00");
  has(K::kEntryTotalMismatch, "entry " + paid, "the recorded total Rs 1,000.00");
  has(K::kBrokenChain, "entry " + paid, "line 2 records a running total of Rs 0.00");
  has(K::kOrphanLine, "entry 7777", "line 1 has no entry");
  has(K::kUnknownAccount, "payable:nowhere", "entry 7777 line 2");
  EXPECT_THAT(check->Summary(), HasSubstr("unbalanced_entry"));
}

TEST_P(LedgerTest, CheckFindsAnOverdrawnBudget) {
  // Approved without a sanction: the entry balances, the budget goes below zero.
  ASSERT_TRUE(PostAndCommit(JournalEntry::Transfer("approve/2026-11/B1", "cycle_approval", Budget(),
                                                   Payable(), Money::FromRupees(1000)))
                  .ok());
  auto check = ledger_.Check();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->problems_found, 1);
  ASSERT_EQ(check->problems.size(), 1u);
  EXPECT_EQ(check->problems[0].kind, LedgerProblem::Kind::kWrongSideBalance);
  EXPECT_EQ(check->problems[0].subject, "scheme_budget:old_age_pension");
  EXPECT_THAT(check->problems[0].message, HasSubstr("overdrawn: balance Rs -1,000.00"));
}

TEST_P(LedgerTest, CheckOfAnEmptyLedgerIsClean) {
  auto check = ledger_.Check();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_TRUE(check->ok());
  EXPECT_EQ(check->entries, 0);
  EXPECT_EQ(check->total_debits, Money());
}

TEST_P(LedgerTest, CheckListsAtMostAHundredProblemsOfAKindButCountsAll) {
  // 150 overdrawn beneficiary payables, each from its own balanced entry.
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok());
    for (int i = 0; i < 150; ++i) {
      // Built with +=, not "B" + ...: g++ 12's -Wrestrict misfires on that at -O3.
      std::string b = "B";
      b += std::to_string(i);
      std::string key = "sent/";
      key += b;
      ASSERT_TRUE(
          ledger_
              .Post(JournalEntry::Transfer(key, "bank_file_sent", AccountKey::Payable(kScheme, b),
                                           Clearing(), Money::FromRupees(1)))
              .ok());
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto check = ledger_.Check();
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(check->problems_found, 150);
  EXPECT_EQ(check->problems.size(), 100u);
  EXPECT_THAT(check->Summary(), HasSubstr("150 problem(s) (100 listed)"));
}

TEST(AccountKeyTest, CodesNameKindSchemeAndHolder) {
  EXPECT_EQ(AccountKey::SchemeBudget("oap").Code(), "scheme_budget:oap");
  EXPECT_EQ(AccountKey::Beneficiary("oap", "70000000012").Code(), "beneficiary:oap:70000000012");
  EXPECT_EQ(AccountKey::BankClearing("oap").Code(), "bank_clearing:oap");
  EXPECT_EQ(ParseAccountKind("payable"), AccountKind::kPayable);
  EXPECT_EQ(ParseAccountKind("wallet"), std::nullopt);
  EXPECT_TRUE(AccountKey::Payable("oap", "B-1.2_x").Validate().ok());
  EXPECT_EQ(AccountKey::Payable("oap", "B:1").Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AccountKey::Treasury(std::string(65, 'x')).Validate().code(),
            StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::payments
