#include "common/progress.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace spode {
namespace {

using ::testing::HasSubstr;

// Sets or unsets CI for one test, restoring the previous value afterwards.
class ScopedCi {
 public:
  explicit ScopedCi(const char* value) {
    if (const char* old = std::getenv("CI")) old_ = old;
    if (value == nullptr) {
      unsetenv("CI");
    } else {
      setenv("CI", value, 1);
    }
  }
  ~ScopedCi() {
    if (old_) {
      setenv("CI", old_->c_str(), 1);
    } else {
      unsetenv("CI");
    }
  }

 private:
  std::optional<std::string> old_;
};

// Points standard error at a pseudo-terminal while alive, so that isatty(2) is true, and
// collects what is written to it.
class ScopedTerminalStderr {
 public:
  ScopedTerminalStderr() {
    master_ = posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) return;
    const char* name = ptsname(master_);
    if (name == nullptr) return;
    slave_ = open(name, O_RDWR | O_NOCTTY);
    if (slave_ < 0) return;
    termios raw;
    if (tcgetattr(slave_, &raw) == 0) {
      cfmakeraw(&raw);
      tcsetattr(slave_, TCSANOW, &raw);
    }
    fcntl(master_, F_SETFL, fcntl(master_, F_GETFL) | O_NONBLOCK);
    std::fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    dup2(slave_, STDERR_FILENO);
  }
  ~ScopedTerminalStderr() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      dup2(saved_, STDERR_FILENO);
      close(saved_);
    }
    if (slave_ >= 0) close(slave_);
    if (master_ >= 0) close(master_);
  }
  bool ok() const { return saved_ >= 0; }

  // Everything written to the terminal so far.
  std::string Read() {
    std::fflush(stderr);
    std::string out;
    char buf[512];
    ssize_t n;
    while ((n = read(master_, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int master_ = -1;
  int slave_ = -1;
  int saved_ = -1;
};

TEST(ProgressBarTest, HiddenWhenStderrIsNotATerminal) {
  ScopedCi ci(nullptr);
  ::testing::internal::CaptureStderr();  // stderr is now a file
  bool show = ProgressBar::ShouldShow();
  {
    ProgressBar bar("importing", 100);
    EXPECT_FALSE(bar.visible());
    bar.Update(0);
    bar.Update(50);
    bar.Update(100);
    bar.Finish();
  }  // the destructor writes nothing either
  std::string written = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(show);
  EXPECT_EQ(written, "");
}

TEST(ProgressBarTest, ShownOnATerminalWithoutCi) {
  ScopedTerminalStderr tty;
  if (!tty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  ScopedCi ci(nullptr);
  EXPECT_TRUE(ProgressBar::ShouldShow());
}

TEST(ProgressBarTest, CiVariableHidesTheBarEvenOnATerminal) {
  ScopedTerminalStderr tty;
  if (!tty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  {
    ScopedCi ci("true");
    EXPECT_FALSE(ProgressBar::ShouldShow());
  }
  {
    ScopedCi ci("1");
    EXPECT_FALSE(ProgressBar::ShouldShow());
  }
  {
    ScopedCi ci("false");  // explicitly not CI
    EXPECT_TRUE(ProgressBar::ShouldShow());
  }
  {
    ScopedCi ci("");
    EXPECT_TRUE(ProgressBar::ShouldShow());
  }
}

TEST(ProgressBarTest, WritesNothingUnderCi) {
  ScopedTerminalStderr tty;
  if (!tty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  ScopedCi ci("true");
  {
    ProgressBar bar("importing", 10);
    EXPECT_FALSE(bar.visible());
    bar.Update(5);
    bar.Update(10);
    bar.Finish();
  }
  EXPECT_EQ(tty.Read(), "");
}

TEST(ProgressBarTest, DrawsAndClearsOnATerminal) {
  ScopedTerminalStderr tty;
  if (!tty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  ScopedCi ci(nullptr);
  ProgressBar bar("importing", 200);
  ASSERT_TRUE(bar.visible());
  bar.Update(100);  // the first update always draws
  std::string first = tty.Read();
  EXPECT_THAT(first, HasSubstr("\rimporting [###############...............]  50%"));
  bar.Update(200);  // completion always draws
  EXPECT_THAT(tty.Read(), HasSubstr("[##############################] 100%"));
  bar.Finish();
  EXPECT_EQ(tty.Read(), "\r\033[K");
  bar.Update(150);  // after Finish: nothing
  bar.Finish();
  EXPECT_EQ(tty.Read(), "");
}

TEST(ProgressBarTest, DestructorClearsTheLine) {
  ScopedTerminalStderr tty;
  if (!tty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  ScopedCi ci(nullptr);
  {
    ProgressBar bar("x", 10);
    bar.Update(10);
    tty.Read();
  }
  EXPECT_EQ(tty.Read(), "\r\033[K");
}

// Regression: a negative `done` made Draw build a string of negative (huge) length, which threw.
TEST(ProgressBarTest, OutOfRangeProgressIsClamped) {
  ScopedTerminalStderr tty;
  if (!tty.ok()) GTEST_SKIP() << "no pseudo-terminal available";
  ScopedCi ci(nullptr);
  ProgressBar bar("x", 10);
  bar.Update(-5);
  EXPECT_THAT(tty.Read(), HasSubstr("[..............................]   0%"));
  ProgressBar over("y", 10);
  over.Update(25);
  EXPECT_THAT(tty.Read(), HasSubstr("[##############################] 100%"));
  ProgressBar empty("z", 0);  // a zero total counts as one unit
  empty.Update(0);
  EXPECT_THAT(tty.Read(), HasSubstr("z [..............................]   0%"));
}

}  // namespace
}  // namespace spode
