// Outbox: where spode puts a message for a citizen. Enqueue renders the template and stores the
// message as 'pending'; a Dispatcher (dispatcher.h) sends it later through a Sender.
//
//   notify::Outbox outbox(db, clock);
//   ASSIGN_OR_RETURN(int64_t id, outbox.Enqueue({.channel = notify::Channel::kSms,
//                                                .recipient = member_phone,
//                                                .member_id = member_id,
//                                                .template_name = "grievance_ack",
//                                                .language = notify::Language::kHi,
//                                                .params = {{"ticket", "GR-2026-000123"},
//                                                           {"due_date", "20-12-2026"}}}));
//   ASSIGN_OR_RETURN(auto mine, outbox.Recent(20, member_id));   // newest first
//
// Enqueue only executes statements on the Database it was given, so when the caller has a
// transaction open the message commits or rolls back with the caller's work (a grievance row
// and its acknowledgement are committed together, or neither is).
//
// Thread-safety: as the Database: one Outbox per connection, used from one thread at a time.
// The Outbox borrows the Database, the TimeSource and the Templates; they must outlive it.
#ifndef SPODE_NOTIFY_OUTBOX_H_
#define SPODE_NOTIFY_OUTBOX_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/time_source.h"
#include "notify/message.h"
#include "notify/templates.h"
#include "storage/database.h"

namespace spode::notify {

class Outbox {
 public:
  // The most messages Recent returns at once.
  static constexpr int kMaxRecent = 1000;

  Outbox(storage::Database& db, const TimeSource& clock,
         const Templates& templates = Templates::Builtin())
      : db_(db), clock_(clock), templates_(templates) {}

  // Renders `m` and stores it as pending, due now. Returns its message_id.
  // NOT_FOUND: no such template. INVALID_ARGUMENT: a missing or empty template parameter (the
  // message names it), or a recipient that does not fit the channel (see Message::recipient).
  // Otherwise the Database's errors.
  Result<int64_t> Enqueue(const Message& m);
  // Enqueue for many messages, in their order: every one is rendered and checked before any is
  // stored (the errors are Enqueue's), then they are stored together, in the caller's
  // transaction or one of their own (PostgreSQL: COPY; a round trip a message made a bank's
  // 30,000 returns take minutes to import).
  Status EnqueueAll(std::span<const Message> messages);

  // The newest `limit` messages (1..kMaxRecent), newest first; only those about `member_id`
  // when it is not empty. INVALID_ARGUMENT for a limit out of range.
  Result<std::vector<StoredMessage>> Recent(int limit, std::string_view member_id = {});

  // One message. NOT_FOUND when there is none with that id.
  Result<StoredMessage> Get(int64_t message_id);

 private:
  storage::Database& db_;
  const TimeSource& clock_;
  const Templates& templates_;
};

namespace internal {
// The columns a StoredMessage is read from, in order, and the reader of such a row.
inline constexpr std::string_view kMessageColumns =
    "message_id, channel, recipient, member_id, template, language, body, status, attempts, "
    "last_error, created_at_us, sent_at_us, next_attempt_at_us";
Result<StoredMessage> ReadMessage(const storage::Row& row);
}  // namespace internal

}  // namespace spode::notify

#endif  // SPODE_NOTIFY_OUTBOX_H_
