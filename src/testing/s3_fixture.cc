#include "testing/s3_fixture.h"

#include <gtest/gtest.h>

namespace klio::testing {

Result<std::unique_ptr<S3Server>> S3Server::Start(S3ServerOptions options) {
  if (options.buckets.empty()) {
    return Status::InvalidArgument("s3 fixture: at least one bucket is needed");
  }
  auto dir = std::make_unique<TempDir>("klio-s3");
  std::string buckets;
  for (const auto& b : options.buckets) buckets += (buckets.empty() ? "" : ",") + b;
  NodePeerOptions peer_options{
      .script = "s3-front.js",
      .args = {"--port", "0", "--data-dir", dir->Join("data"), "--bucket", buckets, "--access-key",
               options.access_key, "--secret-key", options.secret_key, "--region", options.region,
               "--max-skew-s", std::to_string(options.max_skew_s)},
      .env = {{"NODE_OPTIONS", "--openssl-legacy-provider"}},
      .name = "s3-front",
      .start_timeout = options.start_timeout,
  };
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<NodePeer> peer,
                        NodePeer::Start(std::move(peer_options), std::move(dir)));
  int port = peer->ready().value("port", 0);
  if (port <= 0) return Status::Internal("s3 fixture: ready file has no port");
  return std::unique_ptr<S3Server>(new S3Server(std::move(options), std::move(peer), port));
}

std::string S3Server::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::string S3Server::control_url(const std::string& what) const {
  return endpoint() + "/__control/" + what;
}

Status S3Server::InjectFault(const nlohmann::json& fault) {
  auto r = ControlCall("POST", control_url("faults"), fault.dump());
  return r.ok() ? Status::Ok() : r.status().WithContext("s3 fixture: inject fault");
}

Status S3Server::ClearFaults() {
  auto r = ControlCall("DELETE", control_url("faults"));
  return r.ok() ? Status::Ok() : r.status().WithContext("s3 fixture: clear faults");
}

std::vector<nlohmann::json> S3Server::Requests() {
  auto r = ControlCall("GET", control_url("requests"));
  if (!r.ok() || !r->is_array()) {
    ADD_FAILURE() << "s3 fixture: cannot read the request log: " << r.status().ToString();
    return {};
  }
  return r->get<std::vector<nlohmann::json>>();
}

Status S3Server::ClearRequests() {
  auto r = ControlCall("DELETE", control_url("requests"));
  return r.ok() ? Status::Ok() : r.status().WithContext("s3 fixture: clear requests");
}

}  // namespace klio::testing
