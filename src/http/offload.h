// Offload: threads of their own for the handlers that work for a long while (a password's
// Argon2id, a payment cycle of a million beneficiaries). Each HTTP worker thread serves its own
// connections (README.md, "Model"), so a handler that ran for seconds there would hold back every
// other connection of that thread. A handler wrapped by Offload::Wrap returns Later(pending) at
// once; the handler itself runs on one of the pool's threads and resolves `pending` with its
// response.
//
//   http::Offload slow(2);
//   router.Add("POST", "/api/v1/cycles/{id}/export", slow.Wrap(export_cycle));
//
// The wrapped handler gets its own copy of the request; the body is moved, not copied, and the
// server does not read it again. The handler must be thread-safe, as any handler.
//
// Lifetime: the pool must outlive the routes that use it being called. The destructor runs what
// is already queued (each request is answered, or, once the server has gone, its answer is
// dropped), then joins its threads; nothing may be posted meanwhile.
#ifndef SPODE_HTTP_OFFLOAD_H_
#define SPODE_HTTP_OFFLOAD_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "http/router.h"

namespace spode::http {

class Offload {
 public:
  // `threads` at least 1.
  explicit Offload(int threads);
  ~Offload();
  Offload(const Offload&) = delete;
  Offload& operator=(const Offload&) = delete;

  // `handler`, run on this pool's threads and answered through a PendingResponse. A handler
  // that throws is answered with a 500 problem, as the router answers one that throws.
  // `handler` itself must answer, not return Later().
  Handler Wrap(Handler handler);

 private:
  void Post(std::function<void()> job);
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;  // GUARDED_BY(mu_)
  bool stop_ = false;                       // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

}  // namespace spode::http

#endif  // SPODE_HTTP_OFFLOAD_H_
