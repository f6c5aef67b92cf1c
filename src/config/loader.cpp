#include "config/loader.hpp"

#include <algorithm>

#include "config/values.hpp"

namespace wsrelay::config {

namespace {

// Validate and store each assignment in order, so a later one (higher source, or a later
// flag) overwrites an earlier one.
void apply_assignments(LoadResult& result, const std::vector<Assignment>& assignments) {
  for (const Assignment& assignment : assignments) {
    const KeyInfo* key = find_key(assignment.key);
    if (key == nullptr) continue;  // the source parsers only pass known keys
    Value value;
    std::string problem;
    if (!parse_value(*key, assignment.value, value, problem)) {
      result.errors.push_back({assignment.key, assignment.origin.describe(), problem});
      continue;
    }
    key->access.store(result.settings, std::move(value));
    result.origins[key_index(*key)] = assignment.origin;
  }
}

void check_unknown_environment(LoadResult& result, const std::vector<Assignment>& unknown) {
  const std::vector<std::string>& ignored = result.settings.ignore_env;
  const bool ignore_all = std::find(ignored.begin(), ignored.end(), "*") != ignored.end();
  for (const Assignment& variable : unknown) {
    if (std::find(ignored.begin(), ignored.end(), variable.key) != ignored.end()) continue;
    std::string message = "unknown setting";
    if (const KeyInfo* near = suggest_key(variable.key); near != nullptr) {
      message += " (did you mean " + env_name(near->name) + "?)";
    }
    if (ignore_all) {
      result.warnings.push_back(
          {variable.key, variable.origin.describe(), message + "; ignored because ignore_env=*"});
    } else {
      result.errors.push_back({variable.key, variable.origin.describe(),
                               message +
                                   "; if it belongs to another program, add it to ignore_env "
                                   "(e.g. WEBSOCKET_IGNORE_ENV=" +
                                   variable.key + ")"});
    }
  }
}

// publish_url, when nobody set it, points at this server: `wsrelay publish` run on the same
// machine with the same environment then reaches it without extra configuration.
void derive_publish_url(LoadResult& result) {
  const KeyInfo& key = *find_key("publish_url");
  Origin& origin = result.origins[key_index(key)];
  if (origin.kind != Origin::Kind::kDefault) return;
  const Settings& s = result.settings;
  std::string host = s.host;
  if (host == "0.0.0.0") host = "127.0.0.1";  // "every interface" includes loopback
  if (host == "::") host = "::1";
  int family = 4;
  is_ip_literal(host, &family);
  if (family == 6) host = "[" + host + "]";
  std::string url =
      std::string(s.ssl_enabled ? "https" : "http") + "://" + host + ":" + std::to_string(s.port);
  if (url == s.publish_url) return;
  result.settings.publish_url = std::move(url);
  origin = Origin{Origin::Kind::kDerived, "host, port and ssl_enabled"};
}

// debug=true is a shortcut for log_level=debug and wins over it.
void derive_log_level(LoadResult& result) {
  if (!result.settings.debug) return;
  const Origin& debug_origin = result.origin_of("debug");
  Origin& level_origin = result.origins[key_index(*find_key("log_level"))];
  if (level_origin.kind != Origin::Kind::kDefault &&
      result.settings.log_level != log::Level::kDebug) {
    result.warnings.push_back(
        {"log_level", level_origin.describe(),
         "log_level=" + std::string(log::level_name(result.settings.log_level)) +
             " is overridden by debug=true (" + debug_origin.describe() + ")"});
  }
  result.settings.log_level = log::Level::kDebug;
  level_origin = Origin{Origin::Kind::kDerived, "debug=true, " + debug_origin.describe()};
}

}  // namespace

const Origin& LoadResult::origin_of(std::string_view key) const {
  return origins.at(key_index(*find_key(key)));
}

LoadResult resolve_settings(const std::vector<std::string>& args,
                            std::span<const std::string> environment, const FileReader& read_file,
                            const LoadOptions& options) {
  LoadResult result;
  result.mode = options.mode;
  result.origins.assign(all_keys().size(), Origin{});
  if (options.mode == Mode::kEcho) {
    result.settings.max_message_size = kEchoMaxMessageSize;
    result.origins[key_index(*find_key("max_message_size"))].where = "echo mode";
  }

  FlagParse flags = parse_flags(args, options.command_flags);
  EnvScan env = scan_environment(environment);
  result.errors = std::move(flags.errors);
  result.command_values = std::move(flags.command_values);

  // The file is named by --config, else by WEBSOCKET_CONFIG.
  const std::optional<Assignment>& named = flags.config_path ? flags.config_path : env.config_path;
  FileParse file;
  if (named) {
    result.config_origin = named->origin;
    std::string text;
    std::string error;
    if (named->value.empty()) {
      result.errors.push_back(
          {"config", named->origin.describe(), "is empty (allowed: a file path)"});
    } else if (!read_file(named->value, text, error)) {
      result.errors.push_back({"config", named->origin.describe(), error});
    } else {
      result.config_file = named->value;
      file = parse_config_text(text, named->value);
      result.errors.insert(result.errors.end(), file.errors.begin(), file.errors.end());
    }
  }

  apply_assignments(result, env.fallbacks);  // PUSHER_*/REVERB_*: below every other source
  apply_assignments(result, file.assignments);
  apply_assignments(result, env.assignments);
  apply_assignments(result, flags.assignments);
  check_unknown_environment(result, env.unknown);
  derive_log_level(result);
  derive_publish_url(result);
  check_consistency(result);
  return result;
}

LoadResult load_settings(const std::vector<std::string>& args, const char* const* envp,
                         const LoadOptions& options) {
  const std::vector<std::string> environment = environment_list(envp);
  return resolve_settings(args, environment, &read_config_file, options);
}

LoadResult load_settings(const std::vector<std::string>& args, const char* const* envp, Mode mode) {
  LoadOptions options;
  options.mode = mode;
  return load_settings(args, envp, options);
}

}  // namespace wsrelay::config
