// Dotenv: the application's own `.env` file (Laravel, CodeIgniter 4) read as a second
// environment, so a PHP team keeps wsrelay's settings next to the rest of its configuration.
//
// Pure: text in, NAME=value entries out (the loader reads the file through its FileReader).
// The entries are then handed to scan_environment() exactly like the real environment, so every
// rule about WEBSOCKET_* names (aliases, unknown names, ignore_env, later PUSHER_* fallbacks)
// applies to both; the loader ranks the real environment above the file, per setting.
//
// Syntax accepted, the union of what the two frameworks write (docs/configuration.md, ".env
// files", has the user-facing version):
//   NAME=value            Laravel (phpdotenv) style
//   NAME = value          CodeIgniter 4 style: spaces around '=' are trimmed
//   export NAME=value     a shell-style prefix, ignored
//   # comment             whole-line comments and blank lines
//   NAME=value # comment  on an UNQUOTED value, '#' after whitespace starts a comment
//                         ("a#b" keeps its '#', as in phpdotenv)
//   NAME="value"          double quotes: \n \r \t \" \\ \$ are escapes, any other backslash is
//                         kept; ${OTHER} is expanded; the value may span lines
//   NAME='value'          single quotes: literal, no escapes, no expansion; may span lines
//   app.baseURL = '...'   dotted names (CodeIgniter) are not environment names: skipped
// ${OTHER} in unquoted and double-quoted values expands to the real environment's OTHER, else
// to OTHER as defined earlier in the file, else to nothing — what phpdotenv and CodeIgniter's
// DotEnv do. A lone '$' or an unclosed "${" stays as written.
// A name defined twice: the first definition is used (both frameworks do the same: neither
// overwrites a variable that is already set), and a WEBSOCKET_* repeat gets a warning.
// Errors and warnings name the file and line.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/sources.hpp"

namespace wsrelay::config {

struct DotenvEntry {
  std::string name;
  std::string value;
  size_t line = 0;  // where the definition starts (1-based)
};

struct DotenvParse {
  std::vector<DotenvEntry> entries;  // every valid definition, first of each name, file order
  std::vector<LoadError> errors;     // source "file:line"
  std::vector<LoadError> warnings;
};

// Parses `text`; `file_name` goes into error sources ("file_name:line"). `environment`
// ("NAME=value" strings) is what ${NAME} looks up first.
DotenvParse parse_dotenv(std::string_view text, std::string_view file_name,
                         std::span<const std::string> environment);

}  // namespace wsrelay::config
