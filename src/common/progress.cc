#include "common/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace spode {

bool ProgressBar::ShouldShow() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false") return false;
  return isatty(STDERR_FILENO) == 1;
}

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)), total_(total > 0 ? total : 1), visible_(ShouldShow()),
      start_(std::chrono::steady_clock::now()), last_draw_() {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  if (!visible_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Draw(int64_t done) {
  constexpr int kWidth = 30;
  if (done > total_) done = total_;
  if (done < 0) done = 0;
  // In 128 bits so that totals near the int64 limit cannot overflow.
  int filled = static_cast<int>(static_cast<__int128>(done) * kWidth / total_);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  int pct = static_cast<int>(static_cast<__int128>(done) * 100 / total_);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  double eta = done > 0 ? secs * static_cast<double>(total_ - done) / static_cast<double>(done) : 0;
  std::fprintf(stderr, "\r%s [%s] %3d%%  %.0fs elapsed, ~%.0fs left ", label_.c_str(), bar.c_str(),
               pct, secs, eta);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!visible_ || finished_) return;
  finished_ = true;
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

}  // namespace spode
