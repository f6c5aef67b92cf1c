#include "runtime/runtime.hpp"

#include <signal.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "app/echo_application.hpp"
#include "app/front_ends.hpp"
#include "app/json_protocol.hpp"
#include "cluster/cluster.hpp"
#include "app/pusher/protocol.hpp"
#include "http/endpoints.hpp"
#include "http/json_relay.hpp"
#include "http/pusher_api.hpp"
#include "runtime/webhook_service.hpp"
#include "log/logger.hpp"
#include "net/client_socket.hpp"
#include "net/event_loop.hpp"
#include "net/signal_watcher.hpp"
#include "net/tls_context.hpp"
#include "net/tls_transport.hpp"
#include "runtime/gates.hpp"
#include "server/server.hpp"

namespace wsrelay::runtime {

namespace {

uint64_t ms(std::chrono::seconds s) { return static_cast<uint64_t>(s.count()) * 1000u; }

server::ServerOptions server_options(const config::Settings& s) {
  server::ServerOptions o;
  o.host = s.host;
  o.port = s.port;
  o.max_clients = s.max_clients;
  o.max_clients_per_ip = s.max_clients_per_ip;
  o.max_message_size = s.max_message_size;
  o.max_pending_output = s.max_pending_output;
  o.max_header_size = s.max_header_size;
  o.max_http_body = s.max_http_body;
  o.idle_timeout_ms = ms(s.timeout);
  o.ping_interval_ms = ms(s.ping_interval);
  o.ping_timeout_ms = ms(s.ping_timeout);
  o.handshake_timeout_ms = ms(s.handshake_timeout);
  o.close_timeout_ms = ms(s.close_timeout);
  o.shutdown_timeout_ms = ms(s.shutdown_timeout);
  using Compression = server::ServerOptions::Compression;
  o.compression = s.compression == "off"         ? Compression::kOff
                  : s.compression == "dedicated" ? Compression::kDedicated
                                                 : Compression::kShared;
  o.compression_window_bits = static_cast<uint8_t>(s.compression_window_bits);
  o.compression_threshold = s.compression_threshold;
  return o;
}

// room_notices / a room's :notices= (already validated by the configuration layer); empty = unset.
std::optional<app::NoticeMode> notice_mode(std::string_view text) {
  if (text == "each") return app::NoticeMode::kEach;
  if (text == "batched") return app::NoticeMode::kBatched;
  if (text == "off") return app::NoticeMode::kOff;
  return std::nullopt;
}

app::AppOptions app_options(const config::Settings& s) {
  app::AppOptions o;
  o.rooms_enabled = s.rooms_enabled;
  o.default_room = s.default_room;
  o.max_rooms_per_client = s.max_rooms_per_client;
  for (const config::RoomSpec& spec : s.rooms) {
    o.rooms.push_back({spec.name, spec.is_private, spec.max_clients, notice_mode(spec.notices)});
  }
  o.max_name_length = s.max_name_length;
  o.max_json_depth = s.max_json_depth;
  o.max_json_size = s.max_message_size;
  o.member_list_limit = s.member_list_limit;
  o.room_notices = notice_mode(s.room_notices).value_or(app::NoticeMode::kEach);
  o.auth.enabled = s.auth_enabled;
  o.auth.secret = s.auth_secret;
  o.auth.timeout_ms = static_cast<int64_t>(ms(s.auth_timeout));
  o.auth.clock_skew_s = s.auth_clock_skew.count();
  // Configuration allows larger values than the limiter's fields hold; clamp (65535 messages of
  // burst or warnings is already "unlimited" in practice).
  o.rate_limit.messages_per_minute = static_cast<uint32_t>(std::min<size_t>(s.rate_limit, UINT32_MAX));
  o.rate_limit.burst = static_cast<uint16_t>(std::min<size_t>(s.rate_limit_burst, UINT16_MAX));
  o.rate_limit.max_warnings = static_cast<uint16_t>(std::min<size_t>(s.rate_limit_warnings, UINT16_MAX));
  o.log_payloads = s.log_payloads;
  return o;
}

app::pusher::PusherOptions pusher_options(const config::Settings& s) {
  app::pusher::PusherOptions o;
  o.app_id = s.pusher_app_id;
  o.key = s.pusher_app_key;
  o.secret = s.pusher_app_secret;
  o.activity_timeout_s = s.pusher_activity_timeout.count();
  // Pusher waits 30 s for the pong; a shorter activity timeout (tests, aggressive setups) waits
  // as long as the timeout itself.
  o.pong_timeout_s = std::min<int64_t>(30, o.activity_timeout_s);
  o.max_connections = s.pusher_max_connections;
  o.max_presence_members = s.pusher_max_presence_members;
  o.max_user_info = s.pusher_max_user_info;
  o.client_events = s.pusher_client_events;
  o.client_event_rate = static_cast<uint32_t>(std::min<size_t>(s.pusher_client_event_rate, UINT32_MAX));
  return o;
}

// The kernel's CSPRNG, for client ids (the application layer makes no syscalls itself).
void os_random(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n > 0) done += static_cast<size_t>(n);
    else if (errno != EINTR) std::abort();  // no randomness: refusing beats guessable ids
  }
}

// web_root "" means: the web/ folder of a source checkout (beside build/), else the installed one.
std::string resolve_web_root(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (std::filesystem::path dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      if (std::filesystem::is_regular_file(dir / "web" / "index.html", ec)) return (dir / "web").string();
    }
    const std::filesystem::path installed = exe.parent_path().parent_path() / "share" / "wsrelay" / "web";
    if (std::filesystem::is_directory(installed, ec)) return installed.string();
  }
  return {};
}

// node_id "" means: this machine's host name and the process id ("web-1-4242"), squeezed into
// the characters a node id may have.
std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string id;
  for (const char* c = host; *c != '\0' && id.size() < 40; ++c) {
    const bool ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '.' ||
                    *c == '_' || *c == '-';
    id.push_back(ok ? *c : '-');
  }
  if (id.empty()) id = "node";
  return id + "-" + std::to_string(getpid());
}

// The cluster membership for redis_url (validated already). Resolving a host name may block:
// this runs at start-up, before the loop.
std::unique_ptr<cluster::Cluster> make_cluster(net::EventLoop& loop, const config::Settings& s, std::string& error) {
  cluster::ClusterOptions o;
  std::string problem;
  if (!cluster::parse_redis_url(s.redis_url, o.link.endpoint, problem)) {
    error = "redis_url " + cluster::redact_redis_url(s.redis_url) + " " + problem;
    return nullptr;
  }
  if (!o.link.endpoint.is_unix() && !net::resolve_host(o.link.endpoint.host, o.link.endpoint.host, problem)) {
    error = "redis_url: " + problem;
    return nullptr;
  }
  o.url_for_logs = cluster::redact_redis_url(s.redis_url);
  o.prefix = s.cluster_prefix;
  o.node_id = s.node_id.empty() ? default_node_id() : s.node_id;
  uint8_t random[8];
  os_random(random);
  for (uint8_t byte : random) o.epoch = (o.epoch << 8) | byte;
  o.link.seed = o.epoch;
  return std::make_unique<cluster::Cluster>(loop, std::move(o));
}

http::ClusterCounters cluster_counters(const cluster::Cluster& c) {
  const cluster::ClusterStatus s = c.status();
  http::ClusterCounters out;
  out.node_id = c.options().node_id;
  out.prefix = c.options().prefix;
  out.state = std::string(cluster::name_of(s.link.state));
  out.up = s.link.state == cluster::LinkState::kUp;
  out.state_for_ms = s.state_for_ms;
  out.last_error = std::string(cluster::name_of(s.link.last_error));
  out.connects = s.link.connects;
  out.disconnects = s.link.disconnects;
  out.failed_attempts = s.link.failed_attempts;
  out.published = s.bus.published;
  out.publish_refused = s.bus.publish_refused;
  out.received = s.bus.received;
  out.missed = s.bus.missed;
  out.malformed = s.bus.malformed;
  out.peers = s.peers;
  return out;
}

}  // namespace

// Everything the runtime owns, in construction order (destroyed in reverse).
struct Runtime::Parts final : net::SignalHandler, server::ServerObserver, server::TransportFactory, net::Timer {
  Parts(const config::Settings& s, config::Mode m) : settings(s), mode(m) {}

  config::Settings settings;
  config::Mode mode;
  net::EventLoop loop;
  ForwardingApplication forward;
  std::unique_ptr<server::Server> server;
  std::unique_ptr<app::HostFork> fork;  // one tick listener per front end
  std::unique_ptr<app::JsonProtocol> protocol;
  // Before the front end that calls it, so it outlives the front end's last call.
  std::unique_ptr<WebhookService> webhooks;
  std::unique_ptr<app::pusher::PusherProtocol> pusher;  // on the protocol's dispatcher
  std::unique_ptr<app::FrontEndRouter> router;
  std::unique_ptr<http::PusherApi> pusher_api;
  std::unique_ptr<app::EchoApplication> echo;
  std::unique_ptr<http::JsonRelay> relay;
  std::unique_ptr<http::Endpoints> endpoints;
  std::unique_ptr<net::SignalWatcher> signals;
  std::unique_ptr<AccessGates> gates;
  std::unique_ptr<cluster::Cluster> cluster;
  net::TlsContext tls;
  int stop_requests = 0;

  // ---- net::SignalHandler ---------------------------------------------------------------
  void on_signal(int number) override {
    if (number == SIGHUP) {
      reload();
      return;
    }
    if (++stop_requests == 1) {
      if (cluster) cluster->leave();  // peers drop this node now, not after its keys expire
      log::info("received ", number == SIGINT ? "SIGINT" : "SIGTERM", ": shutting down gracefully (",
                server->websocket_count(), " clients; deadline ", settings.shutdown_timeout.count(), " s)");
      if (pusher) pusher->shutdown();  // 4200: pusher-js reconnects at once (1001 would not say so)
      if (webhooks) webhooks->dispatcher().drain();  // delayed vacated/removed leave now
      server->shutdown();
    } else {
      log::warn("second stop signal: exiting without waiting for clients");
      loop.stop();
    }
  }

  void reload() {
    std::string error;
    if (!log::logger().reopen(error)) log::error("log reopen failed: ", error);
    log::info("SIGHUP: log reopened");
    if (settings.ssl_enabled) {
      // New connections get the new certificate; open ones keep the session they have.
      if (tls.load({settings.ssl_cert_path, settings.ssl_key_path, settings.ssl_chain_path}, error)) {
        log::info("TLS certificate reloaded from ", settings.ssl_cert_path, ": ", tls.description());
        if (tls.expired()) log::warn("the TLS certificate has expired: clients will refuse it");
      } else {
        log::error("TLS reload failed, keeping the previous certificate (", tls.description(), "): ", error);
      }
    }
    if (endpoints && !endpoints->load_static(error)) log::error("web files reload failed: ", error);
  }

  // ---- server::TransportFactory -----------------------------------------------------------
  net::Transport* create(int fd) override { return net::TlsTransport::create(tls.get(), fd); }

  // ---- server::ServerObserver -> log lines ---------------------------------------------------
  void on_listening(std::string_view address) override {
    log::info("wsrelay ", mode == config::Mode::kEcho ? "echo" : "serve", " listening on ",
              settings.ssl_enabled ? "wss://" : "ws://", address, " (max_clients=", settings.max_clients,
              ", max_message_size=", settings.max_message_size, ", max_pending_output=", settings.max_pending_output,
              ", ping_interval=", settings.ping_interval.count(), "s, timeout=", settings.timeout.count(), "s)");
  }
  void on_open(std::string_view peer, std::string_view path) override { log::info("open ", peer, " ", path); }
  void on_close(std::string_view peer, uint16_t code, std::string_view reason, std::string_view initiator) override {
    log::info("close ", peer, " code=", code, " reason=\"", reason, "\" by ", initiator);
  }
  void on_reject(std::string_view peer, server::Reject reason, std::string_view detail) override {
    // Failed TLS handshakes are mostly scanners and plain-HTTP probes: counted in /stats,
    // logged only at debug level.
    if (reason == server::Reject::kTlsHandshake) {
      log::debug("reject ", peer, " ", server::kRejectNames[static_cast<size_t>(reason)], ": ", detail);
      return;
    }
    log::info("reject ", peer, " ", server::kRejectNames[static_cast<size_t>(reason)], ": ", detail);
  }
  void on_http(std::string_view peer, std::string_view method, std::string_view target, int status) override {
    log::debug("http ", peer, " ", method, " ", target, " -> ", status);
  }
  void on_error(std::string_view what) override { log::error(what); }

  // ---- net::Timer: the periodic one-line stats summary ---------------------------------------
  void on_timer() override {
    const server::ServerStats& s = server->stats();
    log::info("stats clients=", server->websocket_count(), " connections=", server->connection_count(),
              " messages_in=", s.messages_in, " messages_out=", s.messages_out, " bytes_in=", s.bytes_in,
              " bytes_out=", s.bytes_out, " upgrades=", s.upgrades, " http_requests=", s.http_requests);
    loop.timers().schedule_in(*this, ms(settings.stats_interval));
  }
};

Runtime::Runtime(const config::Settings& settings, config::Mode mode, bool broadcast_echo)
    : parts_(std::make_unique<Parts>(settings, mode)) {
  Parts& p = *parts_;
  p.server = std::make_unique<server::Server>(p.loop, server_options(settings), p.forward);
  if (mode == config::Mode::kEcho) {
    p.echo = std::make_unique<app::EchoApplication>(
        *p.server, broadcast_echo ? app::EchoApplication::Mode::kBroadcast : app::EchoApplication::Mode::kEcho);
    p.forward.target = p.echo.get();
  } else {
    p.fork = std::make_unique<app::HostFork>(*p.server);
    p.protocol = std::make_unique<app::JsonProtocol>(p.fork->branch(app::kJsonFrontEnd), app_options(settings), os_random);
    app::pusher::PusherOptions pusher = pusher_options(settings);
    if (pusher.enabled()) {
      p.pusher = std::make_unique<app::pusher::PusherProtocol>(p.fork->branch(app::kPusherFrontEnd),
                                                                p.protocol->dispatcher(), std::move(pusher), os_random);
    }
    p.router = std::make_unique<app::FrontEndRouter>(*p.protocol, p.pusher.get());
    p.forward.target = p.router.get();
    p.relay = std::make_unique<http::JsonRelay>(*p.protocol);
    if (p.pusher) {
      p.relay->set_extra_stats([&p](app::StatsSnapshot& stats) {
        const app::pusher::PusherStats& s = p.pusher->stats();
        stats.pusher = {{"api_events", s.api_events},       {"client_events", s.client_events},
                        {"connections", s.connections},     {"connections_total", s.connections_total},
                        {"errors", s.errors},               {"subscription_errors", s.subscription_errors},
                        {"subscriptions", s.subscriptions}};
      });
    }
  }
  p.server->set_observer(&p);
}

Runtime::~Runtime() = default;

bool Runtime::start(std::string& error) {
  Parts& p = *parts_;
  const config::Settings& s = p.settings;
  log::Logger& logger = log::logger();
  logger.set_level(s.log_level);
  if (!s.api_key.empty()) logger.add_secret(s.api_key);
  if (!s.auth_secret.empty()) logger.add_secret(s.auth_secret);
  if (!s.pusher_app_secret.empty()) logger.add_secret(s.pusher_app_secret);
  if (!logger.open(s.log_path, error)) return false;

  p.gates = std::make_unique<AccessGates>();
  if (!p.gates->configure(s, error)) return false;
  if (p.gates->has_address_rules() || p.gates->has_trusted_proxies()) p.server->set_address_gate(p.gates.get());
  p.server->set_upgrade_gate(p.gates.get());
  if (p.gates->allows_any_origin() && !s.auth_enabled) {
    log::warn("cors_origins allows every Origin and authentication is off: fine for development, "
              "not for a public server (see docs/security.md)");
  }

  if (s.ssl_enabled) {
    if (!p.tls.load({s.ssl_cert_path, s.ssl_key_path, s.ssl_chain_path}, error)) return false;
    log::info("TLS certificate from ", s.ssl_cert_path, ": ", p.tls.description());
    if (p.tls.expired()) log::warn("the TLS certificate has expired: clients will refuse it");
    p.server->set_transport_factory(&p);
  }

  http::HttpOptions http_options;
  http_options.api_key = s.api_key;
  http_options.web_root = resolve_web_root(s.web_root);
  http_options.max_json_depth = s.max_json_depth;
  http::ApiLimits limits;
  limits.max_body = s.max_http_body;
  limits.max_name_length = s.max_name_length;
  // The application closes rate-limited clients itself (app/close_reasons.hpp): the server's
  // rejection counters report those closes under rate_limited.
  http::ServerCountersSource counters = [&p, server_counters = http::counters_of(*p.server)] {
    http::ServerCounters c = server_counters();
    if (p.protocol) {
      c.stats.rejects[static_cast<size_t>(server::Reject::kRateLimited)] +=
          p.protocol->closes(app::CloseCause::kRateLimited);
    }
    return c;
  };
  p.endpoints = std::make_unique<http::Endpoints>(http_options, std::move(counters), p.relay.get(), limits);
  if (!p.endpoints->load_static(error)) return false;
  if (p.pusher) {
    p.pusher_api = std::make_unique<http::PusherApi>(
        *p.pusher, [&p] { return p.server->wall_clock_ms() / 1000; }, s.max_http_body, s.max_json_depth);
    p.endpoints->set_pusher_api(p.pusher_api.get());
    log::info("Pusher protocol on /app/", s.pusher_app_key, ", REST API on /apps/",
              s.pusher_app_id.empty() ? "(off: pusher_app_id is not set)" : s.pusher_app_id);
    if (!s.pusher_webhook_url.empty()) {
      p.webhooks = WebhookService::create(
          p.loop, webhook_service_options(s, s.pusher_app_key, s.pusher_app_secret), error);
      if (!p.webhooks) return false;
      p.pusher->set_webhooks(&p.webhooks->events());
      p.endpoints->set_webhook_source([w = p.webhooks.get()] { return w->dispatcher().stats(); });
      log::info("Pusher webhooks POSTed to ", p.webhooks->url(), " (", s.pusher_webhook_events, ")");
    }
  } else if (p.protocol && (!s.pusher_app_key.empty() || !s.pusher_app_secret.empty())) {
    log::warn("the Pusher protocol needs both pusher_app_key and pusher_app_secret: it stays off");
  }
  if (!p.pusher && !s.pusher_webhook_url.empty()) {
    log::warn("pusher_webhook_url is set but the Pusher protocol is off: no webhooks are sent");
  }
  if (http_options.web_root.empty()) log::warn("no web_root found: / and /wsrelay.js are not served");
  p.server->set_http_service(p.endpoints.get());

  if (!s.redis_url.empty() && p.mode == config::Mode::kEcho) {
    log::warn("redis_url is ignored by `wsrelay echo`: an echo server has nothing to share with other nodes");
  } else if (!s.redis_url.empty()) {
    p.cluster = make_cluster(p.loop, s, error);
    if (!p.cluster) return false;
    const std::string& password = p.cluster->options().link.endpoint.password;
    if (!password.empty()) logger.add_secret(password);
    p.endpoints->set_cluster_source([c = p.cluster.get()] { return cluster_counters(*c); });
  }

  net::ignore_sigpipe();
  p.signals = std::make_unique<net::SignalWatcher>(p.loop, p, std::initializer_list<int>{SIGINT, SIGTERM, SIGHUP});
  if (!p.signals->ok()) {
    error = "signalfd failed";
    return false;
  }
  if (!p.server->listen(error)) return false;
  if (p.cluster) p.cluster->start();
  if (s.stats_interval.count() > 0) p.loop.timers().schedule_in(p, ms(s.stats_interval));
  return true;
}

int Runtime::run() {
  Parts& p = *parts_;
  const bool ok = p.loop.run();
  const server::ServerStats& s = p.server->stats();
  log::info("wsrelay stopped after ", p.server->uptime_ms() / 1000, " s: ", s.upgrades, " WebSocket connections, ",
            s.messages_in, " messages in, ", s.messages_out, " out");
  return ok ? 0 : 1;
}

void Runtime::stop() {
  if (parts_->cluster) parts_->cluster->leave();
  if (parts_->pusher) parts_->pusher->shutdown();
  parts_->server->shutdown();
}
cluster::Cluster* Runtime::cluster() { return parts_->cluster.get(); }
uint16_t Runtime::port() const { return parts_->server->port(); }
net::EventLoop& Runtime::loop() { return parts_->loop; }
server::Server& Runtime::server() { return *parts_->server; }
app::JsonProtocol* Runtime::protocol() { return parts_->protocol.get(); }
void Runtime::set_observer(app::Application* observer) { parts_->forward.observer = observer; }

}  // namespace wsrelay::runtime
