#include "telemetry/log_redact.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>

namespace klio::log {
namespace {

constexpr size_t kNpos = std::string_view::npos;
// Keys longer than this are looked at through their last kMaxKeyBytes bytes only.
constexpr size_t kMaxKeyBytes = 128;

constexpr char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
constexpr bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlnum(char c) { return IsUpper(c) || IsLower(c) || IsDigit(c); }
constexpr bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool IsBlank(char c) { return c == ' ' || c == '\t'; }
constexpr bool IsKeyChar(char c) { return IsAlnum(c) || c == '_' || c == '-' || c == '.'; }
constexpr bool IsBase64UrlChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
// RFC 7235 token68, the alphabet of Bearer/Basic credentials.
constexpr bool IsToken68Char(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' ||
         c == '=';
}

bool EqualsNoCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower[i]) return false;
  }
  return true;
}

bool StartsWithNoCase(std::string_view text, size_t pos, std::string_view lower) {
  if (pos > text.size() || text.size() - pos < lower.size()) return false;
  for (size_t i = 0; i < lower.size(); ++i) {
    if (Lower(text[pos + i]) != lower[i]) return false;
  }
  return true;
}

bool HasAt(std::string_view text, size_t pos, std::string_view word) {
  return text.size() - pos >= word.size() && text.compare(pos, word.size(), word) == 0;
}

// True when the lowercase alphanumeric string `norm` contains a secret word at `pos`. The
// switch keeps the common case (a letter that starts no secret word) to one branch.
bool SecretWordAt(std::string_view norm, size_t pos) {
  switch (norm[pos]) {
    case 'a':
      return HasAt(norm, pos, "apikey") || HasAt(norm, pos, "accesskey") ||
             HasAt(norm, pos, "authorization");
    case 'c': return HasAt(norm, pos, "credential") || HasAt(norm, pos, "cookie");
    case 'e': return HasAt(norm, pos, "encryptionkey");
    case 'p':
      return HasAt(norm, pos, "passw") || HasAt(norm, pos, "pwd") ||
             HasAt(norm, pos, "privatekey") || HasAt(norm, pos, "passphrase");
    case 's': return HasAt(norm, pos, "secret");
    case 't': return HasAt(norm, pos, "token");
    default: return false;
  }
}

// The last word of `key`, split at non-alphanumerics and at lower-to-upper camelCase steps.
std::string_view LastWord(std::string_view key) {
  size_t end = key.size();
  while (end > 0 && !IsAlnum(key[end - 1])) --end;
  size_t start = end;
  while (start > 0 && IsAlnum(key[start - 1])) {
    --start;
    if (IsUpper(key[start]) && start > 0 && IsLower(key[start - 1])) break;
  }
  return key.substr(start, end - start);
}

bool IsDescriptiveWord(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "file", "path", "dir", "filename", "name", "type", "ttl", "count", "length", "len", "size"};
  for (std::string_view w : kWords) {
    if (EqualsNoCase(word, w)) return true;
  }
  return false;
}

// URL query parameters that carry credentials or signatures (matched exactly, any case).
bool IsSensitiveParamName(std::string_view key) {
  static constexpr std::string_view kParams[] = {
      "x-amz-signature",
      "x-amz-credential",
      "x-amz-security-token",
      "x-goog-signature",
      "x-goog-credential",
      "signature",
      "awsaccesskeyid",
      "sig",
      "token",
      "password",
      "access_token",
      "refresh_token",
      "client_secret",
      "api_key",
      "apikey",
  };
  for (std::string_view p : kParams) {
    if (EqualsNoCase(key, p)) return true;
  }
  return false;
}

bool IsAuthScheme(std::string_view word) {
  static constexpr std::string_view kSchemes[] = {"bearer", "basic",     "digest",
                                                  "token",  "negotiate", "aws4-hmac-sha256"};
  for (std::string_view s : kSchemes) {
    if (EqualsNoCase(word, s)) return true;
  }
  return false;
}

bool IsAuthorizationKey(std::string_view key) {
  for (size_t i = 0; i < key.size(); ++i) {
    if (StartsWithNoCase(key, i, "authorization")) return true;
  }
  return false;
}

enum Trigger : std::uint8_t { kNone, kSeparator, kDash, kLetterB, kLetterJ, kLetterA };

constexpr std::array<std::uint8_t, 256> MakeTriggers() {
  std::array<std::uint8_t, 256> t{};
  t['='] = kSeparator;
  t[':'] = kSeparator;
  t['-'] = kDash;
  t['b'] = kLetterB;
  t['B'] = kLetterB;
  t['J'] = kLetterJ;  // the rare third letter of "eyJ", not the common 'e'
  t['A'] = kLetterA;
  return t;
}
constexpr std::array<std::uint8_t, 256> kTriggers = MakeTriggers();

// One pass over the input. Nothing is copied until the first secret is found; from then on
// the output is the input with the secret ranges replaced.
class Redactor {
 public:
  Redactor(std::string_view in, std::string* out) : in_(in), out_(out) {}

  bool Run() {
    const size_t n = in_.size();
    size_t i = 0;
    while (i < n) {
      const std::uint8_t trigger = kTriggers[static_cast<unsigned char>(in_[i])];
      if (trigger == kNone) {
        ++i;
        continue;
      }
      size_t next = i + 1;
      switch (trigger) {
        case kSeparator:
          next = (in_[i] == ':' && HasAt(in_, i, "://")) ? OnUrl(i) : OnSeparator(i);
          break;
        case kDash: next = OnDashes(i); break;
        case kLetterB: next = OnBearer(i); break;
        case kLetterJ: next = i >= 2 ? OnJwt(i - 2) : i + 1; break;
        case kLetterA: next = OnAwsKeyId(i); break;
        default: break;
      }
      i = std::max(next, i + 1);
    }
    if (changed_) out_->append(in_.substr(copied_));
    return changed_;
  }

 private:
  // Replaces in_[begin, end) with `with`. Ranges arrive in increasing order.
  void Replace(size_t begin, size_t end, std::string_view with) {
    assert(begin >= copied_ && end >= begin && end <= in_.size());
    if (!changed_) {
      out_->clear();
      out_->reserve(in_.size() + 16);
      changed_ = true;
    }
    out_->append(in_.substr(copied_, begin - copied_));
    out_->append(with);
    copied_ = end;
  }

  // End of a run of characters for which `pred` holds, starting at `pos`.
  template <typename Pred>
  size_t RunEnd(size_t pos, Pred pred) const {
    while (pos < in_.size() && pred(in_[pos])) ++pos;
    return pos;
  }

  // `key=value` or `key: value` with a secret-looking key; `?key=` and `&key=` are URL query
  // parameters, whose value ends at `&`, `#` or a quote.
  size_t OnSeparator(size_t i) {
    size_t key_end = i;
    while (key_end > 0 && i - key_end < 8 && IsBlank(in_[key_end - 1])) --key_end;
    bool key_quoted = false;
    if (key_end > 0 && (in_[key_end - 1] == '"' || in_[key_end - 1] == '\'')) {
      key_quoted = true;
      --key_end;
      if (key_end > 0 && in_[key_end - 1] == '\\') --key_end;  // JSON nested in a string
    }
    size_t key_begin = key_end;
    while (key_begin > 0 && key_end - key_begin < kMaxKeyBytes && IsKeyChar(in_[key_begin - 1])) {
      --key_begin;
    }
    if (key_begin == key_end) return i + 1;
    const std::string_view key = in_.substr(key_begin, key_end - key_begin);
    const bool query = in_[i] == '=' && !key_quoted && key_begin > 0 &&
                       (in_[key_begin - 1] == '?' || in_[key_begin - 1] == '&');
    if (!IsSensitiveParamName(key) && !IsSecretKey(key)) return i + 1;

    const size_t v = RunEnd(i + 1, IsBlank);
    if (v >= in_.size()) return v;
    const char first = in_[v];
    if (!query && (first == '\'' || first == '"')) return RedactQuoted(v);
    if (query) {
      const size_t end = RunEnd(v, [](char c) {
        return !IsSpace(c) && c != '&' && c != '#' && c != '"' && c != '\'' && c != '<' && c != '>';
      });
      if (end > v) Replace(v, end, kRedactedQueryValue);
      return end;
    }
    const size_t end = RunEnd(v, [](char c) { return !IsSpace(c); });
    if (IsAuthorizationKey(key) && IsAuthScheme(in_.substr(v, end - v))) {
      // Keep the scheme ("Bearer"), hide the credentials that follow it.
      const size_t cred = RunEnd(end, IsBlank);
      const size_t cred_end = RunEnd(cred, IsToken68Char);
      if (cred_end > cred) Replace(cred, cred_end, kRedacted);
      return std::max(cred_end, end);
    }
    if (end > v && in_.substr(v, end - v) != kRedacted) Replace(v, end, kRedacted);
    return end;
  }

  // A quoted value starting at `quote_pos`; a backslash escapes the next character (libpq
  // conninfo and JSON agree on that). An unterminated value is redacted to the end. libpq's
  // single quotes are replaced along with the value; double quotes are kept.
  size_t RedactQuoted(size_t quote_pos) {
    const char quote = in_[quote_pos];
    size_t e = quote_pos + 1;
    while (e < in_.size() && in_[e] != quote) e += (in_[e] == '\\') ? 2 : 1;
    e = std::min(e, in_.size());
    const size_t after = std::min(e + 1, in_.size());
    if (e == quote_pos + 1) return after;  // empty value: nothing to hide
    if (quote == '\'') {
      Replace(quote_pos, after, kRedacted);
    } else if (in_.substr(quote_pos + 1, e - quote_pos - 1) != kRedacted) {
      Replace(quote_pos + 1, e, kRedacted);
    }
    return after;
  }

  // scheme://user:password@host — the password goes, the user stays. The authority ends at
  // the first '/', '?', '#', blank or quote; its last '@' ends the userinfo.
  size_t OnUrl(size_t i) {
    const size_t authority = i + 3;
    if (i == 0 || !IsAlnum(in_[i - 1])) return authority;
    const size_t end = RunEnd(authority, [](char c) {
      return !IsSpace(c) && c != '/' && c != '?' && c != '#' && c != '"' && c != '\'' && c != '<' &&
             c != '>' && c != '`';
    });
    const std::string_view auth = in_.substr(authority, end - authority);
    const size_t at = auth.rfind('@');
    if (at == kNpos) return authority;
    const size_t colon = auth.find(':');
    if (colon == kNpos || colon > at) {
      // A lone user name is kept ("postgres://klio@db"), except in nats:// URLs, where a
      // lone userinfo is an authentication token.
      if (at > 0 && SchemeBefore(i) == "nats" && auth.substr(0, at) != kRedacted) {
        Replace(authority, authority + at, kRedacted);
        return authority + at + 1;
      }
      return authority;  // the user name is scanned like any other text
    }
    if (colon + 1 < at && auth.substr(colon + 1, at - colon - 1) != kRedacted) {
      Replace(authority + colon + 1, authority + at, kRedacted);
      return authority + at + 1;
    }
    return authority;
  }

  // The lowercase URL scheme that ends at `colon` ("" when it is not one).
  std::string SchemeBefore(size_t colon) const {
    size_t begin = colon;
    while (begin > 0 && (IsAlnum(in_[begin - 1]) || in_[begin - 1] == '+' ||
                         in_[begin - 1] == '-' || in_[begin - 1] == '.')) {
      --begin;
    }
    std::string scheme(in_.substr(begin, colon - begin));
    for (char& c : scheme) c = Lower(c);
    return scheme;
  }

  // -----BEGIN ... PRIVATE KEY----- <body> -----END ... PRIVATE KEY-----: the body goes.
  size_t OnDashes(size_t i) {
    static constexpr std::string_view kBegin = "-----BEGIN ";
    static constexpr std::string_view kDashes = "-----";
    if (!HasAt(in_, i, kBegin)) return i + 1;
    const size_t label_end = in_.find(kDashes, i + kBegin.size());
    if (label_end == kNpos) return i + kBegin.size();
    const std::string_view label = in_.substr(i + kBegin.size(), label_end - i - kBegin.size());
    if (label.find("PRIVATE KEY") == kNpos) return i + kBegin.size();
    const size_t body = label_end + kDashes.size();
    size_t end = in_.find("-----END ", body);
    if (end == kNpos) end = in_.size();
    Replace(body, end, kRedacted);
    return end;
  }

  // "Bearer <token68>" anywhere, with or without an Authorization key before it.
  size_t OnBearer(size_t i) {
    if (i > 0 && IsAlnum(in_[i - 1])) return i + 1;
    if (!StartsWithNoCase(in_, i, "bearer")) return i + 1;
    const size_t blank_end = RunEnd(i + 6, IsBlank);
    if (blank_end == i + 6) return i + 6;
    const size_t end = RunEnd(blank_end, IsToken68Char);
    if (end > blank_end) Replace(blank_end, end, kRedacted);
    return std::max(end, i + 6);
  }

  // A JSON Web Token: three base64url segments, the first starting with "eyJ" ('{"'). Called
  // with `i` at the 'e'; returns a position past the 'J' so the scan always moves forward.
  size_t OnJwt(size_t i) {
    if (i < copied_ || !HasAt(in_, i, "eyJ")) return i + 3;  // never reach into a replacement
    if (i > 0 && IsBase64UrlChar(in_[i - 1])) return i + 3;
    const size_t header_end = RunEnd(i, IsBase64UrlChar);
    if (header_end - i < 10 || header_end >= in_.size() || in_[header_end] != '.') return i + 3;
    const size_t payload_end = RunEnd(header_end + 1, IsBase64UrlChar);
    if (payload_end == header_end + 1 || payload_end >= in_.size() || in_[payload_end] != '.') {
      return i + 3;
    }
    const size_t end = RunEnd(payload_end + 1, IsBase64UrlChar);
    Replace(i, end, kRedacted);
    return end;
  }

  // An AWS access key id: AKIA or ASIA and at least 16 more uppercase letters or digits. No
  // word boundary is required: a glued id is still an id, and WAL names (hex) never match.
  size_t OnAwsKeyId(size_t i) {
    if (!HasAt(in_, i, "AKIA") && !HasAt(in_, i, "ASIA")) return i + 1;
    const size_t end = RunEnd(i, [](char c) { return IsUpper(c) || IsDigit(c); });
    if (end - i < 20) return end;
    Replace(i, end, kRedacted);
    return end;
  }

  std::string_view in_;
  std::string* out_;
  size_t copied_ = 0;
  bool changed_ = false;
};

}  // namespace

bool IsSecretKey(std::string_view key) {
  if (key.size() > kMaxKeyBytes) key = key.substr(key.size() - kMaxKeyBytes);
  char norm_buf[kMaxKeyBytes];
  size_t n = 0;
  for (const char c : key) {
    if (IsAlnum(c)) norm_buf[n++] = Lower(c);
  }
  const std::string_view norm(norm_buf, n);
  bool found = false;
  for (size_t pos = 0; pos < n && !found; ++pos) found = SecretWordAt(norm, pos);
  return found && !IsDescriptiveWord(LastWord(key));
}

bool RedactSecretsTo(std::string_view text, std::string* out) { return Redactor(text, out).Run(); }

std::string RedactSecrets(std::string_view text) {
  std::string out;
  if (!RedactSecretsTo(text, &out)) out.assign(text);
  return out;
}

}  // namespace klio::log
