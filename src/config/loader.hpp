// The loader: merges defaults, the config file, the environment and the command line into one
// validated Settings, remembering where every value came from.
//
// Precedence, highest first: flags, environment (WEBSOCKET_<KEY>), the application's .env file
// (--env-file PATH, else WEBSOCKET_ENV_FILE, else env_file in the config file; its entries go
// through the same scan_environment() as the environment, config/dotenv.hpp), config file
// (--config PATH, else WEBSOCKET_CONFIG), built-in defaults. Every value from every source is validated, even
// one a higher source overrides: a broken line in the file is reported today, not on the day
// the override is removed. Then cross-field rules run (auth_enabled needs auth_secret, ...).
//
// The loader never prints and never exits: it returns every error and warning it found, and
// the caller decides (wsrelay prints them and exits 2). A result with errors must not be used
// to start anything: "nothing starts half-configured".
//
// Unknown WEBSOCKET_* environment variables are errors, all of them in one message ending with
// a WEBSOCKET_IGNORE_ENV= line to paste (a typo such as WEBSOCKET_PROT would otherwise be
// silently ignored); other packages' names are aliases or one warning (config/env_names.hpp). Variables that legitimately share the prefix (a front end's
// WEBSOCKET_URL in the same .env file) are listed in the ignore_env setting; ignore_env=*
// turns every such error into a warning.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "config/keys.hpp"
#include "config/settings.hpp"
#include "config/sources.hpp"

namespace wsrelay::config {

struct LoadOptions {
  Mode mode = Mode::kServe;
  // Flags the command handles itself, returned in LoadResult::command_values.
  std::vector<CommandFlag> command_flags;
};

struct LoadResult {
  Settings settings;
  Mode mode = Mode::kServe;
  std::vector<Origin> origins;  // one per key, indexed like all_keys()
  std::string config_file;      // the file read, "" when none
  Origin config_origin;         // what named it (flag --config or env WEBSOCKET_CONFIG)
  std::vector<std::pair<std::string, std::string>> command_values;
  std::vector<LoadError> errors;
  std::vector<LoadError> warnings;  // worth saying at start-up, not worth refusing to start

  bool ok() const { return errors.empty(); }
  // Where `key`'s value came from; `key` must be a key.
  const Origin& origin_of(std::string_view key) const;
};

// Reads the named file; returns false with a reason in `error`. Swapped out in tests.
using FileReader =
    std::function<bool(const std::string& path, std::string& text, std::string& error)>;

// The whole loader: `args` are the arguments after the command word, `envp` is environ.
LoadResult load_settings(const std::vector<std::string>& args, const char* const* envp,
                         const LoadOptions& options);
LoadResult load_settings(const std::vector<std::string>& args, const char* const* envp, Mode mode);

// The same without touching the process: environment as "NAME=value" strings, and the file
// read through `read_file` (read_config_file in production).
LoadResult resolve_settings(const std::vector<std::string>& args,
                            std::span<const std::string> environment, const FileReader& read_file,
                            const LoadOptions& options);

// Cross-field rules, run by resolve_settings on the merged settings; adds to result.errors and
// result.warnings. Exposed for tests.
void check_consistency(LoadResult& result);

}  // namespace wsrelay::config
