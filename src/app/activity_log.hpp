// Activity log: the debug lines that say what each client did — joins and leaves, room messages,
// signals, direct messages and broadcasts with their size and how many clients got them, and
// every request the protocol refused with its error code and reason.
//
//   DEBUG join 127.0.0.1:51234 client=1a2b3c4d room="general" members=3
//   DEBUG room_message 127.0.0.1:51234 client=1a2b3c4d room="general" bytes=52 delivered=2
//   DEBUG signal 127.0.0.1:51234 client=1a2b3c4d name="typing" bytes=40 delivered=5
//   DEBUG refused 127.0.0.1:51234 client=1a2b3c4d code=not_in_room: you are not in room "x"
//
// Contract:
// - Only at log_level=debug: every function first asks the logger whether debug is on, so at
//   info level a call costs one comparison and formats nothing. The one exception is
//   auth_refused, a rejection like those the server logs before the upgrade: at info.
// - Never a payload unless `log_payloads` is set (AppOptions::log_payloads); then the request's
//   text follows as `text=...`, passed like every line through the logger's redaction (tokens,
//   JWTs, credentials masked) and escaping, and capped by the logger.
// - Client ids are capabilities (knowing one is how a client is addressed directly), so a
//   line shows only their first kShownIdDigits hex digits: enough to follow one client, not
//   enough to address it.
// - The application makes no syscalls itself; these lines are written by the log layer
//   (log/logger.hpp), on the loop thread, like every other line.
#pragma once

#include <cstddef>
#include <string_view>

#include "app/dispatcher.hpp"

namespace wsrelay::app::activity {

inline constexpr size_t kShownIdDigits = 8;

// What a front end tells the log about one request; `text` is the whole request as received.
struct Message {
  std::string_view text;
  bool log_payload = false;  // AppOptions::log_payloads
};

bool enabled();

void joined(const Client& client, const Room& room);
void left(const Client& client, const Room& room, LeaveCause cause);
void room_message(const Client& client, const Room& room, const Message& message, size_t delivered);
// `room` is null for a signal to every listener.
void signal(const Client& client, std::string_view name, const Room* room, const Message& message,
            size_t delivered);
void direct(const Client& client, const Client& to, const Message& message, size_t delivered);
void broadcast(const Client& client, const Message& message, size_t delivered);
// The protocol answered a request with an error (code and the message the client got).
void refused(const Client& client, std::string_view code, std::string_view reason);
// Authentication after the upgrade (the `auth` event, or a URL token checked by the protocol):
// who it is (debug), or why the token was refused (info; never the token).
void authenticated(const Client& client, std::string_view user_id);
void auth_refused(const Client& client, std::string_view code, std::string_view reason);

}  // namespace wsrelay::app::activity
