// Connection strings (libpq "conninfo": key=value pairs or a postgresql:// URI) and keeping
// their secrets out of messages.
//
// klio never puts a password into an error message or a log line. Two tools:
//  * RedactConninfo masks the values of password-like keys (password, sslpassword) and the
//    password in a URI's userinfo, for showing which connection string is in use.
//  * ConninfoSecrets + RedactText: libpq's own messages never echo a password except through
//    fragments of an unparsable string, but to be certain every message that leaves
//    ReplicationConnection has the literal secret values (as libpq parsed them) replaced.
// docs/design/pg-replication.md §6.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace klio::pg {

// The text that replaces a secret.
inline constexpr std::string_view kRedactedSecret = "***";

// Secrets shorter than this are not replaced inside free text by RedactText (replacing every
// "a" of a message would destroy it, and a 1-2 character password protects nothing).
inline constexpr size_t kMinRedactedSecretLength = 3;

// True for the connection parameters that hold secrets ("password", "sslpassword"),
// compared case-insensitively.
bool IsSecretConninfoKey(std::string_view key);

// Returns `conninfo` with secret values replaced by kRedactedSecret: `password=***`,
// `password='***'`, `postgresql://user:***@host/db?sslpassword=***`. Never fails: when the
// string cannot be tokenised, everything from the first secret key on is replaced.
std::string RedactConninfo(std::string_view conninfo);

// True when `conninfo` contains "password" anywhere (case-insensitive) or is a URI whose
// userinfo has a password part, i.e. libpq's text about it might show a secret.
bool ConninfoMayHoldSecret(std::string_view conninfo);

// The secret values of `conninfo` exactly as libpq parses them (percent-decoded for URIs).
// Empty when there are none or libpq cannot parse the string.
std::vector<std::string> ConninfoSecrets(std::string_view conninfo);

// Returns `text` with every occurrence of each secret of at least kMinRedactedSecretLength
// bytes replaced by kRedactedSecret.
std::string RedactText(std::string_view text, const std::vector<std::string>& secrets);

}  // namespace klio::pg
