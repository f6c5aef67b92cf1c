// Sources: where setting text comes from — the config file, the environment, the command line —
// before any value is validated.
//
// Everything here is pure except read_config_file(), the one function that touches the file
// system, so the file parser and the flag parser can be tested and fuzzed on plain strings.
//
// Config file format (docs/configuration.md has the user-facing version):
//   # a comment (only as a whole line: '#' inside a value is part of the value)
//   key = value          spaces around '=' and the value are trimmed
//   key = "  value  "    one pair of matching '...' or "..." quotes is removed, keeping spaces
//   key =                an empty value
// Blank lines are ignored, a UTF-8 byte-order mark and CRLF line ends are accepted. Keys are
// the lowercase snake_case names; a key may appear once per file.
//
// Flags: --foo-bar VALUE or --foo-bar=VALUE; a boolean flag alone means true, and takes a
// following true/false/yes/no/on/off/1/0 as its value. A repeated flag: the last one wins.
// Environment: WEBSOCKET_FOO_BAR for key foo_bar; WEBSOCKET_CONFIG names the config file.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsrelay::config {

// Where a setting's value came from, for error messages and `check-config`.
struct Origin {
  enum class Kind : uint8_t { kDefault, kFile, kEnv, kFlag, kDerived, kEnvFile };
  Kind kind = Kind::kDefault;
  // kFile: "path:line"; kEnv: "WEBSOCKET_X"; kFlag: "--x"; kDefault: a note ("echo mode") or "";
  // kDerived: what it was derived from ("debug=true, env WEBSOCKET_DEBUG");
  // kEnvFile: "path:line NAME" (an entry of the --env-file, config/dotenv.hpp). An alias
  // (config/env_names.hpp) adds " (alias)": "WEBSOCKET_SSL_CERT (alias)".
  std::string where;
  // "default", "default (echo mode)", "/etc/wsrelay.conf:3", "env WEBSOCKET_PORT", "flag --port",
  // "derived from debug=true (env WEBSOCKET_DEBUG)".
  std::string describe() const;
};

// A problem found while loading. `source` is where (an Origin's describe() or "argument 3");
// `key` is the setting concerned (as typed, for unknown ones); `message` says what is wrong and
// what is allowed. Warnings use the same shape.
struct LoadError {
  std::string key;
  std::string source;
  std::string message;
};

// One `key = value` from some source, not yet validated.
struct Assignment {
  std::string key;
  std::string value;
  Origin origin;
};

struct FileParse {
  std::vector<Assignment> assignments;  // known keys only, in file order
  std::vector<LoadError> errors;        // syntax errors, unknown and repeated keys
};
// Parse config file text; `file_name` is used in origins ("file_name:line").
FileParse parse_config_text(std::string_view text, std::string_view file_name);

// A flag handled by the command itself rather than a setting (`publish --signal NAME`).
struct CommandFlag {
  std::string_view name;  // without dashes: "signal"
  bool takes_value = true;
};

struct FlagParse {
  std::vector<Assignment> assignments;    // known keys, in argument order
  std::optional<Assignment> config_path;  // --config PATH (the last one given)
  std::vector<std::pair<std::string, std::string>> command_values;  // CommandFlag name, value
  std::vector<LoadError> errors;
};
// Parse the arguments after the command word.
FlagParse parse_flags(const std::vector<std::string>& args,
                      std::span<const CommandFlag> command_flags);

struct EnvScan {
  std::vector<Assignment> assignments;    // WEBSOCKET_<KEY> for known keys
  std::vector<Assignment> unknown;        // other WEBSOCKET_* variables (key = the full name)
  std::vector<Assignment> foreign;        // other packages' names (env_names.hpp), full name
  std::optional<Assignment> config_path;  // WEBSOCKET_CONFIG
  // PUSHER_APP_ID/KEY/SECRET (else REVERB_APP_*) for the pusher_app_* keys: applied below every
  // other source, so any WEBSOCKET_*, config file or flag value wins over them.
  std::vector<Assignment> fallbacks;
};
// Pick the WEBSOCKET_* variables out of "NAME=value" strings (an environ copy). When a name
// appears twice the first wins, as with getenv().
// Aliases (env_names.hpp) become assignments of their key, placed before the canonical names
// so that WEBSOCKET_SSL_CERT_PATH wins over WEBSOCKET_SSL_CERT.
EnvScan scan_environment(std::span<const std::string> environment);
// The same for entries of an env file: `locations[i]` ("path:line") says where entry i was
// written, and its origins are Kind::kEnvFile.
EnvScan scan_environment(std::span<const std::string> environment,
                         std::span<const std::string> locations);

// environ (NULL-terminated) as strings; nullptr gives an empty list.
std::vector<std::string> environment_list(const char* const* envp);

// Largest config file accepted: a configuration is a page of text, not a data set.
inline constexpr size_t kMaxConfigFileBytes = 1024 * 1024;

// The file I/O: read all of `path` into `text`, or set `error` ("cannot read ...: reason").
bool read_config_file(const std::string& path, std::string& text, std::string& error);

}  // namespace wsrelay::config
