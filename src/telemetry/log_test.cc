// End-to-end tests of klio::log: lines written to a temp file through Options.fd and parsed
// back with nlohmann::json.
#include "telemetry/log.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace klio::log {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::ordered_json;

std::chrono::system_clock::time_point FixedNow() {
  return std::chrono::system_clock::time_point{std::chrono::seconds(1795342530) +
                                               std::chrono::microseconds(123456)};
}

// Routes the process-wide logger to an unlinked O_APPEND temp file for the test's lifetime.
class CapturedLog {
 public:
  explicit CapturedLog(Options options = {}) {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string path = std::string(tmpdir != nullptr ? tmpdir : "/tmp") + "/klio-log-XXXXXX";
    fd_ = mkstemp(path.data());
    EXPECT_GE(fd_, 0);
    unlink(path.c_str());
    fcntl(fd_, F_SETFL, O_APPEND);
    options.fd = fd_;
    if (options.now == nullptr) options.now = FixedNow;
    Configure(options);
  }
  ~CapturedLog() {
    Configure(Options{});
    close(fd_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  // Everything logged so far (queued lines are flushed first).
  std::string Contents() const {
    Flush();
    std::string out;
    char buf[65536];
    off_t off = 0;
    for (;;) {
      const ssize_t n = pread(fd_, buf, sizeof(buf), off);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
      off += n;
    }
    return out;
  }

  std::vector<std::string> Lines() const {
    std::vector<std::string> lines;
    const std::string all = Contents();
    size_t start = 0;
    while (start < all.size()) {
      const size_t nl = all.find('\n', start);
      EXPECT_NE(nl, std::string::npos) << "unterminated line";
      if (nl == std::string::npos) break;
      lines.push_back(all.substr(start, nl - start));
      start = nl + 1;
    }
    return lines;
  }

  // Every line parsed; a line that is not one JSON object fails the test.
  std::vector<Json> Objects() const {
    std::vector<Json> objects;
    for (const std::string& line : Lines()) {
      Json j;
      try {
        j = Json::parse(line);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON: " << line << ": " << e.what();
        continue;
      }
      EXPECT_TRUE(j.is_object()) << line;
      objects.push_back(std::move(j));
    }
    return objects;
  }

 private:
  int fd_ = -1;
};

std::vector<std::string> Keys(const Json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

TEST(LogTest, WritesOneJsonObjectPerLineInKeyOrder) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.wal");
  const std::string name = "cluster-example";
  logger.Info("wal segment archived", {{"cluster_name", name}, {"bytes", 16777216}});
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(Keys(lines[0]), ElementsAre("ts", "level", "msg", "logger", "cluster_name", "bytes"));
  EXPECT_EQ(lines[0]["ts"], "2026-11-22T10:15:30.123456Z");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[0]["msg"], "wal segment archived");
  EXPECT_EQ(lines[0]["logger"], "klio.wal");
  EXPECT_EQ(lines[0]["cluster_name"], "cluster-example");
  EXPECT_EQ(lines[0]["bytes"], 16777216);
}

TEST(LogTest, EveryFieldType) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.test");
  const std::string owned = "owned";
  const Status failed = Status::Unavailable("s3 put wal/1: 503 slow down");
  logger.Warn("types", {{"sv", std::string_view("view")},
                        {"str", owned},
                        {"temp", owned + "-temp"},
                        {"cstr", "literal"},
                        {"null", static_cast<const char*>(nullptr)},
                        {"i", -5},
                        {"i64", std::int64_t{-1} << 40},
                        {"u", 7u},
                        {"size", size_t{42}},
                        {"u8", std::uint8_t{255}},
                        {"d", 2.5},
                        {"f", 0.5f},
                        {"b", true},
                        {"status", failed},
                        failed});
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 1u);
  const Json& j = lines[0];
  EXPECT_EQ(j["sv"], "view");
  EXPECT_EQ(j["str"], "owned");
  EXPECT_EQ(j["temp"], "owned-temp");
  EXPECT_EQ(j["cstr"], "literal");
  EXPECT_EQ(j["null"], "");
  EXPECT_EQ(j["i"], -5);
  EXPECT_EQ(j["i64"], -(std::int64_t{1} << 40));
  EXPECT_EQ(j["u"], 7);
  EXPECT_EQ(j["size"], 42);
  EXPECT_EQ(j["u8"], 255);
  EXPECT_EQ(j["d"], 2.5);
  EXPECT_EQ(j["f"], 0.5);
  EXPECT_EQ(j["b"], true);
  EXPECT_EQ(j["status"], "unavailable: s3 put wal/1: 503 slow down");
  EXPECT_EQ(j["error"], "unavailable: s3 put wal/1: 503 slow down");
}

TEST(LogTest, NastyStringsStayOneValidLine) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.test");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::vector<std::string> nasty = {
      "quote \" backslash \\ slash /",
      "line1\nline2\r\n\ttab",
      std::string("nul\0byte", 8),
      "\x1b[31mred\x1b[0m",
      "\xFF\xFE invalid \xC3\x28 \xED\xA0\x80",
      "h\xC3\xA9llo \xF0\x9F\x98\x80",
      "{\"ts\":\"forged\"}\n{\"level\":\"error\"}",
      all,
      std::string(20000, 'x'),
  };
  for (const std::string& s : nasty) logger.Error(s, {{s.substr(0, 50), s}, {"v", s}});
  const std::vector<std::string> raw = capture.Lines();
  ASSERT_EQ(raw.size(), nasty.size());
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), nasty.size());
  EXPECT_EQ(lines[0]["msg"], nasty[0]);
  EXPECT_EQ(lines[1]["v"], nasty[1]);
  EXPECT_EQ(lines[2]["v"], nasty[2]);
  EXPECT_EQ(lines[6]["msg"], nasty[6]);
  EXPECT_EQ(lines[6]["ts"], "2026-11-22T10:15:30.123456Z");
  EXPECT_THAT(lines[8]["v"].get<std::string>(), HasSubstr("[truncated"));
}

TEST(LogTest, LevelsFilterBeforeFormatting) {
  CapturedLog capture(Options{.level = Level::kWarn});
  const Logger logger = GetLogger("klio.test");
  EXPECT_FALSE(logger.Enabled(Level::kInfo));
  EXPECT_TRUE(logger.Enabled(Level::kWarn));
  EXPECT_FALSE(logger.Enabled(Level::kOff));
  logger.Trace("t");
  logger.Debug("d");
  logger.Info("i");
  logger.Warn("w");
  logger.Error("e");
  logger.Log(Level::kOff, "off");
  int evaluated = 0;
  auto expensive = [&] {
    ++evaluated;
    return std::string("x");
  };
  KLIO_LOG_DEBUG(logger, "skipped", {"v", expensive()});
  KLIO_LOG_ERROR(logger, "macro", {"v", expensive()}, {"n", 1});
  KLIO_LOG_INFO(logger, "no fields either");
  EXPECT_EQ(evaluated, 1);
  std::vector<std::string> levels;
  for (const Json& j : capture.Objects()) levels.push_back(j["level"]);
  EXPECT_THAT(levels, ElementsAre("warn", "error", "error"));
}

TEST(LogTest, LevelOffSilencesEverything) {
  CapturedLog capture(Options{.level = Level::kOff});
  GetLogger("klio.test").Error("e");
  EXPECT_EQ(capture.Contents(), "");
}

TEST(LogTest, ConfigureIsVisibleInCurrentOptions) {
  CapturedLog capture(Options{.level = Level::kDebug, .format = Format::kConsole});
  const Options options = CurrentOptions();
  EXPECT_EQ(options.level, Level::kDebug);
  EXPECT_EQ(options.format, Format::kConsole);
  EXPECT_NE(options.fd, 2);
}

TEST(LogTest, ConsoleFormat) {
  CapturedLog capture(Options{.format = Format::kConsole});
  GetLogger("klio.wal").Info("wal segment archived", {{"cluster_name", "a"}, {"bytes", 3}});
  EXPECT_EQ(capture.Contents(),
            "2026-11-22T10:15:30.123Z INFO  klio.wal  wal segment archived cluster_name=a "
            "bytes=3\n");
}

TEST(LogTest, DefaultLoggerIsNamedKlio) {
  CapturedLog capture;
  Logger().Info("hello");
  GetLogger("").Info("hello");
  for (const Json& j : capture.Objects()) EXPECT_EQ(j["logger"], "klio");
  EXPECT_EQ(GetLogger("klio.x").name(), "klio.x");
}

TEST(LogTest, RedactsKeysValuesMessagesAndErrors) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.pg");
  logger.Error("connect failed: host=db password=hunter2 dbname=app",
               {{"tier2.s3.secret_access_key", "wJalrXUtnFEMI"},
                {"x-api-key", 987654},
                {"dsn", "postgres://klio:hunter2@db/app"},
                {"key_file", "/etc/klio/tls.key"},
                Status::Unavailable("connect to postgresql://r:hunter2@db: timeout")});
  const std::string text = capture.Contents();
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
  EXPECT_THAT(text, Not(HasSubstr("wJalrXUtnFEMI")));
  EXPECT_THAT(text, Not(HasSubstr("987654")));
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "connect failed: host=db password=[REDACTED] dbname=app");
  EXPECT_EQ(lines[0]["tier2.s3.secret_access_key"], "[REDACTED]");
  EXPECT_EQ(lines[0]["x-api-key"], "[REDACTED]");
  EXPECT_EQ(lines[0]["dsn"], "postgres://klio:[REDACTED]@db/app");
  EXPECT_EQ(lines[0]["key_file"], "/etc/klio/tls.key");
  EXPECT_EQ(lines[0]["error"], "unavailable: connect to postgresql://r:[REDACTED]@db: timeout");
}

TEST(LogTest, ContextNestsAndIsRestored) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.rpc");
  logger.Info("before");
  {
    ScopedContext outer({{"cluster_name", "c1"}, {"request_id", "req-1"}});
    logger.Info("outer", {{"n", 1}});
    {
      ScopedContext inner({{"request_id", "req-2"}, {"backup_id", "b-7"}});
      logger.Info("inner");
      logger.Info("override", {{"cluster_name", "call"}});
    }
    logger.Info("outer again");
  }
  logger.Info("after");
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_THAT(Keys(lines[0]), ElementsAre("ts", "level", "msg", "logger"));
  EXPECT_THAT(Keys(lines[1]),
              ElementsAre("ts", "level", "msg", "logger", "request_id", "cluster_name", "n"));
  EXPECT_EQ(lines[1]["request_id"], "req-1");
  EXPECT_THAT(Keys(lines[2]), ElementsAre("ts", "level", "msg", "logger", "request_id",
                                          "cluster_name", "backup_id"));
  EXPECT_EQ(lines[2]["request_id"], "req-2");
  EXPECT_EQ(lines[3]["cluster_name"], "call");
  EXPECT_THAT(Keys(lines[3]), ElementsAre("ts", "level", "msg", "logger", "request_id", "backup_id",
                                          "cluster_name"));
  EXPECT_EQ(lines[4]["request_id"], "req-1");
  EXPECT_FALSE(lines[4].contains("backup_id"));
  EXPECT_THAT(Keys(lines[5]), ElementsAre("ts", "level", "msg", "logger"));
}

TEST(LogTest, ContextValuesAreRedactedOnce) {
  CapturedLog capture;
  {
    ScopedContext ctx({{"session_token", "abc"}, {"target", "nats://u:pw@nats:4222"}});
    GetLogger("klio.test").Info("x");
  }
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["session_token"], "[REDACTED]");
  EXPECT_EQ(lines[0]["target"], "nats://u:[REDACTED]@nats:4222");
}

TEST(LogTest, ContextIsPerThreadAndCanBeHandedOver) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.test");
  ScopedContext ctx({{"request_id", "main"}});
  std::thread plain([&] { logger.Info("plain worker"); });
  plain.join();
  const ContextSnapshot snapshot = CaptureContext();
  EXPECT_FALSE(snapshot.empty());
  std::thread adopted([&] {
    ScopedContext adopt(snapshot);
    logger.Info("adopted worker");
  });
  adopted.join();
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_FALSE(lines[0].contains("request_id"));
  EXPECT_EQ(lines[1]["request_id"], "main");
}

TEST(LogTest, ConcurrentThreadsKeepTheirOwnContextAndWholeLines) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.test");
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ScopedContext ctx({{"request_id", "req-" + std::to_string(t)}});
      for (int i = 0; i < kLines; ++i) {
        logger.Info("line", {{"thread", t}, {"i", i}, {"pad", std::string(200, 'p')}});
      }
    });
  }
  for (std::thread& th : threads) th.join();
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const Json& j : lines) {
    const int t = j["thread"];
    EXPECT_EQ(j["request_id"], "req-" + std::to_string(t));
    EXPECT_EQ(j["i"], next[t]++);
  }
}

TraceContext FakeSpan() {
  TraceContext tc;
  for (size_t i = 0; i < tc.trace_id.size(); ++i) tc.trace_id[i] = static_cast<uint8_t>(i);
  tc.span_id = {0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7};
  tc.flags = 0x01;
  tc.valid = true;
  return tc;
}
TraceContext NoSpan() { return TraceContext{}; }

TEST(LogTest, TraceProviderAddsCorrelationFields) {
  CapturedLog capture;
  const Logger logger = GetLogger("klio.test");
  SetTraceContextProvider(FakeSpan);
  {
    ScopedContext ctx({{"request_id", "r"}, {"cluster_name", "c"}});
    logger.Info("in span", {{"k", 1}});
  }
  SetTraceContextProvider(NoSpan);
  logger.Info("no span");
  SetTraceContextProvider(nullptr);
  logger.Info("no provider");
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_THAT(Keys(lines[0]), ElementsAre("ts", "level", "msg", "logger", "request_id", "trace_id",
                                          "span_id", "trace_flags", "cluster_name", "k"));
  EXPECT_EQ(lines[0]["trace_id"], "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(lines[0]["span_id"], "00f067aa0ba902b7");
  EXPECT_EQ(lines[0]["trace_flags"], "01");
  EXPECT_FALSE(lines[1].contains("trace_id"));
  EXPECT_FALSE(lines[2].contains("trace_id"));
}

class RecordingSink : public LogSink {
 public:
  struct Copy {
    Level level;
    int severity;
    std::string logger;
    std::string message;
    std::vector<std::pair<std::string, std::string>> fields;
    bool trace_valid;
  };
  void Write(const LogRecord& record) override {
    Copy copy{record.level,
              record.severity_number,
              std::string(record.logger),
              std::string(record.message),
              {},
              record.trace.valid};
    for (const Field& f : record.fields) {
      EXPECT_NE(f.type(), Field::Type::kStatus);
      std::string value = f.type() == Field::Type::kString ? std::string(f.string_value())
                          : f.type() == Field::Type::kInt  ? std::to_string(f.int_value())
                                                           : "?";
      copy.fields.emplace_back(std::string(f.key()), value);
    }
    if (log_inside_) GetLogger("klio.sink").Warn("from inside a sink");
    std::lock_guard<std::mutex> lock(mu_);
    records_.push_back(std::move(copy));
  }
  std::vector<Copy> records() {
    std::lock_guard<std::mutex> lock(mu_);
    return records_;
  }
  void set_log_inside(bool v) { log_inside_ = v; }

 private:
  std::atomic<bool> log_inside_{false};
  std::mutex mu_;
  std::vector<Copy> records_;
};

TEST(LogTest, SinksReceiveRedactedRecords) {
  CapturedLog capture(Options{.level = Level::kDebug});
  auto sink = std::make_shared<RecordingSink>();
  AddSink(sink);
  AddSink(sink);  // a second add is ignored
  SetTraceContextProvider(FakeSpan);
  const Logger logger = GetLogger("klio.wal");
  {
    ScopedContext ctx({{"request_id", "r-9"}});
    logger.Debug("archived password=hunter2", {{"bytes", 3}, {"token", "t"}});
    logger.Trace("filtered out");
    logger.Error("failed", {Status::IoError("disk full")});
  }
  SetTraceContextProvider(nullptr);
  RemoveSink(sink.get());
  logger.Info("after removal");
  const auto records = sink->records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].level, Level::kDebug);
  EXPECT_EQ(records[0].severity, 5);
  EXPECT_EQ(records[0].logger, "klio.wal");
  EXPECT_EQ(records[0].message, "archived password=[REDACTED]");
  EXPECT_TRUE(records[0].trace_valid);
  using P = std::pair<std::string, std::string>;
  EXPECT_THAT(records[0].fields,
              ElementsAre(P("request_id", "r-9"), P("bytes", "3"), P("token", "[REDACTED]")));
  EXPECT_EQ(records[1].severity, 17);
  EXPECT_THAT(records[1].fields,
              ElementsAre(P("request_id", "r-9"), P("error", "io_error: disk full")));
  EXPECT_EQ(capture.Lines().size(), 3u);
}

TEST(LogTest, LoggingFromASinkDoesNotRecurse) {
  CapturedLog capture;
  auto sink = std::make_shared<RecordingSink>();
  sink->set_log_inside(true);
  AddSink(sink);
  GetLogger("klio.test").Info("outer", {{"k", "v"}});
  RemoveSink(sink.get());
  EXPECT_EQ(sink->records().size(), 1u);
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["msg"], "outer");
  EXPECT_EQ(lines[1]["msg"], "from inside a sink");
}

TEST(LogTest, SinksWorkWithoutAnOutputFd) {
  Configure(Options{.fd = -1});
  auto sink = std::make_shared<RecordingSink>();
  AddSink(sink);
  GetLogger("klio.test").Info("only to sinks");
  RemoveSink(sink.get());
  Configure(Options{});
  EXPECT_EQ(sink->records().size(), 1u);
}

TEST(LogTest, DuplicateCallKeysKeepTheLast) {
  CapturedLog capture;
  GetLogger("klio.test").Info("dup", {{"k", 1}, {"k", 2}, {"level", "x"}});
  const std::vector<std::string> lines = capture.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_THAT(lines[0], HasSubstr("\"level\":\"info\""));
  EXPECT_THAT(lines[0], HasSubstr("\"k\":2,\"fields.level\":\"x\"}"));
  EXPECT_THAT(lines[0], Not(HasSubstr("\"k\":1")));
}

TEST(LogTest, PreservesErrnoAndCountsFailedWrites) {
  const std::uint64_t dropped = DroppedLineCount();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  close(fds[1]);  // writing to a closed fd fails with EBADF
  Configure(Options{.fd = fds[1]});
  errno = ENOENT;
  GetLogger("klio.test").Info("lost");
  EXPECT_EQ(errno, ENOENT);
  Configure(Options{});
  EXPECT_EQ(DroppedLineCount(), dropped + 1);
}

TEST(LogTest, FieldsFromARuntimeList) {
  CapturedLog capture;
  std::vector<Field> fields;
  fields.emplace_back("a", 1);
  fields.emplace_back("b", "two");
  GetLogger("klio.test").LogFields(Level::kInfo, "dynamic", fields);
  const std::vector<Json> lines = capture.Objects();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["a"], 1);
  EXPECT_EQ(lines[0]["b"], "two");
}

}  // namespace
}  // namespace klio::log
