#include "api/grievance_intake_batcher.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "common/thread_name.h"

namespace spode::api {

// One filing waiting for its batch. From File: on the waiting thread's stack, answered through
// `result` and `answered`. From FileAsync: owned by the queue (`owned` holds the input), and
// answered by calling `done`.
struct GrievanceIntakeBatcher::Waiter {
  const grievance::GrievanceInput* input;
  std::optional<Result<grievance::Filed>> result;  // GUARDED_BY(mu_)
  // Its own, so that answering a batch wakes only that batch's waiters, not every thread
  // waiting (with 64 workers, a shared one cost a context switch per waiter per batch).
  std::condition_variable answered;
  std::function<void(Result<grievance::Filed>)> done;
  std::optional<grievance::GrievanceInput> owned;
};

Result<std::unique_ptr<GrievanceIntakeBatcher>> GrievanceIntakeBatcher::Start(
    std::string url, const TimeSource& clock, Options options) {
  if (options.max_batch < 1) return InvalidArgumentError("max_batch: at least 1");
  RETURN_IF_ERROR(options.policy.Validate());
  ASSIGN_OR_RETURN(auto db, storage::Open(url, options.open));
  return std::unique_ptr<GrievanceIntakeBatcher>(
      new GrievanceIntakeBatcher(std::move(url), clock, std::move(options), std::move(db)));
}

GrievanceIntakeBatcher::GrievanceIntakeBatcher(std::string url, const TimeSource& clock,
                                               Options options,
                                               std::unique_ptr<storage::Database> db)
    : url_(std::move(url)), clock_(clock), options_(std::move(options)), db_(std::move(db)) {
  writer_ = std::thread([this] {
    NameThisThread("spode-intake");
    Run();
  });
}

GrievanceIntakeBatcher::~GrievanceIntakeBatcher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  queued_.notify_all();
  writer_.join();
}

Result<grievance::Filed> GrievanceIntakeBatcher::File(const grievance::GrievanceInput& input) {
  Waiter waiter{&input, std::nullopt, {}, {}, std::nullopt};
  std::unique_lock lock(mu_);
  if (stop_) return UnavailableError("the server is stopping; file the grievance again");
  queue_.push_back(&waiter);
  queued_.notify_one();
  waiter.answered.wait(lock, [&] { return waiter.result.has_value(); });
  return std::move(*waiter.result);
}

void GrievanceIntakeBatcher::FileAsync(grievance::GrievanceInput input,
                                       std::function<void(Result<grievance::Filed>)> done) {
  auto waiter = std::make_unique<Waiter>();
  waiter->owned = std::move(input);
  waiter->input = &*waiter->owned;
  waiter->done = std::move(done);
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      queue_.push_back(waiter.release());
      queued_.notify_one();
      return;
    }
  }
  waiter->done(UnavailableError("the server is stopping; file the grievance again"));
}

int64_t GrievanceIntakeBatcher::filed() const {
  std::lock_guard lock(mu_);
  return filed_;
}

int64_t GrievanceIntakeBatcher::batches() const {
  std::lock_guard lock(mu_);
  return batches_;
}

int64_t GrievanceIntakeBatcher::largest_batch() const {
  std::lock_guard lock(mu_);
  return largest_batch_;
}

void GrievanceIntakeBatcher::Run() {
  const size_t max_batch = static_cast<size_t>(options_.max_batch);
  std::vector<Waiter*> batch;
  std::vector<grievance::GrievanceInput> inputs;
  std::unique_lock lock(mu_);
  while (true) {
    queued_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) break;  // stopping, and everything queued has been answered
    if (options_.linger.count() > 0 && queue_.size() < max_batch && !stop_) {
      queued_.wait_for(lock, options_.linger, [&] { return stop_ || queue_.size() >= max_batch; });
    }
    const size_t n = std::min(queue_.size(), max_batch);
    batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();

    inputs.clear();
    for (Waiter* w : batch) inputs.push_back(*w->input);
    Result<std::vector<Result<grievance::Filed>>> each =
        db_ ? grievance::FileBatch(*db_, clock_, inputs, options_.policy)
            : Result<std::vector<Result<grievance::Filed>>>(
                  UnavailableError("grievance intake: no database connection"));
    if (!each.ok()) {
      spdlog::warn("grievance intake: a batch of {} failed: {}", n, each.status().ToString());
      if (each.status().code() == StatusCode::kUnavailable) {
        // The connection may be gone: the next batch gets a new one.
        db_.reset();
        auto reopened = storage::Open(url_, options_.open);
        if (reopened.ok()) {
          db_ = std::move(*reopened);
        } else {
          spdlog::error("grievance intake: {}", reopened.status().ToString());
        }
      }
    }

    std::vector<std::pair<std::unique_ptr<Waiter>, Result<grievance::Filed>>> later;
    lock.lock();
    filed_ += static_cast<int64_t>(n);
    ++batches_;
    largest_batch_ = std::max(largest_batch_, static_cast<int64_t>(n));
    for (size_t i = 0; i < n; ++i) {
      Result<grievance::Filed> r =
          each.ok() ? std::move((*each)[i]) : Result<grievance::Filed>(each.status());
      if (batch[i]->done) {
        later.emplace_back(std::unique_ptr<Waiter>(batch[i]), std::move(r));
      } else {
        batch[i]->result = std::move(r);
        // Under the lock: a waiter leaves (and its Waiter goes) only once it holds the lock
        // again.
        batch[i]->answered.notify_one();
      }
    }
    if (!later.empty()) {
      // The asynchronous filings are answered outside the lock: their callbacks send responses.
      lock.unlock();
      for (auto& [waiter, r] : later) waiter->done(std::move(r));
      later.clear();
      lock.lock();
    }
  }
}

}  // namespace spode::api
