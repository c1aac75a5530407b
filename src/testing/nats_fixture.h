// NatsServer: a throwaway nats-server with JetStream for tests against the real server.
//
// Start() writes a config into a fresh temp dir (client and monitoring ports on 127.0.0.1,
// both free ports; JetStream file storage under the temp dir), starts nats-server as a child
// process of the test and waits until /healthz on the monitoring port answers 200, which
// includes JetStream being ready. Restart() keeps the store and the ports, so streams,
// messages and durable consumers survive it.
//
// The destructor stops the server by its PID (SIGTERM, then SIGKILL) and removes the temp
// dir (kept when KLIO_KEEP_TEST_DIRS is set). When the current gtest test has failed it
// first prints the tail of the server log to stderr.
//
// Thread-safety: the accessors and log() may be called from many threads; Restart(), Stop()
// and Kill9() must not run concurrently with anything else on the same object.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "base/status.h"
#include "testing/process.h"

namespace klio::testing {

struct NatsOptions {
  // The nats-server binary; empty = /usr/sbin/nats-server when it exists, else PATH.
  std::string binary;
  std::string server_name = "klio-test";
  std::int64_t max_memory_store = 64LL << 20;
  std::int64_t max_file_store = 1LL << 30;
  // Appended verbatim to the generated config (nats-server config syntax).
  std::string extra_config;
  // How long to wait for /healthz after a start.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
};

class NatsServer {
 public:
  // Creates the config and starts the server. Fails (with the log tail in the message) when
  // the binary is missing or the server does not become healthy in time.
  static Result<std::unique_ptr<NatsServer>> Start(NatsOptions options = {});

  ~NatsServer();
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // "nats://127.0.0.1:<port>".
  std::string url() const;
  // The client port.
  int port() const { return port_; }
  // The HTTP monitoring port (/healthz, /varz, /jsz).
  int monitor_port() const { return monitor_port_; }
  // The JetStream store_dir (nats-server adds "jetstream/" below it).
  std::string store_dir() const { return dir_->Join("js"); }
  const std::string& config_path() const { return config_path_; }

  // True while the server process is alive.
  bool running();
  // Stops the server if it is running (SIGTERM, a clean shutdown), then starts it again with
  // the same config, ports and store, and waits until it is healthy. Also the way to start it
  // after Stop() or Kill9().
  Status Restart();
  // SIGTERM by PID; waits for exit (SIGKILL after 10 s). OK when it was not running.
  Status Stop();
  // SIGKILL by PID (for crash tests); waits for exit.
  Status Kill9();

  // The server log so far (every start appends to it).
  std::string log() const;
  // The last `max_lines` lines of the server log.
  std::string LogTail(int max_lines = 60) const;
  // Prints LogTail() to stderr when the current gtest test has failed. Called by the
  // destructor.
  void PrintLogIfFailed() const;

 private:
  NatsServer(NatsOptions options, std::unique_ptr<TempDir> dir);

  std::string log_path() const { return dir_->Join("nats.log"); }
  Status WriteConfig();
  // Picks free ports, writes the config and starts; retries when a port was taken meanwhile.
  Status StartOnFreePorts();
  // Starts the process and waits until /healthz answers 200.
  Status StartServer();

  NatsOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string config_path_;
  int port_ = -1;
  int monitor_port_ = -1;
  Subprocess server_;
};

}  // namespace klio::testing
