// Sender: how a stored message leaves spode. The Dispatcher (dispatcher.h) calls a Sender for
// each message that falls due; a gateway (an SMS provider, a mail relay, a webhook) is plugged
// in by implementing this interface.
//
//   notify::LogSender sender;                           // development: log lines, codes masked
//   notify::LogSender dev_sender(/*reveal_codes=*/true);  // a local demo that needs the OTP
//   notify::Dispatcher dispatcher(db, sender, clock);
//
// Thread-safety: the Dispatcher calls Send from the thread that runs it; an implementation used
// by several dispatchers at once must be thread-safe. LogSender is.
#ifndef SPODE_NOTIFY_SENDER_H_
#define SPODE_NOTIFY_SENDER_H_

#include <string>
#include <string_view>

#include "common/status.h"
#include "notify/message.h"

namespace spode::notify {

class Sender {
 public:
  virtual ~Sender() = default;
  // Delivers `message` to its recipient. OK when the gateway accepted it. INVALID_ARGUMENT
  // when it can never be delivered (a recipient the gateway rejects): the message fails at
  // once. Any other error (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ...) is retried
  // with backoff. The call runs inside the dispatcher's database transaction: keep it bounded
  // (a gateway client should have a timeout of a few seconds).
  virtual Status Send(const StoredMessage& message) = 0;
};

// Writes each message as one info line through spdlog:
//   notify: sms to ******3210 message 42 otp_login/hi: आपका spode लॉगिन कोड ****** है। ...
// The recipient is masked but for its last four characters, and, unless `reveal_codes`, every
// digit of the body (ASCII and Devanagari) is masked too, so one-time codes, amounts and ticket
// numbers never reach a log. Pass reveal_codes=true only on a developer's machine.
class LogSender : public Sender {
 public:
  explicit LogSender(bool reveal_codes = false) : reveal_codes_(reveal_codes) {}
  Status Send(const StoredMessage& message) override;
  // The line Send logs.
  std::string Line(const StoredMessage& message) const;

 private:
  bool reveal_codes_;
};

// "******3210": every character but the last four replaced by '*' (characters, not bytes);
// all of it masked when it is four characters or fewer.
std::string MaskRecipient(std::string_view recipient);

// `text` with each digit, ASCII 0-9 or Devanagari ०-९, replaced by '*'.
std::string MaskDigits(std::string_view text);

}  // namespace spode::notify

#endif  // SPODE_NOTIFY_SENDER_H_
