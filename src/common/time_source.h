// TimeSource: where every "now" in spode comes from, so tests can move time (deadlines,
// escalations, expiries) without sleeping.
//
//   SystemTimeSource clock;            // production
//   ManualTimeSource clock(start);     // tests: clock.Advance(std::chrono::days(22));
//   Date today = clock.Today();        // the date in India (UTC+05:30) unless told otherwise
//
// Thread-safety: both implementations may be called from any thread.
#ifndef SPODE_COMMON_TIME_SOURCE_H_
#define SPODE_COMMON_TIME_SOURCE_H_

#include <atomic>
#include <chrono>

#include "common/date.h"

namespace spode {

inline constexpr int kIndiaUtcOffsetMinutes = 330;

class TimeSource {
 public:
  explicit TimeSource(int utc_offset_minutes = kIndiaUtcOffsetMinutes)
      : utc_offset_minutes_(utc_offset_minutes) {}
  virtual ~TimeSource() = default;
  virtual Timestamp Now() const = 0;
  // Today's date where the people served live.
  Date Today() const { return Now().LocalDate(utc_offset_minutes_); }
  int utc_offset_minutes() const { return utc_offset_minutes_; }

 private:
  int utc_offset_minutes_;
};

class SystemTimeSource : public TimeSource {
 public:
  using TimeSource::TimeSource;
  Timestamp Now() const override {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return Timestamp{us.count()};
  }
};

class ManualTimeSource : public TimeSource {
 public:
  explicit ManualTimeSource(Timestamp start, int utc_offset_minutes = kIndiaUtcOffsetMinutes)
      : TimeSource(utc_offset_minutes), now_(start.micros) {}
  Timestamp Now() const override { return Timestamp{now_.load()}; }
  void Set(Timestamp t) { now_.store(t.micros); }
  void Advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace spode

#endif  // SPODE_COMMON_TIME_SOURCE_H_
