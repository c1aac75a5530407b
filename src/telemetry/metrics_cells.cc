// Slow paths of the metrics cells (metrics_cells.h): thread slots, cell allocation, the shared
// cells of threads without a slot, and collection reads.
#include "telemetry/metrics_cells.h"

#include <mutex>
#include <new>

namespace klio::telemetry::internal {

// ---------------------------------------------------------------------------------------------
// Thread slots.

constinit thread_local int tls_metric_slot = -1;

namespace {

constinit std::mutex g_slot_mu;
constinit std::uint64_t g_slots_used = 0;  // guarded by g_slot_mu; bit i: slot i taken
static_assert(kMetricThreadSlots <= 64);

// Gives the slot back when its thread exits. Only touched on the slow path, so the hot path
// reads the trivially destructible tls_metric_slot alone. The mutex orders the exiting thread's
// last cell writes before the next owner's first.
struct SlotReleaser {
  int slot = -1;
  ~SlotReleaser() {
    if (slot >= 0) {
      std::lock_guard<std::mutex> lock(g_slot_mu);
      g_slots_used &= ~(std::uint64_t{1} << slot);
    }
    tls_metric_slot = static_cast<int>(kMetricThreadSlots);  // records from now on: shared cell
  }
};
thread_local SlotReleaser tls_slot_releaser;

}  // namespace

int AssignMetricSlot() noexcept {
  int slot = static_cast<int>(kMetricThreadSlots);
  {
    std::lock_guard<std::mutex> lock(g_slot_mu);
    for (unsigned i = 0; i < kMetricThreadSlots; ++i) {
      if ((g_slots_used & (std::uint64_t{1} << i)) == 0) {
        g_slots_used |= std::uint64_t{1} << i;
        slot = static_cast<int>(i);
        break;
      }
    }
  }
  if (slot < static_cast<int>(kMetricThreadSlots)) tls_slot_releaser.slot = slot;
  tls_metric_slot = slot;
  return slot;
}

// ---------------------------------------------------------------------------------------------
// Cells.

template <typename T>
SumSeries<T>::~SumSeries() {
  for (auto& c : cells_) delete c.load(std::memory_order_relaxed);
}

template <typename T>
void SumSeries<T>::AddSlow(T value) noexcept {
  const unsigned slot = CurrentMetricSlot();
  if (slot < kMetricThreadSlots) {
    SumCell<T>* cell = cells_[slot].load(std::memory_order_relaxed);
    if (cell == nullptr) {
      cell = new (std::nothrow) SumCell<T>();
      if (cell != nullptr) cells_[slot].store(cell, std::memory_order_release);
    }
    if (cell != nullptr) {
      cell->value.store(cell->value.load(std::memory_order_relaxed) + value,
                        std::memory_order_relaxed);
      return;
    }
  }
  shared_.value.fetch_add(value, std::memory_order_relaxed);
}

template <typename T>
T SumSeries<T>::Read() const noexcept {
  T total = shared_.value.load(std::memory_order_relaxed);
  for (const auto& c : cells_) {
    if (const SumCell<T>* cell = c.load(std::memory_order_acquire)) {
      total += cell->value.load(std::memory_order_relaxed);
    }
  }
  return total;
}

template class SumSeries<std::uint64_t>;
template class SumSeries<double>;

namespace {

void FreeHistogramCell(std::atomic<std::uint64_t>* cell) {
  if (cell != nullptr) ::operator delete (cell, std::align_val_t{64});
}

double AsDouble(const std::atomic<std::uint64_t>& word) {
  return std::bit_cast<double>(word.load(std::memory_order_relaxed));
}

}  // namespace

HistogramSeries::~HistogramSeries() {
  for (auto& c : cells_) FreeHistogramCell(c.load(std::memory_order_relaxed));
  FreeHistogramCell(shared_.load(std::memory_order_relaxed));
}

std::atomic<std::uint64_t>* HistogramSeries::NewCell() const noexcept {
  const std::size_t words = bounds_.size() + 2;
  const std::size_t bytes = (words * sizeof(std::atomic<std::uint64_t>) + 63) / 64 * 64;
  void* memory = ::operator new (bytes, std::align_val_t{64}, std::nothrow);
  if (memory == nullptr) return nullptr;
  auto* cell = static_cast<std::atomic<std::uint64_t>*>(memory);
  for (std::size_t i = 0; i < words; ++i) new (cell + i) std::atomic<std::uint64_t>(0);
  return cell;
}

void HistogramSeries::RecordShared(double value, std::size_t bucket) noexcept {
  const unsigned slot = CurrentMetricSlot();
  if (slot < kMetricThreadSlots) {
    std::atomic<std::uint64_t>* cell = cells_[slot].load(std::memory_order_relaxed);
    if (cell == nullptr) {
      cell = NewCell();
      if (cell != nullptr) cells_[slot].store(cell, std::memory_order_release);
    }
    if (cell != nullptr) {
      cell[0].store(std::bit_cast<std::uint64_t>(AsDouble(cell[0]) + value),
                    std::memory_order_relaxed);
      cell[bucket + 1].store(cell[bucket + 1].load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
      return;
    }
  }
  std::atomic<std::uint64_t>* cell = shared_.load(std::memory_order_acquire);
  if (cell == nullptr) {
    std::atomic<std::uint64_t>* fresh = NewCell();
    if (fresh == nullptr) return;
    if (shared_.compare_exchange_strong(cell, fresh, std::memory_order_acq_rel)) {
      cell = fresh;
    } else {
      FreeHistogramCell(fresh);
    }
  }
  cell[bucket + 1].fetch_add(1, std::memory_order_relaxed);
  std::uint64_t old = cell[0].load(std::memory_order_relaxed);
  while (!cell[0].compare_exchange_weak(
      old, std::bit_cast<std::uint64_t>(std::bit_cast<double>(old) + value),
      std::memory_order_relaxed)) {
  }
}

void HistogramSeries::UpdateMin(double value) noexcept {
  double current = min_.load(std::memory_order_relaxed);
  while (value < current &&
         !min_.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

void HistogramSeries::UpdateMax(double value) noexcept {
  double current = max_.load(std::memory_order_relaxed);
  while (value > current &&
         !max_.compare_exchange_weak(current, value, std::memory_order_relaxed)) {
  }
}

double HistogramSeries::Read(std::span<std::uint64_t> counts) const noexcept {
  double sum = 0;
  auto add = [&](const std::atomic<std::uint64_t>* cell) {
    if (cell == nullptr) return;
    sum += AsDouble(cell[0]);
    for (std::size_t i = 0; i < counts.size() && i <= bounds_.size(); ++i) {
      counts[i] += cell[i + 1].load(std::memory_order_relaxed);
    }
  };
  for (const auto& c : cells_) add(c.load(std::memory_order_acquire));
  add(shared_.load(std::memory_order_acquire));
  return sum;
}

std::pair<double, double> HistogramSeries::TakeMinMax() noexcept {
  return {min_.exchange(std::numeric_limits<double>::infinity(), std::memory_order_relaxed),
          max_.exchange(-std::numeric_limits<double>::infinity(), std::memory_order_relaxed)};
}

}  // namespace klio::telemetry::internal
