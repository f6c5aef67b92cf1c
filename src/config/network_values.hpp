// Network-shaped values: IP literals, CIDR networks, origins and URLs. Internal to src/config
// (values.cpp dispatches here; is_ip_literal and check_cidr are public through values.hpp).
// Syntax only: nothing is resolved or connected to. Pure, apart from inet_pton (a libc parser).
#pragma once

#include <string>
#include <string_view>

#include "config/keys.hpp"

namespace wsrelay::config {

// cors_origins: "*" alone, or scheme://host[:port] items (no path, no trailing slash).
bool parse_origin_list(std::string_view text, Value& out, std::string& problem);
// allow_ips / deny_ips: comma-separated address[/prefix].
bool parse_cidr_list(std::string_view text, Value& out, std::string& problem);
// publish_url: http(s)://host[:port][/path].
bool parse_http_url(std::string_view text, Value& out, std::string& problem);
// redis_url: empty, or a URL cluster::parse_redis_url accepts (problems quote it masked).
bool parse_redis_url(std::string_view text, Value& out, std::string& problem);

}  // namespace wsrelay::config
