// The tracing API with no SDK installed: everything is a no-op, scopes nest per thread, and
// the no-op tracer still propagates a parent context.
#include "telemetry/trace.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <thread>
#include <type_traits>

#include "telemetry/propagation.h"

namespace klio::telemetry {
namespace {

static_assert(!std::is_constructible_v<Scope, Span&&>, "a Scope must not bind a temporary Span");
static_assert(!std::is_copy_constructible_v<Scope>);
static_assert(sizeof(Tracer) == sizeof(void*));

SpanContext MakeContext(std::uint8_t last_byte, bool remote = false) {
  SpanContext ctx;
  ctx.trace_id.bytes[15] = last_byte;
  ctx.span_id.bytes[7] = last_byte;
  ctx.trace_flags = kTraceFlagSampled;
  ctx.is_remote = remote;
  return ctx;
}

TEST(NoopTracerTest, EverythingIsANoOp) {
  ASSERT_EQ(GetTracerProvider(), nullptr);
  Tracer tracer = GetTracer("klio.test");
  EXPECT_FALSE(tracer.enabled());
  Span span = tracer.StartSpan("op", {.kind = SpanKind::kServer, .attributes = {{"k", 1}}});
  EXPECT_FALSE(span.IsRecording());
  EXPECT_FALSE(span.context().IsValid());
  span.SetAttribute("k", std::string("v"));
  span.SetAttribute("n", 5);
  span.AddEvent("e", {{"a", true}});
  span.AddLink(MakeContext(1));
  span.SetStatus(SpanStatusCode::kError, "bad");
  span.RecordException(Status::Unavailable("down"));
  span.RecordException(std::runtime_error("boom"));
  span.UpdateName("other");
  span.End();
  span.End();
  EXPECT_FALSE(CurrentSpanContext().IsValid());
}

TEST(NoopTracerTest, PropagatesAnExplicitParent) {
  Tracer tracer;
  SpanContext parent = MakeContext(7, /*remote=*/true);
  Span span = tracer.StartSpan("server", {.parent = parent});
  EXPECT_FALSE(span.IsRecording());
  EXPECT_EQ(span.context().trace_id, parent.trace_id);
  EXPECT_EQ(span.context().span_id, parent.span_id);
  // So a process without the SDK forwards the caller's traceparent unchanged.
  MapCarrier out;
  InjectTraceContext(span.context(), out);
  EXPECT_EQ(out.Get("traceparent"), FormatTraceParent(parent));
}

TEST(NoopTracerTest, PropagatesTheActiveParentAndHonoursAForcedRoot) {
  Tracer tracer;
  Span parent(MakeContext(9), nullptr);
  auto scope = tracer.WithActiveSpan(parent);
  Span child = tracer.StartSpan("child");
  EXPECT_EQ(child.context().span_id, parent.context().span_id);
  Span root = tracer.StartSpan("root", {.parent = SpanContext{}});
  EXPECT_FALSE(root.context().IsValid());
}

TEST(ScopeTest, NestsAndRestores) {
  Span a(MakeContext(1), nullptr);
  Span b(MakeContext(2), nullptr);
  EXPECT_FALSE(CurrentSpanContext().IsValid());
  {
    Scope sa(a);
    EXPECT_EQ(CurrentSpanContext().span_id, a.context().span_id);
    {
      auto sb = Tracer::WithActiveSpan(b);
      EXPECT_EQ(CurrentSpanContext().span_id, b.context().span_id);
      EXPECT_EQ(CurrentSpan().context().span_id, b.context().span_id);
    }
    EXPECT_EQ(CurrentSpanContext().span_id, a.context().span_id);
  }
  EXPECT_FALSE(CurrentSpanContext().IsValid());
  EXPECT_FALSE(CurrentSpan().context().IsValid());
}

TEST(ScopeTest, OutOfOrderDestructionUnlinks) {
  Span a(MakeContext(1), nullptr);
  Span b(MakeContext(2), nullptr);
  Span c(MakeContext(3), nullptr);
  auto sa = std::make_unique<Scope>(a);
  auto sb = std::make_unique<Scope>(b);
  auto sc = std::make_unique<Scope>(c);
  sb.reset();  // the middle one first
  EXPECT_EQ(CurrentSpanContext().span_id, c.context().span_id);
  sc.reset();
  EXPECT_EQ(CurrentSpanContext().span_id, a.context().span_id);
  sa.reset();
  EXPECT_FALSE(CurrentSpanContext().IsValid());
}

TEST(ScopeTest, ActiveSpanIsPerThread) {
  Span a(MakeContext(1), nullptr);
  Scope sa(a);
  SpanContext seen_before;
  SpanContext seen_inside;
  std::thread t([&] {
    seen_before = CurrentSpanContext();
    Span b(MakeContext(2), nullptr);
    Scope sb(b);
    seen_inside = CurrentSpanContext();
  });
  t.join();
  EXPECT_FALSE(seen_before.IsValid());
  EXPECT_EQ(seen_inside.span_id, MakeContext(2).span_id);
  EXPECT_EQ(CurrentSpanContext().span_id, a.context().span_id);
}

TEST(SpanTest, CopiesAndMovesKeepTheContext) {
  Span a(MakeContext(4), nullptr);
  Span b = a;
  EXPECT_EQ(b.context().span_id, a.context().span_id);
  Span c = std::move(b);
  EXPECT_EQ(c.context().span_id, a.context().span_id);
  c = a;
  EXPECT_EQ(c.context().span_id, a.context().span_id);
}

}  // namespace
}  // namespace klio::telemetry
