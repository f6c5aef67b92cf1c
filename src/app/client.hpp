// Client: the application's record of one connection — its id, optional user identity, the
// rooms it is in, the signal names it listens to, and its counters.
//
// Ownership: the Dispatcher creates and owns every Client (Dispatcher::connect) and destroys it
// in Dispatcher::disconnect; Peer::client points at it in between. Room and SignalTopic
// pointers in a Client stay valid while the Client is a member/listener (a room or topic is
// only removed once nobody is in it).
//
// Client ids are 16 bytes from a CSPRNG, written as 32 lowercase hex digits: unguessable, so
// knowing another client's id is the only way to address it directly. The application makes no
// syscalls, so the random bytes come from an injected RandomSource (the server passes the
// OS generator; tests pass a deterministic one).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/indexed_set.hpp"
#include "app/rate_limiter.hpp"

namespace wsrelay::app {

class Peer;
class Room;
struct SignalTopic;

// Fills the span with cryptographically secure random bytes.
using RandomSource = std::function<void(std::span<uint8_t>)>;

// Client::front_end values. The JSON protocol is 0 so that a zero-initialised client is JSON.
constexpr uint8_t kJsonFrontEnd = 0;
constexpr uint8_t kPusherFrontEnd = 1;
constexpr size_t kFrontEndCount = 2;

constexpr size_t kClientIdBytes = 16;
constexpr size_t kClientIdLength = 2 * kClientIdBytes;  // hex digits

// 32 lowercase hex digits made from kClientIdBytes bytes of `random`.
std::string make_client_id(const RandomSource& random);

// Who the client is, once authenticated (authenticator.hpp fills it from the token). Presence
// counts users, not sockets: two tabs of one user share a user_id.
struct Identity {
  std::string user_id;
  std::string user_info;  // a serialized JSON object chosen by the authenticator ("" = none)
  std::vector<std::string> room_patterns;  // private rooms it may join (auth/room_pattern.hpp)
};

struct ConnectionCounters {
  uint64_t messages_in = 0;
  uint64_t bytes_in = 0;
  uint64_t messages_out = 0;
  uint64_t bytes_out = 0;  // application payload bytes, not framing
  int64_t connected_since_ms = 0;  // Unix epoch milliseconds
};

struct Client {
  Client(std::string client_id, Peer& client_peer) : id(std::move(client_id)), peer(&client_peer) {}
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string id;
  Peer* const peer;
  std::string remote_address;
  std::optional<Identity> identity;
  IndexedSet<Room*> rooms;
  IndexedSet<SignalTopic*> signals;
  ConnectionCounters counters;
  // Its message budget (the Dispatcher sets it up on connect from AppOptions::rate_limit).
  RateLimiter rate{RateLimitPolicy{}, 0};
  // True while the client still owes its authentication (auth enabled, no token in the URL):
  // the front end refuses its requests, and broadcasts and direct messages pass it by.
  bool awaiting_auth = false;
  int64_t auth_deadline_ms = 0;  // Host::monotonic_ms() after which it is closed, while awaiting
  // Which wire front end speaks to it (kJsonFrontEnd, kPusherFrontEnd): the dispatcher hands a
  // room event to each member in its own front end's format (dispatcher.hpp).
  uint8_t front_end = 0;
};

}  // namespace wsrelay::app
