#include "http/endpoints.hpp"

#include "http/response.hpp"
#include "server/server.hpp"
#include "ws/deflate.hpp"

namespace wsrelay::http {

ServerCountersSource counters_of(const server::Server& server) {
  return [&server] {
    ServerCounters counters{server.stats(), server.connection_count(), server.websocket_count(), server.uptime_ms()};
    counters.zlib_bytes = ws::zlib_bytes_in_use();
    return counters;
  };
}

Endpoints::Endpoints(HttpOptions options, ServerCountersSource counters, Relay* relay, ApiLimits limits)
    : options_(std::move(options)),
      counters_(std::move(counters)),
      relay_(relay) {
  limits.max_json_depth = options_.max_json_depth;
  limits.room_member_limit = options_.room_member_limit;
  if (relay_ != nullptr) api_ = std::make_unique<BackendApi>(*relay_, options_.api_key, limits);
  build_routes();
}

bool Endpoints::load_static(std::string& error) {
  if (options_.web_root.empty()) return true;
  std::vector<StaticFile> files;
  if (!load_static_files(options_.web_root, StaticLimits{options_.static_max_files, options_.static_max_bytes}, files,
                         error)) {
    return false;
  }
  set_static_files(std::move(files));
  return true;
}

void Endpoints::set_static_files(std::vector<StaticFile> files) {
  files_ = std::move(files);
  build_routes();
}

Snapshot Endpoints::snapshot() const {
  Snapshot snapshot;
  snapshot.server = counters_();
  if (relay_ != nullptr) snapshot.app = relay_->stats();
  return snapshot;
}

void Endpoints::handle(const ws::HttpRequest& request, std::string_view body, server::HttpResponse& response) {
  router_.handle(request, body, response);
}

void Endpoints::build_routes() {
  router_ = Router();
  router_.add("GET", "/health", [this](const Request&, server::HttpResponse& response) {
    set_json(response, 200, render_health(counters_().uptime_ms));
  });
  router_.add("GET", "/stats", [this](const Request&, server::HttpResponse& response) {
    set_json(response, 200, render_stats(snapshot()));
  });
  router_.add("GET", "/metrics", [this](const Request&, server::HttpResponse& response) {
    response.status = 200;
    response.content_type = std::string(kMetricsContentType);
    response.body = render_metrics(snapshot(), options_.metrics_room_limit);
    response.headers.emplace_back("Cache-Control", "no-store");
  });
  if (api_) api_->add_routes(router_);

  // Static files, each under its own path; a folder's index.html also answers for the folder
  // ("/" and "/docs/"). The handlers point into files_, which only changes together with the
  // routes (set_static_files).
  for (const StaticFile& file : files_) {
    auto serve = [&file, this](const Request& request, server::HttpResponse& response) {
      serve_static(file, request.http, options_.static_cache_control, response);
    };
    std::string path = "/" + file.name;
    router_.add_literal("GET", path, serve);
    constexpr std::string_view kIndex = "index.html";
    if (path.size() >= kIndex.size() && path.compare(path.size() - kIndex.size(), kIndex.size(), kIndex) == 0 &&
        path[path.size() - kIndex.size() - 1] == '/') {
      router_.add_literal("GET", path.substr(0, path.size() - kIndex.size()), serve);
    }
  }
}

}  // namespace wsrelay::http
