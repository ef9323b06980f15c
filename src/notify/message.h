// The words the outbox speaks: channels, languages, message states, a message to send and a
// message as stored.
//
//   notify::Message m{.channel = notify::Channel::kSms, .recipient = "9876543210",
//                     .member_id = "48301759261", .template_name = "otp_login",
//                     .language = notify::Language::kHi,
//                     .params = {{"code", "482913"}, {"minutes", "5"}}};
//
// Thread-safety: value types.
#ifndef SPODE_NOTIFY_MESSAGE_H_
#define SPODE_NOTIFY_MESSAGE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/date.h"
#include "common/result.h"

namespace spode::notify {

enum class Channel { kSms, kEmail, kWebhook };
enum class Language { kEn, kHi };
enum class MessageStatus { kPending, kSent, kFailed };

// The stored names: "sms", "email", "webhook"; "en", "hi"; "pending", "sent", "failed".
std::string_view ChannelName(Channel channel);
std::string_view LanguageName(Language language);
std::string_view MessageStatusName(MessageStatus status);
// INVALID_ARGUMENT for any other text.
Result<Channel> ParseChannel(std::string_view text);
Result<Language> ParseLanguage(std::string_view text);
Result<MessageStatus> ParseMessageStatus(std::string_view text);

// Template parameters: placeholder name (without braces) to the text put in its place.
using Params = std::map<std::string, std::string, std::less<>>;

// A message to enqueue. The body is rendered from the template when it is enqueued.
struct Message {
  Channel channel = Channel::kSms;
  // sms: a phone number (10 to 15 digits, optionally after a '+'); for citizens, the member's
  // phone. email: an address. webhook: an http:// or https:// URL.
  std::string recipient = {};
  // The member the message is about, for "my messages" and the dev outbox; empty when none.
  std::string member_id = {};
  std::string template_name = {};
  Language language = Language::kEn;
  Params params = {};
};

// A row of the outbox table.
struct StoredMessage {
  int64_t message_id = 0;
  Channel channel = Channel::kSms;
  std::string recipient;
  std::string member_id;  // empty when NULL
  std::string template_name;
  Language language = Language::kEn;
  std::string body;  // rendered
  MessageStatus status = MessageStatus::kPending;
  int attempts = 0;        // send attempts made so far
  std::string last_error;  // of the last failed attempt; empty when none
  Timestamp created_at;
  std::optional<Timestamp> sent_at;
  Timestamp next_attempt_at;  // when a pending message is next due
};

}  // namespace spode::notify

#endif  // SPODE_NOTIFY_MESSAGE_H_
