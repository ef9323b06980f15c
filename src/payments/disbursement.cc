#include "payments/disbursement.h"

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
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <system_error>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "common/bounded_queue.h"
#include "notify/outbox.h"
#include "payments/csv_profile.h"
#include "payments/internal/order.h"
#include "payments/internal/reader_connection.h"
#include "payments/iso20022.h"
#include "payments/ledger.h"
#include "payments/returns.h"
#include "programs/enrolment.h"
#include "programs/reentry.h"
#include "registry/household.h"
#include "registry/names.h"

namespace spode::payments {

using internal::ReaderConnection;
using nlohmann::json;

namespace {

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
  // The same bytes have the same key: most holder names are the registry's own.
  if (registry_name == holder_name) return 100;
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

// Where and in which language a member is told.
struct Contact {
  std::string phone, member_id;  // phone empty: nobody to tell (the event stays)
  bool hindi = false;
};

// A member's contact: member_idx, phone, member ID, state, for the member_idx that follows
// (" = ?", or ContactsOf's ranges and lists).
constexpr std::string_view kContactOf =
    "SELECT m.member_idx, m.phone, m.member_id, h.state_code FROM members m JOIN households h "
    "ON h.household_idx = m.household_idx WHERE m.member_idx";

Contact MakeContact(std::string_view phone, std::string_view member_id, std::string_view state) {
  return {std::string(phone), std::string(member_id), HindiState(state)};
}

Result<Contact> ContactOf(storage::Database& db, int64_t member_idx) {
  ASSIGN_OR_RETURN(auto m, db.QueryOne(std::string(kContactOf) + " = ?", {member_idx}));
  if (!m) return Contact{};
  return MakeContact(m->Text(1), m->Text(2), m->Text(3));
}

// An SMS to `to`, in their language; none without a phone (the event stays).
std::optional<notify::Message> MessageTo(const Contact& to, std::string_view template_name,
                                         std::map<std::string, std::string, std::less<>> params) {
  if (to.phone.empty()) return std::nullopt;
  return notify::Message{.channel = notify::Channel::kSms,
                         .recipient = to.phone,
                         .member_id = to.member_id,
                         .template_name = std::string(template_name),
                         .language = to.hindi ? notify::Language::kHi : notify::Language::kEn,
                         .params = std::move(params)};
}

Status Notify(storage::Database& db, const TimeSource& clock, const Contact& to,
              std::string_view template_name, std::map<std::string, std::string, std::less<>> params) {
  std::optional<notify::Message> msg = MessageTo(to, template_name, std::move(params));
  if (!msg) return OkStatus();
  return notify::Outbox(db, clock).Enqueue(*msg).status();
}

Status Notify(storage::Database& db, const TimeSource& clock, int64_t member_idx,
              std::string_view template_name, std::map<std::string, std::string, std::less<>> params) {
  ASSIGN_OR_RETURN(Contact to, ContactOf(db, member_idx));
  return Notify(db, clock, to, template_name, std::move(params));
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

// The re-entry event of an exclusion: a payment held, rejected, returned or not valid.
programs::ReentryEvent ExclusionEvent(programs::ReentryKind kind, std::string_view scheme_id,
                                      int64_t member_idx, int64_t household_idx,
                                      std::string_view reason_code, json detail,
                                      std::string source) {
  return {.kind = kind,
          .scheme_id = std::string(scheme_id),
          .member_idx = member_idx,
          .household_idx = household_idx,
          .reason_code = std::string(reason_code),
          .detail = std::move(detail),
          .source = std::move(source)};
}

Status RecordExclusion(storage::Database& db, const TimeSource& clock, programs::ReentryKind kind,
                       std::string_view scheme_id, int64_t member_idx, int64_t household_idx,
                       std::string_view reason_code, json detail, std::string source) {
  return programs::RecordReentryEvent(db,
                                      ExclusionEvent(kind, scheme_id, member_idx, household_idx,
                                                     reason_code, std::move(detail),
                                                     std::move(source)),
                                      clock.Now())
      .status();
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
  // The same, into `out` (its storage reused).
  void Into(std::string_view beneficiary_id, std::string& out) const {
    out.assign(prefix).append(beneficiary_id).append(suffix);
  }
};
}  // namespace

std::string InstructionId(std::string_view scheme_id, std::string_view period,
                          std::string_view beneficiary_id) {
  return IdParts(scheme_id, period).For(beneficiary_id);
}

namespace {

// An instruction id taken apart (IdParts in reverse), or nothing when it has not that shape.
struct IdView {
  std::string_view period;       // without dashes
  std::string_view beneficiary;  // a member ID or a family ID, each with its check digit
  std::string_view hash;         // 8 hex
  bool person = false;           // `beneficiary` is a member ID
};

// The id's three parts by its shape alone (`person` not set, no check digit looked at).
std::optional<IdView> CutId(std::string_view id) {
  size_t first = id.find('-'), last = id.rfind('-');
  if (first == std::string_view::npos || first == 0 || last == first || last + 9 != id.size()) {
    return std::nullopt;
  }
  return IdView{id.substr(0, first), id.substr(first + 1, last - first - 1), id.substr(last + 1)};
}

std::optional<IdView> SplitId(std::string_view id) {
  std::optional<IdView> cut = CutId(id);
  if (!cut) return std::nullopt;
  IdView v = *cut;
  v.person = registry::ValidMemberId(v.beneficiary);
  if (!v.person && !registry::ValidFamilyId(v.beneficiary)) return std::nullopt;
  return v;
}

// The cycles that ids name, by their period and scheme hash, looked up once each.
class CyclesOfIds {
 public:
  struct Cycle {
    int64_t cycle_id = 0;
    std::string scheme_id;
  };
  explicit CyclesOfIds(storage::Database& db) : db_(db) {}

  // The cycle of `v`, or null when none has its period and scheme hash.
  Result<const Cycle*> Find(const IdView& v) {
    // A file's ids are sorted: most share the last one's cycle.
    if (last_ != nullptr && v.period == last_period_ && v.hash == last_hash_) {
      return last_->second ? &*last_->second : nullptr;
    }
    std::string key = std::string(v.period) + "-" + std::string(v.hash);
    auto it = found_.find(key);
    if (it == found_.end()) {
      ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT cycle_id, scheme_id, period FROM cycles "
                                            "WHERE replace(period, '-', '') = ?",
                                            {std::string(v.period)}));
      std::optional<Cycle> cycle;
      for (const storage::Row& r : rows) {
        if (IdParts(r.Text(1), r.Text(2)).suffix.substr(1) == v.hash) {
          cycle = Cycle{r.Int(0), r.Text(1)};
        }
      }
      it = found_.emplace(std::move(key), std::move(cycle)).first;
    }
    last_ = &*it;
    last_period_ = std::string_view(it->first).substr(0, v.period.size());
    last_hash_ = std::string_view(it->first).substr(v.period.size() + 1);
    return it->second ? &*it->second : nullptr;
  }

 private:
  storage::Database& db_;
  std::map<std::string, std::optional<Cycle>, std::less<>> found_;
  const std::pair<const std::string, std::optional<Cycle>>* last_ = nullptr;
  std::string_view last_period_, last_hash_;  // into last_'s key
};

}  // namespace

Result<std::optional<InstructionKey>> FindInstruction(storage::Database& db, std::string_view id) {
  std::optional<IdView> v = SplitId(id);
  if (!v) return std::optional<InstructionKey>();
  CyclesOfIds cycles(db);
  ASSIGN_OR_RETURN(const CyclesOfIds::Cycle* c, cycles.Find(*v));
  if (c == nullptr) return std::optional<InstructionKey>();
  ASSIGN_OR_RETURN(auto row,
                   db.QueryOne(v->person
                                   ? "SELECT i.beneficiary_idx FROM members m JOIN "
                                     "payment_instructions i ON i.cycle_id = ? AND "
                                     "i.beneficiary_idx = m.member_idx AND i.scheme_id = ? WHERE "
                                     "m.member_id = ? AND i.instruction_id = ?"
                                   : "SELECT i.beneficiary_idx FROM households h JOIN "
                                     "payment_instructions i ON i.cycle_id = ? AND "
                                     "i.beneficiary_idx = h.household_idx AND i.scheme_id = ? "
                                     "WHERE h.family_id = ? AND i.instruction_id = ?",
                               {c->cycle_id, c->scheme_id, std::string(v->beneficiary),
                                std::string(id)}));
  if (!row) return std::optional<InstructionKey>();
  return std::optional<InstructionKey>(InstructionKey{c->cycle_id, row->Int(0), c->scheme_id});
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
  // Without SQLite's foreign-key checks, a row at a time (about 0.5 s of a million
  // instructions): every row written here takes its references from the rows it is made from,
  // read in this transaction (the cycle, its entitlement, the entitlement's household and
  // payee), and no other writer can change them before it commits. `spode ledger check`
  // (Reconcile) proves each instruction's cycle, scheme and amount afterwards.
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::BeginWithoutForeignKeyChecks(db));
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

  // The entitlements of the cycle without an instruction yet, read once by the scan below,
  // which decides each one's instruction. When the cycle has no instruction yet (the usual
  // case) they are all of the cycle's entitlements, and the WHERE says so, without a look-up a
  // row. The household is joined only for a scheme for households, whose ids name it: for one
  // for persons, that join cost a look-up a row for nothing.
  const bool per_person = scheme.unit == rules::Unit::kPerson;
  const std::string_view id_part = per_person ? "m.member_id" : "h.family_id";
  const std::string kFrom =
      std::string(" FROM cycle_entitlements e "
                  "JOIN members m ON m.member_idx = e.payee_member_idx ") +
      (per_person ? "" : "JOIN households h ON h.household_idx = e.household_idx ") +
      "LEFT JOIN mapper_addresses a ON a.member_idx = e.payee_member_idx AND "
      "a.unlinked_at_us IS NULL WHERE e.cycle_id = ? AND " +
      (report.existing == 0
           ? "? <> ''"  // the scheme's parameter: always true
           : "NOT EXISTS (SELECT 1 FROM payment_instructions i WHERE i.scheme_id = ? AND "
             "i.cycle_id = e.cycle_id AND i.beneficiary_idx = e.beneficiary_idx)") +
      " ORDER BY e.beneficiary_idx";
  Timestamp now = clock.Now();
  // An instruction that is not ready (held or invalid): the events and messages it makes.
  struct Exclusion {
    std::string id;
    int64_t payee, household, amount;
    std::string code, masked;
    bool held;
  };
  // What the scan decides: the counts, and the instructions that are not ready.
  struct Scanned {
    GenerateReport counts;
    std::vector<Exclusion> excluded;
  };
  // The instructions' columns, in the order the scan writes each row's values.
  static const std::array<std::string, 15> kColumns = {
      "instruction_id", "scheme_id",    "cycle_id",   "beneficiary_idx", "household_idx",
      "payee_member_idx", "amount_paise", "status",   "attempt",         "address_id",
      "ifsc",           "account_last4", "bank",      "reason_code",     "updated_at_us"};
  // Rows travel from the scan to the INSERT in chunks of this many.
  constexpr size_t kChunkRows = 1024;
  using Chunk = std::unique_ptr<storage::RowBuffer>;
  auto new_chunk = [] { return std::make_unique<storage::RowBuffer>(kColumns.size()); };
  IdParts ids(scheme_id, period);
  // Decides every instruction to be made, reading on `on` (this connection, or a second one:
  // below), and writes each one's values, status included, into a chunk. `hand_over` takes a
  // full chunk (and the last one) and leaves an empty one in its place.
  auto scan = [&](storage::Database& on,
                  const std::function<Status(Chunk&)>& hand_over) -> Result<Scanned> {
    Scanned out;
    ASSIGN_OR_RETURN(
        auto stmt,
        on.Prepare("SELECT e.beneficiary_idx, e.household_idx, e.payee_member_idx, "
                   "e.amount_paise, " + std::string(id_part) + ", m.name, a.kind, "
                   "COALESCE(a.same_destination_as, a.address_id), a.ifsc, a.account_last4, "
                   "a.holder_name" + kFrom));
    stmt->BindInt(1, cycle_id);
    stmt->BindText(2, scheme_id);
    Chunk rows = new_chunk();
    std::string id;
    // The rows are read as they are stepped (a million need not be held at once).
    GenerateReport& counts = out.counts;
    while (true) {
      ASSIGN_OR_RETURN(bool more, stmt->Step());
      if (!more) break;
      const int64_t beneficiary = stmt->ColumnInt(0), household = stmt->ColumnInt(1),
                    payee = stmt->ColumnInt(2), amount = stmt->ColumnInt(3);
      std::string_view status = "ready", code;
      bool linked = !stmt->ColumnIsNull(6);
      // Views into the row: valid until the next Step.
      std::string_view ifsc = stmt->ColumnText(8), last4 = stmt->ColumnText(9);
      if (!linked) {
        status = "invalid", code = "no_account";
      } else if (stmt->ColumnText(6) != "bank_account") {
        status = "invalid", code = "route_unsupported";
      } else if (!IsIfsc(ifsc)) {
        status = "invalid", code = "ifsc_format";
      } else if (options.min_name_score > 0 && !stmt->ColumnIsNull(10) &&
                 NameScore(stmt->ColumnText(5), stmt->ColumnText(10)) < options.min_name_score) {
        status = "invalid", code = "name_mismatch";
      } else if (hold_drift) {
        auto it = last_paid.find(beneficiary);
        if (it != last_paid.end() && it->second != stmt->ColumnInt(7)) {
          status = "held", code = "drift";
        }
      }
      // The bank from a valid IFSC only.
      std::string_view bank = linked && IsIfsc(ifsc) ? ifsc.substr(0, 4) : std::string_view();
      ids.Into(stmt->ColumnText(4), id);
      rows->Text(id).Text(scheme_id).Int(cycle_id).Int(beneficiary).Int(household).Int(payee)
          .Int(amount).Text(status).Int(1);
      if (linked) {
        rows->Int(stmt->ColumnInt(7));
      } else {
        rows->Null();
      }
      rows->TextOrNull(ifsc).TextOrNull(last4).TextOrNull(bank).TextOrNull(code)
          .Int(now.micros);
      ++counts.created;
      if (status == "ready") {
        ++counts.ready;
        counts.ready_total += Money::FromPaise(amount);
      } else {
        (status == "held" ? counts.held : counts.invalid) += 1;
        out.excluded.push_back({id, payee, household, amount, std::string(code),
                                Masked(ifsc, last4), status == "held"});
      }
      if (rows->rows() == kChunkRows) RETURN_IF_ERROR(hand_over(rows));
    }
    if (!rows->empty()) RETURN_IF_ERROR(hand_over(rows));
    return out;
  };
  int64_t inserted = 0;
  // Inserts a chunk's rows and empties it for the scan to fill again.
  auto insert = [&](Chunk& rows) -> Status {
    RETURN_IF_ERROR(db.BulkInsert("payment_instructions", kColumns, *rows));
    inserted += static_cast<int64_t>(rows->rows());
    rows->Clear();
    return OkStatus();
  };
  // On an SQLite file the scan runs on a second connection and thread, and this one inserts
  // what it decided, a chunk at a time, as it goes: the two cores share the work. This
  // transaction holds the write lock (BEGIN IMMEDIATE) and writes nothing before the scan's
  // first chunk, by which time the scan's snapshot is taken: it is the one this transaction
  // sees, and no writer can change it meanwhile. Elsewhere the scan runs here and each chunk is
  // inserted as it fills (PostgreSQL has the scan's whole result by its first row).
  std::optional<Result<Scanned>> scanned;
  Status insert_failed;
  if (std::unique_ptr<storage::Database> reader = ReaderConnection(db)) {
    // Chunks go back and forth: filled by the scan, emptied by the INSERT, three in all.
    BoundedQueue<Chunk> full(3), empty(3);
    for (int i = 0; i < 2; ++i) empty.Push(new_chunk());
    auto hand_over = [&](Chunk& rows) -> Status {
      if (!full.Push(std::move(rows))) return AbortedError("the insert stopped");
      std::optional<Chunk> next = empty.Pop();
      if (!next) return AbortedError("the insert stopped");
      rows = std::move(*next);
      return OkStatus();
    };
    std::future<Result<Scanned>> scanning;
    try {
      scanning = std::async(std::launch::async, [&]() -> Result<Scanned> {
        Result<Scanned> r = scan(*reader, hand_over);
        full.Close();
        return r;
      });
    } catch (const std::system_error&) {  // no thread to be had: the scan runs here (below)
    }
    if (scanning.valid()) {
      while (std::optional<Chunk> rows = full.Pop()) {
        insert_failed = insert(*rows);
        if (!insert_failed.ok()) break;
        empty.Push(std::move(*rows));
      }
      full.Close();  // after a failed insert: the scan stops at its next chunk
      empty.Close();
      scanned.emplace(scanning.get());
    }
  }
  if (!scanned) {
    scanned.emplace(scan(db, insert));
  }
  RETURN_IF_ERROR(insert_failed);
  RETURN_IF_ERROR(scanned->status());
  const std::vector<Exclusion>& excluded = (*scanned)->excluded;
  {
    const GenerateReport& counts = (*scanned)->counts;
    report.created = counts.created;
    report.ready = counts.ready;
    report.held = counts.held;
    report.invalid = counts.invalid;
    report.ready_total = counts.ready_total;
  }
  if (inserted != report.created) {
    return InternalError("generated " + std::to_string(inserted) + " instructions, expected " +
                         std::to_string(report.created));
  }
  RETURN_IF_ERROR(storage::RefreshStatistics(db, "payment_instructions"));

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

// The instruction with this id (its key, then the columns Confirm and Requeue read).
struct Loaded {
  InstructionKey key;
  storage::Row row;  // status, attempt, payee_member_idx
};

Result<Loaded> LoadInstruction(storage::Database& db, std::string_view id) {
  ASSIGN_OR_RETURN(std::optional<InstructionKey> key, FindInstruction(db, id));
  if (!key) return NotFoundError("no payment instruction " + std::string(id));
  ASSIGN_OR_RETURN(auto r, db.QueryOne("SELECT status, attempt, payee_member_idx FROM "
                                       "payment_instructions WHERE cycle_id = ? AND "
                                       "beneficiary_idx = ? AND scheme_id = ?",
                                       {key->cycle_id, key->beneficiary_idx, key->scheme_id}));
  if (!r) return NotFoundError("no payment instruction " + std::string(id));
  return Loaded{std::move(*key), std::move(*r)};
}

}  // namespace

Status ConfirmDestination(storage::Database& db, const TimeSource& clock,
                          std::string_view instruction_id, std::string_view actor) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(Loaded l, LoadInstruction(db, instruction_id));
  const storage::Row& r = l.row;
  if (r.Text(0) != "held") {
    return FailedPreconditionError("instruction " + std::string(instruction_id) + " is " +
                                   r.Text(0) + ", not held");
  }
  RETURN_IF_ERROR(db.Execute("UPDATE payment_instructions SET status = 'ready', reason_code = "
                             "'drift_confirmed:' || ?, updated_at_us = ? WHERE cycle_id = ? AND "
                             "beneficiary_idx = ? AND scheme_id = ?",
                             {std::string(actor), clock.Now().micros, l.key.cycle_id,
                              l.key.beneficiary_idx, l.key.scheme_id})
                      .status());
  return tx.Commit();
}

Status RequeueInstruction(storage::Database& db, const TimeSource& clock,
                          std::string_view instruction_id, std::string_view actor) {
  ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db));
  ASSIGN_OR_RETURN(Loaded l, LoadInstruction(db, instruction_id));
  const storage::Row& r = l.row;
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
                               "at_us, cycle_id, beneficiary_idx) SELECT instruction_id, "
                               "attempt, NULL, amount_paise, address_id, ifsc, 'invalid', "
                               "reason_code, ?, cycle_id, beneficiary_idx FROM "
                               "payment_instructions WHERE cycle_id = ? AND beneficiary_idx = ? "
                               "AND scheme_id = ?",
                               {now.micros, l.key.cycle_id, l.key.beneficiary_idx,
                                l.key.scheme_id})
                        .status());
  }
  RETURN_IF_ERROR(db.Execute("UPDATE payment_instructions SET status = 'ready', attempt = ?, "
                             "address_id = ?, ifsc = ?, account_last4 = ?, bank = ?, batch_id = "
                             "NULL, reason_code = ?, updated_at_us = ? WHERE cycle_id = ? AND "
                             "beneficiary_idx = ? AND scheme_id = ?",
                             {attempt + 1, a->Int(1), a->Text(2), a->Text(3),
                              a->Text(2).substr(0, 4), "requeued_by:" + std::string(actor),
                              now.micros, l.key.cycle_id, l.key.beneficiary_idx,
                              l.key.scheme_id})
                      .status());
  return tx.Commit();
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

// What the import knows of one instruction the file names. The scheme, bank and period are
// interned (a file names a handful of each a million times).
// One a line of a large file, so kept small: 112 bytes (fresh pages are much of what an import
// costs).
struct Known {
  std::string_view id;  // into the parsed report
  int64_t rowid = 0;    // SQLite: where the row lies
  std::string_view status;  // static text (StatusText), 16 bytes less a line than a string
  int64_t payee = 0, household = 0, amount = 0;
  int64_t cycle_id = 0, beneficiary = 0;  // the unique key, with the scheme
  const std::string* scheme = nullptr;
  const std::string* bank = nullptr;
  const std::string* period = nullptr;
  int32_t attempt = 0;
  bool found = false;
};
static_assert(sizeof(Known) <= 112);

// The columns ReadKnown reads, in its order, from payment_instructions.
constexpr std::string_view kKnownColumns =
    "status, attempt, payee_member_idx, household_idx, amount_paise, scheme_id, "
    "COALESCE(bank, ''), cycle_id, beneficiary_idx";

class Interned {
 public:
  const std::string* operator()(std::string_view v) {
    // The few values last interned are compared first: a file names a scheme and its banks.
    for (const std::string* r : recent_) {
      if (r != nullptr && *r == v) return r;
    }
    const std::string* r = &*names_.emplace(v).first;
    recent_[next_++ % recent_.size()] = r;
    return r;
  }

 private:
  std::set<std::string, std::less<>> names_;
  std::array<const std::string*, 4> recent_{};
  size_t next_ = 0;
};

// The instruction statuses the table allows (its CHECK), as views of static text; any other
// value is interned. Not through the interner's few recent names, which are a file's scheme
// and banks.
std::string_view StatusText(std::string_view status, Interned& intern) {
  static constexpr std::string_view kStatuses[] = {"ready",    "held", "invalid",  "sent",
                                                   "accepted", "paid", "rejected", "returned"};
  for (std::string_view known : kStatuses) {
    if (known == status) return known;
  }
  return *intern(status);
}

// Fills `k` from the current row, whose columns from `first` on are kKnownColumns.
void ReadKnown(const storage::Statement& st, int first, Interned& intern, Known& k) {
  k.found = true;
  k.status = StatusText(st.ColumnText(first), intern);
  k.attempt = static_cast<int32_t>(st.ColumnInt(first + 1));
  k.payee = st.ColumnInt(first + 2);
  k.household = st.ColumnInt(first + 3);
  k.amount = st.ColumnInt(first + 4);
  k.scheme = intern(st.ColumnText(first + 5));
  k.bank = intern(st.ColumnText(first + 6));
  k.cycle_id = st.ColumnInt(first + 7);
  k.beneficiary = st.ColumnInt(first + 8);
}

std::string_view KeyOf(const storage::Statement& st, std::string_view*) { return st.ColumnText(0); }
int64_t KeyOf(const storage::Statement& st, int64_t*) { return st.ColumnInt(0); }
void BindKey(storage::Statement& st, int i, std::string_view k) { st.BindText(i, k); }
void BindKey(storage::Statement& st, int i, int64_t k) { st.BindInt(i, k); }

// Finds the rows of `keys` (ascending, unique; text or integers), calling `on_row(i, st)` with
// `st` on keys[i]'s row, whose column 0 is the key. `fixed`, if any, is bound before the keys.
// SQLite: `range_sql` ("... BETWEEN ? AND ? ORDER BY <key>") is walked over kChunk keys at a
// time, one pass along the index; a range that holds many rows not asked for (a few scattered
// keys) is looked up key by key with `point_sql` ("... = ?") instead. PostgreSQL: `in_sql` with
// " IN (?, ...)" appended, for 1,000 keys a query.
template <typename K>
Status ReadSorted(storage::Database& db, std::optional<int64_t> fixed, std::span<const K> keys,
                  std::string_view range_sql, std::string_view point_sql, std::string_view in_sql,
                  const std::function<Status(size_t, storage::Statement&)>& on_row) {
  const int first = fixed ? 2 : 1;  // the first key's parameter
  auto bind_fixed = [&](storage::Statement& st) {
    if (fixed) st.BindInt(1, *fixed);
  };
  if (db.dialect() == storage::Dialect::kSqlite) {
    ASSIGN_OR_RETURN(auto range, db.Prepare(range_sql));
    ASSIGN_OR_RETURN(auto point, db.Prepare(point_sql));
    constexpr size_t kChunk = 4096;
    for (size_t i = 0; i < keys.size(); i += kChunk) {
      const size_t end = std::min(keys.size(), i + kChunk);
      size_t next = i;  // keys before it are found or known absent
      bool walked = false;
      if (end - i > 16) {
        range->Reset();
        bind_fixed(*range);
        BindKey(*range, first, keys[i]);
        BindKey(*range, first + 1, keys[end - 1]);
        walked = true;
        size_t seen = 0;
        while (next < end) {
          ASSIGN_OR_RETURN(bool row, range->Step());
          if (!row) break;
          if (++seen > 4 * (end - i)) {  // sparse: the rest key by key
            walked = false;
            break;
          }
          const K key = KeyOf(*range, static_cast<K*>(nullptr));
          while (next < end && keys[next] < key) ++next;  // not in the table
          if (next < end && keys[next] == key) RETURN_IF_ERROR(on_row(next++, *range));
        }
        range->Reset();
      }
      if (walked) continue;
      for (size_t k = next; k < end; ++k) {
        point->Reset();
        bind_fixed(*point);
        BindKey(*point, first, keys[k]);
        ASSIGN_OR_RETURN(bool row, point->Step());
        if (row) RETURN_IF_ERROR(on_row(k, *point));
      }
      point->Reset();
    }
    return OkStatus();
  }
  constexpr size_t kChunk = 1000;
  std::string sql;
  for (size_t i = 0; i < keys.size(); i += kChunk) {
    const size_t n = std::min(kChunk, keys.size() - i);
    sql.assign(in_sql).append(" IN (");
    for (size_t k = 0; k < n; ++k) sql += k ? ",?" : "?";
    sql += ")";
    ASSIGN_OR_RETURN(storage::Statement * st, db.Cached(sql));
    bind_fixed(*st);
    for (size_t k = 0; k < n; ++k) BindKey(*st, first + static_cast<int>(k), keys[i + k]);
    auto from = keys.begin() + static_cast<std::ptrdiff_t>(i);
    auto to = from + static_cast<std::ptrdiff_t>(n);
    while (true) {
      Result<bool> row = st->Step();
      if (!row.ok() || !*row) {
        st->Reset();
        if (!row.ok()) return row.status();
        break;
      }
      const K key = KeyOf(*st, static_cast<K*>(nullptr));
      auto it = std::lower_bound(from, to, key);
      if (it != to && *it == key) {
        if (Status s = on_row(static_cast<size_t>(it - keys.begin()), *st); !s.ok()) {
          st->Reset();
          return s;
        }
      }
    }
  }
  return OkStatus();
}

// The contact of each of `members` (ascending, unique; an unknown member has none), read in
// the members' order: a thousand a query on PostgreSQL, instead of a round trip each.
Result<std::vector<Contact>> ContactsOf(storage::Database& db, std::span<const int64_t> members) {
  std::vector<Contact> out(members.size());
  const std::string select(kContactOf);
  RETURN_IF_ERROR(ReadSorted<int64_t>(
      db, std::nullopt, members, select + " BETWEEN ? AND ? ORDER BY m.member_idx",
      select + " = ?", select, [&out](size_t i, storage::Statement& st) {
        out[i] = MakeContact(st.ColumnText(1), st.ColumnText(2), st.ColumnText(3));
        return OkStatus();
      }));
  return out;
}

// The fewest items InHalves splits (and the fewest ids for which the import opens a second
// connection to look them up): for fewer, a second thread is not worth it.
constexpr size_t kHalvesFrom = 2048;
// About what a payment failure's re-entry event row holds in text (its detail, with the reason
// in English and Hindi, its source and codes: 1,128 bytes on average in bench/payments'
// returns): ImportStatusFile reserves this much a failure.
constexpr size_t kEventRowBytes = 1152;

// Runs `work(on, half, from, to)` over [0, n): with a helper connection (SQLite) and at least
// `min_split` items, the second half on a thread of its own through `helper` while this thread
// does the first; else all of it here, on `db`. The halves must write to different objects.
Status InHalves(storage::Database& db, storage::Database* helper, size_t n, size_t min_split,
                const std::function<Status(storage::Database&, int, size_t, size_t)>& work) {
  if (helper == nullptr || n < min_split) return work(db, 0, 0, n);
  const size_t mid = n / 2;
  std::future<Status> second;
  try {
    second = std::async(std::launch::async, [&] { return work(*helper, 1, mid, n); });
  } catch (const std::system_error&) {  // no thread to be had
    return work(db, 0, 0, n);
  }
  Status first = work(db, 0, 0, mid);
  Status other = second.get();
  return first.ok() ? other : first;
}

// Reads what is known of each id in `known` (sorted by id, unique). Each id is taken apart
// (SplitId) into its cycle and its beneficiary's ID; the IDs become the registry's indices, and
// the instructions are read by the unique key in beneficiary order, the order in which a
// cycle's instructions were written, so that the table is read front to back rather than at
// random. A row counts only if it carries exactly the id named. With `helper`, another
// connection to the same SQLite file that sees what `db` sees, the walks are made in two halves
// at once; the rows read through it are interned in `helper_intern`.
Status LookUpKnown(storage::Database& db, storage::Database* helper, Interned& intern,
                   Interned& helper_intern, std::vector<Known>& known) {
  struct Entry {
    Known* k;
    int64_t idx = -1;
    bool found = false;  // by the walk over the cycle's rows
  };
  CyclesOfIds cycles(db);
  // By cycle and kind of beneficiary; within a group the ids share their prefix and suffix,
  // so their order is their beneficiaries'. Each group's size is counted first and its vectors
  // allocated once: grown by doubling, a million entries touched twice their size in fresh
  // pages. `group_of[i]`: the group of known[i] (kNoGroup: an id of no cycle).
  struct Group {
    size_t size = 0;
    std::vector<Entry> entries;
    std::vector<std::string_view> ids;  // entries[j]'s beneficiary's ID is ids[j]
  };
  constexpr uint32_t kNoGroup = std::numeric_limits<uint32_t>::max();
  std::map<std::pair<int64_t, bool>, uint32_t> group_numbers;
  std::vector<Group> groups;
  std::vector<uint32_t> group_of(known.size(), kNoGroup);
  for (size_t i = 0; i < known.size(); ++i) {
    std::optional<IdView> v = SplitId(known[i].id);
    if (!v) continue;
    ASSIGN_OR_RETURN(const CyclesOfIds::Cycle* c, cycles.Find(*v));
    if (c == nullptr) continue;
    auto [it, added] = group_numbers.try_emplace({c->cycle_id, v->person},
                                                 static_cast<uint32_t>(groups.size()));
    if (added) groups.emplace_back();
    group_of[i] = it->second;
    ++groups[it->second].size;
  }
  for (Group& g : groups) {
    g.entries.reserve(g.size);
    g.ids.reserve(g.size);
  }
  for (size_t i = 0; i < known.size(); ++i) {
    if (group_of[i] == kNoGroup) continue;
    Group& g = groups[group_of[i]];
    g.entries.push_back({&known[i]});
    g.ids.push_back(CutId(known[i].id)->beneficiary);  // SplitId checked it above
  }
  group_of = {};
  const std::string known_columns(kKnownColumns);
  const bool sqlite = db.dialect() == storage::Dialect::kSqlite;
  std::vector<Known*> by_row;  // SQLite: the rows found, read in the table's order at the end
  by_row.reserve(known.size());
  for (const auto& [key, number] : group_numbers) {
    const auto [cycle_id, person] = key;
    std::vector<Entry>& entries = groups[number].entries;
    std::vector<std::string_view> ids = std::move(groups[number].ids);
    RETURN_IF_ERROR(InHalves(
        db, helper, ids.size(), kHalvesFrom,
        [&](storage::Database& on, int, size_t from, size_t to) {
          return ReadSorted<std::string_view>(
              on, std::nullopt, std::span(ids).subspan(from, to - from),
              person ? "SELECT member_id, member_idx FROM members WHERE member_id BETWEEN ? AND "
                       "? ORDER BY member_id"
                     : "SELECT family_id, household_idx FROM households WHERE family_id "
                       "BETWEEN ? AND ? ORDER BY family_id",
              person ? "SELECT member_id, member_idx FROM members WHERE member_id = ?"
                     : "SELECT family_id, household_idx FROM households WHERE family_id = ?",
              person ? "SELECT member_id, member_idx FROM members WHERE member_id"
                     : "SELECT family_id, household_idx FROM households WHERE family_id",
              [&](size_t i, storage::Statement& st) {
                entries[from + i].idx = st.ColumnInt(1);
                return OkStatus();
              });
        }));
    std::erase_if(entries, [](const Entry& e) { return e.idx < 0; });
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.idx < b.idx; });
    std::vector<int64_t> indices;
    indices.reserve(entries.size());
    for (const Entry& e : entries) indices.push_back(e.idx);
    if (sqlite && !entries.empty()) {
      // A file that names much of a cycle: the cycle's rows are read in one pass over the
      // table where they lie (written in one statement in beneficiary order, they lie together
      // from its first beneficiary's row to its last's), each matched by its beneficiary.
      // Cheaper than finding each through the unique key's index. A row outside that span is
      // found through the index below.
      ASSIGN_OR_RETURN(auto low_row, db.QueryOne("SELECT rowid FROM payment_instructions WHERE "
                                                 "cycle_id = ? ORDER BY cycle_id, "
                                                 "beneficiary_idx LIMIT 1",
                                                 {cycle_id}));
      ASSIGN_OR_RETURN(auto high_row, db.QueryOne("SELECT rowid FROM payment_instructions WHERE "
                                                  "cycle_id = ? ORDER BY cycle_id DESC, "
                                                  "beneficiary_idx DESC LIMIT 1",
                                                  {cycle_id}));
      const int64_t low = low_row ? low_row->Int(0) : 0;
      const int64_t high = high_row ? high_row->Int(0) : -1;
      if (high >= low && static_cast<int64_t>(entries.size()) * 4 >= high - low + 1) {
        const std::string scan_sql = "SELECT beneficiary_idx, cycle_id, rowid, instruction_id, " +
                                     known_columns +
                                     " FROM payment_instructions WHERE rowid BETWEEN ? AND ?";
        RETURN_IF_ERROR(InHalves(
            db, helper, static_cast<size_t>(high - low + 1), kHalvesFrom,
            [&](storage::Database& on, int half, size_t from, size_t to) -> Status {
              Interned& in = half == 0 ? intern : helper_intern;
              ASSIGN_OR_RETURN(auto scan, on.Prepare(scan_sql));
              scan->BindInt(1, low + static_cast<int64_t>(from));
              scan->BindInt(2, low + static_cast<int64_t>(to) - 1);
              size_t at = 0;  // the rows come mostly in beneficiary order: a cursor, not a search
              while (true) {
                ASSIGN_OR_RETURN(bool row, scan->Step());
                if (!row) break;
                if (scan->ColumnInt(1) != cycle_id) continue;
                const int64_t beneficiary = scan->ColumnInt(0);
                if (at >= indices.size() || indices[at] > beneficiary) {
                  at = static_cast<size_t>(
                      std::lower_bound(indices.begin(), indices.end(), beneficiary) -
                      indices.begin());
                }
                while (at < indices.size() && indices[at] < beneficiary) ++at;
                if (at == indices.size() || indices[at] != beneficiary) continue;
                Known& k = *entries[at].k;
                if (scan->ColumnText(3) != k.id) continue;  // another id
                k.rowid = scan->ColumnInt(2);
                ReadKnown(*scan, 4, in, k);
                entries[at].found = true;
              }
              return OkStatus();
            }));
        std::erase_if(entries, [](const Entry& e) { return e.found; });
        indices.clear();
        for (const Entry& e : entries) indices.push_back(e.idx);
        if (entries.empty()) continue;
      }
      // Else (and for rows outside the span) where each row lies, from the unique key's index
      // alone; the rows are read below.
      const std::string select = "SELECT beneficiary_idx, rowid FROM payment_instructions WHERE "
                                 "cycle_id = ? AND beneficiary_idx";
      RETURN_IF_ERROR(ReadSorted<int64_t>(db, cycle_id, indices,
                                          select + " BETWEEN ? AND ? ORDER BY beneficiary_idx",
                                          select + " = ?", select,
                                          [&](size_t i, storage::Statement& st) {
                                            entries[i].k->rowid = st.ColumnInt(1);
                                            by_row.push_back(entries[i].k);
                                            return OkStatus();
                                          }));
      continue;
    }
    const std::string select = "SELECT beneficiary_idx, instruction_id, " + known_columns +
                               " FROM payment_instructions WHERE cycle_id = ? AND beneficiary_idx";
    RETURN_IF_ERROR(ReadSorted<int64_t>(db, cycle_id, indices, select, select, select,
                                        [&](size_t i, storage::Statement& st) {
                                          Known& k = *entries[i].k;
                                          if (st.ColumnText(1) == k.id) ReadKnown(st, 2, intern, k);
                                          return OkStatus();
                                        }));
  }
  if (!sqlite) return OkStatus();
  // The rows in the table's order, a range at a time: a cycle's rows were written in
  // beneficiary order, so the rows a file names lie close together. A row between them that
  // the file does not name is skipped (at most kGap per row named).
  std::sort(by_row.begin(), by_row.end(),
            [](const Known* a, const Known* b) { return a->rowid < b->rowid; });
  ASSIGN_OR_RETURN(auto range, db.Prepare("SELECT rowid, instruction_id, " + known_columns +
                                          " FROM payment_instructions WHERE rowid BETWEEN ? AND "
                                          "? ORDER BY rowid"));
  constexpr int64_t kGap = 8;
  constexpr size_t kRun = 16384;
  for (size_t i = 0; i < by_row.size();) {
    size_t j = i + 1;
    while (j < by_row.size() && j - i < kRun && by_row[j]->rowid - by_row[j - 1]->rowid <= kGap) {
      ++j;
    }
    range->Reset();
    range->BindInt(1, by_row[i]->rowid);
    range->BindInt(2, by_row[j - 1]->rowid);
    size_t next = i;
    while (next < j) {
      ASSIGN_OR_RETURN(bool row, range->Step());
      if (!row) break;
      if (range->ColumnInt(0) != by_row[next]->rowid) continue;
      Known& k = *by_row[next++];
      if (range->ColumnText(1) == k.id) ReadKnown(*range, 2, intern, k);  // else another id
    }
    if (next != j) return InternalError("payment instructions changed during the import");
    i = j;
  }
  return OkStatus();
}

// A status an import sets on an instruction.
struct Apply {
  const Known* k;
  std::string_view status, reason;  // a constant; into the report
};

// Where each place of `applies` in the order of their rows takes its update from: by rowid
// (SQLite), then by the unique key (PostgreSQL, whose rows have no rowid here), then by their
// place in `applies` (the file's order). A cycle's rows are a span of rowids, so on SQLite the
// order is counted, in two passes, instead of sorted: a comparison sort of a million keys took
// 0.05-0.1 s and 32 MB of fresh pages.
std::vector<size_t> RowOrder(const std::vector<Apply>& applies) {
  const size_t n = applies.size();
  std::vector<size_t> from(n);
  if (n == 0) return from;
  int64_t lo = std::numeric_limits<int64_t>::max(), hi = 0;
  for (const Apply& a : applies) {
    lo = std::min(lo, a.k->rowid);
    hi = std::max(hi, a.k->rowid);
  }
  if (lo > 0 && n <= std::numeric_limits<uint32_t>::max() &&
      static_cast<uint64_t>(hi - lo) < 4 * static_cast<uint64_t>(n)) {
    std::vector<uint32_t> at(static_cast<size_t>(hi - lo) + 2, 0);  // counts, then places
    for (const Apply& a : applies) ++at[static_cast<size_t>(a.k->rowid - lo) + 1];
    for (size_t r = 1; r < at.size(); ++r) at[r] += at[r - 1];
    for (size_t i = 0; i < n; ++i) from[at[static_cast<size_t>(applies[i].k->rowid - lo)]++] = i;
    return from;
  }
  std::vector<std::pair<std::tuple<int64_t, int64_t, int64_t>, size_t>> keyed(n);
  for (size_t i = 0; i < n; ++i) {
    const Known& k = *applies[i].k;
    keyed[i] = {{k.rowid, k.cycle_id, k.beneficiary}, i};
  }
  std::sort(keyed.begin(), keyed.end());
  for (size_t j = 0; j < n; ++j) from[j] = keyed[j].second;
  return from;
}

// SQLite: sets each status in `applies` (sorted by rowid, then file order). A run of updates to
// neighbouring rows (rowids one apart, each named once in the run) that set the same status and
// reason is one statement over the run's rowids: a million statements cost more than the rows
// they change.
Status ApplyRunsOfRows(storage::Database& db, const std::vector<Apply>& applies, Timestamp now) {
  ASSIGN_OR_RETURN(auto update, db.Prepare("UPDATE payment_instructions SET status = ?, "
                                           "reason_code = ?, updated_at_us = ? WHERE rowid = ?"));
  ASSIGN_OR_RETURN(auto update_run, db.Prepare("UPDATE payment_instructions SET status = ?, "
                                               "reason_code = ?, updated_at_us = ? WHERE rowid "
                                               "BETWEEN ? AND ?"));
  for (size_t i = 0; i < applies.size();) {
    const Apply& a = applies[i];
    size_t j = i + 1;
    while (j < applies.size() && applies[j].k->rowid == applies[j - 1].k->rowid + 1 &&
           applies[j].status == a.status && applies[j].reason == a.reason) {
      ++j;
    }
    storage::Statement& st = j - i > 1 ? *update_run : *update;
    st.Reset();
    st.BindText(1, a.status);
    if (a.reason.empty()) st.BindNull(2); else st.BindText(2, a.reason);
    st.BindInt(3, now.micros);
    st.BindInt(4, a.k->rowid);
    if (j - i > 1) st.BindInt(5, applies[j - 1].k->rowid);
    RETURN_IF_ERROR(st.Step().status());
    if (st.Changes() != static_cast<int64_t>(j - i)) {
      return InternalError("a payment instruction changed during the import");
    }
    i = j;
  }
  return OkStatus();
}

// PostgreSQL: a statement a line is a round trip a line (24 s for a file of 100,000 lines). The
// status each instruction is left with, the last of its lines (`applies` is sorted by key, then
// file order), is copied into a temporary table instead, and set by one UPDATE ... FROM.
Status ApplyThroughCopy(storage::Database& db, const std::vector<Apply>& applies, Timestamp now) {
  static const std::string kColumns[] = {"scheme_id", "cycle_id", "beneficiary_idx", "status",
                                         "reason_code", "updated_at_us"};
  storage::RowBuffer rows(6);
  int64_t instructions = 0;
  for (size_t i = 0; i < applies.size(); ++i) {
    if (i + 1 < applies.size() && applies[i + 1].k == applies[i].k) continue;  // a later line
    const Apply& a = applies[i];
    rows.Text(*a.k->scheme).Int(a.k->cycle_id).Int(a.k->beneficiary).Text(a.status);
    rows.TextOrNull(a.reason).Int(now.micros);
    ++instructions;
  }
  if (instructions == 0) return OkStatus();
  RETURN_IF_ERROR(db.ExecScript("CREATE TEMP TABLE IF NOT EXISTS status_import_rows (scheme_id "
                                "TEXT NOT NULL, cycle_id BIGINT NOT NULL, beneficiary_idx BIGINT "
                                "NOT NULL, status TEXT NOT NULL, reason_code TEXT, updated_at_us "
                                "BIGINT NOT NULL) ON COMMIT DELETE ROWS"));
  RETURN_IF_ERROR(db.BulkInsert("status_import_rows", kColumns, rows));
  ASSIGN_OR_RETURN(int64_t changed,
                   db.Execute("UPDATE payment_instructions i SET status = u.status, reason_code "
                              "= u.reason_code, updated_at_us = u.updated_at_us FROM "
                              "status_import_rows u WHERE i.scheme_id = u.scheme_id AND "
                              "i.cycle_id = u.cycle_id AND i.beneficiary_idx = u.beneficiary_idx"));
  if (changed != instructions) {
    return InternalError("a payment instruction changed during the import");
  }
  return OkStatus();
}

// A failed attempt to close: its row in instruction_attempts, and, for a technical failure
// (retry_without_change), the instruction made ready again for its next attempt.
struct ClosedAttempt {
  const Known* k;
  std::string_view outcome;  // "rejected" or "returned"
  std::string reason_code;
  bool requeue;
};

Status CloseAttempts(storage::Database& db, const std::vector<ClosedAttempt>& closed,
                     Timestamp now) {
  if (closed.empty()) return OkStatus();
  constexpr std::string_view kAttempt =
      "INSERT INTO instruction_attempts (instruction_id, attempt, batch_id, amount_paise, "
      "address_id, ifsc, outcome, reason_code, at_us, cycle_id, beneficiary_idx) SELECT "
      "i.instruction_id, i.attempt, i.batch_id, i.amount_paise, i.address_id, i.ifsc, ";
  constexpr std::string_view kRequeue =
      "UPDATE payment_instructions SET status = 'ready', attempt = attempt + 1, batch_id = NULL, "
      "updated_at_us = ? WHERE ";
  if (db.dialect() != storage::Dialect::kPostgres) {
    // The row by its key (the cycle implies the scheme), one after another.
    const std::string attempt_sql = std::string(kAttempt) +
                                    "?, ?, ?, i.cycle_id, i.beneficiary_idx FROM "
                                    "payment_instructions i WHERE i.cycle_id = ? AND "
                                    "i.beneficiary_idx = ?";
    const std::string requeue_sql = std::string(kRequeue) + "cycle_id = ? AND beneficiary_idx = ?";
    for (const ClosedAttempt& c : closed) {
      ASSIGN_OR_RETURN(int64_t n, db.Execute(attempt_sql, {std::string(c.outcome), c.reason_code,
                                                           now.micros, c.k->cycle_id,
                                                           c.k->beneficiary}));
      if (n != 1) return InternalError("a payment instruction changed during the import");
      if (c.requeue) {
        RETURN_IF_ERROR(
            db.Execute(requeue_sql, {now.micros, c.k->cycle_id, c.k->beneficiary}).status());
      }
    }
    return OkStatus();
  }
  // PostgreSQL: the failures copied into a temporary table (emptied at the commit), then one
  // statement for the attempts and one for the instructions sent again.
  static const std::string kColumns[] = {"cycle_id", "beneficiary_idx", "outcome", "reason_code",
                                         "requeue"};
  storage::RowBuffer rows(5);
  for (const ClosedAttempt& c : closed) {
    rows.Int(c.k->cycle_id).Int(c.k->beneficiary).Text(c.outcome).Text(c.reason_code);
    rows.Int(c.requeue ? 1 : 0);
  }
  RETURN_IF_ERROR(db.ExecScript("CREATE TEMP TABLE IF NOT EXISTS status_import_failures "
                                "(cycle_id BIGINT NOT NULL, beneficiary_idx BIGINT NOT NULL, "
                                "outcome TEXT NOT NULL, reason_code TEXT NOT NULL, requeue "
                                "INTEGER NOT NULL) ON COMMIT DELETE ROWS"));
  RETURN_IF_ERROR(db.BulkInsert("status_import_failures", kColumns, rows));
  ASSIGN_OR_RETURN(int64_t attempts,
                   db.Execute(std::string(kAttempt) +
                                  "f.outcome, f.reason_code, ?, i.cycle_id, i.beneficiary_idx "
                                  "FROM status_import_failures f JOIN payment_instructions i ON "
                                  "i.cycle_id = f.cycle_id AND i.beneficiary_idx = "
                                  "f.beneficiary_idx",
                              {now.micros}));
  if (attempts != static_cast<int64_t>(closed.size())) {
    return InternalError("a payment instruction changed during the import");
  }
  return db
      .Execute(std::string(kRequeue) +
                   "(cycle_id, beneficiary_idx) IN (SELECT cycle_id, beneficiary_idx FROM "
                   "status_import_failures WHERE requeue = 1)",
               {now.micros})
      .status();
}

// Frees `objects` (moved in) on a thread of its own; the future returned joins it. Here, when no
// thread is to be had.
template <typename... T>
std::future<void> FreeAside(T&&... objects) {
  auto owned = std::make_unique<std::tuple<std::decay_t<T>...>>(std::move(objects)...);
  try {
    return std::async(std::launch::async, [owned = std::move(owned)]() mutable { owned.reset(); });
  } catch (const std::system_error&) {
    return {};
  }
}

// What an import's failures write: their attempts closed, their re-entry events
// (programs::ReentryEventRows) and their messages.
struct FailureWrites {
  std::vector<ClosedAttempt> closed;
  storage::RowBuffer events;
  std::vector<notify::Message> messages;
};

std::optional<TransactionOutcome> OutcomeOfState(std::string_view status) {
  if (status == "accepted") return TransactionOutcome::kAccepted;
  if (status == "paid") return TransactionOutcome::kPaid;
  if (status == "rejected") return TransactionOutcome::kRejected;
  if (status == "returned") return TransactionOutcome::kReturned;
  return std::nullopt;  // sent
}

// The count in `r` of the lines not applied for reason `d` (not kApply).
int64_t& CountOf(ImportReport& r, StatusDisposition d) {
  switch (d) {
    case StatusDisposition::kUnchanged:
      return r.unchanged;
    case StatusDisposition::kRepeated:
      return r.repeated;
    case StatusDisposition::kConflictInFile:
      return r.conflicting;
    case StatusDisposition::kUnknownInstruction:
      return r.unknown;
    case StatusDisposition::kContradictsFinal:
      return r.contradicting;
    case StatusDisposition::kApply:
    case StatusDisposition::kStale:
      break;
  }
  return r.stale;
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

  // The lines grouped by id, and what we know of the instructions they name: `known` sorted by
  // id, one an id; `known_of[i]`, the one line i names.
  Interned intern, reader_intern;
  const std::vector<size_t> order = OrderById(sr.transactions);
  std::vector<Known> known;
  known.reserve(order.size());
  std::vector<size_t> known_of(sr.transactions.size());
  for (size_t i : order) {
    std::string_view id = sr.transactions[i].end_to_end_id;
    if (known.empty() || known.back().id != id) known.emplace_back().id = id;
    known_of[i] = known.size() - 1;
  }
  // A second connection (SQLite file), to read beside this one: the look-up's second half (a
  // file large enough to split), and the contacts of the failures below. Members and households
  // are not written here, and the instructions not before the look-up is done, so what it reads
  // is what this one would.
  std::unique_ptr<storage::Database> reader =
      known.size() >= kHalvesFrom ? ReaderConnection(db) : nullptr;
  RETURN_IF_ERROR(LookUpKnown(db, reader.get(), intern, reader_intern, known));
  {
    // The periods of the cycles named.
    std::map<int64_t, const std::string*> periods;
    for (Known& k : known) {
      if (!k.found) continue;
      auto [it, added] = periods.try_emplace(k.cycle_id, nullptr);
      if (added) {
        ASSIGN_OR_RETURN(auto c, db.QueryOne("SELECT period FROM cycles WHERE cycle_id = ?",
                                             {k.cycle_id}));
        it->second = intern(c ? c->Text(0) : "");
      }
      k.period = it->second;
    }
  }
  StatusReviews review = ReviewOrderedStatuses(sr.transactions, order, [&](size_t i) {
    InstructionState s;
    const Known* k = &known[known_of[i]];
    if (!k->found) return s;
    if (!only_bank.empty() && *k->bank != only_bank) return s;
    std::string_view st = k->status;
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

  const bool sqlite = db.dialect() == storage::Dialect::kSqlite;
  // Applied in the order the rows lie (SQLite: rowid; else the unique key, the order they were
  // written in), not the file's: the instruction ids sort at random against it, and random
  // updates cost twice as much. The sort also puts an instruction's lines together, in the
  // file's order, so that its last is last (ApplyThroughCopy keeps only that one).
  std::vector<Apply> applies;
  applies.reserve(review.size());  // at most one a line: allocated once
  // Ledger movements, summed per (scheme, bank, movement): first by interned names (a million
  // rows name a few schemes and banks), then by their values (the halves of the look-up
  // interned apart), below.
  struct Sum {
    const std::string* scheme;
    const std::string* bank;
    std::string_view what;
    int64_t paise;
  };
  std::vector<Sum> sums;
  auto add_move = [&sums](const Known& k, std::string_view what) {
    for (Sum& m : sums) {
      if (m.scheme == k.scheme && m.bank == k.bank && m.what == what) {
        m.paise += k.amount;
        return;
      }
    }
    sums.push_back({k.scheme, k.bank, what, k.amount});
  };
  struct Failure {
    std::string id;
    const Known* k;
    const TransactionStatus* s;
    bool returned;
  };
  std::vector<Failure> failures;
  for (size_t line = 0; line < review.size(); ++line) {
    const TransactionStatus& s = sr.transactions[line];
    if (const StatusDisposition d = review.disposition(line); d != StatusDisposition::kApply) {
      ++CountOf(report, d);
      // An unchanged line needs no word; the others say why nothing changed.
      if (d != StatusDisposition::kUnchanged) Say(report, std::string(review.message(line)));
      continue;
    }
    Known& k = known[known_of[line]];
    std::string_view reason =
        s.reasons.empty() ? std::string_view() : std::string_view(s.reasons.front().code);
    std::string_view new_status;
    switch (s.outcome) {
      case TransactionOutcome::kPending: ++report.unchanged; continue;
      case TransactionOutcome::kAccepted: new_status = "accepted"; ++report.accepted; break;
      case TransactionOutcome::kPaid:
        new_status = "paid";
        ++report.paid;
        report.paid_total += Money::FromPaise(k.amount);
        add_move(k, "paid");
        break;
      case TransactionOutcome::kRejected:
        new_status = "rejected";
        ++report.rejected;
        report.failed_total += Money::FromPaise(k.amount);
        add_move(k, k.status == "paid" ? "returned" : "rejected");
        failures.push_back({std::string(s.end_to_end_id), &k, &s, false});
        break;
      case TransactionOutcome::kReturned:
        new_status = "returned";
        ++report.returned;
        report.failed_total += Money::FromPaise(k.amount);
        add_move(k, k.status == "paid" ? "returned" : "rejected");
        failures.push_back({std::string(s.end_to_end_id), &k, &s, true});
        break;
    }
    applies.push_back({&k, new_status, reason});
    k.status = new_status;
    ++report.applied;
  }

  // The failures in their instructions' key order, which is the table's: each writes beside
  // the last one instead of at a random place (the file's order is the ids', random there).
  std::stable_sort(failures.begin(), failures.end(), [](const Failure& a, const Failure& b) {
    return std::pair(a.k->cycle_id, a.k->beneficiary) < std::pair(b.k->cycle_id, b.k->beneficiary);
  });

  // What each failure writes, made on the second connection's thread while this one sets the
  // statuses: the attempt closed; for a technical failure, nothing more (it goes out again as
  // it is); for any other, a re-entry event and a message to the citizen, whose contact is read
  // there. The events' own objects are freed there too.
  if (failures.empty()) {
    reader.reset();
  } else if (!reader) {
    reader = ReaderConnection(db);
  }
  auto failure_writes = [&failures](storage::Database& on) -> Result<FailureWrites> {
    std::vector<int64_t> payees;
    for (const Failure& f : failures) {
      if (!ClassifyStatus(*f.s).retry_without_change()) payees.push_back(f.k->payee);
    }
    std::sort(payees.begin(), payees.end());
    payees.erase(std::unique(payees.begin(), payees.end()), payees.end());
    ASSIGN_OR_RETURN(std::vector<Contact> contacts, ContactsOf(on, payees));
    std::vector<ClosedAttempt> closed;
    closed.reserve(failures.size());
    // Each event's row is made as the event is, and the event's objects dropped at once. Room
    // for them all at once: grown by doubling, the rows' text touched twice its size in fresh
    // pages (kEventRowBytes a row; more only grows it).
    storage::RowBuffer event_rows(programs::kReentryEventColumns);
    event_rows.Reserve(failures.size(), failures.size() * kEventRowBytes);
    std::vector<notify::Message> messages;
    for (const Failure& f : failures) {
      const ReturnReasonInfo& why = ClassifyStatus(*f.s);
      std::string code = f.s->reasons.empty() ? std::string(why.id) : f.s->reasons.front().code;
      closed.push_back({f.k, f.returned ? "returned" : "rejected", code,
                        why.retry_without_change()});
      if (why.retry_without_change()) continue;
      json detail = ReasonDetail(why, code);
      detail["instruction_id"] = f.id;
      detail["amount_paise"] = f.k->amount;
      detail["period"] = *f.k->period;
      detail["bank_code"] = *f.k->bank;
      RETURN_IF_ERROR(programs::AppendReentryEventRow(
          event_rows,
          ExclusionEvent(f.returned ? programs::ReentryKind::kPaymentReturned
                                    : programs::ReentryKind::kPaymentRejected,
                         *f.k->scheme, f.k->payee, f.k->household, code, std::move(detail),
                         "instruction:" + f.id + "/attempt:" + std::to_string(f.k->attempt))));
      const Contact& to =
          contacts[static_cast<size_t>(std::lower_bound(payees.begin(), payees.end(), f.k->payee) -
                                       payees.begin())];
      bool hi = to.hindi;
      std::optional<notify::Message> message =
          MessageTo(to, "payment_returned",
                    {{"amount", "Rs " + Money::FromPaise(f.k->amount).ToString()},
                     {"reason", std::string(hi ? why.reason_hi : why.reason_en)},
                     {"action", std::string(hi ? why.next_step_hi : why.next_step_en)}});
      if (message) messages.push_back(std::move(*message));
    }
    return FailureWrites{std::move(closed), std::move(event_rows), std::move(messages)};
  };
  std::future<Result<FailureWrites>> failures_made;
  if (reader) {
    try {
      failures_made = std::async(std::launch::async, failure_writes, std::ref(*reader));
    } catch (const std::system_error&) {  // no thread to be had: made here, below
      reader.reset();
    }
  }
  // The updates in the order their rows lie, then the file's (a later line for the same
  // instruction moves it further): moved into that order in place, a cycle of the permutation
  // at a time (a sorted copy took 40 MB of fresh pages for a million lines): place j takes the
  // update from[j] names, and the place that update came from is filled next. A place filled
  // is marked in `from`.
  {
    std::vector<size_t> from = RowOrder(applies);
    constexpr size_t kPlaced = std::numeric_limits<size_t>::max();
    for (size_t start = 0; start < from.size(); ++start) {
      if (from[start] == kPlaced) continue;
      Apply first = applies[start];
      for (size_t j = start;;) {
        const size_t next = std::exchange(from[j], kPlaced);
        if (next == start) {
          applies[j] = first;
          break;
        }
        applies[j] = applies[next];
        j = next;
      }
    }
  }
  if (sqlite) {
    RETURN_IF_ERROR(ApplyRunsOfRows(db, applies, now));
  } else {
    RETURN_IF_ERROR(ApplyThroughCopy(db, applies, now));
  }

  Ledger ledger(db, clock);
  std::map<std::tuple<std::string, std::string, std::string>, int64_t> moves;
  for (const Sum& m : sums) {
    moves[{*m.scheme, *m.bank, std::string(m.what)}] += m.paise;
  }
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

  Result<FailureWrites> made = reader ? failures_made.get() : failure_writes(db);
  if (!made.ok()) return made.status();
  // The file's lines and what was decided of them are not read past here: freed on a thread of
  // their own beside the writes that remain (a million lines' strings take a fifth of a second
  // to free), joined on return.
  std::future<void> freed = FreeAside(std::move(sr), std::move(review), std::move(failures),
                                      std::move(applies));
  for (const ClosedAttempt& c : made->closed) report.requeued += c.requeue ? 1 : 0;
  RETURN_IF_ERROR(CloseAttempts(db, made->closed, now));
  RETURN_IF_ERROR(programs::RecordReentryEventRows(db, made->events, now).status());
  RETURN_IF_ERROR(notify::Outbox(db, clock).EnqueueAll(made->messages));
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
