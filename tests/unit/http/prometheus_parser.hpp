// A small, strict parser of the Prometheus text exposition format 0.0.4, written from the format
// description (https://prometheus.io/docs/instrumenting/exposition_formats/) to check /metrics.
// Stricter than Prometheus itself where our output should be: no blank lines and no free-form
// comments; HELP and TYPE exactly once per family and before its samples; a family's lines
// contiguous; no duplicate series; every line '\n'-terminated.
#pragma once

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::http::testing {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromFamily {
  std::string type;
  std::string help;
  bool has_help = false;
  std::vector<PromSample> samples;
};

struct PromDocument {
  std::map<std::string, PromFamily> families;
  std::vector<std::string> order;  // family names in the order they appeared
  std::string error;               // empty when the text is valid
  bool ok() const { return error.empty(); }

  // The value of the sample `name` with exactly these labels; NaN when absent.
  double value(const std::string& family, const std::map<std::string, std::string>& labels = {}) const {
    auto it = families.find(family);
    if (it == families.end()) return std::nan("");
    for (const PromSample& sample : it->second.samples) {
      if (sample.labels == labels) return sample.value;
    }
    return std::nan("");
  }
};

namespace detail {

inline bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; }
inline bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

inline bool valid_metric_name(std::string_view name) {
  if (name.empty() || !is_name_start(name[0])) return false;
  for (char c : name) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

inline bool valid_label_name(std::string_view name) {
  if (name.empty() || !is_name_start(name[0]) || name[0] == ':' || name.substr(0, 2) == "__") return false;
  for (char c : name) {
    if (!is_name_char(c) || c == ':') return false;
  }
  return true;
}

// Go's ParseFloat forms Prometheus accepts: decimal/exponent numbers, NaN, +Inf, -Inf.
inline bool parse_value(std::string_view text, double& out) {
  if (text == "NaN") { out = std::nan(""); return true; }
  if (text == "+Inf" || text == "Inf") { out = HUGE_VAL; return true; }
  if (text == "-Inf") { out = -HUGE_VAL; return true; }
  if (text.empty()) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return false;
  }
  std::string copy(text);
  char* end = nullptr;
  out = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

}  // namespace detail

inline PromDocument parse_prometheus(std::string_view text) {
  PromDocument doc;
  auto fail = [&doc](size_t line_number, const std::string& why) {
    if (doc.error.empty()) doc.error = "line " + std::to_string(line_number) + ": " + why;
  };
  if (text.empty()) return doc;
  if (text.back() != '\n') {
    doc.error = "the last line does not end with a newline";
    return doc;
  }
  std::string current;  // the family whose lines we are in
  std::map<std::string, bool> closed;  // families whose block has ended
  std::map<std::string, std::vector<std::map<std::string, std::string>>> seen_series;
  auto enter = [&](const std::string& family, size_t n) {
    if (family == current) return;
    if (!current.empty()) closed[current] = true;
    if (closed.count(family)) fail(n, "lines of family " + family + " are not contiguous");
    current = family;
    if (!doc.families.count(family)) doc.order.push_back(family);
    doc.families[family];
  };

  size_t line_number = 0;
  while (!text.empty() && doc.ok()) {
    ++line_number;
    const size_t newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (line.empty()) { fail(line_number, "blank line"); break; }
    if (line.front() == '#') {
      // "# HELP name text" / "# TYPE name type"
      if (line.substr(0, 7) != "# HELP " && line.substr(0, 7) != "# TYPE ") { fail(line_number, "free comment"); break; }
      const bool help = line[2] == 'H';
      std::string_view rest = line.substr(7);
      const size_t space = rest.find(' ');
      const std::string name(rest.substr(0, space));
      if (!detail::valid_metric_name(name)) { fail(line_number, "bad metric name '" + name + "'"); break; }
      const std::string_view tail = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
      enter(name, line_number);
      PromFamily& family = doc.families[name];
      if (!family.samples.empty()) { fail(line_number, "HELP/TYPE after samples of " + name); break; }
      if (help) {
        if (family.has_help) { fail(line_number, "second HELP for " + name); break; }
        family.has_help = true;
        // Escapes in HELP: \\ and \n only.
        for (size_t i = 0; i < tail.size(); ++i) {
          if (tail[i] != '\\') { family.help += tail[i]; continue; }
          if (i + 1 == tail.size()) { fail(line_number, "dangling backslash in HELP"); break; }
          const char e = tail[++i];
          if (e == '\\') family.help += '\\';
          else if (e == 'n') family.help += '\n';
          else { fail(line_number, "bad escape in HELP"); break; }
        }
      } else {
        if (!family.type.empty()) { fail(line_number, "second TYPE for " + name); break; }
        const std::string type(tail);
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped") {
          fail(line_number, "unknown type '" + type + "'");
          break;
        }
        family.type = type;
      }
      continue;
    }
    // A sample: name [{labels}] value [timestamp]
    size_t i = 0;
    while (i < line.size() && detail::is_name_char(line[i])) ++i;
    PromSample sample;
    sample.name = std::string(line.substr(0, i));
    if (!detail::valid_metric_name(sample.name)) { fail(line_number, "bad sample name"); break; }
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        size_t start = i;
        while (i < line.size() && detail::is_name_char(line[i])) ++i;
        const std::string label(line.substr(start, i - start));
        if (!detail::valid_label_name(label)) { fail(line_number, "bad label name '" + label + "'"); break; }
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"') { fail(line_number, "expected =\""); break; }
        i += 2;
        std::string value;
        bool closed_quote = false;
        while (i < line.size()) {
          const char c = line[i++];
          if (c == '"') { closed_quote = true; break; }
          if (c != '\\') { value += c; continue; }
          if (i == line.size()) break;
          const char e = line[i++];
          if (e == '\\') value += '\\';
          else if (e == '"') value += '"';
          else if (e == 'n') value += '\n';
          else { fail(line_number, "bad escape in label value"); break; }
        }
        if (!doc.ok()) break;
        if (!closed_quote) { fail(line_number, "unterminated label value"); break; }
        if (sample.labels.count(label)) { fail(line_number, "duplicate label " + label); break; }
        sample.labels[label] = value;
        if (i < line.size() && line[i] == ',') ++i;
        else if (i < line.size() && line[i] != '}') { fail(line_number, "expected , or }"); break; }
      }
      if (!doc.ok()) break;
      if (i >= line.size()) { fail(line_number, "unterminated label set"); break; }
      ++i;  // '}'
    }
    if (i >= line.size() || line[i] != ' ') { fail(line_number, "expected a space before the value"); break; }
    std::string_view value_text = line.substr(i + 1);
    const size_t space = value_text.find(' ');
    if (space != std::string_view::npos) {
      // Optional timestamp: an integer of milliseconds.
      const std::string_view timestamp = value_text.substr(space + 1);
      if (timestamp.empty() || timestamp.find_first_not_of("-0123456789") != std::string_view::npos) {
        fail(line_number, "bad timestamp");
        break;
      }
      value_text = value_text.substr(0, space);
    }
    if (!detail::parse_value(value_text, sample.value)) { fail(line_number, "bad value '" + std::string(value_text) + "'"); break; }
    // Counters, gauges and untyped metrics have samples named exactly like their family.
    enter(sample.name, line_number);
    PromFamily& family = doc.families[sample.name];
    if (family.type.empty()) { fail(line_number, "sample before TYPE for " + sample.name); break; }
    if (family.type == "counter" && !(sample.value >= 0)) { fail(line_number, "negative counter"); break; }
    auto& series = seen_series[sample.name];
    for (const auto& labels : series) {
      if (labels == sample.labels) fail(line_number, "duplicate series of " + sample.name);
    }
    series.push_back(sample.labels);
    family.samples.push_back(std::move(sample));
  }
  return doc;
}

}  // namespace wsrelay::http::testing
