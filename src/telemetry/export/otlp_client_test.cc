// Tests of the OTLP export core with a scripted fake transport: counters, partial success,
// request size limit, deadlines, and shutdown (cancel in flight, fail fast afterwards); the
// exporter factories.
#include "telemetry/export/otlp_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <thread>

#include "telemetry/export/otlp_encode.h"

namespace klio::telemetry::exporter {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

class FakeTransport : public OtlpTransport {
 public:
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<AttemptOutcome> outcomes;  // the last one repeats
    bool hang = false;                    // block until Cancel or the deadline
    bool cancelled = false;
    std::vector<std::string> requests;
  };
  explicit FakeTransport(std::shared_ptr<State> s) : s_(std::move(s)) {}

  AttemptOutcome Send(std::string_view request, steady_clock::time_point deadline) override {
    std::unique_lock lock(s_->mu);
    s_->requests.emplace_back(request);
    if (s_->cancelled) return AttemptOutcome::Permanent(Status::Cancelled("fake: cancelled"));
    if (s_->hang) {
      s_->cv.wait_until(lock, deadline, [&] { return s_->cancelled; });
      if (s_->cancelled) return AttemptOutcome::Permanent(Status::Cancelled("fake: cancelled"));
      return AttemptOutcome::Retryable(Status::DeadlineExceeded("fake: timed out"));
    }
    AttemptOutcome o = s_->outcomes.front();
    if (s_->outcomes.size() > 1) s_->outcomes.pop_front();
    return o;
  }
  void Cancel() override {
    std::lock_guard lock(s_->mu);
    s_->cancelled = true;
    s_->cv.notify_all();
  }

 private:
  std::shared_ptr<State> s_;
};

struct Harness {
  std::shared_ptr<FakeTransport::State> state = std::make_shared<FakeTransport::State>();
  std::vector<std::string> warnings;
  std::mutex warnings_mu;
  std::unique_ptr<OtlpClient> client;

  explicit Harness(const OtlpOptions& options = FastOptions()) {
    client = std::make_unique<OtlpClient>(options, std::make_unique<FakeTransport>(state),
                                          [this](std::string_view w) {
                                            std::lock_guard lock(warnings_mu);
                                            warnings.emplace_back(w);
                                          });
  }
  static OtlpOptions FastOptions() {
    OtlpOptions o;
    o.retry.initial_backoff = milliseconds(5);
    o.retry.max_backoff = milliseconds(20);
    return o;
  }
  Status Export(std::size_t items, steady_clock::time_point deadline) {
    return client->Export(items, deadline, [](ProtoWriter* w) { w->StringField(1, "payload"); });
  }
};

std::string PartialSuccessBody(std::int64_t rejected, std::string_view message) {
  ProtoWriter w;
  const auto m = w.BeginMessage(1);
  w.VarintField(1, static_cast<std::uint64_t>(rejected));
  w.StringField(2, message);
  w.EndMessage(m);
  return w.ToString();
}

TEST(OtlpClientTest, SuccessCountsItems) {
  Harness h;
  h.state->outcomes = {AttemptOutcome::Ok("")};
  ASSERT_TRUE(h.Export(7, steady_clock::now() + seconds(5)).ok());
  const OtlpExporterStats s = h.client->Stats();
  EXPECT_EQ(s.exported_items, 7u);
  EXPECT_EQ(s.failed_items, 0u);
  EXPECT_EQ(s.requests, 1u);
  ASSERT_EQ(h.state->requests.size(), 1u);
  EXPECT_EQ(h.state->requests[0], std::string("\x0a\x07payload", 9));
}

TEST(OtlpClientTest, ZeroItemsSendNothing) {
  Harness h;
  EXPECT_TRUE(h.Export(0, steady_clock::now() + seconds(5)).ok());
  EXPECT_TRUE(h.state->requests.empty());
}

TEST(OtlpClientTest, RetryThenSuccessSendsOnceMore) {
  Harness h;
  h.state->outcomes = {AttemptOutcome::Retryable(Status::Unavailable("503")),
                       AttemptOutcome::Ok("")};
  ASSERT_TRUE(h.Export(3, steady_clock::now() + seconds(5)).ok());
  EXPECT_EQ(h.state->requests.size(), 2u);
  EXPECT_EQ(h.client->Stats().exported_items, 3u);
}

TEST(OtlpClientTest, PermanentFailureCountsFailed) {
  Harness h;
  h.state->outcomes = {AttemptOutcome::Permanent(Status::InvalidArgument("400"))};
  Status s = h.Export(4, steady_clock::now() + seconds(5));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.state->requests.size(), 1u);
  EXPECT_EQ(h.client->Stats().failed_items, 4u);
  EXPECT_EQ(h.client->Stats().exported_items, 0u);
}

TEST(OtlpClientTest, PartialSuccessIsOkWarnedAndCounted) {
  Harness h;
  h.state->outcomes = {AttemptOutcome::Ok(PartialSuccessBody(2, "2 spans without name"))};
  ASSERT_TRUE(h.Export(5, steady_clock::now() + seconds(5)).ok());
  const OtlpExporterStats s = h.client->Stats();
  EXPECT_EQ(s.exported_items, 3u);
  EXPECT_EQ(s.rejected_items, 2u);
  EXPECT_EQ(s.partial_successes, 1u);
  EXPECT_EQ(h.state->requests.size(), 1u);  // never retried
  ASSERT_EQ(h.warnings.size(), 1u);
  EXPECT_NE(h.warnings[0].find("2 of 5"), std::string::npos) << h.warnings[0];
  EXPECT_NE(h.warnings[0].find("2 spans without name"), std::string::npos);
}

TEST(OtlpClientTest, PartialSuccessWarningOnly) {
  Harness h;
  h.state->outcomes = {AttemptOutcome::Ok(PartialSuccessBody(0, "deprecated field"))};
  ASSERT_TRUE(h.Export(5, steady_clock::now() + seconds(5)).ok());
  EXPECT_EQ(h.client->Stats().exported_items, 5u);
  EXPECT_EQ(h.client->Stats().partial_successes, 1u);
  EXPECT_EQ(h.warnings.size(), 1u);
}

TEST(OtlpClientTest, OversizedRequestIsDroppedUnsent) {
  OtlpOptions o = Harness::FastOptions();
  o.max_request_bytes = 4;
  Harness h(o);
  Status s = h.Export(2, steady_clock::now() + seconds(5));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(h.state->requests.empty());
  EXPECT_EQ(h.client->Stats().failed_items, 2u);
  EXPECT_EQ(h.warnings.size(), 1u);
}

TEST(OtlpClientTest, ExportReturnsByTheOptionsTimeout) {
  OtlpOptions o = Harness::FastOptions();
  o.timeout = milliseconds(300);
  Harness h(o);
  h.state->hang = true;
  const auto start = steady_clock::now();
  Status s = h.Export(1, start + seconds(60));
  const auto took = steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, seconds(3));
}

TEST(OtlpClientTest, ShutdownCancelsAnInFlightExportAndReturnsByItsDeadline) {
  Harness h;
  h.state->hang = true;
  Status export_status;
  std::thread exporter([&] { export_status = h.Export(1, steady_clock::now() + seconds(60)); });
  // Wait until the export is in the transport.
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(h.state->mu);
      if (!h.state->requests.empty()) break;
    }
    std::this_thread::sleep_for(milliseconds(2));
  }
  const auto start = steady_clock::now();
  EXPECT_TRUE(h.client->Shutdown(start + seconds(2)).ok());
  EXPECT_LT(steady_clock::now() - start, seconds(2) + milliseconds(500));
  exporter.join();
  EXPECT_EQ(export_status.code(), StatusCode::kCancelled);
  // After shutdown: fail fast, nothing sent.
  const std::size_t sent = h.state->requests.size();
  EXPECT_EQ(h.Export(1, steady_clock::now() + seconds(5)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(h.state->requests.size(), sent);
  EXPECT_TRUE(h.client->Shutdown(steady_clock::now()).ok());  // idempotent
}

TEST(OtlpClientTest, ShutdownInterruptsABackoffWait) {
  OtlpOptions o = Harness::FastOptions();
  o.retry.initial_backoff = seconds(30);
  o.retry.max_backoff = seconds(30);
  o.retry.jitter = 0;
  o.timeout = seconds(120);
  Harness h(o);
  h.state->outcomes = {AttemptOutcome::Retryable(Status::Unavailable("503"))};
  Status export_status;
  const auto start = steady_clock::now();
  std::thread exporter([&] { export_status = h.Export(1, steady_clock::now() + seconds(120)); });
  for (int i = 0; i < 500 && h.client->Stats().requests == 0; ++i) {
    std::this_thread::sleep_for(milliseconds(2));
  }
  EXPECT_TRUE(h.client->Shutdown(steady_clock::now() + seconds(2)).ok());
  exporter.join();
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  EXPECT_EQ(export_status.code(), StatusCode::kCancelled);
}

TEST(OtlpExporterFactoryTest, RejectsMismatchedSignalAndUnreadableTlsFiles) {
  for (OtlpProtocol protocol : {OtlpProtocol::kHttpProtobuf, OtlpProtocol::kGrpc}) {
    OtlpOptions o;
    o.protocol = protocol;
    o.endpoint = protocol == OtlpProtocol::kGrpc ? "localhost:4317" : "http://localhost:4318/";
    o.signal = Signal::kLogs;
    EXPECT_EQ(MakeOtlpSpanExporter(o).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(MakeOtlpMetricExporter(o).status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(MakeOtlpLogExporter(o).ok());  // builds without network I/O

    o.signal = Signal::kTraces;
    o.use_tls = true;
    o.certificate_file = "/nonexistent/ca.pem";
    Result<std::unique_ptr<OtlpSpanExporter>> e = MakeOtlpSpanExporter(o);
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find("/nonexistent/ca.pem"), std::string::npos)
        << e.status().ToString();
  }
}

TEST(OtlpExporterFactoryTest, TemporalityPreference) {
  using sdk::InstrumentKind;
  using sdk::Temporality;
  OtlpOptions o;
  o.signal = Signal::kMetrics;
  o.endpoint = "http://localhost:4318/v1/metrics";
  const InstrumentKind kinds[] = {
      InstrumentKind::kCounter,           InstrumentKind::kUpDownCounter,
      InstrumentKind::kHistogram,         InstrumentKind::kGauge,
      InstrumentKind::kObservableCounter, InstrumentKind::kObservableUpDownCounter,
      InstrumentKind::kObservableGauge};
  const struct {
    TemporalityPreference preference;
    std::string want;  // per kind above: d = delta, c = cumulative
  } cases[] = {{TemporalityPreference::kCumulative, "ccccccc"},
               {TemporalityPreference::kDelta, "dcdcdcc"},
               {TemporalityPreference::kLowMemory, "dcdcccc"}};
  for (const auto& c : cases) {
    o.temporality = c.preference;
    auto e = MakeOtlpMetricExporter(o);
    ASSERT_TRUE(e.ok());
    std::string got;
    for (InstrumentKind k : kinds) {
      got += (*e)->PreferredTemporality(k) == Temporality::kDelta ? 'd' : 'c';
    }
    EXPECT_EQ(got, c.want);
  }
}

}  // namespace
}  // namespace klio::telemetry::exporter
