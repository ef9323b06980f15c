// Read views for the staff consoles that no library owns as a whole: a cycle's bank files with
// their outcomes and its returned payments (officers), a bank's own returned payments (banks),
// a scheme's enrolment proposals with their notices, objections and enrolments (officers), and
// the check of a scheme's text as it is being edited (scheme administrators).
//
//   ASSIGN_OR_RETURN(json r, api::CycleReturns(db, cycle_id, principal.scope, "hi"));
//   ASSIGN_OR_RETURN(json b, api::BankReturns(db, "SBIN"));
//   ASSIGN_OR_RETURN(json n, api::SchemeNotices(db, "old_age_pension", "0801", ""));
//   json d = api::CheckSchemeText(yaml);  // {ok, diagnostics: [{line, column, message}], ...}
//
// The caller has asked the access gate first; these functions apply the row-level part: an
// officer's area (`area`, a village-code prefix; empty matches nothing), a bank's own files.
// Nothing here returns a national ID or an account number: destinations are masked
// ("SBIN0001234 / XXXXXXXX1234"), banks receive no member or family IDs.
//
// Errors: NOT_FOUND for an unknown cycle or scheme; database errors as storage/database.h.
// Thread-safety: free functions over the Database they are given (one thread at a time).
#ifndef SPODE_API_CONSOLE_VIEWS_H_
#define SPODE_API_CONSOLE_VIEWS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/result.h"
#include "storage/database.h"

namespace spode::api {

// {cycle_id, scheme_id, period, files: [{batch_id, message_id, bank, format, transactions,
// control_sum_paise, created_at, outcomes: {sent, accepted, paid, rejected, returned}}],
// returns: [...]}: the files made for the cycle with what became of their payments (counts,
// no personal data), and the rejected and returned payments of the cycle's beneficiaries in
// `area`, newest first (at most 500): member, village, amount, attempt, file, bank, outcome,
// the bank's reason code, the reason and next step in `language` ("en" or "hi"), who must act,
// the masked destination and the instruction's state now. NOT_FOUND: no such cycle.
Result<nlohmann::json> CycleReturns(storage::Database& db, int64_t cycle_id, std::string_view area,
                                    std::string_view language);

// {bank, returns: [...]}: the rejected and returned payments of `bank`'s own files, newest
// first (at most 500): instruction, file, scheme, period, amount, attempt, outcome, reason
// code and reason (English), masked destination, and the state now. No member or family IDs.
Result<nlohmann::json> BankReturns(storage::Database& db, std::string_view bank);

// {scheme_id, counts: {proposed, noticed, enrolled, withdrawn}, proposals: [...]}: the
// scheme's proactive enrolment proposals for beneficiaries in `area`, newest first (at most
// 500; `status` one of proposed, noticed, enrolled, withdrawn, or empty for all): the
// beneficiary (member or family ID, name), village, amount, when proposed, the notice (channel,
// language, when sent, the end of the objection period), the withdrawal (objection or other
// reason, by whom, when) and the enrolment (when, its state). NOT_FOUND: no such scheme.
// INVALID_ARGUMENT: an unknown status.
Result<nlohmann::json> SchemeNotices(storage::Database& db, std::string_view scheme_id,
                                     std::string_view area, std::string_view status);

// {scheme_id, version, status, source, created_by, created_at}: the YAML text of a scheme's
// version as it was stored (`version` 0: the latest), for an administrator to start editing
// from. NOT_FOUND: no such scheme or version.
Result<nlohmann::json> SchemeSource(storage::Database& db, std::string_view scheme_id,
                                    int64_t version);

// Parses and type-checks a scheme's YAML text without saving it: {ok, diagnostics: [{line,
// column, message}], scheme: {id, version, unit, clauses} or null}. Every clause and the
// amount are checked, so all their errors are listed at once (a YAML or structure error stops
// at the first). `line` and `column` are 1-based in `text` (column in Unicode code points);
// null when the error has no position.
nlohmann::json CheckSchemeText(std::string_view text);

// {applications: [...]}: a scheme's applications (`scheme_id` empty: every scheme) with the
// given `status` ("pending", "enrolled" or "rejected") whose household is in `area`, oldest
// first (at most 500): application_id, scheme, version, unit, the beneficiary (member ID and
// name for a person scheme; the family ID always), village, channel, who submitted it and
// when, the rules' decision and explanation as stored, and the decision (by, at, note).
// INVALID_ARGUMENT: an unknown status.
Result<nlohmann::json> AreaApplications(storage::Database& db, std::string_view scheme_id,
                                        std::string_view area, std::string_view status);

}  // namespace spode::api

#endif  // SPODE_API_CONSOLE_VIEWS_H_
