#include "telemetry/sdk/tracer_provider.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>
#include <thread>
#include <variant>

#include "telemetry/propagation.h"
#include "telemetry/sdk/testing_exporters.h"

namespace klio::telemetry::sdk {
namespace {

using std::chrono::steady_clock;
using testing::InMemorySpanExporter;

// A provider exporting synchronously into memory.
struct Fixture {
  explicit Fixture(std::unique_ptr<Sampler> sampler = NewAlwaysOnSampler(),
                   SpanLimits limits = {}) {
    auto exporter = std::make_unique<InMemorySpanExporter>();
    storage = exporter->storage();
    TracerProviderOptions o;
    o.resource = std::make_shared<const Resource>();
    o.sampler = std::move(sampler);
    o.limits = limits;
    o.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter), o.resource));
    provider = std::make_unique<TracerProvider>(std::move(o));
    tracer = provider->GetTracer("klio.test", "1.2.3");
  }
  std::vector<SpanData> Spans() const { return storage->Items(); }

  std::shared_ptr<InMemorySpanExporter::Storage> storage;
  std::unique_ptr<TracerProvider> provider;
  Tracer tracer;
};

const AttributeValue* Find(const Attributes& attrs, std::string_view key) {
  for (const KeyValue& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

TEST(TracerProviderTest, RootSpanIsRecordedWithScopeAndTimes) {
  Fixture f;
  Span span =
      f.tracer.StartSpan("root", {.kind = SpanKind::kClient, .attributes = {{"a", 1}, {"b", "x"}}});
  EXPECT_TRUE(span.IsRecording());
  EXPECT_TRUE(span.context().IsValid());
  EXPECT_TRUE(span.context().IsSampled());
  EXPECT_TRUE(span.context().trace_flags & kTraceFlagRandom);
  EXPECT_FALSE(span.context().is_remote);
  span.End();
  EXPECT_FALSE(span.IsRecording());
  std::vector<SpanData> spans = f.Spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& d = spans[0];
  EXPECT_EQ(d.name, "root");
  EXPECT_EQ(d.kind, SpanKind::kClient);
  EXPECT_FALSE(d.parent_span_id.IsValid());
  EXPECT_EQ(d.context.trace_id, span.context().trace_id);
  EXPECT_EQ(d.context.span_id, span.context().span_id);
  EXPECT_GT(d.start_time_unix_nano, 0u);
  EXPECT_GE(d.end_time_unix_nano, d.start_time_unix_nano);
  ASSERT_NE(d.scope, nullptr);
  EXPECT_EQ(d.scope->name, "klio.test");
  EXPECT_EQ(d.scope->version, "1.2.3");
  ASSERT_EQ(d.attributes.size(), 2u);
  EXPECT_EQ(*Find(d.attributes, "a"), AttributeValue(std::int64_t{1}));
  EXPECT_EQ(*Find(d.attributes, "b"), AttributeValue(std::string("x")));
}

TEST(TracerProviderTest, ChildOfActiveSpanAndOfExplicitParent) {
  Fixture f;
  Span parent = f.tracer.StartSpan("parent");
  SpanContext child_ctx;
  SpanContext grandchild_ctx;
  {
    auto scope = f.tracer.WithActiveSpan(parent);
    Span child = f.tracer.StartSpan("child");
    child_ctx = child.context();
    {
      auto inner = f.tracer.WithActiveSpan(child);
      Span grandchild = f.tracer.StartSpan("grandchild");
      grandchild_ctx = grandchild.context();
      EXPECT_EQ(CurrentSpanContext().span_id, child_ctx.span_id);
    }
    EXPECT_EQ(CurrentSpanContext().span_id, parent.context().span_id);
    Span sibling = f.tracer.StartSpan("explicit", {.parent = child_ctx});
    sibling.End();
    Span root = f.tracer.StartSpan("forced root", {.parent = SpanContext{}});
    EXPECT_NE(root.context().trace_id, parent.context().trace_id);
  }
  parent.End();
  EXPECT_EQ(child_ctx.trace_id, parent.context().trace_id);
  EXPECT_EQ(grandchild_ctx.trace_id, parent.context().trace_id);
  EXPECT_NE(child_ctx.span_id, parent.context().span_id);

  std::map<std::string, SpanData> by_name;
  for (SpanData& d : f.Spans()) by_name.emplace(d.name, std::move(d));
  ASSERT_EQ(by_name.size(), 5u);  // children ended by their handles going out of scope
  EXPECT_EQ(by_name["child"].parent_span_id, parent.context().span_id);
  EXPECT_EQ(by_name["grandchild"].parent_span_id, child_ctx.span_id);
  EXPECT_EQ(by_name["explicit"].parent_span_id, child_ctx.span_id);
  EXPECT_FALSE(by_name["forced root"].parent_span_id.IsValid());
  EXPECT_FALSE(by_name["child"].parent_is_remote);
}

TEST(TracerProviderTest, RemoteParentFromTraceparent) {
  Fixture f;
  MapCarrier md({{"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
                 {"tracestate", "congo=t61rcWkgMzE"}});
  SpanContext remote = ExtractTraceContext(md);
  Span server = f.tracer.StartSpan("rpc", {.kind = SpanKind::kServer, .parent = remote});
  EXPECT_EQ(server.context().trace_id, remote.trace_id);
  EXPECT_FALSE(server.context().is_remote);
  EXPECT_EQ(server.context().trace_state, "congo=t61rcWkgMzE");
  EXPECT_EQ(server.context().trace_flags & kTraceFlagRandom, 0);  // kept as received
  server.End();
  std::vector<SpanData> spans = f.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_TRUE(spans[0].parent_is_remote);
  EXPECT_EQ(spans[0].parent_span_id, remote.span_id);
  EXPECT_EQ(spans[0].context.trace_state, "congo=t61rcWkgMzE");

  // The default sampler honours an unsampled remote parent.
  Fixture g(NewParentBasedSampler(NewAlwaysOnSampler()));
  remote.trace_flags = 0;
  Span unsampled = g.tracer.StartSpan("rpc", {.parent = remote});
  EXPECT_FALSE(unsampled.IsRecording());
  EXPECT_EQ(unsampled.context().trace_id, remote.trace_id);
  EXPECT_NE(unsampled.context().span_id, remote.span_id);
  EXPECT_FALSE(unsampled.context().IsSampled());
}

TEST(TracerProviderTest, UnsampledSpansCarryContextOnly) {
  Fixture f(NewAlwaysOffSampler());
  Span span = f.tracer.StartSpan("dropped");
  EXPECT_FALSE(span.IsRecording());
  EXPECT_TRUE(span.context().IsValid());
  EXPECT_FALSE(span.context().IsSampled());
  auto scope = f.tracer.WithActiveSpan(span);
  Span child = f.tracer.StartSpan("child");
  EXPECT_EQ(child.context().trace_id, span.context().trace_id);
  span.SetAttribute("k", 1);
  span.End();
  child.End();
  EXPECT_TRUE(f.Spans().empty());
}

class RecordOnlySampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const SamplingParameters& p) const override {
    return {SamplingDecision::kRecordOnly,
            {{"sampler.saw", AttributeValue(std::string(p.name))}},
            "me=1"};
  }
  std::string Description() const override { return "RecordOnly"; }
};

class CountingProcessor final : public SpanProcessor {
 public:
  void OnStart(const SpanData& span) override { started.push_back(span.name); }
  void OnEnd(SpanData&& span) override { ended.push_back(std::move(span)); }
  Status ForceFlush(Deadline) override { return Status::Ok(); }
  Status Shutdown(Deadline) override { return Status::Ok(); }
  std::vector<std::string> started;
  std::vector<SpanData> ended;
};

TEST(TracerProviderTest, RecordOnlyReachesProcessorsButIsNotExported) {
  auto counting = std::make_unique<CountingProcessor>();
  CountingProcessor* probe = counting.get();
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  TracerProviderOptions o;
  o.sampler = std::make_unique<RecordOnlySampler>();
  o.processors.push_back(std::move(counting));
  o.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter), nullptr));
  TracerProvider provider(std::move(o));
  Span span = provider.GetTracer("t").StartSpan("ro");
  EXPECT_TRUE(span.IsRecording());
  EXPECT_FALSE(span.context().IsSampled());
  EXPECT_EQ(span.context().trace_state, "me=1");
  span.End();
  EXPECT_EQ(probe->started, std::vector<std::string>{"ro"});
  ASSERT_EQ(probe->ended.size(), 1u);
  EXPECT_EQ(*Find(probe->ended[0].attributes, "sampler.saw"), AttributeValue(std::string("ro")));
  EXPECT_TRUE(storage->Items().empty());
}

TEST(TracerProviderTest, EventsLinksStatusAndName) {
  Fixture f;
  SpanContext linked = *ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  Span span = f.tracer.StartSpan("s", {.links = {{linked, {{"why", "fan-in"}}}}});
  span.AddEvent("checkpoint", {{"lsn", "0/3000060"}});
  span.AddLink(linked);
  span.SetStatus(SpanStatusCode::kError, "first");
  span.SetStatus(SpanStatusCode::kUnset);  // ignored
  span.SetStatus(SpanStatusCode::kOk, "dropped description");
  span.SetStatus(SpanStatusCode::kError, "ok is final");
  span.UpdateName("renamed");
  span.End();
  span.AddEvent("after end");  // ignored
  std::vector<SpanData> spans = f.Spans();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& d = spans[0];
  EXPECT_EQ(d.name, "renamed");
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].name, "checkpoint");
  EXPECT_GT(d.events[0].time_unix_nano, 0u);
  ASSERT_EQ(d.links.size(), 2u);
  EXPECT_EQ(d.links[0].context.span_id, linked.span_id);
  EXPECT_EQ(*Find(d.links[0].attributes, "why"), AttributeValue(std::string("fan-in")));
  EXPECT_EQ(d.status_code, SpanStatusCode::kOk);
  EXPECT_EQ(d.status_message, "");
}

TEST(TracerProviderTest, RecordExceptionFromStatusAndException) {
  Fixture f;
  Span a = f.tracer.StartSpan("a");
  a.RecordException(Status::Unavailable("s3: connection reset"), {{"attempt", 3}});
  a.End();
  Span b = f.tracer.StartSpan("b");
  try {
    throw std::invalid_argument("bad lsn");
  } catch (const std::exception& e) {
    b.RecordException(e);
  }
  b.End();
  Span c = f.tracer.StartSpan("c");
  c.RecordException(Status::Ok());  // records nothing
  c.End();

  std::vector<SpanData> spans = f.Spans();
  ASSERT_EQ(spans.size(), 3u);
  const SpanData& da = spans[0];
  EXPECT_EQ(da.status_code, SpanStatusCode::kError);
  EXPECT_EQ(da.status_message, "unavailable: s3: connection reset");
  EXPECT_EQ(*Find(da.attributes, "error.type"), AttributeValue(std::string("unavailable")));
  ASSERT_EQ(da.events.size(), 1u);
  EXPECT_EQ(da.events[0].name, "exception");
  EXPECT_EQ(*Find(da.events[0].attributes, "exception.type"),
            AttributeValue(std::string("unavailable")));
  EXPECT_EQ(*Find(da.events[0].attributes, "exception.message"),
            AttributeValue(std::string("s3: connection reset")));
  EXPECT_EQ(*Find(da.events[0].attributes, "attempt"), AttributeValue(std::int64_t{3}));

  const SpanData& db = spans[1];
  EXPECT_EQ(db.status_code, SpanStatusCode::kError);
  EXPECT_EQ(db.status_message, "bad lsn");
  ASSERT_EQ(db.events.size(), 1u);
  EXPECT_EQ(*Find(db.events[0].attributes, "exception.type"),
            AttributeValue(std::string("std::invalid_argument")));

  EXPECT_EQ(spans[2].status_code, SpanStatusCode::kUnset);
  EXPECT_TRUE(spans[2].events.empty());
}

TEST(TracerProviderTest, LastHandleEndsAnOpenSpanAndCopiesShareIt) {
  Fixture f;
  {
    Span a = f.tracer.StartSpan("auto-ended");
    Span copy = a;
    copy.SetAttribute("via", "copy");
  }
  std::vector<SpanData> spans = f.Spans();
  ASSERT_EQ(spans.size(), 1u);
  EXPECT_EQ(*Find(spans[0].attributes, "via"), AttributeValue(std::string("copy")));
}

TEST(TracerProviderTest, InjectedClockAndExplicitTimes) {
  auto exporter = std::make_unique<InMemorySpanExporter>();
  auto storage = exporter->storage();
  TracerProviderOptions o;
  o.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter), nullptr));
  o.clock = [] { return Timestamp(std::chrono::seconds(1000)); };
  TracerProvider provider(std::move(o));
  Tracer t = provider.GetTracer("t");
  t.StartSpan("clocked").End();
  t.StartSpan("explicit", {.start_time = Timestamp(std::chrono::seconds(5))})
      .End(Timestamp(std::chrono::seconds(7)));
  std::vector<SpanData> spans = storage->Items();
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].start_time_unix_nano, 1000'000'000'000u);
  EXPECT_EQ(spans[0].end_time_unix_nano, 1000'000'000'000u);
  EXPECT_EQ(spans[1].start_time_unix_nano, 5'000'000'000u);
  EXPECT_EQ(spans[1].end_time_unix_nano, 7'000'000'000u);
}

TEST(TracerProviderTest, SameScopeSameTracerAndGlobalInstall) {
  Fixture f;
  EXPECT_EQ(f.provider->GetTracerBackend({.name = "x"}),
            f.provider->GetTracerBackend({.name = "x"}));
  EXPECT_NE(f.provider->GetTracerBackend({.name = "x"}),
            f.provider->GetTracerBackend({.name = "x", .version = "2"}));
  EXPECT_FALSE(GetTracer("klio.backup").enabled());
  SetTracerProvider(f.provider.get());
  Tracer global = GetTracer("klio.backup");
  EXPECT_TRUE(global.enabled());
  global.StartSpan("backup").End();
  SetTracerProvider(nullptr);
  EXPECT_FALSE(GetTracer("klio.backup").enabled());
  ASSERT_EQ(f.Spans().size(), 1u);
  EXPECT_EQ(f.Spans()[0].scope->name, "klio.backup");
}

TEST(TracerProviderTest, AfterShutdownSpansDoNotRecord) {
  Fixture f;
  Span open = f.tracer.StartSpan("open");
  EXPECT_TRUE(f.provider->Shutdown(steady_clock::now() + std::chrono::seconds(1)).ok());
  EXPECT_TRUE(f.storage->shut_down());
  Span late = f.tracer.StartSpan("late");
  EXPECT_FALSE(late.IsRecording());
  open.End();  // the processor is shut down: nothing exported, nothing crashes
  EXPECT_TRUE(f.Spans().empty());
  EXPECT_TRUE(f.provider->Shutdown(steady_clock::now()).ok());
}

TEST(TracerProviderTest, ConcurrentSpansOnManyThreadsHaveUniqueIds) {
  Fixture f;
  constexpr int kThreads = 4;
  constexpr int kSpans = 500;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&f] {
      for (int i = 0; i < kSpans; ++i) {
        Span parent = f.tracer.StartSpan("p");
        auto scope = f.tracer.WithActiveSpan(parent);
        Span child = f.tracer.StartSpan("c");
        child.SetAttribute("i", i);
        child.End();
        parent.End();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::vector<SpanData> spans = f.Spans();
  ASSERT_EQ(spans.size(), 2u * kThreads * kSpans);
  std::set<std::string> ids;
  std::map<std::string, std::string> parent_trace;
  for (const SpanData& d : spans) ids.insert(d.context.span_id.ToHex());
  EXPECT_EQ(ids.size(), spans.size());
  for (const SpanData& d : spans) {
    if (d.name == "p") parent_trace[d.context.span_id.ToHex()] = d.context.trace_id.ToHex();
  }
  for (const SpanData& d : spans) {
    if (d.name == "c") {
      EXPECT_EQ(parent_trace[d.parent_span_id.ToHex()], d.context.trace_id.ToHex());
    }
  }
}

TEST(IdGeneratorTest, RandomIdsAreValidAndDistinct) {
  auto gen = NewRandomIdGenerator();
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    TraceId t = gen->GenerateTraceId();
    SpanId s = gen->GenerateSpanId();
    ASSERT_TRUE(t.IsValid());
    ASSERT_TRUE(s.IsValid());
    seen.insert(t.ToHex());
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_TRUE(gen->IsRandom());
}

TEST(IdGeneratorTest, SeededGeneratorIsDeterministic) {
  auto a = NewSeededIdGenerator(42);
  auto b = NewSeededIdGenerator(42);
  auto c = NewSeededIdGenerator(43);
  TraceId ta = a->GenerateTraceId();
  EXPECT_EQ(ta, b->GenerateTraceId());
  EXPECT_NE(ta, c->GenerateTraceId());
  EXPECT_EQ(a->GenerateSpanId(), b->GenerateSpanId());
}

}  // namespace
}  // namespace klio::telemetry::sdk
