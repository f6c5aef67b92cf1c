// The generated documents stay in step with the key table:
//   docs/configuration.md   the section between the GENERATED markers
//   deploy/wsrelay.conf.example   the whole file
// When a key changes, regenerate both with:
//   WSRELAY_UPDATE_GENERATED=1 ./build/unit_tests -tc='generated*'
// and review the diff.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/loader.hpp"
#include "config/report.hpp"

namespace fs = std::filesystem;
using namespace wsrelay::config;

namespace {

constexpr std::string_view kBegin =
    "<!-- BEGIN GENERATED: key reference (tests/unit/config/docs_test.cpp) -->\n";
constexpr std::string_view kEnd = "<!-- END GENERATED -->\n";

// The repository root: this file is tests/unit/config/docs_test.cpp, compiled with a path
// relative to the root (the Makefile runs from there); fall back to the working directory.
fs::path repo_root() {
  const fs::path from_source = fs::path(__FILE__).parent_path() / ".." / ".." / "..";
  if (fs::exists(from_source / "docs")) return from_source;
  return fs::current_path();
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

bool updating() {
  const char* flag = std::getenv("WSRELAY_UPDATE_GENERATED");
  return flag != nullptr && std::string_view(flag) == "1";
}

void write_all(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("generated: docs/configuration.md key reference matches the key table") {
  const fs::path path = repo_root() / "docs" / "configuration.md";
  std::string doc = read_all(path);
  REQUIRE_MESSAGE(!doc.empty(), "cannot read " << path << " (run from the repository root)");
  const size_t begin = doc.find(kBegin);
  const size_t end = doc.find(kEnd);
  REQUIRE_MESSAGE(begin != std::string::npos, "missing marker " << kBegin);
  REQUIRE(end != std::string::npos);
  REQUIRE(begin < end);
  const size_t body = begin + kBegin.size();
  const std::string expected = render_key_reference();
  if (updating()) {
    doc.replace(body, end - body, expected);
    write_all(path, doc);
  } else {
    CHECK_MESSAGE(doc.substr(body, end - body) == expected,
                  "docs/configuration.md is stale: WSRELAY_UPDATE_GENERATED=1 ./build/unit_tests "
                  "-tc='generated*'");
  }
}

TEST_CASE("generated: docs/configuration.md mentions every key, env name and flag") {
  const std::string doc = read_all(repo_root() / "docs" / "configuration.md");
  for (const KeyInfo& key : all_keys()) {
    CHECK_MESSAGE(doc.find("`" + std::string(key.name) + "`") != std::string::npos, key.name);
    CHECK_MESSAGE(doc.find(env_name(key.name)) != std::string::npos, key.name);
    CHECK_MESSAGE(doc.find(flag_name(key.name)) != std::string::npos, key.name);
  }
  // The rules that are not in the table.
  for (const char* phrase : {"WEBSOCKET_CONFIG", "--config", "ignore_env", "check-config",
                             "(set, hidden)", "exit status 2"}) {
    CHECK_MESSAGE(doc.find(phrase) != std::string::npos, phrase);
  }
}

TEST_CASE("generated: deploy/wsrelay.conf.example matches the key table") {
  const fs::path path = repo_root() / "deploy" / "wsrelay.conf.example";
  const std::string expected = render_example_config();
  if (updating()) write_all(path, expected);
  CHECK_MESSAGE(read_all(path) == expected,
                "deploy/wsrelay.conf.example is stale: WSRELAY_UPDATE_GENERATED=1 "
                "./build/unit_tests -tc='generated*'");
}

TEST_CASE("generated: the example file, uncommented, is valid and gives the defaults") {
  // Turn every "# key = value" line into "key = value".
  std::istringstream lines(render_example_config());
  std::string uncommented;
  size_t settings = 0;
  for (std::string line; std::getline(lines, line);) {
    const size_t equals = line.find(" =");
    if (line.rfind("# ", 0) == 0 && equals != std::string::npos &&
        find_key(std::string_view(line).substr(2, equals - 2)) != nullptr) {
      line = line.substr(2);
      ++settings;
    }
    uncommented += line + "\n";
  }
  CHECK(settings == all_keys().size());
  const FileReader reader = [&](const std::string&, std::string& text, std::string&) {
    text = uncommented;
    return true;
  };
  const LoadResult result = resolve_settings({"--config", "example.conf"}, {}, reader, {});
  std::string errors;
  for (const LoadError& e : result.errors) errors += format_error(e) + "\n";
  for (const LoadError& w : result.warnings) errors += "warning: " + format_error(w) + "\n";
  INFO(errors);
  REQUIRE(result.ok());
  CHECK(result.warnings.empty());
  const Settings defaults;
  for (const KeyInfo& key : all_keys()) {
    CHECK_MESSAGE(key.access.load(result.settings) == key.access.load(defaults), key.name);
    CHECK(result.origin_of(key.name).kind == Origin::Kind::kFile);
  }
}
