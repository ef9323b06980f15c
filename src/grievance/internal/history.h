// The sentences of a ticket's history, in English and Hindi, as the citizen reads them (and as
// the grievance_update message carries them). Free text from people (a reason, a reply) is put
// in as given, without its final punctuation, in both languages.
//
// Thread-safety: pure functions.
#ifndef SPODE_GRIEVANCE_INTERNAL_HISTORY_H_
#define SPODE_GRIEVANCE_INTERNAL_HISTORY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "grievance/types.h"

namespace spode::grievance::internal {

struct Text {
  std::string en;
  std::string hi;
  const std::string& In(notify::Language l) const { return l == notify::Language::kHi ? hi : en; }
};

// `text` without surrounding spaces and final full stops or dandas.
std::string Phrase(std::string_view text);

Text FiledText(const Grievance& g);
Text CaseOpenedText(std::string_view reason_en, std::string_view reason_hi,
                    std::string_view closing_action);
Text AssignedText(const Assignee& to, std::string_view due_date);
Text EscalatedText(std::string_view missed_date, const Assignee& to, std::string_view due_date);
Text ReassignedText(const Assignee& to, std::string_view reason, std::string_view due_date);
Text InterimText(std::string_view reply, std::string_view due_date);
// `appeal_until` empty: no appeal possible (an appeal decision, or an upheld answer).
Text ResolvedText(Outcome outcome, std::string_view reason, std::optional<int64_t> change_request,
                  bool appeal_decision, std::string_view appeal_until);
Text RatedText(int rating);
Text AppealedText(std::string_view reason, const Assignee& to, std::string_view due_date);
Text ReopenedText(std::string_view reason, std::string_view due_date);
// `satisfied`: closed because the citizen rated an upheld answer well; else `note` is shown.
Text ClosedText(bool satisfied, std::string_view note);
Text ActionText(std::string_view action_kind);
Text ActionDoneText(std::string_view action_kind, bool done, std::string_view result);

}  // namespace spode::grievance::internal

#endif  // SPODE_GRIEVANCE_INTERNAL_HISTORY_H_
