#include "telemetry/sdk/limits.h"

#include <gtest/gtest.h>

#include <map>

#include "telemetry/sdk/batch_log_processor.h"
#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/testing_exporters.h"
#include "telemetry/sdk/tracer_provider.h"

namespace klio::telemetry::sdk {
namespace {

EnvGetter FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(LimitsTest, CountLimitDropsNewKeysButReplacesExistingOnes) {
  Attributes attrs;
  std::uint32_t dropped = 0;
  SetLimitedAttribute(&attrs, "a", std::int64_t{1}, 2, kNoLimit, &dropped);
  SetLimitedAttribute(&attrs, "b", std::int64_t{2}, 2, kNoLimit, &dropped);
  SetLimitedAttribute(&attrs, "c", std::int64_t{3}, 2, kNoLimit, &dropped);
  SetLimitedAttribute(&attrs, "a", std::int64_t{4}, 2, kNoLimit, &dropped);
  ASSERT_EQ(attrs.size(), 2u);
  EXPECT_EQ(attrs[0].value, AttributeValue(std::int64_t{4}));
  EXPECT_EQ(dropped, 1u);
}

TEST(LimitsTest, TruncatesStringsByCodePoints) {
  AttributeValue v = std::string("h\xc3\xa9llo");  // "héllo": 5 code points, 6 bytes
  TruncateValue(&v, 2);
  EXPECT_EQ(v, AttributeValue(std::string("h\xc3\xa9")));
  AttributeValue arr = std::vector<std::string>{"abcdef", "xy"};
  TruncateValue(&arr, 3);
  EXPECT_EQ(arr, AttributeValue(std::vector<std::string>{"abc", "xy"}));
  AttributeValue n = std::int64_t{123456};
  TruncateValue(&n, 1);
  EXPECT_EQ(n, AttributeValue(std::int64_t{123456}));
  AttributeValue none = std::string("abc");
  TruncateValue(&none, kNoLimit);
  EXPECT_EQ(none, AttributeValue(std::string("abc")));
}

TEST(LimitsTest, LimitedAttributesLastDuplicateWins) {
  std::uint32_t dropped = 0;
  Attributes in = {{"a", 1}, {"b", 2}, {"a", 3}, {"c", 4}};
  Attributes out = LimitedAttributes(in, 2, kNoLimit, &dropped);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], KeyValue("a", 3));
  EXPECT_EQ(dropped, 1u);
}

TEST(LimitsEnvTest, SpecificVariablesWinOverGenericOnes) {
  EnvWarnings w;
  SpanLimits l = SpanLimitsFromEnv(FakeEnv({}), &w);
  EXPECT_EQ(l.attribute_count, 128u);
  EXPECT_EQ(l.attribute_value_length, kNoLimit);
  EXPECT_EQ(l.event_count, 128u);

  l = SpanLimitsFromEnv(FakeEnv({{"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                                 {"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "64"},
                                 {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "20"},
                                 {"OTEL_SPAN_EVENT_COUNT_LIMIT", "3"},
                                 {"OTEL_SPAN_LINK_COUNT_LIMIT", "4"},
                                 {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "5"}}),
                        &w);
  EXPECT_EQ(l.attribute_count, 20u);
  EXPECT_EQ(l.attribute_value_length, 64u);
  EXPECT_EQ(l.event_count, 3u);
  EXPECT_EQ(l.link_count, 4u);
  EXPECT_EQ(l.event_attribute_count, 10u);  // generic
  EXPECT_EQ(l.link_attribute_count, 5u);
  EXPECT_TRUE(w.empty());

  LogRecordLimits ll =
      LogRecordLimitsFromEnv(FakeEnv({{"OTEL_ATTRIBUTE_COUNT_LIMIT", "10"},
                                      {"OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "7"}}),
                             &w);
  EXPECT_EQ(ll.attribute_count, 10u);
  EXPECT_EQ(ll.attribute_value_length, 7u);
}

TEST(LimitsEnvTest, InvalidValuesWarnAndKeepDefaults) {
  EnvWarnings w;
  SpanLimits l = SpanLimitsFromEnv(FakeEnv({{"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "-1"},
                                            {"OTEL_SPAN_EVENT_COUNT_LIMIT", "lots"},
                                            {"OTEL_SPAN_LINK_COUNT_LIMIT", "  "}}),
                                   &w);
  EXPECT_EQ(l.attribute_count, 128u);
  EXPECT_EQ(l.event_count, 128u);
  EXPECT_EQ(l.link_count, 128u);  // empty = unset, no warning
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].message().find("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: \"-1\""), std::string::npos)
      << w[0].message();
  EXPECT_NE(w[1].message().find("OTEL_SPAN_EVENT_COUNT_LIMIT"), std::string::npos);
}

TEST(LimitsEnvTest, BatchProcessorOptions) {
  EnvWarnings w;
  BatchOptions o = BatchSpanProcessorOptionsFromEnv(FakeEnv({}), &w);
  EXPECT_EQ(o.schedule_delay, std::chrono::milliseconds(5000));
  EXPECT_EQ(o.export_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(o.max_queue_size, 2048u);
  EXPECT_EQ(o.max_export_batch_size, 512u);
  BatchOptions lo = BatchLogProcessorOptionsFromEnv(FakeEnv({}), &w);
  EXPECT_EQ(lo.schedule_delay, std::chrono::milliseconds(1000));
  EXPECT_TRUE(w.empty());

  o = BatchSpanProcessorOptionsFromEnv(FakeEnv({{"OTEL_BSP_SCHEDULE_DELAY", "100"},
                                                {"OTEL_BSP_EXPORT_TIMEOUT", "0"},
                                                {"OTEL_BSP_MAX_QUEUE_SIZE", "64"},
                                                {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "128"}}),
                                       &w);
  EXPECT_EQ(o.schedule_delay, std::chrono::milliseconds(100));
  EXPECT_EQ(o.export_timeout, kNoTimeout);
  EXPECT_EQ(o.max_queue_size, 64u);
  EXPECT_EQ(o.max_export_batch_size, 64u);  // clamped
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message().find("OTEL_BSP_MAX_EXPORT_BATCH_SIZE"), std::string::npos);

  w.clear();
  o = BatchLogProcessorOptionsFromEnv(FakeEnv({{"OTEL_BLRP_SCHEDULE_DELAY", "-5"},
                                               {"OTEL_BLRP_MAX_QUEUE_SIZE", "0"},
                                               {"OTEL_BLRP_EXPORT_TIMEOUT", "1e3"}}),
                                      &w);
  EXPECT_EQ(o.schedule_delay, std::chrono::milliseconds(1000));
  EXPECT_EQ(o.max_queue_size, 2048u);
  EXPECT_EQ(o.export_timeout, std::chrono::milliseconds(30000));
  EXPECT_EQ(w.size(), 3u);
}

TEST(SpanLimitsTest, ProviderAppliesLimitsAndCountsDrops) {
  auto exporter = std::make_unique<testing::InMemorySpanExporter>();
  auto storage = exporter->storage();
  TracerProviderOptions o;
  o.limits = {.attribute_count = 2,
              .attribute_value_length = 4,
              .event_count = 1,
              .link_count = 1,
              .event_attribute_count = 1,
              .link_attribute_count = 1};
  o.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter), nullptr));
  TracerProvider provider(std::move(o));
  SpanContext link_ctx;
  link_ctx.trace_id.bytes[0] = 1;
  link_ctx.span_id.bytes[0] = 1;
  Span span = provider.GetTracer("t").StartSpan(
      "limited", {.attributes = {{"a", "long value"}, {"b", 2}, {"c", 3}},
                  .links = {{link_ctx, {{"x", 1}, {"y", 2}}}, {link_ctx, {}}}});
  span.SetAttribute("d", 4);
  span.SetAttribute("a", "replaced");
  span.AddEvent("e1", {{"p", 1}, {"q", 2}});
  span.AddEvent("e2");
  span.AddLink(link_ctx);
  span.End();
  std::vector<SpanData> spans = storage->Items();
  ASSERT_EQ(spans.size(), 1u);
  const SpanData& d = spans[0];
  ASSERT_EQ(d.attributes.size(), 2u);
  EXPECT_EQ(d.attributes[0], KeyValue("a", "repl"));
  EXPECT_EQ(d.dropped_attributes_count, 2u);  // c at start, d later
  ASSERT_EQ(d.events.size(), 1u);
  EXPECT_EQ(d.events[0].attributes.size(), 1u);
  EXPECT_EQ(d.events[0].dropped_attributes_count, 1u);
  EXPECT_EQ(d.dropped_events_count, 1u);
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_EQ(d.links[0].dropped_attributes_count, 1u);
  EXPECT_EQ(d.dropped_links_count, 2u);
}

TEST(SpanLimitsTest, NamedAndTemporaryOptionsAreLimitedAlike) {
  auto exporter = std::make_unique<testing::InMemorySpanExporter>();
  auto storage = exporter->storage();
  TracerProviderOptions o;
  o.limits.attribute_count = 2;
  o.limits.attribute_value_length = 2;
  o.processors.push_back(std::make_unique<SimpleSpanProcessor>(std::move(exporter), nullptr));
  TracerProvider provider(std::move(o));
  Tracer tracer = provider.GetTracer("t");
  StartSpanOptions named{.attributes = {{"a", "xyz"}, {"b", 1}, {"a", "uvw"}, {"c", 2}}};
  tracer.StartSpan("named", named).End();  // copied (LimitedAttributes)
  EXPECT_EQ(named.attributes.size(), 4u);
  tracer.StartSpan("temporary", {.attributes = {{"a", "xyz"}, {"b", 1}, {"a", "uvw"}, {"c", 2}}})
      .End();  // moved and normalised in place
  std::vector<SpanData> spans = storage->Items();
  ASSERT_EQ(spans.size(), 2u);
  for (const SpanData& d : spans) {
    ASSERT_EQ(d.attributes.size(), 2u) << d.name;
    EXPECT_EQ(d.attributes[0], KeyValue("a", "uv")) << d.name;
    EXPECT_EQ(d.attributes[1], KeyValue("b", 1)) << d.name;
    EXPECT_EQ(d.dropped_attributes_count, 1u) << d.name;
  }
}

TEST(EnvParseTest, IntegersDurationsAndTimeouts) {
  EnvWarnings w;
  auto env = FakeEnv(
      {{"I", " 42 "}, {"BIG", "2147483648"}, {"NEG", "-1"}, {"E", ""}, {"Z", "0"}, {"J", "4x"}});
  EXPECT_EQ(EnvInt(env, "I", &w), 42);
  EXPECT_EQ(EnvInt(env, "BIG", &w), std::nullopt);
  EXPECT_EQ(EnvInt(env, "NEG", &w), std::nullopt);
  EXPECT_EQ(EnvInt(env, "E", &w), std::nullopt);
  EXPECT_EQ(EnvInt(env, "UNSET", &w), std::nullopt);
  EXPECT_EQ(EnvPositiveInt(env, "Z", &w), std::nullopt);
  EXPECT_EQ(EnvDuration(env, "Z", &w), std::chrono::milliseconds(0));
  EXPECT_EQ(EnvTimeout(env, "Z", &w), kNoTimeout);
  EXPECT_EQ(EnvDuration(env, "J", &w), std::nullopt);
  EXPECT_EQ(w.size(), 4u);  // BIG, NEG, Z (positive), J
}

}  // namespace
}  // namespace klio::telemetry::sdk
