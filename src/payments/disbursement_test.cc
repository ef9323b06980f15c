// The chain from an approved cycle to money in accounts: instructions, bank files, status
// files, the ledger and its reconciliation, retries, drift holds, and re-entry events.
#include "payments/disbursement.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "common/verhoeff.h"
#include "gtest/gtest.h"
#include "notify/outbox.h"
#include "payments/ledger.h"
#include "payments/mapper.h"
#include "payments/reconcile.h"
#include "payments/testing/world.h"
#include "programs/reentry.h"
#include "storage/testing/test_database.h"

namespace spode::payments {
namespace {

using nlohmann::json;
using testing::kScheme;
using testing::World;

#define ASSERT_OK(expr)                       \
  do {                                        \
    Status s_ = (expr);                       \
    ASSERT_TRUE(s_.ok()) << s_;               \
  } while (false)

const Timestamp kStart = *Timestamp::Parse("2026-11-29T06:30:00Z");

class DisbursementTest : public ::testing::TestWithParam<std::string> {
 protected:
  DisbursementTest()
      : tdb_(GetParam()),
        key_(crypto::MasterKey::FromBytes(std::string(32, 'k'))),
        clock_(kStart),
        dir_(std::filesystem::temp_directory_path() /
             storage::testing::UniqueName("spode_pay_")),
        world_(tdb_.db(), clock_, key_, dir_) {}
  void SetUp() override { ASSERT_TRUE(tdb_.status().ok()) << tdb_.status(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  storage::Database& db() { return tdb_.db(); }
  int64_t Count(const std::string& sql) {
    auto r = db().QueryOne(sql);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() && *r ? (*r)->Int(0) : -1;
  }
  void ExpectReconciled() {
    auto r = Reconcile(db(), clock_, world_.out_dir());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->ok()) << r->Summary();
  }
  // An export that finishes a cycle an earlier one left part done: `more` transfers in its
  // files, `sent` instructions sent in all, no temporary file left, and the ledger reconciled.
  void ExpectTheRestExported(int64_t cycle_id, const ExportOptions& options, int64_t more,
                             int64_t sent) {
    auto rest = ExportBatches(db(), clock_, key_, cycle_id, options);
    ASSERT_TRUE(rest.ok()) << rest.status();
    int64_t transfers = 0;
    for (const ExportedFile& f : *rest) transfers += f.transactions;
    EXPECT_EQ(transfers, more);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), sent);
    for (const auto& entry : std::filesystem::directory_iterator(world_.out_dir())) {
      EXPECT_NE(entry.path().extension(), ".tmp") << entry.path() << " left behind";
    }
    ExpectReconciled();
  }
  // The cycle 2026-11 of a world of `households`, created, approved and its instructions
  // generated: its id.
  Result<int64_t> GeneratedCycle(int households) {
    RETURN_IF_ERROR(world_.Build(households));
    ASSIGN_OR_RETURN(programs::CycleSummary c, world_.Create("2026-11"));
    RETURN_IF_ERROR(world_.ApproveAll(c.cycle_id));
    RETURN_IF_ERROR(GenerateInstructions(db(), clock_, c.cycle_id).status());
    return c.cycle_id;
  }
  int64_t IdOf(const std::string& period) {
    auto c = programs::FindCycle(db(), std::string(kScheme) + "/" + period);
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->cycle_id : 0;
  }

  storage::testing::TestDatabase tdb_;
  crypto::MasterKey key_;
  ManualTimeSource clock_;
  std::filesystem::path dir_;
  World world_;
};

TEST_P(DisbursementTest, CycleIsPaidOnceWithReturnsExplainedAndTheLedgerReconciles) {
  ASSERT_OK(world_.Build(30));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto c = programs::FindCycle(db(), std::to_string(*cycle));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->status, "approved");
  EXPECT_EQ(c->beneficiaries, 30);
  // Household n's head is born in 1937 + n % 30: all are 60 or more on 2026-11-01.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 30);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT bank) FROM payment_batches"), 3);
  for (const auto& f : std::filesystem::directory_iterator(world_.out_dir())) {
    EXPECT_EQ(f.path().extension(), ".xml") << f.path();
  }
  ExpectReconciled();

  auto csv = world_.BankStatusCsv(0.2, 11);
  ASSERT_TRUE(csv.ok());
  auto report = ImportStatusFile(db(), clock_, *csv, "status.csv");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied, 30);
  EXPECT_EQ(report->paid + report->rejected, 30);
  EXPECT_GT(report->rejected, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'paid'"),
            report->paid);
  // Every rejection is a re-entry event with its reason in both languages, and a message.
  auto events = programs::ListReentryEvents(db(), {.scheme_id = kScheme});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(static_cast<int64_t>(events->size()), report->rejected);
  for (const auto& e : *events) {
    EXPECT_EQ(e.event.kind, programs::ReentryKind::kPaymentRejected);
    EXPECT_FALSE(e.event.detail.value("reason_hi", "").empty());
    EXPECT_EQ(e.event.detail.value("who_acts", ""), "citizen");
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE template = 'payment_returned'"),
            report->rejected);
  ExpectReconciled();

  // The same file again changes nothing.
  auto again = ImportStatusFile(db(), clock_, *csv, "status-copy.csv");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_imported);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reentry_events"), report->rejected);
  ExpectReconciled();
}

// The export sorts each file's transfers by instruction id itself (OrderByBytes), and the import
// writes runs of neighbouring rows with one statement: every file must list its ids in byte
// order, and every status line must land on its own instruction, whatever the lines around it.
TEST_P(DisbursementTest, FilesListIdsInOrderAndEachStatusLineLandsOnItsInstruction) {
  ASSERT_OK(world_.Build(40));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  int64_t listed = 0;
  for (const auto& f : std::filesystem::directory_iterator(world_.out_dir())) {
    std::ifstream in(f.path(), std::ios::binary);
    std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> ids;
    const std::string open = "<EndToEndId>", close = "</EndToEndId>";
    for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
      at += open.size();
      ids.push_back(xml.substr(at, xml.find(close, at) - at));
    }
    ASSERT_FALSE(ids.empty()) << f.path();
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << f.path();
    listed += static_cast<int64_t>(ids.size());
  }
  EXPECT_EQ(listed, 40);

  // Lines in table order, so that neighbouring rows are named together: runs of paid lines
  // broken by rejections and acceptances, one instruction named twice (accepted, then paid).
  auto rows = db().Query("SELECT instruction_id FROM payment_instructions ORDER BY cycle_id, "
                         "beneficiary_idx");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 40u);
  std::string csv = "end_to_end_id,status,reason_code\n";
  std::map<std::string, std::pair<std::string, std::string>> expected;  // status, reason
  for (size_t i = 0; i < rows->size(); ++i) {
    std::string id = (*rows)[i].Text(0);
    if (i % 7 == 3) {
      csv += id + ",RJCT,AC04\n";
      expected[id] = {"rejected", "AC04"};
    } else if (i % 11 == 5) {
      csv += id + ",ACSP,\n";
      expected[id] = {"accepted", ""};
    } else if (i == 20) {
      csv += id + ",ACSP,\n" + id + ",ACSC,\n";
      expected[id] = {"paid", ""};
    } else {
      csv += id + ",ACSC,\n";
      expected[id] = {"paid", ""};
    }
  }
  auto report = ImportStatusFile(db(), clock_, csv, "status.csv");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->rejected, 6);
  auto after = db().Query("SELECT instruction_id, status, COALESCE(reason_code, '') FROM "
                          "payment_instructions");
  ASSERT_TRUE(after.ok()) << after.status();
  for (const storage::Row& r : *after) {
    EXPECT_EQ(r.Text(1), expected[r.Text(0)].first) << r.Text(0);
    EXPECT_EQ(r.Text(2), expected[r.Text(0)].second) << r.Text(0);
  }
  ExpectReconciled();
}

// The import reads a cycle's rows in one walk from its first beneficiary's row to its last's:
// a row that lies outside that span (here moved there) is found through the key's index.
TEST_P(DisbursementTest, AStatusLineFindsItsInstructionWhereverItsRowLies) {
  ASSERT_OK(world_.Build(40));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto rows = db().Query("SELECT instruction_id, beneficiary_idx FROM payment_instructions "
                         "ORDER BY cycle_id, beneficiary_idx");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 40u);
  if (db().dialect() == storage::Dialect::kSqlite) {
    for (size_t i : {5u, 17u, 30u}) {
      ASSERT_OK(db().Execute("UPDATE payment_instructions SET rowid = rowid + 1000000 WHERE "
                             "beneficiary_idx = ?",
                             {(*rows)[i].Int(1)})
                    .status());
    }
  }
  std::string csv = "end_to_end_id,status,reason_code\n";
  for (size_t i = 0; i < rows->size(); ++i) {
    csv += (*rows)[i].Text(0) + (i % 5 == 0 ? ",RJCT,AC04\n" : ",ACSC,\n");
  }
  auto report = ImportStatusFile(db(), clock_, csv, "status.csv");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->unknown, 0);
  EXPECT_EQ(report->paid, 32);
  EXPECT_EQ(report->rejected, 8);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'paid'"), 32);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'rejected' AND "
                  "reason_code = 'AC04'"),
            8);
  ExpectReconciled();
}

// A file naming thousands of instructions is looked up in two halves at once (on an
// SQLite file, through a second connection): every line lands on its own instruction.
TEST_P(DisbursementTest, ALargeFileIsLookedUpInHalvesAndEveryLineLands) {
  constexpr size_t kMany = 4000;  // above the import's kHalvesFrom (2,048)
  ASSERT_OK(world_.Build(kMany, 100'000'000'000, testing::SpreadHouseholdLine));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto rows = db().Query("SELECT instruction_id FROM payment_instructions");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), kMany);
  std::string csv = "end_to_end_id,status,reason_code\n";
  std::map<std::string, std::string> expected;
  for (size_t i = 0; i < rows->size(); ++i) {
    const std::string id = (*rows)[i].Text(0);
    const bool rejected = i % 97 == 0;
    csv += id + (rejected ? ",RJCT,AC04\n" : ",ACSC,\n");
    expected[id] = rejected ? "rejected" : "paid";
  }
  auto report = ImportStatusFile(db(), clock_, csv, "status.csv");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->unknown, 0);
  EXPECT_EQ(report->applied, static_cast<int64_t>(kMany));
  auto after = db().Query("SELECT instruction_id, status FROM payment_instructions");
  ASSERT_TRUE(after.ok()) << after.status();
  size_t right = 0;
  for (const storage::Row& r : *after) right += expected[r.Text(0)] == r.Text(1) ? 1 : 0;
  EXPECT_EQ(right, kMany);
  ExpectReconciled();
}

// A cycle of thousands goes from the generator's scan to its INSERT in several chunks (on an
// SQLite file, the scan on a second thread): every instruction carries its own entitlement's
// and account's values, and those not ready, wherever they fall, their status and reason.
TEST_P(DisbursementTest, InstructionsGeneratedInSeveralChunksEachCarryTheirOwnValues) {
  constexpr size_t kMany = 9000;  // 9 of the generator's chunks (1,024 rows); it keeps 3
  ASSERT_OK(world_.Build(kMany, 100'000'000'000, testing::SpreadHouseholdLine));
  auto heads = db().Query("SELECT member_idx FROM members WHERE relationship = 'head' ORDER BY "
                          "member_idx");
  ASSERT_TRUE(heads.ok()) << heads.status();
  ASSERT_EQ(heads->size(), kMany);
  // One payee's account closed in each chunk: the first, the middle and the last.
  std::set<int64_t> closed = {(*heads)[5].Int(0), (*heads)[4500].Int(0),
                              (*heads)[kMany - 1].Int(0)};
  Mapper mapper(db(), clock_);
  for (int64_t m : closed) {
    ASSERT_TRUE(mapper.Unlink(m, {.party = "bank:SBIN", .reason = "account closed"}).ok());
  }
  auto cycle = world_.Create("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  ASSERT_OK(world_.ApproveAll(cycle->cycle_id));
  auto gen = GenerateInstructions(db(), clock_, cycle->cycle_id);
  ASSERT_TRUE(gen.ok()) << gen.status();
  EXPECT_EQ(gen->created, static_cast<int64_t>(kMany));
  EXPECT_EQ(gen->ready, static_cast<int64_t>(kMany - closed.size()));
  EXPECT_EQ(gen->invalid, static_cast<int64_t>(closed.size()));
  auto rows = db().Query(
      "SELECT i.instruction_id, m.member_id, i.payee_member_idx, i.status, i.reason_code, "
      "i.bank, i.address_id, a.address_id, i.ifsc, a.ifsc, i.account_last4, a.account_last4, "
      "i.amount_paise, e.amount_paise, i.household_idx, e.household_idx, i.attempt, "
      "i.updated_at_us, i.batch_id FROM payment_instructions i JOIN cycle_entitlements e ON "
      "e.cycle_id = i.cycle_id AND e.beneficiary_idx = i.beneficiary_idx JOIN members m ON "
      "m.member_idx = i.payee_member_idx LEFT JOIN mapper_addresses a ON a.member_idx = "
      "i.payee_member_idx AND a.unlinked_at_us IS NULL ORDER BY i.beneficiary_idx");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), kMany);
  size_t wrong = 0;
  std::string first_wrong;
  for (const storage::Row& r : *rows) {
    bool right = r.Text(0) == InstructionId(kScheme, "2026-11", r.Text(1)) &&
                 r.Int(12) == r.Int(13) && r.Int(14) == r.Int(15) && r.Int(16) == 1 &&
                 r.Int(17) == clock_.Now().micros && r.IsNull(18);
    if (closed.count(r.Int(2)) > 0) {
      right = right && r.Text(3) == "invalid" && r.Text(4) == "no_account" && r.IsNull(5) &&
              r.IsNull(6) && r.IsNull(8) && r.IsNull(10);
    } else {
      right = right && r.Text(3) == "ready" && r.IsNull(4) && r.Text(5) == r.Text(9).substr(0, 4) &&
              r.Int(6) == r.Int(7) && r.Text(8) == r.Text(9) && r.Text(10) == r.Text(11);
    }
    if (!right && wrong++ == 0) first_wrong = r.Text(0) + " (" + r.Text(3) + ")";
  }
  EXPECT_EQ(wrong, 0u) << "first: " << first_wrong;
}

TEST_P(DisbursementTest, AnIdFindsItsInstructionByKeyAndNothingElse) {
  ASSERT_OK(world_.Build(8));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto rows = db().Query("SELECT instruction_id, cycle_id, beneficiary_idx, scheme_id FROM "
                         "payment_instructions");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 8u);
  for (const storage::Row& r : *rows) {
    auto found = FindInstruction(db(), r.Text(0));
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(found->has_value()) << r.Text(0);
    EXPECT_EQ((*found)->cycle_id, r.Int(1));
    EXPECT_EQ((*found)->beneficiary_idx, r.Int(2));
    EXPECT_EQ((*found)->scheme_id, r.Text(3));
  }
  const std::string id = (*rows)[0].Text(0);  // "<period>-<member ID>-<8 hex>"
  const size_t first = id.find('-'), last = id.rfind('-');
  std::string other_hash = id;
  other_hash.back() = id.back() == '0' ? '1' : '0';
  std::vector<std::string> strangers = {
      "",
      "-",
      id + "0",                                                   // hash one digit too long
      id.substr(0, first) + "-" + id.substr(last),                // no beneficiary
      "202612" + id.substr(first),                                // a period without a cycle
      other_hash,                                                 // another scheme's hash
      id.substr(0, first + 1) + "1234567890" + id.substr(last),   // a family ID, person scheme
      // no such member (its check digit right), then one with a wrong check digit
      id.substr(0, first + 1) + WithVerhoeffDigit("9999999999") + id.substr(last),
      id.substr(0, first + 1) + "99999999999" + id.substr(last),
  };
  for (const std::string& x : strangers) {
    auto found = FindInstruction(db(), x);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_FALSE(found->has_value()) << "'" << x << "'";
  }
  // A status line naming any of them is reported, and changes nothing.
  std::string csv = "end_to_end_id,status\n" + strangers[4] + ",ACSC\n" + strangers[7] + ",ACSC\n";
  auto report = ImportStatusFile(db(), clock_, csv, "strangers.csv");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->applied, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 8);
}

// payments/0011 and the migrations after it on a database written before them: the
// instructions lose their index of ids and the foreign key on their batch (0013), the attempts
// gain their instruction's key, and nothing else changes.
TEST_P(DisbursementTest, TheKeyMigrationKeepsEveryInstructionAndAttempt) {
  ASSERT_OK(world_.Build(12));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto ids = db().Query("SELECT instruction_id FROM payment_instructions ORDER BY cycle_id, "
                        "beneficiary_idx");
  ASSERT_TRUE(ids.ok() && ids->size() == 12u);
  std::string csv = "end_to_end_id,status,reason_code\n" + (*ids)[2].Text(0) + ",RJCT,AC04\n" +
                    (*ids)[5].Text(0) + ",RJCT,AC01\n";
  ASSERT_TRUE(ImportStatusFile(db(), clock_, csv, "s1.csv").ok());
  ASSERT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts"), 2);
  const std::string kBefore =
      "SELECT instruction_id, scheme_id, cycle_id, beneficiary_idx, household_idx, "
      "payee_member_idx, amount_paise, status, attempt, COALESCE(address_id, 0), "
      "COALESCE(ifsc, ''), COALESCE(account_last4, ''), COALESCE(bank, ''), "
      "COALESCE(batch_id, 0), COALESCE(reason_code, ''), updated_at_us FROM "
      "payment_instructions ORDER BY instruction_id";
  const std::string kAttempts =
      "SELECT instruction_id, attempt, COALESCE(batch_id, 0), amount_paise, "
      "COALESCE(address_id, 0), COALESCE(ifsc, ''), outcome, COALESCE(reason_code, ''), at_us "
      "FROM instruction_attempts ORDER BY instruction_id, attempt";
  auto instructions = db().Query(kBefore);
  auto attempts = db().Query(kAttempts);
  ASSERT_TRUE(instructions.ok() && attempts.ok());

  // Back to the tables as payments/0010 made them, the data kept.
  const bool sqlite = db().dialect() == storage::Dialect::kSqlite;
  if (sqlite) {
    ASSERT_OK(db().ExecScript(R"sql(
PRAGMA foreign_keys = OFF;
BEGIN;
DROP INDEX payment_instructions_ready;
DROP INDEX payment_instructions_payee;
DROP INDEX payment_instructions_batch;
DROP INDEX instruction_attempts_batch;
ALTER TABLE payment_instructions RENAME TO pi_keyed;
ALTER TABLE instruction_attempts RENAME TO ia_keyed;
CREATE TABLE payment_instructions (
  instruction_id TEXT PRIMARY KEY, scheme_id TEXT NOT NULL, cycle_id BIGINT NOT NULL,
  beneficiary_idx BIGINT NOT NULL, household_idx BIGINT NOT NULL,
  payee_member_idx BIGINT NOT NULL, amount_paise BIGINT NOT NULL, status TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1, address_id BIGINT, ifsc TEXT, account_last4 TEXT,
  bank TEXT, batch_id BIGINT REFERENCES payment_batches (batch_id), reason_code TEXT,
  updated_at_us BIGINT NOT NULL,
  CONSTRAINT payment_instructions_one UNIQUE (cycle_id, beneficiary_idx, scheme_id));
INSERT INTO payment_instructions SELECT * FROM pi_keyed;
CREATE TABLE instruction_attempts (
  instruction_id TEXT NOT NULL REFERENCES payment_instructions (instruction_id),
  attempt INTEGER NOT NULL, batch_id BIGINT REFERENCES payment_batches (batch_id),
  amount_paise BIGINT NOT NULL, address_id BIGINT, ifsc TEXT, outcome TEXT NOT NULL,
  reason_code TEXT, at_us BIGINT NOT NULL, PRIMARY KEY (instruction_id, attempt));
INSERT INTO instruction_attempts SELECT instruction_id, attempt, batch_id, amount_paise,
  address_id, ifsc, outcome, reason_code, at_us FROM ia_keyed;
DROP TABLE pi_keyed;
DROP TABLE ia_keyed;
CREATE INDEX payment_instructions_ready ON payment_instructions
  (scheme_id, bank, cycle_id, beneficiary_idx) WHERE status = 'ready';
CREATE INDEX payment_instructions_payee ON payment_instructions (payee_member_idx);
CREATE INDEX payment_instructions_batch ON payment_instructions (batch_id)
  WHERE batch_id IS NOT NULL;
CREATE INDEX instruction_attempts_batch ON instruction_attempts (batch_id);
DELETE FROM schema_migrations WHERE id IN ('payments/0011_instruction_key',
  'payments/0012_ready_amount', 'payments/0013_claim_walk');
COMMIT;
PRAGMA foreign_keys = ON;
)sql"));
  } else {
    ASSERT_OK(db().ExecScript(R"sql(
ALTER TABLE payment_instructions ADD CONSTRAINT payment_instructions_pkey
  PRIMARY KEY (instruction_id);
ALTER TABLE instruction_attempts ADD CONSTRAINT instruction_attempts_instruction_id_fkey
  FOREIGN KEY (instruction_id) REFERENCES payment_instructions (instruction_id);
ALTER TABLE instruction_attempts DROP COLUMN cycle_id;
ALTER TABLE instruction_attempts DROP COLUMN beneficiary_idx;
ALTER TABLE payment_instructions ADD CONSTRAINT payment_instructions_batch_id_fkey
  FOREIGN KEY (batch_id) REFERENCES payment_batches (batch_id);
DELETE FROM schema_migrations WHERE id IN ('payments/0011_instruction_key',
  'payments/0012_ready_amount', 'payments/0013_claim_walk');
)sql"));
  }
  auto ran = storage::ApplyMigrations(db(), testing::AllMigrations());
  ASSERT_TRUE(ran.ok()) << ran.status();
  EXPECT_EQ(*ran, 3);

  auto instructions_after = db().Query(kBefore);
  auto attempts_after = db().Query(kAttempts);
  ASSERT_TRUE(instructions_after.ok() && attempts_after.ok());
  ASSERT_EQ(instructions_after->size(), instructions->size());
  for (size_t i = 0; i < instructions->size(); ++i) {
    for (size_t c = 0; c < 16; ++c) {
      EXPECT_EQ((*instructions_after)[i].value(c), (*instructions)[i].value(c)) << i << "," << c;
    }
  }
  ASSERT_EQ(attempts_after->size(), attempts->size());
  for (size_t i = 0; i < attempts->size(); ++i) {
    for (size_t c = 0; c < 9; ++c) {
      EXPECT_EQ((*attempts_after)[i].value(c), (*attempts)[i].value(c)) << i << "," << c;
    }
  }
  // Each attempt carries its instruction's key.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts t JOIN payment_instructions i ON "
                  "i.instruction_id = t.instruction_id AND i.cycle_id = t.cycle_id AND "
                  "i.beneficiary_idx = t.beneficiary_idx"),
            2);
  // No index of ids is left; the key still refuses a second instruction.
  EXPECT_EQ(Count(sqlite ? "SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = "
                           "'payment_instructions' AND sql IS NULL AND name LIKE "
                           "'sqlite_autoindex%'"
                         : "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = "
                           "current_schema() AND tablename = 'payment_instructions' AND indexdef "
                           "LIKE '%UNIQUE%'"),
            1);  // the unique key's only
  // Its foreign keys are the cycle's and the entitlement's; none binds it to its batch.
  EXPECT_EQ(Count(sqlite ? "SELECT COUNT(DISTINCT id) FROM "
                           "pragma_foreign_key_list('payment_instructions') WHERE \"table\" IN "
                           "('cycles', 'cycle_entitlements')"
                         : "SELECT COUNT(*) FROM information_schema.table_constraints WHERE "
                           "table_schema = current_schema() AND table_name = "
                           "'payment_instructions' AND constraint_type = 'FOREIGN KEY'"),
            2);
  EXPECT_EQ(Count(sqlite ? "SELECT COUNT(*) FROM pragma_foreign_key_list('payment_instructions')"
                           " WHERE \"table\" = 'payment_batches'"
                         : "SELECT COUNT(*) FROM information_schema.table_constraints WHERE "
                           "table_schema = current_schema() AND table_name = "
                           "'payment_instructions' AND constraint_name = "
                           "'payment_instructions_batch_id_fkey'"),
            0);
  EXPECT_FALSE(db().Execute("INSERT INTO payment_instructions SELECT * FROM payment_instructions "
                            "WHERE instruction_id = ?",
                            {(*ids)[0].Text(0)})
                   .ok());
  // And the chain goes on: the rejected payment, its account fixed, is sent and paid.
  std::string rejected = (*ids)[2].Text(0);
  auto payee = db().QueryOne("SELECT i.payee_member_idx, m.name FROM payment_instructions i JOIN "
                             "members m ON m.member_idx = i.payee_member_idx WHERE "
                             "i.instruction_id = ?",
                             {rejected});
  ASSERT_TRUE(payee.ok() && *payee);
  Mapper mapper(db(), clock_);
  ASSERT_TRUE(mapper
                  .Update((*payee)->Int(0),
                          FinancialAddress::BankAccount("SBIN0009999", "55500011122",
                                                        (*payee)->Text(1)),
                          {.party = "officer:block.officer", .reason = "new account"}, key_)
                  .ok());
  ASSERT_OK(RequeueInstruction(db(), clock_, rejected, "user:block.officer"));
  auto sent = ExportBatches(db(), clock_, key_, *cycle, world_.Export());
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_EQ(sent->size(), 1u);
  auto paid = ImportStatusFile(db(), clock_, "end_to_end_id,status\n" + rejected + ",ACSC\n",
                               "s2.csv");
  ASSERT_TRUE(paid.ok()) << paid.status();
  EXPECT_EQ(paid->paid, 1);
}

TEST_P(DisbursementTest, RerunningEveryStepCreatesNothingNewAndTheDatabaseRefusesDuplicates) {
  ASSERT_OK(world_.Build(12));
  auto first = world_.RunCycle("2026-11");
  ASSERT_TRUE(first.ok()) << first.status();
  int64_t instructions = Count("SELECT COUNT(*) FROM payment_instructions");
  int64_t files = Count("SELECT COUNT(*) FROM payment_batches");
  auto again = world_.RunCycle("2026-11");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *first);
  auto gen = GenerateInstructions(db(), clock_, *first);
  ASSERT_TRUE(gen.ok());
  EXPECT_EQ(gen->created, 0);
  EXPECT_EQ(gen->existing, instructions);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions"), instructions);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_batches"), files);

  // Raw SQL cannot add a second instruction for a beneficiary, nor one for another amount.
  auto row = db().QueryOne("SELECT scheme_id, cycle_id, beneficiary_idx, household_idx, "
                           "payee_member_idx, amount_paise FROM payment_instructions LIMIT 1");
  ASSERT_TRUE(row.ok() && *row);
  const storage::Row& r = **row;
  auto dup = db().Execute("INSERT INTO payment_instructions (instruction_id, scheme_id, cycle_id, "
                          "beneficiary_idx, household_idx, payee_member_idx, amount_paise, "
                          "status, updated_at_us) VALUES ('X-1', ?, ?, ?, ?, ?, ?, 'ready', 0)",
                          {r.Text(0), r.Int(1), r.Int(2), r.Int(3), r.Int(4), r.Int(5)});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists) << dup.status();
  ASSERT_TRUE(db().Execute("DELETE FROM payment_instructions WHERE beneficiary_idx = ? AND "
                           "status = 'ready'",
                           {r.Int(2)})
                  .ok());
  auto more = db().Execute("INSERT INTO payment_instructions (instruction_id, scheme_id, "
                           "cycle_id, beneficiary_idx, household_idx, payee_member_idx, "
                           "amount_paise, status, updated_at_us) VALUES ('X-2', ?, ?, 999999, ?, "
                           "?, ?, 'ready', 0)",
                           {r.Text(0), r.Int(1), r.Int(3), r.Int(4), r.Int(5)});
  EXPECT_EQ(more.status().code(), StatusCode::kFailedPrecondition) << more.status();
}

TEST_P(DisbursementTest, ApprovalsFollowTiersMakerCheckerAndBudget) {
  // A budget for eleven months of the 30 pensioners' Rs 1,000-1,500 is too little for a
  // cycle costing more than it.
  ASSERT_OK(world_.Build(9, /*budget_paise=*/500000));
  auto c = world_.Create("2026-11");
  ASSERT_TRUE(c.ok()) << c.status();
  int64_t id = c->cycle_id;
  auto& store = world_.store();
  // The maker cannot approve; the state cannot go first; one officer, one tier.
  auto maker = ApproveCycle(db(), clock_, store, id,
                            {.actor = "user:district.clerk", .level = "district"});
  EXPECT_EQ(maker.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(maker.status().message().find("maker-checker"), std::string::npos);
  auto state_first = ApproveCycle(db(), clock_, store, id,
                                  {.actor = "user:state.head", .level = "state"});
  EXPECT_EQ(state_first.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(state_first.status().message().find("district level"), std::string::npos);
  // Over budget: Rs 5,000 sanctioned, the cycle costs more.
  ASSERT_GT(c->total.paise(), 500000);
  auto over = ApproveCycle(db(), clock_, store, id,
                           {.actor = "user:district.head", .level = "district"});
  EXPECT_EQ(over.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(over.status().message().find("budget"), std::string::npos) << over.status();
  // The database itself refuses the maker as approver and a tier out of order.
  auto raw = db().Execute("INSERT INTO cycle_approvals (cycle_id, tier, prev_tier, level, "
                          "approved_by, maker, total_paise, approved_at_us) VALUES (?, 1, NULL, "
                          "'district', 'user:district.clerk', 'user:district.clerk', 1, 0)",
                          {id});
  EXPECT_EQ(raw.status().code(), StatusCode::kFailedPrecondition);
  auto skip = db().Execute("INSERT INTO cycle_approvals (cycle_id, tier, prev_tier, level, "
                           "approved_by, maker, total_paise, approved_at_us) VALUES (?, 2, 1, "
                           "'state', 'user:x', 'user:district.clerk', 1, 0)",
                           {id});
  EXPECT_EQ(skip.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cycle_approvals"), 0);
  auto preview = programs::ApprovalPreview(db(), store, id);
  ASSERT_TRUE(preview.ok());
  EXPECT_FALSE((*preview)["within_budget"].get<bool>());
}

TEST_P(DisbursementTest, TiersInOrderPostTheLedgerOnceAtTheEnd) {
  ASSERT_OK(world_.Build(6));
  auto c = world_.Create("2026-11");
  ASSERT_TRUE(c.ok());
  auto& store = world_.store();
  auto t1 = ApproveCycle(db(), clock_, store, c->cycle_id,
                         {.actor = "user:district.head", .level = "district"});
  ASSERT_TRUE(t1.ok()) << t1.status();
  EXPECT_FALSE(t1->final);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM ledger_entries"), 0);
  // The same approval again (a retry) is answered and changes nothing.
  auto retry = ApproveCycle(db(), clock_, store, c->cycle_id,
                            {.actor = "user:district.head", .level = "district"});
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(retry->repeated);
  EXPECT_EQ(retry->tier, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM cycle_approvals"), 1);
  auto twice = ApproveCycle(db(), clock_, store, c->cycle_id,
                            {.actor = "user:district.head", .level = "state"});
  EXPECT_EQ(twice.status().code(), StatusCode::kFailedPrecondition);
  auto t2 = ApproveCycle(db(), clock_, store, c->cycle_id,
                         {.actor = "user:state.head", .level = "state"});
  ASSERT_TRUE(t2.ok()) << t2.status();
  EXPECT_TRUE(t2->final);
  Ledger ledger(db(), clock_);
  auto payable = ledger.Balance(AccountKey::Payable(kScheme));
  ASSERT_TRUE(payable.ok());
  EXPECT_EQ(*payable, c->total);
  ExpectReconciled();
}

TEST_P(DisbursementTest, ARejectedPaymentIsRetriedWithTheSameIdAfterTheAccountIsFixed) {
  ASSERT_OK(world_.Build(6));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok());
  auto first = db().QueryOne("SELECT instruction_id, payee_member_idx, amount_paise FROM "
                             "payment_instructions ORDER BY instruction_id LIMIT 1");
  ASSERT_TRUE(first.ok() && *first);
  std::string id = (*first)->Text(0);
  int64_t payee = (*first)->Int(1), amount = (*first)->Int(2);
  std::string csv = "end_to_end_id,status,reason_code\n" + id + ",RJCT,AC04\n";
  ASSERT_TRUE(ImportStatusFile(db(), clock_, csv, "s1.csv").ok());
  // Nothing goes out again by itself: account closed needs the citizen to act.
  auto none = ExportBatches(db(), clock_, key_, *cycle, world_.Export());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // The citizen opens a new account; it is linked; the payment is sent again with the same id.
  Mapper mapper(db(), clock_);
  auto member_name = db().QueryOne("SELECT name FROM members WHERE member_idx = ?", {payee});
  ASSERT_TRUE(mapper
                  .Update(payee,
                          FinancialAddress::BankAccount("SBIN0009999", "55500011122",
                                                        (*member_name)->Text(0)),
                          {.party = "officer:block.officer", .reason = "new account"}, key_)
                  .ok());
  ASSERT_OK(RequeueInstruction(db(), clock_, id, "user:block.officer"));
  EXPECT_EQ(RequeueInstruction(db(), clock_, id, "user:block.officer").code(),
            StatusCode::kFailedPrecondition);  // ready already
  auto sent = ExportBatches(db(), clock_, key_, *cycle, world_.Export());
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].transactions, 1);
  {
    std::ifstream f((*sent)[0].path);
    std::string xml((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_NE(xml.find("55500011122"), std::string::npos);
    EXPECT_NE(xml.find(id), std::string::npos);
  }
  std::string ok = "end_to_end_id,status\n" + id + ",ACSC\n";
  auto paid = ImportStatusFile(db(), clock_, ok, "s2.csv");
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->paid, 1);
  auto row = db().QueryOne("SELECT status, attempt FROM payment_instructions WHERE "
                           "instruction_id = ?",
                           {id});
  EXPECT_EQ((*row)->Text(0), "paid");
  EXPECT_EQ((*row)->Int(1), 2);
  // Paid once: a second ACSC for the same attempt is unchanged.
  auto repeat = ImportStatusFile(db(), clock_, ok + "\n", "s3.csv");
  ASSERT_TRUE(repeat.ok());
  EXPECT_EQ(repeat->applied, 0);
  EXPECT_EQ(repeat->unchanged, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts WHERE instruction_id = '" + id +
                  "'"),
            1);
  Ledger ledger(db(), clock_);
  auto paid_at = ledger.Balance(AccountKey::Beneficiary(kScheme, "SBIN"));
  ASSERT_TRUE(paid_at.ok());
  EXPECT_EQ(paid_at->paise(), amount);
  ExpectReconciled();
}

TEST_P(DisbursementTest, AChangedAccountHoldsTheNextPaymentUntilTheCitizenConfirms) {
  ASSERT_OK(world_.Build(4));
  auto c1 = world_.RunCycle("2026-10");
  ASSERT_TRUE(c1.ok()) << c1.status();
  auto csv = world_.BankStatusCsv(0.0, 1);
  ASSERT_TRUE(ImportStatusFile(db(), clock_, *csv, "oct.csv").ok());
  auto victim = db().QueryOne("SELECT payee_member_idx FROM payment_instructions ORDER BY "
                              "instruction_id LIMIT 1");
  int64_t payee = (*victim)->Int(0);
  auto name = db().QueryOne("SELECT name FROM members WHERE member_idx = ?", {payee});
  Mapper mapper(db(), clock_);
  ASSERT_TRUE(mapper
                  .Update(payee,
                          FinancialAddress::BankAccount("HDFC0001111", "99988877766",
                                                        (*name)->Text(0)),
                          {.party = "bank:HDFC", .reason = "seeded link"}, key_)
                  .ok());
  auto c2 = world_.RunCycle("2026-11");
  ASSERT_TRUE(c2.ok()) << c2.status();
  auto held = db().QueryOne("SELECT instruction_id, status FROM payment_instructions WHERE "
                            "cycle_id = ? AND payee_member_idx = ?",
                            {*c2, payee});
  ASSERT_TRUE(held.ok() && *held);
  EXPECT_EQ((*held)->Text(1), "held");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE cycle_id = " +
                  std::to_string(*c2) + " AND status = 'sent'"),
            3);
  auto events = programs::ListReentryEvents(db(), {.member_idx = payee});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event.kind, programs::ReentryKind::kPaymentHeld);
  EXPECT_NE((*events)[0].event.detail["destination"].get<std::string>().find("HDFC0001111"),
            std::string::npos);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE template = 'payment_held'"), 1);
  // Officers see it; the citizen confirms; it goes out.
  auto progress = CycleProgress(db(), *c2);
  ASSERT_TRUE(progress.ok());
  EXPECT_EQ((*progress)["instructions"]["held"]["count"], 1);
  ASSERT_TRUE(ConfirmDestination(db(), clock_, (*held)->Text(0), "operator:csc.ram").ok());
  auto sent = ExportBatches(db(), clock_, key_, *c2, world_.Export());
  ASSERT_TRUE(sent.ok());
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].bank, "HDFC");
  ExpectReconciled();
}

TEST_P(DisbursementTest, AStatusFileChangesOnlyWhatItMay) {
  ASSERT_OK(world_.Build(5));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok());
  auto ids = db().Query("SELECT instruction_id FROM payment_instructions ORDER BY 1");
  ASSERT_TRUE(ids.ok());
  ASSERT_GE(ids->size(), 3u);
  std::string a = (*ids)[0].Text(0), b = (*ids)[1].Text(0), c = (*ids)[2].Text(0);
  ASSERT_TRUE(ImportStatusFile(db(), clock_, "end_to_end_id,status\n" + a + ",ACSC\n", "1.csv")
                  .ok());
  std::string bad = "end_to_end_id,status,reason_code\n" +
                    a + ",RJCT,AC04\n" +                // contradicts the final ACSC
                    "202611-00000000000-deadbeef,ACSC,\n" +  // unknown
                    b + ",ACSC,\n" + b + ",ACSC,\n" +  // repeated
                    c + ",ACSC,\n" + c + ",RJCT,AC04\n";  // conflicting in the file
  auto r = ImportStatusFile(db(), clock_, bad, "2.csv");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->contradicting, 1);
  EXPECT_EQ(r->unknown, 1);
  EXPECT_EQ(r->repeated, 1);
  EXPECT_EQ(r->conflicting, 2);
  EXPECT_EQ(r->applied, 1);  // b's first line
  EXPECT_GE(r->messages.size(), 4u);
  auto status_of = [&](const std::string& id) {
    return (*db().QueryOne("SELECT status FROM payment_instructions WHERE instruction_id = ?",
                           {id}))->Text(0);
  };
  EXPECT_EQ(status_of(a), "paid");
  EXPECT_EQ(status_of(b), "paid");
  EXPECT_EQ(status_of(c), "sent");
  ExpectReconciled();
}

// Lines that move one instruction forward several times in one file are all applied, in the
// file's order: it ends at the last (on PostgreSQL the updates go in as one UPDATE ... FROM of
// each instruction's last status).
TEST_P(DisbursementTest, AFileThatMovesAnInstructionSeveralTimesLeavesItAtTheLast) {
  ASSERT_OK(world_.Build(5));
  auto cycle = world_.RunCycle("2026-11");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto ids = db().Query("SELECT instruction_id FROM payment_instructions ORDER BY 1");
  ASSERT_TRUE(ids.ok());
  ASSERT_EQ(ids->size(), 5u);
  const std::string a = (*ids)[0].Text(0), b = (*ids)[1].Text(0), c = (*ids)[2].Text(0),
                    d = (*ids)[3].Text(0), e = (*ids)[4].Text(0);
  // e: a technical failure (AB05, a timeout at the bank), sent again as it is, untold.
  std::string csv = "end_to_end_id,status,reason_code\n" + a + ",ACCP,\n" + b + ",ACSC,\n" +
                    a + ",ACSC,\n" + c + ",ACCP,\n" + e + ",RJCT,AB05\n" + a + ",RTND,AC04\n" +
                    d + ",RJCT,AC01\n";
  auto r = ImportStatusFile(db(), clock_, csv, "moves.csv");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->applied, 7);
  EXPECT_EQ(r->returned, 1);
  EXPECT_EQ(r->rejected, 2);
  EXPECT_EQ(r->requeued, 1);
  auto again = db().QueryOne("SELECT status, attempt, batch_id IS NULL FROM payment_instructions "
                             "WHERE instruction_id = ?",
                             {e});
  ASSERT_TRUE(again.ok() && *again);
  EXPECT_EQ((*again)->Text(0), "ready");
  EXPECT_EQ((*again)->Int(1), 2);
  EXPECT_EQ((*again)->Int(2), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts WHERE instruction_id = '" + e +
                  "' AND attempt = 1 AND outcome = 'rejected' AND reason_code = 'AB05' AND "
                  "batch_id IS NOT NULL"),
            1);
  auto row = [&](const std::string& id) {
    return *db().QueryOne("SELECT status, COALESCE(reason_code, '') FROM payment_instructions "
                          "WHERE instruction_id = ?",
                          {id});
  };
  EXPECT_EQ(row(a)->Text(0), "returned");
  EXPECT_EQ(row(a)->Text(1), "AC04");
  EXPECT_EQ(row(b)->Text(0), "paid");
  EXPECT_EQ(row(b)->Text(1), "");
  EXPECT_EQ(row(c)->Text(0), "accepted");
  EXPECT_EQ(row(d)->Text(0), "rejected");
  EXPECT_EQ(row(d)->Text(1), "AC01");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts WHERE instruction_id = '" + a +
                  "' AND outcome = 'returned' AND reason_code = 'AC04'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM instruction_attempts"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reentry_events WHERE kind = 'payment_returned'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reentry_events WHERE kind = 'payment_rejected'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM reentry_events"), 2);  // none for e
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE template = 'payment_returned'"), 2);
  // e goes out again, in a file of its own, with its id.
  auto sent = ExportBatches(db(), clock_, key_, *cycle, world_.Export());
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_EQ(sent->size(), 1u);
  EXPECT_EQ((*sent)[0].transactions, 1);
  ExpectReconciled();
}

TEST_P(DisbursementTest, FailedValidationNeverReachesTheBankAndIsExplained) {
  ASSERT_OK(world_.Build(3));
  auto payee = db().QueryOne("SELECT member_idx FROM members WHERE relationship = 'head' ORDER "
                             "BY member_idx LIMIT 1");
  Mapper mapper(db(), clock_);
  ASSERT_TRUE(mapper
                  .Update((*payee)->Int(0),
                          FinancialAddress::BankAccount("SBIN0001234", "12312312312",
                                                        "Mohammed Salim Qureshi"),
                          {.party = "bank:SBIN", .reason = "linked at branch"}, key_)
                  .ok());
  auto cycle = world_.RunCycle("2026-11", "csv");
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  auto st = db().QueryOne("SELECT status, reason_code, instruction_id FROM payment_instructions "
                          "WHERE payee_member_idx = ?",
                          {(*payee)->Int(0)});
  EXPECT_EQ((*st)->Text(0), "invalid");
  EXPECT_EQ((*st)->Text(1), "name_mismatch");
  auto events = programs::ListReentryEvents(db(), {.member_idx = (*payee)->Int(0)});
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].event.kind, programs::ReentryKind::kValidationFailed);
  // The citizen's view says why, in Hindi.
  auto mine = MemberPayments(db(), (*payee)->Int(0), "hi");
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0]["status"], "invalid");
  EXPECT_FALSE((*mine)[0]["reason"].get<std::string>().empty());
  EXPECT_EQ((*mine)[0]["destination"], "SBIN0001234 / XXXXXXXX2312");
  // No file holds it.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE batch_id IS NOT NULL AND "
                  "payee_member_idx = " + std::to_string((*payee)->Int(0))),
            0);
  ExpectReconciled();
}

// A scheme for households names each instruction by the family ID (the id's middle part), and
// pays the household's payee; its statements join the households that a person's scheme skips.
TEST_P(DisbursementTest, AHouseholdSchemeNamesEachInstructionByItsFamilyId) {
  ASSERT_OK(world_.Build(6));
  constexpr char kGrant[] = "test_household_grant";
  ASSERT_TRUE(world_.store()
                  .Add("id: test_household_grant\nname: {en: Household grant, hi: परिवार अनुदान}\n"
                       "unit: household\nbenefit: cash\nfrequency: monthly\n"
                       "budget_paise: 100000000\napprovals: [district, state]\n"
                       "eligibility:\n  - id: income\n"
                       "    rule: household.income_annual <= rupees(48000)\n"
                       "    explain: {en: Income up to Rs 48000, hi: आय 48000 रुपये तक}\n"
                       "amount: rupees(500)\n",
                       "test", "user:scheme.admin")
                  .ok());
  ASSERT_OK(world_.store().SetStatus(kGrant, "active", "user:scheme.admin"));
  auto enrolled = db().Execute(
      "INSERT INTO enrolments (scheme_id, unit, beneficiary_idx, household_idx, "
      "payee_member_idx, path, status, enrolled_at_us, enrolled_by) SELECT ?, 'household', "
      "m.household_idx, m.household_idx, m.member_idx, 'proactive', 'enrolled', ?, 'system' "
      "FROM members m WHERE m.relationship = 'head'",
      {std::string(kGrant), clock_.Now().micros});
  ASSERT_TRUE(enrolled.ok()) << enrolled.status();
  ASSERT_EQ(*enrolled, 6);
  auto snap = world_.Snapshot();
  ASSERT_TRUE(snap.ok()) << snap.status();
  auto c = programs::CreateCycle(db(), clock_, world_.store(), **snap, kGrant, "2026-11",
                                 "user:district.clerk");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_OK(world_.ApproveAll(c->cycle_id));
  auto generated = GenerateInstructions(db(), clock_, c->cycle_id);
  ASSERT_TRUE(generated.ok()) << generated.status();
  EXPECT_EQ(generated->created, 6);
  EXPECT_EQ(generated->ready, 6);

  auto rows = db().Query("SELECT i.instruction_id, h.family_id, i.payee_member_idx, m.member_idx, "
                         "i.amount_paise FROM payment_instructions i JOIN households h ON "
                         "h.household_idx = i.beneficiary_idx JOIN members m ON m.household_idx "
                         "= h.household_idx AND m.relationship = 'head' WHERE i.scheme_id = ?",
                         {std::string(kGrant)});
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 6u);
  for (const storage::Row& r : *rows) {
    EXPECT_EQ(r.Text(0), InstructionId(kGrant, "2026-11", r.Text(1)));
    EXPECT_EQ(r.Int(2), r.Int(3));
    EXPECT_EQ(r.Int(4), 50000);
    auto found = FindInstruction(db(), r.Text(0));
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(found->has_value()) << r.Text(0);
    EXPECT_EQ((*found)->scheme_id, kGrant);
  }
  auto files = ExportBatches(db(), clock_, key_, c->cycle_id, world_.Export());
  ASSERT_TRUE(files.ok()) << files.status();
  int64_t sent = 0;
  for (const ExportedFile& f : *files) sent += f.transactions;
  EXPECT_EQ(sent, 6);
  ExpectReconciled();
}

// A cycle pays every current enrolment: one proposed for exit is still paid until the exit is
// decided, one exited is not paid and not counted. Each entitlement keeps its enrolment.
TEST_P(DisbursementTest, ACycleCountsEnrolmentsProposedForExitAndLeavesOutThoseExited) {
  ASSERT_OK(world_.Build(6));
  auto heads = db().Query("SELECT enrolment_id, beneficiary_idx FROM enrolments WHERE scheme_id "
                          "= ? ORDER BY beneficiary_idx",
                          {std::string(kScheme)});
  ASSERT_TRUE(heads.ok()) << heads.status();
  ASSERT_EQ(heads->size(), 6u);
  const int64_t proposed = (*heads)[1].Int(1), exited = (*heads)[4].Int(1);
  ASSERT_OK(db().Execute("UPDATE enrolments SET status = 'exit_proposed' WHERE "
                         "beneficiary_idx = ?",
                         {proposed})
                .status());
  ASSERT_OK(db().Execute("UPDATE enrolments SET status = 'exited', exited_at_us = ?, "
                         "exit_reason = 'moved' WHERE beneficiary_idx = ?",
                         {clock_.Now().micros, exited})
                .status());

  auto c = world_.Create("2026-11");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->beneficiaries, 5);
  EXPECT_EQ(c->not_eligible, 0);
  auto entitled = db().Query("SELECT e.beneficiary_idx, e.enrolment_id, n.beneficiary_idx FROM "
                             "cycle_entitlements e JOIN enrolments n ON n.enrolment_id = "
                             "e.enrolment_id WHERE e.cycle_id = ? ORDER BY e.beneficiary_idx",
                             {c->cycle_id});
  ASSERT_TRUE(entitled.ok()) << entitled.status();
  std::vector<int64_t> paid;
  for (const storage::Row& r : *entitled) {
    EXPECT_EQ(r.Int(0), r.Int(2)) << "enrolment " << r.Int(1);
    paid.push_back(r.Int(0));
  }
  std::vector<int64_t> want;
  for (const storage::Row& h : *heads) {
    if (h.Int(1) != exited) want.push_back(h.Int(1));
  }
  EXPECT_EQ(paid, want);
  EXPECT_NE(std::find(paid.begin(), paid.end(), proposed), paid.end());
}

// A bank's instructions split into files of max_per_file, each file read while it is claimed
// (on SQLite): every instruction goes into exactly one file, each file holds what its batch
// records, and a bank whose count divides evenly ends with a claim that finds nothing.
TEST_P(DisbursementTest, FilesOfAFewPaymentsEachCarryEveryInstructionOnce) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  const int64_t cycle_id = *cycle;
  auto by_bank = db().Query("SELECT bank, COUNT(*) FROM payment_instructions WHERE status = "
                            "'ready' GROUP BY bank ORDER BY bank");
  ASSERT_TRUE(by_bank.ok()) << by_bank.status();
  ASSERT_EQ(by_bank->size(), 3u);
  bool some_even = false;
  for (const storage::Row& r : *by_bank) some_even = some_even || r.Int(1) % 2 == 0;
  EXPECT_TRUE(some_even) << "no bank's last claim would find nothing";

  ExportOptions options = world_.Export();
  options.max_per_file = 2;
  // On SQLite a round of a file of each bank, the first read in one pass over the table, the
  // others through the ready index (it holds max_scanned rows).
  options.max_scanned = 3;
  auto files = ExportBatches(db(), clock_, key_, cycle_id, options);
  ASSERT_TRUE(files.ok()) << files.status();
  std::map<std::string, int64_t> files_of, sent_of;
  std::map<std::string, int> seen;  // instruction id: files that list it
  for (const ExportedFile& f : *files) {
    EXPECT_GE(f.transactions, 1);
    EXPECT_LE(f.transactions, 2);
    ++files_of[f.bank];
    sent_of[f.bank] += f.transactions;
    std::ifstream in(f.path, std::ios::binary);
    std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(xml.find("<MsgId>" + f.message_id + "</MsgId>"), std::string::npos) << f.path;
    EXPECT_NE(xml.find("<NbOfTxs>" + std::to_string(f.transactions) + "</NbOfTxs>"),
              std::string::npos)
        << f.path;
    Money total;
    const std::string open = "<EndToEndId>", close = "</EndToEndId>";
    for (size_t at = xml.find(open); at != std::string::npos; at = xml.find(open, at)) {
      at += open.size();
      std::string id = xml.substr(at, xml.find(close, at) - at);
      ++seen[id];
      auto i = db().QueryOne("SELECT batch_id, amount_paise FROM payment_instructions WHERE "
                             "instruction_id = ?",
                             {id});
      ASSERT_TRUE(i.ok() && *i) << id;
      EXPECT_EQ((*i)->Int(0), f.batch_id) << id << " is listed in another batch's file";
      total += Money::FromPaise((*i)->Int(1));
    }
    EXPECT_EQ(total, f.total) << f.path;
  }
  for (const storage::Row& r : *by_bank) {
    EXPECT_EQ(sent_of[r.Text(0)], r.Int(1)) << r.Text(0);
    EXPECT_EQ(files_of[r.Text(0)], (r.Int(1) + 1) / 2) << r.Text(0);
  }
  EXPECT_EQ(seen.size(), 30u);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  // In rounds, a file of each bank a round, listed in batch order.
  ASSERT_GE(files->size(), 3u);
  std::set<std::string> first_round;
  for (size_t i = 0; i < 3; ++i) first_round.insert((*files)[i].bank);
  EXPECT_EQ(first_round.size(), 3u) << "the first round takes a file of each bank";
  for (size_t i = 1; i < files->size(); ++i) {
    EXPECT_LT((*files)[i - 1].batch_id, (*files)[i].batch_id);
  }
  for (const auto& entry : std::filesystem::directory_iterator(world_.out_dir())) {
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path() << " left behind";
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_batches WHERE status = 'written'"),
            static_cast<int64_t>(files->size()));
  ExpectReconciled();
  auto again = ExportBatches(db(), clock_, key_, cycle_id, options);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->empty());
}

// A file's rows read in one pass over the table (on SQLite) when they lie there in key order,
// as generate writes them, and through the ready index when they do not (here the later
// cycle's instructions were generated first), a bank's later files in a round among them: each
// file holds its batch's transfers, byte for byte what its batch reads back, and every
// instruction is in one file.
TEST_P(DisbursementTest, FilesReadInOnePassOrThroughTheIndexHoldTheBytesTheirBatchReadsBack) {
  ASSERT_OK(world_.Build(30));
  auto early = world_.Create("2026-10");
  ASSERT_TRUE(early.ok()) << early.status();
  auto late = world_.Create("2026-11");
  ASSERT_TRUE(late.ok()) << late.status();
  ASSERT_OK(world_.ApproveAll(early->cycle_id));
  ASSERT_OK(world_.ApproveAll(late->cycle_id));
  ASSERT_TRUE(GenerateInstructions(db(), clock_, late->cycle_id).ok());
  ASSERT_TRUE(GenerateInstructions(db(), clock_, early->cycle_id).ok());
  ASSERT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'ready'"), 60);
  ExportOptions options = world_.Export();
  options.max_per_file = 7;
  options.max_scanned = -1;
  auto refused = ExportBatches(db(), clock_, key_, late->cycle_id, options);
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  options.max_scanned = ExportOptions{}.max_scanned;  // all in one round, on SQLite
  auto files = ExportBatches(db(), clock_, key_, late->cycle_id, options);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 60);
  int64_t listed = 0;
  for (const ExportedFile& f : *files) {
    std::ifstream in(f.path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    auto again = BatchFileContent(db(), key_, f.batch_id, "");
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, bytes) << f.path;
    listed += f.transactions;
  }
  EXPECT_EQ(listed, 60);
  if (db().dialect() == storage::Dialect::kSqlite) {
    // Both kinds of file were made: some whose rows lie in key order, some not.
    auto rows = db().Query("SELECT batch_id, rowid FROM payment_instructions ORDER BY "
                           "batch_id, cycle_id, beneficiary_idx");
    ASSERT_TRUE(rows.ok()) << rows.status();
    std::map<int64_t, std::vector<int64_t>> ids;
    for (const storage::Row& r : *rows) ids[r.Int(0)].push_back(r.Int(1));
    int in_order = 0, out_of_order = 0;
    for (const auto& [batch, of] : ids) {
      ++(std::is_sorted(of.begin(), of.end()) ? in_order : out_of_order);
    }
    EXPECT_GT(in_order, 0);
    EXPECT_GT(out_of_order, 0);
  }
  ExpectReconciled();
}

INSTANTIATE_TEST_SUITE_P(Backends, DisbursementTest,
                         ::testing::ValuesIn(storage::testing::Backends()));

// A round of claims whose commit fails (here a deferred foreign key of the test's makes the
// second round's commit fail) leaves no file of it, under its name or a temporary one, though
// on SQLite a worker has written its files by then, waiting for the commit to rename them; the
// round before it is whole, and the next export finishes the work, each instruction in one
// file.
TEST_P(DisbursementTest, ARoundThatFailsLeavesNoFileOfItAndTheNextExportFinishes) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  const int64_t cycle_id = *cycle;
  ASSERT_EQ(Count("SELECT COUNT(DISTINCT bank) FROM payment_instructions"), 3);
  // The fourth batch is the first of the second round; its round's commit fails.
  ASSERT_OK(db().ExecScript("CREATE TABLE refuse_parent (id BIGINT PRIMARY KEY); CREATE TABLE "
                            "refuse_child (parent BIGINT REFERENCES refuse_parent (id) "
                            "DEFERRABLE INITIALLY DEFERRED)"));
  if (db().dialect() == storage::Dialect::kSqlite) {
    ASSERT_OK(db().ExecScript("CREATE TRIGGER refuse_batch AFTER INSERT ON payment_batches "
                              "WHEN (SELECT COUNT(*) FROM payment_batches) >= 4 BEGIN INSERT "
                              "INTO refuse_child VALUES (1); END"));
  } else {
    ASSERT_OK(db().ExecScript("CREATE FUNCTION refuse_batch() RETURNS trigger LANGUAGE plpgsql "
                              "AS $$ BEGIN IF (SELECT COUNT(*) FROM payment_batches) >= 4 THEN "
                              "INSERT INTO refuse_child VALUES (1); END IF; RETURN NEW; END $$; "
                              "CREATE TRIGGER refuse_batch AFTER INSERT ON payment_batches FOR "
                              "EACH ROW EXECUTE FUNCTION refuse_batch()"));
  }
  ExportOptions options = world_.Export();
  options.max_per_file = 4;
  options.max_scanned = 12;  // a round of a file of each bank, not more
  auto failed = ExportBatches(db(), clock_, key_, cycle_id, options);
  ASSERT_FALSE(failed.ok()) << "the second round committed";
  // The first round, three files of four, is claimed and written; nothing of the second.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_batches"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_batches WHERE status = 'written'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 12);
  auto names = db().Query("SELECT file_name FROM payment_batches ORDER BY batch_id");
  ASSERT_TRUE(names.ok()) << names.status();
  std::set<std::filesystem::path> written;
  for (const storage::Row& r : *names) written.insert(r.Text(0));
  size_t on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(world_.out_dir())) {
    ++on_disk;
    EXPECT_TRUE(written.count(std::filesystem::absolute(entry.path())))
        << entry.path() << " is no written batch's file";
  }
  EXPECT_EQ(on_disk, 3u);

  ASSERT_OK(db().ExecScript(db().dialect() == storage::Dialect::kSqlite
                                ? "DROP TRIGGER refuse_batch"
                                : "DROP TRIGGER refuse_batch ON payment_batches"));
  ExpectTheRestExported(cycle_id, options, 18, 30);
}

// A claim that fails after it has set some of its round's rows sent (here a trigger of the
// test's refuses the last bank's eighth row, in the second round of files of four) leaves
// nothing of its round: the round's transaction is rolled back whole, so the claim on SQLite
// needs no copy of the pages it changes (UPDATE OR FAIL). The next export finishes the work.
TEST_P(DisbursementTest, AClaimThatFailsPartWayLeavesNothingOfItsRound) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  const int64_t cycle_id = *cycle;
  ASSERT_EQ(Count("SELECT COUNT(DISTINCT bank) FROM payment_instructions"), 3);
  auto refused = db().QueryOne("SELECT instruction_id FROM payment_instructions WHERE bank = "
                               "(SELECT MAX(bank) FROM payment_instructions) ORDER BY "
                               "cycle_id, beneficiary_idx LIMIT 1 OFFSET 7");
  ASSERT_TRUE(refused.ok() && *refused) << refused.status();
  const std::string id = (*refused)->Text(0);
  if (db().dialect() == storage::Dialect::kSqlite) {
    ASSERT_OK(db().ExecScript("CREATE TRIGGER refuse_claim BEFORE UPDATE OF status ON "
                              "payment_instructions WHEN NEW.status = 'sent' AND "
                              "OLD.instruction_id = '" + id + "' BEGIN SELECT RAISE(FAIL, "
                              "'claim refused by the test'); END"));
  } else {
    ASSERT_OK(db().ExecScript("CREATE FUNCTION refuse_claim() RETURNS trigger LANGUAGE plpgsql "
                              "AS $$ BEGIN IF NEW.status = 'sent' AND OLD.instruction_id = '" +
                              id + "' THEN RAISE EXCEPTION 'claim refused by the test'; END IF; "
                              "RETURN NEW; END $$; CREATE TRIGGER refuse_claim BEFORE UPDATE ON "
                              "payment_instructions FOR EACH ROW EXECUTE FUNCTION "
                              "refuse_claim()"));
  }
  ExportOptions options = world_.Export();
  options.max_per_file = 4;
  options.max_scanned = 12;  // a round of a file of each bank, not more
  auto failed = ExportBatches(db(), clock_, key_, cycle_id, options);
  ASSERT_FALSE(failed.ok()) << "the second round committed";
  EXPECT_NE(failed.status().message().find("claim refused by the test"), std::string::npos)
      << failed.status();
  // The first round, three files of four, is claimed and written; nothing of the second.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_batches"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 12);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE batch_id IS NOT NULL"), 12);
  size_t on_disk = 0;
  for (const auto& entry : std::filesystem::directory_iterator(world_.out_dir())) {
    ++on_disk;
    EXPECT_NE(entry.path().extension(), ".tmp") << entry.path() << " left behind";
  }
  EXPECT_EQ(on_disk, 3u);
  ExpectReconciled();

  ASSERT_OK(db().ExecScript(db().dialect() == storage::Dialect::kSqlite
                                ? "DROP TRIGGER refuse_claim"
                                : "DROP TRIGGER refuse_claim ON payment_instructions"));
  ExpectTheRestExported(cycle_id, options, 18, 30);
}

// The page cache is SQLite's (PRAGMA cache_size): these tests run on SQLite alone.
class SqliteDisbursementTest : public DisbursementTest {};

// An export grows an SQLite connection's page cache to hold a round's rows, and gives the
// connection its own size back when done.
TEST_P(SqliteDisbursementTest, AnExportGivesTheConnectionItsPageCacheBack) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  const int64_t cycle_id = *cycle;
  // 2 KiB: a round of 30 rows wants more.
  ASSERT_OK(db().ExecScript("PRAGMA cache_size=-2"));
  auto files = ExportBatches(db(), clock_, key_, cycle_id, world_.Export());
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'sent'"), 30);
  EXPECT_EQ(Count("PRAGMA cache_size"), -2);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteDisbursementTest, ::testing::Values("sqlite"));

// Reconcile names each way the bank files and the database can disagree: a file changed on
// disk, a file missing, an instruction moved to another batch behind spode's back, and a
// batch whose recorded total no longer matches the ledger's posting; the other files pass.
TEST_P(DisbursementTest, ReconcileNamesEachFileThatDisagrees) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  const int64_t cycle_id = *cycle;
  ExportOptions options = world_.Export();
  options.max_per_file = 4;
  auto files = ExportBatches(db(), clock_, key_, cycle_id, options);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_GE(files->size(), 6u);
  ExpectReconciled();
  const ExportedFile &changed = (*files)[0], &missing = (*files)[1], &from = (*files)[2],
                     &to = (*files)[3], &retotalled = (*files)[4];
  {
    std::fstream f(changed.path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-20, std::ios::end);
    f.put('#');
  }
  std::filesystem::remove(missing.path);
  auto moved = db().Execute("UPDATE payment_instructions SET batch_id = ? WHERE batch_id = ? AND "
                            "beneficiary_idx = (SELECT MIN(beneficiary_idx) FROM "
                            "payment_instructions WHERE batch_id = ?)",
                            {to.batch_id, from.batch_id, from.batch_id});
  ASSERT_TRUE(moved.ok() && *moved == 1) << moved.status();
  auto retotal = db().Execute("UPDATE payment_batches SET control_sum_paise = "
                              "control_sum_paise + 100 WHERE batch_id = ?",
                              {retotalled.batch_id});
  ASSERT_TRUE(retotal.ok() && *retotal == 1) << retotal.status();

  auto r = Reconcile(db(), clock_, world_.out_dir());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok());
  auto said = [&](const ExportedFile& f, const std::string& words) {
    return std::count_if(r->problems.begin(), r->problems.end(), [&](const std::string& p) {
      return p.find(f.message_id) != std::string::npos && p.find(words) != std::string::npos;
    });
  };
  EXPECT_EQ(said(changed, "differs from the file written"), 1) << r->Summary();
  EXPECT_EQ(said(missing, "is missing"), 1) << r->Summary();
  EXPECT_EQ(said(from, "records " + std::to_string(from.transactions) + " / " +
                           "Rs " + from.total.ToString() + " but holds " +
                           std::to_string(from.transactions - 1)),
            1)
      << r->Summary();
  EXPECT_EQ(said(to, "but holds " + std::to_string(to.transactions + 1)), 1) << r->Summary();
  EXPECT_EQ(said(retotalled, "but the ledger sent"), 1) << r->Summary();
  EXPECT_EQ(said(retotalled, "the file says"), 1) << r->Summary();
  for (size_t i = 5; i < files->size(); ++i) {
    EXPECT_EQ(said((*files)[i], ""), 0) << (*files)[i].message_id << "\n" << r->Summary();
  }
  EXPECT_EQ(r->batches, static_cast<int64_t>(files->size()));
  EXPECT_EQ(r->files_checked, static_cast<int64_t>(files->size()) - 1);
}

// On SQLite a round's claim walks the stretches of the table its files' rows lie in, and those
// can hold other ready rows of the same banks. Here the first twelve payees all bank with SBI:
// PUNB's and BKID's first files lie among SBI's later rows. Each file still holds exactly its
// bank's next rows in key order.
TEST_P(DisbursementTest, EachFileHoldsItsBanksNextRowsWhenOneBankCrowdsTheTable) {
  ASSERT_OK(world_.Build(30));
  auto first = db().Query("SELECT member_idx, holder_name, ifsc FROM mapper_addresses WHERE "
                          "unlinked_at_us IS NULL ORDER BY member_idx LIMIT 12");
  ASSERT_TRUE(first.ok() && first->size() == 12u) << first.status();
  Mapper mapper(db(), clock_);
  int moved = 0;
  for (const auto& a : *first) {
    if (a.Text(2).rfind("SBIN", 0) == 0) continue;
    ASSERT_TRUE(mapper
                    .Update(a.Int(0),
                            FinancialAddress::BankAccount(
                                "SBIN0001234", "4" + std::to_string(5550000000LL + a.Int(0)),
                                a.Text(1)),
                            {.party = "officer:block.officer", .reason = "moved to SBI"}, key_)
                    .ok());
    ++moved;
  }
  ASSERT_EQ(moved, 8);
  auto c = world_.Create("2026-11");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_OK(world_.ApproveAll(c->cycle_id));
  ASSERT_TRUE(GenerateInstructions(db(), clock_, c->cycle_id).ok());
  ExportOptions options = world_.Export();
  options.max_per_file = 3;
  auto files = ExportBatches(db(), clock_, key_, c->cycle_id, options);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(Count("SELECT COUNT(*) FROM payment_instructions WHERE status = 'ready'"), 0);

  // Bank by bank in key order, the files follow one another, each full but the bank's last.
  auto rows = db().Query("SELECT i.bank, i.batch_id, b.bank FROM payment_instructions i JOIN "
                         "payment_batches b ON b.batch_id = i.batch_id ORDER BY i.bank, "
                         "i.cycle_id, i.beneficiary_idx");
  ASSERT_TRUE(rows.ok() && rows->size() == 30u) << rows.status();
  std::map<std::string, std::vector<int64_t>> sizes;  // bank: its files' sizes, in order
  std::map<std::string, int64_t> last_batch;          // bank: the file of its last row so far
  for (const auto& r : *rows) {
    EXPECT_EQ(r.Text(0), r.Text(2));
    std::vector<int64_t>& bank = sizes[r.Text(0)];
    int64_t& last = last_batch[r.Text(0)];
    if (bank.empty() || r.Int(1) != last) {
      EXPECT_GT(r.Int(1), last) << r.Text(0);  // a later file, never an earlier one
      bank.push_back(0);
    }
    ++bank.back();
    last = r.Int(1);
  }
  const std::map<std::string, std::vector<int64_t>> expected = {
      {"BKID", {3, 3}}, {"PUNB", {3, 3}}, {"SBIN", {3, 3, 3, 3, 3, 3}}};
  EXPECT_EQ(sizes, expected);
  ExpectReconciled();
}

// No foreign key binds an instruction to its bank file (payments/0013_claim_walk): Reconcile
// names the payments that point at a file there is not, with the file they left short.
TEST_P(DisbursementTest, ReconcileFindsPaymentsThatNameABankFileThereIsNot) {
  auto cycle = GeneratedCycle(12);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  ExportOptions options = world_.Export();
  options.max_per_file = 4;
  auto files = ExportBatches(db(), clock_, key_, *cycle, options);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_GE(files->size(), 2u);
  ExpectReconciled();
  const ExportedFile& left = (*files)[0];
  auto last = db().QueryOne("SELECT MAX(batch_id) FROM payment_batches");
  ASSERT_TRUE(last.ok() && *last) << last.status();
  const int64_t nowhere = (*last)->Int(0) + 7;
  auto moved = db().Execute("UPDATE payment_instructions SET batch_id = ? WHERE batch_id = ?",
                            {nowhere, left.batch_id});
  ASSERT_TRUE(moved.ok()) << moved.status();
  ASSERT_EQ(*moved, left.transactions);

  auto r = Reconcile(db(), clock_, world_.out_dir());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok());
  const std::string orphaned = std::to_string(left.transactions) + " payment(s) of Rs " +
                               left.total.ToString() + " name bank file " +
                               std::to_string(nowhere) + ", which does not exist";
  EXPECT_EQ(std::count(r->problems.begin(), r->problems.end(), orphaned), 1) << r->Summary();
  EXPECT_EQ(std::count_if(r->problems.begin(), r->problems.end(),
                          [&](const std::string& p) {
                            return p.find(left.message_id) != std::string::npos &&
                                   p.find("but holds 0 / Rs 0.00") != std::string::npos;
                          }),
            1)
      << r->Summary();
  EXPECT_EQ(r->problems.size(), 2u) << r->Summary();
}

// Generate writes its instructions without SQLite's row-by-row foreign-key checks; they are on
// again after it, and Reconcile finds what they would have refused, planted behind them: an
// amount that is not the entitlement's, a scheme that is not the cycle's, a cycle that does
// not exist.
TEST_P(DisbursementTest, ReconcileFindsInstructionsThatDisagreeWithTheirCycleOrEntitlement) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  ExpectReconciled();
  auto ids = db().Query(
      "SELECT instruction_id FROM payment_instructions ORDER BY "
      "beneficiary_idx LIMIT 3");
  ASSERT_TRUE(ids.ok() && ids->size() == 3) << ids.status();
  const std::string repriced = (*ids)[0].Text(0), rescheme = (*ids)[1].Text(0),
                    orphan = (*ids)[2].Text(0);
  const std::string to_no_cycle =
      "UPDATE payment_instructions SET cycle_id = 999999 WHERE instruction_id = ?";
  auto refused = db().Execute(to_no_cycle, {orphan});
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition) << refused.status();
  {
    // Behind the checks: SQLite's switched off, PostgreSQL's triggers not fired.
    auto tx = db().dialect() == storage::Dialect::kSqlite
                  ? storage::Transaction::BeginWithoutForeignKeyChecks(db())
                  : storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok()) << tx.status();
    if (db().dialect() == storage::Dialect::kPostgres) {
      ASSERT_TRUE(db().ExecScript("SET LOCAL session_replication_role = replica").ok());
    }
    for (const auto& [sql, id] : std::vector<std::pair<std::string, std::string>>{
             {"UPDATE payment_instructions SET amount_paise = amount_paise + 100 WHERE "
              "instruction_id = ?",
              repriced},
             {"UPDATE payment_instructions SET scheme_id = 'other_scheme' WHERE "
              "instruction_id = ?",
              rescheme},
             {to_no_cycle, orphan}}) {
      auto changed = db().Execute(sql, {id});
      ASSERT_TRUE(changed.ok() && *changed == 1) << sql << ": " << changed.status();
    }
    ASSERT_TRUE(tx->Commit().ok());
  }
  auto r = Reconcile(db(), clock_, world_.out_dir());
  ASSERT_TRUE(r.ok()) << r.status();
  auto said = [&](const std::string& id, const std::string& words) {
    return std::count_if(r->problems.begin(), r->problems.end(), [&](const std::string& p) {
      return p.find("instruction " + id + " pays") != std::string::npos &&
             p.find(words) != std::string::npos;
    });
  };
  EXPECT_EQ(said(repriced, "against an approved entitlement of Rs"), 1) << r->Summary();
  EXPECT_EQ(
      said(rescheme, "under scheme other_scheme, but its cycle is of " + std::string(kScheme)), 1)
      << r->Summary();
  EXPECT_EQ(said(orphan, "in cycle 999999, which does not exist"), 1) << r->Summary();
}

// A check of what is new: files made before the day given are not read back (a change to one
// goes unseen), but their totals are still held against the ledger; files made since are read.
TEST_P(DisbursementTest, ReconcileSinceADayReadsOnlyTheFilesMadeFromIt) {
  auto cycle = GeneratedCycle(30);
  ASSERT_TRUE(cycle.ok()) << cycle.status();
  ExportOptions options = world_.Export();
  options.max_per_file = 4;
  auto files = ExportBatches(db(), clock_, key_, *cycle, options);
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_GE(files->size(), 4u);
  ExpectReconciled();
  // The first two files were made in the last microsecond of yesterday, the third in the first
  // of today, both in the state's time (India's, 5 h 30 min east of UTC); the rest now.
  const Date today = clock_.Today();
  const Timestamp midnight = Timestamp::StartOfLocalDay(today, clock_.utc_offset_minutes());
  ASSERT_EQ(Timestamp{midnight.micros - 1}.LocalDate(clock_.utc_offset_minutes()).days(),
            today.days() - 1);
  const ExportedFile &old_changed = (*files)[0], &old_retotalled = (*files)[1],
                     &new_changed = (*files)[2];
  auto aged = db().Execute("UPDATE payment_batches SET created_at_us = ? WHERE batch_id IN (?, ?)",
                           {midnight.micros - 1, old_changed.batch_id, old_retotalled.batch_id});
  ASSERT_TRUE(aged.ok() && *aged == 2) << aged.status();
  auto fresh = db().Execute("UPDATE payment_batches SET created_at_us = ? WHERE batch_id = ?",
                            {midnight.micros, new_changed.batch_id});
  ASSERT_TRUE(fresh.ok() && *fresh == 1) << fresh.status();
  for (const ExportedFile* f : {&old_changed, &new_changed}) {
    std::ofstream(f->path, std::ios::app) << "<!-- edited -->";
  }
  auto retotal = db().Execute(
      "UPDATE payment_batches SET control_sum_paise = "
      "control_sum_paise + 100 WHERE batch_id = ?",
      {old_retotalled.batch_id});
  ASSERT_TRUE(retotal.ok() && *retotal == 1) << retotal.status();

  auto r = Reconcile(db(), clock_, world_.out_dir(), today);
  ASSERT_TRUE(r.ok()) << r.status();
  auto said = [&](const ExportedFile& f, const std::string& words) {
    return std::count_if(r->problems.begin(), r->problems.end(), [&](const std::string& p) {
      return p.find(f.message_id) != std::string::npos && p.find(words) != std::string::npos;
    });
  };
  EXPECT_EQ(said(new_changed, "differs from the file written"), 1) << r->Summary();
  EXPECT_EQ(said(old_changed, ""), 0) << r->Summary();
  EXPECT_EQ(said(old_retotalled, "but the ledger sent"), 1) << r->Summary();
  EXPECT_EQ(said(old_retotalled, "the file says"), 0) << r->Summary();  // not read
  EXPECT_EQ(r->files_not_read, 2);
  EXPECT_EQ(r->files_checked, static_cast<int64_t>(files->size()) - 2);
  EXPECT_NE(r->Summary().find("2 written before " + today.ToString() + " not read"),
            std::string::npos)
      << r->Summary();

  // Without the day, every file is read again: the old change is found too.
  auto all = Reconcile(db(), clock_, world_.out_dir());
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->files_not_read, 0);
  EXPECT_EQ(all->files_checked, static_cast<int64_t>(files->size()));
  EXPECT_EQ(std::count_if(all->problems.begin(), all->problems.end(),
                          [&](const std::string& p) {
                            return p.find(old_changed.message_id) != std::string::npos &&
                                   p.find("differs from the file written") != std::string::npos;
                          }),
            1)
      << all->Summary();
}

}  // namespace
}  // namespace spode::payments
