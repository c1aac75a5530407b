#include "telemetry/sdk/meter_provider.h"

#include <algorithm>
#include <utility>

#include "telemetry/sdk/instrument_storage.h"

namespace klio::telemetry::sdk {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

}  // namespace

// The meter of one instrumentation scope: the storages of its instruments, deduplicated by
// identity, and the pinned API handle of MeterProvider::GetMeter.
class MeterProvider::SdkMeter final : public internal::MeterBackend {
 public:
  SdkMeter(InstrumentationScope scope, StorageOptions options)
      : scope_(std::move(scope)), options_(std::move(options)) {}

  const InstrumentationScope& scope() const { return scope_; }

  internal::StorageBase* Attach(internal::InstrumentHandle* handle) override {
    const internal::InstrumentDescriptor& d = handle->descriptor();
    std::lock_guard<std::mutex> lock(mu_);
    MetricStorage* storage = nullptr;
    bool conflict = false;
    for (const auto& s : storages_) {
      if (s->descriptor().SameIdentity(d)) {
        storage = s.get();
        break;
      }
      conflict = conflict || EqualsIgnoreCase(s->descriptor().name, d.name);
    }
    if (storage == nullptr) {
      if (conflict) {
        internal::MetricsWarning(
            "metrics: instrument \"" + d.name + "\" of meter \"" + scope_.name +
            "\" was created again with a different kind, number type, unit or description; "
            "both are exported as separate streams with the same name");
      }
      storages_.push_back(MakeStorage(d, options_));
      storage = storages_.back().get();
    }
    storage->AddHandle(handle);
    return storage;
  }

  void Detach(internal::InstrumentHandle* handle, internal::StorageBase* storage) override {
    static_cast<MetricStorage*>(storage)->RemoveHandle(handle);
  }

  std::vector<MetricStorage*> Storages() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<MetricStorage*> out;
    out.reserve(storages_.size());
    for (const auto& s : storages_) out.push_back(s.get());
    return out;
  }

  internal::MeterHandle* PinnedHandle() {
    std::lock_guard<std::mutex> lock(mu_);
    if (pinned_ == nullptr) pinned_ = std::make_unique<internal::MeterHandle>(scope_, this, true);
    return pinned_.get();
  }

 private:
  const InstrumentationScope scope_;
  const StorageOptions options_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<MetricStorage>> storages_;  // guarded by mu_
  // Declared after storages_: destroyed first (its instruments point into them).
  std::unique_ptr<internal::MeterHandle> pinned_;  // guarded by mu_
};

MeterProvider::MeterProvider(MeterProviderOptions options)
    : resource_(options.resource != nullptr ? std::move(options.resource)
                                            : std::make_shared<const Resource>()),
      readers_(std::move(options.readers)),
      cardinality_limit_(std::max<std::size_t>(options.cardinality_limit, 1)),
      clock_(std::move(options.clock)),
      last_collect_ns_(readers_.size(), 0) {
  for (std::size_t i = 0; i < readers_.size(); ++i) {
    if (readers_[i] != nullptr) readers_[i]->Register(this, i);
  }
}

MeterProvider::~MeterProvider() {
  internal::ClearMeterProviderIf(this);
  if (!shut_down_.load()) {
    (void)Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  }
  for (const auto& r : readers_) {
    if (r != nullptr) r->Unregister();
  }
}

internal::MeterBackend* MeterProvider::GetMeterBackend(const InstrumentationScope& scope) {
  std::lock_guard<std::mutex> lock(meters_mu_);
  for (const auto& m : meters_) {
    const InstrumentationScope& s = m->scope();
    if (s.name == scope.name && s.version == scope.version && s.schema_url == scope.schema_url) {
      return m.get();
    }
  }
  StorageOptions options;
  options.cardinality_limit = cardinality_limit_;
  options.num_readers = std::max<std::size_t>(readers_.size(), 1);
  options.now_ns = [this] { return NowNanos(); };
  meters_.push_back(std::make_unique<SdkMeter>(scope, std::move(options)));
  return meters_.back().get();
}

Meter MeterProvider::GetMeter(std::string_view name, std::string_view version,
                              std::string_view schema_url) {
  InstrumentationScope scope;
  scope.name = std::string(name);
  scope.version = std::string(version);
  scope.schema_url = std::string(schema_url);
  auto* meter = static_cast<SdkMeter*>(GetMeterBackend(scope));
  return Meter(meter->PinnedHandle());
}

Status MeterProvider::ForceFlush(Deadline deadline) {
  Status first;
  for (const auto& r : readers_) {
    if (r == nullptr) continue;
    Status s = r->ForceFlush(deadline);
    if (first.ok() && !s.ok()) first = std::move(s);
  }
  return first;
}

Status MeterProvider::Shutdown(Deadline deadline) {
  if (shut_down_.exchange(true)) return Status::Ok();
  Status first;
  for (const auto& r : readers_) {
    if (r == nullptr) continue;
    Status s = r->Shutdown(deadline);
    if (first.ok() && !s.ok()) first = std::move(s);
  }
  return first;
}

std::uint64_t MeterProvider::NowNanos() const {
  const auto now = clock_ ? clock_() : std::chrono::system_clock::now();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count());
}

ResourceMetrics MeterProvider::Collect(std::size_t reader_index) {
  ResourceMetrics out;
  if (reader_index >= readers_.size() || readers_[reader_index] == nullptr) return out;
  const MetricReader& reader = *readers_[reader_index];
  std::lock_guard<std::mutex> lock(collect_mu_);
  out.resource = resource_;
  CollectContext ctx;
  ctx.reader = reader_index;
  ctx.num_readers = readers_.size();
  ctx.now_ns = NowNanos();
  ctx.prev_collect_ns = last_collect_ns_[reader_index];

  std::vector<SdkMeter*> meters;
  {
    std::lock_guard<std::mutex> meters_lock(meters_mu_);
    for (const auto& m : meters_) meters.push_back(m.get());
  }
  for (SdkMeter* m : meters) {
    ScopeMetrics scope_metrics;
    for (MetricStorage* storage : m->Storages()) {
      ctx.temporality = reader.TemporalityFor(storage->kind());
      storage->Collect(ctx, &scope_metrics.metrics);
    }
    if (scope_metrics.metrics.empty()) continue;
    scope_metrics.scope = m->scope();
    out.scopes.push_back(std::move(scope_metrics));
  }
  last_collect_ns_[reader_index] = ctx.now_ns;
  return out;
}

}  // namespace klio::telemetry::sdk
