#include "api/console_views.h"

#include <optional>
#include <string>
#include <vector>

#include "common/date.h"
#include "payments/returns.h"
#include "programs/scheme.h"
#include "registry/snapshot.h"
#include "rules/checker.h"

namespace spode::api {
namespace {

using nlohmann::json;

constexpr int kMaxRows = 500;

// "SBIN0001234 / XXXXXXXX1234": the bank and the last four digits, never the account number.
json MaskedDestination(const storage::Row& r, size_t ifsc, size_t last4) {
  if (r.IsNull(ifsc)) return nullptr;
  std::string out = r.Text(ifsc);
  out.append(" / XXXXXXXX");
  if (!r.IsNull(last4)) out.append(r.Text(last4));
  return out;
}

json OptionalText(const storage::Row& r, size_t i) {
  return r.IsNull(i) ? json(nullptr) : json(r.Text(i));
}

json OptionalTime(const storage::Row& r, size_t i) {
  return r.IsNull(i) ? json(nullptr) : json(Timestamp{r.Int(i)}.ToString());
}

// The LIKE pattern of an officer's area; an empty area matches nothing.
std::string AreaPattern(std::string_view area) {
  if (area.empty()) return "-";  // no village code starts with '-'
  std::string p(area);
  p.push_back('%');
  return p;
}

}  // namespace

Result<json> CycleReturns(storage::Database& db, int64_t cycle_id, std::string_view area,
                          std::string_view language) {
  const bool hi = language == "hi";
  ASSIGN_OR_RETURN(auto cycle, db.QueryOne("SELECT scheme_id, period FROM cycles WHERE cycle_id "
                                           "= ?",
                                           {cycle_id}));
  if (!cycle) return NotFoundError("no cycle " + std::to_string(cycle_id));
  ASSIGN_OR_RETURN(auto batches, db.Query("SELECT batch_id, message_id, bank, format, "
                                          "transactions, control_sum_paise, created_at_us FROM "
                                          "payment_batches WHERE cycle_id = ? ORDER BY batch_id",
                                          {cycle_id}));
  json files = json::array();
  for (const auto& b : batches) {
    json outcomes = {{"sent", 0}, {"accepted", 0}, {"paid", 0}, {"rejected", 0}, {"returned", 0}};
    // Payments whose attempt in this file is still going (sent, accepted, paid), and the
    // attempts in it that ended (rejected or returned; the instruction may have gone out again).
    ASSIGN_OR_RETURN(auto live, db.Query("SELECT status, COUNT(*) FROM payment_instructions "
                                         "WHERE batch_id = ? AND (status = 'sent' OR status = "
                                         "'accepted' OR status = 'paid') GROUP BY status",
                                         {b.Int(0)}));
    for (const auto& r : live) outcomes[r.Text(0)] = r.Int(1);
    ASSIGN_OR_RETURN(auto ended, db.Query("SELECT outcome, COUNT(*) FROM instruction_attempts "
                                          "WHERE batch_id = ? AND (outcome = 'rejected' OR "
                                          "outcome = 'returned') GROUP BY outcome",
                                          {b.Int(0)}));
    for (const auto& r : ended) outcomes[r.Text(0)] = r.Int(1);
    files.push_back({{"batch_id", b.Int(0)},
                     {"message_id", b.Text(1)},
                     {"bank", b.Text(2)},
                     {"format", b.Text(3)},
                     {"transactions", b.Int(4)},
                     {"control_sum_paise", b.Int(5)},
                     {"created_at", Timestamp{b.Int(6)}.ToString()},
                     {"outcomes", outcomes}});
  }
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT t.instruction_id, m.member_id, m.name, h.village_code, t.amount_paise, "
               "t.attempt, t.batch_id, pb.bank, t.outcome, t.reason_code, t.at_us, t.ifsc, "
               "a.account_last4, i.status FROM instruction_attempts t JOIN "
               "payment_instructions i ON i.cycle_id = t.cycle_id AND i.beneficiary_idx = "
               "t.beneficiary_idx JOIN households h "
               "ON h.household_idx = i.household_idx JOIN members m ON m.member_idx = "
               "i.payee_member_idx LEFT JOIN payment_batches pb ON pb.batch_id = t.batch_id "
               "LEFT JOIN mapper_addresses a ON a.address_id = t.address_id WHERE i.cycle_id = ? "
               "AND (t.outcome = 'rejected' OR t.outcome = 'returned') AND h.village_code LIKE "
               "? ORDER BY t.at_us DESC, t.instruction_id LIMIT ?",
               {cycle_id, AreaPattern(area), int64_t{kMaxRows}}));
  json returns = json::array();
  for (const auto& r : rows) {
    std::string code = r.IsNull(9) ? "" : r.Text(9);
    const payments::ReturnReasonInfo& why = payments::ClassifyReasonCode(code);
    returns.push_back({{"instruction_id", r.Text(0)},
                       {"member_id", r.Text(1)},
                       {"name", r.Text(2)},
                       {"village", r.Text(3)},
                       {"amount_paise", r.Int(4)},
                       {"attempt", r.Int(5)},
                       {"batch_id", r.IsNull(6) ? json(nullptr) : json(r.Int(6))},
                       {"bank", OptionalText(r, 7)},
                       {"outcome", r.Text(8)},
                       {"reason_code", code},
                       {"reason", std::string(hi ? why.reason_hi : why.reason_en)},
                       {"next_step", std::string(hi ? why.next_step_hi : why.next_step_en)},
                       {"who_acts", std::string(payments::PartyName(why.acts))},
                       {"at", Timestamp{r.Int(10)}.ToString()},
                       {"destination", MaskedDestination(r, 11, 12)},
                       {"status_now", r.Text(13)}});
  }
  return json{{"cycle_id", cycle_id},
              {"scheme_id", cycle->Text(0)},
              {"period", cycle->Text(1)},
              {"files", files},
              {"returns", returns}};
}

Result<json> BankReturns(storage::Database& db, std::string_view bank) {
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT t.instruction_id, t.batch_id, pb.message_id, i.scheme_id, c.period, "
               "t.amount_paise, t.attempt, t.outcome, t.reason_code, t.at_us, t.ifsc, "
               "a.account_last4, i.status FROM instruction_attempts t JOIN payment_batches pb "
               "ON pb.batch_id = t.batch_id JOIN payment_instructions i ON i.cycle_id = t.cycle_id "
               "AND i.beneficiary_idx = t.beneficiary_idx JOIN cycles c ON c.cycle_id = "
               "i.cycle_id LEFT JOIN "
               "mapper_addresses a ON a.address_id = t.address_id WHERE pb.bank = ? AND "
               "(t.outcome = 'rejected' OR t.outcome = 'returned') ORDER BY t.at_us DESC, "
               "t.instruction_id LIMIT ?",
               {std::string(bank), int64_t{kMaxRows}}));
  json returns = json::array();
  for (const auto& r : rows) {
    std::string code = r.IsNull(8) ? "" : r.Text(8);
    const payments::ReturnReasonInfo& why = payments::ClassifyReasonCode(code);
    returns.push_back({{"instruction_id", r.Text(0)},
                       {"batch_id", r.Int(1)},
                       {"message_id", r.Text(2)},
                       {"scheme_id", r.Text(3)},
                       {"period", r.Text(4)},
                       {"amount_paise", r.Int(5)},
                       {"attempt", r.Int(6)},
                       {"outcome", r.Text(7)},
                       {"reason_code", code},
                       {"reason", std::string(why.reason_en)},
                       {"at", Timestamp{r.Int(9)}.ToString()},
                       {"destination", MaskedDestination(r, 10, 11)},
                       {"status_now", r.Text(12)}});
  }
  return json{{"bank", std::string(bank)}, {"returns", returns}};
}

Result<json> SchemeNotices(storage::Database& db, std::string_view scheme_id, std::string_view area,
                           std::string_view status) {
  if (!status.empty() && status != "proposed" && status != "noticed" && status != "enrolled" &&
      status != "withdrawn") {
    return InvalidArgumentError("status must be proposed, noticed, enrolled or withdrawn");
  }
  ASSIGN_OR_RETURN(auto scheme, db.QueryOne("SELECT scheme_id FROM schemes WHERE scheme_id = ?",
                                            {std::string(scheme_id)}));
  if (!scheme) return NotFoundError("no scheme " + std::string(scheme_id));
  const std::string pattern = AreaPattern(area);
  ASSIGN_OR_RETURN(auto counted, db.Query("SELECT p.status, COUNT(*) FROM eligibility_proposals "
                                          "p JOIN households h ON h.household_idx = "
                                          "p.household_idx WHERE p.scheme_id = ? AND "
                                          "h.village_code LIKE ? GROUP BY p.status",
                                          {std::string(scheme_id), pattern}));
  json counts = {{"proposed", 0}, {"noticed", 0}, {"enrolled", 0}, {"withdrawn", 0}};
  for (const auto& r : counted) counts[r.Text(0)] = r.Int(1);
  std::string sql =
      "SELECT p.proposal_id, p.unit, m.member_id, m.name, h.family_id, h.village_code, "
      "p.amount_paise, p.status, p.created_at_us, n.channel, n.language, n.noticed_at_us, "
      "n.objection_until_us, w.reason_code, w.reason, w.withdrawn_by, w.withdrawn_at_us, "
      "e.enrolment_id, e.enrolled_at_us, e.status FROM eligibility_proposals p JOIN households "
      "h ON h.household_idx = p.household_idx LEFT JOIN members m ON p.unit = 'person' AND "
      "m.member_idx = p.beneficiary_idx LEFT JOIN enrolment_notices n ON n.proposal_id = "
      "p.proposal_id LEFT JOIN proposal_withdrawals w ON w.proposal_id = p.proposal_id LEFT "
      "JOIN enrolments e ON e.path = 'proactive' AND e.source_id = p.proposal_id AND "
      "e.scheme_id = p.scheme_id WHERE p.scheme_id = ? AND h.village_code LIKE ?";
  // Every status, or one: the parameter list is fixed, so the filter is in the SQL.
  if (!status.empty()) sql.append(" AND p.status = ?");
  sql.append(" ORDER BY p.proposal_id DESC LIMIT ?");
  Result<std::vector<storage::Row>> found =
      status.empty() ? db.Query(sql, {std::string(scheme_id), pattern, int64_t{kMaxRows}})
                     : db.Query(sql, {std::string(scheme_id), pattern, std::string(status),
                                      int64_t{kMaxRows}});
  ASSIGN_OR_RETURN(auto rows, std::move(found));
  json proposals = json::array();
  for (const auto& r : rows) {
    const bool person = r.Text(1) == "person";
    json p = {{"proposal_id", r.Int(0)},
              {"unit", r.Text(1)},
              {"member_id", person ? OptionalText(r, 2) : json(nullptr)},
              {"name", person ? OptionalText(r, 3) : json(nullptr)},
              {"family_id", r.Text(4)},
              {"village", r.Text(5)},
              {"amount_paise", r.Int(6)},
              {"status", r.Text(7)},
              {"proposed_at", Timestamp{r.Int(8)}.ToString()}};
    p["notice"] = r.IsNull(9) ? json(nullptr)
                              : json{{"channel", r.Text(9)},
                                     {"language", r.Text(10)},
                                     {"sent_at", Timestamp{r.Int(11)}.ToString()},
                                     {"objection_until", Timestamp{r.Int(12)}.ToString()}};
    p["withdrawal"] = r.IsNull(13) ? json(nullptr)
                                   : json{{"reason_code", r.Text(13)},
                                          {"reason", r.Text(14)},
                                          {"by", r.Text(15)},
                                          {"at", Timestamp{r.Int(16)}.ToString()}};
    p["enrolment"] = r.IsNull(17) ? json(nullptr)
                                  : json{{"enrolment_id", r.Int(17)},
                                         {"enrolled_at", OptionalTime(r, 18)},
                                         {"status", r.Text(19)}};
    proposals.push_back(std::move(p));
  }
  return json{{"scheme_id", std::string(scheme_id)}, {"counts", counts}, {"proposals", proposals}};
}

Result<json> SchemeSource(storage::Database& db, std::string_view scheme_id, int64_t version) {
  ASSIGN_OR_RETURN(auto scheme, db.QueryOne("SELECT status, latest_version FROM schemes WHERE "
                                            "scheme_id = ?",
                                            {std::string(scheme_id)}));
  if (!scheme) return NotFoundError("no scheme " + std::string(scheme_id));
  const int64_t wanted = version > 0 ? version : scheme->Int(1);
  ASSIGN_OR_RETURN(auto row, db.QueryOne("SELECT source, created_by, created_at_us FROM "
                                         "scheme_versions WHERE scheme_id = ? AND version = ?",
                                         {std::string(scheme_id), wanted}));
  if (!row) {
    return NotFoundError("scheme " + std::string(scheme_id) + " has no version " +
                         std::to_string(wanted));
  }
  return json{{"scheme_id", std::string(scheme_id)},
              {"version", wanted},
              {"latest_version", scheme->Int(1)},
              {"status", scheme->Text(0)},
              {"source", row->Text(0)},
              {"created_by", row->Text(1)},
              {"created_at", Timestamp{row->Int(2)}.ToString()}};
}

namespace {

// Unicode code points in a UTF-8 prefix (continuation bytes are not counted).
int CodePoints(std::string_view s) {
  int n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

// Reads "N:" at the front of `s` (digits then a colon), advancing `s`.
std::optional<int> LeadingNumber(std::string_view& s) {
  size_t i = 0;
  int n = 0;
  while (i < s.size() && i < 9 && s[i] >= '0' && s[i] <= '9') n = n * 10 + (s[i++] - '0');
  if (i == 0 || i >= s.size() || s[i] != ':') return std::nullopt;
  s.remove_prefix(i + 1);
  return n;
}

json Diagnostic(std::optional<int> line, std::optional<int> column, std::string_view message) {
  while (!message.empty() && message.front() == ' ') message.remove_prefix(1);
  return {{"line", line ? json(*line) : json(nullptr)},
          {"column", column ? json(*column) : json(nullptr)},
          {"message", std::string(message)}};
}

// "scheme:L:C: message", "scheme:L: message" or "scheme: message" (programs/scheme.cc).
json FromSchemeError(std::string_view origin, std::string_view message) {
  std::string_view m = message;
  if (m.starts_with(origin) && m.size() > origin.size() && m[origin.size()] == ':') {
    m.remove_prefix(origin.size() + 1);
  }
  std::optional<int> line = LeadingNumber(m), column;
  if (line) column = LeadingNumber(m);
  return Diagnostic(line, column, m);
}

// A rule error ("l:c: message", positions within the rule's text) placed in the file: the
// rule's l-th line is looked for from the line the YAML value starts on, so a rule written on
// one line, quoted or not, or as a block, gets its exact line and column.
json RuleDiagnostic(const std::vector<std::string_view>& file, std::string_view rule,
                    int value_line, std::string_view what, std::string_view message) {
  std::string_view m = message;
  std::optional<int> l = LeadingNumber(m), c;
  if (l) c = LeadingNumber(m);
  std::string text(what);
  text.append(": ");
  while (!m.empty() && m.front() == ' ') m.remove_prefix(1);
  text.append(m);
  if (!l || !c) return Diagnostic(value_line, std::nullopt, text);
  std::vector<std::string_view> rule_lines = Lines(rule);
  if (*l < 1 || *l > static_cast<int>(rule_lines.size())) {
    return Diagnostic(value_line, std::nullopt, text);
  }
  std::string_view wanted = rule_lines[*l - 1];
  while (!wanted.empty() && wanted.front() == ' ') wanted.remove_prefix(1);
  const int prefix_points = CodePoints(rule_lines[*l - 1]) - CodePoints(wanted);
  for (int i = value_line - 1 + (*l - 1);
       i >= 0 && i < static_cast<int>(file.size()) && i < value_line + *l + 4; ++i) {
    size_t at = wanted.empty() ? std::string_view::npos : file[i].find(wanted);
    if (at != std::string_view::npos) {
      return Diagnostic(i + 1, CodePoints(file[i].substr(0, at)) + *c - prefix_points, text);
    }
  }
  return Diagnostic(value_line + *l - 1, std::nullopt, text);
}

}  // namespace

json CheckSchemeText(std::string_view text) {
  constexpr std::string_view kOrigin = "scheme";
  json diagnostics = json::array();
  Result<programs::Scheme> parsed = programs::ParseScheme(text, kOrigin);
  if (!parsed.ok()) {
    diagnostics.push_back(FromSchemeError(kOrigin, parsed.status().message()));
    return {{"ok", false}, {"diagnostics", diagnostics}, {"scheme", nullptr}};
  }
  const programs::Scheme& s = *parsed;
  const std::vector<std::string_view> file = Lines(text);
  const rules::Schema& schema = registry::RulesSchema();
  for (const programs::Clause& c : s.eligibility) {
    auto checked = rules::ParseAndCheck(c.rule, schema, s.unit, rules::Type::Bool());
    if (!checked.ok()) {
      std::string what = "clause ";
      what.append(c.id);
      diagnostics.push_back(RuleDiagnostic(file, c.rule, c.line, what, checked.status().message()));
    }
  }
  auto amount = rules::ParseAndCheck(s.amount, schema, s.unit, rules::Type::Int());
  if (!amount.ok()) {
    diagnostics.push_back(
        RuleDiagnostic(file, s.amount, s.amount_line, "amount", amount.status().message()));
  }
  return {{"ok", diagnostics.empty()},
          {"diagnostics", diagnostics},
          {"scheme",
           {{"id", s.id},
            {"version", s.version},
            {"unit", s.unit == rules::Unit::kPerson ? "person" : "household"},
            {"clauses", s.eligibility.size()}}}};
}

Result<json> AreaApplications(storage::Database& db, std::string_view scheme_id,
                              std::string_view area, std::string_view status) {
  if (status != "pending" && status != "enrolled" && status != "rejected") {
    return InvalidArgumentError("status must be pending, enrolled or rejected");
  }
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT a.application_id, a.scheme_id, a.scheme_version, a.unit, m.member_id, "
               "m.name, h.family_id, h.village_code, a.channel, a.submitted_by, "
               "a.submitted_at_us, a.eligible, a.explanation, a.status, a.decided_by, "
               "a.decided_at_us, a.decision_note FROM enrolment_applications a JOIN households "
               "h ON h.household_idx = a.household_idx LEFT JOIN members m ON a.unit = 'person' "
               "AND m.member_idx = a.beneficiary_idx WHERE (? = '' OR a.scheme_id = ?) AND "
               "a.status = ? AND h.village_code LIKE ? ORDER BY a.application_id LIMIT ?",
               {std::string(scheme_id), std::string(scheme_id), std::string(status),
                AreaPattern(area), int64_t{kMaxRows}}));
  json out = json::array();
  for (const auto& r : rows) {
    const bool person = r.Text(3) == "person";
    json explanation = r.IsNull(12) ? json(nullptr) : json::parse(r.Text(12), nullptr, false);
    if (explanation.is_discarded()) explanation = nullptr;
    out.push_back({{"application_id", r.Int(0)},
                   {"scheme_id", r.Text(1)},
                   {"scheme_version", r.Int(2)},
                   {"unit", r.Text(3)},
                   {"member_id", person ? OptionalText(r, 4) : json(nullptr)},
                   {"name", person ? OptionalText(r, 5) : json(nullptr)},
                   {"family_id", r.Text(6)},
                   {"village", r.Text(7)},
                   {"channel", r.Text(8)},
                   {"submitted_by", r.Text(9)},
                   {"submitted_at", Timestamp{r.Int(10)}.ToString()},
                   {"eligible", r.Int(11) != 0},
                   {"explanation", explanation},
                   {"status", r.Text(13)},
                   {"decided_by", OptionalText(r, 14)},
                   {"decided_at", OptionalTime(r, 15)},
                   {"decision_note", OptionalText(r, 16)}});
  }
  return json{{"applications", out}};
}

}  // namespace spode::api
