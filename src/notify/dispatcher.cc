#include "notify/dispatcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "notify/outbox.h"

namespace spode::notify {
namespace {

constexpr size_t kMaxErrorBytes = 1000;

// `text` cut to at most `max` bytes, never inside a UTF-8 sequence (PostgreSQL rejects
// malformed UTF-8 text).
std::string TruncateUtf8(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

}  // namespace

std::chrono::microseconds Dispatcher::RetryDelay(int failed_attempts) const {
  int doublings = std::clamp(failed_attempts - 1, 0, 20);
  return options_.first_retry_delay * (int64_t{1} << doublings);
}

Result<int> Dispatcher::RunOnce(int max_messages) {
  if (max_messages < 1) {
    return InvalidArgumentError("max_messages must be at least 1, not " +
                                std::to_string(max_messages));
  }
  if (options_.max_attempts < 1 || options_.claim_batch < 1 ||
      options_.first_retry_delay.count() < 0) {
    return InvalidArgumentError(
        "dispatcher options: max_attempts and claim_batch must be at least 1 and "
        "first_retry_delay not negative");
  }
  if (db_.InTransaction()) {
    return FailedPreconditionError("the dispatcher needs a connection without an open transaction");
  }
  int claimed_total = 0, sent_total = 0;
  while (claimed_total < max_messages) {
    int limit = std::min(options_.claim_batch, max_messages - claimed_total);
    ASSIGN_OR_RETURN(auto counts, RunBatch(limit));
    claimed_total += counts.first;
    sent_total += counts.second;
    if (counts.first < limit) break;  // nothing more is due
  }
  return sent_total;
}

Result<std::pair<int, int>> Dispatcher::RunBatch(int limit) {
  ASSIGN_OR_RETURN(auto tx, storage::Transaction::Begin(db_));
  std::string claim = "SELECT " + std::string(internal::kMessageColumns) +
                      " FROM outbox WHERE status = 'pending' AND next_attempt_at_us <= ?"
                      " ORDER BY next_attempt_at_us, message_id LIMIT ?";
  if (db_.dialect() == storage::Dialect::kPostgres) claim += " FOR UPDATE SKIP LOCKED";
  ASSIGN_OR_RETURN(auto rows, db_.Query(claim, {clock_.Now().micros, int64_t{limit}}));
  std::vector<StoredMessage> messages;
  messages.reserve(rows.size());
  for (const storage::Row& row : rows) {
    ASSIGN_OR_RETURN(StoredMessage m, internal::ReadMessage(row));
    messages.push_back(std::move(m));
  }

  int sent = 0;
  for (const StoredMessage& m : messages) {
    Status outcome = sender_.Send(m);
    int64_t now = clock_.Now().micros;
    Result<int64_t> changed = int64_t{0};
    if (outcome.ok()) {
      ++sent;
      changed = db_.Execute(
          "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at_us = ?, "
          "last_error = NULL WHERE message_id = ? AND status = 'pending'",
          {now, m.message_id});
    } else {
      int attempts = m.attempts + 1;
      bool give_up =
          attempts >= options_.max_attempts || outcome.code() == StatusCode::kInvalidArgument;
      std::string error = TruncateUtf8(outcome.ToString(), kMaxErrorBytes);
      spdlog::warn("notify: message {} attempt {} failed{}: {}", m.message_id, attempts,
                   give_up ? ", giving up" : ", will retry", error);
      if (give_up) {
        changed = db_.Execute(
            "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ? "
            "WHERE message_id = ? AND status = 'pending'",
            {error, m.message_id});
      } else {
        changed = db_.Execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at_us = ? "
            "WHERE message_id = ? AND status = 'pending'",
            {error, now + RetryDelay(attempts).count(), m.message_id});
      }
    }
    if (!changed.ok()) return changed.status();
    if (*changed != 1) {
      // The claim should have made this row ours; anything else is a broken invariant.
      return InternalError("outbox message " + std::to_string(m.message_id) +
                           " changed under the dispatcher");
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return std::pair<int, int>(static_cast<int>(messages.size()), sent);
}

}  // namespace spode::notify
