// Process and host metrics from /proc as observable instruments of the metrics API: the C++
// counterpart of a language runtime's statistics and of Go's host instrumentation
// (otel-reference §5.6, SPEC.md §2). Meter scope "klio.runtime".
//
//   process.cpu.time                   ObservableCounter        s    cpu.mode = user | system
//   process.memory.usage               ObservableUpDownCounter  By   (resident set size)
//   process.memory.virtual             ObservableUpDownCounter  By
//   process.thread.count               ObservableUpDownCounter  {thread}
//   process.open_file_descriptor.count ObservableUpDownCounter  {file_descriptor}
//   process.uptime                     ObservableGauge          s
//   system.cpu.time                    ObservableCounter        s    cpu.mode = user | nice |
//                                                                    system | idle | iowait |
//                                                                    interrupt | steal
//   system.memory.usage                ObservableUpDownCounter  By   system.memory.state = used |
//                                                                    free | cached | buffers
//   system.memory.utilization          ObservableGauge          1    system.memory.state
//   system.network.io                  ObservableCounter        By   network.interface.name,
//                                                                    network.io.direction =
//                                                                    receive | transmit
//
// Semantic conventions now call the descriptor metric process.unix.file_descriptor.count;
// klio emits process.open_file_descriptor.count, the name its issue and the source product's
// dashboards use (docs/observability.md says so).
//
// One collection reads each /proc file at most once: the callbacks share a sample that is
// re-read when older than RuntimeMetricsOptions::max_sample_age. A file that cannot be read
// or parsed makes its instruments report nothing for that collection (one warning per
// distinct error, through the metrics warning handler), never a wrong value.
//
// Thread-safety: callbacks run on collecting threads and share the sample under a mutex. The
// RuntimeMetrics object must outlive the collections it serves; its destructor unregisters the
// callbacks (waiting for one in progress).
// Design: docs/observability.md §Runtime and host metrics; otel-reference §5.6.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "telemetry/metrics.h"
#include "telemetry/setup/proc_stats.h"

namespace klio::telemetry::setup {

inline constexpr std::string_view kRuntimeMeterName = "klio.runtime";

struct RuntimeMetricsOptions {
  ProcReaderOptions proc;  // root "/proc" by default; tests use a fake tree
  bool process = true;     // the process.* instruments
  bool system = true;      // the system.* instruments
  // A sample younger than this is reused by the next callback (one collection runs every
  // callback within microseconds; a second reader collecting at the same time reuses it too).
  std::chrono::milliseconds max_sample_age{200};
};

class RuntimeMetrics {
 public:
  // Creates the instruments on `meter` and registers their callbacks. Never fails: with a
  // no-op meter nothing is registered and nothing is ever read.
  RuntimeMetrics(const Meter& meter, RuntimeMetricsOptions options = {});
  // Unregisters every callback.
  ~RuntimeMetrics();
  RuntimeMetrics(const RuntimeMetrics&) = delete;
  RuntimeMetrics& operator=(const RuntimeMetrics&) = delete;

 private:
  struct State;
  std::shared_ptr<State> state_;
  std::vector<ObservableRegistration> registrations_;
};

}  // namespace klio::telemetry::setup
