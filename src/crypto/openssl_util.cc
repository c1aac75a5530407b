#include "crypto/openssl_util.h"

#include <openssl/err.h>

namespace klio::crypto {

std::string DrainOpenSslErrors() {
  std::string reason;
  // The oldest error is the root cause; later ones were added as the failure propagated up.
  while (unsigned long code = ERR_get_error()) {  // NOLINT(google-runtime-int): OpenSSL's type
    if (!reason.empty()) continue;
    const char* text = ERR_reason_error_string(code);
    reason = text != nullptr ? text : "error code " + std::to_string(ERR_GET_REASON(code));
  }
  return reason.empty() ? "unknown OpenSSL error" : reason;
}

Status OpenSslFailure(std::string_view what) {
  return Status::Internal(std::string(what) + ": " + DrainOpenSslErrors());
}

}  // namespace klio::crypto
