// PusherApi: Pusher's HTTP REST API
// (https://pusher.com/docs/channels/library_auth_reference/rest-api/) under /apps/{app_id}/, so
// pusher-php-server (Laravel's broadcaster), pusher-http-node and the other server SDKs work
// unchanged:
//
//   POST /apps/{id}/events                          {name, data, channel|channels, socket_id?,
//   info?}
//                                                    -> {} | {"channels": {name:
//                                                    {subscription_count, user_count?}}}
//   POST /apps/{id}/batch_events                    {batch: [{channel, name, data, socket_id?,
//   info?}, ...]}
//                                                    -> {} | {"batch": [{subscription_count?,
//                                                    user_count?}, ...]}
//   GET  /apps/{id}/channels ?filter_by_prefix=&info=user_count,subscription_count
//                                                    -> {"channels": {name: {...}}}
//   GET  /apps/{id}/channels/{name}                 ?info=... -> {"occupied",
//   "subscription_count"?, "user_count"?} GET  /apps/{id}/channels/{name}/users (presence) ->
//   {"users": [{"id"}]} POST /apps/{id}/users/{user_id}/terminate_connections  -> {}
//
// Checks, in order: an app id other than pusher_app_id -> 404; the request signature
// (signatures.hpp: wrong key, stale timestamp, body MD5, signature) -> 401; a body that is not a
// JSON object -> 400; event data over 10 KB -> 413; no channel or more than 100 -> 400 (batch:
// more than 10 events -> 400); a bad channel name, event name or socket_id -> 400; info=user_count
// on a non-presence channel -> 400. Every error is the JSON error shape of response.hpp.
//
// Channels are the dispatcher's rooms (one namespace with the JSON protocol): a room with JSON
// members is an occupied channel too, and subscription_count counts every member.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "app/json_parser.hpp"
#include "app/pusher/protocol.hpp"
#include "server/http_service.hpp"

namespace wsrelay::http {

class PusherApi final : public server::HttpService {
 public:
  // `wall_clock_s` gives Unix seconds (the signature's timestamp window); `max_json_depth`
  // bounds request bodies as the rest of the API does.
  PusherApi(app::pusher::PusherProtocol& pusher, std::function<int64_t()> wall_clock_s,
            size_t max_body, size_t max_json_depth);

  // Is `path` one of ours ("/apps/...")?
  static bool handles(std::string_view path) { return path.starts_with("/apps/"); }

  void handle(const ws::HttpRequest& request, std::string_view body,
              server::HttpResponse& response) override;

 private:
  struct Info {
    bool subscription_count = false;
    bool user_count = false;
  };
  void trigger(std::string_view body, server::HttpResponse& response);
  void batch(std::string_view body, server::HttpResponse& response);
  void channels(const std::string& query, server::HttpResponse& response);
  void channel(std::string_view name, const std::string& query, server::HttpResponse& response);
  void users(std::string_view name, server::HttpResponse& response);
  void terminate(std::string_view user_id, server::HttpResponse& response);
  bool parse_body(std::string_view body, server::HttpResponse& response);
  static bool parse_info(std::string_view text, Info& out);
  // {"subscription_count":n,"user_count":m} as requested; "" when nothing was.
  std::string channel_info(std::string_view name, const Info& info) const;
  template <typename JsonWriter>
  void write_counts(JsonWriter& w, std::string_view name, const Info& info) const;

  app::pusher::PusherProtocol& pusher_;
  std::function<int64_t()> wall_clock_s_;
  app::JsonParser parser_;
};

}  // namespace wsrelay::http
