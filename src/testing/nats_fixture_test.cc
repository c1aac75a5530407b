#include "testing/nats_fixture.h"

#include <nats/nats.h>

#include <string>

#include <gtest/gtest.h>

namespace klio::testing {
namespace {

// Owns a connection and its JetStream context.
struct JsClient {
  natsConnection* nc = nullptr;
  jsCtx* js = nullptr;
  ~JsClient() {
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
  }
};

::testing::AssertionResult Ok(natsStatus s, jsErrCode jerr = static_cast<jsErrCode>(0)) {
  if (s == NATS_OK) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << natsStatus_GetText(s) << " (jetstream error " << static_cast<int>(jerr) << ")";
}

::testing::AssertionResult Connect(const NatsServer& server, JsClient* c) {
  natsStatus s = natsConnection_ConnectTo(&c->nc, server.url().c_str());
  if (s != NATS_OK) return Ok(s) << " connecting to " << server.url();
  return Ok(natsConnection_JetStream(&c->js, c->nc, nullptr));
}

TEST(NatsServerTest, JetStreamMessageSurvivesRestart) {
  auto server_or = NatsServer::Start();
  ASSERT_TRUE(server_or.ok()) << server_or.status().ToString();
  auto server = std::move(server_or).value();
  EXPECT_EQ(server->url(), "nats://127.0.0.1:" + std::to_string(server->port()));
  EXPECT_TRUE(PortOpen(server->port()));
  const std::string payload = "wal segment 000000010000000000000001";
  {
    JsClient c;
    ASSERT_TRUE(Connect(*server, &c));
    jsErrCode jerr = static_cast<jsErrCode>(0);

    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {"wal.>"};
    cfg.Name = "WAL";
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    jsStreamInfo* si = nullptr;
    ASSERT_TRUE(Ok(js_AddStream(&si, c.js, &cfg, nullptr, &jerr), jerr));
    jsStreamInfo_Destroy(si);

    jsPubAck* ack = nullptr;
    ASSERT_TRUE(Ok(js_Publish(&ack, c.js, "wal.seg", payload.data(),
                              static_cast<int>(payload.size()), nullptr, &jerr),
                   jerr));
    ASSERT_NE(ack, nullptr);
    EXPECT_EQ(ack->Sequence, 1u);
    jsPubAck_Destroy(ack);

    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Config.AckPolicy = js_AckExplicit;
    natsSubscription* sub = nullptr;
    ASSERT_TRUE(Ok(js_PullSubscribe(&sub, c.js, "wal.>", "d1", nullptr, &so, &jerr), jerr));
    natsMsgList list = {nullptr, 0};
    natsStatus fs = natsSubscription_Fetch(&list, sub, 1, 5000, &jerr);
    EXPECT_TRUE(Ok(fs, jerr));
    ASSERT_EQ(list.Count, 1);
    EXPECT_EQ(std::string(natsMsg_GetData(list.Msgs[0]),
                          static_cast<size_t>(natsMsg_GetDataLength(list.Msgs[0]))),
              payload);
    EXPECT_TRUE(Ok(natsMsg_AckSync(list.Msgs[0], nullptr, &jerr), jerr));
    natsMsgList_Destroy(&list);
    natsSubscription_Destroy(sub);
  }

  Status s = server->Restart();
  ASSERT_TRUE(s.ok()) << s.ToString();
  {
    JsClient c;
    ASSERT_TRUE(Connect(*server, &c));
    jsErrCode jerr = static_cast<jsErrCode>(0);
    jsStreamInfo* si = nullptr;
    ASSERT_TRUE(Ok(js_GetStreamInfo(&si, c.js, "WAL", nullptr, &jerr), jerr));
    EXPECT_EQ(si->State.Msgs, 1u);
    jsStreamInfo_Destroy(si);
    natsMsg* msg = nullptr;
    ASSERT_TRUE(Ok(js_GetMsg(&msg, c.js, "WAL", 1, nullptr, &jerr), jerr));
    EXPECT_EQ(std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg))),
              payload);
    natsMsg_Destroy(msg);
  }

  s = server->Stop();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(server->running());
  EXPECT_FALSE(PortOpen(server->port()));
}

TEST(NatsServerTest, Kill9ThenRestartKeepsStream) {
  auto server_or = NatsServer::Start();
  ASSERT_TRUE(server_or.ok()) << server_or.status().ToString();
  auto server = std::move(server_or).value();
  {
    JsClient c;
    ASSERT_TRUE(Connect(*server, &c));
    jsErrCode jerr = static_cast<jsErrCode>(0);
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    const char* subjects[] = {"k.>"};
    cfg.Name = "K";
    cfg.Subjects = subjects;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    ASSERT_TRUE(Ok(js_AddStream(nullptr, c.js, &cfg, nullptr, &jerr), jerr));
  }
  Status s = server->Kill9();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(server->running());
  s = server->Restart();
  ASSERT_TRUE(s.ok()) << s.ToString();
  JsClient c;
  ASSERT_TRUE(Connect(*server, &c));
  jsErrCode jerr = static_cast<jsErrCode>(0);
  jsStreamInfo* si = nullptr;
  ASSERT_TRUE(Ok(js_GetStreamInfo(&si, c.js, "K", nullptr, &jerr), jerr));
  jsStreamInfo_Destroy(si);
}

}  // namespace
}  // namespace klio::testing
