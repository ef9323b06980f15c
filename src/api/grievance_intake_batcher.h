// GrievanceIntakeBatcher: group commit for POST /api/v1/grievances. A ticket is promised only
// after its grievance is committed, and a commit costs a disk flush (SQLite synchronous=FULL, or
// PostgreSQL's WAL flush); one flush per request would cap filings at the disk's flush rate.
// Instead the HTTP worker threads hand their checked filing to File, which queues it and waits;
// one writer thread, with a connection of its own, takes whatever is queued (up to
// `max_batch`), files it with grievance::FileBatch in ONE transaction and wakes each waiter with
// its own ticket or its own error. Under load, the filings that arrive while one batch commits
// make up the next, so many requests share one flush.
//
//   ASSIGN_OR_RETURN(auto batcher, GrievanceIntakeBatcher::Start(url, clock));
//   ASSIGN_OR_RETURN(grievance::Filed filed, batcher->File(input));   // blocks until committed
//   batcher->FileAsync(input, [](Result<grievance::Filed> r) { ... });  // returns at once
//
// Every filing must already have passed the caller's access checks: the batcher only files.
// The HTTP handler uses FileAsync with an http::PendingResponse, so a filing waiting for its
// flush holds no worker thread: batches grow with the number of connections waiting, and the
// server needs no more workers than cores.
//
// Errors from File: the input's own error, exactly as grievance::File would return it
// (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION...); the batch's error when its
// transaction could not begin or commit (UNAVAILABLE, ABORTED...: no ticket was given, and the
// writer reopens its connection before the next batch); UNAVAILABLE when the batcher is
// stopping.
//
// Thread-safety: File may be called from any number of threads at once. The destructor files
// what is already queued, answers its waiters and stops the writer; no File call may still be
// running or start then.
#ifndef SPODE_API_GRIEVANCE_INTAKE_BATCHER_H_
#define SPODE_API_GRIEVANCE_INTAKE_BATCHER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"
#include "common/time_source.h"
#include "grievance/intake.h"
#include "storage/database.h"

namespace spode::api {

class GrievanceIntakeBatcher {
 public:
  struct Options {
    // The most filings one transaction takes; more wait for the next.
    int max_batch = 256;
    // How long the writer, woken by a first filing while no batch is committing, waits for
    // others to join it before it begins. 0 files at once: batches then form only from what
    // queues up during the previous commit.
    std::chrono::microseconds linger{0};
    grievance::Policy policy = {};
    storage::OpenOptions open = {};
  };

  // Opens the writer's connection to `url` (the same database the server's workers use) and
  // starts the writer thread. `clock` is borrowed and must outlive the batcher. The database's
  // error when it cannot be opened.
  static Result<std::unique_ptr<GrievanceIntakeBatcher>> Start(std::string url,
                                                               const TimeSource& clock,
                                                               Options options);
  static Result<std::unique_ptr<GrievanceIntakeBatcher>> Start(std::string url,
                                                               const TimeSource& clock) {
    return Start(std::move(url), clock, Options{});
  }
  ~GrievanceIntakeBatcher();
  GrievanceIntakeBatcher(const GrievanceIntakeBatcher&) = delete;
  GrievanceIntakeBatcher& operator=(const GrievanceIntakeBatcher&) = delete;

  // Files `input` in the next batch and returns once that batch has committed (or failed).
  Result<grievance::Filed> File(const grievance::GrievanceInput& input);
  // The same without waiting: `done` is called once, on the writer thread (or on this one when
  // the batcher is stopping), after the batch has committed or failed. `done` must not block
  // for long: the batch's other filings are answered after it.
  void FileAsync(grievance::GrievanceInput input,
                 std::function<void(Result<grievance::Filed>)> done);

  // Counters, for tests and metrics: filings answered, and transactions committed or failed.
  int64_t filed() const;
  int64_t batches() const;
  int64_t largest_batch() const;

 private:
  struct Waiter;
  GrievanceIntakeBatcher(std::string url, const TimeSource& clock, Options options,
                         std::unique_ptr<storage::Database> db);
  void Run();

  const std::string url_;
  const TimeSource& clock_;
  const Options options_;
  std::unique_ptr<storage::Database> db_;  // the writer thread's only

  mutable std::mutex mu_;
  std::condition_variable queued_;  // the writer waits for filings
  std::deque<Waiter*> queue_;         // GUARDED_BY(mu_)
  bool stop_ = false;                 // GUARDED_BY(mu_)
  int64_t filed_ = 0;                 // GUARDED_BY(mu_)
  int64_t batches_ = 0;               // GUARDED_BY(mu_)
  int64_t largest_batch_ = 0;         // GUARDED_BY(mu_)
  std::thread writer_;
};

}  // namespace spode::api

#endif  // SPODE_API_GRIEVANCE_INTAKE_BATCHER_H_
