#include "telemetry/export/console.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "telemetry/export/prometheus_testdata.h"

namespace klio::telemetry::exporter {
namespace {

using ::testing::HasSubstr;

// A pipe whose read end collects what the exporter writes.
class Pipe {
 public:
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) == 0) {
      read_fd_ = fds[0];
      write_fd_ = fds[1];
    }
  }
  ~Pipe() {
    if (read_fd_ >= 0) close(read_fd_);
    if (write_fd_ >= 0) close(write_fd_);
  }
  int write_fd() const { return write_fd_; }
  void CloseRead() {
    close(read_fd_);
    read_fd_ = -1;
  }
  std::string Drain() {
    close(write_fd_);
    write_fd_ = -1;
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(read_fd_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int read_fd_ = -1;
  int write_fd_ = -1;
};

sdk::Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

template <size_t N>
void Fill(std::array<std::uint8_t, N>* bytes, std::uint8_t first) {
  for (size_t i = 0; i < N; ++i) (*bytes)[i] = static_cast<std::uint8_t>(first + i);
}

sdk::SpanData BackupSpan() {
  sdk::SpanData span;
  Fill(&span.context.trace_id.bytes, 0x10);
  Fill(&span.context.span_id.bytes, 0xa0);
  span.name = "backup";
  span.kind = sdk::SpanKind::kInternal;
  span.start_time_unix_nano = 1700000000000000000ull;
  span.end_time_unix_nano = 1700000000012300000ull;  // 12.3 ms
  span.attributes = {{"backup.name", "x"}};
  span.status_code = sdk::SpanStatusCode::kError;
  span.status_message = "disk full";
  sdk::SpanEvent event;
  event.name = "exception";
  event.attributes = {{"exception.message", "no space left"}};
  span.events.push_back(event);
  auto scope = std::make_shared<InstrumentationScope>();
  scope->name = "klio.backup";
  span.scope = scope;
  return span;
}

TEST(ConsoleFormatTest, SpanLine) {
  Resource resource;
  resource.attributes = {{"service.name", "klio-sidecar"}};
  EXPECT_EQ(FormatSpanLine(BackupSpan(), resource),
            "span name=backup trace_id=101112131415161718191a1b1c1d1e1f "
            "span_id=a0a1a2a3a4a5a6a7 parent=- kind=internal status=error "
            "status_msg=\"disk full\" dur=12.3ms scope=klio.backup service=klio-sidecar "
            "attrs={backup.name=x} events=[exception{exception.message=\"no space left\"}]\n");
}

TEST(ConsoleFormatTest, ChildSpanAndDurations) {
  sdk::SpanData span = BackupSpan();
  Fill(&span.parent_span_id.bytes, 0x01);
  span.parent_is_remote = true;
  span.kind = sdk::SpanKind::kServer;
  span.status_code = sdk::SpanStatusCode::kUnset;
  span.status_message.clear();
  span.events.clear();
  span.attributes.clear();
  span.end_time_unix_nano = span.start_time_unix_nano + 2500000000ull;
  std::string line = FormatSpanLine(span, Resource{});
  EXPECT_THAT(line, HasSubstr(" parent=0102030405060708(remote) kind=server status=unset "
                              "dur=2.500s scope=klio.backup\n"));
  span.end_time_unix_nano = span.start_time_unix_nano + 850;
  EXPECT_THAT(FormatSpanLine(span, Resource{}), HasSubstr(" dur=850ns "));
  span.end_time_unix_nano = span.start_time_unix_nano - 1;  // clock went back: no underflow
  EXPECT_THAT(FormatSpanLine(span, Resource{}), HasSubstr(" dur=0ns "));
}

TEST(ConsoleFormatTest, ValuesAreQuotedAndEscapedToStayOnOneLine) {
  sdk::SpanData span = BackupSpan();
  span.name = "multi\nline \"name\"";
  span.attributes = {
      {"k=v", "a,b"}, {"n", std::int64_t{3}}, {"list", std::vector<std::string>{"x"}}};
  std::string line = FormatSpanLine(span, Resource{});
  EXPECT_THAT(line, HasSubstr("name=\"multi\\nline \\\"name\\\"\" "));
  EXPECT_THAT(line, HasSubstr(R"(attrs={"k=v"="a,b",n=3,list="[\"x\"]"})"));
  EXPECT_EQ(line.find('\n'), line.size() - 1);
}

TEST(ConsoleFormatTest, MetricLines) {
  sdk::ResourceMetrics rm = testdata::KlioMetrics();
  const sdk::ScopeMetrics& server = rm.scopes[0];
  EXPECT_EQ(FormatMetricLines(server.metrics[0], server.scope, *rm.resource),
            "metric name=klio.wal.written_size type=counter unit=By scope=klio.server "
            "scope_version=0.1.0 service=klio-server attrs={cluster_name=cluster-example} "
            "value=3355443200\n");
  const sdk::ScopeMetrics& rpc = rm.scopes[2];
  std::string hist = FormatMetricLines(rpc.metrics[0], rpc.scope, Resource{});
  EXPECT_THAT(hist, HasSubstr("metric name=rpc.server.call.duration type=histogram unit=s "));
  EXPECT_THAT(hist, HasSubstr(" count=40 sum=3.2 buckets={0.005:12,0.01:8,"));
  EXPECT_THAT(hist, HasSubstr(",10:0,+Inf:0}\n"));
  EXPECT_THAT(FormatMetricLines(rpc.metrics[2], rpc.scope, Resource{}),
              HasSubstr("type=updowncounter unit=By"));
  EXPECT_THAT(FormatMetricLines(rpc.metrics[3], rpc.scope, Resource{}),
              HasSubstr("type=gauge unit=1 scope=klio.rpc scope_version=0.1.0 value=0.25\n"));
}

TEST(ConsoleFormatTest, LogLine) {
  sdk::LogRecordData record;
  record.time_unix_nano = 1700000000123456789ull;
  record.severity_number = 17;
  record.body = "backup failed";
  record.attributes = {{"backup.name", "nightly"}};
  Fill(&record.trace_id.bytes, 0x10);
  Fill(&record.span_id.bytes, 0xa0);
  Resource resource;
  resource.attributes = {{"service.name", "klio-sidecar"}};
  EXPECT_EQ(FormatLogLine(record, resource),
            "log time=2023-11-14T22:13:20.123456Z severity=error body=\"backup failed\" "
            "trace_id=101112131415161718191a1b1c1d1e1f span_id=a0a1a2a3a4a5a6a7 "
            "service=klio-sidecar attrs={backup.name=nightly}\n");
  record.severity_text = "WARN";
  record.trace_id = TraceId{};
  record.time_unix_nano = 0;
  record.observed_time_unix_nano = 1000;
  EXPECT_EQ(FormatLogLine(record, Resource{}),
            "log time=1970-01-01T00:00:00.000001Z severity=WARN body=\"backup failed\" "
            "attrs={backup.name=nightly}\n");
}

TEST(ConsoleExporterTest, SpanExporterWritesOneLinePerSpan) {
  Pipe pipe;
  ConsoleSpanExporter exporter(pipe.write_fd());
  std::vector<sdk::SpanData> spans = {BackupSpan(), BackupSpan()};
  ASSERT_TRUE(exporter.Export(spans, Resource{}, Soon()).ok());
  EXPECT_TRUE(exporter.ForceFlush(Soon()).ok());
  EXPECT_TRUE(exporter.Shutdown(Soon()).ok());
  EXPECT_EQ(exporter.Export(spans, Resource{}, Soon()).code(), StatusCode::kFailedPrecondition);
  std::string out = pipe.Drain();
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
  EXPECT_TRUE(out.starts_with("span name=backup "));
}

TEST(ConsoleExporterTest, MetricExporterWritesOneLinePerPoint) {
  Pipe pipe;
  ConsoleMetricExporter exporter(pipe.write_fd());
  EXPECT_EQ(exporter.PreferredTemporality(sdk::InstrumentKind::kCounter),
            sdk::Temporality::kCumulative);
  sdk::ResourceMetrics rm = testdata::KlioMetrics();
  ASSERT_TRUE(exporter.Export(rm, Soon()).ok());
  size_t points = 0;
  for (const auto& scope : rm.scopes) points += scope.metrics.size();  // one point each
  std::string out = pipe.Drain();
  EXPECT_EQ(static_cast<size_t>(std::count(out.begin(), out.end(), '\n')), points);
  EXPECT_THAT(out, HasSubstr("metric name=klio.backup.running type=gauge scope=klio.sidecar"));
  EXPECT_TRUE(exporter.Shutdown(Soon()).ok());
  EXPECT_EQ(exporter.Export(rm, Soon()).code(), StatusCode::kFailedPrecondition);
}

TEST(ConsoleExporterTest, LogExporterAndWriteErrors) {
  Pipe pipe;
  ConsoleLogExporter exporter(pipe.write_fd());
  std::vector<sdk::LogRecordData> records(3);
  for (auto& r : records) r.body = "hello";
  ASSERT_TRUE(exporter.Export(records, Resource{}, Soon()).ok());
  EXPECT_EQ(pipe.Drain(),
            "log time=1970-01-01T00:00:00.000000Z severity=unspecified "
            "body=hello\n"
            "log time=1970-01-01T00:00:00.000000Z severity=unspecified "
            "body=hello\n"
            "log time=1970-01-01T00:00:00.000000Z severity=unspecified "
            "body=hello\n");
  ConsoleLogExporter broken(-1);
  Status status = broken.Export(records, Resource{}, Soon());
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_THAT(status.message(), HasSubstr("console exporter: write to fd -1"));
}

}  // namespace
}  // namespace klio::telemetry::exporter
