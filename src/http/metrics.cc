#include "http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>

namespace spode::http {
namespace {

enum Kind { kCounter = 0, kGauge = 1, kHistogram = 2 };

constexpr char kKeySeparator = '\x1f';

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void AppendEscaped(std::string& out, std::string_view text, bool escape_quotes) {
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '"':
        out += escape_quotes ? "\\\"" : "\"";
        break;
      default:
        out += c;
    }
  }
}

// Appends `{a="x",b="y"` (no closing brace) or nothing when there are no labels; `open` tells
// whether a brace was written.
bool AppendLabels(std::string& out, const std::vector<std::string>& names,
                  const std::vector<std::string>& values) {
  if (names.empty()) return false;
  out += '{';
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    AppendEscaped(out, i < values.size() ? values[i] : std::string_view(), true);
    out += '"';
  }
  return true;
}

void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const std::vector<std::string>& label_names,
                  const std::vector<std::string>& values, std::string_view extra_label,
                  std::string_view value) {
  out += name;
  out += suffix;
  bool open = AppendLabels(out, label_names, values);
  if (!extra_label.empty()) {
    out += open ? ',' : '{';
    out += extra_label;
    open = true;
  }
  if (open) out += '}';
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  std::sort(bounds_.begin(), bounds_.end());
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

template <typename T>
template <typename It>
T& Family<T>::Lookup(It begin, It end) {
  std::vector<std::string> values;
  values.reserve(label_names_.size());
  for (It it = begin; it != end && values.size() < label_names_.size(); ++it) {
    values.emplace_back(*it);
  }
  assert(values.size() == label_names_.size() && "wrong number of label values");
  values.resize(label_names_.size());
  std::string key;
  for (const std::string& v : values) {
    key += v;
    key += kKeySeparator;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    it = series_.emplace(std::move(key), Series{std::move(values), make_()}).first;
  }
  return *it->second.metric;
}

template <typename T>
T& Family<T>::WithLabels(std::initializer_list<std::string_view> values) {
  return Lookup(values.begin(), values.end());
}

template <typename T>
T& Family<T>::WithLabels(const std::vector<std::string>& values) {
  return Lookup(values.begin(), values.end());
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

struct Metrics::Entry {
  std::string name;
  std::string help;
  int kind = kCounter;
  std::vector<double> bounds;  // histograms
  std::unique_ptr<CounterFamily> counters;
  std::unique_ptr<GaugeFamily> gauges;
  std::unique_ptr<HistogramFamily> histograms;

  const std::vector<std::string>& label_names() const {
    if (counters) return counters->label_names();
    if (gauges) return gauges->label_names();
    return histograms->label_names();
  }
  template <typename T>
  std::unique_ptr<Family<T>>& slot() {
    if constexpr (std::is_same_v<T, Counter>) {
      return counters;
    } else if constexpr (std::is_same_v<T, Gauge>) {
      return gauges;
    } else {
      return histograms;
    }
  }
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

template <typename T>
Family<T>& Metrics::Register(std::string_view name, std::string_view help, int kind,
                             std::vector<std::string> label_names,
                             std::function<std::unique_ptr<T>()> make) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& entry : entries_) {
    if (entry->name != name) continue;
    if (entry->kind == kind && entry->label_names() == label_names && entry->slot<T>()) {
      return *entry->slot<T>();
    }
    assert(false && "metric registered twice with another kind or other labels");
    auto rejected = std::make_unique<Entry>();
    rejected->slot<T>() = std::make_unique<Family<T>>();
    rejected->slot<T>()->make_ = std::move(make);
    rejected->slot<T>()->label_names_ = std::move(label_names);
    rejected_.push_back(std::move(rejected));
    return *rejected_.back()->slot<T>();
  }
  auto entry = std::make_unique<Entry>();
  entry->name = std::string(name);
  entry->help = std::string(help);
  entry->kind = kind;
  auto family = std::make_unique<Family<T>>();
  family->make_ = std::move(make);
  family->label_names_ = std::move(label_names);
  entry->slot<T>() = std::move(family);
  entries_.push_back(std::move(entry));
  return *entries_.back()->slot<T>();
}

CounterFamily& Metrics::AddCounterFamily(std::string_view name, std::string_view help,
                                         std::vector<std::string> label_names) {
  return Register<Counter>(name, help, kCounter, std::move(label_names),
                           [] { return std::make_unique<Counter>(); });
}

GaugeFamily& Metrics::AddGaugeFamily(std::string_view name, std::string_view help,
                                     std::vector<std::string> label_names) {
  return Register<Gauge>(name, help, kGauge, std::move(label_names),
                         [] { return std::make_unique<Gauge>(); });
}

HistogramFamily& Metrics::AddHistogramFamily(std::string_view name, std::string_view help,
                                             std::vector<std::string> label_names,
                                             std::vector<double> bounds) {
  return Register<Histogram>(
      name, help, kHistogram, std::move(label_names),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
}

Counter& Metrics::AddCounter(std::string_view name, std::string_view help) {
  return AddCounterFamily(name, help, {}).WithLabels({});
}

Gauge& Metrics::AddGauge(std::string_view name, std::string_view help) {
  return AddGaugeFamily(name, help, {}).WithLabels({});
}

void Metrics::AddCollector(Collector collector) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collector));
}

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  out.reserve(4096);
  static const char* const kTypeNames[] = {"counter", "gauge", "histogram"};
  for (const auto& entry : entries_) {
    out += "# HELP ";
    out += entry->name;
    out += ' ';
    AppendEscaped(out, entry->help, false);
    out += "\n# TYPE ";
    out += entry->name;
    out += ' ';
    out += kTypeNames[entry->kind];
    out += '\n';
    const std::vector<std::string>& names = entry->label_names();
    if (entry->counters) {
      std::lock_guard<std::mutex> family_lock(entry->counters->mu_);
      for (const auto& [key, series] : entry->counters->series_) {
        AppendSample(out, entry->name, "", names, series.values, "",
                     std::to_string(series.metric->value()));
      }
    } else if (entry->gauges) {
      std::lock_guard<std::mutex> family_lock(entry->gauges->mu_);
      for (const auto& [key, series] : entry->gauges->series_) {
        AppendSample(out, entry->name, "", names, series.values, "",
                     FormatValue(series.metric->value()));
      }
    } else {
      std::lock_guard<std::mutex> family_lock(entry->histograms->mu_);
      for (const auto& [key, series] : entry->histograms->series_) {
        const Histogram& h = *series.metric;
        uint64_t cumulative = 0;
        for (size_t i = 0; i <= h.bounds().size(); ++i) {
          cumulative += h.bucket_count(i);
          std::string le = "le=\"";
          le += i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
          le += '"';
          AppendSample(out, entry->name, "_bucket", names, series.values, le,
                       std::to_string(cumulative));
        }
        AppendSample(out, entry->name, "_sum", names, series.values, "", FormatValue(h.sum()));
        // The count is the +Inf bucket, so that the two always agree within one scrape.
        AppendSample(out, entry->name, "_count", names, series.values, "",
                     std::to_string(cumulative));
      }
    }
  }
  for (const Collector& collector : collectors_) collector(out);
  return out;
}

}  // namespace spode::http
