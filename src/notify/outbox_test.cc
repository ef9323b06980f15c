// The outbox and the dispatcher on SQLite and (when SPODE_TEST_PG_URL is set) PostgreSQL:
// enqueueing renders and stores, "my messages", sending once, retries with backoff, giving up.
#include "notify/outbox.h"

#include <chrono>
#include <deque>
#include <functional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notify/dispatcher.h"
#include "notify/schema.h"
#include "storage/testing/test_database.h"

namespace spode::notify {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::ElementsAre;

// 2026-11-29 12:00 IST.
const Timestamp kNow = *Timestamp::Parse("2026-11-29T06:30:00Z");
const int64_t kMinute = 60'000'000;

// Records every Send and answers with the queued outcomes (OK once they run out).
class FakeSender : public Sender {
 public:
  Status Send(const StoredMessage& m) override {
    sent.push_back(m);
    if (on_send) on_send(m);
    if (outcomes.empty()) return OkStatus();
    Status s = outcomes.front();
    outcomes.pop_front();
    return s;
  }
  std::vector<int64_t> ids() const {
    std::vector<int64_t> out;
    for (const StoredMessage& m : sent) out.push_back(m.message_id);
    return out;
  }
  std::vector<StoredMessage> sent;
  std::deque<Status> outcomes;
  std::function<void(const StoredMessage&)> on_send;
};

// Always fails with the given status.
class FailingSender : public Sender {
 public:
  explicit FailingSender(Status s) : status_(std::move(s)) {}
  Status Send(const StoredMessage&) override {
    ++calls;
    return status_;
  }
  int calls = 0;

 private:
  Status status_;
};

Message Otp(std::string phone = "9876543210", std::string member = "48301759261",
            std::string code = "482913") {
  return {.channel = Channel::kSms,
          .recipient = std::move(phone),
          .member_id = std::move(member),
          .template_name = "otp_login",
          .language = Language::kEn,
          .params = {{"code", std::move(code)}, {"minutes", "5"}}};
}

class OutboxTest : public ::testing::TestWithParam<std::string> {
 protected:
  OutboxTest() : tdb_(GetParam()), clock_(kNow), outbox_(tdb_.db(), clock_) {}

  void SetUp() override {
    ASSERT_TRUE(tdb_.status().ok()) << tdb_.status();
    auto ran = storage::ApplyMigrations(db(), Migrations());
    ASSERT_TRUE(ran.ok()) << ran.status();
    ASSERT_EQ(*ran, static_cast<int>(Migrations().size()));
  }

  storage::Database& db() { return tdb_.db(); }

  int64_t Enqueue(const Message& m) {
    auto id = outbox_.Enqueue(m);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : -1;
  }

  StoredMessage Get(int64_t id) {
    auto m = outbox_.Get(id);
    EXPECT_TRUE(m.ok()) << m.status();
    return m.ok() ? *m : StoredMessage{};
  }

  int64_t Count(const std::string& where = "1 = 1") {
    auto row = db().QueryOne("SELECT COUNT(*) FROM outbox WHERE " + where);
    return row.ok() && *row ? (*row)->Int(0) : -1;
  }

  int Run(Dispatcher& d, int max = 100) {
    auto n = d.RunOnce(max);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? *n : -1;
  }

  storage::testing::TestDatabase tdb_;
  ManualTimeSource clock_;
  Outbox outbox_;
};

TEST_P(OutboxTest, MigrationIdsAndTableConstraints) {
  ASSERT_EQ(Migrations().size(), 2u);
  EXPECT_EQ(Migrations()[0].id, "notify/0001_outbox");
  EXPECT_EQ(Migrations()[1].id, "notify/0002_checks_without_in");
  EXPECT_EQ(*storage::PendingMigrations(db(), Migrations()), 0);
  // The database, not only the code, keeps channel, language and status to their values.
  auto bad_language = db().Execute(
      "INSERT INTO outbox (channel, recipient, template, language, body, created_at_us, "
      "next_attempt_at_us) VALUES ('sms', '9876543210', 'otp_login', 'fr', 'x', 1, 1)");
  EXPECT_EQ(bad_language.status().code(), StatusCode::kFailedPrecondition);
  auto bad_channel = db().Execute(
      "INSERT INTO outbox (channel, recipient, template, language, body, created_at_us, "
      "next_attempt_at_us) VALUES ('fax', '9876543210', 'otp_login', 'en', 'x', 1, 1)");
  EXPECT_EQ(bad_channel.status().code(), StatusCode::kFailedPrecondition);
  auto sent_without_time = db().Execute(
      "INSERT INTO outbox (channel, recipient, template, language, body, status, created_at_us, "
      "next_attempt_at_us) VALUES ('sms', '9876543210', 'otp_login', 'en', 'x', 'sent', 1, 1)");
  EXPECT_EQ(sent_without_time.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count(), 0);
}

// notify/0002 rebuilds the table on SQLite: every message keeps every column and its id, new
// ones are numbered after them, and no CHECK is left with an IN list (SQLite builds a b-tree for
// one on every INSERT).
TEST_P(OutboxTest, TheChecksMigrationKeepsEveryMessage) {
  storage::testing::TestDatabase old_tdb(GetParam());
  ASSERT_TRUE(old_tdb.status().ok()) << old_tdb.status();
  storage::Database& old_db = old_tdb.db();
  ASSERT_EQ(*storage::ApplyMigrations(old_db, {Migrations()[0]}), 1);
  Outbox outbox(old_db, clock_);
  ASSERT_TRUE(outbox.Enqueue(Otp()).ok());
  ASSERT_TRUE(outbox.Enqueue(Otp("9876500000", "", "111111")).ok());
  ASSERT_TRUE(outbox.Enqueue(Otp("9876511111", "48301759261", "222222")).ok());
  ASSERT_TRUE(old_db
                  .Execute("UPDATE outbox SET status = 'sent', attempts = 1, sent_at_us = 5 "
                           "WHERE message_id = 1")
                  .ok());
  ASSERT_TRUE(old_db
                  .Execute("UPDATE outbox SET status = 'failed', attempts = 4, last_error = "
                           "'gateway: 500' WHERE message_id = 3")
                  .ok());
  const std::string kAll =
      "SELECT message_id, channel, recipient, COALESCE(member_id, '-'), template, language, "
      "body, status, attempts, COALESCE(last_error, '-'), created_at_us, COALESCE(sent_at_us, "
      "-1), next_attempt_at_us FROM outbox ORDER BY message_id";
  auto before = old_db.Query(kAll);
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_EQ(before->size(), 3u);

  ASSERT_EQ(*storage::ApplyMigrations(old_db, Migrations()), 1);
  auto after = old_db.Query(kAll);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->size(), before->size());
  for (size_t r = 0; r < before->size(); ++r) {
    for (size_t c = 0; c < 13; ++c) {
      EXPECT_EQ((*after)[r].value(c), (*before)[r].value(c)) << "row " << r << " column " << c;
    }
  }
  auto next = outbox.Enqueue(Otp());
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(*next, 4);
  auto pending = old_db.QueryOne("SELECT COUNT(*) FROM outbox WHERE status = 'pending'");
  ASSERT_TRUE(pending.ok() && *pending);
  EXPECT_EQ((*pending)->Int(0), 2);
  auto bad_status = old_db.Execute("UPDATE outbox SET status = 'lost' WHERE message_id = 2");
  EXPECT_EQ(bad_status.status().code(), StatusCode::kFailedPrecondition);
  if (old_db.dialect() == storage::Dialect::kSqlite) {
    auto table = old_db.QueryOne("SELECT sql FROM sqlite_master WHERE name = 'outbox'");
    ASSERT_TRUE(table.ok() && *table);
    EXPECT_EQ((*table)->Text(0).find(" IN ("), std::string::npos) << (*table)->Text(0);
    auto indexes = old_db.QueryOne("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                                   "AND tbl_name = 'outbox' AND name IN ('outbox_due', "
                                   "'outbox_member')");
    ASSERT_TRUE(indexes.ok() && *indexes);
    EXPECT_EQ((*indexes)->Int(0), 2);
  }
}

TEST_P(OutboxTest, EnqueueStoresTheRenderedBody) {
  Message m = Otp();
  m.language = Language::kHi;
  int64_t id = Enqueue(m);
  StoredMessage s = Get(id);
  EXPECT_EQ(s.message_id, id);
  EXPECT_EQ(s.channel, Channel::kSms);
  EXPECT_EQ(s.recipient, "9876543210");
  EXPECT_EQ(s.member_id, "48301759261");
  EXPECT_EQ(s.template_name, "otp_login");
  EXPECT_EQ(s.language, Language::kHi);
  EXPECT_EQ(s.body,
            "आपका spode लॉगिन कोड 482913 है। यह 5 मिनट में समाप्त हो जाएगा। इसे किसी के साथ साझा "
            "न करें।");
  EXPECT_EQ(s.status, MessageStatus::kPending);
  EXPECT_EQ(s.attempts, 0);
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(s.created_at, kNow);
  EXPECT_EQ(s.next_attempt_at, kNow);
  EXPECT_FALSE(s.sent_at.has_value());
}

TEST_P(OutboxTest, EnqueueWithoutMemberStoresNull) {
  int64_t id = Enqueue({.channel = Channel::kEmail,
                        .recipient = "officer@district.example.in",
                        .template_name = "grievance_ack",
                        .params = {{"ticket", "GR-7"}, {"due_date", "20-12-2026"}}});
  EXPECT_EQ(Count("member_id IS NULL AND message_id = " + std::to_string(id)), 1);
  EXPECT_EQ(Get(id).body,
            "We have received your grievance. Ticket number: GR-7. You will get a reply by "
            "20-12-2026.");
  EXPECT_EQ(Get(id).channel, Channel::kEmail);
}

TEST_P(OutboxTest, EnqueueRejectsBadInputAndStoresNothing) {
  Message unknown = Otp();
  unknown.template_name = "otp_logout";
  EXPECT_EQ(outbox_.Enqueue(unknown).status().code(), StatusCode::kNotFound);

  Message missing = Otp();
  missing.params.erase("code");
  auto r = outbox_.Enqueue(missing);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "template otp_login: missing parameter {code}");

  auto short_phone = outbox_.Enqueue(Otp("98765"));
  EXPECT_EQ(short_phone.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(short_phone.status().message(),
            "recipient: an sms recipient must be 10 to 15 digits, optionally after a '+'");
  EXPECT_EQ(outbox_.Enqueue(Otp("")).status().message(), "recipient: empty");
  Message email = Otp("not-an-address");
  email.channel = Channel::kEmail;
  EXPECT_EQ(outbox_.Enqueue(email).status().message(), "recipient: not an email address");
  Message hook = Otp("ftp://x");
  hook.channel = Channel::kWebhook;
  EXPECT_EQ(outbox_.Enqueue(hook).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(outbox_.Enqueue(Otp("+919876543210")).ok());
  EXPECT_EQ(Count(), 1);
}

TEST_P(OutboxTest, EnqueueAllStoresEachAsEnqueueWouldInOrderOrNoneWhenOneIsBad) {
  Message hindi = Otp("9876500001", "48301759261", "111111");
  hindi.language = Language::kHi;
  Message email{.channel = Channel::kEmail,
                .recipient = "officer@district.example.in",
                .template_name = "grievance_ack",
                .params = {{"ticket", "GR-7"}, {"due_date", "20-12-2026"}}};
  std::vector<Message> batch = {Otp("9876500000"), hindi, email};
  ASSERT_TRUE(outbox_.EnqueueAll(batch).ok());
  int64_t single = Enqueue(hindi);  // the same message, one at a time
  auto stored = db().Query("SELECT message_id FROM outbox ORDER BY message_id");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->size(), 4u);
  StoredMessage first = Get((*stored)[0].Int(0)), second = Get((*stored)[1].Int(0)),
                third = Get((*stored)[2].Int(0)), alone = Get(single);
  EXPECT_EQ(first.recipient, "9876500000");
  EXPECT_EQ(second.recipient, "9876500001");
  EXPECT_EQ(second.body, alone.body);
  EXPECT_EQ(second.language, Language::kHi);
  EXPECT_EQ(second.member_id, "48301759261");
  EXPECT_EQ(second.status, MessageStatus::kPending);
  EXPECT_EQ(second.attempts, 0);
  EXPECT_EQ(second.created_at, kNow);
  EXPECT_EQ(second.next_attempt_at, kNow);
  EXPECT_EQ(third.channel, Channel::kEmail);
  EXPECT_EQ(third.member_id, "");
  EXPECT_EQ(Count("member_id IS NULL"), 1);

  Message unknown = Otp();
  unknown.template_name = "otp_logout";
  std::vector<Message> bad = {Otp("9876500002"), unknown};
  EXPECT_EQ(outbox_.EnqueueAll(bad).code(), StatusCode::kNotFound);
  bad[1] = Otp("98765");
  EXPECT_EQ(outbox_.EnqueueAll(bad).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(outbox_.EnqueueAll(std::vector<Message>{}).ok());
  EXPECT_EQ(Count(), 4);
}

TEST_P(OutboxTest, EnqueueJoinsTheCallersTransaction) {
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok()) << tx.status();
    Enqueue(Otp());
    EXPECT_EQ(Count(), 1);
    ASSERT_TRUE(tx->Rollback().ok());
  }
  EXPECT_EQ(Count(), 0);
  {
    auto tx = storage::Transaction::Begin(db());
    ASSERT_TRUE(tx.ok());
    Enqueue(Otp());
    ASSERT_TRUE(tx->Commit().ok());
  }
  EXPECT_EQ(Count(), 1);
}

TEST_P(OutboxTest, RecentIsNewestFirstAndFiltersByMember) {
  int64_t a1 = Enqueue(Otp("9876543210", "A", "111111"));
  clock_.Advance(seconds(1));
  int64_t b1 = Enqueue(Otp("9123456780", "B", "222222"));
  clock_.Advance(seconds(1));
  int64_t a2 = Enqueue(Otp("9876543210", "A", "333333"));
  clock_.Advance(seconds(1));
  int64_t none = Enqueue(Otp("9000000001", "", "444444"));

  auto all = outbox_.Recent(10);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<int64_t> ids;
  for (const StoredMessage& m : *all) ids.push_back(m.message_id);
  EXPECT_THAT(ids, ElementsAre(none, a2, b1, a1));

  auto mine = outbox_.Recent(10, "A");
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].message_id, a2);
  EXPECT_EQ((*mine)[0].body,
            "Your spode login code is 333333. It expires in 5 minutes. Do not share it.");
  EXPECT_EQ((*mine)[1].message_id, a1);
  EXPECT_EQ((*mine)[1].created_at, kNow);

  auto one = outbox_.Recent(1, "A");
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].message_id, a2);

  EXPECT_TRUE(outbox_.Recent(10, "nobody")->empty());
  EXPECT_EQ(outbox_.Recent(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_.Recent(Outbox::kMaxRecent + 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(outbox_.Get(9999).status().code(), StatusCode::kNotFound);
}

TEST_P(OutboxTest, DispatcherSendsEachPendingMessageOnceAndMarksItSent) {
  int64_t m1 = Enqueue(Otp("9876543210", "A", "111111"));
  int64_t m2 = Enqueue(Otp("9123456780", "B", "222222"));
  int64_t m3 = Enqueue(Otp("9000000001", "C", "333333"));
  FakeSender sender;
  Dispatcher dispatcher(db(), sender, clock_);
  clock_.Advance(seconds(2));
  EXPECT_EQ(Run(dispatcher), 3);
  EXPECT_THAT(sender.ids(), ElementsAre(m1, m2, m3));
  EXPECT_EQ(sender.sent[1].recipient, "9123456780");
  EXPECT_EQ(sender.sent[1].body,
            "Your spode login code is 222222. It expires in 5 minutes. Do not share it.");
  for (int64_t id : {m1, m2, m3}) {
    StoredMessage s = Get(id);
    EXPECT_EQ(s.status, MessageStatus::kSent);
    EXPECT_EQ(s.attempts, 1);
    ASSERT_TRUE(s.sent_at.has_value());
    EXPECT_EQ(*s.sent_at, kNow.PlusSeconds(2));
    EXPECT_EQ(s.last_error, "");
  }
  // Nothing is sent twice.
  clock_.Advance(minutes(60));
  EXPECT_EQ(Run(dispatcher), 0);
  EXPECT_EQ(sender.sent.size(), 3u);

  int64_t m4 = Enqueue(Otp());
  EXPECT_EQ(Run(dispatcher), 1);
  EXPECT_THAT(sender.ids(), ElementsAre(m1, m2, m3, m4));
}

TEST_P(OutboxTest, MessageNotYetDueIsNotSent) {
  // Enqueued by a clock ten minutes ahead of the dispatcher's: not due for the dispatcher yet.
  ManualTimeSource later(kNow.PlusSeconds(600));
  Outbox ahead(db(), later);
  auto id = ahead.Enqueue(Otp());
  ASSERT_TRUE(id.ok()) << id.status();
  FakeSender sender;
  Dispatcher dispatcher(db(), sender, clock_);
  EXPECT_EQ(Run(dispatcher), 0);
  clock_.Advance(seconds(599));
  EXPECT_EQ(Run(dispatcher), 0);
  EXPECT_TRUE(sender.sent.empty());
  EXPECT_EQ(Get(*id).status, MessageStatus::kPending);
  clock_.Advance(seconds(1));
  EXPECT_EQ(Run(dispatcher), 1);
  EXPECT_THAT(sender.ids(), ElementsAre(*id));
}

TEST_P(OutboxTest, FailingSenderRetriesWithBackoffThenFails) {
  int64_t id = Enqueue(Otp());
  FailingSender sender(UnavailableError("gateway down"));
  Dispatcher dispatcher(db(), sender, clock_);
  EXPECT_EQ(dispatcher.RetryDelay(1), minutes(1));
  EXPECT_EQ(dispatcher.RetryDelay(4), minutes(8));

  // Attempt 1 now; attempts 2..5 after waits of 1, 2, 4 and 8 minutes.
  EXPECT_EQ(Run(dispatcher), 0);
  EXPECT_EQ(sender.calls, 1);
  StoredMessage s = Get(id);
  EXPECT_EQ(s.status, MessageStatus::kPending);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.last_error, "UNAVAILABLE: gateway down");
  EXPECT_EQ(s.next_attempt_at.micros, kNow.micros + 1 * kMinute);

  int64_t waits[] = {1, 2, 4, 8};
  int64_t t = kNow.micros;
  for (int attempt = 2; attempt <= 5; ++attempt) {
    int64_t wait = waits[attempt - 2];
    // Not before it is due.
    clock_.Set(Timestamp{t + wait * kMinute - 1});
    EXPECT_EQ(Run(dispatcher), 0);
    EXPECT_EQ(sender.calls, attempt - 1) << "attempt " << attempt << " ran early";
    // Due now.
    t += wait * kMinute;
    clock_.Set(Timestamp{t});
    EXPECT_EQ(Run(dispatcher), 0);
    EXPECT_EQ(sender.calls, attempt);
    s = Get(id);
    EXPECT_EQ(s.attempts, attempt);
    if (attempt < 5) {
      EXPECT_EQ(s.status, MessageStatus::kPending);
      EXPECT_EQ(s.next_attempt_at.micros, t + waits[attempt - 1] * kMinute);
    }
  }
  EXPECT_EQ(s.status, MessageStatus::kFailed);
  EXPECT_EQ(s.attempts, 5);
  EXPECT_EQ(s.last_error, "UNAVAILABLE: gateway down");
  EXPECT_FALSE(s.sent_at.has_value());
  EXPECT_EQ(t - kNow.micros, 15 * kMinute);

  // A failed message is never tried again.
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(Run(dispatcher), 0);
  EXPECT_EQ(sender.calls, 5);
}

TEST_P(OutboxTest, ASendThatSucceedsOnRetryIsSentAndClearsTheError) {
  int64_t id = Enqueue(Otp());
  FakeSender sender;
  sender.outcomes = {DeadlineExceededError("gateway timed out")};
  Dispatcher dispatcher(db(), sender, clock_);
  EXPECT_EQ(Run(dispatcher), 0);
  EXPECT_EQ(Get(id).last_error, "DEADLINE_EXCEEDED: gateway timed out");
  clock_.Advance(minutes(1));
  EXPECT_EQ(Run(dispatcher), 1);
  StoredMessage s = Get(id);
  EXPECT_EQ(s.status, MessageStatus::kSent);
  EXPECT_EQ(s.attempts, 2);
  EXPECT_EQ(s.last_error, "");
  EXPECT_EQ(*s.sent_at, kNow.PlusSeconds(60));
  EXPECT_THAT(sender.ids(), ElementsAre(id, id));
}

TEST_P(OutboxTest, AnUndeliverableMessageFailsAtOnce) {
  int64_t bad = Enqueue(Otp("9876543210", "A"));
  int64_t good = Enqueue(Otp("9123456780", "B"));
  FakeSender sender;
  sender.outcomes = {InvalidArgumentError("number not on the network")};
  Dispatcher dispatcher(db(), sender, clock_);
  EXPECT_EQ(Run(dispatcher), 1);
  StoredMessage s = Get(bad);
  EXPECT_EQ(s.status, MessageStatus::kFailed);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(s.last_error, "INVALID_ARGUMENT: number not on the network");
  EXPECT_EQ(Get(good).status, MessageStatus::kSent);
}

TEST_P(OutboxTest, RunOnceSendsAtMostMaxMessagesInBatches) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 25; ++i) {
    // Member ids "M0".."M24" (built with append: g++ 12 warns falsely on "M" + to_string).
    std::string member = "M";
    member.append(std::to_string(i));
    ids.push_back(Enqueue(Otp(std::to_string(9876543210 + i), member)));
  }
  FakeSender sender;
  Dispatcher dispatcher(db(), sender, clock_, {.claim_batch = 10});
  EXPECT_EQ(Run(dispatcher, 12), 12);
  EXPECT_EQ(Count("status = 'sent'"), 12);
  EXPECT_EQ(Run(dispatcher), 13);
  EXPECT_EQ(sender.ids(), ids);
  EXPECT_EQ(Count("status = 'sent'"), 25);
}

TEST_P(OutboxTest, RunOnceRefusesAnOpenTransactionAndBadArguments) {
  FakeSender sender;
  Dispatcher dispatcher(db(), sender, clock_);
  EXPECT_EQ(dispatcher.RunOnce(0).status().code(), StatusCode::kInvalidArgument);
  auto tx = storage::Transaction::Begin(db());
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ(dispatcher.RunOnce().status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(tx->Rollback().ok());
  Dispatcher bad(db(), sender, clock_, {.max_attempts = 0});
  EXPECT_EQ(bad.RunOnce().status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxTest, ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

class OutboxPostgresTest : public OutboxTest {};

std::vector<std::string> PostgresOnly() {
  if (storage::testing::PostgresUrl() == nullptr) return {};
  return {"postgres"};
}

// PostgreSQL only (SQLite has one writer at a time): a second dispatcher, on another connection,
// that runs while the first holds its batch skips the locked rows and takes only the rest, so every
// message is sent exactly once.
TEST_P(OutboxPostgresTest, TwoDispatchersNeverSendTheSameMessage) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 15; ++i) ids.push_back(Enqueue(Otp()));
  auto other_db = tdb_.Connect();
  ASSERT_TRUE(other_db.ok()) << other_db.status();
  FakeSender second_sender;
  Dispatcher second(**other_db, second_sender, clock_, {.claim_batch = 10});
  FakeSender first_sender;
  Result<int> second_sent = 0;
  first_sender.on_send = [&](const StoredMessage&) {
    if (first_sender.sent.size() == 1) second_sent = second.RunOnce();
  };
  Dispatcher first(db(), first_sender, clock_, {.claim_batch = 10});
  auto first_sent = first.RunOnce(10);
  ASSERT_TRUE(first_sent.ok()) << first_sent.status();
  ASSERT_TRUE(second_sent.ok()) << second_sent.status();
  EXPECT_EQ(*first_sent, 10);
  EXPECT_EQ(*second_sent, 5);
  EXPECT_EQ(first_sender.ids(), std::vector<int64_t>(ids.begin(), ids.begin() + 10));
  EXPECT_EQ(second_sender.ids(), std::vector<int64_t>(ids.begin() + 10, ids.end()));
  EXPECT_EQ(Count("status = 'sent' AND attempts = 1"), 15);
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OutboxPostgresTest);
INSTANTIATE_TEST_SUITE_P(Backends, OutboxPostgresTest, ::testing::ValuesIn(PostgresOnly()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::notify
