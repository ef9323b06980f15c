// ProgressBar: shows progress of long CLI work on standard error, only when standard error is a
// terminal and CI is not set; otherwise silent (scripts, pipes and CI logs stay clean).
//
//   ProgressBar bar("importing", total_bytes);
//   bar.Update(done_bytes);   // cheap: redraws at most ten times a second
//   bar.Finish();             // clears the line
//
// Thread-safety: Update may be called from one thread at a time.
#ifndef SPODE_COMMON_PROGRESS_H_
#define SPODE_COMMON_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace spode {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(int64_t done);
  void Finish();
  bool visible() const { return visible_; }

  // True when a bar would be shown: stderr is a terminal and the CI variable is unset.
  static bool ShouldShow();

 private:
  void Draw(int64_t done);
  std::string label_;
  int64_t total_;
  bool visible_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace spode

#endif  // SPODE_COMMON_PROGRESS_H_
