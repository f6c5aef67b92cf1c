#include "log/redact.hpp"

#include <array>

namespace wsrelay::log {

namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
// Characters of a parameter or JSON member name ("access_token", "X-Api-Key", "auth.token").
bool is_name_char(char c) {
  return is_alnum(c) || c == '_' || c == '-' || c == '.';
}
// RFC 4648 §5 base64url alphabet: what JWT segments are made of.
bool is_base64url_char(char c) {
  return is_alnum(c) || c == '_' || c == '-';
}
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Where an unquoted value ends: whitespace or punctuation that separates fields in query
// strings, headers, JSON and our own `key=value` log fields.
bool ends_value(char c) {
  switch (c) {
    case '&':
    case ',':
    case ';':
    case '"':
    case '\'':
    case ')':
    case ']':
    case '}':
    case '>':
    case '<':
    case '#':
    case '\\':
      return true;
    default:
      return is_space(c);
  }
}

// Compare `name` with a lowercase snake_case pattern, ignoring case and treating '-' and '.'
// as '_' (so "X-Api-Key", "api.key" and "API_KEY" all read as api_key).
bool ends_with_normalised(std::string_view name, std::string_view suffix) {
  if (name.size() < suffix.size()) return false;
  const size_t start = name.size() - suffix.size();
  for (size_t j = 0; j < suffix.size(); ++j) {
    char c = to_lower(name[start + j]);
    if (c == '-' || c == '.') c = '_';
    if (c != suffix[j]) return false;
  }
  return true;
}

bool is_sensitive_name(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kSuffixes = {
      "token", "secret", "password", "passwd", "api_key", "apikey", "signature", "authorization"};
  for (std::string_view suffix : kSuffixes) {
    if (ends_with_normalised(name, suffix)) return true;
  }
  // "auth" alone: the Pusher protocol's subscription signature ("auth": "key:hmac") and the
  // common ?auth=... query parameter. As a suffix it would catch "oauth" flags; keep it exact.
  return name.size() == 4 && ends_with_normalised(name, "auth");
}

// Length of a JWT-shaped run starting at i (RFC 7519 §3 / RFC 7515 §7.1 compact form:
// base64url parts joined by '.'; JWE has five parts and may have empty ones), or 0.
size_t jwt_length(std::string_view text, size_t i) {
  if (text.substr(i, 3) != "eyJ") return 0;
  size_t j = i + 3;
  while (j < text.size() && is_base64url_char(text[j])) ++j;
  int dots = 0;
  while (j < text.size() && text[j] == '.') {
    ++dots;
    ++j;
    while (j < text.size() && is_base64url_char(text[j])) ++j;
  }
  return dots >= 2 ? j - i : 0;
}

// Length of "Bearer" / "Basic" at i when followed by a space (an Authorization credential,
// RFC 6750 §2.1 and RFC 7617 §2), or 0.
size_t auth_scheme_length(std::string_view text, size_t i) {
  for (std::string_view scheme : {std::string_view("bearer"), std::string_view("basic")}) {
    if (text.size() - i <= scheme.size()) continue;
    bool same = true;
    for (size_t j = 0; j < scheme.size() && same; ++j) same = to_lower(text[i + j]) == scheme[j];
    if (same && (text[i + scheme.size()] == ' ' || text[i + scheme.size()] == '\t')) {
      return scheme.size();
    }
  }
  return 0;
}

// Mask the value starting at i (quoted with ", ' or an escaped \" — or bare up to a
// separator). Appends the masked form to `out`, returns the index just past the value.
size_t mask_value(std::string_view text, size_t i, std::string& out) {
  const size_t n = text.size();
  std::string_view quote;
  if (text.substr(i, 2) == "\\\"") {
    quote = "\\\"";
  } else if (i < n && (text[i] == '"' || text[i] == '\'')) {
    quote = text.substr(i, 1);
  }
  if (!quote.empty()) {
    size_t k = i + quote.size();
    // Find the closing quote; in the unescaped form a backslash escapes the next character.
    while (k < n) {
      if (quote.size() == 1 && text[k] == '\\') {
        k += 2;
        continue;
      }
      if (text.substr(k, quote.size()) == quote) break;
      ++k;
    }
    out.append(quote);
    out.append(kRedacted);
    if (k >= n) return n;  // unterminated: everything after the name is the value
    out.append(quote);
    return k + quote.size();
  }
  size_t end = i;
  while (end < n && !ends_value(text[end])) ++end;
  if (end > i) out.append(kRedacted);
  return end;
}

// Name of a JSON member whose ':' is at `colon`: `"token": ` or `\"token\":`, or empty.
std::string_view json_member_before(std::string_view text, size_t colon) {
  size_t j = colon;
  while (j > 0 && text[j - 1] == ' ') --j;
  if (j == 0 || text[j - 1] != '"') return {};
  size_t name_end = j - 1;
  if (name_end > 0 && text[name_end - 1] == '\\') --name_end;
  size_t name_start = name_end;
  while (name_start > 0 && is_name_char(text[name_start - 1])) --name_start;
  if (name_start == 0 || text[name_start - 1] != '"' || name_start == name_end) return {};
  return text.substr(name_start, name_end - name_start);
}

// Name of a `name=value` pair whose '=' is at `equals`, or empty.
std::string_view param_before(std::string_view text, size_t equals) {
  size_t start = equals;
  while (start > 0 && is_name_char(text[start - 1])) --start;
  return text.substr(start, equals - start);
}

void redact_shapes(std::string_view text, std::string& out) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const char c = text[i];
    if (c == 'e') {
      if (size_t len = jwt_length(text, i); len != 0) {
        out.append(kRedacted);
        i += len;
        continue;
      }
    }
    if (c == 'B' || c == 'b') {
      if (size_t scheme = auth_scheme_length(text, i); scheme != 0) {
        size_t value = i + scheme;
        while (value < n && (text[value] == ' ' || text[value] == '\t')) ++value;
        size_t end = value;
        while (end < n && !ends_value(text[end])) ++end;
        if (end > value) {
          out.append(text.substr(i, value - i));
          out.append(kRedacted);
          i = end;
          continue;
        }
      }
    }
    if (c == '=' && is_sensitive_name(param_before(text, i))) {
      out.push_back('=');
      i = mask_value(text, i + 1, out);
      continue;
    }
    if (c == ':' && is_sensitive_name(json_member_before(text, i))) {
      out.push_back(':');
      ++i;
      while (i < n && text[i] == ' ') out.push_back(text[i++]);
      i = mask_value(text, i, out);
      continue;
    }
    out.push_back(c);
    ++i;
  }
}

}  // namespace

void Redactor::add_secret(std::string_view secret) {
  if (secret.size() < kMinMaskedSecretBytes) return;
  for (const std::string& known : secrets_) {
    if (known == secret) return;
  }
  secrets_.emplace_back(secret);
}

void Redactor::redact_into(std::string_view text, std::string& out) const {
  std::string_view source = text;
  if (!secrets_.empty()) {
    // Exact secrets first: they may have any shape, so no pattern below is relied upon.
    scratch_.assign(text);
    for (const std::string& secret : secrets_) {
      size_t pos = 0;
      while ((pos = scratch_.find(secret, pos)) != std::string::npos) {
        scratch_.replace(pos, secret.size(), kRedacted);
        pos += kRedacted.size();
      }
    }
    source = scratch_;
  }
  redact_shapes(source, out);
}

std::string Redactor::redact(std::string_view text) const {
  std::string out;
  out.reserve(text.size());
  redact_into(text, out);
  return out;
}

std::string redact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  redact_shapes(text, out);
  return out;
}

}  // namespace wsrelay::log
