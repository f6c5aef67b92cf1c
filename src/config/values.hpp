// Values: turning the text of one setting into a typed Value, and back.
//
// Pure functions over strings (no I/O, no global state), so they are unit-tested and fuzzed
// directly. A failure is reported as a `problem` sentence that says what is wrong and what is
// allowed, without the key or the source (the loader adds those), e.g.
//   "'70000' is out of range (allowed: 1..65535)".
// Values of secret keys are never quoted in a problem.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/keys.hpp"

namespace wsrelay::config {

// Parse `text` as a value for `key`. Typed kinds ignore surrounding whitespace; text, path and
// secret values are taken exactly as given.
bool parse_value(const KeyInfo& key, std::string_view text, Value& out, std::string& problem);

// The canonical text of a value (what check-config prints and the docs show): parsing it
// again gives the same value.
std::string format_value(const KeyInfo& key, const Value& value);

// What the key accepts, for messages and docs: "1..65535", "true or false (also ...)".
std::string describe_allowed(const KeyInfo& key);

// Building blocks, exposed for tests and for modules that match what is validated here.
std::optional<bool> parse_bool(std::string_view text);
// A bare IPv4 or IPv6 literal (no brackets, no zone). `family` is set to 4 or 6.
bool is_ip_literal(std::string_view text, int* family = nullptr);
// "address[/prefix]". On success `host_bits_set` says whether bits beyond the prefix are set
// (10.1.2.3/8: legal, but probably meant 10.0.0.0/8).
bool check_cidr(std::string_view text, std::string& problem, bool* host_bits_set = nullptr);
// "name[:private][:max_clients=N]".
bool parse_room_spec(std::string_view text, RoomSpec& out, std::string& problem);
// A room name as the application accepts it: non-empty UTF-8 without control characters
// (C0, DEL, C1), like app/names.hpp. Length is checked against max_name_length later.
bool check_room_name(std::string_view name, std::string& problem);

// Text quoted for a message: '...' with control characters escaped and long text shortened.
std::string quote(std::string_view text);
// Split on commas, trim each item, drop empty items ("a, b,," -> {"a", "b"}).
std::vector<std::string> split_list(std::string_view text);
std::string_view trim(std::string_view text);

}  // namespace wsrelay::config
