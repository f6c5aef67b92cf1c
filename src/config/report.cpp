#include "config/report.hpp"

#include "cluster/redis_url.hpp"

#include "config/keys.hpp"
#include "config/values.hpp"

namespace wsrelay::config {

namespace {

std::string escape_controls(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

// The default a key has before any source is applied, as text.
std::string default_text(const KeyInfo& key) {
  static const Settings kDefaults;
  return format_value(key, key.access.load(kDefaults));
}

void pad_to(std::string& line, size_t width) {
  if (line.size() < width) line.append(width - line.size(), ' ');
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// Word-wrap `text` into comment lines "# ..." no longer than `width` (long words stay whole).
void append_comment(std::string& out, std::string_view text, size_t width = 96) {
  std::string line = "#";
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
    if (line.size() > 1 && line.size() + 1 + word.size() > width) {
      out += line + "\n";
      line = "#";
    }
    line += " ";
    line += word;
  }
  out += line + "\n";
}

// What goes after a flag in --help: "--port PORT", "--debug [BOOL]".
std::string_view placeholder(Kind kind) {
  switch (kind) {
    case Kind::kBool:
      return "[BOOL]";
    case Kind::kCount:
      return "N";
    case Kind::kBytes:
      return "BYTES";
    case Kind::kSeconds:
      return "SECONDS";
    case Kind::kPort:
      return "PORT";
    case Kind::kIpAddress:
      return "ADDRESS";
    case Kind::kLogLevel:
      return "LEVEL";
    case Kind::kPath:
      return "PATH";
    case Kind::kSecret:
      return "SECRET";
    case Kind::kCidrList:
      return "NETWORKS";
    case Kind::kOriginList:
      return "ORIGINS";
    case Kind::kRoomList:
      return "ROOMS";
    case Kind::kRoomName:
      return "NAME";
    case Kind::kEnvNameList:
      return "NAMES";
    case Kind::kHttpUrl:
      return "URL";
    case Kind::kRedisUrl:
      return "URL";
    case Kind::kNodeId:
      return "ID";
    case Kind::kKeyPrefix:
      return "PREFIX";
    case Kind::kOptionalHttpUrl:
      return "URL";
    case Kind::kWebhookEvents:
      return "EVENTS";
    case Kind::kCompression:
    case Kind::kNoticeMode:
      return "MODE";
  }
  return "VALUE";
}

// Visit every key in table order, calling heading(section) before the first key of each
// section: the shape of every listing below.
template <typename Heading, typename Row>
void for_each_by_section(Heading heading, Row row) {
  std::string_view section;
  for (const KeyInfo& key : all_keys()) {
    if (key.section != section) {
      section = key.section;
      heading(std::string(section));
    }
    row(key);
  }
}

}  // namespace

std::string format_error(const LoadError& error) {
  std::string out = escape_controls(error.source) + ": ";
  // The key is left out when the source already spells it: "env WEBSOCKET_PROT: unknown ...",
  // "flag --port: '0' is out of range ...".
  const bool source_names_key =
      error.source == "env " + error.key || error.source == "flag --" + error.key;
  if (!error.key.empty() && !source_names_key) out += escape_controls(error.key) + ": ";
  return out + escape_controls(error.message);
}

std::string render_effective(const LoadResult& result) {
  std::string out = "wsrelay configuration (mode: ";
  out += result.mode == Mode::kEcho ? "echo" : "serve";
  out += ")\nconfig file: ";
  out += result.config_file.empty() ? std::string("none")
                                    : escape_controls(result.config_file) + " (named by " +
                                          escape_controls(result.config_origin.describe()) + ")";
  out += "\n";
  const auto heading = [&](const std::string& section) { out += "\n# " + section + "\n"; };
  for_each_by_section(heading, [&](const KeyInfo& key) {
    std::string shown = format_value(key, key.access.load(result.settings));
    if (key.kind == Kind::kSecret) {
      shown = shown.empty() ? "(not set)" : "(set, hidden)";
    } else if (key.kind == Kind::kRedisUrl) {
      shown = shown.empty() ? "(empty: a single node)" : cluster::redact_redis_url(shown);
    } else if (shown.empty()) {
      shown = "(empty)";
    }
    std::string line(key.name);
    line += ' ';  // a key name of 21 or more characters still gets its space before '='
    pad_to(line, 21);
    if (line.back() != ' ') line += ' ';  // a key longer than the column still reads "key = v"
    line += "= " + escape_controls(shown);
    pad_to(line, 48);
    line += "  # " + escape_controls(result.origins.at(key_index(key)).describe());
    out += line + "\n";
  });
  if (!result.warnings.empty()) {
    out += "\nwarnings:\n";
    for (const LoadError& warning : result.warnings) out += "  " + format_error(warning) + "\n";
  }
  return out;
}

std::string render_key_reference() {
  std::string out;
  const auto heading = [&](const std::string& section) {
    out += "\n### " + section + "\n\n";
    out += "| Key, environment, flag | Default | Allowed values | Meaning |\n";
    out += "|---|---|---|---|\n";
  };
  for_each_by_section(heading, [&](const KeyInfo& key) {
    const std::string value = default_text(key);
    std::string shown = value.empty() ? "(empty)" : "`" + value + "`";
    if (!key.default_note.empty()) shown += "<br>" + std::string(key.default_note);
    out += "| `" + std::string(key.name) + "`<br>`" + env_name(key.name) + "`<br>`" +
           flag_name(key.name) + "` | " + markdown_cell(shown) + " | " +
           markdown_cell(describe_allowed(key)) + " | " + markdown_cell(key.help) + " |\n";
  });
  return out;
}

std::string wrap_text(std::string_view text, size_t indent, size_t first_column, size_t width) {
  std::string out;
  size_t column = first_column;
  bool line_has_word = false;
  while (!text.empty()) {
    const size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    text.remove_prefix(space == std::string_view::npos ? text.size() : space + 1);
    if (word.empty()) continue;
    // A word that does not fit goes to the next line; one longer than a line stays whole.
    if (line_has_word && column + 1 + word.size() > width) {
      out += "\n" + std::string(indent, ' ');
      column = indent;
      line_has_word = false;
    }
    if (line_has_word) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_has_word = true;
  }
  return out;
}

std::string render_flag_summary(size_t width) {
  constexpr size_t kTextColumn = 35;  // where the meaning starts, after "  --flag PLACEHOLDER"
  std::string out;
  const auto heading = [&](const std::string& section) {
    out += (out.empty() ? "" : "\n") + section + ":\n";
  };
  for_each_by_section(heading, [&](const KeyInfo& key) {
    std::string line = "  " + flag_name(key.name) + " " + std::string(placeholder(key.kind));
    // A flag too long for its column puts its meaning on the next line.
    if (line.size() >= kTextColumn - 1) line += "\n" + std::string(kTextColumn - 1, ' ');
    pad_to(line, kTextColumn - 1);
    // The whole meaning, wrapped: cutting it at the first sentence lost what mattered
    // ("0.0.0.0 or :: listens on every interface", "Must be less than ping_interval").
    std::string meaning(key.help);
    const std::string value = default_text(key);
    if (!value.empty()) meaning += " [" + value + "]";
    out += line + " " + wrap_text(meaning, kTextColumn, kTextColumn, width) + "\n";
  });
  return out;
}

std::string render_example_config() {
  std::string out;
  append_comment(out,
                 "wsrelay configuration file. Generated from the key table in "
                 "src/config/keys.cpp by the unit tests; docs/configuration.md explains every "
                 "key.");
  out += "#\n";
  append_comment(out,
                 "Every setting is shown commented out at its default: uncomment and change what "
                 "you need. One `key = value` per line; a line starting with # is a comment (a "
                 "# later in a line is part of the value); quotes keep surrounding spaces: "
                 "key = \" value \". Environment variables (WEBSOCKET_<KEY>) and flags "
                 "(--key-name) override this file.");
  out += "#\n# Use with: wsrelay serve --config /etc/wsrelay/wsrelay.conf\n";
  const auto heading = [&](const std::string& section) {
    out += "\n# ---- " + section + " ----\n";
  };
  for_each_by_section(heading, [&](const KeyInfo& key) {
    out += "\n";
    append_comment(out, key.help);
    append_comment(out, "Allowed: " + describe_allowed(key) + ".");
    if (!key.default_note.empty())
      append_comment(out, "Default: " + std::string(key.default_note) + ".");
    const std::string value = default_text(key);
    out += "# " + std::string(key.name) + " =" + (value.empty() ? "" : " " + value) + "\n";
  });
  return out;
}

}  // namespace wsrelay::config
