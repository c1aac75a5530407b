#include "crypto/kdf.h"

#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstdlib>

#include "crypto/openssl_util.h"

namespace klio::crypto {
namespace {

// OpenSSL only fails these digest calls when it cannot allocate memory; there is nothing
// sensible to return then, and a wrong digest would be worse than stopping.
void CheckOrAbort(int ok) {
  if (ok != 1) std::abort();
}

}  // namespace

Sha256Digest Sha256(ByteView data) {
  Sha256Digest out;
  unsigned int len = 0;
  CheckOrAbort(EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr));
  return out;
}

Sha256Digest HmacSha256(ByteView key, ByteView data) {
  Sha256Digest out;
  unsigned int len = 0;
  // HMAC() takes a non-null key pointer even for an empty key.
  static const std::uint8_t kEmpty = 0;
  const std::uint8_t* key_ptr = key.empty() ? &kEmpty : key.data();
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr) {
    std::abort();
  }
  return out;
}

Result<Bytes> HkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  if (length == 0 || length > 255 * kSha256Size) {
    return Status::InvalidArgument("hkdf: output length " + std::to_string(length) +
                                   " is outside 1.." + std::to_string(255 * kSha256Size));
  }
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return OpenSslFailure("hkdf: fetch");
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return OpenSslFailure("hkdf: new context");

  // OSSL_PARAM wants non-const pointers; OpenSSL only reads these buffers.
  char digest_name[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest_name, 0);
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size());
  if (!salt.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size());
  }
  params[n++] = OSSL_PARAM_construct_octet_string(
      OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size());
  params[n] = OSSL_PARAM_construct_end();

  Bytes out(length);
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  if (ok != 1) return OpenSslFailure("hkdf: derive");
  return out;
}

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr) std::abort();
  CheckOrAbort(EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr));
}

void Sha256Hasher::Update(ByteView data) {
  CheckOrAbort(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()));
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out;
  unsigned int len = 0;
  CheckOrAbort(EVP_DigestFinal_ex(ctx_.get(), out.data(), &len));
  CheckOrAbort(EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr));
  return out;
}

}  // namespace klio::crypto
