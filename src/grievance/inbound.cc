#include "grievance/inbound.h"

#include <cctype>

#include "grievance/internal/util.h"
#include "registry/household.h"

namespace spode::grievance {
namespace {

constexpr std::string_view kCodes[kCategoryCount] = {"ENR", "COR", "ELG", "PNR", "PRT",
                                                     "SVC", "OPR", "DAT", "OTH"};
constexpr std::string_view kHindiKeyword = "शिकायत";

bool IsSeparator(char c, Channel channel) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || (channel == Channel::kIvr && c == '*');
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The next token of `rest` (advancing it), or empty at the end.
std::string_view NextToken(std::string_view& rest, Channel channel) {
  size_t i = 0;
  while (i < rest.size() && IsSeparator(rest[i], channel)) ++i;
  size_t j = i;
  while (j < rest.size() && !IsSeparator(rest[j], channel)) ++j;
  std::string_view token = rest.substr(i, j - i);
  rest.remove_prefix(j);
  return token;
}

Result<std::string> NormalisePhone(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') {
      digits += c;
    } else if (c != '+' && c != ' ' && c != '-') {
      return InvalidArgumentError("the sender's number is not a phone number");
    }
  }
  if (digits.size() == 12 && digits.starts_with("91")) digits.erase(0, 2);
  if (digits.size() == 11 && digits.starts_with("0")) digits.erase(0, 1);
  if (!registry::ValidPhone(digits)) {
    return InvalidArgumentError("the sender's number is not a 10-digit mobile number");
  }
  return digits;
}

bool HasDevanagari(std::string_view s) {
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xE0 &&
        (static_cast<unsigned char>(s[i + 1]) == 0xA4 ||
         static_cast<unsigned char>(s[i + 1]) == 0xA5)) {
      return true;
    }
  }
  return false;
}

Status Malformed(std::string_view what) {
  return InvalidArgumentError(std::string(what) + ". " +
                              std::string(InboundHelp(notify::Language::kEn)));
}

}  // namespace

std::string_view CategoryCode(Category category) { return kCodes[static_cast<int>(category)]; }

Result<Category> ParseCategoryToken(std::string_view token) {
  if (token.size() == 1 && token[0] >= '1' && token[0] <= '9') {
    return static_cast<Category>(token[0] - '1');
  }
  std::string upper = Upper(token);
  for (int i = 0; i < kCategoryCount; ++i) {
    if (upper == kCodes[i]) return static_cast<Category>(i);
  }
  std::string lower(token);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto named = ParseCategory(lower);
  if (named.ok()) return *named;
  return InvalidArgumentError("unknown category \"" + std::string(token.substr(0, 20)) +
                              "\": use a number from 1 to 9");
}

std::string_view InboundHelp(notify::Language language) {
  if (language == notify::Language::kHi) {
    return "शिकायत ऐसे भेजें: GRV, फिर आपकी 11 अंकों की सदस्य आईडी, 1 से 9 तक विषय संख्या (1 "
           "नामांकन, 2 विवरण सुधार, 3 पात्रता, 4 भुगतान नहीं मिला, 5 भुगतान लौटा, 6 सेवा से "
           "इनकार, 7 ऑपरेटर, 8 जानकारी का दुरुपयोग, 9 अन्य) और आपकी शिकायत। उदाहरण: GRV "
           "48301759261 4 पेंशन नहीं मिली";
  }
  return "Send: GRV, your 11-digit member ID, a category number 1-9 (1 enrolment, 2 correct "
         "details, 3 eligibility, 4 payment not received, 5 payment returned, 6 service denied, 7 "
         "operator, 8 data misuse, 9 other) and your complaint. Example: GRV 48301759261 4 "
         "pension not received";
}

Result<GrievanceInput> ParseInbound(Channel channel, std::string_view sender_phone,
                                    std::string_view message) {
  if (channel != Channel::kSms && channel != Channel::kIvr) {
    return InvalidArgumentError("ParseInbound reads SMS and IVR messages only");
  }
  if (message.size() > 8000) return Malformed("The message is too long");
  if (!registry::ValidUtf8(message)) return Malformed("The message could not be read");
  GrievanceInput in;
  in.channel = channel;
  in.filed_by = channel == Channel::kSms ? "sms-gateway" : "ivr-gateway";
  ASSIGN_OR_RETURN(in.sender_phone, NormalisePhone(sender_phone));

  std::string_view rest = message;
  while (!rest.empty() && (rest.back() == '#' || IsSeparator(rest.back(), channel))) {
    rest.remove_suffix(1);
  }
  std::string_view keyword = NextToken(rest, channel);
  if (Upper(keyword) != "GRV" && keyword != kHindiKeyword) {
    return Malformed("Start the message with GRV");
  }
  std::string_view member_id = NextToken(rest, channel);
  if (member_id.empty()) return Malformed("The member ID is missing");
  if (!registry::ValidMemberId(member_id)) {
    return Malformed("The member ID must be 11 digits; please check it");
  }
  in.member_id = std::string(member_id);
  std::string_view category = NextToken(rest, channel);
  if (category.empty()) return Malformed("The category number is missing");
  auto parsed = ParseCategoryToken(category);
  if (!parsed.ok()) return Malformed("Unknown category");
  in.category = *parsed;

  while (!rest.empty() && IsSeparator(rest.front(), channel)) rest.remove_prefix(1);
  std::string text(rest);
  if (text.empty()) {
    if (channel == Channel::kSms)
      return Malformed("Please write your complaint after the category");
    text =
        "Filed by phone call (IVR); the caller gave no description. Please call the citizen "
        "back.";
  } else {
    in.language = HasDevanagari(text) ? notify::Language::kHi : notify::Language::kEn;
  }
  if (Status s = internal::CheckText(text, "description", 2000); !s.ok()) {
    return Malformed("The complaint text could not be read or is longer than 2000 characters");
  }
  in.description = std::move(text);
  return in;
}

}  // namespace spode::grievance
