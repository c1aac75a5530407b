// OTLP export core: deadline, retries, shutdown and counters (see otlp_client.h).
#include "telemetry/export/otlp_client.h"

#include <algorithm>
#include <limits>
#include <string>

#include "telemetry/export/otlp_encode.h"
#include "telemetry/log.h"

namespace klio::telemetry::exporter {

using std::chrono::steady_clock;

void DefaultOtlpWarning(std::string_view message) {
  // With the OTel logs bridge on, this line is itself exported later; an export writes at
  // most one warning, so that cannot snowball.
  static const log::Logger logger = log::GetLogger("klio.telemetry.otlp");
  logger.Warn(message);
}

OtlpClient::OtlpClient(OtlpOptions options, std::unique_ptr<OtlpTransport> transport,
                       OtlpWarningSink warnings)
    : options_(std::move(options)),
      transport_(std::move(transport)),
      warnings_(warnings ? std::move(warnings) : OtlpWarningSink(&DefaultOtlpWarning)),
      rng_(std::random_device{}()) {}

OtlpClient::~OtlpClient() {
  // The owner normally shut us down already; make sure nothing is left waiting.
  (void)Shutdown(steady_clock::now());
}

Status OtlpClient::ShutdownError() const {
  return Status::FailedPrecondition("otlp " + std::string(SignalName(options_.signal)) +
                                    " exporter: already shut down");
}

void OtlpClient::Warn(std::string_view message) const { warnings_(message); }

Status OtlpClient::Send(std::size_t items, steady_clock::time_point deadline) {
  const std::string what = "otlp " + std::string(SignalName(options_.signal)) + " exporter";
  if (buffer_.size() > options_.max_request_bytes) {
    failed_.fetch_add(items);
    std::string msg = what + ": dropped a batch of " + std::to_string(items) +
                      " items: " + std::to_string(buffer_.size()) + " bytes is over the " +
                      std::to_string(options_.max_request_bytes) + " byte request limit";
    Warn(msg);
    return Status::ResourceExhausted(std::move(msg));
  }
  const auto now = steady_clock::now();
  // The export budget. A non-positive timeout means "no limit", bounded like the env's 0
  // so that deadline arithmetic (and gRPC's system_clock conversion) cannot overflow.
  const std::chrono::milliseconds budget =
      options_.timeout.count() > 0
          ? options_.timeout
          : std::chrono::milliseconds(std::numeric_limits<std::int32_t>::max());
  if (deadline > now && deadline - now > budget) deadline = now + budget;
  {
    std::lock_guard lock(mu_);
    if (shutdown_.load()) return ShutdownError();
    in_flight_ = true;
  }
  RetryHooks hooks;
  hooks.attempt = [this](steady_clock::time_point attempt_deadline) {
    requests_.fetch_add(1);
    return transport_->Send(buffer_.view(), attempt_deadline);
  };
  hooks.wait_until = [this](steady_clock::time_point until) {
    std::unique_lock lock(mu_);
    return !cv_.wait_until(lock, until, [this] { return shutdown_.load(); });
  };
  hooks.uniform01 = [this] { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); };
  AttemptOutcome outcome = RunWithRetry(options_.retry, deadline, hooks);
  {
    std::lock_guard lock(mu_);
    in_flight_ = false;
  }
  cv_.notify_all();

  if (outcome.kind != AttemptOutcome::Kind::kOk) {
    failed_.fetch_add(items);
    return outcome.status;
  }
  Result<PartialSuccess> partial = DecodeExportResponse(outcome.body);
  if (!partial.ok()) {
    // The peer took the data; an unreadable answer is worth a warning, not a failure.
    Warn(what + ": unreadable export response: " + partial.status().message());
    exported_.fetch_add(items);
    return Status::Ok();
  }
  if (partial->present && (partial->rejected > 0 || !partial->error_message.empty())) {
    const auto rejected = std::min<std::uint64_t>(
        static_cast<std::uint64_t>(std::max<std::int64_t>(partial->rejected, 0)), items);
    partial_successes_.fetch_add(1);
    rejected_.fetch_add(rejected);
    exported_.fetch_add(items - rejected);
    Warn(what + ": partial success: " + std::to_string(rejected) + " of " + std::to_string(items) +
         " items rejected" + (partial->error_message.empty() ? "" : ": " + partial->error_message));
    return Status::Ok();
  }
  exported_.fetch_add(items);
  return Status::Ok();
}

Status OtlpClient::Shutdown(steady_clock::time_point deadline) {
  {
    std::lock_guard lock(mu_);
    shutdown_.store(true);
  }
  cv_.notify_all();  // wakes a backoff wait
  transport_->Cancel();
  std::unique_lock lock(mu_);
  if (!cv_.wait_until(lock, deadline, [this] { return !in_flight_; })) {
    return Status::DeadlineExceeded("otlp " + std::string(SignalName(options_.signal)) +
                                    " exporter: shutdown deadline passed with an export in flight");
  }
  return Status::Ok();
}

OtlpExporterStats OtlpClient::Stats() const {
  OtlpExporterStats s;
  s.exported_items = exported_.load();
  s.rejected_items = rejected_.load();
  s.failed_items = failed_.load();
  s.requests = requests_.load();
  s.partial_successes = partial_successes_.load();
  return s;
}

}  // namespace klio::telemetry::exporter
