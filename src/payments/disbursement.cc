#include "payments/disbursement.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

#include "notify/outbox.h"
#include "payments/csv_profile.h"
#include "payments/iso20022.h"
#include "payments/ledger.h"
#include "payments/returns.h"
#include "programs/enrolment.h"
#include "programs/reentry.h"
#include "registry/names.h"

namespace spode::payments {

using nlohmann::json;

namespace {

constexpr std::string_view kAssociatedAccount = "spode-account";

// Messages go in the household's state language: programs::NoticeLanguage, as notices do.
bool HindiState(std::string_view state_code) {
  return programs::NoticeLanguage(state_code) == "hi";
}

std::string Masked(std::string_view ifsc, std::string_view last4) {
  return std::string(ifsc) + " / XXXXXXXX" + std::string(last4);
}

// 0-100: how far the account holder's name agrees with the registry's, after the registry's
// own normalisation (case, spacing, Devanagari, common spelling variants). Equal keys score
// 100; otherwise the share of name words the two have in common.
int NameScore(std::string_view registry_name, std::string_view holder_name) {
  std::string a = registry::NameKey(registry_name), b = registry::NameKey(holder_name);
  if (a == b) return 100;
  auto words = [](const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
  };
  std::vector<std::string> wa = words(a), wb = words(b);
  if (wa.empty() || wb.empty()) return 0;
  int common = 0;
  for (const auto& w : wa) {
    if (std::find(wb.begin(), wb.end(), w) != wb.end()) ++common;
  }
  return static_cast<int>(100 * common / std::max(wa.size(), wb.size()));
}

Status Notify(storage::Database& db, const TimeSource& clock, int64_t member_idx,
              std::string_view template_name, std::map<std::string, std::string, std::less<>> params) {
  ASSIGN_OR_RETURN(auto m, db.QueryOne("SELECT m.phone, m.member_id, h.state_code FROM members m "
                                       "JOIN households h ON h.household_idx = m.household_idx "
                                       "WHERE m.member_idx = ?",
                                       {member_idx}));
  if (!m || m->IsNull(0) || m->Text(0).empty()) return OkStatus();  // no phone: the event stays
  notify::Outbox outbox(db, clock);
  notify::Message msg{.channel = notify::Channel::kSms,
                      .recipient = m->Text(0),
                      .member_id = m->Text(1),
                      .template_name = std::string(template_name),
                      .language = HindiState(m->Text(2)) ? notify::Language::kHi
                                                         : notify::Language::kEn,
                      .params = std::move(params)};
  return outbox.Enqueue(msg).status();
}

bool HindiFor(storage::Database& db, int64_t member_idx) {
  auto m = db.QueryOne("SELECT h.state_code FROM members m JOIN households h ON "
                       "h.household_idx = m.household_idx WHERE m.member_idx = ?",
                       {member_idx});
  return m.ok() && m->has_value() && HindiState((*m)->Text(0));
}

json ReasonDetail(const ReturnReasonInfo& why, std::string_view code) {
  return json{{"reason", std::string(why.id)},
              {"code", std::string(code)},
              {"reason_en", std::string(why.reason_en)},
              {"reason_hi", std::string(why.reason_hi)},
              {"who_acts", std::string(PartyName(why.acts))},
              {"next_step_en", std::string(why.next_step_en)},
              {"next_step_hi", std::string(why.next_step_hi)},
              {"follow_up", std::string(FollowUpName(why.follow_up))}};
}

Status RecordExclusion(storage::Database& db, const TimeSource& clock, programs::ReentryKind kind,
                       std::string_view scheme_id, int64_t member_idx, int64_t household_idx,
                       std::string_view reason_code, json detail, std::string source) {
  programs::ReentryEvent e{.kind = kind,
                           .scheme_id = std::string(scheme_id),
                           .member_idx = member_idx,
                           .household_idx = household_idx,
                           .reason_code = std::string(reason_code),
                           .detail = std::move(detail),
                           .source = std::move(source)};
  return programs::RecordReentryEvent(db, e, clock.Now()).status();
}

std::string PeriodCompact(std::string_view period) {
  std::string out;
  for (char c : period) {
    if (c != '-') out += c;
  }
  return out;
}

}  // namespace

namespace {
// "<period>-" and "-<8 hex of the scheme>": the parts of an id that a cycle's instructions share.
struct IdParts {
  std::string prefix, suffix;
  IdParts(std::string_view scheme_id, std::string_view period) : prefix(PeriodCompact(period)) {
    prefix.push_back('-');
    suffix.push_back('-');
    suffix.append(crypto::ToHex(crypto::Hash256(scheme_id)), 0, 8);
  }
  std::string For(std::string_view beneficiary_id) const {
    std::string id;
    id.reserve(prefix.size() + beneficiary_id.size() + suffix.size());
    id.append(prefix).append(beneficiary_id).append(suffix);
    return id;
  }
};
}  // namespace

std::string InstructionId(std::string_view scheme_id, std::string_view period,
                          std::string_view beneficiary_id) {
  return IdParts(scheme_id, period).For(beneficiary_id);
}

Result<programs::ApprovalResult> ApproveCycle(storage::Database& db, const TimeSource& clock,
                                              programs::SchemeStore& store, int64_t cycle_id,
                                              const programs::Approver& approver) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(programs::ApprovalResult r,
                   programs::ApproveCycleTier(db, clock, store, cycle_id, approver));
  if (r.final && r.cycle.total.paise() > 0) {
    const std::string& scheme = r.cycle.scheme_id;
    ASSIGN_OR_RETURN(programs::CompiledScheme s, store.Get(scheme, r.cycle.scheme_version));
    ASSIGN_OR_RETURN(Period p, Period::Parse(r.cycle.period));
    std::string fy = programs::FinancialYear(p.first_day());
    Ledger ledger(db, clock);
    if (s.scheme.budget_paise > 0) {
      RETURN_IF_ERROR(ledger
                          .Post(JournalEntry::Transfer(
                              "sanction/" + scheme + "/" + fy, "budget_sanction",
                              AccountKey::Treasury(scheme), AccountKey::SchemeBudget(scheme),
                              Money::FromPaise(s.scheme.budget_paise),
                              "budget for financial year " + fy))
                          .status());
    }
    RETURN_IF_ERROR(ledger
                        .Post(JournalEntry::Transfer(
                            "approve/" + std::to_string(cycle_id), "cycle_approval",
                            AccountKey::SchemeBudget(scheme), AccountKey::Payable(scheme),
                            r.cycle.total, "cycle " + scheme + "/" + r.cycle.period))
                        .status());
  }
  RETURN_IF_ERROR(tx.Commit());
  return r;
}

json GenerateReportJson(const GenerateReport& r) {
  return json{{"created", r.created},     {"existing", r.existing}, {"ready", r.ready},
              {"held", r.held},           {"invalid", r.invalid},
              {"ready_total_paise", r.ready_total.paise()}};
}

Result<GenerateReport> GenerateInstructions(storage::Database& db, const TimeSource& clock,
                                            int64_t cycle_id, const GenerateOptions& options) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  RETURN_IF_ERROR(storage::LockForTransaction(db, "instructions:" + std::to_string(cycle_id)));
  ASSIGN_OR_RETURN(auto c, db.QueryOne("SELECT c.scheme_id, c.period, c.status, v.source FROM "
                                       "cycles c JOIN scheme_versions v ON v.scheme_id = "
                                       "c.scheme_id AND v.version = c.scheme_version WHERE "
                                       "c.cycle_id = ?",
                                       {cycle_id}));
  if (!c) return NotFoundError("no cycle " + std::to_string(cycle_id));
  std::string scheme_id = c->Text(0), period = c->Text(1);
  if (c->Text(2) != "approved") {
    return FailedPreconditionError("cycle " + scheme_id + "/" + period + " is " + c->Text(2) +
                                   "; instructions are made for an approved cycle");
  }
  ASSIGN_OR_RETURN(programs::Scheme scheme, programs::ParseScheme(c->Text(3), scheme_id));
  bool hold_drift = scheme.drift_policy == "hold";
  GenerateReport report;
  ASSIGN_OR_RETURN(auto existing, db.QueryOne("SELECT COUNT(*) FROM payment_instructions WHERE "
                                              "scheme_id = ? AND cycle_id = ?",
                                              {scheme_id, cycle_id}));
  report.existing = existing->Int(0);

  // The destination each beneficiary was last paid to (drift), by beneficiary.
  std::unordered_map<int64_t, int64_t> last_paid;
  if (hold_drift) {
    ASSIGN_OR_RETURN(auto paid, db.Query("SELECT beneficiary_idx, address_id FROM "
                                         "payment_instructions i JOIN cycles c ON c.cycle_id = "
                                         "i.cycle_id WHERE i.scheme_id = ? AND i.status = 'paid' "
                                         "AND i.cycle_id <> ? ORDER BY c.period",
                                         {scheme_id, cycle_id}));
    for (const auto& r : paid) last_paid[r.Int(0)] = r.Int(1);
  }

  ASSIGN_OR_RETURN(
      auto stmt,
      db.Prepare("SELECT e.beneficiary_idx, e.household_idx, e.payee_member_idx, e.amount_paise, "
               "CASE WHEN ? = 'person' THEN m.member_id ELSE h.family_id END, m.name, "
               "a.kind, COALESCE(a.same_destination_as, a.address_id), a.ifsc, a.account_last4, "
               "a.holder_name FROM cycle_entitlements e "
               "JOIN members m ON m.member_idx = e.payee_member_idx "
               "JOIN households h ON h.household_idx = e.household_idx "
               "LEFT JOIN mapper_addresses a ON a.member_idx = e.payee_member_idx AND "
               "a.unlinked_at_us IS NULL "
               "WHERE e.cycle_id = ? AND NOT EXISTS (SELECT 1 FROM payment_instructions i WHERE "
               "i.scheme_id = ? AND i.cycle_id = e.cycle_id AND i.beneficiary_idx = "
               "e.beneficiary_idx) ORDER BY e.beneficiary_idx"));
  stmt->BindText(1, scheme.unit == rules::Unit::kPerson ? "person" : "household");
  stmt->BindInt(2, cycle_id);
  stmt->BindText(3, scheme_id);
  // The rows are read as they are stepped (a million need not be held at once).
  struct StmtRow {
    storage::Statement* s;
    std::string Text(int i) const { return std::string(s->ColumnText(i)); }
    int64_t Int(int i) const { return s->ColumnInt(i); }
    bool IsNull(int i) const { return s->ColumnIsNull(i); }
  };
  static const std::string kCols[] = {
      "instruction_id", "scheme_id", "cycle_id",      "beneficiary_idx", "household_idx",
      "payee_member_idx", "amount_paise", "status",   "attempt",         "address_id",
      "ifsc",           "account_last4", "bank",      "reason_code",     "updated_at_us"};
  storage::RowBuffer buf(15);
  Timestamp now = clock.Now();
  struct Exclusion {
    std::string id;
    int64_t payee, household, amount;
    std::string code, masked;
    bool held;
  };
  std::vector<Exclusion> excluded;
  IdParts ids(scheme_id, period);
  while (true) {
    ASSIGN_OR_RETURN(bool more, stmt->Step());
    if (!more) break;
    StmtRow r{stmt.get()};
    std::string id = ids.For(stmt->ColumnText(4));
    int64_t payee = r.Int(2), amount = r.Int(3);
    std::string status = "ready", code;
    bool linked = !r.IsNull(6);
    std::string ifsc = r.Text(8), last4 = r.Text(9);
    if (!linked) {
      status = "invalid", code = "no_account";
    } else if (r.Text(6) != "bank_account") {
      status = "invalid", code = "route_unsupported";
    } else if (!IsIfsc(ifsc)) {
      status = "invalid", code = "ifsc_format";
    } else if (options.min_name_score > 0 && !r.IsNull(10) &&
               NameScore(r.Text(5), r.Text(10)) < options.min_name_score) {
      status = "invalid", code = "name_mismatch";
    } else if (hold_drift) {
      auto it = last_paid.find(r.Int(0));
      if (it != last_paid.end() && it->second != r.Int(7)) status = "held", code = "drift";
    }
    buf.Text(id).Text(scheme_id).Int(cycle_id).Int(r.Int(0)).Int(r.Int(1)).Int(payee).Int(amount)
        .Text(status).Int(1);
    if (linked) buf.Int(r.Int(7)); else buf.Null();
    buf.TextOrNull(ifsc).TextOrNull(last4);
    if (linked && IsIfsc(ifsc)) buf.Text(ifsc.substr(0, 4)); else buf.Null();
    buf.TextOrNull(code).Int(now.micros);
    ++report.created;
    if (status == "ready") {
      ++report.ready;
      report.ready_total += Money::FromPaise(amount);
    } else {
      (status == "held" ? report.held : report.invalid) += 1;
      excluded.push_back({id, payee, r.Int(1), amount, code, Masked(ifsc, last4),
                          status == "held"});
    }
  }
  RETURN_IF_ERROR(db.BulkInsert("payment_instructions", kCols, buf));

  for (const Exclusion& x : excluded) {
    if (x.held) {
      json detail = {{"reason", "drift"},
                     {"reason_en", "The bank account was changed since the last payment"},
                     {"reason_hi", "पिछले भुगतान के बाद बैंक खाता बदला गया है"},
                     {"who_acts", "citizen"},
                     {"destination", x.masked},
                     {"next_step_en", "Confirm the new account, or report that you did not "
                                      "change it"},
                     {"next_step_hi", "नए खाते की पुष्टि करें, या बताएं कि आपने इसे नहीं बदला"},
                     {"instruction_id", x.id}};
      RETURN_IF_ERROR(RecordExclusion(db, clock, programs::ReentryKind::kPaymentHeld, scheme_id,
                                      x.payee, x.household, "drift", detail,
                                      "instruction:" + x.id + "/held"));
      RETURN_IF_ERROR(Notify(db, clock, x.payee, "payment_held",
                             {{"amount", "Rs " + Money::FromPaise(x.amount).ToString()},
                              {"scheme", HindiFor(db, x.payee) ? scheme.name.hi : scheme.name.en},
                              {"destination", x.masked}}));
    } else {
      const ReturnReasonInfo& why = x.code == "name_mismatch"
                                        ? InfoFor(ReturnReason::kNameMismatch)
                                    : x.code == "route_unsupported"
                                        ? InfoFor(ReturnReason::kDepartmentFileError)
                                        : InfoFor(ReturnReason::kInvalidIfscOrAccount);
      json detail = ReasonDetail(why, x.code);
      detail["instruction_id"] = x.id;
      RETURN_IF_ERROR(RecordExclusion(db, clock, programs::ReentryKind::kValidationFailed,
                                      scheme_id, x.payee, x.household, x.code, detail,
                                      "instruction:" + x.id + "/invalid/1"));
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return report;
}

namespace {

Result<storage::Row> LoadInstruction(storage::Database& db, std::string_view id) {
  ASSIGN_OR_RETURN(auto r, db.QueryOne("SELECT status, attempt, payee_member_idx, scheme_id, "
                                       "batch_id, amount_paise, household_idx, reason_code "
                                       "FROM payment_instructions WHERE instruction_id = ?",
                                       {std::string(id)}));
  if (!r) return NotFoundError("no payment instruction " + std::string(id));
  return std::move(*r);
}

}  // namespace

Status ConfirmDestination(storage::Database& db, const TimeSource& clock,
                          std::string_view instruction_id, std::string_view actor) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(storage::Row r, LoadInstruction(db, instruction_id));
  if (r.Text(0) != "held") {
    return FailedPreconditionError("instruction " + std::string(instruction_id) + " is " +
                                   r.Text(0) + ", not held");
  }
  RETURN_IF_ERROR(db.Execute("UPDATE payment_instructions SET status = 'ready', reason_code = "
                             "'drift_confirmed:' || ?, updated_at_us = ? WHERE instruction_id = ?",
                             {std::string(actor), clock.Now().micros,
                              std::string(instruction_id)})
                      .status());
  return tx.Commit();
}

Status RequeueInstruction(storage::Database& db, const TimeSource& clock,
                          std::string_view instruction_id, std::string_view actor) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(storage::Row r, LoadInstruction(db, instruction_id));
  std::string status = r.Text(0);
  if (status != "rejected" && status != "returned" && status != "invalid") {
    return FailedPreconditionError("instruction " + std::string(instruction_id) + " is " +
                                   status + "; only a rejected, returned or invalid payment is "
                                   "sent again");
  }
  ASSIGN_OR_RETURN(auto a, db.QueryOne("SELECT kind, COALESCE(same_destination_as, address_id), "
                                       "ifsc, account_last4 FROM mapper_addresses WHERE "
                                       "member_idx = ? AND unlinked_at_us IS NULL",
                                       {r.Int(2)}));
  if (!a || a->Text(0) != "bank_account" || !IsIfsc(a->Text(2))) {
    return FailedPreconditionError("instruction " + std::string(instruction_id) +
                                   ": the payee has no valid bank account linked yet; link or "
                                   "update it in the mapper first");
  }
  int64_t attempt = r.Int(1);
  Timestamp now = clock.Now();
  if (status == "invalid") {
    // Never sent: the same attempt goes out with the corrected destination.
    RETURN_IF_ERROR(db.Execute("INSERT INTO instruction_attempts (instruction_id, attempt, "
                               "batch_id, amount_paise, address_id, ifsc, outcome, reason_code, "
                               "at_us) SELECT instruction_id, attempt, NULL, amount_paise, "
                               "address_id, ifsc, 'invalid', reason_code, ? FROM "
                               "payment_instructions WHERE instruction_id = ?",
                               {now.micros, std::string(instruction_id)})
                        .status());
  }
  RETURN_IF_ERROR(db.Execute("UPDATE payment_instructions SET status = 'ready', attempt = ?, "
                             "address_id = ?, ifsc = ?, account_last4 = ?, bank = ?, batch_id = "
                             "NULL, reason_code = ?, updated_at_us = ? WHERE instruction_id = ?",
                             {attempt + 1, a->Int(1), a->Text(2), a->Text(3),
                              a->Text(2).substr(0, 4), "requeued_by:" + std::string(actor),
                              now.micros, std::string(instruction_id)})
                      .status());
  return tx.Commit();
}

namespace {

struct BatchRow {
  int64_t batch_id;
  std::string message_id, bank, format;
  int64_t transactions, control_sum;
  Timestamp created_at;
};

// The batch's transfers as written: the instructions whose current attempt is in it, and those
// whose attempt in it has ended since (instruction_attempts).
Result<CreditTransferBatch> LoadBatch(storage::Database& db, const crypto::MasterKey& key,
                                      const BatchRow& b, const ExportOptions& options) {
  CreditTransferBatch batch;
  batch.message_id = b.message_id;
  batch.created_at = b.created_at;
  batch.initiating_party_name = options.initiating_party;
  batch.requested_execution_date = b.created_at.LocalDate(kIndiaUtcOffsetMinutes);
  batch.debtor_accounts.push_back(options.debtor);
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT i.instruction_id, i.amount_paise, i.payee_member_idx, i.ifsc, "
               "a.account_sealed, COALESCE(a.holder_name, m.name), i.scheme_id, c.period, "
               "v.wrapped_key FROM "
               "payment_instructions i JOIN mapper_addresses a ON a.address_id = i.address_id "
               "JOIN members m ON m.member_idx = i.payee_member_idx JOIN cycles c ON c.cycle_id = "
               "i.cycle_id LEFT JOIN vault v ON v.member_idx = i.payee_member_idx WHERE i.batch_id = ? AND i.status IN ('sent', 'accepted', 'paid', "
               "'rejected', 'returned') AND NOT EXISTS (SELECT 1 FROM instruction_attempts t "
               "WHERE t.instruction_id = i.instruction_id AND t.attempt = i.attempt) "
               "UNION ALL "
               "SELECT i.instruction_id, t.amount_paise, i.payee_member_idx, t.ifsc, "
               "a.account_sealed, COALESCE(a.holder_name, m.name), i.scheme_id, c.period, "
               "v.wrapped_key FROM "
               "instruction_attempts t JOIN payment_instructions i ON i.instruction_id = "
               "t.instruction_id JOIN mapper_addresses a ON a.address_id = t.address_id "
               "JOIN members m ON m.member_idx = i.payee_member_idx JOIN cycles c "
               "ON c.cycle_id = i.cycle_id LEFT JOIN vault v ON v.member_idx = "
               "i.payee_member_idx WHERE t.batch_id = ? ORDER BY 1",
               {b.batch_id, b.batch_id}));
  for (const auto& r : rows) {
    if (r.IsNull(8)) {
      return FailedPreconditionError("member " + std::to_string(r.Int(2)) +
                                     " has no key in the vault (erased?)");
    }
    ASSIGN_OR_RETURN(crypto::DataKey dk, key.Unwrap(r.BlobBytes(8)));
    ASSIGN_OR_RETURN(std::string account, dk.Open(r.BlobBytes(4), kAssociatedAccount));
    batch.transfers.push_back(CreditTransfer{.instruction_id = r.Text(0),
                                             .debtor_account_id = options.debtor.id,
                                             .amount = Money::FromPaise(r.Int(1)),
                                             .creditor_name = r.Text(5),
                                             .creditor_account = std::move(account),
                                             .creditor_ifsc = r.Text(3),
                                             .scheme_code = r.Text(6),
                                             .period = r.Text(7)});
  }
  return batch;
}

Status WriteFileDurably(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return UnavailableError("cannot write " + tmp.string() + ": " + strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string err = strerror(errno);
      ::close(fd);
      return UnavailableError("cannot write " + tmp.string() + ": " + err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return UnavailableError("cannot sync " + tmp.string() + ": " + strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return UnavailableError("cannot rename " + tmp.string() + ": " + ec.message());
  int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(),
                   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return OkStatus();
}

Result<std::string> RenderBatch(storage::Database& db, const crypto::MasterKey& key,
                                const BatchRow& b, const ExportOptions& options) {
  ASSIGN_OR_RETURN(CreditTransferBatch batch, LoadBatch(db, key, b, options));
  if (static_cast<int64_t>(batch.transfers.size()) != b.transactions) {
    return InternalError("batch " + b.message_id + " holds " +
                         std::to_string(batch.transfers.size()) + " transfers but recorded " +
                         std::to_string(b.transactions));
  }
  return b.format == "csv" ? WriteCreditTransferCsv(batch) : WritePain001(batch);
}

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
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return InvalidArgumentError("cannot create " + options.out_dir.string() + ": " +
                                ec.message());
  }
  std::string scheme_id;
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
    ASSIGN_OR_RETURN(auto banks, db.Query("SELECT bank, COUNT(*) FROM payment_instructions "
                                          "WHERE scheme_id = ? AND status = 'ready' GROUP BY "
                                          "bank ORDER BY bank",
                                          {scheme_id}));
    Timestamp now = clock.Now();
    Ledger ledger(db, clock);
    for (const auto& bank_row : banks) {
      std::string bank = bank_row.Text(0);
      int64_t left = bank_row.Int(1);
      while (left > 0) {
        // Message ids: "SPODE-" + batch number + "-" + bank; the batch number comes from the
        // row, so it is unique.
        ASSIGN_OR_RETURN(auto id_row,
                         db.QueryOne("INSERT INTO payment_batches (message_id, scheme_id, "
                                     "cycle_id, bank, format, transactions, control_sum_paise, "
                                     "status, created_at_us) VALUES (?, ?, ?, ?, ?, 1, 1, "
                                     "'created', ?) RETURNING batch_id",
                                     {"pending-" + std::to_string(now.micros) + "-" + bank +
                                          "-" + std::to_string(left),
                                      scheme_id, cycle_id, bank, options.format, now.micros}));
        int64_t batch_id = id_row->Int(0);
        char msg[40];
        std::snprintf(msg, sizeof msg, "SPODE-%08lld-%s", static_cast<long long>(batch_id),
                      bank.c_str());
        // The file's last instruction in the order they were written, then every ready one of
        // the bank up to it: one walk of the ready index, rows in their physical order.
        ASSIGN_OR_RETURN(auto last, db.QueryOne("SELECT cycle_id, beneficiary_idx FROM "
                                                "payment_instructions WHERE scheme_id = ? AND "
                                                "status = 'ready' AND bank = ? ORDER BY cycle_id, "
                                                "beneficiary_idx LIMIT 1 OFFSET ?",
                                                {scheme_id, bank,
                                                 std::min(left, options.max_per_file) - 1}));
        if (!last) return InternalError("ready instructions changed during the export");
        ASSIGN_OR_RETURN(int64_t moved,
                         db.Execute("UPDATE payment_instructions SET status = 'sent', batch_id "
                                    "= ?, updated_at_us = ? WHERE scheme_id = ? AND status = "
                                    "'ready' AND bank = ? AND (cycle_id, beneficiary_idx) <= (?, "
                                    "?)",
                                    {batch_id, now.micros, scheme_id, bank, last->Int(0),
                                     last->Int(1)}));
        ASSIGN_OR_RETURN(auto sum, db.QueryOne("SELECT COUNT(*), COALESCE(SUM(amount_paise), 0) "
                                               "FROM payment_instructions WHERE batch_id = ?",
                                               {batch_id}));
        if (sum->Int(0) != moved) return InternalError("batch count mismatch");
        RETURN_IF_ERROR(db.Execute("UPDATE payment_batches SET message_id = ?, transactions = ?, "
                                   "control_sum_paise = ? WHERE batch_id = ?",
                                   {std::string(msg), moved, sum->Int(1), batch_id})
                            .status());
        RETURN_IF_ERROR(ledger
                            .Post(JournalEntry::Transfer(
                                "sent/" + std::string(msg), "bank_file_sent",
                                AccountKey::Payable(scheme_id),
                                AccountKey::BankClearing(scheme_id, bank),
                                Money::FromPaise(sum->Int(1)), "bank file " + std::string(msg)))
                            .status());
        left -= moved;
      }
    }
    RETURN_IF_ERROR(tx.Commit());
  }
  // Write every batch of the scheme not yet written (this run's, and any a crash left).
  ASSIGN_OR_RETURN(auto pending, db.Query("SELECT batch_id, message_id, bank, format, "
                                          "transactions, control_sum_paise, created_at_us FROM "
                                          "payment_batches WHERE scheme_id = ? AND status = "
                                          "'created' ORDER BY batch_id",
                                          {scheme_id}));
  std::vector<ExportedFile> out;
  for (const auto& r : pending) {
    BatchRow b{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), Timestamp{r.Int(6)}};
    ASSIGN_OR_RETURN(std::string bytes, RenderBatch(db, key, b, options));
    std::filesystem::path path = options.out_dir / FileNameFor(b);
    RETURN_IF_ERROR(WriteFileDurably(path, bytes));
    RETURN_IF_ERROR(db.Execute("UPDATE payment_batches SET status = 'written', file_name = ?, "
                               "file_hash = ? WHERE batch_id = ?",
                               {std::filesystem::absolute(path).string(),
                                crypto::ToHex(crypto::Hash256(bytes)),
                                b.batch_id})
                        .status());
    out.push_back({b.batch_id, b.message_id, b.bank, path, b.transactions,
                   Money::FromPaise(b.control_sum)});
  }
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

json ImportReportJson(const ImportReport& r) {
  return json{{"import_id", r.import_id},
              {"already_imported", r.already_imported},
              {"format", r.format},
              {"statuses", r.statuses},
              {"applied", r.applied},
              {"unchanged", r.unchanged},
              {"repeated", r.repeated},
              {"conflicting", r.conflicting},
              {"unknown", r.unknown},
              {"contradicting", r.contradicting},
              {"stale", r.stale},
              {"unreadable", r.unreadable},
              {"paid", r.paid},
              {"accepted", r.accepted},
              {"rejected", r.rejected},
              {"returned", r.returned},
              {"requeued", r.requeued},
              {"paid_total_paise", r.paid_total.paise()},
              {"failed_total_paise", r.failed_total.paise()},
              {"messages", r.messages}};
}

namespace {

struct Known {
  std::string status;
  int64_t attempt = 0, payee = 0, household = 0, amount = 0, batch_id = 0;
  int64_t cycle_id = 0, beneficiary = 0;  // where the row lies (the order it was written in)
  std::string scheme, bank, period;
};

std::optional<TransactionOutcome> OutcomeOfState(std::string_view status) {
  if (status == "accepted") return TransactionOutcome::kAccepted;
  if (status == "paid") return TransactionOutcome::kPaid;
  if (status == "rejected") return TransactionOutcome::kRejected;
  if (status == "returned") return TransactionOutcome::kReturned;
  return std::nullopt;  // sent
}

void Say(ImportReport& r, std::string message) {
  if (r.messages.size() < 1000) r.messages.push_back(std::move(message));
}

}  // namespace

Result<ImportReport> ImportStatusFile(storage::Database& db, const TimeSource& clock,
                                      std::string_view bytes, std::string_view file_name,
                                      std::string_view only_bank) {
  ImportReport report;
  std::string hash = crypto::ToHex(crypto::Hash256(bytes));
  size_t first = bytes.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  bool xml = first != std::string_view::npos && bytes[first] == '<';
  ASSIGN_OR_RETURN(StatusReport sr, xml ? ParsePain002(bytes) : ParseStatusCsv(bytes));
  report.format = sr.format;
  report.statuses = static_cast<int64_t>(sr.transactions.size());
  report.unreadable = static_cast<int64_t>(sr.issues.size());
  for (const StatusIssue& i : sr.issues) Say(report, i.position.ToString() + ": " + i.message);

  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  // Status files are applied one at a time (a file may touch any scheme).
  RETURN_IF_ERROR(storage::LockForTransaction(db, "status-import"));
  ASSIGN_OR_RETURN(auto seen, db.QueryOne("SELECT import_id FROM status_imports WHERE file_hash "
                                          "= ?",
                                          {hash}));
  if (seen) {
    report.import_id = seen->Int(0);
    report.already_imported = true;
    report.messages = {"this file (" + hash.substr(0, 16) + "...) was imported before as import " +
                       std::to_string(report.import_id) + "; nothing changed"};
    return report;
  }

  // What we know of the instructions the file names, read in chunks.
  std::unordered_map<std::string, Known> known;
  {
    std::vector<std::string> ids;
    ids.reserve(sr.transactions.size());
    for (const auto& t : sr.transactions) ids.push_back(t.end_to_end_id);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    constexpr size_t kChunk = 200;
    std::string sql;
    for (size_t i = 0; i < ids.size(); i += kChunk) {
      size_t n = std::min(kChunk, ids.size() - i);
      sql = "SELECT i.instruction_id, i.status, i.attempt, i.payee_member_idx, i.household_idx, "
            "i.amount_paise, COALESCE(i.batch_id, 0), i.scheme_id, COALESCE(i.bank, ''), "
            "c.period, i.cycle_id, i.beneficiary_idx FROM payment_instructions i JOIN cycles c "
            "ON c.cycle_id = i.cycle_id WHERE i.instruction_id IN (";
      for (size_t k = 0; k < n; ++k) sql += k ? ",?" : "?";
      sql += ")";
      ASSIGN_OR_RETURN(auto stmt, db.Prepare(sql));
      for (size_t k = 0; k < n; ++k) stmt->BindText(static_cast<int>(k + 1), ids[i + k]);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt->Step());
        if (!row) break;
        Known k;
        k.status = std::string(stmt->ColumnText(1));
        k.attempt = stmt->ColumnInt(2);
        k.payee = stmt->ColumnInt(3);
        k.household = stmt->ColumnInt(4);
        k.amount = stmt->ColumnInt(5);
        k.batch_id = stmt->ColumnInt(6);
        k.scheme = std::string(stmt->ColumnText(7));
        k.bank = std::string(stmt->ColumnText(8));
        k.period = std::string(stmt->ColumnText(9));
        k.cycle_id = stmt->ColumnInt(10);
        k.beneficiary = stmt->ColumnInt(11);
        known.emplace(std::string(stmt->ColumnText(0)), std::move(k));
      }
    }
  }
  std::vector<StatusReview> review = ReviewStatuses(sr.transactions, [&](std::string_view id) {
    InstructionState s;
    auto it = known.find(std::string(id));
    if (it == known.end()) return s;
    if (!only_bank.empty() && it->second.bank != only_bank) return s;
    const std::string& st = it->second.status;
    if (st == "ready" || st == "held" || st == "invalid") return s;  // not at a bank
    s.known = true;
    s.outcome = OutcomeOfState(st);
    return s;
  });

  Timestamp now = clock.Now();
  ASSIGN_OR_RETURN(auto imp, db.QueryOne("INSERT INTO status_imports (file_hash, file_name, "
                                         "format, report, imported_at_us) VALUES (?, ?, ?, '{}', "
                                         "?) RETURNING import_id",
                                         {hash, std::string(file_name), sr.format, now.micros}));
  report.import_id = imp->Int(0);
  std::string import_key = std::to_string(report.import_id);

  ASSIGN_OR_RETURN(auto update, db.Prepare("UPDATE payment_instructions SET status = ?, "
                                           "reason_code = ?, updated_at_us = ? WHERE "
                                           "scheme_id = ? AND cycle_id = ? AND beneficiary_idx "
                                           "= ?"));
  // Applied in the order the rows were written (cycle, beneficiary), not the file's: the
  // instruction ids sort at random against it, and random updates thrash the page cache.
  struct Apply {
    const Known* k;
    std::string status, reason;
  };
  std::vector<Apply> applies;
  // Ledger movements, summed per (scheme, bank, movement).
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> moves;
  struct Failure {
    std::string id;
    const Known* k;
    const TransactionStatus* s;
    bool returned;
  };
  std::vector<Failure> failures;
  for (const StatusReview& rv : review) {
    const TransactionStatus& s = sr.transactions[rv.index];
    switch (rv.disposition) {
      case StatusDisposition::kApply: break;
      case StatusDisposition::kUnchanged: ++report.unchanged; continue;
      case StatusDisposition::kRepeated: ++report.repeated; Say(report, rv.message); continue;
      case StatusDisposition::kConflictInFile: ++report.conflicting; Say(report, rv.message); continue;
      case StatusDisposition::kUnknownInstruction: ++report.unknown; Say(report, rv.message); continue;
      case StatusDisposition::kContradictsFinal: ++report.contradicting; Say(report, rv.message); continue;
      case StatusDisposition::kStale: ++report.stale; Say(report, rv.message); continue;
    }
    Known& k = known.at(s.end_to_end_id);
    std::string reason = s.reasons.empty() ? "" : s.reasons.front().code;
    std::string new_status;
    switch (s.outcome) {
      case TransactionOutcome::kPending: ++report.unchanged; continue;
      case TransactionOutcome::kAccepted: new_status = "accepted"; ++report.accepted; break;
      case TransactionOutcome::kPaid:
        new_status = "paid";
        ++report.paid;
        report.paid_total += Money::FromPaise(k.amount);
        moves[{k.scheme, k.bank, "paid"}] += k.amount;
        break;
      case TransactionOutcome::kRejected:
        new_status = "rejected";
        ++report.rejected;
        report.failed_total += Money::FromPaise(k.amount);
        moves[{k.scheme, k.bank, k.status == "paid" ? "returned" : "rejected"}] += k.amount;
        failures.push_back({s.end_to_end_id, &k, &s, false});
        break;
      case TransactionOutcome::kReturned:
        new_status = "returned";
        ++report.returned;
        report.failed_total += Money::FromPaise(k.amount);
        moves[{k.scheme, k.bank, k.status == "paid" ? "returned" : "rejected"}] += k.amount;
        failures.push_back({s.end_to_end_id, &k, &s, true});
        break;
    }
    applies.push_back({&k, new_status, reason});
    k.status = new_status;
    ++report.applied;
  }

  std::stable_sort(applies.begin(), applies.end(), [](const Apply& a, const Apply& b) {
    return std::tie(a.k->cycle_id, a.k->beneficiary) < std::tie(b.k->cycle_id, b.k->beneficiary);
  });
  for (const Apply& a : applies) {
    update->Reset();
    update->BindText(1, a.status);
    if (a.reason.empty()) update->BindNull(2); else update->BindText(2, a.reason);
    update->BindInt(3, now.micros);
    update->BindText(4, a.k->scheme);
    update->BindInt(5, a.k->cycle_id);
    update->BindInt(6, a.k->beneficiary);
    RETURN_IF_ERROR(update->Step().status());
  }

  Ledger ledger(db, clock);
  for (const auto& [key, paise] : moves) {
    const auto& [scheme, bank, what] = key;
    AccountKey clearing = AccountKey::BankClearing(scheme, bank);
    AccountKey paid_to = AccountKey::Beneficiary(scheme, bank);
    AccountKey payable = AccountKey::Payable(scheme);
    JournalEntry e =
        what == "paid"
            ? JournalEntry::Transfer("status/" + import_key + "/" + scheme + "/" + bank + "/paid",
                                     "credit_confirmed", clearing, paid_to,
                                     Money::FromPaise(paise))
        : what == "rejected"
            ? JournalEntry::Transfer("status/" + import_key + "/" + scheme + "/" + bank +
                                         "/rejected",
                                     "bank_rejected", clearing, payable, Money::FromPaise(paise))
            : JournalEntry::Transfer("status/" + import_key + "/" + scheme + "/" + bank +
                                         "/returned",
                                     "returned", paid_to, payable, Money::FromPaise(paise));
    e.memo = "status file " + std::string(file_name);
    RETURN_IF_ERROR(ledger.Post(e).status());
  }

  // Each failure: the attempt is closed; a technical failure goes out again as it is; any
  // other opens a re-entry event and tells the citizen.
  for (const Failure& f : failures) {
    const ReturnReasonInfo& why = ClassifyStatus(*f.s);
    std::string code = f.s->reasons.empty() ? std::string(why.id) : f.s->reasons.front().code;
    RETURN_IF_ERROR(db.Execute("INSERT INTO instruction_attempts (instruction_id, attempt, "
                               "batch_id, amount_paise, address_id, ifsc, outcome, reason_code, "
                               "at_us) SELECT instruction_id, attempt, batch_id, amount_paise, "
                               "address_id, ifsc, ?, ?, ? FROM payment_instructions WHERE "
                               "instruction_id = ?",
                               {std::string(f.returned ? "returned" : "rejected"), code,
                                now.micros, f.id})
                        .status());
    if (why.retry_without_change()) {
      RETURN_IF_ERROR(db.Execute("UPDATE payment_instructions SET status = 'ready', attempt = "
                                 "attempt + 1, batch_id = NULL, updated_at_us = ? WHERE "
                                 "instruction_id = ?",
                                 {now.micros, f.id})
                          .status());
      ++report.requeued;
      continue;
    }
    json detail = ReasonDetail(why, code);
    detail["instruction_id"] = f.id;
    detail["amount_paise"] = f.k->amount;
    detail["period"] = f.k->period;
    detail["bank_code"] = f.k->bank;
    RETURN_IF_ERROR(RecordExclusion(
        db, clock,
        f.returned ? programs::ReentryKind::kPaymentReturned
                   : programs::ReentryKind::kPaymentRejected,
        f.k->scheme, f.k->payee, f.k->household, code, detail,
        "instruction:" + f.id + "/attempt:" + std::to_string(f.k->attempt)));
    bool hi = HindiFor(db, f.k->payee);
    RETURN_IF_ERROR(Notify(db, clock, f.k->payee, "payment_returned",
                           {{"amount", "Rs " + Money::FromPaise(f.k->amount).ToString()},
                            {"reason", std::string(hi ? why.reason_hi : why.reason_en)},
                            {"action", std::string(hi ? why.next_step_hi : why.next_step_en)}}));
  }
  json summary = ImportReportJson(report);
  summary.erase("messages");
  RETURN_IF_ERROR(db.Execute("UPDATE status_imports SET report = ? WHERE import_id = ?",
                             {summary.dump(), report.import_id})
                      .status());
  RETURN_IF_ERROR(tx.Commit());
  return report;
}

Result<json> CycleProgress(storage::Database& db, int64_t cycle_id) {
  ASSIGN_OR_RETURN(auto states, db.Query("SELECT status, COUNT(*), COALESCE(SUM(amount_paise), 0) "
                                         "FROM payment_instructions WHERE cycle_id = ? GROUP BY "
                                         "status ORDER BY status",
                                         {cycle_id}));
  json by_state = json::object();
  for (const auto& r : states) {
    by_state[r.Text(0)] = {{"count", r.Int(1)}, {"amount_paise", r.Int(2)}};
  }
  ASSIGN_OR_RETURN(auto ent, db.QueryOne("SELECT COUNT(*), COALESCE(SUM(amount_paise), 0) FROM "
                                         "cycle_entitlements WHERE cycle_id = ?",
                                         {cycle_id}));
  ASSIGN_OR_RETURN(auto files, db.Query("SELECT batch_id, message_id, bank, format, "
                                        "transactions, control_sum_paise, status, file_name FROM "
                                        "payment_batches WHERE cycle_id = ? ORDER BY batch_id",
                                        {cycle_id}));
  json fl = json::array();
  for (const auto& f : files) {
    fl.push_back({{"batch_id", f.Int(0)},
                  {"message_id", f.Text(1)},
                  {"bank", f.Text(2)},
                  {"format", f.Text(3)},
                  {"transactions", f.Int(4)},
                  {"control_sum_paise", f.Int(5)},
                  {"status", f.Text(6)},
                  {"file_name", std::filesystem::path(f.Text(7)).filename().string()}});
  }
  return json{{"cycle_id", cycle_id},
              {"entitlements", {{"count", ent->Int(0)}, {"amount_paise", ent->Int(1)}}},
              {"instructions", by_state},
              {"files", fl}};
}

Result<json> MemberPayments(storage::Database& db, int64_t member_idx, std::string_view language) {
  bool hi = language == "hi";
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT i.instruction_id, i.scheme_id, c.period, "
                                       "i.amount_paise, i.status, i.attempt, i.ifsc, "
                                       "i.account_last4, i.reason_code, i.updated_at_us FROM "
                                       "payment_instructions i JOIN cycles c ON c.cycle_id = "
                                       "i.cycle_id WHERE i.payee_member_idx = ? ORDER BY c.period "
                                       "DESC, i.scheme_id LIMIT 200",
                                       {member_idx}));
  json out = json::array();
  for (const auto& r : rows) {
    json p = {{"instruction_id", r.Text(0)},
              {"scheme_id", r.Text(1)},
              {"period", r.Text(2)},
              {"amount_paise", r.Int(3)},
              {"amount", "Rs " + Money::FromPaise(r.Int(3)).ToString()},
              {"status", r.Text(4)},
              {"attempt", r.Int(5)},
              {"destination", r.IsNull(6) ? json(nullptr) : json(Masked(r.Text(6), r.Text(7)))},
              {"updated_at", Timestamp{r.Int(9)}.ToString()}};
    std::string st = r.Text(4);
    if (st == "rejected" || st == "returned" || st == "invalid" || st == "held") {
      std::string code = r.Text(8);
      if (st == "held") {
        p["reason"] = hi ? "पिछले भुगतान के बाद बैंक खाता बदला गया है"
                         : "The bank account was changed since the last payment";
        p["next_step"] = hi ? "नए खाते की पुष्टि करें, या बताएं कि आपने इसे नहीं बदला"
                            : "Confirm the new account, or report that you did not change it";
        p["who_acts"] = "citizen";
      } else {
        const ReturnReasonInfo& why =
            code == "name_mismatch" ? InfoFor(ReturnReason::kNameMismatch)
            : code == "route_unsupported" ? InfoFor(ReturnReason::kDepartmentFileError)
            : (code == "no_account" || code == "ifsc_format")
                ? InfoFor(ReturnReason::kInvalidIfscOrAccount)
                : ClassifyReasonCode(code);
        p["reason"] = std::string(hi ? why.reason_hi : why.reason_en);
        p["next_step"] = std::string(hi ? why.next_step_hi : why.next_step_en);
        p["who_acts"] = std::string(PartyName(why.acts));
        p["reason_code"] = code;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace spode::payments
