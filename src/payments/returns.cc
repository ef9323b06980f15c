#include "payments/returns.h"

#include <array>
#include <string>

namespace spode::payments {
namespace {

using R = ReturnReason;
using P = Party;
using F = FollowUp;

// Order follows the enum; InfoFor indexes it. Laid out by hand: one field group per line
// (clang-format counts Devanagari bytes, not columns).
// clang-format off
constexpr std::array<ReturnReasonInfo, 16> kReasons = {{
    {R::kAadhaarNotMapped, "aadhaar_not_mapped",
     "Your Aadhaar number is not linked to any bank account for receiving government payments.",
     "आपका आधार नंबर सरकारी भुगतान पाने के लिए किसी बैंक खाते से जुड़ा (मैप) नहीं है।",
     P::kCitizen, P::kBank,
     "Visit your bank branch with your Aadhaar card and passbook, ask them to seed your Aadhaar "
     "to the account for DBT (NPCI mapping) and sign the consent form. Then tell the helpline or "
     "your e-Mitra/CSC, and the payment will be sent again.",
     "अपना आधार कार्ड और पासबुक लेकर अपनी बैंक शाखा जाएँ, डीबीटी के लिए खाते में आधार सीडिंग "
     "(एनपीसीआई मैपिंग) करवाएँ और सहमति फ़ॉर्म भरें। फिर हेल्पलाइन या ई-मित्र/सीएससी पर बताएँ, "
     "भुगतान दोबारा भेजा जाएगा।",
     F::kReentryCase},
    {R::kAccountClosed, "account_closed",
     "The bank account the payment was sent to is closed.",
     "जिस बैंक खाते में भुगतान भेजा गया था, वह बंद हो चुका है।",
     P::kCitizen, std::nullopt,
     "Give the details of a bank account in your name that is in use (the first page of its "
     "passbook) at the e-Mitra/CSC or the department office, or link your Aadhaar to that "
     "account at its branch.",
     "अपने नाम के किसी चालू बैंक खाते का विवरण (पासबुक का पहला पन्ना) ई-मित्र/सीएससी या विभाग के "
     "कार्यालय में दें, या उस खाते की शाखा में जाकर आधार जुड़वाएँ।",
     F::kReentryCase},
    {R::kAccountDormantOrFrozen, "account_dormant_or_frozen",
     "The bank account is dormant, frozen or blocked, so it cannot receive money.",
     "बैंक खाता निष्क्रिय (डॉर्मेंट), फ़्रीज़ या ब्लॉक है, इसलिए इसमें पैसा जमा नहीं हो सकता।",
     P::kCitizen, P::kBank,
     "Visit your bank branch with your Aadhaar card and passbook and ask them to make the "
     "account active again. Once it is active, tell the helpline or your e-Mitra/CSC.",
     "अपना आधार कार्ड और पासबुक लेकर बैंक शाखा जाएँ और खाता फिर से चालू करवाएँ। खाता चालू होने "
     "पर हेल्पलाइन या ई-मित्र/सीएससी पर बताएँ।",
     F::kReentryCase},
    {R::kKycPending, "kyc_pending",
     "The bank has not completed the KYC (identity check) of the account.",
     "बैंक ने खाते का केवाईसी (पहचान सत्यापन) पूरा नहीं किया है।",
     P::kBank, std::nullopt,
     "Take your Aadhaar card and a photograph to your bank branch and ask them to complete the "
     "KYC. When the bank confirms it, the payment will be sent again.",
     "अपना आधार कार्ड और फ़ोटो लेकर बैंक शाखा जाएँ और केवाईसी पूरा करवाएँ। बैंक की पुष्टि के बाद "
     "भुगतान दोबारा भेजा जाएगा।",
     F::kReentryCase},
    {R::kMinorTurnedMajor, "minor_turned_major",
     "The account was opened when its holder was a minor and has not been converted to an "
     "adult's account.",
     "खाता नाबालिग रहते खोला गया था और बालिग होने के बाद वयस्क खाते में नहीं बदला गया है।",
     P::kBank, std::nullopt,
     "Visit your bank branch with your Aadhaar card and ask them to convert the account to a "
     "regular (major) account in your own signature. Then tell the helpline or your "
     "e-Mitra/CSC.",
     "अपना आधार कार्ड लेकर बैंक शाखा जाएँ और अपने हस्ताक्षर से खाते को सामान्य (बालिग) खाते में "
     "बदलवाएँ। फिर हेल्पलाइन या ई-मित्र/सीएससी पर बताएँ।",
     F::kReentryCase},
    {R::kSmallAccountLimit, "small_account_limit",
     "The account is a small account with a limit on credits, and this payment would exceed it.",
     "यह एक छोटा (स्मॉल) खाता है जिसमें जमा की सीमा तय है, और यह भुगतान उस सीमा से अधिक हो जाता।",
     P::kBank, std::nullopt,
     "Ask your bank branch to complete full KYC and convert the account to a regular savings "
     "account, which has no such limit. Then tell the helpline or your e-Mitra/CSC.",
     "अपनी बैंक शाखा में पूरा केवाईसी करवाकर खाते को सामान्य बचत खाते में बदलवाएँ, जिसमें ऐसी "
     "सीमा नहीं होती। फिर हेल्पलाइन या ई-मित्र/सीएससी पर बताएँ।",
     F::kReentryCase},
    {R::kAccountHolderDeceased, "account_holder_deceased",
     "The bank reports that the account holder has died.",
     "बैंक के अनुसार खाताधारक का निधन हो चुका है।",
     P::kDepartment, std::nullopt,
     "If this is wrong, the beneficiary should visit the department office or an e-Mitra/CSC "
     "with their Aadhaar to be verified. If it is right, the family may ask the department "
     "office about any amount due to the nominee or legal heir.",
     "यदि यह जानकारी गलत है, तो लाभार्थी अपने आधार के साथ विभाग के कार्यालय या ई-मित्र/सीएससी पर "
     "जाकर सत्यापन करवाएँ। यदि सही है, तो परिवार नामांकित व्यक्ति या कानूनी वारिस को देय राशि के "
     "लिए विभाग के कार्यालय से संपर्क कर सकता है।",
     F::kDeathReview},
    {R::kAadhaarInactive, "aadhaar_inactive",
     "Your Aadhaar number is inactive or deactivated at UIDAI.",
     "आपका आधार नंबर यूआईडीएआई में निष्क्रिय या रद्द है।",
     P::kCitizen, std::nullopt,
     "Visit an Aadhaar enrolment or update centre to update your biometrics or details and make "
     "your Aadhaar active again (UIDAI helpline 1947). Then tell the helpline or your "
     "e-Mitra/CSC.",
     "किसी आधार नामांकन या अपडेट केंद्र पर जाकर अपने बायोमेट्रिक या विवरण अपडेट करवाएँ और आधार "
     "फिर से सक्रिय करवाएँ (यूआईडीएआई हेल्पलाइन 1947)। फिर हेल्पलाइन या ई-मित्र/सीएससी पर बताएँ।",
     F::kReentryCase},
    {R::kInvalidIfscOrAccount, "invalid_ifsc_or_account",
     "The account number or the bank branch code (IFSC) on record is wrong.",
     "रिकॉर्ड में दर्ज खाता नंबर या बैंक शाखा कोड (आईएफ़एससी) गलत है।",
     P::kDepartment, std::nullopt,
     "The department will check the details. You can help by showing the first page of your "
     "passbook (account number and IFSC) at the e-Mitra/CSC or the department office.",
     "विभाग विवरण की जाँच करेगा। आप ई-मित्र/सीएससी या विभाग के कार्यालय में अपनी पासबुक का पहला "
     "पन्ना (खाता नंबर और आईएफ़एससी) दिखाकर मदद कर सकते हैं।",
     F::kReentryCase},
    {R::kNameMismatch, "name_mismatch",
     "The name on the bank account does not match the beneficiary's name in the records.",
     "बैंक खाते पर लिखा नाम रिकॉर्ड में दर्ज लाभार्थी के नाम से मेल नहीं खाता।",
     P::kDepartment, P::kCitizen,
     "The department will compare the names. If your name is spelt differently at the bank, "
     "bring your passbook and Aadhaar to the e-Mitra/CSC or the department office to correct "
     "the record, or ask the bank to correct the name on the account.",
     "विभाग नामों का मिलान करेगा। यदि बैंक में आपका नाम अलग लिखा है, तो पासबुक और आधार लेकर "
     "ई-मित्र/सीएससी या विभाग के कार्यालय में रिकॉर्ड सुधरवाएँ, या बैंक से खाते का नाम ठीक करवाएँ।",
     F::kReentryCase},
    {R::kTechnical, "technical",
     "The payment failed because of a technical problem at the bank (a timeout or a system "
     "failure).",
     "बैंक में तकनीकी समस्या (टाइमआउट या सिस्टम की खराबी) के कारण भुगतान नहीं हो सका।",
     P::kBank, std::nullopt,
     "You need not do anything: the payment will be sent again automatically.",
     "आपको कुछ करने की ज़रूरत नहीं है: भुगतान अपने-आप दोबारा भेजा जाएगा।",
     F::kRetryUnchanged},
    {R::kCreditNotPermitted, "credit_not_permitted",
     "This kind of account cannot receive the payment (for example a loan, NRE or PPF account).",
     "इस प्रकार के खाते में यह भुगतान जमा नहीं हो सकता (जैसे ऋण, एनआरई या पीपीएफ़ खाता)।",
     P::kCitizen, P::kBank,
     "Give the details of a savings account in your name at the e-Mitra/CSC or the department "
     "office, or link your Aadhaar to such an account at its branch.",
     "ई-मित्र/सीएससी या विभाग के कार्यालय में अपने नाम के किसी बचत खाते का विवरण दें, या उस खाते "
     "की शाखा में आधार जुड़वाएँ।",
     F::kReentryCase},
    {R::kDepartmentFileError, "department_file_error",
     "The payment file sent by the department had an error.",
     "विभाग द्वारा भेजी गई भुगतान फ़ाइल में त्रुटि थी।",
     P::kDepartment, std::nullopt,
     "You need not do anything: the department will correct the file and send the payment "
     "again.",
     "आपको कुछ करने की ज़रूरत नहीं है: विभाग फ़ाइल ठीक करके भुगतान दोबारा भेजेगा।",
     F::kDepartmentAction},
    {R::kDepartmentFunds, "department_funds",
     "The department's account did not have enough funds when the payment was made.",
     "भुगतान के समय विभाग के खाते में पर्याप्त राशि नहीं थी।",
     P::kDepartment, std::nullopt,
     "You need not do anything: the department will send the payment again once funds are "
     "available.",
     "आपको कुछ करने की ज़रूरत नहीं है: राशि उपलब्ध होते ही विभाग भुगतान दोबारा भेजेगा।",
     F::kDepartmentAction},
    {R::kDuplicate, "duplicate",
     "The bank treated this payment as a duplicate of one it had already received.",
     "बैंक ने इस भुगतान को पहले से प्राप्त भुगतान की दोहरी प्रति माना।",
     P::kDepartment, P::kBank,
     "You need not do anything now: the department will check with the bank whether the "
     "earlier payment reached you.",
     "अभी आपको कुछ करने की ज़रूरत नहीं है: विभाग बैंक से जाँच करेगा कि पिछला भुगतान आप तक पहुँचा "
     "या नहीं।",
     F::kDepartmentAction},
    {R::kUnclassified, "unclassified",
     "The bank returned the payment without a reason the system recognises.",
     "बैंक ने भुगतान ऐसे कारण के साथ लौटाया जिसे सिस्टम पहचान नहीं पाया।",
     P::kBank, P::kDepartment,
     "The department will ask the bank for the reason and tell you what to do. You may also ask "
     "your bank branch why a government payment was returned.",
     "विभाग बैंक से कारण पूछकर आपको बताएगा कि क्या करना है। आप अपनी बैंक शाखा से भी पूछ सकते हैं "
     "कि सरकारी भुगतान क्यों लौटाया गया।",
     F::kAskBank},
}};
// clang-format on

constexpr std::string_view kIso = "ISO 20022";
constexpr std::string_view kNpci = "NPCI (assumed)";

constexpr ReasonCode kCodes[] = {
    // ISO 20022 ExternalStatusReason1Code (the names are the code set's own).
    {kIso, "AB01", "AbortedClearingTimeout", R::kTechnical},
    {kIso, "AB02", "AbortedClearingFatalError", R::kTechnical},
    {kIso, "AB03", "AbortedSettlementTimeout", R::kTechnical},
    {kIso, "AB04", "AbortedSettlementFatalError", R::kTechnical},
    {kIso, "AB05", "TimeoutCreditorAgent", R::kTechnical},
    {kIso, "AB06", "TimeoutInstructedAgent", R::kTechnical},
    {kIso, "AB07", "OfflineAgent", R::kTechnical},
    {kIso, "AB08", "OfflineCreditorAgent", R::kTechnical},
    {kIso, "AB09", "ErrorCreditorAgent", R::kTechnical},
    {kIso, "AB10", "ErrorInstructedAgent", R::kTechnical},
    {kIso, "AC01", "IncorrectAccountNumber", R::kInvalidIfscOrAccount},
    {kIso, "AC02", "InvalidDebtorAccountNumber", R::kDepartmentFileError},
    {kIso, "AC03", "InvalidCreditorAccountNumber", R::kInvalidIfscOrAccount},
    {kIso, "AC04", "ClosedAccountNumber", R::kAccountClosed},
    {kIso, "AC05", "ClosedDebtorAccountNumber", R::kDepartmentFileError},
    {kIso, "AC06", "BlockedAccount", R::kAccountDormantOrFrozen},
    {kIso, "AC07", "ClosedCreditorAccountNumber", R::kAccountClosed},
    {kIso, "AC08", "InvalidBranchCode", R::kInvalidIfscOrAccount},
    {kIso, "AC12", "InvalidAccountType", R::kCreditNotPermitted},
    {kIso, "AC13", "InvalidDebtorAccountType", R::kDepartmentFileError},
    {kIso, "AC14", "InvalidCreditorAccountType", R::kCreditNotPermitted},
    {kIso, "AC15", "AccountDetailsChanged", R::kInvalidIfscOrAccount},
    {kIso, "AG01", "TransactionForbidden", R::kCreditNotPermitted},
    {kIso, "AG03", "TransactionNotSupported", R::kCreditNotPermitted},
    {kIso, "AGNT", "IncorrectAgent", R::kInvalidIfscOrAccount},
    {kIso, "AM01", "ZeroAmount", R::kDepartmentFileError},
    {kIso, "AM03", "NotAllowedCurrency", R::kDepartmentFileError},
    {kIso, "AM04", "InsufficientFunds", R::kDepartmentFunds},
    {kIso, "AM05", "Duplication", R::kDuplicate},
    {kIso, "AM09", "WrongAmount", R::kDepartmentFileError},
    {kIso, "AM10", "InvalidControlSum", R::kDepartmentFileError},
    {kIso, "AM12", "InvalidAmount", R::kDepartmentFileError},
    {kIso, "AM18", "InvalidNumberOfTransactions", R::kDepartmentFileError},
    {kIso, "BE01", "InconsistentWithEndCustomer", R::kNameMismatch},
    {kIso, "BE04", "MissingCreditorAddress", R::kDepartmentFileError},
    {kIso, "BE05", "UnrecognisedInitiatingParty", R::kDepartmentFileError},
    {kIso, "BE06", "UnknownEndCustomer", R::kInvalidIfscOrAccount},
    {kIso, "BE07", "MissingDebtorAddress", R::kDepartmentFileError},
    {kIso, "CNOR", "CreditorBankIsNotRegistered", R::kInvalidIfscOrAccount},
    {kIso, "DT01", "InvalidDate", R::kDepartmentFileError},
    {kIso, "DUPL", "DuplicatePayment", R::kDuplicate},
    {kIso, "ED05", "SettlementFailed", R::kTechnical},
    {kIso, "FF01", "InvalidFileFormat", R::kDepartmentFileError},
    {kIso, "MD07", "EndCustomerDeceased", R::kAccountHolderDeceased},
    {kIso, "MS03", "NotSpecifiedReasonAgentGenerated", R::kUnclassified},
    {kIso, "NARR", "Narrative (the reason is in AddtlInf)", R::kUnclassified},
    {kIso, "RC01", "BankIdentifierIncorrect", R::kInvalidIfscOrAccount},
    {kIso, "RR01", "MissingDebtorAccountOrIdentification", R::kDepartmentFileError},
    {kIso, "RR02", "MissingDebtorNameOrAddress", R::kDepartmentFileError},
    {kIso, "RR03", "MissingCreditorNameOrAddress", R::kDepartmentFileError},
    {kIso, "TM01", "InvalidCutOffTime", R::kTechnical},
    // NPCI ACH credit / APBS return reason codes: an assumption to confirm (returns.h).
    {kNpci, "01", "Account closed or transferred", R::kAccountClosed},
    {kNpci, "02", "No such account", R::kInvalidIfscOrAccount},
    {kNpci, "03", "Account description does not tally", R::kNameMismatch},
    {kNpci, "51", "KYC documents pending", R::kKycPending},
    {kNpci, "52", "Documents pending for account holder turning major", R::kMinorTurnedMajor},
    {kNpci, "53", "Account inactive", R::kAccountDormantOrFrozen},
    {kNpci, "54", "Dormant account", R::kAccountDormantOrFrozen},
    {kNpci, "57", "Amount exceeds the limit set on the account", R::kSmallAccountLimit},
    {kNpci, "58", "Account reached the maximum credit limit", R::kSmallAccountLimit},
    {kNpci, "59", "Network failure (CBS)", R::kTechnical},
    {kNpci, "60", "Account holder expired", R::kAccountHolderDeceased},
    {kNpci, "62", "Account under litigation", R::kAccountDormantOrFrozen},
    {kNpci, "64", "Aadhaar number not mapped to account number", R::kAadhaarNotMapped},
    {kNpci, "68", "Account blocked or frozen", R::kAccountDormantOrFrozen},
};

// Narrative phrases, most specific first; matched in upper case, as substrings.
struct Phrase {
  std::string_view text;
  ReturnReason reason;
};
constexpr Phrase kPhrases[] = {
    {"DECEASED", R::kAccountHolderDeceased},
    {"HOLDER EXPIRED", R::kAccountHolderDeceased},
    {"DEATH", R::kAccountHolderDeceased},
    {"KYC", R::kKycPending},
    {"TURNED MAJOR", R::kMinorTurnedMajor},
    {"TURNING MAJOR", R::kMinorTurnedMajor},
    {"MINOR", R::kMinorTurnedMajor},
    {"AADHAAR INACTIVE", R::kAadhaarInactive},
    {"INACTIVE AADHAAR", R::kAadhaarInactive},
    {"AADHAAR DEACTIVATED", R::kAadhaarInactive},
    {"AADHAAR CANCELLED", R::kAadhaarInactive},
    {"NOT MAPPED", R::kAadhaarNotMapped},
    {"NOT SEEDED", R::kAadhaarNotMapped},
    {"SMALL ACCOUNT", R::kSmallAccountLimit},
    {"CREDIT LIMIT", R::kSmallAccountLimit},
    {"LIMIT EXCEEDED", R::kSmallAccountLimit},
    {"DORMANT", R::kAccountDormantOrFrozen},
    {"FROZEN", R::kAccountDormantOrFrozen},
    {"FREEZE", R::kAccountDormantOrFrozen},
    {"BLOCKED", R::kAccountDormantOrFrozen},
    {"INOPERATIVE", R::kAccountDormantOrFrozen},
    {"ACCOUNT INACTIVE", R::kAccountDormantOrFrozen},
    {"CLOSED", R::kAccountClosed},
    {"NAME MISMATCH", R::kNameMismatch},
    {"NAME DOES NOT MATCH", R::kNameMismatch},
    {"DOES NOT TALLY", R::kNameMismatch},
    {"INVALID IFSC", R::kInvalidIfscOrAccount},
    {"INVALID ACCOUNT", R::kInvalidIfscOrAccount},
    {"NO SUCH ACCOUNT", R::kInvalidIfscOrAccount},
    {"ACCOUNT DOES NOT EXIST", R::kInvalidIfscOrAccount},
    {"TIMEOUT", R::kTechnical},
    {"TIME OUT", R::kTechnical},
    {"TIMED OUT", R::kTechnical},
    {"NETWORK", R::kTechnical},
    {"TECHNICAL", R::kTechnical},
};

// Upper case, separators as spaces, and the spellings of Aadhaar banks use (ADHAR, AADHAR,
// ADHAAR, AADHARR) folded to "AADHAAR".
std::string Normalise(std::string_view narrative) {
  std::string upper(narrative);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c == '\t' || c == '\n' || c == '\r' || c == '_' || c == '-') c = ' ';
  }
  auto run = [&](size_t* at, char c) {
    int n = 0;
    while (*at < upper.size() && upper[*at] == c && n < 2) ++*at, ++n;
    return n;
  };
  std::string out;
  out.reserve(upper.size());
  for (size_t i = 0; i < upper.size();) {
    size_t k = i;
    if (run(&k, 'A') > 0 && k + 1 < upper.size() && upper[k] == 'D' && upper[k + 1] == 'H') {
      k += 2;
      if (run(&k, 'A') > 0 && run(&k, 'R') > 0) {
        out += "AADHAAR";
        i = k;
        continue;
      }
    }
    out.push_back(upper[i++]);
  }
  return out;
}

}  // namespace

std::string_view PartyName(Party party) {
  switch (party) {
    case Party::kCitizen:
      return "citizen";
    case Party::kBank:
      return "bank";
    case Party::kDepartment:
      return "department";
  }
  return "unknown";
}

std::string_view FollowUpName(FollowUp follow_up) {
  switch (follow_up) {
    case FollowUp::kRetryUnchanged:
      return "retry_unchanged";
    case FollowUp::kReentryCase:
      return "reentry_case";
    case FollowUp::kDeathReview:
      return "death_review";
    case FollowUp::kDepartmentAction:
      return "department_action";
    case FollowUp::kAskBank:
      return "ask_bank";
  }
  return "unknown";
}

std::span<const ReturnReasonInfo> AllReturnReasons() { return kReasons; }

const ReturnReasonInfo& InfoFor(ReturnReason reason) {
  return kReasons[static_cast<size_t>(reason)];
}

std::span<const ReasonCode> AllReasonCodes() { return kCodes; }

const ReturnReasonInfo& ClassifyReasonCode(std::string_view code, std::string_view narrative) {
  for (const ReasonCode& c : kCodes) {
    if (c.code == code && c.reason != R::kUnclassified) return InfoFor(c.reason);
  }
  for (const ReturnReasonInfo& info : kReasons) {
    if (info.id == code && info.reason != R::kUnclassified) return info;
  }
  if (!narrative.empty()) {
    std::string text = Normalise(narrative);
    for (const Phrase& p : kPhrases) {
      if (text.find(p.text) != std::string::npos) return InfoFor(p.reason);
    }
  }
  return InfoFor(R::kUnclassified);
}

const ReturnReasonInfo& ClassifyStatus(const TransactionStatus& status) {
  for (const StatusReason& reason : status.reasons) {
    std::string narrative;
    for (const std::string& line : reason.additional_info) {
      if (!narrative.empty()) narrative += ' ';
      narrative += line;
    }
    const ReturnReasonInfo& info = ClassifyReasonCode(reason.code, narrative);
    if (info.reason != R::kUnclassified) return info;
  }
  return InfoFor(R::kUnclassified);
}

}  // namespace spode::payments
