#include "testing/node_peer.h"

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

namespace klio::testing {
namespace {

namespace fs = std::filesystem;

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

size_t AppendToString(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

}  // namespace

Result<std::string> NodePeer::PeersDir() {
  std::string dir = SourceDir() + "/test/peers";
  std::error_code ec;
  if (!fs::is_directory(dir + "/node_modules/s3rver", ec) ||
      !fs::is_directory(dir + "/node_modules/@grpc/grpc-js", ec) ||
      !fs::is_directory(dir + "/node_modules/otlp-root", ec)) {
    return Status::FailedPrecondition(
        "node test peers: npm dependencies are not installed in " + dir +
        "/node_modules; run scripts/install-deps.sh (it runs `npm ci` in test/peers)");
  }
  return dir;
}

NodePeer::NodePeer(NodePeerOptions options, std::unique_ptr<TempDir> dir)
    : options_(std::move(options)), dir_(std::move(dir)) {}

NodePeer::~NodePeer() {
  PrintLogIfFailed();
  (void)Stop();
}

std::string NodePeer::log_path() const { return dir_->Join(options_.name + ".log"); }

Result<std::unique_ptr<NodePeer>> NodePeer::Start(NodePeerOptions options,
                                                  std::unique_ptr<TempDir> dir) {
  KLIO_ASSIGN_OR_RETURN(std::string peers, PeersDir());
  std::unique_ptr<NodePeer> peer(new NodePeer(std::move(options), std::move(dir)));
  const NodePeerOptions& o = peer->options_;
  std::string ready_path = peer->dir_->Join("ready.json");
  std::vector<std::string> argv = {"node", peers + "/" + o.script};
  argv.insert(argv.end(), o.args.begin(), o.args.end());
  argv.push_back("--ready-file");
  argv.push_back(ready_path);
  auto p =
      Subprocess::Start({.argv = argv, .env = o.env, .cwd = peers, .log_path = peer->log_path()});
  if (!p.ok()) {
    return p.status().WithContext(o.name +
                                  ": cannot start node (is Node.js installed? run "
                                  "scripts/install-deps.sh)");
  }
  peer->process_ = std::move(p).value();

  bool died = false;
  std::error_code ec;
  Status s = WaitFor(
      [&] {
        if (!peer->process_.running()) {
          died = true;
          return true;
        }
        return fs::exists(ready_path, ec);
      },
      o.start_timeout, o.name + " ready file " + ready_path);
  if (died) {
    return Status::Unavailable(o.name + " exited during start; log tail:\n" + peer->LogTail(30));
  }
  if (!s.ok()) {
    peer->process_.Signal(SIGKILL);
    (void)peer->process_.Wait(std::chrono::seconds(10));
    return Status::DeadlineExceeded(s.message() + "; log tail:\n" + peer->LogTail(30));
  }
  // The peer renames the file into place, so it is complete once it exists.
  peer->ready_ = nlohmann::json::parse(ReadFileOrEmpty(ready_path), nullptr, false);
  if (peer->ready_.is_discarded() || !peer->ready_.is_object()) {
    return Status::Internal(o.name + ": unreadable ready file " + ready_path);
  }
  return peer;
}

Status NodePeer::Stop() {
  if (!process_.running()) return Status::Ok();
  int st = process_.Stop(std::chrono::seconds(10));
  if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
    return Status::DeadlineExceeded(options_.name + " ignored SIGTERM for 10 s; killed");
  }
  return Status::Ok();
}

std::string NodePeer::log() const { return ReadFileOrEmpty(log_path()); }

std::string NodePeer::LogTail(int max_lines) const { return Tail(log(), max_lines); }

void NodePeer::PrintLogIfFailed() const {
  if (!::testing::Test::HasFailure()) return;
  std::fprintf(stderr, "---- %s log tail (%s) ----\n%s---- end of log ----\n",
               options_.name.c_str(), log_path().c_str(), LogTail(60).c_str());
}

Result<HttpResult> HttpCall(std::string_view method, const std::string& url,
                            const std::string& body, std::string_view content_type,
                            std::chrono::milliseconds timeout) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Status::Internal("http: curl_easy_init failed");
  std::string method_str(method);
  std::string content_type_header = "Content-Type: " + std::string(content_type);
  curl_slist* headers = nullptr;
  if (!body.empty()) headers = curl_slist_append(headers, content_type_header.c_str());
  // Control bodies are small; never wait for "100 Continue".
  headers = curl_slist_append(headers, "Expect:");
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_guard(headers, curl_slist_free_all);
  HttpResult result;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_str.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  if (!body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  if (method == "HEAD") curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &AppendToString);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &result.body);
  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    return Status::Unavailable("http " + method_str + " " + url + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

Result<nlohmann::json> ControlCall(std::string_view method, const std::string& url,
                                   const std::string& body) {
  KLIO_ASSIGN_OR_RETURN(HttpResult r, HttpCall(method, url, body));
  if (r.status != 200) {
    return Status::Internal("control " + std::string(method) + " " + url + ": HTTP " +
                            std::to_string(r.status) + ": " + r.body);
  }
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    return Status::Internal("control " + std::string(method) + " " + url +
                            ": answer is not JSON: " + r.body);
  }
  return j;
}

}  // namespace klio::testing
