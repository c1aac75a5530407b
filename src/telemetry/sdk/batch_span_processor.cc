#include "telemetry/sdk/batch_span_processor.h"

#include <string>

namespace klio::telemetry::sdk {

// Shared by the span and the log processor: `prefix` is OTEL_BSP or OTEL_BLRP.
BatchOptions BatchOptionsFromEnv(const EnvGetter& env, std::string_view prefix,
                                 BatchOptions defaults, EnvWarnings* warnings) {
  const std::string p(prefix);
  BatchOptions o = defaults;
  if (auto v = EnvDuration(env, p + "_SCHEDULE_DELAY", warnings)) o.schedule_delay = *v;
  if (auto v = EnvTimeout(env, p + "_EXPORT_TIMEOUT", warnings)) o.export_timeout = *v;
  if (auto v = EnvPositiveInt(env, p + "_MAX_QUEUE_SIZE", warnings)) {
    o.max_queue_size = static_cast<std::size_t>(*v);
  }
  if (auto v = EnvPositiveInt(env, p + "_MAX_EXPORT_BATCH_SIZE", warnings)) {
    o.max_export_batch_size = static_cast<std::size_t>(*v);
  }
  if (o.max_export_batch_size > o.max_queue_size) {
    if (warnings != nullptr) {
      warnings->push_back(Status::InvalidArgument(
          p + "_MAX_EXPORT_BATCH_SIZE: " + std::to_string(o.max_export_batch_size) +
          " is larger than " + p + "_MAX_QUEUE_SIZE " + std::to_string(o.max_queue_size) +
          "; using " + std::to_string(o.max_queue_size)));
    }
    o.max_export_batch_size = o.max_queue_size;
  }
  return o;
}

BatchSpanProcessorOptions BatchSpanProcessorOptionsFromEnv(const EnvGetter& env,
                                                           EnvWarnings* warnings) {
  return BatchOptionsFromEnv(env, "OTEL_BSP", BatchSpanProcessorOptions{}, warnings);
}

BatchSpanProcessor::BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                                       std::shared_ptr<const Resource> resource,
                                       BatchSpanProcessorOptions options)
    : core_(std::move(exporter), std::move(resource), options, "spans",
            /*recycle_buffers=*/true) {}

void BatchSpanProcessor::OnEnd(SpanData&& span) {
  if (!span.context.IsSampled()) return;
  (void)core_.Enqueue(std::move(span));
}

Status BatchSpanProcessor::ForceFlush(Deadline deadline) { return core_.ForceFlush(deadline); }

Status BatchSpanProcessor::Shutdown(Deadline deadline) { return core_.Shutdown(deadline); }

}  // namespace klio::telemetry::sdk
