#include "http/endpoints.hpp"

#include "http/response.hpp"
#include "http/url.hpp"
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
  if (cluster_) snapshot.cluster = cluster_();
  if (webhooks_) snapshot.webhooks = webhooks_();
  return snapshot;
}

namespace {

// A path the HTTP endpoints do not serve is still a WebSocket endpoint: the server upgrades on
// any path. A GET there without Upgrade is a person opening the ws:// URL in a browser (or curl),
// and "404 not found" would send them hunting for a wrong path. Answer what is true instead:
// 426 with Upgrade: websocket (RFC 9110 §15.5.22 requires the header). File-like names
// ("/favicon.ico", "/missing.js") and the API prefixes stay 404: nobody connects a WebSocket
// client there, and a missing file or API route must say so.
bool answers_upgrade_required(const ws::HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  const std::string_view path = target_path(request.target);
  for (std::string_view api : {std::string_view("/api"), std::string_view("/apps")}) {
    if (path.substr(0, api.size()) == api && (path.size() == api.size() || path[api.size()] == '/')) return false;
  }
  const size_t slash = path.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') == std::string_view::npos;
}

}  // namespace

void Endpoints::handle(const ws::HttpRequest& request, std::string_view body, server::HttpResponse& response) {
  if (pusher_api_ != nullptr && request.path().starts_with("/apps/")) {
    pusher_api_->handle(request, body, response);
    return;
  }
  router_.handle(request, body, response);
  if (response.status == 404 && answers_upgrade_required(request)) {
    const bool head = response.head_only;
    response = server::HttpResponse();
    set_error(response, 426, error_code::kUpgradeRequired,
              "this is a WebSocket endpoint: connect with a WebSocket client (ws:// or wss://, "
              "Upgrade: websocket); the HTTP endpoints are /, /health, /stats and /metrics");
    response.headers.emplace_back("Upgrade", "websocket");
    response.head_only = head || request.method == "HEAD";
  }
}

void Endpoints::build_routes() {
  router_ = Router();
  router_.add("GET", "/health", [this](const Request&, server::HttpResponse& response) {
    if (!cluster_) {
      set_json(response, 200, render_health(counters_().uptime_ms));
      return;
    }
    const ClusterCounters cluster = cluster_();
    set_json(response, cluster.up ? 200 : 503, render_health(counters_().uptime_ms, &cluster));
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
