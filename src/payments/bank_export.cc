// The export of an approved cycle's instructions as bank files (ExportBatches), and a file's
// bytes read back from its batch (BatchFileContent). Declared in payments/disbursement.h; the
// rest of the chain (approval, generation, status import) is in disbursement.cc. How an
// export claims, reads and writes its files is described in README.md ("ExportBatches").
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <limits>
#include <memory>
#include <span>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "common/durable_file.h"
#include "payments/csv_profile.h"
#include "payments/disbursement.h"
#include "payments/internal/reader_connection.h"
#include "payments/iso20022.h"
#include "payments/ledger.h"

namespace spode::payments {

using internal::ReaderConnection;

namespace {

constexpr std::string_view kAssociatedAccount = "spode-account";

struct BatchRow {
  int64_t batch_id;
  std::string message_id, bank, format;
  int64_t transactions, control_sum;
  Timestamp created_at;
  bool fresh = false;  // claimed by this run just now: none of its attempts has ended
};

// A batch read from the database, its account numbers still sealed: the transfers' other
// fields are filled, `sealed[i]` and `wrapped_key[i]` open transfers[i].creditor_account. An
// export keeps one for each file in flight and loads the next file into it, its strings' room
// reused: a million transfers' strings, allocated and freed file by file, cost most of a second.
struct LoadedBatch {
  CreditTransferBatch batch;
  std::vector<std::string> sealed, wrapped_key;
  std::string format;
};

// The header of batch `b`'s file: its message id, time and debtor.
void SetHeader(const BatchRow& b, const ExportOptions& options, LoadedBatch& loaded) {
  loaded.format = b.format;
  CreditTransferBatch& batch = loaded.batch;
  batch.message_id = b.message_id;
  batch.created_at = b.created_at;
  batch.initiating_party_name = options.initiating_party;
  batch.requested_execution_date = b.created_at.LocalDate(kIndiaUtcOffsetMinutes);
  batch.debtor_accounts.assign(1, options.debtor);
}

// The columns a file's transfers are read from, the amount and IFSC taken from `attempt` (the
// instruction or an attempt of it). The member's registered name is read only for an account
// without its holder's name.
std::string TransferColumns(std::string_view attempt, std::string_view more = "") {
  const std::string t(attempt);
  return "SELECT i.instruction_id, " + t + ".amount_paise, i.payee_member_idx, " + t +
         ".ifsc, a.account_sealed, COALESCE(a.holder_name, (SELECT m.name FROM members m "
         "WHERE m.member_idx = i.payee_member_idx)), i.scheme_id, c.period, v.wrapped_key" +
         std::string(more) + " FROM ";
}

// A transfer's row without its member's key in the vault.
Status NoKeyError(int64_t member_idx) {
  return FailedPreconditionError("member " + std::to_string(member_idx) +
                                 " has no key in the vault (erased?)");
}

// A transfer's account, opened with its member's wrapped key.
Result<std::string> OpenAccount(const crypto::MasterKey& key, std::string_view wrapped_key,
                                std::string_view sealed) {
  ASSIGN_OR_RETURN(crypto::DataKey dk, key.Unwrap(wrapped_key));
  return dk.Open(sealed, kAssociatedAccount);
}

// Steps `stmt` (of TransferColumns, bound) to its end into `loaded`'s transfers, their accounts
// still sealed, reusing the room of the file loaded last. `stmt` is Reset.
Status ReadTransfers(storage::Statement& stmt, const ExportOptions& options, size_t expected,
                     LoadedBatch& loaded) {
  CreditTransferBatch& batch = loaded.batch;
  batch.transfers.reserve(expected);
  loaded.sealed.reserve(expected);
  loaded.wrapped_key.reserve(expected);
  size_t n = 0;  // rows read; the vectors' elements past it are the last file's, to be reused
  while (true) {
    auto more = stmt.Step();
    if (!more.ok()) {
      stmt.Reset();
      return more.status();
    }
    if (!*more) break;
    if (stmt.ColumnIsNull(8)) {
      Status missing = NoKeyError(stmt.ColumnInt(2));
      stmt.Reset();
      return missing;
    }
    if (n == batch.transfers.size()) {
      batch.transfers.emplace_back();
      loaded.sealed.emplace_back();
      loaded.wrapped_key.emplace_back();
    }
    CreditTransfer& t = batch.transfers[n];
    t.instruction_id.assign(stmt.ColumnText(0));
    t.debtor_account_id.assign(options.debtor.id);
    t.amount = Money::FromPaise(stmt.ColumnInt(1));
    t.creditor_name.assign(stmt.ColumnText(5));
    t.creditor_account.clear();
    t.creditor_ifsc.assign(stmt.ColumnText(3));
    t.scheme_code.assign(stmt.ColumnText(6));
    t.period.assign(stmt.ColumnText(7));
    // ColumnText gives a blob's bytes as they are, on both backends.
    loaded.sealed[n].assign(stmt.ColumnText(4));
    loaded.wrapped_key[n].assign(stmt.ColumnText(8));
    ++n;
  }
  stmt.Reset();
  batch.transfers.resize(n);
  loaded.sealed.resize(n);
  loaded.wrapped_key.resize(n);
  return OkStatus();
}

// The joins from an instruction `i` to its account, cycle and key.
constexpr std::string_view kTransferJoins =
    "payment_instructions i JOIN mapper_addresses a ON a.address_id = i.address_id JOIN cycles c "
    "ON c.cycle_id = i.cycle_id LEFT JOIN vault v ON v.member_idx = i.payee_member_idx ";

// The batch's transfers as written: the instructions whose current attempt is in it, and those
// whose attempt in it has ended since (instruction_attempts). Reads the database only; the
// accounts are opened by OpenAccounts, which needs none (and may run on another thread).
Status LoadBatch(storage::Database& db, const BatchRow& b, const ExportOptions& options,
                 LoadedBatch& loaded) {
  SetHeader(b, options, loaded);
  // In the order the rows come: the writers list the transfers in instruction id (byte) order
  // themselves (ValidateBatch), on both backends; a database's sorter copied every row with its
  // sealed bytes.
  // The instructions whose current attempt is in the batch. A batch just claimed holds only
  // those, all sent: no attempt of it has ended yet.
  std::string current =
      TransferColumns("i") + std::string(kTransferJoins) + "WHERE i.batch_id = ? AND ";
  std::string sql =
      b.fresh ? current + "i.status = 'sent'"
              : current + "i.status IN ('sent', 'accepted', 'paid', 'rejected', 'returned') "
                          "AND NOT EXISTS (SELECT 1 FROM instruction_attempts t WHERE "
                          "t.instruction_id = i.instruction_id AND t.attempt = i.attempt) "
                          "UNION ALL " +
                          TransferColumns("t") +
                          "instruction_attempts t JOIN payment_instructions i ON i.cycle_id = "
                          "t.cycle_id AND i.beneficiary_idx = t.beneficiary_idx JOIN "
                          "mapper_addresses a ON a.address_id = t.address_id JOIN cycles c ON "
                          "c.cycle_id = i.cycle_id LEFT JOIN vault v ON v.member_idx = "
                          "i.payee_member_idx WHERE t.batch_id = ?";
  ASSIGN_OR_RETURN(auto stmt, db.Cached(sql));
  stmt->BindInt(1, b.batch_id);
  if (!b.fresh) stmt->BindInt(2, b.batch_id);
  return ReadTransfers(*stmt, options,
                       static_cast<size_t>(std::max<int64_t>(b.transactions, 0)), loaded);
}

// The transfers of the file an export is about to claim for `bank`: its first max_per_file
// ready instructions of the scheme in key order after (cycle, beneficiary), where the bank's
// file before it in the round ends (what the claim takes, in the same snapshot). The header is
// left to SetHeader.
Status LoadReady(storage::Database& db, std::string_view scheme_id, std::string_view bank,
                 int64_t cycle, int64_t beneficiary, const ExportOptions& options,
                 LoadedBatch& loaded) {
  ASSIGN_OR_RETURN(auto stmt,
                   db.Cached(TransferColumns("i") + std::string(kTransferJoins) +
                             "WHERE i.scheme_id = ? AND i.status = 'ready' AND i.bank = ? AND "
                             "(i.cycle_id, i.beneficiary_idx) > (?, ?) ORDER BY i.cycle_id, "
                             "i.beneficiary_idx LIMIT ?"));
  stmt->BindText(1, scheme_id);
  stmt->BindText(2, bank);
  stmt->BindInt(3, cycle);
  stmt->BindInt(4, beneficiary);
  stmt->BindInt(5, options.max_per_file);
  // Room for a file of the default size at most: a caller's limit of millions would reserve
  // gigabytes for a short file. A larger file grows the room.
  const int64_t room = std::min(options.max_per_file, ExportOptions{}.max_per_file);
  return ReadTransfers(*stmt, options, static_cast<size_t>(room), loaded);
}

// A file's transfers as ScanReady reads them, their accounts opened: each row's texts,
// length-prefixed, one after another in `texts` (instruction id, holder, IFSC, scheme, period,
// account), and its amount. A round's files take a few strings so, not several a transfer.
struct Packed {
  // Room for a row's texts: its ids and codes (about 60 bytes), its holder's name and the
  // lengths. A longer row grows the string.
  static constexpr size_t kPackedRowRoom = 256;
  std::string texts;
  std::vector<int64_t> amounts;
  void Clear() {
    texts.clear();
    amounts.clear();
  }
  void Put(std::string_view text) {
    const auto size = static_cast<uint32_t>(text.size());
    texts.append(reinterpret_cast<const char*>(&size), sizeof size);
    texts.append(text);
  }
};

// Reads the transfers of a round's files whose rows lie in [first, last] of the table's row ids,
// in one pass over that stretch in the table's order, into `packs` (one a file, cleared first),
// opening each account as it is read. `rows[k]` holds the ids of the rows of file k, of bank
// `banks[k]`, ascending (null: a file read otherwise); a row is file k's when its id is the
// next of them (a bank may have several files), so a read that differs from them leaves a
// file short (its count is checked).
// Read one by one through the ready index, a file's rows each lie on a page of their own in the
// instructions, the accounts and the vault when there are many banks; in the table's order those
// pages come one after another (30 banks of a million rows, in the sqlite3 shell: 4.4 s a bank
// at a time, 1.2 s in one pass).
Status ScanReady(storage::Database& db, std::string_view scheme_id, int64_t first, int64_t last,
                 std::span<const std::string> banks,
                 std::span<const std::vector<int64_t>* const> rows, const crypto::MasterKey& key,
                 std::vector<Packed>& packs) {
  if (packs.size() < banks.size()) packs.resize(banks.size());
  std::unordered_map<std::string_view, std::vector<size_t>> files_of;
  std::vector<size_t> next(banks.size(), 0);  // into rows[k]: the file's next row
  for (size_t k = 0; k < banks.size(); ++k) {
    packs[k].Clear();
    if (!rows[k]) continue;
    files_of[banks[k]].push_back(k);
    const std::vector<int64_t>& ids = *rows[k];
    next[k] = static_cast<size_t>(std::lower_bound(ids.begin(), ids.end(), first) - ids.begin());
    const size_t count = static_cast<size_t>(
        std::upper_bound(ids.begin(), ids.end(), last) - ids.begin()) - next[k];
    packs[k].amounts.reserve(count);
    // Room enough not to grow: a grown string is copied and its new pages touched afresh, and
    // what is reserved and not written is never touched.
    packs[k].texts.reserve(count * Packed::kPackedRowRoom);
  }
  // CROSS JOIN keeps the instructions the outer loop; NOT INDEXED keeps their order the table's.
  ASSIGN_OR_RETURN(
      storage::Statement * stmt,
      db.Cached(TransferColumns("i", ", i.rowid, i.bank") +
                "payment_instructions i NOT INDEXED CROSS JOIN mapper_addresses a ON "
                "a.address_id = i.address_id CROSS JOIN cycles c ON c.cycle_id = i.cycle_id LEFT "
                "JOIN vault v ON v.member_idx = i.payee_member_idx WHERE i.rowid BETWEEN ? AND ? "
                "AND i.scheme_id = ? AND i.status = 'ready'"));
  stmt->BindInt(1, first);
  stmt->BindInt(2, last);
  stmt->BindText(3, scheme_id);
  Status read = [&]() -> Status {
    while (true) {
      ASSIGN_OR_RETURN(bool more, stmt->Step());
      if (!more) return OkStatus();
      auto files = files_of.find(stmt->ColumnText(10));
      if (files == files_of.end()) continue;
      const int64_t id = stmt->ColumnInt(9);
      auto is_next = [&](size_t k) {
        return next[k] < rows[k]->size() && (*rows[k])[next[k]] == id;
      };
      auto file = std::find_if(files->second.begin(), files->second.end(), is_next);
      if (file == files->second.end()) continue;
      const size_t k = *file;
      ++next[k];
      if (stmt->ColumnIsNull(8)) return NoKeyError(stmt->ColumnInt(2));
      ASSIGN_OR_RETURN(std::string account,
                       OpenAccount(key, stmt->ColumnText(8), stmt->ColumnText(4)));
      Packed& pack = packs[k];
      pack.amounts.push_back(stmt->ColumnInt(1));
      for (int column : {0, 5, 3, 6, 7}) pack.Put(stmt->ColumnText(column));
      pack.Put(account);
    }
  }();
  stmt->Reset();
  return read;
}

// A file's transfers, packed in `parts` one after another, into `loaded`, reusing the room of
// the file loaded last.
void Unpack(std::span<const Packed* const> parts, const ExportOptions& options,
            LoadedBatch& loaded) {
  size_t n = 0;
  for (const Packed* part : parts) n += part->amounts.size();
  std::vector<CreditTransfer>& transfers = loaded.batch.transfers;
  transfers.resize(n);
  // As long as the transfers, as ReadTransfers keeps them (nothing is sealed here).
  loaded.sealed.resize(n);
  loaded.wrapped_key.resize(n);
  size_t i = 0;
  for (const Packed* part : parts) {
    size_t at = 0;
    auto next = [part, &at] {
      uint32_t size;
      std::memcpy(&size, part->texts.data() + at, sizeof size);
      const std::string_view text(part->texts.data() + at + sizeof size, size);
      at += sizeof size + size;
      return text;
    };
    for (int64_t amount : part->amounts) {
      CreditTransfer& t = transfers[i++];
      t.instruction_id.assign(next());
      t.debtor_account_id.assign(options.debtor.id);
      t.amount = Money::FromPaise(amount);
      t.creditor_name.assign(next());
      t.creditor_ifsc.assign(next());
      t.scheme_code.assign(next());
      t.period.assign(next());
      t.creditor_account.assign(next());
    }
  }
}

// Opens the loaded transfers' accounts. No database: safe on another thread.
Status OpenAccounts(LoadedBatch& loaded, const crypto::MasterKey& key) {
  std::vector<CreditTransfer>& transfers = loaded.batch.transfers;
  for (size_t i = 0; i < transfers.size(); ++i) {
    ASSIGN_OR_RETURN(transfers[i].creditor_account,
                     OpenAccount(key, loaded.wrapped_key[i], loaded.sealed[i]));
  }
  return OkStatus();
}

// Writes the file's bytes, its accounts opened, into `*out` (cleared first; its capacity is
// kept), passing them to `flush` as they are made (WritePain001) when it is given. No
// database: safe on another thread.
Status WriteLoaded(LoadedBatch& loaded, std::string* out,
                   const std::function<Status(std::string_view)>& flush = nullptr) {
  // In the order loaded: the writers list the transfers in id order themselves (ValidateBatch),
  // through pointers; moving a million transfers into that order cost a cache miss each.
  out->clear();
  if (loaded.format == "csv") {
    ASSIGN_OR_RETURN(*out, WriteCreditTransferCsv(loaded.batch));
    return flush ? flush(*out) : OkStatus();
  }
  return WritePain001(loaded.batch, out, flush);
}

// LoadBatch, and the count it must have.
Status LoadCheckedBatch(storage::Database& db, const BatchRow& b, const ExportOptions& options,
                        LoadedBatch& loaded) {
  RETURN_IF_ERROR(LoadBatch(db, b, options, loaded));
  if (static_cast<int64_t>(loaded.batch.transfers.size()) != b.transactions) {
    return InternalError("batch " + b.message_id + " holds " +
                         std::to_string(loaded.batch.transfers.size()) +
                         " transfers but recorded " + std::to_string(b.transactions));
  }
  return OkStatus();
}

Result<std::string> RenderBatch(storage::Database& db, const crypto::MasterKey& key,
                                const BatchRow& b, const ExportOptions& options) {
  LoadedBatch loaded;
  RETURN_IF_ERROR(LoadCheckedBatch(db, b, options, loaded));
  std::string bytes;
  RETURN_IF_ERROR(OpenAccounts(loaded, key));
  RETURN_IF_ERROR(WriteLoaded(loaded, &bytes));
  return bytes;
}

// An SQLite connection's page cache, made large enough for an export's rounds of claims and
// given back its size when done. A claim sets its file's rows sent, and a bank's rows lie all
// over the table, so with many banks a round dirties nearly every page of the table and its
// indexes: more than the cache holds, SQLite wrote pages to the WAL in the middle of the
// transaction and read them back (30 banks, a million rows: export 8.4 s with the usual
// 64 MiB, 5.3 s with 256 MiB). Nothing on PostgreSQL.
class RoundCache {
 public:
  explicit RoundCache(storage::Database& db) : db_(db) {}
  RoundCache(const RoundCache&) = delete;
  RoundCache& operator=(const RoundCache&) = delete;
  ~RoundCache() {
    if (grown_) (void)db_.ExecScript("PRAGMA cache_size=" + std::to_string(saved_));
  }

  // Room for a round that claims `rows` rows, kBytesPerRow each, up to kMaxKiB; never less than
  // the connection had.
  Status Fit(int64_t rows) {
    if (db_.dialect() != storage::Dialect::kSqlite) return OkStatus();
    if (!read_) {
      // cache_size is KiB when negative, pages when positive.
      ASSIGN_OR_RETURN(auto size, db_.QueryOne("PRAGMA cache_size"));
      ASSIGN_OR_RETURN(auto page, db_.QueryOne("PRAGMA page_size"));
      if (!size || !page) return InternalError("SQLite gave no cache or page size");
      saved_ = size->Int(0);
      kib_ = saved_ < 0 ? -saved_ : saved_ * page->Int(0) / 1024;
      read_ = true;
    }
    const int64_t want = std::min(kMaxKiB, rows * kBytesPerRow / 1024);
    if (want <= kib_) return OkStatus();
    RETURN_IF_ERROR(db_.ExecScript("PRAGMA cache_size=-" + std::to_string(want)));
    kib_ = want;
    grown_ = true;
    return OkStatus();
  }

 private:
  // The table's row and its entries in the indexes a claim changes, and the pages read on the
  // way: below this the 30-bank round above slowed (6.7 s at 128 bytes a row).
  static constexpr int64_t kBytesPerRow = 256;
  static constexpr int64_t kMaxKiB = 1 << 20;  // 1 GiB
  storage::Database& db_;
  bool read_ = false, grown_ = false;
  int64_t saved_ = 0, kib_ = 0;
};

std::string FileNameFor(const BatchRow& b) {
  return b.message_id + (b.format == "csv" ? ".csv" : ".xml");
}

}  // namespace

Result<std::vector<ExportedFile>> ExportBatches(storage::Database& db, const TimeSource& clock,
                                                const crypto::MasterKey& key, int64_t cycle_id,
                                                const ExportOptions& options) {
  if (options.format != "pain.001" && options.format != "csv") {
    return InvalidArgumentError("format must be pain.001 or csv, not '" + options.format + "'");
  }
  if (options.max_per_file < 1) return InvalidArgumentError("max_per_file must be at least 1");
  if (options.max_scanned < 0) return InvalidArgumentError("max_scanned must not be negative");
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return InvalidArgumentError("cannot create " + options.out_dir.string() + ": " +
                                ec.message());
  }
  std::string scheme_id;
  // The banks with ready instructions, and the batches of the scheme a crashed run left
  // unwritten: read under the export lock, so a killed run's late commit is seen.
  std::vector<std::string> banks;
  std::vector<BatchRow> pending;
  {
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    ASSIGN_OR_RETURN(auto c, db.QueryOne("SELECT scheme_id, period, status FROM cycles WHERE "
                                         "cycle_id = ?",
                                         {cycle_id}));
    if (!c) return NotFoundError("no cycle " + std::to_string(cycle_id));
    scheme_id = c->Text(0);
    // One export per scheme at a time; taken before the ready instructions are read, so a
    // resumed export waits for a killed one's late commit and then finds its work done.
    RETURN_IF_ERROR(storage::LockForTransaction(db, "export:" + scheme_id));
    if (c->Text(2) != "approved") {
      return FailedPreconditionError("cycle " + scheme_id + "/" + c->Text(1) + " is " +
                                     c->Text(2) + ", not approved");
    }
    // Bank after bank, one step of the ready index each (DISTINCT read every entry).
    for (std::string after;;) {
      ASSIGN_OR_RETURN(auto next, db.QueryOne("SELECT bank FROM payment_instructions WHERE "
                                              "scheme_id = ? AND status = 'ready' AND bank > ? "
                                              "ORDER BY bank LIMIT 1",
                                              {scheme_id, after}));
      if (!next) break;
      after = next->Text(0);
      banks.push_back(after);
    }
    ASSIGN_OR_RETURN(auto left, db.Query("SELECT batch_id, message_id, bank, format, "
                                         "transactions, control_sum_paise, created_at_us FROM "
                                         "payment_batches WHERE scheme_id = ? AND status = "
                                         "'created' ORDER BY batch_id",
                                         {scheme_id}));
    for (const auto& r : left) {
      pending.push_back(
          {r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), Timestamp{r.Int(6)}});
    }
    RETURN_IF_ERROR(tx.Commit());
  }

  // Files are claimed in rounds, a file of each open bank a round (on an SQLite file, with the
  // next files of the banks whose file was full, up to options.max_scanned rows), each round in
  // one transaction (with the postings of its totals from payable to the banks' clearing
  // accounts): a claim sets its file's rows sent, and a bank's rows lie all over the table, so
  // claiming each file in a transaction of its own wrote every page of the table once per bank.
  // A round of a file a bank left a large bank's later files to rounds of their own, read and
  // written one after another by the workers (30 banks of Zipf's shares, a million rows: export
  // 5.5-6.5 s in rounds of a file a bank, 4.5-5.8 s so; docs/benchmarks.md).
  //
  // On an SQLite file two workers, each with a connection of its own (WAL lets it read beside
  // this writer), read the round's files while the round is being claimed, and render, hash
  // and sync each under its temporary name (DurableFile) once its round is counted; they
  // rename them into place once the round commits, or drop them if it rolls back. A file is
  // marked written once it is in place; a crash before that writes it again, the same bytes,
  // on the next run. Elsewhere (PostgreSQL, an in-memory database) each file is read here once
  // its round commits, and rendered and written on a worker.
  struct Written {
    std::string hash;
  };
  struct Done {
    BatchRow b;
    std::filesystem::path path;
    Written w;
  };
  constexpr size_t kWorkers = 2;
  std::vector<std::unique_ptr<storage::Database>> readers;
  for (size_t i = 0; i < kWorkers; ++i) {
    std::unique_ptr<storage::Database> r = ReaderConnection(db);
    if (!r) break;
    readers.push_back(std::move(r));
  }
  if (readers.size() < kWorkers) readers.clear();
  // Each worker renders into a buffer of its own, kept from file to file, and writes each
  // stretch of the file as soon as it is rendered: writing a file from memory just faulted in,
  // or long out of the processor's cache, cost several times as much.
  // Each has its LoadedBatch too.
  std::array<std::string, kWorkers> buffers;
  std::array<LoadedBatch, kWorkers> batches;
  // Renders a loaded batch, its accounts opened, into `file` (open), hashing each stretch as it
  // goes out, while it is still in the processor's cache; syncs the file. Returns the hash.
  auto render = [](LoadedBatch* loaded, std::string* bytes,
                   DurableFile& file) -> Result<std::string> {
    crypto::Hasher256 hasher;
    auto append = [&file, &hasher](std::string_view stretch) {
      hasher.Update(stretch);
      return file.Append(stretch);
    };
    RETURN_IF_ERROR(WriteLoaded(*loaded, bytes, append));
    RETURN_IF_ERROR(file.Sync());
    return crypto::ToHex(hasher.Final());
  };
  auto open_and_write = [&key, &render](LoadedBatch* loaded, std::string* bytes,
                                        std::filesystem::path path) -> Result<Written> {
    RETURN_IF_ERROR(OpenAccounts(*loaded, key));
    DurableFile file(std::move(path));
    RETURN_IF_ERROR(file.Open());
    ASSIGN_OR_RETURN(std::string hash, render(loaded, bytes, file));
    RETURN_IF_ERROR(file.Publish());
    return Written{std::move(hash)};
  };
  auto load_and_write = [&options, &open_and_write](storage::Database* reader,
                                                    LoadedBatch* loaded, std::string* bytes,
                                                    BatchRow b, std::filesystem::path path)
      -> Result<Written> {
    RETURN_IF_ERROR(LoadCheckedBatch(*reader, b, options, *loaded));
    return open_and_write(loaded, bytes, std::move(path));
  };

  std::vector<ExportedFile> out;
  // Marks files written, in one transaction.
  auto mark_written = [&](std::vector<Done> done) -> Status {
    if (done.empty()) return OkStatus();
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    for (const Done& d : done) {
      RETURN_IF_ERROR(db.Execute("UPDATE payment_batches SET status = 'written', file_name = "
                                 "?, file_hash = ? WHERE batch_id = ?",
                                 {std::filesystem::absolute(d.path).string(), d.w.hash,
                                  d.b.batch_id})
                          .status());
    }
    RETURN_IF_ERROR(tx.Commit());
    for (const Done& d : done) {
      out.push_back({d.b.batch_id, d.b.message_id, d.b.bank, d.path, d.b.transactions,
                     Money::FromPaise(d.b.control_sum)});
    }
    return OkStatus();
  };

  // Files written one at a time: a crashed run's unwritten batches, and, without readers, the
  // files of each round once it commits. At most kWorkers in flight.
  struct Pending {
    BatchRow b;
    std::filesystem::path path;
    std::future<Result<Written>> done;
  };
  std::deque<Pending> in_flight;
  size_t started = 0;  // files put in flight; file k uses slot k % kWorkers
  // Waits for the oldest file and marks it written.
  auto finish_oldest = [&]() -> Status {
    Pending p = std::move(in_flight.front());
    in_flight.pop_front();
    ASSIGN_OR_RETURN(Written w, p.done.get());
    std::vector<Done> done;
    done.push_back({std::move(p.b), std::move(p.path), std::move(w)});
    return mark_written(std::move(done));
  };
  // Starts writing a committed batch, once a worker is free.
  auto start = [&](const BatchRow& b) -> Status {
    if (in_flight.size() >= kWorkers) RETURN_IF_ERROR(finish_oldest());
    std::filesystem::path path = options.out_dir / FileNameFor(b);
    std::future<Result<Written>> done;
    // The slot's reader, batch and buffer are free: the file that used them last, kWorkers
    // files ago, is done.
    const size_t slot = started++ % kWorkers;
    std::string* bytes = &buffers[slot];
    LoadedBatch* loaded = &batches[slot];
    if (!readers.empty()) {
      storage::Database* reader = readers[slot].get();
      try {
        done = std::async(std::launch::async, load_and_write, reader, loaded, bytes, b, path);
      } catch (const std::system_error&) {  // no thread to be had: here, when waited for
        done = std::async(std::launch::deferred, load_and_write, reader, loaded, bytes, b, path);
      }
    } else {
      RETURN_IF_ERROR(LoadCheckedBatch(db, b, options, *loaded));
      try {
        done = std::async(std::launch::async, open_and_write, loaded, bytes, path);
      } catch (const std::system_error&) {
        done = std::async(std::launch::deferred, open_and_write, loaded, bytes, path);
      }
    }
    in_flight.push_back({b, std::move(path), std::move(done)});
    return OkStatus();
  };

  // What the workers of a round share: its files as the round claims them (not yet committed),
  // each with its bank, where it starts and the ids of its rows in key order, all set before
  // `counted` is (a broken promise when the round fails first); the round's commit (likewise);
  // the next of the round's tasks a worker is to take; and the parts of the table read
  // (ScanReady).
  struct Round {
    std::vector<BatchRow> files;
    std::vector<std::string> banks;
    std::vector<std::pair<int64_t, int64_t>> after;  // the key the file's rows come after
    std::vector<std::vector<int64_t>> rows;
    std::shared_future<void> counted;
    std::shared_future<void> committed;
    std::atomic<size_t> next{0};
    std::array<std::vector<Packed>, kWorkers> parts;  // [part][bank]
    std::array<std::promise<Status>, kWorkers> part_read;
    std::array<std::shared_future<Status>, kWorkers> part_done;
    Round() {
      for (size_t p = 0; p < kWorkers; ++p) part_done[p] = part_read[p].get_future().share();
    }
  };
  // A worker's part of a round: its tasks, taken in turn with the other worker, read in one
  // snapshot taken before the round commits (it signals `snapshot` once taken): the round's
  // transaction holds SQLite's write lock from its start (BEGIN IMMEDIATE), and the worker is
  // started after it began, so no writer can change the ready instructions between the
  // worker's snapshot and the claims, and the worker reads the very rows each claim counted.
  //
  // Once the round's files are counted, the first kWorkers tasks each read a part of the
  // stretch of the table the files' rows lie in (ScanReady), for the files whose rows lie in
  // the table in key order, as generate writes them; the others each write a file, from the
  // parts once all are read, or read through the ready index. Each file is rendered and synced
  // under its temporary name, and renamed into place only after the round commits: a crash
  // never leaves a file whose claim is not committed. Should what was read differ from the
  // batch (it cannot, short of a fault), the committed batch is read and written after the
  // commit instead.
  auto work_round = [&options, &key, &scheme_id, &render, &load_and_write](
                        storage::Database* reader, LoadedBatch* loaded, std::string* bytes,
                        std::shared_ptr<Round> round,
                        std::promise<void> snapshot) -> Result<std::vector<Done>> {
    struct Synced {
      BatchRow b;
      std::unique_ptr<DurableFile> file;
      std::string hash;
    };
    std::vector<Synced> synced;
    std::vector<BatchRow> again;  // read otherwise than claimed: read once committed
    {
      // The snapshot: the read transaction's first read takes it. It ends before the round's
      // commit is awaited, on every path.
      Status read_tx = reader->BeginRead();
      struct EndRead {
        storage::Database* r;
        ~EndRead() {
          if (r->InTransaction()) (void)r->Rollback();
        }
      } end_read{reader};
      if (read_tx.ok()) {
        read_tx = reader->QueryOne("SELECT 1 FROM payment_instructions LIMIT 1").status();
      }
      snapshot.set_value();
      try {
        round->counted.get();
      } catch (const std::future_error&) {  // the round failed: nothing to write
        return std::vector<Done>();
      }
      // The files read in parts (their rows' ids ascending), up to options.max_scanned rows in
      // all (a round takes a file of each bank: with many banks and large files, the others are
      // read a file at a time), and the stretch their rows lie in.
      const size_t n = round->files.size();
      std::vector<const std::vector<int64_t>*> scanned(n, nullptr);
      int64_t first = std::numeric_limits<int64_t>::max(), last = 0;
      size_t taken = 0;
      for (size_t i = 0; i < n; ++i) {
        const std::vector<int64_t>& ids = round->rows[i];
        if (ids.empty() || static_cast<int64_t>(taken + ids.size()) > options.max_scanned ||
            !std::is_sorted(ids.begin(), ids.end())) {
          continue;
        }
        taken += ids.size();
        scanned[i] = &ids;
        first = std::min(first, ids.front());
        last = std::max(last, ids.back());
      }
      for (size_t t; (t = round->next.fetch_add(1)) < kWorkers + n;) {
        if (t < kWorkers) {
          round->parts[t].resize(n);  // empty when nothing is read
          Status read = read_tx;
          if (read.ok() && first <= last) {
            // Part t of [first, last]: as many row ids each (none when the round has fewer).
            const uint64_t span = static_cast<uint64_t>(last - first) + 1;
            const uint64_t share = span / kWorkers, extra = span % kWorkers;
            const uint64_t skip = share * t + std::min<uint64_t>(t, extra);
            const uint64_t size = share + (t < extra ? 1 : 0);
            if (size > 0) {
              const int64_t from = first + static_cast<int64_t>(skip);
              const int64_t to = from + static_cast<int64_t>(size - 1);
              read = ScanReady(*reader, scheme_id, from, to, round->banks, scanned, key,
                               round->parts[t]);
            }
          }
          round->part_read[t].set_value(read);
          continue;
        }
        const size_t i = t - kWorkers;
        const BatchRow* b = &round->files[i];
        Status read = read_tx;
        if (scanned[i]) {
          std::array<const Packed*, kWorkers> parts{};
          for (size_t p = 0; p < kWorkers; ++p) {
            if (read.ok()) read = round->part_done[p].get();
            parts[p] = &round->parts[p][i];
          }
          if (read.ok()) Unpack(parts, options, *loaded);
        } else {
          if (read.ok()) {
            const auto [cycle, beneficiary] = round->after[i];
            read = LoadReady(*reader, scheme_id, round->banks[i], cycle, beneficiary, options,
                             *loaded);
          }
          if (read.ok()) read = OpenAccounts(*loaded, key);
        }
        Money total;
        for (const CreditTransfer& t : loaded->batch.transfers) total += t.amount;
        if (!read.ok() ||
            static_cast<int64_t>(loaded->batch.transfers.size()) != b->transactions ||
            total.paise() != b->control_sum) {
          again.push_back(*b);
          continue;
        }
        SetHeader(*b, options, *loaded);
        auto file = std::make_unique<DurableFile>(options.out_dir / FileNameFor(*b));
        RETURN_IF_ERROR(file->Open());
        ASSIGN_OR_RETURN(std::string hash, render(loaded, bytes, *file));
        synced.push_back({*b, std::move(file), std::move(hash)});
      }
    }
    try {
      round->committed.get();
    } catch (const std::future_error&) {  // rolled back: the synced files go unpublished
      return std::vector<Done>();
    }
    std::vector<Done> done;
    for (Synced& s : synced) {
      RETURN_IF_ERROR(s.file->Publish());
      std::filesystem::path path = options.out_dir / FileNameFor(s.b);
      done.push_back({std::move(s.b), std::move(path), {std::move(s.hash)}});
    }
    for (const BatchRow& b : again) {
      std::filesystem::path path = options.out_dir / FileNameFor(b);
      ASSIGN_OR_RETURN(Written w, load_and_write(reader, loaded, bytes, b, path));
      done.push_back({b, std::move(path), std::move(w)});
    }
    return done;
  };
  // Each worker's latest part of a round; a worker joins a round only once its last part is
  // done. Their files, once taken from them, wait here to be marked written after the round.
  std::array<std::future<Result<std::vector<Done>>>, kWorkers> parts;
  std::vector<Done> to_mark;
  Status part_failed = OkStatus();
  auto collect = [&](size_t w) {
    Result<std::vector<Done>> r = parts[w].get();
    if (!r.ok()) {
      if (part_failed.ok()) part_failed = r.status();
      return;
    }
    for (Done& d : *r) to_mark.push_back(std::move(d));
  };

  Timestamp now = clock.Now();
  Ledger ledger(db, clock);
  RoundCache cache(db);
  // A bank's next file as counted: its first max_per_file ready instructions in key order
  // after (cycle, beneficiary), where its files counted earlier in the round end, counted and
  // totalled from the ready index alone (it carries the amount, and on SQLite each entry names
  // its row), up to the last of them.
  const bool sqlite = db.dialect() == storage::Dialect::kSqlite;
  struct Counted {
    int64_t count = 0, last_cycle = 0, last_beneficiary = 0;
    Money control_sum;
    std::vector<int64_t> rows;  // SQLite: the rows' ids, in key order (moved to the round)
  };
  auto count_next = [&](const std::string& bank, int64_t cycle,
                        int64_t beneficiary) -> Result<Counted> {
    ASSIGN_OR_RETURN(auto first,
                     db.Cached(std::string("SELECT cycle_id, beneficiary_idx, amount_paise") +
                               (sqlite ? ", rowid" : "") +
                               " FROM payment_instructions WHERE scheme_id = ? AND status = "
                               "'ready' AND bank = ? AND (cycle_id, beneficiary_idx) > (?, ?) "
                               "ORDER BY cycle_id, beneficiary_idx LIMIT ?"));
    first->BindText(1, scheme_id);
    first->BindText(2, bank);
    first->BindInt(3, cycle);
    first->BindInt(4, beneficiary);
    first->BindInt(5, options.max_per_file);
    Counted c;
    while (true) {
      auto row = first->Step();
      if (!row.ok()) {
        first->Reset();
        return row.status();
      }
      if (!*row) break;
      ++c.count;
      c.last_cycle = first->ColumnInt(0);
      c.last_beneficiary = first->ColumnInt(1);
      c.control_sum += Money::FromPaise(first->ColumnInt(2));
      if (sqlite) c.rows.push_back(first->ColumnInt(3));
    }
    first->Reset();
    return c;
  };
  // Opens the batch of a counted file and posts its total from payable to the bank's clearing
  // account, in the caller's transaction; its rows are claimed by claim_rows.
  auto open_batch = [&](const std::string& bank, const Counted& c) -> Result<BatchRow> {
    // Message ids: "SPODE-" + batch number + "-" + bank; the batch number comes from the row,
    // so it is unique.
    ASSIGN_OR_RETURN(auto id_row,
                     db.QueryOne("INSERT INTO payment_batches (message_id, scheme_id, "
                                 "cycle_id, bank, format, transactions, control_sum_paise, "
                                 "status, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, "
                                 "'created', ?) RETURNING batch_id",
                                 {"pending-" + std::to_string(now.micros) + "-" + bank,
                                  scheme_id, cycle_id, bank, options.format, c.count,
                                  c.control_sum.paise(), now.micros}));
    int64_t batch_id = id_row->Int(0);
    char msg[40];
    std::snprintf(msg, sizeof msg, "SPODE-%08lld-%s", static_cast<long long>(batch_id),
                  bank.c_str());
    RETURN_IF_ERROR(db.Execute("UPDATE payment_batches SET message_id = ? WHERE batch_id = ?",
                               {std::string(msg), batch_id})
                        .status());
    RETURN_IF_ERROR(ledger
                        .Post(JournalEntry::Transfer(
                            "sent/" + std::string(msg), "bank_file_sent",
                            AccountKey::Payable(scheme_id),
                            AccountKey::BankClearing(scheme_id, bank), c.control_sum,
                            "bank file " + std::string(msg)))
                        .status());
    return BatchRow{batch_id, msg,   bank, options.format, c.count, c.control_sum.paise(),
                    now,      /*fresh=*/true};
  };
  // Sets the rows of the round's files sent, each in its batch, in the caller's transaction
  // (`ids`: on SQLite, each file's rows' ids). ABORTED when the rows claimed are not the rows
  // counted (on PostgreSQL, an instruction turned ready meanwhile by a retry committed;
  // SQLite's writer excludes it).
  //
  // On PostgreSQL, a walk of each bank's part of the ready index up to its file's last row.
  // On SQLite, one walk of the table's rows for the whole round, over the stretches of row ids
  // the counted rows lie in: a bank's rows lie all over the table, but the round's files
  // together fill stretches of it. A walk of the ready index, which the claim changes, made
  // SQLite gather the rows' ids first and find each row again: the round's claims took 18,000
  // machine instructions a row this way against 25,400 (callgrind, 150,000 rows of three
  // banks; payments/0013_claim_walk).
  auto claim_rows = [&](std::span<const BatchRow> files, std::span<const Counted> counted,
                        std::span<const std::vector<int64_t>> ids) -> Status {
    if (!sqlite) {
      ASSIGN_OR_RETURN(auto claim,
                       db.Cached("UPDATE payment_instructions SET status = 'sent', batch_id "
                                 "= ?, updated_at_us = ? WHERE scheme_id = ? AND status = "
                                 "'ready' AND bank = ? AND (cycle_id, beneficiary_idx) <= (?, "
                                 "?)"));
      for (size_t i = 0; i < files.size(); ++i) {
        claim->BindInt(1, files[i].batch_id);
        claim->BindInt(2, now.micros);
        claim->BindText(3, scheme_id);
        claim->BindText(4, files[i].bank);
        claim->BindInt(5, counted[i].last_cycle);
        claim->BindInt(6, counted[i].last_beneficiary);
        ASSIGN_OR_RETURN(int64_t n, claim->Run());
        if (n != counted[i].count) {
          return AbortedError("claimed " + std::to_string(n) + " instructions for bank " +
                              files[i].bank + " where " + std::to_string(counted[i].count) +
                              " were counted");
        }
      }
      return OkStatus();
    }
    if (files.empty()) return OkStatus();
    int64_t expected = 0, moved = 0;
    for (const Counted& c : counted) expected += c.count;
    // A bank's ready rows up to its file's last are exactly its file's (they are its first
    // max_per_file), so a stretch of rows may hold rows of no file: they are left as they are.
    std::string batch_of = "CASE bank", in_file = "CASE bank";
    for (size_t i = 0; i < files.size(); ++i) {
      batch_of += " WHEN ? THEN ?";
      in_file += " WHEN ? THEN (cycle_id, beneficiary_idx) <= (?, ?)";
    }
    // OR FAIL: a statement that can fail after changing some rows (this one has CHECKs) keeps,
    // in the default ABORT, a copy of every page it changes, to undo itself while the
    // transaction goes on: in memory here (temp_store=MEMORY), fresh pages on every round. A
    // failed claim rolls back the whole round, so nothing needs the copy. A million rows of 30
    // banks (one round, alone, rolled back): 2.02-2.03 s of CPU and 58,100 page faults with OR
    // FAIL, 2.58-2.66 s and 89,700 without.
    ASSIGN_OR_RETURN(auto claim,
                     db.Cached("UPDATE OR FAIL payment_instructions NOT INDEXED SET status = "
                               "'sent', batch_id = " + batch_of + " END, updated_at_us = ? WHERE "
                               "rowid BETWEEN ? AND ? AND scheme_id = ? AND status = 'ready' AND (? "
                               "OR " + in_file + " ELSE 0 END)"));
    int p = 1;
    for (size_t i = 0; i < files.size(); ++i) {
      claim->BindText(p++, files[i].bank);
      claim->BindInt(p++, files[i].batch_id);
    }
    claim->BindInt(p++, now.micros);
    const int from = p++, to = p++;
    claim->BindText(p++, scheme_id);
    const int whole = p++;
    for (size_t i = 0; i < files.size(); ++i) {
      claim->BindText(p++, files[i].bank);
      claim->BindInt(p++, counted[i].last_cycle);
      claim->BindInt(p++, counted[i].last_beneficiary);
    }
    std::vector<int64_t> rows;
    rows.reserve(static_cast<size_t>(expected));
    for (const std::vector<int64_t>& file : ids) {
      rows.insert(rows.end(), file.begin(), file.end());
    }
    std::sort(rows.begin(), rows.end());
    // A stretch ends where the next counted row is more than kGap rows on, so that a sparse
    // round (a retry's scattered rows) is claimed row by row rather than walked. Claiming
    // every 33rd row of a million took 0.55-0.58 s of CPU in one walk, 0.26-0.35 s a row at a
    // time, and 0.36-0.48 s through the ready index as before (SQLite 3.40, in a program of
    // its own, each run rolled back).
    constexpr int64_t kGap = 8;
    for (size_t start = 0; start < rows.size();) {
      size_t end = start + 1;
      while (end < rows.size() && rows[end] - rows[end - 1] <= kGap) ++end;
      claim->BindInt(from, rows[start]);
      claim->BindInt(to, rows[end - 1]);
      // A stretch of consecutive counted rows holds no row of another file, nor past its file's
      // last: its rows are claimed without the test of which file each is in (the CASE of
      // `in_file`, two comparisons a bank). 30 banks' million rows in one round, alone: a median
      // 2.31 s of CPU against 2.47 s, shorter in 9 of 10 alternating pairs; 3 banks' 300,000
      // rows: the same either way.
      claim->BindInt(whole, rows[end - 1] - rows[start] == static_cast<int64_t>(end - 1 - start));
      ASSIGN_OR_RETURN(int64_t n, claim->Run());
      moved += n;
      start = end;
    }
    if (moved != expected) {
      return AbortedError("claimed " + std::to_string(moved) + " instructions of " +
                          std::to_string(files.size()) + " bank files where " +
                          std::to_string(expected) + " were counted");
    }
    return OkStatus();
  };
  // Claims the next file of each of `banks` in one transaction, and, with readers, the file
  // after it of each bank whose file was full, and so on, as long as the round's files may
  // all be read in one pass (options.max_scanned rows); the workers that are free read and
  // write the round's files meanwhile. Returns the banks with more to claim: those whose last
  // file claimed was full. On a failure the round rolls back, then its workers learn it
  // (broken promises) and drop what they wrote.
  auto claim_round_once =
      [&](const std::vector<std::string>& banks) -> Result<std::vector<std::string>> {
    // Declared before the transaction, so that it rolls back before they are broken.
    auto round = std::make_shared<Round>();
    std::promise<void> counted, committed;
    round->counted = counted.get_future().share();
    round->committed = committed.get_future().share();
    std::vector<std::future<void>> snapshots;
    std::array<bool, kWorkers> joined{};
    // Starts worker w on the round if its last part is done (or, `wait`, once it is).
    auto join = [&](size_t w, bool wait) {
      if (joined[w] || readers.empty()) return;
      if (parts[w].valid()) {
        if (!wait && parts[w].wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
          return;
        }
        collect(w);
      }
      std::promise<void> snapshot;
      std::future<void> taken = snapshot.get_future();
      try {
        parts[w] = std::async(std::launch::async, work_round, readers[w].get(), &batches[w],
                              &buffers[w], round, std::move(snapshot));
      } catch (const std::system_error&) {  // no thread to be had: after the commit, here
        parts[w] = std::async(std::launch::deferred, work_round, readers[w].get(), &batches[w],
                              &buffers[w], round, std::move(snapshot));
        joined[w] = true;
        return;
      }
      snapshots.push_back(std::move(taken));
      joined[w] = true;
    };
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
    RETURN_IF_ERROR(storage::LockForTransaction(db, "export:" + scheme_id));
    for (size_t w = 0; w < kWorkers; ++w) join(w, false);
    // The round's files, a level at a time: a file of each bank, then the next file of each
    // bank whose file was full, and so on. Each level's files are claimed in a walk of their
    // own, the next level's rows being still ready when the earlier level's are sent.
    struct Next {
      std::string bank;
      int64_t cycle, beneficiary;  // its last file's last key
    };
    constexpr int64_t kBefore = std::numeric_limits<int64_t>::min();
    std::vector<Next> level;
    for (const std::string& bank : banks) level.push_back({bank, kBefore, kBefore});
    std::vector<Counted> counts;
    std::vector<size_t> level_ends;  // into counts and round->files: where each level ends
    int64_t rows = 0;
    while (true) {
      std::vector<Next> full;
      for (const Next& n : level) {
        ASSIGN_OR_RETURN(Counted c, count_next(n.bank, n.cycle, n.beneficiary));
        if (c.count == 0) continue;
        ASSIGN_OR_RETURN(BatchRow b, open_batch(n.bank, c));
        if (c.count == options.max_per_file) {
          full.push_back({n.bank, c.last_cycle, c.last_beneficiary});  // else the bank's last
        }
        rows += c.count;
        round->files.push_back(std::move(b));
        round->banks.push_back(n.bank);
        round->after.emplace_back(n.cycle, n.beneficiary);
        round->rows.push_back(std::move(c.rows));
        counts.push_back(std::move(c));
        for (size_t w = 0; w < kWorkers; ++w) join(w, false);
      }
      level_ends.push_back(counts.size());
      level = std::move(full);
      if (level.empty() || readers.empty() ||
          rows + static_cast<int64_t>(level.size()) * options.max_per_file > options.max_scanned) {
        break;
      }
    }
    counted.set_value();
    RETURN_IF_ERROR(cache.Fit(rows));
    for (size_t l = 0, from = 0; l < level_ends.size(); from = level_ends[l++]) {
      const size_t size = level_ends[l] - from;
      RETURN_IF_ERROR(claim_rows(std::span<const BatchRow>(round->files).subspan(from, size),
                                 std::span<const Counted>(counts).subspan(from, size),
                                 std::span<const std::vector<int64_t>>(round->rows)
                                     .subspan(from, size)));
    }
    // A worker at least, when there are readers, reads the round before it commits.
    if (!readers.empty() && std::none_of(joined.begin(), joined.end(), [](bool j) { return j; })) {
      join(0, true);
    }
    for (std::future<void>& s : snapshots) s.wait();
    RETURN_IF_ERROR(tx.Commit());
    committed.set_value();
    if (readers.empty()) {
      for (const BatchRow& b : round->files) RETURN_IF_ERROR(start(b));
    }
    std::vector<std::string> open;
    for (Next& n : level) open.push_back(std::move(n.bank));
    return open;
  };
  auto claim_round =
      [&](const std::vector<std::string>& banks) -> Result<std::vector<std::string>> {
    for (int tries = 1;; ++tries) {
      auto open = claim_round_once(banks);
      if (open.ok() || open.status().code() != StatusCode::kAborted || tries == 5) return open;
    }
  };

  Status failed = [&]() -> Status {
    // First the files a crashed run left unwritten, then this run's, in rounds: a file of each
    // bank, and with readers each full bank's next ones, up to options.max_scanned rows a
    // round.
    for (const BatchRow& b : pending) RETURN_IF_ERROR(start(b));
    if (!readers.empty()) {  // the workers' readers and buffers are the rounds' from here
      while (!in_flight.empty()) RETURN_IF_ERROR(finish_oldest());
    }
    std::vector<std::string> open = banks;
    while (!open.empty()) {
      ASSIGN_OR_RETURN(open, claim_round(open));
      RETURN_IF_ERROR(part_failed);
      RETURN_IF_ERROR(mark_written(std::exchange(to_mark, {})));
    }
    return OkStatus();
  }();
  // Every file started is waited for, and marked once on disk, even after a failure.
  while (!in_flight.empty()) {
    Status s = finish_oldest();
    if (failed.ok()) failed = s;
  }
  for (size_t w = 0; w < kWorkers; ++w) {
    if (parts[w].valid()) collect(w);
  }
  if (failed.ok()) failed = part_failed;
  Status marked = mark_written(std::exchange(to_mark, {}));
  if (failed.ok()) failed = marked;
  RETURN_IF_ERROR(failed);
  // The workers' files are marked as each worker is free, not in batch order: listed in it.
  std::sort(out.begin(), out.end(), [](const ExportedFile& x, const ExportedFile& y) {
    return x.batch_id < y.batch_id;
  });
  return out;
}

Result<std::string> BatchFileContent(storage::Database& db, const crypto::MasterKey& key,
                                     int64_t batch_id, std::string_view format) {
  ASSIGN_OR_RETURN(auto r, db.QueryOne("SELECT batch_id, message_id, bank, format, transactions, "
                                       "control_sum_paise, created_at_us FROM payment_batches "
                                       "WHERE batch_id = ?",
                                       {batch_id}));
  if (!r) return NotFoundError("no bank file " + std::to_string(batch_id));
  BatchRow b{r->Int(0), r->Text(1), r->Text(2), r->Text(3), r->Int(4), r->Int(5),
             Timestamp{r->Int(6)}};
  if (!format.empty()) b.format = std::string(format);
  return RenderBatch(db, key, b, ExportOptions{});
}

}  // namespace spode::payments
