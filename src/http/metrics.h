// Metrics: a small registry of counters, gauges and histograms rendered in the Prometheus text
// exposition format, version 0.0.4 (serve Render() with kMetricsContentType at /metrics).
//
//   Metrics metrics;
//   Counter& sent = metrics.AddCounter("spode_notify_sent_total", "Notifications sent.");
//   sent.Increment();
//   CounterFamily& paid = metrics.AddCounterFamily("spode_payments_total", "Payments.",
//                                                  {"scheme", "status"});
//   paid.WithLabels({"oap", "settled"}).Increment();   // look the series up once, keep the ref
//   metrics.AddCollector([&](std::string& out) { out += pool.PrometheusText(); });
//   std::string text = metrics.Render();
//
// The server (server.h) records
//   spode_http_requests_total{route,method,status}     counter
//   spode_http_request_duration_seconds{route}          histogram, kLatencyBuckets
//   spode_http_connections_active                       gauge
//
// Names must match [a-zA-Z_:][a-zA-Z0-9_:]*; that is the caller's responsibility (they are
// constants in code, never input). Label values are escaped on output.
//
// Thread-safety: everything here may be called from any thread. Counter, Gauge and Histogram
// updates are lock-free atomics; WithLabels and registration take a mutex, so hot paths look a
// series up once and keep the reference. Every family and series lives as long as the Metrics
// object: references stay valid until it is destroyed. Collectors run under the registry's
// render mutex and must not call back into the same Metrics.
#ifndef SPODE_HTTP_METRICS_H_
#define SPODE_HTTP_METRICS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace spode::http {

inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Request latency buckets in seconds: 0.5 ms to 10 s.
inline const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending (the +Inf bucket is implicit).
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // The number of observations <= bounds()[i] (not cumulative over buckets: only those above
  // bounds()[i-1]); index bounds().size() holds those above the last bound.
  uint64_t bucket_count(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// A metric name with its label names; one series per distinct tuple of label values.
template <typename T>
class Family {
 public:
  // The series for `values` (one per label name, in order), created on first use. A wrong
  // number of values is a caller's bug: missing ones are "", extra ones ignored.
  T& WithLabels(std::initializer_list<std::string_view> values);
  T& WithLabels(const std::vector<std::string>& values);

  const std::vector<std::string>& label_names() const { return label_names_; }

 private:
  friend class Metrics;
  template <typename It>
  T& Lookup(It begin, It end);
  std::function<std::unique_ptr<T>()> make_;
  std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  struct Series {
    std::vector<std::string> values;
    std::unique_ptr<T> metric;
  };
  // Key: the label values joined by '\x1f'. Sorted, so output is stable.
  std::map<std::string, Series> series_;  // guarded by mu_
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Metrics {
 public:
  using Collector = std::function<void(std::string& out)>;

  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Each returns the family registered under `name`, creating it on first call. Registering a
  // name again with another kind or other label names is a caller's bug: it returns a family
  // that is never rendered (and asserts in debug builds).
  CounterFamily& AddCounterFamily(std::string_view name, std::string_view help,
                                  std::vector<std::string> label_names);
  GaugeFamily& AddGaugeFamily(std::string_view name, std::string_view help,
                              std::vector<std::string> label_names);
  HistogramFamily& AddHistogramFamily(std::string_view name, std::string_view help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds);
  // Families without labels, returning their single series.
  Counter& AddCounter(std::string_view name, std::string_view help);
  Gauge& AddGauge(std::string_view name, std::string_view help);

  // Adds text (complete "# HELP"/"# TYPE"/sample lines, each ending in '\n') at every Render.
  void AddCollector(Collector collector);

  // Every family in registration order, then every collector's text.
  std::string Render() const;

 private:
  struct Entry;
  template <typename T>
  Family<T>& Register(std::string_view name, std::string_view help, int kind,
                      std::vector<std::string> label_names,
                      std::function<std::unique_ptr<T>()> make);

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Entry>> entries_;   // guarded by mu_
  std::vector<std::unique_ptr<Entry>> rejected_;  // guarded by mu_; kept alive, not rendered
  std::vector<Collector> collectors_;             // guarded by mu_
};

}  // namespace spode::http

#endif  // SPODE_HTTP_METRICS_H_
