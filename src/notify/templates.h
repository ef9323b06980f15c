// Templates: the compiled-in catalogue of messages spode sends to citizens, in English and
// Hindi, with `{name}` placeholders filled from a parameter map.
//
//   ASSIGN_OR_RETURN(std::string body,
//                    notify::Templates::Builtin().Render("otp_login", notify::Language::kHi,
//                                                        {{"code", "482913"}, {"minutes", "5"}}));
//
// A placeholder is `{` + lower-case letters, digits or underscores + `}`; templates have no
// other braces. Values are inserted as given (they are not scanned for placeholders again), so
// callers pass text already formatted for people: "₹1,500.00", "29-11-2026", a short phrase
// without final punctuation. Parameters a template does not use are ignored.
//
// Both languages of a template use the same placeholders (Create checks this), so a caller
// that fills one language fills the other.
//
// Thread-safety: immutable after construction; Builtin() may be used from any thread.
#ifndef SPODE_NOTIFY_TEMPLATES_H_
#define SPODE_NOTIFY_TEMPLATES_H_

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "notify/message.h"

namespace spode::notify {

// One template's text in each language.
struct TemplateText {
  std::string name;
  std::string en;
  std::string hi;
};

class Templates {
 public:
  // The catalogue compiled into spode: otp_login, otp_consent, grievance_ack,
  // enrolment_notice, exit_notice, payment_returned (README.md lists their placeholders).
  static const Templates& Builtin();

  // A catalogue of `texts`. INVALID_ARGUMENT when a name is empty or repeated, a text is empty,
  // a brace does not open a well-formed placeholder, or the two languages of a template use
  // different placeholders.
  static Result<Templates> Create(std::vector<TemplateText> texts);

  // The rendered body. NOT_FOUND for an unknown template; INVALID_ARGUMENT naming every
  // placeholder that `params` lacks or gives as an empty string.
  Result<std::string> Render(std::string_view name, Language language, const Params& params) const;

  // The placeholder names of a template (without braces), in order of first use in English.
  // NOT_FOUND for an unknown template.
  Result<std::vector<std::string>> Placeholders(std::string_view name) const;

  // The unrendered text. NOT_FOUND for an unknown template.
  Result<std::string_view> Text(std::string_view name, Language language) const;

  // Every template name, sorted.
  std::vector<std::string> Names() const;

 private:
  // A text split into literal runs and placeholders: piece i is a literal when even, a
  // placeholder name when odd.
  struct Parsed {
    std::string name;
    std::string text[2];                 // indexed by Language
    std::vector<std::string> pieces[2];  // indexed by Language
    std::vector<std::string> placeholders;
  };
  explicit Templates(std::vector<Parsed> parsed) : parsed_(std::move(parsed)) {}
  const Parsed* Find(std::string_view name) const;

  std::vector<Parsed> parsed_;  // sorted by name
};

}  // namespace spode::notify

#endif  // SPODE_NOTIFY_TEMPLATES_H_
