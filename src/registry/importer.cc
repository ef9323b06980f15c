#include "registry/importer.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/json_writer.h"
#include "common/log.h"
#include "registry/change_feed.h"
#include "registry/ids.h"
#include "registry/names.h"

namespace spode::registry {
namespace {

constexpr size_t kMaxLineBytes = 1 << 20;
constexpr int64_t kIdBlock = 4096;

uint64_t Hash(std::string_view s) {
  // FNV-1a 64: stable across runs and builds (std::hash is not guaranteed to be).
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t Numeric(std::string_view digits) {
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + static_cast<uint64_t>(c - '0');
  return v;
}

uint64_t TokenPrefix(std::string_view token) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < token.size(); ++i) {
    v = (v << 8) | static_cast<unsigned char>(token[i]);
  }
  return v;
}

// Reserves `n` consecutive sequence numbers, committed at once so that concurrent writers
// never receive the same ones. Returns the first.
Result<int64_t> Reserve(storage::Database& db, const char* name, int64_t n) {
  ASSIGN_OR_RETURN(auto row,
                   db.QueryOne("UPDATE id_sequences SET next_value = next_value + ? WHERE name = ? "
                               "RETURNING next_value",
                               {n, std::string(name)}));
  if (!row) return InternalError(std::string("id sequence ") + name + " is missing");
  return row->Int(0) - n;
}

}  // namespace

int64_t DedupHash(std::string_view name, std::string_view dob, std::string_view village) {
  std::string key = NameKey(name);
  key += '|';
  key += dob;
  key += '|';
  key += village;
  return static_cast<int64_t>(Hash(key));
}

// What the parsing thread prepares for each member: the look-up token and the sealed values,
// so that the writing thread only checks, numbers and writes.
// The byte strings live in the household's arena (one allocation per household, not four per
// member); each is an (offset, length) pair, length 0 when absent.
struct SealedMember {
  struct Span {
    uint32_t offset = 0, size = 0;
  };
  Span token;        // the keyed hash of the national ID
  Span id_sealed;    // the national ID under the member's data key
  Span acct_sealed;  // the bank account number under the same key
  Span wrapped_key;  // the data key under the master key
  int64_t dedup_hash = 0;
};

struct Importer::Pending {
  HouseholdInput input;
  std::vector<SealedMember> sealed;
  std::string arena;
  std::string_view Bytes(SealedMember::Span s) const {
    return std::string_view(arena).substr(s.offset, s.size);
  }
  int64_t line = 0;
  int64_t household_idx = 0;
  std::vector<int64_t> member_idx;
  struct Hold {
    int64_t member_idx, candidate_idx;
    std::string reason;
  };
  std::vector<Hold> holds;
};

Result<int64_t> Importer::IdBlock::Next(storage::Database& db, const char* name) {
  if (next_ == end_) {
    ASSIGN_OR_RETURN(next_, Reserve(db, name, kIdBlock));
    end_ = next_ + kIdBlock;
  }
  return next_++;
}

Importer::Importer(storage::Database& db, const crypto::MasterKey& key, const TimeSource& clock,
                   ImportOptions options)
    : db_(db), key_(key), clock_(clock), options_(std::move(options)) {}

Importer::~Importer() = default;

Result<std::unique_ptr<Importer>> Importer::Create(storage::Database& db,
                                                   const crypto::MasterKey& key,
                                                   const TimeSource& clock,
                                                   ImportOptions options) {
  bool load = options.load_indexes;
  std::unique_ptr<Importer> imp(new Importer(db, key, clock, std::move(options)));
  if (load) RETURN_IF_ERROR(imp->LoadIndexes());
  return imp;
}

Status Importer::LoadIndexesFor(const Pending& p) {
  const HouseholdInput& h = p.input;
  if (!h.family_id.empty()) {
    ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT 1 FROM households WHERE family_id = ?",
                                            {h.family_id}));
    if (row) family_ids_.Insert(Numeric(h.family_id), 0);
  }
  for (size_t i = 0; i < h.members.size(); ++i) {
    if (!h.members[i].member_id.empty()) {
      ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT 1 FROM members WHERE member_id = ?",
                                              {h.members[i].member_id}));
      if (row) member_ids_.Insert(Numeric(h.members[i].member_id), 0);
    }
    std::string_view token = p.Bytes(p.sealed[i].token);
    if (!token.empty()) {
      ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT member_idx FROM vault WHERE id_token = ?",
                                              {storage::Blob{std::string(token)}}));
      if (row) token_prefixes_.Insert(TokenPrefix(token), row->Int(0));
    }
    ASSIGN_OR_RETURN(auto dup, db_.QueryOne("SELECT member_idx FROM members WHERE dedup_hash = ? "
                                            "LIMIT 1",
                                            {p.sealed[i].dedup_hash}));
    if (dup) dedup_hashes_.Insert(static_cast<uint64_t>(p.sealed[i].dedup_hash), dup->Int(0));
  }
  // Places already known need not be inserted again.
  for (const std::string* code : {&h.address.state, &h.address.district, &h.address.block,
                                  &h.address.village}) {
    if (places_.count(*code)) continue;
    ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT 1 FROM places WHERE code = ?", {*code}));
    if (row) places_.insert(*code);
  }
  return OkStatus();
}

Status Importer::LoadIndexes() {
  if (db_.dialect() == storage::Dialect::kSqlite) {
    if (const char* c = std::getenv("SPODE_IMPORT_CACHE_KIB")) {
      RETURN_IF_ERROR(db_.ExecScript(std::string("PRAGMA cache_size=-") + c));
    }
  }
  auto scan = [&](std::string_view sql, auto&& fn) -> Status {
    ASSIGN_OR_RETURN(auto stmt, db_.Prepare(sql));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      fn(*stmt);
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(scan("SELECT family_id FROM households", [&](storage::Statement& s) {
    family_ids_.Insert(Numeric(s.ColumnText(0)), 0);
  }));
  RETURN_IF_ERROR(scan("SELECT member_id, dedup_hash, member_idx FROM members",
                       [&](storage::Statement& s) {
                         member_ids_.Insert(Numeric(s.ColumnText(0)), 0);
                         dedup_hashes_.Insert(static_cast<uint64_t>(s.ColumnInt(1)),
                                              s.ColumnInt(2));
                       }));
  RETURN_IF_ERROR(scan("SELECT id_token, member_idx FROM vault WHERE id_token IS NOT NULL",
                       [&](storage::Statement& s) {
                         token_prefixes_.Insert(TokenPrefix(s.ColumnBlob(0)), s.ColumnInt(1));
                       }));
  RETURN_IF_ERROR(scan("SELECT code FROM places",
                       [&](storage::Statement& s) { places_.insert(std::string(s.ColumnText(0))); }));
  return OkStatus();
}

void Importer::Seal(Pending* p) const {
  const HouseholdInput& h = p->input;
  p->sealed.assign(h.members.size(), SealedMember());
  p->arena.clear();
  p->arena.reserve(h.members.size() * 220);
  auto append = [&](auto&& write) {
    SealedMember::Span span;
    span.offset = static_cast<uint32_t>(p->arena.size());
    write(&p->arena);
    span.size = static_cast<uint32_t>(p->arena.size()) - span.offset;
    return span;
  };
  for (size_t i = 0; i < h.members.size(); ++i) {
    const MemberInput& m = h.members[i];
    SealedMember& s = p->sealed[i];
    s.dedup_hash = DedupHash(m.name, m.dob.ToString(), h.address.village);
    if (m.national_id.empty() && !m.bank_account) continue;
    // Each person has a key of their own: destroying wrapped_key erases all of their sealed data.
    crypto::DataKey dk = crypto::DataKey::Generate();
    s.wrapped_key = append([&](std::string* out) { key_.WrapInto(out, dk); });
    if (!m.national_id.empty()) {
      s.token = append([&](std::string* out) { key_.TokenInto(out, m.national_id); });
      s.id_sealed = append(
          [&](std::string* out) { dk.SealInto(out, m.national_id, "spode-national-id"); });
    }
    if (m.bank_account) {
      s.acct_sealed = append([&](std::string* out) {
        dk.SealInto(out, m.bank_account->account_number, "spode-account");
      });
    }
  }
}

EnrolOutcome Importer::Check(HouseholdInput& h, Pending* p) {
  EnrolOutcome out{EnrolOutcome::Kind::kRejected, h.family_id, {}, ""};
  auto reject = [&](std::string reason) {
    out.kind = EnrolOutcome::Kind::kRejected;
    out.reason = std::move(reason);
    return out;
  };
  if (!h.family_id.empty() && family_ids_.Contains(Numeric(h.family_id))) {
    return reject("family_id: " + h.family_id + " is already enrolled");
  }
  if (p->sealed.size() != h.members.size()) Seal(p);
  for (size_t i = 0; i < h.members.size(); ++i) {
    const MemberInput& m = h.members[i];
    auto where = [&] { return "members[" + std::to_string(i) + "]"; };
    if (!m.member_id.empty() && member_ids_.Contains(Numeric(m.member_id))) {
      return reject(where() + ".member_id: " + m.member_id + " is already enrolled");
    }
    std::string_view token = p->Bytes(p->sealed[i].token);
    if (token.empty()) continue;
    const int64_t* holder = token_prefixes_.Find(TokenPrefix(token));
    if (holder == nullptr) continue;
    // A 64-bit prefix matched: confirm on the whole token (a written or pending row).
    auto row = db_.QueryOne("SELECT m.member_id, h.status, v.id_token FROM members m JOIN "
                            "households h ON h.household_idx = m.household_idx JOIN vault v ON "
                            "v.member_idx = m.member_idx WHERE m.member_idx = ?",
                            {*holder});
      bool same = !row.ok() || !row->has_value() || (*row)->BlobBytes(2) == token;
    if (!same) continue;
    if (row.ok() && row->has_value()) {
      std::string held = (*row)->Text(1) == "held" ? " (held for review)" : "";
      return reject(where() + ".national_id: already enrolled as member " + (*row)->Text(0) +
                    held);
    }
    return reject(where() + ".national_id: already enrolled earlier in this file");
  }

  // Allocate sequence numbers and IDs.
  auto hidx = household_ids_.Next(db_, "household");
  if (!hidx.ok()) return reject("database: " + hidx.status().message());
  p->household_idx = *hidx;
  if (h.family_id.empty()) {
    for (int attempt = 0;; ++attempt) {
      h.family_id = FamilyIdFor(p->household_idx, attempt);
      if (!family_ids_.Contains(Numeric(h.family_id))) break;
    }
  }
  p->member_idx.clear();
  for (MemberInput& m : h.members) {
    auto midx = member_ids_block_.Next(db_, "member");
    if (!midx.ok()) return reject("database: " + midx.status().message());
    p->member_idx.push_back(*midx);
    if (m.member_id.empty()) {
      for (int attempt = 0;; ++attempt) {
        m.member_id = MemberIdFor(*midx, attempt);
        if (!member_ids_.Contains(Numeric(m.member_id))) break;
      }
    }
  }

  // Fuzzy duplicates: same normalised name, date of birth and village.
  p->holds.clear();
  for (size_t i = 0; i < h.members.size(); ++i) {
    uint64_t dedup = static_cast<uint64_t>(p->sealed[i].dedup_hash);
    if (const int64_t* existing = dedup_hashes_.Find(dedup)) {
      p->holds.push_back({p->member_idx[i], *existing,
                          "members[" + std::to_string(i) +
                              "] has the same name (allowing for spelling), date of birth and "
                              "village as an enrolled person"});
    }
  }

  // Index this household so later lines see it.
  family_ids_.Insert(Numeric(h.family_id), 0);
  for (size_t i = 0; i < h.members.size(); ++i) {
    member_ids_.Insert(Numeric(h.members[i].member_id), 0);
    if (p->sealed[i].token.size > 0) {
      token_prefixes_.Insert(TokenPrefix(p->Bytes(p->sealed[i].token)), p->member_idx[i]);
    }
    dedup_hashes_.Insert(static_cast<uint64_t>(p->sealed[i].dedup_hash), p->member_idx[i]);
  }
  out.family_id = h.family_id;
  for (const MemberInput& m : h.members) out.member_ids.push_back(m.member_id);
  if (!p->holds.empty()) {
    out.kind = EnrolOutcome::Kind::kHeld;
    out.reason = p->holds.front().reason;
  } else {
    out.kind = EnrolOutcome::Kind::kImported;
  }
  return out;
}

Status Importer::WriteBatch(std::vector<Pending>& batch, bool own_transaction) {
  if (batch.empty()) return OkStatus();
  static const std::vector<std::string> kHouseholdCols = {
      "household_idx", "family_id", "state_code", "district_code", "block_code",
      "village_code",  "attrs",     "prov_id",    "status",        "valid_from_us"};
  static const std::vector<std::string> kMemberCols = {
      "member_idx", "member_id", "household_idx", "name",  "name_local", "dob",          "sex",
      "relationship", "phone", "id_last4",      "dedup_hash", "attrs",   "prov_id", "valid_from_us"};
  static const std::vector<std::string> kVaultCols = {"member_idx", "id_token", "id_sealed",
                                                      "wrapped_key"};
  static const std::vector<std::string> kBankCols = {"member_idx",     "ifsc",        "account_last4",
                                                     "account_sealed", "holder_name", "prov_id"};
  static const std::vector<std::string> kHoldCols = {"household_idx", "member_idx",
                                                     "candidate_member_idx", "reason",
                                                     "held_at_us"};
  static const std::vector<std::string> kPlaceCols = {"code", "level", "parent_code", "name"};

  int64_t now = clock_.Now().micros;
  std::optional<storage::Transaction> tx;
  if (own_transaction) {
    ASSIGN_OR_RETURN(storage::Transaction t, storage::Transaction::Begin(db_));
    tx.emplace(std::move(t));
  }

  rows_.Clear();
  auto& [places, households, members, vault, banks, holds, changes] = rows_;
  std::vector<std::string> new_places;
  auto place = [&](const std::string& code, const char* level, const std::string& parent,
                   const std::string& name) {
    if (places_.count(code)) return;
    places_.insert(code);
    new_places.push_back(code);
    places.Text(code).Text(level).TextOrNull(parent).Text(name.empty() ? code : name);
  };

  for (Pending& p : batch) {
    HouseholdInput& h = p.input;
    const AddressInput& a = h.address;
    place(a.state, "state", "", "");
    place(a.district, "district", a.state, a.district_name);
    place(a.block, "block", a.district, a.block_name);
    place(a.village, "village", a.block, a.village_name);

    const ProvenanceInput& pv = h.provenance;
    std::string prov_key = pv.source + "|" + pv.as_of.ToString() + "|" + pv.verification;
    int64_t prov_id;
    if (auto pit = provenance_ids_.find(prov_key); pit != provenance_ids_.end()) {
      prov_id = pit->second;
    } else {
      ASSIGN_OR_RETURN(auto row,
                       db_.QueryOne("INSERT INTO provenance (source, as_of, verification, actor, "
                                    "channel, recorded_at_us) VALUES (?, ?, ?, ?, ?, ?) "
                                    "RETURNING prov_id",
                                    {pv.source, pv.as_of.ToString(), pv.verification,
                                     options_.actor, options_.channel, now}));
      prov_id = row->Int(0);
      provenance_ids_.emplace(std::move(prov_key), prov_id);
    }

    households.Int(p.household_idx).Text(h.family_id).Text(a.state).Text(a.district)
        .Text(a.block).Text(a.village).Text(h.attributes).Int(prov_id)
        .Text(p.holds.empty() ? "active" : "held").Int(now);
    for (size_t i = 0; i < h.members.size(); ++i) {
      MemberInput& m = h.members[i];
      std::string last4 = m.national_id.empty() ? "" : m.national_id.substr(8);
      members.Int(p.member_idx[i]).Text(m.member_id).Int(p.household_idx).Text(m.name)
          .TextOrNull(m.name_local).Text(m.dob.ToString()).Text(m.sex).Text(m.relationship)
          .TextOrNull(m.phone).TextOrNull(last4).Int(p.sealed[i].dedup_hash).Text(m.attributes)
          .Int(prov_id).Int(now);
      const SealedMember& sm = p.sealed[i];
      if (sm.wrapped_key.size > 0) {
        if (sm.token.size > 0) {
          vault.Int(p.member_idx[i]).BlobBytes(p.Bytes(sm.token)).BlobBytes(p.Bytes(sm.id_sealed))
              .BlobBytes(p.Bytes(sm.wrapped_key));
        } else {
          vault.Int(p.member_idx[i]).Null().Null().BlobBytes(p.Bytes(sm.wrapped_key));
        }
      }
      if (m.bank_account) {
        const BankAccountInput& b = *m.bank_account;
        banks.Int(p.member_idx[i]).Text(b.ifsc)
            .Text(std::string_view(b.account_number).substr(b.account_number.size() - 4))
            .BlobBytes(p.Bytes(sm.acct_sealed)).TextOrNull(b.holder_name).Int(prov_id);
      }
    }
    for (const Pending::Hold& hold : p.holds) {
      holds.Int(p.household_idx).Int(hold.member_idx).Int(hold.candidate_idx).Text(hold.reason)
          .Int(now);
    }
  }
  Status s = [&]() -> Status {
    RETURN_IF_ERROR(db_.BulkInsert("places", kPlaceCols, places));
    RETURN_IF_ERROR(db_.BulkInsert("households", kHouseholdCols, households));
    RETURN_IF_ERROR(db_.BulkInsert("members", kMemberCols, members));
    RETURN_IF_ERROR(db_.BulkInsert("vault", kVaultCols, vault));
    RETURN_IF_ERROR(db_.BulkInsert("bank_accounts", kBankCols, banks));
    RETURN_IF_ERROR(db_.BulkInsert("duplicate_holds", kHoldCols, holds));
    // The change feed: per household in batches; a bulk load records one "rebuild" row.
    if (tx) {
      for (const Pending& p : batch) changes.Int(p.household_idx).Int(now);
      static const std::vector<std::string> kChangeCols = {"household_idx", "at_us"};
      RETURN_IF_ERROR(LockChangeFeed(db_));
      RETURN_IF_ERROR(db_.BulkInsert("registry_changes", kChangeCols, changes));
    }
    return tx ? tx->Commit() : OkStatus();
  }();
  if (!s.ok()) {
    for (const std::string& code : new_places) places_.erase(code);
    provenance_ids_.clear();
  }
  return s;
}

Result<std::vector<EnrolOutcome>> Importer::Enrol(std::vector<HouseholdInput> households) {
  std::vector<EnrolOutcome> outcomes;
  std::vector<Pending> batch;
  for (HouseholdInput& h : households) {
    Pending p;
    p.input = std::move(h);
    Seal(&p);
    if (!options_.load_indexes) RETURN_IF_ERROR(LoadIndexesFor(p));
    EnrolOutcome o = Check(p.input, &p);
    if (o.kind != EnrolOutcome::Kind::kRejected) batch.push_back(std::move(p));
    outcomes.push_back(std::move(o));
  }
  RETURN_IF_ERROR(WriteBatch(batch, /*own_transaction=*/true));
  return outcomes;
}

namespace {

// One parsed line, from the parsing thread to the writing thread.
struct ParsedLine {
  int64_t line = 0;
  int64_t bytes = 0;
  bool blank = false;
  Status error;  // the line's reason for rejection, when not OK
  std::optional<Importer::PendingHandle> pending;
};

}  // namespace

Result<ImportReport> Importer::ImportFile(const std::string& path) {
  auto start = std::chrono::steady_clock::now();
  ImportReport report;
  report.file = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + path);
  struct stat st {};
  int64_t total = ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;

  std::string rejects_path = path + ".rejects.jsonl";
  std::remove(rejects_path.c_str());  // a stale file from an earlier run would mislead
  FILE* rejects = nullptr;
  auto reject = [&](int64_t line, std::string_view family_id, std::string_view reason) -> Status {
    if (rejects == nullptr) {
      rejects = std::fopen(rejects_path.c_str(), "wb");
      if (rejects == nullptr) return UnavailableError("cannot write " + rejects_path);
      report.rejects_file = rejects_path;
    }
    std::string out = "{\"line\":" + std::to_string(line);
    if (!family_id.empty()) {
      out += ",\"family_id\":";
      AppendJsonString(out, family_id);
    }
    out += ",\"reason\":";
    AppendJsonString(out, RedactNationalIds(reason));
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), rejects);
    ++report.households_rejected;
    return OkStatus();
  };

  // Bulk mode: when the file would at least double the registry (an initial load), the whole
  // file goes in one transaction with the indexes dropped and rebuilt at the end (sorting once
  // is much faster than inserting millions of random keys). Other connections meanwhile see
  // the registry as it was, indexes and all, until the commit.
  // Bulk mode (see ImportOptions::Mode). On SQLite other connections keep reading the registry
  // as it was, indexes and all, until the commit (WAL snapshots). On PostgreSQL, dropping an
  // index locks its table until the commit, so kAuto uses bulk mode there only for a first load
  // into an empty registry.
  const bool sqlite = db_.dialect() == storage::Dialect::kSqlite;
  const int64_t estimated_members = total / 300;
  const int64_t existing = static_cast<int64_t>(member_ids_.size());
  const bool bulk =
      options_.mode == ImportOptions::Mode::kBulk ||
      (options_.mode == ImportOptions::Mode::kAuto && estimated_members >= 20000 &&
       (sqlite ? estimated_members >= existing : existing == 0));
  std::optional<storage::Transaction> bulk_tx;
  std::vector<std::string> rebuild;
  if (bulk) {
    ASSIGN_OR_RETURN(storage::Transaction t, storage::Transaction::Begin(db_));
    bulk_tx.emplace(std::move(t));
    RETURN_IF_ERROR(db_.ExecScript(sqlite ? "PRAGMA cache_size=-1048576"
                                          : "SET LOCAL maintenance_work_mem = '512MB'"));
    ASSIGN_OR_RETURN(
        auto indexes,
        db_.Query(sqlite ? "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS "
                           "NOT NULL AND tbl_name IN ('households', 'members', 'vault', "
                           "'bank_accounts')"
                         : "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = "
                           "current_schema() AND tablename IN ('households', 'members', 'vault', "
                           "'bank_accounts') AND indexname NOT LIKE '%_pkey'"));
    for (const storage::Row& r : indexes) {
      RETURN_IF_ERROR(db_.ExecScript("DROP INDEX " + r.Text(0)));
      rebuild.push_back(r.Text(1));
    }
  }

  // The parsing thread reads, parses, validates and seals; this thread checks against the
  // registry, numbers and writes. Chunks of lines travel through a small bounded queue.
  constexpr size_t kChunk = 512, kMaxChunks = 8;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::vector<ParsedLine>> queue;
  bool done = false, stop = false;
  Status read_error;
  Date today = clock_.Today();
  std::thread parser([&] {
    std::vector<char> iobuf(1 << 20);
    in.rdbuf()->pubsetbuf(iobuf.data(), static_cast<std::streamsize>(iobuf.size()));
    std::string line;
    int64_t line_no = 0;
    std::vector<ParsedLine> chunk;
    auto push = [&]() -> bool {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return queue.size() < kMaxChunks || stop; });
      if (stop) return false;
      queue.push_back(std::move(chunk));
      chunk.clear();
      cv.notify_all();
      return true;
    };
    while (std::getline(in, line)) {
      ParsedLine pl;
      pl.line = ++line_no;
      pl.bytes = static_cast<int64_t>(line.size()) + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) {
        pl.blank = true;
      } else if (line.size() > kMaxLineBytes) {
        pl.error = InvalidArgumentError("the line is longer than 1 MiB");
      } else {
        auto parsed = ParseHousehold(line, today);
        if (!parsed.ok()) {
          pl.error = parsed.status();
        } else {
          PendingHandle handle = std::make_shared<Pending>();
          handle->input = std::move(*parsed);
          handle->line = pl.line;
          Seal(handle.get());
          pl.pending = std::move(handle);
        }
      }
      chunk.push_back(std::move(pl));
      if (chunk.size() >= kChunk && !push()) return;
    }
    if (!chunk.empty() && !push()) return;
    std::lock_guard lock(mu);
    if (in.bad()) read_error = UnavailableError("error reading " + path);
    done = true;
    cv.notify_all();
  });

  std::vector<Pending> batch;
  batch.reserve(static_cast<size_t>(options_.batch_households));
  int64_t done_bytes = 0;
  Status failure;
  auto flush = [&]() -> Status {
    RETURN_IF_ERROR(WriteBatch(batch, /*own_transaction=*/!bulk));
    for (const Pending& p : batch) {
      if (p.holds.empty()) {
        ++report.households_imported;
        report.members_imported += static_cast<int64_t>(p.input.members.size());
      } else {
        ++report.households_held;
        report.members_held += static_cast<int64_t>(p.input.members.size());
      }
    }
    batch.clear();
    if (options_.progress) options_.progress(done_bytes, total);
    return OkStatus();
  };

  while (failure.ok()) {
    std::vector<ParsedLine> chunk;
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return !queue.empty() || done; });
      if (queue.empty()) break;
      chunk = std::move(queue.front());
      queue.pop_front();
      cv.notify_all();
    }
    for (ParsedLine& pl : chunk) {
      ++report.lines;
      done_bytes += pl.bytes;
      if (pl.blank) {
        ++report.blank_lines;
        continue;
      }
      if (!pl.error.ok()) {
        failure = reject(pl.line, "", pl.error.message());
        if (!failure.ok()) break;
        continue;
      }
      Pending& p = *pl.pending.value();
      EnrolOutcome o = Check(p.input, &p);
      if (o.kind == EnrolOutcome::Kind::kRejected) {
        failure = reject(pl.line, p.input.family_id, o.reason);
        if (!failure.ok()) break;
        continue;
      }
      batch.push_back(std::move(p));
      if (static_cast<int>(batch.size()) >= options_.batch_households) {
        failure = flush();
        if (!failure.ok()) break;
      }
    }
  }
  {
    std::lock_guard lock(mu);
    stop = true;
    cv.notify_all();
  }
  parser.join();
  if (failure.ok()) failure = read_error;
  if (failure.ok()) failure = flush();
  if (failure.ok() && bulk) {
    auto t0 = std::chrono::steady_clock::now();
    for (const std::string& sql : rebuild) {
      failure = db_.ExecScript(sql);
      if (!failure.ok()) break;
    }
    auto t1 = std::chrono::steady_clock::now();
    if (failure.ok()) failure = RecordChange(db_, 0, clock_.Now().micros);
    if (failure.ok()) failure = bulk_tx->Commit();
    spdlog::info("bulk import: rows written in {:.1f} s, {} indexes rebuilt in {:.1f} s, "
                 "committed in {:.1f} s",
                 std::chrono::duration<double>(t0 - start).count(), rebuild.size(),
                 std::chrono::duration<double>(t1 - t0).count(),
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count());
  }
  if (rejects != nullptr) std::fclose(rejects);
  if (!failure.ok()) {
    return failure.WithContext("import stopped at line " + std::to_string(report.lines) +
                               (bulk ? "; nothing was imported" : ""));
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace spode::registry
