// Dispatcher: sends the outbox's pending messages that have fallen due, through a Sender, and
// records each outcome.
//
//   notify::LogSender sender;
//   notify::Dispatcher dispatcher(db, sender, clock);
//   ASSIGN_OR_RETURN(int sent, dispatcher.RunOnce());   // e.g. every few seconds from a worker
//
// Claiming. Messages are claimed in batches (DispatcherOptions::claim_batch), oldest due first,
// each batch in its own transaction: on PostgreSQL with SELECT ... FOR UPDATE SKIP LOCKED, so
// that dispatchers on several servers share the work and never claim the same message; on
// SQLite, BEGIN IMMEDIATE makes the transaction the only writer. Every message is marked in the
// transaction that claimed it, right after its Send, so a message is marked sent exactly once.
//
// Outcomes. Sent: status 'sent', sent_at_us set. A failed Send: attempts + 1 and last_error;
// the message is retried after first_retry_delay, doubling each time (1, 2, 4, 8 minutes by
// default), and becomes 'failed' after max_attempts attempts, or at once when the Sender says
// INVALID_ARGUMENT (it can never be delivered).
//
// Delivery is at least once: if the transaction cannot commit after a Send (the database is
// lost mid-batch), the batch's messages stay pending and are sent again later. Keep batches
// small and Sends bounded; each Send holds the batch's row locks (and, on SQLite, the write
// lock) while it runs.
//
// Thread-safety: as the Database: one Dispatcher per connection, from one thread at a time. Use
// a connection of its own, not one a request handler may have a transaction open on. The
// Dispatcher borrows the Database, the Sender and the TimeSource.
#ifndef SPODE_NOTIFY_DISPATCHER_H_
#define SPODE_NOTIFY_DISPATCHER_H_

#include <chrono>
#include <utility>

#include "common/result.h"
#include "common/time_source.h"
#include "notify/sender.h"
#include "storage/database.h"

namespace spode::notify {

struct DispatcherOptions {
  int max_attempts = 5;  // a message is 'failed' after this many failed attempts
  std::chrono::microseconds first_retry_delay = std::chrono::minutes(1);
  int claim_batch = 10;  // messages claimed (and locked) per transaction
};

class Dispatcher {
 public:
  Dispatcher(storage::Database& db, Sender& sender, const TimeSource& clock,
             DispatcherOptions options = {})
      : db_(db), sender_(sender), clock_(clock), options_(options) {}

  // Sends up to `max_messages` pending messages due now. Returns how many were sent (accepted
  // by the Sender); failures are recorded as described above and are not errors of RunOnce.
  // INVALID_ARGUMENT when max_messages < 1 or the options are out of range;
  // FAILED_PRECONDITION when the Database already has a transaction open; otherwise the
  // Database's errors (that batch is rolled back, see "at least once" above).
  Result<int> RunOnce(int max_messages = 100);

  // The wait before the next attempt after `failed_attempts` (>= 1) failed ones:
  // first_retry_delay * 2^(failed_attempts - 1).
  std::chrono::microseconds RetryDelay(int failed_attempts) const;

 private:
  // Claims, sends and marks one batch of at most `limit` messages. Returns {claimed, sent}.
  Result<std::pair<int, int>> RunBatch(int limit);

  storage::Database& db_;
  Sender& sender_;
  const TimeSource& clock_;
  DispatcherOptions options_;
};

}  // namespace spode::notify

#endif  // SPODE_NOTIFY_DISPATCHER_H_
