#include "telemetry/sdk/span_processor.h"

#include <span>

namespace klio::telemetry::sdk {

SimpleSpanProcessor::SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                         std::shared_ptr<const Resource> resource,
                                         std::chrono::milliseconds export_timeout)
    : exporter_(std::move(exporter)),
      resource_(resource ? std::move(resource) : std::make_shared<const Resource>()),
      export_timeout_(export_timeout) {}

SimpleSpanProcessor::~SimpleSpanProcessor() {
  (void)Shutdown(std::chrono::steady_clock::now() + export_timeout_);
}

void SimpleSpanProcessor::OnEnd(SpanData&& span) {
  if (!span.context.IsSampled()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  (void)exporter_->Export(std::span<const SpanData>(&span, 1), *resource_,
                          std::chrono::steady_clock::now() + export_timeout_);
}

Status SimpleSpanProcessor::ForceFlush(Deadline deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return Status::FailedPrecondition("simple span processor: shut down");
  return exporter_->ForceFlush(deadline);
}

Status SimpleSpanProcessor::Shutdown(Deadline deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return Status::Ok();
  shut_down_ = true;
  return exporter_->Shutdown(deadline);
}

}  // namespace klio::telemetry::sdk
