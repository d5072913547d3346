// Metrics: a small registry of counters, gauges and fixed-bucket histograms with labels, rendered
// in the Prometheus text exposition format 0.0.4 (docs/metrics.md lists every metric).
//
// Like Kafka's Yammer default registry, default_registry() is one per process: hot paths reach
// their metric without plumbing, and a child metric, once created, lives as long as the process,
// so callers keep references to it. Updating a Counter, Gauge or Histogram is a few relaxed
// atomics and never locks; only finding or creating a labelled child (Family::with) takes the
// family's mutex, so hot paths look their children up once (per API key, per partition) and
// keep the reference.
// Gauges that can be computed when scraped are callbacks (Registry::add_callback), removed by
// destroying the returned CallbackHandle (a broker's callbacks go with the broker).
// Thread-safe throughout.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sluice::broker::metrics {

// Label name -> value pairs, in the family's label order.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { counter, gauge, histogram };

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets at render time; each observation lands in the first bucket whose upper
// bound is >= the value (the last is +Inf).
class Histogram {
 public:
  explicit Histogram(std::shared_ptr<const std::vector<double>> bounds);
  void observe(double v);
  [[nodiscard]] const std::vector<double>& bounds() const { return *bounds_; }
  // Per-bucket (not cumulative) counts, bounds().size() + 1 of them (the last is +Inf).
  [[nodiscard]] std::vector<uint64_t> bucket_counts() const;
  [[nodiscard]] uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  [[nodiscard]] double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::shared_ptr<const std::vector<double>> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// One sample of a callback family: labels and value.
struct Sample {
  Labels labels;
  double value = 0;
};

// The metric families share this base so the registry can render them in name order.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> label_names)
      : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {}
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& help() const { return help_; }
  [[nodiscard]] Type type() const { return type_; }
  // Appends the family's sample lines (no # HELP / # TYPE) to `out`.
  virtual void render_samples(std::string& out) const = 0;

 protected:
  // The label set for `values`, in label_names_ order. REQUIRES: as many values as label names.
  [[nodiscard]] Labels labels_of(const std::vector<std::string>& values) const;

  const std::string name_;
  const std::string help_;
  const Type type_;
  const std::vector<std::string> label_names_;
};

template <typename M>
class Family final : public FamilyBase {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
         std::shared_ptr<const std::vector<double>> bounds = nullptr)
      : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)), bounds_(std::move(bounds)) {}
  // The child for these label values (in label-name order), created on first use. The reference
  // stays valid for the life of the process.
  M& with(const std::vector<std::string>& values = {});
  void render_samples(std::string& out) const override;

 private:
  std::shared_ptr<const std::vector<double>> bounds_;  // histograms only
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class Registry;

// Removes its callback from the registry when destroyed.
class CallbackHandle {
 public:
  CallbackHandle() = default;
  CallbackHandle(Registry* registry, uint64_t id) : registry_(registry), id_(id) {}
  CallbackHandle(CallbackHandle&& other) noexcept { *this = std::move(other); }
  CallbackHandle& operator=(CallbackHandle&& other) noexcept;
  ~CallbackHandle() { reset(); }
  void reset();

 private:
  Registry* registry_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  // Returns the family of that name, creating it on first use. A second call with the same name
  // must agree on type (checked: a mismatch is a bug).
  CounterFamily& counter(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  GaugeFamily& gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
  HistogramFamily& histogram(const std::string& name, const std::string& help, std::vector<std::string> label_names,
                             std::vector<double> bounds);

  // A family computed at scrape time: `collect` returns its samples (called on the scraping
  // thread, so it must be thread-safe). Counters' names end in _total.
  [[nodiscard]] CallbackHandle add_callback(std::string name, std::string help, Type type,
                                            std::function<std::vector<Sample>()> collect);

  // Every family, in name order: the Prometheus text format 0.0.4.
  [[nodiscard]] std::string render() const;

 private:
  friend class CallbackHandle;
  struct Callback {
    std::string name, help;
    Type type;
    std::function<std::vector<Sample>()> collect;
  };
  FamilyBase& find_or_add(const std::string& name, Type type, const std::function<std::unique_ptr<FamilyBase>()>& make);
  void remove_callback(uint64_t id);

  // Two locks, never held together: a callback may take its own locks (the ReplicaManager's),
  // under which hot paths create families (a Partition's topic metrics), so callbacks must not
  // run under families_mutex_.
  mutable std::mutex families_mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
  // Held while the callbacks run: a CallbackHandle's destructor waits for a scrape using it.
  mutable std::mutex callbacks_mutex_;
  std::map<uint64_t, Callback> callbacks_;
  uint64_t next_callback_ = 1;
};

Registry& default_registry();

// Text-format helpers, shared with routes that render families of their own.
std::string escape_label_value(const std::string& value);
std::string format_value(double v);
// `name{labels} value\n` (no braces without labels); `extra` is one more label (le="...").
void append_sample(std::string& out, const std::string& name, const Labels& labels, double value,
                   const std::pair<std::string, std::string>* extra = nullptr);
// # HELP and # TYPE lines, then `samples`.
void append_family(std::string& out, const std::string& name, const std::string& help, Type type,
                   const std::vector<Sample>& samples);

}  // namespace sluice::broker::metrics
