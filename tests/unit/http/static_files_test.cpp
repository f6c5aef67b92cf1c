// Static files: content types, ETags and conditional requests (pure), and the loader against a
// real temporary folder: nested files, hidden files skipped, symlinks that escape skipped, limits.
#include "http/static_files.hpp"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/http_date.hpp"
#include "http_test_util.hpp"

using namespace wsrelay;
using namespace wsrelay::http;
using namespace wsrelay::http::testing;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "wsrelay-static-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << content;
  }

 private:
  fs::path path_;
};

const StaticFile* find(const std::vector<StaticFile>& files, std::string_view name) {
  for (const StaticFile& file : files) {
    if (file.name == name) return &file;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("content types by extension, case-insensitive, octet-stream otherwise") {
  CHECK(content_type_for("index.html") == "text/html; charset=utf-8");
  CHECK(content_type_for("wsrelay.js") == "text/javascript; charset=utf-8");
  CHECK(content_type_for("wsrelay.mjs") == "text/javascript; charset=utf-8");
  CHECK(content_type_for("style.CSS") == "text/css; charset=utf-8");
  CHECK(content_type_for("img/logo.svg") == "image/svg+xml");
  CHECK(content_type_for("a.json") == "application/json");
  CHECK(content_type_for("favicon.ico") == "image/vnd.microsoft.icon");
  CHECK(content_type_for("Makefile") == "application/octet-stream");
  CHECK(content_type_for("archive.tar.gz") == "application/octet-stream");
  CHECK(content_type_for("dir.js/file") == "application/octet-stream");
  CHECK(content_type_for("trailing.") == "application/octet-stream");
}

TEST_CASE("make_static_file: a strong ETag that follows the content, and an HTTP date") {
  const StaticFile a = make_static_file("a.js", "console.log(1)", 784111777);
  const StaticFile b = make_static_file("b.js", "console.log(1)", 0);
  const StaticFile c = make_static_file("a.js", "console.log(2)", 784111777);
  CHECK(a.etag.size() == 34);
  CHECK(a.etag.front() == '"');
  CHECK(a.etag.back() == '"');
  CHECK(a.etag == b.etag);  // same bytes, same tag
  CHECK(a.etag != c.etag);
  CHECK(a.last_modified == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(a.content_type == "text/javascript; charset=utf-8");
}

TEST_CASE("If-None-Match: lists, weak tags and *") {
  const std::string etag = "\"abc\"";
  CHECK(if_none_match_matches("\"abc\"", etag));
  CHECK(if_none_match_matches("W/\"abc\"", etag));
  CHECK(if_none_match_matches("\"x\", \"abc\"", etag));
  CHECK(if_none_match_matches("\"x\",W/\"abc\" ", etag));
  CHECK(if_none_match_matches("*", etag));
  CHECK_FALSE(if_none_match_matches("\"abcd\"", etag));
  CHECK_FALSE(if_none_match_matches("abc", etag));
  CHECK_FALSE(if_none_match_matches("", etag));
}

TEST_CASE("serve_static: 200 with validators, 304 when they match") {
  const StaticFile file = make_static_file("index.html", "<h1>hi</h1>", 1'700'000'000);
  server::HttpResponse response;
  {
    Raw raw("GET", "/");
    serve_static(file, raw.request, "no-cache", response);
  }
  CHECK(response.status == 200);
  CHECK(response.body == "<h1>hi</h1>");
  CHECK(response.content_type == "text/html; charset=utf-8");
  CHECK(header_of(response, "ETag") == file.etag);
  CHECK(header_of(response, "Last-Modified") == format_http_date(1'700'000'000));
  CHECK(header_of(response, "Cache-Control") == "no-cache");
  CHECK(header_of(response, "X-Content-Type-Options") == "nosniff");
  CHECK(header_of(response, "Access-Control-Allow-Origin").empty());  // pages stay same-origin

  // The client library may be imported as a module by another origin's page.
  {
    const StaticFile module = make_static_file("wsrelay.mjs", "export {}", 1'700'000'000);
    Raw raw("GET", "/wsrelay.mjs");
    server::HttpResponse js;
    serve_static(module, raw.request, "no-cache", js);
    CHECK(js.content_type == "text/javascript; charset=utf-8");
    CHECK(header_of(js, "Access-Control-Allow-Origin") == "*");
  }

  auto status_with = [&](std::vector<std::pair<std::string, std::string>> headers) {
    Raw raw("GET", "/", std::move(headers));
    server::HttpResponse r;
    serve_static(file, raw.request, "no-cache", r);
    if (r.status == 304) {
      CHECK(r.body.empty());
      CHECK(header_of(r, "ETag") == file.etag);  // RFC 9110 §15.4.5: validators are repeated
    }
    return r.status;
  };
  CHECK(status_with({{"If-None-Match", file.etag}}) == 304);
  CHECK(status_with({{"If-None-Match", "\"other\""}}) == 200);
  CHECK(status_with({{"If-None-Match", "\"other\""}, {"If-None-Match", file.etag}}) == 304);
  CHECK(status_with({{"If-Modified-Since", format_http_date(1'700'000'000)}}) == 304);
  CHECK(status_with({{"If-Modified-Since", format_http_date(1'800'000'000)}}) == 304);
  CHECK(status_with({{"If-Modified-Since", format_http_date(1'600'000'000)}}) == 200);
  CHECK(status_with({{"If-Modified-Since", "yesterday"}}) == 200);
  // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
  CHECK(status_with({{"If-None-Match", "\"other\""}, {"If-Modified-Since", format_http_date(1'800'000'000)}}) == 200);
}

TEST_CASE("load_static_files: nested files, no hidden files, no symlinks out of the root") {
  TempDir outside;
  outside.write("secret.txt", "top secret");
  TempDir root;
  root.write("index.html", "<html></html>");
  root.write("wsrelay.js", "var x;");
  root.write("img/logo.svg", "<svg/>");
  root.write(".env", "API_KEY=x");
  root.write(".git/config", "[core]");
  root.write("sub/.hidden.js", "no");
  fs::create_symlink(outside.path() / "secret.txt", root.path() / "leak.txt");
  fs::create_symlink(outside.path(), root.path() / "leakdir");
  fs::create_symlink(root.path() / "wsrelay.js", root.path() / "alias.js");  // inside: allowed

  std::vector<StaticFile> files;
  std::string error;
  REQUIRE_MESSAGE(load_static_files(root.path().string(), {}, files, error), error);
  std::vector<std::string> names;
  for (const StaticFile& file : files) names.push_back(file.name);
  CHECK(names == std::vector<std::string>{"alias.js", "img/logo.svg", "index.html", "wsrelay.js"});
  REQUIRE(find(files, "index.html") != nullptr);
  CHECK(find(files, "index.html")->body == "<html></html>");
  CHECK(find(files, "img/logo.svg")->content_type == "image/svg+xml");
  CHECK(find(files, "alias.js")->body == "var x;");
  for (const StaticFile& file : files) CHECK(file.body.find("secret") == std::string::npos);
}

TEST_CASE("load_static_files: limits and bad roots fail with a message") {
  TempDir root;
  root.write("a.txt", std::string(600, 'a'));
  root.write("b.txt", std::string(600, 'b'));
  std::vector<StaticFile> files;
  std::string error;
  CHECK_FALSE(load_static_files(root.path().string(), StaticLimits{1, 1u << 20}, files, error));
  CHECK(error.find("more than 1 files") != std::string::npos);
  error.clear();
  CHECK_FALSE(load_static_files(root.path().string(), StaticLimits{10, 1000}, files, error));
  CHECK(error.find("1000 bytes") != std::string::npos);
  error.clear();
  CHECK_FALSE(load_static_files((root.path() / "missing").string(), {}, files, error));
  CHECK(error.find("missing") != std::string::npos);
  error.clear();
  CHECK_FALSE(load_static_files((root.path() / "a.txt").string(), {}, files, error));
  CHECK(error.find("not a directory") != std::string::npos);
  CHECK(load_static_files(root.path().string(), StaticLimits{2, 1200}, files, error));
  CHECK(files.size() == 2);
}
