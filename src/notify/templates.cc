#include "notify/templates.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <utility>

namespace spode::notify {
namespace {

// The catalogue. Values are phrases without final punctuation; amounts and dates arrive
// formatted. Hindi is in Devanagari with the danda (।); digits stay Latin, as on Indian SMS.
std::vector<TemplateText> BuiltinTexts() {
  return {
      {"otp_login",
       "Your spode login code is {code}. It expires in {minutes} minutes. Do not share it.",
       "आपका spode लॉगिन कोड {code} है। यह {minutes} मिनट में समाप्त हो जाएगा। इसे किसी के "
       "साथ साझा न करें।"},
      {"otp_consent",
       "An operator at service centre {centre} asks to act for you for: {purpose}. Fee: {fee}. "
       "If you agree, tell the operator this code: {code}. If you did not ask for this, do not "
       "share it.",
       "सेवा केंद्र {centre} के ऑपरेटर आपकी ओर से इस काम के लिए अनुमति माँग रहे हैं: "
       "{purpose}। शुल्क: {fee}। यदि आप सहमत हैं, तो ऑपरेटर को यह कोड बताएँ: {code}। यदि "
       "आपने यह अनुरोध नहीं किया है, तो यह कोड किसी को न बताएँ।"},
      {"grievance_ack",
       "We have received your grievance. Ticket number: {ticket}. You will get a reply by "
       "{due_date}.",
       "आपकी शिकायत दर्ज कर ली गई है। टिकट संख्या: {ticket}। आपको {due_date} तक उत्तर मिल "
       "जाएगा।"},
      {"grievance_update",
       "There is news on your request {ticket}. {update}",
       "आपके अनुरोध {ticket} पर नई जानकारी है। {update}"},
      {"enrolment_notice",
       "You are proposed for enrolment in the scheme {scheme} from {date}. To object, or to "
       "correct any detail, contact us by {objection_until}.",
       "आपको {date} से इस योजना में नामांकित करने का प्रस्ताव है: {scheme}। आपत्ति करने या "
       "कोई जानकारी सुधारने के लिए {objection_until} तक हमसे संपर्क करें।"},
      {"exit_notice",
       "Your enrolment in the scheme {scheme} has ended. Reason: {reason}. If you think this "
       "is wrong, you can file a grievance or visit your nearest service centre.",
       "इस योजना में आपका नामांकन समाप्त हो गया है: {scheme}। कारण: {reason}। यदि आपको लगता "
       "है कि यह गलत है, तो आप शिकायत दर्ज कर सकते हैं या अपने नज़दीकी सेवा केंद्र पर जा "
       "सकते हैं।"},
      {"exit_proposed",
       "We propose to end your enrolment in the scheme {scheme} from {date}. Reason: {reason}. "
       "If you think this is wrong, contact us or visit your nearest service centre before "
       "{date}.",
       "इस योजना में आपका नामांकन {date} से समाप्त करने का प्रस्ताव है: {scheme}। कारण: "
       "{reason}। यदि आपको लगता है कि यह गलत है, तो {date} से पहले हमसे संपर्क करें या अपने "
       "नज़दीकी सेवा केंद्र पर जाएँ।"},
      {"payment_returned",
       "Your payment of {amount} could not be credited to your account and has been "
       "returned. Reason: {reason}. What to do: {action}.",
       "आपका {amount} का भुगतान आपके खाते में जमा नहीं हो सका और वापस आ गया है। कारण: "
       "{reason}। आगे क्या करें: {action}।"},
      {"payment_held",
       "Your payment of {amount} for {scheme} is on hold because your bank account was changed "
       "to {destination}. If this is your account, confirm it at your service centre or with "
       "the block office; if not, report it there.",
       "{scheme} का आपका {amount} का भुगतान रोका गया है क्योंकि आपका बैंक खाता बदलकर "
       "{destination} किया गया है। यदि यह आपका खाता है तो अपने सेवा केंद्र या ब्लॉक कार्यालय में "
       "इसकी पुष्टि करें; यदि नहीं, तो वहाँ इसकी शिकायत करें।"},
  };
}

bool IsPlaceholderChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Splits `text` into alternating literal runs and placeholder names (see Templates::Parsed).
Result<std::vector<std::string>> Split(std::string_view text) {
  std::vector<std::string> pieces(1);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') return InvalidArgumentError("a '}' without a '{' at byte " + std::to_string(i));
    if (c != '{') {
      pieces.back() += c;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && IsPlaceholderChar(text[end])) ++end;
    if (end == i + 1 || end == text.size() || text[end] != '}') {
      return InvalidArgumentError("a '{' that does not open a placeholder at byte " +
                                  std::to_string(i));
    }
    pieces.emplace_back(text.substr(i + 1, end - i - 1));
    pieces.emplace_back();
    i = end;
  }
  return pieces;
}

std::vector<std::string> PlaceholdersOf(const std::vector<std::string>& pieces) {
  std::vector<std::string> names;
  for (size_t i = 1; i < pieces.size(); i += 2) {
    if (std::find(names.begin(), names.end(), pieces[i]) == names.end()) {
      names.push_back(pieces[i]);
    }
  }
  return names;
}

std::string JoinBraced(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += "{" + n + "}";
  }
  return out;
}

}  // namespace

const Templates& Templates::Builtin() {
  static const Templates* const kBuiltin = [] {
    auto created = Create(BuiltinTexts());
    if (!created.ok()) {
      // The compiled-in catalogue is code: a broken one is a bug that templates_test catches.
      std::fprintf(stderr, "notify: built-in templates: %s\n", created.status().ToString().c_str());
      std::abort();
    }
    return new Templates(std::move(created).value());
  }();
  return *kBuiltin;
}

Result<Templates> Templates::Create(std::vector<TemplateText> texts) {
  std::vector<Parsed> parsed;
  std::set<std::string, std::less<>> names;
  for (TemplateText& t : texts) {
    if (t.name.empty()) return InvalidArgumentError("a template without a name");
    if (!names.insert(t.name).second) {
      return InvalidArgumentError("template " + t.name + " is defined twice");
    }
    Parsed p;
    p.name = std::move(t.name);
    p.text[static_cast<int>(Language::kEn)] = std::move(t.en);
    p.text[static_cast<int>(Language::kHi)] = std::move(t.hi);
    for (Language l : {Language::kEn, Language::kHi}) {
      int i = static_cast<int>(l);
      std::string where = "template " + p.name + " (" + std::string(LanguageName(l)) + ")";
      if (p.text[i].empty()) return InvalidArgumentError(where + ": empty text");
      auto pieces = Split(p.text[i]);
      if (!pieces.ok()) return pieces.status().WithContext(where);
      p.pieces[i] = std::move(*pieces);
    }
    p.placeholders = PlaceholdersOf(p.pieces[static_cast<int>(Language::kEn)]);
    std::vector<std::string> en = p.placeholders;
    std::vector<std::string> hi = PlaceholdersOf(p.pieces[static_cast<int>(Language::kHi)]);
    std::sort(en.begin(), en.end());
    std::sort(hi.begin(), hi.end());
    if (en != hi) {
      return InvalidArgumentError("template " + p.name + ": en uses " + JoinBraced(en) +
                                  " but hi uses " + JoinBraced(hi));
    }
    parsed.push_back(std::move(p));
  }
  std::sort(parsed.begin(), parsed.end(),
            [](const Parsed& a, const Parsed& b) { return a.name < b.name; });
  return Templates(std::move(parsed));
}

const Templates::Parsed* Templates::Find(std::string_view name) const {
  auto it = std::lower_bound(parsed_.begin(), parsed_.end(), name,
                             [](const Parsed& p, std::string_view n) { return p.name < n; });
  return it != parsed_.end() && it->name == name ? &*it : nullptr;
}

Result<std::string> Templates::Render(std::string_view name, Language language,
                                      const Params& params) const {
  const Parsed* p = Find(name);
  if (p == nullptr) return NotFoundError("no template named '" + std::string(name) + "'");
  std::vector<std::string> missing, empty;
  for (const std::string& placeholder : p->placeholders) {
    auto it = params.find(placeholder);
    if (it == params.end()) {
      missing.push_back(placeholder);
    } else if (it->second.empty()) {
      empty.push_back(placeholder);
    }
  }
  if (!missing.empty() || !empty.empty()) {
    std::string message = "template " + p->name + ":";
    if (!missing.empty()) {
      message += (missing.size() == 1 ? " missing parameter " : " missing parameters ") +
                 JoinBraced(missing);
    }
    if (!empty.empty()) {
      if (!missing.empty()) message += ";";
      message +=
          (empty.size() == 1 ? " empty parameter " : " empty parameters ") + JoinBraced(empty);
    }
    return InvalidArgumentError(std::move(message));
  }
  const std::vector<std::string>& pieces = p->pieces[static_cast<int>(language)];
  std::string out;
  for (size_t i = 0; i < pieces.size(); ++i) {
    out += i % 2 == 0 ? pieces[i] : params.find(pieces[i])->second;
  }
  return out;
}

Result<std::vector<std::string>> Templates::Placeholders(std::string_view name) const {
  const Parsed* p = Find(name);
  if (p == nullptr) return NotFoundError("no template named '" + std::string(name) + "'");
  return p->placeholders;
}

Result<std::string_view> Templates::Text(std::string_view name, Language language) const {
  const Parsed* p = Find(name);
  if (p == nullptr) return NotFoundError("no template named '" + std::string(name) + "'");
  return std::string_view(p->text[static_cast<int>(language)]);
}

std::vector<std::string> Templates::Names() const {
  std::vector<std::string> names;
  for (const Parsed& p : parsed_) names.push_back(p.name);
  return names;
}

}  // namespace spode::notify
