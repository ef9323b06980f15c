#include "notify/outbox.h"

#include <optional>
#include <string>

namespace spode::notify {
namespace {

constexpr size_t kMaxRecipientBytes = 512;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status CheckRecipient(Channel channel, std::string_view r) {
  if (r.empty()) return InvalidArgumentError("recipient: empty");
  if (r.size() > kMaxRecipientBytes) {
    return InvalidArgumentError("recipient: longer than " + std::to_string(kMaxRecipientBytes) +
                                " bytes");
  }
  for (char c : r) {
    if (static_cast<unsigned char>(c) <= ' ') {
      return InvalidArgumentError("recipient: contains a space or control character");
    }
  }
  switch (channel) {
    case Channel::kSms: {
      std::string_view digits = r.front() == '+' ? r.substr(1) : r;
      bool all_digits = !digits.empty();
      for (char c : digits) all_digits = all_digits && IsDigit(c);
      if (!all_digits || digits.size() < 10 || digits.size() > 15) {
        return InvalidArgumentError(
            "recipient: an sms recipient must be 10 to 15 digits, "
            "optionally after a '+'");
      }
      return OkStatus();
    }
    case Channel::kEmail: {
      size_t at = r.find('@');
      if (at == std::string_view::npos || at == 0 || at + 1 == r.size() ||
          r.find('@', at + 1) != std::string_view::npos) {
        return InvalidArgumentError("recipient: not an email address");
      }
      return OkStatus();
    }
    case Channel::kWebhook:
      if (!r.starts_with("https://") && !r.starts_with("http://")) {
        return InvalidArgumentError("recipient: a webhook recipient must be an http(s) URL");
      }
      return OkStatus();
  }
  return InvalidArgumentError("recipient: unknown channel");
}

}  // namespace

namespace internal {

Result<StoredMessage> ReadMessage(const storage::Row& row) {
  StoredMessage m;
  m.message_id = row.Int(0);
  ASSIGN_OR_RETURN(m.channel, ParseChannel(row.Text(1)));
  m.recipient = row.Text(2);
  m.member_id = row.Text(3);
  m.template_name = row.Text(4);
  ASSIGN_OR_RETURN(m.language, ParseLanguage(row.Text(5)));
  m.body = row.Text(6);
  ASSIGN_OR_RETURN(m.status, ParseMessageStatus(row.Text(7)));
  m.attempts = static_cast<int>(row.Int(8));
  m.last_error = row.Text(9);
  m.created_at = Timestamp{row.Int(10)};
  if (!row.IsNull(11)) m.sent_at = Timestamp{row.Int(11)};
  m.next_attempt_at = Timestamp{row.Int(12)};
  return m;
}

}  // namespace internal

Result<int64_t> Outbox::Enqueue(const Message& m) {
  RETURN_IF_ERROR(CheckRecipient(m.channel, m.recipient));
  ASSIGN_OR_RETURN(std::string body, templates_.Render(m.template_name, m.language, m.params));
  int64_t now = clock_.Now().micros;
  storage::Value member_id =
      m.member_id.empty() ? storage::Value(storage::Null{}) : storage::Value(m.member_id);
  return db_.InsertReturningKey(
      "INSERT INTO outbox (channel, recipient, member_id, template, language, body, status, "
      "attempts, created_at_us, next_attempt_at_us) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, "
      "?) RETURNING message_id",
      {std::string(ChannelName(m.channel)), m.recipient, member_id, m.template_name,
       std::string(LanguageName(m.language)), body, now, now});
}

Status Outbox::EnqueueAll(std::span<const Message> messages) {
  static const std::string kColumns[] = {"channel", "recipient",     "member_id",
                                         "template", "language",     "body",
                                         "status",  "created_at_us", "next_attempt_at_us"};
  storage::RowBuffer rows(9);
  const int64_t now = clock_.Now().micros;
  for (const Message& m : messages) {
    RETURN_IF_ERROR(CheckRecipient(m.channel, m.recipient));
    ASSIGN_OR_RETURN(std::string body, templates_.Render(m.template_name, m.language, m.params));
    rows.Text(ChannelName(m.channel)).Text(m.recipient).TextOrNull(m.member_id);
    rows.Text(m.template_name).Text(LanguageName(m.language)).Text(body).Text("pending");
    rows.Int(now).Int(now);
  }
  if (rows.empty()) return OkStatus();
  // All or none: in the caller's transaction, or in one of its own.
  std::optional<storage::Transaction> own;
  if (!db_.InTransaction()) {
    ASSIGN_OR_RETURN(storage::Transaction tx, storage::Transaction::Begin(db_));
    own.emplace(std::move(tx));
  }
  RETURN_IF_ERROR(db_.BulkInsert("outbox", kColumns, rows));
  return own ? own->Commit() : OkStatus();
}

Result<std::vector<StoredMessage>> Outbox::Recent(int limit, std::string_view member_id) {
  if (limit < 1 || limit > kMaxRecent) {
    return InvalidArgumentError("limit must be between 1 and " + std::to_string(kMaxRecent) +
                                ", not " + std::to_string(limit));
  }
  std::string sql = "SELECT " + std::string(internal::kMessageColumns) + " FROM outbox";
  if (!member_id.empty()) sql += " WHERE member_id = ?";
  sql += " ORDER BY created_at_us DESC, message_id DESC LIMIT ?";
  auto rows = member_id.empty() ? db_.Query(sql, {int64_t{limit}})
                                : db_.Query(sql, {std::string(member_id), int64_t{limit}});
  if (!rows.ok()) return rows.status();
  std::vector<StoredMessage> out;
  out.reserve(rows->size());
  for (const storage::Row& row : *rows) {
    ASSIGN_OR_RETURN(StoredMessage m, internal::ReadMessage(row));
    out.push_back(std::move(m));
  }
  return out;
}

Result<StoredMessage> Outbox::Get(int64_t message_id) {
  ASSIGN_OR_RETURN(auto row, db_.QueryOne("SELECT " + std::string(internal::kMessageColumns) +
                                              " FROM outbox WHERE message_id = ?",
                                          {message_id}));
  if (!row) return NotFoundError("no message " + std::to_string(message_id));
  return internal::ReadMessage(*row);
}

}  // namespace spode::notify
