// OTLP/HTTP transport over libcurl (otel-reference §2.7): POST application/x-protobuf, gzip
// body when configured, configured headers, TLS files, one easy handle (and so one kept-alive
// connection) per exporter. The transfer runs on a private multi handle so Cancel() can wake
// it at once (curl_multi_wakeup) instead of waiting for curl's next progress tick.
#include <curl/curl.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>

#include "telemetry/export/otlp_encode.h"
#include "telemetry/export/otlp_transport.h"

namespace klio::telemetry::exporter {
namespace {

using std::chrono::steady_clock;

constexpr std::size_t kMaxResponseBytes = 4u << 20;  // spec: larger is a non-retryable error

bool Readable(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  std::fclose(f);
  return true;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Gzips `in` into `out` (a gzip member, RFC 1952). Returns false on a zlib failure.
bool Gzip(std::string_view in, std::string* out) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return false;
  }
  out->resize(deflateBound(&zs, static_cast<uLong>(in.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out->data());
  zs.avail_out = static_cast<uInt>(out->size());
  const int rc = deflate(&zs, Z_FINISH);
  out->resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END;
}

Status HttpStatusToStatus(int code, std::string message) {
  switch (code) {
    case 400:
      return Status::InvalidArgument(std::move(message));
    case 401:
    case 403:
      return Status::PermissionDenied(std::move(message));
    case 404:
      return Status::NotFound(std::move(message));
    case 413:
      return Status::ResourceExhausted(std::move(message));
    default:
      return Status::Unavailable(std::move(message));
  }
}

class HttpTransport final : public OtlpTransport {
 public:
  HttpTransport(const OtlpOptions& options, CURL* easy, CURLM* multi)
      : url_(options.endpoint),
        gzip_(options.compression == Compression::kGzip),
        easy_(easy),
        multi_(multi) {
    headers_ = curl_slist_append(headers_, "Content-Type: application/x-protobuf");
    if (gzip_) headers_ = curl_slist_append(headers_, "Content-Encoding: gzip");
    headers_ = curl_slist_append(headers_, "Expect:");  // no 100-continue round trip
    for (const auto& [key, value] : options.headers) {
      std::string line = key;
      line.append(": ").append(value);
      headers_ = curl_slist_append(headers_, line.c_str());
    }
    const std::string user_agent(OtlpUserAgent());
    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpTransport::OnBody);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &HttpTransport::OnHeader);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, this);
    if (!options.certificate_file.empty()) {
      curl_easy_setopt(easy_, CURLOPT_CAINFO, options.certificate_file.c_str());
    }
    if (!options.client_certificate_file.empty() && !options.client_key_file.empty()) {
      curl_easy_setopt(easy_, CURLOPT_SSLCERT, options.client_certificate_file.c_str());
      curl_easy_setopt(easy_, CURLOPT_SSLKEY, options.client_key_file.c_str());
    }
  }

  ~HttpTransport() override {
    curl_multi_cleanup(multi_);
    curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
  }

  AttemptOutcome Send(std::string_view request, steady_clock::time_point deadline) override {
    if (cancelled_.load()) return Cancelled();
    std::string_view body = request;
    if (gzip_) {
      if (!Gzip(request, &gzipped_)) {
        return AttemptOutcome::Permanent(Status::Internal("otlp http: gzip failed"));
      }
      body = gzipped_;
    }
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
    if (remaining.count() <= 0) {
      return AttemptOutcome::Retryable(Status::DeadlineExceeded("otlp http: no time left"));
    }
    response_.clear();
    content_type_.clear();
    retry_after_.clear();
    response_too_big_ = false;
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(remaining.count()));

    curl_multi_add_handle(multi_, easy_);
    CURLcode result = CURLE_OK;
    bool finished = false;
    bool cancelled = false;
    while (true) {
      int running = 0;
      if (curl_multi_perform(multi_, &running) != CURLM_OK) {
        result = CURLE_FAILED_INIT;
        break;
      }
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_, &queued)) {
        if (msg->msg == CURLMSG_DONE) {
          result = msg->data.result;
          finished = true;
        }
      }
      if (finished || running == 0) break;
      if (cancelled_.load()) {
        cancelled = true;
        break;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady_clock::now());
      if (left.count() <= 0) {
        result = CURLE_OPERATION_TIMEDOUT;
        break;
      }
      curl_multi_poll(multi_, nullptr, 0,
                      static_cast<int>(std::min<std::int64_t>(left.count(), 1000)), nullptr);
    }
    curl_multi_remove_handle(multi_, easy_);
    if (cancelled || cancelled_.load()) return Cancelled();
    return Classify(result);
  }

  void Cancel() override {
    cancelled_.store(true);
    curl_multi_wakeup(multi_);
  }

 private:
  static AttemptOutcome Cancelled() {
    return AttemptOutcome::Permanent(Status::Cancelled("otlp http: exporter shut down"));
  }

  AttemptOutcome Classify(CURLcode result) {
    const std::string what = "otlp http: POST " + url_;
    switch (result) {
      case CURLE_OK:
        break;
      case CURLE_OPERATION_TIMEDOUT:
        return AttemptOutcome::Retryable(Status::DeadlineExceeded(what + ": timed out"));
      case CURLE_COULDNT_CONNECT:
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
      case CURLE_PARTIAL_FILE:
      case CURLE_HTTP2:
      case CURLE_HTTP2_STREAM:
        return AttemptOutcome::Retryable(
            Status::Unavailable(what + ": " + curl_easy_strerror(result)));
      case CURLE_WRITE_ERROR:
        if (response_too_big_) {
          return AttemptOutcome::Permanent(
              Status::ResourceExhausted(what + ": response larger than 4 MiB"));
        }
        [[fallthrough]];
      default:
        return AttemptOutcome::Permanent(
            Status::Unavailable(what + ": " + curl_easy_strerror(result)));
    }
    long curl_code = 0;  // NOLINT(google-runtime-int): the type curl_easy_getinfo writes
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &curl_code);
    const int code = static_cast<int>(curl_code);
    const bool protobuf = StartsWithNoCase(TrimSpace(content_type_), "application/x-protobuf") ||
                          StartsWithNoCase(TrimSpace(content_type_), "application/protobuf");
    if (code >= 200 && code < 300) {
      return AttemptOutcome::Ok(protobuf ? std::move(response_) : std::string());
    }
    std::string message = what + ": answered " + std::to_string(code);
    if (protobuf && !response_.empty()) {
      Result<RpcStatus> details = DecodeRpcStatus(response_);
      if (details.ok() && !details->message.empty()) message += ": " + details->message;
    }
    if (IsRetryableHttpStatus(code)) {
      std::optional<std::chrono::nanoseconds> hint;
      if (!retry_after_.empty()) {
        hint = ParseRetryAfter(retry_after_, std::chrono::system_clock::now());
      }
      return AttemptOutcome::Retryable(Status::Unavailable(std::move(message)), hint);
    }
    return AttemptOutcome::Permanent(HttpStatusToStatus(code, std::move(message)));
  }

  static std::size_t OnBody(char* data, std::size_t size, std::size_t n, void* self_ptr) {
    auto* self = static_cast<HttpTransport*>(self_ptr);
    const std::size_t len = size * n;
    if (self->response_.size() + len > kMaxResponseBytes) {
      self->response_too_big_ = true;
      return 0;  // aborts the transfer with CURLE_WRITE_ERROR
    }
    self->response_.append(data, len);
    return len;
  }

  static std::size_t OnHeader(char* data, std::size_t size, std::size_t n, void* self_ptr) {
    auto* self = static_cast<HttpTransport*>(self_ptr);
    const std::size_t len = size * n;
    const std::string_view line(data, len);
    if (StartsWithNoCase(line, "http/")) {  // a new response (after 1xx or a redirect)
      self->content_type_.clear();
      self->retry_after_.clear();
    } else if (StartsWithNoCase(line, "content-type:")) {
      self->content_type_ = std::string(TrimSpace(line.substr(13)));
    } else if (StartsWithNoCase(line, "retry-after:")) {
      self->retry_after_ = std::string(TrimSpace(line.substr(12)));
    }
    return len;
  }

  const std::string url_;
  const bool gzip_;
  CURL* const easy_;
  CURLM* const multi_;
  curl_slist* headers_ = nullptr;
  std::atomic<bool> cancelled_{false};
  // Per-Send state, touched only by the sending thread (and curl callbacks on it).
  std::string gzipped_;
  std::string response_;
  std::string content_type_;
  std::string retry_after_;
  bool response_too_big_ = false;
};

}  // namespace

#ifndef KLIO_VERSION
#define KLIO_VERSION "0.0.0"
#endif
std::string_view OtlpUserAgent() { return "klio-otlp-exporter-cpp/" KLIO_VERSION; }

Result<std::unique_ptr<OtlpTransport>> MakeOtlpHttpTransport(const OtlpOptions& options) {
  static std::once_flag curl_init;
  std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  for (const std::string* path :
       {&options.certificate_file, &options.client_certificate_file, &options.client_key_file}) {
    if (!path->empty() && !Readable(*path)) {
      return Status::InvalidArgument("otlp " + std::string(SignalName(options.signal)) +
                                     " exporter: cannot read tls file " + *path);
    }
  }
  CURL* easy = curl_easy_init();
  CURLM* multi = curl_multi_init();
  if (easy == nullptr || multi == nullptr) {
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
    return Status::Internal("otlp http: curl initialisation failed");
  }
  return std::unique_ptr<OtlpTransport>(new HttpTransport(options, easy, multi));
}

Result<std::unique_ptr<OtlpTransport>> MakeOtlpTransport(const OtlpOptions& options) {
  if (options.protocol == OtlpProtocol::kGrpc) return MakeOtlpGrpcTransport(options);
  return MakeOtlpHttpTransport(options);
}

}  // namespace klio::telemetry::exporter
