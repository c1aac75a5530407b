#include "testing/nats_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>

#include <gtest/gtest.h>

namespace klio::testing {
namespace {

std::string Tail(const std::string& text, int max_lines) {
  if (max_lines <= 0 || text.empty()) return "";
  size_t pos = text.size();
  if (text.back() == '\n') --pos;
  int lines = 0;
  while (pos > 0) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    if (++lines == max_lines) return text.substr(nl + 1);
    pos = nl;
  }
  return text;
}

// Sends "GET <path>" to 127.0.0.1:<port> over HTTP/1.0 and returns the status code, or
// nullopt when nothing answered properly within `timeout`.
std::optional<int> HttpGetStatus(int port, const std::string& path,
                                 std::chrono::milliseconds timeout) {
  struct Socket {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ~Socket() {
      if (fd >= 0) ::close(fd);
    }
  } sock;
  int fd = sock.fd;
  if (fd < 0) return std::nullopt;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return std::nullopt;
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  size_t sent = 0;
  while (sent < req.size()) {
    ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return std::nullopt;
    sent += static_cast<size_t>(n);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string resp;
  char buf[1024];
  // Only the status line is needed.
  while (resp.find("\r\n") == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    resp.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.x NNN ..."
  if (resp.size() < 12 || resp.compare(0, 5, "HTTP/") != 0) return std::nullopt;
  size_t sp = resp.find(' ');
  if (sp == std::string::npos) return std::nullopt;
  return std::atoi(resp.c_str() + sp + 1);
}

std::string FindBinary(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (::access("/usr/sbin/nats-server", X_OK) == 0) return "/usr/sbin/nats-server";
  return "nats-server";  // looked up in PATH by Subprocess
}

}  // namespace

NatsServer::NatsServer(NatsOptions options, std::unique_ptr<TempDir> dir)
    : options_(std::move(options)), dir_(std::move(dir)) {
  config_path_ = dir_->Join("nats.conf");
}

Result<std::unique_ptr<NatsServer>> NatsServer::Start(NatsOptions options) {
  std::unique_ptr<NatsServer> s(
      new NatsServer(std::move(options), std::make_unique<TempDir>("klio-nats")));
  KLIO_RETURN_IF_ERROR(s->StartOnFreePorts());
  return s;
}

NatsServer::~NatsServer() {
  PrintLogIfFailed();
  (void)Stop();
}

std::string NatsServer::url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

bool NatsServer::running() { return server_.running(); }

Status NatsServer::WriteConfig() {
  std::ofstream out(config_path_, std::ios::trunc);
  if (!out) return Status::IoError("nats fixture: cannot write " + config_path_);
  out << "# klio::testing::NatsServer\n"
      << "listen: 127.0.0.1:" << port_ << "\n"
      << "http: 127.0.0.1:" << monitor_port_ << "\n"
      << "server_name: \"" << options_.server_name << "\"\n"
      << "jetstream {\n"
      << "  store_dir: \"" << store_dir() << "\"\n"
      << "  max_memory_store: " << options_.max_memory_store << "\n"
      << "  max_file_store: " << options_.max_file_store << "\n"
      << "}\n"
      << options_.extra_config << "\n";
  out.close();
  if (!out) return Status::IoError("nats fixture: cannot write " + config_path_);
  return Status::Ok();
}

Status NatsServer::StartOnFreePorts() {
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    size_t log_before = log().size();
    port_ = FreePort();
    monitor_port_ = FreePort();
    if (port_ <= 0 || monitor_port_ <= 0 || port_ == monitor_port_) {
      last = Status::Unavailable("nats fixture: no free ports");
      continue;
    }
    KLIO_RETURN_IF_ERROR(WriteConfig());
    last = StartServer();
    if (last.ok()) return last;
    // A port was taken between FreePort() and the bind: try other ones.
    if (log().find("address already in use", log_before) == std::string::npos) return last;
  }
  return last;
}

Status NatsServer::StartServer() {
  auto p = Subprocess::Start({.argv = {FindBinary(options_.binary), "-c", config_path_},
                              .cwd = dir_->path(),
                              .log_path = log_path()});
  if (!p.ok()) return p.status().WithContext("nats fixture");
  server_ = std::move(p).value();
  bool died = false;
  Status s = WaitFor(
      [&] {
        if (!server_.running()) {
          died = true;
          return true;
        }
        return HttpGetStatus(monitor_port_, "/healthz", std::chrono::seconds(1)) == 200;
      },
      options_.start_timeout, "nats-server /healthz on port " + std::to_string(monitor_port_));
  if (died) {
    return Status::Unavailable("nats-server on port " + std::to_string(port_) +
                               " exited during start; log tail:\n" + LogTail(20));
  }
  if (!s.ok()) {
    (void)Kill9();
    return Status::DeadlineExceeded(s.message() + "; log tail:\n" + LogTail(20));
  }
  return Status::Ok();
}

Status NatsServer::Restart() {
  KLIO_RETURN_IF_ERROR(Stop());
  return StartServer();
}

Status NatsServer::Stop() {
  if (!running()) return Status::Ok();
  int st = server_.Stop(std::chrono::seconds(10));
  if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
    return Status::DeadlineExceeded("nats-server on port " + std::to_string(port_) +
                                    " ignored SIGTERM for 10 s; killed");
  }
  return Status::Ok();
}

Status NatsServer::Kill9() {
  if (!running()) return Status::Ok();
  server_.Signal(SIGKILL);
  if (!server_.Wait(std::chrono::seconds(10))) {
    return Status::Internal("nats-server survived SIGKILL");
  }
  return Status::Ok();
}

std::string NatsServer::log() const { return ReadFileOrEmpty(log_path()); }

std::string NatsServer::LogTail(int max_lines) const { return Tail(log(), max_lines); }

void NatsServer::PrintLogIfFailed() const {
  if (!::testing::Test::HasFailure()) return;
  std::fprintf(stderr, "---- nats-server log tail (port %d, %s) ----\n%s---- end of log ----\n",
               port_, log_path().c_str(), LogTail(60).c_str());
}

}  // namespace klio::testing
