#include "notify/sender.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

namespace spode::notify {
namespace {

// The byte length of the UTF-8 sequence that starts with `lead` (1 for a stray byte).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC2 && lead < 0xE0) return 2;
  return 1;
}

// Devanagari digits U+0966..U+096F are E0 A5 A6..E0 A5 AF in UTF-8.
bool IsDevanagariDigit(std::string_view s, size_t i) {
  return i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xE0 &&
         static_cast<unsigned char>(s[i + 1]) == 0xA5 &&
         static_cast<unsigned char>(s[i + 2]) >= 0xA6 &&
         static_cast<unsigned char>(s[i + 2]) <= 0xAF;
}

}  // namespace

std::string MaskRecipient(std::string_view recipient) {
  // Split into characters so that a non-ASCII recipient is never cut inside one.
  std::vector<std::string_view> chars;
  for (size_t i = 0; i < recipient.size();) {
    size_t n = std::min(Utf8Length(static_cast<unsigned char>(recipient[i])), recipient.size() - i);
    chars.push_back(recipient.substr(i, n));
    i += n;
  }
  size_t keep = chars.size() > 4 ? 4 : 0;
  std::string out(chars.size() - keep, '*');
  for (size_t i = chars.size() - keep; i < chars.size(); ++i) out += chars[i];
  return out;
}

std::string MaskDigits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] >= '0' && text[i] <= '9') {
      out += '*';
      ++i;
    } else if (IsDevanagariDigit(text, i)) {
      out += '*';
      i += 3;
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string LogSender::Line(const StoredMessage& message) const {
  return "notify: " + std::string(ChannelName(message.channel)) + " to " +
         MaskRecipient(message.recipient) + " message " + std::to_string(message.message_id) + " " +
         message.template_name + "/" + std::string(LanguageName(message.language)) + ": " +
         (reveal_codes_ ? message.body : MaskDigits(message.body));
}

Status LogSender::Send(const StoredMessage& message) {
  spdlog::info("{}", Line(message));
  return OkStatus();
}

}  // namespace spode::notify
