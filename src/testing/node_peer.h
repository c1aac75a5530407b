// NodePeer: one of the Node.js test peers in test/peers/ (the S3 front, the OTLP receiver) run
// as a child process of the test, plus the small HTTP client the fixtures use for the peers'
// unsigned control APIs. S3Server (s3_fixture.h) and OtlpReceiver (otlp_fixture.h) are built
// on it; tests normally use those.
//
// Start() runs `node test/peers/<script> <args> --ready-file <dir>/ready.json` with stdout and
// stderr going to <dir>/<name>.log, and waits until the peer writes its ready file (JSON with
// the ports it bound; every peer binds 127.0.0.1 and port 0, so there is no port race). The
// peers' npm dependencies must be installed (scripts/install-deps.sh runs `npm ci` in
// test/peers); when they are not, Start() fails with a message saying so.
//
// The destructor prints the tail of the peer log when the current gtest test has failed, stops
// the peer by its PID (SIGTERM, SIGKILL after a grace period) and removes the temp dir (kept
// when KLIO_KEEP_TEST_DIRS is set).
//
// Thread-safety: const methods and HttpCall() may be used from many threads; Stop() must not
// run concurrently with anything else on the same object.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "testing/process.h"

namespace klio::testing {

struct NodePeerOptions {
  // Script file name under test/peers/, e.g. "s3-front.js".
  std::string script;
  // Arguments after the script; "--ready-file <path>" is appended.
  std::vector<std::string> args;
  // Added to the environment of the node process.
  std::map<std::string, std::string> env;
  // Short name used in messages and for the log file ("s3-front").
  std::string name;
  // How long to wait for the ready file.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
};

class NodePeer {
 public:
  // Returns SourceDir()/test/peers when its node_modules is installed; FailedPrecondition
  // with instructions (run scripts/install-deps.sh) otherwise. No side effects.
  static Result<std::string> PeersDir();

  // Starts the peer in `dir` (owned from now on) and waits for its ready file. Fails when node
  // or the npm dependencies are missing, the peer exits early (the log tail is in the message)
  // or it is not ready within options.start_timeout (then it is killed).
  static Result<std::unique_ptr<NodePeer>> Start(NodePeerOptions options,
                                                 std::unique_ptr<TempDir> dir);

  ~NodePeer();
  NodePeer(const NodePeer&) = delete;
  NodePeer& operator=(const NodePeer&) = delete;

  // The parsed ready file (ports, pid).
  const nlohmann::json& ready() const { return ready_; }
  // The peer's temp dir (its log and ready file live there too).
  const TempDir& dir() const { return *dir_; }

  bool running() { return process_.running(); }
  // SIGTERM by PID, SIGKILL after 10 s. OK when it was not running.
  Status Stop();

  // The peer's log (stdout and stderr) so far, and its last `max_lines` lines.
  std::string log() const;
  std::string LogTail(int max_lines = 60) const;
  // Prints LogTail() to stderr when the current gtest test has failed. Called by ~NodePeer.
  void PrintLogIfFailed() const;

 private:
  NodePeer(NodePeerOptions options, std::unique_ptr<TempDir> dir);
  std::string log_path() const;

  NodePeerOptions options_;
  std::unique_ptr<TempDir> dir_;
  Subprocess process_;
  nlohmann::json ready_;
};

struct HttpResult {
  long status = 0;  // HTTP status code
  std::string body;
};

// Sends one HTTP/1.1 request with libcurl (blocking, no proxy) and returns the status and the
// body of the answer, whatever the status. Fails (Unavailable) only when no HTTP answer came:
// connection refused or reset, or `timeout` passed.
Result<HttpResult> HttpCall(std::string_view method, const std::string& url,
                            const std::string& body = "",
                            std::string_view content_type = "application/json",
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

// HttpCall() to a control endpoint that answers JSON: fails (Internal, with the answer in the
// message) unless the status is 200, then parses the body.
Result<nlohmann::json> ControlCall(std::string_view method, const std::string& url,
                                   const std::string& body = "");

}  // namespace klio::testing
