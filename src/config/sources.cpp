#include "config/sources.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "config/env_names.hpp"
#include "config/keys.hpp"
#include "config/text.hpp"
#include "config/values.hpp"

namespace wsrelay::config {

namespace {

enum class Style : uint8_t { kFile, kEnv, kFlag };

// "unknown setting (did you mean --port?)": the suggestion spelled the way the user wrote it.
std::string unknown_message(std::string_view typed, Style style) {
  std::string message = "unknown setting";
  if (const KeyInfo* near = suggest_key(typed); near != nullptr) {
    std::string spelled = style == Style::kEnv    ? env_name(near->name)
                          : style == Style::kFlag ? flag_name(near->name)
                                                  : std::string(near->name);
    message += " (did you mean " + spelled + "?)";
  }
  message += "; every key is listed in docs/configuration.md";
  return message;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::string Origin::describe() const {
  switch (kind) {
    case Kind::kDefault:
      return where.empty() ? "default" : "default (" + where + ")";
    case Kind::kFile:
      return where;
    case Kind::kEnv:
      return "env " + where;
    case Kind::kEnvFile:
      return where;
    case Kind::kFlag:
      return "flag " + where;
    case Kind::kDerived:
      return "derived from " + where;
  }
  return where;
}

FileParse parse_config_text(std::string_view text, std::string_view file_name) {
  FileParse result;
  constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
  if (starts_with(text, kByteOrderMark)) text.remove_prefix(kByteOrderMark.size());
  std::vector<std::pair<const KeyInfo*, size_t>> seen;  // key, line of first appearance
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;

    const std::string source = std::string(file_name) + ":" + std::to_string(line_number);
    const size_t equals = content.find('=');
    if (equals == std::string_view::npos) {
      result.errors.push_back({std::string(trim(content.substr(0, content.find(' ')))), source,
                               "expected 'key = value' (a comment line starts with #)"});
      continue;
    }
    const std::string_view key = trim(content.substr(0, equals));
    std::string_view value = trim(content.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key.empty()) {
      result.errors.push_back({"", source, "no key before '='"});
      continue;
    }
    if (key == "config") {
      result.errors.push_back({"config", source,
                               "a config file cannot name another one; use --config PATH or "
                               "WEBSOCKET_CONFIG"});
      continue;
    }
    const KeyInfo* info = find_key(key);
    if (info == nullptr) {
      result.errors.push_back({std::string(key), source, unknown_message(key, Style::kFile)});
      continue;
    }
    bool repeated = false;
    for (const auto& [earlier, earlier_line] : seen) {
      if (earlier == info) {
        result.errors.push_back({std::string(key), source,
                                 "is set twice in this file (first at line " +
                                     std::to_string(earlier_line) + "); keep one"});
        repeated = true;
      }
    }
    if (repeated) continue;
    seen.emplace_back(info, line_number);
    result.assignments.push_back(
        {std::string(key), std::string(value), Origin{Origin::Kind::kFile, source}});
  }
  return result;
}

FlagParse parse_flags(const std::vector<std::string>& args,
                      std::span<const CommandFlag> command_flags) {
  FlagParse result;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg.size() < 3 || !starts_with(arg, "--")) {
      result.errors.push_back(
          {"", "argument " + std::to_string(i + 1),
           "unexpected " + quote(arg) + "; settings are given as flags such as --port 8080"});
      continue;
    }
    const std::string_view body = arg.substr(2);
    const size_t equals = body.find('=');
    const std::string_view name = body.substr(0, equals);
    const std::string flag = "--" + std::string(name);
    std::optional<std::string> inline_value;
    if (equals != std::string_view::npos) inline_value = std::string(body.substr(equals + 1));
    const bool next_is_value = i + 1 < args.size() && !starts_with(args[i + 1], "--");

    // A flag that needs a value: --x=V, or --x V when V does not look like another flag.
    auto take_value = [&](std::string& value) {
      if (inline_value) {
        value = *inline_value;
        return true;
      }
      if (!next_is_value) return false;
      value = args[++i];
      return true;
    };

    const CommandFlag* command = nullptr;
    for (const CommandFlag& candidate : command_flags) {
      if (candidate.name == name) command = &candidate;
    }
    if (command != nullptr) {
      std::string value = "true";
      if (command->takes_value && !take_value(value)) {
        result.errors.push_back({std::string(name), "flag " + flag, "needs a value"});
        continue;
      }
      result.command_values.emplace_back(std::string(name), std::move(value));
      continue;
    }

    if (name == "config") {
      std::string value;
      if (!take_value(value)) {
        result.errors.push_back({"config", "flag --config", "needs a value (a file path)"});
        continue;
      }
      result.config_path = Assignment{"config", value, Origin{Origin::Kind::kFlag, "--config"}};
      continue;
    }

    // Flags are spelled with dashes only: --max-clients, never --max_clients.
    std::string key;
    bool well_formed = true;
    for (char c : name) {
      well_formed &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      key.push_back(c == '-' ? '_' : c);
    }
    const KeyInfo* info = well_formed ? find_key(key) : nullptr;
    if (info == nullptr) {
      result.errors.push_back(
          {std::string(name), "flag " + flag, unknown_message(name, Style::kFlag)});
      if (!inline_value && next_is_value) ++i;  // skip its value rather than report it too
      continue;
    }
    std::string value;
    if (info->kind == Kind::kBool) {
      // A boolean flag alone means true; it takes the next argument only if that is a boolean.
      if (inline_value) {
        value = *inline_value;
      } else if (next_is_value && parse_bool(args[i + 1])) {
        value = args[++i];
      } else {
        value = "true";
      }
    } else if (!take_value(value)) {
      result.errors.push_back(
          {key, "flag " + flag, "needs a value (allowed: " + describe_allowed(*info) + ")"});
      continue;
    }
    result.assignments.push_back({key, std::move(value), Origin{Origin::Kind::kFlag, flag}});
  }
  return result;
}

// A Laravel app's own Pusher (or Reverb) credentials, read as fallbacks of the pusher_app_*
// keys. PUSHER_* wins over REVERB_* (an app that has both broadcasts with the pusher driver).
static void scan_pusher_fallbacks(std::span<const std::string> environment,
                                  std::span<const std::string> locations, EnvScan& result) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kNames = {{
      {"APP_ID", "pusher_app_id"}, {"APP_KEY", "pusher_app_key"}, {"APP_SECRET", "pusher_app_secret"}}};
  for (const auto& [suffix, key] : kNames) {
    for (std::string_view prefix : {std::string_view("PUSHER_"), std::string_view("REVERB_")}) {
      const std::string name = std::string(prefix) + std::string(suffix);
      const std::string* found = nullptr;
      size_t found_at = 0;
      for (size_t index = 0; index < environment.size(); ++index) {
        const std::string& entry = environment[index];
        if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 && entry[name.size()] == '=') {
          found = &entry;
          found_at = index;
          break;  // the first wins, as with getenv()
        }
      }
      if (found == nullptr || found->size() == name.size() + 1) continue;  // absent or empty
      // A .env line names its file and line, as the WEBSOCKET_* entries do.
      Origin origin = found_at < locations.size() && !locations[found_at].empty()
                          ? Origin{Origin::Kind::kEnvFile, locations[found_at] + " " + name}
                          : Origin{Origin::Kind::kEnv, name};
      result.fallbacks.push_back({std::string(key), found->substr(name.size() + 1), std::move(origin)});
      break;
    }
  }
}

EnvScan scan_environment(std::span<const std::string> environment) {
  return scan_environment(environment, {});
}

EnvScan scan_environment(std::span<const std::string> environment,
                         std::span<const std::string> locations) {
  EnvScan result;
  scan_pusher_fallbacks(environment, locations, result);
  std::vector<Assignment> aliased;  // applied before the canonical names, which thus win
  std::vector<std::string_view> seen;
  for (size_t index = 0; index < environment.size(); ++index) {
    const std::string& entry = environment[index];
    const size_t equals = entry.find('=');
    if (equals == std::string::npos) continue;
    const std::string_view name = std::string_view(entry).substr(0, equals);
    if (!starts_with(name, kEnvPrefix)) continue;
    bool repeated = false;
    for (std::string_view earlier : seen) repeated |= earlier == name;
    if (repeated) continue;
    seen.push_back(name);
    std::string value = entry.substr(equals + 1);
    // The real environment names itself ("env WEBSOCKET_PORT"); a .env entry names its line
    // too ("/app/.env:12 WEBSOCKET_PORT").
    const auto origin_for = [&](std::string_view suffix) {
      if (index < locations.size() && !locations[index].empty()) {
        return Origin{Origin::Kind::kEnvFile,
                      locations[index] + " " + std::string(name) + std::string(suffix)};
      }
      return Origin{Origin::Kind::kEnv, std::string(name) + std::string(suffix)};
    };
    Origin origin = origin_for("");
    if (name == kConfigEnv) {
      result.config_path = Assignment{"config", std::move(value), std::move(origin)};
      continue;
    }
    // WEBSOCKET_MAX_CLIENTS -> max_clients; the variable must be upper case.
    std::string key;
    bool well_formed = true;
    for (char c : name.substr(kEnvPrefix.size())) {
      well_formed &= (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      key.push_back(text::to_lower(c));
    }
    if (well_formed && find_key(key) != nullptr) {
      result.assignments.push_back({std::move(key), std::move(value), std::move(origin)});
    } else if (const KeyInfo* target = env_alias_target(name); target != nullptr) {
      aliased.push_back({std::string(target->name), std::move(value), origin_for(" (alias)")});
    } else if (is_foreign_env_name(name)) {
      result.foreign.push_back({std::string(name), std::move(value), std::move(origin)});
    } else {
      result.unknown.push_back({std::string(name), std::move(value), std::move(origin)});
    }
  }
  result.assignments.insert(result.assignments.begin(), std::make_move_iterator(aliased.begin()),
                            std::make_move_iterator(aliased.end()));
  return result;
}

std::vector<std::string> environment_list(const char* const* envp) {
  std::vector<std::string> list;
  for (; envp != nullptr && *envp != nullptr; ++envp) list.emplace_back(*envp);
  return list;
}

bool read_config_file(const std::string& path, std::string& text, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot read config file " + path + ": " + std::strerror(errno);
    return false;
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = "config file " + path + " is not a regular file";
    ::close(fd);
    return false;
  }
  text.clear();
  char buffer[16384];
  while (true) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      error = "cannot read config file " + path + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
    if (text.size() > kMaxConfigFileBytes) {
      error = "config file " + path + " is larger than " + std::to_string(kMaxConfigFileBytes) +
              " bytes";
      ::close(fd);
      return false;
    }
  }
  ::close(fd);
  return true;
}

}  // namespace wsrelay::config
