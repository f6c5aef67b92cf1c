// The embeddable API (include/wsrelay/server.hpp) on top of the Runtime.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>

#include "app/client.hpp"
#include "app/json_protocol.hpp"
#include "config/loader.hpp"
#include "config/report.hpp"
#include "runtime/runtime.hpp"
#include "server/server.hpp"
#include "wsrelay/server.hpp"

namespace wsrelay {

struct Server::Impl final : app::Application {
  std::vector<std::string> settings;
  std::map<std::string, Handler, std::less<>> handlers;
  std::unique_ptr<runtime::Runtime> runtime;

  app::Dispatcher* dispatcher() { return runtime ? &runtime->protocol()->dispatcher() : nullptr; }
  app::Client* find(std::string_view client_id) {
    app::Dispatcher* d = dispatcher();
    return d ? d->find_client(client_id) : nullptr;
  }
  void fire(std::string_view name, app::Peer& peer, std::string_view json) {
    auto it = handlers.find(name);
    if (it == handlers.end() || peer.client == nullptr) return;
    Event event{name, peer.client->id, json, {}, {}};
    it->second(event);
  }

  // app::Application, as the runtime's observer.
  void on_open(app::Peer& peer, const app::ConnectInfo&) override { fire("connection", peer, {}); }
  void on_message(app::Peer& peer, app::PayloadKind kind, std::span<const uint8_t> payload) override {
    if (kind != app::PayloadKind::kText) return;
    fire("message", peer, {reinterpret_cast<const char*>(payload.data()), payload.size()});
  }
  void on_close(app::Peer& peer, uint16_t, std::string_view) override { fire("close", peer, {}); }
};

Server::Server(std::vector<std::string> settings) : impl_(std::make_unique<Impl>()) {
  impl_->settings = std::move(settings);
}

Server::~Server() = default;

void Server::on(std::string_view event, Handler handler) { impl_->handlers[std::string(event)] = std::move(handler); }

bool Server::start(std::string* error) {
  // "key=value" settings become "--key-name=value" flags: one parser, one set of rules.
  std::vector<std::string> args;
  for (const std::string& setting : impl_->settings) {
    const size_t eq = setting.find('=');
    std::string key = setting.substr(0, eq);
    for (char& c : key) c = c == '_' ? '-' : c;
    args.push_back("--" + key + (eq == std::string::npos ? "" : setting.substr(eq)));
  }
  config::LoadOptions options;
  const config::LoadResult loaded = config::resolve_settings(args, {}, config::read_config_file, options);
  if (!loaded.ok()) {
    if (error) *error = config::format_error(loaded.errors.front());
    return false;
  }
  impl_->runtime = std::make_unique<runtime::Runtime>(loaded.settings, config::Mode::kServe);
  impl_->runtime->set_observer(impl_.get());
  app::JsonProtocol& protocol = *impl_->runtime->protocol();
  for (auto& [name, handler] : impl_->handlers) {
    if (name == "connection" || name == "message" || name == "close") continue;
    Handler* target = &handler;
    protocol.on_event(name, [target](app::CustomEvent& custom) {
      rapidjson::StringBuffer text;
      rapidjson::Writer<rapidjson::StringBuffer> writer(text);
      custom.request.Accept(writer);
      Event event{custom.name, custom.client.id, {text.GetString(), text.GetSize()}, {}, {}};
      (*target)(event);
      if (!event.error_code.empty()) custom.fail(event.error_code, event.error_message);
    });
  }
  std::string reason;
  if (!impl_->runtime->start(reason)) {
    if (error) *error = reason;
    return false;
  }
  return true;
}

int Server::run() { return impl_->runtime ? impl_->runtime->run() : 1; }
void Server::stop() {
  if (impl_->runtime) impl_->runtime->stop();
}
uint16_t Server::port() const { return impl_->runtime ? impl_->runtime->port() : 0; }

bool Server::send(std::string_view client_id, std::string_view json) {
  app::Client* client = impl_->find(client_id);
  return client != nullptr && impl_->dispatcher()->send(*client, json) == 1;
}

size_t Server::broadcast(std::string_view json, std::string_view except_client_id) {
  app::Dispatcher* d = impl_->dispatcher();
  return d ? d->broadcast(json, impl_->find(except_client_id)) : 0;
}

size_t Server::send_to_room(std::string_view room, std::string_view json, std::string_view except_client_id) {
  app::Dispatcher* d = impl_->dispatcher();
  const app::Room* target = d ? d->find_room(room) : nullptr;
  return target ? d->send_to_room(*target, json, impl_->find(except_client_id)) : 0;
}

bool Server::join_room(std::string_view client_id, std::string_view room) {
  app::Client* client = impl_->find(client_id);
  return client != nullptr && impl_->dispatcher()->join(*client, room) == app::Status::kOk;
}

bool Server::leave_room(std::string_view client_id, std::string_view room) {
  app::Client* client = impl_->find(client_id);
  return client != nullptr && impl_->dispatcher()->leave(*client, room) == app::Status::kOk;
}

size_t Server::client_count() const {
  const app::Dispatcher* d = impl_->dispatcher();
  return d ? d->client_count() : 0;
}

std::vector<std::string> Server::clients() const {
  std::vector<std::string> ids;
  if (const app::Dispatcher* d = impl_->dispatcher()) d->for_each_client([&](const app::Client& c) { ids.push_back(c.id); });
  return ids;
}

}  // namespace wsrelay
