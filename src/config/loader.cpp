#include "config/loader.hpp"

#include <algorithm>

#include "config/dotenv.hpp"
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

// Where a name was found, for the one-line lists below: "env" or "/app/.env:3".
std::string found_at(const Assignment& variable) {
  return variable.origin.kind == Origin::Kind::kEnvFile
             ? variable.origin.where.substr(0, variable.origin.where.rfind(' '))
             : std::string("env");
}

// Unknown WEBSOCKET_* names, from the environment and the env file alike, in ONE error that
// ends with a line to paste; other packages' names (env_names.hpp) in ONE warning.
void check_unknown_environment(LoadResult& result, const std::vector<Assignment>& unknown,
                               const std::vector<Assignment>& foreign) {
  const std::vector<std::string>& ignored = result.settings.ignore_env;
  const auto is_ignored = [&](const std::string& name) {
    return std::find(ignored.begin(), ignored.end(), name) != ignored.end();
  };
  const bool ignore_all = is_ignored("*");

  std::string foreign_list;
  for (const Assignment& variable : foreign) {
    if (is_ignored(variable.key)) continue;
    foreign_list +=
        (foreign_list.empty() ? "" : ", ") + variable.key + " (" + found_at(variable) + ")";
  }
  if (!foreign_list.empty()) {
    result.warnings.push_back(
        {"", "environment",
         "ignored, as they belong to other WebSocket packages and mean nothing to wsrelay: " +
             foreign_list});
  }

  std::string listed;
  std::string names;
  for (const Assignment& variable : unknown) {
    if (is_ignored(variable.key)) continue;
    listed += (listed.empty() ? "" : ", ") + variable.key + " (" + found_at(variable);
    if (const KeyInfo* near = suggest_key(variable.key); near != nullptr) {
      listed += "; did you mean " + env_name(near->name) + "?";
    }
    listed += ")";
    names += (names.empty() ? "" : ",") + variable.key;
  }
  if (listed.empty()) return;
  if (ignore_all) {
    result.warnings.push_back(
        {"", "environment", "unknown settings ignored because ignore_env=*: " + listed});
    return;
  }
  // The paste line keeps what ignore_env already lists, so it can replace the old line.
  std::string paste;
  for (const std::string& name : ignored) paste += name + ",";
  result.errors.push_back(
      {"", "environment",
       "unknown settings: " + listed +
           ". Correct a typo; names that belong to another program go in ignore_env, e.g. "
           "this line in the environment or .env file: " +
           std::string(kEnvPrefix) + "IGNORE_ENV=" + paste + names});
}

// The env file: named by --env-file, else WEBSOCKET_ENV_FILE, else env_file in the config file
// (the last of the sources' assignments to env_file, in rising precedence).
struct EnvFileScan {
  EnvScan scan;
  std::vector<LoadError> errors;
  std::vector<LoadError> warnings;
};

EnvFileScan scan_env_file(const std::vector<const std::vector<Assignment>*>& by_precedence,
                          std::span<const std::string> environment, const FileReader& read_file) {
  EnvFileScan out;
  const Assignment* named = nullptr;
  for (const std::vector<Assignment>* source : by_precedence) {
    for (const Assignment& assignment : *source) {
      if (assignment.key == "env_file") named = &assignment;
    }
  }
  if (named == nullptr || named->value.empty()) return out;
  std::string text;
  std::string error;
  if (!read_file(named->value, text, error)) {
    // The reader speaks of "config file"; this one is the env file.
    if (const size_t at = error.find("config file"); at != std::string::npos) {
      error.replace(at, 11, "env file");
    }
    out.errors.push_back({"env_file", named->origin.describe(), error});
    return out;
  }
  DotenvParse parsed = parse_dotenv(text, named->value, environment);
  out.errors = std::move(parsed.errors);
  out.warnings = std::move(parsed.warnings);
  std::vector<std::string> entries;
  std::vector<std::string> locations;
  for (const DotenvEntry& entry : parsed.entries) {
    entries.push_back(entry.name + "=" + entry.value);
    locations.push_back(named->value + ":" + std::to_string(entry.line));
  }
  out.scan = scan_environment(entries, locations);
  // The env file holds settings, not pointers to more files.
  if (out.scan.config_path) {
    out.errors.push_back({"config", out.scan.config_path->origin.describe(),
                          "an env file cannot name the config file; use --config PATH or the "
                          "real environment's WEBSOCKET_CONFIG"});
  }
  std::vector<Assignment>& assignments = out.scan.assignments;
  for (auto it = assignments.begin(); it != assignments.end();) {
    if (it->key != "env_file") {
      ++it;
      continue;
    }
    out.errors.push_back({"env_file", it->origin.describe(),
                          "an env file cannot name another one; use --env-file PATH"});
    it = assignments.erase(it);
  }
  return out;
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

  EnvFileScan env_file = scan_env_file({&file.assignments, &env.assignments, &flags.assignments},
                                       environment, read_file);
  result.errors.insert(result.errors.end(), env_file.errors.begin(), env_file.errors.end());
  result.warnings.insert(result.warnings.end(), env_file.warnings.begin(), env_file.warnings.end());

  // The env file ranks with the environment, just below it: applied first, then overwritten
  // by whatever the real environment sets for the same setting. PUSHER_*/REVERB_* (a Laravel
  // app's own credentials) rank below every other source, the real environment's over the file's.
  apply_assignments(result, env_file.scan.fallbacks);
  apply_assignments(result, env.fallbacks);
  apply_assignments(result, file.assignments);
  apply_assignments(result, env_file.scan.assignments);
  apply_assignments(result, env.assignments);
  apply_assignments(result, flags.assignments);
  // A name in both: the real environment's is the one that counts, and is reported once.
  const auto merge_by_name = [](std::vector<Assignment> first,
                                const std::vector<Assignment>& more) {
    for (const Assignment& variable : more) {
      const bool present = std::any_of(first.begin(), first.end(),
                                       [&](const Assignment& a) { return a.key == variable.key; });
      if (!present) first.push_back(variable);
    }
    return first;
  };
  check_unknown_environment(result, merge_by_name(env.unknown, env_file.scan.unknown),
                            merge_by_name(env.foreign, env_file.scan.foreign));
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
