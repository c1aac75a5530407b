// Process and host metrics as observable instruments (see runtime_metrics.h).
#include "telemetry/setup/runtime_metrics.h"

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "telemetry/log.h"

namespace klio::telemetry::setup {

struct RuntimeMetrics::State {
  State(ProcReaderOptions proc, std::chrono::milliseconds age)
      : reader(std::move(proc)), max_age(age) {}

  std::optional<ProcessSample> Process() {
    std::lock_guard<std::mutex> lock(mu);
    const auto now = std::chrono::steady_clock::now();
    if (!process_at || now - *process_at > max_age) {
      process = reader.ReadProcess();
      process_at = now;
    }
    if (!process.ok()) {
      WarnOnce(process.status());
      return std::nullopt;
    }
    return *process;
  }

  std::optional<SystemSample> System() {
    std::lock_guard<std::mutex> lock(mu);
    const auto now = std::chrono::steady_clock::now();
    if (!system_at || now - *system_at > max_age) {
      system = reader.ReadSystem();
      system_at = now;
    }
    if (!system.ok()) {
      WarnOnce(system.status());
      return std::nullopt;
    }
    return *system;
  }

  // Logs a read error the first time it is seen, so a missing file is not one line per scrape.
  void WarnOnce(const Status& s) {
    if (!warned.insert(s.ToString()).second) return;
    log::GetLogger("klio.telemetry")
        .Warn("runtime metrics: cannot read /proc; the affected metrics are not reported",
              {{"error", s.ToString()}});
  }

  const ProcReader reader;
  const std::chrono::milliseconds max_age;
  std::mutex mu;
  std::optional<std::chrono::steady_clock::time_point> process_at;  // guarded by mu
  std::optional<std::chrono::steady_clock::time_point> system_at;   // guarded by mu
  Result<ProcessSample> process = Status::Unavailable("not read");  // guarded by mu
  Result<SystemSample> system = Status::Unavailable("not read");    // guarded by mu
  std::set<std::string> warned;                                     // guarded by mu
};

RuntimeMetrics::RuntimeMetrics(const Meter& meter, RuntimeMetricsOptions options)
    : state_(std::make_shared<State>(std::move(options.proc), options.max_sample_age)) {
  std::shared_ptr<State> st = state_;
  const auto keep = [this](ObservableRegistration r) {
    if (r.registered()) registrations_.push_back(std::move(r));
  };

  if (options.process) {
    keep(meter
             .CreateObservableCounter<double>("process.cpu.time", "CPU time used by the process",
                                              "s")
             .AddCallback([st](ObservableResult<double>& r) {
               if (auto s = st->Process()) {
                 r.Observe(s->cpu_user_s, {{"cpu.mode", "user"}});
                 r.Observe(s->cpu_system_s, {{"cpu.mode", "system"}});
               }
             }));
    keep(meter
             .CreateObservableUpDownCounter<std::int64_t>(
                 "process.memory.usage", "Physical memory in use by the process (RSS)", "By")
             .AddCallback([st](ObservableResult<std::int64_t>& r) {
               if (auto s = st->Process()) r.Observe(s->memory_rss_bytes);
             }));
    keep(meter
             .CreateObservableUpDownCounter<std::int64_t>(
                 "process.memory.virtual", "Virtual memory committed by the process", "By")
             .AddCallback([st](ObservableResult<std::int64_t>& r) {
               if (auto s = st->Process()) r.Observe(s->memory_virtual_bytes);
             }));
    keep(meter
             .CreateObservableUpDownCounter<std::int64_t>("process.thread.count",
                                                          "Threads of the process", "{thread}")
             .AddCallback([st](ObservableResult<std::int64_t>& r) {
               if (auto s = st->Process()) r.Observe(s->threads);
             }));
    keep(meter
             .CreateObservableUpDownCounter<std::int64_t>("process.open_file_descriptor.count",
                                                          "File descriptors open in the process",
                                                          "{file_descriptor}")
             .AddCallback([st](ObservableResult<std::int64_t>& r) {
               if (auto s = st->Process(); s && s->open_fds) r.Observe(*s->open_fds);
             }));
    keep(
        meter.CreateObservableGauge<double>("process.uptime", "Time since the process started", "s")
            .AddCallback([st](ObservableResult<double>& r) {
              if (auto s = st->Process(); s && s->uptime_s) r.Observe(*s->uptime_s);
            }));
  }

  if (options.system) {
    keep(meter
             .CreateObservableCounter<double>("system.cpu.time",
                                              "CPU time of the host, all CPUs together", "s")
             .AddCallback([st](ObservableResult<double>& r) {
               auto s = st->System();
               if (!s) return;
               const SystemCpuTimes& t = s->cpu_ticks;
               const double hz = s->ticks_per_second;
               const std::pair<const char*, std::uint64_t> modes[] = {
                   {"user", t.user},   {"nice", t.nice},     {"system", t.system},
                   {"idle", t.idle},   {"iowait", t.iowait}, {"interrupt", t.irq + t.softirq},
                   {"steal", t.steal},
               };
               for (const auto& [mode, ticks] : modes) {
                 r.Observe(static_cast<double>(ticks) / hz, {{"cpu.mode", mode}});
               }
             }));
    keep(
        meter
            .CreateObservableUpDownCounter<std::int64_t>("system.memory.usage",
                                                         "Host memory by state", "By")
            .AddCallback([st](ObservableResult<std::int64_t>& r) {
              auto s = st->System();
              if (!s) return;
              const MemoryStates m = ComputeMemoryStates(s->memory);
              const std::pair<const char*, std::uint64_t> states[] = {
                  {"used", m.used}, {"free", m.free}, {"cached", m.cached}, {"buffers", m.buffers}};
              for (const auto& [state, bytes] : states) {
                r.Observe(static_cast<std::int64_t>(bytes), {{"system.memory.state", state}});
              }
            }));
    keep(
        meter
            .CreateObservableGauge<double>("system.memory.utilization",
                                           "Fraction of host memory by state", "1")
            .AddCallback([st](ObservableResult<double>& r) {
              auto s = st->System();
              if (!s || s->memory.total == 0) return;
              const MemoryStates m = ComputeMemoryStates(s->memory);
              const double total = static_cast<double>(s->memory.total);
              const std::pair<const char*, std::uint64_t> states[] = {
                  {"used", m.used}, {"free", m.free}, {"cached", m.cached}, {"buffers", m.buffers}};
              for (const auto& [state, bytes] : states) {
                r.Observe(static_cast<double>(bytes) / total, {{"system.memory.state", state}});
              }
            }));
    keep(meter
             .CreateObservableCounter<std::uint64_t>(
                 "system.network.io", "Bytes received and sent per network interface", "By")
             .AddCallback([st](ObservableResult<std::uint64_t>& r) {
               auto s = st->System();
               if (!s) return;
               for (const NetDevice& dev : s->network) {
                 r.Observe(dev.receive_bytes,
                           {{"network.interface.name", std::string_view(dev.name)},
                            {"network.io.direction", "receive"}});
                 r.Observe(dev.transmit_bytes,
                           {{"network.interface.name", std::string_view(dev.name)},
                            {"network.io.direction", "transmit"}});
               }
             }));
  }
}

RuntimeMetrics::~RuntimeMetrics() {
  for (ObservableRegistration& r : registrations_) r.Unregister();
}

}  // namespace klio::telemetry::setup
