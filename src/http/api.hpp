// The backend publish API: how a PHP backend (a CodeIgniter controller, a Laravel job, a cron
// script) makes pages react right after it writes to its database. docs/backend.md is the
// reference with examples; this is the contract:
//
//   POST /api/signal     {"name": s, "data"?: any, "room"?: s|null} -> 200 {"delivered": n}
//   POST /api/publish    {"room": s, "message": any}                -> 200 {"delivered": n}
//   POST /api/broadcast  {"message": any}                           -> 200 {"delivered": n}
//   POST /api/send       {"client_id": s, "message": any}           -> 200 {"delivered": n}
//   GET  /api/rooms                                                 -> 200 {"rooms": [...], "count": n}
//   GET  /api/rooms/{room}   (the name percent-encoded)             -> 200 {"name": s, ...} | 404
//
// Checks, in this order, each answered with the JSON error shape of response.hpp:
//   no api_key configured -> 404 for every /api/ path (the routes are not even registered);
//   Authorization is not "Bearer <api_key>" -> 401 with WWW-Authenticate: Bearer (RFC 6750 §3);
//   a POST whose Content-Type is not application/json -> 415 (a form-encoded body is a client
//     bug we would rather name than guess at);
//   body not JSON, nested deeper than max_json_depth, or not an object -> 400;
//   a required member missing -> 400 missing_field; of the wrong type -> 400 invalid_field;
//   a room or signal name empty, too long or with control characters -> 400 invalid_name;
//   rooms disabled but a room given -> 409 rooms_disabled; unknown client id -> 404 unknown_client.
//
// The key is never stored, logged or compared as text: only its SHA-256 digest is kept, and the
// digest of the presented credential is compared with CRYPTO_memcmp, so neither the content nor
// the length of the key leaks through timing.
#pragma once

#include <string>
#include <string_view>

#include "app/json_parser.hpp"
#include "http/digest.hpp"
#include "http/relay.hpp"
#include "http/router.hpp"

namespace wsrelay::http {

// The configured API key, kept only as a digest.
class ApiKey {
 public:
  explicit ApiKey(std::string_view key);
  bool enabled() const { return enabled_; }
  // Does an Authorization field value carry this key as a Bearer credential (RFC 6750 §2.1)?
  // The scheme name is case-insensitive (RFC 9110 §11.1). Always false when disabled.
  bool authorizes(std::string_view authorization) const;

 private:
  bool enabled_;
  Sha256Digest digest_;
};

struct ApiLimits {
  size_t max_json_depth = 32;
  size_t max_body = 1u << 20;        // the server's max_http_body (it refuses larger with 413)
  size_t max_name_length = 128;      // room and signal names, as the application enforces
  size_t room_member_limit = 1000;   // member ids listed by GET /api/rooms/{room}
};

class BackendApi {
 public:
  BackendApi(Relay& relay, std::string_view api_key, const ApiLimits& limits);
  BackendApi(const BackendApi&) = delete;
  BackendApi& operator=(const BackendApi&) = delete;

  bool enabled() const { return key_.enabled(); }
  // Registers the /api/ routes; nothing when no key is configured.
  void add_routes(Router& router);

 private:
  using Operation = void (BackendApi::*)(const rapidjson::Value& body, server::HttpResponse& response);

  // Authorization, Content-Type and JSON checks shared by every POST, then `operation`.
  void post(const Request& request, server::HttpResponse& response, Operation operation);
  bool authorized(const Request& request, server::HttpResponse& response);

  void signal(const rapidjson::Value& body, server::HttpResponse& response);
  void publish(const rapidjson::Value& body, server::HttpResponse& response);
  void broadcast(const rapidjson::Value& body, server::HttpResponse& response);
  void send(const rapidjson::Value& body, server::HttpResponse& response);
  void list_rooms(const Request& request, server::HttpResponse& response);
  void show_room(const Request& request, server::HttpResponse& response);

  // The answer to a delivery: 200 {"delivered": n}, or the error its status means.
  void answer(const Delivery& delivery, server::HttpResponse& response);

  Relay& relay_;
  ApiKey key_;
  ApiLimits limits_;
  app::JsonParser parser_;
};

}  // namespace wsrelay::http
