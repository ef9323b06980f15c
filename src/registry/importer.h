// Importer: bulk enrolment of households from a JSON Lines file (docs/household-format.md), with
// de-duplication, the ID vault, and a report in which every line is accounted for.
//
//   ASSIGN_OR_RETURN(auto importer, Importer::Create(db, master_key, clock, {}));
//   ASSIGN_OR_RETURN(ImportReport report, importer->ImportFile("state.jsonl"));
//
// For every line exactly one of: imported (the household and all its members are enrolled),
// held (a member resembles an existing person: the household is stored with status 'held' and a
// duplicate_holds row for an officer's decision; nothing is merged), or rejected (written to
// FILE.rejects.jsonl with its line number and reason; nothing of it is stored). A household is
// written whole or not at all. A national ID already in the vault rejects the household and
// names the member who holds it; the number itself is never written anywhere but the vault.
//
// Speed: lines are parsed and checked in batches, then each batch is written in one transaction
// with the database's bulk path. De-duplication keys of the whole registry are held in memory
// for the run (about 60 bytes per member).
//
// Thread-safety: one Importer per thread; it uses its Database exclusively during a call.
#ifndef SPODE_REGISTRY_IMPORTER_H_
#define SPODE_REGISTRY_IMPORTER_H_

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/flat_hash.h"
#include "common/result.h"
#include "common/time_source.h"
#include "crypto/vault_key.h"
#include "registry/household.h"
#include "storage/database.h"

namespace spode::registry {

struct ImportOptions {
  std::string actor = "system:import";  // recorded in provenance
  std::string channel = "external";     // self, operator, officer, external
  int batch_households = 5000;
  // kBulk: the whole file in one transaction, indexes dropped and rebuilt at the end (an
  // initial load). kBatched: one transaction per batch, indexes kept. kAuto: bulk for a file of
  // 20,000 members or more that would at least double an SQLite registry, or that goes into an
  // empty PostgreSQL registry (where dropping an index locks the table until the commit).
  enum class Mode { kAuto, kBulk, kBatched } mode = Mode::kAuto;
  // Load the de-duplication indexes of the whole registry at Create (a file import). When false
  // (the API enrolling one household), Enrol looks up only the keys it needs.
  bool load_indexes = true;
  // Called now and then with bytes read and the file's size.
  std::function<void(int64_t done, int64_t total)> progress;
};

struct ImportReport {
  std::string file;
  std::string rejects_file;  // empty when nothing was rejected
  int64_t lines = 0;
  int64_t blank_lines = 0;
  int64_t households_imported = 0;
  int64_t members_imported = 0;
  int64_t households_held = 0;
  int64_t members_held = 0;
  int64_t households_rejected = 0;
  double seconds = 0;
};

// What happened to one household given to Enrol.
struct EnrolOutcome {
  enum class Kind { kImported, kHeld, kRejected } kind;
  std::string family_id;
  std::vector<std::string> member_ids;
  std::string reason;  // for held and rejected
};

class Importer {
 public:
  static Result<std::unique_ptr<Importer>> Create(storage::Database& db,
                                                  const crypto::MasterKey& key,
                                                  const TimeSource& clock,
                                                  ImportOptions options = {});
  ~Importer();

  // Imports a file. Fails (without a report) only when the file cannot be read or the database
  // fails; bad lines are reported, not failures.
  Result<ImportReport> ImportFile(const std::string& path);

  // Enrols households given in memory (the API, tests), through the same checks, in one
  // transaction. One outcome per household, in order.
  Result<std::vector<EnrolOutcome>> Enrol(std::vector<HouseholdInput> households);

 public:
  struct Pending;
  using PendingHandle = std::shared_ptr<Pending>;

 private:
  Importer(storage::Database& db, const crypto::MasterKey& key, const TimeSource& clock,
           ImportOptions options);
  // Reserves registry sequence numbers in blocks (committed at once, so never reused).
  class IdBlock {
   public:
    Result<int64_t> Next(storage::Database& db, const char* name);

   private:
    int64_t next_ = 0, end_ = 0;
  };

  Status LoadIndexes();
  // Loads the index entries that `p`'s keys could collide with (the load_indexes=false path).
  Status LoadIndexesFor(const Pending& p);
  // Computes tokens, de-duplication hashes and sealed values (thread-safe; no database).
  void Seal(Pending* p) const;
  // Checks one parsed household against the registry and the run so far.
  EnrolOutcome Check(HouseholdInput& h, Pending* pending);
  // Writes a batch, in a transaction of its own or (bulk mode) the caller's.
  Status WriteBatch(std::vector<Pending>& batch, bool own_transaction);

  storage::Database& db_;
  const crypto::MasterKey& key_;
  const TimeSource& clock_;
  ImportOptions options_;
  // Everything enrolled or held, as 64-bit keys: numeric IDs, token prefix -> member_idx, and
  // dedup hash -> member_idx.
  FlatHashMap64 family_ids_, member_ids_, token_prefixes_, dedup_hashes_;
  IdBlock household_ids_, member_ids_block_;
  std::unordered_set<std::string> places_;
  std::unordered_map<std::string, int64_t> provenance_ids_;
  // WriteBatch's rows, emptied at the start of each batch but kept, so that each batch writes
  // into memory the last one grew instead of growing its own (held until the importer goes).
  struct BatchRows {
    storage::RowBuffer places{4}, households{10}, members{14}, vault{4}, banks{6}, holds{5},
        changes{2};
    void Clear() {
      for (storage::RowBuffer* r : {&places, &households, &members, &vault, &banks, &holds,
                                    &changes}) {
        r->Clear();
      }
    }
  };
  BatchRows rows_;
};

// The de-duplication key of a member: a 64-bit hash of NameKey(name) | dob | village code,
// stored in members.dedup_hash (indexed).
int64_t DedupHash(std::string_view name, std::string_view dob, std::string_view village);

}  // namespace spode::registry

#endif  // SPODE_REGISTRY_IMPORTER_H_
