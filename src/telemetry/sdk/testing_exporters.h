// TEST ONLY: exporters for unit tests and benchmarks. Never used by production wiring.
//
//  * InMemorySpanExporter / InMemoryLogExporter keep everything exported in a shared storage
//    the test holds on to after handing the exporter to a processor.
//  * BlockingSpanExporter blocks inside Export until the test releases it, ignoring its
//    deadline: a misbehaving exporter, to prove that ForceFlush/Shutdown still return by
//    theirs.
//  * DiscardingSpanExporter / DiscardingLogExporter accept and drop (benchmarks).
//
// Thread-safety: all members are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::sdk::testing {

template <typename T>
class InMemoryStorage {
 public:
  // Everything exported so far, in order.
  std::vector<T> Items() const {
    std::lock_guard<std::mutex> lock(mu_);
    return items_;
  }
  // Sizes of the batches passed to Export, in order.
  std::vector<std::size_t> BatchSizes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return batch_sizes_;
  }
  int flush_calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return flush_calls_;
  }
  bool shut_down() const {
    std::lock_guard<std::mutex> lock(mu_);
    return shut_down_;
  }
  // Waits until at least `n` items were exported or `timeout` passed; returns the count.
  std::size_t WaitForCount(std::size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return items_.size() >= n; });
    return items_.size();
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    items_.clear();
    batch_sizes_.clear();
  }

  Status Export(std::span<const T> batch) {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return Status::FailedPrecondition("in-memory exporter: shut down");
    items_.insert(items_.end(), batch.begin(), batch.end());
    batch_sizes_.push_back(batch.size());
    cv_.notify_all();
    return Status::Ok();
  }
  Status Flush() {
    std::lock_guard<std::mutex> lock(mu_);
    ++flush_calls_;
    return Status::Ok();
  }
  Status Shutdown() {
    std::lock_guard<std::mutex> lock(mu_);
    shut_down_ = true;
    return Status::Ok();
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<T> items_;
  std::vector<std::size_t> batch_sizes_;
  int flush_calls_ = 0;
  bool shut_down_ = false;
};

class InMemorySpanExporter final : public SpanExporter {
 public:
  using Storage = InMemoryStorage<SpanData>;
  InMemorySpanExporter() : storage_(std::make_shared<Storage>()) {}
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  Status Export(std::span<const SpanData> spans, const Resource&, Deadline) override {
    return storage_->Export(spans);
  }
  Status ForceFlush(Deadline) override { return storage_->Flush(); }
  Status Shutdown(Deadline) override { return storage_->Shutdown(); }

 private:
  std::shared_ptr<Storage> storage_;
};

class InMemoryLogExporter final : public LogExporter {
 public:
  using Storage = InMemoryStorage<LogRecordData>;
  InMemoryLogExporter() : storage_(std::make_shared<Storage>()) {}
  const std::shared_ptr<Storage>& storage() const { return storage_; }

  Status Export(std::span<const LogRecordData> records, const Resource&, Deadline) override {
    return storage_->Export(records);
  }
  Status ForceFlush(Deadline) override { return storage_->Flush(); }
  Status Shutdown(Deadline) override { return storage_->Shutdown(); }

 private:
  std::shared_ptr<Storage> storage_;
};

// Blocks every Export until Release(); counts calls. Shutdown releases the block only when
// built with release_on_shutdown (a well-behaved exporter abandons its request on Shutdown).
class BlockingSpanExporter final : public SpanExporter {
 public:
  struct Control {
    std::mutex mu;
    std::condition_variable cv;
    bool released = false;
    int in_export = 0;  // calls currently blocked
    int calls = 0;
    std::size_t spans = 0;

    void Release() {
      std::lock_guard<std::mutex> lock(mu);
      released = true;
      cv.notify_all();
    }
    // Waits until an Export call is blocked (or `timeout`); true when one is.
    bool WaitInExport(std::chrono::milliseconds timeout) {
      std::unique_lock<std::mutex> lock(mu);
      return cv.wait_for(lock, timeout, [&] { return in_export > 0; });
    }
    // Waits until no Export call is blocked (after Release).
    bool WaitIdle(std::chrono::milliseconds timeout) {
      std::unique_lock<std::mutex> lock(mu);
      return cv.wait_for(lock, timeout, [&] { return in_export == 0; });
    }
  };

  explicit BlockingSpanExporter(bool release_on_shutdown)
      : control_(std::make_shared<Control>()), release_on_shutdown_(release_on_shutdown) {}
  const std::shared_ptr<Control>& control() const { return control_; }

  Status Export(std::span<const SpanData> spans, const Resource&, Deadline) override {
    std::unique_lock<std::mutex> lock(control_->mu);
    ++control_->calls;
    control_->spans += spans.size();
    ++control_->in_export;
    control_->cv.notify_all();
    control_->cv.wait(lock, [&] { return control_->released; });  // ignores the deadline
    --control_->in_export;
    control_->cv.notify_all();
    return Status::Ok();
  }
  Status ForceFlush(Deadline) override { return Status::Ok(); }
  Status Shutdown(Deadline) override {
    if (release_on_shutdown_) control_->Release();
    return Status::Ok();
  }

 private:
  std::shared_ptr<Control> control_;
  const bool release_on_shutdown_;
};

class DiscardingSpanExporter final : public SpanExporter {
 public:
  Status Export(std::span<const SpanData>, const Resource&, Deadline) override {
    return Status::Ok();
  }
  Status ForceFlush(Deadline) override { return Status::Ok(); }
  Status Shutdown(Deadline) override { return Status::Ok(); }
};

class DiscardingLogExporter final : public LogExporter {
 public:
  Status Export(std::span<const LogRecordData>, const Resource&, Deadline) override {
    return Status::Ok();
  }
  Status ForceFlush(Deadline) override { return Status::Ok(); }
  Status Shutdown(Deadline) override { return Status::Ok(); }
};

}  // namespace klio::telemetry::sdk::testing
