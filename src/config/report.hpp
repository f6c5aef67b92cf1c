// Reports: configuration rendered for people — error lines, the `check-config` listing, and
// the generated parts of docs/configuration.md and deploy/wsrelay.conf.example.
//
// Pure string functions. Secret values (auth_secret, api_key) are never rendered: they appear
// as "(set, hidden)" or "(not set)".
#pragma once

#include <string>

#include "config/loader.hpp"

namespace wsrelay::config {

// "<source>: <key>: <message>", e.g.
//   "/etc/wsrelay/wsrelay.conf:12: port: '70000' is out of range (allowed: 1..65535)"
//   "env WEBSOCKET_PORT: port: 'abc' is not a whole number (allowed: 1..65535)"
//   "env WEBSOCKET_PROT: unknown setting (did you mean WEBSOCKET_PORT?); ..."
// (the key is left out when the source already spells it exactly).
// Control characters are escaped, so a hostile file cannot forge terminal output.
std::string format_error(const LoadError& error);

// The effective configuration with the origin of every value, then the warnings: what
// `wsrelay check-config` prints.
std::string render_effective(const LoadResult& result);

// Markdown tables of every key (default, env name, flag, allowed values, meaning), grouped by
// section: the generated part of docs/configuration.md.
std::string render_key_reference();

// Plain text for `wsrelay --help`: per key its flag, a value placeholder, its whole meaning
// and its default, grouped by section, word-wrapped to `width` columns (never truncated).
std::string render_flag_summary(size_t width = 100);

// `text` word-wrapped to `width` columns: the first line starts at `first_column`, the
// following ones are indented by `indent` spaces. Words longer than a line stay whole.
std::string wrap_text(std::string_view text, size_t indent, size_t first_column, size_t width);

// A complete example config file with every key commented out at its default:
// deploy/wsrelay.conf.example.
std::string render_example_config();

}  // namespace wsrelay::config
