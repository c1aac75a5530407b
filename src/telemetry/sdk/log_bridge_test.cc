// klio::log lines inside spans: the JSON line carries trace_id/span_id/trace_flags, and the
// logs bridge turns the line into a LogRecordData with the same trace context.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "telemetry/log.h"
#include "telemetry/sdk/batch_log_processor.h"
#include "telemetry/sdk/logger_provider.h"
#include "telemetry/sdk/testing_exporters.h"
#include "telemetry/sdk/tracer_provider.h"

namespace klio::telemetry::sdk {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Makes every line reach the fd before the logging call returns. klio::log is gaining batched
// writes (Options::batched); written as a template so the test builds with and without it.
template <typename O>
void WriteLinesSynchronously(O& options) {
  if constexpr (requires { options.batched = false; }) options.batched = false;
}

// Points klio::log at a pipe for the test and restores the old options afterwards.
class LogCapture {
 public:
  LogCapture() : saved_(log::CurrentOptions()) {
    EXPECT_EQ(pipe(fds_), 0);
    fcntl(fds_[0], F_SETFL, O_NONBLOCK);
    log::Options o = saved_;
    o.fd = fds_[1];
    o.format = log::Format::kJson;
    o.level = log::Level::kInfo;
    WriteLinesSynchronously(o);
    log::Configure(o);
  }
  ~LogCapture() {
    log::Configure(saved_);
    close(fds_[0]);
    close(fds_[1]);
  }
  // Every complete line written so far, parsed.
  std::vector<nlohmann::json> Lines() {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds_[0], buf, sizeof(buf))) > 0) pending_.append(buf, n);
    std::vector<nlohmann::json> out;
    std::size_t nl;
    while ((nl = pending_.find('\n')) != std::string::npos) {
      out.push_back(nlohmann::json::parse(pending_.substr(0, nl)));
      pending_.erase(0, nl + 1);
    }
    return out;
  }

 private:
  log::Options saved_;
  int fds_[2] = {-1, -1};
  std::string pending_;
};

struct Providers {
  Providers() {
    auto span_exporter = std::make_unique<testing::InMemorySpanExporter>();
    spans = span_exporter->storage();
    TracerProviderOptions to;
    to.processors.push_back(
        std::make_unique<SimpleSpanProcessor>(std::move(span_exporter), nullptr));
    tracer_provider = std::make_unique<TracerProvider>(std::move(to));
    SetTracerProvider(tracer_provider.get());

    auto log_exporter = std::make_unique<testing::InMemoryLogExporter>();
    logs = log_exporter->storage();
    LoggerProviderOptions lo;
    lo.processors.push_back(
        std::make_unique<SimpleLogRecordProcessor>(std::move(log_exporter), nullptr));
    logger_provider = std::make_unique<LoggerProvider>(std::move(lo));
    logger_provider->InstallLogBridge();
  }
  ~Providers() { SetTracerProvider(nullptr); }

  std::shared_ptr<testing::InMemorySpanExporter::Storage> spans;
  std::shared_ptr<testing::InMemoryLogExporter::Storage> logs;
  std::unique_ptr<TracerProvider> tracer_provider;
  std::unique_ptr<LoggerProvider> logger_provider;
};

const AttributeValue* Find(const Attributes& attrs, std::string_view key) {
  for (const KeyValue& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

TEST(LogBridgeTest, LinesInsideASpanCarryItsTraceContext) {
  LogCapture capture;
  Providers p;
  const log::Logger logger = log::GetLogger("klio.wal");
  Tracer tracer = GetTracer("klio.test");
  Span span = tracer.StartSpan("archive");
  {
    auto scope = tracer.WithActiveSpan(span);
    log::ScopedContext ctx({{"request_id", "req-1"}});
    logger.Info("wal segment archived",
                {{"cluster_name", "main"}, {"bytes", 16777216}, {"password", "hunter2"}});
  }
  logger.Warn("outside any span");
  span.End();

  std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 2u);
  const nlohmann::json& in = lines[0];
  EXPECT_EQ(in["msg"], "wal segment archived");
  EXPECT_EQ(in["trace_id"], span.context().trace_id.ToHex());
  EXPECT_EQ(in["span_id"], span.context().span_id.ToHex());
  EXPECT_EQ(in["trace_flags"], "03");  // sampled + random
  EXPECT_EQ(in["request_id"], "req-1");
  EXPECT_FALSE(lines[1].contains("trace_id"));
  EXPECT_FALSE(lines[1].contains("span_id"));

  std::vector<LogRecordData> records = p.logs->Items();
  ASSERT_EQ(records.size(), 2u);
  const LogRecordData& r = records[0];
  EXPECT_EQ(r.body, "wal segment archived");
  EXPECT_EQ(r.severity_number, 9);
  EXPECT_EQ(r.severity_text, "INFO");
  EXPECT_EQ(r.trace_id, span.context().trace_id);
  EXPECT_EQ(r.span_id, span.context().span_id);
  EXPECT_EQ(r.trace_flags, span.context().trace_flags);
  EXPECT_GT(r.time_unix_nano, 0u);
  EXPECT_EQ(r.observed_time_unix_nano, r.time_unix_nano);
  ASSERT_NE(r.scope, nullptr);
  EXPECT_EQ(r.scope->name, "klio.wal");
  ASSERT_NE(Find(r.attributes, "request_id"), nullptr);
  EXPECT_EQ(*Find(r.attributes, "request_id"), AttributeValue(std::string("req-1")));
  EXPECT_EQ(*Find(r.attributes, "cluster_name"), AttributeValue(std::string("main")));
  EXPECT_EQ(*Find(r.attributes, "bytes"), AttributeValue(std::int64_t{16777216}));
  EXPECT_EQ(*Find(r.attributes, "password"), AttributeValue(std::string("[REDACTED]")));
  EXPECT_EQ(r.attributes[0].key, "request_id");  // context fields first

  const LogRecordData& outside = records[1];
  EXPECT_EQ(outside.severity_number, 13);
  EXPECT_EQ(outside.severity_text, "WARN");
  EXPECT_FALSE(outside.trace_id.IsValid());
  EXPECT_FALSE(outside.span_id.IsValid());
}

TEST(LogBridgeTest, UnsampledSpanStillCorrelatesWithFlags00) {
  LogCapture capture;
  auto log_exporter = std::make_unique<testing::InMemoryLogExporter>();
  auto logs = log_exporter->storage();
  TracerProviderOptions to;
  to.sampler = NewAlwaysOffSampler();
  TracerProvider tracer_provider(std::move(to));
  SetTracerProvider(&tracer_provider);
  LoggerProviderOptions lo;
  lo.processors.push_back(
      std::make_unique<SimpleLogRecordProcessor>(std::move(log_exporter), nullptr));
  LoggerProvider logger_provider(std::move(lo));
  logger_provider.InstallLogBridge();

  Tracer tracer = GetTracer("klio.test");
  Span span = tracer.StartSpan("unsampled");
  {
    auto scope = tracer.WithActiveSpan(span);
    log::GetLogger("klio.x").Info("hello");
  }
  SetTracerProvider(nullptr);
  std::vector<nlohmann::json> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["trace_id"], span.context().trace_id.ToHex());
  EXPECT_EQ(lines[0]["trace_flags"], "02");
  ASSERT_EQ(logs->Items().size(), 1u);
  EXPECT_EQ(logs->Items()[0].trace_flags, 0x02);
}

TEST(LogBridgeTest, AttributeLimitsApplyAndBodyIsNeverCut) {
  LogCapture capture;
  auto log_exporter = std::make_unique<testing::InMemoryLogExporter>();
  auto logs = log_exporter->storage();
  LoggerProviderOptions lo;
  lo.limits = {.attribute_count = 2, .attribute_value_length = 3};
  lo.processors.push_back(
      std::make_unique<SimpleLogRecordProcessor>(std::move(log_exporter), nullptr));
  LoggerProvider provider(std::move(lo));
  provider.InstallLogBridge();
  log::GetLogger("klio.x").Info("a long message body", {{"a", "abcdef"}, {"b", 1}, {"c", 2}});
  std::vector<LogRecordData> records = logs->Items();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].body, "a long message body");
  ASSERT_EQ(records[0].attributes.size(), 2u);
  EXPECT_EQ(records[0].attributes[0], KeyValue("a", "abc"));
  EXPECT_EQ(records[0].dropped_attributes_count, 1u);
  EXPECT_EQ(provider.records_with_dropped_attributes(), 1u);

  // After Shutdown the bridge is gone: nothing more arrives.
  ASSERT_TRUE(provider.Shutdown(steady_clock::now() + milliseconds(1000)).ok());
  log::GetLogger("klio.x").Info("after shutdown");
  EXPECT_EQ(logs->Items().size(), 1u);
  EXPECT_TRUE(logs->shut_down());
}

TEST(LogBridgeTest, BatchProcessorPathAndSdkLogger) {
  LogCapture capture;
  auto log_exporter = std::make_unique<testing::InMemoryLogExporter>();
  auto logs = log_exporter->storage();
  LoggerProviderOptions lo;
  lo.processors.push_back(
      std::make_unique<BatchLogRecordProcessor>(std::move(log_exporter), nullptr));
  LoggerProvider provider(std::move(lo));
  provider.InstallLogBridge();
  provider.InstallLogBridge();  // idempotent: one record per line
  std::vector<std::thread> threads;
  threads.reserve(3);
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([t] {
      const log::Logger logger = log::GetLogger("klio.thread" + std::to_string(t));
      for (int i = 0; i < 50; ++i) logger.Info("line", {{"i", i}});
    });
  }
  for (std::thread& t : threads) t.join();
  provider.GetLogger("klio.event").Emit(LogRecordData{.severity_number = 17, .body = "direct"});
  ASSERT_TRUE(provider.ForceFlush(steady_clock::now() + milliseconds(5000)).ok());
  std::vector<LogRecordData> records = logs->Items();
  ASSERT_EQ(records.size(), 151u);
  std::map<std::string, int> per_scope;
  for (const LogRecordData& r : records) ++per_scope[r.scope->name];
  EXPECT_EQ(per_scope["klio.thread0"], 50);
  EXPECT_EQ(per_scope["klio.thread2"], 50);
  EXPECT_EQ(per_scope["klio.event"], 1);
  EXPECT_GT(records.back().observed_time_unix_nano, 0u);
}

TEST(LogBridgeTest, RecycledQueueSlotsCarryNoStaleData) {
  LogCapture capture;
  auto log_exporter = std::make_unique<testing::InMemoryLogExporter>();
  auto logs = log_exporter->storage();
  LoggerProviderOptions lo;
  BatchOptions b = DefaultBatchLogOptions();
  b.max_queue_size = 2;  // every slot is reused many times
  b.max_export_batch_size = 1;
  lo.processors.push_back(
      std::make_unique<BatchLogRecordProcessor>(std::move(log_exporter), nullptr, b));
  LoggerProvider provider(std::move(lo));
  provider.InstallLogBridge();
  Providers tracing;  // installs a tracer provider (and a second bridge into its own storage)
  Tracer tracer = GetTracer("klio.test");
  const log::Logger a = log::GetLogger("klio.a");
  const log::Logger z = log::GetLogger("klio.z");
  for (int i = 0; i < 20; ++i) {
    {
      Span span = tracer.StartSpan("s");
      auto scope = tracer.WithActiveSpan(span);
      a.Info("inside a span with three fields",
             {{"x", "a long string value here"}, {"y", i}, {"z", true}});
    }
    z.Warn("plain");
    ASSERT_TRUE(provider.ForceFlush(steady_clock::now() + milliseconds(5000)).ok());
  }
  std::vector<LogRecordData> records = logs->Items();
  ASSERT_EQ(records.size(), 40u);
  for (std::size_t i = 0; i < records.size(); i += 2) {
    const LogRecordData& in = records[i];
    const LogRecordData& plain = records[i + 1];
    EXPECT_EQ(in.attributes.size(), 3u);
    EXPECT_EQ(*Find(in.attributes, "y"), AttributeValue(std::int64_t(i / 2)));
    EXPECT_TRUE(in.trace_id.IsValid());
    EXPECT_EQ(in.scope->name, "klio.a");
    EXPECT_EQ(plain.body, "plain");
    EXPECT_TRUE(plain.attributes.empty());
    EXPECT_FALSE(plain.trace_id.IsValid());
    EXPECT_EQ(plain.trace_flags, 0);
    EXPECT_EQ(plain.severity_text, "WARN");
    EXPECT_EQ(plain.scope->name, "klio.z");
  }
}

}  // namespace
}  // namespace klio::telemetry::sdk
