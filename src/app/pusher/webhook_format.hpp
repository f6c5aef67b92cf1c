// Pusher's webhook wire format (https://pusher.com/docs/channels/server_api/webhooks), pure:
//
//   {"time_ms":1327078148132,"events":[
//     {"name":"channel_occupied","channel":"orders"},
//     {"name":"member_added","channel":"presence-room","user_id":"42"},
//     {"name":"client_event","channel":"private-chat","event":"client-typing",
//      "data":"{\"on\":true}","socket_id":"123.456","user_id":"42"}]}
//
// and its signature: X-Pusher-Signature is the lowercase hex HMAC-SHA256 of the exact body
// bytes under the app secret, X-Pusher-Key the app key (what pusher-php-server's
// webhook()->isValid() and the Node `pusher` SDK's webhook().isValid() check).
//
// No I/O; strings are JSON-escaped by RapidJSON's writer, so a channel name or client event
// data can never break out of its field.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wsrelay::app::pusher {

enum class WebhookKind : uint8_t {
  kChannelOccupied,
  kChannelVacated,
  kMemberAdded,
  kMemberRemoved,
  kClientEvent,
};
constexpr int kWebhookKindCount = 5;

// A set of kinds, as a bitmask (bit = 1 << kind), for "which events does this webhook want".
using WebhookKindSet = uint8_t;
constexpr WebhookKindSet kind_bit(WebhookKind kind) { return static_cast<WebhookKindSet>(1u << static_cast<unsigned>(kind)); }
constexpr WebhookKindSet kAllWebhookKinds = (1u << kWebhookKindCount) - 1;

// Pusher's name of a kind: "channel_occupied", ..., "client_event".
std::string_view webhook_kind_name(WebhookKind kind);

// Parses a comma-separated list of Pusher event names ("channel_occupied, member_added"),
// case-sensitive as Pusher spells them, spaces around names ignored. "all" or "*" alone means
// every kind. An empty list, an unknown name or a repeated one is an error: false, with
// `error` naming the offending word.
bool parse_webhook_kinds(std::string_view text, WebhookKindSet& out, std::string& error);

struct WebhookEvent {
  WebhookKind kind = WebhookKind::kChannelOccupied;
  std::string channel;
  std::string user_id;    // member_added / member_removed; client_event on presence channels
  std::string event;      // client_event only
  std::string data;       // client_event only, sent as a JSON string
  std::string socket_id;  // client_event only
};

// The body of one webhook POST: time_ms (wall clock, milliseconds since the Unix epoch) and the
// events in order. user_id is written for client_event only when non-empty (Pusher: "only for
// presence channels").
std::string format_webhook_body(int64_t time_ms, std::span<const WebhookEvent> events);

// Lowercase hex HMAC-SHA256 of `body` under `secret`: the X-Pusher-Signature header.
std::string webhook_signature(std::string_view secret, std::string_view body);

}  // namespace wsrelay::app::pusher
