#include "telemetry/export/prometheus.h"

#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace klio::telemetry::exporter {
namespace {

constexpr std::string_view kHostVar = "OTEL_EXPORTER_PROMETHEUS_HOST";
constexpr std::string_view kPortVar = "OTEL_EXPORTER_PROMETHEUS_PORT";

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// One element of an Accept or Accept-Encoding list: the lowercased value and its parameters.
struct MediaRange {
  std::string type;
  std::string version;
  double q = 1.0;
};

MediaRange ParseMediaRange(std::string_view element) {
  std::vector<std::string_view> parts = Split(element, ';');
  MediaRange range;
  range.type = Lower(TrimSpace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view param = TrimSpace(parts[i]);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = Lower(TrimSpace(param.substr(0, eq)));
    std::string_view value = TrimSpace(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (key == "q") {
      std::string text(value);
      char* end = nullptr;
      double q = std::strtod(text.c_str(), &end);
      // An unparsable q-value is ignored (treated as 1) rather than rejecting the element.
      if (end != text.c_str() && *end == '\0' && q >= 0 && q <= 1) range.q = q;
    } else if (key == "version") {
      range.version = std::string(value);
    }
  }
  return range;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  for (std::string_view element : Split(accept_encoding, ',')) {
    MediaRange r = ParseMediaRange(element);
    if ((r.type == "gzip" || r.type == "x-gzip" || r.type == "*") && r.q > 0) return true;
  }
  return false;
}

// gzip-compresses `in` (RFC 1952 framing via windowBits 15+16). Returns false on a zlib error.
bool Gzip(std::string_view in, std::string* out) {
  z_stream zs{};
  // Level 1: exposition text is repetitive enough that the fastest level already shrinks it
  // about 8x; higher levels cost more CPU per scrape for little.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return false;
  }
  out->resize(deflateBound(&zs, static_cast<uLong>(in.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

// Only SO_REUSEADDR: httplib's default also sets SO_REUSEPORT, which would let a second
// process bind the same port silently and steal half of the scrapes.
void SetSocketOptions(socket_t sock) {
  int yes = 1;
  setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

}  // namespace

Result<PrometheusServerOptions> PrometheusServerOptionsFromEnv(const EnvGetter& getenv) {
  PrometheusServerOptions options;
  if (std::optional<std::string> host = getenv(kHostVar); host && !host->empty()) {
    for (char c : *host) {
      if (std::isspace(static_cast<unsigned char>(c)) ||
          std::iscntrl(static_cast<unsigned char>(c))) {
        return Status::InvalidArgument(fmt::format(
            "{}: host \"{}\" contains whitespace or control characters", kHostVar, *host));
      }
    }
    options.host = *host;
  }
  if (std::optional<std::string> port = getenv(kPortVar); port && !port->empty()) {
    std::string_view text = TrimSpace(*port);
    std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
    bool all_digits =
        !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
    if (!all_digits) {
      return Status::InvalidArgument(
          fmt::format("{}: port \"{}\" is not a decimal number", kPortVar, *port));
    }
    digits.remove_prefix(std::min(digits.find_first_not_of('0'), digits.size()));
    if (text.starts_with('-') || digits.size() > 5 ||
        (digits.size() == 5 && digits > std::string_view("65535"))) {
      return Status::InvalidArgument(
          fmt::format("{}: port \"{}\" is out of range 0..65535", kPortVar, *port));
    }
    int value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    options.port = value;
  }
  return options;
}

Format NegotiateFormat(std::string_view accept) {
  double best_q = 0;
  Format best = Format::kText004;
  for (std::string_view element : Split(accept, ',')) {
    MediaRange r = ParseMediaRange(element);
    if (r.q <= 0) continue;
    std::optional<Format> format;
    if (r.type == "application/openmetrics-text" &&
        (r.version.empty() || r.version == "1.0.0" || r.version == "0.0.1")) {
      format = Format::kOpenMetrics;
    } else if ((r.type == "text/plain" &&
                (r.version.empty() || r.version == "0.0.4" || r.version == "1.0.0")) ||
               r.type == "text/*" || r.type == "*/*") {
      format = Format::kText004;
    }
    if (format && r.q > best_q) {
      best_q = r.q;
      best = *format;
    }
  }
  return best;
}

class PrometheusServer::Impl {
 public:
  Impl(PrometheusServerOptions options, CollectFn collect, WarningFn warn)
      : options_(std::move(options)), collect_(std::move(collect)), warn_(std::move(warn)) {}
  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  int port() const { return port_.load(); }
  std::uint64_t scrapes() const { return scrapes_.load(); }

 private:
  void Handle(const httplib::Request& req, httplib::Response& res);
  void Warn(std::string_view message) {
    if (warn_) warn_(message);
  }

  const PrometheusServerOptions options_;
  const CollectFn collect_;
  const WarningFn warn_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<int> port_{0};
  std::atomic<std::uint64_t> scrapes_{0};
  std::mutex collect_mu_;  // serialises collect_ calls
};

Status PrometheusServer::Impl::Start() {
  if (server_ != nullptr) return Status::FailedPrecondition("prometheus endpoint: already started");
  if (options_.path.empty() || options_.path.front() != '/') {
    return Status::InvalidArgument(
        fmt::format("prometheus endpoint: path \"{}\" must start with '/'", options_.path));
  }
  if (options_.port < 0 || options_.port > 65535) {
    return Status::InvalidArgument(
        fmt::format("prometheus endpoint: port {} is out of range 0..65535 (check {})",
                    options_.port, kPortVar));
  }
  const std::string host = options_.host == "localhost" ? "127.0.0.1" : options_.host;
  const std::string where = fmt::format("{}:{}", options_.host, options_.port);

  // Resolve first: httplib reports a failed lookup and a failed bind alike.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    return Status::InvalidArgument(
        fmt::format("prometheus endpoint {}: cannot resolve host (check {}): {}", where, kHostVar,
                    gai_strerror(rc)));
  }
  freeaddrinfo(found);

  auto server = std::make_unique<httplib::Server>();
  server->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server->set_socket_options(SetSocketOptions);
  server->set_read_timeout(2, 0);
  server->set_write_timeout(5, 0);
  server->set_keep_alive_timeout(1);
  // Headers and a small (gzip) body go out as separate writes; without TCP_NODELAY, Nagle
  // holds the body until the client's delayed ACK, adding tens of milliseconds per scrape.
  server->set_tcp_nodelay(true);
  server->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path != options_.path) return httplib::Server::HandlerResponse::Unhandled;
    Handle(req, res);
    return httplib::Server::HandlerResponse::Handled;
  });

  errno = 0;
  int port = options_.port;
  bool bound = false;
  if (port == 0) {
    port = server->bind_to_any_port(host);
    bound = port > 0;
  } else {
    bound = server->bind_to_port(host, port);
  }
  if (!bound) {
    int err = errno;
    if (err == EADDRINUSE) {
      return Status::FailedPrecondition(fmt::format(
          "prometheus endpoint {}: port already in use (choose another with {})", where, kPortVar));
    }
    if (err == EACCES || err == EPERM) {
      return Status::PermissionDenied(fmt::format(
          "prometheus endpoint {}: not allowed to bind this port (choose another with {})", where,
          kPortVar));
    }
    if (err == EADDRNOTAVAIL) {
      return Status::InvalidArgument(
          fmt::format("prometheus endpoint {}: no such local address (check {})", where, kHostVar));
    }
    return Status::FromErrno(err, fmt::format("prometheus endpoint {}: cannot listen", where));
  }

  httplib::Server* raw = server.get();
  server_ = std::move(server);
  port_.store(port);
  thread_ = std::thread([raw] { raw->listen_after_bind(); });
  // httplib's stop() is a no-op until the listen loop runs; wait for it so Stop always works.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!raw->is_running()) {
    if (std::chrono::steady_clock::now() > deadline || !raw->is_valid()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!raw->is_running()) {
    Stop();
    return Status::Internal(fmt::format("prometheus endpoint {}: server did not start", where));
  }
  return Status::Ok();
}

void PrometheusServer::Impl::Stop() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  port_.store(0);
}

void PrometheusServer::Impl::Handle(const httplib::Request& req, httplib::Response& res) {
  if (req.method != "GET" && req.method != "HEAD") {
    res.status = 405;
    res.set_header("Allow", "GET, HEAD");
    res.set_content("method not allowed\n", "text/plain; charset=utf-8");
    return;
  }
  Format format = NegotiateFormat(req.get_header_value("Accept"));
  FormatReport report;
  auto body = std::make_shared<std::string>();
  try {
    std::lock_guard<std::mutex> lock(collect_mu_);
    *body = FormatPrometheus(collect_(), format, &report);
  } catch (const std::exception& e) {
    Warn(fmt::format("prometheus endpoint: collection failed: {}", e.what()));
    res.status = 500;
    res.set_content("metric collection failed\n", "text/plain; charset=utf-8");
    return;
  } catch (...) {
    Warn("prometheus endpoint: collection failed with an unknown exception");
    res.status = 500;
    res.set_content("metric collection failed\n", "text/plain; charset=utf-8");
    return;
  }
  scrapes_.fetch_add(1);
  for (const std::string& note : report.notes) Warn(note);

  if (options_.gzip && AcceptsGzip(req.get_header_value("Accept-Encoding"))) {
    std::string compressed;
    if (Gzip(*body, &compressed)) {
      *body = std::move(compressed);
      res.set_header("Content-Encoding", "gzip");
    }
  }
  res.set_header("Vary", "Accept, Accept-Encoding");
  // A sized content provider bypasses httplib's own compression, so the encoding above is the
  // only one applied, for both formats alike.
  if (body->empty()) {
    res.set_content("", std::string(ContentType(format)));
    return;
  }
  res.set_content_provider(body->size(), std::string(ContentType(format)),
                           [body](size_t offset, size_t length, httplib::DataSink& sink) {
                             return sink.write(body->data() + offset, length);
                           });
}

PrometheusServer::PrometheusServer(PrometheusServerOptions options, CollectFn collect,
                                   WarningFn warn)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(collect), std::move(warn))) {}

PrometheusServer::~PrometheusServer() = default;

Status PrometheusServer::Start() { return impl_->Start(); }
void PrometheusServer::Stop() { impl_->Stop(); }
int PrometheusServer::port() const { return impl_->port(); }
std::uint64_t PrometheusServer::scrapes() const { return impl_->scrapes(); }

}  // namespace klio::telemetry::exporter
