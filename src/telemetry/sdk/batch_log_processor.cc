#include "telemetry/sdk/batch_log_processor.h"

namespace klio::telemetry::sdk {

BatchOptions BatchLogProcessorOptionsFromEnv(const EnvGetter& env, EnvWarnings* warnings) {
  return BatchOptionsFromEnv(env, "OTEL_BLRP", DefaultBatchLogOptions(), warnings);
}

BatchLogRecordProcessor::BatchLogRecordProcessor(std::unique_ptr<LogExporter> exporter,
                                                 std::shared_ptr<const Resource> resource,
                                                 BatchOptions options)
    : core_(std::move(exporter), std::move(resource), options, "log records",
            /*recycle_buffers=*/true) {}

}  // namespace klio::telemetry::sdk
