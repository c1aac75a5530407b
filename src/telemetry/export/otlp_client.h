// The signal-independent core of the OTLP exporters: a reused encode buffer, the retry loop
// around a transport, the per-export deadline, shutdown (cancel the in-flight export, then
// fail fast), partial-success handling and the counters.
//
// Thread-safety: Export is called by one thread at a time (the SDK serialises it); Shutdown
// and Stats may be called from any thread concurrently with it.
// Design: docs/design/otlp-export.md §5, §8.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <random>
#include <string_view>

#include "base/status.h"
#include "telemetry/export/otlp_exporter.h"
#include "telemetry/export/otlp_options.h"
#include "telemetry/export/otlp_transport.h"
#include "telemetry/export/otlp_wire.h"

namespace klio::telemetry::exporter {

// The default warning sink: one line to klio's log (warn level, logger "klio.telemetry.otlp").
void DefaultOtlpWarning(std::string_view message);

class OtlpClient {
 public:
  // `warnings` null = DefaultOtlpWarning.
  OtlpClient(OtlpOptions options, std::unique_ptr<OtlpTransport> transport,
             OtlpWarningSink warnings);
  ~OtlpClient();
  OtlpClient(const OtlpClient&) = delete;
  OtlpClient& operator=(const OtlpClient&) = delete;

  // Encodes a request of `items` items with `encode(ProtoWriter*)` and sends it (network
  // I/O, retries, blocks until done or the deadline: min(deadline, now + options.timeout)).
  // OK on success or partial success (warned and counted); FailedPrecondition after
  // Shutdown; ResourceExhausted for a request over options.max_request_bytes; otherwise the
  // final transport error. Zero items: OK without sending.
  template <typename Encode>
  Status Export(std::size_t items, std::chrono::steady_clock::time_point deadline,
                Encode&& encode) {
    if (shutdown_.load()) return ShutdownError();
    if (items == 0) return Status::Ok();
    buffer_.Clear();
    encode(&buffer_);
    return Send(items, deadline);
  }

  // Stops the exporter: later exports fail fast; an in-flight one is cancelled (its
  // transport call and any backoff wait are interrupted). Waits for it until `deadline`:
  // OK when it has finished, DeadlineExceeded otherwise. Idempotent.
  Status Shutdown(std::chrono::steady_clock::time_point deadline);

  OtlpExporterStats Stats() const;
  const OtlpOptions& options() const { return options_; }

 private:
  Status Send(std::size_t items, std::chrono::steady_clock::time_point deadline);
  Status ShutdownError() const;
  void Warn(std::string_view message) const;

  const OtlpOptions options_;
  const std::unique_ptr<OtlpTransport> transport_;
  const OtlpWarningSink warnings_;
  ProtoWriter buffer_;   // used by the exporting thread only
  std::mt19937_64 rng_;  // used by the exporting thread only (backoff jitter)

  std::atomic<bool> shutdown_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;  // signals shutdown_ and in_flight_ changes
  bool in_flight_ = false;      // guarded by mu_

  std::atomic<std::uint64_t> exported_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> partial_successes_{0};
};

}  // namespace klio::telemetry::exporter
