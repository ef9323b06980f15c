// Reconcile: the ledger against the payments it records, for `spode ledger check`.
//
//   ASSIGN_OR_RETURN(payments::Reconciliation r, payments::Reconcile(db, clock, "out/bank"));
//   if (!r.ok()) std::cerr << r.Summary();
//
// Ledger::Check (ledger.h) proves the ledger is balanced in itself. Reconcile adds what ties it
// to the payments: per scheme, payable equals the approved cycles' totals less what is at banks
// or paid; each bank's clearing account equals its instructions sent and not yet settled; each
// bank's beneficiary control account equals its instructions paid (payment_instructions is the
// subsidiary ledger of those accounts); no instruction's amount differs from its beneficiary's
// approved entitlement; each bank file's count and control sum equal its instructions and the
// ledger entry that sent it, and the file on disk (where it was written, or by its name in
// `files_dir` when given: files moved to an archive) is the one written (its hash) and says the
// same totals; a missing file is reported, and so is an instruction that names a bank file there
// is not (no foreign key forbids it: payments/0013_claim_walk).
//
// The files are the check's largest part and grow with every cycle (a cycle of ten million
// payments writes about 7.6 GB). With `read_files_since` (a day in the state's time, the
// clock's offset), files written before that day are not read again (a nightly check of what is
// new); their totals are still checked against the ledger and the instructions, which takes no
// file.
//
// Thread-safety: as the Database.
#ifndef SPODE_PAYMENTS_RECONCILE_H_
#define SPODE_PAYMENTS_RECONCILE_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/time_source.h"
#include "payments/ledger.h"
#include "storage/database.h"

namespace spode::payments {

struct Reconciliation {
  LedgerCheck ledger;
  int64_t schemes = 0, batches = 0, files_checked = 0, instructions = 0;
  int64_t files_not_read = 0;  // written before read_files_since
  std::optional<Date> read_files_since;
  std::vector<std::string> problems;  // for people, each naming what disagrees and by how much
  bool ok() const { return ledger.ok() && problems.empty(); }
  std::string Summary() const;
};

Result<Reconciliation> Reconcile(storage::Database& db, const TimeSource& clock,
                                 const std::filesystem::path& files_dir = {},
                                 std::optional<Date> read_files_since = std::nullopt);

}  // namespace spode::payments

#endif  // SPODE_PAYMENTS_RECONCILE_H_
