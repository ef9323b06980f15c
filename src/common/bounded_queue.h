// BoundedQueue<T>: hands items from producing threads to consuming threads, at most `capacity`
// waiting at a time, so that a fast producer waits for a slow consumer instead of filling memory.
//
//   BoundedQueue<Chunk> q(4);
//   producer:  if (!q.Push(std::move(chunk))) return;  // closed: the consumer gave up
//              ...; q.Close();                        // no more: the consumer drains, then stops
//   consumer:  while (std::optional<Chunk> c = q.Pop()) Use(*c);
//              (or q.Close() to stop the producer early: its next Push returns false)
//
// Thread-safe: any thread may call any member.
#ifndef SPODE_COMMON_BOUNDED_QUEUE_H_
#define SPODE_COMMON_BOUNDED_QUEUE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace spode {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Waits while the queue is full. False, and `item` not taken, once the queue is closed.
  bool Push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || closed_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  // Waits while the queue is empty and open. The oldest item, or nothing once the queue is
  // closed and empty.
  std::optional<T> Pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !items_.empty() || closed_; });
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  // No more items will be pushed: waiting Pushes return false, and Pops return what is left,
  // then nothing. Idempotent.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace spode

#endif  // SPODE_COMMON_BOUNDED_QUEUE_H_
