#include "http/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

namespace spode::http {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCounterAndGauge) {
  Metrics metrics;
  Counter& sent = metrics.AddCounter("spode_sent_total", "Messages sent.");
  sent.Increment();
  sent.Increment(2);
  Gauge& depth = metrics.AddGauge("spode_queue_depth", "Queue depth.");
  depth.Set(5);
  depth.Add(-1.5);
  EXPECT_EQ(metrics.Render(),
            "# HELP spode_sent_total Messages sent.\n"
            "# TYPE spode_sent_total counter\n"
            "spode_sent_total 3\n"
            "# HELP spode_queue_depth Queue depth.\n"
            "# TYPE spode_queue_depth gauge\n"
            "spode_queue_depth 3.5\n");
}

TEST(MetricsTest, LabelsAreSortedAndEscaped) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounterFamily("spode_x_total", "X.", {"a", "b"});
  family.WithLabels({"2", "q\"\\\n"}).Increment();
  family.WithLabels({"1", "y"}).Increment(4);
  EXPECT_THAT(metrics.Render(), HasSubstr("spode_x_total{a=\"1\",b=\"y\"} 4\n"
                                          "spode_x_total{a=\"2\",b=\"q\\\"\\\\\\n\"} 1\n"));
}

TEST(MetricsTest, SameSeriesIsReturnedOnce) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounterFamily("spode_y_total", "Y.", {"k"});
  EXPECT_EQ(&family.WithLabels({"v"}), &family.WithLabels({"v"}));
  EXPECT_EQ(&family, &metrics.AddCounterFamily("spode_y_total", "Y.", {"k"}));
}

TEST(MetricsTest, RendersHistogramCumulatively) {
  Metrics metrics;
  HistogramFamily& family =
      metrics.AddHistogramFamily("spode_latency_seconds", "Latency.", {"route"}, {0.25, 1});
  Histogram& h = family.WithLabels({"/a"});
  h.Observe(0.125);
  h.Observe(0.25);  // on the bound: in the 0.25 bucket
  h.Observe(0.5);
  h.Observe(3);
  EXPECT_EQ(metrics.Render(),
            "# HELP spode_latency_seconds Latency.\n"
            "# TYPE spode_latency_seconds histogram\n"
            "spode_latency_seconds_bucket{route=\"/a\",le=\"0.25\"} 2\n"
            "spode_latency_seconds_bucket{route=\"/a\",le=\"1\"} 3\n"
            "spode_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 4\n"
            "spode_latency_seconds_sum{route=\"/a\"} 3.875\n"
            "spode_latency_seconds_count{route=\"/a\"} 4\n");
}

TEST(MetricsTest, CollectorTextIsAppended) {
  Metrics metrics;
  metrics.AddCollector([](std::string& out) { out += "spode_build_info{version=\"0.1.0\"} 1\n"; });
  EXPECT_EQ(metrics.Render(), "spode_build_info{version=\"0.1.0\"} 1\n");
}

TEST(MetricsTest, ConcurrentIncrementsAreCounted) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounterFamily("spode_c_total", "C.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) family.WithLabels({"x"}).Increment();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.WithLabels({"x"}).value(), 40000u);
}

TEST(MetricsTest, LatencyBucketsSpanHalfAMillisecondToTenSeconds) {
  EXPECT_EQ(LatencyBuckets().front(), 0.0005);
  EXPECT_EQ(LatencyBuckets().back(), 10);
  EXPECT_TRUE(std::is_sorted(LatencyBuckets().begin(), LatencyBuckets().end()));
}

}  // namespace
}  // namespace spode::http
