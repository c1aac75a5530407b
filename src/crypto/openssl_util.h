// Small helpers around the OpenSSL 3 C API: owning smart pointers for the handful of object
// types klio holds, and turning OpenSSL's thread-local error queue into a Status message.
//
// Thread-safety: the pointers are plain owners (one thread at a time per object); the error
// helpers read the calling thread's OpenSSL error queue only.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace klio::crypto {

struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free_all(p); }
};

using X509Ptr = std::unique_ptr<X509, X509Deleter>;
using PrivateKeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

// Drains the calling thread's OpenSSL error queue and returns the reason of its root cause
// ("no start line"), or "unknown OpenSSL error" when the queue was empty.
std::string DrainOpenSslErrors();

// An Internal status "<what>: <DrainOpenSslErrors()>" — for OpenSSL calls that only fail on
// allocation failure or misuse.
Status OpenSslFailure(std::string_view what);

}  // namespace klio::crypto
