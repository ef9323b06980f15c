#include "common/bounded_queue.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace spode {
namespace {

TEST(BoundedQueueTest, EveryItemArrivesOnceInOrderAndTheProducerWaitsWhileFull) {
  BoundedQueue<int> q(2);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 1000; ++i) {
      ASSERT_TRUE(q.Push(i));
      pushed = i + 1;
    }
    q.Close();
  });
  // Nothing popped yet: the producer stops at the capacity, and stays there.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (pushed.load() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(pushed.load(), 2);
  std::vector<int> got;
  while (std::optional<int> v = q.Pop()) got.push_back(*v);
  producer.join();
  ASSERT_EQ(got.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(got[static_cast<size_t>(i)], i);
}

TEST(BoundedQueueTest, ClosingByTheConsumerStopsAWaitingProducer) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.Push(1));
  std::atomic<bool> refused{false};
  std::thread producer([&] { refused = !q.Push(2); });  // waits: the queue is full
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  q.Close();
  producer.join();
  EXPECT_TRUE(refused.load());
  EXPECT_FALSE(q.Push(3));
  // What was queued before the close is still there; then nothing.
  EXPECT_EQ(q.Pop(), std::optional<int>(1));
  EXPECT_EQ(q.Pop(), std::nullopt);
}

TEST(BoundedQueueTest, APopWaitsForAnItemOrTheClose) {
  BoundedQueue<int> q(4);
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_TRUE(q.Push(7));
    q.Close();
  });
  EXPECT_EQ(q.Pop(), std::optional<int>(7));
  EXPECT_EQ(q.Pop(), std::nullopt);
  later.join();
}

}  // namespace
}  // namespace spode
