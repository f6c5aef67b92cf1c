// Fuzz property check for the configuration loader (src/config/loader.hpp resolve_settings,
// with the file parser, the flag parser, the environment scan and every value parser behind
// it). The loader is pure: the environment and the file text are injected. See
// fuzz_support.hpp for the check-function convention.
//
// Input: three sections separated by a line "%%":
//   the config file text
//   %%
//   environment variables, one "NAME=value" per line
//   %%
//   command-line arguments, one per line
// A leading '!' selects echo mode. The file reader serves the first section for any path,
// except paths containing "missing", which fail to read (as a nonexistent file would).
//
// Properties:
//  - no crash, no exception, and the same answer twice (no hidden state);
//  - every error and warning names its source and says something; rendered with
//    format_error() it contains no control character (a hostile file cannot forge terminal
//    output), and neither does render_effective() beyond its newlines;
//  - an accepted IP address or CIDR list holds only address characters;
//  - secrets stay secret: render_effective() shows auth_secret/api_key only as
//    "(set, hidden)" — it does not contain their text unless it also does with them cleared;
//  - a valid configuration survives a round trip: every value printed with format_value()
//    and written to a config file (quoted) loads again without error to the same values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/keys.hpp"
#include "config/loader.hpp"
#include "config/report.hpp"
#include "config/values.hpp"
#include "fuzz_support.hpp"

namespace wsrelay::fuzz {

namespace config_check {

struct Input {
  config::Mode mode = config::Mode::kServe;
  std::string file;
  std::vector<std::string> environment;
  std::vector<std::string> args;
};

inline std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    out.emplace_back(text.substr(0, newline));
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return out;
}

inline Input split_input(std::string_view text) {
  Input in;
  if (!text.empty() && text.front() == '!') {
    in.mode = config::Mode::kEcho;
    text.remove_prefix(1);
  }
  std::string_view parts[3];
  for (int i = 0; i < 2; ++i) {
    const size_t separator = text.find("\n%%\n");
    if (separator == std::string_view::npos) {
      parts[i] = text;
      text = {};
      break;
    }
    parts[i] = text.substr(0, separator);
    text.remove_prefix(separator + 4);
  }
  if (!text.empty()) parts[2] = text;
  in.file = std::string(parts[0]);
  in.environment = lines_of(parts[1]);
  in.args = lines_of(parts[2]);
  return in;
}

inline config::LoadResult resolve(const Input& in) {
  config::LoadOptions options;
  options.mode = in.mode;
  const std::string file = in.file;
  const config::FileReader reader = [file](const std::string& path, std::string& text,
                                           std::string& error) {
    if (path.find("missing") != std::string::npos) {
      error = "cannot read " + path + ": No such file or directory";
      return false;
    }
    text = file;
    return true;
  };
  return config::resolve_settings(in.args, in.environment, reader, options);
}

// Every key's value as format_value() prints it.
inline std::vector<std::string> values_of(const config::Settings& settings) {
  std::vector<std::string> out;
  for (const config::KeyInfo& key : config::all_keys()) {
    out.push_back(config::format_value(key, key.access.load(settings)));
  }
  return out;
}

inline std::string errors_text(const std::vector<config::LoadError>& errors) {
  std::string out;
  for (const config::LoadError& e : errors) out += config::format_error(e) + "\n";
  return out;
}

inline bool has_control(std::string_view text, bool allow_newline) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newline && c == '\n') continue;
    if (u < 0x20 || u == 0x7F) return true;
  }
  return false;
}

inline std::string check_reports(const std::vector<config::LoadError>& list, const char* what) {
  for (const config::LoadError& e : list) {
    if (e.source.empty() || e.message.empty()) {
      return std::string(what) + " without a source or a message: key '" + e.key + "'";
    }
    if (has_control(config::format_error(e), false)) {
      return std::string(what) + " renders a control character: " + hex(config::format_error(e));
    }
  }
  return {};
}

}  // namespace config_check

inline std::string check_config(std::span<const uint8_t> input) {
  using namespace config_check;
  const Input in = split_input(as_text(input));
  const std::string where = " (input " + hex(input, 300) + ")";

  const config::LoadResult first = resolve(in);
  const config::LoadResult second = resolve(in);
  if (errors_text(first.errors) != errors_text(second.errors) ||
      errors_text(first.warnings) != errors_text(second.warnings) ||
      values_of(first.settings) != values_of(second.settings)) {
    return "two loads of the same input differ" + where;
  }
  if (std::string f = check_reports(first.errors, "an error"); !f.empty()) return f + where;
  if (std::string f = check_reports(first.warnings, "a warning"); !f.empty()) return f + where;

  const std::string shown = config::render_effective(first);
  if (has_control(shown, true)) return "render_effective shows a control character" + where;
  config::LoadResult blank = first;
  for (const config::KeyInfo& key : config::all_keys()) {
    if (key.kind != config::Kind::kSecret) continue;
    const std::string secret = config::format_value(key, key.access.load(first.settings));
    key.access.store(blank.settings, config::Value(std::string()));
    if (secret.size() >= 4 && shown.find(secret) != std::string::npos &&
        config::render_effective(blank).find(secret) == std::string::npos) {
      return "render_effective shows the value of " + std::string(key.name) + where;
    }
  }

  if (!first.ok()) return {};
  // Accepted addresses are made of address characters only (nothing hides after a NUL).
  for (const config::KeyInfo& key : config::all_keys()) {
    if (key.kind != config::Kind::kIpAddress && key.kind != config::Kind::kCidrList) continue;
    const std::string text = config::format_value(key, key.access.load(first.settings));
    if (text.find_first_not_of("0123456789abcdefABCDEF:./, ") != std::string::npos) {
      return std::string(key.name) + " was accepted as '" + hex(text) +
             "' (hex), which holds more than an address" + where;
    }
  }
  // Round trip through a config file.
  Input again;
  again.mode = in.mode;
  again.args = {"--config", "roundtrip.conf"};
  const std::vector<std::string> values = values_of(first.settings);
  size_t i = 0;
  for (const config::KeyInfo& key : config::all_keys()) {
    const std::string& text = values[i++];
    if (text.find_first_of("\r\n") != std::string::npos) return {};  // not writable in a file
    again.file += std::string(key.name) + " = \"" + text + "\"\n";
  }
  const config::LoadResult reloaded = resolve(again);
  if (!reloaded.ok()) {
    return "a valid configuration written back to a file does not load: " +
           errors_text(reloaded.errors) + where;
  }
  const std::vector<std::string> reloaded_values = values_of(reloaded.settings);
  for (size_t k = 0; k < values.size(); ++k) {
    if (values[k] != reloaded_values[k]) {
      return "round trip changed " + std::string(config::all_keys()[k].name) + ": '" + values[k] +
             "' became '" + reloaded_values[k] + "'" + where;
    }
  }
  return {};
}

}  // namespace wsrelay::fuzz
