// JsonProtocol: the JSON wire protocol of `wsrelay serve` (docs/protocol.md), the front end
// that turns JSON requests into Dispatcher calls and dispatcher results into JSON events.
//
// Contract with clients, in short: every text message is one JSON object whose `event` (alias
// `type`) names the operation; a request with an `id` is answered by exactly one `ack` or
// `error` carrying that id; bad input of any kind is answered with an `error` event and the
// connection stays open; nothing malformed ever reaches another client, because everything
// forwarded is re-serialized from the parsed value.
//
// Embedding programs add their own events with on_event(): a name that is not built in goes to
// its registered handler instead of being answered `unknown_event`.
//
// Security (docs/security.md; json_protocol_security.cpp): every message first spends one unit
// of its connection's rate budget (over it: `rate_limited`, not processed; after
// rate_limit_warnings of those, Close 1008). With auth enabled, a connection authenticates with
// its URL token on open, or else with an `auth` event within auth_timeout; until then any other
// event is answered `auth_required`. Bad tokens and the timeout close with 1008. The timeout is
// checked on the Host's once-a-second ticks, for which the protocol registers itself while auth
// is enabled.
//
// Not thread-safe; lives on the reactor thread like everything in the application layer.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "app/authenticator.hpp"
#include "app/close_reasons.hpp"
#include "app/dispatcher.hpp"
#include "app/json_parser.hpp"
#include "app/json_writer.hpp"
#include "app/notice_batches.hpp"
#include "app/peer.hpp"
#include "app/stats.hpp"

namespace wsrelay::app {
namespace activity {
struct Message;
}

// A request for an event registered with JsonProtocol::on_event.
struct CustomEvent {
  Client& client;
  std::string_view name;            // the event name as sent
  const rapidjson::Value& request;  // the whole request object (valid during the call)

  // Refuse the request: the client gets {"event":"error", code, message, id?}. Without a
  // call, a request that carried an id is answered {"event":"ack", id, ...}.
  void fail(std::string_view code, std::string_view message) {
    error_code = code;
    error_message = message;
  }
  std::string error_code;
  std::string error_message;
};
using EventHandler = std::function<void(CustomEvent&)>;

class JsonProtocol final : public Application,
                           private DispatcherObserver,
                           private TickListener,
                           private FrontEnd,
                           private DeferredTask {
 public:
  static constexpr std::string_view kWelcomeMessage = "Welcome to wsrelay";
  static constexpr size_t kMaxIdLength = 128;  // bytes of a string `id`

  JsonProtocol(Host& host, AppOptions options, RandomSource random);
  ~JsonProtocol() override;
  JsonProtocol(const JsonProtocol&) = delete;
  JsonProtocol& operator=(const JsonProtocol&) = delete;

  // ---- Application -------------------------------------------------------------------------
  void on_open(Peer& peer, const ConnectInfo& info) override;
  void on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) override;
  void on_close(Peer& peer, uint16_t code, std::string_view reason) override;
  // 1009: an `error` event (message_too_big, the reason as message) before the server's Close.
  void on_protocol_error(Peer& peer, uint16_t code, std::string_view reason) override;

  // ---- embedding --------------------------------------------------------------------------
  // Handle requests whose event is `name`. False (and nothing registered) when `name` is empty
  // or a built-in event; a second registration of a name replaces the first.
  bool on_event(std::string_view name, EventHandler handler);
  // Sends an error event to `client` (for custom handlers that answer later).
  void send_error(Client& client, std::string_view code, std::string_view message,
                  const rapidjson::Value* id = nullptr, std::string_view field = {});

  Dispatcher& dispatcher() { return dispatcher_; }
  const Dispatcher& dispatcher() const { return dispatcher_; }
  // Server counters, including requests by event name, errors by code and closes by cause.
  StatsSnapshot stats() const;
  // Connections this protocol closed for `cause` (also in stats().closes).
  uint64_t closes(CloseCause cause) const { return close_counts_[static_cast<size_t>(cause)]; }
  const Authenticator& authenticator() const { return authenticator_; }

 private:
  // One parsed request, valid while it is handled.
  struct Request {
    Client& client;
    const rapidjson::Value& body;
    std::string_view event;      // as sent (an alias stays an alias)
    const rapidjson::Value* id;  // nullptr when the request has none
  };
  // Failure of a request (empty code = success). The message is built only on failure.
  struct Outcome {
    std::string_view code;
    std::string message;
    std::string_view field;  // the offending field, for missing_field/invalid_field/invalid_name
    static Outcome ok() { return {}; }
  };
  using Handler = Outcome (JsonProtocol::*)(const Request&);
  struct BuiltinEvent {
    std::string_view name;
    Handler handler;
  };
  static constexpr size_t kBuiltinCount = 15;
  static const std::array<BuiltinEvent, kBuiltinCount> kBuiltinEvents;
  struct CustomEntry {
    EventHandler handler;
    uint64_t count = 0;
  };

  // DispatcherObserver: announce membership changes.
  void on_joined(Client& client, Room& room) override;
  void on_left(Client& client, Room& room, LeaveCause cause) override;

  // FrontEnd: a room event as a JSON room_message (docs/pusher.md, "Mapping").
  std::string_view encode(const RoomEvent& event) override;
  // Join/leave notices by the room's NoticeMode (json_protocol_notices.cpp). DeferredTask:
  // the batched ones, at the end of the loop iteration.
  NoticeMode notice_mode(const Room& room) const;
  void add_notice(const Room& room, NoticeEntry entry);
  void run_deferred() override;
  // Sends `room`'s pending batch now: a room message must not overtake the notices before it.
  void flush_notices(const Room& room);
  void send_notice_batch(const Room& room, const NoticeBatch& batch);
  void send_single_notice(const Room& room, const NoticeEntry& entry, const Client* subject);

  // TickListener: close the clients whose auth_timeout has passed.
  void on_tick(int64_t now_ms) override;

  void handle(Client& client, std::string_view text);
  Outcome dispatch(const Request& request);
  Outcome run_custom(const Request& request, CustomEntry& entry);

  // Security (json_protocol_security.cpp).
  bool within_rate(Client& client);  // false: answered or closed, do not process
  void send_welcome(Client& client);
  void join_default_room(Client& client);
  void close_for(Client& client, CloseCause cause);
  Outcome handle_auth(const Request& request);

  // Built-in events.
  Outcome handle_message(const Request& request);
  Outcome handle_broadcast(const Request& request);
  Outcome handle_join(const Request& request);
  Outcome handle_leave(const Request& request);
  Outcome handle_room_message(const Request& request);
  Outcome handle_signal(const Request& request);
  Outcome handle_listen(const Request& request);
  Outcome handle_unlisten(const Request& request);
  Outcome handle_send(const Request& request);
  Outcome handle_rooms(const Request& request);
  Outcome handle_ping(const Request& request);

  // Reading fields: each returns a failure Outcome or sets its output.
  Outcome require_value(const Request& request, std::string_view name, std::string_view alias,
                        const rapidjson::Value** out);
  Outcome require_string(const Request& request, std::string_view name, std::string_view alias,
                         std::string_view* out);
  Outcome require_name(const Request& request, std::string_view name, std::string_view alias,
                       std::string_view* out);
  Outcome failure(Status status, std::string_view subject);

  // Writing events.
  int64_t now() const { return host_.wall_clock_ms(); }
  bool begin_ack(const Request& request);  // false when the request has no id
  void finish_ack(const Request& request);
  void write_room_summary(const Room& room, bool with_members);
  void write_room_names(const Client& client);
  void count_error(std::string_view code);
  // The request being handled, for the activity log (activity_log.hpp).
  activity::Message logged_request() const;

  Host& host_;
  Dispatcher dispatcher_;
  Authenticator authenticator_;
  JsonParser parser_;
  EventWriter writer_;
  EventWriter room_event_writer_;  // encode() may run while writer_ holds an unsent answer
  JsonParser data_parser_;         // a Pusher event's `data` string, when it holds JSON
  NoticeBatches notices_;
  bool notices_scheduled_ = false;  // run_deferred is requested
  int64_t last_notice_flush_ms_ = 0;  // Host::monotonic_ms() of the last batched flush
  std::array<uint64_t, kBuiltinCount> builtin_counts_{};
  std::map<std::string, CustomEntry, std::less<>> custom_events_;
  std::map<std::string, uint64_t, std::less<>> error_counts_;
  std::array<uint64_t, static_cast<size_t>(CloseCause::kCount)> close_counts_{};
  std::string_view request_text_;  // the message handle() is working on
};

}  // namespace wsrelay::app
