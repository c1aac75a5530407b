// S3Server: the S3 peer of klio's tests, a throwaway s3rver behind the strict S3 front of
// test/peers/s3-front.js (docs/testing.md). s3rver stores the objects; the front checks every
// request like S3 does (AWS Signature V4 recomputed with the official @smithy/signature-v4
// signer, x-amz-content-sha256 against the body, Content-MD5) and injects faults on demand.
//
// Start() creates a temp dir (object data below it), starts the front with Node.js
// (NODE_OPTIONS=--openssl-legacy-provider, which s3rver needs for ListObjectsV2 continuation
// tokens) on 127.0.0.1 and a port the front picks, creates the buckets and waits until it is
// ready. Requests are path-style: <endpoint>/<bucket>/<key>, region `region()`, service "s3".
//
// Faults (InjectFault) are JSON objects as in the front's header comment:
//   {"kind": "status", "status": 500}            answer 500 InternalError
//   {"kind": "throttle", "retry_after_s": 2}     answer 503 SlowDown + Retry-After
//   {"kind": "stall", "stall_ms": 3000}          answer late
//   {"kind": "drop"} / {"kind": "drop", "when": "mid"}   cut the connection before / mid-body
// each optionally limited by "method", "path_regex" and "count" (default 1; -1 = until
// ClearFaults()).
//
// The destructor prints the front's log when the current gtest test has failed, stops it by
// PID and removes the temp dir (kept when KLIO_KEEP_TEST_DIRS is set).
//
// Thread-safety: every method may be called from many threads except the destructor.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "testing/node_peer.h"

namespace klio::testing {

struct S3ServerOptions {
  // Buckets created at start; bucket() is the first one.
  std::vector<std::string> buckets = {"klio-test"};
  std::string access_key = "KLIOTESTACCESSKEY";
  std::string secret_key = "klio-test-secret-key";
  std::string region = "us-east-1";
  // Requests whose x-amz-date is further than this from the front's clock get 403
  // RequestTimeTooSkewed; 0 disables the check.
  int max_skew_s = 900;
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
};

class S3Server {
 public:
  // Starts the front and s3rver. Fails when Node.js or the npm dependencies are missing
  // (the message says to run scripts/install-deps.sh) or the front does not become ready.
  static Result<std::unique_ptr<S3Server>> Start(S3ServerOptions options = {});

  ~S3Server() = default;
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  // "http://127.0.0.1:<port>".
  std::string endpoint() const;
  int port() const { return port_; }
  const std::string& bucket() const { return options_.buckets.front(); }
  const std::vector<std::string>& buckets() const { return options_.buckets; }
  const std::string& access_key() const { return options_.access_key; }
  const std::string& secret_key() const { return options_.secret_key; }
  const std::string& region() const { return options_.region; }
  // Where s3rver keeps the objects (inspect only; never write there).
  std::string data_dir() const { return peer_->dir().Join("data"); }

  // Arms a fault (an object) or several (an array). Fails on a control error or when the front
  // rejects the spec (unknown kind, bad regex).
  Status InjectFault(const nlohmann::json& fault);
  // Disarms every fault.
  Status ClearFaults();
  // The S3 requests the front has seen, oldest first: {seq, method, path, query, status,
  // bytes_in, error_code?, fault?, dropped?, time}; status 0 = no answer was sent. On a control
  // error, adds a gtest failure and returns an empty vector.
  std::vector<nlohmann::json> Requests();
  // Forgets the request log.
  Status ClearRequests();

  std::string log() const { return peer_->log(); }
  std::string LogTail(int max_lines = 60) const { return peer_->LogTail(max_lines); }

 private:
  S3Server(S3ServerOptions options, std::unique_ptr<NodePeer> peer, int port)
      : options_(std::move(options)), peer_(std::move(peer)), port_(port) {}
  std::string control_url(const std::string& what) const;

  S3ServerOptions options_;
  std::unique_ptr<NodePeer> peer_;
  int port_;
};

}  // namespace klio::testing
