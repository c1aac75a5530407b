#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "telemetry/log.h"
#include "telemetry/log_format.h"
#include "telemetry/log_writer.h"

namespace klio::log {
namespace {

std::atomic<Format> g_format{Format::kJson};
std::atomic<NowFunction> g_now{nullptr};
std::atomic<bool> g_batched{true};
using internal::g_dropped;
using internal::g_fd;

constexpr std::string_view kDefaultLoggerName = "klio";

// Interned logger names: node-based, so element addresses are stable. Never destroyed.
struct NameTable {
  std::mutex mu;
  std::set<std::string, std::less<>> names;  // guarded by mu
};

NameTable& Names() {
  static NameTable* table = new NameTable();
  return *table;
}

const std::string* Intern(std::string_view name) {
  if (name.empty()) name = kDefaultLoggerName;
  NameTable& table = Names();
  std::lock_guard<std::mutex> lock(table.mu);
  auto it = table.names.find(name);
  if (it == table.names.end()) it = table.names.emplace(name).first;
  return &*it;
}

// Per-thread scratch space, reused by every line the thread writes, so a line normally
// allocates nothing. A line logged while another is being written on the same thread (from
// a sink or a trace provider) gets a fresh one instead.
struct LineState {
  std::string line;
  std::vector<Field> fields;
  std::vector<std::string> values;  // redacted field values; sized before views are taken
  std::string message;              // redacted message
  bool busy = false;
};

thread_local bool t_in_sinks = false;

bool CallHasKey(std::span<const Field> fields, std::string_view key) {
  for (const Field& f : fields) {
    if (f.key() == key) return true;
  }
  return false;
}

// Context fields (request_id first), then the call's fields (the last of equal keys wins),
// with secret-looking keys and secrets in string values redacted.
void ResolveFields(std::span<const Field> call, LineState* st) {
  st->fields.clear();
  const std::vector<internal::ContextEntry>& context = internal::ThreadContext();
  if (!context.empty()) {
    for (int pass = 0; pass < 2; ++pass) {
      for (const internal::ContextEntry& entry : context) {
        if (entry.hidden || ((entry.field.key() == "request_id") != (pass == 0))) continue;
        if (CallHasKey(call, entry.field.key())) continue;
        st->fields.push_back(entry.field.view());
      }
    }
  }
  if (st->values.size() < call.size()) st->values.resize(call.size());
  for (size_t i = 0; i < call.size(); ++i) {
    const Field& f = call[i];
    if (CallHasKey(call.subspan(i + 1), f.key())) continue;
    if (IsSecretKey(f.key())) {
      st->fields.emplace_back(f.key(), kRedacted);
      continue;
    }
    std::string& value = st->values[i];
    switch (f.type()) {
      case Field::Type::kString:
        if (RedactSecretsTo(f.string_value(), &value)) {
          st->fields.emplace_back(f.key(), std::string_view(value));
        } else {
          st->fields.push_back(f);
        }
        break;
      case Field::Type::kStatus: {
        value = StatusFieldText(*f.status_value());
        std::string redacted;
        if (RedactSecretsTo(value, &redacted)) value.swap(redacted);
        st->fields.emplace_back(f.key(), std::string_view(value));
        break;
      }
      default: st->fields.push_back(f); break;
    }
  }
}

}  // namespace

void Configure(const Options& options) {
  internal::FlushQueued(g_fd.load(std::memory_order_relaxed));
  g_batched.store(options.batched, std::memory_order_relaxed);
  g_format.store(options.format, std::memory_order_relaxed);
  g_fd.store(options.fd, std::memory_order_relaxed);
  g_now.store(options.now, std::memory_order_relaxed);
  internal::g_min_level.store(static_cast<int>(options.level), std::memory_order_relaxed);
}

Options CurrentOptions() {
  Options options;
  options.level = static_cast<Level>(internal::g_min_level.load(std::memory_order_relaxed));
  options.format = g_format.load(std::memory_order_relaxed);
  options.fd = g_fd.load(std::memory_order_relaxed);
  options.now = g_now.load(std::memory_order_relaxed);
  options.batched = g_batched.load(std::memory_order_relaxed);
  return options;
}

std::uint64_t DroppedLineCount() { return g_dropped.load(std::memory_order_relaxed); }

void Flush() {
  const int saved_errno = errno;
  internal::FlushQueued(g_fd.load(std::memory_order_relaxed));
  errno = saved_errno;
}

Logger::Logger() : name_(Intern(kDefaultLoggerName)) {}

Logger GetLogger(std::string_view name) { return Logger(Intern(name)); }

void Logger::Write(Level level, std::string_view message, std::span<const Field> fields) const {
  const int saved_errno = errno;
  thread_local LineState t_state;
  LineState nested;
  LineState* st = t_state.busy ? &nested : &t_state;
  st->busy = true;

  const NowFunction now = g_now.load(std::memory_order_relaxed);
  LogRecord record;
  record.timestamp = now != nullptr ? now() : std::chrono::system_clock::now();
  record.level = level;
  record.severity_number = SeverityNumber(level);
  record.severity_text = SeverityText(level);
  record.logger = *name_;
  record.message = RedactSecretsTo(message, &st->message) ? std::string_view(st->message) : message;
  ResolveFields(fields, st);
  record.fields = st->fields;
  record.trace = CurrentTraceContext();

  const int fd = g_fd.load(std::memory_order_relaxed);
  if (fd >= 0) {
    st->line.clear();
    if (g_format.load(std::memory_order_relaxed) == Format::kConsole) {
      AppendConsoleLine(record, &st->line);
    } else {
      AppendJsonLine(record, &st->line);
    }
    if (!g_batched.load(std::memory_order_relaxed)) {
      internal::WriteLineUnordered(fd, st->line);
    } else if (level >= Level::kWarn) {
      internal::WriteLineNow(fd, st->line);  // durable on return, after what is queued
    } else {
      internal::QueueLine(fd, st->line);
    }
  }
  if (internal::HasSinks() && !t_in_sinks) {
    t_in_sinks = true;
    internal::DispatchToSinks(record);
    t_in_sinks = false;
  }
  st->busy = false;
  errno = saved_errno;
}

}  // namespace klio::log
