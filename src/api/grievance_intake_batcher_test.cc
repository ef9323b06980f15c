// The group-commit queue on SQLite and (with SPODE_TEST_PG_URL) PostgreSQL: concurrent filings
// share transactions, each gets its own ticket or its own error, every ticket is committed.
#include "api/grievance_intake_batcher.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "grievance/desk.h"
#include "grievance/testing/fixture.h"
#include "gtest/gtest.h"

namespace spode::api {
namespace {

using grievance::testing::MemberId;

class GrievanceIntakeBatcherTest : public grievance::testing::GrievanceTest {
 protected:
  // A URL every connection of the batcher can open onto this test's database.
  std::string Url() {
    if (!tdb_.is_postgres()) return tdb_.path().string();
    auto schema = db().QueryOne("SELECT current_schema()");
    EXPECT_TRUE(schema.ok() && schema->has_value());
    std::string base = storage::testing::PostgresUrl();
    return base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           (*schema)->Text(0);
  }

  static grievance::GrievanceInput Portal(int64_t member_idx, std::string description) {
    grievance::GrievanceInput in;
    in.channel = grievance::Channel::kPortal;
    in.member_idx = member_idx;
    in.category = grievance::Category::kPaymentNotReceived;
    in.description = std::move(description);
    in.filed_by = "citizen:" + MemberId(static_cast<int>(member_idx));
    return in;
  }
};

TEST_P(GrievanceIntakeBatcherTest, ConcurrentFilingsShareCommitsAndEachGetsItsOwnOutcome) {
  // A linger makes the batches large however the threads are scheduled.
  auto batcher = GrievanceIntakeBatcher::Start(
      Url(), clock_, {.max_batch = 16, .linger = std::chrono::milliseconds(20)});
  ASSERT_TRUE(batcher.ok()) << batcher.status();
  constexpr int kThreads = 12, kEach = 5;
  std::vector<std::vector<std::string>> tickets(kThreads);
  std::vector<std::vector<StatusCode>> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Every third thread's filings name a member nobody registered.
        grievance::GrievanceInput in = Portal(
            t % 3 == 2 ? 0 : kSunita, "thread " + std::to_string(t) + " #" + std::to_string(i));
        if (t % 3 == 2) in.member_id = MemberId(99);
        auto filed = (*batcher)->File(in);
        if (filed.ok()) {
          tickets[t].push_back(filed->ticket);
        } else {
          errors[t].push_back(filed.status().code());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> all;
  auto other = tdb_.Connect();
  ASSERT_TRUE(other.ok()) << other.status();
  for (int t = 0; t < kThreads; ++t) {
    if (t % 3 == 2) {
      EXPECT_TRUE(tickets[t].empty());
      EXPECT_EQ(errors[t], std::vector<StatusCode>(kEach, StatusCode::kNotFound));
      continue;
    }
    EXPECT_TRUE(errors[t].empty());
    ASSERT_EQ(tickets[t].size(), static_cast<size_t>(kEach));
    for (int i = 0; i < kEach; ++i) {
      auto g = grievance::GetByTicket(**other, tickets[t][i]);
      ASSERT_TRUE(g.ok()) << tickets[t][i] << ": " << g.status();
      EXPECT_EQ(g->description, "thread " + std::to_string(t) + " #" + std::to_string(i));
      all.insert(tickets[t][i]);
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(8 * kEach));
  EXPECT_EQ(Count("grievances"), 8 * kEach);
  EXPECT_EQ((*batcher)->filed(), kThreads * kEach);
  // Shared commits: fewer transactions than filings.
  EXPECT_LT((*batcher)->batches(), kThreads * kEach);
  EXPECT_GT((*batcher)->largest_batch(), 1);
  EXPECT_LE((*batcher)->largest_batch(), 16);
}

TEST_P(GrievanceIntakeBatcherTest, FilesOneAtATimeWithoutLinger) {
  auto batcher = GrievanceIntakeBatcher::Start(Url(), clock_);
  ASSERT_TRUE(batcher.ok()) << batcher.status();
  auto filed = (*batcher)->File(Portal(kOther, "one alone"));
  ASSERT_TRUE(filed.ok()) << filed.status();
  auto g = grievance::GetByTicket(db(), filed->ticket);
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->description, "one alone");
  auto bad = (*batcher)->File(Portal(kOther, ""));
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*batcher)->batches(), 2);
}

TEST_P(GrievanceIntakeBatcherTest, AsyncFilingsFromOneThreadShareACommitAndEachIsAnsweredOnce) {
  // One thread queues many filings without waiting (as the HTTP handler does): they can share
  // a transaction although a single thread filed them.
  auto batcher = GrievanceIntakeBatcher::Start(
      Url(), clock_, {.max_batch = 64, .linger = std::chrono::milliseconds(50)});
  ASSERT_TRUE(batcher.ok()) << batcher.status();
  constexpr int kFilings = 20;
  std::mutex mu;
  std::condition_variable all_done;
  std::vector<int> answers(kFilings, 0);
  std::vector<std::optional<Result<grievance::Filed>>> results(kFilings);
  for (int i = 0; i < kFilings; ++i) {
    (*batcher)->FileAsync(Portal(kSunita, i == 7 ? "" : "async #" + std::to_string(i)),
                          [&, i](Result<grievance::Filed> r) {
                            std::lock_guard lock(mu);
                            ++answers[i];
                            results[i] = std::move(r);
                            all_done.notify_all();
                          });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(20), [&] {
      return std::all_of(answers.begin(), answers.end(), [](int a) { return a > 0; });
    }));
  }
  std::set<std::string> tickets;
  for (int i = 0; i < kFilings; ++i) {
    EXPECT_EQ(answers[i], 1) << i;
    ASSERT_TRUE(results[i].has_value());
    if (i == 7) {  // its own error, not the batch's
      EXPECT_EQ(results[i]->status().code(), StatusCode::kInvalidArgument);
      continue;
    }
    ASSERT_TRUE(results[i]->ok()) << results[i]->status();
    auto g = grievance::GetByTicket(db(), (*results[i])->ticket);
    ASSERT_TRUE(g.ok()) << g.status();  // answered only once committed
    EXPECT_EQ(g->description, "async #" + std::to_string(i));
    tickets.insert((*results[i])->ticket);
  }
  EXPECT_EQ(tickets.size(), static_cast<size_t>(kFilings - 1));
  EXPECT_EQ((*batcher)->filed(), kFilings);
  EXPECT_GT((*batcher)->largest_batch(), 1);
}

TEST_P(GrievanceIntakeBatcherTest, AsyncFilingsQueuedBeforeStopAreAllAnswered) {
  constexpr int kFilings = 10;
  std::atomic<int> ok{0}, answered{0};
  {
    auto batcher = GrievanceIntakeBatcher::Start(
        Url(), clock_, {.max_batch = 4, .linger = std::chrono::milliseconds(20)});
    ASSERT_TRUE(batcher.ok()) << batcher.status();
    for (int i = 0; i < kFilings; ++i) {
      (*batcher)->FileAsync(Portal(kOther, "before stop #" + std::to_string(i)),
                            [&](Result<grievance::Filed> r) {
                              if (r.ok()) ++ok;
                              ++answered;
                            });
    }
  }  // the destructor files what is queued and answers it
  EXPECT_EQ(answered.load(), kFilings);
  EXPECT_EQ(ok.load(), kFilings);
  EXPECT_EQ(Count("grievances"), kFilings);
}

TEST_P(GrievanceIntakeBatcherTest, StartRefusesAnEmptyBatchSize) {
  auto batcher = GrievanceIntakeBatcher::Start(Url(), clock_, {.max_batch = 0});
  EXPECT_EQ(batcher.status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, GrievanceIntakeBatcherTest,
                         ::testing::ValuesIn(storage::testing::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace spode::api
