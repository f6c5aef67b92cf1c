// Endpoints: the HttpService of wsrelay — everything on the WebSocket port that is not a
// WebSocket upgrade.
//
//   GET /health           200 {"status":"ok","uptime":<seconds>}
//   GET /stats            the counters as JSON (snapshot.hpp)
//   GET /metrics          the same as Prometheus text format 0.0.4
//   /api/...              the backend publish API (api.hpp), only with an api_key
//   GET /, /<file>        the files of web_root (static_files.hpp): / is index.html
//
// HEAD works wherever GET does; a known path with another method is 405 with Allow; a GET of
// any other path is 426 Upgrade Required (every path is a WebSocket endpoint), except file-like
// names and /api, /apps paths, which are 404. Every error is the JSON shape of response.hpp.
//
// Wiring (main.cpp):
//   http::Endpoints endpoints(http_options, http::counters_of(server), &relay);  // relay may be null
//   if (!endpoints.load_static(error)) { ...exit 2... }
//   server.set_http_service(&endpoints);
// `relay` is null for `wsrelay echo` (no application counters, no API). Everything runs on the
// loop thread; handle() never blocks (the static files are already in memory).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/api.hpp"
#include "http/options.hpp"
#include "http/relay.hpp"
#include "http/router.hpp"
#include "http/snapshot.hpp"
#include "http/static_files.hpp"
#include "server/http_service.hpp"

namespace wsrelay::server {
class Server;
}

namespace wsrelay::http {

// Reads the server layer's counters at the moment of a request.
using ServerCountersSource = std::function<ServerCounters()>;
// Reads the cluster link's counters (set only when the node is in a cluster).
using ClusterCountersSource = std::function<ClusterCounters()>;

// The counters of a live server (it must outlive the returned function).
ServerCountersSource counters_of(const server::Server& server);

class Endpoints final : public server::HttpService {
 public:
  // `limits.max_body` should be the server's max_http_body and `limits.max_name_length` the
  // application's max_name_length; the rest comes from `options`.
  Endpoints(HttpOptions options, ServerCountersSource counters, Relay* relay, ApiLimits limits = {});
  Endpoints(const Endpoints&) = delete;
  Endpoints& operator=(const Endpoints&) = delete;

  // Reads web_root into memory (nothing to do when it is empty). Call before serving, and again
  // to pick up changed files (e.g. on SIGHUP): on failure the files served so far stay.
  bool load_static(std::string& error);
  // Replaces the static files with these (tests, embedding programs).
  void set_static_files(std::vector<StaticFile> files);
  const std::vector<StaticFile>& static_files() const { return files_; }

  void handle(const ws::HttpRequest& request, std::string_view body, server::HttpResponse& response) override;

  // Serves /apps/... (the Pusher REST API, pusher_api.hpp) with `api`; null turns it off.
  void set_pusher_api(server::HttpService* api) { pusher_api_ = api; }

  // What /stats and /metrics report now.
  Snapshot snapshot() const;
  // Makes /health, /stats and /metrics report the cluster link (GET /health: 503 while down).
  void set_cluster_source(ClusterCountersSource source) { cluster_ = std::move(source); }
  // Makes /stats and /metrics report Pusher webhook deliveries.
  void set_webhook_source(std::function<app::pusher::WebhookStats()> source) { webhooks_ = std::move(source); }

 private:
  void build_routes();

  HttpOptions options_;
  ServerCountersSource counters_;
  ClusterCountersSource cluster_;
  std::function<app::pusher::WebhookStats()> webhooks_;
  Relay* relay_;
  std::unique_ptr<BackendApi> api_;
  std::vector<StaticFile> files_;
  Router router_;
  server::HttpService* pusher_api_ = nullptr;
};

}  // namespace wsrelay::http
