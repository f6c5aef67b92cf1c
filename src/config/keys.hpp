// The key table: every configuration key, its type, range, documentation and where it lives in
// Settings. The single source for the loader, `check-config`, docs/configuration.md and
// deploy/wsrelay.conf.example.
//
// Naming rule (one rule, no exceptions): key `foo_bar` = environment variable
// WEBSOCKET_FOO_BAR = flag --foo-bar.
//
// Pure: constant data and string functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"
#include "log/level.hpp"

namespace wsrelay::config {

// What a key's text must look like; values.hpp parses and prints each kind.
enum class Kind : uint8_t {
  kBool,         // true/false, 1/0, yes/no, on/off (any case)
  kCount,        // whole number in [min, max]
  kBytes,        // whole number in [min, max], K/M/G suffix allowed (binary: 1K = 1024)
  kSeconds,      // whole number of seconds in [min, max]
  kPort,         // 1..65535
  kIpAddress,    // IPv4 or IPv6 literal
  kLogLevel,     // debug|info|warn|error
  kPath,         // a file or folder path (not checked for existence here)
  kSecret,       // any text; never printed
  kCidrList,     // comma-separated address[/prefix]
  kOriginList,   // * or comma-separated scheme://host[:port]
  kRoomList,     // comma-separated name[:private][:max_clients=N]
  kRoomName,     // one room name, or empty
  kEnvNameList,  // comma-separated WEBSOCKET_* names, or *
  kHttpUrl,      // http(s)://host[:port][/path]
  kRedisUrl,     // redis://host:port, or empty
  kNodeId,       // [A-Za-z0-9._-]{1,64}, or empty
  kKeyPrefix,    // [A-Za-z0-9._:-]{1,64}: the start of Redis keys and channels
  kOptionalHttpUrl,  // as kHttpUrl, or empty
  kWebhookEvents,    // comma-separated Pusher webhook event names, or all
  kCompression,  // off|shared|dedicated (permessage-deflate mode)
  kNoticeMode,   // each|batched|off (join/leave notices of a room)
};

// A parsed value before it is stored in Settings. Integers of every size travel as int64_t.
using Value = std::variant<bool, int64_t, std::string, std::vector<std::string>,
                           std::vector<RoomSpec>, log::Level>;

// Reads and writes one Settings member as a Value.
struct Accessors {
  void (*store)(Settings&, Value&&);
  Value (*load)(const Settings&);
};

struct KeyInfo {
  std::string_view name;
  Kind kind;
  int64_t min;  // integer kinds only
  int64_t max;
  std::string_view section;       // heading in the docs and the example file
  std::string_view help;          // what it means, one or two sentences
  std::string_view default_note;  // said after the default in the docs ("" = nothing)
  Accessors access;
};

// Every key in documentation order.
std::span<const KeyInfo> all_keys();
// nullptr when `name` is not a key (exact, lowercase snake_case).
const KeyInfo* find_key(std::string_view name);
// Position of `key` in all_keys() (for per-key arrays such as origins).
size_t key_index(const KeyInfo& key);

// "WEBSOCKET_" + upper case, and "--" + dashes.
std::string env_name(std::string_view key);
std::string flag_name(std::string_view key);
inline constexpr std::string_view kEnvPrefix = "WEBSOCKET_";
// The one variable that is not a key: the config file's path (also the flag --config).
inline constexpr std::string_view kConfigEnv = "WEBSOCKET_CONFIG";

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), for "did you
// mean" suggestions of keys and commands.
size_t edit_distance(std::string_view a, std::string_view b);

// The key someone probably meant by `typed` (a typo, wrong case, dashes instead of
// underscores, or an env name pasted into a file), or nullptr when nothing is close.
const KeyInfo* suggest_key(std::string_view typed);

}  // namespace wsrelay::config
