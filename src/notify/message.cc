#include "notify/message.h"

#include <string>

namespace spode::notify {

std::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kSms:
      return "sms";
    case Channel::kEmail:
      return "email";
    case Channel::kWebhook:
      return "webhook";
  }
  return "?";
}

std::string_view LanguageName(Language language) {
  switch (language) {
    case Language::kEn:
      return "en";
    case Language::kHi:
      return "hi";
  }
  return "?";
}

std::string_view MessageStatusName(MessageStatus status) {
  switch (status) {
    case MessageStatus::kPending:
      return "pending";
    case MessageStatus::kSent:
      return "sent";
    case MessageStatus::kFailed:
      return "failed";
  }
  return "?";
}

Result<Channel> ParseChannel(std::string_view text) {
  for (Channel c : {Channel::kSms, Channel::kEmail, Channel::kWebhook}) {
    if (text == ChannelName(c)) return c;
  }
  return InvalidArgumentError("unknown channel '" + std::string(text) +
                              "' (expected sms, email or webhook)");
}

Result<Language> ParseLanguage(std::string_view text) {
  for (Language l : {Language::kEn, Language::kHi}) {
    if (text == LanguageName(l)) return l;
  }
  return InvalidArgumentError("unknown language '" + std::string(text) + "' (expected en or hi)");
}

Result<MessageStatus> ParseMessageStatus(std::string_view text) {
  for (MessageStatus s : {MessageStatus::kPending, MessageStatus::kSent, MessageStatus::kFailed}) {
    if (text == MessageStatusName(s)) return s;
  }
  return InvalidArgumentError("unknown message status '" + std::string(text) + "'");
}

}  // namespace spode::notify
