// Debug lines about what clients do. See activity_log.hpp.
#include "app/activity_log.hpp"

#include "app/rooms.hpp"
#include "log/logger.hpp"

namespace wsrelay::app::activity {

namespace {

std::string_view short_id(const Client& client) {
  return std::string_view(client.id).substr(0, kShownIdDigits);
}

// The part every line shares after its verb: who did it.
struct Who {
  const Client& client;
};

// ` text=<request>` when payloads are to be logged, else nothing.
struct Payload {
  const Message& message;
};

void append_part(std::string& out, const Who& who) {
  out.append(who.client.remote_address);
  out.append(" client=");
  out.append(short_id(who.client));
}

void append_part(std::string& out, const Payload& payload) {
  if (!payload.message.log_payload) return;
  out.append(" text=");
  out.append(payload.message.text);
}

}  // namespace

bool enabled() {
  return log::logger().enabled(log::Level::kDebug);
}

void joined(const Client& client, const Room& room) {
  if (!enabled()) return;
  log::debug("join ", Who{client}, " room=\"", room.name(), "\" members=", room.size());
}

void left(const Client& client, const Room& room, LeaveCause cause) {
  if (!enabled()) return;
  log::debug("leave ", Who{client}, " room=\"", room.name(), "\" members=", room.size(),
             cause == LeaveCause::kDisconnect ? " (disconnected)" : "");
}

void room_message(const Client& client, const Room& room, const Message& message,
                  size_t delivered) {
  if (!enabled()) return;
  log::debug("room_message ", Who{client}, " room=\"", room.name(),
             "\" bytes=", message.text.size(), " delivered=", delivered, Payload{message});
}

void signal(const Client& client, std::string_view name, const Room* room, const Message& message,
            size_t delivered) {
  if (!enabled()) return;
  const std::string_view room_name =
      room != nullptr ? std::string_view(room->name()) : std::string_view();
  log::debug("signal ", Who{client}, " name=\"", name, "\"", room != nullptr ? " room=\"" : "",
             room_name, room != nullptr ? "\"" : "", " bytes=", message.text.size(),
             " delivered=", delivered, Payload{message});
}

void direct(const Client& client, const Client& to, const Message& message, size_t delivered) {
  if (!enabled()) return;
  log::debug("direct ", Who{client}, " to=", short_id(to), " bytes=", message.text.size(),
             " delivered=", delivered, Payload{message});
}

void broadcast(const Client& client, const Message& message, size_t delivered) {
  if (!enabled()) return;
  log::debug("broadcast ", Who{client}, " bytes=", message.text.size(), " delivered=", delivered,
             Payload{message});
}

void authenticated(const Client& client, std::string_view user_id) {
  if (!enabled()) return;
  log::debug("authenticated ", Who{client}, " user=\"", user_id, "\"");
}

void auth_refused(const Client& client, std::string_view code, std::string_view reason) {
  log::info("reject ", Who{client}, " unauthorized: invalid token (", code,
            reason.empty() ? "" : ": ", reason, ")");
}

void refused(const Client& client, std::string_view code, std::string_view reason) {
  if (!enabled()) return;
  log::debug("refused ", Who{client}, " code=", code, ": ", reason);
}

}  // namespace wsrelay::app::activity
