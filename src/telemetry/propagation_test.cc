#include "telemetry/propagation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace klio::telemetry {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceParentTest, ParsesTheSpecExample) {
  std::optional<SpanContext> ctx = ParseTraceParent(kValid);
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(ctx->trace_id.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx->span_id.ToHex(), "00f067aa0ba902b7");
  EXPECT_EQ(ctx->trace_flags, 0x01);
  EXPECT_TRUE(ctx->IsSampled());
  EXPECT_TRUE(ctx->is_remote);
  EXPECT_TRUE(ctx->trace_state.empty());
  EXPECT_EQ(FormatTraceParent(*ctx), kValid);
}

struct TraceParentCase {
  std::string_view name;
  std::string value;
  bool valid;
};

TEST(TraceParentTest, ValidityTable) {
  const std::string tid = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string sid = "00f067aa0ba902b7";
  const TraceParentCase cases[] = {
      {"spec example", std::string(kValid), true},
      {"not sampled", "00-" + tid + "-" + sid + "-00", true},
      {"unknown flag bits kept", "00-" + tid + "-" + sid + "-ff", true},
      {"surrounding whitespace", " 00-" + tid + "-" + sid + "-01\t", true},
      {"uppercase trace id", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + sid + "-01", false},
      {"uppercase span id", "00-" + tid + "-00F067AA0BA902B7-01", false},
      {"uppercase flags", "00-" + tid + "-" + sid + "-0A", false},
      {"all-zero trace id", "00-00000000000000000000000000000000-" + sid + "-01", false},
      {"all-zero span id", "00-" + tid + "-0000000000000000-01", false},
      {"version ff", "ff-" + tid + "-" + sid + "-01", false},
      {"version not hex", "0g-" + tid + "-" + sid + "-01", false},
      {"version 00 with trailing data", "00-" + tid + "-" + sid + "-01-extra", false},
      {"version 00 one char long", "00-" + tid + "-" + sid + "-011", false},
      {"short", "00-" + tid + "-" + sid + "-1", false},
      {"short trace id", "00-" + tid.substr(1) + "-" + sid + "-01", false},
      {"wrong separator", "00_" + tid + "-" + sid + "-01", false},
      {"non-hex in trace id", "00-" + tid.substr(0, 31) + "x-" + sid + "-01", false},
      {"future version, extra fields", "cc-" + tid + "-" + sid + "-01-what-the-future", true},
      {"future version, exact length", "01-" + tid + "-" + sid + "-01", true},
      {"future version, no dash after flags", "cc-" + tid + "-" + sid + "-01x", false},
      {"future version, bad flags", "cc-" + tid + "-" + sid + "-0x-", false},
      {"empty", "", false},
  };
  for (const TraceParentCase& c : cases) {
    EXPECT_EQ(ParseTraceParent(c.value).has_value(), c.valid) << c.name << ": " << c.value;
  }
}

TEST(TraceParentTest, FutureVersionIsReemittedAsVersion00) {
  std::optional<SpanContext> ctx =
      ParseTraceParent("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(FormatTraceParent(*ctx), kValid);
}

TEST(TraceParentTest, FormatSendsOnlyKnownFlagBits) {
  std::optional<SpanContext> ctx =
      ParseTraceParent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-ff");
  ASSERT_TRUE(ctx.has_value());
  EXPECT_EQ(FormatTraceParent(*ctx).substr(53), "03");
}

TEST(TraceStateTest, KeepsValidMembersInOrder) {
  EXPECT_EQ(SanitizeTraceState("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
  EXPECT_EQ(SanitizeTraceState(" a=1 ,\t, b=2,"), "a=1,b=2");
  EXPECT_EQ(SanitizeTraceState("tenant@vendor=x,0digit=y,a_b-c*d/e=z"),
            "tenant@vendor=x,0digit=y,a_b-c*d/e=z");
  EXPECT_EQ(SanitizeTraceState("v=a b c"), "v=a b c");
}

TEST(TraceStateTest, DropsInvalidMembersOnly) {
  EXPECT_EQ(SanitizeTraceState("Upper=1,ok=2"), "ok=2");
  EXPECT_EQ(SanitizeTraceState("novalue,ok=2"), "ok=2");
  EXPECT_EQ(SanitizeTraceState("a=,ok=2"), "ok=2");
  EXPECT_EQ(SanitizeTraceState("a=b=c,ok=2"), "ok=2");
  EXPECT_EQ(SanitizeTraceState("a=trailing ,ok=2"), "a=trailing,ok=2");  // OWS, not value
  EXPECT_EQ(SanitizeTraceState("a=\x7f,ok=2"), "ok=2");
  EXPECT_EQ(SanitizeTraceState("t@=1,@s=2,t@1sys=3,t@system_too_long=4,ok=5"), "ok=5");
  EXPECT_EQ(SanitizeTraceState("dup=1,dup=2"), "dup=1");
  EXPECT_EQ(SanitizeTraceState(std::string(257, 'k') + "=1,ok=2"), "ok=2");
  EXPECT_EQ(SanitizeTraceState("k=" + std::string(257, 'v') + ",ok=2"), "ok=2");
}

TEST(TraceStateTest, KeepsAtMost32Members) {
  std::string in;
  for (int i = 0; i < 40; ++i) in += "k" + std::to_string(i) + "=v,";
  std::string out = SanitizeTraceState(in);
  EXPECT_EQ(std::count(out.begin(), out.end(), '='), 32);
  EXPECT_EQ(out.substr(0, 4), "k0=v");
  EXPECT_NE(out.find("k31=v"), std::string::npos);
  EXPECT_EQ(out.find("k32=v"), std::string::npos);
}

TEST(TraceStateTest, Over512CharactersDropsLongMembersFirstThenFromTheRight) {
  const std::string long_member = "long=" + std::string(200, 'x');  // 205 chars
  std::string in = "a=" + std::string(100, 'a') + "," + long_member +
                   ",b=" + std::string(100, 'b') + ",c=" + std::string(100, 'c') +
                   ",d=" + std::string(100, 'd');
  std::string out = SanitizeTraceState(in);
  EXPECT_LE(out.size(), 512u);
  EXPECT_EQ(out.find("long="), std::string::npos);
  EXPECT_NE(out.find("d="), std::string::npos);  // 4 short members fit once the long one left

  std::string many;
  for (int i = 0; i < 10; ++i) many += "m" + std::to_string(i) + "=" + std::string(100, 'v') + ",";
  out = SanitizeTraceState(many);
  EXPECT_LE(out.size(), 512u);
  EXPECT_EQ(out.substr(0, 3), "m0=");
  EXPECT_EQ(out.find("m9="), std::string::npos);
}

TEST(TraceContextPropagationTest, InjectExtractRoundTripOverGrpcMetadata) {
  SpanContext ctx = *ParseTraceParent(kValid);
  ctx.trace_state = "congo=t61rcWkgMzE";
  ctx.is_remote = false;
  MapCarrier metadata;
  InjectTraceContext(ctx, metadata);
  ASSERT_EQ(metadata.entries().size(), 2u);
  EXPECT_EQ(metadata.entries()[0].first, "traceparent");
  EXPECT_EQ(metadata.entries()[0].second, kValid);
  EXPECT_EQ(metadata.entries()[1].first, "tracestate");

  SpanContext out = ExtractTraceContext(metadata);
  EXPECT_TRUE(out.IsValid());
  EXPECT_EQ(out.trace_id, ctx.trace_id);
  EXPECT_EQ(out.span_id, ctx.span_id);
  EXPECT_EQ(out.trace_flags, ctx.trace_flags);
  EXPECT_EQ(out.trace_state, ctx.trace_state);
  EXPECT_TRUE(out.is_remote);
}

TEST(TraceContextPropagationTest, InvalidContextInjectsNothing) {
  MapCarrier carrier;
  InjectTraceContext(SpanContext{}, carrier);
  EXPECT_TRUE(carrier.entries().empty());
}

TEST(TraceContextPropagationTest, HttpHeadersAreCaseInsensitiveAndJoined) {
  MapCarrier headers(
      {{"TraceParent", std::string(kValid)}, {"TraceState", "a=1"}, {"tracestate", "b=2"}});
  SpanContext out = ExtractTraceContext(headers);
  ASSERT_TRUE(out.IsValid());
  EXPECT_EQ(out.trace_state, "a=1,b=2");
}

TEST(TraceContextPropagationTest, InvalidTraceParentIgnoresTraceState) {
  MapCarrier headers({{"traceparent", "00-garbage"}, {"tracestate", "a=1"}});
  SpanContext out = ExtractTraceContext(headers);
  EXPECT_FALSE(out.IsValid());
  EXPECT_TRUE(out.trace_state.empty());
}

TEST(TraceContextPropagationTest, InvalidTraceStateKeepsTraceParent) {
  MapCarrier headers({{"traceparent", std::string(kValid)}, {"tracestate", "BAD=1"}});
  SpanContext out = ExtractTraceContext(headers);
  EXPECT_TRUE(out.IsValid());
  EXPECT_EQ(out.trace_state, "");
}

TEST(TraceContextPropagationTest, FunctionCarrier) {
  std::map<std::string, std::string> md;
  FunctionCarrier carrier(
      [&md](std::string_view k) -> std::string_view {
        auto it = md.find(std::string(k));
        return it == md.end() ? std::string_view{} : std::string_view{it->second};
      },
      [&md](std::string_view k, std::string_view v) { md[std::string(k)] = std::string(v); });
  InjectTraceContext(*ParseTraceParent(kValid), carrier);
  EXPECT_EQ(md["traceparent"], kValid);
  EXPECT_TRUE(ExtractTraceContext(carrier).IsValid());
}

TEST(BaggageTest, ParsesTheSpecExample) {
  Baggage b = Baggage::Parse("userId=alice,serverNode=DF%2028,isProduction=false");
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b.Get("userId"), "alice");
  EXPECT_EQ(b.Get("serverNode"), "DF 28");
  EXPECT_EQ(b.Get("isProduction"), "false");
  EXPECT_EQ(b.Get("missing"), std::nullopt);
}

TEST(BaggageTest, WhitespacePropertiesAndEqualsInValues) {
  Baggage b = Baggage::Parse(" key1 = value1 ; p1 ; p2 = v2 ,key2=a=b");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.entries()[0].key, "key1");
  EXPECT_EQ(b.entries()[0].value, "value1");
  EXPECT_EQ(b.entries()[0].metadata, "p1;p2=v2");
  EXPECT_EQ(b.Get("key2"), "a=b");
  EXPECT_EQ(b.ToHeader(), "key1=value1;p1;p2=v2,key2=a=b");
}

TEST(BaggageTest, DropsInvalidMembers) {
  Baggage b = Baggage::Parse("ok=1,no_equals,bad key=2,k=bad%zz,k2=%4,k3=a\"b,k4=v;=p,ok2=2");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.Get("ok"), "1");
  EXPECT_EQ(b.Get("ok2"), "2");
}

TEST(BaggageTest, LaterDuplicateReplaces) {
  Baggage b = Baggage::Parse("a=1,b=2,a=3");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.Get("a"), "3");
  EXPECT_EQ(b.entries()[0].key, "a");
}

TEST(BaggageTest, PercentEncodingRoundTrip) {
  const std::string value = "a b,c;d=e%f\"g\\h\xc3\xa9\x01";
  Baggage b = Baggage().Set("k", value);
  std::string header = b.ToHeader();
  EXPECT_EQ(header, "k=a%20b%2Cc%3Bd=e%25f%22g%5Ch%C3%A9%01");
  Baggage back = Baggage::Parse(header);
  EXPECT_EQ(back.Get("k"), value);
  EXPECT_EQ(back, b);
}

TEST(BaggageTest, InvalidUtf8BecomesReplacementCharacter) {
  Baggage b = Baggage::Parse("k=a%FFb%C3");
  EXPECT_EQ(b.Get("k"),
            "a\xef\xbf\xbd"
            "b\xef\xbf\xbd");
}

TEST(BaggageTest, SetRejectsBadKeysAndRemoveWorks) {
  Baggage b = Baggage().Set("good", "1").Set("bad key", "2").Set("m", "3", "p;q=r");
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.ToHeader(), "good=1,m=3;p;q=r");
  EXPECT_EQ(b.Remove("good").ToHeader(), "m=3;p;q=r");
  EXPECT_EQ(b.Set("m", "x,y", "bad,meta"), b);
}

TEST(BaggageTest, EntryLimit) {
  std::string header;
  for (int i = 0; i < 200; ++i) header += "k" + std::to_string(i) + "=v,";
  Baggage b = Baggage::Parse(header);
  EXPECT_EQ(b.size(), kMaxBaggageEntries);
  EXPECT_TRUE(b.Get("k179").has_value());
  EXPECT_FALSE(b.Get("k180").has_value());
}

TEST(BaggageTest, ByteLimitDropsWholeMembers) {
  const std::string big(4000, 'x');
  Baggage b = Baggage::Parse("a=" + big + ",b=" + big + ",c=" + big + ",d=small");
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(b.Get("a").has_value());
  EXPECT_TRUE(b.Get("b").has_value());
  EXPECT_FALSE(b.Get("c").has_value());
  EXPECT_TRUE(b.Get("d").has_value());
  EXPECT_LE(b.ToHeader().size(), kMaxBaggageBytes);

  Baggage built;
  for (int i = 0; i < 5; ++i) built = built.Set("k" + std::to_string(i), big);
  EXPECT_EQ(built.size(), 5u);  // the value is held; only the header is limited
  EXPECT_LE(built.ToHeader().size(), kMaxBaggageBytes);
  EXPECT_EQ(Baggage::Parse(built.ToHeader()).size(), 2u);
}

TEST(BaggageTest, CarrierRoundTrip) {
  Baggage b = Baggage().Set("tenant", "acme corp").Set("region", "eu-west-1");
  MapCarrier carrier;
  InjectBaggage(b, carrier);
  ASSERT_EQ(carrier.entries().size(), 1u);
  EXPECT_EQ(carrier.entries()[0].first, "baggage");
  EXPECT_EQ(ExtractBaggage(carrier), b);
  MapCarrier empty;
  InjectBaggage(Baggage(), empty);
  EXPECT_TRUE(empty.entries().empty());
  EXPECT_TRUE(ExtractBaggage(empty).empty());
}

TEST(PropagatorsTest, ParsesOtelPropagators) {
  std::vector<std::string> unsupported;
  Propagators p = ParsePropagators("", &unsupported);
  EXPECT_TRUE(p.trace_context && p.baggage);
  p = ParsePropagators(" TraceContext , b3 ,tracecontext", &unsupported);
  EXPECT_TRUE(p.trace_context);
  EXPECT_FALSE(p.baggage);
  EXPECT_EQ(unsupported, std::vector<std::string>{"b3"});
  p = ParsePropagators("tracecontext,none,baggage", nullptr);
  EXPECT_FALSE(p.trace_context || p.baggage);
}

TEST(IdHexTest, RoundTripAndStrictness) {
  TraceId t;
  ASSERT_TRUE(TraceId::FromHex("4bf92f3577b34da6a3ce929d0e0e4736", &t));
  EXPECT_EQ(t.ToHex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_TRUE(t.IsValid());
  EXPECT_FALSE(TraceId::FromHex("4BF92F3577B34DA6A3CE929D0E0E4736", &t));
  EXPECT_FALSE(TraceId::FromHex("4bf9", &t));
  SpanId s;
  ASSERT_TRUE(SpanId::FromHex("0000000000000000", &s));
  EXPECT_FALSE(s.IsValid());
  EXPECT_FALSE(SpanId::FromHex("00f067aa0ba902bz", &s));
}

}  // namespace
}  // namespace klio::telemetry
