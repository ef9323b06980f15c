#include "payments/reconcile.h"

#include <algorithm>
#include <future>
#include <map>
#include <sstream>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/durable_file.h"
#include "crypto/vault_key.h"

namespace spode::payments {

namespace {

std::string Rs(int64_t paise) { return "Rs " + Money::FromPaise(paise).ToString(); }

// The text of the first <tag>...</tag> in `xml` (the group header's, in a pain.001).
std::string FirstElement(const std::string& xml, std::string_view tag) {
  std::string open = "<", close = "</";
  open.append(tag).push_back('>');
  close.append(tag).push_back('>');
  size_t a = xml.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = xml.find(close, a);
  return b == std::string::npos ? "" : xml.substr(a, b - a);
}

// A bank file read back: its hash and its first bytes (the group header, which carries the
// count and the total, is in a pain.001's first kilobyte), or why it could not be read.
struct FileRead {
  Status read;
  std::string hash, head;
};

// Reads each file in stretches, hashed as they come. No database: runs beside the queries.
std::vector<FileRead> ReadFiles(const std::vector<std::filesystem::path>& paths) {
  constexpr size_t kHead = 64 << 10;
  std::vector<FileRead> out(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i].empty()) continue;  // not written
    crypto::Hasher256 hasher;
    FileRead& f = out[i];
    f.read = ReadFileInPieces(paths[i], [&](std::string_view piece) {
      hasher.Update(piece);
      if (f.head.size() < kHead) f.head.append(piece.substr(0, kHead - f.head.size()));
      return OkStatus();
    });
    if (f.read.ok()) f.hash = crypto::ToHex(hasher.Final());
  }
  return out;
}

}  // namespace

std::string Reconciliation::Summary() const {
  std::ostringstream out;
  out << ledger.Summary();
  out << "payments: " << schemes << " schemes, " << instructions << " instructions, " << batches
      << " bank files (" << files_checked << " read from disk";
  if (read_files_since) {
    out << "; " << files_not_read << " written before " << read_files_since->ToString()
        << " not read";
  }
  out << ")\n";
  if (problems.empty()) {
    out << "payments agree with the ledger\n";
  } else {
    out << problems.size() << " disagreement(s):\n";
    for (const auto& p : problems) out << "  " << p << "\n";
  }
  return out.str();
}

Result<Reconciliation> Reconcile(storage::Database& db, const TimeSource& clock,
                                 const std::filesystem::path& files_dir,
                                 std::optional<Date> read_files_since) {
  Reconciliation r;
  r.read_files_since = read_files_since;
  const std::optional<Timestamp> read_from =
      read_files_since
          ? std::optional(Timestamp::StartOfLocalDay(*read_files_since, clock.utc_offset_minutes()))
          : std::nullopt;
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));  // one snapshot
  // The bank files are read back and hashed on a second thread while the queries run here.
  ASSIGN_OR_RETURN(auto batches, db.Query("SELECT b.batch_id, b.message_id, b.transactions, "
                                          "b.control_sum_paise, b.status, b.file_name, "
                                          "b.file_hash, b.format, e.total_paise, "
                                          "b.created_at_us FROM payment_batches b LEFT JOIN "
                                          "ledger_entries e ON e.idempotency_key = 'sent/' || "
                                          "b.message_id ORDER BY b.batch_id"));
  // Whether a batch's file is read back: written, and not before `read_files_since`.
  auto to_read = [&](const storage::Row& b) {
    return b.Text(4) == "written" && (!read_from || b.Int(9) >= read_from->micros);
  };
  std::vector<std::filesystem::path> paths;
  for (const auto& b : batches) {
    std::filesystem::path recorded(b.Text(5));
    paths.push_back(!to_read(b)         ? std::filesystem::path()
                    : files_dir.empty() ? recorded
                                        : files_dir / recorded.filename());
  }
  std::future<std::vector<FileRead>> files;
  try {
    files = std::async(std::launch::async, ReadFiles, paths);
  } catch (const std::system_error&) {  // no thread to be had: read when needed, here
    files = std::async(std::launch::deferred, ReadFiles, paths);
  }
  Ledger ledger(db, clock);
  ASSIGN_OR_RETURN(r.ledger, ledger.Check());

  // Ledger balances by account code.
  std::map<std::string, int64_t> balance;
  ASSIGN_OR_RETURN(auto bal, db.Query("SELECT account_code, SUM(amount_paise) FROM ledger_lines "
                                      "GROUP BY account_code"));
  for (const auto& b : bal) balance[b.Text(0)] = b.Int(1);
  auto bal_of = [&](const AccountKey& k) {
    auto it = balance.find(k.Code());
    return it == balance.end() ? int64_t{0} : it->second;
  };

  ASSIGN_OR_RETURN(auto schemes, db.Query("SELECT scheme_id, COALESCE(SUM(total_paise), 0) FROM "
                                          "cycles WHERE status = 'approved' GROUP BY scheme_id "
                                          "ORDER BY scheme_id"));
  for (const auto& s : schemes) {
    ++r.schemes;
    std::string scheme = s.Text(0);
    int64_t approved = s.Int(1);
    ASSIGN_OR_RETURN(auto states,
                     db.Query("SELECT status, COALESCE(bank, ''), COUNT(*), SUM(amount_paise) "
                              "FROM payment_instructions WHERE scheme_id = ? GROUP BY status, "
                              "bank",
                              {scheme}));
    int64_t out_of_payable = 0;
    std::map<std::string, int64_t> clearing, paid;
    for (const auto& st : states) {
      std::string status = st.Text(0), bank = st.Text(1);
      r.instructions += st.Int(2);
      int64_t amount = st.Int(3);
      if (status == "sent" || status == "accepted") {
        clearing[bank] += amount;
        out_of_payable += amount;
      } else if (status == "paid") {
        paid[bank] += amount;
        out_of_payable += amount;
      }
    }
    int64_t payable = bal_of(AccountKey::Payable(scheme));
    if (payable != approved - out_of_payable) {
      r.problems.push_back(scheme + ": payable is " + Rs(payable) + " but approved cycles (" +
                           Rs(approved) + ") less what is at banks or paid (" +
                           Rs(out_of_payable) + ") is " + Rs(approved - out_of_payable));
    }
    // Every bank with a ledger account or an instruction.
    std::map<std::string, bool> banks;
    for (const auto& [b, _] : clearing) banks[b] = true;
    for (const auto& [b, _] : paid) banks[b] = true;
    std::string prefix_c = "bank_clearing:" + scheme + ":", prefix_b = "beneficiary:" + scheme + ":";
    for (const auto& [code, _] : balance) {
      if (code.starts_with(prefix_c)) banks[code.substr(prefix_c.size())] = true;
      if (code.starts_with(prefix_b)) banks[code.substr(prefix_b.size())] = true;
    }
    for (const auto& [bank, _] : banks) {
      int64_t c = bal_of(AccountKey::BankClearing(scheme, bank));
      if (c != clearing[bank]) {
        r.problems.push_back(scheme + ": clearing at " + bank + " is " + Rs(c) +
                             " but instructions sent and not settled there total " +
                             Rs(clearing[bank]));
      }
      int64_t p = bal_of(AccountKey::Beneficiary(scheme, bank));
      if (p != paid[bank]) {
        r.problems.push_back(scheme + ": paid to beneficiaries at " + bank + " is " + Rs(p) +
                             " in the ledger but instructions paid there total " +
                             Rs(paid[bank]));
      }
    }
  }

  // No instruction pays other than its approved entitlement, or names a scheme other than its
  // cycle's (the schema's foreign keys hold these; the check proves them for a database edited
  // behind spode's back, and for what GenerateInstructions writes without SQLite's checks).
  ASSIGN_OR_RETURN(auto over, db.Query("SELECT i.instruction_id, i.amount_paise, e.amount_paise, "
                                       "i.scheme_id, c.scheme_id, i.cycle_id FROM "
                                       "payment_instructions i LEFT JOIN cycle_entitlements e ON "
                                       "e.cycle_id = i.cycle_id AND e.beneficiary_idx = "
                                       "i.beneficiary_idx LEFT JOIN cycles c ON c.cycle_id = "
                                       "i.cycle_id WHERE e.amount_paise IS NULL OR "
                                       "i.amount_paise <> e.amount_paise OR c.cycle_id IS NULL "
                                       "OR c.status <> 'approved' OR c.scheme_id <> i.scheme_id "
                                       "LIMIT 100"));
  for (const auto& o : over) {
    const std::string what = "instruction " + o.Text(0) + " pays " + Rs(o.Int(1));
    if (o.IsNull(4)) {
      r.problems.push_back(what + " in cycle " + std::to_string(o.Int(5)) +
                           ", which does not exist");
    } else if (o.Text(3) != o.Text(4)) {
      r.problems.push_back(what + " under scheme " + o.Text(3) + ", but its cycle is of " +
                           o.Text(4));
    } else if (o.IsNull(2)) {
      r.problems.push_back(what + " without an approved entitlement");
    } else if (o.Int(1) != o.Int(2)) {
      r.problems.push_back(what + " against an approved entitlement of " + Rs(o.Int(2)));
    } else {
      r.problems.push_back(what + " in cycle " + std::to_string(o.Int(5)) +
                           ", which is not approved");
    }
  }

  // Bank files: recorded totals = their instructions = the ledger entry that sent them = the
  // file on disk. Each batch's transfers: the instructions whose current attempt is in it, and
  // the attempts of it that have ended since; counted in one pass over the table in its order
  // (`+i.batch_id` keeps the planner off the batch index, whose order would visit the table
  // once per batch, at random).
  std::unordered_map<int64_t, std::pair<int64_t, int64_t>> held;  // batch: count, total
  ASSIGN_OR_RETURN(auto current,
                   db.Query("SELECT i.batch_id, COUNT(*), SUM(i.amount_paise) FROM "
                            "payment_instructions i WHERE +i.batch_id IS NOT NULL AND NOT "
                            "EXISTS (SELECT 1 FROM instruction_attempts t WHERE t.instruction_id "
                            "= i.instruction_id AND t.attempt = i.attempt) GROUP BY i.batch_id"));
  ASSIGN_OR_RETURN(auto ended, db.Query("SELECT batch_id, COUNT(*), SUM(amount_paise) FROM "
                                        "instruction_attempts WHERE batch_id IS NOT NULL GROUP "
                                        "BY batch_id"));
  for (const auto* rows : {&current, &ended}) {
    for (const auto& h : *rows) {
      auto& [count, total] = held[h.Int(0)];
      count += h.Int(1);
      total += h.Int(2);
    }
  }
  std::vector<FileRead> read = files.get();
  for (size_t k = 0; k < batches.size(); ++k) {
    const storage::Row& b = batches[k];
    ++r.batches;
    std::string msg = b.Text(1);
    int64_t count = b.Int(2), sum = b.Int(3);
    auto found = held.find(b.Int(0));
    auto [n, total] = found == held.end() ? std::pair<int64_t, int64_t>{} : found->second;
    if (found != held.end()) held.erase(found);
    if (n != count || total != sum) {
      r.problems.push_back("bank file " + msg + " records " + std::to_string(count) + " / " +
                           Rs(sum) + " but holds " + std::to_string(n) + " / " + Rs(total));
    }
    if (b.IsNull(8) || b.Int(8) != sum) {
      r.problems.push_back("bank file " + msg + " totals " + Rs(sum) + " but the ledger sent " +
                           (b.IsNull(8) ? std::string("nothing") : Rs(b.Int(8))));
    }
    if (b.Text(4) != "written") continue;
    if (!to_read(b)) {
      ++r.files_not_read;
      continue;
    }
    const std::filesystem::path& path = paths[k];
    const FileRead& f = read[k];
    if (f.read.code() == StatusCode::kNotFound) {
      r.problems.push_back("bank file " + msg + ": " + path.string() + " is missing");
      continue;
    }
    if (!f.read.ok()) {
      r.problems.push_back("bank file " + msg + ": " + f.read.message());
      continue;
    }
    ++r.files_checked;
    if (f.hash != b.Text(6)) {
      r.problems.push_back("bank file " + msg + ": " + path.string() +
                           " differs from the file written");
    }
    if (b.Text(7) == "pain.001") {
      std::string nb = FirstElement(f.head, "NbOfTxs"), cs = FirstElement(f.head, "CtrlSum");
      auto money = Money::Parse(cs);
      if (nb != std::to_string(count) || !money.ok() || money->paise() != sum) {
        r.problems.push_back("bank file " + msg + ": the file says " + nb + " / " + cs +
                             " but the ledger says " + std::to_string(count) + " / " +
                             Rs(sum));
      }
    }
  }
  // What is left names a batch there is not (no foreign key binds an instruction to its batch:
  // payments/0013_claim_walk). In batch order, so that the report reads the same each time.
  std::vector<std::pair<int64_t, std::pair<int64_t, int64_t>>> orphans(held.begin(), held.end());
  std::sort(orphans.begin(), orphans.end());
  for (const auto& [batch_id, held_in] : orphans) {
    r.problems.push_back(std::to_string(held_in.first) + " payment(s) of " +
                         Rs(held_in.second) + " name bank file " + std::to_string(batch_id) +
                         ", which does not exist");
  }
  return r;
}

}  // namespace spode::payments
