// BatchCore: the engine shared by the batch span processor and the batch log record
// processor. Producers push finished items into a BoundedQueue; one worker thread exports them
// in batches of up to max_export_batch_size, when a batch is full or schedule_delay has passed
// since the last export, and on ForceFlush/Shutdown.
//
// Guarantees:
//  * Enqueue never blocks and takes no lock: a full queue (or a shut-down processor) drops the
//    item and counts it. The producer that makes a full batch available wakes the worker,
//    taking the worker's mutex only for that wake-up (once per batch, not per item).
//  * Every Export call gets a deadline: now + export_timeout, or the pending ForceFlush /
//    Shutdown deadline when that is earlier. Exporters must honour it (exporter.h).
//  * ForceFlush and Shutdown return by their deadline even if the exporter ignores its own:
//    they wait on a condition variable, not on the worker. When Shutdown's deadline passes
//    with the worker still inside Export, Shutdown calls the exporter's Shutdown (which
//    should abandon the in-flight request), detaches the worker and returns
//    DeadlineExceeded. The worker owns everything it touches (exporter, resource, queue)
//    through a shared state, so a detached worker stays memory-safe after the processor is
//    gone; it exits when Export finally returns.
//  * Drops and export failures are counted (stats()) and reported as a warn line from the
//    worker, at most once per kReportInterval per kind.
//
// Thread-safety: Enqueue from any thread; ForceFlush/Shutdown/stats from any thread.
// Design: docs/design/telemetry.md §4.2.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/log.h"
#include "telemetry/sdk/batch_queue.h"
#include "telemetry/sdk/env_parse.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::sdk {

struct BatchOptions {
  std::chrono::milliseconds schedule_delay{5000};
  std::chrono::milliseconds export_timeout{30000};
  std::size_t max_queue_size = 2048;
  std::size_t max_export_batch_size = 512;  // clamped to max_queue_size
};

struct BatchStats {
  std::uint64_t enqueued = 0;      // accepted into the queue
  std::uint64_t dropped = 0;       // queue full, or offered after shutdown
  std::uint64_t exported = 0;      // in batches the exporter accepted
  std::uint64_t failed = 0;        // in batches the exporter rejected or timed out on
  std::uint64_t export_calls = 0;  // Export invocations
  std::size_t queue_size = 0;      // waiting now
};

// Reads <prefix>_SCHEDULE_DELAY, <prefix>_EXPORT_TIMEOUT (0 = no limit), <prefix>_MAX_QUEUE_SIZE
// and <prefix>_MAX_EXPORT_BATCH_SIZE (clamped to the queue size) over `defaults`, for prefix
// OTEL_BSP or OTEL_BLRP. Invalid values are reported in `warnings` and ignored.
BatchOptions BatchOptionsFromEnv(const EnvGetter& env, std::string_view prefix,
                                 BatchOptions defaults, EnvWarnings* warnings);

// How often the worker may write a warn line about drops (and, separately, export failures).
inline constexpr std::chrono::seconds kReportInterval{60};

template <typename T, typename Exporter>
class BatchCore {
 public:
  // `what` names the items in messages ("spans", "log records"). With `recycle_buffers`, the
  // worker hands each exported item's buffers back to the queue slot it came from, so
  // producers using EnqueueWith reuse them (no allocation in the steady state); without it,
  // exported items are freed on the worker and producers move fresh items in.
  BatchCore(std::unique_ptr<Exporter> exporter, std::shared_ptr<const Resource> resource,
            BatchOptions options, std::string what, bool recycle_buffers = false)
      : state_(std::make_shared<State>(std::move(exporter), std::move(resource), options,
                                       std::move(what), recycle_buffers)) {
    worker_ = std::thread(&BatchCore::Run, state_);
  }
  BatchCore(const BatchCore&) = delete;
  BatchCore& operator=(const BatchCore&) = delete;

  // Shuts down (bounded by min(export_timeout, 30 s)) unless Shutdown already ran.
  ~BatchCore() {
    auto budget = std::min<std::chrono::milliseconds>(state_->options.export_timeout,
                                                      std::chrono::seconds(30));
    (void)Shutdown(std::chrono::steady_clock::now() + budget);
  }

  // Queues `item`; returns false (and counts a drop) when the queue is full or shut down.
  // Never blocks; the only shared write is the queue's tail CAS.
  bool Enqueue(T&& item) {
    return EnqueueWith([&item](T& slot) { slot = std::move(item); });
  }

  // Like Enqueue, but `fill(T& slot)` builds the item in its queue slot, reusing the slot's
  // buffers; it must overwrite every field.
  template <typename Fill>
  bool EnqueueWith(Fill&& fill) {
    State& s = *state_;
    if (s.closed.load(std::memory_order_relaxed)) [[unlikely]] {
      s.dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    std::size_t size = 0;
    if (!s.queue.TryFill(std::forward<Fill>(fill), &size)) [[unlikely]] {
      s.dropped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (size >= s.options.max_export_batch_size && !s.wake.load(std::memory_order_relaxed) &&
        !s.wake.exchange(true, std::memory_order_relaxed)) {
      { std::lock_guard<std::mutex> lock(s.mu); }  // orders the push before the worker's check
      s.work_cv.notify_one();
    }
    return true;
  }

  // Exports everything queued before the call (and asks the exporter to flush). Returns the
  // first export error of that round, DeadlineExceeded when `deadline` passed first, or
  // FailedPrecondition after Shutdown. Blocks until then.
  Status ForceFlush(Deadline deadline) {
    State& s = *state_;
    std::unique_lock<std::mutex> lock(s.mu);
    if (s.shutdown_requested) return Status::FailedPrecondition(s.what + " processor: shut down");
    std::uint64_t target = ++s.flush_requested;
    s.flush_deadline = deadline;
    s.work_cv.notify_one();
    if (!s.done_cv.wait_until(lock, deadline,
                              [&] { return s.flush_done >= target || s.worker_exited; })) {
      return Status::DeadlineExceeded(s.what +
                                      " processor: force flush did not finish by its "
                                      "deadline (exporter busy)");
    }
    if (s.flush_done < target) return Status::FailedPrecondition(s.what + " processor: shut down");
    return s.flush_status;
  }

  // Exports what is queued (until `deadline`), shuts the exporter down and stops the worker.
  // Later Enqueue calls drop. Returns OK, the first export error, or DeadlineExceeded when
  // the deadline passed first (the worker is then detached; see above). A second call returns
  // OK at once.
  Status Shutdown(Deadline deadline) {
    State& s = *state_;
    if (!worker_.joinable()) return Status::Ok();
    bool finished;
    {
      std::unique_lock<std::mutex> lock(s.mu);
      s.shutdown_requested = true;
      s.shutdown_deadline = deadline;
      s.closed.store(true, std::memory_order_relaxed);
      s.work_cv.notify_one();
      finished = s.done_cv.wait_until(lock, deadline, [&] { return s.worker_exited; });
    }
    if (finished) {
      worker_.join();
      std::lock_guard<std::mutex> lock(s.mu);
      return s.shutdown_status;
    }
    ShutdownExporterOnce(s, deadline);  // should make a hung Export return
    worker_.detach();
    return Status::DeadlineExceeded(s.what +
                                    " processor: shutdown did not finish by its deadline; " +
                                    std::to_string(s.queue.ApproxSize()) + " " + s.what +
                                    " not exported, exporter still busy (worker detached)");
  }

  BatchStats stats() const {
    const State& s = *state_;
    BatchStats out;
    out.enqueued = s.queue.TailPosition();
    out.dropped = s.dropped.load(std::memory_order_relaxed);
    out.exported = s.exported.load(std::memory_order_relaxed);
    out.failed = s.failed.load(std::memory_order_relaxed);
    out.export_calls = s.export_calls.load(std::memory_order_relaxed);
    out.queue_size = s.queue.ApproxSize();
    return out;
  }

 private:
  using Clock = std::chrono::steady_clock;

  struct State {
    State(std::unique_ptr<Exporter> e, std::shared_ptr<const Resource> r, BatchOptions o,
          std::string w, bool recycle)
        : options(Normalize(o)),
          queue(options.max_queue_size),
          exporter(std::move(e)),
          resource(r ? std::move(r) : std::make_shared<const Resource>()),
          what(std::move(w)),
          recycle_buffers(recycle) {}

    static BatchOptions Normalize(BatchOptions o) {
      o.max_queue_size = std::max<std::size_t>(o.max_queue_size, 1);
      o.max_export_batch_size =
          std::clamp<std::size_t>(o.max_export_batch_size, 1, o.max_queue_size);
      if (o.schedule_delay.count() < 0) o.schedule_delay = std::chrono::milliseconds(0);
      return o;
    }

    const BatchOptions options;
    BoundedQueue<T> queue;
    const std::unique_ptr<Exporter> exporter;
    const std::shared_ptr<const Resource> resource;
    const std::string what;
    const bool recycle_buffers;

    std::atomic<bool> closed{false};
    std::atomic<bool> wake{false};
    std::atomic<std::uint64_t> dropped{0};
    std::atomic<std::uint64_t> exported{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::uint64_t> export_calls{0};
    std::atomic<bool> exporter_shut_down{false};

    std::mutex mu;
    std::condition_variable work_cv;  // the worker waits here
    std::condition_variable done_cv;  // ForceFlush / Shutdown wait here
    // Guarded by mu:
    std::uint64_t flush_requested = 0;
    std::uint64_t flush_done = 0;
    Deadline flush_deadline{};
    Status flush_status;
    bool shutdown_requested = false;
    Deadline shutdown_deadline{};
    bool worker_exited = false;
    Status shutdown_status;

    // Worker only:
    std::uint64_t reported_dropped = 0;
    std::uint64_t reported_failed = 0;
    Clock::time_point last_drop_report{};
    Clock::time_point last_failure_report{};
    Status last_error;
  };

  static void ShutdownExporterOnce(State& s, Deadline deadline) {
    if (s.exporter_shut_down.exchange(true)) return;
    try {
      (void)s.exporter->Shutdown(deadline);
    } catch (...) {  // an exporter must not throw; do not let it end the process
    }
  }

  // The worker's batch: `items[0..count)` are to export. Items past `count` keep buffers that
  // TryPopSwap hands back to the queue (empty items unless recycle_buffers).
  struct Batch {
    std::vector<T> items;
    std::size_t count = 0;
  };

  // Exports the batch, then empties it. Returns the exporter's status.
  static Status ExportBatch(State& s, Batch& batch, Deadline deadline) {
    if (batch.count == 0) return Status::Ok();
    Status st;
    try {
      st = s.exporter->Export(std::span<const T>(batch.items.data(), batch.count), *s.resource,
                              deadline);
    } catch (const std::exception& e) {
      st = Status::Internal(s.what + " exporter threw: " + e.what());
    } catch (...) {
      st = Status::Internal(s.what + " exporter threw");
    }
    s.export_calls.fetch_add(1, std::memory_order_relaxed);
    (st.ok() ? s.exported : s.failed).fetch_add(batch.count, std::memory_order_relaxed);
    if (!st.ok()) s.last_error = st;
    if (!s.recycle_buffers) {
      for (std::size_t i = 0; i < batch.count; ++i) batch.items[i] = T{};  // free now
    }
    batch.count = 0;
    return st;
  }

  // Pops up to max_export_batch_size items, stopping at queue position `until`.
  static void Fill(State& s, Batch& batch, std::size_t until) {
    while (batch.count < batch.items.size() && s.queue.HeadPosition() < until &&
           s.queue.TryPopSwap(&batch.items[batch.count])) {
      ++batch.count;
    }
  }

  // Exports everything before queue position `until`, by `deadline`.
  static Status Drain(State& s, Batch& batch, std::size_t until, Deadline deadline) {
    Status first;
    while (s.queue.HeadPosition() < until) {
      if (Clock::now() >= deadline) {
        return first.ok() ? Status::DeadlineExceeded(s.what +
                                                     " processor: deadline passed "
                                                     "while draining the queue")
                          : first;
      }
      Fill(s, batch, until);
      if (batch.count == 0) {
        std::this_thread::yield();  // a producer claimed a slot and is still writing it
        continue;
      }
      Status st =
          ExportBatch(s, batch, std::min(deadline, Clock::now() + s.options.export_timeout));
      if (first.ok() && !st.ok()) first = st;
    }
    return first;
  }

  static void Report(State& s) {
    static const log::Logger logger = log::GetLogger("klio.telemetry");
    Clock::time_point now = Clock::now();
    std::uint64_t dropped = s.dropped.load(std::memory_order_relaxed);
    if (dropped > s.reported_dropped && (s.last_drop_report == Clock::time_point{} ||
                                         now - s.last_drop_report >= kReportInterval)) {
      logger.Warn("telemetry queue full: dropped " + s.what,
                  {{"dropped", dropped - s.reported_dropped},
                   {"dropped_total", dropped},
                   {"max_queue_size", s.options.max_queue_size}});
      s.reported_dropped = dropped;
      s.last_drop_report = now;
    }
    std::uint64_t failed = s.failed.load(std::memory_order_relaxed);
    if (failed > s.reported_failed && (s.last_failure_report == Clock::time_point{} ||
                                       now - s.last_failure_report >= kReportInterval)) {
      logger.Warn("telemetry export failed: " + s.what + " lost",
                  {{"lost", failed - s.reported_failed}, {"lost_total", failed}, s.last_error});
      s.reported_failed = failed;
      s.last_failure_report = now;
    }
  }

  static void Run(std::shared_ptr<State> state) {
    State& s = *state;
    const std::size_t max_batch = s.options.max_export_batch_size;
    Batch batch;
    batch.items.resize(max_batch);
    Clock::time_point next_timer = Clock::now() + s.options.schedule_delay;
    for (;;) {
      bool shutdown = false;
      bool flush = false;
      std::uint64_t flush_target = 0;
      Deadline op_deadline = Deadline::max();
      {
        std::unique_lock<std::mutex> lock(s.mu);
        s.work_cv.wait_until(lock, next_timer, [&] {
          return s.shutdown_requested || s.flush_requested != s.flush_done ||
                 s.queue.ApproxSize() >= max_batch;
        });
        s.wake.store(false, std::memory_order_relaxed);
        shutdown = s.shutdown_requested;
        flush = s.flush_requested != s.flush_done;
        flush_target = s.flush_requested;
        if (flush) op_deadline = s.flush_deadline;
        if (shutdown) op_deadline = std::min(op_deadline, s.shutdown_deadline);
      }
      Status round;
      if (shutdown || flush) {
        round = Drain(s, batch, s.queue.TailPosition(), op_deadline);
        if (flush && !shutdown) {
          Status st;
          try {
            st = s.exporter->ForceFlush(op_deadline);
          } catch (...) {
            st = Status::Internal(s.what + " exporter threw in force flush");
          }
          if (round.ok()) round = st;
        }
        next_timer = Clock::now() + s.options.schedule_delay;
      } else {
        bool timer = Clock::now() >= next_timer;
        // Bounded, so that a flush or shutdown request is seen even under sustained load.
        std::size_t rounds = s.queue.capacity() / max_batch + 1;
        while (rounds-- > 0 &&
               (s.queue.ApproxSize() >= max_batch || (timer && s.queue.ApproxSize() > 0))) {
          Fill(s, batch, s.queue.TailPosition());
          if (batch.count == 0) {
            std::this_thread::yield();
            continue;
          }
          (void)ExportBatch(s, batch, Clock::now() + s.options.export_timeout);
          if (s.closed.load(std::memory_order_relaxed)) break;
        }
        if (timer) next_timer = Clock::now() + s.options.schedule_delay;
      }
      Report(s);
      if (shutdown) {
        ShutdownExporterOnce(s, op_deadline);
        // Items pushed by producers that raced with `closed` are never exported.
        s.dropped.fetch_add(s.queue.ApproxSize(), std::memory_order_relaxed);
        std::lock_guard<std::mutex> lock(s.mu);
        if (flush) {
          s.flush_done = flush_target;
          s.flush_status = round;
        }
        s.shutdown_status = round;
        s.worker_exited = true;
        s.done_cv.notify_all();
        return;
      }
      if (flush) {
        std::lock_guard<std::mutex> lock(s.mu);
        s.flush_done = flush_target;
        s.flush_status = round;
        s.done_cv.notify_all();
      }
    }
  }

  std::shared_ptr<State> state_;
  std::thread worker_;
};

}  // namespace klio::telemetry::sdk
