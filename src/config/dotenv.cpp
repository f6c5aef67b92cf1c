#include "config/dotenv.hpp"

#include <optional>

#include "config/keys.hpp"
#include "config/text.hpp"
#include "config/values.hpp"

namespace wsrelay::config {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool is_name_char(char c) {
  return text::is_alnum(c) || c == '_';
}

// A cursor over the whole text that counts lines, because a quoted value may span several.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  char take() {
    const char c = text_[pos_++];
    if (c == '\n') ++line_;
    return c;
  }
  size_t line() const { return line_; }
  void skip_blanks() {
    while (!done() && is_blank(peek())) ++pos_;
  }
  // The rest of the current line without its end ("\n" or "\r\n"), which is consumed.
  std::string_view rest_of_line() {
    const size_t newline = text_.find('\n', pos_);
    const size_t end = newline == std::string_view::npos ? text_.size() : newline;
    std::string_view line = text_.substr(pos_, end - pos_);
    pos_ = end;
    if (!done()) take();
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

class Parser {
 public:
  Parser(std::string_view file_name, std::span<const std::string> environment)
      : file_name_(file_name), environment_(environment) {}

  DotenvParse run(std::string_view text) {
    constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
    if (text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
      text.remove_prefix(kByteOrderMark.size());
    }
    Reader reader(text);
    while (!reader.done() && definition(reader)) {
    }
    return std::move(result_);
  }

 private:
  std::string where(size_t line) const {
    return std::string(file_name_) + ":" + std::to_string(line);
  }
  void error(std::string key, size_t line, std::string message) {
    result_.errors.push_back({std::move(key), where(line), std::move(message)});
  }

  // One line (or one multi-line definition). False when the rest of the file cannot be read
  // (an unclosed quote swallows it).
  bool definition(Reader& reader) {
    reader.skip_blanks();
    const size_t line = reader.line();
    if (reader.peek() == '\n' || reader.peek() == '\r' || reader.peek() == '#') {
      reader.rest_of_line();
      return true;
    }
    // Everything up to '=' on this line is the name.
    std::string head;
    while (!reader.done() && reader.peek() != '=' && reader.peek() != '\n') head += reader.take();
    if (reader.peek() != '=') {
      reader.rest_of_line();
      const std::string_view first_word = trim(head);
      error(std::string(first_word.substr(0, first_word.find_first_of(" \t"))), line,
            "expected NAME=value (a comment line starts with #)");
      return true;
    }
    reader.take();  // '='
    std::string_view name = trim(head);
    if (name.substr(0, 6) == "export" && name.size() > 7 && is_blank(name[6])) {
      name = trim(name.substr(7));
    }
    // CodeIgniter 4 writes its own settings with dotted names (app.baseURL); they are not
    // environment variables and never wsrelay's, so they are read past without a word.
    bool dotted = false;
    bool valid = !name.empty() && !text::is_digit(name.front());
    for (char c : name) {
      dotted |= c == '.';
      valid &= is_name_char(c) || c == '.';
    }
    if (!valid) {
      reader.rest_of_line();
      error(std::string(name), line,
            name.empty() ? "no name before '='"
                         : quote(name) + " is not a variable name (letters, digits and _)");
      return true;
    }

    reader.skip_blanks();
    std::string value;
    const char opening = reader.peek();
    if (opening == '"' || opening == '\'') {
      reader.take();
      if (!quoted(reader, opening, value)) {
        error(std::string(name), line,
              std::string("the ") + (opening == '"' ? "double" : "single") +
                  " quote opened here is never closed");
        return false;
      }
      std::string_view after = trim(reader.rest_of_line());
      if (!after.empty() && after.front() != '#') {
        error(std::string(name), line,
              "unexpected " + quote(after) + " after the closing quote (a comment starts with #)");
        return true;
      }
    } else {
      std::string_view raw = reader.rest_of_line();
      for (size_t i = 1; i < raw.size(); ++i) {
        if (raw[i] == '#' && is_blank(raw[i - 1])) {
          raw = raw.substr(0, i);
          break;
        }
      }
      if (raw.substr(0, 1) == "#") raw = {};  // NAME= # only a comment
      value = expand(trim(raw));
    }
    if (dotted) return true;
    store(std::string(name), std::move(value), line);
    return true;
  }

  // Reads up to the closing quote (already past the opening one) into `value`.
  bool quoted(Reader& reader, char quote_char, std::string& value) {
    std::string raw_segment;  // double quotes: text awaiting ${} expansion
    while (!reader.done()) {
      const char c = reader.take();
      if (c == quote_char) {
        value += quote_char == '"' ? expand(raw_segment) : raw_segment;
        return true;
      }
      if (c == '\r' && reader.peek() == '\n') continue;  // CRLF inside a value: keep the LF
      if (quote_char == '"' && c == '\\' && !reader.done()) {
        const char next = reader.peek();
        const char* replacement = nullptr;
        switch (next) {
          case 'n':
            replacement = "\n";
            break;
          case 'r':
            replacement = "\r";
            break;
          case 't':
            replacement = "\t";
            break;
          case '"':
            replacement = "\"";
            break;
          case '\\':
            replacement = "\\";
            break;
          case '$':
            replacement = "$";
            break;
          default:
            break;
        }
        if (replacement != nullptr) {
          reader.take();
          // An escaped '$' must not start an expansion: expand what came before, then add it.
          value += expand(raw_segment);
          raw_segment.clear();
          value += replacement;
          continue;
        }
      }
      raw_segment += c;
    }
    return false;
  }

  // ${NAME} -> the real environment's NAME, else the file's earlier NAME, else "".
  std::string expand(std::string_view raw) const {
    std::string out;
    size_t i = 0;
    while (i < raw.size()) {
      if (raw[i] == '$' && i + 1 < raw.size() && raw[i + 1] == '{') {
        const size_t close = raw.find('}', i + 2);
        if (close != std::string_view::npos) {
          const std::string_view name = raw.substr(i + 2, close - i - 2);
          bool ok = !name.empty();
          for (char c : name) ok &= is_name_char(c);
          if (ok) {
            out += lookup(name).value_or("");
            i = close + 1;
            continue;
          }
        }
      }
      out += raw[i++];
    }
    return out;
  }

  std::optional<std::string> lookup(std::string_view name) const {
    for (const std::string& entry : environment_) {
      if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
          entry[name.size()] == '=') {
        return entry.substr(name.size() + 1);
      }
    }
    for (const DotenvEntry& entry : result_.entries) {
      if (entry.name == name) return entry.value;
    }
    return std::nullopt;
  }

  void store(std::string name, std::string value, size_t line) {
    for (const DotenvEntry& earlier : result_.entries) {
      if (earlier.name != name) continue;
      if (name.substr(0, kEnvPrefix.size()) == kEnvPrefix) {
        result_.warnings.push_back({name, where(line),
                                    "is defined again; the first definition (line " +
                                        std::to_string(earlier.line) +
                                        ") is used, as Laravel and CodeIgniter do"});
      }
      return;
    }
    result_.entries.push_back({std::move(name), std::move(value), line});
  }

  std::string_view file_name_;
  std::span<const std::string> environment_;
  DotenvParse result_;
};

}  // namespace

DotenvParse parse_dotenv(std::string_view text, std::string_view file_name,
                         std::span<const std::string> environment) {
  return Parser(file_name, environment).run(text);
}

}  // namespace wsrelay::config
