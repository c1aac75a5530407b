// Metrics API: instrument validation, handles, the global registry and warnings. See metrics.h
// and metrics_internal.h; the cells' slow paths are in metrics_cells.cc.
#include "telemetry/metrics.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <string>
#include <utility>

#include "telemetry/log.h"

namespace klio::telemetry {
namespace internal {

// ---------------------------------------------------------------------------------------------
// Descriptors and validation.

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// OpenTelemetry instrument name syntax: [A-Za-z][A-Za-z0-9_.\-/]{0,254}.
bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 255 || !IsAlpha(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '_' || c == '.' || c == '-' || c == '/';
  });
}

// Units: printable ASCII, at most 63 characters.
bool ValidUnit(std::string_view unit) {
  return unit.size() <= 63 &&
         std::all_of(unit.begin(), unit.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// A name or unit quoted for a warning: printable ASCII only, at most 80 characters.
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size() && i < 80; ++i) {
    const char c = s[i];
    out += (c >= 0x20 && c < 0x7f && c != '"') ? c : '?';
  }
  if (s.size() > 80) out += "...";
  return out + "\"";
}

}  // namespace

bool InstrumentDescriptor::SameIdentity(const InstrumentDescriptor& other) const {
  return type == other.type && number == other.number && unit == other.unit &&
         description == other.description && EqualsIgnoreCase(name, other.name);
}

bool ValidateDescriptor(InstrumentDescriptor* d) {
  if (!ValidName(d->name)) {
    MetricsWarning("metrics: instrument name " + Quote(d->name) +
                   " is invalid (want [A-Za-z][A-Za-z0-9_.-/]{0,254}); the instrument records "
                   "nothing");
    return false;
  }
  if (!ValidUnit(d->unit)) {
    MetricsWarning("metrics: instrument " + Quote(d->name) + ": unit " + Quote(d->unit) +
                   " is not ASCII of at most 63 characters; the unit is dropped");
    d->unit.clear();
  }
  if (d->type != InstrumentType::kHistogram) {
    d->boundaries.reset();
  } else if (d->boundaries.has_value()) {
    const std::vector<double>& b = *d->boundaries;
    bool ok = std::all_of(b.begin(), b.end(), [](double x) { return std::isfinite(x); });
    for (std::size_t i = 1; ok && i < b.size(); ++i) ok = b[i - 1] < b[i];
    if (!ok) {
      MetricsWarning("metrics: histogram " + Quote(d->name) +
                     ": bucket boundaries must be finite and strictly increasing; using the "
                     "default boundaries");
      d->boundaries.reset();
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Handles.

BoundSlot* InstrumentHandle::Bind(std::span<const KeyValue> attributes) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& slot : bound_) {
    if (std::equal(slot->attributes.begin(), slot->attributes.end(), attributes.begin(),
                   attributes.end())) {
      return slot.get();
    }
  }
  auto slot = std::make_unique<BoundSlot>(Attributes(attributes.begin(), attributes.end()));
  if (StorageBase* storage = storage_.load(std::memory_order_acquire)) {
    slot->series.store(storage->FindSeries(attributes), std::memory_order_release);
  }
  bound_.push_back(std::move(slot));
  return bound_.back().get();
}

void InstrumentHandle::AttachTo(MeterBackend* backend) {
  std::lock_guard<std::mutex> lock(mu_);
  if (backend == backend_) return;
  if (StorageBase* old = storage_.load(std::memory_order_acquire)) {
    storage_.store(nullptr, std::memory_order_release);
    for (auto& slot : bound_) slot->series.store(nullptr, std::memory_order_release);
    backend_->Detach(this, old);
  }
  backend_ = backend;
  if (backend_ == nullptr) return;
  StorageBase* storage = backend_->Attach(this);
  if (storage == nullptr) return;
  for (auto& slot : bound_) {
    slot->series.store(storage->FindSeries(slot->attributes), std::memory_order_release);
  }
  storage_.store(storage, std::memory_order_release);
}

std::uint64_t InstrumentHandle::AddCallback(std::function<void(ObservationSink&)> callback) {
  std::lock_guard<std::recursive_mutex> lock(callbacks_mu_);
  const std::uint64_t id = next_callback_id_++;
  callbacks_.push_back(Callback{id, std::move(callback)});
  return id;
}

void InstrumentHandle::RemoveCallback(std::uint64_t id) {
  // Blocks while another thread runs the callbacks; re-entrant from inside a callback, where
  // the entry is only cleared (RunCallbacks sweeps it) so the running loop stays valid.
  std::lock_guard<std::recursive_mutex> lock(callbacks_mu_);
  for (auto it = callbacks_.begin(); it != callbacks_.end(); ++it) {
    if (it->id != id) continue;
    if (running_callbacks_) {
      it->fn = nullptr;
    } else {
      callbacks_.erase(it);
    }
    return;
  }
}

void InstrumentHandle::RunCallbacks(ObservationSink& sink) {
  std::lock_guard<std::recursive_mutex> lock(callbacks_mu_);
  running_callbacks_ = true;
  for (std::size_t i = 0; i < callbacks_.size(); ++i) {
    if (!callbacks_[i].fn) continue;
    // A copy: the callback may add callbacks, which can move the vector's elements.
    const std::function<void(ObservationSink&)> fn = callbacks_[i].fn;
    try {
      fn(sink);
    } catch (const std::exception& e) {
      MetricsWarning("metrics: callback of " + descriptor_.name + " threw: " + e.what());
    } catch (...) {
      MetricsWarning("metrics: callback of " + descriptor_.name + " threw");
    }
  }
  running_callbacks_ = false;
  std::erase_if(callbacks_, [](const Callback& c) { return !c.fn; });
}

bool MeterHandle::attached() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backend_ != nullptr;
}

InstrumentHandle* MeterHandle::GetOrCreate(InstrumentDescriptor descriptor) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& h : instruments_) {
    if (h->descriptor().SameIdentity(descriptor)) return h.get();
  }
  instruments_.push_back(std::make_unique<InstrumentHandle>(std::move(descriptor), this));
  InstrumentHandle* handle = instruments_.back().get();
  if (backend_ != nullptr) handle->AttachTo(backend_);
  return handle;
}

void MeterHandle::AttachTo(MeterBackend* backend) {
  std::lock_guard<std::mutex> lock(mu_);
  if (backend == backend_) return;
  backend_ = backend;
  for (const auto& h : instruments_) h->AttachTo(backend);
}

InstrumentHandle* CreateInstrument(MeterHandle* meter, InstrumentDescriptor descriptor) {
  if (meter == nullptr) return nullptr;
  if (!ValidateDescriptor(&descriptor)) return nullptr;
  return meter->GetOrCreate(std::move(descriptor));
}

// ---------------------------------------------------------------------------------------------
// Global registry and warnings.

namespace {

struct Registry {
  std::mutex mu;
  MeterProviderBackend* provider = nullptr;          // guarded by mu
  std::vector<std::unique_ptr<MeterHandle>> meters;  // guarded by mu
};

// Never destroyed: global meter handles must outlive every static instrument.
Registry& GlobalRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

std::atomic<MeterProviderBackend*> g_provider{nullptr};

void InstallLocked(Registry& r, MeterProviderBackend* provider) {
  r.provider = provider;
  g_provider.store(provider, std::memory_order_release);
  for (const auto& m : r.meters) {
    m->AttachTo(provider != nullptr ? provider->GetMeterBackend(m->scope()) : nullptr);
  }
}

struct WarningHandler {
  std::mutex mu;
  std::shared_ptr<const std::function<void(std::string_view)>> handler;  // guarded by mu
};

WarningHandler& GlobalWarningHandler() {
  static WarningHandler* handler = new WarningHandler();
  return *handler;
}

}  // namespace

void MetricsWarning(std::string_view message) {
  std::shared_ptr<const std::function<void(std::string_view)>> handler;
  {
    WarningHandler& w = GlobalWarningHandler();
    std::lock_guard<std::mutex> lock(w.mu);
    handler = w.handler;
  }
  if (handler != nullptr && *handler) {
    (*handler)(message);
    return;
  }
  static const log::Logger logger = log::GetLogger("klio.telemetry");
  logger.Warn(message);
}

void ClearMeterProviderIf(MeterProviderBackend* provider) {
  Registry& r = GlobalRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.provider == provider) InstallLocked(r, nullptr);
}

}  // namespace internal

internal::InstrumentHandle* Meter::Create(std::string_view name, std::string_view description,
                                          std::string_view unit, internal::InstrumentType type,
                                          internal::NumberType number,
                                          std::optional<std::vector<double>> boundaries) const {
  if (handle_ == nullptr) return nullptr;
  internal::InstrumentDescriptor d;
  d.name = std::string(name);
  d.description = std::string(description);
  d.unit = std::string(unit);
  d.type = type;
  d.number = number;
  d.boundaries = std::move(boundaries);
  return internal::CreateInstrument(handle_, std::move(d));
}

void SetMeterProvider(MeterProviderBackend* provider) {
  internal::Registry& r = internal::GlobalRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.provider != provider) internal::InstallLocked(r, provider);
}

MeterProviderBackend* GetMeterProvider() {
  return internal::g_provider.load(std::memory_order_acquire);
}

Meter GetMeter(std::string_view name, std::string_view version, std::string_view schema_url) {
  internal::Registry& r = internal::GlobalRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (const auto& m : r.meters) {
    const InstrumentationScope& s = m->scope();
    if (s.name == name && s.version == version && s.schema_url == schema_url) {
      return Meter(m.get());
    }
  }
  InstrumentationScope scope;
  scope.name = std::string(name);
  scope.version = std::string(version);
  scope.schema_url = std::string(schema_url);
  internal::MeterBackend* backend =
      r.provider != nullptr ? r.provider->GetMeterBackend(scope) : nullptr;
  r.meters.push_back(std::make_unique<internal::MeterHandle>(std::move(scope), nullptr, false));
  r.meters.back()->AttachTo(backend);
  return Meter(r.meters.back().get());
}

void SetMetricsWarningHandler(std::function<void(std::string_view)> handler) {
  internal::WarningHandler& w = internal::GlobalWarningHandler();
  auto shared =
      handler ? std::make_shared<const std::function<void(std::string_view)>>(std::move(handler))
              : nullptr;
  std::lock_guard<std::mutex> lock(w.mu);
  w.handler = std::move(shared);
}

}  // namespace klio::telemetry
