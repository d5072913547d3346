#include "broker/metrics/metrics.h"

#include <algorithm>
#include <cmath>
#include <charconv>

#include "protocol/assert.h"

namespace sluice::broker::metrics {
namespace {

const char* type_name(Type type) {
  switch (type) {
    case Type::counter: return "counter";
    case Type::gauge: return "gauge";
    case Type::histogram: return "histogram";
  }
  return "untyped";
}

std::string escape_help(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<int64_t>(v));
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

void append_sample(std::string& out, const std::string& name, const Labels& labels, double value,
                   const std::pair<std::string, std::string>* extra) {
  out += name;
  if (!labels.empty() || extra != nullptr) {
    out += '{';
    bool first = true;
    auto add = [&](const std::pair<std::string, std::string>& label) {
      if (!first) out += ',';
      first = false;
      out += label.first;
      out += "=\"";
      out += escape_label_value(label.second);
      out += '"';
    };
    for (const auto& label : labels) add(label);
    if (extra != nullptr) add(*extra);
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
}

void append_family(std::string& out, const std::string& name, const std::string& help, Type type,
                   const std::vector<Sample>& samples) {
  out += "# HELP " + name + " " + escape_help(help) + "\n";
  out += "# TYPE " + name + " " + type_name(type) + "\n";
  for (const Sample& s : samples) append_sample(out, name, s.labels, s.value);
}

Histogram::Histogram(std::shared_ptr<const std::vector<double>> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  const auto it = std::lower_bound(bounds_->begin(), bounds_->end(), v);
  buckets_[static_cast<size_t>(it - bounds_->begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::bucket_counts() const {
  std::vector<uint64_t> out(bounds_->size() + 1);
  for (size_t i = 0; i < out.size(); ++i) out[i] = buckets_[i].load(std::memory_order_relaxed);
  return out;
}

Labels FamilyBase::labels_of(const std::vector<std::string>& values) const {
  Labels labels;
  for (size_t i = 0; i < label_names_.size(); ++i) labels.emplace_back(label_names_[i], values[i]);
  return labels;
}

template <typename M>
M& Family<M>::with(const std::vector<std::string>& values) {
  SLUICE_ASSERT(values.size() == label_names_.size(), "metric {}: {} label values for {} labels", name_,
                values.size(), label_names_.size());
  std::lock_guard lock(mutex_);
  auto& slot = children_[values];
  if (!slot) {
    if constexpr (std::is_same_v<M, Histogram>) {
      slot = std::make_unique<Histogram>(bounds_);
    } else {
      slot = std::make_unique<M>();
    }
  }
  return *slot;
}

template <typename M>
void Family<M>::render_samples(std::string& out) const {
  std::lock_guard lock(mutex_);
  for (const auto& [values, child] : children_) {
    const Labels labels = labels_of(values);
    if constexpr (std::is_same_v<M, Histogram>) {
      // Read the buckets first: count and sum may then run ahead by a concurrent observation,
      // never behind the +Inf bucket by much; scrapes are approximate under load anyway.
      const std::vector<uint64_t> buckets = child->bucket_counts();
      uint64_t cumulative = 0;
      for (size_t i = 0; i < buckets.size(); ++i) {
        cumulative += buckets[i];
        const std::pair<std::string, std::string> le{
            "le", i < child->bounds().size() ? format_value(child->bounds()[i]) : std::string("+Inf")};
        append_sample(out, name_ + "_bucket", labels, static_cast<double>(cumulative), &le);
      }
      append_sample(out, name_ + "_sum", labels, child->sum());
      append_sample(out, name_ + "_count", labels, static_cast<double>(cumulative));
    } else {
      append_sample(out, name_, labels, static_cast<double>(child->value()));
    }
  }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

CallbackHandle& CallbackHandle::operator=(CallbackHandle&& other) noexcept {
  if (this != &other) {
    reset();
    registry_ = std::exchange(other.registry_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void CallbackHandle::reset() {
  if (registry_ != nullptr) registry_->remove_callback(id_);
  registry_ = nullptr;
}

FamilyBase& Registry::find_or_add(const std::string& name, Type type,
                                  const std::function<std::unique_ptr<FamilyBase>()>& make) {
  std::lock_guard lock(families_mutex_);
  auto& slot = families_[name];
  if (!slot) slot = make();
  SLUICE_ASSERT(slot->type() == type, "metric {} registered with two types", name);
  return *slot;
}

CounterFamily& Registry::counter(const std::string& name, const std::string& help,
                                 std::vector<std::string> label_names) {
  return static_cast<CounterFamily&>(find_or_add(name, Type::counter, [&] {
    return std::make_unique<CounterFamily>(name, help, Type::counter, std::move(label_names));
  }));
}

GaugeFamily& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names) {
  return static_cast<GaugeFamily&>(find_or_add(name, Type::gauge, [&] {
    return std::make_unique<GaugeFamily>(name, help, Type::gauge, std::move(label_names));
  }));
}

HistogramFamily& Registry::histogram(const std::string& name, const std::string& help,
                                     std::vector<std::string> label_names, std::vector<double> bounds) {
  std::sort(bounds.begin(), bounds.end());
  return static_cast<HistogramFamily&>(find_or_add(name, Type::histogram, [&] {
    return std::make_unique<HistogramFamily>(name, help, Type::histogram, std::move(label_names),
                                             std::make_shared<const std::vector<double>>(std::move(bounds)));
  }));
}

CallbackHandle Registry::add_callback(std::string name, std::string help, Type type,
                                      std::function<std::vector<Sample>()> collect) {
  std::lock_guard lock(callbacks_mutex_);
  const uint64_t id = next_callback_++;
  callbacks_.emplace(id, Callback{std::move(name), std::move(help), type, std::move(collect)});
  return CallbackHandle(this, id);
}

void Registry::remove_callback(uint64_t id) {
  std::lock_guard lock(callbacks_mutex_);
  callbacks_.erase(id);
}

std::string Registry::render() const {
  // The callbacks first (under callbacks_mutex_ only), then families and callbacks merge by name.
  struct Computed {
    std::string help;
    Type type = Type::gauge;
    std::vector<Sample> samples;
  };
  std::map<std::string, Computed> computed;
  {
    std::lock_guard lock(callbacks_mutex_);
    for (const auto& [id, cb] : callbacks_) {
      Computed& entry = computed[cb.name];
      entry.help = cb.help;
      entry.type = cb.type;
      std::vector<Sample> samples = cb.collect();
      entry.samples.insert(entry.samples.end(), std::make_move_iterator(samples.begin()),
                           std::make_move_iterator(samples.end()));
    }
  }
  std::lock_guard lock(families_mutex_);
  std::string out;
  auto f = families_.begin();
  auto c = computed.begin();
  while (f != families_.end() || c != computed.end()) {
    if (c == computed.end() || (f != families_.end() && f->first < c->first)) {
      const FamilyBase& family = *f->second;
      append_family(out, family.name(), family.help(), family.type(), {});
      family.render_samples(out);
      ++f;
    } else {
      append_family(out, c->first, c->second.help, c->second.type, c->second.samples);
      // A static family of the same name would be a second # TYPE line: callbacks win.
      if (f != families_.end() && f->first == c->first) ++f;
      ++c;
    }
  }
  return out;
}

Registry& default_registry() {
  static Registry* registry = new Registry();  // never destroyed: hot paths keep references
  return *registry;
}

}  // namespace sluice::broker::metrics
