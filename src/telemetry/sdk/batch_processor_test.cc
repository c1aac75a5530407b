#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "telemetry/log.h"
#include "telemetry/sdk/batch_log_processor.h"
#include "telemetry/sdk/batch_queue.h"
#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/testing_exporters.h"

namespace klio::telemetry::sdk {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::BlockingSpanExporter;
using testing::InMemorySpanExporter;

SpanData MakeSpan(int i, bool sampled = true) {
  SpanData d;
  d.name = "span-" + std::to_string(i);
  d.context.trace_id.bytes[0] = 1;
  d.context.span_id.bytes[0] = static_cast<std::uint8_t>(i + 1);
  d.context.trace_flags = sampled ? 1 : 0;
  return d;
}

BatchOptions Options(std::size_t queue, std::size_t batch, milliseconds delay) {
  BatchOptions o;
  o.max_queue_size = queue;
  o.max_export_batch_size = batch;
  o.schedule_delay = delay;
  o.export_timeout = milliseconds(5000);
  return o;
}

// Captures warn lines written by the SDK's own logger.
class CapturingSink final : public log::LogSink {
 public:
  void Write(const log::LogRecord& record) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (record.level == log::Level::kWarn) messages_.emplace_back(record.message);
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> messages_;
};

TEST(BoundedQueueTest, FifoFullAndEmptyWithAnyCapacity) {
  for (std::size_t cap : {1u, 3u, 4u, 7u}) {
    BoundedQueue<int> q(cap);
    int out = 0;
    EXPECT_FALSE(q.TryPop(&out));
    for (int round = 0; round < 3; ++round) {
      std::size_t size = 0;
      for (std::size_t i = 0; i < cap; ++i) {
        ASSERT_TRUE(q.TryPush(static_cast<int>(i) + round * 100, &size));
        EXPECT_EQ(size, i + 1);
      }
      EXPECT_FALSE(q.TryPush(-1, &size)) << "capacity " << cap;
      for (std::size_t i = 0; i < cap; ++i) {
        ASSERT_TRUE(q.TryPop(&out));
        EXPECT_EQ(out, static_cast<int>(i) + round * 100);
      }
      EXPECT_FALSE(q.TryPop(&out));
    }
  }
}

TEST(BoundedQueueTest, ManyProducersOneConsumerLoseNothing) {
  BoundedQueue<std::uint64_t> q(64);
  constexpr int kProducers = 4;
  constexpr std::uint64_t kPerProducer = 20000;
  std::atomic<int> done{0};
  std::vector<std::thread> producers;
  producers.reserve(kProducers);
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (std::uint64_t i = 0; i < kPerProducer; ++i) {
        std::uint64_t v = (static_cast<std::uint64_t>(p) << 32) | i;
        std::size_t size;
        while (!q.TryPush(std::uint64_t{v}, &size)) std::this_thread::yield();
      }
      done.fetch_add(1);
    });
  }
  std::vector<std::uint64_t> next(kProducers, 0);
  std::uint64_t total = 0;
  std::uint64_t v;
  while (total < kProducers * kPerProducer) {
    if (!q.TryPop(&v)) {
      std::this_thread::yield();
      continue;
    }
    int p = static_cast<int>(v >> 32);
    ASSERT_EQ(v & 0xffffffff, next[p]) << "per-producer order";
    ++next[p];
    ++total;
  }
  for (std::thread& t : producers) t.join();
  EXPECT_FALSE(q.TryPop(&v));
}

TEST(BatchSpanProcessorTest, FullBatchesAreExportedWithoutWaitingForTheTimer) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(16, 4, milliseconds(60000)));
  for (int i = 0; i < 8; ++i) p.OnEnd(MakeSpan(i));
  EXPECT_EQ(storage->WaitForCount(8, milliseconds(5000)), 8u);
  std::vector<std::size_t> sizes = storage->BatchSizes();
  for (std::size_t s : sizes) EXPECT_LE(s, 4u);
  std::vector<SpanData> spans = storage->Items();
  for (int i = 0; i < 8; ++i) EXPECT_EQ(spans[i].name, "span-" + std::to_string(i));
}

TEST(BatchSpanProcessorTest, PartialBatchIsExportedAfterTheScheduleDelay) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(16, 10, milliseconds(50)));
  for (int i = 0; i < 3; ++i) p.OnEnd(MakeSpan(i));
  EXPECT_EQ(storage->WaitForCount(3, milliseconds(5000)), 3u);
  EXPECT_EQ(storage->BatchSizes(), std::vector<std::size_t>{3});
}

TEST(BatchSpanProcessorTest, UnsampledSpansAreNotExported) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(16, 10, milliseconds(60000)));
  p.OnEnd(MakeSpan(1, /*sampled=*/false));
  p.OnEnd(MakeSpan(2));
  ASSERT_TRUE(p.ForceFlush(steady_clock::now() + milliseconds(5000)).ok());
  ASSERT_EQ(storage->Items().size(), 1u);
  EXPECT_EQ(storage->Items()[0].name, "span-2");
}

TEST(BatchSpanProcessorTest, ForceFlushExportsEverythingAndFlushesTheExporter) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(64, 10, milliseconds(60000)));
  for (int i = 0; i < 25; ++i) p.OnEnd(MakeSpan(i));
  Status st = p.ForceFlush(steady_clock::now() + milliseconds(5000));
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(storage->Items().size(), 25u);
  EXPECT_EQ(storage->flush_calls(), 1);
  EXPECT_EQ(p.stats().exported, 25u);
  EXPECT_EQ(p.stats().queue_size, 0u);
}

TEST(BatchSpanProcessorTest, ExportGetsADeadlineOfExportTimeout) {
  class DeadlineRecorder final : public SpanExporter {
   public:
    explicit DeadlineRecorder(Deadline* out) : out_(out) {}
    Status Export(std::span<const SpanData>, const Resource&, Deadline d) override {
      *out_ = d;
      return Status::Unavailable("collector down");
    }
    Status ForceFlush(Deadline) override { return Status::Ok(); }
    Status Shutdown(Deadline) override { return Status::Ok(); }
    Deadline* out_;
  };
  Deadline seen{};
  BatchOptions o = Options(16, 4, milliseconds(60000));
  o.export_timeout = milliseconds(1234);
  BatchSpanProcessor p(std::make_unique<DeadlineRecorder>(&seen), nullptr, o);
  auto before = steady_clock::now();
  p.OnEnd(MakeSpan(1));
  Status st = p.ForceFlush(steady_clock::now() + milliseconds(60000));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);  // the export error is reported
  EXPECT_GE(seen, before + milliseconds(1234));
  EXPECT_LE(seen, steady_clock::now() + milliseconds(1234));
  EXPECT_EQ(p.stats().failed, 1u);
}

TEST(BatchSpanProcessorTest, FullQueueDropsCountsAndWarns) {
  auto sink = std::make_shared<CapturingSink>();
  log::AddSink(sink);
  auto exporter = std::make_unique<BlockingSpanExporter>(/*release_on_shutdown=*/true);
  auto control = exporter->control();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(4, 1, milliseconds(60000)));
  p.OnEnd(MakeSpan(0));  // the worker takes it and blocks in Export
  ASSERT_TRUE(control->WaitInExport(milliseconds(5000)));
  for (int i = 1; i < 20; ++i) p.OnEnd(MakeSpan(i));
  BatchStats s = p.stats();
  EXPECT_EQ(s.dropped, 15u);  // 4 fit in the queue
  EXPECT_EQ(s.enqueued, 5u);
  control->Release();
  ASSERT_TRUE(p.ForceFlush(steady_clock::now() + milliseconds(5000)).ok());
  EXPECT_EQ(p.stats().exported, 5u);
  // The warn line is written by the worker after the export returned.
  bool warned = false;
  for (int i = 0; i < 500 && !warned; ++i) {
    for (const std::string& m : sink->messages()) {
      warned = warned || m == "telemetry queue full: dropped spans";
    }
    if (!warned) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(warned);
  log::RemoveSink(sink.get());
}

TEST(BatchSpanProcessorTest, ShutdownReturnsByItsDeadlineWhenTheExporterHangs) {
  auto exporter = std::make_unique<BlockingSpanExporter>(/*release_on_shutdown=*/false);
  auto control = exporter->control();
  {
    BatchSpanProcessor p(std::move(exporter), nullptr, Options(16, 1, milliseconds(60000)));
    p.OnEnd(MakeSpan(0));
    ASSERT_TRUE(control->WaitInExport(milliseconds(5000)));
    p.OnEnd(MakeSpan(1));

    auto start = steady_clock::now();
    Status flush = p.ForceFlush(start + milliseconds(100));
    EXPECT_EQ(flush.code(), StatusCode::kDeadlineExceeded) << flush.ToString();
    Status st = p.Shutdown(steady_clock::now() + milliseconds(200));
    auto took = steady_clock::now() - start;
    EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded) << st.ToString();
    EXPECT_LT(took, milliseconds(2000));
    EXPECT_TRUE(p.Shutdown(steady_clock::now()).ok());  // second call: at once
    p.OnEnd(MakeSpan(2));                               // after shutdown: dropped
    EXPECT_GE(p.stats().dropped, 1u);
  }  // the processor is gone; the detached worker still owns the exporter
  control->Release();
  EXPECT_TRUE(control->WaitIdle(milliseconds(5000)));
}

TEST(BatchSpanProcessorTest, ShutdownDrainsTheQueueAndShutsTheExporterDown) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(64, 8, milliseconds(60000)));
  for (int i = 0; i < 30; ++i) p.OnEnd(MakeSpan(i));
  Status st = p.Shutdown(steady_clock::now() + milliseconds(5000));
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(storage->Items().size(), 30u);
  EXPECT_TRUE(storage->shut_down());
  EXPECT_EQ(p.ForceFlush(steady_clock::now() + milliseconds(100)).code(),
            StatusCode::kFailedPrecondition);
}

TEST(BatchSpanProcessorTest, ConcurrentProducersAllExported) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  BatchSpanProcessor p(std::move(exporter), nullptr, Options(8192, 256, milliseconds(20)));
  constexpr int kThreads = 4;
  constexpr int kPerThread = 1500;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&p, t] {
      for (int i = 0; i < kPerThread; ++i) {
        SpanData d = MakeSpan(i);
        d.name = std::to_string(t) + "/" + std::to_string(i);
        p.OnEnd(std::move(d));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(p.ForceFlush(steady_clock::now() + milliseconds(10000)).ok());
  std::vector<SpanData> spans = storage->Items();
  ASSERT_EQ(spans.size(), static_cast<std::size_t>(kThreads * kPerThread));
  std::set<std::string> names;
  for (const SpanData& d : spans) names.insert(d.name);
  EXPECT_EQ(names.size(), spans.size());
  EXPECT_EQ(p.stats().dropped, 0u);
}

TEST(BatchLogRecordProcessorTest, BatchesAndFlushes) {
  auto exporter = std::make_unique<testing::InMemoryLogExporter>();
  auto storage = exporter->storage();
  BatchLogRecordProcessor p(std::move(exporter), nullptr, Options(16, 4, milliseconds(60000)));
  for (int i = 0; i < 10; ++i) {
    LogRecordData r;
    r.body = "line " + std::to_string(i);
    p.OnEmit(std::move(r));
  }
  EXPECT_GE(storage->WaitForCount(8, milliseconds(5000)), 8u);
  ASSERT_TRUE(p.ForceFlush(steady_clock::now() + milliseconds(5000)).ok());
  std::vector<LogRecordData> records = storage->Items();
  ASSERT_EQ(records.size(), 10u);
  EXPECT_EQ(records[9].body, "line 9");
  ASSERT_TRUE(p.Shutdown(steady_clock::now() + milliseconds(5000)).ok());
}

}  // namespace
}  // namespace klio::telemetry::sdk
