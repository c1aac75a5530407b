#include "testing/otlp_fixture.h"

#include <gtest/gtest.h>

namespace klio::testing {
namespace {

bool IsSignal(std::string_view s) { return s == "traces" || s == "metrics" || s == "logs"; }

}  // namespace

Result<std::unique_ptr<OtlpReceiver>> OtlpReceiver::Start(OtlpReceiverOptions options) {
  NodePeerOptions peer_options{
      .script = "otlp-receiver.js",
      .args = {"--http-port", "0", "--grpc-port", "0"},
      .env = {},
      .name = "otlp-receiver",
      .start_timeout = options.start_timeout,
  };
  KLIO_ASSIGN_OR_RETURN(
      std::unique_ptr<NodePeer> peer,
      NodePeer::Start(std::move(peer_options), std::make_unique<TempDir>("klio-otlp")));
  int http_port = peer->ready().value("http_port", 0);
  int grpc_port = peer->ready().value("grpc_port", 0);
  if (http_port <= 0 || grpc_port <= 0) {
    return Status::Internal("otlp fixture: ready file lacks the ports");
  }
  return std::unique_ptr<OtlpReceiver>(new OtlpReceiver(std::move(peer), http_port, grpc_port));
}

std::string OtlpReceiver::http_endpoint() const {
  return "http://127.0.0.1:" + std::to_string(http_port_);
}

std::string OtlpReceiver::grpc_endpoint() const { return "http://" + grpc_target(); }

std::string OtlpReceiver::grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }

Result<std::vector<nlohmann::json>> OtlpReceiver::Fetch(std::string_view signal,
                                                        std::string_view transport) {
  if (!IsSignal(signal)) {
    return Status::InvalidArgument("otlp fixture: unknown signal '" + std::string(signal) + "'");
  }
  std::string url = http_endpoint() + "/__control/received?signal=" + std::string(signal);
  if (!transport.empty()) url += "&transport=" + std::string(transport);
  KLIO_ASSIGN_OR_RETURN(nlohmann::json j, ControlCall("GET", url));
  if (!j.is_array()) return Status::Internal("otlp fixture: received list is not an array");
  return j.get<std::vector<nlohmann::json>>();
}

std::vector<nlohmann::json> OtlpReceiver::Received(std::string_view signal,
                                                   std::string_view transport) {
  auto r = Fetch(signal, transport);
  if (!r.ok()) {
    ADD_FAILURE() << "otlp fixture: cannot read received requests: " << r.status().ToString();
    return {};
  }
  return std::move(r).value();
}

Status OtlpReceiver::WaitForRequests(std::string_view signal, size_t n,
                                     std::chrono::milliseconds timeout) {
  Status last;
  Status s = WaitFor(
      [&] {
        auto r = Fetch(signal, "");
        last = r.status();
        return r.ok() && r->size() >= n;
      },
      timeout, std::to_string(n) + " " + std::string(signal) + " request(s) at the receiver",
      std::chrono::milliseconds(25));
  if (!last.ok()) return last.WithContext("otlp fixture");
  return s;
}

Status OtlpReceiver::ScriptResponses(std::string_view signal, std::string_view transport,
                                     const nlohmann::json& responses) {
  if (!IsSignal(signal) || (transport != "http" && transport != "grpc") || !responses.is_array()) {
    return Status::InvalidArgument(
        "otlp fixture: script needs a signal (traces|metrics|logs), a transport (http|grpc) "
        "and an array of answers");
  }
  nlohmann::json body = {{"signal", signal}, {"transport", transport}, {"responses", responses}};
  auto r = ControlCall("POST", http_endpoint() + "/__control/responses", body.dump());
  return r.ok() ? Status::Ok() : r.status().WithContext("otlp fixture: script responses");
}

Status OtlpReceiver::Clear() {
  auto a = ControlCall("DELETE", http_endpoint() + "/__control/received");
  if (!a.ok()) return a.status().WithContext("otlp fixture: clear");
  auto b = ControlCall("DELETE", http_endpoint() + "/__control/responses");
  if (!b.ok()) return b.status().WithContext("otlp fixture: clear");
  return Status::Ok();
}

}  // namespace klio::testing
