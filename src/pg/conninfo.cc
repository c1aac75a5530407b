#include "pg/conninfo.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace klio::pg {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

size_t FindIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return std::string_view::npos;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Everything up to the first secret key, then the marker: the fallback for strings that
// cannot be tokenised.
std::string CutAtSecret(std::string_view s) {
  const size_t at = FindIgnoreCase(s, "password");
  if (at == std::string_view::npos) return std::string(s);
  return std::string(s.substr(0, at)) + "password=" + std::string(kRedactedSecret);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = Lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string RedactUri(std::string_view uri, size_t scheme_end) {
  std::string out(uri.substr(0, scheme_end));
  std::string_view rest = uri.substr(scheme_end);
  // Like libpq: user credentials end at the first '@' before any '/'.
  const size_t slash = rest.find('/');
  const size_t at = rest.substr(0, slash).find('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos) {
      out += std::string(userinfo.substr(0, colon + 1)) + std::string(kRedactedSecret);
    } else {
      out += std::string(userinfo);
    }
    rest = rest.substr(at);
  }
  const size_t q = rest.find('?');
  if (q == std::string_view::npos) return out + std::string(rest);
  out += std::string(rest.substr(0, q + 1));
  std::string_view query = rest.substr(q + 1);
  bool first = true;
  while (true) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && IsSecretConninfoKey(PercentDecode(param.substr(0, eq)))) {
      out += std::string(param.substr(0, eq + 1)) + std::string(kRedactedSecret);
    } else {
      out += std::string(param);
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return out;
}

std::string RedactKeyValues(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    // Whitespace between pairs is kept as it is.
    if (IsSpace(s[i])) {
      out += s[i++];
      continue;
    }
    const size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !IsSpace(s[i])) ++i;
    const std::string_view key = s.substr(key_start, i - key_start);
    size_t j = i;
    while (j < s.size() && IsSpace(s[j])) ++j;
    if (j >= s.size() || s[j] != '=') return CutAtSecret(s);
    ++j;
    while (j < s.size() && IsSpace(s[j])) ++j;
    const size_t value_start = j;
    bool quoted = j < s.size() && s[j] == '\'';
    if (quoted) {
      ++j;
      while (j < s.size() && s[j] != '\'') j += (s[j] == '\\') ? 2 : 1;
      if (j >= s.size()) return CutAtSecret(s);
      ++j;  // the closing quote
    } else {
      while (j < s.size() && !IsSpace(s[j])) j += (s[j] == '\\') ? 2 : 1;
      j = std::min(j, s.size());
    }
    out += std::string(s.substr(key_start, value_start - key_start));
    if (IsSecretConninfoKey(key)) {
      out += quoted ? "'" + std::string(kRedactedSecret) + "'" : std::string(kRedactedSecret);
    } else {
      out += std::string(s.substr(value_start, j - value_start));
    }
    i = j;
  }
  return out;
}

}  // namespace

bool IsSecretConninfoKey(std::string_view key) {
  return EqualsIgnoreCase(key, "password") || EqualsIgnoreCase(key, "sslpassword");
}

bool ConninfoMayHoldSecret(std::string_view conninfo) {
  if (FindIgnoreCase(conninfo, "password") != std::string_view::npos) return true;
  // A URI's userinfo "user:secret@" holds a password without naming it.
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (conninfo.substr(0, scheme.size()) != scheme) continue;
    const std::string_view rest = conninfo.substr(scheme.size());
    const size_t at = rest.substr(0, rest.find('/')).find('@');
    return at != std::string_view::npos && rest.substr(0, at).find(':') != std::string_view::npos;
  }
  return false;
}

std::string RedactConninfo(std::string_view conninfo) {
  for (std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (conninfo.substr(0, scheme.size()) == scheme) return RedactUri(conninfo, scheme.size());
  }
  return RedactKeyValues(conninfo);
}

std::vector<std::string> ConninfoSecrets(std::string_view conninfo) {
  std::vector<std::string> out;
  const std::string copy(conninfo);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(copy.c_str(), &err);
  if (err != nullptr) PQfreemem(err);
  if (opts == nullptr) return out;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> guard(opts, PQconninfoFree);
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val != nullptr && o->val[0] != '\0' && IsSecretConninfoKey(o->keyword)) {
      out.emplace_back(o->val);
    }
  }
  return out;
}

std::string RedactText(std::string_view text, const std::vector<std::string>& secrets) {
  std::string out(text);
  for (const std::string& secret : secrets) {
    if (secret.size() < kMinRedactedSecretLength) continue;
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), kRedactedSecret);
      pos += kRedactedSecret.size();
    }
  }
  return out;
}

}  // namespace klio::pg
