#include "registry/importer.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "common/log.h"
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

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
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

std::string DedupKey(std::string_view name, std::string_view dob, std::string_view village) {
  std::string key = NameKey(name);
  key += '|';
  key += dob;
  key += '|';
  key += village;
  return key;
}

struct Importer::Pending {
  HouseholdInput input;
  int64_t line = 0;
  int64_t household_idx = 0;
  std::vector<int64_t> member_idx;
  std::vector<std::string> tokens;  // per member; empty when no national ID
  std::vector<std::string> dedup_keys;
  struct Hold {
    int64_t member_idx, candidate_idx;
    std::string reason;
  };
  std::vector<Hold> holds;
};

class IdBlock {
 public:
  Result<int64_t> Next(storage::Database& db, const char* name) {
    if (next_ == end_) {
      ASSIGN_OR_RETURN(next_, Reserve(db, name, kIdBlock));
      end_ = next_ + kIdBlock;
    }
    return next_++;
  }

 private:
  int64_t next_ = 0, end_ = 0;
};

static IdBlock& HouseholdIds() {
  thread_local IdBlock b;
  return b;
}
static IdBlock& MemberIds() {
  thread_local IdBlock b;
  return b;
}

Importer::Importer(storage::Database& db, const crypto::MasterKey& key, const TimeSource& clock,
                   ImportOptions options)
    : db_(db), key_(key), clock_(clock), options_(std::move(options)) {}

Importer::~Importer() = default;

Result<std::unique_ptr<Importer>> Importer::Create(storage::Database& db,
                                                   const crypto::MasterKey& key,
                                                   const TimeSource& clock,
                                                   ImportOptions options) {
  std::unique_ptr<Importer> imp(new Importer(db, key, clock, std::move(options)));
  RETURN_IF_ERROR(imp->LoadIndexes());
  return imp;
}

Status Importer::LoadIndexes() {
  auto scan = [&](std::string_view sql, auto&& fn) -> Status {
    ASSIGN_OR_RETURN(auto stmt, db_.Prepare(sql));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt->Step());
      if (!row) break;
      fn(*stmt);
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(scan("SELECT family_id FROM households",
                       [&](storage::Statement& s) { family_ids_.insert(Numeric(s.ColumnText(0))); }));
  RETURN_IF_ERROR(scan("SELECT member_id, dedup_key, member_idx FROM members",
                       [&](storage::Statement& s) {
                         member_ids_.insert(Numeric(s.ColumnText(0)));
                         dedup_keys_.emplace(Hash(s.ColumnText(1)), s.ColumnInt(2));
                       }));
  RETURN_IF_ERROR(scan("SELECT id_token FROM vault WHERE id_token IS NOT NULL",
                       [&](storage::Statement& s) {
                         token_prefixes_.insert(TokenPrefix(s.ColumnBlob(0)));
                       }));
  RETURN_IF_ERROR(scan("SELECT code FROM places",
                       [&](storage::Statement& s) { places_.insert(std::string(s.ColumnText(0))); }));
  return OkStatus();
}

EnrolOutcome Importer::Check(HouseholdInput& h, Pending* p) {
  EnrolOutcome out{EnrolOutcome::Kind::kRejected, h.family_id, {}, ""};
  auto reject = [&](std::string reason) {
    out.kind = EnrolOutcome::Kind::kRejected;
    out.reason = std::move(reason);
    return out;
  };
  if (!h.family_id.empty() && family_ids_.count(Numeric(h.family_id))) {
    return reject("family_id: " + h.family_id + " is already enrolled");
  }
  p->tokens.assign(h.members.size(), std::string());
  p->dedup_keys.assign(h.members.size(), std::string());
  for (size_t i = 0; i < h.members.size(); ++i) {
    const MemberInput& m = h.members[i];
    std::string where = "members[" + std::to_string(i) + "]";
    if (!m.member_id.empty() && member_ids_.count(Numeric(m.member_id))) {
      return reject(where + ".member_id: " + m.member_id + " is already enrolled");
    }
    if (!m.national_id.empty()) {
      std::string token = key_.Token(m.national_id);
      if (token_prefixes_.count(TokenPrefix(token))) {
        auto row = db_.QueryOne(
            "SELECT m.member_id, h.status FROM vault v JOIN members m ON m.member_idx = "
            "v.member_idx JOIN households h ON h.household_idx = m.household_idx WHERE "
            "v.id_token = ?",
            {storage::Blob{token}});
        if (row.ok() && row->has_value()) {
          std::string held = (*row)->Text(1) == "held" ? " (held for review)" : "";
          return reject(where + ".national_id: already enrolled as member " + (*row)->Text(0) +
                        held);
        }
        // Otherwise the earlier holder is in this run's unwritten batch: caught below.
      }
      p->tokens[i] = std::move(token);
    }
    p->dedup_keys[i] = DedupKey(m.name, m.dob.ToString(), h.address.village);
  }
  // Exact duplicates within the file are caught above once earlier households are indexed;
  // within this household the parser already refused repeated national IDs.
  for (size_t i = 0; i < h.members.size(); ++i) {
    if (!p->tokens[i].empty() && token_prefixes_.count(TokenPrefix(p->tokens[i]))) {
      return reject("members[" + std::to_string(i) + "].national_id: already enrolled earlier in "
                    "this file");
    }
  }

  // Allocate sequence numbers and IDs.
  auto hidx = HouseholdIds().Next(db_, "household");
  if (!hidx.ok()) return reject("database: " + hidx.status().message());
  p->household_idx = *hidx;
  if (h.family_id.empty()) {
    for (int attempt = 0;; ++attempt) {
      h.family_id = FamilyIdFor(p->household_idx, attempt);
      if (!family_ids_.count(Numeric(h.family_id))) break;
    }
  }
  p->member_idx.clear();
  for (MemberInput& m : h.members) {
    auto midx = MemberIds().Next(db_, "member");
    if (!midx.ok()) return reject("database: " + midx.status().message());
    p->member_idx.push_back(*midx);
    if (m.member_id.empty()) {
      for (int attempt = 0;; ++attempt) {
        m.member_id = MemberIdFor(*midx, attempt);
        if (!member_ids_.count(Numeric(m.member_id))) break;
      }
    }
  }

  // Fuzzy duplicates: same normalised name, date of birth and village.
  p->holds.clear();
  for (size_t i = 0; i < h.members.size(); ++i) {
    auto it = dedup_keys_.find(Hash(p->dedup_keys[i]));
    if (it != dedup_keys_.end()) {
      p->holds.push_back({p->member_idx[i], it->second,
                          "members[" + std::to_string(i) +
                              "] has the same name (allowing for spelling), date of birth and "
                              "village as an enrolled person"});
    }
  }

  // Index this household so later lines see it.
  family_ids_.insert(Numeric(h.family_id));
  for (size_t i = 0; i < h.members.size(); ++i) {
    member_ids_.insert(Numeric(h.members[i].member_id));
    if (!p->tokens[i].empty()) token_prefixes_.insert(TokenPrefix(p->tokens[i]));
    dedup_keys_.emplace(Hash(p->dedup_keys[i]), p->member_idx[i]);
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

Status Importer::WriteBatch(std::vector<Pending>& batch) {
  if (batch.empty()) return OkStatus();
  static const std::vector<std::string> kHouseholdCols = {
      "household_idx", "family_id", "state_code", "district_code", "block_code",
      "village_code",  "attrs",     "prov_id",    "status",        "valid_from_us"};
  static const std::vector<std::string> kMemberCols = {
      "member_idx", "member_id", "household_idx", "name",  "name_local", "dob",          "sex",
      "relationship", "phone", "id_last4",      "dedup_key", "attrs",   "prov_id", "valid_from_us"};
  static const std::vector<std::string> kVaultCols = {"member_idx", "id_token", "id_sealed",
                                                      "wrapped_key"};
  static const std::vector<std::string> kBankCols = {"member_idx",     "ifsc",        "account_last4",
                                                     "account_sealed", "holder_name", "prov_id"};
  static const std::vector<std::string> kHoldCols = {"household_idx", "member_idx",
                                                     "candidate_member_idx", "reason",
                                                     "held_at_us"};
  static const std::vector<std::string> kPlaceCols = {"code", "level", "parent_code", "name"};

  int64_t now = clock_.Now().micros;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));

  storage::RowBuffer places(4), households(10), members(14), vault(4), banks(6), holds(5);
  std::vector<std::string> new_places;
  auto place = [&](const std::string& code, const char* level, const std::string& parent,
                   const std::string& name) {
    if (places_.count(code)) return;
    places_.insert(code);
    new_places.push_back(code);
    places.Text(code).Text(level).TextOrNull(parent).Text(name.empty() ? code : name);
  };

  std::string attrs_buf;
  for (Pending& p : batch) {
    HouseholdInput& h = p.input;
    const AddressInput& a = h.address;
    place(a.state, "state", "", "");
    place(a.district, "district", a.state, a.district_name);
    place(a.block, "block", a.district, a.block_name);
    place(a.village, "village", a.block, a.village_name);

    std::string prov_key = h.provenance.source + "|" + h.provenance.as_of.ToString() + "|" +
                           h.provenance.verification;
    auto pit = provenance_ids_.find(prov_key);
    int64_t prov_id;
    if (pit != provenance_ids_.end()) {
      prov_id = pit->second;
    } else {
      ASSIGN_OR_RETURN(auto row,
                       db_.QueryOne("INSERT INTO provenance (source, as_of, verification, actor, "
                                    "channel, recorded_at_us) VALUES (?, ?, ?, ?, ?, ?) "
                                    "RETURNING prov_id",
                                    {h.provenance.source, h.provenance.as_of.ToString(),
                                     h.provenance.verification, options_.actor, options_.channel,
                                     now}));
      prov_id = row->Int(0);
      provenance_ids_.emplace(prov_key, prov_id);
    }

    households.Int(p.household_idx).Text(h.family_id).Text(a.state).Text(a.district)
        .Text(a.block).Text(a.village).Text(h.attributes).Int(prov_id)
        .Text(p.holds.empty() ? "active" : "held").Int(now);
    for (size_t i = 0; i < h.members.size(); ++i) {
      MemberInput& m = h.members[i];
      std::string last4 = m.national_id.empty() ? "" : m.national_id.substr(8);
      members.Int(p.member_idx[i]).Text(m.member_id).Int(p.household_idx).Text(m.name)
          .TextOrNull(m.name_local).Text(m.dob.ToString()).Text(m.sex).Text(m.relationship)
          .TextOrNull(m.phone).TextOrNull(last4).Text(p.dedup_keys[i]).Text(m.attributes)
          .Int(prov_id).Int(now);
      if (!m.national_id.empty() || m.bank_account) {
        crypto::DataKey dk = crypto::DataKey::Generate();
        std::string wrapped = key_.Wrap(dk);
        if (!m.national_id.empty()) {
          std::string sealed = dk.Seal(m.national_id, "id:" + m.member_id);
          vault.Int(p.member_idx[i]).BlobBytes(p.tokens[i]).BlobBytes(sealed).BlobBytes(wrapped);
        } else {
          vault.Int(p.member_idx[i]).Null().Null().BlobBytes(wrapped);
        }
        if (m.bank_account) {
          const BankAccountInput& b = *m.bank_account;
          std::string sealed = dk.Seal(b.account_number, "acct:" + m.member_id);
          banks.Int(p.member_idx[i]).Text(b.ifsc)
              .Text(b.account_number.substr(b.account_number.size() - 4)).BlobBytes(sealed)
              .TextOrNull(b.holder_name).Int(prov_id);
        }
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
    return tx.Commit();
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
    EnrolOutcome o = Check(p.input, &p);
    if (o.kind != EnrolOutcome::Kind::kRejected) batch.push_back(std::move(p));
    outcomes.push_back(std::move(o));
  }
  RETURN_IF_ERROR(WriteBatch(batch));
  return outcomes;
}

Result<ImportReport> Importer::ImportFile(const std::string& path) {
  auto start = std::chrono::steady_clock::now();
  ImportReport report;
  report.file = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open " + path);
  struct stat st {};
  int64_t total = ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
  std::vector<char> iobuf(1 << 20);
  in.rdbuf()->pubsetbuf(iobuf.data(), static_cast<std::streamsize>(iobuf.size()));

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
      AppendJsonString(&out, family_id);
    }
    out += ",\"reason\":";
    AppendJsonString(&out, RedactNationalIds(reason));
    out += "}\n";
    std::fwrite(out.data(), 1, out.size(), rejects);
    ++report.households_rejected;
    return OkStatus();
  };

  Date today = clock_.Today();
  std::vector<Pending> batch;
  batch.reserve(static_cast<size_t>(options_.batch_households));
  std::string line;
  int64_t done_bytes = 0;
  Status failure;
  auto flush = [&]() -> Status {
    Status s = WriteBatch(batch);
    if (!s.ok()) return s;
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

  while (std::getline(in, line)) {
    ++report.lines;
    done_bytes += static_cast<int64_t>(line.size()) + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) {
      ++report.blank_lines;
      continue;
    }
    if (line.size() > kMaxLineBytes) {
      failure = reject(report.lines, "", "the line is longer than 1 MiB");
      if (!failure.ok()) break;
      continue;
    }
    auto parsed = ParseHousehold(line, today);
    if (!parsed.ok()) {
      failure = reject(report.lines, "", parsed.status().message());
      if (!failure.ok()) break;
      continue;
    }
    Pending p;
    p.line = report.lines;
    p.input = std::move(*parsed);
    EnrolOutcome o = Check(p.input, &p);
    if (o.kind == EnrolOutcome::Kind::kRejected) {
      failure = reject(report.lines, p.input.family_id, o.reason);
      if (!failure.ok()) break;
      continue;
    }
    batch.push_back(std::move(p));
    if (static_cast<int>(batch.size()) >= options_.batch_households) {
      failure = flush();
      if (!failure.ok()) break;
    }
  }
  if (failure.ok()) failure = flush();
  if (rejects != nullptr) std::fclose(rejects);
  if (!failure.ok()) return failure.WithContext("import stopped at line " +
                                                std::to_string(report.lines));
  if (in.bad()) return UnavailableError("error reading " + path);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace spode::registry
