#include "testing/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace klio::testing {

namespace fs = std::filesystem;

TempDir::TempDir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) +
                     "-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) std::abort();
  path_ = buf.data();
  // Fixtures may run peers as unprivileged users that need to traverse this directory.
  ::chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  if (std::getenv("KLIO_KEEP_TEST_DIRS") != nullptr) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string TempDir::Join(std::string_view name) const { return path_ + "/" + std::string(name); }

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    socklen_t len = sizeof(addr);
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
  }
  ::close(fd);
  return port;
}

bool PortOpen(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

Status WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
               std::string_view what, std::chrono::milliseconds interval) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (cond()) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::DeadlineExceeded("timed out after " + std::to_string(timeout.count()) +
                                      " ms waiting for " + std::string(what));
    }
    std::this_thread::sleep_for(interval);
  }
}

Subprocess::~Subprocess() {
  if (pid_ > 0) Stop();
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_status_(other.exit_status_) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) Stop();
    pid_ = std::exchange(other.pid_, -1);
    exit_status_ = other.exit_status_;
  }
  return *this;
}

Result<Subprocess> Subprocess::Start(const SubprocessOptions& options) {
  if (options.argv.empty()) return Status::InvalidArgument("subprocess: empty argv");
  // Build argv/envp before fork: only async-signal-safe calls in the child.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos && options.env.count(kv.substr(0, eq))) continue;
    env_strings.push_back(std::move(kv));
  }
  for (const auto& [k, v] : options.env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);

  int errpipe[2];
  if (::pipe2(errpipe, O_CLOEXEC) != 0) return Status::FromErrno(errno, "pipe");
  int out_fd = -1;
  if (!options.log_path.empty()) {
    out_fd = ::open(options.log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) return Status::FromErrno(errno, "open " + options.log_path);
    if (options.uid) (void)::fchown(out_fd, *options.uid, options.gid.value_or(-1));
  } else {
    out_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(out_fd);
    return Status::FromErrno(errno, "fork");
  }
  if (pid == 0) {
    // Own process group, so a peer's children die with it when we signal the group.
    ::setpgid(0, 0);
    int null_in = ::open("/dev/null", O_RDONLY);
    ::dup2(null_in, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) {
      int e = errno;
      (void)!::write(errpipe[1], &e, sizeof(e));
      ::_exit(127);
    }
    if (options.gid) {
      ::setgroups(0, nullptr);
      if (::setgid(*options.gid) != 0) ::_exit(127);
    }
    if (options.uid && ::setuid(*options.uid) != 0) ::_exit(127);
    ::execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    (void)!::write(errpipe[1], &e, sizeof(e));
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(errpipe[1]);
  int child_errno = 0;
  ssize_t n = ::read(errpipe[0], &child_errno, sizeof(child_errno));
  ::close(errpipe[0]);
  if (n == sizeof(child_errno)) {
    ::waitpid(pid, nullptr, 0);
    return Status::FromErrno(child_errno, "exec " + options.argv[0]);
  }
  Subprocess p;
  p.pid_ = pid;
  return p;
}

bool Subprocess::running() {
  if (pid_ <= 0) return false;
  if (exit_status_) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    exit_status_ = st;
    return false;
  }
  return r == 0;
}

void Subprocess::Signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> Subprocess::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return exit_status_;
}

int Subprocess::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return -1;
  if (running()) {
    ::kill(pid_, SIGTERM);
    if (!Wait(grace)) {
      ::kill(-pid_, SIGKILL);
      ::kill(pid_, SIGKILL);
      Wait(std::chrono::seconds(10));
    }
  }
  int st = exit_status_.value_or(-1);
  pid_ = -1;
  return st;
}

Result<int> RunCommand(const SubprocessOptions& options, std::string* output,
                       std::chrono::milliseconds timeout) {
  TempDir dir("klio-cmd");
  SubprocessOptions o = options;
  if (output != nullptr) {
    o.log_path = dir.Join("out");
    if (o.uid) (void)::chown(dir.path().c_str(), *o.uid, o.gid.value_or(-1));
  }
  KLIO_ASSIGN_OR_RETURN(Subprocess p, Subprocess::Start(o));
  auto st = p.Wait(timeout);
  if (!st) {
    p.Stop(std::chrono::seconds(1));
    return Status::DeadlineExceeded("command timed out: " + options.argv[0]);
  }
  if (output != nullptr) *output = ReadFileOrEmpty(o.log_path);
  if (WIFEXITED(*st)) return WEXITSTATUS(*st);
  return 128 + (WIFSIGNALED(*st) ? WTERMSIG(*st) : 0);
}

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string SourceDir() {
  if (const char* s = std::getenv("KLIO_SOURCE_DIR"); s && *s) return s;
  return fs::path(__FILE__).parent_path().parent_path().parent_path().string();
}

}  // namespace klio::testing
