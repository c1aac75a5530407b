#include "telemetry/sdk/log_record_processor.h"

#include <span>

namespace klio::telemetry::sdk {

SimpleLogRecordProcessor::SimpleLogRecordProcessor(std::unique_ptr<LogExporter> exporter,
                                                   std::shared_ptr<const Resource> resource,
                                                   std::chrono::milliseconds export_timeout)
    : exporter_(std::move(exporter)),
      resource_(resource ? std::move(resource) : std::make_shared<const Resource>()),
      export_timeout_(export_timeout) {}

SimpleLogRecordProcessor::~SimpleLogRecordProcessor() {
  (void)Shutdown(std::chrono::steady_clock::now() + export_timeout_);
}

void SimpleLogRecordProcessor::OnEmit(LogRecordData&& record) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return;
  (void)exporter_->Export(std::span<const LogRecordData>(&record, 1), *resource_,
                          std::chrono::steady_clock::now() + export_timeout_);
}

Status SimpleLogRecordProcessor::ForceFlush(Deadline deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return Status::FailedPrecondition("simple log record processor: shut down");
  return exporter_->ForceFlush(deadline);
}

Status SimpleLogRecordProcessor::Shutdown(Deadline deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shut_down_) return Status::Ok();
  shut_down_ = true;
  return exporter_->Shutdown(deadline);
}

}  // namespace klio::telemetry::sdk
