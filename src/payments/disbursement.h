// Disbursement: from an approved cycle to money in accounts, exactly once.
//
//   payments::ApproveCycle(db, clock, store, cycle_id, approver)      // tier by tier; the last
//                                                                     // posts budget → payable
//   payments::GenerateInstructions(db, clock, cycle_id)              // one per beneficiary,
//                                                                     // validated, drift held
//   payments::ExportBatches(db, clock, key, cycle_id, options)       // one file per bank
//   payments::ImportStatusFile(db, clock, bytes, "sbin-status.xml")  // pain.002 or CSV
//   payments::RequeueInstruction(db, clock, id, actor)               // after the cause is fixed
//
// An instruction's id is derived from (scheme, cycle, beneficiary) (InstructionId): it is the
// idempotency key and the ISO 20022 EndToEndId, and the database holds one instruction per
// (scheme, cycle, beneficiary), with the amount of that beneficiary's frozen entitlement (a
// foreign key), so a re-run can never create a second one or pay another amount. A retry
// reuses the id with the attempt number raised. An instruction is in one state:
//
//   ready → sent → accepted → paid → (returned)
//   held (destination changed; waits for the citizen's confirmation) → ready
//   invalid (failed validation before payment) → ready, by RequeueInstruction
//   sent/accepted → rejected → ready (by RequeueInstruction, or at once for a technical failure)
//   returned → ready (by RequeueInstruction)
//
// Money (ledger.h) moves with the states, each posting in the transaction of the state change:
// final approval budget → payable (the cycle's total); export payable → bank_clearing:<bank>
// (each file's total); status import, per file, bank and outcome: paid clearing →
// beneficiary:<bank>, rejected clearing → payable, returned beneficiary → payable. The ledger's
// beneficiary accounts are control accounts per bank; payment_instructions is their
// subsidiary ledger, and Reconcile (reconcile.h) proves the two agree.
//
// Every exclusion (held, invalid, rejected, returned) records a re-entry event
// (programs/reentry.h) with the reason in English and Hindi and who must act, and the citizen
// is told through the outbox.
//
// Thread-safety: as the Database (one per connection). Run one export or import per scheme at a
// time (the CLI and API do). On an SQLite file, GenerateInstructions, ExportBatches and
// ImportStatusFile also read on connections of their own, opened for the call, on a second
// thread (what they read there is committed and not changed by the call).
#ifndef SPODE_PAYMENTS_DISBURSEMENT_H_
#define SPODE_PAYMENTS_DISBURSEMENT_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/money.h"
#include "common/result.h"
#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "payments/bank_file.h"
#include "programs/cycles.h"
#include "programs/store.h"
#include "storage/database.h"

namespace spode::payments {

// "<period>-<beneficiary id>-<8 hex of the scheme's hash>", e.g. "202611-70000000012-3fa9c2d1":
// at most 35 characters (EndToEndId), the same for the same three inputs forever.
std::string InstructionId(std::string_view scheme_id, std::string_view period,
                          std::string_view beneficiary_id);

// An instruction's key: one per (scheme, cycle, beneficiary), enforced by the database.
struct InstructionKey {
  int64_t cycle_id = 0;
  int64_t beneficiary_idx = 0;
  std::string scheme_id;
};

// The instruction with this id, or nothing. Instructions are stored by their key, without an
// index of ids (payments/0011): the id is taken apart into the cycle (the period and the
// scheme's hash) and the beneficiary (an 11-digit member ID, or a 10-digit family ID for a
// household scheme), and the instruction found there must carry exactly this id.
Result<std::optional<InstructionKey>> FindInstruction(storage::Database& db, std::string_view id);

// The final tier also posts the cycle's total from the scheme's budget to payable (sanctioning
// the financial year's budget from the treasury first, once), in the same transaction.
Result<programs::ApprovalResult> ApproveCycle(storage::Database& db, const TimeSource& clock,
                                              programs::SchemeStore& store, int64_t cycle_id,
                                              const programs::Approver& approver);

struct GenerateReport {
  int64_t created = 0;   // instructions made now
  int64_t existing = 0;  // already there from an earlier run
  int64_t ready = 0, held = 0, invalid = 0;  // of those made now
  Money ready_total;
};
nlohmann::json GenerateReportJson(const GenerateReport& r);

struct GenerateOptions {
  // Below this name-match score (0-100) between the registry's name and the account holder's
  // name, the payment is not sent. 0 turns the check off.
  int min_name_score = 50;
};

// One instruction per entitlement of an approved cycle that has none yet, validated before
// payment (a linked destination, the IFSC's form, the account holder's name) and held when the
// destination changed since the beneficiary's last paid cycle and the scheme's drift policy is
// "hold". One transaction: a crash leaves none or all. FAILED_PRECONDITION unless approved.
Result<GenerateReport> GenerateInstructions(storage::Database& db, const TimeSource& clock,
                                            int64_t cycle_id, const GenerateOptions& options = {});

// A held instruction whose new destination the citizen confirmed (in person, through an
// operator, or an officer) becomes ready, and a destination marked drifted no longer blocks.
Status ConfirmDestination(storage::Database& db, const TimeSource& clock,
                          std::string_view instruction_id, std::string_view actor);

// A rejected, returned or invalid instruction goes out again with the same id (attempt + 1),
// to the member's current destination, after the cause was fixed. FAILED_PRECONDITION for any
// other state, or when there is still no valid destination.
Status RequeueInstruction(storage::Database& db, const TimeSource& clock,
                          std::string_view instruction_id, std::string_view actor);

struct ExportOptions {
  std::string format = "pain.001";  // or "csv"
  std::filesystem::path out_dir;
  int64_t max_per_file = 100'000;
  // On an SQLite file, the most instructions of a round (a file of each bank) read in one pass
  // over the table and held in memory, packed (about 120 bytes each), while the round's files
  // are written; the round's other files are read a file at a time.
  int64_t max_scanned = 2'000'000;
  DebtorAccount debtor{.id = "dept",
                       .name = "Social Justice and Empowerment Department",
                       .account_number = "30000000001",
                       .ifsc = "SBIN0000001"};
  std::string initiating_party = "spode";
};

struct ExportedFile {
  int64_t batch_id = 0;
  std::string message_id;
  std::string bank;
  std::filesystem::path path;
  int64_t transactions = 0;
  Money total;
};

// Puts every ready instruction of the cycle's scheme (this cycle's, and retries and arrears of
// earlier ones) into bank files, one per bank (split at max_per_file). Files are claimed in
// rounds, a file of each bank a round (on an SQLite file, with the next files of the banks
// whose file was full, up to max_scanned rows), each round in a transaction of its own with the
// postings of its totals from payable to the banks' clearing accounts; each file is written to
// a temporary name and synced, and renamed into place only once its round commits. Any file of
// the scheme's earlier batches that is missing is written too. A crash leaves whole rounds
// claimed and the rest ready: re-running writes what is missing, claims the rest, and never
// puts an instruction in two files. The files are returned in batch order.
Result<std::vector<ExportedFile>> ExportBatches(storage::Database& db, const TimeSource& clock,
                                                const crypto::MasterKey& key, int64_t cycle_id,
                                                const ExportOptions& options);

// The files of a batch already exported (for a bank's download). NOT_FOUND when none.
Result<std::string> BatchFileContent(storage::Database& db, const crypto::MasterKey& key,
                                     int64_t batch_id, std::string_view format);

struct ImportReport {
  int64_t import_id = 0;
  bool already_imported = false;  // the same bytes were imported before: nothing changed
  std::string format;
  int64_t statuses = 0;  // transaction statuses read
  int64_t applied = 0, unchanged = 0, repeated = 0, conflicting = 0, unknown = 0,
          contradicting = 0, stale = 0, unreadable = 0;
  int64_t paid = 0, accepted = 0, rejected = 0, returned = 0, requeued = 0;
  Money paid_total, failed_total;
  std::vector<std::string> messages;  // line by line, for people (at most 1,000)
};
nlohmann::json ImportReportJson(const ImportReport& r);

// Reads a bank's status file (pain.002 when it starts with '<', else the CSV profile) and
// applies what it may change, all in one transaction: instruction states, ledger postings,
// re-entry events and messages to citizens. Lines that name an unknown instruction, repeat,
// conflict, or contradict a final status are reported and change nothing.
// `only_bank` (a bank uploading its own file): statuses about instructions at any other bank are
// reported as unknown and change nothing.
Result<ImportReport> ImportStatusFile(storage::Database& db, const TimeSource& clock,
                                      std::string_view bytes, std::string_view file_name,
                                      std::string_view only_bank = {});

// Counts and amounts by state for a cycle, and its files.
Result<nlohmann::json> CycleProgress(storage::Database& db, int64_t cycle_id);

// A member's payments, newest first: scheme, period, amount, masked destination, state, and for
// a failure the reason and the next step in `language`.
Result<nlohmann::json> MemberPayments(storage::Database& db, int64_t member_idx,
                                      std::string_view language);

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_DISBURSEMENT_H_
