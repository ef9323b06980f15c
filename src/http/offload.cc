#include "http/offload.h"

#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "common/thread_name.h"

namespace spode::http {

Offload::Offload(int threads) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this, i] {
      NameThisThread("spode-offload-" + std::to_string(i));
      Run();
    });
  }
}

Offload::~Offload() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void Offload::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void Offload::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing is left to answer
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
  }
}

Handler Offload::Wrap(Handler handler) {
  return [this, handler = std::move(handler)](Request& request) {
    // The request object is the connection's, reused for its next request once this one is
    // answered: the job gets a copy, with the body (possibly a whole bank file) moved into it.
    std::string body = std::move(request.body);
    auto copy = std::make_shared<Request>(request);
    copy->body = std::move(body);
    auto pending = std::make_shared<PendingResponse>();
    Post([handler, copy, pending] {
      Response response;
      try {
        response = handler(*copy);
      } catch (...) {
        response = HandlerThrew(*copy, std::current_exception());
      }
      pending->Resolve(std::move(response));
    });
    return Later(pending);
  };
}

}  // namespace spode::http
