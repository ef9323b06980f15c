#include "grievance/internal/history.h"

namespace spode::grievance::internal {
namespace {

struct Words {
  std::string_view en, hi;
};

Words CategoryWords(Category c) {
  switch (c) {
    case Category::kEnrolment:
      return {"enrolment", "नामांकन"};
    case Category::kDataCorrection:
      return {"correcting your details", "आपके विवरण में सुधार"};
    case Category::kEligibilityDecision:
      return {"an eligibility decision", "पात्रता का निर्णय"};
    case Category::kPaymentNotReceived:
      return {"a payment not received", "भुगतान न मिलना"};
    case Category::kPaymentReturned:
      return {"a returned payment", "लौटाया गया भुगतान"};
    case Category::kServiceDenied:
      return {"a service denied", "सेवा से इनकार"};
    case Category::kOperatorMisconduct:
      return {"overcharging or misconduct by an operator", "ऑपरेटर द्वारा अधिक शुल्क या दुर्व्यवहार"};
    case Category::kDataMisuse:
      return {"misuse of personal data", "व्यक्तिगत जानकारी का दुरुपयोग"};
    case Category::kOther:
      return {"another matter", "अन्य विषय"};
  }
  return {"another matter", "अन्य विषय"};
}

Words LevelWords(Level l) {
  switch (l) {
    case Level::kBlock:
      return {"block", "ब्लॉक"};
    case Level::kDistrict:
      return {"district", "ज़िला"};
    case Level::kState:
      return {"state", "राज्य"};
  }
  return {"block", "ब्लॉक"};
}

std::string S(std::string_view v) { return std::string(v); }

// "the block grievance officer (area 990101)", or the bank under that officer.
Text Holder(const Assignee& a) {
  Words level = LevelWords(a.level);
  Text officer{"the " + S(level.en) + " grievance officer (area " + a.area_code + ")",
               S(level.hi) + " शिकायत अधिकारी (क्षेत्र " + a.area_code + ")"};
  if (a.bank_code.empty()) return officer;
  return {"your bank (" + a.bank_code + "), under " + officer.en,
          "आपका बैंक (" + a.bank_code + "), " + officer.hi + " की निगरानी में"};
}

Text ChannelWords(const Grievance& g) {
  switch (g.channel) {
    case Channel::kPortal:
      return {"the citizen portal", "नागरिक पोर्टल"};
    case Channel::kOperator:
      return {"service centre " + g.centre, "सेवा केंद्र " + g.centre};
    case Channel::kOfficer:
      if (g.officer_mode == OfficerMode::kWalkIn) return {"a visit to the office", "कार्यालय में आकर"};
      return {"the helpline", "हेल्पलाइन"};
    case Channel::kPartnerApi:
      return {"a partner organisation", "एक सहयोगी संस्था"};
    case Channel::kSms:
      return {"SMS", "एसएमएस"};
    case Channel::kIvr:
      return {"a phone call", "फ़ोन कॉल"};
    case Channel::kSystem:
      return {"the system", "सिस्टम"};
  }
  return {"the citizen portal", "नागरिक पोर्टल"};
}

// What an action will do, and what it did.
struct ActionPhrases {
  std::string_view en, hi, done_en, done_hi;
};

ActionPhrases ActionWords(std::string_view kind) {
  if (kind == "retry_payment") {
    return {"your payment will be sent again, with any arrears",
            "आपका भुगतान बकाया राशि सहित फिर से भेजा जाएगा",
            "your payment was sent again, with any arrears",
            "आपका भुगतान बकाया राशि सहित फिर से भेजा गया"};
  }
  if (kind == "reinstate_enrolment") {
    return {"your enrolment in the scheme will be restored, with any arrears",
            "योजना में आपका नामांकन बकाया राशि सहित बहाल किया जाएगा",
            "your enrolment in the scheme was restored, with any arrears",
            "योजना में आपका नामांकन बकाया राशि सहित बहाल किया गया"};
  }
  if (kind == "reevaluate_eligibility") {
    return {
        "your eligibility will be checked again, and you will be enrolled without a new "
        "application if you are eligible",
        "आपकी पात्रता फिर से जाँची जाएगी, और पात्र होने पर बिना नए आवेदन के आपका नामांकन "
        "किया जाएगा",
        "your eligibility was checked again", "आपकी पात्रता फिर से जाँची गई"};
  }
  if (kind == "release_hold") {
    return {"the hold on your family record will be lifted",
            "आपके परिवार के रिकॉर्ड पर लगी रोक हटाई जाएगी",
            "the hold on your family record was lifted", "आपके परिवार के रिकॉर्ड पर लगी रोक हटाई गई"};
  }
  return {"the matter will be acted on", "मामले पर कार्रवाई की जाएगी", "the matter was acted on",
          "मामले पर कार्रवाई की गई"};
}

Words ClosingWords(std::string_view closing_action) {
  if (closing_action == "account_update_then_retry") {
    return {"once the bank account is set right, the payment is sent again with arrears",
            "बैंक खाता ठीक होने पर भुगतान बकाया राशि सहित फिर से भेजा जाएगा"};
  }
  if (closing_action == "reverify_then_reinstate") {
    return {"once your details are checked again, a wrong exit is reversed and arrears are paid",
            "आपके विवरण फिर से जाँचने पर, गलत निष्कासन वापस लिया जाएगा और बकाया दिया जाएगा"};
  }
  if (closing_action == "correct_record_then_reevaluate") {
    return {"once your record is corrected, your eligibility is checked again",
            "आपका रिकॉर्ड सुधरने पर आपकी पात्रता फिर से जाँची जाएगी"};
  }
  if (closing_action == "decide_duplicate_then_release") {
    return {"an officer decides whether the records are the same family, then the hold is lifted",
            "अधिकारी तय करेंगे कि रिकॉर्ड एक ही परिवार के हैं या नहीं, फिर रोक हटाई जाएगी"};
  }
  return {"an officer will look into it", "अधिकारी इसकी जाँच करेंगे"};
}

}  // namespace

std::string Phrase(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  constexpr std::string_view kDanda = "\xE0\xA5\xA4";  // ।
  for (;;) {
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    if (!text.empty() && text.back() == '.') {
      text.remove_suffix(1);
    } else if (text.ends_with(kDanda)) {
      text.remove_suffix(kDanda.size());
    } else {
      break;
    }
  }
  return std::string(text);
}

Text FiledText(const Grievance& g) {
  Words category = CategoryWords(g.category);
  Text channel = ChannelWords(g);
  return {"Grievance filed through " + channel.en + " about " + S(category.en) + ".",
          channel.hi + " के माध्यम से " + S(category.hi) + " के बारे में शिकायत दर्ज की गई।"};
}

Text CaseOpenedText(std::string_view reason_en, std::string_view reason_hi,
                    std::string_view closing_action) {
  Words closing = ClosingWords(closing_action);
  return {"A case was opened to bring you back: " + Phrase(reason_en) +
              ". What closes it: " + S(closing.en) + ".",
          "आपको वापस जोड़ने के लिए मामला खोला गया: " + Phrase(reason_hi) +
              "। मामला ऐसे बंद होगा: " + S(closing.hi) + "।"};
}

Text AssignedText(const Assignee& to, std::string_view due_date) {
  Text holder = Holder(to);
  return {"Sent to " + holder.en + "; a reply is due by " + S(due_date) + ".",
          holder.hi + " को भेजा गया; उत्तर " + S(due_date) + " तक देय है।"};
}

Text EscalatedText(std::string_view missed_date, const Assignee& to, std::string_view due_date) {
  Text holder = Holder(to);
  return {"No reply by " + S(missed_date) + ": moved up to " + holder.en + "; a reply is due by " +
              S(due_date) + ".",
          S(missed_date) + " तक उत्तर नहीं मिला: " + holder.hi + " को भेजा गया; उत्तर " + S(due_date) +
              " तक देय है।"};
}

Text ReassignedText(const Assignee& to, std::string_view reason, std::string_view due_date) {
  Text holder = Holder(to);
  return {"Moved to " + holder.en + " because: " + Phrase(reason) + ". The reply is still due by " +
              S(due_date) + ".",
          holder.hi + " को भेजा गया, कारण: " + Phrase(reason) + "। उत्तर की तिथि " + S(due_date) +
              " ही रहेगी।"};
}

Text InterimText(std::string_view reply, std::string_view due_date) {
  return {"Interim reply: " + Phrase(reply) + ". A final reply is due by " + S(due_date) + ".",
          "अंतरिम उत्तर: " + Phrase(reply) + "। अंतिम उत्तर " + S(due_date) + " तक देय है।"};
}

Text ResolvedText(Outcome outcome, std::string_view reason, std::optional<int64_t> change_request,
                  bool appeal_decision, std::string_view appeal_until) {
  std::string why = Phrase(reason);
  Text t;
  if (appeal_decision) {
    t = outcome == Outcome::kUpheld
            ? Text{"The appellate officer decided in your favour: " + why + ".",
                   "अपील अधिकारी ने आपके पक्ष में निर्णय दिया: " + why + "।"}
            : Text{"The appellate officer did not accept the appeal: " + why + ".",
                   "अपील अधिकारी ने अपील स्वीकार नहीं की: " + why + "।"};
  } else {
    t = outcome == Outcome::kUpheld
            ? Text{"Answered in your favour: " + why + ".", "आपके पक्ष में उत्तर दिया गया: " + why + "।"}
            : Text{"Answered, grievance not accepted: " + why + ".",
                   "उत्तर दिया गया, शिकायत स्वीकार नहीं हुई: " + why + "।"};
  }
  if (change_request) {
    std::string cr = std::to_string(*change_request);
    t.en += " Your details were corrected (change request " + cr + ").";
    t.hi += " आपके विवरण सुधारे गए (परिवर्तन अनुरोध " + cr + ")।";
  }
  if (!appeal_until.empty()) {
    t.en += " If you are not satisfied, you can appeal by " + S(appeal_until) + ".";
    t.hi += " यदि आप संतुष्ट नहीं हैं, तो " + S(appeal_until) + " तक अपील कर सकते हैं।";
  }
  return t;
}

Text RatedText(int rating) {
  std::string n = std::to_string(rating);
  return {"You rated the answer " + n + " out of 5.", "आपने उत्तर को 5 में से " + n + " अंक दिए।"};
}

Text AppealedText(std::string_view reason, const Assignee& to, std::string_view due_date) {
  Words level = LevelWords(to.level);
  return {"Appeal filed: " + Phrase(reason) + ". The appellate officer at " + S(level.en) +
              " level (area " + to.area_code + ") will decide by " + S(due_date) + ".",
          "अपील दर्ज की गई: " + Phrase(reason) + "। " + S(level.hi) + " स्तर के अपील अधिकारी (क्षेत्र " +
              to.area_code + ") " + S(due_date) + " तक निर्णय देंगे।"};
}

Text ReopenedText(std::string_view reason, std::string_view due_date) {
  return {"Reopened: " + Phrase(reason) + ". A reply is due by " + S(due_date) + ".",
          "फिर से खोला गया: " + Phrase(reason) + "। उत्तर " + S(due_date) + " तक देय है।"};
}

Text ClosedText(bool satisfied, std::string_view note) {
  if (satisfied) {
    return {"Closed: you were satisfied with the answer.", "बंद किया गया: आप उत्तर से संतुष्ट थे।"};
  }
  std::string why = Phrase(note);
  if (why.empty()) return {"Closed.", "बंद किया गया।"};
  return {"Closed: " + why + ".", "बंद किया गया: " + why + "।"};
}

Text ActionText(std::string_view action_kind) {
  ActionPhrases w = ActionWords(action_kind);
  return {"Next step started: " + S(w.en) + ".", "अगला कदम शुरू हुआ: " + S(w.hi) + "।"};
}

Text ActionDoneText(std::string_view action_kind, bool done, std::string_view result) {
  ActionPhrases w = ActionWords(action_kind);
  std::string r = Phrase(result);
  std::string tail_en = r.empty() ? "" : " (" + r + ")";
  if (done) {
    return {"Done: " + S(w.done_en) + tail_en + ".", "पूरा हुआ: " + S(w.done_hi) + tail_en + "।"};
  }
  return {
      "This step could not be completed: " + S(w.en) + tail_en + ". An officer will follow it up.",
      "यह कदम पूरा नहीं हो सका: " + S(w.hi) + tail_en + "। अधिकारी इसे आगे देखेंगे।"};
}

}  // namespace spode::grievance::internal
