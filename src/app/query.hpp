// Reading one parameter from the query of an upgrade URL ("/ws?room=a&token=eyJ..."), for the
// application's authentication (a token may arrive as `?token=`). Pure: no allocation beyond
// the output string, no I/O.
//
// A query is `name=value` pairs joined by '&' (the application/x-www-form-urlencoded shape
// browsers and PHP's http_build_query produce). Values are percent-decoded (RFC 3986 §2.1);
// '+' is left as it is, since it means a space only in HTML form bodies, and base64url tokens
// never contain one. Names are compared exactly, undecoded. The first matching pair wins.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::app {

enum class QueryValue : uint8_t {
  kAbsent,     // no pair has that name
  kFound,      // `value` holds the decoded value (possibly empty: "token=" or "token")
  kMalformed,  // the pair is there but its value has a bad percent-escape ("%zz", "%4")
};

QueryValue query_parameter(std::string_view query, std::string_view name, std::string& value);

}  // namespace wsrelay::app
