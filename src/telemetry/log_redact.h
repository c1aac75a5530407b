// Redaction of secrets in log fields, messages and (later) telemetry attributes and error text.
//
// Two rules, both deliberately biased toward over-redaction:
//  * IsSecretKey: a field whose *name* looks secret (password, token, secret_access_key,
//    x-api-key, ...) has its whole value replaced by "[REDACTED]".
//  * RedactSecrets: secrets *inside* free text are replaced and the surrounding text kept:
//    libpq conninfo "password=..." (bare or quoted), any "<secret-looking key>=value" or
//    "key: value", URL userinfo passwords (and nats:// tokens), sensitive URL query
//    parameters (X-Amz-Signature, token, ...), "Authorization: Bearer/Basic ...", a bare
//    "Bearer <token>", PEM private key blocks, JSON Web Tokens and AWS access key ids.
// The rules and the corpus they are tested on are in docs/design/logging.md §5.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace klio::log {

// The replacement for a secret value in fields, key=value text and URL userinfo.
inline constexpr std::string_view kRedacted = "[REDACTED]";
// The replacement for a sensitive URL query parameter value (brackets would need escaping).
inline constexpr std::string_view kRedactedQueryValue = "REDACTED";

// True when a field or parameter named `key` holds a secret. Case-insensitive; separators
// (`.`, `_`, `-`, camelCase) are ignored, so "tier2.s3.secret_access_key", "X-Api-Key" and
// "sessionToken" match. A key whose last word is file, path, dir, filename, name, type, ttl,
// count, length, len or size ("tls.private_key_file", "secret_name") names something about a
// secret, not the secret, and does not match. Never allocates for keys under 128 bytes.
bool IsSecretKey(std::string_view key);

// Returns `text` with every secret found by the rules above replaced. Returns a copy of `text`
// when nothing was found.
std::string RedactSecrets(std::string_view text);

// The allocation-free form for hot paths: when `text` holds something to redact, stores the
// redacted text in `*out` and returns true; otherwise returns false and leaves `*out` as it was.
// A clean text costs one pass over its bytes with a table lookup each.
bool RedactSecretsTo(std::string_view text, std::string* out);

}  // namespace klio::log
